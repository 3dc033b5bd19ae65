//! What the milestone figures and sheets show (spec sections 6 and 13),
//! selected from the reconciled milestones: the KPIs, the grid of open
//! orders most slipped first, the per-milestone and per-factory tables and
//! the milestones due next period. `report` only lays these out.

use chrono::NaiveDate;
use polars::prelude::*;

use super::{in_period, most_first, Kpis};
use crate::frame::{days_to_date, floats, ints, strs};
use crate::period::Period;
use crate::reconcile::Reconciled;

/// One open order's row of the Milestones sheet.
#[derive(Clone, Debug)]
pub struct GridRow {
    pub order_id: Option<String>,
    pub customer: Option<String>,
    pub owner: Option<String>,
    pub factory: Option<String>,
    pub due: Option<NaiveDate>,
    pub projected: Option<NaiveDate>,
    pub slip: Option<i64>,
    /// Per step in sequence (`None`: the order has no column for it).
    pub cells: Vec<Option<GridCell>>,
}

/// One milestone of a grid row: the date it shows (the actual when done,
/// else the plan), its state word, and the plan (for a note when done late).
#[derive(Clone, Debug)]
pub struct GridCell {
    pub date: Option<NaiveDate>,
    pub state: String,
    pub plan: Option<NaiveDate>,
}

/// The milestones as the reports show them.
#[derive(Clone, Debug, Default)]
pub struct MilestoneView {
    /// Whether the Milestones sheet is shown (a milestone column exists).
    pub any: bool,
    pub steps: crate::milestones::Steps,
    /// Open orders with a planned or done milestone, most slipped first.
    pub rows: Vec<GridRow>,
    /// step (index), due, done, on_time, overdue, slip_median
    pub by_step: DataFrame,
    /// factory, open_orders, at_risk, otd_rate, due, done, on_time,
    /// overdue, slip_median
    pub by_factory: DataFrame,
    /// order_id, step (index), plan, days_left, owner, factory: the
    /// milestones due next period, soonest first.
    pub coming: DataFrame,
}

impl MilestoneView {
    /// The view of one merchandiser's orders.
    pub fn of_owner(&self, owner: &str) -> MilestoneView {
        MilestoneView {
            rows: self
                .rows
                .iter()
                .filter(|r| r.owner.as_deref() == Some(owner))
                .cloned()
                .collect(),
            coming: self
                .coming
                .clone()
                .lazy()
                .filter(col("owner").eq(lit(owner)).fill_null(lit(false)))
                .collect()
                .unwrap_or_else(|_| self.coming.clear()),
            ..self.clone()
        }
    }
}

/// Done in `p` (actual in the period) with a plan.
fn done_in(p: &Period) -> Expr {
    col("done")
        .and(in_period("act", p))
        .and(col("plan").is_not_null())
}

/// The milestone figures of `p` (spec section 13) over a group of
/// milestones: planned in it (`due`), done in it (`done`), done in it with
/// a plan (`rated`) and of those on time (`on_time`), overdue now, and the
/// median slip of those done in it.
fn figure_exprs(p: &Period) -> Vec<Expr> {
    vec![
        in_period("plan", p).sum().alias("due"),
        col("done").and(in_period("act", p)).sum().alias("done"),
        done_in(p).sum().alias("rated"),
        done_in(p)
            .and(col("act").lt_eq(col("plan")))
            .sum()
            .alias("on_time"),
        col("open")
            .and(col("state").eq(lit("overdue")))
            .sum()
            .alias("overdue"),
        col("slip")
            .filter(done_in(p))
            .cast(DataType::Float64)
            .median()
            .alias("slip_median"),
    ]
}

/// The figures of the whole of `p`, one row.
fn figures_of(rec: &Reconciled, p: &Period) -> PolarsResult<DataFrame> {
    rec.milestones
        .steps
        .clone()
        .lazy()
        .select(figure_exprs(p))
        .collect()
}

/// The first row's value of a figure.
fn first(f: &DataFrame, c: &str) -> PolarsResult<Option<f64>> {
    Ok(floats(f, c)?
        .first()
        .copied()
        .flatten()
        .filter(|x| x.is_finite()))
}

/// on_time / rated: `None` when nothing was done with a plan.
fn rate(f: &DataFrame) -> PolarsResult<Option<f64>> {
    Ok(match (first(f, "on_time")?, first(f, "rated")?) {
        (Some(k), Some(n)) if n > 0.0 => Some(k / n),
        _ => None,
    })
}

/// The milestone KPIs of `p` (spec section 13).
pub fn kpis(k: &mut Kpis, rec: &Reconciled, p: &Period) -> PolarsResult<()> {
    let ms = &rec.milestones;
    if !ms.any {
        return Ok(());
    }
    let f = figures_of(rec, p)?;
    let count = |c: &str| -> PolarsResult<u64> { Ok(first(&f, c)?.unwrap_or(0.0) as u64) };
    k.milestones_due = count("due")?;
    k.milestones_on_time_rate = rate(&f)?;
    k.milestones_overdue = count("overdue")?;
    k.milestone_slip_median_days = first(&f, "slip_median")?;
    k.orders_at_risk = ms
        .orders
        .column("at_risk")?
        .as_materialized_series()
        .bool()?
        .sum()
        .unwrap_or(0) as u64;
    Ok(())
}

/// The on-time rate of milestones done in `p`, for the trend.
pub fn on_time_rate(rec: &Reconciled, p: &Period) -> PolarsResult<Option<f64>> {
    if !rec.milestones.any {
        return Ok(None);
    }
    rate(&figures_of(rec, p)?)
}

/// The figures of each group of `by`.
fn figures(steps: &DataFrame, by: &str, p: &Period) -> PolarsResult<DataFrame> {
    steps
        .clone()
        .lazy()
        .group_by([col(by)])
        .agg(figure_exprs(p))
        .collect()
}

/// Everything the reports show of the milestones.
pub fn view(rec: &Reconciled, p: &Period, next: &Period) -> PolarsResult<MilestoneView> {
    let ms = &rec.milestones;
    if !ms.any {
        return Ok(MilestoneView::default());
    }
    let by_step = figures(&ms.steps, "step", p)?
        .lazy()
        .sort(["step"], SortMultipleOptions::default())
        .collect()?;
    let open_by_factory = rec
        .orders
        .clone()
        .lazy()
        .filter(col("open"))
        .group_by([col("factory")])
        .agg([len().alias("open_orders")]);
    let otd_by_factory = rec
        .orders
        .clone()
        .lazy()
        .filter(super::is_due(p))
        .group_by([col("factory")])
        .agg([col("on_time")
            .cast(DataType::Float64)
            .mean()
            .alias("otd_rate")]);
    let risk_by_factory = rec
        .orders
        .clone()
        .lazy()
        .select([col("order_key"), col("factory")])
        .inner_join(ms.orders.clone().lazy(), col("order_key"), col("order_key"))
        .group_by([col("factory")])
        .agg([col("at_risk").sum().alias("at_risk")]);
    let join = |a: LazyFrame, b: LazyFrame| {
        let mut args = JoinArgs::new(JoinType::Left);
        // Orders without a factory are one group, as in `figures`.
        args.nulls_equal = true;
        a.join(b, [col("factory")], [col("factory")], args)
    };
    let by_factory = join(
        join(
            join(figures(&ms.steps, "factory", p)?.lazy(), open_by_factory),
            risk_by_factory,
        ),
        otd_by_factory,
    )
    .with_columns([
        col("open_orders").fill_null(lit(0u32)),
        col("at_risk").fill_null(lit(0u32)),
    ])
    .sort(
        ["at_risk", "overdue", "factory"],
        most_first([true, true, false]),
    )
    .collect()?;
    let coming = ms
        .steps
        .clone()
        .lazy()
        .filter(
            col("open")
                .and(col("done").not())
                .and(in_period("plan", next)),
        )
        .select([
            col("order_id"),
            col("step"),
            col("plan"),
            (crate::frame::days("plan") - lit(crate::frame::date_to_days(rec.as_of)))
                .alias("days_left"),
            col("owner"),
            col("factory"),
        ])
        .sort(["plan", "order_id"], SortMultipleOptions::default())
        .collect()?;
    Ok(MilestoneView {
        any: true,
        steps: rec.steps.clone(),
        rows: grid(rec)?,
        by_step,
        by_factory,
        coming,
    })
}

/// The grid's rows: open orders with a planned or done milestone, the
/// most slipped first (then the earliest due, then the order id).
fn grid(rec: &Reconciled) -> PolarsResult<Vec<GridRow>> {
    let ms = &rec.milestones;
    let n_steps = rec.steps.len();
    let o = &ms.orders;
    let shown = crate::frame::bools(o, "shown")?;
    let keys = strs(o, "order_key")?;
    let proj = ints(o, "projected")?;
    let slip = ints(o, "slip")?;
    let mut rows: Vec<(String, GridRow)> = Vec::new();
    let mut at: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for i in 0..o.height() {
        let (Some(true), Some(k)) = (shown[i], keys[i].clone()) else {
            continue;
        };
        at.insert(k.clone(), rows.len());
        rows.push((
            k,
            GridRow {
                order_id: None,
                customer: None,
                owner: None,
                factory: None,
                due: None,
                projected: proj[i].map(|d| days_to_date(d as i32)),
                slip: slip[i],
                cells: vec![None; n_steps],
            },
        ));
    }
    let f = &ms.steps;
    let text = |c: &str| strs(f, c);
    let (key, order_id, customer) = (text("order_key")?, text("order_id")?, text("customer")?);
    let (owner, factory, state) = (text("owner")?, text("factory")?, text("state")?);
    let day = |c: &str| ints(f, c);
    let (due, plan, act) = (day("due_date")?, day("plan")?, day("act")?);
    let step = ints(f, "step")?;
    let date = |d: Option<i64>| d.map(|d| days_to_date(d as i32));
    for j in 0..f.height() {
        let Some(&r) = key[j].as_ref().and_then(|k| at.get(k)) else {
            continue;
        };
        let row = &mut rows[r].1;
        row.order_id.clone_from(&order_id[j]);
        row.customer.clone_from(&customer[j]);
        row.owner.clone_from(&owner[j]);
        row.factory.clone_from(&factory[j]);
        row.due = date(due[j]);
        let s = step[j].unwrap_or(0) as usize;
        let st = state[j].clone().unwrap_or_default();
        let done = st.starts_with("done");
        if let Some(c) = row.cells.get_mut(s) {
            *c = Some(GridCell {
                date: if done { date(act[j]) } else { date(plan[j]) },
                state: st,
                plan: date(plan[j]),
            });
        }
    }
    let mut rows: Vec<GridRow> = rows.into_iter().map(|(_, r)| r).collect();
    rows.sort_by(|a, b| {
        b.slip
            .unwrap_or(0)
            .cmp(&a.slip.unwrap_or(0))
            .then(a.due.cmp(&b.due))
            .then(a.order_id.cmp(&b.order_id))
    });
    Ok(rows)
}
