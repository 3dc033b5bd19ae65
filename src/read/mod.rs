//! Read: the team's workbooks into three typed polars frames with
//! provenance (spec section 3).
//!
//! Files are read in parallel, each into its own column builders and then
//! its own frame (on the same worker), and the frames are stacked in the
//! order the paths and globs name them, so the row order (and with it "the
//! first line that has a customer") does not depend on timing.

mod guard;
pub mod merges;
pub mod plan;
mod rows;
pub mod sheet;
pub mod source;
pub mod values;
mod xls_size;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use polars::prelude::*;
use serde::Serialize;

use crate::fields;
use crate::flags::{Flag, Table};
pub use sheet::{ReadContext, SheetReport, SourceInfo, TableBuilder, Val};
pub use source::SourceError;

/// A table's input: files or globs, and the sheets to read (empty: every
/// visible sheet whose header is recognised).
#[derive(Clone, Debug)]
pub struct TableInput {
    pub table: Table,
    /// (path to open, path as shown in messages)
    pub patterns: Vec<(PathBuf, String)>,
    pub sheets: Vec<String>,
    /// The paths are only the built-in default: matching nothing leaves the
    /// table empty (or derived from a tracker) instead of failing.
    pub optional: bool,
}

/// A problem that stops reading; exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(
        "no file matches {pattern} ({table} input) — check [inputs.{table}] paths or --{table}"
    )]
    NoMatch {
        pattern: String,
        table: &'static str,
    },
    #[error("{0}")]
    NothingRead(String),
    #[error("internal error while building the input tables: {0}")]
    Frame(String),
    #[error("{pattern}: bad glob pattern: {detail}")]
    BadGlob { pattern: String, detail: String },
    #[error(
        "{path}: no sheet named “{sheet}” (the workbook has: {have}) — fix [inputs.{table}] sheets"
    )]
    NoSuchSheet {
        path: String,
        sheet: String,
        have: String,
        table: &'static str,
    },
}

#[derive(Clone, Debug, Serialize)]
pub struct SkippedSheet {
    pub name: String,
    pub reason: String,
    /// When no table recognised the header: the row that looks most like
    /// one (1-based) and its cells, for `gendan init`'s suggestions.
    #[serde(skip)]
    pub header_guess: Option<sheet::HeaderGuess>,
    /// The sheet was read, for another table of the same workbook: no
    /// problem, so not a warning on stderr (`check` still lists it).
    #[serde(skip)]
    pub read_elsewhere: bool,
    /// Read for a table the file was not given for, because it plainly is
    /// that table's (spec section 3.2, rev5; a note says so).
    #[serde(skip)]
    pub moved: bool,
}

/// One input file as the run summary lists it (spec section 7).
#[derive(Clone, Debug, Serialize)]
pub struct FileReport {
    pub table: Table,
    pub path: String,
    pub sha256: String,
    pub sheets: Vec<SheetReport>,
    pub skipped_sheets: Vec<SkippedSheet>,
}

/// The read stage's output: three frames, where their rows came from, what
/// each file held, and the V flags.
pub struct Inputs {
    pub orders: DataFrame,
    pub shipments: DataFrame,
    pub feedback: DataFrame,
    /// Indexed by each frame's `src` column.
    pub sources: Vec<SourceInfo>,
    pub files: Vec<FileReport>,
    pub flags: Vec<Flag>,
    /// Optional fields some sheet of the table has (per table, per field).
    pub present: Vec<(Table, Vec<&'static str>)>,
    /// One-line notices for stderr: default paths that matched nothing,
    /// columns left for another, rows derived.
    pub notes: Vec<String>,
}

impl Inputs {
    pub fn has_column(&self, table: Table, field: &str) -> bool {
        self.present
            .iter()
            .any(|(t, fs)| *t == table && fs.contains(&field))
    }

    pub fn frame(&self, table: Table) -> &DataFrame {
        match table {
            Table::Orders => &self.orders,
            Table::Shipments => &self.shipments,
            Table::Feedback => &self.feedback,
        }
    }
}

fn has_glob_chars(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Expands the patterns of one table into files, each glob's matches in
/// name order.
fn expand(input: &TableInput) -> Result<Vec<(PathBuf, String)>, ReadError> {
    let mut out = Vec::new();
    for (path, shown) in &input.patterns {
        let p = path.to_string_lossy().into_owned();
        if !has_glob_chars(&p) {
            if !input.optional || path.exists() {
                out.push((path.clone(), shown.clone()));
            }
            continue;
        }
        let mut matches: Vec<PathBuf> = glob::glob(&p)
            .map_err(|e| ReadError::BadGlob {
                pattern: shown.clone(),
                detail: e.to_string(),
            })?
            .filter_map(Result::ok)
            .filter(|m| m.is_file())
            .filter(|m| {
                // Excel's lock files (~$orders.xlsx) are not registers.
                !m.file_name()
                    .map(|n| n.to_string_lossy().starts_with("~$"))
                    .unwrap_or(false)
            })
            .collect();
        // Name order, extension aside: a split table reads as orders.xlsx,
        // orders-2.xlsx, … (plain byte order would put `-2` first).
        matches.sort_by(|a, b| {
            a.with_extension("")
                .cmp(&b.with_extension(""))
                .then(a.cmp(b))
        });
        if matches.is_empty() && input.optional {
            continue;
        }
        if matches.is_empty() {
            return Err(ReadError::NoMatch {
                pattern: shown.clone(),
                table: input.table.as_str(),
            });
        }
        for m in matches {
            let s = m.to_string_lossy().into_owned();
            out.push((m, s));
        }
    }
    Ok(out)
}

struct FileOutcome {
    report: FileReport,
    /// The file's rows as a frame (without `seq`), and the fields some
    /// sheet of it has.
    frame: DataFrame,
    present: Vec<bool>,
    flags: Vec<Flag>,
    sources: Vec<SourceInfo>,
    /// Read for a table the file was not given for (spec 3.2, rev5).
    moved_in: bool,
}

/// Rows a tracker sheet would give another table (spec section 3.2), used
/// only when that table reads no row of its own.
struct Derived {
    table: Table,
    path: String,
    sheet: String,
    from: Vec<String>,
    frame: DataFrame,
    present: Vec<bool>,
    flags: Vec<Flag>,
    sources: Vec<SourceInfo>,
    /// Values a disabled rule emptied in the derived columns, counted on
    /// the tracker sheet when its rows are used.
    hidden: std::collections::BTreeMap<crate::flags::RuleId, u64>,
}

/// One file and the tables it was given for, with each table's sheets.
struct FileJob {
    path: PathBuf,
    shown: String,
    tables: Vec<(Table, Vec<String>)>,
}

/// What one file gave: an outcome per table it was given for, and the
/// rows its tracker sheets could give other tables.
struct FileResult {
    outcomes: Vec<FileOutcome>,
    derived: Vec<Derived>,
    /// Sheets read for a table the file was not given for.
    notes: Vec<String>,
}

fn read_file(ctx: &ReadContext, job: &FileJob) -> Result<FileResult, ReadError> {
    let wb = guard::guarded(|| source::Workbook::open(&job.path, &job.shown, &ctx.limits))
        .map_err(|e| reader_failed(&job.shown, e))??;
    read_workbook(ctx, &job.tables, wb, &job.shown)
}

/// `detail` as the error of a file whose reader failed outright.
fn reader_failed(shown: &str, detail: String) -> ReadError {
    ReadError::Source(SourceError::Corrupt {
        path: shown.to_string(),
        detail: format!(
            "the reader failed: {}",
            detail.split_whitespace().collect::<Vec<_>>().join(" ")
        ),
    })
}

/// Why a sheet over `max_rows` / `max_columns` is skipped.
fn too_big(ctx: &ReadContext, rows: u64, cols: u64) -> String {
    crate::i18n::fill(
        ctx.lang,
        "skip.too_big",
        &[
            ("rows", &rows.to_string()),
            ("cols", &cols.to_string()),
            ("max_rows", &ctx.limits.max_rows.to_string()),
            ("max_cols", &ctx.limits.max_columns.to_string()),
        ],
    )
}

/// Reads one opened workbook as input of `table` (every sheet, or the
/// `wanted` ones); also returns its row count. The fuzz target's way in.
///
/// # Errors
/// A named sheet that does not exist, or a sheet calamine cannot parse.
pub fn ingest(
    ctx: &ReadContext,
    table: Table,
    bytes: Vec<u8>,
    shown: &str,
) -> Result<(usize, Vec<Flag>), ReadError> {
    ingest_as(ctx, &[table], bytes, shown)
}

/// [`ingest`] with one workbook given for several tables (each sheet read
/// for one of them, tracker sheets deriving the others): the rows of all
/// tables and every flag.
///
/// # Errors
/// As [`ingest`].
pub fn ingest_as(
    ctx: &ReadContext,
    tables: &[Table],
    bytes: Vec<u8>,
    shown: &str,
) -> Result<(usize, Vec<Flag>), ReadError> {
    let wb = guard::guarded(|| source::Workbook::from_bytes(bytes, shown, &ctx.limits))
        .map_err(|e| reader_failed(shown, e))??;
    let tables: Vec<(Table, Vec<String>)> = tables.iter().map(|t| (*t, Vec::new())).collect();
    let r = read_workbook(ctx, &tables, wb, shown)?;
    let mut rows = 0;
    let mut flags = Vec::new();
    for o in r.outcomes {
        rows += o.frame.height();
        flags.extend(o.flags);
    }
    for d in r.derived {
        rows += d.frame.height();
        flags.extend(d.flags);
    }
    Ok((rows, flags))
}

/// Which table of `candidates` reads a sheet: the most *telling* fields
/// matched (fields of that table alone), then the sheet's name, then
/// orders, shipments, feedback (spec section 3.2, rev5). A candidate
/// matched at least half of its table's required fields.
fn choose_table(name: &str, plans: &[(Table, Result<sheet::Plan, String>)]) -> Option<usize> {
    let hint = name_hint(name);
    plans
        .iter()
        .enumerate()
        .filter_map(|(i, (t, p))| p.as_ref().ok().map(|p| (i, *t, p.telling.len())))
        .max_by(|a, b| {
            a.2.cmp(&b.2)
                .then_with(|| (Some(a.1) == hint).cmp(&(Some(b.1) == hint)))
                .then_with(|| b.1.cmp(&a.1))
        })
        .map(|(i, _, _)| i)
}

/// A sheet of a file given to other tables only that plainly is `table`'s:
/// the chosen table matched no telling field and this one two or more
/// (spec section 3.2, rev5). The index into `plans`.
fn plainly_other(
    chosen: Option<&sheet::Plan>,
    plans: &[(Table, Result<sheet::Plan, String>)],
) -> Option<usize> {
    if chosen.is_some_and(|p| !p.telling.is_empty()) {
        return None;
    }
    plans
        .iter()
        .enumerate()
        .filter_map(|(i, (_, p))| p.as_ref().ok().map(|p| (i, p.telling.len())))
        .filter(|(_, n)| *n >= 2)
        .max_by_key(|(i, n)| (*n, std::cmp::Reverse(*i)))
        .map(|(i, _)| i)
}

/// Gives the sheet just skipped in `report` the header `init` lists with
/// the fields its columns come near.
fn with_guess(report: &mut FileReport, guess: &Option<sheet::HeaderGuess>) {
    if let Some(last) = report.skipped_sheets.last_mut() {
        last.header_guess = guess.clone();
    }
}

/// Why a sheet chosen for `table` is not read although its header is a
/// candidate: it has no telling field of that table and not all the
/// table's required ones (a returns list: order no. and a word), or — for
/// shipments and feedback — two or more of the orders' telling fields
/// (product, price, …) yet too few order fields to be read as orders.
fn order_lines(ctx: &ReadContext, table: Table, plan: &sheet::Plan) -> Option<String> {
    if !plan.telling.is_empty() {
        return None;
    }
    // Nothing only this table has, and not even all it requires: an order
    // number and a word (a returns list, a region sheet) are no register.
    let required = fields::fields(table).iter().filter(|d| d.required).count();
    if plan.hits < required {
        let matched: Vec<&str> = fields::fields(table)
            .iter()
            .zip(plan.field_columns())
            .filter(|(_, c)| c.is_some())
            .map(|(d, _)| crate::i18n::field_label(ctx.lang, d.name))
            .collect();
        return Some(crate::i18n::fill(
            ctx.lang,
            "skip.nothing_telling",
            &[
                ("table", crate::i18n::table_label(ctx.lang, table.as_str())),
                ("key", table.as_str()),
                ("fields", &matched.join(", ")),
            ],
        ));
    }
    if table == Table::Orders {
        return None;
    }
    let defs = fields::fields(Table::Orders);
    let mut seen = vec![false; defs.len()];
    for n in plan.names() {
        if let Some((i, _)) = ctx.field_for(Table::Orders, n) {
            seen[i] = true;
        }
    }
    let telling: Vec<&str> = defs
        .iter()
        .zip(&seen)
        .filter(|(d, s)| **s && fields::is_telling(Table::Orders, d.name))
        .map(|(d, _)| crate::i18n::field_label(ctx.lang, d.name))
        .collect();
    if telling.len() < 2 {
        return None;
    }
    let missing: Vec<&str> = defs
        .iter()
        .zip(&seen)
        .filter(|(d, s)| d.required && !**s)
        .map(|(d, _)| crate::i18n::field_label(ctx.lang, d.name))
        .collect();
    Some(crate::i18n::fill(
        ctx.lang,
        "skip.order_lines",
        &[
            ("fields", &telling.join(", ")),
            ("table", crate::i18n::table_label(ctx.lang, table.as_str())),
            ("missing", &missing.join(", ")),
        ],
    ))
}

/// Why a table took a sheet, for `check`: required and telling fields
/// matched, and the sheet's name when it agreed.
fn chosen_because(lang: crate::i18n::Lang, table: Table, plan: &sheet::Plan, name: &str) -> String {
    let required = fields::fields(table)
        .iter()
        .filter(|d| d.required)
        .count()
        .to_string();
    let mut out = crate::i18n::fill(
        lang,
        "check.chosen",
        &[("hits", &plan.hits.to_string()), ("required", &required)],
    );
    if name_hint(name) == Some(table) {
        let word = crate::i18n::text(lang, "check.sheet_name");
        out.push_str(&format!("; {word} {name}"));
    }
    if !plan.telling.is_empty() {
        let labels: Vec<&str> = plan
            .telling
            .iter()
            .map(|f| crate::i18n::field_label(lang, f))
            .collect();
        out.push_str("; ");
        out.push_str(&crate::i18n::fill(
            lang,
            "check.telling",
            &[
                ("n", &plan.telling.len().to_string()),
                ("table", crate::i18n::table_label(lang, table.as_str())),
                ("fields", &labels.join(", ")),
            ],
        ));
    }
    out
}

/// The table a sheet's name suggests: 订单 / order / PO → orders; 出货,
/// 发货, 出运, 物流, 船务, ship, logistic → shipments; 反馈, 客诉, 投诉,
/// 售后, 满意度, feedback, complaint, survey, review → feedback.
pub fn name_hint(name: &str) -> Option<Table> {
    let n = values::norm_header(name);
    let any = |ws: &[&str]| ws.iter().any(|w| n.contains(w));
    if any(&["出货", "发货", "出运", "物流", "船务", "ship", "logistic"]) {
        Some(Table::Shipments)
    } else if any(&[
        "反馈",
        "客诉",
        "投诉",
        "售后",
        "满意度",
        "feedback",
        "complaint",
        "survey",
        "review",
    ]) {
        Some(Table::Feedback)
    } else if any(&["订单", "order", "po"]) {
        Some(Table::Orders)
    } else {
        None
    }
}

fn read_workbook(
    ctx: &ReadContext,
    tables: &[(Table, Vec<String>)],
    mut wb: source::Workbook,
    shown: &str,
) -> Result<FileResult, ReadError> {
    let lang = ctx.lang;
    let names: Vec<String> = wb.sheets.iter().map(|s| s.name.clone()).collect();
    let is_csv = wb.is_csv();
    let csv_fields: Option<Vec<u32>> = wb.csv_field_counts().map(<[u32]>::to_vec);
    for (table, wanted) in tables {
        for w in wanted {
            if !names.iter().any(|n| n == w) && !is_csv {
                return Err(ReadError::NoSuchSheet {
                    path: shown.to_string(),
                    sheet: w.clone(),
                    have: names.join(", "),
                    table: table.as_str(),
                });
            }
        }
    }
    struct Acc {
        report: FileReport,
        builder: TableBuilder,
        flags: Vec<Flag>,
        sources: Vec<SourceInfo>,
    }
    // The tables the file was given for, then the others: a sheet that
    // plainly is another table's is read for that one (spec 3.2, rev5).
    let given_n = tables.len();
    let mut all: Vec<(Table, Vec<String>)> = tables.to_vec();
    for t in Table::ALL {
        if !all.iter().any(|(x, _)| *x == t) {
            all.push((t, Vec::new()));
        }
    }
    let tables = &all[..];
    let mut notes: Vec<String> = Vec::new();
    let mut accs: Vec<Acc> = tables
        .iter()
        .map(|(t, _)| Acc {
            report: FileReport {
                table: *t,
                path: shown.to_string(),
                sha256: wb.sha256.clone(),
                sheets: Vec::new(),
                skipped_sheets: Vec::new(),
            },
            builder: TableBuilder::new(*t),
            flags: Vec::new(),
            sources: Vec::new(),
        })
        .collect();
    let mut derived: Vec<Derived> = Vec::new();
    let skip = |accs: &mut Vec<Acc>, which: &[usize], name: &str, reason: &str| {
        for i in which {
            accs[*i].report.skipped_sheets.push(SkippedSheet {
                name: name.to_string(),
                reason: reason.to_string(),
                header_guess: None,
                read_elsewhere: false,
                moved: false,
            });
        }
    };
    let metas = wb.sheets.clone();
    for meta in metas {
        // A sheet named in a table's `sheets` goes to that table only;
        // otherwise every table that reads all sheets is a candidate.
        let named: Vec<usize> = (0..given_n)
            .filter(|i| tables[*i].1.contains(&meta.name))
            .collect();
        let candidates: Vec<usize> = if is_csv {
            (0..given_n).collect()
        } else if !named.is_empty() {
            named.clone()
        } else {
            (0..given_n).filter(|i| tables[*i].1.is_empty()).collect()
        };
        if candidates.is_empty() {
            continue;
        }
        if !meta.worksheet {
            skip(
                &mut accs,
                &candidates,
                &meta.name,
                crate::i18n::text(lang, "skip.chart"),
            );
            continue;
        }
        if !meta.visible && named.is_empty() {
            skip(
                &mut accs,
                &candidates,
                &meta.name,
                crate::i18n::text(lang, "skip.hidden"),
            );
            continue;
        }
        let range = match guard::guarded(|| wb.sheet(&meta.name, shown, &ctx.limits))
            .map_err(|e| reader_failed(shown, e))?
        {
            Err(SourceError::TooBig {
                rows,
                cols,
                last_cell,
                ..
            }) => {
                let reason = if rows > ctx.limits.max_rows || cols > ctx.limits.max_columns {
                    too_big(ctx, rows, cols)
                } else {
                    crate::i18n::fill(
                        lang,
                        "skip.too_many_cells",
                        &[
                            ("cell", &last_cell),
                            ("rows", &rows.to_string()),
                            ("cols", &cols.to_string()),
                            ("max_cells", &ctx.limits.max_cells.to_string()),
                        ],
                    )
                };
                skip(&mut accs, &candidates, &meta.name, &reason);
                continue;
            }
            other => other?,
        };
        let (rows, cols) = range.get_size();
        if rows as u64 > ctx.limits.max_rows
            || cols as u64 > ctx.limits.max_columns
            || (rows as u64).saturating_mul(cols as u64) > ctx.limits.max_cells
        {
            let reason = too_big(ctx, rows as u64, cols as u64);
            skip(&mut accs, &candidates, &meta.name, &reason);
            continue;
        }
        let plans: Vec<(Table, Result<sheet::Plan, String>)> = candidates
            .iter()
            .map(|i| (tables[*i].0, sheet::plan(ctx, tables[*i].0, &range)))
            .collect();
        let pick = choose_table(&meta.name, &plans);
        // A table the file was not given for takes the sheet only when it
        // plainly is that table's and the template did not name it.
        let spare: Vec<usize> = if named.is_empty() {
            (given_n..tables.len()).collect()
        } else {
            Vec::new()
        };
        let moved: Option<(usize, sheet::Plan)> = if spare.is_empty() {
            None
        } else {
            let mut oplans: Vec<(Table, Result<sheet::Plan, String>)> = spare
                .iter()
                .map(|i| (tables[*i].0, sheet::plan(ctx, tables[*i].0, &range)))
                .collect();
            let chosen_plan = pick.and_then(|k| plans[k].1.as_ref().ok());
            plainly_other(chosen_plan, &oplans)
                .and_then(|j| Some((spare[j], oplans.swap_remove(j).1.ok()?)))
        };
        let (chosen, plan) = match (&moved, pick) {
            (Some((i, p)), _) => (*i, p),
            (None, Some(k)) => match &plans[k].1 {
                Ok(p) => (candidates[k], p),
                Err(_) => continue,
            },
            (None, None) => {
                let guess = sheet::header_guess(ctx, &range);
                for (k, i) in candidates.iter().enumerate() {
                    if let Err(reason) = &plans[k].1 {
                        skip(&mut accs, &[*i], &meta.name, reason);
                        with_guess(&mut accs[*i].report, &guess);
                    }
                }
                continue;
            }
        };
        let table = tables[chosen].0;
        // Order lines without the order's columns (an ERP's order-details
        // export) are not shipments or feedback for want of a better table.
        if moved.is_none() && named.is_empty() {
            if let Some(reason) = order_lines(ctx, table, plan) {
                skip(&mut accs, &candidates, &meta.name, &reason);
                // init lists its columns with the fields they come near.
                let guess = sheet::header_guess(ctx, &range);
                for i in &candidates {
                    with_guess(&mut accs[*i].report, &guess);
                }
                continue;
            }
        }
        let acc = &mut accs[chosen];
        let src_id = acc.sources.len() as u32;
        let read = rows::read_rows(
            ctx,
            plan,
            None,
            shown,
            &meta.name,
            &range,
            csv_fields.as_deref(),
            src_id,
            &mut acc.builder,
            &mut acc.flags,
        );
        match read {
            Ok((mut sheet_report, info)) => {
                if candidates.len() > 1 || moved.is_some() {
                    sheet_report.chosen_because =
                        Some(chosen_because(lang, table, plan, &meta.name));
                }
                if moved.is_some() {
                    let given: Vec<&str> = candidates
                        .iter()
                        .map(|i| crate::i18n::table_label(lang, tables[*i].0.as_str()))
                        .collect();
                    let given_key = candidates
                        .first()
                        .map_or("orders", |i| tables[*i].0.as_str());
                    let labels: Vec<&str> = plan
                        .telling
                        .iter()
                        .map(|f| crate::i18n::field_label(lang, f))
                        .collect();
                    notes.push(crate::i18n::fill(
                        lang,
                        "note.moved",
                        &[
                            ("file", shown),
                            ("sheet", &meta.name),
                            ("given", &given.join("/")),
                            ("given_key", given_key),
                            ("table", crate::i18n::table_label(lang, table.as_str())),
                            ("fields", &labels.join(", ")),
                            ("cli", table.as_str()),
                        ],
                    ));
                    let given_as =
                        crate::i18n::fill(lang, "check.given_as", &[("table", &given.join("/"))]);
                    sheet_report.chosen_because = sheet_report
                        .chosen_because
                        .take()
                        .map(|why| format!("{given_as}; {why}"));
                }
                acc.report.sheets.push(sheet_report);
                acc.sources.push(info);
                let as_table = crate::i18n::table_label(lang, table.as_str());
                let reason = crate::i18n::fill(lang, "skip.read_as", &[("table", as_table)]);
                let others: Vec<usize> = candidates
                    .iter()
                    .copied()
                    .filter(|i| *i != chosen)
                    .collect();
                skip(&mut accs, &others, &meta.name, &reason);
                for i in &others {
                    if let Some(last) = accs[*i].report.skipped_sheets.last_mut() {
                        last.read_elsewhere = true;
                        last.moved = moved.is_some();
                    }
                }
                if table == Table::Orders {
                    for t in [Table::Shipments, Table::Feedback] {
                        let Some((dplan, d)) = sheet::derive_plan(ctx, plan, t) else {
                            continue;
                        };
                        let mut builder = TableBuilder::new(t);
                        let mut flags = Vec::new();
                        if let Ok((dreport, info)) = rows::read_rows(
                            ctx,
                            &dplan,
                            Some(&d),
                            shown,
                            &meta.name,
                            &range,
                            csv_fields.as_deref(),
                            0,
                            &mut builder,
                            &mut flags,
                        ) {
                            let present = builder.present.clone();
                            let frame =
                                to_frame(builder).map_err(|e| ReadError::Frame(e.to_string()))?;
                            derived.push(Derived {
                                table: t,
                                path: shown.to_string(),
                                sheet: meta.name.clone(),
                                from: d.from.clone(),
                                frame,
                                present,
                                flags,
                                sources: vec![info],
                                hidden: dreport.hidden,
                            });
                        }
                    }
                }
            }
            Err(reason) => skip(&mut accs, &[chosen], &meta.name, &reason),
        }
    }
    let mut outcomes = Vec::with_capacity(accs.len());
    for (k, acc) in accs.into_iter().enumerate() {
        // A table the file was not given for is there only when it read a sheet.
        let moved_in = k >= given_n;
        if moved_in && acc.report.sheets.is_empty() {
            continue;
        }
        let present = acc.builder.present.clone();
        let frame = to_frame(acc.builder).map_err(|e| ReadError::Frame(e.to_string()))?;
        outcomes.push(FileOutcome {
            report: acc.report,
            frame,
            present,
            flags: acc.flags,
            sources: acc.sources,
            moved_in,
        });
    }
    Ok(FileResult {
        outcomes,
        derived,
        notes,
    })
}

/// Reads every input file of the three tables.
///
/// # Errors
/// An input that cannot be opened at all, a glob that matches nothing, or a
/// named sheet that does not exist.
pub fn read_inputs(ctx: &ReadContext, inputs: &[TableInput]) -> Result<Inputs, ReadError> {
    read_all(ctx, inputs, false)
}

/// [`read_inputs`] without the nothing-read failure, for `gendan init`,
/// which describes whatever it finds.
///
/// # Errors
/// As [`read_inputs`], but a table that reads nothing is not one.
pub fn read_inputs_lenient(ctx: &ReadContext, inputs: &[TableInput]) -> Result<Inputs, ReadError> {
    read_all(ctx, inputs, true)
}

fn read_all(ctx: &ReadContext, inputs: &[TableInput], lenient: bool) -> Result<Inputs, ReadError> {
    let lang = ctx.lang;
    let mut notes = Vec::new();
    // One job per file, whatever number of tables name it: its sheets are
    // shared out among them (spec section 3.2). Per table, the jobs in the
    // order its paths and globs name them.
    let mut jobs: Vec<FileJob> = Vec::new();
    let mut order: Vec<(Table, Vec<usize>)> = Vec::new();
    for input in inputs {
        let files = expand(input)?;
        if files.is_empty() && input.optional && !input.patterns.is_empty() {
            let shown: Vec<&str> = input.patterns.iter().map(|(_, s)| s.as_str()).collect();
            notes.push(crate::i18n::fill(
                lang,
                "note.default_absent",
                &[
                    ("table", input.table.as_str()),
                    ("paths", &shown.join(", ")),
                ],
            ));
        }
        let mut mine = Vec::new();
        for (p, shown) in files {
            let id = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
            let at = jobs.iter().position(|j| {
                std::fs::canonicalize(&j.path).unwrap_or_else(|_| j.path.clone()) == id
            });
            let at = match at {
                Some(i) => i,
                None => {
                    jobs.push(FileJob {
                        path: p,
                        shown,
                        tables: Vec::new(),
                    });
                    jobs.len() - 1
                }
            };
            if !jobs[at].tables.iter().any(|(t, _)| *t == input.table) {
                jobs[at].tables.push((input.table, input.sheets.clone()));
                mine.push(at);
            }
        }
        order.push((input.table, mine));
    }
    let results: Mutex<Vec<Option<Result<FileResult, ReadError>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
    // One thread per file (up to twice the cores): a file is read by one
    // thread from start to end, so with fewer threads than files the last
    // large file would run alone while a core idles (BENCHMARKS.md).
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let workers = jobs.len().clamp(1, (2 * cores).max(2));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(job) = jobs.get(i) else {
                    break;
                };
                let r = read_file(ctx, job);
                if let Ok(mut guard) = results.lock() {
                    guard[i] = Some(r);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();
    let mut per_file: Vec<Option<FileResult>> = Vec::with_capacity(results.len());
    for r in results {
        per_file.push(r.transpose()?);
    }

    let frame_err = |e: PolarsError| ReadError::Frame(e.to_string());
    // One empty frame per table (the schema), then each file's rows on it.
    let mut frames: Vec<DataFrame> = Table::ALL
        .iter()
        .map(|t| to_frame(TableBuilder::new(*t)))
        .collect::<PolarsResult<_>>()
        .map_err(frame_err)?;
    let mut present: Vec<Vec<bool>> = Table::ALL
        .iter()
        .map(|t| vec![false; fields::fields(*t).len()])
        .collect();
    let mut sources = Vec::new();
    let mut files = Vec::new();
    let mut flags = Vec::new();
    let table_idx = |t: Table| Table::ALL.iter().position(|x| *x == t).unwrap_or(0);
    let mut add = |table: Table,
                   mut frame: DataFrame,
                   p: Vec<bool>,
                   srcs: Vec<SourceInfo>,
                   fl: Vec<Flag>,
                   sources: &mut Vec<SourceInfo>|
     -> Result<(), ReadError> {
        let offset = sources.len() as u32;
        let idx = table_idx(table);
        if offset > 0 {
            let src = frame
                .column("src")
                .map_err(frame_err)?
                .as_materialized_series()
                + offset;
            frame.with_column(src.into()).map_err(frame_err)?;
        }
        frames[idx].vstack_mut_owned(frame).map_err(frame_err)?;
        for (a, b) in present[idx].iter_mut().zip(p) {
            *a |= b;
        }
        sources.extend(srcs);
        flags.extend(fl);
        Ok(())
    };
    let mut derived_all: Vec<Derived> = Vec::new();
    for r in per_file.iter_mut().flatten() {
        derived_all.append(&mut r.derived);
        notes.append(&mut r.notes);
    }
    let mut read_per_table = [0u64; 3];
    for (table, mine) in &order {
        for job in mine {
            let Some(Some(r)) = per_file.get_mut(*job) else {
                continue;
            };
            let Some(k) = r.outcomes.iter().position(|o| o.report.table == *table) else {
                continue;
            };
            let o = r.outcomes.remove(k);
            read_per_table[table_idx(*table)] +=
                o.report.sheets.iter().map(|s| s.rows_read).sum::<u64>();
            add(*table, o.frame, o.present, o.sources, o.flags, &mut sources)?;
            files.push(o.report);
        }
    }
    // Sheets read for a table their file was not given for, in file order.
    for r in per_file.iter_mut().flatten() {
        for o in std::mem::take(&mut r.outcomes) {
            if !o.moved_in {
                continue;
            }
            let table = o.report.table;
            read_per_table[table_idx(table)] +=
                o.report.sheets.iter().map(|s| s.rows_read).sum::<u64>();
            add(table, o.frame, o.present, o.sources, o.flags, &mut sources)?;
            files.push(o.report);
        }
    }
    // Tracker sheets: derived rows for a table that read none of its own;
    // otherwise their columns are listed as ignored.
    for d in derived_all {
        let idx = table_idx(d.table);
        let sheet = files
            .iter_mut()
            .filter(|f| f.table == Table::Orders && f.path == d.path)
            .flat_map(|f| f.sheets.iter_mut())
            .find(|s| s.name == d.sheet);
        if read_per_table[idx] == 0 {
            let n = d.frame.height() as u64;
            if let Some(sh) = sheet {
                for (rule, k) in &d.hidden {
                    *sh.hidden.entry(*rule).or_default() += k;
                }
                sh.derived.insert(d.table.as_str(), n);
                sh.derived_from.push((d.table, d.from.clone()));
            }
            notes.push(crate::i18n::fill(
                lang,
                "note.derived",
                &[
                    ("n", &n.to_string()),
                    ("table", crate::i18n::table_label(lang, d.table.as_str())),
                    ("file", &d.path),
                    ("sheet", &d.sheet),
                    ("from", &d.from.join(", ")),
                ],
            ));
            add(
                d.table,
                d.frame,
                d.present,
                d.sources,
                d.flags,
                &mut sources,
            )?;
        } else if let Some(sh) = sheet {
            let reason = crate::i18n::fill(
                lang,
                "ignored.file_given",
                &[("table", crate::i18n::table_label(lang, d.table.as_str()))],
            );
            let t = d.table;
            for (tt, _, header, column) in sh.tracker_columns.clone() {
                if tt == t {
                    sh.ignored_columns.push(sheet::IgnoredColumn {
                        column,
                        header,
                        reason: reason.clone(),
                        dropped: false,
                    });
                }
            }
        }
    }
    // Tracker columns neither derived from nor left for a given file are
    // listed with the other columns no field took.
    for f in files.iter_mut().filter(|f| f.table == Table::Orders) {
        for sh in &mut f.sheets {
            for (t, field, header, column) in std::mem::take(&mut sh.tracker_columns) {
                let used = sh.derived.contains_key(t.as_str())
                    || sh.ignored_columns.iter().any(|c| c.header == header);
                if !used && !sh.unmapped.contains(&header) {
                    sh.unmapped.push(header.clone());
                }
                sh.tracker_columns.push((t, field, header, column));
            }
        }
    }
    if !lenient {
        nothing_read(lang, inputs, &files, &frames)?;
    }
    let no_date: u64 = files
        .iter()
        .filter(|f| f.table == Table::Shipments)
        .flat_map(|f| &f.sheets)
        .map(|s| s.delivered_without_date)
        .sum();
    if no_date > 0 {
        notes.push(crate::i18n::fill(
            lang,
            "check.delivered_no_date",
            &[("n", &no_date.to_string())],
        ));
    }
    for line in hidden_notes(lang, &files) {
        notes.push(line);
    }
    for f in &files {
        for sh in &f.sheets {
            for ig in &sh.ignored_columns {
                notes.push(format!(
                    "{} › {} › {} “{}”: {}",
                    f.path, sh.name, ig.column, ig.header, ig.reason
                ));
            }
        }
    }
    let present = Table::ALL
        .iter()
        .zip(&present)
        .map(|(t, p)| {
            let names = fields::fields(*t)
                .iter()
                .zip(p)
                .filter(|(_, p)| **p)
                .map(|(d, _)| d.name)
                .collect();
            (*t, names)
        })
        .collect();
    // `seq`: the row order across all files.
    for frame in &mut frames {
        let n = frame.height();
        let mut seq = Series::new("seq".into(), (0..n as u32).collect::<Vec<u32>>());
        // Flagged sorted, so polars skips the sorts by `seq` downstream
        // while the rows are still in reading order.
        seq.set_sorted_flag(polars::series::IsSorted::Ascending);
        frame.with_column(seq.into()).map_err(frame_err)?;
        frame.rechunk_mut_par();
    }
    let mut frames = frames.into_iter();
    let mut next = || frames.next().unwrap_or_default();
    Ok(Inputs {
        orders: next(),
        shipments: next(),
        feedback: next(),
        sources,
        files,
        flags,
        present,
        notes,
    })
}

/// One line per disabled rule that still emptied values (or rejected rows,
/// V07) while reading: how many (spec section 3).
pub fn hidden_notes(lang: crate::i18n::Lang, files: &[FileReport]) -> Vec<String> {
    let mut hidden: std::collections::BTreeMap<crate::flags::RuleId, u64> = Default::default();
    for sh in files.iter().flat_map(|f| &f.sheets) {
        for (rule, n) in &sh.hidden {
            *hidden.entry(*rule).or_default() += n;
        }
    }
    hidden
        .into_iter()
        .map(|(rule, n)| {
            crate::i18n::fill(
                lang,
                "note.hidden",
                &[("rule", rule.as_str()), ("n", &n.to_string())],
            )
        })
        .collect()
}

/// Nothing read is a failure (spec section 3): the orders table read no
/// row, or a table whose paths were given read none from the files they
/// match. The message names each file and why each sheet gave nothing.
fn nothing_read(
    lang: crate::i18n::Lang,
    inputs: &[TableInput],
    files: &[FileReport],
    frames: &[DataFrame],
) -> Result<(), ReadError> {
    let mut lines = Vec::new();
    for (i, table) in Table::ALL.iter().enumerate() {
        let given = inputs
            .iter()
            .any(|x| x.table == *table && !x.optional && !x.patterns.is_empty());
        let rows = frames.get(i).map_or(0, |f| f.height());
        let read: u64 = files
            .iter()
            .filter(|f| f.table == *table)
            .flat_map(|f| &f.sheets)
            .map(|s| s.rows_read)
            .sum();
        let empty = rows == 0 && read == 0;
        // Its files were read, for the table they plainly are (a note says so).
        let all_moved = {
            let mut mine = files.iter().filter(|f| f.table == *table).peekable();
            mine.peek().is_some()
                && mine.all(|f| {
                    f.sheets.is_empty()
                        && !f.skipped_sheets.is_empty()
                        && f.skipped_sheets.iter().all(|s| s.moved || s.read_elsewhere)
                        && f.skipped_sheets.iter().any(|s| s.moved)
                })
        };
        let must = (*table == Table::Orders || given) && !all_moved;
        if !(empty && must) {
            continue;
        }
        lines.push(crate::i18n::fill(
            lang,
            "nothing.table",
            &[("table", crate::i18n::table_label(lang, table.as_str()))],
        ));
        let mine: Vec<&FileReport> = files.iter().filter(|f| f.table == *table).collect();
        if mine.is_empty() {
            lines.push(format!("  {}", crate::i18n::text(lang, "nothing.no_files")));
        }
        for f in mine {
            for sh in &f.sheets {
                lines.push(format!(
                    "  {} › {}: {}",
                    f.path,
                    sh.name,
                    crate::i18n::fill(
                        lang,
                        "nothing.no_rows",
                        &[("row", &sh.header_row.to_string())]
                    )
                ));
            }
            for sk in &f.skipped_sheets {
                lines.push(format!("  {} › {}: {}", f.path, sk.name, sk.reason));
            }
            if f.sheets.is_empty() && f.skipped_sheets.is_empty() {
                lines.push(format!(
                    "  {}: {}",
                    f.path,
                    crate::i18n::text(lang, "nothing.no_sheets")
                ));
            }
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    lines.push(crate::i18n::text(lang, "nothing.fix").to_string());
    Err(ReadError::NothingRead(lines.join("\n")))
}

/// The builder's columns as a frame: one column per field, plus
/// `order_key` / `customer_key` (normalised keys), `src` and `row`.
fn to_frame(b: TableBuilder) -> PolarsResult<DataFrame> {
    let defs = fields::fields(b.table);
    let mut cols: Vec<Column> = Vec::with_capacity(defs.len() + 5);
    for (def, col) in defs.iter().zip(b.cols) {
        let name: PlSmallStr = def.name.into();
        let s = match col {
            sheet::Column::Text(builder) => builder.finish().into_series(),
            sheet::Column::Num(v) => Series::new(name, v),
            sheet::Column::Int(v) => Series::new(name, v),
            sheet::Column::Date(v) => Series::new(name, v).cast(&DataType::Date)?,
        };
        cols.push(s.into());
    }
    for (_, builder) in b.keys {
        cols.push(builder.finish().into_series().into());
    }
    let n = b.row.len();
    if b.table == Table::Orders {
        cols.push(Series::new("row_hash".into(), b.hash).into());
    }
    cols.push(Series::new("src".into(), b.src).into());
    cols.push(Series::new("row".into(), b.row).into());
    DataFrame::new(n, cols)
}
