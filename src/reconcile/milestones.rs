//! Milestones (spec section 13): each order's steps as aggregated over its
//! lines (in the orders' one group-by, [`order_aggs`]), their state at
//! as_of, the projected ship date, and the rules M01–M04.
//!
//! The steps of an order are a handful, so the state and the projection,
//! which walk the steps in sequence, are plain loops over the order frame's
//! columns; the per-milestone and per-factory figures are polars group-bys
//! over [`Milestones::steps`] in `measure`.

use std::collections::HashMap;

use chrono::NaiveDate;
use polars::prelude::*;

use super::rules::RuleContext;
use crate::flags::{Flag, Place, RuleId, Table};
use crate::frame::{bools, date_to_days, days_to_date, ints, strs};
use crate::i18n;
use crate::milestones::{act_col, done_col, plan_col, Side, Steps};
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

/// The aggregates of each milestone over an order's lines, for the
/// orders' group-by: the earliest plan, the latest actual, done only when
/// every line with the column says so (as 0/1), and the `seq` of the first
/// line not done and of the line with the latest actual (the cells M01,
/// M02 and M04 point at).
pub fn order_aggs(steps: usize) -> Vec<Expr> {
    let mut out = Vec::with_capacity(steps * 5);
    for i in 0..steps {
        let (p, a, d) = (plan_col(i), act_col(i), done_col(i));
        out.push(col(&p).min().alias(&p));
        out.push(col(&a).max().alias(&a));
        out.push(col(&d).cast(DataType::Int32).min().alias(&d));
        out.push(
            col("seq")
                .filter(col(&d).eq(lit(false)).fill_null(lit(false)))
                .first()
                .alias(format!("ms{i}_nd_seq")),
        );
        out.push(
            col("seq")
                .filter(col(&a).eq(col(&a).max()).fill_null(lit(false)))
                .first()
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
    key: Vec<Option<String>>,
    order_id: Vec<Option<String>>,
    customer: Vec<Option<String>>,
    owner: Vec<Option<String>>,
    factory: Vec<Option<String>>,
    due: Vec<Option<i64>>,
    open: Vec<Option<bool>>,
    cancelled: Vec<Option<bool>>,
    first_src: Vec<Option<i64>>,
    first_row: Vec<Option<i64>>,
    /// Per step: plan, act, done (0/1), first line not done, latest actual.
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
            key: strs(orders, "order_key")?,
            order_id: strs(orders, "order_id")?,
            customer: strs(orders, "customer")?,
            owner: strs(orders, "owner")?,
            factory: strs(orders, "factory")?,
            due: ints(orders, "due_date")?,
            open: bools(orders, "open")?,
            cancelled: bools(orders, "cancelled")?,
            first_src: ints(orders, "first_src")?,
            first_row: ints(orders, "first_row")?,
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
    let mut o_key = Vec::new();
    let (mut o_proj, mut o_slip, mut o_risk, mut o_shown, mut o_driver) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for o in 0..c.key.len() {
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
        o_key.push(c.key[o].clone());
        o_proj.push(c.due[o].zip(slip).map(|(d, s)| (d + s) as i32));
        o_slip.push(slip.map(|s| s as i32));
        o_risk.push(
            open && c.due[o].is_some_and(|d| now <= d) && slip.is_some_and(|s| s > slack.max(0)),
        );
        o_shown.push(open && ms.iter().flatten().any(|m| m.plan.is_some() || m.done));
    }
    let orders = DataFrame::new(
        o_key.len(),
        vec![
            Series::new("order_key".into(), o_key).into(),
            Series::new("projected".into(), o_proj)
                .cast(&DataType::Date)?
                .into(),
            Series::new("slip".into(), o_slip).into(),
            Series::new("at_risk".into(), o_risk).into(),
            Series::new("shown".into(), o_shown).into(),
            Series::new("driver".into(), o_driver).into(),
        ],
    )?;
    Ok(Milestones {
        any: true,
        steps: l.into_frame()?,
        orders,
    })
}

/// The rows of [`Milestones::steps`] under construction.
#[derive(Default)]
struct LongRows {
    order: Vec<usize>,
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
    cols: Option<LongOrderCols>,
}

/// The order columns repeated on each of its milestones.
#[derive(Default)]
struct LongOrderCols {
    key: Vec<Option<String>>,
    order_id: Vec<Option<String>>,
    customer: Vec<Option<String>>,
    owner: Vec<Option<String>>,
    factory: Vec<Option<String>>,
    due: Vec<Option<i32>>,
    open: Vec<bool>,
    first_src: Vec<Option<i64>>,
    first_row: Vec<Option<i64>>,
}

impl LongRows {
    fn push(&mut self, c: &OrderCols, o: usize, s: usize, m: &Ms, state: &'static str, now: i64) {
        let oc = self.cols.get_or_insert_with(LongOrderCols::default);
        oc.key.push(c.key[o].clone());
        oc.order_id.push(c.order_id[o].clone());
        oc.customer.push(c.customer[o].clone());
        oc.owner.push(c.owner[o].clone());
        oc.factory.push(c.factory[o].clone());
        oc.due.push(c.due[o].map(|d| d as i32));
        oc.open.push(c.open[o] == Some(true));
        oc.first_src.push(c.first_src[o]);
        oc.first_row.push(c.first_row[o]);
        self.order.push(o);
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

    fn into_frame(self) -> PolarsResult<DataFrame> {
        let oc = self.cols.unwrap_or_default();
        let n = self.step.len();
        let date = |name: &str, v: Vec<Option<i32>>| -> PolarsResult<Column> {
            Ok(Series::new(name.into(), v).cast(&DataType::Date)?.into())
        };
        DataFrame::new(
            n,
            vec![
                Series::new("order_key".into(), oc.key).into(),
                Series::new("order_id".into(), oc.order_id).into(),
                Series::new("customer".into(), oc.customer).into(),
                Series::new("owner".into(), oc.owner).into(),
                Series::new("factory".into(), oc.factory).into(),
                date("due_date", oc.due)?,
                Series::new("open".into(), oc.open).into(),
                Series::new("first_src".into(), oc.first_src).into(),
                Series::new("first_row".into(), oc.first_row).into(),
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
        )
    }
}

/// `11-20`: a date as the milestone messages show it.
fn md(days: Option<i64>) -> String {
    days.map(|d| days_to_date(d as i32).format("%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// M01–M04 (spec section 13) on the open orders' milestones.
///
/// # Errors
/// A failure inside polars.
pub fn rules(
    ctx: &RuleContext,
    ms: &Milestones,
    steps: &Steps,
    lines: &DataFrame,
    out: &mut Vec<Flag>,
) -> PolarsResult<()> {
    if !ms.any || ms.steps.height() == 0 {
        return Ok(());
    }
    let f = &ms.steps;
    let key = strs(f, "order_key")?;
    let order_id = strs(f, "order_id")?;
    let owner = strs(f, "owner")?;
    let open = bools(f, "open")?;
    let step = ints(f, "step")?;
    let plan = ints(f, "plan")?;
    let act = ints(f, "act")?;
    let done = bools(f, "done")?;
    let state = strs(f, "state")?;
    let due = ints(f, "due_date")?;
    let first_src = ints(f, "first_src")?;
    let first_row = ints(f, "first_row")?;
    let nd_seq = ints(f, "nd_seq")?;
    let act_seq = ints(f, "act_seq")?;
    type Projection = (Option<i64>, Option<i64>, bool, Option<i64>);
    let proj: HashMap<String, Projection> = {
        let k = strs(&ms.orders, "order_key")?;
        let p = ints(&ms.orders, "projected")?;
        let s = ints(&ms.orders, "slip")?;
        let r = bools(&ms.orders, "at_risk")?;
        let d = ints(&ms.orders, "driver")?;
        k.into_iter()
            .zip(p.into_iter().zip(s).zip(r).zip(d))
            .filter_map(|(k, (((p, s), r), d))| Some((k?, (p, s, r == Some(true), d))))
            .collect()
    };
    let lines_at = line_places(lines, nd_seq.iter().chain(&act_seq))?;
    let now = i64::from(date_to_days(ctx.as_of));
    let lang = ctx.lang;
    let name = |i: usize| -> &str {
        step[i]
            .and_then(|s| steps.steps.get(s as usize))
            .map_or("?", |s| s.name(lang))
    };
    let s_of = |i: usize| step[i].unwrap_or(0) as usize;
    let flag = |rule: RuleId,
                i: usize,
                place: Place,
                field: &'static str,
                value: Option<i64>,
                msg: String|
     -> Option<Flag> {
        let sev = ctx.policy.severity(rule, rule.default_severity())?;
        Some(Flag {
            order_id: order_id[i].clone(),
            owner: owner[i].clone(),
            key: key[i].clone(),
            value: value.map(|d| days_to_date(d as i32).format("%Y-%m-%d").to_string()),
            ..Flag::new(rule, sev, Table::Orders, field, place, msg)
        })
    };
    let place_at = |seq: Option<i64>, i: usize, side: Side| -> Place {
        let (src, row) = seq
            .and_then(|q| lines_at.get(&q).copied())
            .unwrap_or((first_src[i].unwrap_or(0), first_row[i].unwrap_or(0)));
        match ctx.sources.get(src as usize) {
            Some(s) => Place {
                file: s.file.clone(),
                sheet: s.sheet.clone(),
                cell: match side {
                    Side::Actual => s.ms_cell(s_of(i), row as u32),
                    Side::Plan => s.ms_plan_cell(s_of(i), row as u32),
                },
            },
            None => Place {
                file: String::new(),
                sheet: String::new(),
                cell: format!("A{row}"),
            },
        }
    };
    let mut prev_done: Option<(String, usize)> = None;
    let mut at_risk_done: std::collections::HashSet<String> = std::collections::HashSet::new();
    for i in 0..f.height() {
        if open[i] != Some(true) {
            continue;
        }
        let k = key[i].clone().unwrap_or_default();
        let (projected, slip, risk, driver) =
            proj.get(&k).copied().unwrap_or((None, None, false, None));
        let field = steps.steps.get(s_of(i)).map_or("order_id", |s| s.key);
        let common = |days: i64| {
            vec![
                ("step", name(i).to_string()),
                ("plan", md(plan[i])),
                ("days", days.to_string()),
                ("projected", md(projected)),
                ("due", md(due[i])),
            ]
        };
        let fill = |key: &str, args: Vec<(&str, String)>| {
            let a: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            i18n::fill(lang, key, &a)
        };
        // Without a due date there is no projection to name.
        let (k01, k02) = if due[i].is_some() {
            ("m01", "m02")
        } else {
            ("m01.no_due", "m02.no_due")
        };
        match state[i].as_deref() {
            Some("overdue") => {
                let days = now - plan[i].unwrap_or(now);
                let msg = fill(k01, common(days));
                out.extend(flag(
                    RuleId::M01,
                    i,
                    place_at(nd_seq[i], i, Side::Actual),
                    field,
                    plan[i],
                    msg,
                ));
            }
            Some("due_soon") if plan[i].is_some_and(|p| p > now) => {
                let days = plan[i].unwrap_or(now) - now;
                let msg = fill(k02, common(days));
                out.extend(flag(
                    RuleId::M02,
                    i,
                    place_at(nd_seq[i], i, Side::Actual),
                    field,
                    plan[i],
                    msg,
                ));
            }
            _ => {}
        }
        // M04: done steps with dates, next to each other in sequence.
        if done[i] == Some(true) && act[i].is_some() {
            if let Some((pk, pi)) = &prev_done {
                if *pk == k && act[i] < act[*pi] {
                    let msg = fill(
                        "m04",
                        vec![
                            ("step", name(i).to_string()),
                            ("act", md(act[i])),
                            ("prev", name(*pi).to_string()),
                            ("prev_act", md(act[*pi])),
                        ],
                    );
                    out.extend(flag(
                        RuleId::M04,
                        i,
                        place_at(act_seq[i], i, Side::Actual),
                        field,
                        act[i],
                        msg,
                    ));
                }
            }
            prev_done = Some((k.clone(), i));
        }
        // M03: once per order, on its order id.
        if risk && at_risk_done.insert(k.clone()) {
            let Some(d) = (i..f.height())
                .take_while(|j| key[*j] == key[i])
                .find(|j| step[*j] == driver)
            else {
                continue;
            };
            let mut args = vec![
                ("step", name(d).to_string()),
                ("plan", md(plan[d])),
                ("days", slip.unwrap_or(0).to_string()),
                ("projected", md(projected)),
                ("due", md(due[i])),
            ];
            let key = if state[d].as_deref() == Some("overdue") {
                "m03.open"
            } else {
                args.push(("act", md(act[d])));
                "m03.done"
            };
            let msg = fill(key, args);
            let place = match ctx.sources.get(first_src[i].unwrap_or(0) as usize) {
                Some(s) => Place {
                    file: s.file.clone(),
                    sheet: s.sheet.clone(),
                    cell: s.cell("order_id", first_row[i].unwrap_or(0) as u32),
                },
                None => place_at(None, i, Side::Actual),
            };
            out.extend(flag(RuleId::M03, i, place, "order_id", projected, msg));
        }
    }
    Ok(())
}

/// (src, row) of the lines whose `seq` is among `wanted`.
fn line_places<'a>(
    lines: &DataFrame,
    wanted: impl Iterator<Item = &'a Option<i64>>,
) -> PolarsResult<HashMap<i64, (i64, i64)>> {
    let mut want: HashMap<i64, (i64, i64)> = wanted.flatten().map(|q| (*q, (0, 0))).collect();
    if want.is_empty() {
        return Ok(want);
    }
    let seq = ints(lines, "seq")?;
    let src = ints(lines, "src")?;
    let row = ints(lines, "row")?;
    for ((q, s), r) in seq.into_iter().zip(src).zip(row) {
        if let (Some(q), Some(s), Some(r)) = (q, s, r) {
            if let Some(v) = want.get_mut(&q) {
                *v = (s, r);
            }
        }
    }
    Ok(want)
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
        assert_eq!(
            state(&m(Some(99), None, false).unwrap(), 100, next),
            "overdue"
        );
        assert_eq!(
            state(&m(Some(100), None, false).unwrap(), 100, next),
            "due_soon"
        );
        assert_eq!(
            state(&m(Some(107), None, false).unwrap(), 100, next),
            "due_soon"
        );
        assert_eq!(
            state(&m(Some(108), None, false).unwrap(), 100, next),
            "scheduled"
        );
        assert_eq!(
            state(&m(Some(90), Some(95), true).unwrap(), 100, next),
            "done_late"
        );
        assert_eq!(state(&m(Some(90), None, true).unwrap(), 100, next), "done");
        assert_eq!(
            state(&m(None, None, false).unwrap(), 100, next),
            "unplanned"
        );
    }
}
