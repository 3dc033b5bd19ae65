//! The orchestrator: turns the command line into a job, runs the stages
//! read → reconcile → measure → write, prints what the user asked for and
//! picks the exit code. Errors are typed at the library's borders and get
//! their context here.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;

use crate::cli::{CheckArgs, Cli, Command, FailOn, InputArgs, LangArg};
use crate::flags::{Flag, FlagCounts, Severity, Table};
use crate::i18n::{self, Lang};
pub use crate::log::Log;
use crate::period::Period;
use crate::read::{self, Inputs, ReadContext, TableInput};
use crate::reconcile::{self, Reconciled};
use crate::summary::{FlagSection, RunSummary};
use crate::template::{AsOf, Template, TemplateError};

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
        Command::Check(args) => check(args),
        Command::Run(args) => crate::app::run(args),
        Command::Template { lang } => {
            let lang = lang.map(lang_of).unwrap_or(Lang::Zh);
            print!("{}", crate::template::default_text(lang));
            Ok(Outcome::Done)
        }
        Command::DemoData(args) => {
            let as_of = match &args.as_of {
                Some(s) => parse_as_of(s)?,
                None => today(),
            };
            if !args.force {
                let existing: Vec<String> = crate::demo::FILE_NAMES
                    .into_iter()
                    .filter(|n| args.dir.join(n).exists())
                    .map(String::from)
                    .collect();
                if !existing.is_empty() {
                    return Err(AppError::Usage(format!(
                        "{} already holds {} — demo-data would overwrite them; pick an empty folder or add --force",
                        args.dir.display(),
                        existing.join(", ")
                    )));
                }
            }
            let written =
                crate::demo::write(&args.dir, args.orders, args.seed, lang_of(args.lang), as_of)
                    .map_err(|e| {
                        AppError::Runtime(
                            e.context(format!("writing demo data into {}", args.dir.display())),
                        )
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
        Command::History { template, out } => history_cmd(template, out),
        Command::Init(args) => init_cmd(args),
        Command::Confirm(args) => confirm_cmd(args),
        Command::Statement(args) => statement_cmd(args),
    }
}

/// The settled job, output folder (created and locked) and reconciled
/// registers the document commands share.
struct DocumentJob {
    job: Job,
    log: Log,
    out_dir: PathBuf,
    lang: Lang,
    _lock: std::fs::File,
    analysis: Analysis,
    logo: Option<rust_xlsxwriter::Image>,
}

fn out_dir_of(job: &Job, out: Option<&PathBuf>) -> PathBuf {
    match out {
        Some(p) => p.clone(),
        None if job.template.path.is_some() => {
            job.template.resolve(&job.template.file.report.out_dir)
        }
        None => PathBuf::from(&job.template.file.report.out_dir),
    }
}

fn create_out_dir(out_dir: &std::path::Path) -> Result<(), AppError> {
    std::fs::create_dir_all(out_dir).map_err(|e| {
        AppError::Runtime(anyhow::anyhow!(
            "cannot create the output folder {}: {e} — check --out or [report] out_dir",
            out_dir.display()
        ))
    })
}

/// `[company] logo`, loaded; a logo that cannot be placed is a warning
/// and the documents go out without it.
fn company_logo(template: &Template, log: &Log) -> Option<rust_xlsxwriter::Image> {
    let logo = template.file.company.logo.as_ref()?;
    match crate::report::documents::load_logo(&template.resolve(logo)) {
        Ok(img) => Some(img),
        Err(e) => {
            log.warn(&log.fill("log.logo", &[("error", &e.to_string())]));
            None
        }
    }
}

fn prepare_documents(args: &crate::cli::DocumentArgs) -> Result<DocumentJob, AppError> {
    // The documents' language is their own ([company] lang, English by
    // default); the report language only names what check would print.
    let job = Job::prepare(&args.input, None)?;
    let lang = args
        .lang
        .map(lang_of)
        .unwrap_or(job.template.file.company.lang);
    let log = Log::new(args.quiet, false, job.lang);
    let out_dir = out_dir_of(&job, args.out.as_ref());
    create_out_dir(&out_dir)?;
    let lock = lock_out_dir(&out_dir)?;
    crate::report::remove_stale_temps(&out_dir);
    let analysis = analyse(&job, &log)?;
    let logo = company_logo(&job.template, &log);
    Ok(DocumentJob {
        job,
        log,
        out_dir,
        lang,
        _lock: lock,
        analysis,
        logo,
    })
}

fn doc_input<'a>(d: &'a DocumentJob) -> crate::report::documents::DocInput<'a> {
    crate::report::documents::DocInput {
        lang: d.lang,
        company: &d.job.template.file.company,
        logo: d.logo.as_ref(),
        as_of: d.job.as_of,
        period_start: d.job.period.start,
        period_end: d.job.period.end,
    }
}

fn polars_err(what: &'static str) -> impl Fn(polars::prelude::PolarsError) -> AppError {
    move |e| AppError::Runtime(anyhow::Error::new(e).context(what))
}

/// The keys of `given` (normalised as the read stage normalises order and
/// customer keys), each once, in the order given; `Err` lists those
/// `known` does not know, as written.
fn match_keys(given: &[String], known: impl Fn(&str) -> bool) -> Result<Vec<String>, Vec<&str>> {
    let mut keys = Vec::new();
    let mut unknown = Vec::new();
    for g in given {
        let k = read::values::norm_key(g);
        if !known(&k) {
            unknown.push(g.as_str());
        } else if !keys.contains(&k) {
            keys.push(k);
        }
    }
    if unknown.is_empty() {
        Ok(keys)
    } else {
        Err(unknown)
    }
}

/// The documents written: one path per line, or with `--json` a JSON
/// object `{"written": [...]}`.
fn print_written(written: &[PathBuf], json: bool) {
    let mut out = std::io::stdout().lock();
    if json {
        let paths: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
        let _ = writeln!(out, "{}", serde_json::json!({ "written": paths }));
    } else {
        for p in written {
            let _ = writeln!(out, "{}", p.display());
        }
    }
}

/// `gendan confirm`: one order confirmation per pending order, or per
/// `--order`, in `out_dir/confirmations/`.
///
/// # Errors
/// An unknown `--order` (exit 2), unreadable inputs or an unwritable
/// folder (exit 1).
fn confirm_cmd(args: crate::cli::ConfirmArgs) -> Result<Outcome, AppError> {
    use crate::measure::documents as md;
    let d = prepare_documents(&args.doc)?;
    let rec = &d.analysis.reconciled;
    let ids = md::order_ids(rec).map_err(polars_err("listing the orders"))?;
    let keys: Vec<String> = if args.order_ids.is_empty() {
        md::pending_orders(rec).map_err(polars_err("listing the pending orders"))?
    } else {
        match_keys(&args.order_ids, |k| ids.contains_key(k)).map_err(|unknown| {
            AppError::Usage(format!(
                "--order {}: no such order in the orders read ({} orders) — check the order number as the register writes it",
                unknown.join(", "),
                ids.len()
            ))
        })?
    };
    if keys.is_empty() {
        d.log.warn(&d.log.fill("log.no_pending", &[]));
        print_written(&[], args.doc.input.json);
        return Ok(Outcome::Done);
    }
    let docs = md::confirmations(rec, &keys).map_err(polars_err("selecting the order lines"))?;
    let dir = d.out_dir.join("confirmations");
    let input = doc_input(&d);
    let mut taken = std::collections::HashSet::new();
    let mut written = Vec::new();
    for c in &docs {
        for m in &c.missing {
            let key = match m.field {
                "unit_price" => "log.doc_no_price",
                _ => "log.doc_no_amount",
            };
            let place = match &m.cell {
                Some(cell) => format!("{} › {} › {cell}", m.file, m.sheet),
                None => d.log.fill(
                    "log.no_such_column",
                    &[("file", &m.file), ("sheet", &m.sheet)],
                ),
            };
            d.log.warn(
                &d.log
                    .fill(key, &[("order", &m.order_id), ("place", &place)]),
            );
        }
        let stem = crate::report::names::safe_stem(&c.order_id, &mut taken);
        let wb = crate::report::documents::confirmation(&input, c).map_err(|e| {
            AppError::Runtime(
                anyhow::Error::new(e)
                    .context(format!("laying out the confirmation of {}", c.order_id)),
            )
        })?;
        written.push(crate::report::documents::save(
            wb,
            &dir,
            &format!("{stem}.xlsx"),
        )?);
    }
    print_written(&written, args.doc.input.json);
    Ok(Outcome::Done)
}

/// The statements of `keys` in `out_dir/statements/<label>/`.
fn write_statements(
    rec: &Reconciled,
    period: &Period,
    out_dir: &std::path::Path,
    input: &crate::report::documents::DocInput,
    keys: &[String],
    sweep: bool,
) -> Result<Vec<PathBuf>, AppError> {
    let docs = crate::measure::documents::statements(rec, keys, period)
        .map_err(polars_err("selecting the open orders"))?;
    let dir = out_dir.join("statements").join(&period.label);
    let mut taken = std::collections::HashSet::new();
    let mut written = Vec::new();
    for s in &docs {
        let stem = crate::report::names::safe_stem(&s.customer, &mut taken);
        let wb = crate::report::documents::statement(input, s).map_err(|e| {
            AppError::Runtime(
                anyhow::Error::new(e)
                    .context(format!("laying out the statement of {}", s.customer)),
            )
        })?;
        written.push(crate::report::documents::save(
            wb,
            &dir,
            &format!("{stem}.xlsx"),
        )?);
    }
    // A statement of every customer replaces the period's earlier set:
    // the statements of customers with nothing open any more go (only
    // files gendan listed there); a statement of some customers adds.
    let names: Vec<String> = written
        .iter()
        .filter_map(|p| Some(p.file_name()?.to_string_lossy().into_owned()))
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    if !names.is_empty() || (sweep && dir.exists()) {
        std::fs::create_dir_all(&dir).map_err(|e| {
            AppError::Runtime(anyhow::anyhow!(
                "cannot create {}: {e} — check --out",
                dir.display()
            ))
        })?;
        crate::report::replace_listed(&dir, ".gendan-statements", &names, sweep)?;
    }
    Ok(written)
}

/// `gendan statement`: one statement per customer with open orders, or per
/// `--customer`, in `out_dir/statements/<label>/`.
///
/// # Errors
/// An unknown `--customer` (exit 2), unreadable inputs or an unwritable
/// folder (exit 1).
fn statement_cmd(args: crate::cli::StatementArgs) -> Result<Outcome, AppError> {
    use crate::measure::documents as md;
    let d = prepare_documents(&args.doc)?;
    let rec = &d.analysis.reconciled;
    let keys: Vec<String> = if args.customer_names.is_empty() {
        md::customers_with_open_orders(rec).map_err(polars_err("listing the customers"))?
    } else {
        let known = md::customers(rec).map_err(polars_err("listing the customers"))?;
        match_keys(&args.customer_names, |k| known.contains_key(k)).map_err(|unknown| {
            AppError::Usage(format!(
                "--customer {}: no order of such a customer in the orders read ({} customers) — check the name as the register writes it",
                unknown.join(", "),
                known.len()
            ))
        })?
    };
    if keys.is_empty() {
        d.log.warn(&d.log.fill("log.no_open_customer", &[]));
    }
    let sweep = args.customer_names.is_empty();
    let written = write_statements(rec, &d.job.period, &d.out_dir, &doc_input(&d), &keys, sweep)?;
    print_written(&written, args.doc.input.json);
    Ok(Outcome::Done)
}

/// `gendan init`: reads the given workbooks as `check` would (a table
/// that reads nothing is no failure here) and writes the template
/// `init::render` makes of what was found.
///
/// # Errors
/// No workbook given (exit 2), an existing `--out` without `--force`
/// (exit 2), unreadable workbooks or nothing read (exit 1).
fn init_cmd(args: crate::cli::InitArgs) -> Result<Outcome, AppError> {
    let given = |extra: &[String]| -> Vec<(PathBuf, String)> {
        args.files
            .iter()
            .chain(extra)
            .map(|p| (PathBuf::from(p), p.clone()))
            .collect()
    };
    // The team's template, when given: its aliases, ignore, words and
    // settings read the workbooks, and the template is written again.
    let team = match &args.template {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                AppError::Runtime(anyhow::anyhow!(
                    "cannot read {}: {e} — check the --template path",
                    p.display()
                ))
            })?;
            Some((Template::load(p)?, text))
        }
        None => None,
    };
    let cli_given = !args.files.is_empty()
        || !args.paths.orders.is_empty()
        || !args.paths.shipments.is_empty()
        || !args.paths.feedback.is_empty();
    let inputs: Vec<TableInput> = [
        (Table::Orders, &args.paths.orders),
        (Table::Shipments, &args.paths.shipments),
        (Table::Feedback, &args.paths.feedback),
    ]
    .into_iter()
    .map(|(table, extra)| match &team {
        // Without workbooks on the command line, the template's inputs.
        Some((t, _)) if !cli_given => {
            let spec = t.input(table);
            TableInput {
                table,
                patterns: spec
                    .paths
                    .iter()
                    .map(|p| {
                        let r = t.resolve(p);
                        let shown = r.to_string_lossy().into_owned();
                        (r, shown)
                    })
                    .collect(),
                sheets: spec.sheets.clone(),
                optional: true,
            }
        }
        _ => TableInput {
            table,
            patterns: given(extra),
            sheets: Vec::new(),
            // A workbook given without a table may hold no sheet of this one.
            optional: false,
        },
    })
    .collect();
    if inputs.iter().all(|i| i.patterns.is_empty()) {
        return Err(AppError::Usage(
            "init: give the workbooks to look at: gendan init FILE… (or --orders/--shipments/--feedback PATH, or --template FILE with its inputs)"
                .into(),
        ));
    }
    if let Some(out) = &args.out {
        if out.exists() && !args.force {
            return Err(AppError::Usage(format!(
                "{} exists — init does not overwrite it; add --force or pick another --out",
                out.display()
            )));
        }
    }
    let template = team.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
    let as_of = template
        .file
        .report
        .as_of
        .resolve(chrono::Local::now().date_naive());
    let lang_msgs = args.lang.map(lang_of).unwrap_or(Lang::En);
    let ctx = ReadContext::new(&template, lang_msgs, as_of);
    // A workbook is offered to every table; a table it gives nothing is
    // not a failure here (init describes what there is).
    let found = read::read_inputs_lenient(&ctx, &inputs)?;
    let base = args
        .out
        .as_ref()
        .and_then(|p| p.parent())
        .filter(|p| !p.as_os_str().is_empty())
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let team = team.as_ref().map(|(t, text)| crate::init::Team {
        text,
        file: &t.file,
        keep_inputs: !cli_given,
    });
    let text = crate::init::render(&found, &ctx, args.lang.map(lang_of), &base, team.as_ref());
    match &args.out {
        Some(out) => {
            std::fs::write(out, text.as_bytes()).map_err(|e| {
                AppError::Runtime(anyhow::anyhow!(
                    "cannot write {}: {e} — check that the folder exists and is writable",
                    out.display()
                ))
            })?;
            let path = out.display().to_string();
            eprintln!("{}", i18n::fill(lang_msgs, "log.wrote", &[("path", &path)]));
        }
        None => print!("{text}"),
    }
    Ok(Outcome::Done)
}

/// `run`: read, reconcile, measure, write both workbooks and the summary.
fn run(args: crate::cli::RunArgs) -> Result<Outcome, AppError> {
    let started = Instant::now();
    let job = Job::prepare(&args.input, args.lang)?;
    let log = Log::new(args.quiet, args.verbose, job.lang);
    let out_dir = out_dir_of(&job, args.out.as_ref());
    create_out_dir(&out_dir)?;
    let _lock = lock_out_dir(&out_dir)?;
    let cleaned = crate::report::remove_stale_temps(&out_dir);
    if cleaned > 0 {
        log.detail(&format!(
            "removed {cleaned} temporary files left by an earlier run"
        ));
    }
    let mut analysis = analyse(&job, &log)?;
    let t = Instant::now();
    let mut history = open_history(&job, &out_dir, true, &log);
    let (previous, resolved) = compare_with_history(history.as_ref(), &job, &mut analysis, &log);
    log.begin("measuring the KPIs…");
    let measures = crate::measure::measure(
        &analysis.reconciled,
        &analysis.flags,
        &job.period,
        &job.template,
        resolved,
    )
    .map_err(|e| AppError::Runtime(anyhow::Error::new(e).context("measuring the KPIs")))?;
    log.phase(
        "kpis",
        t,
        &log.fill("log.kpis", &[("label", &job.period.label)]),
    );
    let t = Instant::now();
    log.begin("writing the workbooks…");
    let owner_workbooks = args.owner_workbooks || job.template.file.report.owner_workbooks;
    let mut input = crate::report::ReportInput {
        lang: job.lang,
        template: &job.template,
        period: &job.period,
        as_of: job.as_of,
        measures: &measures,
        flags: &analysis.flags,
        files: &analysis.inputs.files,
        previous: previous.as_ref().map(|(_, k)| k),
        previous_label: previous.as_ref().map(|(l, _)| l.as_str()),
        owner_files: None,
        out_dir: &out_dir,
        formats: Default::default(),
        issue_trend: history
            .as_ref()
            .and_then(|h| h.runs().ok())
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.period != job.period.label)
            .map(|r| (r.period, r.flags_error, r.flags_warning, r.flags_info))
            .collect(),
        extra_outputs: Default::default(),
    };
    // Owner workbooks: their names first, so that By owner can link them.
    let owner_plan = if owner_workbooks {
        let plan = crate::report::owners::plan(&input)
            .map_err(|e| AppError::Runtime(anyhow::Error::new(e).context("listing the owners")))?;
        input.owner_files = Some(crate::report::owners::links(&job.period.label, &plan));
        Some(plan)
    } else {
        None
    };
    let input = input;
    // The history is saved on a second thread while the reports are
    // written, and committed only once they are all in place.
    let hashes: Vec<(String, String)> = analysis
        .inputs
        .files
        .iter()
        .map(|f| (f.path.clone(), f.sha256.clone()))
        .collect();
    let template = job.template.path.as_ref().map(|p| p.display().to_string());
    let as_of = job.as_of.to_string();
    let (written_tx, written_rx) = std::sync::mpsc::channel::<bool>();
    let (written, saved) = std::thread::scope(|scope| {
        let saver = history.as_mut().map(|h| {
            let (period, kpis, flags) = (&job.period, &measures.kpis, &analysis.flags);
            let (as_of, template, hashes) = (&as_of, template.as_deref(), &hashes);
            scope.spawn(move || {
                let r = h.save(period, as_of, template, hashes, kpis, flags, || {
                    written_rx.recv().unwrap_or(false)
                });
                (h.path.clone(), r)
            })
        });
        let written = (|| -> Result<(Vec<PathBuf>, String), AppError> {
            let mut outputs = crate::report::write_workbooks(&input)?;
            if let Some(plan) = &owner_plan {
                outputs.extend(crate::report::owners::write(&input, plan)?);
            }
            if job.template.file.report.statements {
                let rec = &analysis.reconciled;
                let keys = crate::measure::documents::customers_with_open_orders(rec)
                    .map_err(polars_err("listing the customers"))?;
                let logo = company_logo(&job.template, &log);
                let input = crate::report::documents::DocInput {
                    lang: job.template.file.company.lang,
                    company: &job.template.file.company,
                    logo: logo.as_ref(),
                    as_of: job.as_of,
                    period_start: job.period.start,
                    period_end: job.period.end,
                };
                outputs.extend(write_statements(
                    rec,
                    &job.period,
                    &out_dir,
                    &input,
                    &keys,
                    true,
                )?);
            }
            if args.marked || job.template.file.report.marked_copies {
                let (files, problems) = crate::marked::write(&crate::marked::MarkInput {
                    lang: job.lang,
                    label: &job.period.label,
                    out_dir: &out_dir,
                    files: &analysis.inputs.files,
                    flags: &analysis.flags,
                    limits: &job.template.file.limits,
                })?;
                for p in problems {
                    log.warn(&p);
                }
                outputs.extend(files);
            }
            let mut s = summary(&job, &analysis, false, started);
            s.kpis = serde_json::to_value(&measures.kpis).map_err(|e| {
                AppError::Runtime(anyhow::Error::new(e).context("serialising the KPIs"))
            })?;
            let json_name = format!("run-summary-{}.json", job.period.label);
            s.outputs = outputs
                .iter()
                .map(|p| p.display().to_string())
                .chain(std::iter::once(
                    out_dir.join(&json_name).display().to_string(),
                ))
                .collect();
            s.duration_ms = started.elapsed().as_millis() as u64;
            let text = serde_json::to_string_pretty(&s).map_err(|e| {
                AppError::Runtime(anyhow::Error::new(e).context("serialising the summary"))
            })?;
            outputs.push(crate::report::write_atomic(
                &out_dir,
                &json_name,
                text.as_bytes(),
            )?);
            Ok((outputs, text))
        })();
        let _ = written_tx.send(written.is_ok());
        (written, saver.and_then(|h| h.join().ok()))
    });
    let (outputs, text) = written?;
    log.phase(
        "write",
        t,
        &log.fill(
            "log.write",
            &[
                ("n", &outputs.len().to_string()),
                ("dir", &out_dir.display().to_string()),
            ],
        ),
    );
    match saved {
        Some((path, Ok(()))) => log.detail(&log.fill(
            "log.history_saved",
            &[("path", &path.display().to_string())],
        )),
        Some((path, Err(e))) => log.alert(&log.fill(
            "log.history_not_saved",
            &[
                ("path", &path.display().to_string()),
                ("error", &e.to_string()),
            ],
        )),
        None => {}
    }
    let mut out = std::io::stdout().lock();
    if args.input.json {
        let _ = writeln!(out, "{text}");
    } else {
        for p in &outputs {
            let _ = writeln!(out, "{}", p.display());
        }
    }
    Ok(fail_code(&analysis.flags, args.fail_on))
}

pub fn lang_of(l: LangArg) -> Lang {
    match l {
        LangArg::Zh => Lang::Zh,
        LangArg::En => Lang::En,
    }
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

/// `--as-of`: `today`, `yesterday`, or a date in any form a cell takes
/// (`2026-11-27`, `2026/11/27`, `27 Nov 2026`, `2026年11月27日`), read with
/// the template's `date_order`.
fn parse_as_of_in(s: &str, order: crate::template::DateOrder) -> Result<NaiveDate, AppError> {
    AsOf::parse(s)
        .map(|a| a.resolve(today()))
        .or_else(|| {
            crate::read::values::parse_date_text(s, order)
                .ok()
                .filter(|d| (1990..=2199).contains(&chrono::Datelike::year(d)))
        })
        .ok_or_else(|| {
            AppError::Usage(format!(
                "--as-of {s}: not a report date — use YYYY-MM-DD (or another full date such as 2026/11/27 or 27 Nov 2026, years 1990–2199), today or yesterday"
            ))
        })
}

fn parse_as_of(s: &str) -> Result<NaiveDate, AppError> {
    parse_as_of_in(s, crate::template::DateOrder::Ymd)
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
        let as_of = match &args.as_of {
            Some(s) => parse_as_of_in(s, template.file.report.date_order)?,
            None => template.file.report.as_of.resolve(today()),
        };
        let lang = lang.map(lang_of).unwrap_or(template.file.report.lang);
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
            return Err(AppError::Usage(
                "no inputs: give --template FILE, or --orders/--shipments/--feedback PATH".into(),
            ));
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
///
/// # Errors
/// Unreadable inputs, or a failure inside polars.
pub fn analyse(job: &Job, log: &Log) -> Result<Analysis, AppError> {
    let t = Instant::now();
    log.begin("reading the registers…");
    let ctx = ReadContext::new(&job.template, job.lang, job.as_of);
    let mut inputs = read::read_inputs(&ctx, &job.inputs)?;
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
    let (reconciled, rflags) =
        reconcile::reconcile(&inputs, &job.template, job.lang, job.as_of, log).map_err(|e| {
            AppError::Runtime(anyhow::Error::new(e).context("reconciling the inputs"))
        })?;
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

fn fail_code(flags: &[Flag], fail_on: FailOn) -> Outcome {
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

/// Takes the output folder's lock for the rest of the run; a second run
/// exits 1 naming the holder. The OS releases it when the process dies.
fn lock_out_dir(out_dir: &std::path::Path) -> Result<std::fs::File, AppError> {
    use std::io::{Read, Seek};
    let path = out_dir.join(".gendan.lock");
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| {
            AppError::Runtime(anyhow::anyhow!(
                "cannot open the lock file {}: {e}",
                path.display()
            ))
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
            Err(AppError::Runtime(anyhow::anyhow!(
                "another gendan run is writing into {} ({}) — wait for it to finish; the lock is {}",
                out_dir.display(),
                if holder.is_empty() { "holder unknown" } else { holder },
                path.display()
            )))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(AppError::Runtime(anyhow::anyhow!(
            "cannot lock {}: {e}",
            path.display()
        ))),
    }
}

/// The history file of a job: the template's `[history] path` (resolved
/// against the template's folder), else `<out_dir>/gendan-history.sqlite`.
fn history_path(job_template: &Template, out_dir: &std::path::Path) -> PathBuf {
    match &job_template.file.history.path {
        Some(p) if job_template.path.is_some() => job_template.resolve(p),
        Some(p) => PathBuf::from(p),
        None => out_dir.join("gendan-history.sqlite"),
    }
}

/// Opens the history if enabled; a problem is a warning and the run goes
/// on without it. With `create` false a missing file is not made.
fn open_history(
    job: &Job,
    out_dir: &std::path::Path,
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

/// Compares the flags with the previous recorded run (spec section 6):
/// each flag's first_seen, runs_open and `new`; returns the previous run's
/// KPIs and its flags that are gone (`None` without a previous run, or
/// without history).
fn compare_with_history(
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

/// `gendan history`: past runs and their headline KPIs.
fn history_cmd(template: Option<PathBuf>, out: Option<PathBuf>) -> Result<Outcome, AppError> {
    let t = match &template {
        Some(p) => Template::load(p)?,
        None => Template::default(),
    };
    let out_dir = match out {
        Some(o) => o,
        None if t.path.is_some() => t.resolve(&t.file.report.out_dir),
        None => PathBuf::from(&t.file.report.out_dir),
    };
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
        "{:<10} {:<10} {:>7} {:>7} {:>7} {:>5} {:>6} {:>8} {:>6} {:>8} {:>5}",
        "period",
        "as_of",
        "OTD",
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
            "{:<10} {:<10} {:>7} {:>7} {:>7} {:>5} {:>6} {:>8} {:>6} {:>8} {:>5}",
            r.period,
            r.as_of,
            pct(&k["otd_rate"]),
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

fn check(args: CheckArgs) -> Result<Outcome, AppError> {
    let started = Instant::now();
    let job = Job::prepare(&args.input, args.lang)?;
    let log = Log::new(args.quiet, false, job.lang);
    let mut analysis = analyse(&job, &log)?;
    let out_dir = if job.template.path.is_some() {
        job.template.resolve(&job.template.file.report.out_dir)
    } else {
        PathBuf::from(&job.template.file.report.out_dir)
    };
    let history = open_history(&job, &out_dir, false, &log);
    let (_, resolved) = compare_with_history(history.as_ref(), &job, &mut analysis, &log);
    let mut out = std::io::stdout().lock();
    if args.input.json {
        let mut s = summary(&job, &analysis, true, started);
        // The run summary of spec section 7 carries the KPIs, with check too.
        let measures = crate::measure::kpis(
            &analysis.reconciled,
            &analysis.flags,
            &job.period,
            &job.template,
            resolved.as_deref(),
        )
        .map_err(|e| AppError::Runtime(anyhow::Error::new(e).context("measuring the KPIs")))?;
        s.kpis = serde_json::to_value(&measures).map_err(|e| {
            AppError::Runtime(anyhow::Error::new(e).context("serialising the KPIs"))
        })?;
        let text = serde_json::to_string_pretty(&s).map_err(|e| {
            AppError::Runtime(anyhow::Error::new(e).context("printing the summary"))
        })?;
        let _ = writeln!(out, "{text}");
    } else {
        let _ = write!(out, "{}", check_text(&job, &analysis));
    }
    Ok(fail_code(&analysis.flags, args.fail_on))
}

/// `check` lists the flags of this many owners, most flags first.
const CHECK_OWNERS: usize = 20;

/// The plain-text report of `check`: per file and sheet what was found,
/// then the flags by rule and owner, most severe first, with samples.
pub fn check_text(job: &Job, a: &Analysis) -> String {
    let lang = job.lang;
    let t = |k: &str| i18n::text(lang, k);
    let mut s = String::new();
    s.push_str(&i18n::fill(
        lang,
        "check.title",
        &[
            ("as_of", &job.as_of.to_string()),
            ("label", &job.period.label),
            ("start", &job.period.start.to_string()),
            ("end", &job.period.end.to_string()),
        ],
    ));
    s.push_str("\n\n");
    for f in &a.inputs.files {
        s.push_str(&format!("{}  {}\n", f.table.as_str(), f.path));
        for sh in &f.sheets {
            s.push_str(&format!(
                "  {} ({}): {}\n",
                sh.name,
                i18n::fill(lang, "check.header", &[("row", &sh.header_row.to_string())]),
                i18n::fill(
                    lang,
                    "check.rows",
                    &[
                        ("read", &sh.rows_read.to_string()),
                        ("accepted", &sh.rows_accepted.to_string()),
                        ("rejected", &sh.rows_rejected.to_string()),
                        ("totals", &sh.rows_totals.to_string()),
                    ]
                )
            ));
            let mut about = Vec::new();
            if let Some(why) = &sh.chosen_because {
                about.push(format!(
                    "→ {}: {why}",
                    i18n::table_label(lang, f.table.as_str())
                ));
            }
            if sh.two_row_header {
                about.push(t("check.two_rows").to_string());
            }
            if sh.rows_notes > 0 {
                about.push(i18n::fill(
                    lang,
                    "check.notes",
                    &[("n", &sh.rows_notes.to_string())],
                ));
            }
            if !about.is_empty() {
                s.push_str(&format!("    {}\n", about.join("; ")));
            }
            for (table, from) in &sh.derived_from {
                let n = sh.derived.get(table.as_str()).copied().unwrap_or(0);
                s.push_str(&format!(
                    "    {}\n",
                    i18n::fill(
                        lang,
                        "check.derived",
                        &[
                            ("n", &n.to_string()),
                            ("table", i18n::table_label(lang, table.as_str())),
                            ("from", &from.join(", ")),
                        ]
                    )
                ));
            }
            let mapped: Vec<String> = sh
                .mapped
                .iter()
                .map(|(f, h)| format!("{f} ← {h}"))
                .collect();
            s.push_str(&format!(
                "    {}: {}\n",
                t("check.mapped"),
                mapped.join(", ")
            ));
            if !sh.unmapped.is_empty() {
                s.push_str(&format!(
                    "    {}: {}\n",
                    t("check.unmapped"),
                    sh.unmapped.join(", ")
                ));
            }
            for ig in &sh.ignored_columns {
                let col = if ig.column.is_empty() {
                    String::new()
                } else {
                    format!("{} ", ig.column)
                };
                s.push_str(&format!(
                    "    {}: {col}“{}” — {}\n",
                    t("check.ignored"),
                    ig.header,
                    ig.reason
                ));
            }
            if !sh.empty_markers.is_empty() {
                let m: Vec<String> = sh
                    .empty_markers
                    .iter()
                    .map(|(c, n)| format!("{c} {n}"))
                    .collect();
                s.push_str(&format!("    {}: {}\n", t("check.markers"), m.join(", ")));
            }
        }
        for sk in &f.skipped_sheets {
            s.push_str(&format!(
                "  {} {}: {}\n",
                t("check.skipped"),
                sk.name,
                sk.reason
            ));
        }
    }
    // What the run could not say: rules disabled that still emptied
    // values, and registers that stop at loading.
    let mut said = read::hidden_notes(lang, &a.inputs.files);
    if !a.reconciled.arrival_tracked {
        said.push(t("note.arrival_untracked").to_string());
    }
    if !said.is_empty() {
        s.push('\n');
        for line in said {
            s.push_str(&format!("{line}\n"));
        }
    }
    let custom = crate::reconcile::terms::custom(&job.template.file.payments);
    let unread = if a.reconciled.has_payments {
        crate::reconcile::payments::unread(&a.reconciled.lines, &custom).unwrap_or_default()
    } else {
        Vec::new()
    };
    if !unread.is_empty() {
        s.push_str(&format!("\n{}\n", t("check.unread_terms")));
        for (phrase, n) in &unread {
            s.push_str(&format!(
                "  “{phrase}”: {}\n",
                i18n::fill(lang, "check.orders_n", &[("n", &n.to_string())])
            ));
        }
    }
    s.push('\n');
    let counts = FlagCounts::of(&a.flags);
    if a.flags.is_empty() {
        s.push_str(&format!("{}\n", t("check.none")));
        return s;
    }
    let n = |sev: Severity| counts.count(sev).to_string();
    s.push_str(&i18n::fill(
        lang,
        "check.counts",
        &[
            ("n", &a.flags.len().to_string()),
            ("error", &n(Severity::Error)),
            ("warning", &n(Severity::Warning)),
            ("info", &n(Severity::Info)),
        ],
    ));
    s.push('\n');
    s.push_str(&format!("\n{}:\n", t("check.by_rule")));
    let mut rules: Vec<(&String, &usize)> = counts.by_rule.iter().collect();
    rules.sort_by_key(|(r, _)| r.as_str().to_string());
    for (rule, n) in &rules {
        let id: crate::flags::RuleId = match rule.parse() {
            Ok(r) => r,
            Err(_) => continue,
        };
        s.push_str(&format!("  {rule}  {n:>6}  {}\n", id.what(lang)));
    }
    s.push_str(&format!("\n{}:\n", t("check.by_owner")));
    let mut owners: Vec<(&String, &usize)> = counts.by_owner.iter().collect();
    owners.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    // The owners with most flags; the rest are counted on one line.
    for (owner, n) in owners.iter().take(CHECK_OWNERS) {
        let name = if owner.is_empty() {
            "—"
        } else {
            owner.as_str()
        };
        s.push_str(&format!("  {name}  {n}\n"));
    }
    if owners.len() > CHECK_OWNERS {
        s.push_str(&format!(
            "  {}\n",
            i18n::fill(
                lang,
                "check.more_owners",
                &[("n", &(owners.len() - CHECK_OWNERS).to_string())]
            )
        ));
    }
    s.push('\n');
    // Samples: up to five per rule, most severe rules first.
    let mut shown_per_rule: std::collections::BTreeMap<crate::flags::RuleId, usize> =
        Default::default();
    for f in &a.flags {
        let n = shown_per_rule.entry(f.rule).or_default();
        *n += 1;
        if *n <= 5 {
            s.push_str(&format!(
                "  [{}] {} {}  {}  {}\n",
                f.severity.as_str(),
                f.rule,
                f.place(),
                f.order_id.as_deref().unwrap_or("—"),
                f.message
            ));
        } else if *n == 6 {
            let total = counts.by_rule.get(f.rule.as_str()).copied().unwrap_or(0);
            s.push_str(&format!(
                "  {}\n",
                i18n::fill(lang, "check.more", &[("n", &(total - 5).to_string())])
            ));
        }
    }
    s
}
