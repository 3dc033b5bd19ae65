//! Milestones (spec section 13): each order's steps as aggregated over its
//! lines (in the orders' one group-by, [`order_aggs`]), their state at
//! as_of, and the projected ship date (the rules M01–M04 are
//! [`super::milestone_rules`]).
//!
//! The steps of an order are a handful, so the state and the projection,
//! which walk the steps in sequence, are plain loops over the order frame's
//! columns; the per-milestone and per-factory figures are polars group-bys
//! over [`Milestones::steps`] in `measure`.

use chrono::NaiveDate;
use polars::prelude::*;

use crate::frame::{bools, date_to_days, ints};
use crate::milestones::{act_col, done_col, plan_col, Steps};
use crate::period::Period;

/// The reconciled milestones.
#[derive(Clone, Debug, Default)]
pub struct Milestones {
    /// Whether some orders sheet has a milestone column (else everything
    /// here is empty and no Milestones sheet is shown).
    pub any: bool,
    /// One row per milestone of an order that is not cancelled and whose
    /// lines have a column for it: order_key, order_id, customer, owner,
    /// factory, due_date, open, step (index into [`Steps`]), plan (its plan
    /// cell, else due − lead days), plan_from_lead, act, done, state
    /// (done, done_late, overdue, due_soon, scheduled, unplanned), slip
    /// (act − plan, done with both), late (as_of − plan, when overdue).
    pub steps: DataFrame,
    /// One row per order with a milestone (not cancelled): order_key,
    /// projected (the projected ship date), slip (days, ≥ 0), at_risk
    /// (M03's condition), shown (open with a planned or done milestone),
    /// driver (the step that gives the slip, when there is one).
    pub orders: DataFrame,
}

/// Per line, before the orders' group-by: the line's `seq` where a
/// milestone is not done (`ms{i}_nd`) and where it has an actual date
/// (`ms{i}_ad`), so that the group-by takes plain minimums.
pub fn line_exprs(steps: usize) -> Vec<Expr> {
    let seq_if = |e: Expr| {
        when(e)
            .then(col("seq"))
            .otherwise(lit(NULL).cast(DataType::UInt32))
    };
    (0..steps)
        .flat_map(|i| {
            [
                seq_if(col(done_col(i)).eq(lit(false)).fill_null(lit(false)))
                    .alias(format!("ms{i}_nd")),
                seq_if(col(act_col(i)).is_not_null()).alias(format!("ms{i}_ad")),
            ]
        })
        .collect()
}

/// The aggregates of each milestone over an order's lines, for the
/// orders' group-by: the earliest plan, the latest actual, done only when
/// every line with the column says so (as 0/1), and the `seq` of the first
/// line not done and of the first line with an actual date (the cells
/// M01, M02 and M04 point at).
pub fn order_aggs(steps: usize) -> Vec<Expr> {
    let mut out = Vec::with_capacity(steps * 5);
    for i in 0..steps {
        let (p, a, d) = (plan_col(i), act_col(i), done_col(i));
        out.push(col(&p).min().alias(&p));
        out.push(col(&a).max().alias(&a));
        out.push(col(&d).cast(DataType::Int32).min().alias(&d));
        out.push(
            col(format!("ms{i}_nd"))
                .min()
                .alias(format!("ms{i}_nd_seq")),
        );
        out.push(
            col(format!("ms{i}_ad"))
                .min()
                .alias(format!("ms{i}_act_seq")),
        );
    }
    out
}

/// A state's word in the `state` column.
pub const STATES: [&str; 6] = [
    "done",
    "done_late",
    "overdue",
    "due_soon",
    "scheduled",
    "unplanned",
];

/// One order's milestone, as the loops use it.
#[derive(Clone, Copy, Debug, Default)]
struct Ms {
    plan: Option<i64>,
    from_lead: bool,
    act: Option<i64>,
    done: bool,
}

/// What moves an order's projection: the step and whether it is done.
#[derive(Clone, Copy, Debug)]
struct Driver {
    step: usize,
    slip: i64,
}

/// The state of a milestone at `now` (days) given the next period.
fn state(m: &Ms, now: i64, next: (i64, i64)) -> &'static str {
    if m.done {
        return match (m.act, m.plan) {
            (Some(a), Some(p)) if a > p => "done_late",
            _ => "done",
        };
    }
    match m.plan {
        None => "unplanned",
        Some(p) if p < now => "overdue",
        Some(p) if p == now || (next.0..=next.1).contains(&p) => "due_soon",
        Some(_) => "scheduled",
    }
}

/// The slip of an order's steps at `now` (spec section 13): the larger of
/// the last done step's actual − plan and the first overdue step's
/// now − plan, at least 0; with the step that gives it.
fn projection(ms: &[Option<Ms>], now: i64) -> Option<Driver> {
    if !ms.iter().flatten().any(|m| m.plan.is_some()) {
        return None;
    }
    let done = ms.iter().enumerate().rev().find_map(|(i, m)| {
        let m = (*m)?;
        match (m.done, m.act, m.plan) {
            (true, Some(a), Some(p)) => Some(Driver {
                step: i,
                slip: a - p,
            }),
            _ => None,
        }
    });
    let overdue = ms.iter().enumerate().find_map(|(i, m)| {
        let m = (*m)?;
        match (m.done, m.plan) {
            (false, Some(p)) if p < now => Some(Driver {
                step: i,
                slip: now - p,
            }),
            _ => None,
        }
    });
    let best = match (done, overdue) {
        (Some(d), Some(o)) if d.slip > o.slip => Some(d),
        (_, Some(o)) => Some(o),
        (d, None) => d,
    };
    Some(best.map_or(Driver { step: 0, slip: 0 }, |d| Driver {
        slip: d.slip.max(0),
        ..d
    }))
}

/// The order frame's columns the milestones need.
struct OrderCols {
    due: Vec<Option<i64>>,
    open: Vec<Option<bool>>,
    cancelled: Vec<Option<bool>>,
    /// Per step: plan, act, done (0/1), first line not done, first line
    /// with an actual date.
    plan: Vec<Vec<Option<i64>>>,
    act: Vec<Vec<Option<i64>>>,
    done: Vec<Vec<Option<i64>>>,
    nd_seq: Vec<Vec<Option<i64>>>,
    act_seq: Vec<Vec<Option<i64>>>,
}

impl OrderCols {
    fn of(orders: &DataFrame, steps: usize) -> PolarsResult<OrderCols> {
        let per_step = |f: &dyn Fn(usize) -> String| -> PolarsResult<Vec<Vec<Option<i64>>>> {
            (0..steps).map(|i| ints(orders, &f(i))).collect()
        };
        Ok(OrderCols {
            due: ints(orders, "due_date")?,
            open: bools(orders, "open")?,
            cancelled: bools(orders, "cancelled")?,
            plan: per_step(&plan_col)?,
            act: per_step(&act_col)?,
            done: per_step(&done_col)?,
            nd_seq: per_step(&|i| format!("ms{i}_nd_seq"))?,
            act_seq: per_step(&|i| format!("ms{i}_act_seq"))?,
        })
    }

    /// Order `o`'s milestones (`None`: no column for it on its lines).
    fn milestones(&self, o: usize, steps: &Steps) -> Vec<Option<Ms>> {
        (0..steps.len())
            .map(|s| {
                let done = self.done[s][o]?;
                let cell = self.plan[s][o];
                let lead = steps.steps[s].lead_days;
                let plan = cell.or_else(|| Some(self.due[o]? - lead?));
                Some(Ms {
                    plan,
                    from_lead: cell.is_none() && plan.is_some(),
                    act: self.act[s][o],
                    done: done == 1,
                })
            })
            .collect()
    }
}

/// Builds the milestone frames from the order frame (with the aggregates
/// of [`order_aggs`]); empty when it has no milestone columns.
///
/// # Errors
/// A failure inside polars.
pub fn milestones(
    orders: &DataFrame,
    steps: &Steps,
    as_of: NaiveDate,
    next: &Period,
    slack: i64,
) -> PolarsResult<Milestones> {
    if orders.column(&done_col(0)).is_err() {
        return Ok(Milestones::default());
    }
    let c = OrderCols::of(orders, steps.len())?;
    let now = i64::from(date_to_days(as_of));
    let next = (
        i64::from(date_to_days(next.start)),
        i64::from(date_to_days(next.end)),
    );
    let mut l = LongRows::default();
    let mut o_idx: Vec<IdxSize> = Vec::new();
    let (mut o_proj, mut o_slip, mut o_risk, mut o_shown, mut o_driver) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for o in 0..c.due.len() {
        if c.cancelled[o] == Some(true) {
            continue;
        }
        let ms = c.milestones(o, steps);
        if ms.iter().all(Option::is_none) {
            continue;
        }
        let open = c.open[o] == Some(true);
        for (s, m) in ms.iter().enumerate() {
            let Some(m) = m else { continue };
            l.push(&c, o, s, m, state(m, now, next), now);
        }
        let driver = c.due[o].and_then(|_| projection(&ms, now));
        let slip = driver.map(|d| d.slip);
        o_driver.push(driver.filter(|d| d.slip > 0).map(|d| d.step as u32));
        o_idx.push(o as IdxSize);
        o_proj.push(c.due[o].zip(slip).map(|(d, s)| (d + s) as i32));
        o_slip.push(slip.map(|s| s as i32));
        o_risk.push(
            open && c.due[o].is_some_and(|d| now <= d) && slip.is_some_and(|s| s > slack.max(0)),
        );
        o_shown.push(open && ms.iter().flatten().any(|m| m.plan.is_some() || m.done));
    }
    let keys = orders
        .select(["order_key"])?
        .take(&IdxCa::from_vec("".into(), o_idx))?;
    let per_order = DataFrame::new(
        keys.height(),
        vec![
            Series::new("projected".into(), o_proj)
                .cast(&DataType::Date)?
                .into(),
            Series::new("slip".into(), o_slip).into(),
            Series::new("at_risk".into(), o_risk).into(),
            Series::new("shown".into(), o_shown).into(),
            Series::new("driver".into(), o_driver).into(),
        ],
    )?;
    let orders_out = keys.hstack(per_order.columns())?;
    let steps_out = l.into_frame(orders)?;
    Ok(Milestones {
        any: true,
        steps: steps_out,
        orders: orders_out,
    })
}

/// The rows of [`Milestones::steps`] under construction: the order (its
/// row in the order frame, whose columns are gathered at the end) and the
/// step's own values.
#[derive(Default)]
struct LongRows {
    order: Vec<IdxSize>,
    step: Vec<u32>,
    plan: Vec<Option<i32>>,
    from_lead: Vec<bool>,
    act: Vec<Option<i32>>,
    done: Vec<bool>,
    state: Vec<&'static str>,
    slip: Vec<Option<i32>>,
    late: Vec<Option<i32>>,
    nd_seq: Vec<Option<i64>>,
    act_seq: Vec<Option<i64>>,
}

impl LongRows {
    fn push(&mut self, c: &OrderCols, o: usize, s: usize, m: &Ms, state: &'static str, now: i64) {
        self.order.push(o as IdxSize);
        self.step.push(s as u32);
        self.plan.push(m.plan.map(|d| d as i32));
        self.from_lead.push(m.from_lead);
        self.act.push(m.act.map(|d| d as i32));
        self.done.push(m.done);
        self.state.push(state);
        self.slip.push(match (m.done, m.act, m.plan) {
            (true, Some(a), Some(p)) => Some((a - p) as i32),
            _ => None,
        });
        self.late.push(
            (state == "overdue")
                .then(|| m.plan.map(|p| (now - p) as i32))
                .flatten(),
        );
        self.nd_seq.push(c.nd_seq[s][o]);
        self.act_seq.push(c.act_seq[s][o]);
    }

    /// The frame: the order's columns gathered from `orders` (one polars
    /// take), then the step's.
    fn into_frame(self, orders: &DataFrame) -> PolarsResult<DataFrame> {
        let base = orders
            .select([
                "order_key",
                "order_id",
                "customer",
                "owner",
                "factory",
                "due_date",
                "open",
                "first_src",
                "first_row",
            ])?
            .take(&IdxCa::from_vec("".into(), self.order))?;
        let n = self.step.len();
        let date = |name: &str, v: Vec<Option<i32>>| -> PolarsResult<Column> {
            Ok(Series::new(name.into(), v).cast(&DataType::Date)?.into())
        };
        let own = DataFrame::new(
            n,
            vec![
                Series::new("step".into(), self.step).into(),
                date("plan", self.plan)?,
                Series::new("plan_from_lead".into(), self.from_lead).into(),
                date("act", self.act)?,
                Series::new("done".into(), self.done).into(),
                Series::new("state".into(), self.state).into(),
                Series::new("slip".into(), self.slip).into(),
                Series::new("late".into(), self.late).into(),
                Series::new("nd_seq".into(), self.nd_seq).into(),
                Series::new("act_seq".into(), self.act_seq).into(),
            ],
        )?;
        let mut out = base.hstack(own.columns())?;
        // `open` as a plain boolean (an order's null is not open).
        out.with_column(
            out.column("open")?
                .as_materialized_series()
                .bool()?
                .fill_null_with_values(false)?
                .into_series()
                .into_column(),
        )?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(plan: Option<i64>, act: Option<i64>, done: bool) -> Option<Ms> {
        Some(Ms {
            plan,
            from_lead: false,
            act,
            done,
        })
    }

    #[test]
    fn a_late_step_caught_up_by_a_later_one_no_longer_counts() {
        let now = 100;
        let ms = [m(Some(50), Some(60), true), m(Some(70), Some(68), true)];
        assert_eq!(projection(&ms, now).map(|d| d.slip), Some(0));
        let ms = [m(Some(50), Some(60), true), m(Some(90), None, false)];
        assert_eq!(projection(&ms, now).map(|d| d.slip), Some(10));
        // An overdue first step pushes everything after it.
        let ms = [m(Some(93), None, false), m(Some(99), Some(99), true)];
        let d = projection(&ms, now).unwrap();
        assert_eq!((d.step, d.slip), (0, 7));
        assert_eq!(
            projection(&[m(None, None, false)], now).map(|d| d.slip),
            None
        );
    }

    proptest::proptest! {
        /// The slip is never negative: the projection never puts a ship
        /// date before the due date.
        #[test]
        fn the_projection_is_never_before_the_due_date(
            steps in proptest::collection::vec(
                (proptest::option::of(0i64..200), proptest::option::of(0i64..200), proptest::bool::ANY),
                0..8,
            ),
            now in 0i64..200,
        ) {
            let ms: Vec<Option<Ms>> = steps
                .iter()
                .map(|(p, a, done)| m(*p, a.filter(|_| *done), *done))
                .collect();
            if let Some(d) = projection(&ms, now) {
                proptest::prop_assert!(d.slip >= 0);
                proptest::prop_assert!(d.step < ms.len().max(1));
            }
        }
    }

    #[test]
    fn states() {
        let next = (101, 107);
        for (plan, act, done, want) in [
            (Some(99), None, false, "overdue"),
            (Some(100), None, false, "due_soon"),
            (Some(107), None, false, "due_soon"),
            (Some(108), None, false, "scheduled"),
            (Some(90), Some(95), true, "done_late"),
            (Some(90), None, true, "done"),
            (None, None, false, "unplanned"),
        ] {
            let step = m(plan, act, done).unwrap();
            assert_eq!(state(&step, 100, next), want, "{plan:?} {act:?} {done}");
        }
    }
}
