//! Reading one cell's text as a date, a number, an enumerated word or a key
//! (spec section 3, "Values"). Pure functions: no file, sheet or row here;
//! the caller turns a failure into a flag that names the cell.

use std::collections::HashMap;

use calamine::{ExcelDateTime, ExcelDateTimeType};
use chrono::NaiveDate;
use unicode_normalization::UnicodeNormalization;

use crate::fields::EnumKind;
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
/// `2026年11月30日`, `20261130`, `30/11/2026`, `11/30/2026`, month names
/// (`2 Oct 2026`, `02-Oct-26`, `Oct 2, 2026`, `2026-Oct-02`) and two-digit
/// years (00–29 → 20xx, 30–99 → 19xx) when the year is last or a month name
/// is given; a time part is dropped. Dates without a year need a report
/// date: see [`parse_date_near`].
pub fn parse_date_text(s: &str, order: DateOrder) -> Result<NaiveDate, DateError> {
    parse_date_near(s, order, None)
}

/// [`parse_date_text`], and with `as_of` also dates without a year
/// (`11月30日`, `30-Nov`, `Nov 30`, `11/30`: month first under ymd and mdy,
/// day first under dmy), which take the year that puts them nearest to
/// `as_of`.
pub fn parse_date_near(
    s: &str,
    order: DateOrder,
    as_of: Option<NaiveDate>,
) -> Result<NaiveDate, DateError> {
    let t = nfkc(s);
    let t = strip_time(t.trim());
    if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
        let y = t[0..4].parse().map_err(|_| DateError::Invalid)?;
        let m = t[4..6].parse().map_err(|_| DateError::Invalid)?;
        let d = t[6..8].parse().map_err(|_| DateError::Invalid)?;
        return NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Invalid);
    }
    let cjk = t.contains(['年', '月', '日', '号']);
    let mut nums: Vec<&str> = Vec::with_capacity(3);
    let mut month_word: Option<(u32, usize)> = None;
    let mut shape = [0u8; 4];
    let mut n = 0;
    for tok in t
        .split(|c: char| {
            matches!(c, '-' | '/' | '.' | ',' | '年' | '月' | '日' | '号') || c.is_whitespace()
        })
        .filter(|p| !p.is_empty())
    {
        if n == shape.len() {
            return Err(DateError::Invalid);
        }
        if tok.bytes().all(|b| b.is_ascii_digit()) {
            if tok.len() > 4 {
                return Err(DateError::Invalid);
            }
            nums.push(tok);
            shape[n] = b'n';
        } else if let Some(m) = month_of(tok) {
            if month_word.is_some() {
                return Err(DateError::Invalid);
            }
            month_word = Some((m, n));
            shape[n] = b'm';
        } else if is_weekday(tok) && n == 0 {
            continue;
        } else {
            return Err(DateError::Invalid);
        }
        n += 1;
    }
    let num = |p: &str| p.parse::<u32>().map_err(|_| DateError::Invalid);
    let ymd = |y: i32, m: u32, d: u32| NaiveDate::from_ymd_opt(y, m, d).ok_or(DateError::Invalid);
    if let Some((m, _)) = month_word {
        return match (&shape[..n], nums.as_slice()) {
            // 2026-Oct-02
            (b"nmn", [y, d]) if y.len() == 4 && d.len() <= 2 => ymd(num(y)? as i32, m, num(d)?),
            // 2 Oct 2026, 02-Oct-26
            (b"nmn", [d, y]) if d.len() <= 2 && (y.len() == 4 || y.len() == 2) => {
                ymd(year_of(y)?, m, num(d)?)
            }
            // Oct 2, 2026; October 2 2026
            (b"mnn", [d, y]) if d.len() <= 2 && (y.len() == 4 || y.len() == 2) => {
                ymd(year_of(y)?, m, num(d)?)
            }
            // 30-Nov, Nov 30
            (b"nm", [d]) | (b"mn", [d]) if d.len() <= 2 => nearest(as_of, m, num(d)?),
            _ => Err(DateError::Invalid),
        };
    }
    match nums.as_slice() {
        [y, m, d] if y.len() == 4 => ymd(num(y)? as i32, num(m)?, num(d)?),
        [a, b, y] if a.len() <= 2 && b.len() <= 2 && (y.len() == 4 || y.len() == 2) && !cjk => {
            let y = year_of(y)?;
            let (a, b) = (num(a)?, num(b)?);
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
        // 11月30日; 11/30 (day first under dmy)
        [a, b] if a.len() <= 2 && b.len() <= 2 => {
            let (a, b) = (num(a)?, num(b)?);
            if cjk || order != DateOrder::Dmy {
                nearest(as_of, a, b)
            } else {
                nearest(as_of, b, a)
            }
        }
        _ => Err(DateError::Invalid),
    }
}

/// What a year-last numeric date says of the date order: first part over
/// 12 → day first, second part over 12 → month first (`gendan init`).
pub fn day_month_hint(s: &str) -> Option<DateOrder> {
    let t = s.trim();
    let mut parts = t
        .split(|c: char| c.is_whitespace() || c == 'T')
        .next()?
        .split(['/', '-', '.']);
    let (a, b, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || !(y.len() == 4 || y.len() == 2) || a.len() > 2 || b.len() > 2 {
        return None;
    }
    let (a, b): (u32, u32) = (a.parse().ok()?, b.parse().ok()?);
    y.parse::<u32>().ok()?;
    match (a > 12, b > 12) {
        (true, false) => Some(DateOrder::Dmy),
        (false, true) => Some(DateOrder::Mdy),
        _ => None,
    }
}

/// Text before a time part: `2026-11-10 10:30`, `2026-11-10T10:30:00Z`,
/// `2026年11月10日 10:30`, `10/11/2026 10:30 am`.
fn strip_time(t: &str) -> &str {
    let Some(colon) = t.find(':') else {
        return t;
    };
    let head = &t[..colon];
    let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 || digits > 2 {
        return t;
    }
    let cut = colon - digits;
    let before = &t[..cut];
    let date = match before.chars().last() {
        Some('T' | 't') => &before[..before.len() - 1],
        Some(c) if c.is_whitespace() || c == '日' || c == '号' => before,
        _ => return t,
    };
    let time_ok = t[cut..]
        .chars()
        .all(|c| c.is_ascii_digit() || c.is_whitespace() || ":.+-ZzAaPpMmUuTtCcGg".contains(c));
    if time_ok {
        date.trim_end()
    } else {
        t
    }
}

/// A two- or four-digit year as Excel reads it: 00–29 → 2000–2029,
/// 30–99 → 1930–1999.
fn year_of(y: &str) -> Result<i32, DateError> {
    let v: i32 = y.parse().map_err(|_| DateError::Invalid)?;
    Ok(match y.len() {
        4 => v,
        2 if v < 30 => 2000 + v,
        2 => 1900 + v,
        _ => return Err(DateError::Invalid),
    })
}

/// The month an English month name or abbreviation stands for, in any case,
/// with or without a trailing period (`Sept`, `oct.`).
fn month_of(tok: &str) -> Option<u32> {
    const NAMES: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let w = tok.trim_end_matches('.');
    if w.len() < 3 || w.len() > 9 || !w.is_ascii() {
        return None;
    }
    let w = w.to_ascii_lowercase();
    if w == "sept" {
        return Some(9);
    }
    NAMES
        .iter()
        .position(|n| *n == w || (w.len() == 3 && n.starts_with(w.as_str())))
        .map(|i| i as u32 + 1)
}

fn is_weekday(tok: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let w = tok.trim_end_matches('.').to_ascii_lowercase();
    w.len() >= 3
        && DAYS
            .iter()
            .any(|d| *d == w || (w.len() == 3 && d.starts_with(w.as_str())))
}

/// A month and day without a year: the year (as_of's, the one before or
/// the one after) that puts the date nearest to `as_of`.
fn nearest(as_of: Option<NaiveDate>, m: u32, d: u32) -> Result<NaiveDate, DateError> {
    let as_of = as_of.ok_or(DateError::Invalid)?;
    let y = chrono::Datelike::year(&as_of);
    [y - 1, y, y + 1]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, m, d))
        .min_by_key(|x| (*x - as_of).num_days().abs())
        .ok_or(DateError::Invalid)
}

/// A header's bracketed suffix: (`金额`, `USD`) for `金额(USD)`, also with
/// `[]`, `（）` or `【】`; `None` without one or when nothing is before it.
pub fn split_suffix(header: &str) -> Option<(&str, &str)> {
    let t = header.trim_end();
    let close = t.chars().last()?;
    let open = match close {
        ')' => '(',
        ']' => '[',
        '）' => '（',
        '】' => '【',
        _ => return None,
    };
    let at = t.rfind(open)?;
    let base = t[..at].trim_end();
    let inner = t[at + open.len_utf8()..t.len() - close.len_utf8()].trim();
    (!base.is_empty()).then_some((base, inner))
}

/// Whether a cell's whole text is an empty marker (`N/A`, `TBD`, `待定`,
/// `-`, …, spec section 3) or one of `extra` (already [`norm_marker`]ed).
pub fn is_empty_marker(s: &str, extra: &[String]) -> bool {
    let t = s.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    let Some(first) = t.chars().next() else {
        return false;
    };
    // Most cells are names and words: one look at the first character
    // rules them out (every built-in marker starts with one of these, or
    // is written in full-width forms).
    if extra.is_empty()
        && !matches!(
            first.to_ascii_lowercase(),
            'n' | 't' | '-' | '/' | '?' | '#' | '—' | '–' | '？' | '待' | '未' | '无' | '暂' | '空'
        )
        && !('\u{ff00}'..='\u{ffef}').contains(&first)
    {
        return false;
    }
    if t.len() <= MARKER_BYTES {
        // ASCII case folded in place; CJK markers compare as written.
        let mut buf = [0u8; MARKER_BYTES];
        for (b, c) in buf.iter_mut().zip(t.bytes()) {
            *b = c.to_ascii_lowercase();
        }
        let low = &buf[..t.len()];
        if EMPTY_MARKERS.iter().any(|w| w.as_bytes() == low) {
            return true;
        }
    }
    // Full-width forms (`ＮＡ`) need NFKC; other text only against the
    // template's own words.
    let full_width = || t.chars().any(|c| ('\u{ff00}'..='\u{ffef}').contains(&c));
    if (extra.is_empty() && !full_width()) || t.chars().count() > 60 {
        return false;
    }
    let n = norm_marker(t);
    EMPTY_MARKERS.contains(&n.as_str()) || extra.contains(&n)
}

/// The built-in empty markers (spec section 3), lower case.
pub const EMPTY_MARKERS: &[&str] = &[
    "n/a", "na", "n.a.", "n.a", "-", "--", "---", "—", "——", "–", "/", "?", "？", "tbd", "tba",
    "tbc", "待定", "未定", "无", "暂无", "空", "null", "none", "nil", "#n/a",
];

/// The longest built-in marker, in bytes.
const MARKER_BYTES: usize = 6;

/// An empty-marker word as compared: NFKC, lower case, white space
/// collapsed.
pub fn norm_marker(s: &str) -> String {
    norm_key(s)
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

/// A number as a share (the quantity tolerance, spec section 10.1): 1 or
/// more is a percentage (`5` is 5 %), below 1 a share (`0.05`, as a cell
/// formatted 5 % holds it); a share must be below 1 (100 %).
pub fn share_of_number(x: f64) -> Option<f64> {
    if !x.is_finite() || x < 0.0 {
        return None;
    }
    let share = if x >= 1.0 { x / 100.0 } else { x };
    (share < 1.0).then_some(share)
}

/// Words written around a tolerance's number, in its normalised text
/// (NFKC, lower case, no white space); longest first.
const SHARE_WORDS: &[&str] = &[
    "quantitytolerance",
    "qtytolerance",
    "moreorless",
    "more/less",
    "tolerance",
    "溢短装比例",
    "数量溢短",
    "溢短装",
    "溢短",
    "mol",
    "+/-",
    "-/+",
    "+-",
    "±",
];

/// A tolerance cell's text as a share (spec section 10.1): `±5%`,
/// `+/-5%`, `5%`, `5 percent`, `more or less 5%`, `5% more or less`,
/// `溢短装5%`, `0.05` or `5` (see [`share_of_number`]); `None` for anything
/// else, a tolerance of 100 % or more, or one side only (`+5%/-3%`).
pub fn parse_share(s: &str) -> Option<f64> {
    let mut t: String = nfkc(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    for w in SHARE_WORDS {
        t = t.replace(w, "");
    }
    let t = t
        .trim_end_matches(['.', ':', ','])
        .trim_start_matches([':', ',']);
    let (body, percent) = match t.strip_suffix('%').or_else(|| t.strip_suffix("percent")) {
        Some(b) => (b, true),
        None => (t, false),
    };
    let ok = !body.is_empty()
        && body.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && body.bytes().filter(|b| *b == b'.').count() <= 1
        && body.bytes().any(|b| b.is_ascii_digit());
    if !ok {
        return None;
    }
    let x: f64 = body.parse().ok()?;
    if percent {
        let share = x / 100.0;
        (share < 1.0).then_some(share)
    } else {
        share_of_number(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }

    #[test]
    fn shares_in_every_form() {
        let near = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-12);
        for (s, x) in [
            ("±5%", 0.05),
            ("+/-5%", 0.05),
            ("+-5%", 0.05),
            ("5%", 0.05),
            ("5 %", 0.05),
            ("５％", 0.05),
            ("more or less 5%", 0.05),
            ("5% more or less", 0.05),
            ("More or Less 3 %", 0.03),
            ("MOL 10%", 0.1),
            ("溢短装5%", 0.05),
            ("溢短装 ±3%", 0.03),
            ("0.05", 0.05),
            ("5", 0.05),
            ("2.5", 0.025),
            ("2.5%", 0.025),
            ("0", 0.0),
            ("0%", 0.0),
            ("10 percent", 0.1),
            ("1", 0.01),
        ] {
            assert!(near(parse_share(s), x), "{s}: {:?}", parse_share(s));
        }
        for s in [
            "",
            "%",
            "±",
            "five percent",
            "about 5%",
            "+5%/-3%",
            "5%-10%",
            "-5%",
            "100%",
            "150",
            "5..5%",
            ".",
            "5e2",
            "NaN",
            "inf",
            "溢短装",
            "5 pcs",
        ] {
            assert_eq!(parse_share(s), None, "{s}");
        }
        assert_eq!(share_of_number(0.05), Some(0.05));
        assert_eq!(share_of_number(5.0), Some(0.05));
        assert_eq!(share_of_number(-0.05), None);
        assert_eq!(share_of_number(100.0), None);
        assert_eq!(share_of_number(f64::NAN), None);
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
    fn rev4_text_dates() {
        let o = DateOrder::Ymd;
        for s in [
            "2 Oct 2026",
            "02-Oct-2026",
            "02-Oct-26",
            "02-OCT-26",
            "Oct 2, 2026",
            "October 2 2026",
            "2026-Oct-02",
            "2 oct. 2026",
            "Fri, 2 Oct 2026",
            "2026-10-02 10:30",
            "2026-10-02T10:30:00Z",
            "2026/10/02 10:30:00",
            "2026年10月2日 10:30",
            "2026年10月2号",
            "10/02/2026 10:30",
            "02/10/26 9:05 am",
        ] {
            let want = if s.starts_with("02/10/26") {
                parse_date_text(s, DateOrder::Dmy)
            } else if s.starts_with("10/02/2026") {
                parse_date_text(s, DateOrder::Mdy)
            } else {
                parse_date_text(s, o)
            };
            assert_eq!(want, Ok(d(2026, 10, 2)), "{s}");
        }
        assert_eq!(parse_date_text("2 Sept 1999", o), Ok(d(1999, 9, 2)));
        assert_eq!(parse_date_text("1 Jan 30", o), Ok(d(1930, 1, 1)));
        assert_eq!(parse_date_text("30/11/29", o), Ok(d(2029, 11, 30)));
        let dec = Some(d(2026, 12, 1));
        assert_eq!(parse_date_near("1月5日", o, dec), Ok(d(2027, 1, 5)));
        assert_eq!(parse_date_near("11月30日", o, dec), Ok(d(2026, 11, 30)));
        assert_eq!(parse_date_near("30-Nov", o, dec), Ok(d(2026, 11, 30)));
        assert_eq!(parse_date_near("Nov 30", o, dec), Ok(d(2026, 11, 30)));
        assert_eq!(parse_date_near("11/30", o, dec), Ok(d(2026, 11, 30)));
        assert_eq!(
            parse_date_near("5/1", DateOrder::Dmy, dec),
            Ok(d(2027, 1, 5))
        );
        let jan = Some(d(2027, 1, 10));
        assert_eq!(parse_date_near("12月20日", o, jan), Ok(d(2026, 12, 20)));
        for bad in ["Oct 2026", "2 Foo 2026", "2026-10-02 soon", "32 Oct 2026"] {
            assert_eq!(parse_date_text(bad, o), Err(DateError::Invalid), "{bad}");
        }
    }

    #[test]
    fn empty_markers() {
        for s in [
            "N/A", "n/a", " NA ", "-", "—", "TBD", "待定", "无", "None", "？",
        ] {
            assert!(is_empty_marker(s, &[]), "{s}");
        }
        for s in ["Nathan", "0", "A-1", "n/a yet"] {
            assert!(!is_empty_marker(s, &[]), "{s}");
        }
        let extra = vec![norm_marker("Date Not Captured")];
        assert!(is_empty_marker("date not  captured", &extra));
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
