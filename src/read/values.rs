//! Reading one cell's text as a date, a number, an enumerated word or a key
//! (spec section 3, "Values"). Pure functions: no file, sheet or row here;
//! the caller turns a failure into a flag that names the cell.

use std::collections::HashMap;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use super::fields::EnumKind;
use crate::template::{DateOrder, ValuesSection};

/// NFKC-normalised text. ASCII text is its own NFKC form.
pub fn nfkc(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    s.nfkc().collect()
}

/// Whether `s` normalises (as [`norm_header`]) to one of `words`; ASCII text
/// is compared without allocating.
pub fn header_is(s: &str, words: &[&str]) -> bool {
    if !s.is_ascii() {
        let n = norm_header(s);
        return words.contains(&n.as_str());
    }
    let letters = || {
        s.bytes()
            .filter(u8::is_ascii_alphanumeric)
            .map(|b| b.to_ascii_lowercase())
    };
    words.iter().any(|w| letters().eq(w.bytes()))
}

/// Whether [`clean_text`] leaves nothing of `s`, without allocating.
pub fn is_blank_text(s: &str) -> bool {
    s.chars().all(|c| c.is_whitespace() || c.is_control())
}

/// Header text for matching: NFKC, lower case, letters and digits only
/// (spaces, punctuation and line breaks dropped).
pub fn norm_header(s: &str) -> String {
    nfkc(s)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// [`clean_text`], borrowing `s` when it is clean already.
pub fn clean_cow(s: &str) -> Option<std::borrow::Cow<'_, str>> {
    if is_clean(s) {
        Some(std::borrow::Cow::Borrowed(s))
    } else {
        clean_text(s).map(std::borrow::Cow::Owned)
    }
}

/// No leading, trailing or doubled white space, no control characters, and
/// not empty: what [`clean_text`] returns unchanged.
fn is_clean(s: &str) -> bool {
    let mut prev_space = true;
    s.chars().all(|c| {
        let space = c.is_whitespace() || c.is_control();
        let ok = !(space && (prev_space || c != ' '));
        prev_space = space;
        ok
    }) && !prev_space
}

/// Display text: trimmed (U+3000 counts as white space) with inner white
/// space collapsed to one space. `None` when nothing is left.
pub fn clean_text(s: &str) -> Option<String> {
    // Most cells are clean already: one copy, no splitting.
    if is_clean(s) {
        return Some(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    for part in s.split(|c: char| c.is_whitespace() || c.is_control()) {
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
    }
    (!out.is_empty()).then_some(out)
}

/// A key as compared: NFKC, case-folded, white space trimmed and collapsed.
/// `po-001`, `PO-001 ` and `ＰＯ-001` are one key.
pub fn norm_key(s: &str) -> String {
    if s.is_ascii() {
        return clean_text(&s.to_ascii_lowercase()).unwrap_or_default();
    }
    let n = nfkc(s).to_lowercase();
    clean_text(&n).unwrap_or_default()
}

/// An enumerated word as compared: NFKC, lower case, no spaces, `_` or `-`.
pub fn norm_word(s: &str) -> String {
    nfkc(s)
        .chars()
        .filter(|c| !(c.is_whitespace() || *c == '_' || *c == '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Why a text is not a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateError {
    Invalid,
    /// Both day-first and month-first readings are valid dates.
    Ambiguous,
}

/// Reads a text date: `2026-11-30`, `2026/11/30`, `2026.11.30`,
/// `2026年11月30日`, `20261130`, `30/11/2026`, `11/30/2026`; a time part
/// is dropped.
pub fn parse_date_text(s: &str, order: DateOrder) -> Result<NaiveDate, DateError> {
    let t = nfkc(s);
    let t = t.trim();
    // Drop a time part: "2026-11-30 14:00", "2026-11-30T14:00:00".
    let date_part = t
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()
        .unwrap_or("");
    if date_part.len() == 8 && date_part.bytes().all(|b| b.is_ascii_digit()) {
        let y = date_part[0..4].parse().map_err(|_| DateError::Invalid)?;
        let m = date_part[4..6].parse().map_err(|_| DateError::Invalid)?;
        let d = date_part[6..8].parse().map_err(|_| DateError::Invalid)?;
        return NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Invalid);
    }
    let tokens: Vec<&str> = date_part
        .split(['-', '/', '.', '年', '月', '日'])
        .filter(|p| !p.is_empty())
        .collect();
    if tokens.len() != 3
        || tokens
            .iter()
            .any(|p| p.len() > 4 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(DateError::Invalid);
    }
    let num = |p: &str| p.parse::<u32>().map_err(|_| DateError::Invalid);
    if tokens[0].len() == 4 {
        let y = num(tokens[0])? as i32;
        return NaiveDate::from_ymd_opt(y, num(tokens[1])?, num(tokens[2])?)
            .ok_or(DateError::Invalid);
    }
    if tokens[2].len() != 4 || tokens[0].len() > 2 || tokens[1].len() > 2 {
        return Err(DateError::Invalid);
    }
    let y = num(tokens[2])? as i32;
    let (a, b) = (num(tokens[0])?, num(tokens[1])?);
    let dmy = NaiveDate::from_ymd_opt(y, b, a);
    let mdy = NaiveDate::from_ymd_opt(y, a, b);
    match order {
        DateOrder::Dmy => dmy.ok_or(DateError::Invalid),
        DateOrder::Mdy => mdy.ok_or(DateError::Invalid),
        DateOrder::Ymd => match (dmy, mdy) {
            (Some(x), Some(y)) if x == y => Ok(x),
            (Some(_), Some(_)) => Err(DateError::Ambiguous),
            (Some(x), None) | (None, Some(x)) => Ok(x),
            (None, None) => Err(DateError::Invalid),
        },
    }
}

/// An Excel serial number (1900 date system) as a date; `None` outside
/// Excel's range 1..=2958465.
pub fn serial_to_date(v: f64) -> Option<NaiveDate> {
    if !(1.0..2_958_466.0).contains(&v) {
        return None;
    }
    ExcelDateTime::new(v, ExcelDateTimeType::DateTime, false)
        .as_datetime()
        .map(|dt| dt.date())
}

fn is_currency_word(w: &str) -> bool {
    let n = norm_word(w);
    if n.is_empty() {
        return false;
    }
    let up = n.to_uppercase();
    EnumKind::Currency.canonical_words().contains(&up.as_str())
        || EnumKind::Currency
            .builtin_words()
            .iter()
            .any(|(word, _)| norm_word(word) == n)
        || n == "￥"
}

/// Reads a number written as text: thousands separators, full-width digits,
/// a currency symbol or ISO code, or a trailing unit word
/// (`USD 1,200.50`, `¥3,000`, `1200 pcs`, `1200件`). `€ 12,5` is not a
/// number (a decimal comma is not guessed).
pub fn parse_number_text(s: &str) -> Option<f64> {
    let t = nfkc(s);
    let t = t.trim();
    // Split off a prefix before the first sign or digit.
    let start = t.find(|c: char| c.is_ascii_digit() || c == '-' || c == '+' || c == '.')?;
    let (prefix, rest) = t.split_at(start);
    let prefix = prefix.trim();
    if !prefix.is_empty() && !is_currency_word(prefix) {
        return None;
    }
    // Split off a suffix after the last digit.
    let end = rest.rfind(|c: char| c.is_ascii_digit())? + 1;
    let (body, suffix) = rest.split_at(end);
    let suffix = suffix.trim();
    let unit_word =
        suffix.chars().count() <= 12 && suffix.chars().all(|c| c.is_alphabetic() || c == '.');
    if !(suffix.is_empty() || unit_word || is_currency_word(suffix)) {
        return None;
    }
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let digits = digits.trim_start();
    let (int_part, frac_part) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    if let Some(f) = frac_part {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
    }
    let int_clean: String = if int_part.contains(',') {
        let groups: Vec<&str> = int_part.split(',').collect();
        let ok = !groups[0].is_empty()
            && groups[0].len() <= 3
            && groups[1..].iter().all(|g| g.len() == 3)
            && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
        if !ok {
            return None;
        }
        groups.concat()
    } else {
        if !int_part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        int_part.to_string()
    };
    if int_clean.is_empty() && frac_part.is_none() {
        return None;
    }
    let text = match frac_part {
        Some(f) => format!(
            "{}.{f}",
            if int_clean.is_empty() {
                "0"
            } else {
                &int_clean
            }
        ),
        None => int_clean,
    };
    let v: f64 = text.parse().ok()?;
    if !v.is_finite() {
        return None;
    }
    let v = if negative { -v } else { v };
    // -0 reads as 0.
    Some(if v == 0.0 { 0.0 } else { v })
}

/// Matches enumerated words of one kind: built-in words, canonical words and
/// the template's `[values.*]` additions.
#[derive(Clone, Debug)]
pub struct WordMatcher {
    kind: EnumKind,
    words: HashMap<String, &'static str>,
    /// The same words as written, looked up before normalising.
    exact: HashMap<String, &'static str>,
    /// Known words as shown in a suggestion: (normalised, shown).
    shown: Vec<(String, String)>,
}

impl WordMatcher {
    pub fn new(kind: EnumKind, values: &ValuesSection) -> Self {
        let mut words = HashMap::new();
        let mut exact = HashMap::new();
        let mut shown = Vec::new();
        for c in kind.canonical_words() {
            words.insert(norm_word(c), *c);
            exact.insert(c.to_string(), *c);
            shown.push((norm_word(c), c.to_string()));
        }
        for (w, c) in kind.builtin_words() {
            words.insert(norm_word(w), *c);
            exact.insert(w.to_string(), *c);
            shown.push((norm_word(w), w.to_string()));
        }
        for (w, c) in values.extra(kind) {
            if let Some(canon) = kind.canonical_words().iter().find(|k| **k == c.as_str()) {
                words.insert(norm_word(w), *canon);
                exact.insert(w.clone(), *canon);
                shown.push((norm_word(w), w.clone()));
            }
        }
        // A word written exactly as listed means what its normal form means
        // (a template word may share a normal form with a built-in one).
        exact.retain(|w, c| words.get(&norm_word(w)) == Some(c));
        WordMatcher {
            kind,
            words,
            exact,
            shown,
        }
    }

    pub fn kind(&self) -> EnumKind {
        self.kind
    }

    /// The canonical word for `raw`, or the nearest known word as a hint.
    pub fn lookup(&self, raw: &str) -> Result<&'static str, String> {
        if let Some(c) = self.exact.get(raw) {
            return Ok(c);
        }
        let n = norm_word(raw);
        if let Some(c) = self.words.get(&n) {
            return Ok(c);
        }
        let best = self
            .shown
            .iter()
            .min_by_key(|(norm, _)| strsim::levenshtein(norm, &n))
            .map(|(_, shown)| shown.clone())
            .unwrap_or_default();
        Err(best)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn text_dates() {
        let o = DateOrder::Ymd;
        for s in [
            "2026-11-30",
            "2026/11/30",
            "2026.11.30",
            "2026年11月30日",
            "30/11/2026",
            "11/30/2026",
            "２０２６－１１－３０",
            "2026-11-30 14:22:01",
            "2026-11-30T08:00",
            "20261130",
        ] {
            assert_eq!(parse_date_text(s, o), Ok(d(2026, 11, 30)), "{s}");
        }
        assert_eq!(parse_date_text("03/04/2026", o), Err(DateError::Ambiguous));
        assert_eq!(
            parse_date_text("03/04/2026", DateOrder::Dmy),
            Ok(d(2026, 4, 3))
        );
        assert_eq!(
            parse_date_text("03/04/2026", DateOrder::Mdy),
            Ok(d(2026, 3, 4))
        );
        assert_eq!(parse_date_text("04/04/2026", o), Ok(d(2026, 4, 4)));
        for bad in ["2026-13-01", "soon", "2026-02-30", "31/31/2026", "", "1/2"] {
            assert_eq!(parse_date_text(bad, o), Err(DateError::Invalid), "{bad}");
        }
    }

    #[test]
    fn serials() {
        assert_eq!(serial_to_date(46356.0), Some(d(2026, 11, 30)));
        assert_eq!(serial_to_date(0.0), None);
        assert_eq!(serial_to_date(1e9), None);
    }

    #[test]
    fn text_numbers() {
        for (s, v) in [
            ("1200", 1200.0),
            ("USD 1,200.50", 1200.5),
            ("¥3,000", 3000.0),
            ("1200 pcs", 1200.0),
            ("1200件", 1200.0),
            ("１２００", 1200.0),
            ("US$ 5", 5.0),
            ("RMB 12.5", 12.5),
            ("-0", 0.0),
            ("-5", -5.0),
            (".5", 0.5),
            ("3000元", 3000.0),
            ("12 USD", 12.0),
        ] {
            assert_eq!(parse_number_text(s), Some(v), "{s}");
        }
        for bad in [
            "€ 12,5", "abc", "", "1,2,3", "12abc34", "NaN", "1e308", "xyz 12", "1.2.3",
        ] {
            assert_eq!(parse_number_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn keys_and_words() {
        assert_eq!(norm_key("po-001"), norm_key("PO-001 "));
        assert_eq!(norm_key("ＰＯ-001"), "po-001");
        assert_eq!(norm_word("IN-TRANSIT"), norm_word("in_transit"));
        assert_eq!(norm_header("ＰＯ号"), norm_header("PO号"));
        assert_eq!(norm_header("B/L\nNo"), "blno");
        assert_eq!(clean_text("\u{3000} a  b \t"), Some("a b".into()));
        let m = WordMatcher::new(EnumKind::ShipmentStatus, &ValuesSection::default());
        assert_eq!(m.lookup("In Transit"), Ok("in_transit"));
        assert_eq!(m.lookup("在途"), Ok("in_transit"));
        assert_eq!(m.lookup("in-transt"), Err("in_transit".to_string()));
        let c = WordMatcher::new(EnumKind::Currency, &ValuesSection::default());
        assert_eq!(c.lookup("usd"), Ok("USD"));
        assert_eq!(c.lookup("人民币"), Ok("CNY"));
        assert!(c.lookup("XXX").is_err());
    }
}
