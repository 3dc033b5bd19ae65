//! Reconcile: order lines, shipments and feedback into one order-level
//! frame (spec section 4), all in polars, then the C and S rules of
//! section 5 ([`rules`]).
//!
//! Dates stay polars `Date`s; day arithmetic casts them to `Int32` days so
//! that differences are plain integers.

pub mod frames;
pub mod lc;
pub mod lc_rules;
pub mod milestone_rules;
pub mod milestones;
pub mod payments;
pub mod promises;
pub mod rules;
pub mod terms;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::flags::{Flag, Table};
use crate::i18n::Lang;
use crate::log::Said;
use crate::read::{Inputs, SourceInfo};
use crate::template::{OnTimeBasis, Template};

/// The reconcile stage's output.
pub struct Reconciled {
    /// Order lines that take part in the calculation (C01 duplicates out).
    pub lines: DataFrame,
    /// One row per order (see [`frames::orders`] for the columns).
    pub orders: DataFrame,
    /// Shipments with `shipped`, `basis`, the order's owner filled in.
    pub shipments: DataFrame,
    /// Feedback with `closed`, the order's owner filled in.
    pub feedback: DataFrame,
    /// One row per order that takes part in payments (see
    /// [`payments::payments`]); empty when the orders carry no payment
    /// columns or terms.
    pub payments: DataFrame,
    /// Whether the orders carry payment columns or terms (the Payments
    /// sheet is shown).
    pub has_payments: bool,
    /// One row per order under L/C (see [`lc::lc`]); empty when the orders
    /// have no L/C column and no terms read as L/C (`has_lc` false).
    pub lc: DataFrame,
    pub has_lc: bool,
    /// The orders' milestones (spec section 13), with the steps they
    /// follow.
    pub milestones: milestones::Milestones,
    pub steps: crate::milestones::Steps,
    /// Whether the previous recorded run recorded due dates and ETAs (spec
    /// section 14): without it the changes since then are unknown.
    pub promises_recorded: bool,
    /// Whether the shipments follow the goods past loading: they have a
    /// delivered date, ETA or status column (spec section 4; else the
    /// arrival KPIs are empty and S04–S06 skipped).
    pub arrival_tracked: bool,
    pub sources: Vec<SourceInfo>,
    pub as_of: NaiveDate,
}

/// Builds the frames and raises every C and S rule; returns what the
/// operator should be told (rules skipped for want of a column, timings
/// for `--verbose`) in the run's language, for the caller to print.
///
/// # Errors
/// A failure inside polars (a bug, not bad input: input problems are flags).
pub fn reconcile(
    inputs: &Inputs,
    template: &Template,
    lang: Lang,
    as_of: NaiveDate,
    past: &crate::promise::Past,
) -> PolarsResult<(Reconciled, Vec<Flag>, Vec<Said>)> {
    let mut said: Vec<Said> = Vec::new();
    let say = |key: &str, args: &[(&str, &str)]| crate::i18n::fill(lang, key, args);
    let secs = |t: std::time::Instant| format!("{:.2}", t.elapsed().as_secs_f64());
    let basis = template.file.report.on_time_basis;
    let t0 = std::time::Instant::now();
    let marked = frames::mark_duplicates(&inputs.orders)?;
    said.push(Said::Detail(say("log.t_duplicates", &[("s", &secs(t0))])));
    let lines = marked
        .clone()
        .lazy()
        .filter(col("is_dup").not())
        .collect()?;
    let has = |f: &str| inputs.has_column(Table::Orders, f);
    let cols = payments::PaymentColumns {
        deposit_received: has("deposit_received"),
        balance_received: has("balance_received"),
    };
    // Without a received column every payment is unknown (no rule, no
    // KPI, nothing outstanding to list): the payment columns are nulls
    // and the payment frame has no rows.
    let compute = cols.deposit_received || cols.balance_received;
    let steps = crate::milestones::Steps::new(&template.file.milestones).unwrap_or_default();
    let custom = terms::custom(&template.file.payments);
    // Letters of credit (spec section 10.1): nothing to aggregate when no
    // L/C column and no terms read as L/C.
    let lc_phrases = if has("payment_terms") {
        lc::lc_phrases(&lines, &custom)?
    } else {
        Vec::new()
    };
    let has_lc = lc::FIELDS.iter().any(|f| has(f)) || !lc_phrases.is_empty();
    let lc_spec = has_lc.then(|| lc::LcSpec {
        phrases: lc_phrases,
        without_44c: has("lc_latest_shipment").then(|| {
            inputs
                .sources
                .iter()
                .enumerate()
                .filter(|(_, s)| s.table == Table::Orders && !s.has("lc_latest_shipment"))
                .map(|(i, _)| i as i64)
                .collect()
        }),
    });
    let orders_base = frames::orders(&lines, compute, steps.len(), lc_spec.as_ref())?;
    said.push(Said::Detail(say("log.t_orders", &[("s", &secs(t0))])));
    let shipments = frames::shipments(&inputs.shipments, &orders_base, basis, as_of)?;
    let feedback = frames::feedback(&inputs.feedback, &orders_base)?;
    let tolerance = template.file.thresholds.qty_tolerance;
    let orders = frames::order_outcomes(&orders_base, &shipments, &feedback, as_of, tolerance)?;
    let (orders, shipments) = promises::with_past(orders, shipments, past)?;
    said.push(Said::Detail(say("log.t_frames", &[("s", &secs(t0))])));
    let has_payments = [
        "payment_terms",
        "deposit",
        "deposit_received",
        "balance",
        "balance_due_date",
        "balance_received",
    ]
    .iter()
    .any(|f| has(f));
    let t0 = std::time::Instant::now();
    let th = &template.file.thresholds;
    let pay = {
        payments::payments(
            &if compute {
                orders.clone()
            } else {
                orders.clear()
            },
            &inputs.flags,
            &custom,
            cols,
            th,
            as_of,
        )?
    };

    said.push(Said::Detail(say(
        "log.t_payments",
        &[("n", &pay.height().to_string()), ("s", &secs(t0))],
    )));
    if has_payments && inputs.orders.height() > 0 {
        if !cols.deposit_received {
            said.push(Said::Warning(say("log.skip_deposit", &[])));
        }
        if !cols.balance_received {
            said.push(Said::Warning(say("log.skip_balance", &[])));
        }
    }
    let arrival_tracked = ["delivered_date", "eta", "status"]
        .iter()
        .any(|f| inputs.has_column(Table::Shipments, f));
    if !arrival_tracked && inputs.shipments.height() > 0 {
        said.push(Said::Warning(say("note.arrival_untracked", &[])));
    }
    let next = crate::period::Period::next(template.file.report.period, as_of);
    let lc_frame = if has_lc {
        let cols = lc::LcColumns {
            lc_received: has("lc_received"),
            docs_presented: has("docs_presented"),
        };
        if inputs.orders.height() > 0 {
            if !cols.docs_presented {
                said.push(Said::Warning(say("log.skip_l03", &[])));
            }
            if !cols.lc_received {
                said.push(Said::Warning(say("log.skip_l04", &[])));
            }
        }
        lc::lc(
            &orders,
            &inputs.flags,
            cols,
            as_of,
            &next,
            th.lc_notice_days,
        )?
    } else {
        DataFrame::empty()
    };
    let ms = milestones::milestones(
        &orders,
        &steps,
        as_of,
        &next,
        template.file.thresholds.milestone_slack_days,
    )?;
    let rec = Reconciled {
        milestones: ms,
        steps,
        lines,
        orders,
        shipments,
        feedback,
        payments: pay,
        has_payments,
        lc: lc_frame,
        has_lc,
        promises_recorded: past.recorded,
        arrival_tracked: arrival_tracked || inputs.shipments.height() == 0,
        sources: inputs.sources.clone(),
        as_of,
    };
    let has_updated = inputs.has_column(Table::Orders, "updated_at");
    let has_tracking = inputs.has_column(Table::Shipments, "tracking_no");
    if !has_updated && inputs.orders.height() > 0 {
        said.push(Said::Warning(say("log.skip_s01", &[])));
    }
    if !has_tracking && inputs.shipments.height() > 0 {
        said.push(Said::Warning(say("log.skip_s05", &[])));
    }
    // Amounts are summed per currency; without the column they are one
    // total (shown without a currency), said once.
    let has_amounts = has("amount") || has("unit_price");
    if has_amounts && !has("currency") && inputs.orders.height() > 0 {
        said.push(Said::Note(say("log.no_currency", &[])));
    }
    let ctx = rules::RuleContext {
        lang,
        policy: template.policy(),
        thresholds: template.file.thresholds.clone(),
        as_of,
        sources: &inputs.sources,
        has_updated_at: has_updated,
        has_tracking,
        has_action: inputs.has_column(Table::Feedback, "action"),
        has_score: inputs.has_column(Table::Feedback, "score"),
        arrival_tracked: rec.arrival_tracked,
        on_time_basis: basis == OnTimeBasis::DeliveredDate,
        next,
    };
    let t0 = std::time::Instant::now();
    let mut flags = rules::all(&ctx, &rec, &marked)?;
    milestone_rules::rules(&ctx, &rec.milestones, &rec.steps, &rec.lines, &mut flags)?;
    if rec.has_lc {
        lc_rules::rules(&ctx, &rec, &mut flags)?;
    }
    said.push(Said::Detail(say(
        "log.t_rules",
        &[("n", &flags.len().to_string()), ("s", &secs(t0))],
    )));
    Ok((rec, flags, said))
}

/// Fills in the owner of flags that have none from their order's owner
/// (a shipment or feedback row with no owner belongs to the order's).
pub fn fill_owners(flags: &mut [Flag], rec: &Reconciled) {
    if flags.iter().all(|f| f.owner.is_some() || f.key.is_none()) {
        return;
    }
    let keys = crate::frame::strs(&rec.orders, "order_key").unwrap_or_default();
    let owners = crate::frame::strs(&rec.orders, "owner").unwrap_or_default();
    let map: std::collections::HashMap<String, String> = keys
        .into_iter()
        .zip(owners)
        .filter_map(|(k, o)| Some((k?, o?)))
        .collect();
    for f in flags.iter_mut() {
        if f.owner.is_none() {
            if let Some(k) = &f.key {
                f.owner = map.get(k).cloned();
            }
        }
    }
}
