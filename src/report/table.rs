//! Writing tables into worksheets the same way everywhere: bold frozen
//! header, autofilter, fitted column widths, real date cells, percentages
//! as numbers with a percent format, and text always written as text (a
//! value beginning with `=`, `+`, `-` or `@` never becomes a formula).
//!
//! Paper: a table's columns carry a wrap format (text wraps, cells sit at
//! the top of their row), set once per column so that no cell pays for it;
//! text columns are at most [`MAX_TEXT_WIDTH`] characters wide, and narrower
//! still when the sheet would otherwise print one page wide on A4 landscape
//! below [`MIN_PRINT_SCALE`]. Numbers and dates keep their fitted widths.

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;
use rust_xlsxwriter::{
    Color, ConditionalFormatFormula, ExcelDateTime, Format, FormatAlign, FormatBorder, Url,
    Worksheet, XlsxError,
};

use crate::frame::{bools, days_to_date, floats, ints, strs};

/// One cell's value.
#[derive(Clone, Debug, PartialEq)]
pub enum V {
    Empty,
    Text(String),
    Num(f64),
    /// A number shown with one decimal (days).
    Days(f64),
    /// A quantity, shown with thousands separators and no decimals.
    Qty(f64),
    Int(i64),
    Date(NaiveDate),
    /// A fraction shown as a percentage.
    Pct(f64),
    /// A hyperlink: (url, shown text).
    Link(String, String),
    /// A number as it was read, in Excel's General format.
    General(f64),
}

impl V {
    pub fn text(s: impl Into<String>) -> V {
        V::Text(s.into())
    }
    pub fn opt_text(s: Option<String>) -> V {
        s.map(V::Text).unwrap_or(V::Empty)
    }
    pub fn opt_pct(x: Option<f64>) -> V {
        x.map(V::Pct).unwrap_or(V::Empty)
    }
    pub fn opt_days(x: Option<f64>) -> V {
        x.map(V::Days).unwrap_or(V::Empty)
    }
    pub fn opt_int(x: Option<i64>) -> V {
        x.map(V::Int).unwrap_or(V::Empty)
    }
    pub fn opt_date(x: Option<i64>) -> V {
        x.map(|d| V::Date(days_to_date(d as i32)))
            .unwrap_or(V::Empty)
    }

    fn width(&self) -> f64 {
        let text = match self {
            V::Empty => return 0.0,
            V::Text(s) | V::Link(_, s) => return display_width(s),
            V::Num(x) => format!("{x:.2}"),
            V::General(x) => x.to_string(),
            V::Days(x) => format!("{x:.1}"),
            V::Qty(x) => format!("{x:.0},"),
            V::Int(i) => i.to_string(),
            V::Date(_) => "2026-11-30".into(),
            V::Pct(_) => "100.0%".into(),
        };
        display_width(&text)
    }
}

/// A date as Excel's date (years outside 1900–9999 clamped).
///
/// # Errors
/// Never for a clamped year; rust_xlsxwriter's check.
pub fn excel_date(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(
        d.year().clamp(1900, 9999) as u16,
        d.month() as u8,
        d.day() as u8,
    )
}

/// Display width: CJK and full-width characters count double.
pub fn display_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if (c as u32) >= 0x2E80 { 2.0 } else { 1.0 })
        .sum()
}

/// The formats a report uses, made once per workbook. Number and date
/// formats end in `_)`, a space the width of ")": a right-aligned number
/// never runs into the left-aligned text of the next column ("95Acme").
pub struct Formats {
    pub header: Format,
    pub title: Format,
    pub subtitle: Format,
    pub date: Format,
    pub pct: Format,
    pub int: Format,
    pub num: Format,
    pub qty: Format,
    pub days: Format,
    pub link: Format,
    pub missed: Format,
    pub missed_pct: Format,
    pub met_pct: Format,
    pub overdue: Format,
    pub bold: Format,
    pub note: Format,
    /// The column format of a table's columns: text wraps, at the top.
    pub wrap: Format,
}

impl Default for Formats {
    fn default() -> Self {
        let base = Format::new().set_font_name("Calibri").set_font_size(11);
        // Data cells sit at the top of their row: a row grows when one of
        // its texts wraps, and its other cells stay level with that text's
        // first line.
        let cell = base.clone().set_align(FormatAlign::Top);
        let link = cell
            .clone()
            .set_text_wrap()
            .set_font_color(Color::RGB(0x0563C1))
            .set_underline(rust_xlsxwriter::FormatUnderline::Single);
        Formats {
            header: base
                .clone()
                .set_bold()
                .set_background_color(Color::RGB(0x1F4E79))
                .set_font_color(Color::White)
                .set_border_bottom(FormatBorder::Thin)
                .set_text_wrap(),
            title: base.clone().set_bold().set_font_size(16),
            subtitle: base.clone().set_font_color(Color::RGB(0x595959)),
            date: cell.clone().set_num_format("yyyy-mm-dd_)"),
            pct: cell.clone().set_num_format("0.0%_)"),
            int: cell.clone().set_num_format("#,##0_)"),
            num: cell.clone().set_num_format("#,##0.00_)"),
            qty: cell.clone().set_num_format("#,##0_)"),
            days: cell.clone().set_num_format("0.0_)"),
            link,
            missed: base
                .clone()
                .set_background_color(Color::RGB(0xF8CBAD))
                .set_bold(),
            missed_pct: cell
                .clone()
                .set_num_format("0.0%_)")
                .set_background_color(Color::RGB(0xF8CBAD))
                .set_bold(),
            met_pct: cell
                .clone()
                .set_num_format("0.0%_)")
                .set_background_color(Color::RGB(0xC6EFCE)),
            overdue: Format::new()
                .set_background_color(Color::RGB(0xFCE4D6))
                .set_font_color(Color::RGB(0x9C0006)),
            bold: base.clone().set_bold(),
            note: base.set_italic().set_font_color(Color::RGB(0x7F7F7F)),
            wrap: cell.set_text_wrap(),
        }
    }
}

/// A worksheet being filled, tracking column widths to fit at the end.
pub struct SheetWriter<'a> {
    pub ws: &'a mut Worksheet,
    pub f: &'a Formats,
    /// Per column, the widest text and the widest number or date.
    widths: Vec<(f64, f64)>,
    links: usize,
    /// The main table's header row, repeated on every printed page.
    header_row: Option<u32>,
}

/// Excel opens at most 65,530 hyperlinks per worksheet; later links are
/// written as plain text.
pub const MAX_LINKS: usize = 65_530;

impl<'a> SheetWriter<'a> {
    pub fn new(ws: &'a mut Worksheet, f: &'a Formats) -> Self {
        SheetWriter {
            ws,
            f,
            widths: Vec::new(),
            links: 0,
            header_row: None,
        }
    }

    fn note_width(&mut self, col: u16, w: f64, text: bool) {
        let c = col as usize;
        if self.widths.len() <= c {
            self.widths.resize(c + 1, (0.0, 0.0));
        }
        let (t, n) = &mut self.widths[c];
        if text {
            *t = t.max(w);
        } else {
            *n = n.max(w);
        }
    }

    /// Gives a table's columns the wrap format before its rows are written
    /// (a low-memory worksheet writes rows out as it goes): every cell
    /// written without a format of its own takes it when the file is saved.
    fn wrap_columns(&mut self, left: u16, n: usize) -> Result<(), XlsxError> {
        for c in left..left + n as u16 {
            self.ws.set_column_format(c, &self.f.wrap)?;
        }
        Ok(())
    }

    /// Writes one value with its format (`fmt` overrides the default).
    pub fn put(
        &mut self,
        row: u32,
        col: u16,
        v: &V,
        fmt: Option<&Format>,
    ) -> Result<(), XlsxError> {
        let f = self.f;
        match v {
            V::Empty => {
                if let Some(fm) = fmt {
                    self.ws.write_blank(row, col, fm)?;
                }
            }
            V::Text(s) => {
                // write_string never makes a formula, whatever the text.
                let s = clip(s);
                match fmt {
                    Some(fm) => self.ws.write_string_with_format(row, col, s, fm)?,
                    None => self.ws.write_string(row, col, s)?,
                };
            }
            V::Num(x) => {
                self.ws
                    .write_number_with_format(row, col, *x, fmt.unwrap_or(&f.num))?;
            }
            V::General(x) => {
                match fmt {
                    Some(fm) => self.ws.write_number_with_format(row, col, *x, fm)?,
                    None => self.ws.write_number(row, col, *x)?,
                };
            }
            V::Days(x) => {
                self.ws
                    .write_number_with_format(row, col, *x, fmt.unwrap_or(&f.days))?;
            }
            V::Qty(x) => {
                self.ws
                    .write_number_with_format(row, col, *x, fmt.unwrap_or(&f.qty))?;
            }
            V::Int(i) => {
                self.ws
                    .write_number_with_format(row, col, *i as f64, fmt.unwrap_or(&f.int))?;
            }
            V::Pct(x) => {
                self.ws
                    .write_number_with_format(row, col, *x, fmt.unwrap_or(&f.pct))?;
            }
            V::Date(d) => {
                let dt = excel_date(*d)?;
                self.ws
                    .write_datetime_with_format(row, col, &dt, fmt.unwrap_or(&f.date))?;
            }
            V::Link(_, text) if self.links >= MAX_LINKS => {
                self.ws.write_string(row, col, clip(text))?;
            }
            V::Link(url, text) => {
                self.links += 1;
                let link = Url::new(url.as_str()).set_text(clip(text));
                self.ws
                    .write_url_with_format(row, col, link, fmt.unwrap_or(&f.link))?;
            }
        }
        let text = matches!(v, V::Text(_) | V::Link(..));
        self.note_width(col, v.width(), text);
        Ok(())
    }

    /// A title line (not counted in column widths).
    pub fn title(&mut self, row: u32, text: &str, fmt: &Format) -> Result<(), XlsxError> {
        self.ws.write_string_with_format(row, 0, text, fmt)?;
        Ok(())
    }

    /// Writes a table with its header at `top`; returns the row after it.
    /// The header is bold; with `main`, the rows above and the header are
    /// frozen and the table gets the sheet's autofilter.
    pub fn table(
        &mut self,
        top: u32,
        left: u16,
        headers: &[String],
        rows: &[Vec<V>],
        main: bool,
    ) -> Result<u32, XlsxError> {
        self.tables(&[Block {
            top,
            left,
            headers,
            rows,
            main,
        }])?;
        Ok(top + rows.len() as u32 + 1)
    }

    /// Colours the rows of a table of `cols` columns with its header on
    /// sheet row 3 (its `rows` rows from row 4) where `rule` holds.
    pub fn highlight(&mut self, rows: usize, cols: usize, rule: &str) -> Result<(), XlsxError> {
        if rows == 0 || cols == 0 {
            return Ok(());
        }
        let cf = ConditionalFormatFormula::new()
            .set_rule(rule)
            .set_format(&self.f.overdue);
        self.ws
            .add_conditional_format(3, 0, 2 + rows as u32, cols as u16 - 1, &cf)?;
        Ok(())
    }

    /// Writes tables side by side, one sheet row at a time: a low-memory
    /// worksheet drops any cell written to a row above the last one
    /// written, so a summary beside a long table must be written with it.
    pub fn tables(&mut self, blocks: &[Block]) -> Result<(), XlsxError> {
        self.tables_styled(blocks, |_, _, _| None)
    }

    /// As [`SheetWriter::tables`], each cell in the format `style(block,
    /// row, column)` gives (else its value's own).
    pub fn tables_styled<'s>(
        &mut self,
        blocks: &[Block],
        style: impl Fn(usize, usize, usize) -> Option<&'s Format>,
    ) -> Result<(), XlsxError> {
        let (Some(first), Some(last)) = (
            blocks.iter().map(|b| b.top).min(),
            blocks.iter().map(|b| b.top + b.rows.len() as u32).max(),
        ) else {
            return Ok(());
        };
        for b in blocks {
            self.wrap_columns(b.left, b.headers.len())?;
            for (i, h) in b.headers.iter().enumerate() {
                self.note_width(b.left + i as u16, display_width(h).min(HEADER_WIDTH), true);
            }
            for row in b.rows {
                for (i, v) in row.iter().enumerate() {
                    let text = matches!(v, V::Text(_) | V::Link(..));
                    self.note_width(b.left + i as u16, v.width(), text);
                }
            }
        }
        // The widths the columns will have, so that each row is as tall as
        // its wrapped text (LibreOffice keeps the default height otherwise).
        let widths = column_widths(&self.widths);
        let hf = self.f.header.clone();
        for r in first..=last {
            let lines = blocks
                .iter()
                .filter_map(|b| {
                    if r == b.top {
                        return Some(header_lines(b.left, b.headers, &widths));
                    }
                    let row = r.checked_sub(b.top + 1)?;
                    Some(row_lines(b.left, b.rows.get(row as usize)?, &widths))
                })
                .max()
                .unwrap_or(1);
            if lines > 1 {
                self.ws.set_row_height(r, LINE_HEIGHT * lines as f64)?;
            }
            for (k, b) in blocks.iter().enumerate() {
                if r == b.top {
                    for (i, h) in b.headers.iter().enumerate() {
                        let c = b.left + i as u16;
                        self.ws.write_string_with_format(r, c, h, &hf)?;
                        self.note_width(c, display_width(h).min(HEADER_WIDTH), true);
                    }
                } else if let Some((j, row)) = r
                    .checked_sub(b.top + 1)
                    .and_then(|i| Some((i as usize, b.rows.get(i as usize)?)))
                {
                    for (i, v) in row.iter().enumerate() {
                        self.put(r, b.left + i as u16, v, style(k, j, i))?;
                    }
                }
            }
        }
        for b in blocks.iter().filter(|b| b.main) {
            let end = b.top + b.rows.len() as u32;
            self.ws.set_freeze_panes(b.top + 1, 0)?;
            self.header_row = Some(b.top);
            if !b.headers.is_empty() {
                self.ws
                    .autofilter(b.top, b.left, end, b.left + b.headers.len() as u16 - 1)?;
            }
        }
        Ok(())
    }

    /// Writes a detail table of `n` rows made one at a time by `row`,
    /// header at `top`; past [`MAX_SHEET_ROWS`] only the first rows are
    /// written, under a note naming the CSV that holds them all (written by
    /// the caller). Returns whether the table was capped.
    pub fn long_table(
        &mut self,
        top: u32,
        headers: &[String],
        n: usize,
        row: &dyn Fn(usize) -> Vec<V>,
        note: &str,
    ) -> Result<bool, XlsxError> {
        let capped = n > MAX_SHEET_ROWS;
        if capped {
            let nf = self.f.note.clone();
            self.ws
                .write_string_with_format(top.saturating_sub(1), 0, note, &nf)?;
        }
        self.wrap_columns(0, headers.len())?;
        for (i, h) in headers.iter().enumerate() {
            self.note_width(i as u16, display_width(h).min(HEADER_WIDTH), true);
        }
        let shown = n.min(MAX_SHEET_ROWS);
        // Rows are made once and kept until the widths are known, so each
        // row can be given the height of its wrapped text.
        let mut rows: Vec<Vec<V>> = Vec::with_capacity(shown);
        for r in 0..shown {
            let cells = row(r);
            for (c, v) in cells.iter().enumerate() {
                let text = matches!(v, V::Text(_) | V::Link(..));
                self.note_width(c as u16, v.width(), text);
            }
            rows.push(cells);
        }
        let widths = column_widths(&self.widths);
        let hf = self.f.header.clone();
        let lines = header_lines(0, headers, &widths);
        if lines > 1 {
            self.ws.set_row_height(top, LINE_HEIGHT * lines as f64)?;
        }
        for (i, h) in headers.iter().enumerate() {
            self.ws.write_string_with_format(top, i as u16, h, &hf)?;
        }
        for (r, cells) in rows.iter().enumerate() {
            let at = top + 1 + r as u32;
            let lines = row_lines(0, cells, &widths);
            if lines > 1 {
                self.ws.set_row_height(at, LINE_HEIGHT * lines as f64)?;
            }
            for (c, v) in cells.iter().enumerate() {
                self.put(at, c as u16, v, None)?;
            }
        }
        self.ws.set_freeze_panes(top + 1, 0)?;
        self.header_row = Some(top);
        if !headers.is_empty() {
            self.ws
                .autofilter(top, 0, top + shown.max(1) as u32, headers.len() as u16 - 1)?;
        }
        Ok(capped)
    }

    /// Sets the fitted column widths (text columns at most
    /// [`MAX_TEXT_WIDTH`]) and a landscape, one-page-wide print layout with
    /// the header row repeated on every page.
    pub fn finish(self) -> Result<(), XlsxError> {
        self.ws.set_landscape();
        self.ws.set_paper_size(9); // A4
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
        if let Some(h) = self.header_row {
            self.ws.set_repeat_rows(h, h)?;
        }
        for (c, w) in column_widths(&self.widths).into_iter().enumerate() {
            self.ws.set_column_width(c as u16, w)?;
        }
        Ok(())
    }
}

/// A table for [`SheetWriter::tables`]: its header row `top`, first column
/// `left`; `main` freezes the rows above it and gives it the autofilter.
pub struct Block<'a> {
    pub top: u32,
    pub left: u16,
    pub headers: &'a [String],
    pub rows: &'a [Vec<V>],
    pub main: bool,
}

/// The widest a column's text may make it, in characters (CJK count
/// double); a longer text wraps. Numbers and dates are never this wide, so
/// their columns keep their fitted widths.
pub const MAX_TEXT_WIDTH: f64 = 50.0;

/// The height of one line of text in a row, in points (Excel's default
/// row height for Calibri 11).
const LINE_HEIGHT: f64 = 15.0;

/// A row is made at most this many lines tall; longer text is cut on
/// paper (the cell still holds all of it).
const MAX_ROW_LINES: usize = 6;

/// How many lines the tallest wrapped text of `row` (its first cell in
/// column `left`) takes in columns of `widths`.
fn row_lines(left: u16, row: &[V], widths: &[f64]) -> usize {
    row.iter()
        .enumerate()
        .filter(|(_, v)| matches!(v, V::Text(_) | V::Link(..)))
        .map(|(i, v)| {
            let w = widths
                .get(left as usize + i)
                .copied()
                .unwrap_or(MAX_TEXT_WIDTH);
            // A column of `w` holds about `w - 1` characters of text.
            let room = (w - 1.0).max(1.0);
            (v.width() / room).ceil().max(1.0) as usize
        })
        .max()
        .unwrap_or(1)
        .min(MAX_ROW_LINES)
}

/// How many lines the longest header of a table takes.
fn header_lines(left: u16, headers: &[String], widths: &[f64]) -> usize {
    headers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let w = widths
                .get(left as usize + i)
                .copied()
                .unwrap_or(MAX_TEXT_WIDTH);
            (display_width(h) / (w - 1.0).max(1.0)).ceil().max(1.0) as usize
        })
        .max()
        .unwrap_or(1)
        .min(MAX_ROW_LINES)
}

/// A header counts at most this wide (it wraps in its cell).
const HEADER_WIDTH: f64 = 16.0;

/// Text columns are narrowed, down to [`MIN_TEXT_WIDTH`], until the sheet
/// prints one page wide on A4 landscape at least this large.
pub const MIN_PRINT_SCALE: f64 = 0.65;

/// The narrowest a text column is made to save paper.
const MIN_TEXT_WIDTH: f64 = 10.0;

/// A4 landscape between the margins `finish` sets (11.69 in − 2 × 0.4 in),
/// in pixels at 96 dpi, as Excel and LibreOffice lay columns out.
const PAGE_PX: f64 = (11.69 - 0.8) * 96.0;

/// A column of `w` characters in pixels (Calibri 11: 7 per character and
/// 5 of padding).
fn column_px(w: f64) -> f64 {
    (w * 7.0 + 5.0).floor()
}

/// The widths of a sheet's columns from their widest text and number: a
/// text column fits its text up to [`MAX_TEXT_WIDTH`]; when the sheet is
/// then too wide for [`MIN_PRINT_SCALE`], the widest text columns share
/// one lower cap (not below [`MIN_TEXT_WIDTH`], nor below the column's
/// numbers).
fn column_widths(widths: &[(f64, f64)]) -> Vec<f64> {
    let fit = |cap: f64| -> Vec<f64> {
        widths
            .iter()
            .map(|&(t, n)| (t.min(cap).max(n) + 2.0).clamp(6.0, MAX_TEXT_WIDTH + 2.0))
            .collect()
    };
    let total = |ws: &[f64]| ws.iter().map(|&w| column_px(w)).sum::<f64>();
    let budget = PAGE_PX / MIN_PRINT_SCALE;
    let mut cap = MAX_TEXT_WIDTH;
    let mut ws = fit(cap);
    while total(&ws) > budget && cap > MIN_TEXT_WIDTH {
        cap -= 1.0;
        ws = fit(cap);
    }
    ws
}

/// Detail sheets show at most this many rows; the full list goes to a CSV
/// file beside the workbook.
pub const MAX_SHEET_ROWS: usize = 100_000;

/// Sheets longer than this are written in rust_xlsxwriter's low-memory
/// mode (rows must then be written in order).
pub const LOW_MEMORY_ROWS: usize = 20_000;

/// Adds a worksheet, in low-memory mode when it will hold many rows.
pub fn add_sheet<'w>(
    wb: &'w mut rust_xlsxwriter::Workbook,
    name: &str,
    rows: usize,
) -> Result<&'w mut Worksheet, XlsxError> {
    let ws = if rows > LOW_MEMORY_ROWS {
        wb.add_worksheet_with_low_memory()?
    } else {
        wb.add_worksheet()
    };
    ws.set_name(name)
}

/// A cell as CSV text: dates as `YYYY-MM-DD`, fractions as numbers.
/// Text that Excel would run as a formula when it opens the CSV (`=`, `+`,
/// `-`, `@`, tab, carriage return first) gets a leading `'`, so it shows as
/// typed and never runs (OWASP's advice for CSV injection).
pub fn csv_text(v: &V) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    match v {
        V::Empty => Cow::Borrowed(""),
        V::Text(s) | V::Link(_, s) if s.starts_with(['=', '+', '-', '@', '\t', '\r']) => {
            Cow::Owned(format!("'{s}"))
        }
        V::Text(s) | V::Link(_, s) => Cow::Borrowed(s),
        V::Num(x) | V::Days(x) | V::Qty(x) | V::Pct(x) | V::General(x) => Cow::Owned(x.to_string()),
        V::Int(i) => Cow::Owned(i.to_string()),
        V::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
    }
}

/// Excel's cell limit is 32,767 characters; longer text is cut there.
pub fn clip(s: &str) -> &str {
    if s.len() <= 32_767 {
        return s; // no more characters than bytes
    }
    match s.char_indices().nth(32_767) {
        Some((end, _)) => &s[..end],
        None => s,
    }
}

/// Reads a frame column into cells of one kind.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Text,
    Int,
    Num,
    Qty,
    Days,
    Pct,
    Date,
}

pub fn column(df: &DataFrame, name: &str, kind: Kind) -> PolarsResult<Vec<V>> {
    Ok(match kind {
        Kind::Text => strs(df, name)?.into_iter().map(V::opt_text).collect(),
        Kind::Int => ints(df, name)?.into_iter().map(V::opt_int).collect(),
        Kind::Num => floats(df, name)?
            .into_iter()
            .map(|x| x.map(V::Num).unwrap_or(V::Empty))
            .collect(),
        Kind::Qty => floats(df, name)?
            .into_iter()
            .map(|x| x.map(V::Qty).unwrap_or(V::Empty))
            .collect(),
        Kind::Days => floats(df, name)?.into_iter().map(V::opt_days).collect(),
        Kind::Pct => floats(df, name)?.into_iter().map(V::opt_pct).collect(),
        Kind::Date => ints(df, name)?.into_iter().map(V::opt_date).collect(),
    })
}

/// A yes/no column in the report language.
pub fn yes_no(df: &DataFrame, name: &str, yes: &str, no: &str) -> PolarsResult<Vec<V>> {
    Ok(bools(df, name)?
        .into_iter()
        .map(|b| match b {
            Some(true) => V::text(yes),
            Some(false) => V::text(no),
            None => V::Empty,
        })
        .collect())
}

/// A table's headers and its rows.
pub type Table = (Vec<String>, Vec<Vec<V>>);

/// Headers in the run's language, from their i18n keys.
pub fn headers(lang: crate::i18n::Lang, keys: &[&str]) -> Vec<String> {
    keys.iter()
        .map(|k| crate::i18n::text(lang, k).to_string())
        .collect()
}

/// A table given column by column, each column's header (an i18n key)
/// beside its cells: the headers in the run's language and the rows.
pub fn spec_table(lang: crate::i18n::Lang, cols: Vec<(&str, Vec<V>)>) -> Table {
    named_table(
        cols.into_iter()
            .map(|(k, c)| (crate::i18n::text(lang, k).to_string(), c))
            .collect(),
    )
}

/// As [`spec_table`], with each header already written out (a header
/// filled with a number).
pub fn named_table(cols: Vec<(String, Vec<V>)>) -> Table {
    let headers = cols.iter().map(|(h, _)| h.clone()).collect();
    (headers, rows_of(cols.into_iter().map(|(_, c)| c).collect()))
}

/// Columns side by side into rows.
pub fn rows_of(cols: Vec<Vec<V>>) -> Vec<Vec<V>> {
    let n = cols.first().map(|c| c.len()).unwrap_or(0);
    let mut rows: Vec<Vec<V>> = (0..n).map(|_| Vec::with_capacity(cols.len())).collect();
    for c in cols {
        for (r, v) in c.into_iter().enumerate() {
            if let Some(row) = rows.get_mut(r) {
                row.push(v);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_never_start_a_formula() {
        for (input, out) in [
            ("=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),
            ("+1+1", "'+1+1"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("PO-1", "PO-1"),
            ("", ""),
        ] {
            assert_eq!(csv_text(&V::text(input)), out);
        }
        assert_eq!(csv_text(&V::Num(-2.5)), "-2.5");
    }

    #[test]
    fn wide_sheets_narrow_their_text_columns_to_print_readably() {
        // Three short columns, a date, and four long texts.
        let mut cols = vec![(8.0, 0.0), (4.0, 0.0), (10.0, 0.0), (0.0, 10.0)];
        cols.extend([(300.0, 0.0), (120.0, 0.0), (45.0, 0.0), (60.0, 12.0)]);
        let w = column_widths(&cols);
        let px: f64 = w.iter().map(|&x| column_px(x)).sum();
        assert!(PAGE_PX / px >= MIN_PRINT_SCALE, "{w:?}");
        assert_eq!(
            &w[..4],
            &[10.0, 6.0, 12.0, 12.0],
            "short and number columns fit"
        );
        assert!(w[4] < MAX_TEXT_WIDTH + 2.0 && w[4] >= MIN_TEXT_WIDTH + 2.0);
        assert!(w[7] >= 14.0, "the numbers of a column keep their width");
        // A narrow sheet keeps its text up to the cap.
        assert_eq!(column_widths(&[(70.0, 0.0), (20.0, 0.0)]), vec![52.0, 22.0]);
    }
}
