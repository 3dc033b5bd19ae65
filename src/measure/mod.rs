//! Measure: the KPIs of spec section 6, the 12-period trend, and the
//! per-owner, per-customer and satisfaction-by-delivery tables, all as
//! polars expressions over the reconciled frames.
//!
//! A rate whose denominator is empty is `None` (JSON `null`), never 0.

pub mod detail;
pub mod documents;
pub mod milestones;
pub mod owners;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;
use serde::{Deserialize, Serialize};

use crate::flags::{Flag, PastFlag, Severity, Table};
use crate::frame::{days, floats, ints, lit_date, strs};
use crate::period::Period;
use crate::reconcile::rules::{due_next, followup_window, not_ready, s04_predicate};
use crate::reconcile::Reconciled;
use crate::template::Template;

#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Aging {
    pub not_due: u64,
    pub d1_7: u64,
    pub d8_14: u64,
    pub d15_30: u64,
    pub d30_plus: u64,
}

/// The KPIs of one period, by the spec's exact names.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct Kpis {
    pub orders_received: u64,
    pub orders_received_amount: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub orders_received_amount_base: Option<f64>,
    pub orders_due: u64,
    pub otd_rate: Option<f64>,
    pub in_full_rate: Option<f64>,
    pub otif_rate: Option<f64>,
    pub late_orders: u64,
    pub avg_delay_days: Option<f64>,
    pub confirmation_median_days: Option<f64>,
    pub cycle_time_median_days: Option<f64>,
    pub open_orders: u64,
    pub overdue_open_orders: u64,
    pub backlog_aging: Aging,
    pub shipments_shipped: u64,
    pub shipments_shipped_qty: f64,
    /// `None` when the shipments do not track arrival (spec section 4:
    /// no delivered date, ETA or status column), as the other arrival KPIs.
    pub shipments_in_transit: Option<u64>,
    pub shipments_overdue: Option<u64>,
    pub transit_median_days: Option<f64>,
    pub transit_median_days_by_mode: BTreeMap<String, f64>,
    pub eta_hit_rate: Option<f64>,
    pub feedback_responses: u64,
    pub csat: Option<f64>,
    pub avg_score: Option<f64>,
    pub nps: Option<f64>,
    pub feedback_open: u64,
    pub resolution_median_days: Option<f64>,
    pub followup_coverage: Option<f64>,
    pub flags_error: u64,
    pub flags_warning: u64,
    pub flags_info: u64,
    pub due_next_period: u64,
    pub due_next_period_not_ready: u64,
    pub arrivals_next_period: Option<u64>,
    /// `None` without a previous recorded run.
    pub flags_new: Option<u64>,
    pub flags_still_open: Option<u64>,
    pub flags_resolved: Option<u64>,
    /// Due and not received on shipped orders or past their due date, per
    /// currency (spec section 10).
    pub receivables_open: BTreeMap<String, f64>,
    /// Of it, past its due date (P03, and P01's unpaid amounts).
    pub receivables_overdue: BTreeMap<String, f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receivables_open_base: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub receivables_overdue_base: Option<f64>,
    pub deposits_pending: u64,
    pub payment_days_median: Option<f64>,
    /// Letters of credit (spec section 10.1): open orders under L/C; of
    /// them, those whose latest shipment date (44C) or expiry falls in the
    /// next period.
    pub lc_open: u64,
    pub lc_expiring_next_period: u64,
    /// Milestones (spec section 13): planned in the period; of those done
    /// in it with a plan, the share on time; overdue (M01) and orders at
    /// risk (M03) at as_of; the median slip of those done in it.
    pub milestones_due: u64,
    pub milestones_on_time_rate: Option<f64>,
    pub milestones_overdue: u64,
    pub orders_at_risk: u64,
    pub milestone_slip_median_days: Option<f64>,
    /// Promise history (spec section 14): of the orders whose first
    /// promised date lies in the period, the share shipped by it; orders
    /// whose due date changed since the previous run (`None` without one
    /// that recorded due dates); open orders whose due date differs from
    /// their first promise, and the median days between; shipments whose
    /// ETA changed since the previous run (`None` as due_date_changes).
    pub otd_rate_first_promise: Option<f64>,
    pub due_date_changes: Option<u64>,
    pub orders_repromised: u64,
    pub repromise_median_days: Option<f64>,
    pub eta_changes: Option<u64>,
}

/// One point of the 12-period trend.
#[derive(Clone, Debug, Serialize)]
pub struct TrendPoint {
    pub label: String,
    pub end: NaiveDate,
    pub orders_due: u64,
    pub otd_rate: Option<f64>,
    pub otif_rate: Option<f64>,
    pub feedback_responses: u64,
    pub csat: Option<f64>,
    pub nps: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub milestones_on_time_rate: Option<f64>,
    /// OTD against the first promise (spec section 14), of the orders
    /// first promised in the period.
    pub otd_rate_first_promise: Option<f64>,
}

/// Flags of one severity, and how they compare with the previous run
/// (`None` without one).
#[derive(Clone, Debug, Serialize)]
pub struct SeverityCounts {
    pub severity: Severity,
    pub total: u64,
    pub new: Option<u64>,
    pub still_open: Option<u64>,
    pub resolved: Option<u64>,
}

fn by_severity(flags: &[Flag], resolved: Option<&[PastFlag]>) -> Vec<SeverityCounts> {
    [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .map(|sev| {
            let of = || flags.iter().filter(move |f| f.severity == sev);
            let total = of().count() as u64;
            let new = of().filter(|f| f.is_new == Some(true)).count() as u64;
            SeverityCounts {
                severity: sev,
                total,
                new: resolved.map(|_| new),
                still_open: resolved.map(|_| total - new),
                resolved: resolved
                    .map(|g| g.iter().filter(|f| f.severity == sev.as_str()).count() as u64),
            }
        })
        .collect()
}

/// The measure stage's output.
pub struct Measures {
    pub kpis: Kpis,
    /// Whether the shipments track arrival (the Shipments sheet then lists
    /// what is in transit; else it says why it does not).
    pub arrival_tracked: bool,
    pub trend: Vec<TrendPoint>,
    /// owner, lines, open, overdue, due, otd_rate, otif_rate, errors,
    /// warnings, data_quality
    pub by_owner: DataFrame,
    /// customer, orders, due, otd_rate, otif_rate, responses, csat, nps,
    /// feedback_open (over the 12-period window)
    pub by_customer: DataFrame,
    /// on_time (bool), responses, csat, avg_score (12-period window)
    pub by_delivery: DataFrame,
    /// mode or carrier, delivered, transit_median, eta_hit (12-period window)
    pub transit_by_mode: DataFrame,
    pub transit_by_carrier: DataFrame,
    /// category, department, responses, avg_score, open (12-period window)
    pub by_category: DataFrame,
    /// category, responses: `by_category` over all departments, most
    /// responses first (ties by category), for the feedback overview.
    pub responses_by_category: DataFrame,
    /// department, open, overdue, stale, median_since_update, due_next
    /// (open orders by their current department; none under "—")
    pub by_department: DataFrame,
    /// department, responses, complaints, open, resolution_median (feedback
    /// by its responsible department: responses, complaints and
    /// resolution over the period, open at as_of)
    pub by_feedback_department: DataFrame,
    /// The detail sheets' rows.
    pub detail: detail::Detail,
    /// owner, currency, overdue: receivables overdue per merchandiser.
    pub receivables_by_owner: owners::OwnerReceivables,
    /// Whether the orders carry payment columns or terms.
    pub has_payments: bool,
    /// Whether the orders carry L/C columns or terms read as L/C.
    pub has_lc: bool,
    /// Flags by severity, with new / still open / resolved.
    pub flags_by_severity: Vec<SeverityCounts>,
    /// The previous run's flags that are gone (`None` without one).
    pub resolved: Option<Vec<PastFlag>>,
    /// The 12-period window: first day of the oldest period to as_of.
    pub window: Period,
    /// The period after this one (the look-ahead).
    pub next: Period,
    /// The Milestones sheet and the milestones due next period.
    pub milestones: milestones::MilestoneView,
}

fn transit_by(rec: &Reconciled, window: &Period, by: &str) -> PolarsResult<DataFrame> {
    rec.shipments
        .clone()
        .lazy()
        .filter(in_period("delivered_date", window).and(col("ship_date").is_not_null()))
        .group_by([col(by)])
        .agg([
            len().cast(DataType::UInt32).alias("delivered"),
            diff_days("delivered_date", "ship_date")
                .cast(DataType::Float64)
                .median()
                .alias("transit_median"),
            share(
                col("delivered_date")
                    .lt_eq(col("eta"))
                    .filter(col("eta").is_not_null()),
            )
            .alias("eta_hit"),
        ])
        .sort([by], SortMultipleOptions::default().with_nulls_last(true))
        .collect()
}

fn by_category(rec: &Reconciled, window: &Period) -> PolarsResult<DataFrame> {
    rec.feedback
        .clone()
        .lazy()
        .filter(in_period("date", window))
        .group_by([col("category"), col("department")])
        .agg([
            len().cast(DataType::UInt32).alias("responses"),
            col("score")
                .cast(DataType::Float64)
                .mean()
                .alias("avg_score"),
            col("closed")
                .not()
                .cast(DataType::UInt32)
                .sum()
                .alias("open"),
        ])
        .sort(
            ["responses", "category", "department"],
            most_first([true, false, false]),
        )
        .collect()
}

/// Responses per category over every department, most first; ties in
/// category order, so the overview is the same from run to run.
fn responses_by_category(by_category: &DataFrame) -> PolarsResult<DataFrame> {
    by_category
        .clone()
        .lazy()
        .group_by([col("category")])
        .agg([col("responses").sum().alias("responses")])
        .sort(["responses", "category"], most_first([true, false]))
        .collect()
}

fn in_period(c: &str, p: &Period) -> Expr {
    col(c)
        .gt_eq(lit_date(p.start))
        .and(col(c).lt_eq(lit_date(p.end)))
        .fill_null(lit(false))
}

/// Orders due in `p`: not cancelled, due date in the period.
fn is_due(p: &Period) -> Expr {
    col("cancelled").not().and(in_period("due_date", p))
}

/// The first row's value of a one-column result.
fn one_f64(lf: LazyFrame, e: Expr) -> PolarsResult<Option<f64>> {
    let df = lf
        .select([e.cast(DataType::Float64).alias("v")])
        .collect()?;
    Ok(floats(&df, "v")?
        .first()
        .copied()
        .flatten()
        .filter(|x| x.is_finite()))
}

fn count(lf: LazyFrame, predicate: Expr) -> PolarsResult<u64> {
    let df = lf.filter(predicate).select([len().alias("n")]).collect()?;
    Ok(ints(&df, "n")?.first().copied().flatten().unwrap_or(0) as u64)
}

fn share(c: Expr) -> Expr {
    c.cast(DataType::Float64).mean()
}

fn diff_days(later: &str, earlier: &str) -> Expr {
    days(later) - days(earlier)
}

/// Computes every KPI of `period` (as of its end) from the reconciled
/// frames, area by area: orders received, orders due, the open book,
/// shipments, feedback, receivables, the look-ahead, then the flags.
///
/// # Errors
/// A failure inside polars.
pub fn kpis(
    rec: &Reconciled,
    flags: &[Flag],
    p: &Period,
    t: &Template,
    resolved: Option<&[PastFlag]>,
) -> PolarsResult<Kpis> {
    let mut k = Kpis::default();
    orders_received(&mut k, rec, p, t)?;
    orders_due(&mut k, rec, p)?;
    open_book(&mut k, rec)?;
    shipments(&mut k, rec, p, t)?;
    feedback(&mut k, rec, p, t)?;
    receivables(&mut k, rec, p, t)?;
    letters_of_credit(&mut k, rec)?;
    look_ahead(&mut k, rec, t)?;
    milestones::kpis(&mut k, rec, p)?;
    promises(&mut k, rec, p)?;
    // Registers that stop at loading (FOB): nothing to say about arrival.
    if !rec.arrival_tracked {
        k.shipments_in_transit = None;
        k.shipments_overdue = None;
        k.arrivals_next_period = None;
        k.transit_median_days = None;
        k.transit_median_days_by_mode.clear();
        k.eta_hit_rate = None;
        k.followup_coverage = None;
    }
    flag_counts(&mut k, flags, resolved);
    Ok(k)
}

/// Orders received in `p`, and their amount per currency (and in
/// `fx.base` when rates are given).
fn orders_received(k: &mut Kpis, rec: &Reconciled, p: &Period, t: &Template) -> PolarsResult<()> {
    let orders = || rec.orders.clone().lazy();
    k.orders_received = count(orders(), in_period("order_date", p))?;
    let received = orders()
        .filter(in_period("order_date", p))
        .select([col("order_key")]);
    let amounts = rec
        .lines
        .clone()
        .lazy()
        .inner_join(received, col("order_key"), col("order_key"))
        .with_column(
            when(col("amount").is_not_null())
                .then(col("amount"))
                .otherwise(col("quantity") * col("unit_price"))
                .alias("line_amount"),
        )
        .filter(col("line_amount").is_not_null())
        .group_by([col("currency")])
        .agg([col("line_amount").sum().alias("sum")])
        .sort(["currency"], SortMultipleOptions::default())
        .collect()?;
    let (cur, sums) = (strs(&amounts, "currency")?, floats(&amounts, "sum")?);
    for (c, s) in cur.into_iter().zip(sums) {
        // Amounts without a currency (no currency column, or an empty
        // cell) are keyed "": the reports show them as "(no currency)".
        let c = c.unwrap_or_default();
        k.orders_received_amount.insert(c, round2(s.unwrap_or(0.0)));
    }
    k.orders_received_amount_base = in_base(t, &k.orders_received_amount);
    Ok(())
}

/// Orders due in `p` (not cancelled): on time, in full, late, and how
/// long confirmation and the whole order took.
fn orders_due(k: &mut Kpis, rec: &Reconciled, p: &Period) -> PolarsResult<()> {
    let orders = || rec.orders.clone().lazy();
    let due = || orders().filter(is_due(p));
    k.orders_due = count(due(), lit(true))?;
    k.otd_rate = one_f64(due(), share(col("on_time")))?;
    k.in_full_rate = one_f64(due(), share(col("in_full")))?;
    k.otif_rate = one_f64(due(), share(col("otif")))?;
    k.late_orders = count(due(), col("on_time").not().fill_null(lit(false)))?;
    k.avg_delay_days = one_f64(
        due().filter(col("on_time").not().fill_null(lit(false))),
        col("delay_days").cast(DataType::Float64).mean(),
    )?;
    k.confirmation_median_days = one_f64(
        orders().filter(in_period("confirmed_date", p)),
        diff_days("confirmed_date", "order_date").median(),
    )?;
    k.cycle_time_median_days = one_f64(
        orders().filter(in_period("completion_date", p)),
        diff_days("completion_date", "order_date").median(),
    )?;
    Ok(())
}

/// The promise history of spec section 14: OTD against the first promise,
/// due-date and ETA changes since the previous run, open orders
/// re-promised and by how much.
fn promises(k: &mut Kpis, rec: &Reconciled, p: &Period) -> PolarsResult<()> {
    let orders = || rec.orders.clone().lazy();
    k.otd_rate_first_promise = one_f64(
        orders().filter(col("cancelled").not().and(in_period("first_promise", p))),
        share(col("on_time_first")),
    )?;
    let moved = col("due_date")
        .neq(col("first_promise"))
        .fill_null(lit(false));
    let repromised = || orders().filter(col("open").and(moved.clone()));
    k.orders_repromised = count(repromised(), lit(true))?;
    k.repromise_median_days = one_f64(
        repromised(),
        diff_days("due_date", "first_promise").median(),
    )?;
    if rec.promises_recorded {
        k.due_date_changes = Some(count(orders(), col("due_changed").fill_null(lit(false)))?);
        k.eta_changes = Some(count(
            rec.shipments.clone().lazy(),
            col("eta_changed").fill_null(lit(false)),
        )?);
    }
    Ok(())
}

/// The open book at as_of: open orders, those past their due date, and
/// how far past it (the backlog's aging).
fn open_book(k: &mut Kpis, rec: &Reconciled) -> PolarsResult<()> {
    let open = || rec.orders.clone().lazy().filter(col("open"));
    k.open_orders = count(open(), lit(true))?;
    k.overdue_open_orders = count(
        open(),
        col("due_date")
            .lt(lit_date(rec.as_of))
            .fill_null(lit(false)),
    )?;
    // Days past the due date at as_of.
    let age = lit(crate::frame::date_to_days(rec.as_of)) - days("due_date");
    let aged = |from: i32, to: i32| {
        count(
            open(),
            age.clone()
                .gt_eq(lit(from))
                .and(age.clone().lt_eq(lit(to)))
                .fill_null(lit(false)),
        )
    };
    k.backlog_aging = Aging {
        not_due: count(open(), age.clone().lt_eq(lit(0)).fill_null(lit(true)))?,
        d1_7: aged(1, 7)?,
        d8_14: aged(8, 14)?,
        d15_30: aged(15, 30)?,
        d30_plus: count(open(), age.gt(lit(30)).fill_null(lit(false)))?,
    };
    Ok(())
}

/// Shipments: shipped in `p`, in transit and overdue at as_of, and the
/// transit time and ETA hits of those delivered in `p`.
fn shipments(k: &mut Kpis, rec: &Reconciled, p: &Period, t: &Template) -> PolarsResult<()> {
    let ships = || rec.shipments.clone().lazy();
    k.shipments_shipped = count(ships(), in_period("ship_date", p))?;
    k.shipments_shipped_qty = round2(
        one_f64(
            ships().filter(in_period("ship_date", p)),
            col("quantity").sum(),
        )?
        .unwrap_or(0.0),
    );
    let in_transit = col("shipped").and(col("undelivered"));
    k.shipments_in_transit = Some(count(ships(), in_transit.clone())?);
    k.shipments_overdue = Some(count(
        ships(),
        in_transit
            .and(s04_predicate(rec.as_of, t.file.thresholds.eta_grace_days))
            .fill_null(lit(false)),
    )?);
    let delivered =
        || ships().filter(in_period("delivered_date", p).and(col("ship_date").is_not_null()));
    k.transit_median_days = one_f64(
        delivered(),
        diff_days("delivered_date", "ship_date").median(),
    )?;
    let by_mode = delivered()
        .filter(col("mode").is_not_null())
        .group_by([col("mode")])
        .agg([diff_days("delivered_date", "ship_date")
            .cast(DataType::Float64)
            .median()
            .alias("m")])
        .sort(["mode"], SortMultipleOptions::default())
        .collect()?;
    for (m, v) in strs(&by_mode, "mode")?
        .into_iter()
        .zip(floats(&by_mode, "m")?)
    {
        if let (Some(m), Some(v)) = (m, v) {
            k.transit_median_days_by_mode.insert(m, v);
        }
    }
    k.eta_hit_rate = one_f64(
        ships().filter(in_period("delivered_date", p).and(col("eta").is_not_null())),
        share(col("delivered_date").lt_eq(col("eta"))),
    )?;
    Ok(())
}

/// Feedback: responses in `p` with their CSAT, score and NPS, what is
/// open at as_of, how long resolution took, and the follow-up coverage
/// of delivered orders.
fn feedback(k: &mut Kpis, rec: &Reconciled, p: &Period, t: &Template) -> PolarsResult<()> {
    let fb = || rec.feedback.clone().lazy();
    let responses = || fb().filter(in_period("date", p));
    k.feedback_responses = count(responses(), lit(true))?;
    k.csat = csat_of(responses())?;
    k.avg_score = one_f64(responses(), col("score").cast(DataType::Float64).mean())?;
    k.nps = nps_of(responses())?;
    k.feedback_open = count(fb(), col("closed").not())?;
    k.resolution_median_days = one_f64(
        fb().filter(in_period("closed_date", p)),
        diff_days("closed_date", "date").median(),
    )?;
    k.followup_coverage = one_f64(
        rec.orders.clone().lazy().filter(
            followup_window(rec.as_of, t.file.thresholds.followup_days).fill_null(lit(false)),
        ),
        share(col("feedback_rows").gt(lit(0u32))),
    )?;
    Ok(())
}

/// Receivables (spec section 10): open and overdue per currency (and in
/// `fx.base`), deposits pending, and the days from shipment to a balance
/// received in `p`.
fn receivables(k: &mut Kpis, rec: &Reconciled, p: &Period, t: &Template) -> PolarsResult<()> {
    let pay = || rec.payments.clone().lazy();
    let recv = pay()
        .with_columns([
            receivable_open().alias("open_amt"),
            receivable_overdue().alias("overdue_amt"),
        ])
        .group_by([col("currency")])
        .agg([col("open_amt").sum(), col("overdue_amt").sum()])
        .sort(["currency"], SortMultipleOptions::default())
        .collect()?;
    let cur = strs(&recv, "currency")?;
    let (open_amt, overdue_amt) = (floats(&recv, "open_amt")?, floats(&recv, "overdue_amt")?);
    for ((c, o), d) in cur.into_iter().zip(open_amt).zip(overdue_amt) {
        let c = c.unwrap_or_default();
        let (o, d) = (round2(o.unwrap_or(0.0)), round2(d.unwrap_or(0.0)));
        if o > 0.0 {
            k.receivables_open.insert(c.clone(), o);
        }
        if d > 0.0 {
            k.receivables_overdue.insert(c, d);
        }
    }
    k.receivables_open_base = in_base(t, &k.receivables_open);
    k.receivables_overdue_base = in_base(t, &k.receivables_overdue);
    k.deposits_pending = count(
        pay(),
        col("open")
            .and(col("dep_known"))
            .and(col("dep_outstanding").gt(lit(0.0)))
            .fill_null(lit(false)),
    )?;
    k.payment_days_median = one_f64(
        pay().filter(
            col("bal_received")
                .and(col("bal_date").gt_eq(lit(crate::frame::date_to_days(p.start) as f64)))
                .and(col("bal_date").lt_eq(lit(crate::frame::date_to_days(p.end) as f64)))
                .and(col("first_shipped").is_not_null())
                .fill_null(lit(false)),
        ),
        (col("bal_date") - col("first_shipped").cast(DataType::Float64)).median(),
    )?;
    Ok(())
}

/// Letters of credit (spec section 10.1): open orders under L/C, and of
/// them those whose 44C or expiry falls in the next period.
fn letters_of_credit(k: &mut Kpis, rec: &Reconciled) -> PolarsResult<()> {
    if !rec.has_lc || rec.lc.height() == 0 {
        return Ok(());
    }
    let lc = || rec.lc.clone().lazy();
    k.lc_open = count(lc(), col("open"))?;
    k.lc_expiring_next_period = count(lc(), col("expiring_next"))?;
    Ok(())
}

/// The look-ahead: orders due in the next period (and of them, those not
/// ready), and shipments arriving in it.
fn look_ahead(k: &mut Kpis, rec: &Reconciled, t: &Template) -> PolarsResult<()> {
    let next = Period::next(t.file.report.period, rec.as_of);
    let orders = || rec.orders.clone().lazy();
    k.due_next_period = count(orders(), due_next(&next))?;
    k.due_next_period_not_ready = count(orders(), due_next(&next).and(not_ready()))?;
    k.arrivals_next_period = Some(count(
        rec.shipments.clone().lazy(),
        detail::arriving(&next),
    )?);
    Ok(())
}

/// Flags by severity, and (with a previous run) how many are new, still
/// open, or resolved.
fn flag_counts(k: &mut Kpis, flags: &[Flag], resolved: Option<&[PastFlag]>) {
    for f in flags {
        match f.severity {
            Severity::Error => k.flags_error += 1,
            Severity::Warning => k.flags_warning += 1,
            Severity::Info => k.flags_info += 1,
        }
    }
    if let Some(gone) = resolved {
        let new = flags.iter().filter(|f| f.is_new == Some(true)).count() as u64;
        k.flags_new = Some(new);
        k.flags_still_open = Some(flags.len() as u64 - new);
        k.flags_resolved = Some(gone.len() as u64);
    }
}

/// An order's receivable: what is outstanding of each known payment, on
/// orders that have shipped or whose balance due date has passed.
pub fn receivable_open() -> Expr {
    let asof_passed = col("balance_due_day")
        .lt(col("asof_day"))
        .fill_null(lit(false));
    let part = |known: &str, out: &str| {
        when(col(known))
            .then(col(out).fill_null(lit(0.0)))
            .otherwise(lit(0.0))
    };
    when(col("shipped").or(asof_passed))
        .then(part("dep_known", "dep_outstanding") + part("bal_known", "bal_outstanding"))
        .otherwise(lit(0.0))
}

/// Of it, what is past its due date (P03, and P01's unpaid amounts).
pub fn receivable_overdue() -> Expr {
    when(col("p01_deposit"))
        .then(col("dep_outstanding").fill_null(lit(0.0)))
        .otherwise(lit(0.0))
        + when(col("p01_balance").or(col("p03")))
            .then(col("bal_outstanding").fill_null(lit(0.0)))
            .otherwise(lit(0.0))
}

/// A per-currency sum in `fx.base`, when rates are given.
fn in_base(t: &Template, amounts: &BTreeMap<String, f64>) -> Option<f64> {
    let base = t.file.fx.base.as_ref()?;
    if t.file.fx.rates.is_empty() {
        return None;
    }
    let mut total = 0.0;
    for (c, v) in amounts {
        let rate = if c == base {
            Some(1.0)
        } else {
            t.file.fx.rates.get(c).copied()
        };
        if let Some(r) = rate {
            total += v * r;
        }
    }
    Some(round2(total))
}

/// CSAT: the share of scores of 4 or 5.
fn csat_expr(score: Expr) -> Expr {
    share(score.gt_eq(lit(4i64)))
}

/// NPS: promoters (9–10) less detractors (0–6), in percent.
fn nps_expr(nps: Expr) -> Expr {
    (share(nps.clone().gt_eq(lit(9i64))) - share(nps.lt_eq(lit(6i64)))) * lit(100.0)
}

/// The CSAT of `responses`, over those with a score.
fn csat_of(responses: LazyFrame) -> PolarsResult<Option<f64>> {
    one_f64(
        responses.filter(col("score").is_not_null()),
        csat_expr(col("score")),
    )
}

/// The NPS of `responses`, over those with an NPS answer.
fn nps_of(responses: LazyFrame) -> PolarsResult<Option<f64>> {
    one_f64(
        responses.filter(col("nps").is_not_null()),
        nps_expr(col("nps")),
    )
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// OTD/OTIF and CSAT/NPS of each of the trend periods.
fn trend(rec: &Reconciled, periods: &[Period]) -> PolarsResult<Vec<TrendPoint>> {
    let mut out = Vec::with_capacity(periods.len());
    for p in periods {
        let due = rec.orders.clone().lazy().filter(is_due(p));
        let resp = rec.feedback.clone().lazy().filter(in_period("date", p));
        out.push(TrendPoint {
            label: p.label.clone(),
            end: p.end,
            orders_due: count(due.clone(), lit(true))?,
            otd_rate: one_f64(due.clone(), share(col("on_time")))?,
            otif_rate: one_f64(due, share(col("otif")))?,
            feedback_responses: count(resp.clone(), lit(true))?,
            csat: csat_of(resp.clone())?,
            nps: nps_of(resp)?,
            milestones_on_time_rate: milestones::on_time_rate(rec, p)?,
            otd_rate_first_promise: one_f64(
                rec.orders
                    .clone()
                    .lazy()
                    .filter(col("cancelled").not().and(in_period("first_promise", p))),
                share(col("on_time_first")),
            )?,
        });
    }
    Ok(out)
}

/// Flags as a frame (for group-bys by owner).
fn flag_frame(flags: &[Flag]) -> PolarsResult<DataFrame> {
    let owner: Vec<Option<&str>> = flags.iter().map(|f| f.owner.as_deref()).collect();
    let sev: Vec<&str> = flags.iter().map(|f| f.severity.as_str()).collect();
    let orders_line: Vec<String> = flags
        .iter()
        .map(|f| {
            if f.table == Table::Orders && f.severity == Severity::Error {
                let row: String = f.cell.chars().filter(|c| c.is_ascii_digit()).collect();
                format!("{}|{}|{}", f.file, f.sheet, row)
            } else {
                String::new()
            }
        })
        .collect();
    let new: Vec<bool> = flags.iter().map(|f| f.is_new == Some(true)).collect();
    df!(
        "owner" => owner,
        "severity" => sev,
        "line" => orders_line,
        "is_new" => new,
    )
}

/// The previous run's flags that are gone, counted per owner.
fn resolved_by_owner(gone: &[PastFlag]) -> PolarsResult<LazyFrame> {
    let owner: Vec<Option<&str>> = gone.iter().map(|f| f.owner.as_deref()).collect();
    let df = df!("owner" => owner)?;
    Ok(df
        .lazy()
        .group_by([col("owner")])
        .agg([len().cast(DataType::UInt32).alias("resolved")]))
}

fn by_owner(
    rec: &Reconciled,
    flags: &[Flag],
    p: &Period,
    next: &Period,
    resolved: Option<&[PastFlag]>,
) -> PolarsResult<DataFrame> {
    let as_of = lit_date(rec.as_of);
    let order_owner = rec
        .orders
        .clone()
        .lazy()
        .select([col("order_key"), col("owner").alias("order_owner")]);
    let lines = rec
        .lines
        .clone()
        .lazy()
        .left_join(order_owner, col("order_key"), col("order_key"))
        .with_column(
            when(col("owner").is_null())
                .then(col("order_owner"))
                .otherwise(col("owner"))
                .alias("owner"),
        )
        .group_by([col("owner")])
        .agg([len().cast(DataType::UInt32).alias("lines")]);
    let due_p = is_due(p);
    let orders = rec.orders.clone().lazy().group_by([col("owner")]).agg([
        col("open").cast(DataType::UInt32).sum().alias("open"),
        col("open")
            .and(col("due_date").lt(as_of).fill_null(lit(false)))
            .cast(DataType::UInt32)
            .sum()
            .alias("overdue"),
        due_p.clone().cast(DataType::UInt32).sum().alias("due"),
        share(col("on_time").filter(due_p.clone())).alias("otd_rate"),
        share(col("otif").filter(due_p)).alias("otif_rate"),
        due_next(next)
            .cast(DataType::UInt32)
            .sum()
            .alias("due_next"),
        col("open")
            .and(
                col("due_date")
                    .neq(col("first_promise"))
                    .fill_null(lit(false)),
            )
            .cast(DataType::UInt32)
            .sum()
            .alias("repromised"),
    ]);
    let ff = flag_frame(flags)?.lazy().group_by([col("owner")]).agg([
        col("severity")
            .eq(lit("error"))
            .cast(DataType::UInt32)
            .sum()
            .alias("errors"),
        col("severity")
            .eq(lit("warning"))
            .cast(DataType::UInt32)
            .sum()
            .alias("warnings"),
        col("line")
            .filter(col("line").neq(lit("")))
            .n_unique()
            .cast(DataType::UInt32)
            .alias("bad_lines"),
        col("is_new").cast(DataType::UInt32).sum().alias("new"),
    ]);
    let gone = resolved_by_owner(resolved.unwrap_or(&[]))?;
    // Without a previous run, new and resolved are unknown (null).
    let lifecycle = |c: &str| {
        if resolved.is_some() {
            col(c).fill_null(lit(0u32))
        } else {
            lit(NULL).cast(DataType::UInt32).alias(c)
        }
    };
    lines
        .join(
            orders,
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .join(
            ff,
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Left),
        )
        .join(
            gone,
            [col("owner")],
            [col("owner")],
            JoinArgs::new(JoinType::Left),
        )
        .filter(col("owner").is_not_null())
        .with_columns([
            col("lines").fill_null(lit(0u32)),
            col("errors").fill_null(lit(0u32)),
            col("warnings").fill_null(lit(0u32)),
            col("bad_lines").fill_null(lit(0u32)),
        ])
        .with_column(
            when(col("lines").gt(lit(0u32)))
                .then(
                    lit(1.0)
                        - (col("bad_lines").cast(DataType::Float64)
                            / col("lines").cast(DataType::Float64))
                        .clip_max(lit(1.0)),
                )
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("data_quality"),
        )
        .select([
            col("owner"),
            col("lines"),
            col("open").fill_null(lit(0u32)),
            col("overdue").fill_null(lit(0u32)),
            col("due").fill_null(lit(0u32)),
            col("otd_rate"),
            col("otif_rate"),
            col("errors"),
            col("warnings"),
            col("data_quality"),
            lifecycle("new"),
            lifecycle("resolved"),
            col("due_next").fill_null(lit(0u32)),
            col("repromised").fill_null(lit(0u32)),
        ])
        .sort(["owner"], SortMultipleOptions::default())
        .collect()
}

/// Sort options: the keys marked `true` descending (the most open,
/// overdue or slipped first), the others ascending; nulls last.
fn most_first(descending: impl IntoIterator<Item = bool>) -> SortMultipleOptions {
    SortMultipleOptions::default()
        .with_order_descending_multi(descending)
        .with_nulls_last(true)
}

/// Open orders by their current department (spec section 6).
fn by_department(rec: &Reconciled, next: &Period, stale_days: i64) -> PolarsResult<DataFrame> {
    let asof = crate::frame::date_to_days(rec.as_of);
    let since = lit(asof) - days("last_update");
    rec.orders
        .clone()
        .lazy()
        .filter(col("open"))
        .group_by([col("department")])
        .agg([
            len().cast(DataType::UInt32).alias("open"),
            col("due_date")
                .lt(lit_date(rec.as_of))
                .fill_null(lit(false))
                .cast(DataType::UInt32)
                .sum()
                .alias("overdue"),
            since
                .clone()
                .gt(lit(stale_days as i32))
                .fill_null(lit(false))
                .cast(DataType::UInt32)
                .sum()
                .alias("stale"),
            since
                .cast(DataType::Float64)
                .median()
                .alias("median_since_update"),
            due_next(next)
                .cast(DataType::UInt32)
                .sum()
                .alias("due_next"),
        ])
        .sort(["open", "department"], most_first([true, false]))
        .collect()
}

/// Feedback by its responsible department (spec section 6).
fn by_feedback_department(rec: &Reconciled, p: &Period) -> PolarsResult<DataFrame> {
    let in_p = in_period("date", p);
    rec.feedback
        .clone()
        .lazy()
        .group_by([col("department")])
        .agg([
            in_p.clone().cast(DataType::UInt32).sum().alias("responses"),
            in_p.clone()
                .and(col("score").lt_eq(lit(2i64)).fill_null(lit(false)))
                .cast(DataType::UInt32)
                .sum()
                .alias("complaints"),
            col("closed")
                .not()
                .cast(DataType::UInt32)
                .sum()
                .alias("open"),
            diff_days("closed_date", "date")
                .filter(in_period("closed_date", p))
                .cast(DataType::Float64)
                .median()
                .alias("resolution_median"),
        ])
        .filter(col("responses").gt(lit(0u32)).or(col("open").gt(lit(0u32))))
        .sort(["open", "department"], most_first([true, false]))
        .collect()
}

fn by_customer(rec: &Reconciled, window: &Period) -> PolarsResult<DataFrame> {
    let due_w = is_due(window);
    let orders = rec
        .orders
        .clone()
        .lazy()
        .filter(col("customer_key").is_not_null())
        .group_by([col("customer_key")])
        .agg([
            col("customer").first().alias("customer"),
            in_period("order_date", window)
                .cast(DataType::UInt32)
                .sum()
                .alias("orders"),
            due_w.clone().cast(DataType::UInt32).sum().alias("due"),
            share(col("on_time").filter(due_w.clone())).alias("otd_rate"),
            share(col("otif").filter(due_w)).alias("otif_rate"),
        ]);
    let in_w = in_period("date", window);
    let fb = rec
        .feedback
        .clone()
        .lazy()
        .group_by([col("customer_key")])
        .agg([
            col("customer").first().alias("fb_customer"),
            in_w.clone().cast(DataType::UInt32).sum().alias("responses"),
            csat_expr(col("score").filter(in_w.clone().and(col("score").is_not_null())))
                .alias("csat"),
            nps_expr(col("nps").filter(in_w.and(col("nps").is_not_null()))).alias("nps"),
            col("closed")
                .not()
                .cast(DataType::UInt32)
                .sum()
                .alias("feedback_open"),
        ]);
    orders
        .join(
            fb,
            [col("customer_key")],
            [col("customer_key")],
            JoinArgs::new(JoinType::Full).with_coalesce(JoinCoalesce::CoalesceColumns),
        )
        .with_column(
            when(col("customer").is_null())
                .then(col("fb_customer"))
                .otherwise(col("customer"))
                .alias("customer"),
        )
        .select([
            col("customer"),
            col("orders").fill_null(lit(0u32)),
            col("due").fill_null(lit(0u32)),
            col("otd_rate"),
            col("otif_rate"),
            col("responses").fill_null(lit(0u32)),
            col("csat"),
            col("nps"),
            col("feedback_open").fill_null(lit(0u32)),
        ])
        .sort(["customer"], SortMultipleOptions::default())
        .collect()
}

fn by_delivery(rec: &Reconciled, window: &Period) -> PolarsResult<DataFrame> {
    let on_time = rec
        .orders
        .clone()
        .lazy()
        .select([col("order_key"), col("on_time")]);
    rec.feedback
        .clone()
        .lazy()
        .filter(in_period("date", window))
        .inner_join(on_time, col("order_key"), col("order_key"))
        .filter(col("on_time").is_not_null())
        .group_by([col("on_time")])
        .agg([
            len().cast(DataType::UInt32).alias("responses"),
            csat_expr(col("score").filter(col("score").is_not_null())).alias("csat"),
            col("score")
                .cast(DataType::Float64)
                .mean()
                .alias("avg_score"),
        ])
        .sort(
            ["on_time"],
            SortMultipleOptions::default().with_order_descending(true),
        )
        .collect()
}

/// Everything the reports show, for `period` and the trend before it.
///
/// # Errors
/// A failure inside polars.
pub fn measure(
    rec: &Reconciled,
    flags: &[Flag],
    period: &Period,
    t: &Template,
    resolved: Option<Vec<PastFlag>>,
) -> PolarsResult<Measures> {
    let kind = t.file.report.period;
    let periods = Period::trend(kind, rec.as_of, 12);
    let window = Period {
        start: periods.first().map(|p| p.start).unwrap_or(period.start),
        end: period.end,
        label: format!(
            "{}…{}",
            periods.first().map(|p| p.label.as_str()).unwrap_or(""),
            period.label
        ),
    };
    let next = Period::next(kind, rec.as_of);
    let gone = resolved.as_deref();
    let categories = by_category(rec, &window)?;
    let owner_rows = by_owner(rec, flags, period, &next, gone)?;
    let receivables_by_owner = owners::receivables(rec, &owner_rows)?;
    Ok(Measures {
        kpis: kpis(rec, flags, period, t, gone)?,
        trend: trend(rec, &periods)?,
        by_owner: owner_rows,
        by_department: by_department(rec, &next, t.file.thresholds.stale_days)?,
        by_feedback_department: by_feedback_department(rec, period)?,
        detail: detail::detail(rec, flags, period, &next, t)?,
        arrival_tracked: rec.arrival_tracked,
        flags_by_severity: by_severity(flags, gone),
        receivables_by_owner,
        has_payments: rec.has_payments,
        has_lc: rec.has_lc,
        by_customer: by_customer(rec, &window)?,
        by_delivery: by_delivery(rec, &window)?,
        transit_by_mode: transit_by(rec, &window, "mode")?,
        transit_by_carrier: transit_by(rec, &window, "carrier")?,
        responses_by_category: responses_by_category(&categories)?,
        by_category: categories,
        resolved,
        window,
        milestones: milestones::view(rec, period, &next)?,
        next,
    })
}
