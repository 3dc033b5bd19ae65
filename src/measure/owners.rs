//! What is selected per merchandiser: the receivables overdue beside each
//! row of By owner (one column per currency), and the rows and flags of
//! one owner's own workbook. `report/` lays these out as they are.

use polars::prelude::*;

use super::detail::Detail;
use super::receivable_overdue;
use crate::flags::Flag;
use crate::frame::{floats, strs};
use crate::reconcile::Reconciled;

/// Receivables overdue per merchandiser, one column per currency (in
/// currency order; `?` for none), each with a value per row of By owner
/// (`None` where nothing is overdue).
#[derive(Clone, Debug, Default)]
pub struct OwnerReceivables {
    pub currencies: Vec<String>,
    /// Per currency, per row of `by_owner`.
    pub overdue: Vec<Vec<Option<f64>>>,
}

/// The receivables overdue of each owner of `by_owner`, per currency.
///
/// # Errors
/// A failure inside polars.
pub fn receivables(rec: &Reconciled, by_owner: &DataFrame) -> PolarsResult<OwnerReceivables> {
    let per = rec
        .payments
        .clone()
        .lazy()
        .with_column(receivable_overdue().alias("overdue"))
        .filter(col("overdue").gt(lit(0.0)).and(col("owner").is_not_null()))
        .group_by([col("owner"), col("currency")])
        .agg([col("overdue").sum()])
        .sort(
            ["owner", "currency"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?;
    let (o, c, a) = (
        strs(&per, "owner")?,
        strs(&per, "currency")?,
        floats(&per, "overdue")?,
    );
    let currency = |x: &Option<String>| x.clone().unwrap_or_else(|| "?".into());
    let currencies: std::collections::BTreeSet<String> = c.iter().map(currency).collect();
    let owners = strs(by_owner, "owner")?;
    let overdue = currencies
        .iter()
        .map(|cur| {
            owners
                .iter()
                .map(|owner| {
                    let v: f64 = o
                        .iter()
                        .zip(&c)
                        .zip(&a)
                        .filter(|((oo, cc), _)| *oo == owner && currency(cc) == *cur)
                        .map(|(_, x)| x.unwrap_or(0.0))
                        .sum();
                    (v > 0.0).then_some(v)
                })
                .collect()
        })
        .collect();
    Ok(OwnerReceivables {
        currencies: currencies.into_iter().collect(),
        overdue,
    })
}

/// One merchandiser's rows of the sheets their own workbook shows.
pub struct OwnerDetail {
    pub open_orders: DataFrame,
    pub due_next_period: DataFrame,
    pub arriving_next_period: DataFrame,
    /// Their orders' and shipments' due-date and ETA changes, and their
    /// open orders re-promised more than once (spec section 14).
    pub date_changes: Option<DataFrame>,
    pub repromised_often: DataFrame,
    /// Their L/C orders' dates in the next period (spec section 10.1);
    /// `None` when the orders have no L/C.
    pub lc_dates_next_period: Option<DataFrame>,
}

/// The rows of `owner`'s orders and shipments, for their workbook.
///
/// # Errors
/// A failure inside polars.
pub fn detail_of(detail: &Detail, owner: &str) -> PolarsResult<OwnerDetail> {
    let only = |df: &DataFrame| {
        df.clone()
            .lazy()
            .filter(col("owner").eq(lit(owner)).fill_null(lit(false)))
            .collect()
    };
    Ok(OwnerDetail {
        open_orders: only(&detail.open_orders)?,
        due_next_period: only(&detail.due_next_period)?,
        arriving_next_period: only(&detail.arriving_next_period)?,
        date_changes: detail.date_changes.as_ref().map(only).transpose()?,
        repromised_often: only(&detail.repromised_often)?,
        lc_dates_next_period: match &detail.lc_dates_next_period {
            df if df.get_column_index("owner").is_some() => Some(only(df)?),
            _ => None,
        },
    })
}

/// The flags of `owner`, for their workbook.
pub fn flags_of(flags: &[Flag], owner: &str) -> Vec<Flag> {
    flags
        .iter()
        .filter(|f| f.owner.as_deref() == Some(owner))
        .cloned()
        .collect()
}
