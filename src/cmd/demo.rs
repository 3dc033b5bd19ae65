//! `gendan demo-data`: the sample registers (orders, shipments, feedback)
//! in a folder, never over files already there without `--force`.

use super::job::lang_of;
use super::job::{parse_as_of, today};
use super::outcome::{AppError, Outcome};
use crate::i18n;

/// # Errors
/// A folder that already holds the sample files (exit 2), or one that
/// cannot be written (exit 1).
pub fn run(args: crate::cli::DemoArgs) -> Result<Outcome, AppError> {
    let as_of = match &args.as_of {
        Some(s) => parse_as_of(s, lang_of(args.lang))?,
        None => today(),
    };
    if !args.force {
        let existing: Vec<String> = crate::demo::FILE_NAMES
            .into_iter()
            .filter(|n| args.dir.join(n).exists())
            .map(String::from)
            .collect();
        if !existing.is_empty() {
            return Err(AppError::usage(
                lang_of(args.lang),
                "err.demo_exists",
                &[
                    ("dir", &args.dir.display().to_string()),
                    ("files", &existing.join(", ")),
                ],
            ));
        }
    }
    let written = crate::demo::write(&args.dir, args.orders, args.seed, lang_of(args.lang), as_of)
        .map_err(|e| {
            AppError::Runtime(e.context(format!("writing demo data into {}", args.dir.display())))
        })?;
    for p in written {
        let path = p.display().to_string();
        eprintln!(
            "{}",
            i18n::fill(lang_of(args.lang), "log.wrote", &[("path", &path)])
        );
    }
    Ok(Outcome::Done)
}
