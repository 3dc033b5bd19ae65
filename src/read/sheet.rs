//! One sheet's cells into typed rows: header detection, blank and totals
//! rows, every value form of spec section 3, and the V01–V06 flags, each
//! naming its cell. Accepted rows go into a [`TableBuilder`]; rejected rows
//! become their V01 flag with the row's cells.

use std::borrow::Cow;
use std::collections::HashMap;

use calamine::{DataRef, Range};
use chrono::{Datelike, NaiveDate};
use polars::prelude::StringChunkedBuilder;

use super::fields::{self, DateRole, EnumKind, FieldDef, Kind};
use super::values::{self, DateError, WordMatcher};
use crate::flags::{cell_ref, col_letters, Flag, Policy, RuleId, Severity, Table};
use crate::i18n::{self, Lang};
use crate::template::{DateOrder, Template};

/// Days since 1970-01-01, the way polars stores a `Date`.
pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// The inverse of [`date_to_days`].
pub fn days_to_date(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default()
}

/// Everything reading needs besides the cells: language, report date,
/// policy, the header alias tables and the word matchers.
pub struct ReadContext {
    pub lang: Lang,
    pub limits: crate::template::LimitsSection,
    pub as_of: NaiveDate,
    pub date_order: DateOrder,
    pub policy: Policy,
    aliases: HashMap<Table, HashMap<String, usize>>,
    alias_lists: HashMap<Table, Vec<Vec<String>>>,
    matchers: HashMap<EnumKind, WordMatcher>,
}

impl ReadContext {
    pub fn new(t: &Template, lang: Lang, as_of: NaiveDate) -> Self {
        let mut aliases = HashMap::new();
        let mut alias_lists = HashMap::new();
        for table in Table::ALL {
            let extra = match table {
                Table::Orders => &t.file.columns.orders,
                Table::Shipments => &t.file.columns.shipments,
                Table::Feedback => &t.file.columns.feedback,
            };
            let mut map = HashMap::new();
            let mut lists = Vec::new();
            for (i, def) in fields::fields(table).iter().enumerate() {
                let mut list: Vec<String> = def.aliases.iter().map(|s| s.to_string()).collect();
                if let Some(more) = extra.get(def.name) {
                    list.extend(more.iter().cloned());
                }
                map.insert(values::norm_header(def.name), i);
                for a in &list {
                    map.insert(values::norm_header(a), i);
                }
                lists.push(list);
            }
            aliases.insert(table, map);
            alias_lists.insert(table, lists);
        }
        let matchers = EnumKind::ALL
            .iter()
            .map(|k| (*k, WordMatcher::new(*k, &t.file.values)))
            .collect();
        ReadContext {
            lang,
            limits: t.file.limits.clone(),
            as_of,
            date_order: t.file.report.date_order,
            policy: t.policy(),
            aliases,
            alias_lists,
            matchers,
        }
    }

    fn field_for(&self, table: Table, header: &str) -> Option<usize> {
        let n = values::norm_header(header);
        if n.is_empty() {
            return None;
        }
        self.aliases.get(&table).and_then(|m| m.get(&n)).copied()
    }

    fn aliases_of(&self, table: Table, field: usize) -> String {
        self.alias_lists
            .get(&table)
            .and_then(|l| l.get(field))
            .map(|l| l.join(", "))
            .unwrap_or_default()
    }
}

/// A typed cell value; text borrows the cell when it needs no cleaning.
#[derive(Clone, Debug, PartialEq)]
pub enum Val<'a> {
    Null,
    Text(Cow<'a, str>),
    Num(f64),
    Int(i64),
    Date(i32),
}

/// One field's polars column under construction.
pub enum Column {
    Text(StringChunkedBuilder),
    Num(Vec<Option<f64>>),
    Int(Vec<Option<i64>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
}

impl Column {
    fn of(def: &FieldDef) -> Column {
        match def.kind {
            Kind::Text | Kind::Enum(_) => {
                Column::Text(StringChunkedBuilder::new(def.name.into(), 0))
            }
            Kind::Quantity | Kind::NonNegative => Column::Num(Vec::new()),
            Kind::Whole(..) => Column::Int(Vec::new()),
            Kind::Date => Column::Date(Vec::new()),
        }
    }

    fn push(&mut self, v: &Val) {
        match (self, v) {
            (Column::Text(b), Val::Text(s)) => b.append_value(s.as_ref()),
            (Column::Text(b), _) => b.append_null(),
            (Column::Num(c), Val::Num(x)) => c.push(Some(*x)),
            (Column::Num(c), _) => c.push(None),
            (Column::Int(c), Val::Int(x)) => c.push(Some(*x)),
            (Column::Int(c), _) => c.push(None),
            (Column::Date(c), Val::Date(x)) => c.push(Some(*x)),
            (Column::Date(c), _) => c.push(None),
        }
    }
}

/// The normalised key columns a table gets: (field, column name).
pub const KEY_COLUMNS: [(&str, &str); 2] =
    [("order_id", "order_key"), ("customer", "customer_key")];

/// The columns of one table, filled row by row straight into polars
/// builders; the caller turns them into a frame.
pub struct TableBuilder {
    pub table: Table,
    /// One column per field of [`fields::fields`], in that order.
    pub cols: Vec<Column>,
    /// `order_key` / `customer_key` ([`values::norm_key`] of the field), for
    /// the fields of [`KEY_COLUMNS`] the table has: (field index, builder).
    pub keys: Vec<(usize, StringChunkedBuilder)>,
    /// Index into the file's [`SourceInfo`] list.
    pub src: Vec<u32>,
    /// 1-based row number as Excel shows it.
    pub row: Vec<u32>,
    /// Fields that some sheet of this table has a column for.
    pub present: Vec<bool>,
}

impl TableBuilder {
    pub fn new(table: Table) -> Self {
        let defs = fields::fields(table);
        let keys = KEY_COLUMNS
            .iter()
            .filter_map(|(field, name)| {
                let i = defs.iter().position(|d| d.name == *field)?;
                Some((i, StringChunkedBuilder::new((*name).into(), 0)))
            })
            .collect();
        TableBuilder {
            table,
            cols: defs.iter().map(Column::of).collect(),
            keys,
            src: Vec::new(),
            row: Vec::new(),
            present: vec![false; defs.len()],
        }
    }

    /// Appends one row of field values (in field order).
    fn push(&mut self, vals: &[Val], src: u32, row: u32) {
        for (col, v) in self.cols.iter_mut().zip(vals) {
            col.push(v);
        }
        for (i, b) in &mut self.keys {
            match &vals[*i] {
                Val::Text(s) => b.append_value(values::norm_key(s)),
                _ => b.append_null(),
            }
        }
        self.src.push(src);
        self.row.push(row);
    }

    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }
}

/// Where a sheet's rows came from, and which column holds each field.
#[derive(Clone, Debug)]
pub struct SourceInfo {
    pub file: String,
    pub sheet: String,
    /// Column (0-based) per field index; `None` when the sheet lacks it.
    pub cols: Vec<Option<u32>>,
    pub table: Table,
}

impl SourceInfo {
    /// The cell of `field` on `row`, else the key column's cell, else `A{row}`.
    pub fn cell(&self, field: &str, row: u32) -> String {
        let defs = fields::fields(self.table);
        let col = defs
            .iter()
            .position(|d| d.name == field)
            .and_then(|i| self.cols[i])
            .or_else(|| {
                let key = fields::key_field(self.table);
                defs.iter()
                    .position(|d| d.name == key)
                    .and_then(|i| self.cols[i])
            })
            .unwrap_or(0);
        cell_ref(col, row)
    }
}

/// What reading one sheet found, for `check` and the run summary.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SheetReport {
    pub name: String,
    pub header_row: u32,
    pub rows_read: u64,
    pub rows_accepted: u64,
    pub rows_rejected: u64,
    pub rows_totals: u64,
    #[serde(skip)]
    pub mapped: Vec<(String, String)>,
    #[serde(skip)]
    pub unmapped: Vec<String>,
    #[serde(skip)]
    pub missing_required: Vec<String>,
}

/// The largest number a quantity, price or amount may hold (exclusive).
pub const MAX_PLAUSIBLE: f64 = 1e15;

const TOTAL_WORDS: &[&str] = &["合计", "总计", "小计", "total", "subtotal", "grandtotal"];

/// A cell as the reader sees it: calamine's borrowed cell.
pub type Data<'a> = DataRef<'a>;

/// The text of a text cell, borrowed.
fn text_of<'a>(d: &'a Data) -> Option<&'a str> {
    match d {
        Data::String(s) => Some(s),
        Data::SharedString(s) => Some(s),
        _ => None,
    }
}

/// Text of a cell as read, for messages and the Data issues sheet.
pub fn shown(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::SharedString(s) => s.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
        Data::DateTime(dt) => match excel_datetime(dt) {
            Some(x) if x.time() == chrono::NaiveTime::MIN => x.format("%Y-%m-%d").to_string(),
            Some(x) => x.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// A date cell's date and time; `None` past Excel's dates (serial
/// 2,958,465 is 9999-12-31). calamine's own conversion panics on a huge
/// serial (found by the fuzz target), so it is only asked within range.
fn excel_datetime(dt: &calamine::ExcelDateTime) -> Option<chrono::NaiveDateTime> {
    let v = dt.as_f64();
    (v.is_finite() && v.abs() <= 3_000_000.0)
        .then(|| dt.as_datetime())
        .flatten()
}

/// A cell with nothing but white space or control characters (what
/// [`values::clean_text`] turns into `None`), without allocating.
fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => values::is_blank_text(s),
        Data::SharedString(s) => values::is_blank_text(s),
        _ => false,
    }
}

/// A cell's cleaned display text (see [`values::clean_text`]), borrowed
/// from a text cell that is clean already.
fn cell_text<'a>(d: &'a Data) -> Option<Cow<'a, str>> {
    match text_of(d) {
        Some(s) => values::clean_cow(s),
        None => values::clean_text(&shown(d)).map(Cow::Owned),
    }
}

/// A totals row's label (合计, Total, …) — only a text cell can be one.
fn is_totals_label(d: &Data) -> bool {
    text_of(d).is_some_and(|s| values::header_is(s, TOTAL_WORDS))
}

/// Why a sheet was not read.
pub type SkipReason = String;

/// Finds the header row: the first of the first 30 rows whose cells match
/// at least half of the table's required fields.
fn find_header(
    ctx: &ReadContext,
    table: Table,
    range: &Range<Data>,
) -> Option<(usize, Vec<Option<usize>>)> {
    let defs = fields::fields(table);
    let required: Vec<usize> = (0..defs.len()).filter(|i| defs[*i].required).collect();
    for (r, row) in range.rows().take(30).enumerate() {
        let mapping: Vec<Option<usize>> = row
            .iter()
            .map(|c| text_of(c).and_then(|s| ctx.field_for(table, s)))
            .collect();
        let hits = required
            .iter()
            .filter(|i| mapping.contains(&Some(**i)))
            .count();
        if hits > 0 && hits * 2 >= required.len() {
            return Some((r, mapping));
        }
    }
    None
}

/// Reads one sheet into `out`, pushing flags; `Err` is the reason it was
/// skipped (no header, no key column, two columns for one field).
#[allow(clippy::too_many_arguments)]
pub fn read_sheet(
    ctx: &ReadContext,
    table: Table,
    file: &str,
    sheet: &str,
    range: &Range<Data>,
    src_id: u32,
    out: &mut TableBuilder,
    flags: &mut Vec<Flag>,
) -> Result<(SheetReport, SourceInfo), SkipReason> {
    let lang = ctx.lang;
    let defs = fields::fields(table);
    let Some(origin) = range.start() else {
        return Err(i18n::text(lang, "skip.empty").to_string());
    };
    let Some((hdr_rel, mapping)) = find_header(ctx, table, range) else {
        let req: Vec<&str> = defs
            .iter()
            .filter(|d| d.required)
            .map(|d| i18n::field_label(lang, d.name))
            .collect();
        let need = req.len().div_ceil(2).to_string();
        return Err(i18n::fill(
            lang,
            "skip.no_header",
            &[("need", &need), ("fields", &req.join(", "))],
        ));
    };
    let header_row1 = origin.0 + hdr_rel as u32 + 1;
    let abs_col = |rel: usize| origin.1 + rel as u32;

    // Field → column, refusing two columns for one field.
    let mut cols: Vec<Option<u32>> = vec![None; defs.len()];
    let mut rel_cols: Vec<Option<usize>> = vec![None; defs.len()];
    let header_cells: Vec<&Data> = range
        .rows()
        .nth(hdr_rel)
        .map(|r| r.iter().collect())
        .unwrap_or_default();
    let mut report = SheetReport {
        name: sheet.to_string(),
        header_row: header_row1,
        ..Default::default()
    };
    for (rel, m) in mapping.iter().enumerate() {
        match m {
            Some(fi) => {
                if let Some(prev) = cols[*fi] {
                    return Err(i18n::fill(
                        lang,
                        "skip.duplicate",
                        &[
                            ("a", &col_letters(prev)),
                            ("b", &col_letters(abs_col(rel))),
                            ("field", i18n::field_label(lang, defs[*fi].name)),
                        ],
                    ));
                }
                cols[*fi] = Some(abs_col(rel));
                rel_cols[*fi] = Some(rel);
                report
                    .mapped
                    .push((defs[*fi].name.to_string(), shown(header_cells[rel])));
            }
            None => {
                if let Some(c) = header_cells.get(rel) {
                    if !is_blank(c) {
                        report.unmapped.push(shown(c));
                    }
                }
            }
        }
    }
    let key_name = fields::key_field(table);
    let key_idx = defs.iter().position(|d| d.name == key_name).unwrap_or(0);
    if cols[key_idx].is_none() {
        return Err(i18n::fill(
            lang,
            "skip.no_key",
            &[
                ("field", i18n::field_label(lang, key_name)),
                ("aliases", &ctx.aliases_of(table, key_idx)),
            ],
        ));
    }
    let source = SourceInfo {
        file: file.to_string(),
        sheet: sheet.to_string(),
        cols: cols.clone(),
        table,
    };
    for (i, d) in defs.iter().enumerate() {
        if cols[i].is_some() {
            out.present[i] = true;
        } else if d.required {
            report.missing_required.push(d.name.to_string());
            if let Some(sev) = ctx.policy.severity(RuleId::V01, Severity::Error) {
                let msg = format!(
                    "{}: {} ({})",
                    i18n::fill(
                        lang,
                        "skip.missing_required",
                        &[("fields", i18n::field_label(lang, d.name))]
                    ),
                    d.name,
                    ctx.aliases_of(table, i)
                );
                flags.push(Flag {
                    rule: RuleId::V01,
                    severity: sev,
                    message: msg,
                    table,
                    order_id: None,
                    owner: None,
                    file: file.to_string(),
                    sheet: sheet.to_string(),
                    cell: cell_ref(origin.1, header_row1),
                    value: None,
                    rejected: false,
                    first_seen: None,
                    runs_open: None,
                    field: d.name,
                    key: None,
                    row_values: None,
                });
            }
        }
    }

    let owner_idx = defs.iter().position(|d| d.name == "owner");
    let order_idx = defs.iter().position(|d| d.name == "order_id");
    let mut vals: Vec<Val> = vec![Val::Null; defs.len()];
    let mut emptied: Vec<bool> = vec![false; defs.len()];
    let mut row_flags: Vec<Flag> = Vec::new();
    for (rel_r, cells) in range.rows().enumerate().skip(hdr_rel + 1) {
        let row1 = origin.0 + rel_r as u32 + 1;
        if cells.iter().all(is_blank) {
            continue;
        }
        // Totals row: its key cell or first non-empty cell says so.
        let key_cell = rel_cols[key_idx].and_then(|c| cells.get(c));
        let first = cells.iter().find(|c| !is_blank(c));
        if key_cell.is_some_and(is_totals_label) || first.is_some_and(is_totals_label) {
            report.rows_totals += 1;
            continue;
        }
        report.rows_read += 1;

        // The order and owner a flag names, read only when a flag is made.
        let order_cell = order_idx
            .and_then(|i| rel_cols[i])
            .and_then(|c| cells.get(c));
        let owner_cell = owner_idx
            .and_then(|i| rel_cols[i])
            .and_then(|c| cells.get(c));
        let mk = |rule: RuleId,
                  sev: Severity,
                  field: &'static str,
                  col: u32,
                  value: Option<String>,
                  message: String| {
            let order_text = order_cell.and_then(cell_text).map(Cow::into_owned);
            Flag {
                rule,
                severity: sev,
                message,
                table,
                key: order_text.as_deref().map(values::norm_key),
                order_id: order_text,
                owner: owner_cell.and_then(cell_text).map(Cow::into_owned),
                file: file.to_string(),
                sheet: sheet.to_string(),
                cell: cell_ref(col, row1),
                value,
                rejected: false,
                first_seen: None,
                runs_open: None,
                field,
                row_values: None,
            }
        };

        // The key: a row without it is rejected with exactly one V01.
        let key_data = key_cell.unwrap_or(&Data::Empty);
        let key_text = match key_data {
            Data::Error(_) => None,
            d => cell_text(d),
        };
        if key_text.is_none() {
            let label = i18n::field_label(lang, key_name);
            let message = match key_data {
                Data::Error(e) => i18n::fill(
                    lang,
                    "v01.key_error",
                    &[("field", label), ("value", &e.to_string())],
                ),
                _ => i18n::fill(lang, "v01.key", &[("field", label)]),
            };
            let sev = ctx
                .policy
                .overrides
                .get(&RuleId::V01)
                .copied()
                .unwrap_or(Severity::Error);
            let mut f = mk(
                RuleId::V01,
                sev,
                key_name,
                cols[key_idx].unwrap_or(origin.1),
                Some(shown(key_data)).filter(|s| !s.is_empty()),
                message,
            );
            f.rejected = true;
            f.row_values = Some(cells.iter().map(shown).collect());
            flags.push(f);
            report.rows_rejected += 1;
            continue;
        }

        row_flags.clear();
        for i in 0..defs.len() {
            vals[i] = Val::Null;
            emptied[i] = false;
            let Some(rel) = rel_cols[i] else { continue };
            let col = abs_col(rel);
            let data = cells.get(rel).unwrap_or(&Data::Empty);
            let def = &defs[i];
            match read_value(ctx, def, data) {
                Ok(v) => vals[i] = v,
                Err((rule, key, extra)) => {
                    emptied[i] = true;
                    let label = i18n::field_label(lang, def.name);
                    let raw = shown(data);
                    let mut args: Vec<(&str, &str)> = vec![("field", label), ("value", &raw)];
                    for (k, v) in &extra {
                        args.push((k, v));
                    }
                    let msg = i18n::fill(lang, key, &args);
                    if let Some(sev) = ctx.policy.severity(rule, rule.default_severity()) {
                        row_flags.push(mk(rule, sev, def.name, col, Some(raw.clone()), msg));
                    }
                }
            }
        }
        // Dates: implausible ones (V05) are emptied and flagged.
        for i in 0..defs.len() {
            let Val::Date(days) = vals[i] else { continue };
            let def = &defs[i];
            let date = days_to_date(days);
            let key = if date < NaiveDate::from_ymd_opt(2000, 1, 1).unwrap_or_default() {
                Some("v05.old")
            } else if date > NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default() {
                Some("v05.far")
            } else if def.role == DateRole::PastEvent && date > ctx.as_of {
                if table == Table::Shipments
                    && def.name == "ship_date"
                    && is_booked_plan(defs, &vals)
                {
                    None
                } else {
                    Some("v05.future")
                }
            } else {
                None
            };
            if let Some(key) = key {
                vals[i] = Val::Null;
                emptied[i] = true;
                let value = date.format("%Y-%m-%d").to_string();
                let as_of = ctx.as_of.format("%Y-%m-%d").to_string();
                let msg = i18n::fill(
                    lang,
                    key,
                    &[
                        ("field", i18n::field_label(lang, def.name)),
                        ("value", &value),
                        ("as_of", &as_of),
                    ],
                );
                if let Some(sev) = ctx.policy.severity(RuleId::V05, Severity::Error) {
                    let col = cols[i].unwrap_or(origin.1);
                    row_flags.push(mk(RuleId::V05, sev, def.name, col, Some(value), msg));
                }
            }
        }
        // Required fields left empty (not those emptied by another flag).
        for i in 0..defs.len() {
            let def = &defs[i];
            if def.required
                && i != key_idx
                && cols[i].is_some()
                && vals[i] == Val::Null
                && !emptied[i]
            {
                if let Some(sev) = ctx.policy.severity(RuleId::V01, Severity::Error) {
                    let msg = i18n::fill(
                        lang,
                        "v01.required",
                        &[("field", i18n::field_label(lang, def.name))],
                    );
                    row_flags.push(mk(
                        RuleId::V01,
                        sev,
                        def.name,
                        cols[i].unwrap_or(0),
                        None,
                        msg,
                    ));
                }
            }
        }
        flags.append(&mut row_flags);
        out.push(&vals, src_id, row1);
        report.rows_accepted += 1;
    }
    Ok((report, source))
}

/// A shipment whose ship date is still a plan: no delivered date and a
/// status that does not say it has left.
fn is_booked_plan(defs: &[FieldDef], vals: &[Val]) -> bool {
    let get = |name: &str| defs.iter().position(|d| d.name == name).map(|i| &vals[i]);
    let delivered = matches!(get("delivered_date"), Some(Val::Date(_)));
    let moving = matches!(
        get("status"),
        Some(Val::Text(s)) if matches!(s.as_ref(), "in_transit" | "arrived" | "delivered")
    );
    !delivered && !moving
}

type ValueError = (RuleId, &'static str, Vec<(&'static str, String)>);

/// One cell as its field's type.
fn read_value<'a>(
    ctx: &ReadContext,
    def: &FieldDef,
    data: &'a Data,
) -> Result<Val<'a>, ValueError> {
    if let Data::Error(_) = data {
        return Err((RuleId::V06, "v06.error", vec![]));
    }
    if is_blank(data) {
        return Ok(Val::Null);
    }
    match def.kind {
        Kind::Text => Ok(cell_text(data).map_or(Val::Null, Val::Text)),
        Kind::Quantity | Kind::NonNegative | Kind::Whole(..) => {
            let v = match data {
                Data::Int(i) => *i as f64,
                Data::Float(f) => *f,
                Data::String(s) => {
                    values::parse_number_text(s).ok_or((RuleId::V02, "v02.number", vec![]))?
                }
                Data::SharedString(s) => {
                    values::parse_number_text(s).ok_or((RuleId::V02, "v02.number", vec![]))?
                }
                Data::Bool(_) | Data::DateTime(_) | Data::DateTimeIso(_) | Data::DurationIso(_) => {
                    return Err((RuleId::V02, "v02.number", vec![]));
                }
                Data::Empty | Data::Error(_) => return Ok(Val::Null),
            };
            if !v.is_finite() {
                return Err((RuleId::V02, "v02.number", vec![]));
            }
            // Past Excel's 15 significant digits no quantity, price or amount
            // is real, and products of such numbers overflow to infinity.
            if v.abs() >= MAX_PLAUSIBLE {
                return Err((RuleId::V03, "v03.range", vec![("range", "< 1e15".into())]));
            }
            match def.kind {
                Kind::Quantity if v <= 0.0 => {
                    Err((RuleId::V03, "v03.range", vec![("range", "> 0".into())]))
                }
                Kind::NonNegative if v < 0.0 => {
                    Err((RuleId::V03, "v03.range", vec![("range", "≥ 0".into())]))
                }
                Kind::Whole(lo, hi) => {
                    let range = format!("{lo}–{hi}");
                    if v.fract() != 0.0 {
                        Err((RuleId::V03, "v03.whole", vec![("range", range)]))
                    } else if v < lo as f64 || v > hi as f64 {
                        Err((RuleId::V03, "v03.range", vec![("range", range)]))
                    } else {
                        Ok(Val::Int(v as i64))
                    }
                }
                _ => Ok(Val::Num(v)),
            }
        }
        Kind::Date => {
            let date = match data {
                Data::DateTime(dt) if dt.is_datetime() => excel_datetime(dt).map(|x| x.date()),
                Data::DateTime(_) => None,
                Data::DateTimeIso(s) => values::parse_date_text(s, DateOrder::Ymd).ok(),
                Data::Int(i) => values::serial_to_date(*i as f64),
                Data::Float(f) => values::serial_to_date(*f),
                Data::String(_) | Data::SharedString(_) => {
                    match values::parse_date_text(text_of(data).unwrap_or_default(), ctx.date_order)
                    {
                        Ok(d) => Some(d),
                        Err(DateError::Ambiguous) => {
                            return Err((RuleId::V02, "v02.ambiguous", vec![]))
                        }
                        Err(DateError::Invalid) => None,
                    }
                }
                Data::Bool(_) | Data::DurationIso(_) => None,
                Data::Empty | Data::Error(_) => return Ok(Val::Null),
            };
            date.map(|d| Val::Date(date_to_days(d)))
                .ok_or((RuleId::V02, "v02.date", vec![]))
        }
        Kind::Enum(kind) => {
            let Some(m) = ctx.matchers.get(&kind) else {
                return Ok(Val::Null);
            };
            let lookup = match text_of(data) {
                Some(s) => m.lookup(s),
                None => m.lookup(&shown(data)),
            };
            match lookup {
                Ok(c) => Ok(Val::Text(Cow::Borrowed(c))),
                Err(best) => {
                    let suggest = if best.is_empty() {
                        String::new()
                    } else {
                        i18n::fill(ctx.lang, "v04.suggest", &[("word", &best)])
                    };
                    Err((RuleId::V04, "v04.word", vec![("suggest", suggest)]))
                }
            }
        }
    }
}
