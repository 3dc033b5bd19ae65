//! The dispatcher: runs the subcommand the command line names (each is a
//! file of `cmd/`) and maps its outcome to an exit code. Errors are typed
//! at the library's borders and get their context in the commands.

use crate::cli::{Cli, Command};
use crate::cmd;

pub use crate::cmd::{AppError, Outcome};

/// Runs one command.
///
/// # Errors
/// See [`AppError`].
pub fn main(cli: Cli) -> Result<Outcome, AppError> {
    match cli.command {
        Command::Check(args) => cmd::check::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Template { lang } => cmd::init::run_template(lang),
        Command::DemoData(args) => cmd::demo::run(args),
        Command::History { template, out } => cmd::history::run(template, out),
        Command::Init(args) => cmd::init::run(args),
        Command::Confirm(args) => cmd::documents::run_confirm(args),
        Command::Statement(args) => cmd::documents::run_statement(args),
    }
}
