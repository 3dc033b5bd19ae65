//! Read: the team's workbooks into three typed polars frames with
//! provenance (spec section 3).
//!
//! Files are read in parallel, each into its own column builders and then
//! its own frame (on the same worker), and the frames are stacked in the
//! order the paths and globs name them, so the row order (and with it "the
//! first line that has a customer") does not depend on timing.

pub mod fields;
mod guard;
pub mod merges;
pub mod sheet;
pub mod source;
pub mod values;
mod xls_size;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use polars::prelude::*;
use serde::Serialize;

use crate::flags::{Flag, Table};
pub use sheet::{
    date_to_days, days_to_date, ReadContext, SheetReport, SourceInfo, TableBuilder, Val,
};
pub use source::SourceError;

/// A table's input: files or globs, and the sheets to read (empty: every
/// visible sheet whose header is recognised).
#[derive(Clone, Debug)]
pub struct TableInput {
    pub table: Table,
    /// (path to open, path as shown in messages)
    pub patterns: Vec<(PathBuf, String)>,
    pub sheets: Vec<String>,
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
            out.push((path.clone(), shown.clone()));
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
}

fn read_file(
    ctx: &ReadContext,
    table: Table,
    path: &Path,
    shown: &str,
    wanted: &[String],
) -> Result<FileOutcome, ReadError> {
    let wb = guard::guarded(|| source::Workbook::open(path, shown, &ctx.limits))
        .map_err(|e| reader_failed(shown, e))??;
    read_workbook(ctx, table, wb, shown, wanted).map(|(o, _)| o)
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
    let wb = guard::guarded(|| source::Workbook::from_bytes(bytes, shown, &ctx.limits))
        .map_err(|e| reader_failed(shown, e))??;
    read_workbook(ctx, table, wb, shown, &[]).map(|(o, n)| (n, o.flags))
}

fn read_workbook(
    ctx: &ReadContext,
    table: Table,
    mut wb: source::Workbook,
    shown: &str,
    wanted: &[String],
) -> Result<(FileOutcome, usize), ReadError> {
    let mut report = FileReport {
        table,
        path: shown.to_string(),
        sha256: wb.sha256.clone(),
        sheets: Vec::new(),
        skipped_sheets: Vec::new(),
    };
    let names: Vec<String> = wb.sheets.iter().map(|s| s.name.clone()).collect();
    let is_csv = wb.is_csv();
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
    let mut builder = TableBuilder::new(table);
    let mut flags = Vec::new();
    let mut sources = Vec::new();
    let metas = wb.sheets.clone();
    for meta in metas {
        let named = wanted.contains(&meta.name);
        if !wanted.is_empty() && !named && !is_csv {
            continue;
        }
        if !meta.worksheet {
            report.skipped_sheets.push(SkippedSheet {
                name: meta.name.clone(),
                reason: crate::i18n::text(ctx.lang, "skip.chart").into(),
            });
            continue;
        }
        if !meta.visible && !named {
            report.skipped_sheets.push(SkippedSheet {
                name: meta.name.clone(),
                reason: crate::i18n::text(ctx.lang, "skip.hidden").into(),
            });
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
                        ctx.lang,
                        "skip.too_many_cells",
                        &[
                            ("cell", &last_cell),
                            ("rows", &rows.to_string()),
                            ("cols", &cols.to_string()),
                            ("max_cells", &ctx.limits.max_cells.to_string()),
                        ],
                    )
                };
                report.skipped_sheets.push(SkippedSheet {
                    name: meta.name.clone(),
                    reason,
                });
                continue;
            }
            other => other?,
        };
        let (rows, cols) = range.get_size();
        if rows as u64 > ctx.limits.max_rows
            || cols as u64 > ctx.limits.max_columns
            || (rows as u64).saturating_mul(cols as u64) > ctx.limits.max_cells
        {
            report.skipped_sheets.push(SkippedSheet {
                name: meta.name.clone(),
                reason: too_big(ctx, rows as u64, cols as u64),
            });
            continue;
        }
        let src_id = sources.len() as u32;
        match sheet::read_sheet(
            ctx,
            table,
            shown,
            &meta.name,
            &range,
            src_id,
            &mut builder,
            &mut flags,
        ) {
            Ok((sheet_report, info)) => {
                report.sheets.push(sheet_report);
                sources.push(info);
            }
            Err(reason) => report.skipped_sheets.push(SkippedSheet {
                name: meta.name.clone(),
                reason,
            }),
        }
    }
    let present = builder.present.clone();
    let frame = to_frame(builder).map_err(|e| ReadError::Frame(e.to_string()))?;
    let rows = frame.height();
    Ok((
        FileOutcome {
            report,
            frame,
            present,
            flags,
            sources,
        },
        rows,
    ))
}

/// Reads every input file of the three tables.
///
/// # Errors
/// An input that cannot be opened at all, a glob that matches nothing, or a
/// named sheet that does not exist.
pub fn read_inputs(ctx: &ReadContext, inputs: &[TableInput]) -> Result<Inputs, ReadError> {
    let mut jobs: Vec<(Table, PathBuf, String, Vec<String>)> = Vec::new();
    for input in inputs {
        for (p, s) in expand(input)? {
            jobs.push((input.table, p, s, input.sheets.clone()));
        }
    }
    let results: Mutex<Vec<Option<Result<FileOutcome, ReadError>>>> =
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
                let Some((table, path, shown, sheets)) = jobs.get(i) else {
                    break;
                };
                let r = read_file(ctx, *table, path, shown, sheets);
                if let Ok(mut guard) = results.lock() {
                    guard[i] = Some(r);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_default();

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
    for r in results.into_iter().flatten() {
        let outcome = r?;
        let offset = sources.len() as u32;
        let idx = Table::ALL
            .iter()
            .position(|t| *t == outcome.report.table)
            .unwrap_or(0);
        let mut frame = outcome.frame;
        if offset > 0 {
            let src = frame
                .column("src")
                .map_err(frame_err)?
                .as_materialized_series()
                + offset;
            frame.with_column(src.into()).map_err(frame_err)?;
        }
        frames[idx].vstack_mut_owned(frame).map_err(frame_err)?;
        for (p, q) in present[idx].iter_mut().zip(outcome.present) {
            *p |= q;
        }
        sources.extend(outcome.sources);
        files.push(outcome.report);
        flags.extend(outcome.flags);
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
    })
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
    cols.push(Series::new("src".into(), b.src).into());
    cols.push(Series::new("row".into(), b.row).into());
    DataFrame::new(n, cols)
}
