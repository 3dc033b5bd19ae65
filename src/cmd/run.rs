//! `gendan run`: the week's reports — read → reconcile → measure → write
//! the KPI and feedback workbooks (and owner workbooks, statements and
//! marked copies when asked), the run summary, and the history, saved on a
//! second thread and committed only once every report is in place.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::documents::{company_logo, write_statements};
use super::history::{compare_with_history, history_path, open_history, past_promises};
use super::out_dir::{self, OutDir};
use super::outcome::{AppError, Outcome};
use super::{analyse, fail_code, polars_err, summary, Analysis, Job};
use crate::history::History;
use crate::log::Log;
use crate::measure::{Kpis, Measures};
use crate::report::ReportInput;

/// `run`: read, reconcile, measure, write both workbooks and the summary.
/// # Errors
/// A bad template or command line (exit 2), unreadable inputs, an
/// output folder another run holds, or a failed write (exit 1).
pub fn run(args: crate::cli::RunArgs) -> Result<Outcome, AppError> {
    let started = Instant::now();
    let job = Job::prepare(&args.job.input, args.lang)?;
    let log = Log::new(args.quiet, args.verbose, job.lang);
    let out = OutDir::take(
        out_dir::resolve(&job.template, args.job.out.as_deref()),
        job.lang,
    )?;
    let out_dir = out.path.clone();
    let cleaned = out.cleaned;
    if cleaned > 0 {
        log.detail(&log.fill("log.cleaned", &[("n", &cleaned.to_string())]));
    }
    // The history is read before reconcile (the due dates and ETAs of
    // earlier runs) but made only once something was read.
    let mut history = open_history(&job, &out_dir, false, &log);
    let past = past_promises(history.as_ref(), &job, &log);
    let mut analysis = analyse(&job, &past, &log)?;
    let t = Instant::now();
    if history.is_none() && !history_path(&job.template, &out_dir).exists() {
        history = open_history(&job, &out_dir, true, &log);
    }
    let (previous, resolved) = compare_with_history(history.as_ref(), &job, &mut analysis, &log);
    log.begin(&log.fill("log.begin.kpis", &[]));
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
    log.begin(&log.fill("log.begin.write", &[]));
    let step = Written {
        args: &args,
        job: &job,
        analysis: &analysis,
        log: &log,
        out_dir: &out_dir,
        started,
    };
    let mut input = step.report_input(&measures, &previous, history.as_ref());
    // Owner workbooks: their names first, so that By owner can link them.
    let owner_workbooks = args.owner_workbooks || job.template.file.report.owner_workbooks;
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
    // What this run saw of the due dates and ETAs (spec section 14).
    let seen = match &history {
        Some(_) => crate::reconcile::promises::seen(&analysis.reconciled)
            .map_err(polars_err("listing the due dates"))?,
        None => Default::default(),
    };
    let (written_tx, written_rx) = std::sync::mpsc::channel::<bool>();
    let (written, saved) = std::thread::scope(|scope| {
        let saver = history.as_mut().map(|h| {
            let (period, kpis, flags) = (&job.period, &measures.kpis, &analysis.flags);
            let (as_of, template, hashes, seen) = (&as_of, template.as_deref(), &hashes, &seen);
            scope.spawn(move || {
                let r = h.save(period, as_of, template, hashes, kpis, flags, seen, || {
                    written_rx.recv().unwrap_or(false)
                });
                (h.path.clone(), r)
            })
        });
        let written = step
            .reports(&input, owner_plan.as_ref())
            .and_then(|mut outputs| {
                let text = step.summary(&measures.kpis, &mut outputs)?;
                Ok((outputs, text))
            });
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
    if args.job.input.json {
        let _ = writeln!(out, "{text}");
    } else {
        for p in &outputs {
            let _ = writeln!(out, "{}", p.display());
        }
    }
    Ok(fail_code(&analysis.flags, args.fail_on))
}

/// What the writing steps of a run share.
struct Written<'a> {
    args: &'a crate::cli::RunArgs,
    job: &'a Job,
    analysis: &'a Analysis,
    log: &'a Log,
    out_dir: &'a Path,
    started: Instant,
}

impl Written<'_> {
    /// What the report writers read, without the owner workbooks' links;
    /// the trend of data issues from the history's earlier runs.
    fn report_input<'a>(
        &'a self,
        measures: &'a Measures,
        previous: &'a Option<(String, Kpis)>,
        history: Option<&History>,
    ) -> ReportInput<'a> {
        let (job, analysis) = (self.job, self.analysis);
        ReportInput {
            lang: job.lang,
            template: &job.template,
            period: &job.period,
            as_of: job.as_of,
            measures,
            flags: &analysis.flags,
            files: &analysis.inputs.files,
            previous: previous.as_ref().map(|(_, k)| k),
            previous_label: previous.as_ref().map(|(l, _)| l.as_str()),
            owner_files: None,
            out_dir: self.out_dir,
            formats: Default::default(),
            issue_trend: history
                .and_then(|h| h.runs().ok())
                .unwrap_or_default()
                .into_iter()
                .filter(|r| r.period != job.period.label)
                .map(|r| (r.period, r.flags_error, r.flags_warning, r.flags_info))
                .collect(),
            extra_outputs: Default::default(),
        }
    }

    /// The workbooks, then the owner workbooks, statements and marked
    /// copies the command line or template asks for; the files written.
    fn reports(
        &self,
        input: &ReportInput,
        owner_plan: Option<&BTreeMap<String, String>>,
    ) -> Result<Vec<PathBuf>, AppError> {
        let (job, log) = (self.job, self.log);
        let mut outputs = crate::report::write_workbooks(input)?;
        if let Some(plan) = owner_plan {
            outputs.extend(crate::report::owners::write(input, plan)?);
        }
        if job.template.file.report.statements {
            let rec = &self.analysis.reconciled;
            let keys = crate::measure::documents::customers_with_open_orders(rec)
                .map_err(polars_err("listing the customers"))?;
            let logo = company_logo(&job.template, log);
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
                self.out_dir,
                &input,
                &keys,
                true,
            )?);
        }
        if self.args.marked || job.template.file.report.marked_copies {
            let (files, problems) = crate::marked::write(&crate::marked::MarkInput {
                lang: job.lang,
                label: &job.period.label,
                out_dir: self.out_dir,
                files: &self.analysis.inputs.files,
                flags: &self.analysis.flags,
                limits: &job.template.file.limits,
            })?;
            for p in problems {
                log.warn(&p);
            }
            outputs.extend(files);
        }
        Ok(outputs)
    }

    /// The run summary JSON, listing `outputs` and itself (added to
    /// them); its text.
    fn summary(&self, kpis: &Kpis, outputs: &mut Vec<PathBuf>) -> Result<String, AppError> {
        let mut s = summary(self.job, self.analysis, false, self.started);
        s.kpis = serde_json::to_value(kpis).map_err(|e| {
            AppError::Runtime(anyhow::Error::new(e).context("serialising the KPIs"))
        })?;
        let json_name = format!("run-summary-{}.json", self.job.period.label);
        s.outputs = outputs
            .iter()
            .map(|p| p.display().to_string())
            .chain(std::iter::once(
                self.out_dir.join(&json_name).display().to_string(),
            ))
            .collect();
        s.duration_ms = self.started.elapsed().as_millis() as u64;
        let text = serde_json::to_string_pretty(&s).map_err(|e| {
            AppError::Runtime(anyhow::Error::new(e).context("serialising the summary"))
        })?;
        outputs.push(crate::report::write_atomic(
            self.out_dir,
            &json_name,
            text.as_bytes(),
        )?);
        Ok(text)
    }
}
