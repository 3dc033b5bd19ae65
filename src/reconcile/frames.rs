//! The frames of spec section 4, as polars expressions: duplicate lines,
//! orders from their lines, shipments and feedback tied to their orders,
//! and each order's outcome (completion, on time, in full, delay, open).

use chrono::NaiveDate;
use polars::prelude::*;

use crate::fields;
use crate::frame::{days, lit_date};
use crate::template::OnTimeBasis;

/// Marks order lines whose every cell equals an earlier line of the same
/// sheet and order, the columns no field took included (the read stage's
/// `row_hash` is the same for two lines of a sheet exactly when their cells
/// are): `dup_first_seq`/`dup_first_row` name the earlier line, `is_dup` is
/// true on each later one.
pub fn mark_duplicates(lines: &DataFrame) -> PolarsResult<DataFrame> {
    let by = [col("src"), col("order_key"), col("row_hash")];
    lines
        .clone()
        .lazy()
        .sort(["seq"], SortMultipleOptions::default())
        .with_columns([
            col("seq").first().over(&by)?.alias("dup_first_seq"),
            col("row").first().over(&by)?.alias("dup_first_row"),
            col("src").first().over(&by)?.alias("dup_first_src"),
        ])
        .with_column(col("seq").neq(col("dup_first_seq")).alias("is_dup"))
        .collect()
}

/// Each order's quantity tolerance (spec sections 4 and 10.1) as the
/// columns `qty_tol` (its tolerance cell, else `[thresholds]
/// qty_tolerance`), and the factors of ordered_qty it allows: in full from
/// `qty_low` × ordered, over-shipped above `qty_high` × ordered. A
/// tolerance is widened by a hair, so that 0.05 of 100 is 5 whatever the
/// floating point says. Plain column arithmetic, no per-order loop.
pub fn tolerance_columns(threshold: f64) -> [Expr; 3] {
    let tol = col("qty_tolerance").fill_null(lit(threshold));
    let eps = when(tol.clone().gt(lit(0.0)))
        .then(lit(1e-9))
        .otherwise(lit(0.0));
    [
        tol.clone().alias("qty_tol"),
        (lit(1.0) - tol.clone() - eps.clone()).alias("qty_low"),
        (lit(1.0) + tol + eps).alias("qty_high"),
    ]
}

fn status_rank() -> Expr {
    let s = col("status");
    let mut chain = when(s.clone().is_null())
        .then(lit(-1i32))
        .when(s.clone().eq(lit("cancelled")))
        .then(lit(NULL).cast(DataType::Int32));
    for (i, word) in fields::ORDER_STATUS_LADDER.iter().enumerate() {
        chain = chain.when(s.clone().eq(lit(*word))).then(lit(i as i32));
    }
    chain.otherwise(lit(-1i32)).alias("rank")
}

fn status_from_rank() -> Expr {
    let r = col("rank");
    let mut chain = when(r.clone().is_null())
        .then(lit("cancelled"))
        .when(r.clone().eq(lit(-1i32)))
        .then(lit(NULL).cast(DataType::String));
    for (i, word) in fields::ORDER_STATUS_LADDER.iter().enumerate() {
        chain = chain.when(r.clone().eq(lit(i as i32))).then(lit(*word));
    }
    chain
        .otherwise(lit(NULL).cast(DataType::String))
        .alias("status")
}

/// One row per order from its lines (duplicates already out): the first
/// line's customer and owner, earliest dates, latest update, the least
/// advanced status, ordered_qty over lines not cancelled, the largest
/// tolerance cell of its lines (a cell merged over the lines is the same
/// on each, so it counts once; lines that disagree get the most lenient,
/// so that no line's written tolerance is flagged); with `payments`
/// also the `pay_*` aggregates of [`super::payments::order_aggs`] (else
/// those columns as nulls); with `lc` (the orders have L/C columns or
/// terms) the `lc_*` aggregates of [`super::lc::order_aggs`] (else none).
pub fn orders(
    lines: &DataFrame,
    payments: bool,
    steps: usize,
    lc: Option<&super::lc::LcSpec>,
) -> PolarsResult<DataFrame> {
    // Milestone aggregates only when the lines carry milestone columns.
    let steps = if lines.column("ms0_done").is_ok() {
        steps
    } else {
        0
    };
    let pay = if payments {
        super::payments::order_aggs()
    } else {
        super::payments::OrderAggs {
            after: super::payments::null_order_columns(),
            ..Default::default()
        }
    };
    let lc = lc.map(super::lc::order_aggs).unwrap_or_default();
    let cancelled_line = col("status").eq(lit("cancelled")).fill_null(lit(false));
    let first_non_null = |name: &str| col(name).first_non_null().alias(name);
    // Distinct values other than null (a plain aggregation, not an
    // expression evaluated group by group).
    let distinct =
        |name: &str| col(name).n_unique() - col(name).null_count().gt(lit(0)).cast(IDX_DTYPE);
    lines
        .clone()
        .lazy()
        .sort(["seq"], SortMultipleOptions::default())
        .with_columns([
            status_rank(),
            when(cancelled_line)
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col("quantity"))
                .alias("live_qty"),
        ])
        .with_columns(pay.split.into_iter().chain(lc.split).collect::<Vec<_>>())
        .with_columns(pay.lines.into_iter().chain(lc.lines).collect::<Vec<_>>())
        .with_columns(super::milestones::line_exprs(steps))
        .sort_by_exprs(
            [col("order_key"), col("seq")],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .group_by_stable([col("order_key")])
        .agg(
            [
                col("order_id").first(),
                first_non_null("customer"),
                first_non_null("customer_key"),
                first_non_null("owner"),
                first_non_null("department"),
                first_non_null("country"),
                first_non_null("factory"),
                col("order_date").min(),
                col("confirmed_date").min(),
                col("due_date").min(),
                col("original_due_date").min(),
                col("updated_at").max(),
                col("live_qty").sum().alias("ordered_qty"),
                col("qty_tolerance").max(),
                col("rank").min(),
                col("src").first().alias("first_src"),
                col("row").first().alias("first_row"),
                col("seq").first().alias("first_seq"),
                len().alias("lines"),
                distinct("customer_key").alias("n_customers"),
                distinct("owner").alias("n_owners"),
                distinct("due_date").alias("n_due"),
            ]
            .into_iter()
            .chain(pay.aggs)
            .chain(lc.aggs)
            .chain(super::milestones::order_aggs(steps))
            .collect::<Vec<_>>(),
        )
        .with_columns(pay.after)
        .with_columns([status_from_rank(), col("rank").is_null().alias("cancelled")])
        .with_column(
            when(col("cancelled"))
                .then(lit(NULL).cast(DataType::Float64))
                .otherwise(col("ordered_qty"))
                .alias("ordered_qty"),
        )
        .sort(["first_seq"], SortMultipleOptions::default())
        .collect()
}

/// Shipments with their order's facts: `known` (an order has the id),
/// `shipped` (ship_date ≤ as_of), `basis` (the on-time basis date, when it
/// is ≤ as_of), and the owner filled from the order.
pub fn shipments(
    sh: &DataFrame,
    orders: &DataFrame,
    basis: OnTimeBasis,
    as_of: NaiveDate,
) -> PolarsResult<DataFrame> {
    let basis_col = match basis {
        OnTimeBasis::ShipDate => "ship_date",
        OnTimeBasis::DeliveredDate => "delivered_date",
    };
    let asof = lit_date(as_of);
    let order = [
        col("order_date").alias("order_order_date"),
        col("cancelled").alias("order_cancelled"),
        col("status").alias("order_status"),
    ];
    with_order(sh, orders, order)
        .with_columns([
            col("ship_date")
                .is_not_null()
                .and(col("ship_date").lt_eq(asof.clone()))
                .alias("shipped"),
            // Not yet delivered: no delivered date, and the status does not
            // say delivered (a delivered word without a date is delivered,
            // arrival unknown: spec section 4), nor does its order's (an
            // order delivered or closed has nothing in transit, rev5).
            col("delivered_date")
                .is_null()
                .and(col("status").neq(lit("delivered")).fill_null(lit(true)))
                .and(
                    col("order_status")
                        .eq(lit("delivered"))
                        .or(col("order_status").eq(lit("closed")))
                        .not()
                        .fill_null(lit(true)),
                )
                .alias("undelivered"),
            when(col(basis_col).lt_eq(asof.clone()))
                .then(col(basis_col))
                .otherwise(lit(NULL).cast(DataType::Date))
                .alias("basis"),
            or_order("owner", "order_owner"),
        ])
        .sort(["seq"], SortMultipleOptions::default())
        .collect()
}

/// Feedback with its order's facts: `known`, the order's customer, and
/// `closed` (status closed, or a closed date).
pub fn feedback(fb: &DataFrame, orders: &DataFrame) -> PolarsResult<DataFrame> {
    let order = [
        col("customer_key").alias("order_customer_key"),
        col("customer").alias("order_customer"),
    ];
    with_order(fb, orders, order)
        .with_columns([
            col("status")
                .eq(lit("closed"))
                .fill_null(lit(false))
                .or(col("closed_date").is_not_null())
                .alias("closed"),
            or_order("owner", "order_owner"),
            // Feedback without a customer takes its order's (spec 3.2, rev5).
            or_order("customer", "order_customer"),
            or_order("customer_key", "order_customer_key"),
        ])
        .sort(["seq"], SortMultipleOptions::default())
        .collect()
}

/// `df` left-joined to its order's `columns` (and owner, as `order_owner`)
/// by the order key, with `known`: an order has the id.
fn with_order(
    df: &DataFrame,
    orders: &DataFrame,
    columns: impl IntoIterator<Item = Expr>,
) -> LazyFrame {
    let mut pick = vec![col("order_key"), col("owner").alias("order_owner")];
    pick.extend(columns);
    pick.push(lit(true).alias("known"));
    let o = orders.clone().lazy().select(pick);
    df.clone()
        .lazy()
        .left_join(o, col("order_key"), col("order_key"))
        .with_column(col("known").fill_null(lit(false)))
}

/// The row's own `field`, else its order's (`order_field`).
fn or_order(field: &str, order_field: &str) -> Expr {
    when(col(field).is_null())
        .then(col(order_field))
        .otherwise(col(field))
        .alias(field)
}

/// The earliest `date` by which the cumulative shipped quantity of an order
/// reaches its ordered_qty (less its quantity tolerance, `qty_low` ×
/// ordered), per order key, as column `out`.
fn completion(
    sh: &DataFrame,
    orders: &DataFrame,
    date: &str,
    out: &str,
) -> PolarsResult<LazyFrame> {
    let qty = orders.clone().lazy().select([
        col("order_key"),
        col("ordered_qty"),
        (col("ordered_qty") * col("qty_low")).alias("_enough"),
    ]);
    Ok(sh
        .clone()
        .lazy()
        .filter(col(date).is_not_null())
        .select([
            col("order_key"),
            col(date),
            col("quantity").fill_null(lit(0.0)),
        ])
        // Date order is enough: the window keeps each order's rows in frame
        // order, and rows of one date cross the ordered quantity on that
        // date whichever comes first (cheaper than sorting by the key).
        .sort([date], SortMultipleOptions::default())
        .with_column(
            col("quantity")
                .cum_sum(false)
                .over([col("order_key")])?
                .alias("cum"),
        )
        .inner_join(qty, col("order_key"), col("order_key"))
        .filter(
            col("ordered_qty")
                .gt(lit(0.0))
                .and(col("cum").gt_eq(col("_enough"))),
        )
        .group_by([col("order_key")])
        .agg([col(date).min().alias(out)]))
}

/// Null without a due date, else whether `date` is on or before it (no
/// `date`: not on time).
fn by_due(date: &str) -> Expr {
    when(col("due_date").is_null())
        .then(lit(NULL).cast(DataType::Boolean))
        .otherwise(col(date).lt_eq(col("due_date")).fill_null(lit(false)))
}

/// Each order's outcome: shipped quantities, completion, first shipment,
/// arrival, on_time, in_full, otif, delay_days, open, last_update and
/// feedback rows, and each order's quantity tolerance
/// ([`tolerance_columns`]); `tolerance` is `[thresholds] qty_tolerance`.
pub fn order_outcomes(
    orders: &DataFrame,
    shipments: &DataFrame,
    feedback: &DataFrame,
    as_of: NaiveDate,
    tolerance: f64,
) -> PolarsResult<DataFrame> {
    let orders = &orders
        .clone()
        .lazy()
        .with_columns(tolerance_columns(tolerance))
        .collect()?;
    let asof = lit_date(as_of);
    let ship_agg = shipments
        .clone()
        .lazy()
        .with_column(
            when(col("shipped"))
                .then(days("ship_date"))
                .otherwise(lit(NULL).cast(DataType::Int32))
                .alias("_shipped_on"),
        )
        .group_by([col("order_key")])
        .agg([
            col("quantity").sum().alias("shipped_qty_all"),
            col("quantity")
                .filter(col("basis").is_not_null())
                .sum()
                .alias("qty_by_asof"),
            col("basis").min().alias("first_ship_date"),
            col("_shipped_on").min().alias("first_shipped"),
            len().cast(DataType::UInt32).alias("shipment_rows"),
            col("shipped")
                .cast(DataType::UInt32)
                .sum()
                .alias("shipped_rows"),
        ]);
    let delivered = shipments
        .clone()
        .lazy()
        .with_column(
            when(col("delivered_date").lt_eq(asof.clone()))
                .then(col("delivered_date"))
                .otherwise(lit(NULL).cast(DataType::Date))
                .alias("delivered_date"),
        )
        .collect()?;
    let completion_lf = completion(shipments, orders, "basis", "completion_date")?;
    let arrival_lf = completion(&delivered, orders, "delivered_date", "arrival_date")?;
    let fb_agg = feedback
        .clone()
        .lazy()
        .filter(col("order_key").is_not_null())
        .group_by([col("order_key")])
        .agg([len().cast(DataType::UInt32).alias("feedback_rows")]);
    let due = col("due_date");
    let end = when(col("completion_date").is_not_null())
        .then(days("completion_date"))
        .otherwise(lit(crate::frame::date_to_days(as_of)));
    let done_status = col("status")
        .eq(lit("cancelled"))
        .or(col("status").eq(lit("closed")))
        .or(col("status").eq(lit("delivered")))
        .fill_null(lit(false));
    orders
        .clone()
        .lazy()
        .left_join(ship_agg, col("order_key"), col("order_key"))
        .left_join(completion_lf, col("order_key"), col("order_key"))
        .left_join(arrival_lf, col("order_key"), col("order_key"))
        .left_join(fb_agg, col("order_key"), col("order_key"))
        .with_columns([
            col("shipped_qty_all").fill_null(lit(0.0)),
            col("qty_by_asof").fill_null(lit(0.0)),
            col("shipment_rows").fill_null(lit(0u32)),
            col("shipped_rows").fill_null(lit(0u32)),
            col("feedback_rows").fill_null(lit(0u32)),
        ])
        .with_columns([
            by_due("first_ship_date").alias("on_time"),
            // Nothing ordered is nothing to be full of (rev5); a cancelled
            // order takes part in no rate.
            when(col("cancelled"))
                .then(lit(NULL).cast(DataType::Boolean))
                .otherwise(
                    col("ordered_qty")
                        .gt(lit(0.0))
                        .and(col("qty_by_asof").gt_eq(col("ordered_qty") * col("qty_low")))
                        .fill_null(lit(false)),
                )
                .alias("in_full"),
            by_due("completion_date").alias("otif"),
            when(due.clone().is_null())
                .then(lit(NULL).cast(DataType::Int32))
                .otherwise((end - days("due_date")).clip_min(lit(0i32)))
                .alias("delay_days"),
            done_status
                .not()
                .and(col("completion_date").is_null())
                .alias("open"),
            when(col("updated_at").is_not_null())
                .then(col("updated_at"))
                .otherwise(col("order_date"))
                .alias("last_update"),
        ])
        .sort(["first_seq"], SortMultipleOptions::default())
        .collect()
}
