//! The rules M01–M04 (spec section 13) on the reconciled milestones: the
//! rows that raise are selected in polars, and only they are read to make
//! flags at their cells.

use std::collections::HashMap;

use polars::prelude::*;

use super::milestones::Milestones;
use super::rules::{self, RuleContext};
use crate::flags::{Flag, Place, RuleId, Table};
use crate::frame::{date_to_days, days_to_date, ints, strs};
use crate::i18n;
use crate::milestones::Steps;

/// `11-20`: a date as the milestone messages show it.
fn md(days: Option<i64>) -> String {
    days.map(|d| days_to_date(d as i32).format("%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// A milestone frame's rows that raise: their orders' (on each order's
/// first line) and the step columns a flag needs.
struct Hits {
    order: rules::Hits,
    step: Vec<Option<i64>>,
    plan: Vec<Option<i64>>,
    act: Vec<Option<i64>>,
    state: Vec<Option<String>>,
    due: Vec<Option<i64>>,
    nd_seq: Vec<Option<i64>>,
    act_seq: Vec<Option<i64>>,
    projected: Vec<Option<i64>>,
    /// The order's slip (the projection's).
    slip: Vec<Option<i64>>,
}

impl Hits {
    fn of(f: DataFrame) -> PolarsResult<Hits> {
        Ok(Hits {
            step: ints(&f, "step")?,
            plan: ints(&f, "plan")?,
            act: ints(&f, "act")?,
            state: strs(&f, "state")?,
            due: ints(&f, "due_date")?,
            nd_seq: ints(&f, "nd_seq")?,
            act_seq: ints(&f, "act_seq")?,
            projected: ints(&f, "projected")?,
            slip: ints(&f, "order_slip")?,
            order: rules::Hits::of(f, Table::Orders, true)?,
        })
    }
}

/// M01–M04 (spec section 13) on the open orders' milestones. The rows
/// that raise are selected in polars; only they are read.
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
    let open = open_steps(ms)?;
    let m12 = m01_m02_rows(ctx, open.clone())?;
    let m04 = m04_rows(open.clone())?;
    let m03 = m03_rows(open)?;
    let (h12, h04, h03) = (Hits::of(m12)?, Hits::of(m04)?, Hits::of(m03)?);
    let lines_at = line_places(lines, h12.nd_seq.iter().chain(&h04.act_seq))?;
    let r = Raise {
        ctx,
        steps,
        lines_at,
    };
    m01_m02_overdue_or_due_soon(&r, &h12, out);
    m04_done_before_previous(&r, &h04, out)?;
    m03_driver_at_risk(&r, &h03, out);
    Ok(())
}

/// The open steps, each beside its order's projection (its slip renamed:
/// a step has a slip of its own).
fn open_steps(ms: &Milestones) -> PolarsResult<LazyFrame> {
    let mut projection =
        ms.orders
            .select(["order_key", "projected", "slip", "at_risk", "driver"])?;
    projection.rename("slip", "order_slip".into())?;
    Ok(ms.steps.clone().lazy().filter(col("open")).join(
        projection.lazy(),
        [col("order_key")],
        [col("order_key")],
        JoinArgs::new(JoinType::Left),
    ))
}

/// The steps of M01 and M02: overdue, or due soon and planned after as_of.
fn m01_m02_rows(ctx: &RuleContext, open: LazyFrame) -> PolarsResult<DataFrame> {
    let asof = lit(date_to_days(ctx.as_of)).cast(DataType::Date);
    open.filter(
        col("state")
            .eq(lit("overdue"))
            .or(col("state").eq(lit("due_soon")).and(col("plan").gt(asof))),
    )
    .collect()
}

/// The steps of M04: done on a day before the step before them was.
fn m04_rows(open: LazyFrame) -> PolarsResult<DataFrame> {
    let by_order = [col("order_key")];
    open.filter(col("done").and(col("act").is_not_null()))
        .with_columns([
            col("act")
                .shift(lit(1))
                .over(by_order.clone())?
                .alias("prev_act"),
            col("step").shift(lit(1)).over(by_order)?.alias("prev_step"),
        ])
        .filter(col("act").lt(col("prev_act")).fill_null(lit(false)))
        .collect()
}

/// The steps of M03: the step that drives an order at risk.
fn m03_rows(open: LazyFrame) -> PolarsResult<DataFrame> {
    open.filter(
        col("at_risk")
            .fill_null(lit(false))
            .and(col("step").eq(col("driver"))),
    )
    .collect()
}

/// Where a milestone flag points: a step's cell on one of the order's
/// lines, or the order id cell of its first line.
#[derive(Clone, Copy)]
enum At {
    /// The step's actual cell (else plan cell) on the line `seq`, else
    /// on the order's first line.
    Step(Option<i64>),
    /// The order id cell of the order's first line.
    Order,
}

/// What the M rules share to raise a flag: the steps' names, and where
/// each line is.
struct Raise<'a> {
    ctx: &'a RuleContext<'a>,
    steps: &'a Steps,
    lines_at: HashMap<i64, (i64, i64)>,
}

impl Raise<'_> {
    /// Step `s`'s name in the run's language.
    fn name(&self, s: Option<i64>) -> String {
        s.and_then(|s| self.steps.steps.get(s as usize))
            .map_or("?", |s| s.name(self.ctx.lang))
            .to_string()
    }

    fn fill(&self, key: &str, args: Vec<(&str, String)>) -> String {
        let a: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        i18n::fill(self.ctx.lang, key, &a)
    }

    /// (file, sheet, cell) and field of hit `i`'s flag.
    fn place(&self, h: &Hits, i: usize, at: At) -> (Place, &'static str) {
        let first = (h.order.src[i].unwrap_or(0), h.order.row[i].unwrap_or(0));
        let (src, row) = match at {
            At::Step(seq) => seq
                .and_then(|q| self.lines_at.get(&q).copied())
                .unwrap_or(first),
            At::Order => first,
        };
        let (step, row) = (h.step[i], row as u32);
        let field = match at {
            At::Step(_) => step
                .and_then(|s| self.steps.steps.get(s as usize))
                .map_or("order_id", |s| s.key),
            At::Order => "order_id",
        };
        let place = match (self.ctx.sources.get(src as usize), at) {
            (Some(s), At::Step(_)) => s.place(s.ms_cell(step.unwrap_or(0) as usize, row)),
            (Some(s), At::Order) => s.place(s.cell("order_id", row)),
            (None, _) => Place::new("", "", format!("A{row}")),
        };
        (place, field)
    }

    /// A flag of `rule` on hit `i` (unless the policy turns it off), its
    /// value the date `value`.
    #[allow(clippy::too_many_arguments)]
    fn raise(
        &self,
        out: &mut Vec<Flag>,
        rule: RuleId,
        h: &Hits,
        i: usize,
        at: At,
        value: Option<i64>,
        msg: String,
    ) {
        let Some(sev) = self.ctx.policy.severity(rule, rule.default_severity()) else {
            return;
        };
        let (place, field) = self.place(h, i, at);
        out.push(Flag {
            order_id: h.order.order_id[i].clone(),
            owner: h.order.owner[i].clone(),
            key: h.order.key[i].clone(),
            value: value.map(|d| days_to_date(d as i32).format("%Y-%m-%d").to_string()),
            ..Flag::new(rule, sev, Table::Orders, field, place, msg)
        });
    }
}

/// M01: "milestone overdue"; M02 (info): "milestone due next period and
/// not done" — on the step's cell of the order's first line not done.
fn m01_m02_overdue_or_due_soon(r: &Raise, h: &Hits, out: &mut Vec<Flag>) {
    let now = i64::from(date_to_days(r.ctx.as_of));
    for i in 0..h.step.len() {
        let overdue = h.state[i].as_deref() == Some("overdue");
        let p = h.plan[i].unwrap_or(now);
        let days = if overdue { now - p } else { p - now };
        let key = match (overdue, h.due[i].is_some()) {
            (true, true) => "m01",
            (true, false) => "m01.no_due",
            (false, true) => "m02",
            (false, false) => "m02.no_due",
        };
        let msg = r.fill(
            key,
            vec![
                ("step", r.name(h.step[i])),
                ("plan", md(h.plan[i])),
                ("days", days.to_string()),
                ("projected", md(h.projected[i])),
                ("due", md(h.due[i])),
            ],
        );
        let rule = if overdue { RuleId::M01 } else { RuleId::M02 };
        r.raise(out, rule, h, i, At::Step(h.nd_seq[i]), h.plan[i], msg);
    }
}

/// M04: "milestone dates out of sequence": a step done before the step
/// before it, on its actual cell.
fn m04_done_before_previous(r: &Raise, h: &Hits, out: &mut Vec<Flag>) -> PolarsResult<()> {
    let prev_step = ints(&h.order.frame, "prev_step")?;
    let prev_act = ints(&h.order.frame, "prev_act")?;
    for i in 0..h.step.len() {
        let msg = r.fill(
            "m04",
            vec![
                ("step", r.name(h.step[i])),
                ("act", md(h.act[i])),
                ("prev", r.name(prev_step[i])),
                ("prev_act", md(prev_act[i])),
            ],
        );
        r.raise(
            out,
            RuleId::M04,
            h,
            i,
            At::Step(h.act_seq[i]),
            h.act[i],
            msg,
        );
    }
    Ok(())
}

/// M03 (error): "order at risk: its milestones project a ship date after
/// its due date" — on the order id cell, naming the step that drives it.
fn m03_driver_at_risk(r: &Raise, h: &Hits, out: &mut Vec<Flag>) {
    for i in 0..h.step.len() {
        let mut args = vec![
            ("step", r.name(h.step[i])),
            ("plan", md(h.plan[i])),
            ("days", h.slip[i].unwrap_or(0).to_string()),
            ("projected", md(h.projected[i])),
            ("due", md(h.due[i])),
        ];
        let key = if h.state[i].as_deref() == Some("overdue") {
            "m03.open"
        } else {
            args.push(("act", md(h.act[i])));
            "m03.done"
        };
        let msg = r.fill(key, args);
        r.raise(out, RuleId::M03, h, i, At::Order, h.projected[i], msg);
    }
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
