//! `gendan history` (past runs and their headline KPIs) and the history
//! glue the other commands share: where the file is, opening it (a
//! problem is a warning), and comparing this run's flags with the last.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::outcome::{AppError, Outcome};
use super::{Analysis, Job};
use crate::log::Log;
use crate::template::Template;

/// The history file of a job: the template's `[history] path` (resolved
/// against the template's folder), else `<out_dir>/gendan-history.sqlite`.
pub fn history_path(job_template: &Template, out_dir: &Path) -> PathBuf {
    match &job_template.file.history.path {
        Some(p) if job_template.path.is_some() => job_template.resolve(p),
        Some(p) => PathBuf::from(p),
        None => out_dir.join("gendan-history.sqlite"),
    }
}

/// Opens the history if enabled; a problem is a warning and the run goes
/// on without it. With `create` false a missing file is not made.
pub fn open_history(
    job: &Job,
    out_dir: &Path,
    create: bool,
    log: &Log,
) -> Option<crate::history::History> {
    if !job.template.file.history.enabled {
        return None;
    }
    let path = history_path(&job.template, out_dir);
    if !create && !path.exists() {
        return None;
    }
    match crate::history::History::open(&path) {
        Ok(h) => Some(h),
        Err(e) => {
            log.alert(&e.say(log.lang));
            None
        }
    }
}

/// What the history's runs before this period saw of the due dates and
/// ETAs (spec section 14); empty without history, and a read problem is a
/// warning.
pub fn past_promises(
    history: Option<&crate::history::History>,
    job: &Job,
    log: &Log,
) -> crate::promise::Past {
    let Some(h) = history else {
        return Default::default();
    };
    h.past(&job.period).unwrap_or_else(|e| {
        log.warn(&log.fill(
            "log.history_failed",
            &[
                ("path", &h.path.display().to_string()),
                ("error", &e.to_string()),
            ],
        ));
        Default::default()
    })
}

/// Compares the flags with the previous recorded run (spec section 6):
/// each flag's first_seen, runs_open and `new`; returns the previous run's
/// KPIs and its flags that are gone (`None` without a previous run, or
/// without history).
pub fn compare_with_history(
    history: Option<&crate::history::History>,
    job: &Job,
    analysis: &mut Analysis,
    log: &Log,
) -> (
    Option<(String, crate::measure::Kpis)>,
    Option<Vec<crate::flags::PastFlag>>,
) {
    let as_of = job.as_of.to_string();
    let prev = history.and_then(|h| {
        let r = h.previous(&job.period).and_then(|p| {
            p.map(|(label, kpis)| h.flags_of(&label).map(|f| ((label, kpis), f)))
                .transpose()
        });
        r.unwrap_or_else(|e| {
            log.warn(&log.fill(
                "log.history_failed",
                &[
                    ("path", &h.path.display().to_string()),
                    ("error", &e.to_string()),
                ],
            ));
            None
        })
    });
    match prev {
        Some((kpis, flags)) => {
            let gone = crate::history::compare(&mut analysis.flags, Some(&flags), &as_of);
            (Some(kpis), Some(gone))
        }
        None => {
            if history.is_some() {
                crate::history::compare(&mut analysis.flags, None, &as_of);
            }
            (None, None)
        }
    }
}

/// `gendan history`: past runs and their headline KPIs, with OTD against
/// the first promise (`OTD-first`) and the due dates changed since the run
/// before (`moved`; — for runs before schema 3 and the first run).
pub fn run(template: Option<PathBuf>, out: Option<PathBuf>) -> Result<Outcome, AppError> {
    let t = match &template {
        Some(p) => Template::load(p)?,
        None => Template::default(),
    };
    let out_dir = super::out_dir::resolve(&t, out.as_deref());
    let path = history_path(&t, &out_dir);
    if !path.exists() {
        return Err(AppError::Runtime(anyhow::anyhow!(
            "no history at {} yet — it is written by `gendan run`",
            path.display()
        )));
    }
    let h = crate::history::History::open(&path)
        .map_err(|e| AppError::Runtime(anyhow::Error::new(e)))?;
    let runs = h.runs().map_err(|e| {
        AppError::Runtime(anyhow::Error::new(e).context(format!("reading {}", path.display())))
    })?;
    let pct = |v: &serde_json::Value| {
        v.as_f64()
            .map(|x| format!("{:.1}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    };
    let num = |v: &serde_json::Value| {
        v.as_f64()
            .map(|x| format!("{x:.0}"))
            .unwrap_or_else(|| "—".into())
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:<10} {:<10} {:>7} {:>9} {:>7} {:>7} {:>7} {:>5} {:>6} {:>8} {:>6} {:>8} {:>5}",
        "period",
        "as_of",
        "OTD",
        "OTD-first",
        "moved",
        "OTIF",
        "CSAT",
        "NPS",
        "open",
        "overdue",
        "errors",
        "warnings",
        "info"
    );
    for r in runs {
        let k = &r.kpis;
        let _ = writeln!(
            out,
            "{:<10} {:<10} {:>7} {:>9} {:>7} {:>7} {:>7} {:>5} {:>6} {:>8} {:>6} {:>8} {:>5}",
            r.period,
            r.as_of,
            pct(&k["otd_rate"]),
            pct(&k["otd_rate_first_promise"]),
            num(&k["due_date_changes"]),
            pct(&k["otif_rate"]),
            pct(&k["csat"]),
            num(&k["nps"]),
            num(&k["open_orders"]),
            num(&k["overdue_open_orders"]),
            r.flags_error,
            r.flags_warning,
            r.flags_info
        );
    }
    Ok(Outcome::Done)
}
