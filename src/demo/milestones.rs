//! The demo orders' milestone columns (spec section 13): the factory that
//! makes the goods and, per step, a plan counted back from the due date
//! and the day the step was done. Most steps are done on time or a day or
//! two early; some are done late, some are still open past their plan
//! (M01), some are due next week (M02), a few late orders put their ship
//! date at risk (M03), and now and then two actual dates are typed into
//! each other's column (M04). Some actual cells say only `OK` or `完成`;
//! booking is kept as its actual date only, with no plan column. Orders
//! that have shipped have every step done.
//!
//! The values come from a random stream of their own, so the register's
//! other columns — and the problems of every other rule — are the same as
//! they were before the milestone columns were added.

use chrono::{Duration, NaiveDate};

use super::{Order, Rng, Scene, C};
use crate::i18n::Lang;

/// The steps the demo writes, in the built-in sequence: materials, PP
/// sample, production start, production end, inspection, booking.
const STEPS: usize = 6;
const PP_SAMPLE: usize = 1;
const PRODUCTION_START: usize = 2;
const PRODUCTION_END: usize = 3;
/// The step kept only as its actual date (no plan column).
const BOOKING: usize = 5;

/// The headers after the register's own columns: the factory, then each
/// step's plan and actual (booking: only the actual).
pub(super) const HEADER_ZH: [&str; 12] = [
    "工厂",
    "面料到厂计划",
    "面料到厂实际",
    "产前样确认计划",
    "产前样确认",
    "开裁计划",
    "开裁",
    "下线计划",
    "下线",
    "验货计划",
    "验货日期",
    "订舱日期",
];
pub(super) const HEADER_EN: [&str; 12] = [
    "Factory",
    "Fabric In-house Plan",
    "Fabric In-house",
    "PP Sample (Target)",
    "PP Sample Approval",
    "Planned Cutting",
    "Cutting",
    "Off Line Plan",
    "Off Line",
    "Inspection Plan",
    "Inspection Date",
    "Booking Date",
];

/// How many cells [`cells`] adds to a row.
pub(super) const WIDTH: usize = HEADER_ZH.len();

/// The factories (Chinese, English).
const FACTORIES: &[(&str, &str)] = &[
    ("宁波华美家居用品厂", "Ningbo Huamei Homeware Factory"),
    ("义乌恒达日用品有限公司", "Yiwu Hengda Daily Products Co."),
    ("东莞新力电子厂", "Dongguan Xinli Electronics"),
    ("绍兴锦程纺织有限公司", "Shaoxing Jincheng Textile Co."),
    ("佛山美居家具厂", "Foshan Meiju Furniture Factory"),
];
/// The factory whose steps slip twice as often.
const SLOW_FACTORY: u8 = 3;

/// A step's actual cell.
#[derive(Clone, Copy, Debug, Default)]
enum Act {
    /// Not done.
    #[default]
    Empty,
    Date(NaiveDate),
    /// A date typed as text (`2026/11/03`).
    Typed(NaiveDate),
    /// Done, with a word instead of a date (`OK`, `完成`).
    Word(&'static str),
}

/// One order's milestone cells, the same on each of its lines.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct OrderMs {
    /// Index into [`FACTORIES`]; none for an order whose factory was not
    /// filled in.
    factory: Option<u8>,
    plan: [Option<NaiveDate>; STEPS],
    act: [Act; STEPS],
}

/// Draws the orders' milestones, one order after the other.
pub(super) struct Gen {
    rng: Rng,
    /// Open orders so far with production start and end both done with a
    /// date; every few of them has the two dates swapped (M04).
    swappable: u64,
    /// Open orders so far with a step planned before as-of that their
    /// status lets them have done; every few of them runs late (M01, M03).
    in_works: u64,
}

/// One open order in this many with both production dates done gets them
/// swapped, the first one included: one or two in the 300-line sample.
const SWAP_EVERY: u64 = 4;
/// One open order in this many that is in the works runs late at the step
/// it is at, the second one included: a few in the 300-line sample.
const RUN_LATE_EVERY: u64 = 4;

impl Gen {
    pub(super) fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng(seed ^ 0x6d69_6c65_7374_6f6e),
            swappable: 0,
            in_works: 0,
        }
    }

    /// The factory and milestone cells of `order`: no plan before the
    /// order is confirmed; steps done, by their dates, as far as the
    /// order's status goes; every step done once it has shipped.
    pub(super) fn order(&mut self, scene: &Scene, order: &Order) -> OrderMs {
        let rng = &mut self.rng;
        let factory = if rng.chance(0.03) {
            None
        } else {
            Some(rng.below(FACTORIES.len() as u64) as u8)
        };
        let mut ms = OrderMs {
            factory,
            ..OrderMs::default()
        };
        let Some(confirmed) = order.confirmed else {
            return ms;
        };
        let plan = plans(order.order_date, order.due);
        // How far the status says the order got: the steps it may have done.
        let (shipped, reach) = match order.status {
            "shipped" | "delivered" | "closed" => (true, STEPS),
            "ready" => (false, STEPS),
            "in_production" => (false, PRODUCTION_END + 1),
            "on_hold" => (false, PRODUCTION_START + 1),
            "confirmed" => (false, PP_SAMPLE + 1),
            _ => (false, 1),
        };
        let open = order.status != "cancelled" && !shipped;
        let as_of = scene.as_of;
        // Days late (negative: early) per step: mostly on time or a day or
        // two early; one order in five (two in five at the slow factory)
        // has a step late by up to nine days, which the later steps catch
        // up in full or in part.
        let mut late = [0i64; STEPS];
        for x in &mut late {
            *x = rng.range(-2, 0);
        }
        if rng.chance(if factory == Some(SLOW_FACTORY) {
            0.4
        } else {
            0.2
        }) {
            let k = rng.below(BOOKING as u64) as usize;
            let by = rng.range(2, 9);
            let kept = if rng.chance(0.5) { 0 } else { rng.range(1, by) };
            late[k] = by;
            for x in &mut late[k + 1..] {
                *x = (*x).max(kept);
            }
        }
        // Every few orders still in the works are late at the step they are
        // at and do not catch up: still open past its plan (M01), or done
        // late with the next steps to follow, and the ship date at risk (M03).
        let at = (0..reach.min(BOOKING)).rev().find(|&i| plan[i] < as_of);
        if let (true, Some(k)) = (open, at) {
            self.in_works += 1;
            if self.in_works % RUN_LATE_EVERY == 2 {
                let by = rng.range(3, 9);
                for x in &mut late[k..] {
                    *x = (*x).max(by);
                }
            }
        }
        // Repeat orders need no PP sample: neither plan nor actual.
        let no_sample = rng.chance(0.08);
        let mut prev = confirmed;
        let mut done_so_far = true;
        let mut dated = [None; STEPS];
        for i in 0..STEPS {
            if i == PP_SAMPLE && no_sample {
                continue;
            }
            if i != BOOKING {
                ms.plan[i] = Some(plan[i]);
            }
            // Never before the step before it, never after as-of.
            let when = (plan[i] + Duration::days(late[i])).max(prev);
            prev = when;
            let done = if shipped {
                true
            } else {
                done_so_far = done_so_far && i < reach && when <= as_of;
                done_so_far
            };
            if done {
                dated[i] = Some(when.min(as_of));
            }
        }
        let words: &[&'static str] = match scene.lang {
            Lang::Zh => &["完成", "OK"],
            Lang::En => &["OK", "done"],
        };
        for (i, (act, d)) in ms.act.iter_mut().zip(dated).enumerate() {
            let Some(d) = d else { continue };
            *act = if rng.chance(if i == PP_SAMPLE { 0.12 } else { 0.03 }) {
                Act::Word(rng.pick(words))
            } else if rng.chance(0.02) {
                Act::Typed(d)
            } else {
                Act::Date(d)
            };
        }
        // M04: production start and end typed into each other's column.
        if let (true, Act::Date(a), Act::Date(b)) =
            (open, ms.act[PRODUCTION_START], ms.act[PRODUCTION_END])
        {
            self.swappable += 1;
            if self.swappable % SWAP_EVERY == 1 {
                let b = if a == b { b - Duration::days(2) } else { b };
                ms.act[PRODUCTION_START] = Act::Date(b);
                ms.act[PRODUCTION_END] = Act::Date(a);
            }
        }
        ms
    }
}

/// The steps' planned days for an order placed on `order_date` and due on
/// `due`, counted back from the due date: materials, PP sample and the
/// start of production at 70, 58 and 50 % of the lead time before it, the
/// end of production at 18 % (a week at least), inspection five days and
/// booking three days before it.
fn plans(order_date: NaiveDate, due: NaiveDate) -> [NaiveDate; STEPS] {
    let lead = (due - order_date).num_days().max(1);
    let back = [
        lead * 70 / 100,
        lead * 58 / 100,
        lead * 50 / 100,
        (lead * 18 / 100).max(7),
        5,
        3,
    ];
    back.map(|b| due - Duration::days(b))
}

/// Appends the factory and milestone cells of `ms` to `row`.
pub(super) fn cells(ms: &OrderMs, lang: Lang, row: &mut Vec<C>) {
    row.push(match ms.factory {
        Some(f) => {
            let (zh, en) = FACTORIES[usize::from(f)];
            C::Str(if lang == Lang::Zh { zh } else { en })
        }
        None => C::Empty,
    });
    for i in 0..STEPS {
        if i != BOOKING {
            row.push(ms.plan[i].map_or(C::Empty, C::Date));
        }
        row.push(match ms.act[i] {
            Act::Empty => C::Empty,
            Act::Date(d) => C::Date(d),
            Act::Typed(d) => C::Text(d.format("%Y/%m/%d").to_string()),
            Act::Word(w) => C::Str(w),
        });
    }
}
