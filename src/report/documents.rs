//! The customer documents (spec section 11): order confirmations and
//! open-order statements as print layouts — A4, one page wide, print area
//! and repeated header row set, page numbers in the footer, amounts in
//! currency formats. They lay out what `measure::documents` selected and
//! nothing else: no flag, owner, department, remark or cell reference.
//!
//! Text is always written as text (never a formula), dates as date cells.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::NaiveDate;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Image, Workbook,
    Worksheet, XlsxError,
};

use super::table::{clip, excel_date};
use crate::i18n::{self, Lang};
use crate::measure::documents::{Confirmation, CustomerStatus, Statement, StatementShipment};
use crate::template::CompanySection;

/// What every document needs besides its content.
pub struct DocInput<'a> {
    pub lang: Lang,
    pub company: &'a CompanySection,
    /// The logo file, resolved; `None` without one (or when unreadable).
    pub logo: Option<&'a Image>,
    pub as_of: NaiveDate,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
}

/// Loads `[company] logo`: `Err` says why it cannot be placed.
///
/// # Errors
/// The file is missing or not a PNG, JPEG, GIF or BMP image.
pub fn load_logo(path: &Path) -> Result<Image, String> {
    Image::new(path)
        .map(|i| i.set_scale_to_size(170, 64, true))
        .map_err(|e| format!("{}: {e}", path.display()))
}

struct Fmt {
    company: Format,
    text: Format,
    /// A date beside its label: `text` as yyyy-mm-dd, left-aligned.
    text_date: Format,
    small: Format,
    title: Format,
    label: Format,
    header: Format,
    header_num: Format,
    cell: Format,
    wrap: Format,
    date: Format,
    qty: Format,
    qty_frac: Format,
    centre: Format,
    bold: Format,
    note: Format,
    line: Format,
    total_label: Format,
    currency: HashMap<(String, bool, bool), Format>,
}

impl Fmt {
    fn new() -> Fmt {
        let base = Format::new().set_font_name("Calibri").set_font_size(10.5);
        let cell = base
            .clone()
            .set_border_bottom(FormatBorder::Hair)
            .set_border_bottom_color(Color::RGB(0xBFBFBF))
            .set_align(FormatAlign::Top);
        let header = base
            .clone()
            .set_bold()
            .set_background_color(Color::RGB(0xDDEBF7))
            .set_border_top(FormatBorder::Thin)
            .set_border_bottom(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        Fmt {
            company: base.clone().set_bold().set_font_size(15),
            text: base.clone(),
            text_date: base
                .clone()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Left),
            small: base.clone().set_font_color(Color::RGB(0x404040)),
            title: base
                .clone()
                .set_bold()
                .set_font_size(17)
                .set_align(FormatAlign::Center),
            label: base.clone().set_bold(),
            header_num: header.clone().set_align(FormatAlign::Right),
            header,
            wrap: cell.clone().set_text_wrap(),
            date: cell
                .clone()
                .set_num_format("yyyy-mm-dd")
                .set_align(FormatAlign::Center),
            qty: cell.clone().set_num_format("#,##0_);-#,##0_);0_)"),
            qty_frac: cell.clone().set_num_format("#,##0.00_);-#,##0.00_);0_)"),
            centre: cell.clone().set_align(FormatAlign::Center),
            cell,
            bold: base.clone().set_bold(),
            note: base
                .clone()
                .set_italic()
                .set_font_color(Color::RGB(0x7F7F7F)),
            line: base.clone().set_border_bottom(FormatBorder::Thin),
            total_label: base
                .clone()
                .set_bold()
                .set_border_top(FormatBorder::Thin)
                .set_align(FormatAlign::Right),
            currency: HashMap::new(),
        }
    }

    /// An amount (or a unit price, with up to 4 decimals) in `currency`:
    /// `USD 1,234.50`. Only the code's letters go into the format.
    fn money(&mut self, currency: Option<&str>, unit: bool, total: bool) -> &Format {
        let code: String = currency
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .take(5)
            .collect::<String>()
            .to_uppercase();
        let key = (code.clone(), unit, total);
        let base = if total {
            Format::new()
                .set_font_name("Calibri")
                .set_font_size(10.5)
                .set_bold()
                .set_border_top(FormatBorder::Thin)
                .set_border_bottom(FormatBorder::Double)
        } else {
            self.cell.clone()
        };
        self.currency.entry(key).or_insert_with(|| {
            let digits = if unit { "#,##0.00##" } else { "#,##0.00" };
            let num = if code.is_empty() {
                digits.to_string()
            } else {
                format!("\"{code} \"{digits}")
            };
            base.set_num_format(format!("{num}_);-{num}_)"))
        })
    }
}

/// Writes text as text (write_string never makes a formula).
fn text(ws: &mut Worksheet, r: u32, c: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
    ws.write_string_with_format(r, c, clip(s), f)?;
    Ok(())
}

fn opt_text(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    s: Option<&str>,
    f: &Format,
) -> Result<(), XlsxError> {
    match s {
        Some(s) => text(ws, r, c, s, f),
        None => {
            ws.write_blank(r, c, f)?;
            Ok(())
        }
    }
}

fn opt_date(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    d: Option<NaiveDate>,
    f: &Format,
) -> Result<(), XlsxError> {
    match d {
        Some(d) => {
            ws.write_datetime_with_format(r, c, &excel_date(d)?, f)?;
        }
        None => {
            ws.write_blank(r, c, f)?;
        }
    }
    Ok(())
}

/// A quantity: whole numbers without decimals, others with two.
fn opt_qty(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    x: Option<f64>,
    f: &Fmt,
    bold: bool,
) -> Result<(), XlsxError> {
    let fm = match x {
        Some(v) if v.fract() != 0.0 => &f.qty_frac,
        _ => &f.qty,
    };
    if bold {
        opt_num(ws, r, c, x, &fm.clone().set_bold())
    } else {
        opt_num(ws, r, c, x, fm)
    }
}

fn opt_num(
    ws: &mut Worksheet,
    r: u32,
    c: u16,
    x: Option<f64>,
    f: &Format,
) -> Result<(), XlsxError> {
    match x {
        Some(x) => {
            ws.write_number_with_format(r, c, x, f)?;
        }
        None => {
            ws.write_blank(r, c, f)?;
        }
    }
    Ok(())
}

/// A merged range holding text; a single cell when the range is one cell.
fn merged(
    ws: &mut Worksheet,
    r: u32,
    c1: u16,
    c2: u16,
    s: &str,
    f: &Format,
) -> Result<(), XlsxError> {
    if c1 == c2 {
        return text(ws, r, c1, s, f);
    }
    ws.merge_range(r, c1, r, c2, clip(s), f)?;
    Ok(())
}

/// Rows of about `chars` characters a wrapped text of `s` takes.
fn wrapped_rows(s: &str, chars: f64) -> u32 {
    let w = crate::report::table::display_width(s);
    ((w / chars).ceil() as u32).max(1)
}

/// The seller block at the top (name, address, phone and email) and the
/// logo at column `logo_col`; returns the next free row.
fn seller_block(
    ws: &mut Worksheet,
    d: &DocInput,
    f: &Fmt,
    last_col: u16,
    logo_col: u16,
) -> Result<u32, XlsxError> {
    let c = d.company;
    let mut r = 0;
    let left_end = logo_col.saturating_sub(1).max(1);
    if !c.name.is_empty() {
        merged(ws, r, 0, left_end, &c.name, &f.company)?;
        ws.set_row_height(r, 21)?;
        r += 1;
    }
    if !c.address.is_empty() {
        merged(ws, r, 0, left_end, &c.address, &f.small)?;
        r += 1;
    }
    let contact: Vec<String> = [("doc.phone", &c.phone), ("doc.email", &c.email)]
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{} {v}", i18n::text(d.lang, k)))
        .collect();
    if !contact.is_empty() {
        merged(ws, r, 0, left_end, &contact.join("   "), &f.small)?;
        r += 1;
    }
    if let Some(img) = d.logo {
        ws.insert_image_with_offset(0, logo_col, img, 4, 2)?;
        r = r.max(4);
    }
    // A rule under the seller block.
    for col in 0..=last_col {
        ws.write_blank(r, col, &f.line)?;
    }
    Ok(r + 2)
}

/// What the top of a document shows: its title (an i18n key) across
/// every column of `widths`, the seller's logo at `logo_col`, and in the
/// row below the title a label and its value at the left (the order
/// number, the customer) and a label beside the document's date (as_of)
/// in the last two columns.
struct Head<'a> {
    title: &'a str,
    widths: &'a [f64],
    logo_col: u16,
    reference: (&'a str, &'a str, &'a Format),
    date: (&'a str, &'a Format),
}

/// The top of a document: the sheet named after its title, the column
/// widths, the seller block, the title and the reference row below it;
/// returns the reference row.
fn page_head(ws: &mut Worksheet, d: &DocInput, f: &Fmt, h: &Head) -> Result<u32, XlsxError> {
    let title = i18n::text(d.lang, h.title);
    ws.set_name(title.chars().take(31).collect::<String>())?;
    for (i, w) in h.widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let last_col = h.widths.len().saturating_sub(1) as u16;
    let r = seller_block(ws, d, f, last_col, h.logo_col)?;
    merged(ws, r, 0, last_col, title, &f.title)?;
    ws.set_row_height(r, 26)?;
    let r = r + 2;
    let ((label, value, value_fmt), (date, date_fmt)) = (h.reference, h.date);
    text(ws, r, 0, i18n::text(d.lang, label), &f.label)?;
    text(ws, r, 1, value, value_fmt)?;
    text(ws, r, last_col - 1, i18n::text(d.lang, date), &f.label)?;
    ws.write_datetime_with_format(r, last_col, &excel_date(d.as_of)?, date_fmt)?;
    Ok(r)
}

/// A4, fit to one page wide, print area and repeated rows, page numbers.
fn print_setup(
    ws: &mut Worksheet,
    lang: Lang,
    last_row: u32,
    last_col: u16,
    repeat: Option<u32>,
    portrait: bool,
) -> Result<(), XlsxError> {
    ws.set_paper_size(9);
    if portrait {
        ws.set_portrait();
    } else {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.5, 0.5, 0.6, 0.7, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_print_area(0, 0, last_row, last_col)?;
    if let Some(r) = repeat {
        ws.set_repeat_rows(r, r)?;
    }
    ws.set_footer(format!("&C&8{}", i18n::text(lang, "doc.page")));
    ws.set_screen_gridlines(false);
    Ok(())
}

fn properties(wb: &mut Workbook, d: &DocInput, title: &str, subject: &str) {
    let created = excel_date(d.as_of)
        .unwrap_or_else(|_| ExcelDateTime::from_ymd(2000, 1, 1).expect("valid date"));
    let mut props = DocProperties::new()
        .set_title(title)
        .set_subject(subject)
        .set_creation_datetime(&created);
    if !d.company.name.is_empty() {
        props = props
            .set_author(&d.company.name)
            .set_company(&d.company.name);
    }
    wb.set_properties(&props);
}

/// One order confirmation (A4 portrait): seller, title, number and date,
/// customer, lines and totals per currency, payment terms, delivery date,
/// bank details, signature blocks.
///
/// # Errors
/// A rust_xlsxwriter failure.
pub fn confirmation(d: &DocInput, c: &Confirmation) -> Result<Workbook, XlsxError> {
    let t = |k: &str| i18n::text(d.lang, k);
    let mut f = Fmt::new();
    let mut wb = Workbook::new();
    // No. | Product | Quantity | Unit price | Amount | Currency
    let widths = [17.0, 40.0, 11.0, 15.0, 17.0, 11.0];
    let last_col = 5;
    let ws = wb.add_worksheet();
    let date = f.text.clone().set_num_format("yyyy-mm-dd");
    let head = Head {
        title: "doc.confirmation",
        widths: &widths,
        logo_col: 4,
        reference: ("doc.number", &c.order_id, &f.text),
        date: ("doc.date", &date),
    };
    let mut r = page_head(ws, d, &f, &head)? + 1;
    text(ws, r, 0, t("doc.to"), &f.label)?;
    opt_text(ws, r, 1, c.customer.as_deref(), &f.bold)?;
    r += 1;
    if let Some(x) = &c.contact {
        text(ws, r, 0, t("doc.contact"), &f.label)?;
        text(ws, r, 1, x, &f.text)?;
        r += 1;
    }
    if let Some(x) = &c.country {
        text(ws, r, 0, t("doc.country"), &f.label)?;
        text(ws, r, 1, x, &f.text)?;
        r += 1;
    }
    r += 1;
    text(ws, r, 0, t("doc.intro"), &f.text)?;
    r += 1;
    let header_row = r;
    for (i, k) in [
        "doc.no",
        "doc.product",
        "doc.quantity",
        "doc.unit_price",
        "doc.amount",
        "doc.currency",
    ]
    .iter()
    .enumerate()
    {
        let centre = f.header.clone().set_align(FormatAlign::Center);
        let fm = if (2..=4).contains(&i) {
            &f.header_num
        } else if i == 5 {
            &centre
        } else {
            &f.header
        };
        text(ws, r, i as u16, t(k), fm)?;
    }
    ws.set_row_height(r, 18)?;
    r += 1;
    for (i, l) in c.lines.iter().enumerate() {
        ws.write_number_with_format(
            r,
            0,
            (i + 1) as f64,
            &f.cell.clone().set_align(FormatAlign::Left),
        )?;
        opt_text(ws, r, 1, l.product.as_deref(), &f.wrap)?;
        if let Some(p) = &l.product {
            let n = wrapped_rows(p, widths[1] - 2.0);
            if n > 1 {
                ws.set_row_height(r, 14.5 * n as f64)?;
            }
        }
        opt_qty(ws, r, 2, l.quantity, &f, false)?;
        let cur = l.currency.as_deref();
        let unit = f.money(cur, true, false).clone();
        opt_num(ws, r, 3, l.unit_price, &unit)?;
        let amount = f.money(cur, false, false).clone();
        opt_num(ws, r, 4, l.amount, &amount)?;
        opt_text(ws, r, 5, cur, &f.centre)?;
        r += 1;
    }
    for total in &c.totals {
        text(ws, r, 3, t("doc.total"), &f.total_label)?;
        let fm = f.money(total.currency.as_deref(), false, true).clone();
        ws.write_number_with_format(r, 4, total.amount, &fm)?;
        opt_text(
            ws,
            r,
            5,
            total.currency.as_deref(),
            &f.total_label.clone().set_align(FormatAlign::Center),
        )?;
        if total.incomplete {
            merged(
                ws,
                r,
                0,
                2,
                t("doc.incomplete"),
                &f.note.clone().set_align(FormatAlign::Right),
            )?;
        }
        r += 1;
    }
    r += 1;
    let long =
        |ws: &mut Worksheet, r: &mut u32, label: &str, value: &str| -> Result<(), XlsxError> {
            text(
                ws,
                *r,
                0,
                label,
                &f.label.clone().set_align(FormatAlign::Top),
            )?;
            let wrap = f.text.clone().set_text_wrap().set_align(FormatAlign::Top);
            merged(ws, *r, 1, last_col, value, &wrap)?;
            let n = wrapped_rows(value, widths[1..].iter().sum::<f64>() - 4.0);
            if n > 1 {
                ws.set_row_height(*r, 14.5 * n as f64)?;
            }
            *r += 1;
            Ok(())
        };
    if let Some(terms) = &c.payment_terms {
        long(ws, &mut r, t("doc.terms"), terms)?;
    }
    text(ws, r, 0, t("doc.delivery"), &f.label)?;
    opt_date(ws, r, 1, c.delivery_date, &f.text_date)?;
    r += 1;
    if let Some(b) = &d.company.bank {
        r += 1;
        text(ws, r, 0, t("doc.bank"), &f.bold)?;
        r += 1;
        for (k, v) in [
            ("doc.beneficiary", &b.beneficiary),
            ("doc.bank_name", &b.bank),
            ("doc.account", &b.account),
            ("doc.swift", &b.swift),
        ] {
            if !v.is_empty() {
                long(ws, &mut r, t(k), v)?;
            }
        }
    }
    r += 2;
    // Signature blocks: buyer left (A–B), seller right (D–F).
    text(ws, r, 0, t("doc.buyer"), &f.bold)?;
    text(ws, r, 3, t("doc.seller"), &f.bold)?;
    r += 1;
    opt_text(ws, r, 0, c.customer.as_deref(), &f.text)?;
    if !d.company.name.is_empty() {
        merged(ws, r, 3, last_col, &d.company.name, &f.text)?;
    }
    r += 3;
    for col in [0u16, 1, 3, 4, 5] {
        ws.write_blank(r, col, &f.line)?;
    }
    r += 1;
    text(ws, r, 0, t("doc.sign"), &f.small)?;
    text(ws, r, 3, t("doc.sign"), &f.small)?;
    r += 2;
    for k in ["doc.sign_name", "doc.sign_date"] {
        text(ws, r, 0, t(k), &f.small)?;
        ws.write_blank(r, 1, &f.line)?;
        text(ws, r, 3, t(k), &f.small)?;
        ws.write_blank(r, 4, &f.line)?;
        ws.write_blank(r, 5, &f.line)?;
        r += 2;
    }
    text(ws, r, 0, t("doc.please_sign"), &f.note)?;
    print_setup(ws, d.lang, r, last_col, Some(header_row), true)?;
    let title = format!("{} {}", t("doc.confirmation"), c.order_id);
    properties(&mut wb, d, &title, c.customer.as_deref().unwrap_or(""));
    Ok(wb)
}

/// What an order's status says to the customer: "shipped, ETA
/// 2026-12-10, B/L COSU123".
pub fn status_words(lang: Lang, s: &CustomerStatus) -> String {
    let t = |k: &str| i18n::text(lang, k);
    let with_way = |word: &str, eta: &Option<NaiveDate>, bl: &Option<String>| {
        let mut parts = vec![word.to_string()];
        if let Some(e) = eta {
            parts.push(i18n::fill(lang, "doc.st.eta", &[("date", &e.to_string())]));
        }
        if let Some(b) = bl {
            parts.push(i18n::fill(lang, "doc.st.bl", &[("bl", b)]));
        }
        parts.join(if lang == Lang::Zh { "，" } else { ", " })
    };
    match s {
        CustomerStatus::AwaitingConfirmation => t("doc.st.awaiting").into(),
        CustomerStatus::Confirmed => t("doc.st.confirmed").into(),
        CustomerStatus::InProduction => t("doc.st.production").into(),
        CustomerStatus::ReadyToShip => t("doc.st.ready").into(),
        CustomerStatus::OnHold => t("doc.st.on_hold").into(),
        CustomerStatus::Shipped(eta, bl) => with_way(t("doc.st.shipped"), eta, bl),
        CustomerStatus::PartShipped(eta, bl) => with_way(t("doc.st.part_shipped"), eta, bl),
        CustomerStatus::Unknown => String::new(),
    }
}

/// One customer statement (A4 landscape): open order lines, goods on the
/// way, deliveries in the period.
///
/// # Errors
/// A rust_xlsxwriter failure.
pub fn statement(d: &DocInput, s: &Statement) -> Result<Workbook, XlsxError> {
    let t = |k: &str| i18n::text(d.lang, k);
    let f = Fmt::new();
    let mut wb = Workbook::new();
    let widths = [16.0, 12.0, 34.0, 11.0, 16.0, 13.0, 13.0, 36.0];
    let last_col = 7;
    let ws = wb.add_worksheet();
    let head = Head {
        title: "doc.statement",
        widths: &widths,
        logo_col: 6,
        reference: ("doc.customer", &s.customer, &f.bold),
        date: ("doc.as_of", &f.text_date),
    };
    let mut r = page_head(ws, d, &f, &head)? + 2;
    let section = |ws: &mut Worksheet, r: &mut u32, key: &str| -> Result<(), XlsxError> {
        text(ws, *r, 0, key, &f.bold.clone().set_font_size(12))?;
        *r += 1;
        Ok(())
    };
    let header = |ws: &mut Worksheet,
                  r: &mut u32,
                  keys: &[&str],
                  numeric: &[usize]|
     -> Result<u32, XlsxError> {
        for (i, k) in keys.iter().enumerate() {
            let fm = if numeric.contains(&i) {
                &f.header_num
            } else {
                &f.header
            };
            text(ws, *r, i as u16, t(k), fm)?;
        }
        for i in keys.len()..=last_col as usize {
            ws.write_blank(*r, i as u16, &f.header)?;
        }
        let row = *r;
        *r += 1;
        Ok(row)
    };
    section(ws, &mut r, t("doc.open_lines"))?;
    let mut repeat = None;
    if s.lines.is_empty() {
        text(ws, r, 0, t("doc.none_open"), &f.note)?;
        r += 1;
    } else {
        repeat = Some(header(
            ws,
            &mut r,
            &[
                "doc.order_no",
                "doc.order_date",
                "doc.product",
                "doc.ordered",
                "doc.shipped",
                "doc.to_ship",
                "doc.delivery",
                "doc.status",
            ],
            &[3, 4, 5],
        )?);
        ws.set_row_height(r - 1, 18)?;
        for l in &s.lines {
            let cell = if l.order_total {
                f.cell.clone().set_bold()
            } else {
                f.cell.clone()
            };
            let wrap = cell.clone().set_text_wrap();
            if l.order_total {
                text(ws, r, 0, &l.order_id, &cell)?;
                ws.write_blank(r, 1, &cell)?;
                text(ws, r, 2, t("doc.order_total"), &cell)?;
            } else {
                text(ws, r, 0, &l.order_id, &cell)?;
                opt_date(ws, r, 1, l.order_date, &f.date)?;
                opt_text(ws, r, 2, l.product.as_deref(), &wrap)?;
            }
            opt_qty(ws, r, 3, l.ordered, &f, l.order_total)?;
            opt_qty(ws, r, 4, l.shipped, &f, l.order_total)?;
            opt_qty(ws, r, 5, l.to_ship, &f, l.order_total)?;
            opt_date(ws, r, 6, l.delivery_date, &f.date)?;
            let words = l.status.as_ref().map(|st| status_words(d.lang, st));
            opt_text(ws, r, 7, words.as_deref().filter(|w| !w.is_empty()), &wrap)?;
            let n = wrapped_rows(l.product.as_deref().unwrap_or(""), widths[2] - 2.0).max(
                wrapped_rows(words.as_deref().unwrap_or(""), widths[7] - 2.0),
            );
            if n > 1 {
                ws.set_row_height(r, 14.5 * n as f64)?;
            }
            r += 1;
        }
    }
    r += 1;
    // A section of shipments: its heading, then the rows under a header
    // whose last column is `last` (ETA or delivered date), or `none`.
    let shipments = |ws: &mut Worksheet,
                     r: &mut u32,
                     heading: &str,
                     rows: &[StatementShipment],
                     last: &str,
                     none: &str|
     -> Result<(), XlsxError> {
        section(ws, r, heading)?;
        if rows.is_empty() {
            text(ws, *r, 0, t(none), &f.note)?;
            *r += 1;
        } else {
            header(
                ws,
                r,
                &[
                    "doc.order_no",
                    "doc.ship_date",
                    "doc.carrier",
                    "doc.quantity",
                    "doc.bl",
                    last,
                ],
                &[3],
            )?;
            for x in rows {
                opt_text(ws, *r, 0, x.order_id.as_deref(), &f.cell)?;
                opt_date(ws, *r, 1, x.ship_date, &f.date)?;
                opt_text(ws, *r, 2, x.carrier.as_deref(), &f.cell)?;
                opt_qty(ws, *r, 3, x.quantity, &f, false)?;
                opt_text(ws, *r, 4, x.bl.as_deref(), &f.cell)?;
                let when = if last == "doc.eta" {
                    x.eta
                } else {
                    x.delivered
                };
                opt_date(ws, *r, 5, when, &f.date)?;
                *r += 1;
            }
        }
        *r += 1;
        Ok(())
    };
    shipments(
        ws,
        &mut r,
        t("doc.on_the_way"),
        &s.on_the_way,
        "doc.eta",
        "doc.none_on_the_way",
    )?;
    let delivered = i18n::fill(
        d.lang,
        "doc.delivered",
        &[
            ("start", &d.period_start.to_string()),
            ("end", &d.period_end.to_string()),
        ],
    );
    shipments(
        ws,
        &mut r,
        &delivered,
        &s.delivered,
        "doc.delivered_date",
        "doc.none_delivered",
    )?;
    text(ws, r, 0, t("doc.questions"), &f.note)?;
    print_setup(ws, d.lang, r, last_col, repeat, false)?;
    let title = format!("{} — {}", t("doc.statement"), s.customer);
    properties(&mut wb, d, &title, &d.as_of.to_string());
    Ok(wb)
}

/// Saves `wb` as `dir/name` atomically (creating `dir`).
///
/// # Errors
/// The folder cannot be made or written.
pub fn save(mut wb: Workbook, dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder {} — check --out", dir.display()))?;
    wb.set_zip_compression_level(super::ZIP_LEVEL);
    let bytes = wb
        .save_to_buffer()
        .with_context(|| format!("building {name}"))?;
    super::write_atomic(dir, name, &bytes)
}
