//! A command's settled inputs ([`Job`]: template, language, report date,
//! period, files) and the first two stages run for it ([`analyse`]: read →
//! reconcile, every flag most severe first); the exit code of the flags.

use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use super::outcome::{AppError, Outcome};
use crate::cli::{FailOn, InputArgs, LangArg};
use crate::flags::{Flag, Severity, Table};
use crate::i18n::Lang;
use crate::log::Log;
use crate::period::Period;
use crate::read::{self, Inputs, ReadContext, TableInput};
use crate::reconcile::{self, Reconciled};
use crate::summary::{FlagSection, RunSummary};
use crate::template::{AsOf, Template};

pub(crate) fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `--as-of`: `today`, `yesterday`, or a date in any form a cell takes
/// (`2026-11-27`, `2026/11/27`, `27 Nov 2026`, `2026年11月27日`), read with
/// the template's `date_order`.
fn parse_as_of_in(
    s: &str,
    order: crate::template::DateOrder,
    lang: Lang,
) -> Result<NaiveDate, AppError> {
    AsOf::parse(s)
        .map(|a| a.resolve(today()))
        .or_else(|| {
            crate::read::values::parse_date_text(s, order)
                .ok()
                .filter(|d| (1990..=2199).contains(&chrono::Datelike::year(d)))
        })
        .ok_or_else(|| AppError::usage(lang, "err.as_of", &[("value", s)]))
}

pub(crate) fn parse_as_of(s: &str, lang: Lang) -> Result<NaiveDate, AppError> {
    parse_as_of_in(s, crate::template::DateOrder::Ymd, lang)
}

/// A command's settled inputs: template, language, dates and files.
pub struct Job {
    pub template: Template,
    pub lang: Lang,
    pub as_of: NaiveDate,
    pub period: Period,
    pub inputs: Vec<TableInput>,
}

impl Job {
    /// Settles the template and the command-line options into a job.
    ///
    /// # Errors
    /// A bad template (exit 2), a bad `--as-of`, or no inputs at all.
    pub fn prepare(args: &InputArgs, lang: Option<LangArg>) -> Result<Job, AppError> {
        let template = match &args.template {
            Some(p) => Template::load(p)?,
            None => Template::default(),
        };
        let lang = lang.map(lang_of).unwrap_or(template.file.report.lang);
        let as_of = match &args.as_of {
            Some(s) => parse_as_of_in(s, template.file.report.date_order, lang)?,
            None => template.file.report.as_of.resolve(today()),
        };
        let period = Period::ending(template.file.report.period, as_of);
        let mut inputs = Vec::new();
        for (table, cli_paths) in [
            (Table::Orders, &args.paths.orders),
            (Table::Shipments, &args.paths.shipments),
            (Table::Feedback, &args.paths.feedback),
        ] {
            let spec = template.input(table);
            let optional = cli_paths.is_empty() && spec.defaulted;
            let patterns: Vec<(PathBuf, String)> = if !cli_paths.is_empty() {
                cli_paths
                    .iter()
                    .map(|p| (PathBuf::from(p), p.clone()))
                    .collect()
            } else if args.template.is_some() {
                spec.paths
                    .iter()
                    .map(|p| {
                        let r = template.resolve(p);
                        let shown = r.to_string_lossy().into_owned();
                        (r, shown)
                    })
                    .collect()
            } else {
                Vec::new()
            };
            inputs.push(TableInput {
                table,
                patterns,
                sheets: spec.sheets.clone(),
                optional,
            });
        }
        if inputs.iter().all(|i| i.patterns.is_empty()) {
            return Err(AppError::usage(lang, "err.no_inputs", &[]));
        }
        Ok(Job {
            template,
            lang,
            as_of,
            period,
            inputs,
        })
    }
}

/// What reading and reconciling found.
pub struct Analysis {
    pub inputs: Inputs,
    pub reconciled: Reconciled,
    pub flags: Vec<Flag>,
}

/// Reads and reconciles; every flag of every stage, most severe first.
/// `past` is what the history's earlier runs saw of the due dates and
/// ETAs (spec section 14; empty without history).
///
/// # Errors
/// Unreadable inputs, or a failure inside polars.
pub fn analyse(job: &Job, past: &crate::promise::Past, log: &Log) -> Result<Analysis, AppError> {
    let t = Instant::now();
    log.begin(&log.fill("log.begin.read", &[]));
    let ctx = ReadContext::new(&job.template, job.lang, job.as_of);
    let mut inputs = read::read_inputs(&ctx, &job.inputs).map_err(|e| AppError::Said {
        lang: job.lang,
        message: e.say(job.lang),
        usage: false,
    })?;
    log.phase(
        "read",
        t,
        &log.fill(
            "log.read",
            &[
                ("lines", &inputs.orders.height().to_string()),
                ("shipments", &inputs.shipments.height().to_string()),
                ("feedback", &inputs.feedback.height().to_string()),
                ("files", &inputs.files.len().to_string()),
            ],
        ),
    );
    for n in &inputs.notes {
        log.note(n);
    }
    for f in &inputs.files {
        for s in f.skipped_sheets.iter().filter(|s| !s.read_elsewhere) {
            log.warn(&log.fill(
                "log.skipped_sheet",
                &[("file", &f.path), ("sheet", &s.name), ("reason", &s.reason)],
            ));
        }
    }
    let t = Instant::now();
    let (reconciled, rflags, said) =
        reconcile::reconcile(&inputs, &job.template, job.lang, job.as_of, past).map_err(|e| {
            AppError::Runtime(anyhow::Error::new(e).context("reconciling the inputs"))
        })?;
    log.say(&said);
    let mut flags = std::mem::take(&mut inputs.flags);
    flags.extend(rflags);
    reconcile::fill_owners(&mut flags, &reconciled);
    sort_flags(&mut flags);
    log.phase(
        "reconcile",
        t,
        &log.fill(
            "log.reconcile",
            &[
                ("orders", &reconciled.orders.height().to_string()),
                ("flags", &flags.len().to_string()),
            ],
        ),
    );
    Ok(Analysis {
        inputs,
        reconciled,
        flags,
    })
}

/// Most severe first, then rule, then place.
pub fn sort_flags(flags: &mut [Flag]) {
    flags.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.rule.cmp(&b.rule))
            .then_with(|| a.file.cmp(&b.file))
            .then_with(|| a.sheet.cmp(&b.sheet))
            .then_with(|| cell_order(&a.cell).cmp(&cell_order(&b.cell)))
    });
}

/// A cell reference in reading order: row, then column (`B2` < `AA2` <
/// `A10`), without allocating (the flags sort calls it millions of times).
fn cell_order(cell: &str) -> (u32, usize, &str) {
    let split = cell
        .find(|c: char| c.is_ascii_digit())
        .unwrap_or(cell.len());
    let (col, row) = cell.split_at(split);
    (row.parse().unwrap_or(0), col.len(), col)
}

/// Exit 3 when a flag is at or above `--fail-on`.
pub fn fail_code(flags: &[Flag], fail_on: FailOn) -> Outcome {
    let threshold = match fail_on {
        FailOn::Never => return Outcome::Done,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    if flags.iter().any(|f| f.severity >= threshold) {
        Outcome::FlagsFound
    } else {
        Outcome::Done
    }
}

/// The run summary of spec section 7, without KPIs and outputs.
pub fn summary(job: &Job, analysis: &Analysis, with_items: bool, started: Instant) -> RunSummary {
    RunSummary {
        as_of: job.as_of.format("%Y-%m-%d").to_string(),
        period: job.period.clone(),
        template: job.template.path.as_ref().map(|p| p.display().to_string()),
        inputs: analysis.inputs.files.clone(),
        kpis: serde_json::Value::Object(Default::default()),
        flags: FlagSection::new(&analysis.flags, with_items),
        outputs: Vec::new(),
        duration_ms: started.elapsed().as_millis() as u64,
    }
}

/// A polars failure, with what gendan was doing.
pub fn polars_err(what: &'static str) -> impl Fn(polars::prelude::PolarsError) -> AppError {
    move |e| AppError::Runtime(anyhow::Error::new(e).context(what))
}

/// The language a `--lang` option names.
pub fn lang_of(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}
