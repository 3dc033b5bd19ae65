//! Progress and messages on stderr (spec sections 1 and 8): one plain
//! line per phase, warnings and notes; a spinner only on a terminal.

use std::time::Instant;

/// Progress on stderr: one plain line per phase unless quiet, and a
/// spinner while a phase runs when stderr is a terminal (never under cron).
pub struct Log {
    pub quiet: bool,
    pub verbose: bool,
    spinner: std::cell::RefCell<Option<indicatif::ProgressBar>>,
}

impl Log {
    pub fn new(quiet: bool, verbose: bool) -> Log {
        Log {
            quiet,
            verbose,
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

    pub fn phase(&self, name: &str, started: Instant, detail: &str) {
        if let Some(pb) = self.spinner.take() {
            pb.finish_and_clear();
        }
        if !self.quiet {
            eprintln!(
                "{name:<10} {:>7.2}s  {detail}",
                started.elapsed().as_secs_f64()
            );
        }
    }

    pub fn warn(&self, msg: &str) {
        if !self.quiet {
            eprintln!("warning: {msg}");
        }
    }

    /// Something the operator should know that is not a problem (rows
    /// derived from a tracker, a default path that matched nothing).
    pub fn note(&self, msg: &str) {
        if !self.quiet {
            eprintln!("note: {msg}");
        }
    }

    /// A problem the operator must see even with `-q` (the run goes on).
    pub fn alert(&self, msg: &str) {
        eprintln!("warning: {msg}");
    }

    pub fn detail(&self, msg: &str) {
        if self.verbose && !self.quiet {
            eprintln!("  {msg}");
        }
    }
}
