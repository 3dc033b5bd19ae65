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
    }
}
