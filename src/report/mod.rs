//! Write: the KPI and feedback workbooks and the run summary JSON
//! (spec section 7). Only this module knows about formats, colours and
//! sheet layout; only it and `app` touch output files.
//!
//! Every file is written to a temporary name in the output folder and
//! renamed into place, so a manager never opens a half-written workbook.

pub mod chart;
pub mod check_text;
pub mod documents;
pub mod feedback;
pub mod kpi;
pub mod milestones;
pub mod names;
pub mod owners;
pub mod table;

use std::path::{Component, Path, PathBuf};

use anyhow::Context;
use rust_xlsxwriter::{DocProperties, Workbook, XlsxError};

use crate::flags::Flag;
use crate::i18n::{self, Lang};
use crate::measure::{Kpis, Measures};
use crate::period::Period;
use crate::read::FileReport;
use crate::template::{relative_path, Template};
use table::Formats;

/// Everything the writers read.
pub struct ReportInput<'a> {
    pub lang: Lang,
    pub template: &'a Template,
    pub period: &'a Period,
    /// The report date (the last day of the period).
    pub as_of: chrono::NaiveDate,
    pub measures: &'a Measures,
    pub flags: &'a [Flag],
    pub files: &'a [FileReport],
    pub previous: Option<&'a Kpis>,
    pub out_dir: &'a Path,
    pub formats: Formats,
    /// Flags by severity of the earlier runs in the history, oldest first:
    /// (period, errors, warnings, info).
    pub issue_trend: Vec<(String, i64, i64, i64)>,
    /// The previous recorded run's period label, when there is one.
    pub previous_label: Option<&'a str>,
    /// Owner → their workbook's path relative to the KPI workbook, when
    /// owner workbooks are written.
    pub owner_files: Option<std::collections::BTreeMap<String, String>>,
    /// CSV files written beside the workbooks for capped sheets.
    pub extra_outputs: std::sync::Mutex<Vec<PathBuf>>,
}

impl ReportInput<'_> {
    /// Writes the full list of a capped sheet as CSV beside the workbook;
    /// the name is `<workbook stem>-<sheet key>.csv`.
    pub fn overflow_csv(
        &self,
        name: &str,
        headers: &[String],
        n: usize,
        row: &dyn Fn(usize) -> Vec<table::V>,
    ) -> anyhow::Result<()> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(headers)?;
        for r in 0..n {
            for v in row(r) {
                w.write_field(table::csv_text(&v).as_bytes())?;
            }
            w.write_record(None::<&[u8]>)?;
        }
        let mut bytes = vec![0xEF, 0xBB, 0xBF]; // BOM, so Excel reads UTF-8
        bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?);
        let path = write_atomic(self.out_dir, name, &bytes)?;
        if let Ok(mut v) = self.extra_outputs.lock() {
            v.push(path);
        }
        Ok(())
    }

    /// A long table of `n` rows under `top`; when it is capped, the full
    /// list goes to the CSV `csv`, written on a second thread meanwhile.
    pub fn long_table_and_csv(
        &self,
        w: &mut table::SheetWriter,
        top: u32,
        headers: &[String],
        n: usize,
        row: &(dyn Fn(usize) -> Vec<table::V> + Sync),
        csv: &str,
    ) -> anyhow::Result<()> {
        let note = self.capped_note(n, csv);
        std::thread::scope(|s| {
            let full = (n > table::MAX_SHEET_ROWS)
                .then(|| s.spawn(|| self.overflow_csv(csv, headers, n, row)));
            w.long_table(top, headers, n, row, &note)?;
            if let Some(h) = full {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("writing {csv} failed")))?;
            }
            Ok(())
        })
    }

    /// A sheet of one table under `title`: the table, from row 3, is the
    /// sheet's main table, its rows in the overdue colour where
    /// `highlight` (a formula on row 4) holds.
    ///
    /// # Errors
    /// A rust_xlsxwriter failure.
    pub fn table_sheet(
        &self,
        wb: &mut Workbook,
        name: &str,
        title: &str,
        (headers, rows): &table::Table,
        highlight: Option<&str>,
    ) -> Result<(), XlsxError> {
        let ws = table::add_sheet(wb, name, rows.len())?;
        let mut w = table::SheetWriter::new(ws, &self.formats);
        w.title(0, title, &self.formats.subtitle)?;
        w.table(2, 0, headers, rows, true)?;
        if let Some(rule) = highlight {
            w.highlight(rows.len(), headers.len(), rule)?;
        }
        w.finish()
    }

    /// A sheet of tables one below the other, each under its bold title,
    /// below the subtitle: the first, from row 3, is the sheet's main
    /// table, its rows in the overdue colour where `highlight` (a formula
    /// on row 4) holds.
    ///
    /// # Errors
    /// A rust_xlsxwriter failure.
    pub fn stacked_sheet(
        &self,
        wb: &mut Workbook,
        name: &str,
        tables: &[(String, table::Table)],
        highlight: Option<&str>,
    ) -> Result<(), XlsxError> {
        let n = tables.iter().map(|(_, (_, rows))| rows.len()).sum();
        let ws = table::add_sheet(wb, name, n)?;
        let mut w = table::SheetWriter::new(ws, &self.formats);
        w.title(0, &self.subtitle(), &self.formats.subtitle)?;
        let mut end = 0;
        for (i, (title, (headers, rows))) in tables.iter().enumerate() {
            let top = end + 2;
            // An empty table says so in its title (its header stays, so
            // the tables below keep their place).
            let title = if rows.is_empty() {
                format!("{title}{}", i18n::text(self.lang, "word.none_listed"))
            } else {
                title.clone()
            };
            w.title(top - 1, &title, &self.formats.bold)?;
            end = w.table(top, 0, headers, rows, i == 0)?;
            if let (0, Some(rule)) = (i, highlight) {
                w.highlight(rows.len(), headers.len(), rule)?;
            }
        }
        w.finish()
    }

    /// A detail sheet of the KPI workbook under the subtitle (and `note`,
    /// when there is one): `n` rows made one at a time by `row`, the full
    /// list in `kpi-report-<period>-<csv>.csv` when they are capped.
    ///
    /// # Errors
    /// A rust_xlsxwriter failure, or the CSV's.
    pub fn long_sheet(
        &self,
        wb: &mut Workbook,
        name: &str,
        note: Option<&str>,
        headers: &[String],
        (n, row): (usize, &(dyn Fn(usize) -> Vec<table::V> + Sync)),
        csv: &str,
    ) -> anyhow::Result<()> {
        let csv = format!("kpi-report-{}-{csv}.csv", self.period.label);
        let ws = table::add_sheet(wb, name, n)?;
        let mut w = table::SheetWriter::new(ws, &self.formats);
        w.title(0, &self.subtitle(), &self.formats.subtitle)?;
        if let Some(note) = note {
            w.title(1, note, &self.formats.note)?;
        }
        let top = if note.is_some() { 3 } else { 2 };
        self.long_table_and_csv(&mut w, top, headers, n, row, &csv)?;
        w.finish()?;
        Ok(())
    }

    /// The note above a capped sheet.
    pub fn capped_note(&self, n: usize, csv: &str) -> String {
        i18n::fill(
            self.lang,
            "note.capped",
            &[
                ("n", &table::MAX_SHEET_ROWS.to_string()),
                ("total", &n.to_string()),
                ("csv", csv),
            ],
        )
    }

    pub fn subtitle(&self) -> String {
        i18n::fill(
            self.lang,
            "title.subtitle",
            &[
                ("label", &self.period.label),
                ("start", &self.period.start.to_string()),
                ("end", &self.period.end.to_string()),
                ("as_of", &self.as_of.to_string()),
            ],
        )
    }

    /// An overview sheet's two title lines: the workbook's title (`key`,
    /// filled with the team's title) in row 1, the period in row 2.
    ///
    /// # Errors
    /// A rust_xlsxwriter failure.
    pub fn overview_titles(
        &self,
        w: &mut table::SheetWriter,
        key: &str,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let title = i18n::fill(
            self.lang,
            key,
            &[("title", self.template.file.report.title(self.lang))],
        );
        w.title(0, &title, &self.formats.title)?;
        w.title(1, &self.subtitle(), &self.formats.subtitle)
    }

    /// Title, subject and the report date as document properties (no
    /// wall-clock time, so the same inputs give the same workbook).
    pub fn properties(&self, wb: &mut Workbook, title_key: &str) {
        let title = i18n::fill(
            self.lang,
            title_key,
            &[("title", self.template.file.report.title(self.lang))],
        );
        let as_of = self.as_of;
        let created = table::excel_date(as_of).unwrap_or_else(|_| {
            rust_xlsxwriter::ExcelDateTime::from_ymd(2000, 1, 1).expect("valid date")
        });
        let props = DocProperties::new()
            .set_title(&title)
            .set_subject(self.subtitle())
            .set_author("gendan")
            .set_keywords(format!("as_of={as_of}; period={}", self.period.label))
            .set_creation_datetime(&created);
        wb.set_properties(&props);
    }
}

/// A link from a report cell to the source cell: a relative path from the
/// output folder to the input file (`file:///` + relative path is how
/// rust_xlsxwriter stores a relative external link), then `#'Sheet'!D17`.
/// The relative path is worked out once per file and sheet.
///
/// `None` when the path cannot be written as such a link: rust_xlsxwriter
/// takes the first `#` for the start of the cell location, and leaves a
/// path holding `%` followed by two hex digits unescaped, so either would
/// make the link open another file. The caller then shows the cell as
/// text: a link only ever points at the input file itself.
pub fn link_to_source(out_dir: &Path, file: &str, sheet: &str, cell: &str) -> Option<String> {
    thread_local! {
        static BASES: std::cell::RefCell<std::collections::HashMap<(PathBuf, String, String), Option<String>>> =
            Default::default();
    }
    let base = BASES.with(|b| {
        b.borrow_mut()
            .entry((out_dir.to_path_buf(), file.to_string(), sheet.to_string()))
            .or_insert_with(|| {
                let target = relative_path(&absolute(out_dir), &absolute(Path::new(file)));
                let path = target.display().to_string();
                let escaped_already = path
                    .as_bytes()
                    .windows(3)
                    .any(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit());
                (!path.contains('#') && !escaped_already)
                    .then(|| format!("file:///{path}#'{}'!", sheet.replace('\'', "''")))
            })
            .clone()
    });
    base.map(|b| b + cell)
}

/// The report cell naming a flag's source cell: a link to it, or its text
/// when no link can point at the file (see [`link_to_source`]).
pub fn source_cell(out_dir: &Path, file: &str, sheet: &str, cell: &str, shown: String) -> table::V {
    match link_to_source(out_dir, file, sheet, cell) {
        Some(url) => table::V::Link(url, shown),
        None => table::V::Text(shown),
    }
}

fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    // Normalise `.` and `..` without touching the file system.
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// Writes `bytes` to `dir/name` through a temporary file and a rename.
///
/// # Errors
/// The folder is not writable or full.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let target = dir.join(name);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .with_context(|| {
            format!(
                "cannot write {} — check that the folder is writable and not full",
                tmp.display()
            )
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
    if std::env::var_os("GENDAN_TEST_CRASH_BEFORE_RENAME").is_some() {
        // Fault injection for the atomic-output test: die like a killed run.
        std::process::abort();
    }
    std::fs::rename(&tmp, &target)
        .with_context(|| {
            format!(
                "cannot move {} into place as {}",
                tmp.display(),
                target.display()
            )
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
    Ok(target)
}

/// Keeps the manifest `manifest` of the files gendan wrote into `dir`:
/// with `sweep`, files an earlier run listed that are not in `keep` are
/// removed (only listed plain names, never another file) and the list
/// becomes `keep`; without, `keep` is added to the list.
///
/// # Errors
/// The manifest cannot be written.
pub fn replace_listed(
    dir: &Path,
    manifest: &str,
    keep: &[&str],
    sweep: bool,
) -> anyhow::Result<()> {
    let path = dir.join(manifest);
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let listed = old
        .lines()
        .filter(|name| !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.'));
    let mut list: Vec<&str> = keep.to_vec();
    for name in listed {
        if keep.contains(&name) {
            continue;
        }
        if sweep {
            let _ = std::fs::remove_file(dir.join(name));
        } else {
            list.push(name);
        }
    }
    list.sort_unstable();
    list.dedup();
    write_atomic(dir, manifest, list.join("\n").as_bytes())?;
    Ok(())
}

/// Removes temporary files a killed run left in `out_dir` (only gendan's
/// own `.kpi-report-…tmp`, `.feedback-report-…tmp`, `.run-summary-…tmp`).
pub fn remove_stale_temps(out_dir: &Path) -> usize {
    let mut n = 0;
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if is_own_temp(&name) && std::fs::remove_file(e.path()).is_ok() {
                n += 1;
            }
        }
    }
    n
}

/// Whether `name` is a temporary name [`write_atomic`] makes:
/// `.<report name>.<pid>.tmp`, the report name being one of gendan's.
fn is_own_temp(name: &str) -> bool {
    let Some(inner) = name.strip_prefix('.').and_then(|n| n.strip_suffix(".tmp")) else {
        return false;
    };
    let Some((report, pid)) = inner.rsplit_once('.') else {
        return false;
    };
    let ours = ["kpi-report-", "feedback-report-", "run-summary-"]
        .iter()
        .any(|p| report.starts_with(p));
    ours && !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit())
}

/// The deflate level of the workbooks' zip container: level 1 packs the
/// large sheets about twice as fast as the default 6 (measured in
/// BENCHMARKS.md).
pub const ZIP_LEVEL: u8 = 1;

/// Builds both workbooks and writes them into `out_dir`.
///
/// # Errors
/// A polars or rust_xlsxwriter failure, or an unwritable folder.
pub fn write_workbooks(inp: &ReportInput) -> anyhow::Result<Vec<PathBuf>> {
    let label = &inp.period.label;
    // The two workbooks are built and packed on two threads.
    let (kpi, fb) = std::thread::scope(|s| {
        let fb = s.spawn(|| -> anyhow::Result<Vec<u8>> {
            let mut fb = feedback::workbook(inp).context("building the feedback workbook")?;
            fb.save_to_buffer().context("saving the feedback workbook")
        });
        let kpi = kpi::workbook(inp)
            .context("building the KPI workbook")
            .and_then(|mut wb| wb.save_to_buffer().context("saving the KPI workbook"));
        let fb = fb
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("building the feedback workbook failed")));
        (kpi, fb)
    });
    let mut out = vec![
        write_atomic(inp.out_dir, &format!("kpi-report-{label}.xlsx"), &kpi?)?,
        write_atomic(inp.out_dir, &format!("feedback-report-{label}.xlsx"), &fb?)?,
    ];
    let csvs = inp
        .extra_outputs
        .lock()
        .map(|v| v.clone())
        .unwrap_or_default();
    out.extend(csvs.iter().cloned());
    // A full list from an earlier run of this period that needed one, and
    // this run does not: remove it, so it cannot be mistaken for current.
    for key in ["data-issues", "action-list"] {
        let old = inp.out_dir.join(format!("kpi-report-{label}-{key}.csv"));
        if !csvs.contains(&old) && old.exists() {
            let _ = std::fs::remove_file(&old);
        }
    }
    Ok(out)
}
