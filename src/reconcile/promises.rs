//! The promise history of spec section 14 on the reconciled frames: what
//! this run saw of the due dates and ETAs, for the command to record.

use polars::prelude::*;

use super::Reconciled;
use crate::frame::{bools, days_to_date, ints, strs};
use crate::promise::Seen;

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
