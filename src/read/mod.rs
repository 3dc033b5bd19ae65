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

use calamine::Range;
use polars::prelude::*;
use serde::Serialize;

use crate::flags::{Flag, Table};
use crate::{fields, milestones};
use sheet::Data;
pub use sheet::{ReadContext, SheetReport, SourceInfo, TableBuilder, Val};
use source::Merged;
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

impl ReadError {
    /// The message in the run's language (`Display` is English).
    pub fn say(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::fill;
        match self {
            ReadError::Source(e) => e.say(lang),
            ReadError::NoMatch { pattern, table } => fill(
                lang,
                "err.no_match",
                &[("pattern", pattern), ("table", table)],
            ),
            ReadError::NothingRead(text) => text.clone(),
            ReadError::Frame(detail) => fill(lang, "err.frame", &[("detail", detail)]),
            ReadError::BadGlob { pattern, detail } => fill(
                lang,
                "err.bad_glob",
                &[("pattern", pattern), ("detail", detail)],
            ),
            ReadError::NoSuchSheet {
                path,
                sheet,
                have,
                table,
            } => fill(
                lang,
                "err.no_such_sheet",
                &[
                    ("path", path),
                    ("sheet", sheet),
                    ("have", have),
                    ("table", table),
                ],
            ),
        }
    }
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

/// Reads one opened workbook for the tables it was given for: checks the
/// sheets the template names, shares each sheet out to the table that
/// reads it (or skips it, saying why), and returns each table's rows with
/// the rows its tracker sheets could give the others.
fn read_workbook(
    ctx: &ReadContext,
    tables: &[(Table, Vec<String>)],
    mut wb: source::Workbook,
    shown: &str,
) -> Result<FileResult, ReadError> {
    check_named_sheets(tables, &wb, shown)?;
    let mut sharing = Sharing::new(ctx, tables, &wb, shown);
    for meta in wb.sheets.clone() {
        sharing.share_sheet(&mut wb, &meta)?;
    }
    sharing.finish()
}

/// Fails when the template names a sheet the workbook does not have (a
/// CSV file has one sheet, whatever it is called).
fn check_named_sheets(
    tables: &[(Table, Vec<String>)],
    wb: &source::Workbook,
    shown: &str,
) -> Result<(), ReadError> {
    let names: Vec<String> = wb.sheets.iter().map(|s| s.name.clone()).collect();
    let is_csv = wb.is_csv();
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
    Ok(())
}

/// One table's share of a workbook while its sheets are read: its report,
/// its rows so far, their flags and the sheets they came from.
struct Acc {
    report: FileReport,
    builder: TableBuilder,
    flags: Vec<Flag>,
    sources: Vec<SourceInfo>,
}

/// Which table reads a sheet, as [`Sharing::choose`] decides it.
enum Choice {
    /// Read by `tables[chosen]` with `plan`; `moved`: a table the file was
    /// not given for, because the sheet plainly is its own.
    Read {
        chosen: usize,
        plan: Box<sheet::Plan>,
        moved: bool,
    },
    /// No candidate recognised the header: each one's reason.
    Unrecognised(Vec<(usize, String)>),
    /// The chosen candidate had no plan after all: nothing to do.
    Nothing,
}

/// A workbook being shared out among the tables, sheet by sheet.
struct Sharing<'a> {
    ctx: &'a ReadContext,
    shown: &'a str,
    /// The tables the file was given for (the first `given_n`), then the
    /// others: a sheet that plainly is another table's is read for that
    /// one (spec 3.2, rev5).
    tables: Vec<(Table, Vec<String>)>,
    given_n: usize,
    is_csv: bool,
    csv_fields: Option<Vec<u32>>,
    /// One per entry of `tables`.
    accs: Vec<Acc>,
    derived: Vec<Derived>,
    /// Sheets read for a table the file was not given for.
    notes: Vec<String>,
}

impl<'a> Sharing<'a> {
    /// An empty share for every table, the given ones first.
    fn new(
        ctx: &'a ReadContext,
        given: &[(Table, Vec<String>)],
        wb: &source::Workbook,
        shown: &'a str,
    ) -> Self {
        let mut tables: Vec<(Table, Vec<String>)> = given.to_vec();
        for t in Table::ALL {
            if !tables.iter().any(|(x, _)| *x == t) {
                tables.push((t, Vec::new()));
            }
        }
        let accs = tables
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
        Sharing {
            ctx,
            shown,
            tables,
            given_n: given.len(),
            is_csv: wb.is_csv(),
            csv_fields: wb.csv_field_counts().map(<[u32]>::to_vec),
            accs,
            derived: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Lists sheet `name` as skipped, for `reason`, by the tables `which`.
    fn skip(&mut self, which: &[usize], name: &str, reason: &str) {
        for i in which {
            self.accs[*i].report.skipped_sheets.push(SkippedSheet {
                name: name.to_string(),
                reason: reason.to_string(),
                header_guess: None,
                read_elsewhere: false,
                moved: false,
            });
        }
    }

    /// Skips a sheet no table reads, each table with its reason, and gives
    /// it the header `init` lists with the fields its columns come near.
    fn skip_with_guess(&mut self, reasons: &[(usize, String)], name: &str, range: &Range<Data>) {
        let guess = sheet::header_guess(self.ctx, range);
        for (i, reason) in reasons {
            self.skip(&[*i], name, reason);
            with_guess(&mut self.accs[*i].report, &guess);
        }
    }

    /// The tables that may read a sheet: `(named, candidates)`. A sheet
    /// named in a table's `sheets` goes to that table only; otherwise
    /// every table that reads all sheets is a candidate (a CSV file's one
    /// sheet: every table given).
    fn candidates(&self, name: &str) -> (Vec<usize>, Vec<usize>) {
        let given = 0..self.given_n;
        let named: Vec<usize> = given
            .clone()
            .filter(|i| self.tables[*i].1.iter().any(|s| s == name))
            .collect();
        let candidates: Vec<usize> = if self.is_csv {
            given.collect()
        } else if !named.is_empty() {
            named.clone()
        } else {
            given.filter(|i| self.tables[*i].1.is_empty()).collect()
        };
        (named, candidates)
    }

    /// Shares out one sheet: to no table (not one of theirs, a chart,
    /// hidden, too big, unrecognised, order lines), or to the table that
    /// reads it.
    fn share_sheet(
        &mut self,
        wb: &mut source::Workbook,
        meta: &source::SheetMeta,
    ) -> Result<(), ReadError> {
        let (named, candidates) = self.candidates(&meta.name);
        if candidates.is_empty() {
            return Ok(());
        }
        let range = match open_sheet(self.ctx, wb, meta, self.shown, named.is_empty())? {
            Ok(range) => range,
            Err(reason) => {
                self.skip(&candidates, &meta.name, &reason);
                return Ok(());
            }
        };
        // A table the file was not given for takes the sheet only when it
        // plainly is that table's and the template did not name it.
        let spare: Vec<usize> = if named.is_empty() {
            (self.given_n..self.tables.len()).collect()
        } else {
            Vec::new()
        };
        let (chosen, plan, moved) = match self.choose(&meta.name, &candidates, &spare, &range) {
            Choice::Read {
                chosen,
                plan,
                moved,
            } => (chosen, *plan, moved),
            Choice::Unrecognised(reasons) => {
                self.skip_with_guess(&reasons, &meta.name, &range);
                return Ok(());
            }
            Choice::Nothing => return Ok(()),
        };
        // Order lines without the order's columns (an ERP's order-details
        // export) are not shipments or feedback for want of a better table.
        if !moved && named.is_empty() {
            if let Some(reason) = order_lines(self.ctx, self.tables[chosen].0, &plan) {
                let reasons: Vec<(usize, String)> =
                    candidates.iter().map(|i| (*i, reason.clone())).collect();
                self.skip_with_guess(&reasons, &meta.name, &range);
                return Ok(());
            }
        }
        self.read_chosen(&meta.name, &range, &candidates, chosen, &plan, moved)
    }

    /// Which table reads a sheet: the candidates' best plan
    /// ([`choose_table`]), unless a table the file was not given for
    /// (`spare`) plainly is the sheet's ([`plainly_other`]).
    fn choose(
        &self,
        name: &str,
        candidates: &[usize],
        spare: &[usize],
        range: &Range<Data>,
    ) -> Choice {
        let plan_for = |i: &usize| {
            let table = self.tables[*i].0;
            (table, sheet::plan(self.ctx, table, range))
        };
        let mut plans: Vec<(Table, Result<sheet::Plan, String>)> =
            candidates.iter().map(plan_for).collect();
        let pick = choose_table(name, &plans);
        let moved: Option<(usize, sheet::Plan)> = if spare.is_empty() {
            None
        } else {
            let mut oplans: Vec<(Table, Result<sheet::Plan, String>)> =
                spare.iter().map(plan_for).collect();
            let chosen_plan = pick.and_then(|k| plans[k].1.as_ref().ok());
            plainly_other(chosen_plan, &oplans)
                .and_then(|j| Some((spare[j], oplans.swap_remove(j).1.ok()?)))
        };
        match (moved, pick) {
            (Some((chosen, plan)), _) => Choice::Read {
                chosen,
                plan: Box::new(plan),
                moved: true,
            },
            (None, Some(k)) => match plans.swap_remove(k).1 {
                Ok(plan) => Choice::Read {
                    chosen: candidates[k],
                    plan: Box::new(plan),
                    moved: false,
                },
                Err(_) => Choice::Nothing,
            },
            (None, None) => Choice::Unrecognised(
                candidates
                    .iter()
                    .zip(plans)
                    .filter_map(|(i, (_, p))| p.err().map(|reason| (*i, reason)))
                    .collect(),
            ),
        }
    }

    /// Reads sheet `name` into the share of `tables[chosen]`; the other
    /// candidates list it as read elsewhere. A sheet read as orders may
    /// also give tracker rows to the other tables.
    fn read_chosen(
        &mut self,
        name: &str,
        range: &Range<Data>,
        candidates: &[usize],
        chosen: usize,
        plan: &sheet::Plan,
        moved: bool,
    ) -> Result<(), ReadError> {
        let (ctx, lang) = (self.ctx, self.ctx.lang);
        let table = self.tables[chosen].0;
        let acc = &mut self.accs[chosen];
        let src_id = acc.sources.len() as u32;
        let read = rows::read_rows(
            ctx,
            plan,
            None,
            self.shown,
            name,
            range,
            self.csv_fields.as_deref(),
            src_id,
            &mut acc.builder,
            &mut acc.flags,
        );
        let (mut sheet_report, info) = match read {
            Ok(read) => read,
            Err(reason) => {
                self.skip(&[chosen], name, &reason);
                return Ok(());
            }
        };
        if candidates.len() > 1 || moved {
            sheet_report.chosen_because = Some(chosen_because(lang, table, plan, name));
        }
        if moved {
            let given_as = self.note_moved(name, candidates, table, plan);
            sheet_report.chosen_because = sheet_report
                .chosen_because
                .take()
                .map(|why| format!("{given_as}; {why}"));
        }
        let acc = &mut self.accs[chosen];
        acc.report.sheets.push(sheet_report);
        acc.sources.push(info);
        let as_table = crate::i18n::table_label(lang, table.as_str());
        let reason = crate::i18n::fill(lang, "skip.read_as", &[("table", as_table)]);
        let others: Vec<usize> = candidates
            .iter()
            .copied()
            .filter(|i| *i != chosen)
            .collect();
        self.skip(&others, name, &reason);
        for i in &others {
            if let Some(last) = self.accs[*i].report.skipped_sheets.last_mut() {
                last.read_elsewhere = true;
                last.moved = moved;
            }
        }
        if table == Table::Orders {
            self.derive_from_tracker(name, range, plan)?;
        }
        Ok(())
    }

    /// Notes a sheet read for `table`, which its file was not given for,
    /// and returns the words `check` puts before why it was chosen.
    fn note_moved(
        &mut self,
        name: &str,
        candidates: &[usize],
        table: Table,
        plan: &sheet::Plan,
    ) -> String {
        let lang = self.ctx.lang;
        let given: Vec<&str> = candidates
            .iter()
            .map(|i| crate::i18n::table_label(lang, self.tables[*i].0.as_str()))
            .collect();
        let given_key = candidates
            .first()
            .map_or("orders", |i| self.tables[*i].0.as_str());
        let labels: Vec<&str> = plan
            .telling
            .iter()
            .map(|f| crate::i18n::field_label(lang, f))
            .collect();
        self.notes.push(crate::i18n::fill(
            lang,
            "note.moved",
            &[
                ("file", self.shown),
                ("sheet", name),
                ("given", &given.join("/")),
                ("given_key", given_key),
                ("table", crate::i18n::table_label(lang, table.as_str())),
                ("fields", &labels.join(", ")),
                ("cli", table.as_str()),
            ],
        ));
        crate::i18n::fill(lang, "check.given_as", &[("table", &given.join("/"))])
    }

    /// The shipments and feedback rows an orders sheet that is a tracker
    /// could give (spec section 3.2), kept aside: they are used only when
    /// that table reads no row of its own.
    fn derive_from_tracker(
        &mut self,
        name: &str,
        range: &Range<Data>,
        plan: &sheet::Plan,
    ) -> Result<(), ReadError> {
        for t in [Table::Shipments, Table::Feedback] {
            let Some((dplan, d)) = sheet::derive_plan(self.ctx, plan, t) else {
                continue;
            };
            let mut builder = TableBuilder::new(t);
            let mut flags = Vec::new();
            if let Ok((dreport, info)) = rows::read_rows(
                self.ctx,
                &dplan,
                Some(&d),
                self.shown,
                name,
                range,
                self.csv_fields.as_deref(),
                0,
                &mut builder,
                &mut flags,
            ) {
                let present = builder.present.clone();
                let frame = to_frame(builder).map_err(frame_err)?;
                self.derived.push(Derived {
                    table: t,
                    path: self.shown.to_string(),
                    sheet: name.to_string(),
                    from: d.from.clone(),
                    frame,
                    present,
                    flags,
                    sources: vec![info],
                    hidden: dreport.hidden,
                });
            }
        }
        Ok(())
    }

    /// Each table's share as its outcome: rows as a frame. A table the
    /// file was not given for is there only when it read a sheet.
    fn finish(self) -> Result<FileResult, ReadError> {
        let mut outcomes = Vec::with_capacity(self.accs.len());
        for (k, acc) in self.accs.into_iter().enumerate() {
            let moved_in = k >= self.given_n;
            if moved_in && acc.report.sheets.is_empty() {
                continue;
            }
            let present = acc.builder.present.clone();
            let frame = to_frame(acc.builder).map_err(frame_err)?;
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
            derived: self.derived,
            notes: self.notes,
        })
    }
}

/// A sheet's cells, or why it is skipped: a chart sheet, a hidden sheet
/// the template did not name (`unnamed`), or one over the size limits.
///
/// # Errors
/// A sheet calamine cannot parse, or whose reader failed outright.
fn open_sheet<'w>(
    ctx: &ReadContext,
    wb: &'w mut source::Workbook,
    meta: &source::SheetMeta,
    shown: &str,
    unnamed: bool,
) -> Result<Result<Range<Data<'w>>, String>, ReadError> {
    let lang = ctx.lang;
    if !meta.worksheet {
        return Ok(Err(crate::i18n::text(lang, "skip.chart").to_string()));
    }
    if !meta.visible && unnamed {
        return Ok(Err(crate::i18n::text(lang, "skip.hidden").to_string()));
    }
    let range = match guard::guarded(|| wb.sheet(&meta.name, shown, &ctx.limits, Merged::FillDown))
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
            return Ok(Err(reason));
        }
        other => other?,
    };
    let (rows, cols) = range.get_size();
    if rows as u64 > ctx.limits.max_rows
        || cols as u64 > ctx.limits.max_columns
        || (rows as u64).saturating_mul(cols as u64) > ctx.limits.max_cells
    {
        return Ok(Err(too_big(ctx, rows as u64, cols as u64)));
    }
    Ok(Ok(range))
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

/// Reads every file of `inputs` and stacks the rows per table: the files
/// grouped (one job per file), read in parallel, each table's rows stacked
/// in the order its paths name them, a tracker's derived rows where a
/// table read none, then the notes; unless `lenient`, a table that read
/// nothing fails.
fn read_all(ctx: &ReadContext, inputs: &[TableInput], lenient: bool) -> Result<Inputs, ReadError> {
    let lang = ctx.lang;
    let mut notes = Vec::new();
    let (jobs, order) = group_by_file(lang, inputs, &mut notes)?;
    let mut per_file = read_files(ctx, &jobs)?;
    let mut derived = Vec::new();
    for r in per_file.iter_mut().flatten() {
        derived.append(&mut r.derived);
        notes.append(&mut r.notes);
    }
    let mut stack = Stack::new(ctx.steps.len())?;
    stack.add_outcomes(&order, &mut per_file)?;
    for d in derived {
        stack.add_derived(lang, d, &mut notes)?;
    }
    list_unused_tracker_columns(&mut stack.files);
    if !lenient {
        nothing_read(lang, inputs, &stack.files, &stack.frames)?;
    }
    closing_notes(lang, &stack.files, &mut notes);
    stack.into_inputs(notes)
}

/// Per table, the indexes of its jobs in the order its paths name them.
type JobOrder = Vec<(Table, Vec<usize>)>;

/// The files to read, one job per file whatever number of tables name it
/// (its sheets are shared out among them, spec section 3.2), and per table
/// its jobs in the order its paths and globs name them. A default path
/// that matches nothing gets a note.
fn group_by_file(
    lang: crate::i18n::Lang,
    inputs: &[TableInput],
    notes: &mut Vec<String>,
) -> Result<(Vec<FileJob>, JobOrder), ReadError> {
    let mut jobs: Vec<FileJob> = Vec::new();
    let mut order: JobOrder = Vec::new();
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
    Ok((jobs, order))
}

/// Reads the files in parallel, one thread per file (up to twice the
/// cores): a file is read by one thread from start to end, so with fewer
/// threads than files the last large file would run alone while a core
/// idles (BENCHMARKS.md). The results in job order.
///
/// # Errors
/// The first failure in job order.
fn read_files(ctx: &ReadContext, jobs: &[FileJob]) -> Result<Vec<Option<FileResult>>, ReadError> {
    let results: Mutex<Vec<Option<Result<FileResult, ReadError>>>> =
        Mutex::new((0..jobs.len()).map(|_| None).collect());
    let next = AtomicUsize::new(0);
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
    Ok(per_file)
}

/// A polars failure while the frames are built.
fn frame_err(e: PolarsError) -> ReadError {
    ReadError::Frame(e.to_string())
}

/// A table's place in [`Table::ALL`].
fn table_index(t: Table) -> usize {
    Table::ALL.iter().position(|x| *x == t).unwrap_or(0)
}

/// The three tables as the files' rows are stacked on them, in
/// [`Table::ALL`] order, with the file reports and the rows each table
/// read from sheets of its own.
struct Stack {
    frames: Vec<DataFrame>,
    /// Per table, per field: some sheet has it.
    present: Vec<Vec<bool>>,
    sources: Vec<SourceInfo>,
    flags: Vec<Flag>,
    files: Vec<FileReport>,
    read_per_table: [u64; 3],
    /// How many milestones a run knows (the orders' milestone columns).
    steps: usize,
}

impl Stack {
    /// One empty frame per table (the schema), for each file's rows.
    fn new(steps: usize) -> Result<Stack, ReadError> {
        let frames: Vec<DataFrame> = Table::ALL
            .iter()
            .map(|t| to_frame(TableBuilder::new(*t)))
            .collect::<PolarsResult<_>>()
            .map_err(frame_err)?;
        let present = Table::ALL
            .iter()
            .map(|t| vec![false; fields::fields(*t).len()])
            .collect();
        Ok(Stack {
            frames,
            present,
            sources: Vec::new(),
            flags: Vec::new(),
            files: Vec::new(),
            read_per_table: [0; 3],
            steps,
        })
    }

    /// Stacks one file's rows of `table`, its `src` ids moved past the
    /// sources already there.
    fn add(
        &mut self,
        table: Table,
        mut frame: DataFrame,
        present: Vec<bool>,
        sources: Vec<SourceInfo>,
        flags: Vec<Flag>,
    ) -> Result<(), ReadError> {
        let offset = self.sources.len() as u32;
        let idx = table_index(table);
        if offset > 0 {
            let src = frame
                .column("src")
                .map_err(frame_err)?
                .as_materialized_series()
                + offset;
            frame.with_column(src.into()).map_err(frame_err)?;
        }
        let has_ms = |f: &DataFrame| {
            f.get_column_names()
                .iter()
                .any(|c| c.as_str() == "ms0_done")
        };
        if table == Table::Orders && has_ms(&frame) != has_ms(&self.frames[idx]) {
            with_milestone_nulls(&mut frame, self.steps).map_err(frame_err)?;
            with_milestone_nulls(&mut self.frames[idx], self.steps).map_err(frame_err)?;
        }
        self.frames[idx]
            .vstack_mut_owned(frame)
            .map_err(frame_err)?;
        for (a, b) in self.present[idx].iter_mut().zip(present) {
            *a |= b;
        }
        self.sources.extend(sources);
        self.flags.extend(flags);
        Ok(())
    }

    /// Stacks one file's outcome for its table and keeps its report.
    fn add_outcome(&mut self, o: FileOutcome) -> Result<(), ReadError> {
        let table = o.report.table;
        self.read_per_table[table_index(table)] +=
            o.report.sheets.iter().map(|s| s.rows_read).sum::<u64>();
        self.add(table, o.frame, o.present, o.sources, o.flags)?;
        self.files.push(o.report);
        Ok(())
    }

    /// Each table's files in the order its paths name them, then the
    /// sheets read for a table their file was not given for, in file order.
    fn add_outcomes(
        &mut self,
        order: &JobOrder,
        per_file: &mut [Option<FileResult>],
    ) -> Result<(), ReadError> {
        for (table, mine) in order {
            for job in mine {
                let Some(Some(r)) = per_file.get_mut(*job) else {
                    continue;
                };
                let Some(k) = r.outcomes.iter().position(|o| o.report.table == *table) else {
                    continue;
                };
                let o = r.outcomes.remove(k);
                self.add_outcome(o)?;
            }
        }
        for r in per_file.iter_mut().flatten() {
            for o in std::mem::take(&mut r.outcomes) {
                if o.moved_in {
                    self.add_outcome(o)?;
                }
            }
        }
        Ok(())
    }

    /// A tracker sheet's rows for a table that read none of its own (with a
    /// note); otherwise its columns for that table are listed as ignored.
    fn add_derived(
        &mut self,
        lang: crate::i18n::Lang,
        d: Derived,
        notes: &mut Vec<String>,
    ) -> Result<(), ReadError> {
        let sheet = self
            .files
            .iter_mut()
            .filter(|f| f.table == Table::Orders && f.path == d.path)
            .flat_map(|f| f.sheets.iter_mut())
            .find(|s| s.name == d.sheet);
        if self.read_per_table[table_index(d.table)] != 0 {
            if let Some(sh) = sheet {
                ignore_tracker_columns(lang, sh, d.table);
            }
            return Ok(());
        }
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
        self.add(d.table, d.frame, d.present, d.sources, d.flags)
    }

    /// The stacked tables as the read stage's output: the fields present by
    /// name, and `seq`, the row order across all files.
    fn into_inputs(self, notes: Vec<String>) -> Result<Inputs, ReadError> {
        let present = Table::ALL
            .iter()
            .zip(&self.present)
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
        let mut frames = self.frames;
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
            sources: self.sources,
            files: self.files,
            flags: self.flags,
            present,
            notes,
        })
    }
}

/// Lists a tracker sheet's columns for `table` as ignored: a file was given
/// for that table.
fn ignore_tracker_columns(lang: crate::i18n::Lang, sh: &mut SheetReport, table: Table) {
    let reason = crate::i18n::fill(
        lang,
        "ignored.file_given",
        &[("table", crate::i18n::table_label(lang, table.as_str()))],
    );
    for (tt, _, header, column) in sh.tracker_columns.clone() {
        if tt == table {
            sh.ignored_columns.push(sheet::IgnoredColumn {
                column,
                header,
                reason: reason.clone(),
                dropped: false,
            });
        }
    }
}

/// Tracker columns neither derived from nor left for a given file are
/// listed with the other columns no field took.
fn list_unused_tracker_columns(files: &mut [FileReport]) {
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
}

/// The notes that close the read: shipments delivered without a date,
/// values a disabled rule emptied, and every ignored column.
fn closing_notes(lang: crate::i18n::Lang, files: &[FileReport], notes: &mut Vec<String>) {
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
    for line in hidden_notes(lang, files) {
        notes.push(line);
    }
    for f in files {
        for sh in &f.sheets {
            for ig in &sh.ignored_columns {
                notes.push(format!(
                    "{} › {} › {} “{}”: {}",
                    f.path, sh.name, ig.column, ig.header, ig.reason
                ));
            }
        }
    }
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
            sheet::Column::Nulls { n, then } => {
                let dtype = match *then {
                    sheet::Column::Text(_) => DataType::String,
                    sheet::Column::Num(_) => DataType::Float64,
                    sheet::Column::Int(_) => DataType::Int64,
                    _ => DataType::Date,
                };
                Series::full_null(name, n, &dtype)
            }
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
    for (i, m) in b.ms.into_iter().enumerate() {
        cols.push(
            Series::new(milestones::plan_col(i).into(), m.plan)
                .cast(&DataType::Date)?
                .into(),
        );
        cols.push(
            Series::new(milestones::act_col(i).into(), m.act)
                .cast(&DataType::Date)?
                .into(),
        );
        cols.push(Series::new(milestones::done_col(i).into(), m.done).into());
    }
    DataFrame::new(n, cols)
}

/// Gives `frame` the milestone columns of `steps` steps as nulls when it
/// has none, so that frames with and without them stack.
fn with_milestone_nulls(frame: &mut DataFrame, steps: usize) -> PolarsResult<()> {
    if frame
        .get_column_names()
        .iter()
        .any(|c| c.as_str() == "ms0_done")
    {
        return Ok(());
    }
    let n = frame.height();
    for i in 0..steps {
        let date = || Series::full_null("".into(), n, &DataType::Date);
        frame.with_column(
            date()
                .with_name(milestones::plan_col(i).into())
                .into_column(),
        )?;
        frame.with_column(
            date()
                .with_name(milestones::act_col(i).into())
                .into_column(),
        )?;
        frame.with_column(
            Series::full_null(milestones::done_col(i).into(), n, &DataType::Boolean).into_column(),
        )?;
    }
    Ok(())
}
