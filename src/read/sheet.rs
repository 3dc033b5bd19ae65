//! One sheet's cells into typed rows: header detection, blank and totals
//! rows, every value form of spec section 3, and the V01–V07 flags, each
//! naming its cell. Accepted rows go into a [`TableBuilder`]; rejected rows
//! become their V01 (or V07) flag with the row's cells. Each order line
//! carries a hash of all its cells (`row_hash`), unique per distinct row of
//! its sheet, for C01's duplicate lines.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use calamine::{DataRef, Range};
use chrono::NaiveDate;
use polars::prelude::StringChunkedBuilder;

use super::fields::{self, DateRole, EnumKind, FieldDef, Kind};
use super::values::{self, DateError, WordMatcher};
use crate::flags::{cell_ref, col_letters, Flag, Policy, RuleId, Severity, Table};
use crate::i18n::{self, Lang};
use crate::template::{DateOrder, Template};

pub use super::plan::{derive_plan, header_guess, plan, Derive, Plan, SkipReason, ValueProfile};
pub use crate::frame::{date_to_days, days_to_date};

/// Everything reading needs besides the cells: language, report date,
/// policy, the header alias tables and the word matchers.
pub struct ReadContext {
    pub lang: Lang,
    pub limits: crate::template::LimitsSection,
    pub as_of: NaiveDate,
    pub date_order: DateOrder,
    pub policy: Policy,
    /// The floor of V05 for every date field (`[thresholds] earliest_date`).
    pub earliest: NaiveDate,
    /// Normalised header → (field index, rank); a lower rank wins when two
    /// columns map to one field (spec section 3).
    aliases: HashMap<Table, HashMap<String, (usize, u32)>>,
    alias_lists: HashMap<Table, Vec<Vec<String>>>,
    matchers: HashMap<EnumKind, WordMatcher>,
    /// The template's `[values] empty` words, normalised.
    empty_extra: Vec<String>,
    /// Normalised headers of `[columns.<table>] ignore` (spec section 3.3).
    ignored: HashMap<Table, Vec<String>>,
}

/// Rank of a template alias: before every built-in one.
pub(crate) const RANK_TEMPLATE: u32 = 0;
/// Rank of the first built-in alias; built-in aliases rank in the order
/// spec section 3.1 lists them, English and Chinese each counted from here.
pub(crate) const RANK_BUILTIN: u32 = 1_000;
/// Rank of a header written as the field's own name (`order_id`).
const RANK_NAME: u32 = 5_000;

impl ReadContext {
    pub fn new(t: &Template, lang: Lang, as_of: NaiveDate) -> Self {
        let mut aliases = HashMap::new();
        let mut alias_lists = HashMap::new();
        let mut ignored = HashMap::new();
        for table in Table::ALL {
            let extra = match table {
                Table::Orders => &t.file.columns.orders,
                Table::Shipments => &t.file.columns.shipments,
                Table::Feedback => &t.file.columns.feedback,
            };
            let mut map: HashMap<String, (usize, u32)> = HashMap::new();
            let mut lists = Vec::new();
            for (i, def) in fields::fields(table).iter().enumerate() {
                map.entry(values::norm_header(def.name))
                    .or_insert((i, RANK_NAME));
                let (mut latin, mut cjk) = (0u32, 0u32);
                for a in def.aliases {
                    let counter = if a.is_ascii() { &mut latin } else { &mut cjk };
                    let rank = RANK_BUILTIN + *counter;
                    *counter += 1;
                    let e = map.entry(values::norm_header(a)).or_insert((i, rank));
                    if e.0 == i {
                        e.1 = e.1.min(rank);
                    }
                }
                let mut list: Vec<String> = def.aliases.iter().map(|s| s.to_string()).collect();
                if let Some(more) = extra.get(def.name) {
                    list.splice(0..0, more.iter().cloned());
                }
                lists.push(list);
            }
            // Template aliases first, over any built-in alias of any field.
            for (i, def) in fields::fields(table).iter().enumerate() {
                for (k, a) in extra.get(def.name).into_iter().flatten().enumerate() {
                    let n = values::norm_header(a);
                    if !n.is_empty() {
                        map.insert(n, (i, RANK_TEMPLATE + k as u32));
                    }
                }
            }
            aliases.insert(table, map);
            alias_lists.insert(table, lists);
            let skip: Vec<String> = extra
                .get(crate::template::IGNORE_KEY)
                .into_iter()
                .flatten()
                .map(|h| values::norm_header(h))
                .filter(|h| !h.is_empty())
                .collect();
            ignored.insert(table, skip);
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
            earliest: t.file.thresholds.earliest_date,
            aliases,
            alias_lists,
            matchers,
            empty_extra: t
                .file
                .values
                .empty
                .iter()
                .map(|w| values::norm_marker(w))
                .filter(|w| !w.is_empty())
                .collect(),
            ignored,
        }
    }

    /// Whether the template lists `header` under `[columns.<table>] ignore`.
    pub fn is_ignored(&self, table: Table, header: &str) -> bool {
        self.ignored.get(&table).is_some_and(|l| {
            !l.is_empty() && {
                let n = values::norm_header(header);
                l.contains(&n)
                    || values::split_suffix(header)
                        .is_some_and(|(base, _)| l.contains(&values::norm_header(base)))
            }
        })
    }

    /// The field a header names, with its rank: the whole header, else the
    /// header without a bracketed suffix (`金额(USD)`, `Qty [PCS]`).
    pub fn field_for(&self, table: Table, header: &str) -> Option<(usize, u32)> {
        let map = self.aliases.get(&table)?;
        let n = values::norm_header(header);
        if n.is_empty() || self.is_ignored(table, header) {
            return None;
        }
        if let Some(hit) = map.get(&n) {
            return Some(*hit);
        }
        let (base, _) = values::split_suffix(header)?;
        map.get(&values::norm_header(base)).copied()
    }

    /// The currency a header's bracketed suffix names (`金额(USD)`,
    /// `单价（美元）`).
    pub(crate) fn suffix_currency(&self, header: &str) -> Option<&'static str> {
        let (_, inner) = values::split_suffix(header)?;
        self.matchers.get(&EnumKind::Currency)?.lookup(inner).ok()
    }

    /// Whether a cell's whole text is an empty marker (spec section 3).
    pub fn is_marker(&self, d: &Data) -> bool {
        text_of(d).is_some_and(|s| values::is_empty_marker(s, &self.empty_extra))
    }

    /// The enumerated-word matcher of `kind`.
    pub fn matcher(&self, kind: EnumKind) -> Option<&WordMatcher> {
        self.matchers.get(&kind)
    }

    pub(crate) fn aliases_of(&self, table: Table, field: usize) -> String {
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
            Kind::Text | Kind::Enum(_) | Kind::Received => {
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
    /// Orders only: a hash of all the row's cells, the same for two rows
    /// of one sheet exactly when their cells are equal (C01).
    pub hash: Vec<u64>,
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
            hash: Vec::new(),
            row: Vec::new(),
            present: vec![false; defs.len()],
        }
    }

    /// Appends one row of field values (in field order).
    fn push(&mut self, vals: &[Val], src: u32, row: u32, hash: u64) {
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
        if self.table == Table::Orders {
            self.hash.push(hash);
        }
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
    /// Whether this sheet has a column for `field`.
    pub fn has(&self, field: &str) -> bool {
        fields::fields(self.table)
            .iter()
            .position(|d| d.name == field)
            .and_then(|i| self.cols.get(i).copied().flatten())
            .is_some()
    }

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
            .or_else(|| {
                defs.iter()
                    .position(|d| d.name == "order_id")
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
    pub rows_notes: u64,
    /// Columns of a field left for another column of the same field, or
    /// for a shipments/feedback file given alongside (not flags).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_columns: Vec<IgnoredColumn>,
    /// Rows derived from this tracker sheet, per table.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub derived: std::collections::BTreeMap<&'static str, u64>,
    /// Empty markers (`N/A`, `TBD`, …) read as empty cells, per column.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub empty_markers: std::collections::BTreeMap<String, u64>,
    /// Whether the header took two rows (group titles above).
    #[serde(skip)]
    pub two_row_header: bool,
    #[serde(skip)]
    pub mapped: Vec<(String, String)>,
    #[serde(skip)]
    pub unmapped: Vec<String>,
    #[serde(skip)]
    pub missing_required: Vec<String>,
    /// Shipment and feedback columns found beside the orders fields:
    /// (table, field, header, column letters), for `check`.
    #[serde(skip)]
    pub tracker_columns: Vec<(Table, &'static str, String, String)>,
    /// Delivered status and no delivered date, rows (spec section 4).
    #[serde(skip)]
    pub delivered_without_date: u64,
    /// Values emptied (rows rejected, for V07) under a rule the template
    /// disabled, per rule: no flag, but `check` says how many (spec 3).
    #[serde(skip)]
    pub hidden: BTreeMap<RuleId, u64>,
    /// Text dates whose first part is over 12 (day first) / whose second
    /// part is (month first), for `gendan init`'s `date_order`.
    #[serde(skip)]
    pub dates_day_first: u64,
    #[serde(skip)]
    pub dates_month_first: u64,
    /// Why this table took the sheet, when several could have.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chosen_because: Option<String>,
    /// What each derived table was made from, for `check`.
    #[serde(skip)]
    pub derived_from: Vec<(Table, Vec<String>)>,
    /// What each column's sampled cells hold, by header, for `gendan
    /// init`'s suggestions.
    #[serde(skip)]
    pub profiles: std::collections::HashMap<String, ValueProfile>,
}

/// A header column that was not used, and why.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct IgnoredColumn {
    pub column: String,
    pub header: String,
    pub reason: String,
    /// No field may take it (the template's `ignore`, or its values
    /// contradict a built-in alias), as opposed to left for another column.
    #[serde(skip)]
    pub dropped: bool,
}

/// The largest number a quantity, price or amount may hold (exclusive).
pub const MAX_PLAUSIBLE: f64 = 1e15;

const TOTAL_WORDS: &[&str] = &["合计", "总计", "小计", "total", "subtotal", "grandtotal"];

/// A cell as the reader sees it: calamine's borrowed cell.
pub type Data<'a> = DataRef<'a>;

/// The text of a text cell, borrowed.
pub(crate) fn text_of<'a>(d: &'a Data) -> Option<&'a str> {
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
pub(crate) fn is_blank(d: &Data) -> bool {
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
pub(crate) fn is_totals_label(d: &Data) -> bool {
    text_of(d).is_some_and(|s| values::header_is(s, TOTAL_WORDS))
}

/// Whether a row's only filled cell is text that does not look like an
/// order id: a section title (`11月新单`) or a footnote (`备注：…`).
pub(crate) fn is_note_row(cells: &[Data]) -> bool {
    let mut filled = cells.iter().filter(|c| !is_blank(c));
    let (Some(only), None) = (filled.next(), filled.next()) else {
        return false;
    };
    text_of(only).is_some_and(|s| !looks_like_key(s))
}

/// An order id's look: one word with a digit, ending in a letter or digit
/// (`PO-2026-001`, `合同2026-001`), not a sentence or a title.
fn looks_like_key(s: &str) -> bool {
    let t = s.trim();
    t.chars().count() <= 40
        && !t
            .chars()
            .any(|c| c.is_whitespace() || c == ':' || c == '：')
        && t.bytes().any(|b| b.is_ascii_digit())
        && t.chars().last().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// Reads one sheet into `out` by `plan`, pushing flags. With `derive`, the
/// rows are a tracker's shipments or feedback: only rows with one of its
/// fields are taken, problems of the shared order columns are not flagged
/// again, and rows without a key (rejected as orders) are left out.
#[allow(clippy::too_many_arguments)]
pub fn read_rows(
    ctx: &ReadContext,
    plan: &Plan,
    derive: Option<&Derive>,
    file: &str,
    sheet: &str,
    range: &Range<Data>,
    csv_fields: Option<&[u32]>,
    src_id: u32,
    out: &mut TableBuilder,
    flags: &mut Vec<Flag>,
) -> Result<(SheetReport, SourceInfo), SkipReason> {
    let lang = ctx.lang;
    let table = plan.table;
    let defs = fields::fields(table);
    let origin = range.start().unwrap_or_default();
    let header_row1 = plan.header_row;
    let abs_col = |rel: usize| origin.1 + rel as u32;
    let rel_cols = &plan.rel_cols;
    let cols: Vec<Option<u32>> = rel_cols.iter().map(|c| c.map(abs_col)).collect();
    let mut report = describe_columns(ctx, plan, derive, sheet, origin.1);
    let KeyColumn {
        name: key_name,
        idx: key_idx,
        alt: alt_key,
        customer_from_orders,
    } = key_column(table, &cols);
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
    let currency_idx = defs.iter().position(|d| d.name == "currency");
    missing_columns(
        ctx,
        plan,
        (file, sheet),
        cell_ref(origin.1, header_row1),
        &cols,
        customer_from_orders,
        out,
        &mut report,
        flags,
    );

    // Free text keeps what was written, empty markers included.
    let free_text: Vec<bool> = defs
        .iter()
        .map(|d| matches!(d.name, "product" | "contact" | "remarks" | "comment"))
        .collect();
    let mut markers: Vec<u64> = vec![0; defs.len()];
    // This row's cells that held an empty marker, shown in their V01.
    let mut marked: Vec<bool> = vec![false; defs.len()];
    let shared = |i: usize| derive.is_some_and(|d| d.shared[i]);
    let owner_idx = defs.iter().position(|d| d.name == "owner");
    let order_idx = defs.iter().position(|d| d.name == "order_id");
    let status_idx = defs.iter().position(|d| d.name == "status");
    let delivered_idx = defs.iter().position(|d| d.name == "delivered_date");
    let ship_idx = defs.iter().position(|d| d.name == "ship_date");
    let updated_idx = defs.iter().position(|d| d.name == "updated_at");
    // A shipment's or feedback row's own identity, for flag fingerprints.
    let pos = |name: &str| {
        defs.iter()
            .position(|d| d.name == name)
            .and_then(|i| rel_cols[i])
    };
    let ident_cols: Vec<usize> = match table {
        Table::Orders => Vec::new(),
        Table::Shipments => ["shipment_id", "tracking_no", "ship_date"]
            .iter()
            .filter_map(|n| pos(n))
            .collect(),
        Table::Feedback => ["feedback_id", "date"]
            .iter()
            .filter_map(|n| pos(n))
            .collect(),
    };
    let feedback_id_col = pos("feedback_id");
    let customer_col = pos("customer");
    let mut vals: Vec<Val> = vec![Val::Null; defs.len()];
    let mut emptied: Vec<bool> = vec![false; defs.len()];
    let mut row_flags: Vec<Flag> = Vec::new();
    // A CSV record's field count against its header's (V07).
    let field_count = |row1: u32| {
        let i = (row1 as usize).checked_sub(1)?;
        csv_fields.and_then(|f| f.get(i)).copied()
    };
    let header_fields = field_count(header_row1);
    // Order lines by the hash of their cells, for C01 (a tracker's derived
    // rows skip the duplicate lines the same way).
    let dedup = table == Table::Orders || derive.is_some();
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for (rel_r, cells) in range.rows().enumerate().skip(plan.data_rel) {
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
        if is_note_row(cells) {
            report.rows_notes += 1;
            continue;
        }
        let ragged = match (header_fields, field_count(row1)) {
            (Some(h), Some(n)) if h != n => Some((h, n)),
            _ => None,
        };
        if let Some(d) = derive {
            if ragged.is_some() {
                continue;
            }
            let has = |i: usize| {
                rel_cols[i]
                    .and_then(|c| cells.get(c))
                    .is_some_and(|c| !is_blank(c) && !ctx.is_marker(c))
            };
            let key_ok = key_cell
                .is_some_and(|c| !is_blank(c) && !ctx.is_marker(c) && !matches!(c, Data::Error(_)));
            if !key_ok || !d.any_of.iter().any(|i| has(*i)) {
                continue;
            }
        }
        report.rows_read += 1;

        // The order and owner a flag names, read only when a flag is made.
        let order_cell = order_idx
            .and_then(|i| rel_cols[i])
            .and_then(|c| cells.get(c));
        let owner_cell = owner_idx
            .and_then(|i| rel_cols[i])
            .and_then(|c| cells.get(c))
            .filter(|c| !ctx.is_marker(c));
        let mk = |rule: RuleId,
                  sev: Severity,
                  field: &'static str,
                  col: u32,
                  value: Option<String>,
                  message: String| {
            let order_text = order_cell.and_then(cell_text).map(Cow::into_owned);
            let text_at = |c: usize| {
                cells
                    .get(c)
                    .filter(|d| !is_blank(d))
                    .and_then(cell_text)
                    .map(Cow::into_owned)
            };
            let ident = ident_cols.iter().find_map(|c| {
                let t = text_at(*c)?;
                // Feedback without an id: its date and customer.
                Some(match (table, feedback_id_col == Some(*c), customer_col) {
                    (Table::Feedback, false, Some(cc)) => {
                        format!("{t}|{}", text_at(cc).unwrap_or_default())
                    }
                    _ => t,
                })
            });
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
                ident,
                is_new: None,
            }
        };

        // A CSV record whose field count is not its header's: its values
        // would land in the wrong columns, so the row is rejected (V07).
        if let Some((header_n, n)) = ragged {
            match ctx.policy.severity(RuleId::V07, Severity::Error) {
                Some(sev) => {
                    let message = i18n::fill(
                        lang,
                        "v07.fields",
                        &[("n", &n.to_string()), ("header", &header_n.to_string())],
                    );
                    let first = cells.first().map(shown).filter(|s| !s.is_empty());
                    // On the record's first cell (column A).
                    let mut f = mk(RuleId::V07, sev, key_name, 0, first, message);
                    f.rejected = true;
                    f.row_values = Some(cells.iter().map(shown).collect());
                    flags.push(f);
                }
                None => *report.hidden.entry(RuleId::V07).or_default() += 1,
            }
            report.rows_rejected += 1;
            continue;
        }

        // The key: a row without it is rejected with exactly one V01.
        let key_data = key_cell.unwrap_or(&Data::Empty);
        let key_text = match key_data {
            Data::Error(_) => None,
            d if ctx.is_marker(d) => None,
            d => cell_text(d),
        };
        // A feedback row without a customer but with an order id is kept.
        let alt_ok = alt_key
            .and_then(|i| rel_cols[i])
            .and_then(|c| cells.get(c))
            .is_some_and(|d| !matches!(d, Data::Error(_)) && !ctx.is_marker(d) && !is_blank(d));
        if key_text.is_none() && !alt_ok {
            let label = i18n::field_label(lang, key_name);
            let message = match key_data {
                Data::Error(e) => i18n::fill(
                    lang,
                    "v01.key_error",
                    &[("field", label), ("value", &e.to_string())],
                ),
                _ if alt_key.is_some() => i18n::text(lang, "v01.feedback_key").to_string(),
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

        // C01: a line whose every cell equals an earlier line's is left out
        // (in reconcile); it keeps its C01 flag only, and derives nothing.
        let (hash, is_dup) = if dedup {
            line_hash(&mut seen, range, rel_r, cells)
        } else {
            (0, false)
        };
        if is_dup && derive.is_some() {
            continue;
        }

        row_flags.clear();
        for i in 0..defs.len() {
            vals[i] = Val::Null;
            emptied[i] = false;
            marked[i] = false;
            let Some(rel) = rel_cols[i] else { continue };
            let col = abs_col(rel);
            let data = cells.get(rel).unwrap_or(&Data::Empty);
            let def = &defs[i];
            if !free_text[i] && ctx.is_marker(data) {
                markers[i] += 1;
                marked[i] = true;
                continue;
            }
            if def.kind == Kind::Date {
                if let Some(t) = text_of(data) {
                    match values::day_month_hint(t) {
                        Some(DateOrder::Dmy) => report.dates_day_first += 1,
                        Some(DateOrder::Mdy) => report.dates_month_first += 1,
                        _ => {}
                    }
                }
            }
            match read_value(ctx, def, data) {
                Ok(v) => vals[i] = v,
                Err(_) if shared(i) => emptied[i] = true,
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
                    } else if !is_dup {
                        *report.hidden.entry(rule).or_default() += 1;
                    }
                }
            }
        }
        if let (Some(ci), Some(cur)) = (currency_idx, plan.currency) {
            if vals[ci] == Val::Null && !emptied[ci] {
                vals[ci] = Val::Text(Cow::Borrowed(cur));
            }
        }
        // Dates: implausible ones (V05) are emptied and flagged.
        for i in 0..defs.len() {
            let Val::Date(days) = vals[i] else { continue };
            if shared(i) {
                continue;
            }
            let def = &defs[i];
            let date = days_to_date(days);
            let key = if date < ctx.earliest {
                Some("v05.old")
            } else if date > NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default() {
                Some("v05.far")
            } else if def.role == DateRole::PastEvent && date > ctx.as_of {
                if table == Table::Shipments
                    && def.name == "ship_date"
                    && is_booked_plan(defs, &vals)
                {
                    None
                } else if Some(i) == updated_idx
                    && (date - ctx.as_of).num_days() <= UPDATE_GRACE_DAYS
                {
                    // Edited after the period closed: an update on as_of.
                    vals[i] = Val::Date(date_to_days(ctx.as_of));
                    None
                } else {
                    Some("v05.future")
                }
            } else {
                None
            };
            // A disabled V05 keeps the date as written (spec section 3).
            let sev = ctx.policy.severity(RuleId::V05, Severity::Error);
            if let (Some(key), Some(sev)) = (key, sev) {
                vals[i] = Val::Null;
                emptied[i] = true;
                let value = date.format("%Y-%m-%d").to_string();
                let as_of = ctx.as_of.format("%Y-%m-%d").to_string();
                let earliest = ctx.earliest.format("%Y-%m-%d").to_string();
                let msg = i18n::fill(
                    lang,
                    key,
                    &[
                        ("field", i18n::field_label(lang, def.name)),
                        ("value", &value),
                        ("as_of", &as_of),
                        ("earliest", &earliest),
                    ],
                );
                let col = cols[i].unwrap_or(origin.1);
                row_flags.push(mk(RuleId::V05, sev, def.name, col, Some(value), msg));
            }
        }
        // A tracker's shipment status, when it has no column of its own,
        // from the dates as cleaned (a delivered date after as_of, emptied
        // by V05, does not make the shipment delivered).
        if derive.is_some() && table == Table::Shipments {
            if let Some(si) = status_idx.filter(|i| rel_cols[*i].is_none()) {
                let delivered = delivered_idx.is_some_and(|i| matches!(vals[i], Val::Date(_)));
                let shipped = ship_idx.is_some_and(
                    |i| matches!(vals[i], Val::Date(d) if d <= date_to_days(ctx.as_of)),
                );
                vals[si] = Val::Text(Cow::Borrowed(if delivered {
                    "delivered"
                } else if shipped {
                    "in_transit"
                } else {
                    "booked"
                }));
            }
        }
        if table == Table::Shipments {
            let delivered_word = status_idx
                .is_some_and(|i| matches!(&vals[i], Val::Text(s) if s.as_ref() == "delivered"));
            if delivered_word && delivered_idx.is_some_and(|i| vals[i] == Val::Null) {
                report.delivered_without_date += 1;
            }
        }
        // Required fields left empty (not those emptied by another flag).
        for i in 0..defs.len() {
            let def = &defs[i];
            if def.required
                && i != key_idx
                && !shared(i)
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
                    // An empty marker is shown as written (`TBD`).
                    let value = marked[i]
                        .then(|| rel_cols[i].and_then(|c| cells.get(c)).map(shown))
                        .flatten();
                    row_flags.push(mk(
                        RuleId::V01,
                        sev,
                        def.name,
                        cols[i].unwrap_or(0),
                        value,
                        msg,
                    ));
                }
            }
        }
        if is_dup {
            row_flags.clear();
        }
        flags.append(&mut row_flags);
        out.push(&vals, src_id, row1, hash);
        report.rows_accepted += 1;
    }
    for (i, n) in markers.iter().enumerate() {
        if *n > 0 {
            let header = rel_cols[i]
                .map(|c| plan.names[c].clone())
                .unwrap_or_default();
            report.empty_markers.insert(header, *n);
        }
    }
    Ok((report, source))
}

/// The hash of a line's cells, made unique among the distinct lines of its
/// sheet seen so far (a collision with a different line moves on to the
/// next value), and whether the line repeats an earlier one cell for cell.
fn line_hash(
    seen: &mut HashMap<u64, u32>,
    range: &Range<Data>,
    rel_r: usize,
    cells: &[Data],
) -> (u64, bool) {
    let mut h = hash_cells(cells);
    loop {
        match seen.entry(h) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(rel_r as u32);
                return (h, false);
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                let prev = *e.get() as usize;
                let same = cells
                    .iter()
                    .enumerate()
                    .all(|(c, d)| range.get((prev, c)).is_some_and(|p| same_cell(p, d)));
                if same {
                    return (h, true);
                }
                h = h.wrapping_add(1);
            }
        }
    }
}

/// A cheap hash of a row's cells (every column), consistent with
/// [`same_cell`]; collisions are resolved by [`line_hash`].
fn hash_cells(cells: &[Data]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut mix = |x: u64| h = (h.rotate_left(5) ^ x).wrapping_mul(0x517c_c1b7_2722_0a95);
    for d in cells {
        match d {
            Data::Empty => mix(0),
            Data::Int(i) => {
                mix(1);
                mix(*i as u64);
            }
            Data::Float(f) => {
                mix(2);
                mix(f.to_bits());
            }
            Data::Bool(b) => mix(3 + u64::from(*b)),
            Data::DateTime(t) => {
                mix(5);
                mix(t.as_f64().to_bits());
            }
            Data::Error(_) => mix(6),
            Data::String(_)
            | Data::SharedString(_)
            | Data::DateTimeIso(_)
            | Data::DurationIso(_) => {
                let s: &str = match d {
                    Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s,
                    Data::SharedString(s) => s,
                    _ => "",
                };
                mix(7);
                for chunk in s.as_bytes().chunks(8) {
                    let mut b = [0u8; 8];
                    b[..chunk.len()].copy_from_slice(chunk);
                    mix(u64::from_le_bytes(b));
                }
                mix(s.len() as u64);
            }
        }
    }
    h
}

/// Whether two cells hold the same value (text the same whether shared or
/// inline).
fn same_cell(a: &Data, b: &Data) -> bool {
    match (text_of(a), text_of(b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => a == b,
        _ => false,
    }
}

/// What the sheet's header gave, for `check` and the run summary: the
/// mapped columns, those left or dropped (with why), the value profiles,
/// and the columns no field of the table took (a tracker's shipment and
/// feedback columns apart). `left` is the sheet's first column.
fn describe_columns(
    ctx: &ReadContext,
    plan: &Plan,
    derive: Option<&Derive>,
    sheet: &str,
    left: u32,
) -> SheetReport {
    let table = plan.table;
    let defs = fields::fields(table);
    let rel_cols = &plan.rel_cols;
    let abs_col = |rel: usize| left + rel as u32;
    let mut report = SheetReport {
        name: sheet.to_string(),
        header_row: plan.header_row,
        two_row_header: plan.two_rows,
        ..Default::default()
    };
    for (i, c) in rel_cols.iter().enumerate() {
        if let Some(c) = c {
            report
                .mapped
                .push((defs[i].name.to_string(), plan.names[*c].clone()));
        }
    }
    for (c, reason, dropped) in &plan.losers {
        report.ignored_columns.push(IgnoredColumn {
            column: col_letters(abs_col(*c)),
            header: plan.names[*c].clone(),
            reason: reason.clone(),
            dropped: *dropped,
        });
    }
    for (n, p) in plan.names.iter().zip(&plan.profiles) {
        if !n.is_empty() {
            report.profiles.insert(n.clone(), *p);
        }
    }
    if derive.is_none() {
        for (c, n) in plan.unclaimed() {
            let tracker = [Table::Shipments, Table::Feedback]
                .into_iter()
                .filter(|_| table == Table::Orders)
                .find_map(|t| {
                    ctx.field_for(t, n)
                        .map(|(fi, _)| (t, fields::fields(t)[fi].name))
                });
            match tracker {
                Some((t, f)) => {
                    report
                        .tracker_columns
                        .push((t, f, n.to_string(), col_letters(abs_col(c))))
                }
                None => report.unmapped.push(plan.names[c].clone()),
            }
        }
    }
    report
}

/// The column whose emptiness rejects a row (spec section 3): the order
/// id, or for feedback the customer — but feedback needs a customer only
/// when it has no order id (rev5): without a customer column the order id
/// is the key, and with both a row needs either.
struct KeyColumn {
    name: &'static str,
    idx: usize,
    /// The order id of feedback that also has a customer column.
    alt: Option<usize>,
    /// Feedback without a customer column: each row takes its order's.
    customer_from_orders: bool,
}

fn key_column(table: Table, cols: &[Option<u32>]) -> KeyColumn {
    let defs = fields::fields(table);
    let mut name = fields::key_field(table);
    let mut idx = defs.iter().position(|d| d.name == name).unwrap_or(0);
    let mut alt = None;
    let customer_from_orders = table == Table::Feedback && {
        let oi = defs.iter().position(|d| d.name == "order_id");
        match (cols[idx], oi.and_then(|i| cols[i].map(|_| i))) {
            (None, Some(i)) => {
                idx = i;
                name = "order_id";
                true
            }
            (Some(_), Some(i)) => {
                alt = Some(i);
                false
            }
            _ => false,
        }
    };
    KeyColumn {
        name,
        idx,
        alt,
        customer_from_orders,
    }
}

/// Marks the fields the sheet has, and raises one V01 at the header for
/// each required column it lacks (feedback's customer excepted when it
/// comes from the orders).
#[allow(clippy::too_many_arguments)]
fn missing_columns(
    ctx: &ReadContext,
    plan: &Plan,
    (file, sheet): (&str, &str),
    header_cell: String,
    cols: &[Option<u32>],
    customer_from_orders: bool,
    out: &mut TableBuilder,
    report: &mut SheetReport,
    flags: &mut Vec<Flag>,
) {
    let lang = ctx.lang;
    let table = plan.table;
    let defs = fields::fields(table);
    let currency_idx = defs.iter().position(|d| d.name == "currency");
    for (i, d) in defs.iter().enumerate() {
        if cols[i].is_some() || (Some(i) == currency_idx && plan.currency.is_some()) {
            out.present[i] = true;
        } else if d.required && !(customer_from_orders && d.name == "customer") {
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
                    cell: header_cell.clone(),
                    value: None,
                    rejected: false,
                    first_seen: None,
                    runs_open: None,
                    field: d.name,
                    key: None,
                    row_values: None,
                    ident: None,
                    is_new: None,
                });
            }
        }
    }
}

/// How many days after as_of an `updated_at` still counts as an update on
/// as_of (registers are edited after the period closes, spec section 4).
pub const UPDATE_GRACE_DAYS: i64 = 31;

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

/// Words a received cell may hold (spec section 10), compared after
/// [`values::norm_marker`].
const RECEIVED_YES: &[&str] = &[
    "是",
    "已收",
    "已到",
    "已到账",
    "已付",
    "已收款",
    "已付款",
    "yes",
    "y",
    "received",
    "paid",
    "✓",
    "√",
    "ok",
];
const RECEIVED_NO: &[&str] = &[
    "否",
    "未收",
    "未到",
    "未到账",
    "未付",
    "未收款",
    "no",
    "n",
    "not received",
    "unpaid",
    "×",
    "✗",
];

/// A received cell in its compact form (see [`Kind::Received`]).
fn read_received(ctx: &ReadContext, data: &Data) -> Result<String, ValueError> {
    let bad = || (RuleId::V02, "v02.received", vec![]);
    let amount = |x: f64| -> Result<String, ValueError> {
        if !x.is_finite() || x < 0.0 || x.abs() >= MAX_PLAUSIBLE {
            Err((RuleId::V03, "v03.range", vec![("range", "≥ 0".into())]))
        } else if x == 0.0 {
            Ok("n".into())
        } else {
            Ok(format!("a{x}"))
        }
    };
    match data {
        Data::DateTime(dt) if dt.is_datetime() => excel_datetime(dt)
            .map(|x| format!("d{}", date_to_days(x.date())))
            .ok_or_else(bad),
        Data::DateTimeIso(s) => values::parse_date_text(s, DateOrder::Ymd)
            .map(|d| format!("d{}", date_to_days(d)))
            .map_err(|_| bad()),
        Data::Int(i) => amount(*i as f64),
        Data::Float(f) => amount(*f),
        Data::Bool(b) => Ok(if *b { "y" } else { "n" }.into()),
        Data::String(_) | Data::SharedString(_) => {
            let text = text_of(data).unwrap_or_default();
            let word = values::norm_marker(text);
            if RECEIVED_YES.contains(&word.as_str()) {
                return Ok("y".into());
            }
            if RECEIVED_NO.contains(&word.as_str()) {
                return Ok("n".into());
            }
            if let Some(x) = values::parse_number_text(text) {
                return amount(x);
            }
            match values::parse_date_near(text, ctx.date_order, Some(ctx.as_of)) {
                Ok(d) => Ok(format!("d{}", date_to_days(d))),
                Err(_) => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

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
                    match values::parse_date_near(
                        text_of(data).unwrap_or_default(),
                        ctx.date_order,
                        Some(ctx.as_of),
                    ) {
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
        Kind::Received => read_received(ctx, data).map(|s| Val::Text(Cow::Owned(s))),
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
