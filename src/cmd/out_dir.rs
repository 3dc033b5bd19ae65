//! The output folder, worked out in one place (`--out`, else the
//! template's `[report] out_dir` relative to the template), and its lock:
//! one gendan writes into a folder at a time.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::outcome::AppError;
use crate::i18n::Lang;
use crate::template::Template;

/// The output folder: `--out`, else `[report] out_dir` (relative to the
/// template's folder when there is a template file).
pub fn resolve(template: &Template, out: Option<&Path>) -> PathBuf {
    match out {
        Some(p) => p.to_path_buf(),
        None if template.path.is_some() => template.resolve(&template.file.report.out_dir),
        None => PathBuf::from(&template.file.report.out_dir),
    }
}

/// An output folder made, locked for the rest of the command, and rid of
/// the temporary files an earlier run left.
pub struct OutDir {
    pub path: PathBuf,
    /// Temporary files of an earlier run removed.
    pub cleaned: usize,
    _lock: std::fs::File,
}

impl OutDir {
    /// # Errors
    /// A folder that cannot be made or locked (exit 1), naming the holder
    /// of the lock when another run has it.
    pub fn take(path: PathBuf, lang: Lang) -> Result<OutDir, AppError> {
        create(&path, lang)?;
        let lock = lock(&path, lang)?;
        let cleaned = crate::report::remove_stale_temps(&path);
        Ok(OutDir {
            path,
            cleaned,
            _lock: lock,
        })
    }
}

fn create(out_dir: &Path, lang: Lang) -> Result<(), AppError> {
    std::fs::create_dir_all(out_dir).map_err(|e| {
        failed(
            lang,
            "err.out_dir",
            &[
                ("dir", &out_dir.display().to_string()),
                ("error", &e.to_string()),
            ],
        )
    })
}

/// A failure of the output folder (exit 1), said in `lang`.
fn failed(lang: Lang, key: &str, args: &[(&str, &str)]) -> AppError {
    AppError::Said {
        lang,
        message: crate::i18n::fill(lang, key, args),
        usage: false,
    }
}

/// Takes the output folder's lock for the rest of the run; a second run
/// exits 1 naming the holder. The OS releases it when the process dies.
fn lock(out_dir: &Path, lang: Lang) -> Result<std::fs::File, AppError> {
    use std::io::{Read, Seek};
    let path = out_dir.join(".gendan.lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| {
            failed(
                lang,
                "err.lock_open",
                &[
                    ("path", &path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            )
        })?;
    match file.try_lock() {
        Ok(()) => {
            let stamp = format!(
                "pid {} started {}\n",
                std::process::id(),
                chrono::Local::now().format("%Y-%m-%d %H:%M:%S")
            );
            // Written over the old stamp, then cut to length: a second run
            // reading meanwhile never sees an empty file.
            let _ = file.rewind();
            let _ = file.write_all(stamp.as_bytes());
            let _ = file.set_len(stamp.len() as u64);
            let _ = file.flush();
            Ok(file)
        }
        Err(std::fs::TryLockError::WouldBlock) => {
            // The holder writes its pid right after taking the lock; a run
            // that arrives in between waits a moment for it.
            let mut holder = String::new();
            for _ in 0..40 {
                holder.clear();
                let _ = file.rewind();
                let _ = file.read_to_string(&mut holder);
                if holder.trim().starts_with("pid ") && holder.ends_with('\n') {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let holder = holder.trim();
            let holder = if holder.is_empty() {
                crate::i18n::text(lang, "err.holder_unknown")
            } else {
                holder
            };
            Err(failed(
                lang,
                "err.locked",
                &[
                    ("dir", &out_dir.display().to_string()),
                    ("holder", holder),
                    ("path", &path.display().to_string()),
                ],
            ))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(failed(
            lang,
            "err.lock",
            &[
                ("path", &path.display().to_string()),
                ("error", &e.to_string()),
            ],
        )),
    }
}
