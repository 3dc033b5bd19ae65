//! What reading a sheet needs besides its rows: the [`ReadContext`]
//! (language, report date, policy, aliases, word matchers), a value as read
//! ([`Val`]) and every value form of spec section 3 (`read_value`), the
//! cell helpers (blank, totals and note rows), the per-sheet report for
//! `check`, and the [`TableBuilder`] that collects accepted rows. Planning
//! a sheet is `plan.rs`; reading its rows, step by step, is `rows.rs`.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use calamine::DataRef;
use chrono::NaiveDate;
use polars::prelude::StringChunkedBuilder;

use super::values::{self, DateError, WordMatcher};
use crate::fields::{self, EnumKind, FieldDef, Kind};
use crate::flags::{cell_ref, Place, Policy, RuleId, Table};
use crate::i18n::{self, Lang};
use crate::template::{DateOrder, Template};

pub use super::plan::{
    derive_plan, header_guess, plan, Derive, HeaderGuess, MsCols, Plan, SkipReason, ValueProfile,
};
use crate::frame::date_to_days;

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
    /// The milestones in sequence (spec section 13).
    pub steps: crate::milestones::Steps,
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
            steps: crate::milestones::Steps::new(&t.file.milestones).unwrap_or_default(),
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
    /// Only empty cells so far (`n` of them; most optional fields, in a
    /// register without their column): counted, not stored, until the
    /// first value turns it into the column `then`.
    Nulls {
        n: usize,
        then: Box<Column>,
    },
}

impl Column {
    fn of(def: &FieldDef) -> Column {
        let then = match def.kind {
            Kind::Text | Kind::Enum(_) | Kind::Received | Kind::Mark => {
                Column::Text(StringChunkedBuilder::new(def.name.into(), 0))
            }
            Kind::Quantity | Kind::NonNegative | Kind::Share => Column::Num(Vec::new()),
            Kind::Whole(..) => Column::Int(Vec::new()),
            Kind::Date => Column::Date(Vec::new()),
        };
        Column::Nulls {
            n: 0,
            then: Box::new(then),
        }
    }

    /// Whether this column records `v` as a value (not as empty).
    fn takes(&self, v: &Val) -> bool {
        matches!(
            (self, v),
            (Column::Text(_), Val::Text(_))
                | (Column::Num(_), Val::Num(_))
                | (Column::Int(_), Val::Int(_))
                | (Column::Date(_), Val::Date(_))
        )
    }

    fn push(&mut self, v: &Val) {
        if let Column::Nulls { n, then } = self {
            if !then.takes(v) {
                *n += 1;
                return;
            }
            let n = *n;
            let mut col = std::mem::replace(then.as_mut(), Column::Num(Vec::new()));
            for _ in 0..n {
                col.push(&Val::Null);
            }
            *self = col;
        }
        match (self, v) {
            (Column::Text(b), Val::Text(s)) => b.append_value(s.as_ref()),
            (Column::Text(b), _) => b.append_null(),
            (Column::Num(c), Val::Num(x)) => c.push(Some(*x)),
            (Column::Num(c), _) => c.push(None),
            (Column::Int(c), Val::Int(x)) => c.push(Some(*x)),
            (Column::Int(c), _) => c.push(None),
            (Column::Date(c), Val::Date(x)) => c.push(Some(*x)),
            (Column::Date(c), _) => c.push(None),
            // Materialised above.
            (Column::Nulls { .. }, _) => {}
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
    /// Orders only: the milestone cells, per step (spec section 13); empty
    /// until a sheet with a milestone column is read (rows before it null).
    pub ms: Vec<MsColumn>,
}

/// One milestone's cells as read, per line: its plan, its actual date, and
/// whether it is done (`None`: the line's sheet has no column for it).
#[derive(Clone, Debug, Default)]
pub struct MsColumn {
    pub plan: Vec<Option<i32>>,
    pub act: Vec<Option<i32>>,
    pub done: Vec<Option<bool>>,
}

/// One line's cells of one milestone.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsCell {
    pub plan: Option<i32>,
    pub act: Option<i32>,
    pub done: Option<bool>,
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
            ms: Vec::new(),
        }
    }

    /// Appends one line's milestone cells (before [`TableBuilder::push`]
    /// of the same line); `None` for a sheet without milestone columns.
    pub(super) fn push_ms(&mut self, cells: Option<&[MsCell]>, steps: usize) {
        if cells.is_none() && self.ms.is_empty() {
            return;
        }
        if self.ms.is_empty() {
            let n = self.len();
            self.ms = (0..steps)
                .map(|_| MsColumn {
                    plan: vec![None; n],
                    act: vec![None; n],
                    done: vec![None; n],
                })
                .collect();
        }
        for (i, col) in self.ms.iter_mut().enumerate() {
            let c = cells.and_then(|c| c.get(i)).copied().unwrap_or_default();
            col.plan.push(c.plan);
            col.act.push(c.act);
            col.done.push(c.done);
        }
    }

    /// Appends one row of field values (in field order).
    pub(super) fn push(&mut self, vals: &[Val], src: u32, row: u32, hash: u64) {
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
    /// Per milestone: its (plan, actual) column (0-based); empty when the
    /// sheet has none.
    pub ms: Vec<(Option<u32>, Option<u32>)>,
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

    /// `cell` of this sheet, as a flag points at it.
    pub fn place(&self, cell: String) -> Place {
        Place::new(&self.file, &self.sheet, cell)
    }

    /// The cell of milestone `step` on `row`: its actual column, else its
    /// plan column, else the order id's cell.
    pub fn ms_cell(&self, step: usize, row: u32) -> String {
        match self.ms.get(step).and_then(|(p, a)| a.or(*p)) {
            Some(c) => cell_ref(c, row),
            None => self.cell("order_id", row),
        }
    }

    /// The cell of milestone `step`'s plan (else actual) column on `row`.
    pub fn ms_plan_cell(&self, step: usize, row: u32) -> String {
        match self.ms.get(step).and_then(|(p, a)| p.or(*a)) {
            Some(c) => cell_ref(c, row),
            None => self.cell("order_id", row),
        }
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
    /// The milestone columns found (spec section 13): (step key, plan?,
    /// header, column letters), for `check` and `init`.
    #[serde(skip)]
    pub milestones: Vec<(&'static str, bool, String, String)>,
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
pub(super) fn cell_text<'a>(d: &'a Data) -> Option<Cow<'a, str>> {
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

/// How many days after as_of an `updated_at` still counts as an update on
/// as_of (registers are edited after the period closes, spec section 4).
pub const UPDATE_GRACE_DAYS: i64 = 31;

pub(super) type ValueError = (RuleId, &'static str, Vec<(&'static str, String)>);

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

/// A share cell (the quantity tolerance, spec section 10.1): a number
/// (1 or more is a percentage, below 1 a share, as a cell formatted 5 %
/// holds 0.05) or text as [`values::parse_share`] reads it.
fn read_share(data: &Data) -> Result<f64, ValueError> {
    let bad = || (RuleId::V02, "v02.share", vec![]);
    match data {
        Data::Int(i) => values::share_of_number(*i as f64).ok_or_else(bad),
        Data::Float(f) => values::share_of_number(*f).ok_or_else(bad),
        Data::String(_) | Data::SharedString(_) => {
            values::parse_share(text_of(data).unwrap_or_default()).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

/// Words of a date-or-yes/no cell besides the received words.
const MARK_YES: &[&str] = &[
    "已交单",
    "已交",
    "已到证",
    "已开证",
    "到证",
    "presented",
    "issued",
    "done",
];
const MARK_NO: &[&str] = &[
    "未交单",
    "未交",
    "未到证",
    "未开证",
    "not presented",
    "pending",
];

/// A date-or-yes/no cell (see [`Kind::Mark`]): read as a received cell
/// is, except that a number is a date only as an Excel date serial, and
/// an amount is not a mark (V02).
fn read_mark(ctx: &ReadContext, data: &Data) -> Result<String, ValueError> {
    let bad = || (RuleId::V02, "v02.mark", vec![]);
    let serial = |x: f64| {
        values::serial_to_date(x)
            .map(|d| format!("d{}", date_to_days(d)))
            .ok_or_else(bad)
    };
    match data {
        Data::Int(i) => serial(*i as f64),
        Data::Float(f) => serial(*f),
        Data::String(_) | Data::SharedString(_) => {
            let text = text_of(data).unwrap_or_default();
            let word = values::norm_marker(text);
            if MARK_YES.contains(&word.as_str()) {
                return Ok("y".into());
            }
            if MARK_NO.contains(&word.as_str()) {
                return Ok("n".into());
            }
            if values::parse_number_text(text).is_some() {
                return Err(bad());
            }
            read_received(ctx, data).map_err(|_| bad())
        }
        _ => read_received(ctx, data).map_err(|_| bad()),
    }
}

/// A milestone's actual cell (spec section 13).
pub(super) enum Done {
    /// Done that day (days since 1970-01-01).
    On(i32),
    /// Done, date unknown.
    Yes,
    No,
}

/// Words that say a milestone is done or not (besides a date), compared
/// after [`values::norm_marker`].
const DONE_YES: &[&str] = &[
    "ok",
    "done",
    "yes",
    "y",
    "完成",
    "已完成",
    "完工",
    "已",
    "是",
    "好",
    "√",
    "✓",
    "✔",
    "finished",
    "complete",
    "completed",
    "approved",
    "passed",
    "pass",
    "已确认",
    "确认",
    "已通过",
    "通过",
    "合格",
    "已订舱",
    "已验货",
    "已到",
    "已到厂",
    "到齐",
];
const DONE_NO: &[&str] = &[
    "no",
    "n",
    "否",
    "未",
    "未完成",
    "未到",
    "未确认",
    "没有",
    "×",
    "✗",
    "not done",
    "not yet",
];

/// A milestone's actual cell: a date, a done or not-done word, a yes/no
/// checkbox, or 0 (not done).
pub(super) fn read_done(ctx: &ReadContext, data: &Data) -> Result<Done, ValueError> {
    let bad = || (RuleId::V02, "v02.milestone", vec![]);
    let day = |d: NaiveDate| Done::On(date_to_days(d));
    match data {
        Data::Error(_) => Err((RuleId::V06, "v06.error", vec![])),
        Data::Bool(b) => Ok(if *b { Done::Yes } else { Done::No }),
        Data::Int(0) => Ok(Done::No),
        Data::Float(f) if *f == 0.0 => Ok(Done::No),
        Data::Int(i) => values::serial_to_date(*i as f64).map(day).ok_or_else(bad),
        Data::Float(f) => values::serial_to_date(*f).map(day).ok_or_else(bad),
        Data::DateTime(dt) if dt.is_datetime() => {
            excel_datetime(dt).map(|x| day(x.date())).ok_or_else(bad)
        }
        Data::DateTimeIso(s) => values::parse_date_text(s, DateOrder::Ymd)
            .map(day)
            .map_err(|_| bad()),
        Data::String(_) | Data::SharedString(_) => {
            let text = text_of(data).unwrap_or_default();
            let word = values::norm_marker(text);
            if DONE_YES.contains(&word.as_str()) {
                return Ok(Done::Yes);
            }
            if DONE_NO.contains(&word.as_str()) || word == "0" {
                return Ok(Done::No);
            }
            match values::parse_date_near(text, ctx.date_order, Some(ctx.as_of)) {
                Ok(d) => Ok(day(d)),
                Err(DateError::Ambiguous) => Err((RuleId::V02, "v02.ambiguous", vec![])),
                Err(DateError::Invalid) => Err(bad()),
            }
        }
        Data::Empty => Ok(Done::No),
        _ => Err(bad()),
    }
}

/// One cell as its field's type.
pub(super) fn read_value<'a>(
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
        Kind::Share => read_share(data).map(Val::Num),
        Kind::Mark => read_mark(ctx, data).map(|s| Val::Text(Cow::Owned(s))),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A column only counts its empty cells until its first value, then
    /// holds them all, in order.
    #[test]
    fn a_counted_null_column_keeps_its_empty_cells_once_a_value_comes() {
        let def = fields::fields(Table::Orders)
            .iter()
            .find(|d| d.name == "qty_tolerance")
            .expect("the tolerance field");
        let mut c = Column::of(def);
        c.push(&Val::Null);
        c.push(&Val::Text(Cow::Borrowed("not a share")));
        assert!(matches!(&c, Column::Nulls { n: 2, .. }));
        c.push(&Val::Num(0.05));
        c.push(&Val::Null);
        match c {
            Column::Num(v) => assert_eq!(v, vec![None, None, Some(0.05), None]),
            _ => panic!("not materialised as numbers"),
        }
    }
}
