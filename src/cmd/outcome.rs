//! How a command ends: a typed failure with its exit code ([`AppError`]:
//! 2 for the command line or the template, 1 for inputs, outputs or the
//! machine), or an [`Outcome`] (0, or 3 when flags reach `--fail-on`).

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
    /// Said in the run's language: exit 2 when `usage` (as `Usage`), else
    /// exit 1 (as `Runtime`).
    #[error("{message}")]
    Said {
        lang: crate::i18n::Lang,
        message: String,
        usage: bool,
    },
}

impl AppError {
    pub fn exit_code(&self) -> i32 {
        match self {
            AppError::Usage(_) | AppError::Template(_) => 2,
            AppError::Said { usage: true, .. } => 2,
            AppError::Runtime(_) | AppError::Said { .. } => 1,
        }
    }

    /// A usage error in `lang`: the text of `key` filled with `args`.
    pub fn usage(lang: crate::i18n::Lang, key: &str, args: &[(&str, &str)]) -> AppError {
        AppError::Said {
            lang,
            message: crate::i18n::fill(lang, key, args),
            usage: true,
        }
    }

    /// What goes before the message on stderr: `error: `, or in the
    /// language the message was said in.
    pub fn label(&self) -> &'static str {
        match self {
            AppError::Said { lang, .. } => crate::i18n::text(*lang, "log.error"),
            _ => "error: ",
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
