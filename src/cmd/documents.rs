//! `gendan confirm` and `gendan statement`: the customer documents of
//! spec section 11, one workbook per order or customer, and the writing
//! loop they share with `run`'s statements.

use std::io::Write;
use std::path::PathBuf;

use super::job::lang_of;
use super::out_dir::{self, OutDir};
use super::outcome::{AppError, Outcome};
use super::{analyse, polars_err, Analysis, Job};
use crate::i18n::Lang;
use crate::log::Log;
use crate::period::Period;
use crate::read;
use crate::reconcile::Reconciled;
use crate::template::Template;

/// The settled job, output folder (created and locked) and reconciled
/// registers the document commands share.
struct DocumentJob {
    job: Job,
    log: Log,
    out: OutDir,
    lang: Lang,
    analysis: Analysis,
    logo: Option<rust_xlsxwriter::Image>,
}

/// `[company] logo`, loaded; a logo that cannot be placed is a warning
/// and the documents go out without it.
pub(super) fn company_logo(template: &Template, log: &Log) -> Option<rust_xlsxwriter::Image> {
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
    let job = Job::prepare(&args.job.input, None)?;
    let lang = args
        .lang
        .map(lang_of)
        .unwrap_or(job.template.file.company.lang);
    let log = Log::new(args.quiet, false, job.lang);
    let out = OutDir::take(
        out_dir::resolve(&job.template, args.job.out.as_deref()),
        job.lang,
    )?;
    let analysis = analyse(&job, &Default::default(), &log)?;
    let logo = company_logo(&job.template, &log);
    Ok(DocumentJob {
        job,
        log,
        out,
        lang,
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
pub fn run_confirm(args: crate::cli::ConfirmArgs) -> Result<Outcome, AppError> {
    use crate::measure::documents as md;
    let d = prepare_documents(&args.doc)?;
    let rec = &d.analysis.reconciled;
    let ids = md::order_ids(rec).map_err(polars_err("listing the orders"))?;
    let keys: Vec<String> = if args.order_ids.is_empty() {
        md::pending_orders(rec).map_err(polars_err("listing the pending orders"))?
    } else {
        match_keys(&args.order_ids, |k| ids.contains_key(k)).map_err(|unknown| {
            AppError::usage(
                d.job.lang,
                "err.no_such_order",
                &[("ids", &unknown.join(", ")), ("n", &ids.len().to_string())],
            )
        })?
    };
    if keys.is_empty() {
        d.log.warn(&d.log.fill("log.no_pending", &[]));
        print_written(&[], args.doc.job.input.json);
        return Ok(Outcome::Done);
    }
    let docs = md::confirmations(rec, &keys).map_err(polars_err("selecting the order lines"))?;
    let dir = d.out.path.join("confirmations");
    let input = doc_input(&d);
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
    }
    let written = write_each(
        &docs,
        &dir,
        |c| &c.order_id,
        "the confirmation",
        |c| crate::report::documents::confirmation(&input, c),
    )?;
    print_written(&written, args.doc.job.input.json);
    Ok(Outcome::Done)
}

/// One workbook per document in `dir`, laid out by `layout` and named
/// after `name` (made safe for a file name, and unique); `what` names the
/// kind of document in an error.
fn write_each<T>(
    docs: &[T],
    dir: &std::path::Path,
    name: impl Fn(&T) -> &str,
    what: &str,
    layout: impl Fn(&T) -> Result<rust_xlsxwriter::Workbook, rust_xlsxwriter::XlsxError>,
) -> Result<Vec<PathBuf>, AppError> {
    let mut taken = std::collections::HashSet::new();
    let mut written = Vec::new();
    for doc in docs {
        let stem = crate::report::names::safe_stem(name(doc), &mut taken);
        let wb = layout(doc).map_err(|e| {
            AppError::Runtime(
                anyhow::Error::new(e).context(format!("laying out {what} of {}", name(doc))),
            )
        })?;
        written.push(crate::report::documents::save(
            wb,
            dir,
            &format!("{stem}.xlsx"),
        )?);
    }
    Ok(written)
}

/// The statements of `keys` in `out_dir/statements/<label>/`.
pub(super) fn write_statements(
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
    let written = write_each(
        &docs,
        &dir,
        |s| &s.customer,
        "the statement",
        |s| crate::report::documents::statement(input, s),
    )?;
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
pub fn run_statement(args: crate::cli::StatementArgs) -> Result<Outcome, AppError> {
    use crate::measure::documents as md;
    let d = prepare_documents(&args.doc)?;
    let rec = &d.analysis.reconciled;
    let keys: Vec<String> = if args.customer_names.is_empty() {
        md::customers_with_open_orders(rec).map_err(polars_err("listing the customers"))?
    } else {
        let known = md::customers(rec).map_err(polars_err("listing the customers"))?;
        match_keys(&args.customer_names, |k| known.contains_key(k)).map_err(|unknown| {
            AppError::usage(
                d.job.lang,
                "err.no_such_customer",
                &[
                    ("names", &unknown.join(", ")),
                    ("n", &known.len().to_string()),
                ],
            )
        })?
    };
    if keys.is_empty() {
        d.log.warn(&d.log.fill("log.no_open_customer", &[]));
    }
    let sweep = args.customer_names.is_empty();
    let written = write_statements(
        rec,
        &d.job.period,
        &d.out.path,
        &doc_input(&d),
        &keys,
        sweep,
    )?;
    print_written(&written, args.doc.job.input.json);
    Ok(Outcome::Done)
}
