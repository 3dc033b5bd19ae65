//! Planning a sheet for a table (spec sections 3, 3.2 and 3.3): where its
//! header is (one row or two), which column each field takes (template
//! aliases first, ranked built-in ones, the template's `ignore`), and the
//! evidence rule — a built-in mapping whose sampled values contradict the
//! field is dropped, with the reason in words. Also the telling fields
//! that decide which table a sheet is, each column's value profile for
//! `gendan init`, the likeliest header of a sheet no table recognised, and
//! the plan of a tracker's derived shipments or feedback. Reading the rows
//! by a plan is [`super::sheet`]'s.

use calamine::Range;

use super::sheet::{is_blank, is_note_row, is_totals_label, shown, text_of, Data, ReadContext};
use super::values::{self, DateError};
use crate::fields::{self, FieldDef, Kind};
use crate::flags::{col_letters, Table};
use crate::i18n;
use crate::milestones::{self, Side};

use super::sheet::RANK_BUILTIN;

/// Why a sheet was not read.
pub type SkipReason = String;

/// The header of a sheet for one table, as found: where it is, each
/// column's name and field, which column each field takes.
#[derive(Clone, Debug)]
pub struct Plan {
    pub table: Table,
    /// First data row, relative to the range.
    pub(crate) data_rel: usize,
    /// 1-based row of the (lower) header row.
    pub header_row: u32,
    pub(crate) two_rows: bool,
    /// Per column (relative): the header text as shown.
    pub(crate) names: Vec<String>,
    /// Per field: the relative column that holds it.
    pub(crate) rel_cols: Vec<Option<usize>>,
    /// Columns of a field that lost to another column of it: (rel, reason).
    /// Columns of a field that lost to another column of it, or that no
    /// field may take (the template's `ignore`, values that contradict a
    /// built-in alias): (rel, reason, whether it was dropped).
    pub(crate) losers: Vec<(usize, String, bool)>,
    /// The currency a header's bracketed suffix names.
    pub(crate) currency: Option<&'static str>,
    /// Share of the table's required fields the header matches.
    pub share: f64,
    /// Required fields matched.
    pub hits: usize,
    /// Fields of this table alone that the header matched (spec section
    /// 3.2, rev5): what decides which table a sheet is.
    pub telling: Vec<&'static str>,
    /// Per column (relative): what its sampled cells hold.
    pub profiles: Vec<ValueProfile>,
    /// Orders only: per milestone (in [`crate::milestones::Steps`] order),
    /// its plan and actual columns (relative); empty when the sheet has no
    /// milestone column (spec section 13).
    pub ms: Vec<MsCols>,
    /// The milestone columns' headers as shown (a two-row header's group
    /// title with the name below it), by column (relative).
    pub(crate) ms_shown: Vec<(usize, String)>,
}

/// A milestone's columns on a sheet, relative to its used area.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsCols {
    pub plan: Option<usize>,
    pub act: Option<usize>,
}

impl Plan {
    /// The column (relative to the sheet's used area) of each field, in
    /// field order.
    pub fn field_columns(&self) -> &[Option<usize>] {
        &self.rel_cols
    }

    /// The header's names, per column (relative).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Columns (relative) that no field of the table took, with their text.
    pub(crate) fn unclaimed(&self) -> impl Iterator<Item = (usize, &str)> {
        let taken: Vec<usize> = self
            .rel_cols
            .iter()
            .flatten()
            .copied()
            .chain(self.losers.iter().map(|(c, _, _)| *c))
            .chain(self.ms.iter().flat_map(|m| m.plan.into_iter().chain(m.act)))
            .collect();
        self.names
            .iter()
            .enumerate()
            .filter(move |(c, n)| !n.is_empty() && !taken.contains(c))
            .map(|(c, n)| (c, n.as_str()))
    }
}

/// A row's cell texts as header names (blank for anything but text).
fn header_names(row: &[Data]) -> Vec<String> {
    row.iter()
        .map(|c| match text_of(c) {
            Some(s) if !values::is_blank_text(s) => values::clean_text(s).unwrap_or_default(),
            _ => String::new(),
        })
        .collect()
}

/// Required fields of `table` that `names` match.
fn required_hits(ctx: &ReadContext, table: Table, names: &[String]) -> usize {
    let defs = fields::fields(table);
    let mut seen = vec![false; defs.len()];
    for n in names {
        if let Some((i, _)) = ctx.field_for(table, n) {
            seen[i] = true;
        }
    }
    defs.iter()
        .zip(seen)
        .filter(|(d, s)| d.required && *s)
        .count()
}

/// Whether `n` names a field of any table.
fn names_any_field(ctx: &ReadContext, n: &str) -> bool {
    Table::ALL.iter().any(|t| ctx.field_for(*t, n).is_some())
}

/// Finds the header for `table`: the first of the first 30 rows whose
/// cells match at least half of the table's required fields, read
/// together with the row below when that row holds the names under group
/// titles (a two-row header, spec section 3).
///
/// # Errors
/// The reason the sheet cannot be read for `table`, in the report language.
pub fn plan(ctx: &ReadContext, table: Table, range: &Range<Data>) -> Result<Plan, SkipReason> {
    let lang = ctx.lang;
    let defs = fields::fields(table);
    let required = defs.iter().filter(|d| d.required).count();
    if range.start().is_none() {
        return Err(i18n::text(lang, "skip.empty").to_string());
    }
    let origin = range.start().unwrap_or_default();
    let mut rows = range.rows();
    let mut found = None;
    for r in 0..30 {
        let Some(row) = rows.next() else {
            break;
        };
        let names = header_names(row);
        let hits = required_hits(ctx, table, &names);
        if hits > 0 && hits * 2 >= required {
            found = Some((r, names, hits, rows.next()));
            break;
        }
    }
    let Some((r, mut names, hits, below)) = found else {
        let req: Vec<&str> = defs
            .iter()
            .filter(|d| d.required)
            .map(|d| i18n::field_label(lang, d.name))
            .collect();
        let need = required.div_ceil(2).to_string();
        return Err(i18n::fill(
            lang,
            "skip.no_header",
            &[("need", &need), ("fields", &req.join(", "))],
        ));
    };
    // A second header row: text only, its own names (where it differs from
    // the row above) mostly names of fields, and no fewer fields matched.
    let mut two_rows = false;
    let mut upper: Option<Vec<String>> = None;
    if let Some(below) = below {
        let all_text = below.iter().all(|c| is_blank(c) || text_of(c).is_some());
        let lower = header_names(below);
        let own: Vec<&String> = lower
            .iter()
            .enumerate()
            .filter(|(c, n)| !n.is_empty() && names.get(*c) != Some(*n))
            .map(|(_, n)| n)
            .collect();
        let named = lower
            .iter()
            .enumerate()
            .filter(|(c, n)| !n.is_empty() && names.get(*c) != Some(*n))
            .filter(|(c, n)| {
                names_any_field(ctx, n)
                    || (table == Table::Orders
                        && ctx
                            .steps
                            .header(names.get(*c).map(String::as_str), n)
                            .is_some())
            })
            .count();
        if all_text && !own.is_empty() && named * 2 >= own.len().max(1) && named > 0 {
            let combined: Vec<String> = (0..names.len().max(lower.len()))
                .map(|c| match lower.get(c) {
                    Some(n) if !n.is_empty() => n.clone(),
                    _ => names.get(c).cloned().unwrap_or_default(),
                })
                .collect();
            let h2 = required_hits(ctx, table, &combined);
            if h2 >= hits {
                upper = Some(std::mem::replace(&mut names, combined));
                two_rows = true;
            }
        }
    }
    let header_rel = r + usize::from(two_rows);
    let samples = sample_columns(range, header_rel + 1, names.len());
    // Columns no field may take: the template's `ignore`, and built-in
    // mappings whose values contradict the field (spec section 3.3).
    let mut dropped: Vec<(usize, String)> = Vec::new();
    // Field → column: the best-ranked header, then the leftmost.
    let mut best: Vec<Option<(u32, usize)>> = vec![None; defs.len()];
    let mut losers = Vec::new();
    let mut currency = None;
    for (c, n) in names.iter().enumerate() {
        if !n.is_empty() && ctx.is_ignored(table, n) {
            let why = i18n::fill(lang, "ignored.template", &[("table", table.as_str())]);
            dropped.push((c, why));
            continue;
        }
        let Some((fi, rank)) = ctx.field_for(table, n) else {
            continue;
        };
        if rank >= RANK_BUILTIN {
            if let Some(why) = contradiction(ctx, table, &defs[fi], n, &samples[c]) {
                dropped.push((c, why));
                continue;
            }
        }
        if currency.is_none() {
            currency = ctx.suffix_currency(n);
        }
        match best[fi] {
            Some((r0, c0)) if r0 <= rank => losers.push((c, c0, fi)),
            Some((_, c0)) => {
                losers.push((c0, c, fi));
                best[fi] = Some((rank, c));
            }
            None => best[fi] = Some((rank, c)),
        }
    }
    let abs = |rel: usize| origin.1 + rel as u32;
    let losers = losers
        .into_iter()
        .map(|(lost, won, fi)| {
            // The winner named is the field's final column.
            let won = best[fi].map_or(won, |(_, c)| c);
            let reason = i18n::fill(
                lang,
                "ignored.ranked",
                &[
                    ("field", i18n::field_label(lang, defs[fi].name)),
                    ("winner", &names[won]),
                    ("col", &col_letters(abs(won))),
                ],
            );
            (lost, reason, false)
        })
        .chain(dropped.into_iter().map(|(c, why)| (c, why, true)))
        .collect::<Vec<_>>();
    // The mapping as it stands after the evidence: what decides the table.
    let hits = defs
        .iter()
        .zip(&best)
        .filter(|(d, b)| d.required && b.is_some())
        .count();
    let telling: Vec<&'static str> = defs
        .iter()
        .zip(&best)
        .filter(|(d, b)| b.is_some() && fields::is_telling(table, d.name))
        .map(|(d, _)| d.name)
        .collect();
    let profiles = samples.iter().map(|cells| profile(ctx, cells)).collect();
    let rel_cols: Vec<Option<usize>> = best.iter().map(|b| b.map(|(_, c)| c)).collect();
    let (ms, ms_shown) = if table == Table::Orders {
        milestone_columns(ctx, &names, upper.as_deref(), &rel_cols, &losers)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok(Plan {
        table,
        data_rel: header_rel + 1,
        header_row: origin.0 + header_rel as u32 + 1,
        two_rows,
        names,
        rel_cols,
        losers,
        currency,
        share: hits as f64 / required.max(1) as f64,
        hits,
        telling,
        profiles,
        ms,
        ms_shown,
    })
}

/// The milestone columns among those no field took (spec section 13): per
/// step, its leftmost plan and actual column; empty when there is none.
fn milestone_columns(
    ctx: &ReadContext,
    names: &[String],
    upper: Option<&[String]>,
    rel_cols: &[Option<usize>],
    losers: &[(usize, String, bool)],
) -> (Vec<MsCols>, Vec<(usize, String)>) {
    let mut ms = vec![MsCols::default(); ctx.steps.len()];
    let mut shown = Vec::new();
    let mut any = false;
    for (c, n) in names.iter().enumerate() {
        if n.is_empty() || rel_cols.contains(&Some(c)) || losers.iter().any(|(l, _, _)| *l == c) {
            continue;
        }
        // A group title spans the blank cells to its right (a merged title
        // is only in its first cell), when it or the name below is a plan
        // or actual word (`面料到厂` over `计划 | 实际`, `计划日期` over
        // `面料到厂 | 验货`).
        let group = upper.and_then(|u| {
            let own = u.get(c).filter(|g| !g.is_empty() && *g != n);
            own.or_else(|| {
                u[..c.min(u.len())]
                    .iter()
                    .rev()
                    .find(|g| !g.is_empty())
                    .filter(|g| milestones::is_side_header(g) || milestones::is_side_header(n))
            })
        });
        let group = group.map(String::as_str);
        let Some((step, side)) = ctx.steps.header(group, n) else {
            continue;
        };
        let slot = match side {
            Side::Plan => &mut ms[step].plan,
            Side::Actual => &mut ms[step].act,
        };
        if slot.is_none() {
            *slot = Some(c);
            any = true;
            // A two-row header's column as the team sees it: `面料到厂 › 计划`.
            shown.push((c, group.map_or_else(|| n.clone(), |g| format!("{g} › {n}"))));
        }
    }
    if !any {
        ms.clear();
    }
    (ms, shown)
}

/// How many data cells per column the evidence rule looks at (spec
/// section 3.3), and how many rows it reads at most to find them.
const SAMPLE_CELLS: usize = 200;
const SAMPLE_ROWS: usize = 2_000;
/// Fewer sampled cells than this are no evidence against a header.
const MIN_EVIDENCE: usize = 5;

/// Up to [`SAMPLE_CELLS`] non-blank cells of each of the first `width`
/// columns, from the data rows below the header (at most [`SAMPLE_ROWS`]).
fn sample_columns<'r, 'a>(
    range: &'r Range<Data<'a>>,
    from: usize,
    width: usize,
) -> Vec<Vec<&'r Data<'a>>> {
    let mut out: Vec<Vec<&'r Data<'a>>> = vec![Vec::new(); width];
    let mut full = 0;
    for row in range.rows().skip(from).take(SAMPLE_ROWS) {
        if is_note_row(row) || row.first().is_some_and(is_totals_label) {
            continue;
        }
        for (c, cell) in row.iter().take(width).enumerate() {
            if out[c].len() < SAMPLE_CELLS && !is_blank(cell) {
                out[c].push(cell);
                if out[c].len() == SAMPLE_CELLS {
                    full += 1;
                }
            }
        }
        if full == width {
            break;
        }
    }
    out
}

/// What a column's sampled cells hold, for `gendan init`'s suggestions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ValueProfile {
    /// Cells looked at (empty markers not counted).
    pub n: u32,
    pub dates: u32,
    pub numbers: u32,
}

impl ValueProfile {
    /// `date`, `number` or `text`: what more than half the cells are.
    pub fn kind(&self) -> Option<&'static str> {
        if self.n == 0 {
            None
        } else if self.dates * 2 > self.n {
            Some("date")
        } else if self.numbers * 2 > self.n {
            Some("number")
        } else {
            Some("text")
        }
    }
}

/// A cell that reads as a date in some form of spec section 3 (a number
/// counts when it is an Excel serial of 1950–2099).
fn is_date_like(ctx: &ReadContext, d: &Data) -> bool {
    match d {
        Data::DateTime(_) | Data::DateTimeIso(_) => true,
        Data::Int(i) => (18_264..=73_050).contains(i),
        Data::Float(f) => (18_264.0..73_051.0).contains(f),
        Data::String(_) | Data::SharedString(_) => !matches!(
            values::parse_date_near(
                text_of(d).unwrap_or_default(),
                ctx.date_order,
                Some(ctx.as_of)
            ),
            Err(DateError::Invalid)
        ),
        _ => false,
    }
}

/// A cell that reads as a number (not a date cell).
fn is_number_like(d: &Data) -> bool {
    match d {
        Data::Int(_) | Data::Float(_) => true,
        Data::String(_) | Data::SharedString(_) => {
            values::parse_number_text(text_of(d).unwrap_or_default()).is_some()
        }
        _ => false,
    }
}

fn profile(ctx: &ReadContext, cells: &[&Data]) -> ValueProfile {
    let mut p = ValueProfile::default();
    for d in cells.iter().filter(|d| !ctx.is_marker(d)) {
        p.n += 1;
        if is_date_like(ctx, d) {
            p.dates += 1;
        } else if is_number_like(d) {
            p.numbers += 1;
        }
    }
    p
}

/// The first few distinct values of `cells`, for a reason in words.
fn examples(cells: &[&Data], keep: impl Fn(&Data) -> bool) -> String {
    let mut seen: Vec<String> = Vec::new();
    for d in cells.iter().filter(|d| keep(d)) {
        let t = values::clean_text(&shown(d)).unwrap_or_default();
        let t: String = if t.chars().count() > 24 {
            t.chars().take(23).chain(['…']).collect()
        } else {
            t
        };
        if !t.is_empty() && !seen.contains(&t) {
            seen.push(t);
            if seen.len() == 3 {
                break;
            }
        }
    }
    let mut out = seen.join(", ");
    if !out.is_empty() {
        out.push_str(" …");
    }
    out
}

/// Whether a header names a customer by an id (`Customer Id`, 客户编号):
/// numbers are then a customer key, not a contradiction.
fn names_an_id(header: &str) -> bool {
    let n = values::norm_header(header);
    ["id", "code", "no", "number", "编号", "代码", "号"]
        .iter()
        .any(|w| n.ends_with(w))
}

/// Why a built-in mapping of `header` to `def` is dropped: its sampled
/// values contradict the field (spec section 3.3), in words.
fn contradiction(
    ctx: &ReadContext,
    table: Table,
    def: &FieldDef,
    header: &str,
    cells: &[&Data],
) -> Option<String> {
    let lang = ctx.lang;
    let real: Vec<&Data> = cells
        .iter()
        .copied()
        .filter(|d| !ctx.is_marker(d))
        .collect();
    let n = real.len();
    // A handful of cells is no evidence: a column of three dates, two of
    // them typos, is still the date column (its cells are flagged).
    if n < MIN_EVIDENCE {
        return None;
    }
    let label = i18n::field_label(lang, def.name);
    // The reason in words: `hits` of `total` cells agreed with the field.
    let say = |key: &str, hits: usize, total: usize, ex: String, extra: &[(&str, &str)]| {
        let (h, total) = (hits.to_string(), total.to_string());
        let mut args: Vec<(&str, &str)> = vec![
            ("hits", &h),
            ("n", &total),
            ("examples", &ex),
            ("field", label),
            ("table", table.as_str()),
        ];
        args.extend_from_slice(extra);
        i18n::fill(lang, key, &args)
    };
    match def.kind {
        Kind::Date => {
            let hits = real.iter().filter(|d| is_date_like(ctx, d)).count();
            (hits * 2 < n).then(|| {
                let ex = examples(&real, |d| !is_date_like(ctx, d));
                say("evidence.dates", hits, n, ex, &[])
            })
        }
        Kind::Quantity | Kind::NonNegative | Kind::Whole(..) => {
            let hits = real.iter().filter(|d| is_number_like(d)).count();
            (hits * 2 < n).then(|| {
                let ex = examples(&real, |d| !is_number_like(d));
                say("evidence.numbers", hits, n, ex, &[])
            })
        }
        Kind::Enum(kind) => {
            let m = ctx.matcher(kind)?;
            let word = |d: &Data| match text_of(d) {
                Some(t) => m.lookup(t).is_ok(),
                None => m.lookup(&shown(d)).is_ok(),
            };
            let mut distinct: Vec<String> = Vec::new();
            for d in &real {
                let k = values::norm_marker(&shown(d));
                if !distinct.contains(&k) {
                    distinct.push(k);
                    if distinct.len() >= 5 {
                        break;
                    }
                }
            }
            // Empty markers count as known words.
            let hits = real.iter().filter(|d| word(d)).count() + (cells.len() - n);
            (distinct.len() >= 5 && hits * 2 < cells.len()).then(|| {
                let ex = examples(&real, |d| !word(d));
                let what = i18n::text(lang, &format!("words.{}", kind.template_key()));
                let extra = [("what", what), ("kind", kind.template_key())];
                say("evidence.words", hits, cells.len(), ex, &extra)
            })
        }
        Kind::Text => {
            let name_field = match def.name {
                "owner" | "carrier" => true,
                "customer" => !names_an_id(header),
                _ => false,
            };
            if !name_field {
                return None;
            }
            let hits = real.iter().filter(|d| is_number_like(d)).count();
            (hits * 10 > n * 9).then(|| {
                let ex = examples(&real, is_number_like);
                say("evidence.names", hits, n, ex, &[])
            })
        }
        Kind::Received | Kind::Share | Kind::Mark => None,
    }
}

/// For a sheet no table recognised: the row among the first 30 that looks
/// most like a header (most cells naming a field of any table, then most
/// text cells; at least two text cells), 1-based, with its cells.
pub fn header_guess(ctx: &ReadContext, range: &Range<Data>) -> Option<HeaderGuess> {
    let origin = range.start()?;
    let mut best: Option<(usize, usize, usize, Vec<String>)> = None;
    for (r, row) in range.rows().take(30).enumerate() {
        let names = header_names(row);
        let texts = names.iter().filter(|n| !n.is_empty()).count();
        if texts < 2 {
            continue;
        }
        let named = names.iter().filter(|n| names_any_field(ctx, n)).count();
        if best.as_ref().is_none_or(|b| (named, texts) > (b.0, b.1)) {
            best = Some((named, texts, r, names));
        }
    }
    let (_, _, r, names) = best?;
    let profiles = sample_columns(range, r + 1, names.len())
        .iter()
        .map(|cells| profile(ctx, cells))
        .collect();
    Some(HeaderGuess {
        row: origin.0 + r as u32 + 1,
        names,
        profiles,
    })
}

/// The row of a sheet no table recognised that looks most like a header,
/// with what each column's cells below it hold, for `gendan init`.
#[derive(Clone, Debug)]
pub struct HeaderGuess {
    /// 1-based.
    pub row: u32,
    pub names: Vec<String>,
    pub profiles: Vec<ValueProfile>,
}

/// How a tracker sheet's rows become shipment or feedback rows (spec
/// section 3.2): the order row's own columns for the fields it shares, the
/// unclaimed columns for the rest.
#[derive(Clone, Debug)]
pub struct Derive {
    /// Fields read from the orders columns: their problems were flagged
    /// when the order row was read.
    pub(crate) shared: Vec<bool>,
    /// A row is derived when one of these fields has a value.
    pub(crate) any_of: Vec<usize>,
    /// The headers it derives from, for `check`.
    pub from: Vec<String>,
}

/// The shipments or feedback plan of a tracker sheet read as orders:
/// `None` when the sheet has no column that would make such rows.
pub fn derive_plan(ctx: &ReadContext, orders: &Plan, table: Table) -> Option<(Plan, Derive)> {
    let defs = fields::fields(table);
    let odefs = fields::fields(Table::Orders);
    let ocol = |name: &str| {
        odefs
            .iter()
            .position(|d| d.name == name)
            .and_then(|i| orders.rel_cols[i])
    };
    let mut rel_cols: Vec<Option<usize>> = vec![None; defs.len()];
    let mut best: Vec<u32> = vec![u32::MAX; defs.len()];
    let mut from = Vec::new();
    for (c, n) in orders.unclaimed() {
        let Some((fi, rank)) = ctx.field_for(table, n) else {
            continue;
        };
        // A feedback column must be one the orders table could not take.
        if table == Table::Feedback && ctx.field_for(Table::Shipments, n).is_some() {
            continue;
        }
        // Values that plainly contradict a built-in alias (spec 3.3).
        if rank >= RANK_BUILTIN {
            let p = orders.profiles.get(c).copied().unwrap_or_default();
            let n = p.n as usize;
            let against = n >= MIN_EVIDENCE
                && match defs[fi].kind {
                    Kind::Date => p.dates * 2 < p.n,
                    Kind::Quantity | Kind::NonNegative | Kind::Whole(..) => p.numbers * 2 < p.n,
                    Kind::Text if matches!(defs[fi].name, "owner" | "carrier") => {
                        p.numbers * 10 > p.n * 9
                    }
                    _ => false,
                };
            if against {
                continue;
            }
        }
        if rank < best[fi] {
            best[fi] = rank;
            rel_cols[fi] = Some(c);
        }
    }
    let triggers: &[&str] = match table {
        Table::Shipments => &["ship_date", "delivered_date", "eta", "tracking_no"],
        Table::Feedback => &["score", "nps", "comment"],
        Table::Orders => return None,
    };
    let any_of: Vec<usize> = match table {
        Table::Shipments => &["ship_date", "delivered_date", "tracking_no"][..],
        _ => triggers,
    }
    .iter()
    .filter_map(|f| defs.iter().position(|d| d.name == *f))
    .filter(|i| rel_cols[*i].is_some())
    .collect();
    let has_trigger = triggers.iter().any(|f| {
        defs.iter()
            .position(|d| d.name == *f)
            .is_some_and(|i| rel_cols[i].is_some())
    });
    if !has_trigger || any_of.is_empty() {
        return None;
    }
    for (i, c) in rel_cols.iter().enumerate() {
        if c.is_some() {
            from.push(format!(
                "{} ← {}",
                defs[i].name,
                orders.names[c.unwrap_or(0)]
            ));
        }
    }
    let mut shared = vec![false; defs.len()];
    for (i, d) in defs.iter().enumerate() {
        let own = match (table, d.name) {
            (_, "order_id") => ocol("order_id"),
            (Table::Shipments, "quantity") if rel_cols[i].is_none() => ocol("quantity"),
            (_, "owner") if rel_cols[i].is_none() => ocol("owner"),
            (Table::Feedback, "customer") => ocol("customer"),
            _ => None,
        };
        if own.is_some() {
            rel_cols[i] = own;
            shared[i] = true;
        }
    }
    let plan = Plan {
        table,
        data_rel: orders.data_rel,
        header_row: orders.header_row,
        two_rows: orders.two_rows,
        names: orders.names.clone(),
        rel_cols,
        losers: Vec::new(),
        currency: None,
        share: 1.0,
        hits: 0,
        telling: Vec::new(),
        profiles: orders.profiles.clone(),
        ms: Vec::new(),
        ms_shown: Vec::new(),
    };
    Some((
        plan,
        Derive {
            shared,
            any_of,
            from,
        },
    ))
}
