//! The rules L01–L04 (spec sections 5 and 10.1) on the reconciled letters
//! of credit: the rows that raise are selected in polars (the shipments
//! shipped after their order's 44C, the L/C frame's conditions), and only
//! they are read to make flags at their cells.

use polars::prelude::*;

use super::rules::{day_text, day_values, Graded, Hits, RuleContext, MISSING};
use super::Reconciled;
use crate::flags::{Flag, RuleId, Severity, Table};
use crate::frame::{bools, days, ints, strs};

/// Runs L01–L04 when the orders have L/C columns or terms.
///
/// # Errors
/// A failure inside polars.
pub fn rules(ctx: &RuleContext, rec: &Reconciled, out: &mut Vec<Flag>) -> PolarsResult<()> {
    if !rec.has_lc || rec.lc.height() == 0 {
        return Ok(());
    }
    out.extend(l01_shipped_after_44c(ctx, rec)?);
    out.extend(l02_latest_date_near(ctx, rec)?);
    out.extend(l03_documents_late(ctx, rec)?);
    out.extend(l04_no_lc_yet(ctx, rec)?);
    Ok(())
}

/// The customer of each row, for a message.
fn customers(df: &DataFrame, c: &str) -> PolarsResult<Vec<String>> {
    Ok(strs(df, c)?
        .into_iter()
        .map(|c| c.unwrap_or_else(|| MISSING.into()))
        .collect())
}

/// L01: "a shipment shipped after its order's L/C latest shipment date
/// (44C): a discrepancy the bank will refuse" — one per such shipment, on
/// its ship date's cell (a tracker's too: a derived shipment keeps the
/// tracker's cells).
///
/// Only while the credit's money is outstanding: an order whose balance
/// was received (the bank paid, or the buyer accepted the discrepancy) has
/// nothing left to refuse, and an error repeated every week on an order
/// long paid would only hide the ones that matter.
fn l01_shipped_after_44c(ctx: &RuleContext, rec: &Reconciled) -> PolarsResult<Vec<Flag>> {
    let mut lc = rec
        .lc
        .clone()
        .lazy()
        .filter(col("latest").is_not_null())
        .select([
            col("order_key"),
            col("latest"),
            col("customer").alias("lc_customer"),
        ]);
    if rec.payments.height() > 0 && rec.payments.column("bal_received").is_ok() {
        let paid = rec
            .payments
            .clone()
            .lazy()
            .filter(
                col("bal_known")
                    .and(col("bal_received"))
                    .fill_null(lit(false)),
            )
            .select([col("order_key"), lit(true).alias("_paid")]);
        lc = lc
            .left_join(paid, col("order_key"), col("order_key"))
            .filter(col("_paid").is_null())
            .select([col("order_key"), col("latest"), col("lc_customer")]);
    }
    let df = rec
        .shipments
        .clone()
        .lazy()
        .inner_join(lc, col("order_key"), col("order_key"))
        .sort(["seq"], SortMultipleOptions::default())
        .collect()?;
    let after = col("shipped").and(days("ship_date").gt(col("latest")));
    let hits = Hits::rows(&df, Table::Shipments, after)?;
    let ship = ints(&hits.frame, "ship_date")?;
    let latest = ints(&hits.frame, "latest")?;
    let customer = customers(&hits.frame, "lc_customer")?;
    Ok(
        ctx.raise(RuleId::L01, &hits, "ship_date", &day_values(&ship), |i| {
            let late = match (ship[i], latest[i]) {
                (Some(s), Some(l)) => s - l,
                _ => 0,
            };
            ctx.msg(
                "l01",
                &[
                    ("ship", &day_text(ship[i])),
                    ("latest", &day_text(latest[i])),
                    ("days", &late.to_string()),
                    ("customer", &customer[i]),
                ],
            )
        }),
    )
}

/// L02: "open order under L/C not shipped in full whose L/C latest
/// shipment date (else expiry) falls in the next period (warning) or has
/// passed (error: the credit must be amended)" — on the 44C cell when
/// that date qualifies (the due date's when it stands for 44C), else the
/// expiry cell.
fn l02_latest_date_near(ctx: &RuleContext, rec: &Reconciled) -> PolarsResult<Vec<Flag>> {
    let now = i64::from(crate::frame::date_to_days(ctx.as_of));
    let mut out = Vec::new();
    // Warnings and errors apart, each with its own severity (and its
    // override).
    for sev in [Severity::Warning, Severity::Error] {
        let error = sev == Severity::Error;
        let near = col("l02_on")
            .is_not_null()
            .and(col("l02_error").eq(lit(error)));
        let hits = Hits::orders(&rec.lc, near)?;
        let on = strs(&hits.frame, "l02_on")?;
        let date = ints(&hits.frame, "l02_date")?;
        let expiry = ints(&hits.frame, "expiry")?;
        let customer = customers(&hits.frame, "customer")?;
        let on_44c = |i: usize| on[i].as_deref() == Some("latest");
        let at = |i: usize| {
            if on_44c(i) {
                &["lc_latest_shipment", "due_date"][..]
            } else {
                &["lc_expiry"][..]
            }
        };
        let l02 = Graded(RuleId::L02, sev);
        out.extend(ctx.raise(l02, &hits, at, &day_values(&date), |i| {
            let d = date[i].unwrap_or(now);
            let (key, days) = match (error, on_44c(i)) {
                (true, true) => ("l02.error", now - d),
                (true, false) => ("l02.error_expiry", now - d),
                (false, true) => ("l02.warn", d - now),
                (false, false) => ("l02.warn_expiry", d - now),
            };
            ctx.msg(
                key,
                &[
                    ("date", &day_text(date[i])),
                    ("days", &days.to_string()),
                    ("expiry", &day_text(expiry[i].or(date[i]))),
                    ("customer", &customer[i]),
                ],
            )
        }));
    }
    Ok(out)
}

/// L03: "documents not presented by the L/C's presentation deadline —
/// first ship date + presentation days (default 21), capped by the
/// expiry: as_of after the deadline and no documents presented, or
/// presented after it" (the documents-presented cell, else the expiry
/// cell).
fn l03_documents_late(ctx: &RuleContext, rec: &Reconciled) -> PolarsResult<Vec<Flag>> {
    let hits = Hits::orders(&rec.lc, col("l03"))?;
    let df = &hits.frame;
    let deadline = ints(df, "deadline")?;
    let ship = ints(df, "first_shipped")?;
    let pdays = ints(df, "pdays")?;
    let capped = bools(df, "capped")?;
    let presented = bools(df, "docs_in")?;
    let docs = ints(df, "docs_date")?;
    let customer = customers(df, "customer")?;
    let at = ["docs_presented", "lc_expiry"];
    Ok(
        ctx.raise(RuleId::L03, &hits, at, &day_values(&deadline), |i| {
            let why = ctx.msg(
                if capped[i] == Some(true) {
                    "l03.why_capped"
                } else {
                    "l03.why"
                },
                &[
                    ("ship", &day_text(ship[i])),
                    ("n", &pdays[i].unwrap_or(0).to_string()),
                ],
            );
            let late = presented[i] == Some(true);
            ctx.msg(
                if late { "l03.late" } else { "l03.missing" },
                &[
                    ("deadline", &day_text(deadline[i])),
                    ("presented", &day_text(docs[i])),
                    ("why", &why),
                    ("customer", &customer[i]),
                ],
            )
        }),
    )
}

/// L04: "open order not shipped, under L/C terms, no L/C received, and
/// due within lc_notice_days or past due" (the L/C-received cell, else
/// the terms cell).
fn l04_no_lc_yet(ctx: &RuleContext, rec: &Reconciled) -> PolarsResult<Vec<Flag>> {
    let hits = Hits::orders(&rec.lc, col("l04"))?;
    let due = ints(&hits.frame, "due_day")?;
    let customer = customers(&hits.frame, "customer")?;
    let now = i64::from(crate::frame::date_to_days(ctx.as_of));
    let at = ["lc_received", "payment_terms"];
    Ok(ctx.raise(RuleId::L04, &hits, at, &day_values(&due), |i| {
        let left = due[i].unwrap_or(now) - now;
        let (key, days) = if left < 0 {
            ("l04.past", -left)
        } else {
            ("l04", left)
        };
        ctx.msg(
            key,
            &[
                ("date", &day_text(due[i])),
                ("days", &days.to_string()),
                ("customer", &customer[i]),
            ],
        )
    }))
}
