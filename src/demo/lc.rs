//! The letters of credit of the demo registers (spec section 10.1): for
//! the orders whose terms are an L/C, the L/C number, the day it arrived,
//! its latest shipment date (44C), expiry, presentation period and the day
//! the documents went to the bank — drawn from a random stream of their
//! own, so that the other columns do not move — with every L problem at
//! least once (the first orders that can show one are made to).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};

use super::{t, Line, Rng, Ship, C};
use crate::i18n::Lang;

pub(super) const HEADER_ZH: [&str; 6] = [
    "信用证号",
    "到证日期",
    "最迟装运期",
    "信用证效期",
    "交单期",
    "交单日期",
];
pub(super) const HEADER_EN: [&str; 6] = [
    "L/C No",
    "L/C Received",
    "L/C Latest Shipment",
    "L/C Expiry",
    "Presentation Days",
    "Documents Presented",
];

/// How many cells [`cells`] adds to a row.
pub(super) const WIDTH: usize = HEADER_ZH.len();

/// A date-or-yes cell.
#[derive(Clone, Copy, Default)]
enum Mark {
    #[default]
    Empty,
    Date(NaiveDate),
    Yes,
}

/// One order's L/C cells.
#[derive(Clone, Default)]
pub(super) struct LcCells {
    no: String,
    received: Mark,
    latest: Option<NaiveDate>,
    expiry: Option<NaiveDate>,
    days: Option<i64>,
    docs: Mark,
}

/// Which L problems have been made so far.
#[derive(Default)]
struct Made {
    l01: bool,
    l02_warning: bool,
    l02_error: bool,
    l03: bool,
    l04: bool,
}

/// The L/C cells of every order under L/C terms, by order id.
pub(super) fn plan(
    seed: u64,
    lines: &[Line],
    ships: &[Ship],
    as_of: NaiveDate,
) -> HashMap<String, LcCells> {
    let mut rng = Rng(seed ^ 0x6c65_7474_6572_6c63);
    let mut first: HashMap<&str, NaiveDate> = HashMap::new();
    for s in ships {
        if let Some(d) = s.ship_date.filter(|d| *d <= as_of) {
            let e = first.entry(s.order_id.as_str()).or_insert(d);
            *e = (*e).min(d);
        }
    }
    let mut out: HashMap<String, LcCells> = HashMap::new();
    let mut made = Made::default();
    let day = |n: i64| Duration::days(n);
    for l in lines {
        if out.contains_key(&l.order_id) || !l.terms.0.starts_with("L/C") {
            continue;
        }
        let shipped = first.get(l.order_id.as_str()).copied();
        let open = !matches!(l.status, "cancelled" | "shipped" | "delivered" | "closed");
        let unshipped = open && shipped.is_none();
        let mut c = LcCells {
            no: format!("LC{:02}{:05}", as_of.year() % 100, out.len() + 1),
            ..LcCells::default()
        };
        // The L/C arrives some days after the order is confirmed; now and
        // then it is late.
        if let Some(conf) = l.confirmed {
            let got = conf + day(rng.range(5, 25));
            if got <= as_of && !rng.chance(0.15) {
                c.received = Mark::Date(got);
            }
        }
        // 44C a few days after the due date, sometimes tight before it.
        let latest = if rng.chance(0.15) {
            l.due - day(rng.range(1, 8))
        } else {
            l.due + day(rng.range(0, 10))
        };
        c.latest = Some(latest);
        c.expiry = Some(latest + day(rng.range(10, 21)));
        if rng.chance(0.3) {
            c.days = Some(15);
        }
        if let Some(s) = shipped {
            let d = s + day(rng.range(2, 25));
            if d <= as_of {
                c.docs = if rng.chance(0.1) {
                    Mark::Yes
                } else {
                    Mark::Date(d)
                };
            }
        }
        // Every L problem at least once.
        let due_in = (l.due - as_of).num_days();
        if unshipped && due_in >= 0 && !made.l02_warning {
            // L02 (warning): 44C in the next period.
            c.latest = Some(as_of + day(3));
            c.expiry = Some(as_of + day(18));
            made.l02_warning = true;
        } else if unshipped && !made.l02_error {
            // L02 (error): 44C passed, not shipped.
            c.latest = Some(as_of - day(4));
            c.expiry = Some(as_of + day(10));
            made.l02_error = true;
        } else if unshipped && (0..=30).contains(&due_in) && !made.l04 {
            // L04: no L/C yet, due within the notice.
            c.received = Mark::Empty;
            made.l04 = true;
        } else if let (Some(s), false) = (shipped, made.l01) {
            // L01: shipped two days after 44C.
            c.latest = Some(s - day(2));
            c.expiry = Some(s + day(30));
            made.l01 = true;
        } else if let (Some(s), false) = (shipped, made.l03) {
            if (as_of - s).num_days() > 30 {
                // L03: documents never presented.
                c.docs = Mark::Empty;
                c.days = None;
                c.expiry = Some(s + day(60));
                made.l03 = true;
            }
        }
        out.insert(l.order_id.clone(), c);
    }
    out
}

/// Appends an order line's L/C cells (empty for orders not under L/C).
pub(super) fn cells(c: Option<&LcCells>, lang: Lang, row: &mut Vec<C>) {
    let zh = lang == Lang::Zh;
    let Some(c) = c else {
        row.extend(std::iter::repeat_n(C::Empty, WIDTH));
        return;
    };
    let mark = |m: Mark, yes_zh: &'static str| match m {
        Mark::Empty => C::Empty,
        Mark::Date(d) => C::Date(d),
        Mark::Yes => C::Str(if zh { yes_zh } else { "yes" }),
    };
    let date = |d: Option<NaiveDate>| d.map_or(C::Empty, C::Date);
    row.extend([
        t(&c.no),
        mark(c.received, "已到证"),
        date(c.latest),
        date(c.expiry),
        c.days.map_or(C::Empty, |n| C::Num(n as f64)),
        mark(c.docs, "已交单"),
    ]);
}
