//! `gendan check`: what was read and every flag, as text on stdout (or
//! the run summary with `--json`), without writing a report.

use std::io::Write;
use std::time::Instant;

use super::history::{compare_with_history, open_history, past_promises};
use super::out_dir;
use super::outcome::{AppError, Outcome};
use super::{analyse, fail_code, polars_err, summary, Analysis, Job};
use crate::cli::CheckArgs;
use crate::log::Log;
use crate::report::check_text::{self, CheckInput};

/// # Errors
/// A bad template or command line (exit 2), or unreadable inputs (exit 1).
pub fn run(args: CheckArgs) -> Result<Outcome, AppError> {
    let started = Instant::now();
    let job = Job::prepare(&args.input, args.lang)?;
    let log = Log::new(args.quiet, false, job.lang);
    let out_dir = out_dir::resolve(&job.template, None);
    let history = open_history(&job, &out_dir, false, &log);
    let past = past_promises(history.as_ref(), &job, &log);
    let mut analysis = analyse(&job, &past, &log)?;
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
        let _ = write!(out, "{}", text(&job, &analysis)?);
    }
    Ok(fail_code(&analysis.flags, args.fail_on))
}

/// The plain text of `check`, from what the stages produced: the notes on
/// what the run could not say, and the payment terms it could not read.
fn text(job: &Job, a: &Analysis) -> Result<String, AppError> {
    let lang = job.lang;
    // What the run could not say: rules disabled that still emptied
    // values, and registers that stop at loading.
    let mut notes = crate::read::hidden_notes(lang, &a.inputs.files);
    if !a.reconciled.arrival_tracked {
        notes.push(crate::i18n::text(lang, "note.arrival_untracked").to_string());
    }
    let unread_terms = if a.reconciled.has_payments {
        let custom = crate::reconcile::terms::custom(&job.template.file.payments);
        crate::reconcile::payments::unread(&a.reconciled.lines, &custom)
            .map_err(polars_err("listing the payment terms"))?
    } else {
        Vec::new()
    };
    Ok(check_text::render(&CheckInput {
        lang,
        as_of: job.as_of,
        period: &job.period,
        files: &a.inputs.files,
        flags: &a.flags,
        notes: &notes,
        unread_terms: &unread_terms,
    }))
}
