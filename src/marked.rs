//! Marked copies of the inputs (spec section 7): for every input file with
//! flags, a workbook whose sheets hold the read sheets' cells at the same
//! addresses — values as they were, never a formula — with each flagged
//! cell filled by its most severe flag and a note listing all its flags,
//! rejected rows shaded, and a first sheet listing the flags with links to
//! the cells. Merchandisers fix the original; the copy shows where.
//!
//! The copies are a side output: they need the input files and the flags,
//! so `cmd::run` calls this after the reports, reading each file again through
//! the read stage's source (calamine) and writing through `report`'s table
//! writer and atomic writes.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use calamine::DataRef;
use rust_xlsxwriter::{Color, Format, Note, Workbook, Worksheet, XlsxError};

use crate::flags::{Flag, Severity};
use crate::i18n::{self, Lang};
use crate::read::source;
use crate::read::FileReport;
use crate::report::table::{add_sheet, headers, SheetWriter, LOW_MEMORY_ROWS, V};
use crate::report::{names, write_atomic};
use crate::template::LimitsSection;

/// Sheets longer than this keep only the header and the flagged rows.
pub const FULL_COPY_ROWS: usize = 100_000;

/// What the copies need.
pub struct MarkInput<'a> {
    pub lang: Lang,
    pub label: &'a str,
    pub out_dir: &'a Path,
    pub files: &'a [FileReport],
    pub flags: &'a [Flag],
    pub limits: &'a LimitsSection,
}

/// The folder of this period's marked copies, relative to `out_dir`.
pub fn folder(label: &str) -> PathBuf {
    Path::new("marked").join(label)
}

/// `D17` → (16, 3), 0-based; `None` for anything else.
fn parse_cell(cell: &str) -> Option<(u32, u16)> {
    let split = cell.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = cell.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let row: u32 = digits.parse().ok().filter(|r| *r >= 1)?;
    let mut col: u32 = 0;
    for b in letters.bytes() {
        col = col * 26 + u32::from(b - b'A' + 1);
    }
    Some((row - 1, u16::try_from(col - 1).ok()?))
}

struct Formats {
    fill: [Format; 3],
    fill_date: [Format; 3],
    rejected: Format,
    rejected_date: Format,
    date: Format,
    datetime: Format,
    duration: Format,
}

impl Formats {
    fn new() -> Self {
        let colours = [0xDDEBF7, 0xFFEB9C, 0xFFC7CE]; // info, warning, error
        let fill = colours.map(|c| Format::new().set_background_color(Color::RGB(c)));
        let fill_date = colours.map(|c| {
            Format::new()
                .set_background_color(Color::RGB(c))
                .set_num_format("yyyy-mm-dd")
        });
        Formats {
            fill,
            fill_date,
            rejected: Format::new().set_background_color(Color::RGB(0xD9D9D9)),
            rejected_date: Format::new()
                .set_background_color(Color::RGB(0xD9D9D9))
                .set_num_format("yyyy-mm-dd"),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
            duration: Format::new().set_num_format("[h]:mm:ss"),
        }
    }
}

fn rank(s: Severity) -> usize {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

/// Excel's serial number of a calamine date (1900 system, whatever the
/// source's), so a date cell stays a date cell.
fn serial(d: &calamine::ExcelDateTime) -> Option<f64> {
    let dt = d.as_datetime()?;
    let base = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    Some((dt - base).num_milliseconds() as f64 / 86_400_000.0)
}

/// Writes one source cell as it was, with `fill` when it is marked.
fn put(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    cell: &DataRef,
    f: &Formats,
    mark: Option<usize>,
    rejected: bool,
) -> Result<(), XlsxError> {
    let plain = match (mark, rejected) {
        (Some(m), _) => Some(&f.fill[m]),
        (None, true) => Some(&f.rejected),
        _ => None,
    };
    let dated = match (mark, rejected) {
        (Some(m), _) => &f.fill_date[m],
        (None, true) => &f.rejected_date,
        _ => &f.date,
    };
    let text = |ws: &mut Worksheet, s: &str| -> Result<(), XlsxError> {
        // write_string never makes a formula, whatever the text.
        match plain {
            Some(fm) => ws.write_string_with_format(r, c, s, fm)?,
            None => ws.write_string(r, c, s)?,
        };
        Ok(())
    };
    match cell {
        DataRef::Empty => {
            if let Some(fm) = plain {
                ws.write_blank(r, c, fm)?;
            }
        }
        DataRef::String(s) => text(ws, s)?,
        DataRef::SharedString(s) => text(ws, s)?,
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => text(ws, s)?,
        DataRef::Error(e) => text(ws, &e.to_string())?,
        DataRef::Int(i) => {
            match plain {
                Some(fm) => ws.write_number_with_format(r, c, *i as f64, fm)?,
                None => ws.write_number(r, c, *i as f64)?,
            };
        }
        DataRef::Float(x) => {
            match plain {
                Some(fm) => ws.write_number_with_format(r, c, *x, fm)?,
                None => ws.write_number(r, c, *x)?,
            };
        }
        DataRef::Bool(b) => {
            match plain {
                Some(fm) => ws.write_boolean_with_format(r, c, *b, fm)?,
                None => ws.write_boolean(r, c, *b)?,
            };
        }
        DataRef::DateTime(d) => {
            let fm = if d.is_duration() {
                &f.duration
            } else if d.as_f64().fract() != 0.0 && mark.is_none() && !rejected {
                &f.datetime
            } else {
                dated
            };
            match serial(d).filter(|_| !d.is_duration()) {
                Some(x) if x >= 1.0 => ws.write_number_with_format(r, c, x, fm)?,
                _ => ws.write_number_with_format(r, c, d.as_f64(), fm)?,
            };
        }
    }
    Ok(())
}

/// One input file's copy, or `None` when the file has no flags.
fn copy(
    inp: &MarkInput,
    path: &str,
    sheets: &[(String, u32)],
    flags: &[&Flag],
    fmt: &Formats,
) -> anyhow::Result<Workbook> {
    let lang = inp.lang;
    let t = |k: &str| i18n::text(lang, k).to_string();
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(crate::report::ZIP_LEVEL);
    let sheet_names: HashSet<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    let mut list_name = t("sheet.marked_flags");
    while sheet_names.contains(list_name.as_str()) {
        list_name.push_str(" (gendan)");
    }

    // The first sheet: every flag of the file, linked to its cell.
    let headers = headers(
        lang,
        &[
            "col.severity",
            "col.rule",
            "col.message",
            "col.sheet",
            "col.cell",
            "col.order_id",
            "col.owner",
            "col.found_value",
        ],
    );
    let formats = crate::report::table::Formats::default();
    {
        let ws = add_sheet(&mut wb, &list_name, flags.len())?;
        let mut w = SheetWriter::new(ws, &formats);
        w.title(
            0,
            &i18n::fill(lang, "title.marked", &[("file", path)]),
            &formats.title,
        )?;
        w.title(1, &t("note.marked"), &formats.note)?;
        let rows: Vec<Vec<V>> = flags
            .iter()
            .map(|f| {
                let link =
                    if sheet_names.contains(f.sheet.as_str()) && parse_cell(&f.cell).is_some() {
                        V::Link(
                            format!("internal:'{}'!{}", f.sheet.replace('\'', "''"), f.cell),
                            f.cell.clone(),
                        )
                    } else {
                        V::text(&f.cell)
                    };
                vec![
                    V::text(i18n::text(lang, severity_key(f.severity))),
                    V::text(f.rule.as_str()),
                    V::text(&f.message),
                    V::text(&f.sheet),
                    link,
                    V::opt_text(f.order_id.clone()),
                    V::opt_text(f.owner.clone()),
                    V::opt_text(f.value.clone()),
                ]
            })
            .collect();
        w.table(3, 0, &headers, &rows, true)?;
        w.finish()?;
    }

    let mut wbk = source::Workbook::open(Path::new(path), path, inp.limits)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for (name, header_row) in sheets {
        // Flags of this sheet by cell; rejected rows.
        let mut marks: HashMap<(u32, u16), (usize, Vec<String>)> = HashMap::new();
        let mut rejected: HashSet<u32> = HashSet::new();
        for f in flags.iter().filter(|f| &f.sheet == name) {
            let Some((r, c)) = parse_cell(&f.cell) else {
                continue;
            };
            let e = marks.entry((r, c)).or_insert((0, Vec::new()));
            e.0 = e.0.max(rank(f.severity));
            e.1.push(format!("{} {}: {}", f.rule, f.rule.what(lang), f.message));
            if f.rejected {
                rejected.insert(r);
            }
        }
        let range = wbk
            .sheet(name, path, inp.limits, source::Merged::AsIs)
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let height = range.height();
        let long = height > FULL_COPY_ROWS;
        let flagged_rows: HashSet<u32> = marks.keys().map(|(r, _)| *r).collect();
        let ws = add_sheet(
            &mut wb,
            name,
            if long { LOW_MEMORY_ROWS + 1 } else { height },
        )?;
        let width = range.width();
        for (i, cells) in range.rows().enumerate() {
            let r = r0 + i as u32;
            // Long sheets: the header and the rows with flags only.
            if long && r + 1 > *header_row && !flagged_rows.contains(&r) {
                continue;
            }
            let shaded = rejected.contains(&r);
            for (j, cell) in cells.iter().enumerate().take(width) {
                let Ok(c) = u16::try_from(c0 as usize + j) else {
                    continue;
                };
                let mark = marks.get(&(r, c)).map(|m| m.0);
                put(ws, r, c, cell, fmt, mark, shaded)?;
            }
        }
        // Notes, and fills of flagged cells outside the used area (a
        // missing column's header cell, an empty required cell).
        let mut keys: Vec<&(u32, u16)> = marks.keys().collect();
        keys.sort();
        for key in keys {
            let (r, c) = *key;
            let (m, lines) = &marks[key];
            let inside = r >= r0
                && (r - r0) < height as u32
                && u32::from(c) >= c0
                && (u32::from(c) - c0) < width as u32;
            if !inside {
                ws.write_blank(r, c, &fmt.fill[*m])?;
            }
            let note = Note::new(lines.join("\n"))
                .set_author("gendan")
                .set_width(360)
                .set_height(40 + 20 * lines.len().min(10) as u32);
            ws.insert_note(r, c, &note)?;
        }
    }
    Ok(wb)
}

fn severity_key(s: Severity) -> &'static str {
    match s {
        Severity::Error => "kpi.flags_error",
        Severity::Warning => "kpi.flags_warning",
        Severity::Info => "kpi.flags_info",
    }
}

/// Writes a marked copy of every input file with flags; returns the files
/// written and, per file that could not be copied, a message (the run goes
/// on: the reports are already in place).
///
/// # Errors
/// The folder cannot be created or written.
pub fn write(inp: &MarkInput) -> anyhow::Result<(Vec<PathBuf>, Vec<String>)> {
    // Files in reading order, each with its read sheets (a file given for
    // several tables is one file).
    let mut order: Vec<&str> = Vec::new();
    let mut sheets: BTreeMap<&str, Vec<(String, u32)>> = BTreeMap::new();
    for f in inp.files {
        if !sheets.contains_key(f.path.as_str()) {
            order.push(&f.path);
        }
        let list = sheets.entry(&f.path).or_default();
        for s in &f.sheets {
            if !list.iter().any(|(n, _)| n == &s.name) {
                list.push((s.name.clone(), s.header_row));
            }
        }
    }
    let mut by_file: HashMap<&str, Vec<&Flag>> = HashMap::new();
    for f in inp.flags {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let dir = inp.out_dir.join(folder(inp.label));
    let fmt = Formats::new();
    let (mut out, mut problems) = (Vec::new(), Vec::new());
    let mut taken_stems = HashSet::new();
    let mut taken_names: HashSet<String> = HashSet::new();
    let mut written: Vec<String> = Vec::new();
    for path in order {
        let Some(flags) = by_file.get(path) else {
            continue;
        };
        if out.is_empty() {
            std::fs::create_dir_all(&dir).with_context(|| {
                format!(
                    "cannot create {} — check that the folder is writable",
                    dir.display()
                )
            })?;
        }
        let stem = Path::new(path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let base = names::safe_stem(&stem, &mut taken_stems);
        let mut name = format!("{base}-marked.xlsx");
        let mut n = 2;
        while taken_names.contains(&name.to_lowercase()) {
            name = format!("{base}-{n}-marked.xlsx");
            n += 1;
        }
        taken_names.insert(name.to_lowercase());
        let sheet_list = sheets.get(path).map(Vec::as_slice).unwrap_or(&[]);
        match copy(inp, path, sheet_list, flags, &fmt)
            .and_then(|mut wb| wb.save_to_buffer().context("saving the marked copy"))
        {
            Ok(bytes) => {
                out.push(write_atomic(&dir, &name, &bytes)?);
                written.push(name);
            }
            Err(e) => problems.push(crate::i18n::fill(
                inp.lang,
                "log.marked_failed",
                &[("file", path), ("error", &format!("{e:#}"))],
            )),
        }
    }
    // Copies an earlier run of this period wrote for files that have no
    // flags now: only those listed in the manifest.
    let manifest = dir.join(".gendan-marked-copies");
    if let Ok(old) = std::fs::read_to_string(&manifest) {
        for name in old.lines() {
            let safe = !name.is_empty() && !name.contains(['/', '\\']) && !name.starts_with('.');
            if safe && !written.iter().any(|w| w == name) {
                let _ = std::fs::remove_file(dir.join(name));
            }
        }
    }
    if dir.exists() {
        write_atomic(&dir, ".gendan-marked-copies", written.join("\n").as_bytes())?;
    }
    Ok((out, problems))
}

#[cfg(test)]
mod tests {
    use super::parse_cell;

    #[test]
    fn cells() {
        assert_eq!(parse_cell("A1"), Some((0, 0)));
        assert_eq!(parse_cell("D17"), Some((16, 3)));
        assert_eq!(parse_cell("AA2"), Some((1, 26)));
        assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell("A0"), None);
        assert_eq!(parse_cell("17"), None);
        assert_eq!(parse_cell("a1"), None);
    }
}
