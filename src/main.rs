//! The `gendan` binary: parse the command line, run the library, map the
//! outcome to an exit code (0 ok, 1 runtime failure, 2 usage or template
//! error, 3 flags at or above `--fail-on`).

use clap::Parser;

/// mimalloc instead of glibc malloc: the reader makes and frees millions of
/// small strings (BENCHMARKS.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    #[cfg(target_os = "linux")]
    no_huge_pages();
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

/// Transparent huge pages off for this process. Where the kernel gives
/// them to every mapping (`always`, the default of several distributions),
/// each first touch of memory the allocator got back from the system
/// zeroes a whole 2 MiB page; polars and the reader allocate and free large
/// buffers all run long, and that zeroing was a quarter of all cpu on the
/// 1M-line set (a run 34 s → 27 s, BENCHMARKS.md). mimalloc's own switch
/// for this (`MIMALLOC_ALLOW_THP=0`) is read before `main`, so it is set
/// here the way mimalloc would set it.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes integer arguments only and sets a
    // flag on this process's memory map; on failure (an old kernel) the
    // process runs as before, so the result is not needed.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
