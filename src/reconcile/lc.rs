//! Letters of credit (spec section 10.1): which orders are under L/C, and
//! per such order its dates — the latest shipment date (44C), the expiry
//! (31D), the presentation deadline — whether the L/C has arrived and the
//! documents were presented, and the conditions of L02–L04. The per-line
//! values join the orders' one group-by over the lines ([`order_aggs`]);
//! the rest are expressions over the order frame ([`lc`]). Nothing here
//! runs when the orders have no L/C column and no terms read as L/C.
//!
//! The L/C received and documents presented cells arrive from the read
//! stage in the received cells' compact form (`y`, `n`, `d<days>`; see
//! `fields::Kind::Mark`).

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use polars::prelude::*;

use super::payments::{after, emptied, known, mark_aggs, split, starts, OrderAggs, ORDER_COLUMNS};
use super::terms::{self, Balance, Terms};
use crate::flags::{Flag, RuleId};
use crate::frame::{date_to_days, days, strs};
use crate::period::Period;

/// The order fields of spec section 10.1 that describe a letter of credit.
pub const FIELDS: [&str; 6] = [
    "lc_no",
    "lc_received",
    "lc_latest_shipment",
    "lc_expiry",
    "lc_presentation_days",
    "docs_presented",
];

/// UCP 600's presentation period, when the L/C names none.
pub const PRESENTATION_DAYS: i32 = 21;

/// What the orders' group-by needs to aggregate the L/C cells.
#[derive(Clone, Debug, Default)]
pub struct LcSpec {
    /// The payment-terms phrases that read as L/C.
    pub phrases: Vec<String>,
    /// The `src` of the order sheets without an lc_latest_shipment column,
    /// whose lines take their due date as the latest shipment date;
    /// `None` when no sheet has the column.
    pub without_44c: Option<Vec<i64>>,
}

/// Which L/C columns the orders have (L03 needs documents presented, L04
/// the L/C received; judged per table, as the payment columns).
#[derive(Clone, Copy, Debug, Default)]
pub struct LcColumns {
    pub lc_received: bool,
    pub docs_presented: bool,
}

/// The distinct payment-terms phrases of `lines` that read as L/C.
///
/// # Errors
/// A failure inside polars.
pub fn lc_phrases(
    lines: &DataFrame,
    custom: &BTreeMap<String, Terms>,
) -> PolarsResult<Vec<String>> {
    let distinct = lines
        .clone()
        .lazy()
        .select([col("payment_terms").drop_nulls().unique()])
        .collect()?;
    Ok(strs(&distinct, "payment_terms")?
        .into_iter()
        .flatten()
        .filter(|p| {
            matches!(
                terms::parse(p, custom).map(|t| t.balance),
                Some(Balance::Lc(_))
            )
        })
        .collect::<BTreeSet<String>>()
        .into_iter()
        .collect())
}

/// The per-order L/C aggregates, named `lc_*`, that
/// [`super::frames::orders`] adds to its group-by over the lines: any
/// line's terms read as L/C, the first L/C number, the earliest 44C cell
/// and expiry, whether every line's sheet lacks a 44C column (its due date
/// stands for 44C), the presentation days, and for the L/C received and
/// documents presented cells the latest date, any yes and any no word.
pub fn order_aggs(spec: &LcSpec) -> OrderAggs {
    let mut parts: Vec<Expr> = split("lc_received").into();
    parts.extend(split("docs_presented"));
    let terms = if spec.phrases.is_empty() {
        lit(false)
    } else {
        let s = Series::new("lc_phrases".into(), spec.phrases.clone());
        col("payment_terms")
            .is_in(lit(s).implode(false), false)
            .fill_null(lit(false))
    };
    let fallback = match &spec.without_44c {
        None => lit(true),
        Some(v) if v.is_empty() => lit(false),
        Some(v) => {
            let s = Series::new("srcs".into(), v.clone());
            col("src")
                .cast(DataType::Int64)
                .is_in(lit(s).implode(false), false)
                .fill_null(lit(false))
        }
    };
    // The order's amount as the payment frame sums it (a line's amount,
    // else quantity × unit price; cancelled lines left out).
    let amount = when(col("status").neq(lit("cancelled")).fill_null(lit(true)))
        .then(
            when(col("amount").is_not_null())
                .then(col("amount"))
                .otherwise(col("quantity") * col("unit_price")),
        )
        .otherwise(lit(NULL).cast(DataType::Float64));
    let mut lines = vec![
        terms.alias("_lc_terms"),
        fallback.alias("_lc_fb"),
        amount.alias("_lc_amount"),
    ];
    for (c, p) in [("lc_received", "rcv"), ("docs_presented", "doc")] {
        lines.extend([
            after(c, "d")
                .cast(DataType::Int32)
                .alias(format!("_lc_{p}_date")),
            starts(c, "y").alias(format!("_lc_{p}_yes")),
            starts(c, "n").alias(format!("_lc_{p}_no")),
        ]);
    }
    let mut aggs = vec![
        col("_lc_terms").max().alias("lc_terms"),
        col("lc_no").first_non_null(),
        days("lc_latest_shipment").min().alias("lc_44_cell"),
        col("_lc_fb").min().alias("lc_44_fb"),
        days("lc_expiry").min().alias("lc_exp"),
        col("lc_presentation_days").min().alias("lc_pdays"),
        col("lc_received").is_not_null().max().alias("lc_rcv_any"),
        // What the Payments sheet shows of an order listed for its L/C
        // alone (the payment frame has no row for it).
        col("payment_terms").first_non_null().alias("lc_pay_terms"),
        col("currency").first_non_null().alias("lc_currency"),
        col("_lc_amount").sum().alias("lc_amount_sum"),
        col("_lc_amount").count().alias("lc_amount_n"),
    ];
    for p in ["rcv", "doc"] {
        aggs.extend(mark_aggs(&format!("_lc_{p}"), &format!("lc_{p}")));
    }
    OrderAggs {
        split: parts,
        lines,
        aggs,
        after: Vec::new(),
    }
}

/// One row per order under L/C (not cancelled), in the orders' order:
/// `latest` (44C; the due date when the order's sheets have no 44C
/// column, `latest_from_due`), `expiry`, `pdays`, `deadline` (first ship
/// date + presentation days, capped by the expiry: `capped`), `lc_in` and
/// `docs_in` (received / presented by as_of) with `rcv_known` and
/// `docs_known`, the conditions `l02_on` (`latest` or `expiry`, the date
/// that is near or passed), `l02_date`, `l02_error`, `l03`, `l04`, and
/// `expiring_next` (open, 44C or expiry in the next period); days are
/// `Int32` days since 1970, and the `*_d` columns the same as dates.
/// `orders` is the order frame with the `lc_*` columns of
/// [`order_aggs`] and the outcomes.
///
/// # Errors
/// A failure inside polars.
pub fn lc(
    orders: &DataFrame,
    flags: &[Flag],
    cols: LcColumns,
    as_of: NaiveDate,
    next: &Period,
    notice_days: i64,
) -> PolarsResult<DataFrame> {
    let asof = date_to_days(as_of);
    let (ns, ne) = (date_to_days(next.start), date_to_days(next.end));
    let in_next = |e: Expr| {
        e.clone()
            .gt_eq(lit(ns))
            .and(e.lt_eq(lit(ne)))
            .fill_null(lit(false))
    };
    let passed = |e: Expr| e.lt(lit(asof)).fill_null(lit(false));
    let int_null = || lit(NULL).cast(DataType::Int32);
    let under = col("lc_terms")
        .fill_null(lit(false))
        .or(col("lc_no").is_not_null())
        .or(col("lc_44_cell").is_not_null())
        .or(col("lc_exp").is_not_null())
        .or(col("lc_rcv_any").fill_null(lit(false)));
    let latest = when(col("lc_44_cell").is_not_null())
        .then(col("lc_44_cell"))
        .when(col("lc_44_fb").fill_null(lit(false)))
        .then(days("due_date"))
        .otherwise(int_null());
    // A date by as_of or a yes word, and no line says no.
    let marked = |p: &str| {
        col(format!("lc_{p}_date"))
            .lt_eq(lit(asof))
            .fill_null(lit(false))
            .or(col(format!("lc_{p}_yes")).fill_null(lit(false)))
            .and(col(format!("lc_{p}_no")).fill_null(lit(false)).not())
    };
    // Orders whose L/C received or documents presented cell could not be
    // read (its V02): that mark is unknown, and L04 or L03 leave the order
    // alone.
    let fields: [(&str, &[&str]); 2] = [
        ("rcv_bad", &["lc_received"]),
        ("doc_bad", &["docs_presented"]),
    ];
    let unknown = emptied(flags, &[RuleId::V02], fields)?;
    let as_date = |c: &str| col(c).cast(DataType::Date).alias(format!("{c}_d"));
    let mut columns: Vec<Expr> = ORDER_COLUMNS.map(col).into();
    columns.extend([
        col("in_full"),
        days("due_date").alias("due_day"),
        col("lc_pay_terms").alias("payment_terms"),
        col("lc_currency").alias("currency"),
        // No line with an amount: unknown, not 0.
        when(col("lc_amount_n").gt(lit(0)))
            .then(col("lc_amount_sum"))
            .otherwise(lit(NULL).cast(DataType::Float64))
            .alias("amount"),
        col("lc_no"),
        latest.alias("latest"),
        col("lc_44_cell")
            .is_null()
            .and(col("lc_44_fb").fill_null(lit(false)))
            .alias("latest_from_due"),
        col("lc_exp").alias("expiry"),
        col("lc_pdays")
            .cast(DataType::Int32)
            .fill_null(lit(PRESENTATION_DAYS))
            .alias("pdays"),
        col("lc_rcv_date").alias("rcv_date"),
        col("lc_doc_date").alias("docs_date"),
        marked("rcv").alias("lc_in"),
        marked("doc").alias("docs_in"),
    ]);
    orders
        .clone()
        .lazy()
        .filter(col("cancelled").not().and(under))
        .select(columns)
        .left_join(unknown.lazy(), col("order_key"), col("order_key"))
        .with_columns([
            (col("first_shipped") + col("pdays")).alias("deadline_full"),
            known(cols.lc_received, "rcv_bad").alias("rcv_known"),
            known(cols.docs_presented, "doc_bad").alias("docs_known"),
            col("open")
                .and(col("in_full").fill_null(lit(false)).not())
                .alias("unshipped"),
        ])
        .with_columns([
            col("expiry")
                .lt(col("deadline_full"))
                .fill_null(lit(false))
                .alias("capped"),
            when(col("expiry").lt(col("deadline_full")).fill_null(lit(false)))
                .then(col("expiry"))
                .otherwise(col("deadline_full"))
                .alias("deadline"),
        ])
        .with_columns([
            // L02: the 44C when it is near or passed, else the expiry.
            when(col("unshipped").and(in_next(col("latest")).or(passed(col("latest")))))
                .then(lit("latest"))
                .when(col("unshipped").and(in_next(col("expiry")).or(passed(col("expiry")))))
                .then(lit("expiry"))
                .otherwise(lit(NULL).cast(DataType::String))
                .alias("l02_on"),
            // L03: not presented by the deadline, or presented after it.
            col("docs_known")
                .and(col("deadline").is_not_null())
                .and(
                    col("docs_in")
                        .not()
                        .and(lit(asof).gt(col("deadline")))
                        .or(col("docs_in").and(col("docs_date").gt(col("deadline")))),
                )
                .fill_null(lit(false))
                .alias("l03"),
            // L04: open, not shipped, no L/C, due within the notice.
            col("open")
                .and(col("first_shipped").is_null())
                .and(col("rcv_known"))
                .and(col("lc_in").not())
                .and((col("due_day") - lit(asof)).lt_eq(lit(notice_days as i32)))
                .fill_null(lit(false))
                .alias("l04"),
            col("open")
                .and(in_next(col("latest")).or(in_next(col("expiry"))))
                .alias("expiring_next"),
        ])
        .with_column(
            when(col("l02_on").eq(lit("latest")))
                .then(col("latest"))
                .when(col("l02_on").eq(lit("expiry")))
                .then(col("expiry"))
                .otherwise(int_null())
                .alias("l02_date"),
        )
        .with_columns([
            passed(col("l02_date")).alias("l02_error"),
            as_date("latest"),
            as_date("expiry"),
            as_date("deadline"),
            as_date("rcv_date"),
            as_date("docs_date"),
        ])
        .sort(["first_seq"], SortMultipleOptions::default())
        .collect()
}
