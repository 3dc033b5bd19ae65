//! One file per subcommand, each with its own `run` (in the manner of xsv
//! and hyperfine): `run`, `check`, `init` (and `template`), `history`,
//! `demo` (demo-data), `documents` (confirm and statement). What they
//! share: the settled [`Job`] and the read → reconcile [`Analysis`]
//! (`job.rs`), the output folder with its lock (`out_dir.rs`), and the
//! history glue (`history.rs`).

pub mod check;
pub mod demo;
pub mod documents;
pub mod history;
pub mod init;
mod job;
pub mod out_dir;
mod outcome;
pub mod run;

pub use crate::log::Log;
pub use job::{analyse, fail_code, lang_of, polars_err, sort_flags, summary, Analysis, Job};
pub use outcome::{AppError, Outcome};
