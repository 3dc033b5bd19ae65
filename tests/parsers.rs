//! Property tests for the value parsers (spec section 3, "Values"): on any
//! input they do not panic; what they accept round-trips; and they agree
//! with an independent formulation (chrono's own parser, Rust's float
//! parser, a plain split-and-join) on generated inputs. The fast paths of
//! the reader (ASCII shortcuts, exact word lookup) are checked against the
//! general path here too.

use chrono::{Datelike, Duration, NaiveDate};
use gendan::read::fields::EnumKind;
use gendan::read::values::{
    clean_text, header_is, is_blank_text, nfkc, norm_header, norm_key, parse_date_text,
    parse_number_text, serial_to_date, DateError, WordMatcher,
};
use gendan::template::{DateOrder, ValuesSection};
use proptest::prelude::*;
use unicode_normalization::UnicodeNormalization;

/// Text with the characters registers actually hold: ASCII, CJK,
/// full-width forms, odd white space and control characters.
fn messy_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => proptest::char::range(' ', '~'),
            1 => proptest::char::range('一', '龥'),
            1 => proptest::char::range('！', '～'),
            1 => prop_oneof![
                Just('\u{3000}'),
                Just('\t'),
                Just('\n'),
                Just('\r'),
                Just('\u{a0}'),
                Just('\u{0}'),
                Just('\u{1f}'),
                Just('\u{85}'),
                Just('\u{200b}'),
                Just('年'),
                Just('月'),
                Just('日'),
                Just('¥'),
                Just('$'),
            ],
            1 => any::<char>(),
        ],
        0..24,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

/// The reference for `clean_text`: split on white space and control
/// characters, join the pieces with one space.
fn reference_clean(s: &str) -> Option<String> {
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|p| !p.is_empty())
        .collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn valid_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(365 * 300))
        .prop_map(|d| NaiveDate::from_ymd_opt(1900, 1, 1).unwrap() + Duration::days(d))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn parsers_never_panic(s in messy_text()) {
        for order in [DateOrder::Ymd, DateOrder::Dmy, DateOrder::Mdy] {
            let _ = parse_date_text(&s, order);
        }
        let _ = parse_number_text(&s);
        let _ = norm_key(&s);
        let _ = norm_header(&s);
        for kind in EnumKind::ALL {
            let _ = WordMatcher::new(kind, &ValuesSection::default()).lookup(&s);
        }
    }

    #[test]
    fn any_serial_is_safe(v in any::<f64>()) {
        let _ = serial_to_date(v);
    }

    #[test]
    fn whole_serials_count_days_from_1899_12_30(n in 61u32..=2_958_465) {
        // Past Excel's phantom 1900-02-29 (serial 60), serial n is the day
        // n days after 1899-12-30.
        let expected = NaiveDate::from_ymd_opt(1899, 12, 30).unwrap() + Duration::days(i64::from(n));
        prop_assert_eq!(serial_to_date(f64::from(n)), Some(expected));
    }

    #[test]
    fn dates_round_trip_in_every_written_form(d in valid_date()) {
        let forms = [
            d.format("%Y-%m-%d").to_string(),
            d.format("%Y/%m/%d").to_string(),
            d.format("%Y.%m.%d").to_string(),
            d.format("%Y-%-m-%-d").to_string(),
            d.format("%Y年%-m月%-d日").to_string(),
            d.format("%Y%m%d").to_string(),
            d.format("%Y-%m-%d 14:30").to_string(),
            d.format("%Y-%m-%dT08:00:00").to_string(),
            d.format("%Y-%m-%d").to_string().nfkc().collect::<String>(),
            // Full-width digits, as some registers type them.
            d.format("%Y-%m-%d")
                .to_string()
                .chars()
                .map(|c| c.to_digit(10).map_or(c, |n| char::from_u32(0xFF10 + n).unwrap()))
                .collect(),
        ];
        for s in &forms {
            prop_assert_eq!(parse_date_text(s, DateOrder::Ymd), Ok(d), "{}", s);
        }
        prop_assert_eq!(parse_date_text(&d.format("%d/%m/%Y").to_string(), DateOrder::Dmy), Ok(d));
        prop_assert_eq!(parse_date_text(&d.format("%m/%d/%Y").to_string(), DateOrder::Mdy), Ok(d));
        // Day-first and month-first readings differ only when both exist.
        let dmy = d.format("%d/%m/%Y").to_string();
        let r = parse_date_text(&dmy, DateOrder::Ymd);
        if d.day0() < 12 && d.day0() != d.month0() {
            prop_assert_eq!(r, Err(DateError::Ambiguous));
        } else {
            prop_assert_eq!(r, Ok(d));
        }
    }

    #[test]
    fn iso_like_dates_agree_with_chrono(y in 1000u32..10000, m in 0u32..100, dd in 0u32..100, pad in any::<bool>()) {
        let s = if pad { format!("{y}-{m:02}-{dd:02}") } else { format!("{y}-{m}-{dd}") };
        let ours = parse_date_text(&s, DateOrder::Ymd).ok();
        let chrono = NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok();
        prop_assert_eq!(ours, chrono, "{}", s);
    }

    #[test]
    fn day_first_dates_agree_with_chrono(d in 0u32..40, m in 0u32..15, y in 1000u32..10000) {
        let s = format!("{d}/{m}/{y}");
        prop_assert_eq!(
            parse_date_text(&s, DateOrder::Dmy).ok(),
            NaiveDate::parse_from_str(&s, "%d/%m/%Y").ok(),
            "{}", s
        );
    }

    #[test]
    fn plain_numbers_agree_with_rust(int in "-?[0-9]{1,15}", frac in proptest::option::of("[0-9]{1,6}")) {
        let s = match &frac { Some(f) => format!("{int}.{f}"), None => int.clone() };
        let expected: f64 = s.parse().unwrap();
        prop_assert_eq!(parse_number_text(&s), Some(expected), "{}", s);
    }

    #[test]
    fn displayed_floats_round_trip(x in -1e15f64..1e15) {
        let s = format!("{x}");
        prop_assert_eq!(parse_number_text(&s), Some(x), "{}", s);
    }

    #[test]
    fn grouped_thousands_and_units_read_as_the_number(n in 0u64..1_000_000_000_000, unit in prop_oneof![Just(""), Just(" pcs"), Just("件"), Just(" USD")], prefix in prop_oneof![Just(""), Just("USD "), Just("¥"), Just("US$ ")]) {
        let digits = n.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let s = format!("{prefix}{grouped}{unit}");
        prop_assert_eq!(parse_number_text(&s), Some(n as f64), "{}", s);
    }

    #[test]
    fn what_is_accepted_is_finite(s in messy_text()) {
        if let Some(v) = parse_number_text(&s) {
            prop_assert!(v.is_finite());
        }
    }

    #[test]
    fn clean_text_agrees_with_split_and_join(s in messy_text()) {
        prop_assert_eq!(clean_text(&s), reference_clean(&s));
        prop_assert_eq!(is_blank_text(&s), reference_clean(&s).is_none());
    }

    #[test]
    fn keys_agree_with_nfkc_lowercase_and_are_idempotent(s in messy_text()) {
        let reference = reference_clean(&s.nfkc().collect::<String>().to_lowercase()).unwrap_or_default();
        let k = norm_key(&s);
        prop_assert_eq!(&k, &reference);
        prop_assert_eq!(norm_key(&k), k.clone());
        prop_assert_eq!(nfkc(&s), s.nfkc().collect::<String>());
    }

    #[test]
    fn ascii_keys_ignore_case_and_spacing(s in "[ A-Za-z0-9_-]{0,20}") {
        let spaced = format!("  {}\t", s.to_uppercase().replace(' ', "  "));
        prop_assert_eq!(norm_key(&spaced), norm_key(&s.to_lowercase()));
    }

    #[test]
    fn totals_words_agree_with_header_normalisation(s in prop_oneof![
        messy_text(),
        Just("合计".to_string()),
        Just("Grand Total:".to_string()),
        Just("ＴＯＴＡＬ".to_string()),
        Just(" sub-total ".to_string()),
        "[ TtOoAaLl_:-]{1,12}",
    ]) {
        let words = ["合计", "总计", "小计", "total", "subtotal", "grandtotal"];
        prop_assert_eq!(header_is(&s, &words), words.contains(&norm_header(&s).as_str()), "{:?}", s);
    }

    #[test]
    fn words_as_written_mean_what_their_normal_form_means(pick in any::<prop::sample::Index>(), upper in any::<bool>(), sep in prop_oneof![Just(""), Just(" "), Just("_"), Just("-")]) {
        for kind in EnumKind::ALL {
            let m = WordMatcher::new(kind, &ValuesSection::default());
            let words = kind.builtin_words();
            if words.is_empty() {
                continue;
            }
            let (word, _) = words[pick.index(words.len())];
            let varied: String = word
                .split(' ')
                .collect::<Vec<_>>()
                .join(sep);
            let varied = if upper { varied.to_uppercase() } else { varied.to_lowercase() };
            prop_assert_eq!(m.lookup(&varied), m.lookup(word), "{:?} {}", kind, varied);
        }
    }
}

#[test]
fn known_edge_cases() {
    // Serial 0 is Excel's "1900-01-00": no date.
    assert_eq!(serial_to_date(0.0), None);
    assert_eq!(serial_to_date(-1.0), None);
    assert_eq!(parse_number_text("1e308"), None);
    assert_eq!(parse_number_text("NaN"), None);
    assert_eq!(parse_number_text("-0"), Some(0.0));
}
