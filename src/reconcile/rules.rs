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

/// The rows a rule matched, with what every flag needs.
pub(super) struct Hits {
    src: Vec<Option<i64>>,
    row: Vec<Option<i64>>,
    order_id: Vec<Option<String>>,
    key: Vec<Option<String>>,
    owner: Vec<Option<String>>,
    /// A shipment's or feedback row's own identity (empty for orders).
    ident: Vec<Option<String>>,
}

impl Hits {
    /// `first` reads the order frame's first-line provenance columns.
    pub(super) fn of(df: &DataFrame, first: bool) -> PolarsResult<Hits> {
        let (s, r) = if first {
            ("first_src", "first_row")
        } else {
            ("src", "row")
        };
        Ok(Hits {
            src: ints(df, s)?,
            row: ints(df, r)?,
            order_id: strs(df, "order_id")?,
            key: strs(df, "order_key")?,
            owner: strs(df, "owner")?,
            ident: if first { Vec::new() } else { row_identity(df)? },
        })
    }

    fn len(&self) -> usize {
        self.src.len()
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

fn num_text(v: Option<f64>) -> String {
    match v {
        Some(x) if x.fract() == 0.0 => format!("{}", x as i64),
        Some(x) => format!("{x:.2}"),
        None => MISSING.into(),
    }
}

impl RuleContext<'_> {
    /// Makes flags for every hit; `cell_field` is the field whose cell the
    /// flag points at, `value`/`message` give each hit's text.
    #[allow(clippy::too_many_arguments)]
    fn raise(
        &self,
        out: &mut Vec<Flag>,
        rule: RuleId,
        severity: Severity,
        table: Table,
        hits: &Hits,
        cell_field: &'static str,
        value: impl Fn(usize) -> Option<String>,
        message: impl Fn(usize) -> String,
    ) {
        let fields = [cell_field];
        self.raise_at(
            out,
            rule,
            severity,
            table,
            hits,
            |_| &fields[..],
            value,
            message,
        )
    }

    /// As [`RuleContext::raise`], the flag on the first of each hit's
    /// `fields` that its sheet has (else the order id cell).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn raise_at<'f>(
        &self,
        out: &mut Vec<Flag>,
        rule: RuleId,
        severity: Severity,
        table: Table,
        hits: &Hits,
        fields: impl Fn(usize) -> &'f [&'static str],
        value: impl Fn(usize) -> Option<String>,
        message: impl Fn(usize) -> String,
    ) {
        let Some(sev) = self.policy.severity(rule, severity) else {
            return;
        };
        for i in 0..hits.len() {
            let src = hits.src[i].unwrap_or(0) as usize;
            let row = hits.row[i].unwrap_or(0) as u32;
            let wanted = fields(i);
            let (file, sheet, cell, cell_field) = match self.sources.get(src) {
                Some(s) => {
                    let f = wanted
                        .iter()
                        .copied()
                        .find(|f| s.has(f))
                        .or_else(|| wanted.last().copied())
                        .unwrap_or("order_id");
                    (s.file.clone(), s.sheet.clone(), s.cell(f, row), f)
                }
                None => (
                    String::new(),
                    String::new(),
                    format!("A{row}"),
                    wanted.first().copied().unwrap_or("order_id"),
                ),
            };
            let place = Place { file, sheet, cell };
            out.push(Flag {
                order_id: hits.order_id[i].clone(),
                owner: hits.owner[i].clone(),
                value: value(i),
                key: hits.key[i].clone(),
                ident: hits.ident.get(i).cloned().flatten(),
                ..Flag::new(rule, sev, table, cell_field, place, message(i))
            });
        }
    }

    /// The shared end of the rules whose flag names a date and how many
    /// days before as_of it lies (S01–S04, S07): a flag per row of `df`
    /// (order-level for the orders table) on its `cell_field` cell, its
    /// value the date in `date_col`, its message `key` filled with `date`
    /// and `days`.
    #[allow(clippy::too_many_arguments)]
    fn raise_aged(
        &self,
        out: &mut Vec<Flag>,
        rule: RuleId,
        severity: Severity,
        table: Table,
        df: &DataFrame,
        cell_field: &'static str,
        date_col: &str,
        key: &str,
    ) -> PolarsResult<()> {
        let hits = Hits::of(df, table == Table::Orders)?;
        let d = ints(df, date_col)?;
        let now = self.asof_days() as i64;
        self.raise(
            out,
            rule,
            severity,
            table,
            &hits,
            cell_field,
            |i| Some(day_text(d[i])),
            |i| {
                self.msg(
                    key,
                    &[
                        ("days", &(now - d[i].unwrap_or(now)).to_string()),
                        ("date", &day_text(d[i])),
                    ],
                )
            },
        );
        Ok(())
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

/// Runs every C and S rule.
///
/// # Errors
/// A failure inside polars.
pub fn all(
    ctx: &RuleContext,
    rec: &Reconciled,
    marked_lines: &DataFrame,
) -> PolarsResult<Vec<Flag>> {
    let mut out = Vec::new();
    c01_duplicate_lines(ctx, marked_lines, &mut out)?;
    c01_inconsistent_lines(ctx, rec, &mut out)?;
    c02_shipment_unknown_order(ctx, rec, &mut out)?;
    c03_overshipped(ctx, rec, &mut out)?;
    c04_status_vs_shipments(ctx, rec, &mut out)?;
    c05_dates_out_of_sequence(ctx, rec, &mut out)?;
    c06_feedback_mismatch(ctx, rec, &mut out)?;
    c07_amount_mismatch(ctx, rec, &mut out)?;
    c08_closed_not_in_full(ctx, rec, &mut out)?;
    c09_cancelled_shipped(ctx, rec, &mut out)?;
    c09_delivered_in_transit(ctx, rec, &mut out)?;
    if ctx.has_updated_at {
        s01_stale(ctx, rec, &mut out)?;
    }
    s02_overdue(ctx, rec, &mut out)?;
    s03_unconfirmed(ctx, rec, &mut out)?;
    if ctx.arrival_tracked {
        s04_past_eta(ctx, rec, &mut out)?;
        if ctx.has_tracking {
            s05_no_tracking(ctx, rec, &mut out)?;
        }
        s06_followup_due(ctx, rec, &mut out)?;
    }
    s07_feedback_sla(ctx, rec, &mut out)?;
    s08_unhappy_no_action(ctx, rec, &mut out)?;
    s09_due_not_ready(ctx, rec, &mut out)?;
    s10_repromised(ctx, rec, &mut out)?;
    p01_shipped_unpaid(ctx, rec, &mut out)?;
    p02_deposit_late(ctx, rec, &mut out)?;
    p03_balance_overdue(ctx, rec, &mut out)?;
    Ok(out)
}

/// C01 (warning): "a line whose every field equals an earlier line of the
/// same order" — on the later line, which is left out.
fn c01_duplicate_lines(
    ctx: &RuleContext,
    marked: &DataFrame,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(marked, col("is_dup"))?;
    let hits = Hits::of(&df, false)?;
    let first_row = ints(&df, "dup_first_row")?;
    ctx.raise(
        out,
        RuleId::C01,
        Severity::Warning,
        Table::Orders,
        &hits,
        "order_id",
        |i| hits.order_id[i].clone(),
        |i| {
            ctx.msg(
                "c01.dup",
                &[
                    ("order", hits.order_id[i].as_deref().unwrap_or(MISSING)),
                    ("row", &first_row[i].unwrap_or(0).to_string()),
                ],
            )
        },
    );
    Ok(())
}

/// C01 (error): "lines of one order disagree on customer, owner or due
/// date" — once per order.
fn c01_inconsistent_lines(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(
        &rec.orders,
        col("n_customers")
            .gt(lit(1))
            .or(col("n_owners").gt(lit(1)))
            .or(col("n_due").gt(lit(1))),
    )?;
    let hits = Hits::of(&df, true)?;
    let (nc, no, nd) = (
        ints(&df, "n_customers")?,
        ints(&df, "n_owners")?,
        ints(&df, "n_due")?,
    );
    ctx.raise(
        out,
        RuleId::C01,
        Severity::Error,
        Table::Orders,
        &hits,
        "order_id",
        |i| hits.order_id[i].clone(),
        |i| {
            let mut what = Vec::new();
            for (n, field) in [(nc[i], "customer"), (no[i], "owner"), (nd[i], "due_date")] {
                if n.unwrap_or(0) > 1 {
                    what.push(i18n::field_label(ctx.lang, field));
                }
            }
            ctx.msg(
                "c01.mixed",
                &[
                    ("order", hits.order_id[i].as_deref().unwrap_or(MISSING)),
                    ("what", &what.join(", ")),
                ],
            )
        },
    );
    Ok(())
}

/// C02: "shipment for an order id that no order has" (its order id cell).
fn c02_shipment_unknown_order(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(&rec.shipments, col("known").not())?;
    let hits = Hits::of(&df, false)?;
    ctx.raise(
        out,
        RuleId::C02,
        Severity::Error,
        Table::Shipments,
        &hits,
        "order_id",
        |i| hits.order_id[i].clone(),
        |i| {
            ctx.msg(
                "c02",
                &[("order", hits.order_id[i].as_deref().unwrap_or(MISSING))],
            )
        },
    );
    Ok(())
}

/// C03: "quantity over all the order's shipment rows (booked or shipped)
/// exceeds ordered_qty" — beyond the order's quantity tolerance (its
/// tolerance cell, else `qty_tolerance`), ordered_qty × (1 + tolerance),
/// the `qty_high` of [`super::frames::tolerance_columns`]; an order
/// without a quantity has none (its V01 says it).
fn c03_overshipped(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let most = col("ordered_qty") * col("qty_high");
    let df = filter(
        &rec.orders,
        col("ordered_qty")
            .gt(lit(0.0))
            .and(col("shipped_qty_all").gt(most)),
    )?;
    let hits = Hits::of(&df, true)?;
    let (shipped, ordered) = (floats(&df, "shipped_qty_all")?, floats(&df, "ordered_qty")?);
    let tol = floats(&df, "qty_tol")?;
    // Two decimals, as the register would write them.
    let round = |x: f64| (x * 100.0).round() / 100.0;
    ctx.raise(
        out,
        RuleId::C03,
        Severity::Error,
        Table::Orders,
        &hits,
        "order_id",
        |i| Some(num_text(shipped[i])),
        |i| {
            let order = hits.order_id[i].as_deref().unwrap_or(MISSING);
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
        },
    );
    Ok(())
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
fn c04_status_vs_shipments(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let none = filter(
        &rec.orders,
        status_in(&["shipped", "delivered", "closed"]).and(col("shipment_rows").eq(lit(0u32))),
    )?;
    let hits = Hits::of(&none, true)?;
    let st = strs(&none, "status")?;
    ctx.raise(
        out,
        RuleId::C04,
        Severity::Error,
        Table::Orders,
        &hits,
        "order_id",
        |i| st[i].clone(),
        |i| {
            ctx.msg(
                "c04.noship",
                &[
                    ("order", hits.order_id[i].as_deref().unwrap_or(MISSING)),
                    ("status", &status_word(ctx, st[i].as_deref())),
                ],
            )
        },
    );
    let early = filter(
        &rec.orders,
        status_in(&["pending", "confirmed", "in_production"])
            .and(col("shipped_rows").gt(lit(0u32))),
    )?;
    let hits = Hits::of(&early, true)?;
    let st = strs(&early, "status")?;
    ctx.raise(
        out,
        RuleId::C04,
        Severity::Warning,
        Table::Orders,
        &hits,
        "order_id",
        |i| st[i].clone(),
        |i| {
            ctx.msg(
                "c04.early",
                &[
                    ("order", hits.order_id[i].as_deref().unwrap_or(MISSING)),
                    ("status", &status_word(ctx, st[i].as_deref())),
                ],
            )
        },
    );
    Ok(())
}

/// C05: "dates out of sequence, on the later-stage date's cell: confirmed <
/// order date, ship < order date, delivered < ship, eta < ship, closed <
/// feedback date".
fn c05_dates_out_of_sequence(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
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
    for (frame, table, later, earlier, earlier_label) in checks {
        let df = filter(frame, col(later).lt(col(earlier)))?;
        let hits = Hits::of(&df, false)?;
        let (l, e) = (ints(&df, later)?, ints(&df, earlier)?);
        ctx.raise(
            out,
            RuleId::C05,
            Severity::Error,
            table,
            &hits,
            later,
            |i| Some(day_text(l[i])),
            |i| {
                ctx.msg(
                    "c05",
                    &[
                        ("later", i18n::field_label(ctx.lang, later)),
                        ("later_date", &day_text(l[i])),
                        ("earlier", i18n::field_label(ctx.lang, earlier_label)),
                        ("earlier_date", &day_text(e[i])),
                    ],
                )
            },
        );
    }
    Ok(())
}

/// C06: "feedback with an order id that no order has (its order id cell),
/// or whose customer differs from the order's (its customer cell)".
fn c06_feedback_mismatch(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let unknown = filter(
        &rec.feedback,
        col("order_key").is_not_null().and(col("known").not()),
    )?;
    let hits = Hits::of(&unknown, false)?;
    ctx.raise(
        out,
        RuleId::C06,
        Severity::Warning,
        Table::Feedback,
        &hits,
        "order_id",
        |i| hits.order_id[i].clone(),
        |i| {
            ctx.msg(
                "c06.order",
                &[("order", hits.order_id[i].as_deref().unwrap_or(MISSING))],
            )
        },
    );
    let differs = filter(
        &rec.feedback,
        col("known")
            .and(col("order_customer_key").is_not_null())
            .and(col("customer_key").neq(col("order_customer_key"))),
    )?;
    let hits = Hits::of(&differs, false)?;
    let (have, want) = (
        strs(&differs, "customer")?,
        strs(&differs, "order_customer")?,
    );
    ctx.raise(
        out,
        RuleId::C06,
        Severity::Warning,
        Table::Feedback,
        &hits,
        "customer",
        |i| have[i].clone(),
        |i| {
            ctx.msg(
                "c06.customer",
                &[
                    ("value", have[i].as_deref().unwrap_or(MISSING)),
                    ("expected", want[i].as_deref().unwrap_or(MISSING)),
                ],
            )
        },
    );
    Ok(())
}

/// C07: "|amount − quantity × unit_price| > amount_tolerance × quantity ×
/// unit_price" (the amount cell).
fn c07_amount_mismatch(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let expected = col("quantity") * col("unit_price");
    let df = filter(
        &rec.lines,
        (col("amount") - expected.clone())
            .abs()
            .gt(lit(ctx.thresholds.amount_tolerance) * expected),
    )?;
    let hits = Hits::of(&df, false)?;
    let (a, q, p) = (
        floats(&df, "amount")?,
        floats(&df, "quantity")?,
        floats(&df, "unit_price")?,
    );
    ctx.raise(
        out,
        RuleId::C07,
        Severity::Warning,
        Table::Orders,
        &hits,
        "amount",
        |i| Some(num_text(a[i])),
        |i| {
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
        },
    );
    Ok(())
}

/// C08: "order closed or delivered but not in full".
fn c08_closed_not_in_full(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(
        &rec.orders,
        status_in(&["closed", "delivered"])
            .and(col("in_full").not())
            .and(col("shipment_rows").gt(lit(0u32))),
    )?;
    let hits = Hits::of(&df, true)?;
    let (st, shipped, ordered) = (
        strs(&df, "status")?,
        floats(&df, "qty_by_asof")?,
        floats(&df, "ordered_qty")?,
    );
    ctx.raise(
        out,
        RuleId::C08,
        Severity::Warning,
        Table::Orders,
        &hits,
        "order_id",
        |i| st[i].clone(),
        |i| {
            ctx.msg(
                "c08",
                &[
                    ("order", hits.order_id[i].as_deref().unwrap_or(MISSING)),
                    ("status", &status_word(ctx, st[i].as_deref())),
                    ("shipped", &num_text(shipped[i])),
                    ("ordered", &num_text(ordered[i])),
                ],
            )
        },
    );
    Ok(())
}

/// C09 (error): "cancelled order with shipped shipments" (order-level).
fn c09_cancelled_shipped(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(
        &rec.orders,
        col("cancelled").and(col("shipped_rows").gt(lit(0u32))),
    )?;
    let hits = Hits::of(&df, true)?;
    ctx.raise(
        out,
        RuleId::C09,
        Severity::Error,
        Table::Orders,
        &hits,
        "order_id",
        |i| hits.order_id[i].clone(),
        |i| {
            ctx.msg(
                "c09.cancelled",
                &[("order", hits.order_id[i].as_deref().unwrap_or(MISSING))],
            )
        },
    );
    Ok(())
}

/// C09 (warning): "shipment with a delivered_date but status in transit"
/// (its status cell).
fn c09_delivered_in_transit(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(
        &rec.shipments,
        col("delivered_date")
            .is_not_null()
            .and(col("status").eq(lit("in_transit"))),
    )?;
    let hits = Hits::of(&df, false)?;
    let d = ints(&df, "delivered_date")?;
    ctx.raise(
        out,
        RuleId::C09,
        Severity::Warning,
        Table::Shipments,
        &hits,
        "status",
        |_| Some("in_transit".into()),
        |i| ctx.msg("c09.transit", &[("date", &day_text(d[i]))]),
    );
    Ok(())
}

/// S01: "open order whose last update is more than stale_days before as_of".
fn s01_stale(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let age = lit(ctx.asof_days()) - days("last_update");
    let df = filter(
        &rec.orders,
        col("open").and(age.gt(lit(ctx.thresholds.stale_days as i32))),
    )?;
    ctx.raise_aged(
        out,
        RuleId::S01,
        Severity::Warning,
        Table::Orders,
        &df,
        "order_id",
        "last_update",
        "s01",
    )
}

/// S02: "overdue: open order past its due date".
fn s02_overdue(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let df = filter(
        &rec.orders,
        col("open").and(col("due_date").lt(lit_date(ctx.as_of))),
    )?;
    ctx.raise_aged(
        out,
        RuleId::S02,
        Severity::Error,
        Table::Orders,
        &df,
        "order_id",
        "due_date",
        "s02",
    )
}

/// S03: "order still pending confirmation more than confirm_days after its
/// order date".
fn s03_unconfirmed(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let age = lit(ctx.asof_days()) - days("order_date");
    let df = filter(
        &rec.orders,
        col("status")
            .eq(lit("pending"))
            .and(age.gt(lit(ctx.thresholds.confirm_days as i32))),
    )?;
    ctx.raise_aged(
        out,
        RuleId::S03,
        Severity::Warning,
        Table::Orders,
        &df,
        "order_id",
        "order_date",
        "s03",
    )
}

/// S04: "shipped shipment with no delivered_date and as_of > eta +
/// eta_grace_days" (its eta cell).
fn s04_past_eta(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let df = filter(
        &rec.shipments,
        s04_predicate(ctx.as_of, ctx.thresholds.eta_grace_days),
    )?;
    ctx.raise_aged(
        out,
        RuleId::S04,
        Severity::Warning,
        Table::Shipments,
        &df,
        "eta",
        "eta",
        "s04",
    )
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
fn s05_no_tracking(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let age = lit(ctx.asof_days()) - days("ship_date");
    let df = filter(
        &rec.shipments,
        col("shipped")
            .and(col("undelivered"))
            .and(col("tracking_no").is_null())
            .and(age.gt(lit(ctx.thresholds.tracking_days as i32))),
    )?;
    let hits = Hits::of(&df, false)?;
    let sd = ints(&df, "ship_date")?;
    ctx.raise(
        out,
        RuleId::S05,
        Severity::Warning,
        Table::Shipments,
        &hits,
        "tracking_no",
        |_| None,
        |i| ctx.msg("s05", &[("date", &day_text(sd[i]))]),
    );
    Ok(())
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
fn s06_followup_due(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let df = filter(
        &rec.orders,
        followup_window(ctx.as_of, ctx.thresholds.followup_days)
            .and(col("feedback_rows").eq(lit(0u32))),
    )?;
    let hits = Hits::of(&df, true)?;
    let arr = ints(&df, "arrival_date")?;
    ctx.raise(
        out,
        RuleId::S06,
        Severity::Info,
        Table::Orders,
        &hits,
        "order_id",
        |i| Some(day_text(arr[i])),
        |i| ctx.msg("s06", &[("date", &day_text(arr[i]))]),
    );
    Ok(())
}

/// S07: "feedback not closed and as_of − date > feedback_sla_days" (its
/// date cell).
fn s07_feedback_sla(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let age = lit(ctx.asof_days()) - days("date");
    let df = filter(
        &rec.feedback,
        col("closed")
            .not()
            .and(age.gt(lit(ctx.thresholds.feedback_sla_days as i32))),
    )?;
    ctx.raise_aged(
        out,
        RuleId::S07,
        Severity::Warning,
        Table::Feedback,
        &df,
        "date",
        "date",
        "s07",
    )
}

/// S08: "score ≤ 2 or nps ≤ 6 and no action recorded" (its action cell,
/// else its score cell, else its nps cell).
fn s08_unhappy_no_action(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let unhappy = col("score")
        .lt_eq(lit(2i64))
        .fill_null(lit(false))
        .or(col("nps").lt_eq(lit(6i64)).fill_null(lit(false)));
    let df = filter(&rec.feedback, unhappy.and(col("action").is_null()))?;
    let hits = Hits::of(&df, false)?;
    let (score, nps) = (ints(&df, "score")?, ints(&df, "nps")?);
    let field = if ctx.has_action {
        "action"
    } else if ctx.has_score {
        "score"
    } else {
        "nps"
    };
    let show = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_else(|| MISSING.into());
    ctx.raise(
        out,
        RuleId::S08,
        Severity::Warning,
        Table::Feedback,
        &hits,
        field,
        |_| None,
        |i| ctx.msg("s08", &[("score", &show(score[i])), ("nps", &show(nps[i]))]),
    );
    Ok(())
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
fn s09_due_not_ready(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let df = filter(&rec.orders, due_next(&ctx.next).and(not_ready()))?;
    let hits = Hits::of(&df, true)?;
    let due = ints(&df, "due_date")?;
    let status = strs(&df, "status")?;
    let now = ctx.asof_days() as i64;
    ctx.raise(
        out,
        RuleId::S09,
        Severity::Info,
        Table::Orders,
        &hits,
        "order_id",
        |i| Some(day_text(due[i])),
        |i| {
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
        },
    );
    Ok(())
}

/// S10: "due date moved again: an open order whose due date changed since
/// the previous run and had changed before, or now lies more than
/// repromise_days after its first promised date" (on the due date cell).
fn s10_repromised(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let moved = days("due_date") - days("first_promise");
    let again = col("due_changed")
        .fill_null(lit(false))
        .and(col("repromises").gt_eq(lit(2u32)));
    let far = moved.gt(lit(ctx.thresholds.repromise_days as i32));
    let df = filter(&rec.orders, col("open").and(again.or(far)))?;
    let hits = Hits::of(&df, true)?;
    let (due, prev, first) = (
        ints(&df, "due_date")?,
        ints(&df, "due_prev")?,
        ints(&df, "first_promise")?,
    );
    let changed = crate::frame::bools(&df, "due_changed")?;
    let times = ints(&df, "repromises")?;
    let md = |d: Option<i64>| {
        d.map(|d| days_to_date(d as i32).format("%m-%d").to_string())
            .unwrap_or_else(|| MISSING.into())
    };
    ctx.raise(
        out,
        RuleId::S10,
        Severity::Warning,
        Table::Orders,
        &hits,
        "due_date",
        |i| Some(day_text(due[i])),
        |i| {
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
        },
    );
    Ok(())
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
    dep_due: Vec<Option<f64>>,
    dep_paid: Vec<Option<f64>>,
    dep_out: Vec<Option<f64>>,
    bal_due: Vec<Option<f64>>,
    bal_paid: Vec<Option<f64>>,
    bal_out: Vec<Option<f64>>,
    first_ship: Vec<Option<i64>>,
}

impl Money {
    fn of(df: &DataFrame) -> PolarsResult<Money> {
        Ok(Money {
            currency: strs(df, "currency")?,
            customer: strs(df, "customer")?,
            dep_due: floats(df, "deposit_due")?,
            dep_paid: floats(df, "dep_paid")?,
            dep_out: floats(df, "dep_outstanding")?,
            bal_due: floats(df, "balance_due")?,
            bal_paid: floats(df, "bal_paid")?,
            bal_out: floats(df, "bal_outstanding")?,
            first_ship: ints(df, "first_ship")?,
        })
    }

    /// "USD 3,000.00" or, for a part payment, "USD 3,000.00 (USD 1,000.00
    /// received, USD 2,000.00 outstanding)".
    fn owed(&self, ctx: &RuleContext, i: usize, deposit: bool) -> String {
        let cur = self.currency[i].as_deref();
        let (due, paid, out) = if deposit {
            (self.dep_due[i], self.dep_paid[i], self.dep_out[i])
        } else {
            (self.bal_due[i], self.bal_paid[i], self.bal_out[i])
        };
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
fn p01_shipped_unpaid(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(&rec.payments, col("p01_deposit").or(col("p01_balance")))?;
    let hits = Hits::of(&df, true)?;
    let m = Money::of(&df)?;
    let dep = crate::frame::bools(&df, "p01_deposit")?;
    let bal = crate::frame::bools(&df, "p01_balance")?;
    ctx.raise_at(
        out,
        RuleId::P01,
        Severity::Error,
        Table::Orders,
        &hits,
        |i| {
            if dep[i] == Some(true) {
                &["deposit_received", "payment_terms"][..]
            } else {
                &["balance_received", "payment_terms"][..]
            }
        },
        |i| {
            Some(match (dep[i], bal[i]) {
                (Some(true), Some(true)) => {
                    format!("{} + {}", m.owed(ctx, i, true), m.owed(ctx, i, false))
                }
                (Some(true), _) => m.owed(ctx, i, true),
                _ => m.owed(ctx, i, false),
            })
        },
        |i| {
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
        },
    );
    Ok(())
}

/// P02: "deposit not received more than deposit_days after the order was
/// confirmed (else ordered) while the order is open and has not shipped"
/// (the deposit-received cell).
fn p02_deposit_late(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let df = filter(&rec.payments, col("p02"))?;
    let hits = Hits::of(&df, true)?;
    let m = Money::of(&df)?;
    let age = ints(&df, "deposit_age")?;
    ctx.raise(
        out,
        RuleId::P02,
        Severity::Warning,
        Table::Orders,
        &hits,
        "deposit_received",
        |i| Some(m.owed(ctx, i, true)),
        |i| {
            ctx.msg(
                "p02",
                &[
                    ("amount", &m.owed(ctx, i, true)),
                    ("days", &age[i].unwrap_or(0).to_string()),
                    ("customer", &m.customer(i)),
                ],
            )
        },
    );
    Ok(())
}

/// P03: "balance overdue: not received and as_of > balance due date" (the
/// balance-due cell, else the payment-terms cell, else the order id cell).
fn p03_balance_overdue(
    ctx: &RuleContext,
    rec: &Reconciled,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    let df = filter(&rec.payments, col("p03"))?;
    let hits = Hits::of(&df, true)?;
    let m = Money::of(&df)?;
    let due = ints(&df, "balance_due_date")?;
    let late = ints(&df, "days_overdue")?;
    ctx.raise_at(
        out,
        RuleId::P03,
        Severity::Warning,
        Table::Orders,
        &hits,
        |_| &["balance_due_date", "payment_terms", "order_id"][..],
        |i| Some(day_text(due[i])),
        |i| {
            ctx.msg(
                "p03",
                &[
                    ("amount", &m.owed(ctx, i, false)),
                    ("date", &day_text(due[i])),
                    ("days", &late[i].unwrap_or(0).to_string()),
                    ("customer", &m.customer(i)),
                ],
            )
        },
    );
    Ok(())
}
