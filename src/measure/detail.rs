//! The rows of the detail sheets, selected here so that `report/` only
//! formats them: each frame is named after what its sheet shows and comes
//! sorted the way the sheet lists it.

use polars::prelude::*;

use super::{in_period, is_due, most_first};
use crate::flags::{Flag, RuleId, Table};
use crate::frame::{date_to_days, days, lit_date};
use crate::period::Period;
use crate::reconcile::rules::{due_next, not_ready, s04_predicate};
use crate::reconcile::Reconciled;
use crate::template::Template;

/// The detail sheets' rows.
pub struct Detail {
    /// Delivery: orders due in the period, late ones first.
    pub due_in_period: DataFrame,
    /// Open orders, most overdue first, with `days_overdue` (null when not
    /// yet due or the due date is unknown), `days_left`, `due_known`,
    /// `days_since_update` and `status_written` (the register's word when
    /// it was not understood).
    pub open_orders: DataFrame,
    /// Shipments in transit, past their ETA first, with `days_in_transit`
    /// and `past_eta`.
    pub in_transit: DataFrame,
    /// Coming up: open orders due in the next period, soonest first, with
    /// `days_left`, `not_ready` and `status_written`.
    pub due_next_period: DataFrame,
    /// Coming up: shipped shipments with no delivered date and an ETA in
    /// the next period, soonest first (booked ones excluded).
    pub arriving_next_period: DataFrame,
    /// Feedback log: feedback dated in the period, with the order's
    /// `on_time` and `otif`.
    pub feedback_of_period: DataFrame,
    /// Open feedback, oldest first, with `age_days`.
    pub open_feedback: DataFrame,
    /// Payments: orders with money outstanding, overdue first, with
    /// `outstanding`, `overdue_amount` and `overdue_days` (spec section 10).
    pub payments_outstanding: DataFrame,
    /// Payments: per customer and currency, open, overdue and the oldest
    /// days overdue.
    pub payments_by_customer: DataFrame,
    /// Coming up: the L/C dates in the next period (spec section 10.1):
    /// `what` (`latest` of an order not shipped in full, `expiry` of one
    /// open or with documents not presented, `deadline` of a shipped one
    /// with documents not presented), `date`, `days_left`, soonest first.
    pub lc_dates_next_period: DataFrame,
    /// Due-date changes (spec section 14): the orders whose due date and
    /// the shipments whose ETA changed since the previous run (`kind`
    /// `due_date` or `eta`, `shipment`, `was`, `now`, `moved` = now − was,
    /// `times`, `first`), the largest move first; `None` without a
    /// previous run that recorded them.
    pub date_changes: Option<DataFrame>,
    /// Open orders re-promised more than once (`due_date`,
    /// `first_promise`, `repromises`, `moved` = due − first promise), most
    /// re-promised first.
    pub repromised_often: DataFrame,
}

/// The register's status word where it was not understood (its V04), by
/// order key.
fn written_status(flags: &[Flag]) -> PolarsResult<LazyFrame> {
    let (keys, words): (Vec<&str>, Vec<&str>) = flags
        .iter()
        .filter(|f| f.rule == RuleId::V04 && f.table == Table::Orders && f.field == "status")
        .filter_map(|f| Some((f.key.as_deref()?, f.value.as_deref()?)))
        .unzip();
    let df = df!("order_key" => keys, "status_written" => words)?;
    Ok(df
        .lazy()
        .group_by([col("order_key")])
        .agg([col("status_written").first()]))
}

/// Selects every detail sheet's rows.
///
/// # Errors
/// A failure inside polars.
pub fn detail(
    rec: &Reconciled,
    flags: &[Flag],
    p: &Period,
    next: &Period,
    t: &Template,
) -> PolarsResult<Detail> {
    let asof = date_to_days(rec.as_of);
    let orders = || rec.orders.clone().lazy();
    let shipments = || rec.shipments.clone().lazy();
    let feedback = || rec.feedback.clone().lazy();
    let due_in_period = orders()
        .filter(is_due(p))
        .sort_by_exprs(
            [
                col("on_time").cast(DataType::Int32),
                col("delay_days"),
                col("first_seq"),
            ],
            SortMultipleOptions::default().with_order_descending_multi([false, true, false]),
        )
        .collect()?;
    let written = written_status(flags)?;
    let overdue_by = lit(asof) - days("due_date");
    let open_orders = orders()
        .filter(col("open"))
        .left_join(written.clone(), col("order_key"), col("order_key"))
        .with_columns([
            when(overdue_by.clone().gt(lit(0)))
                .then(overdue_by.clone())
                .otherwise(lit(NULL).cast(DataType::Int32))
                .alias("days_overdue"),
            overdue_by.clone().alias("overdue_by"),
            (days("due_date") - lit(asof)).alias("days_left"),
            col("due_date").is_not_null().alias("due_known"),
            (lit(asof) - days("last_update")).alias("days_since_update"),
        ])
        .sort_by_exprs(
            [col("overdue_by"), col("first_seq")],
            most_first([true, false]),
        )
        .collect()?;
    let grace = t.file.thresholds.eta_grace_days;
    let in_transit = shipments()
        // Registers that stop at loading have no "in transit" (spec 4).
        .filter(
            col("shipped")
                .and(col("undelivered"))
                .and(lit(rec.arrival_tracked)),
        )
        .with_columns([
            (lit(asof) - days("ship_date")).alias("days_in_transit"),
            s04_predicate(rec.as_of, grace)
                .fill_null(lit(false))
                .alias("past_eta"),
        ])
        .sort_by_exprs(
            [
                col("past_eta").cast(DataType::Int32),
                col("days_in_transit"),
            ],
            SortMultipleOptions::default().with_order_descending_multi([true, true]),
        )
        .collect()?;
    let due_next_period = orders()
        .filter(due_next(next))
        .left_join(written, col("order_key"), col("order_key"))
        .with_columns([
            (days("due_date") - lit(asof)).alias("days_left"),
            not_ready().alias("not_ready"),
        ])
        .sort(["due_date", "first_seq"], SortMultipleOptions::default())
        .collect()?;
    let arriving_next_period = shipments()
        .filter(arriving(next))
        .with_column((days("eta") - lit(asof)).alias("days_left"))
        .sort(["eta", "seq"], SortMultipleOptions::default())
        .collect()?;
    let outcome = orders().select([col("order_key"), col("on_time"), col("otif")]);
    let feedback_of_period = feedback()
        .filter(in_period("date", p))
        .left_join(outcome, col("order_key"), col("order_key"))
        .sort(["date", "seq"], SortMultipleOptions::default())
        .collect()?;
    let open_feedback = feedback()
        .filter(col("closed").not())
        .with_column((lit(asof) - days("date")).alias("age_days"))
        .sort(
            ["age_days"],
            SortMultipleOptions::default()
                .with_order_descending(true)
                .with_nulls_last(true),
        )
        .collect()?;
    let outstanding = rec
        .payments
        .clone()
        .lazy()
        .with_columns([
            // What is receivable now, and a deposit still awaited on an
            // order not yet shipped (its balance is not due yet).
            (super::receivable_open()
                + when(
                    col("dep_known").and(
                        col("shipped")
                            .or(col("balance_due_day")
                                .lt(col("asof_day"))
                                .fill_null(lit(false)))
                            .not(),
                    ),
                )
                .then(col("dep_outstanding").fill_null(lit(0.0)))
                .otherwise(lit(0.0)))
            .alias("outstanding"),
            super::receivable_overdue().alias("overdue_amount"),
        ])
        .with_column(
            when(col("overdue_amount").gt(lit(0.0)))
                .then(
                    when(col("p03"))
                        .then(col("days_overdue"))
                        .otherwise(lit(asof) - col("first_shipped")),
                )
                .otherwise(lit(NULL).cast(DataType::Int32))
                .alias("overdue_days"),
        )
        .filter(col("outstanding").gt(lit(0.0)))
        .sort_by_exprs(
            [
                col("overdue_amount").gt(lit(0.0)),
                col("overdue_days"),
                col("first_seq"),
            ],
            most_first([true, true, false]),
        )
        .collect()?;
    let payments_by_customer = outstanding
        .clone()
        .lazy()
        .group_by([col("customer"), col("currency")])
        .agg([
            len().cast(DataType::UInt32).alias("orders"),
            col("outstanding").sum().alias("open"),
            col("overdue_amount").sum().alias("overdue"),
            col("overdue_days").max().alias("oldest_overdue_days"),
        ])
        .sort_by_exprs(
            [col("overdue"), col("open"), col("customer")],
            most_first([true, true, false]),
        )
        .collect()?;
    let (outstanding, lc_dates_next_period) = if rec.has_lc {
        (with_lc(rec, outstanding)?, lc_dates(rec, next)?)
    } else {
        (outstanding, DataFrame::empty())
    };
    let (date_changes, repromised_often) = promise_rows(rec)?;
    Ok(Detail {
        lc_dates_next_period,
        date_changes,
        repromised_often,
        payments_outstanding: outstanding,
        payments_by_customer,
        due_in_period,
        open_orders,
        in_transit,
        due_next_period,
        arriving_next_period,
        feedback_of_period,
        open_feedback,
    })
}

/// The L/C columns of the Payments sheet beside the orders with money
/// outstanding (`lc_no`, `lc_rcv`, `lc_in`, `rcv_known`, `lc_latest`,
/// `lc_expiry`, `lc_deadline`, `lc_docs`, `docs_in`, `docs_known`), and
/// below them the orders under L/C with nothing outstanding that are open
/// or whose documents are not presented yet, in the orders' order.
fn with_lc(rec: &Reconciled, outstanding: DataFrame) -> PolarsResult<DataFrame> {
    let lc_cols = [
        col("lc_no"),
        col("rcv_date_d").alias("lc_rcv"),
        col("lc_in"),
        col("rcv_known"),
        col("latest_d").alias("lc_latest"),
        col("expiry_d").alias("lc_expiry"),
        col("deadline_d").alias("lc_deadline"),
        col("docs_date_d").alias("lc_docs"),
        col("docs_in"),
        col("docs_known"),
    ];
    let lc = || rec.lc.clone().lazy();
    let mut beside = vec![col("order_key")];
    beside.extend(lc_cols.clone());
    let listed = outstanding.clone().lazy().left_join(
        lc().select(beside),
        col("order_key"),
        col("order_key"),
    );
    let keys = outstanding
        .clone()
        .lazy()
        .select([col("order_key"), lit(true).alias("_listed")]);
    let mut own = vec![col("order_key")];
    own.extend(order_rows([
        col("payment_terms"),
        col("currency"),
        col("amount"),
        col("first_seq"),
    ]));
    own.extend(lc_cols);
    let more = lc()
        .filter(
            col("open")
                .or(col("first_shipped").is_not_null().and(col("docs_in").not()))
                .fill_null(lit(false)),
        )
        .left_join(keys, col("order_key"), col("order_key"))
        .filter(col("_listed").is_null())
        .select(own);
    concat_lf_diagonal([listed, more], UnionArgs::default())?.collect()
}

/// Coming up's L/C dates (see [`Detail::lc_dates_next_period`]).
fn lc_dates(rec: &Reconciled, next: &Period) -> PolarsResult<DataFrame> {
    let asof = date_to_days(rec.as_of);
    let (ns, ne) = (date_to_days(next.start), date_to_days(next.end));
    let one = |what: &str, day: &str, when_: Expr| {
        rec.lc
            .clone()
            .lazy()
            .filter(
                when_
                    .and(col(day).gt_eq(lit(ns)))
                    .and(col(day).lt_eq(lit(ne)))
                    .fill_null(lit(false)),
            )
            .select(order_rows([
                col("lc_no"),
                lit(what).alias("what"),
                col(day).cast(DataType::Date).alias("date"),
                (col(day) - lit(asof)).alias("days_left"),
                col("first_seq"),
            ]))
    };
    let not_presented = col("docs_in").not();
    concat(
        [
            one(
                "latest",
                "latest",
                col("open").and(col("in_full").fill_null(lit(false)).not()),
            ),
            one("expiry", "expiry", col("open").or(not_presented.clone())),
            one(
                "deadline",
                "deadline",
                col("first_shipped").is_not_null().and(not_presented),
            ),
        ],
        UnionArgs::default(),
    )?
    .sort(["date", "first_seq"], SortMultipleOptions::default())
    .collect()
}

/// The Due-date changes sheet's two tables (see [`Detail::date_changes`]).
fn promise_rows(rec: &Reconciled) -> PolarsResult<(Option<DataFrame>, DataFrame)> {
    let orders = || rec.orders.clone().lazy();
    let often = orders()
        .filter(
            col("open")
                .and(col("repromises").gt(lit(1u32)))
                .fill_null(lit(false)),
        )
        .select(order_rows([
            col("due_date"),
            col("first_promise"),
            col("repromises").cast(DataType::Int64),
            (days("due_date") - days("first_promise")).alias("moved"),
            col("first_seq"),
        ]))
        .sort_by_exprs(
            [col("repromises"), col("moved"), col("first_seq")],
            most_first([true, true, false]),
        )
        .collect()?;
    if !rec.promises_recorded {
        return Ok((None, often));
    }
    let due = orders()
        .filter(col("due_changed").fill_null(lit(false)))
        .select(order_rows([
            lit("due_date").alias("kind"),
            lit(NULL).cast(DataType::String).alias("shipment"),
            col("due_prev").alias("was"),
            col("due_date").alias("now"),
            col("repromises").cast(DataType::Int64).alias("times"),
            col("first_promise").alias("first"),
        ]));
    let customers = orders().select([col("order_key"), col("customer")]);
    let text = |c: &str| col(c).cast(DataType::String);
    let eta = rec
        .shipments
        .clone()
        .lazy()
        .filter(col("eta_changed").fill_null(lit(false)))
        .left_join(customers, col("order_key"), col("order_key"))
        .select(order_rows([
            lit("eta").alias("kind"),
            coalesce(&[text("shipment_id"), text("tracking_no"), text("ship_date")])
                .alias("shipment"),
            col("eta_prev").alias("was"),
            col("eta").alias("now"),
            col("eta_changes").cast(DataType::Int64).alias("times"),
            col("eta_first").alias("first"),
        ]));
    let moved = days("now") - days("was");
    let size = when(moved.clone().lt(lit(0)))
        .then(lit(0) - moved.clone())
        .otherwise(moved.clone());
    let changes = due
        .collect()?
        .vstack(&eta.collect()?)?
        .lazy()
        .with_column(moved.alias("moved"))
        .sort_by_exprs(
            [size],
            SortMultipleOptions::default()
                .with_order_descending(true)
                .with_maintain_order(true),
        )
        .collect()?;
    Ok((Some(changes), often))
}

/// The order id, customer and merchandiser columns a sheet's rows open
/// with, then `rest`.
fn order_rows(rest: impl IntoIterator<Item = Expr>) -> Vec<Expr> {
    [col("order_id"), col("customer"), col("owner")]
        .into_iter()
        .chain(rest)
        .collect()
}

/// Shipped, not delivered, ETA in the next period (`arrivals_next_period`).
pub fn arriving(next: &Period) -> Expr {
    col("shipped")
        .and(col("undelivered"))
        .and(col("eta").gt_eq(lit_date(next.start)))
        .and(col("eta").lt_eq(lit_date(next.end)))
        .fill_null(lit(false))
}
