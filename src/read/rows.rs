//! One sheet's data rows into typed rows (spec section 3), in named steps:
//! each row is sorted first (blank, totals, note, not a tracker's row),
//! then a ragged CSV record is rejected (V07), a row without its key is
//! rejected (V01), a line that repeats an earlier one cell for cell is
//! marked (C01, by the hash of all its cells, `row_hash`), its values are
//! read (V01–V06), its dates checked (V05), a tracker's shipment status
//! derived, and required cells left empty flagged (V01). Accepted rows go
//! into a [`TableBuilder`]; a rejected row becomes one flag carrying the
//! row's cells.

use std::borrow::Cow;
use std::collections::HashMap;

use calamine::Range;
use chrono::NaiveDate;

use super::plan::{Derive, MsCols, Plan, SkipReason};
use super::sheet::{
    cell_text, is_blank, is_note_row, is_totals_label, read_value, shown, text_of, Data,
    IgnoredColumn, MsCell, ReadContext, SheetReport, SourceInfo, TableBuilder, Val,
    UPDATE_GRACE_DAYS,
};
use super::values;
use crate::fields::{self, DateRole, FieldDef, Kind};
use crate::flags::{cell_ref, col_letters, Flag, Place, RuleId, Severity, Table};
use crate::frame::{date_to_days, days_to_date};
use crate::i18n;
use crate::milestones::Side;
use crate::template::DateOrder;

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
    let (top, left) = range.start().unwrap_or_default();
    let cols: Vec<Option<u32>> = plan
        .rel_cols
        .iter()
        .map(|c| c.map(|rel| left + rel as u32))
        .collect();
    let mut report = describe_columns(ctx, plan, derive, sheet, left);
    let key = key_column(plan.table, &cols);
    if cols[key.idx].is_none() {
        let lang = ctx.lang;
        return Err(i18n::fill(
            lang,
            "skip.no_key",
            &[
                ("field", i18n::field_label(lang, key.name)),
                ("aliases", &ctx.aliases_of(plan.table, key.idx)),
            ],
        ));
    }
    let abs = |c: Option<usize>| c.map(|rel| left + rel as u32);
    let source = SourceInfo {
        file: file.to_string(),
        sheet: sheet.to_string(),
        cols: cols.clone(),
        table: plan.table,
        ms: plan.ms.iter().map(|m| (abs(m.plan), abs(m.act))).collect(),
    };
    for (i, m) in plan.ms.iter().enumerate() {
        let key = ctx.steps.steps[i].key;
        for (rel, is_plan) in [(m.plan, true), (m.act, false)] {
            if let Some(c) = rel {
                let header = plan
                    .ms_shown
                    .iter()
                    .find(|(at, _)| *at == c)
                    .map_or_else(|| plan.names[c].clone(), |(_, h)| h.clone());
                report
                    .milestones
                    .push((key, is_plan, header, col_letters(left + c as u32)));
            }
        }
    }
    missing_columns(
        ctx,
        plan,
        (file, sheet),
        cell_ref(left, plan.header_row),
        &cols,
        key.customer_from_orders,
        out,
        &mut report,
        flags,
    );
    let lay = Layout::new(ctx, plan, derive, (file, sheet), (cols, left), key);
    let mut buf = RowBuf::new(lay.defs.len());
    let mut ms_cells = vec![MsCell::default(); plan.ms.len()];
    // Per field: cells that held an empty marker (`TBD`), for `check`.
    let mut markers: Vec<u64> = vec![0; lay.defs.len()];
    // A CSV record's field count against its header's (V07).
    let field_count = |row1: u32| {
        let i = (row1 as usize).checked_sub(1)?;
        csv_fields.and_then(|f| f.get(i)).copied()
    };
    let header_fields = field_count(plan.header_row);
    // Order lines by the hash of their cells, for C01 (a tracker's derived
    // rows skip the duplicate lines the same way).
    let dedup = plan.table == Table::Orders || derive.is_some();
    let mut seen: HashMap<u64, u32> = HashMap::new();
    for (rel_r, cells) in range.rows().enumerate().skip(plan.data_rel) {
        let row = Row {
            cells,
            row1: top + rel_r as u32 + 1,
        };
        let ragged = match (header_fields, field_count(row.row1)) {
            (Some(h), Some(n)) if h != n => Some((h, n)),
            _ => None,
        };
        match lay.sort_row(cells, ragged.is_some()) {
            RowKind::Skipped => continue,
            RowKind::Totals => {
                report.rows_totals += 1;
                continue;
            }
            RowKind::Note => {
                report.rows_notes += 1;
                continue;
            }
            RowKind::Data => report.rows_read += 1,
        }
        if let Some(fields) = ragged {
            lay.reject_ragged(row, fields, &mut report, flags);
            report.rows_rejected += 1;
            continue;
        }
        if let Some(f) = lay.reject_keyless(row) {
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
        buf.clear();
        lay.read_values(row, &mut buf, &mut markers, &mut report, is_dup);
        if let (Some(ci), Some(cur)) = (lay.at.currency, plan.currency) {
            if buf.vals[ci] == Val::Null && !buf.emptied[ci] {
                buf.vals[ci] = Val::Text(Cow::Borrowed(cur));
            }
        }
        lay.check_dates(row, &mut buf);
        lay.derive_status(&mut buf);
        if lay.delivered_without_date(&buf) {
            report.delivered_without_date += 1;
        }
        lay.required_empty(row, &mut buf);
        lay.read_milestones(row, &mut ms_cells, &mut buf, &mut report, is_dup);
        if is_dup {
            buf.flags.clear();
        }
        flags.append(&mut buf.flags);
        if derive.is_none() {
            let ms = (!ms_cells.is_empty()).then_some(&ms_cells[..]);
            out.push_ms(ms, ctx.steps.len());
        }
        out.push(&buf.vals, src_id, row.row1, hash);
        report.rows_accepted += 1;
    }
    for (i, n) in markers.iter().enumerate() {
        if *n > 0 {
            let header = plan.rel_cols[i]
                .map(|c| plan.names[c].clone())
                .unwrap_or_default();
            report.empty_markers.insert(header, *n);
        }
    }
    Ok((report, source))
}

/// One data row: its cells and 1-based row number.
#[derive(Clone, Copy)]
struct Row<'r> {
    cells: &'r [Data<'r>],
    row1: u32,
}

/// What a row is before it is read.
enum RowKind {
    /// Blank, or not one of a tracker's derived rows: not counted.
    Skipped,
    Totals,
    Note,
    Data,
}

/// One row's values as read, and the flags they raised (kept apart so a
/// repeated line can drop them).
struct RowBuf<'r> {
    vals: Vec<Val<'r>>,
    /// Emptied by a flag (or a shared column's problem): not "left empty".
    emptied: Vec<bool>,
    /// Held an empty marker, shown in its V01.
    marked: Vec<bool>,
    flags: Vec<Flag>,
}

impl<'r> RowBuf<'r> {
    fn new(n: usize) -> Self {
        RowBuf {
            vals: vec![Val::Null; n],
            emptied: vec![false; n],
            marked: vec![false; n],
            flags: Vec::new(),
        }
    }

    fn clear(&mut self) {
        self.vals.fill(Val::Null);
        self.emptied.fill(false);
        self.marked.fill(false);
        self.flags.clear();
    }

    fn is_date(&self, i: Option<usize>) -> bool {
        i.is_some_and(|i| matches!(self.vals[i], Val::Date(_)))
    }
}

/// Field indices the row steps look at.
struct FieldAt {
    order: Option<usize>,
    owner: Option<usize>,
    status: Option<usize>,
    delivered: Option<usize>,
    ship: Option<usize>,
    updated: Option<usize>,
    currency: Option<usize>,
}

/// A sheet's columns as the row steps use them, worked out once.
struct Layout<'p> {
    ctx: &'p ReadContext,
    table: Table,
    defs: &'static [FieldDef],
    file: &'p str,
    sheet: &'p str,
    /// Per field: its column relative to the range, and absolute.
    rel_cols: &'p [Option<usize>],
    cols: Vec<Option<u32>>,
    key: KeyColumn,
    derive: Option<&'p Derive>,
    /// Free text keeps what was written, empty markers included.
    free_text: Vec<bool>,
    at: FieldAt,
    /// A shipment's or feedback row's own identity, for flag fingerprints.
    ident_cols: Vec<usize>,
    feedback_id_col: Option<usize>,
    customer_col: Option<usize>,
    /// Per milestone: its columns (relative), for the orders read.
    ms: &'p [MsCols],
    left: u32,
}

impl<'p> Layout<'p> {
    fn new(
        ctx: &'p ReadContext,
        plan: &'p Plan,
        derive: Option<&'p Derive>,
        (file, sheet): (&'p str, &'p str),
        (cols, cols_left): (Vec<Option<u32>>, u32),
        key: KeyColumn,
    ) -> Self {
        let table = plan.table;
        let defs = fields::fields(table);
        let field = |name: &str| defs.iter().position(|d| d.name == name);
        let rel = |name: &str| field(name).and_then(|i| plan.rel_cols[i]);
        let ident_cols: Vec<usize> = match table {
            Table::Orders => Vec::new(),
            Table::Shipments => ["shipment_id", "tracking_no", "ship_date"]
                .iter()
                .filter_map(|n| rel(n))
                .collect(),
            Table::Feedback => ["feedback_id", "date"]
                .iter()
                .filter_map(|n| rel(n))
                .collect(),
        };
        Layout {
            ctx,
            table,
            defs,
            file,
            sheet,
            rel_cols: &plan.rel_cols,
            cols,
            key,
            derive,
            free_text: defs
                .iter()
                .map(|d| matches!(d.name, "product" | "contact" | "remarks" | "comment"))
                .collect(),
            at: FieldAt {
                order: field("order_id"),
                owner: field("owner"),
                status: field("status"),
                delivered: field("delivered_date"),
                ship: field("ship_date"),
                updated: field("updated_at"),
                currency: field("currency"),
            },
            ident_cols,
            feedback_id_col: rel("feedback_id"),
            customer_col: rel("customer"),
            ms: if derive.is_some() { &[] } else { &plan.ms },
            left: cols_left,
        }
    }

    /// A field read from the orders columns of a tracker: its problems
    /// were flagged when the order row was read.
    fn shared(&self, i: usize) -> bool {
        self.derive.is_some_and(|d| d.shared[i])
    }

    fn cell<'r>(&self, cells: &'r [Data<'r>], field: usize) -> Option<&'r Data<'r>> {
        self.rel_cols[field].and_then(|c| cells.get(c))
    }

    /// Holds something other than an empty marker.
    fn filled(&self, d: &Data) -> bool {
        !is_blank(d) && !self.ctx.is_marker(d)
    }

    fn sort_row(&self, cells: &[Data], ragged: bool) -> RowKind {
        if cells.iter().all(is_blank) {
            return RowKind::Skipped;
        }
        // Totals row: its key cell or first non-empty cell says so.
        let key_cell = self.cell(cells, self.key.idx);
        let first = cells.iter().find(|c| !is_blank(c));
        if key_cell.is_some_and(is_totals_label) || first.is_some_and(is_totals_label) {
            return RowKind::Totals;
        }
        if is_note_row(cells) {
            return RowKind::Note;
        }
        if let Some(d) = self.derive {
            // The orders read flags a ragged record or a row without its key.
            let key_ok = key_cell.is_some_and(|c| self.filled(c) && !matches!(c, Data::Error(_)));
            let has = |i: &usize| self.cell(cells, *i).is_some_and(|c| self.filled(c));
            if ragged || !key_ok || !d.any_of.iter().any(has) {
                return RowKind::Skipped;
            }
        }
        RowKind::Data
    }

    /// A flag on this row: its order and owner, and for shipments and
    /// feedback the row's own identity.
    #[allow(clippy::too_many_arguments)]
    fn flag(
        &self,
        row: Row,
        rule: RuleId,
        severity: Severity,
        field: &'static str,
        col: u32,
        value: Option<String>,
        message: String,
    ) -> Flag {
        let text_at = |c: usize| {
            row.cells
                .get(c)
                .filter(|d| !is_blank(d))
                .and_then(cell_text)
                .map(Cow::into_owned)
        };
        let order_text = self
            .at
            .order
            .and_then(|i| self.cell(row.cells, i))
            .and_then(cell_text)
            .map(Cow::into_owned);
        let owner = self
            .at
            .owner
            .and_then(|i| self.cell(row.cells, i))
            .filter(|c| !self.ctx.is_marker(c))
            .and_then(cell_text)
            .map(Cow::into_owned);
        let ident = self.ident_cols.iter().find_map(|c| {
            let t = text_at(*c)?;
            // Feedback without an id: its date and customer.
            Some(
                match (
                    self.table,
                    self.feedback_id_col == Some(*c),
                    self.customer_col,
                ) {
                    (Table::Feedback, false, Some(cc)) => {
                        format!("{t}|{}", text_at(cc).unwrap_or_default())
                    }
                    _ => t,
                },
            )
        });
        let place = Place::new(self.file, self.sheet, cell_ref(col, row.row1));
        Flag {
            key: order_text.as_deref().map(values::norm_key),
            order_id: order_text,
            owner,
            value,
            ident,
            ..Flag::new(rule, severity, self.table, field, place, message)
        }
    }

    /// The flag that rejects a row, carrying its cells.
    fn rejecting(&self, mut f: Flag, row: Row) -> Flag {
        f.rejected = true;
        f.row_values = Some(row.cells.iter().map(shown).collect());
        f
    }

    /// A CSV record whose field count is not its header's: its values would
    /// land in the wrong columns, so the row is rejected (V07), on its
    /// first cell (column A).
    fn reject_ragged(
        &self,
        row: Row,
        (header_n, n): (u32, u32),
        report: &mut SheetReport,
        flags: &mut Vec<Flag>,
    ) {
        let Some(sev) = self.ctx.policy.severity(RuleId::V07, Severity::Error) else {
            *report.hidden.entry(RuleId::V07).or_default() += 1;
            return;
        };
        let message = i18n::fill(
            self.ctx.lang,
            "v07.fields",
            &[("n", &n.to_string()), ("header", &header_n.to_string())],
        );
        let first = row.cells.first().map(shown).filter(|s| !s.is_empty());
        let f = self.flag(row, RuleId::V07, sev, self.key.name, 0, first, message);
        flags.push(self.rejecting(f, row));
    }

    /// The key: a row without it is rejected with exactly one V01 (a
    /// feedback row without a customer but with an order id is kept).
    fn reject_keyless(&self, row: Row) -> Option<Flag> {
        let key_data = self.cell(row.cells, self.key.idx).unwrap_or(&Data::Empty);
        let key_text = match key_data {
            Data::Error(_) => None,
            d if self.ctx.is_marker(d) => None,
            d => cell_text(d),
        };
        let alt_ok = self
            .key
            .alt
            .and_then(|i| self.cell(row.cells, i))
            .is_some_and(|d| !matches!(d, Data::Error(_)) && self.filled(d));
        if key_text.is_some() || alt_ok {
            return None;
        }
        let lang = self.ctx.lang;
        let label = i18n::field_label(lang, self.key.name);
        let message = match key_data {
            Data::Error(e) => i18n::fill(
                lang,
                "v01.key_error",
                &[("field", label), ("value", &e.to_string())],
            ),
            _ if self.key.alt.is_some() => i18n::text(lang, "v01.feedback_key").to_string(),
            _ => i18n::fill(lang, "v01.key", &[("field", label)]),
        };
        // The key's V01 cannot be disabled (the row is left out either way).
        let sev = self
            .ctx
            .policy
            .overrides
            .get(&RuleId::V01)
            .copied()
            .unwrap_or(Severity::Error);
        let col = self.cols[self.key.idx].unwrap_or_default();
        let value = Some(shown(key_data)).filter(|s| !s.is_empty());
        let f = self.flag(row, RuleId::V01, sev, self.key.name, col, value, message);
        Some(self.rejecting(f, row))
    }

    /// Every mapped cell as its field's type (V02–V04, V06); a value a
    /// disabled rule empties is counted in `report.hidden` instead.
    fn read_values<'r>(
        &self,
        row: Row<'r>,
        buf: &mut RowBuf<'r>,
        markers: &mut [u64],
        report: &mut SheetReport,
        is_dup: bool,
    ) {
        let lang = self.ctx.lang;
        for (i, def) in self.defs.iter().enumerate() {
            let (Some(rel), Some(col)) = (self.rel_cols[i], self.cols[i]) else {
                continue;
            };
            let data = row.cells.get(rel).unwrap_or(&Data::Empty);
            if !self.free_text[i] && self.ctx.is_marker(data) {
                markers[i] += 1;
                buf.marked[i] = true;
                continue;
            }
            if def.kind == Kind::Date {
                match text_of(data).and_then(values::day_month_hint) {
                    Some(DateOrder::Dmy) => report.dates_day_first += 1,
                    Some(DateOrder::Mdy) => report.dates_month_first += 1,
                    _ => {}
                }
            }
            match read_value(self.ctx, def, data) {
                Ok(v) => buf.vals[i] = v,
                Err(_) if self.shared(i) => buf.emptied[i] = true,
                Err((rule, key, extra)) => {
                    buf.emptied[i] = true;
                    let label = i18n::field_label(lang, def.name);
                    let raw = shown(data);
                    let mut args: Vec<(&str, &str)> = vec![("field", label), ("value", &raw)];
                    args.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
                    let msg = i18n::fill(lang, key, &args);
                    match self.ctx.policy.severity(rule, rule.default_severity()) {
                        Some(sev) => buf.flags.push(self.flag(
                            row,
                            rule,
                            sev,
                            def.name,
                            col,
                            Some(raw.clone()),
                            msg,
                        )),
                        None if !is_dup => *report.hidden.entry(rule).or_default() += 1,
                        None => {}
                    }
                }
            }
        }
    }

    /// Dates: implausible ones (V05) are emptied and flagged; a disabled
    /// V05 keeps the date as written (spec section 3). An update written
    /// up to a month after as_of counts as one on as_of either way.
    fn check_dates(&self, row: Row, buf: &mut RowBuf) {
        let ctx = self.ctx;
        let sev = ctx.policy.severity(RuleId::V05, Severity::Error);
        for (i, def) in self.defs.iter().enumerate() {
            let Val::Date(days) = buf.vals[i] else {
                continue;
            };
            if self.shared(i) {
                continue;
            }
            let date = days_to_date(days);
            let key = if date < ctx.earliest {
                "v05.old"
            } else if date > NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default() {
                "v05.far"
            } else if def.role == DateRole::PastEvent && date > ctx.as_of {
                if self.table == Table::Shipments
                    && def.name == "ship_date"
                    && is_booked_plan(self.defs, &buf.vals)
                {
                    continue;
                }
                if Some(i) == self.at.updated && (date - ctx.as_of).num_days() <= UPDATE_GRACE_DAYS
                {
                    // Edited after the period closed: an update on as_of.
                    buf.vals[i] = Val::Date(date_to_days(ctx.as_of));
                    continue;
                }
                "v05.future"
            } else {
                continue;
            };
            let Some(sev) = sev else { continue };
            buf.vals[i] = Val::Null;
            buf.emptied[i] = true;
            let lang = ctx.lang;
            let value = date.format("%Y-%m-%d").to_string();
            let msg = i18n::fill(
                lang,
                key,
                &[
                    ("field", i18n::field_label(lang, def.name)),
                    ("value", &value),
                    ("as_of", &ctx.as_of.format("%Y-%m-%d").to_string()),
                    ("earliest", &ctx.earliest.format("%Y-%m-%d").to_string()),
                ],
            );
            let col = self.cols[i].unwrap_or_default();
            let f = self.flag(row, RuleId::V05, sev, def.name, col, Some(value), msg);
            buf.flags.push(f);
        }
    }

    /// The milestone cells (spec section 13): a plan date, and an actual
    /// that is a date, a done or not-done word, or empty (not done). An
    /// unreadable cell is V02 (or V06) and an implausible date V05, as
    /// anywhere; an actual after as_of is not done.
    fn read_milestones(
        &self,
        row: Row,
        out: &mut [MsCell],
        buf: &mut RowBuf,
        report: &mut SheetReport,
        is_dup: bool,
    ) {
        for (i, m) in self.ms.iter().enumerate() {
            if m.plan.is_none() && m.act.is_none() {
                // No column for this step on this sheet: it takes no part.
                out[i] = MsCell::default();
                continue;
            }
            let mut cell = MsCell {
                done: Some(false),
                ..MsCell::default()
            };
            let data = |rel: usize| row.cells.get(rel).unwrap_or(&Data::Empty);
            if let Some(rel) = m.plan.filter(|r| !self.ctx.is_marker(data(*r))) {
                match read_value(self.ctx, &MS_DATE, data(rel)) {
                    Ok(Val::Date(d)) => cell.plan = self.ms_date(row, i, Side::Plan, d, buf),
                    Ok(_) => {}
                    Err(e) => {
                        self.ms_unreadable(row, (i, Side::Plan), data(rel), e, buf, report, is_dup)
                    }
                }
            }
            if let Some(rel) = m.act.filter(|r| !self.ctx.is_marker(data(*r))) {
                match read_done(self.ctx, data(rel)) {
                    Ok(Done::On(d)) => {
                        cell.act = self.ms_date(row, i, Side::Actual, d, buf);
                        cell.done = Some(cell.act.is_some());
                    }
                    Ok(Done::Yes) => cell.done = Some(true),
                    Ok(Done::No) => {}
                    Err(e) => self.ms_unreadable(
                        row,
                        (i, Side::Actual),
                        data(rel),
                        e,
                        buf,
                        report,
                        is_dup,
                    ),
                }
            }
            out[i] = cell;
        }
    }

    /// A milestone column's name in messages: the step and the side.
    fn ms_label(&self, step: usize, side: Side) -> String {
        let lang = self.ctx.lang;
        let key = match side {
            Side::Plan => "ms.plan_of",
            Side::Actual => "ms.actual_of",
        };
        i18n::fill(
            lang,
            key,
            &[("step", self.ctx.steps.steps[step].name(lang))],
        )
    }

    fn ms_col(&self, step: usize, side: Side) -> u32 {
        let m = self.ms[step];
        let rel = match side {
            Side::Plan => m.plan,
            Side::Actual => m.act,
        };
        self.left + rel.unwrap_or_default() as u32
    }

    /// A milestone date checked as every date is (V05): a plan may lie
    /// anywhere from the earliest date to 2099, an actual not after as_of.
    /// `None` when it is emptied.
    fn ms_date(
        &self,
        row: Row,
        step: usize,
        side: Side,
        days: i32,
        buf: &mut RowBuf,
    ) -> Option<i32> {
        let ctx = self.ctx;
        let date = days_to_date(days);
        let key = if date < ctx.earliest {
            "v05.old"
        } else if date > NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or_default() {
            "v05.far"
        } else if side == Side::Actual && date > ctx.as_of {
            "v05.future"
        } else {
            return Some(days);
        };
        let sev = ctx.policy.severity(RuleId::V05, Severity::Error)?;
        let lang = ctx.lang;
        let value = date.format("%Y-%m-%d").to_string();
        let msg = i18n::fill(
            lang,
            key,
            &[
                ("field", &self.ms_label(step, side)),
                ("value", &value),
                ("as_of", &ctx.as_of.format("%Y-%m-%d").to_string()),
                ("earliest", &ctx.earliest.format("%Y-%m-%d").to_string()),
            ],
        );
        let field = self.ctx.steps.steps[step].field(side);
        let col = self.ms_col(step, side);
        buf.flags
            .push(self.flag(row, RuleId::V05, sev, field, col, Some(value), msg));
        None
    }

    /// A milestone cell that is no date (nor, for an actual, a done word).
    #[allow(clippy::too_many_arguments)]
    fn ms_unreadable(
        &self,
        row: Row,
        (step, side): (usize, Side),
        data: &Data,
        (rule, key, extra): super::sheet::ValueError,
        buf: &mut RowBuf,
        report: &mut SheetReport,
        is_dup: bool,
    ) {
        let lang = self.ctx.lang;
        let label = self.ms_label(step, side);
        let raw = shown(data);
        let mut args: Vec<(&str, &str)> = vec![("field", &label), ("value", &raw)];
        args.extend(extra.iter().map(|(k, v)| (*k, v.as_str())));
        let msg = i18n::fill(lang, key, &args);
        match self.ctx.policy.severity(rule, rule.default_severity()) {
            Some(sev) => {
                let field = self.ctx.steps.steps[step].field(side);
                let col = self.ms_col(step, side);
                buf.flags
                    .push(self.flag(row, rule, sev, field, col, Some(raw.clone()), msg));
            }
            None if !is_dup => *report.hidden.entry(rule).or_default() += 1,
            None => {}
        }
    }

    /// A tracker's shipment status, when it has no column of its own, from
    /// the dates as cleaned (a delivered date after as_of, emptied by V05,
    /// does not make the shipment delivered).
    fn derive_status(&self, buf: &mut RowBuf) {
        if self.derive.is_none() || self.table != Table::Shipments {
            return;
        }
        let Some(si) = self.at.status.filter(|i| self.rel_cols[*i].is_none()) else {
            return;
        };
        let as_of = date_to_days(self.ctx.as_of);
        let shipped = self
            .at
            .ship
            .is_some_and(|i| matches!(buf.vals[i], Val::Date(d) if d <= as_of));
        buf.vals[si] = Val::Text(Cow::Borrowed(if buf.is_date(self.at.delivered) {
            "delivered"
        } else if shipped {
            "in_transit"
        } else {
            "booked"
        }));
    }

    /// A shipment said to be delivered without a delivered date (spec
    /// section 4), counted for `check`.
    fn delivered_without_date(&self, buf: &RowBuf) -> bool {
        self.table == Table::Shipments
            && self
                .at
                .status
                .is_some_and(|i| matches!(&buf.vals[i], Val::Text(s) if s.as_ref() == "delivered"))
            && self.at.delivered.is_some_and(|i| buf.vals[i] == Val::Null)
    }

    /// Required fields left empty (not those emptied by another flag): V01,
    /// with an empty marker shown as written (`TBD`).
    fn required_empty(&self, row: Row, buf: &mut RowBuf) {
        let Some(sev) = self.ctx.policy.severity(RuleId::V01, Severity::Error) else {
            return;
        };
        let lang = self.ctx.lang;
        for (i, def) in self.defs.iter().enumerate() {
            let Some(col) = self.cols[i] else { continue };
            if !def.required
                || i == self.key.idx
                || self.shared(i)
                || buf.vals[i] != Val::Null
                || buf.emptied[i]
            {
                continue;
            }
            let msg = i18n::fill(
                lang,
                "v01.required",
                &[("field", i18n::field_label(lang, def.name))],
            );
            let value = buf.marked[i]
                .then(|| self.cell(row.cells, i).map(shown))
                .flatten();
            let f = self.flag(row, RuleId::V01, sev, def.name, col, value, msg);
            buf.flags.push(f);
        }
    }
}

/// A milestone plan cell read as a date (spec section 13).
const MS_DATE: FieldDef = FieldDef {
    name: "milestone",
    required: false,
    kind: Kind::Date,
    role: DateRole::Plan,
    aliases: &[],
};

use super::sheet::{read_done, Done};

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
                let place = Place::new(file, sheet, header_cell.clone());
                flags.push(Flag::new(RuleId::V01, sev, table, d.name, place, msg));
            }
        }
    }
}
