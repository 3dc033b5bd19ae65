//! `gendan init` (a template from the team's workbooks, or again from
//! the team's template) and `gendan template` (the default template).

use std::path::PathBuf;

use super::job::lang_of;
use super::outcome::{AppError, Outcome};
use crate::cli::LangArg;
use crate::flags::Table;
use crate::i18n::{self, Lang};
use crate::read::{self, ReadContext, TableInput};
use crate::template::Template;

/// `gendan template`: the default template, commented, on stdout.
pub fn run_template(lang: Option<LangArg>) -> Result<Outcome, AppError> {
    let lang = lang.map(lang_of).unwrap_or(Lang::Zh);
    print!("{}", crate::template::default_text(lang));
    Ok(Outcome::Done)
}

/// `gendan init`: reads the given workbooks as `check` would (a table
/// that reads nothing is no failure here) and writes the template
/// `init::render` makes of what was found.
///
/// # Errors
/// No workbook given (exit 2), an existing `--out` without `--force`
/// (exit 2), unreadable workbooks or nothing read (exit 1).
pub fn run(args: crate::cli::InitArgs) -> Result<Outcome, AppError> {
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
    let found = read::read_inputs_lenient(&ctx, &inputs).map_err(|e| AppError::Said {
        lang: lang_msgs,
        message: e.say(lang_msgs),
        usage: false,
    })?;
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
