//! Payments (spec section 10): per order, what deposit and balance are due,
//! what was received, and when the balance falls due — from the explicit
//! payment cells, else from the payment terms — all in polars over the
//! order lines.
//!
//! A received cell arrives from the read stage in a compact form (`y`,
//! `n`, `d<days>`, `a<amount>`; see `read::fields::Kind::Received`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use polars::prelude::*;

use super::terms::{self, Balance, Terms};
use crate::flags::{Flag, RuleId};
use crate::frame::{date_to_days, days, strs};

/// Which payment columns the orders have (a payment without its received
/// column is unknown: no rule, no KPI).
#[derive(Clone, Copy, Debug, Default)]
pub struct PaymentColumns {
    pub deposit_received: bool,
    pub balance_received: bool,
}

/// Relative tolerance when comparing a received amount with what is due.
const TOLERANCE: f64 = 0.005;

/// Whether a received cell's kind (its first letter, split off once per
/// line into `<c>_k`) is `k`.
fn starts(c: &str, k: &str) -> Expr {
    col(format!("{c}_k")).eq(lit(k)).fill_null(lit(false))
}

/// The number after the kind letter `k` of a received cell (`<c>_v`).
fn after(c: &str, k: &str) -> Expr {
    when(starts(c, k))
        .then(col(format!("{c}_v")))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// A received cell split into its kind letter and its number, once.
fn split(c: &str) -> [Expr; 2] {
    [
        col(c)
            .str()
            .slice(lit(0i64), lit(1u64))
            .alias(format!("{c}_k")),
        col(c)
            .str()
            .slice(lit(1i64), lit(64u64))
            .cast(DataType::Float64)
            .alias(format!("{c}_v")),
    ]
}

/// An amount column summed over an order's lines, counted once when every
/// line carries the same value (a cell merged over the lines, filled down).
fn once_or_sum(e: Expr, name: &str) -> [Expr; 4] {
    [
        e.clone().count().alias(format!("{name}_n")),
        e.clone().sum().alias(format!("{name}_sum")),
        e.clone().min().alias(format!("{name}_min")),
        e.max().alias(format!("{name}_max")),
    ]
}

fn combined(name: &str) -> Expr {
    let n = col(format!("{name}_n"));
    when(n.clone().eq(lit(0u32)))
        .then(lit(NULL).cast(DataType::Float64))
        .when(
            n.gt(lit(1u32))
                .and(col(format!("{name}_min")).eq(col(format!("{name}_max")))),
        )
        .then(col(format!("{name}_min")))
        .otherwise(col(format!("{name}_sum")))
        .alias(name)
}

/// The distinct terms phrases of `phrases` read into a frame: the phrase,
/// `t_share`, `t_kind` (none, before, bl_copy, after, lc, no_due) and
/// `t_days`; unread phrases are left out.
fn terms_frame(
    phrases: &BTreeSet<String>,
    custom: &BTreeMap<String, Terms>,
) -> PolarsResult<DataFrame> {
    let mut text = Vec::new();
    let mut share = Vec::new();
    let mut kind = Vec::new();
    let mut ndays = Vec::new();
    for p in phrases {
        let Some(t) = terms::parse(p, custom) else {
            continue;
        };
        let (k, d) = match t.balance {
            Balance::None => ("none", 0),
            Balance::BeforeShipment => ("before", 0),
            Balance::AgainstBlCopy => ("bl_copy", 0),
            Balance::AfterShipment(n) => ("after", n),
            Balance::Lc(n) => ("lc", n),
            Balance::NoDueDate => ("no_due", 0),
        };
        text.push(p.clone());
        share.push(t.deposit);
        kind.push(k);
        ndays.push(d);
    }
    DataFrame::new(
        text.len(),
        vec![
            Series::new("payment_terms".into(), text).into(),
            Series::new("t_share".into(), share).into(),
            Series::new("t_kind".into(), kind).into(),
            Series::new("t_days".into(), ndays).into(),
        ],
    )
}

/// Orders whose deposit or balance cell could not be read (its V02 or
/// V03): that payment is unknown.
fn unknown(flags: &[Flag]) -> PolarsResult<DataFrame> {
    let mut dep = BTreeSet::new();
    let mut bal = BTreeSet::new();
    for f in flags {
        if !matches!(f.rule, RuleId::V02 | RuleId::V03) {
            continue;
        }
        let Some(k) = &f.key else { continue };
        match f.field {
            "deposit" | "deposit_received" => {
                dep.insert(k.clone());
            }
            "balance" | "balance_received" | "balance_due_date" => {
                bal.insert(k.clone());
            }
            _ => {}
        }
    }
    let keys: Vec<&String> = dep.union(&bal).collect();
    let d: Vec<bool> = keys.iter().map(|k| dep.contains(*k)).collect();
    let b: Vec<bool> = keys.iter().map(|k| bal.contains(*k)).collect();
    let keys: Vec<&str> = keys.iter().map(|k| k.as_str()).collect();
    DataFrame::new(
        keys.len(),
        vec![
            Series::new("order_key".into(), keys).into(),
            Series::new("dep_bad".into(), d).into(),
            Series::new("bal_bad".into(), b).into(),
        ],
    )
}

/// One row per order that takes part in payments (terms read, or an
/// explicit deposit, balance or balance-due cell), with what is due,
/// received and outstanding. Cancelled orders are left out.
///
/// # Errors
/// A failure inside polars.
#[allow(clippy::too_many_arguments)]
pub fn payments(
    lines: &DataFrame,
    orders: &DataFrame,
    shipments: &DataFrame,
    flags: &[Flag],
    custom: &BTreeMap<String, Terms>,
    cols: PaymentColumns,
    deposit_days: i64,
    bl_copy_days: i64,
    as_of: NaiveDate,
) -> PolarsResult<DataFrame> {
    let asof = date_to_days(as_of);
    let line_amount = when(col("amount").is_not_null())
        .then(col("amount"))
        .otherwise(col("quantity") * col("unit_price"));
    let mut aggs = vec![
        col("payment_terms")
            .drop_nulls()
            .first()
            .alias("payment_terms"),
        col("currency").drop_nulls().first().alias("currency"),
        line_amount.clone().sum().alias("amount_sum"),
        line_amount.count().alias("amount_n"),
        days("balance_due_date").min().alias("due_cell"),
        after("deposit_received", "d").max().alias("dep_date"),
        starts("deposit_received", "y").any(true).alias("dep_yes"),
        starts("deposit_received", "n").any(true).alias("dep_no"),
        after("balance_received", "d").max().alias("bal_date"),
        starts("balance_received", "y").any(true).alias("bal_yes"),
        starts("balance_received", "n").any(true).alias("bal_no"),
    ];
    aggs.extend(once_or_sum(col("deposit"), "dep_cell"));
    aggs.extend(once_or_sum(col("balance"), "bal_cell"));
    aggs.extend(once_or_sum(after("deposit_received", "a"), "dep_paid"));
    aggs.extend(once_or_sum(after("balance_received", "a"), "bal_paid"));
    let mut parts: Vec<Expr> = split("deposit_received").into();
    parts.extend(split("balance_received"));
    let per_order = lines
        .clone()
        .lazy()
        .filter(col("status").neq(lit("cancelled")).fill_null(lit(true)))
        .with_columns(parts)
        .group_by([col("order_key")])
        .agg(aggs)
        .with_columns([
            combined("dep_cell"),
            combined("bal_cell"),
            combined("dep_paid"),
            combined("bal_paid"),
            when(col("amount_n").gt(lit(0u32)))
                .then(col("amount_sum"))
                .otherwise(lit(NULL).cast(DataType::Float64))
                .alias("amount"),
        ])
        .collect()?;
    let phrases: BTreeSet<String> = strs(&per_order, "payment_terms")?
        .into_iter()
        .flatten()
        .collect();
    let tf = terms_frame(&phrases, custom)?;
    let first_shipped = shipments
        .clone()
        .lazy()
        .filter(col("shipped"))
        .group_by([col("order_key")])
        .agg([days("ship_date").min().alias("first_shipped")]);
    let o = orders.clone().lazy().select([
        col("order_key"),
        col("order_id"),
        col("customer"),
        col("customer_key"),
        col("owner"),
        col("open"),
        col("cancelled"),
        col("first_src"),
        col("first_row"),
        col("first_seq"),
        days("confirmed_date").alias("confirmed_day"),
        days("order_date").alias("order_day"),
    ]);
    let share_amount = col("t_share") * col("amount");
    let deposit_due = when(col("dep_cell").is_not_null())
        .then(col("dep_cell"))
        .otherwise(share_amount);
    let explicit = col("dep_cell")
        .is_not_null()
        .or(col("bal_cell").is_not_null())
        .or(col("due_cell").is_not_null());
    let terms_read = col("t_kind").is_not_null();
    let balance_due = when(col("bal_cell").is_not_null())
        .then(col("bal_cell"))
        .when(col("t_kind").eq(lit("none")).fill_null(lit(false)))
        .then(lit(0.0))
        .when(terms_read.clone().or(col("dep_cell").is_not_null()))
        .then((col("amount") - col("deposit_due").fill_null(lit(0.0))).clip_min(lit(0.0)))
        .otherwise(lit(NULL).cast(DataType::Float64));
    let fs = col("first_shipped");
    let deposit_age = lit(asof)
        - when(col("confirmed_day").is_not_null())
            .then(col("confirmed_day"))
            .otherwise(col("order_day"));
    let kind_is = |k: &str| col("t_kind").eq(lit(k)).fill_null(lit(false));
    let due_from_terms = when(kind_is("before"))
        .then(fs.clone())
        .when(kind_is("bl_copy"))
        .then(fs.clone() + lit(bl_copy_days as i32))
        .when(kind_is("after"))
        .then(fs.clone() + col("t_days").cast(DataType::Int32))
        .when(kind_is("lc"))
        .then(fs.clone() + lit(21i32) + col("t_days").cast(DataType::Int32))
        .otherwise(lit(NULL).cast(DataType::Int32));
    // Received: the amounts reach what is due, or a date (by as_of) or a
    // yes word and no no word.
    let received = |paid: &str, date: &str, yes: &str, no: &str, due: &str| {
        let by_amount = col(paid)
            .gt_eq(col(due) * lit(1.0 - TOLERANCE))
            .and(col(paid).gt(lit(0.0)))
            .fill_null(lit(false));
        let by_mark = col(date)
            .lt_eq(lit(asof as f64))
            .fill_null(lit(false))
            .or(col(yes))
            .and(col(no).not());
        by_amount.or(by_mark)
    };
    per_order
        .lazy()
        .left_join(tf.lazy(), col("payment_terms"), col("payment_terms"))
        .inner_join(o, col("order_key"), col("order_key"))
        .left_join(first_shipped, col("order_key"), col("order_key"))
        .left_join(unknown(flags)?.lazy(), col("order_key"), col("order_key"))
        .filter(col("cancelled").not().and(terms_read.clone().or(explicit)))
        .with_column(deposit_due.alias("deposit_due"))
        .with_columns([
            balance_due.alias("balance_due"),
            when(col("due_cell").is_not_null())
                .then(col("due_cell"))
                .otherwise(due_from_terms)
                .alias("balance_due_day"),
            kind_is("before")
                .and(col("due_cell").is_null())
                .alias("before_shipment"),
            fs.clone().is_not_null().alias("shipped"),
            lit(cols.deposit_received)
                .and(col("dep_bad").fill_null(lit(false)).not())
                .alias("dep_known"),
            lit(cols.balance_received)
                .and(col("bal_bad").fill_null(lit(false)).not())
                .alias("bal_known"),
            terms_read.alias("terms_read"),
        ])
        .with_columns([
            received("dep_paid", "dep_date", "dep_yes", "dep_no", "deposit_due")
                .alias("dep_received"),
            received("bal_paid", "bal_date", "bal_yes", "bal_no", "balance_due")
                .alias("bal_received"),
        ])
        .with_columns([
            when(col("dep_received"))
                .then(lit(0.0))
                .otherwise(
                    (col("deposit_due") - col("dep_paid").fill_null(lit(0.0))).clip_min(lit(0.0)),
                )
                .alias("dep_outstanding"),
            when(col("bal_received"))
                .then(lit(0.0))
                .otherwise(
                    (col("balance_due") - col("bal_paid").fill_null(lit(0.0))).clip_min(lit(0.0)),
                )
                .alias("bal_outstanding"),
        ])
        .with_columns([
            // P01: shipped before the money the terms require before shipment.
            (col("shipped")
                .and(col("dep_known"))
                .and(col("dep_outstanding").gt(lit(0.0)).fill_null(lit(false))))
            .alias("p01_deposit"),
            (col("shipped")
                .and(col("bal_known"))
                .and(col("before_shipment"))
                .and(col("bal_outstanding").gt(lit(0.0)).fill_null(lit(false))))
            .alias("p01_balance"),
            // P02: deposit late while the order waits to ship.
            (col("dep_known")
                .and(col("dep_outstanding").gt(lit(0.0)).fill_null(lit(false)))
                .and(col("open"))
                .and(col("shipped").not())
                .and(
                    deposit_age
                        .clone()
                        .gt(lit(deposit_days as i32))
                        .fill_null(lit(false)),
                ))
            .alias("p02"),
            deposit_age.alias("deposit_age"),
            // P03: balance past its due date.
            (col("bal_known")
                .and(col("bal_outstanding").gt(lit(0.0)).fill_null(lit(false)))
                .and(col("balance_due_day").lt(lit(asof)).fill_null(lit(false)))
                .and(col("before_shipment").and(col("shipped")).not()))
            .alias("p03"),
            (lit(asof) - col("balance_due_day")).alias("days_overdue"),
            (col("balance_due_day").cast(DataType::Date)).alias("balance_due_date"),
            (col("first_shipped").cast(DataType::Date)).alias("first_ship"),
            lit(asof).alias("asof_day"),
        ])
        .sort(["first_seq"], SortMultipleOptions::default())
        .collect()
}

/// Terms phrases that could not be read, each with its order count
/// (`check` lists them; they are not flags).
///
/// # Errors
/// A failure inside polars.
pub fn unread(
    lines: &DataFrame,
    custom: &BTreeMap<String, Terms>,
) -> PolarsResult<Vec<(String, usize)>> {
    // The distinct phrases first (few), then orders only for unread ones.
    let phrases = lines
        .clone()
        .lazy()
        .select([col("payment_terms").drop_nulls().unique()])
        .collect()?;
    let unread: Vec<String> = strs(&phrases, "payment_terms")?
        .into_iter()
        .flatten()
        .filter(|p| terms::parse(p, custom).is_none())
        .collect();
    if unread.is_empty() {
        return Ok(Vec::new());
    }
    let wanted = Series::new("wanted".into(), unread);
    let counts = lines
        .clone()
        .lazy()
        .filter(col("payment_terms").is_in(lit(wanted).implode(false), false))
        .group_by([col("payment_terms")])
        .agg([col("order_key").n_unique().alias("n")])
        .sort(["payment_terms"], SortMultipleOptions::default())
        .collect()?;
    let phrases = strs(&counts, "payment_terms")?;
    let n = crate::frame::ints(&counts, "n")?;
    Ok(phrases
        .into_iter()
        .zip(n)
        .filter_map(|(p, n)| Some((p?, n.unwrap_or(0) as usize)))
        .collect())
}
