//! Payments (spec section 10): per order, what deposit and balance are due,
//! what was received, and when the balance falls due — from the explicit
//! payment cells, else from the payment terms — all in polars over the
//! order lines.
//!
//! A received cell arrives from the read stage in a compact form (`y`,
//! `n`, `d<days>`, `a<amount>`; see `fields::Kind::Received`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use polars::prelude::*;

use super::terms::{self, Balance, Terms};
use crate::flags::{Flag, RuleId};
use crate::frame::{date_to_days, days, strs};
use crate::template::Thresholds;

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
pub(super) fn starts(c: &str, k: &str) -> Expr {
    col(format!("{c}_k")).eq(lit(k)).fill_null(lit(false))
}

/// The number after the kind letter `k` of a received cell (`<c>_v`).
pub(super) fn after(c: &str, k: &str) -> Expr {
    when(starts(c, k))
        .then(col(format!("{c}_v")))
        .otherwise(lit(NULL).cast(DataType::Float64))
}

/// A received cell split into its kind letter and its number, once.
pub(super) fn split(c: &str) -> [Expr; 2] {
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
/// `t_share`, `t_kind` (none, before, bl_copy, after, lc, collection,
/// no_due) and
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
            Balance::Collection(n) => ("collection", n),
            Balance::NoDueDate => ("no_due", 0),
        };
        text.push(p.clone());
        share.push(t.deposit);
        kind.push(k);
        ndays.push(d);
    }
    df!(
        "payment_terms" => text,
        "t_share" => share,
        "t_kind" => kind,
        "t_days" => ndays,
    )
}

/// What an order's payment or L/C row carries of the order: who it is
/// and whose, whether it is open, its first line (where its flags point)
/// and its first shipment.
pub(super) const ORDER_COLUMNS: [&str; 9] = [
    "order_key",
    "order_id",
    "customer",
    "owner",
    "open",
    "first_src",
    "first_row",
    "first_seq",
    "first_shipped",
];

/// One row per order whose cell a V flag of `rules` emptied, with a
/// column per group of fields: whether the cell was one of that group's
/// (for what an order's unreadable cell leaves unknown).
pub(super) fn emptied(
    flags: &[Flag],
    rules: &[RuleId],
    [(a, a_fields), (b, b_fields)]: [(&str, &[&str]); 2],
) -> PolarsResult<DataFrame> {
    let (mut in_a, mut in_b) = (BTreeSet::new(), BTreeSet::new());
    for f in flags.iter().filter(|f| rules.contains(&f.rule)) {
        let Some(k) = &f.key else { continue };
        if a_fields.contains(&f.field) {
            in_a.insert(k.as_str());
        } else if b_fields.contains(&f.field) {
            in_b.insert(k.as_str());
        }
    }
    let keys: Vec<&str> = in_a.union(&in_b).copied().collect();
    let is_a: Vec<bool> = keys.iter().map(|k| in_a.contains(k)).collect();
    let is_b: Vec<bool> = keys.iter().map(|k| in_b.contains(k)).collect();
    df!("order_key" => keys, a => is_a, b => is_b)
}

/// Whether an order's cell of a column its sheets have was read: the
/// sheets have the column (`has_column`) and the order's cell was not
/// emptied (its `bad` column of [`emptied`]).
pub(super) fn known(has_column: bool, bad: &str) -> Expr {
    lit(has_column).and(col(bad).fill_null(lit(false)).not())
}

/// An order's date, yes and no of a received cell (or another
/// date-or-yes/no cell) over its lines: the lines' `{line}_date`, `_yes`
/// and `_no` columns, each its latest or any, as `{order}_date`, `_yes`
/// and `_no`.
pub(super) fn mark_aggs(line: &str, order: &str) -> [Expr; 3] {
    ["date", "yes", "no"].map(|s| {
        col(format!("{line}_{s}"))
            .max()
            .alias(format!("{order}_{s}"))
    })
}

/// The per-order payment aggregates, named `pay_*`, that
/// [`super::frames::orders`] adds to its group-by over the lines, so that
/// the lines are grouped once (see [`payments`] for what they mean).
/// Every per-line expression is evaluated before the group-by (the
/// aggregations are then plain sums, minima and maxima, polars' fast
/// path); cancelled lines take no part.
///
pub fn order_aggs() -> OrderAggs {
    let live = col("status").neq(lit("cancelled")).fill_null(lit(true));
    let live_f = |e: Expr| {
        when(live.clone())
            .then(e)
            .otherwise(lit(NULL).cast(DataType::Float64))
    };
    let live_b = |e: Expr| live.clone().and(e);
    let line_amount = when(col("amount").is_not_null())
        .then(col("amount"))
        .otherwise(col("quantity") * col("unit_price"));
    let mut parts: Vec<Expr> = split("deposit_received").into();
    parts.extend(split("balance_received"));
    let mut line_cols: Vec<Expr> = vec![
        live_f(line_amount).alias("_amount"),
        when(live.clone())
            .then(days("balance_due_date"))
            .otherwise(lit(NULL).cast(DataType::Int32))
            .alias("_due"),
        live_f(col("deposit")).alias("_deposit"),
        live_f(col("balance")).alias("_balance"),
        when(live.clone())
            .then(col("payment_terms"))
            .otherwise(lit(NULL).cast(DataType::String))
            .alias("_terms"),
        when(live.clone())
            .then(col("currency"))
            .otherwise(lit(NULL).cast(DataType::String))
            .alias("_currency"),
    ];
    for (c, p) in [("deposit_received", "dep"), ("balance_received", "bal")] {
        line_cols.extend([
            live_f(after(c, "d")).alias(format!("_{p}_date")),
            live_f(after(c, "a")).alias(format!("_{p}_paid")),
            live_b(starts(c, "y")).alias(format!("_{p}_yes")),
            live_b(starts(c, "n")).alias(format!("_{p}_no")),
        ]);
    }
    let mut aggs = vec![
        col("_terms").first_non_null().alias("pay_terms"),
        col("_currency").first_non_null().alias("pay_currency"),
        col("_amount").sum().alias("pay_amount_sum"),
        col("_amount").count().alias("pay_amount_n"),
        col("_due").min().alias("pay_due_cell"),
    ];
    for p in ["dep", "bal"] {
        aggs.extend(mark_aggs(&format!("_{p}"), &format!("pay_{p}")));
    }
    aggs.extend(once_or_sum(col("_deposit"), "pay_dep_cell"));
    aggs.extend(once_or_sum(col("_balance"), "pay_bal_cell"));
    aggs.extend(once_or_sum(col("_dep_paid"), "pay_dep_paid"));
    aggs.extend(once_or_sum(col("_bal_paid"), "pay_bal_paid"));
    let after_cols = vec![
        combined("pay_dep_cell"),
        combined("pay_bal_cell"),
        combined("pay_dep_paid"),
        combined("pay_bal_paid"),
        when(col("pay_amount_n").gt(lit(0u32)))
            .then(col("pay_amount_sum"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("pay_amount"),
    ];
    OrderAggs {
        split: parts,
        lines: line_cols,
        aggs,
        after: after_cols,
    }
}

/// What [`order_aggs`] adds to the orders' group-by, step by step.
#[derive(Default)]
pub struct OrderAggs {
    /// The received cells split into kind and number (first).
    pub split: Vec<Expr>,
    /// Per-line values (from the split).
    pub lines: Vec<Expr>,
    /// The aggregations.
    pub aggs: Vec<Expr>,
    /// Columns computed from the aggregates.
    pub after: Vec<Expr>,
}

/// The `pay_*` columns of [`order_aggs`] as nulls, for an orders frame
/// built without them (no received column: every payment is unknown).
pub fn null_order_columns() -> Vec<Expr> {
    let f = |n: &str| lit(NULL).cast(DataType::Float64).alias(n);
    let b = |n: &str| lit(false).alias(n);
    vec![
        lit(NULL).cast(DataType::String).alias("pay_terms"),
        lit(NULL).cast(DataType::String).alias("pay_currency"),
        f("pay_amount"),
        lit(NULL).cast(DataType::Int32).alias("pay_due_cell"),
        f("pay_dep_date"),
        b("pay_dep_yes"),
        b("pay_dep_no"),
        f("pay_bal_date"),
        b("pay_bal_yes"),
        b("pay_bal_no"),
        f("pay_dep_cell"),
        f("pay_bal_cell"),
        f("pay_dep_paid"),
        f("pay_bal_paid"),
    ]
}

/// One row per order that takes part in payments (terms read, or an
/// explicit deposit, balance or balance-due cell), with what is due,
/// received and outstanding, in the orders' order. Cancelled orders are
/// left out. `orders` is the order frame with the `pay_*` columns of
/// [`order_aggs`] and `first_shipped` (day of the first shipment by
/// as_of); `th` gives `deposit_days` (P02), `bl_copy_days` and
/// `collection_days` (the due dates after shipping).
///
/// # Errors
/// A failure inside polars.
pub fn payments(
    orders: &DataFrame,
    flags: &[Flag],
    custom: &BTreeMap<String, Terms>,
    cols: PaymentColumns,
    th: &Thresholds,
    as_of: NaiveDate,
) -> PolarsResult<DataFrame> {
    let (deposit_days, bl_copy_days) = (th.deposit_days, th.bl_copy_days);
    let asof = date_to_days(as_of);
    let order = ORDER_COLUMNS
        .into_iter()
        .chain(["customer_key", "cancelled"]);
    let mut columns: Vec<Expr> = order.map(col).collect();
    columns.extend([
        days("confirmed_date").alias("confirmed_day"),
        days("order_date").alias("order_day"),
        col("pay_terms").alias("payment_terms"),
        col("pay_currency").alias("currency"),
    ]);
    // The payment aggregates of `order_aggs`, without their `pay_`.
    let aggregates = [
        "amount", "due_cell", "dep_date", "dep_yes", "dep_no", "bal_date", "bal_yes", "bal_no",
        "dep_cell", "bal_cell", "dep_paid", "bal_paid",
    ];
    columns.extend(aggregates.map(|c| col(format!("pay_{c}")).alias(c)));
    let per_order = orders
        .clone()
        .lazy()
        .filter(col("cancelled").not())
        .select(columns)
        .collect()?;
    let phrases: BTreeSet<String> = strs(&per_order, "payment_terms")?
        .into_iter()
        .flatten()
        .collect();
    let tf = terms_frame(&phrases, custom)?;
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
        .when(kind_is("collection"))
        .then(fs.clone() + lit(th.collection_days as i32) + col("t_days").cast(DataType::Int32))
        .otherwise(lit(NULL).cast(DataType::Int32));
    // Orders whose deposit or balance cell could not be read (its V02 or
    // V03): that payment is unknown.
    let unknown = emptied(
        flags,
        &[RuleId::V02, RuleId::V03],
        [
            ("dep_bad", &["deposit", "deposit_received"]),
            (
                "bal_bad",
                &["balance", "balance_received", "balance_due_date"],
            ),
        ],
    )?;
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
        .left_join(unknown.lazy(), col("order_key"), col("order_key"))
        .filter(terms_read.clone().or(explicit))
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
            known(cols.deposit_received, "dep_bad").alias("dep_known"),
            known(cols.balance_received, "bal_bad").alias("bal_known"),
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
