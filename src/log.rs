//! Progress and messages on stderr (spec sections 1 and 8): one plain
//! line per phase, warnings and notes; a spinner only on a terminal.
//! Every line is in the run's language (its words come from `i18n`), so a
//! run never mixes Chinese and English on stderr.

use std::time::Instant;

use crate::i18n::{self, Lang};

/// A line a stage wants the operator to see, already in the run's
/// language; the command prints it (stages return what they say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Said {
    Warning(String),
    Note(String),
    /// Only with `--verbose`.
    Detail(String),
}

/// Progress on stderr: one plain line per phase unless quiet, and a
/// spinner while a phase runs when stderr is a terminal (never under cron).
pub struct Log {
    pub quiet: bool,
    pub verbose: bool,
    pub lang: Lang,
    spinner: std::cell::RefCell<Option<indicatif::ProgressBar>>,
}

impl Log {
    pub fn new(quiet: bool, verbose: bool, lang: Lang) -> Log {
        Log {
            quiet,
            verbose,
            lang,
            spinner: Default::default(),
        }
    }

    /// Shows what is running now (terminal only).
    pub fn begin(&self, what: &str) {
        use std::io::IsTerminal;
        if self.quiet || !std::io::stderr().is_terminal() {
            return;
        }
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message(what.to_string());
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        if let Some(old) = self.spinner.replace(Some(pb)) {
            old.finish_and_clear();
        }
    }

    /// A phase's line: its name (`read`, `reconcile`, `kpis`, `write`,
    /// said in the run's language), time and `detail`.
    pub fn phase(&self, name: &str, started: Instant, detail: &str) {
        if let Some(pb) = self.spinner.take() {
            pb.finish_and_clear();
        }
        if !self.quiet {
            let name = i18n::text(self.lang, &format!("log.phase.{name}"));
            eprintln!(
                "{name:<10} {:>7.2}s  {detail}",
                started.elapsed().as_secs_f64()
            );
        }
    }

    /// The text of `key` in the run's language.
    pub fn fill(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::fill(self.lang, key, args)
    }

    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}{msg}", i18n::text(self.lang, "log.warning"));
        }
    }

    /// Something the operator should know that is not a problem (rows
    /// derived from a tracker, a default path that matched nothing).
    pub fn note(&self, msg: &str) {
        if !self.quiet {
            eprintln!("{}{msg}", i18n::text(self.lang, "log.note"));
        }
    }

    /// A problem the operator must see even with `-q` (the run goes on).
    pub fn alert(&self, msg: &str) {
        eprintln!("{}{msg}", i18n::text(self.lang, "log.warning"));
    }

    /// Prints what a stage said, each at its level.
    pub fn say(&self, said: &[Said]) {
        for s in said {
            match s {
                Said::Warning(m) => self.warn(m),
                Said::Note(m) => self.note(m),
                Said::Detail(m) => self.detail(m),
            }
        }
    }

    pub fn detail(&self, msg: &str) {
        if self.verbose && !self.quiet {
            eprintln!("  {msg}");
        }
    }
}
