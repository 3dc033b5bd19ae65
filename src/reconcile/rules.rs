//! The C and S rules of spec section 5, one small function each, named
//! with its id. Each filters a frame in polars and turns the matching rows
//! into flags that point at the cell a merchandiser must fix. (The V rules
//! are raised while reading, in `read::sheet`.)

use chrono::NaiveDate;
use polars::prelude::*;

use super::Reconciled;
use crate::flags::{Flag, Place, Policy, RuleId, Severity, Table};
use crate::frame::days_to_date;
use crate::frame::{days, floats, ints, lit_date, strs};
use crate::i18n::{self, Lang};
use crate::read::SourceInfo;
use crate::template::Thresholds;

pub struct RuleContext<'a> {
    pub lang: Lang,
    pub policy: Policy,
    pub thresholds: Thresholds,
    pub as_of: NaiveDate,
    pub sources: &'a [SourceInfo],
    pub has_updated_at: bool,
    pub has_tracking: bool,
    pub has_action: bool,
    pub has_score: bool,
    /// See [`Reconciled::arrival_tracked`]: S04–S06 need it.
    pub arrival_tracked: bool,
    pub on_time_basis: bool,
    /// The next period (spec section 6, the look-ahead of S09).
    pub next: crate::period::Period,
}

/// The rows a rule matched: the frame they are, with what every flag
/// needs read out of it (a rule reads the columns its message needs from
/// `frame`).
pub(super) struct Hits {
    pub(super) frame: DataFrame,
    table: Table,
    pub(super) src: Vec<Option<i64>>,
    pub(super) row: Vec<Option<i64>>,
    pub(super) order_id: Vec<Option<String>>,
    pub(super) key: Vec<Option<String>>,
    pub(super) owner: Vec<Option<String>>,
    /// A shipment's or feedback row's own identity (empty for orders).
    ident: Vec<Option<String>>,
}

impl Hits {
    /// The orders of an order-level frame where `predicate` holds, each on
    /// its first line's cells.
    pub(super) fn orders(frame: &DataFrame, predicate: Expr) -> PolarsResult<Hits> {
        Hits::of(filter(frame, predicate)?, Table::Orders, true)
    }

    /// The rows of a frame of `table` where `predicate` holds, each on its
    /// own cells.
    pub(super) fn rows(frame: &DataFrame, table: Table, predicate: Expr) -> PolarsResult<Hits> {
        Hits::of(filter(frame, predicate)?, table, false)
    }

    /// Every row of `frame`; `first` reads the order frame's first-line
    /// provenance columns.
    pub(super) fn of(frame: DataFrame, table: Table, first: bool) -> PolarsResult<Hits> {
        let (s, r) = if first {
            ("first_src", "first_row")
        } else {
            ("src", "row")
        };
        Ok(Hits {
            src: ints(&frame, s)?,
            row: ints(&frame, r)?,
            order_id: strs(&frame, "order_id")?,
            key: strs(&frame, "order_key")?,
            owner: strs(&frame, "owner")?,
            ident: if first {
                Vec::new()
            } else {
                row_identity(&frame)?
            },
            frame,
            table,
        })
    }

    pub(super) fn len(&self) -> usize {
        self.src.len()
    }

    /// Hit `i`'s order id as a message shows it.
    pub(super) fn order(&self, i: usize) -> &str {
        self.order_id[i].as_deref().unwrap_or(MISSING)
    }

    /// (file, sheet, cell) of hit `i` on the first of `wanted` its sheet
    /// has (else the last of them), and that field.
    pub(super) fn place(
        &self,
        sources: &[SourceInfo],
        i: usize,
        wanted: &[&'static str],
    ) -> (Place, &'static str) {
        let src = self.src[i].unwrap_or(0) as usize;
        let row = self.row[i].unwrap_or(0) as u32;
        match sources.get(src) {
            Some(s) => {
                let f = wanted
                    .iter()
                    .copied()
                    .find(|f| s.has(f))
                    .or_else(|| wanted.last().copied())
                    .unwrap_or("order_id");
                (s.place(s.cell(f, row)), f)
            }
            None => (
                Place::new("", "", format!("A{row}")),
                wanted.first().copied().unwrap_or("order_id"),
            ),
        }
    }
}

/// shipment_id, else tracking_no, else ship date; feedback_id, else date
/// and customer (spec section 6, the flag fingerprint).
pub(crate) fn row_identity(df: &DataFrame) -> PolarsResult<Vec<Option<String>>> {
    let has = |c: &str| df.get_column_names().iter().any(|n| n.as_str() == c);
    let text = |c: &str| col(c).cast(DataType::String);
    if has("shipment_id") {
        let e = coalesce(&[text("shipment_id"), text("tracking_no"), text("ship_date")]);
        let out = df.clone().lazy().select([e.alias("ident")]).collect()?;
        return strs(&out, "ident");
    }
    if !has("feedback_id") {
        return Ok(vec![None; df.height()]);
    }
    let out = df
        .clone()
        .lazy()
        .select([
            text("feedback_id").alias("id"),
            text("date").alias("date"),
            text("customer").alias("customer"),
        ])
        .collect()?;
    let (id, date, customer) = (
        strs(&out, "id")?,
        strs(&out, "date")?,
        strs(&out, "customer")?,
    );
    Ok(id
        .into_iter()
        .zip(date)
        .zip(customer)
        .map(|((id, d), c)| id.or_else(|| d.map(|d| format!("{d}|{}", c.unwrap_or_default()))))
        .collect())
}

/// A missing value in a message: "—", never an empty gap or "None".
pub(super) const MISSING: &str = "—";

pub(super) fn day_text(d: Option<i64>) -> String {
    d.map(|d| days_to_date(d as i32).format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| MISSING.into())
}

/// Each day as a flag's value shows it.
pub(super) fn day_values(d: &[Option<i64>]) -> Vec<Option<String>> {
    d.iter().map(|d| Some(day_text(*d))).collect()
}

fn num_text(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
        Some(x) => format!("{x:.2}"),
        None => MISSING.into(),
    }
}

/// The cell a rule's flags point at: one field's, the first of a list of
/// fields that the hit's sheet has (else the last of them), or a list per
/// hit.
pub(super) trait At {
    fn fields(&self, i: usize) -> &[&'static str];
}

impl At for &'static str {
    fn fields(&self, _: usize) -> &[&'static str] {
        std::slice::from_ref(self)
    }
}

impl<const N: usize> At for [&'static str; N] {
    fn fields(&self, _: usize) -> &[&'static str] {
        self
    }
}

impl<F: Fn(usize) -> &'static [&'static str]> At for F {
    fn fields(&self, i: usize) -> &[&'static str] {
        self(i)
    }
}

/// A rule at the severity its flags carry: the rule's own (`RuleId`'s
/// default), or for a rule with two the lesser, named with the id.
#[derive(Clone, Copy)]
pub(super) struct Graded(pub RuleId, pub Severity);

impl From<RuleId> for Graded {
    fn from(rule: RuleId) -> Graded {
        Graded(rule, rule.default_severity())
    }
}

impl RuleContext<'_> {
    /// A flag of `rule` per hit, at its severity (or the policy's override;
    /// none when the policy turns the rule off), on the cell `at` names;
    /// `values` holds each hit's value (empty: the flags show none) and
    /// `message` says what is wrong.
    pub(super) fn raise(
        &self,
        rule: impl Into<Graded>,
        hits: &Hits,
        at: impl At,
        values: &[Option<String>],
        message: impl Fn(usize) -> String,
    ) -> Vec<Flag> {
        let Graded(rule, severity) = rule.into();
        let Some(sev) = self.policy.severity(rule, severity) else {
            return Vec::new();
        };
        (0..hits.len())
            .map(|i| {
                let (place, field) = hits.place(self.sources, i, at.fields(i));
                Flag {
                    order_id: hits.order_id[i].clone(),
                    owner: hits.owner[i].clone(),
                    value: values.get(i).cloned().flatten(),
                    key: hits.key[i].clone(),
                    ident: hits.ident.get(i).cloned().flatten(),
                    ..Flag::new(rule, sev, hits.table, field, place, message(i))
                }
            })
            .collect()
    }

    /// The flags of a rule whose message names a date and how many days
    /// before as_of it lies (S01–S04, S07): on each hit's `field` cell, its
    /// value the date in `date_col`, its message `key` filled with `date`
    /// and `days`.
    fn raise_aged(
        &self,
        rule: RuleId,
        hits: &Hits,
        field: &'static str,
        date_col: &str,
        key: &str,
    ) -> PolarsResult<Vec<Flag>> {
        let d = ints(&hits.frame, date_col)?;
        let now = self.asof_days() as i64;
        let message = |i: usize| {
            let days = (now - d[i].unwrap_or(now)).to_string();
            self.msg(key, &[("days", &days), ("date", &day_text(d[i]))])
        };
        Ok(self.raise(rule, hits, field, &day_values(&d), message))
    }

    /// The flags of a rule whose message names only the order: on each
    /// hit's order id cell, its value the order id.
    fn raise_on_order(&self, rule: RuleId, hits: &Hits, key: &str) -> Vec<Flag> {
        self.raise(rule, hits, "order_id", &hits.order_id, |i| {
            self.msg(key, &[("order", hits.order(i))])
        })
    }

    pub(super) fn msg(&self, key: &str, args: &[(&str, &str)]) -> String {
        i18n::fill(self.lang, key, args)
    }

    fn asof_days(&self) -> i32 {
        crate::frame::date_to_days(self.as_of)
    }
}

pub(super) fn filter(df: &DataFrame, predicate: Expr) -> PolarsResult<DataFrame> {
    df.clone()
        .lazy()
        .filter(predicate.fill_null(lit(false)))
        .collect()
}

/// What a C, S or P rule returns: its flags.
type Raised = PolarsResult<Vec<Flag>>;

/// A C, S or P rule over the reconciled frames.
type Rule = fn(&RuleContext, &Reconciled) -> Raised;

/// Runs every C, S and P rule, in the order of spec section 5.
///
/// # Errors
/// A failure inside polars.
pub fn all(ctx: &RuleContext, rec: &Reconciled, marked_lines: &DataFrame) -> Raised {
    let mut out = c01_duplicate_lines(ctx, marked_lines)?;
    // Each rule with whether it runs: S01 needs the update column, S04–S06
    // arrivals the register tracks, S05 tracking numbers too.
    let rules: [(bool, Rule); 23] = [
        (true, c01_inconsistent_lines),
        (true, c02_shipment_unknown_order),
        (true, c03_overshipped),
        (true, c04_status_vs_shipments),
        (true, c05_dates_out_of_sequence),
        (true, c06_feedback_mismatch),
        (true, c07_amount_mismatch),
        (true, c08_closed_not_in_full),
        (true, c09_cancelled_shipped),
        (true, c09_delivered_in_transit),
        (ctx.has_updated_at, s01_stale),
        (true, s02_overdue),
        (true, s03_unconfirmed),
        (ctx.arrival_tracked, s04_past_eta),
        (ctx.arrival_tracked && ctx.has_tracking, s05_no_tracking),
        (ctx.arrival_tracked, s06_followup_due),
        (true, s07_feedback_sla),
        (true, s08_unhappy_no_action),
        (true, s09_due_not_ready),
        (true, s10_repromised),
        (true, p01_shipped_unpaid),
        (true, p02_deposit_late),
        (true, p03_balance_overdue),
    ];
    for (runs, rule) in rules {
        if runs {
            out.extend(rule(ctx, rec)?);
        }
    }
    Ok(out)
}

/// C01 (warning): "a line whose every field equals an earlier line of the
/// same order" — on the later line, which is left out.
fn c01_duplicate_lines(ctx: &RuleContext, marked: &DataFrame) -> Raised {
    let hits = Hits::rows(marked, Table::Orders, col("is_dup"))?;
    let first_row = ints(&hits.frame, "dup_first_row")?;
    let c01 = Graded(RuleId::C01, Severity::Warning);
    Ok(ctx.raise(c01, &hits, "order_id", &hits.order_id, |i| {
        let row = first_row[i].unwrap_or(0).to_string();
        ctx.msg("c01.dup", &[("order", hits.order(i)), ("row", &row)])
    }))
}

/// C01 (error): "lines of one order disagree on customer, owner or due
/// date" — once per order.
fn c01_inconsistent_lines(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let mixed = col("n_customers")
        .gt(lit(1))
        .or(col("n_owners").gt(lit(1)))
        .or(col("n_due").gt(lit(1)));
    let hits = Hits::orders(&rec.orders, mixed)?;
    let df = &hits.frame;
    let (nc, no, nd) = (
        ints(df, "n_customers")?,
        ints(df, "n_owners")?,
        ints(df, "n_due")?,
    );
    Ok(
        ctx.raise(RuleId::C01, &hits, "order_id", &hits.order_id, |i| {
            let mut what = Vec::new();
            for (n, field) in [(nc[i], "customer"), (no[i], "owner"), (nd[i], "due_date")] {
                if n.unwrap_or(0) > 1 {
                    what.push(i18n::field_label(ctx.lang, field));
                }
            }
            let what = what.join(", ");
            ctx.msg("c01.mixed", &[("order", hits.order(i)), ("what", &what)])
        }),
    )
}

/// C02: "shipment for an order id that no order has" (its order id cell).
fn c02_shipment_unknown_order(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let hits = Hits::rows(&rec.shipments, Table::Shipments, col("known").not())?;
    Ok(ctx.raise_on_order(RuleId::C02, &hits, "c02"))
}

/// C03: "quantity over all the order's shipment rows (booked or shipped)
/// exceeds ordered_qty" — beyond the order's quantity tolerance (its
/// tolerance cell, else `qty_tolerance`), ordered_qty × (1 + tolerance),
/// the `qty_high` of [`super::frames::tolerance_columns`]; an order
/// without a quantity has none (its V01 says it).
fn c03_overshipped(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let most = col("ordered_qty") * col("qty_high");
    let over = col("ordered_qty")
        .gt(lit(0.0))
        .and(col("shipped_qty_all").gt(most));
    let hits = Hits::orders(&rec.orders, over)?;
    let df = &hits.frame;
    let (shipped, ordered) = (floats(df, "shipped_qty_all")?, floats(df, "ordered_qty")?);
    let tol = floats(df, "qty_tol")?;
    let values: Vec<_> = shipped.iter().map(|s| Some(num_text(*s))).collect();
    // Two decimals, as the register would write them.
    let round = |x: f64| (x * 100.0).round() / 100.0;
    Ok(ctx.raise(RuleId::C03, &hits, "order_id", &values, |i| {
        let order = hits.order(i);
        let (shipped, ordered_text) = (num_text(shipped[i]), num_text(ordered[i]));
        match (tol[i].filter(|t| *t > 0.0), ordered[i]) {
            (Some(t), Some(o)) => ctx.msg(
                "c03.tolerance",
                &[
                    ("order", order),
                    ("shipped", &shipped),
                    ("ordered", &ordered_text),
                    (
                        "tolerance",
                        &format!("{}%", num_text(Some(round(t * 100.0)))),
                    ),
                    ("most", &num_text(Some(round(o * (1.0 + t))))),
                ],
            ),
            _ => ctx.msg(
                "c03",
                &[
                    ("order", order),
                    ("shipped", &shipped),
                    ("ordered", &ordered_text),
                ],
            ),
        }
    }))
}

fn status_in(words: &[&str]) -> Expr {
    let mut e = lit(false);
    for w in words {
        e = e.or(col("status").eq(lit(*w)).fill_null(lit(false)));
    }
    e
}

fn status_word(ctx: &RuleContext, s: Option<&str>) -> String {
    s.map(|w| i18n::status_word(ctx.lang, w).to_string())
        .unwrap_or_default()
}

/// C04: "order shipped, delivered or closed with no shipment row (error);
/// order pending, confirmed or in production with a shipped shipment
/// (warning)".
fn c04_status_vs_shipments(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let no_shipment =
        status_in(&["shipped", "delivered", "closed"]).and(col("shipment_rows").eq(lit(0u32)));
    let shipped_early = status_in(&["pending", "confirmed", "in_production"])
        .and(col("shipped_rows").gt(lit(0u32)));
    let mut out = Vec::new();
    for (sev, when, key) in [
        (Severity::Error, no_shipment, "c04.noship"),
        (Severity::Warning, shipped_early, "c04.early"),
    ] {
        let hits = Hits::orders(&rec.orders, when)?;
        let st = strs(&hits.frame, "status")?;
        out.extend(
            ctx.raise(Graded(RuleId::C04, sev), &hits, "order_id", &st, |i| {
                let status = status_word(ctx, st[i].as_deref());
                ctx.msg(key, &[("order", hits.order(i)), ("status", &status)])
            }),
        );
    }
    Ok(out)
}

/// C05: "dates out of sequence, on the later-stage date's cell: confirmed <
/// order date, ship < order date, delivered < ship, eta < ship, closed <
/// feedback date".
fn c05_dates_out_of_sequence(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    // (frame, table, later date, earlier date, the earlier's label)
    let checks: [(&DataFrame, Table, &'static str, &'static str, &'static str); 5] = [
        (
            &rec.lines,
            Table::Orders,
            "confirmed_date",
            "order_date",
            "order_date",
        ),
        (
            &rec.shipments,
            Table::Shipments,
            "ship_date",
            "order_order_date",
            "order_date",
        ),
        (
            &rec.shipments,
            Table::Shipments,
            "delivered_date",
            "ship_date",
            "ship_date",
        ),
        (
            &rec.shipments,
            Table::Shipments,
            "eta",
            "ship_date",
            "ship_date",
        ),
        (
            &rec.feedback,
            Table::Feedback,
            "closed_date",
            "date",
            "date",
        ),
    ];
    let mut out = Vec::new();
    for (frame, table, later, earlier, earlier_label) in checks {
        let hits = Hits::rows(frame, table, col(later).lt(col(earlier)))?;
        let (l, e) = (ints(&hits.frame, later)?, ints(&hits.frame, earlier)?);
        out.extend(ctx.raise(RuleId::C05, &hits, later, &day_values(&l), |i| {
            ctx.msg(
                "c05",
                &[
                    ("later", i18n::field_label(ctx.lang, later)),
                    ("later_date", &day_text(l[i])),
                    ("earlier", i18n::field_label(ctx.lang, earlier_label)),
                    ("earlier_date", &day_text(e[i])),
                ],
            )
        }));
    }
    Ok(out)
}

/// C06: "feedback with an order id that no order has (its order id cell),
/// or whose customer differs from the order's (its customer cell)".
fn c06_feedback_mismatch(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let unknown = col("order_key").is_not_null().and(col("known").not());
    let hits = Hits::rows(&rec.feedback, Table::Feedback, unknown)?;
    let mut out = ctx.raise_on_order(RuleId::C06, &hits, "c06.order");
    let differs = col("known")
        .and(col("order_customer_key").is_not_null())
        .and(col("customer_key").neq(col("order_customer_key")));
    let hits = Hits::rows(&rec.feedback, Table::Feedback, differs)?;
    let have = strs(&hits.frame, "customer")?;
    let want = strs(&hits.frame, "order_customer")?;
    out.extend(ctx.raise(RuleId::C06, &hits, "customer", &have, |i| {
        let value = have[i].as_deref().unwrap_or(MISSING);
        let expected = want[i].as_deref().unwrap_or(MISSING);
        ctx.msg("c06.customer", &[("value", value), ("expected", expected)])
    }));
    Ok(out)
}

/// C07: "|amount − quantity × unit_price| > amount_tolerance × quantity ×
/// unit_price" (the amount cell).
fn c07_amount_mismatch(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let expected = col("quantity") * col("unit_price");
    let off = (col("amount") - expected.clone())
        .abs()
        .gt(lit(ctx.thresholds.amount_tolerance) * expected);
    let hits = Hits::rows(&rec.lines, Table::Orders, off)?;
    let df = &hits.frame;
    let (a, q, p) = (
        floats(df, "amount")?,
        floats(df, "quantity")?,
        floats(df, "unit_price")?,
    );
    let values: Vec<_> = a.iter().map(|a| Some(num_text(*a))).collect();
    Ok(ctx.raise(RuleId::C07, &hits, "amount", &values, |i| {
        let exp = q[i].zip(p[i]).map(|(q, p)| q * p);
        ctx.msg(
            "c07",
            &[
                ("amount", &num_text(a[i])),
                ("qty", &num_text(q[i])),
                ("price", &num_text(p[i])),
                ("expected", &num_text(exp)),
            ],
        )
    }))
}

/// C08: "order closed or delivered but not in full".
fn c08_closed_not_in_full(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let short = status_in(&["closed", "delivered"])
        .and(col("in_full").not())
        .and(col("shipment_rows").gt(lit(0u32)));
    let hits = Hits::orders(&rec.orders, short)?;
    let df = &hits.frame;
    let st = strs(df, "status")?;
    let (shipped, ordered) = (floats(df, "qty_by_asof")?, floats(df, "ordered_qty")?);
    Ok(ctx.raise(RuleId::C08, &hits, "order_id", &st, |i| {
        ctx.msg(
            "c08",
            &[
                ("order", hits.order(i)),
                ("status", &status_word(ctx, st[i].as_deref())),
                ("shipped", &num_text(shipped[i])),
                ("ordered", &num_text(ordered[i])),
            ],
        )
    }))
}

/// C09 (error): "cancelled order with shipped shipments" (order-level).
fn c09_cancelled_shipped(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let shipped = col("cancelled").and(col("shipped_rows").gt(lit(0u32)));
    let hits = Hits::orders(&rec.orders, shipped)?;
    Ok(ctx.raise_on_order(RuleId::C09, &hits, "c09.cancelled"))
}

/// C09 (warning): "shipment with a delivered_date but status in transit"
/// (its status cell).
fn c09_delivered_in_transit(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let delivered = col("delivered_date")
        .is_not_null()
        .and(col("status").eq(lit("in_transit")));
    let hits = Hits::rows(&rec.shipments, Table::Shipments, delivered)?;
    let d = ints(&hits.frame, "delivered_date")?;
    let values = vec![Some("in_transit".to_string()); hits.len()];
    let c09 = Graded(RuleId::C09, Severity::Warning);
    Ok(ctx.raise(c09, &hits, "status", &values, |i| {
        ctx.msg("c09.transit", &[("date", &day_text(d[i]))])
    }))
}

/// S01: "open order whose last update is more than stale_days before as_of".
fn s01_stale(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let age = lit(ctx.asof_days()) - days("last_update");
    let stale = col("open").and(age.gt(lit(ctx.thresholds.stale_days as i32)));
    let hits = Hits::orders(&rec.orders, stale)?;
    ctx.raise_aged(RuleId::S01, &hits, "order_id", "last_update", "s01")
}

/// S02: "overdue: open order past its due date".
fn s02_overdue(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let overdue = col("open").and(col("due_date").lt(lit_date(ctx.as_of)));
    let hits = Hits::orders(&rec.orders, overdue)?;
    ctx.raise_aged(RuleId::S02, &hits, "order_id", "due_date", "s02")
}

/// S03: "order still pending confirmation more than confirm_days after its
/// order date".
fn s03_unconfirmed(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let age = lit(ctx.asof_days()) - days("order_date");
    let unconfirmed = col("status")
        .eq(lit("pending"))
        .and(age.gt(lit(ctx.thresholds.confirm_days as i32)));
    let hits = Hits::orders(&rec.orders, unconfirmed)?;
    ctx.raise_aged(RuleId::S03, &hits, "order_id", "order_date", "s03")
}

/// S04: "shipped shipment with no delivered_date and as_of > eta +
/// eta_grace_days" (its eta cell).
fn s04_past_eta(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let late = s04_predicate(ctx.as_of, ctx.thresholds.eta_grace_days);
    let hits = Hits::rows(&rec.shipments, Table::Shipments, late)?;
    ctx.raise_aged(RuleId::S04, &hits, "eta", "eta", "s04")
}

/// The S04 condition, shared with the `shipments_overdue` KPI.
pub fn s04_predicate(as_of: NaiveDate, grace: i64) -> Expr {
    col("shipped")
        .and(col("undelivered"))
        .and(col("eta").is_not_null())
        .and(lit(crate::frame::date_to_days(as_of)).gt(days("eta") + lit(grace as i32)))
}

/// S05: "shipped shipment with no delivered_date and no tracking number
/// more than tracking_days after ship date" (its tracking cell).
fn s05_no_tracking(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let age = lit(ctx.asof_days()) - days("ship_date");
    let untracked = col("shipped")
        .and(col("undelivered"))
        .and(col("tracking_no").is_null())
        .and(age.gt(lit(ctx.thresholds.tracking_days as i32)));
    let hits = Hits::rows(&rec.shipments, Table::Shipments, untracked)?;
    let sd = ints(&hits.frame, "ship_date")?;
    Ok(ctx.raise(RuleId::S05, &hits, "tracking_no", &[], |i| {
        ctx.msg("s05", &[("date", &day_text(sd[i]))])
    }))
}

/// The S06 window: arrival_date between as_of − 90 and as_of −
/// followup_days, inclusive; shared with the `followup_coverage` KPI.
pub fn followup_window(as_of: NaiveDate, followup_days: i64) -> Expr {
    let a = crate::frame::date_to_days(as_of);
    col("cancelled").not().and(
        days("arrival_date")
            .gt_eq(lit(a - 90))
            .and(days("arrival_date").lt_eq(lit(a - followup_days as i32))),
    )
}

/// S06 (info): "after-sales follow-up due: arrival_date between as_of − 90
/// and as_of − followup_days (inclusive), not cancelled, and no feedback row
/// for the order".
fn s06_followup_due(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let due = followup_window(ctx.as_of, ctx.thresholds.followup_days)
        .and(col("feedback_rows").eq(lit(0u32)));
    let hits = Hits::orders(&rec.orders, due)?;
    let arr = ints(&hits.frame, "arrival_date")?;
    Ok(
        ctx.raise(RuleId::S06, &hits, "order_id", &day_values(&arr), |i| {
            ctx.msg("s06", &[("date", &day_text(arr[i]))])
        }),
    )
}

/// S07: "feedback not closed and as_of − date > feedback_sla_days" (its
/// date cell).
fn s07_feedback_sla(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let age = lit(ctx.asof_days()) - days("date");
    let late = col("closed")
        .not()
        .and(age.gt(lit(ctx.thresholds.feedback_sla_days as i32)));
    let hits = Hits::rows(&rec.feedback, Table::Feedback, late)?;
    ctx.raise_aged(RuleId::S07, &hits, "date", "date", "s07")
}

/// S08: "score ≤ 2 or nps ≤ 6 and no action recorded" (its action cell,
/// else its score cell, else its nps cell).
fn s08_unhappy_no_action(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let unhappy = col("score")
        .lt_eq(lit(2i64))
        .fill_null(lit(false))
        .or(col("nps").lt_eq(lit(6i64)).fill_null(lit(false)));
    let hits = Hits::rows(
        &rec.feedback,
        Table::Feedback,
        unhappy.and(col("action").is_null()),
    )?;
    let (score, nps) = (ints(&hits.frame, "score")?, ints(&hits.frame, "nps")?);
    let field = if ctx.has_action {
        "action"
    } else if ctx.has_score {
        "score"
    } else {
        "nps"
    };
    let show = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_else(|| MISSING.into());
    Ok(ctx.raise(RuleId::S08, &hits, field, &[], |i| {
        ctx.msg("s08", &[("score", &show(score[i])), ("nps", &show(nps[i]))])
    }))
}

/// Open orders due in the next period (shared with `due_next_period`).
pub fn due_next(next: &crate::period::Period) -> Expr {
    col("open")
        .and(col("due_date").gt_eq(lit_date(next.start)))
        .and(col("due_date").lt_eq(lit_date(next.end)))
        .fill_null(lit(false))
}

/// A status before ready: pending, confirmed, in production, on hold or
/// unknown (shared with `due_next_period_not_ready`).
pub fn not_ready() -> Expr {
    col("status").is_null().or(status_in(&[
        "pending",
        "confirmed",
        "in_production",
        "on_hold",
    ]))
}

/// S09: "coming up and not ready: open order due within the next period
/// whose status is before ready" (order-level).
fn s09_due_not_ready(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let hits = Hits::orders(&rec.orders, due_next(&ctx.next).and(not_ready()))?;
    let due = ints(&hits.frame, "due_date")?;
    let status = strs(&hits.frame, "status")?;
    let now = ctx.asof_days() as i64;
    Ok(
        ctx.raise(RuleId::S09, &hits, "order_id", &day_values(&due), |i| {
            let word = match status[i].as_deref() {
                Some(w) => status_word(ctx, Some(w)),
                None => i18n::text(ctx.lang, "word.status_unknown").to_string(),
            };
            ctx.msg(
                "s09",
                &[
                    ("days", &(due[i].unwrap_or(now) - now).to_string()),
                    ("date", &day_text(due[i])),
                    ("status", &word),
                ],
            )
        }),
    )
}

/// S10: "due date moved again: an open order whose due date changed since
/// the previous run and had changed before, or now lies more than
/// repromise_days after its first promised date" (on the due date cell).
fn s10_repromised(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let moved = days("due_date") - days("first_promise");
    let again = col("due_changed")
        .fill_null(lit(false))
        .and(col("repromises").gt_eq(lit(2u32)));
    let far = moved.gt(lit(ctx.thresholds.repromise_days as i32));
    let hits = Hits::orders(&rec.orders, col("open").and(again.or(far)))?;
    let df = &hits.frame;
    let (due, prev, first) = (
        ints(df, "due_date")?,
        ints(df, "due_prev")?,
        ints(df, "first_promise")?,
    );
    let changed = crate::frame::bools(df, "due_changed")?;
    let times = ints(df, "repromises")?;
    let md = |d: Option<i64>| {
        d.map(|d| days_to_date(d as i32).format("%m-%d").to_string())
            .unwrap_or_else(|| MISSING.into())
    };
    Ok(
        ctx.raise(RuleId::S10, &hits, "due_date", &day_values(&due), |i| {
            let was = if changed[i] == Some(true) {
                prev[i]
            } else {
                first[i]
            };
            let later = match (due[i], first[i]) {
                (Some(d), Some(f)) => d - f,
                _ => 0,
            };
            ctx.msg(
                "s10",
                &[
                    ("n", &times[i].unwrap_or(0).max(1).to_string()),
                    ("was", &md(was)),
                    ("now", &md(due[i])),
                    ("first", &md(first[i])),
                    ("days", &later.to_string()),
                ],
            )
        }),
    )
}

/// `USD 12,345.60`: an amount as a message shows it.
fn money(x: Option<f64>, currency: Option<&str>) -> String {
    let Some(x) = x else {
        return MISSING.into();
    };
    let cents = (x * 100.0).round() as i64;
    let (whole, frac) = (cents.abs() / 100, cents.abs() % 100);
    let digits = whole.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if cents < 0 { "-" } else { "" };
    match currency {
        Some(c) => format!("{c} {sign}{grouped}.{frac:02}"),
        None => format!("{sign}{grouped}.{frac:02}"),
    }
}

/// The payment columns a flag's message needs, per hit.
struct Money {
    currency: Vec<Option<String>>,
    customer: Vec<Option<String>>,
    /// The deposit's and the balance's (due, paid, outstanding).
    deposit: [Vec<Option<f64>>; 3],
    balance: [Vec<Option<f64>>; 3],
    first_ship: Vec<Option<i64>>,
}

impl Money {
    fn of(df: &DataFrame) -> PolarsResult<Money> {
        let amounts = |cols: [&str; 3]| -> PolarsResult<[Vec<Option<f64>>; 3]> {
            let [due, paid, out] = cols;
            Ok([floats(df, due)?, floats(df, paid)?, floats(df, out)?])
        };
        Ok(Money {
            currency: strs(df, "currency")?,
            customer: strs(df, "customer")?,
            deposit: amounts(["deposit_due", "dep_paid", "dep_outstanding"])?,
            balance: amounts(["balance_due", "bal_paid", "bal_outstanding"])?,
            first_ship: ints(df, "first_ship")?,
        })
    }

    /// "USD 3,000.00" or, for a part payment, "USD 3,000.00 (USD 1,000.00
    /// received, USD 2,000.00 outstanding)".
    fn owed(&self, ctx: &RuleContext, i: usize, deposit: bool) -> String {
        let cur = self.currency[i].as_deref();
        let side = if deposit {
            &self.deposit
        } else {
            &self.balance
        };
        let [due, paid, out] = side.each_ref().map(|v| v[i]);
        match paid.filter(|p| *p > 0.0) {
            Some(p) => ctx.msg(
                "p.part",
                &[
                    ("due", &money(due, cur)),
                    ("paid", &money(Some(p), cur)),
                    ("rest", &money(out, cur)),
                ],
            ),
            None => money(out.or(due), cur),
        }
    }

    fn customer(&self, i: usize) -> String {
        self.customer[i].clone().unwrap_or_else(|| MISSING.into())
    }
}

/// P01: "shipped before the payment the terms require before shipment was
/// received" (order-level; the deposit-received or balance-received cell,
/// else the payment-terms cell).
fn p01_shipped_unpaid(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let hits = Hits::orders(&rec.payments, col("p01_deposit").or(col("p01_balance")))?;
    let m = Money::of(&hits.frame)?;
    let dep = crate::frame::bools(&hits.frame, "p01_deposit")?;
    let bal = crate::frame::bools(&hits.frame, "p01_balance")?;
    let at = |i: usize| {
        if dep[i] == Some(true) {
            &["deposit_received", "payment_terms"][..]
        } else {
            &["balance_received", "payment_terms"][..]
        }
    };
    let owed: Vec<_> = (0..hits.len())
        .map(|i| {
            Some(match (dep[i], bal[i]) {
                (Some(true), Some(true)) => {
                    format!("{} + {}", m.owed(ctx, i, true), m.owed(ctx, i, false))
                }
                (Some(true), _) => m.owed(ctx, i, true),
                _ => m.owed(ctx, i, false),
            })
        })
        .collect();
    Ok(ctx.raise(RuleId::P01, &hits, at, &owed, |i| {
        let key = match (dep[i], bal[i]) {
            (Some(true), Some(true)) => "p01.both",
            (Some(true), _) => "p01.deposit",
            _ => "p01.balance",
        };
        ctx.msg(
            key,
            &[
                ("date", &day_text(m.first_ship[i])),
                ("deposit", &m.owed(ctx, i, true)),
                ("balance", &m.owed(ctx, i, false)),
                ("customer", &m.customer(i)),
            ],
        )
    }))
}

/// P02: "deposit not received more than deposit_days after the order was
/// confirmed (else ordered) while the order is open and has not shipped"
/// (the deposit-received cell).
fn p02_deposit_late(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let hits = Hits::orders(&rec.payments, col("p02"))?;
    let m = Money::of(&hits.frame)?;
    let age = ints(&hits.frame, "deposit_age")?;
    let owed: Vec<_> = (0..hits.len())
        .map(|i| Some(m.owed(ctx, i, true)))
        .collect();
    Ok(
        ctx.raise(RuleId::P02, &hits, "deposit_received", &owed, |i| {
            ctx.msg(
                "p02",
                &[
                    ("amount", &m.owed(ctx, i, true)),
                    ("days", &age[i].unwrap_or(0).to_string()),
                    ("customer", &m.customer(i)),
                ],
            )
        }),
    )
}

/// P03: "balance overdue: not received and as_of > balance due date" (the
/// balance-due cell, else the payment-terms cell, else the order id cell).
fn p03_balance_overdue(ctx: &RuleContext, rec: &Reconciled) -> Raised {
    let hits = Hits::orders(&rec.payments, col("p03"))?;
    let m = Money::of(&hits.frame)?;
    let due = ints(&hits.frame, "balance_due_date")?;
    let late = ints(&hits.frame, "days_overdue")?;
    let at = ["balance_due_date", "payment_terms", "order_id"];
    Ok(ctx.raise(RuleId::P03, &hits, at, &day_values(&due), |i| {
        ctx.msg(
            "p03",
            &[
                ("amount", &m.owed(ctx, i, false)),
                ("date", &day_text(due[i])),
                ("days", &late[i].unwrap_or(0).to_string()),
                ("customer", &m.customer(i)),
            ],
        )
    }))
}
