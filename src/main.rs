//! The `gendan` binary: parse the command line, run the library, map the
//! outcome to an exit code (0 ok, 1 runtime failure, 2 usage or template
//! error, 3 flags at or above `--fail-on`).

use clap::Parser;

/// mimalloc instead of glibc malloc: the reader makes and frees millions of
/// small strings (BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let cli = gendan::cli::Cli::parse();
    let code = match gendan::app::main(cli) {
        Ok(outcome) => outcome.exit_code(),
        Err(e) => {
            eprintln!("{}{e:#}", e.label());
            e.exit_code()
        }
    };
    std::process::exit(code);
}
