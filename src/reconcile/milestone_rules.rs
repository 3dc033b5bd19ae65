//! The rules M01–M04 (spec section 13) on the reconciled milestones: the
//! rows that raise are selected in polars, and only they are read to make
//! flags at their cells.

use std::collections::HashMap;

use polars::prelude::*;

use super::milestones::Milestones;
use super::rules::RuleContext;
use crate::flags::{Flag, Place, RuleId, Table};
use crate::frame::{date_to_days, days_to_date, ints, strs};
use crate::i18n;
use crate::milestones::Steps;

/// `11-20`: a date as the milestone messages show it.
fn md(days: Option<i64>) -> String {
    days.map(|d| days_to_date(d as i32).format("%m-%d").to_string())
        .unwrap_or_else(|| "—".into())
}

/// The columns of a milestone frame's rows that a flag needs.
struct Hits {
    key: Vec<Option<String>>,
    order_id: Vec<Option<String>>,
    owner: Vec<Option<String>>,
    step: Vec<Option<i64>>,
    plan: Vec<Option<i64>>,
    act: Vec<Option<i64>>,
    state: Vec<Option<String>>,
    due: Vec<Option<i64>>,
    first_src: Vec<Option<i64>>,
    first_row: Vec<Option<i64>>,
    nd_seq: Vec<Option<i64>>,
    act_seq: Vec<Option<i64>>,
    projected: Vec<Option<i64>>,
    /// The order's slip (the projection's).
    slip: Vec<Option<i64>>,
}

impl Hits {
    fn of(f: &DataFrame) -> PolarsResult<Hits> {
        Ok(Hits {
            key: strs(f, "order_key")?,
            order_id: strs(f, "order_id")?,
            owner: strs(f, "owner")?,
            step: ints(f, "step")?,
            plan: ints(f, "plan")?,
            act: ints(f, "act")?,
            state: strs(f, "state")?,
            due: ints(f, "due_date")?,
            first_src: ints(f, "first_src")?,
            first_row: ints(f, "first_row")?,
            nd_seq: ints(f, "nd_seq")?,
            act_seq: ints(f, "act_seq")?,
            projected: ints(f, "projected")?,
            slip: ints(f, "order_slip")?,
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
    let asof = lit(date_to_days(ctx.as_of)).cast(DataType::Date);
    // The order's projection beside each of its steps (its slip renamed:
    // a step has a slip of its own).
    let mut projection =
        ms.orders
            .select(["order_key", "projected", "slip", "at_risk", "driver"])?;
    projection.rename("slip", "order_slip".into())?;
    let projection = projection.lazy();
    let open = ms.steps.clone().lazy().filter(col("open")).join(
        projection.clone(),
        [col("order_key")],
        [col("order_key")],
        JoinArgs::new(JoinType::Left),
    );
    let m12 = open
        .clone()
        .filter(
            col("state").eq(lit("overdue")).or(col("state")
                .eq(lit("due_soon"))
                .and(col("plan").gt(asof.clone()))),
        )
        .collect()?;
    let by_order = [col("order_key")];
    let m04 = open
        .clone()
        .filter(col("done").and(col("act").is_not_null()))
        .with_columns([
            col("act")
                .shift(lit(1))
                .over(by_order.clone())?
                .alias("prev_act"),
            col("step").shift(lit(1)).over(by_order)?.alias("prev_step"),
        ])
        .filter(col("act").lt(col("prev_act")).fill_null(lit(false)))
        .collect()?;
    let m03 = open
        .filter(
            col("at_risk")
                .fill_null(lit(false))
                .and(col("step").eq(col("driver"))),
        )
        .collect()?;
    let (h12, h04, h03) = (Hits::of(&m12)?, Hits::of(&m04)?, Hits::of(&m03)?);
    let prev_step = ints(&m04, "prev_step")?;
    let prev_act = ints(&m04, "prev_act")?;
    let lines_at = line_places(lines, h12.nd_seq.iter().chain(&h04.act_seq))?;
    let now = i64::from(date_to_days(ctx.as_of));
    let lang = ctx.lang;
    let name = |s: Option<i64>| -> &str {
        s.and_then(|s| steps.steps.get(s as usize))
            .map_or("?", |s| s.name(lang))
    };
    let fill = |key: &str, args: Vec<(&str, String)>| {
        let a: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        i18n::fill(lang, key, &a)
    };
    let raise = |out: &mut Vec<Flag>,
                 rule: RuleId,
                 h: &Hits,
                 i: usize,
                 cell: Place,
                 field: &'static str,
                 value: Option<i64>,
                 msg: String| {
        let Some(sev) = ctx.policy.severity(rule, rule.default_severity()) else {
            return;
        };
        out.push(Flag {
            order_id: h.order_id[i].clone(),
            owner: h.owner[i].clone(),
            key: h.key[i].clone(),
            value: value.map(|d| days_to_date(d as i32).format("%Y-%m-%d").to_string()),
            ..Flag::new(rule, sev, Table::Orders, field, cell, msg)
        });
    };
    // The step's actual cell (else plan cell) on the line `seq`, else on
    // the order's first line.
    let place = |h: &Hits, i: usize, seq: Option<i64>| -> Place {
        let (src, row) = seq
            .and_then(|q| lines_at.get(&q).copied())
            .unwrap_or((h.first_src[i].unwrap_or(0), h.first_row[i].unwrap_or(0)));
        let step = h.step[i].unwrap_or(0) as usize;
        match ctx.sources.get(src as usize) {
            Some(s) => Place {
                file: s.file.clone(),
                sheet: s.sheet.clone(),
                cell: s.ms_cell(step, row as u32),
            },
            None => Place {
                file: String::new(),
                sheet: String::new(),
                cell: format!("A{row}"),
            },
        }
    };
    let field = |h: &Hits, i: usize| {
        h.step[i]
            .and_then(|s| steps.steps.get(s as usize))
            .map_or("order_id", |s| s.key)
    };
    for i in 0..m12.height() {
        let h = &h12;
        let overdue = h.state[i].as_deref() == Some("overdue");
        let p = h.plan[i].unwrap_or(now);
        let days = if overdue { now - p } else { p - now };
        let key = match (overdue, h.due[i].is_some()) {
            (true, true) => "m01",
            (true, false) => "m01.no_due",
            (false, true) => "m02",
            (false, false) => "m02.no_due",
        };
        let msg = fill(
            key,
            vec![
                ("step", name(h.step[i]).to_string()),
                ("plan", md(h.plan[i])),
                ("days", days.to_string()),
                ("projected", md(h.projected[i])),
                ("due", md(h.due[i])),
            ],
        );
        let rule = if overdue { RuleId::M01 } else { RuleId::M02 };
        raise(
            out,
            rule,
            h,
            i,
            place(h, i, h.nd_seq[i]),
            field(h, i),
            h.plan[i],
            msg,
        );
    }
    for i in 0..m04.height() {
        let h = &h04;
        let msg = fill(
            "m04",
            vec![
                ("step", name(h.step[i]).to_string()),
                ("act", md(h.act[i])),
                ("prev", name(prev_step[i]).to_string()),
                ("prev_act", md(prev_act[i])),
            ],
        );
        raise(
            out,
            RuleId::M04,
            h,
            i,
            place(h, i, h.act_seq[i]),
            field(h, i),
            h.act[i],
            msg,
        );
    }
    for i in 0..m03.height() {
        let h = &h03;
        let mut args = vec![
            ("step", name(h.step[i]).to_string()),
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
        let msg = fill(key, args);
        let cell = match ctx.sources.get(h.first_src[i].unwrap_or(0) as usize) {
            Some(s) => Place {
                file: s.file.clone(),
                sheet: s.sheet.clone(),
                cell: s.cell("order_id", h.first_row[i].unwrap_or(0) as u32),
            },
            None => place(h, i, None),
        };
        raise(
            out,
            RuleId::M03,
            h,
            i,
            cell,
            "order_id",
            h.projected[i],
            msg,
        );
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
