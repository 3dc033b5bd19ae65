//! The promise history of spec section 14 on the reconciled frames: each
//! order's first promise and re-promises and each shipment's ETA changes
//! from what the recorded runs saw ([`with_past`], handed in by the
//! command), and what this run saw of the due dates and ETAs, for the
//! command to record ([`seen`]).

use polars::prelude::*;

use super::Reconciled;
use crate::frame::{bools, date_to_days, days_to_date, ints, strs};
use crate::promise::{Past, Recorded, Seen};

/// Adds to the orders (spec section 14):
/// - `due_prev`: the due date the previous recorded run saw;
/// - `due_changed`: the due date differs from it (false when that run did
///   not see the order or either date is empty; null when the previous
///   run recorded no due dates, or there is none);
/// - `first_recorded`: the due date of the earliest recorded run that had
///   one, else this run's;
/// - `first_promise`: the `original_due_date` cell, else `first_recorded`;
/// - `repromises`: the changes over the recorded runs, this run's against
///   the latest recorded date, and one when the original_due_date cell
///   differs from the first recorded date;
/// - `on_time_first`: the first shipment on or before the first promise
///   (null without one).
///
/// And to the shipments `eta_prev`, `eta_changed` (shipped and undelivered
/// in both runs with an ETA that differs; null as `due_changed`),
/// `eta_first` and `eta_changes`.
///
/// # Errors
/// A failure inside polars.
pub fn with_past(
    orders: DataFrame,
    shipments: DataFrame,
    past: &Past,
) -> PolarsResult<(DataFrame, DataFrame)> {
    let day = |d: chrono::NaiveDate| date_to_days(d) as i64;
    let keys = strs(&orders, "order_key")?;
    let due = ints(&orders, "due_date")?;
    let orig = ints(&orders, "original_due_date")?;
    let n = orders.height();
    let (mut prev, mut changed, mut first_rec, mut first, mut times) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    for i in 0..n {
        let p: Option<&Recorded> = keys[i].as_ref().and_then(|k| past.due_dates.get(k));
        let was = p.and_then(|p| p.previous).map(day);
        prev.push(was);
        changed.push(
            past.recorded
                .then(|| matches!((was, due[i]), (Some(a), Some(b)) if a != b)),
        );
        let fr = p.map(|p| day(p.first)).or(due[i]);
        first_rec.push(fr);
        first.push(orig[i].or(fr));
        let mut t = p.map(|p| p.changes).unwrap_or(0);
        if matches!((p, due[i]), (Some(p), Some(d)) if day(p.last) != d) {
            t += 1;
        }
        if matches!((orig[i], fr), (Some(o), Some(f)) if o != f) {
            t += 1;
        }
        times.push(t);
    }
    let date = |name: &str, v: Vec<Option<i64>>| -> PolarsResult<Column> {
        let s = Series::new(
            name.into(),
            v.into_iter()
                .map(|d| d.map(|d| d as i32))
                .collect::<Vec<_>>(),
        );
        Ok(s.cast(&DataType::Date)?.into())
    };
    let mut orders = orders;
    orders.with_column(date("due_prev", prev)?)?;
    orders.with_column(Column::new("due_changed".into(), changed))?;
    orders.with_column(date("first_recorded", first_rec)?)?;
    orders.with_column(date("first_promise", first)?)?;
    orders.with_column(Column::new("repromises".into(), times))?;
    let orders = orders
        .lazy()
        .with_column(
            when(col("first_promise").is_null())
                .then(lit(NULL).cast(DataType::Boolean))
                .otherwise(
                    col("first_ship_date")
                        .lt_eq(col("first_promise"))
                        .fill_null(lit(false)),
                )
                .alias("on_time_first"),
        )
        .collect()?;

    let sh = shipments;
    let n = sh.height();
    let (mut prev, mut changed, mut first, mut times) = (
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
        Vec::with_capacity(n),
    );
    let has_eta = sh.column("eta").is_ok() && n > 0;
    let (ident, keys, eta, shipped, undelivered) = if has_eta {
        (
            super::rules::row_identity(&sh)?,
            strs(&sh, "order_key")?,
            ints(&sh, "eta")?,
            bools(&sh, "shipped")?,
            bools(&sh, "undelivered")?,
        )
    } else {
        Default::default()
    };
    for i in 0..n {
        let p = match (keys.get(i), ident.get(i)) {
            (Some(Some(k)), Some(Some(id))) => past.etas.get(&(k.clone(), id.clone())),
            _ => None,
        };
        let now = eta.get(i).copied().flatten();
        let live = shipped.get(i).copied().flatten() == Some(true)
            && undelivered.get(i).copied().flatten() == Some(true);
        let was = p.and_then(|p| p.previous).map(day);
        prev.push(was);
        let moved = live && matches!((was, now), (Some(a), Some(b)) if a != b);
        changed.push(past.recorded.then_some(moved));
        first.push(p.map(|p| day(p.first)).or(if live { now } else { None }));
        let mut t = p.map(|p| p.changes).unwrap_or(0);
        if live && matches!((p, now), (Some(p), Some(b)) if day(p.last) != b) {
            t += 1;
        }
        times.push(t);
    }
    let mut sh = sh;
    sh.with_column(date("eta_prev", prev)?)?;
    sh.with_column(Column::new("eta_changed".into(), changed))?;
    sh.with_column(date("eta_first", first)?)?;
    sh.with_column(Column::new("eta_changes".into(), times))?;
    Ok((orders, sh))
}

/// Each order's due date (by order key) and each shipped, undelivered
/// shipment's ETA (by order key and the shipment's identity, as flags are
/// fingerprinted; the first shipment of an identity within an order).
///
/// # Errors
/// A failure inside polars.
pub fn seen(rec: &Reconciled) -> PolarsResult<Seen> {
    let keys = strs(&rec.orders, "order_key")?;
    let due = ints(&rec.orders, "due_date")?;
    let due_dates = keys
        .into_iter()
        .zip(due)
        .filter_map(|(k, d)| Some((k?, days_to_date(d? as i32))))
        .collect();
    let sh = &rec.shipments;
    let mut etas = Vec::new();
    if sh.height() > 0 && sh.column("eta").is_ok() {
        let ident = super::rules::row_identity(sh)?;
        let (keys, eta) = (strs(sh, "order_key")?, ints(sh, "eta")?);
        let (shipped, undelivered) = (bools(sh, "shipped")?, bools(sh, "undelivered")?);
        let mut taken = std::collections::HashSet::new();
        for i in 0..sh.height() {
            if shipped[i] != Some(true) || undelivered[i] != Some(true) {
                continue;
            }
            if let (Some(k), Some(id), Some(e)) = (&keys[i], &ident[i], eta[i]) {
                if taken.insert((k.clone(), id.clone())) {
                    etas.push((k.clone(), id.clone(), days_to_date(e as i32)));
                }
            }
        }
    }
    Ok(Seen { due_dates, etas })
}
