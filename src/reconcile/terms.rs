//! Payment terms (spec section 10): the `payment_terms` text of an order
//! read into a deposit share and a balance trigger, in English and
//! Chinese, in any case, with or without spaces. A pure function: it never
//! panics, and what it cannot read is `None` (the order is then left to its
//! explicit payment cells).

use std::collections::BTreeMap;

use unicode_normalization::UnicodeNormalization;

use crate::template::{PaymentsSection, TermsSpec};

/// When the balance falls due.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Balance {
    /// Nothing is left after the deposit (100 % in advance).
    None,
    /// Before the goods leave: due on the first ship date.
    BeforeShipment,
    /// Against the copy of the B/L: `bl_copy_days` after the first ship date.
    AgainstBlCopy,
    /// This many days after shipment (T/T 30 days after B/L, OA 60, Net 30).
    AfterShipment(i64),
    /// Letter of credit: 21 days' presentation after shipment, plus the
    /// usance days (0 at sight).
    Lc(i64),
    /// A documentary collection (D/P, D/A; spec section 10.1):
    /// `collection_days` after shipment for the documents to reach the
    /// buyer's bank, plus the usance days (0 at sight).
    Collection(i64),
    /// A balance with no due date (a team phrase without `balance`).
    NoDueDate,
}

/// What a terms phrase says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Terms {
    /// The deposit as a share of the order's amount, 0–1.
    pub deposit: f64,
    pub balance: Balance,
}

/// A team's phrase of `[payments.terms]` as terms (the template has
/// checked its values; an unknown balance word reads as no due date).
pub fn from_spec(spec: &TermsSpec) -> Terms {
    let balance = match spec.balance.as_deref() {
        Some("before_shipment") => Balance::BeforeShipment,
        Some("against_bl_copy") => Balance::AgainstBlCopy,
        Some("after_shipment") => Balance::AfterShipment(spec.days),
        Some("lc") => Balance::Lc(spec.days),
        Some("collection") => Balance::Collection(spec.days),
        Some("none") => Balance::None,
        _ => Balance::NoDueDate,
    };
    Terms {
        deposit: spec.deposit.clamp(0.0, 1.0),
        balance,
    }
}

/// The team's phrases, normalised as they are matched.
pub fn custom(section: &PaymentsSection) -> BTreeMap<String, Terms> {
    section
        .terms
        .iter()
        .map(|(k, v)| (normalise(k), from_spec(v)))
        .collect()
}

/// NFKC, lower case, without white space, `_` and `-` (how phrases are
/// compared).
pub fn normalise(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| !c.is_whitespace() && *c != '_' && *c != '-')
        .collect()
}

/// The numbers written before a `%`, in order.
fn percents(s: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '%' {
            continue;
        }
        let mut j = i;
        while j > 0 && (chars[j - 1].is_ascii_digit() || chars[j - 1] == '.') {
            j -= 1;
        }
        let num: String = chars[j..i].iter().collect();
        if let Ok(x) = num.parse::<f64>() {
            if (0.0..=100.0).contains(&x) {
                out.push(x);
            }
        }
    }
    out
}

/// The first whole number right after `word` (or right before it, for
/// "30 days"), when there is one.
fn days_near(s: &str, words: &[&str]) -> Option<i64> {
    for w in words {
        let mut from = 0;
        while let Some(at) = s[from..].find(w) {
            let start = from + at;
            let after = &s[start + w.len()..];
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse::<i64>() {
                if n <= 3650 {
                    return Some(n);
                }
            }
            let before: String = s[..start]
                .chars()
                .rev()
                .take_while(char::is_ascii_digit)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if let Ok(n) = before.parse::<i64>() {
                if n <= 3650 {
                    return Some(n);
                }
            }
            from = start + w.len();
        }
    }
    None
}

fn has(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

const BEFORE_SHIPMENT: &[&str] = &[
    "beforeshipment",
    "beforeloading",
    "priortoshipment",
    "beforedelivery",
    "出货前",
    "发货前",
    "装运前",
    "出运前",
    "装船前",
    "装柜前",
];
const BL_COPY: &[&str] = &[
    "b/lcopy",
    "blcopy",
    "copyofb/l",
    "copyofbl",
    "copyb/l",
    "见提单",
    "提单复印件",
    "提单副本",
    "提单copy",
];
const DEPOSIT: &[&str] = &[
    "deposit",
    "advance",
    "downpayment",
    "prepay",
    "定金",
    "订金",
    "预付",
    "首付",
];
const AFTER: &[&str] = &[
    "daysafterb/l",
    "daysafterbl",
    "daysaftershipment",
    "daysafterinvoice",
    "daysafterdelivery",
    "daysafterbldate",
    "daysafterb/ldate",
    "天付款",
    "天付清",
    "天内付",
];

/// Documents against payment (D/P): at sight unless a number of days
/// follows (远期付款交单30天, D/P 30 days).
const DP: &[&str] = &[
    "d/p",
    "documentsagainstpayment",
    "即期付款交单",
    "远期付款交单",
    "付款交单",
];
/// Documents against acceptance (D/A): always a usance, so it reads only
/// with its number of days (D/A 60 days, 承兑交单60天).
const DA: &[&str] = &["d/a", "documentsagainstacceptance", "承兑交单"];

/// `DP` and `DA` written without the slash (`30%TT定金，70%DP即期`,
/// `DA 60天`) as `d/p` and `d/a`, where the two letters stand alone: no
/// letter before them, and after them no letter (the `da` of `30days` is
/// not D/A) unless it is `atsight`.
fn slashed(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    let mut prev: Option<char> = None;
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        let bare = if rest.starts_with("dp") {
            Some("d/p")
        } else if rest.starts_with("da") {
            Some("d/a")
        } else {
            None
        };
        if let Some(w) = bare {
            let after = &rest[2..];
            let alone = !prev.is_some_and(|p| p.is_ascii_alphabetic())
                && (!after.starts_with(|a: char| a.is_ascii_alphabetic())
                    || after.starts_with("atsight"));
            if alone {
                out.push_str(w);
                prev = Some('a');
                rest = after;
                continue;
            }
        }
        out.push(c);
        prev = Some(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `s` without its percentages (`70%`, `12.5%`): they are shares, not
/// days.
fn without_percents(s: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || (c == '.' && !run.is_empty()) {
            run.push(c);
            continue;
        }
        if c != '%' {
            out.push_str(&run);
            out.push(c);
        }
        run.clear();
    }
    out.push_str(&run);
    out
}

/// The usance days written after a collection word (percentages left
/// out): the digits right after it (`d/a60`, `d/a60days`), else digits
/// followed by a days word (`at60days`, `60天`); `Some(None)` when there is no number at
/// all (at sight), `None` when the number is not a plausible count of
/// days (over 3650) or is not days.
fn usance(rest: &str) -> Option<Option<i64>> {
    let rest = without_percents(rest);
    if !rest.chars().any(|c| c.is_ascii_digit()) {
        return Some(None);
    }
    let plausible = |d: &str| d.parse::<i64>().ok().filter(|n| *n <= 3650);
    let days_word = |tail: &str| ["day", "天", "日"].iter().any(|w| tail.starts_with(w));
    let lead: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let tail = &rest[lead.len()..];
    // `d/a60`, `d/a60,…`, `d/a60days`, but not `d/p30pcs`.
    let bare = tail.is_empty() || tail.starts_with(|c: char| c.is_ascii_punctuation());
    if !lead.is_empty() && (bare || days_word(tail)) {
        return plausible(&lead).map(Some);
    }
    let mut from = 0;
    while let Some(at) = rest[from..].find(|c: char| c.is_ascii_digit()) {
        let start = from + at;
        let len = rest[start..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - start);
        if days_word(&rest[start + len..]) {
            return plausible(&rest[start..start + len]).map(Some);
        }
        from = start + len;
    }
    None
}

/// A documentary collection (D/P or D/A) and its usance days: `None` when
/// `s` names none, names D/A without its days (acceptance is always for a
/// term), or writes a number that is not its days.
fn collection(s: &str) -> Option<i64> {
    let end_of = |words: &[&str]| {
        words
            .iter()
            .filter_map(|w| s.find(w).map(|i| i + w.len()))
            .min()
    };
    if let Some(end) = end_of(DA) {
        return usance(&s[end..])?;
    }
    // At sight (D/P, 即期付款交单, D/P at sight) when no days follow.
    let end = end_of(DP)?;
    Some(usance(&s[end..])?.unwrap_or(0))
}

/// Reads a terms phrase; `custom` holds the team's own phrases (already
/// normalised), matched whole and first.
pub fn parse(text: &str, custom: &BTreeMap<String, Terms>) -> Option<Terms> {
    let s = normalise(text);
    if s.is_empty() {
        return None;
    }
    if let Some(t) = custom.get(&s) {
        return Some(*t);
    }
    let s = slashed(&s);
    let pct = percents(&s);
    // Letters of credit.
    if has(&s, &["l/c", "信用证"]) || s.starts_with("lc") {
        let days = if has(&s, &["atsight", "sight", "即期"]) {
            0
        } else {
            days_near(&s, &["l/c", "lc", "信用证", "远期"]).unwrap_or(0)
        };
        let deposit = if pct.len() >= 2 && has(&s, DEPOSIT) {
            pct[0] / 100.0
        } else {
            0.0
        };
        return Some(Terms {
            deposit,
            balance: Balance::Lc(days),
        });
    }
    // Documentary collections (D/P, D/A), alone or after a deposit.
    if has(&s, DP) || has(&s, DA) {
        let days = collection(&s)?;
        let deposit = match pct.as_slice() {
            [d, _, ..] => d / 100.0,
            [d] if has(&s, DEPOSIT) || has(&s, &["t/t", "tt"]) => d / 100.0,
            _ => 0.0,
        };
        return Some(Terms {
            deposit: if deposit < 1.0 { deposit } else { 0.0 },
            balance: Balance::Collection(days),
        });
    }
    // All in advance.
    if has(
        &s,
        &[
            "全款预付",
            "全额预付",
            "款到发货",
            "cashinadvance",
            "fullpaymentinadvance",
        ],
    ) || (pct.first() == Some(&100.0) && (has(&s, DEPOSIT) || has(&s, &["t/t", "tt"])))
    {
        return Some(Terms {
            deposit: 1.0,
            balance: Balance::None,
        });
    }
    // The deposit: the first of two percentages, or one next to a deposit word.
    let deposit = match pct.as_slice() {
        [d, _, ..] => Some(d / 100.0),
        [d] if has(&s, DEPOSIT) || has(&s, &["t/t", "tt"]) => Some(d / 100.0),
        _ => None,
    };
    let deposit = deposit.filter(|d| (0.0..=1.0).contains(d));
    // The balance's trigger.
    let balance = if has(&s, BL_COPY) {
        Some(Balance::AgainstBlCopy)
    } else if has(&s, BEFORE_SHIPMENT) {
        Some(Balance::BeforeShipment)
    } else if let Some(n) = days_near(&s, &["net"]).filter(|_| s.contains("net")) {
        Some(Balance::AfterShipment(n))
    } else if let Some(n) =
        days_near(&s, &["oa", "o/a"]).filter(|_| s.starts_with("oa") || s.contains("o/a"))
    {
        Some(Balance::AfterShipment(n))
    } else if let Some(n) = days_near(
        &s,
        &["提单日后", "提单后", "出货后", "发货后", "出运后", "装运后"],
    ) {
        Some(Balance::AfterShipment(n))
    } else if has(&s, AFTER) {
        days_near(&s, &["days"]).map(Balance::AfterShipment)
    } else {
        None
    };
    match (deposit, balance) {
        (d, Some(b)) => Some(Terms {
            deposit: d.unwrap_or(0.0),
            balance: b,
        }),
        (Some(d), None) if d >= 1.0 => Some(Terms {
            deposit: 1.0,
            balance: Balance::None,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<Terms> {
        parse(s, &BTreeMap::new())
    }

    fn t(deposit: f64, balance: Balance) -> Option<Terms> {
        Some(Terms { deposit, balance })
    }

    /// Each phrase reads as the terms beside it.
    fn reads(cases: &[(&str, Option<Terms>)]) {
        for (s, want) in cases {
            assert_eq!(&p(s), want, "{s}");
        }
    }

    #[test]
    fn the_spec_table() {
        use Balance::*;
        for s in [
            "30% deposit, 70% before shipment",
            "T/T 30% in advance, balance before shipment",
            "30%定金,70%出货前付清",
            "30%预付 70%发货前",
        ] {
            assert_eq!(p(s), t(0.3, BeforeShipment), "{s}");
        }
        for s in [
            "30% deposit, balance against B/L copy",
            "30%定金 70%见提单复印件",
            "30% T/T, 70% against copy of B/L",
        ] {
            assert_eq!(p(s), t(0.3, AgainstBlCopy), "{s}");
        }
        for s in ["100% T/T in advance", "全款预付", "100%预付"] {
            assert_eq!(p(s), t(1.0, None), "{s}");
        }
        reads(&[
            ("T/T 30 days after B/L", t(0.0, AfterShipment(30))),
            ("OA 60 days", t(0.0, AfterShipment(60))),
            ("提单日后30天", t(0.0, AfterShipment(30))),
            ("出货后45天付款", t(0.0, AfterShipment(45))),
            ("Net 30", t(0.0, AfterShipment(30))),
            ("L/C at sight", t(0.0, Lc(0))),
            ("即期信用证", t(0.0, Lc(0))),
            ("L/C 60 days", t(0.0, Lc(60))),
        ]);
    }

    #[test]
    fn collections_written_without_the_slash() {
        use Balance::*;
        reads(&[
            ("30%TT定金，70%DP即期", t(0.3, Collection(0))),
            ("DP at sight", t(0.0, Collection(0))),
            ("DA 60天", t(0.0, Collection(60))),
            ("DA 60", t(0.0, Collection(60))),
            ("DP", t(0.0, Collection(0))),
            ("30% deposit, 70% DA 90 days", t(0.3, Collection(90))),
            // The `da` of `days` and of other words is no D/A.
            ("T/T 30 days after B/L", t(0.0, AfterShipment(30))),
            ("OA 60 days", t(0.0, AfterShipment(60))),
            ("Net 30 days", t(0.0, AfterShipment(30))),
        ]);
    }

    #[test]
    fn collections_of_spec_10_1() {
        use Balance::*;
        for s in [
            "D/P at sight",
            "D/P",
            "付款交单",
            "即期付款交单",
            "d/p AT SIGHT",
            "D / P  at  sight",
            "D／P",
            "Documents against Payment",
            "D/P, at sight",
        ] {
            assert_eq!(p(s), t(0.0, Collection(0)), "{s}");
        }
        for (s, n) in [
            ("D/P 30 days", 30),
            ("D/A 60 days", 60),
            ("远期付款交单30天", 30),
            ("承兑交单60天", 60),
            ("D/A 60 days after B/L", 60),
            ("D/A60", 60),
            ("d/p 90 DAYS after sight", 90),
            ("D/A at 45 days", 45),
            ("承兑交单 90 日", 90),
            ("Documents against acceptance 120 days", 120),
        ] {
            assert_eq!(p(s), t(0.0, Collection(n)), "{s}");
        }
    }

    #[test]
    fn collections_after_a_deposit() {
        use Balance::*;
        for (s, d, n) in [
            ("30% T/T deposit, 70% D/P at sight", 0.3, 0),
            ("30%定金,70%付款交单", 0.3, 0),
            ("30%定金，余款即期付款交单", 0.3, 0),
            ("20% deposit, balance D/A 60 days", 0.2, 60),
            ("20%预付,80%承兑交单90天", 0.2, 90),
            ("T/T 30% deposit, D/P 70%", 0.3, 0),
            ("30% T/T, 70% D/P 30 days", 0.3, 30),
            ("100% D/P at sight", 0.0, 0),
        ] {
            assert_eq!(p(s), t(d, Collection(n)), "{s}");
        }
    }

    #[test]
    fn collection_near_misses_are_not_read() {
        for s in [
            "D/A",
            "承兑交单",
            "D/A days",
            "DA",
            "D.P.",
            "交单",
            "付款",
            "D/O",
            "D/P 99999 days",
            "D/A 5000 days",
            "D/P 30 pcs",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }

    #[test]
    fn a_team_collection_phrase() {
        let spec = TermsSpec {
            deposit: 0.0,
            balance: Some("collection".into()),
            days: 60,
        };
        assert_eq!(from_spec(&spec), t(0.0, Balance::Collection(60)).unwrap());
    }

    #[test]
    fn near_misses_are_not_read() {
        for s in [
            "",
            "TBD",
            "as usual",
            "月结",
            "30",
            "see contract",
            "%%%",
            "100",
        ] {
            assert_eq!(p(s), None, "{s}");
        }
    }

    #[test]
    fn team_phrases_come_first() {
        let mut custom = BTreeMap::new();
        custom.insert(
            normalise("老客户 月结"),
            Terms {
                deposit: 0.0,
                balance: Balance::AfterShipment(30),
            },
        );
        assert_eq!(
            parse("老客户月结", &custom),
            t(0.0, Balance::AfterShipment(30))
        );
        assert_eq!(parse("老客户月结", &BTreeMap::new()), None);
    }
}
