//! Reporting periods (spec section 6): a week is the 7 days ending on
//! as_of, labelled with as_of's ISO week; a month is the calendar month up
//! to as_of.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;

use crate::template::Period as Kind;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub label: String,
}

impl Period {
    /// The period of `kind` that ends on `as_of`.
    pub fn ending(kind: Kind, as_of: NaiveDate) -> Period {
        match kind {
            Kind::Week => {
                let w = as_of.iso_week();
                Period {
                    start: as_of - chrono::Duration::days(6),
                    end: as_of,
                    label: format!("{}-W{:02}", w.year(), w.week()),
                }
            }
            Kind::Month => Period {
                start: as_of.with_day(1).unwrap_or(as_of),
                end: as_of,
                label: format!("{}-{:02}", as_of.year(), as_of.month()),
            },
        }
    }

    /// The `n` periods ending with the one of `as_of`, oldest first. Earlier
    /// months end on their last day; earlier weeks 7 days apart.
    pub fn trend(kind: Kind, as_of: NaiveDate, n: usize) -> Vec<Period> {
        let mut out: Vec<Period> = (0..n)
            .map(|i| match kind {
                Kind::Week => Period::ending(kind, as_of - chrono::Duration::days(7 * i as i64)),
                Kind::Month => {
                    if i == 0 {
                        Period::ending(kind, as_of)
                    } else {
                        let first = as_of.with_day(1).unwrap_or(as_of);
                        let end = first
                            .checked_sub_months(Months::new(i as u32 - 1))
                            .and_then(|d| d.pred_opt())
                            .unwrap_or(first);
                        Period::ending(kind, end)
                    }
                }
            })
            .collect();
        out.reverse();
        out
    }

    /// The period after the one ending on `as_of` (spec section 6, the
    /// look-ahead): the 7 days after as_of for a week, the next calendar
    /// month for a month. It starts the day after as_of.
    pub fn next(kind: Kind, as_of: NaiveDate) -> Period {
        let start = as_of.succ_opt().unwrap_or(as_of);
        match kind {
            Kind::Week => {
                let end = as_of + chrono::Duration::days(7);
                let w = end.iso_week();
                Period {
                    start,
                    end,
                    label: format!("{}-W{:02}", w.year(), w.week()),
                }
            }
            Kind::Month => {
                let first = as_of
                    .with_day(1)
                    .and_then(|d| d.checked_add_months(Months::new(1)))
                    .unwrap_or(start);
                let end = first
                    .checked_add_months(Months::new(1))
                    .and_then(|d| d.pred_opt())
                    .unwrap_or(first);
                Period {
                    start: first,
                    end,
                    label: format!("{}-{:02}", first.year(), first.month()),
                }
            }
        }
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        let w = Period::ending(Kind::Week, d);
        assert_eq!(w.label, "2026-W49");
        assert_eq!(w.start, NaiveDate::from_ymd_opt(2026, 11, 24).unwrap());
        let m = Period::ending(Kind::Month, d);
        assert_eq!(m.label, "2026-11");
        let t = Period::trend(Kind::Month, d, 12);
        assert_eq!(t.len(), 12);
        assert_eq!(t[0].label, "2025-12");
        assert_eq!(t[10].end, NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        let tw = Period::trend(Kind::Week, d, 12);
        assert_eq!(tw[11], w);
        let nw = Period::next(Kind::Week, d);
        assert_eq!(nw.start, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(nw.end, NaiveDate::from_ymd_opt(2026, 12, 7).unwrap());
        let mid = NaiveDate::from_ymd_opt(2026, 11, 15).unwrap();
        let nm = Period::next(Kind::Month, mid);
        assert_eq!(nm.start, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(nm.end, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(nm.label, "2026-12");
        let jan = Period::next(Kind::Month, NaiveDate::from_ymd_opt(2026, 12, 31).unwrap());
        assert_eq!(
            (jan.start.to_string(), jan.end.to_string()),
            ("2027-01-01".into(), "2027-01-31".into())
        );
    }
}
