//! The dispatcher: runs the subcommand the command line names (each is a
//! file of `cmd/`) and maps its outcome to an exit code. Errors are typed
//! at the library's borders and get their context in the commands.

use crate::cli::{Cli, Command, LangArg};
use crate::cmd;
use crate::i18n::Lang;
use crate::read;
use crate::template::TemplateError;

/// A failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Exit 2: the command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// Exit 2: the template is wrong.
    #[error(transparent)]
    Template(#[from] TemplateError),
    /// Exit 1: inputs, outputs or the machine failed us.
    #[error("{0:#}")]
    Runtime(#[from] anyhow::Error),
}

impl AppError {
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Usage(_) | AppError::Template(_) => 2,
            AppError::Runtime(_) => 1,
        }
    }
}

impl From<read::ReadError> for AppError {
    fn from(e: read::ReadError) -> Self {
        AppError::Runtime(anyhow::Error::new(e))
    }
}

/// How a command ended without failing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Done,
    /// Reports written (or check done) but flags at or above `--fail-on`.
    FlagsFound,
}

impl Outcome {
    pub fn exit_code(self) -> i32 {
        match self {
            Outcome::Done => 0,
            Outcome::FlagsFound => 3,
        }
    }
}

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

pub fn lang_of(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}
