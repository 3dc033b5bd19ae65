//! Property tests for the value parsers (spec section 3, "Values"): on any
//! input they do not panic; what they accept round-trips; and they agree
//! with an independent formulation (chrono's own parser, Rust's float
//! parser, a plain split-and-join) on generated inputs. The fast paths of
//! the reader (ASCII shortcuts, exact word lookup) are checked against the
//! general path here too.

use chrono::{Datelike, Duration, NaiveDate};
use gendan::fields::EnumKind;
use gendan::read::values::{
    clean_text, header_is, is_blank_text, is_empty_marker, nfkc, norm_header, norm_key,
    norm_marker, parse_date_near, parse_date_text, parse_number_text, serial_to_date, DateError,
    WordMatcher, EMPTY_MARKERS,
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

/// Dates Excel reads with a two-digit year: 1930–2029.
fn two_digit_year_date() -> impl Strategy<Value = NaiveDate> {
    (0i64..(365 * 100 - 1))
        .prop_map(|d| NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + Duration::days(d))
}

/// A header grid as the reader sees it: text cells, some blank.
fn grid(rows: Vec<Vec<Option<String>>>) -> calamine::Range<calamine::DataRef<'static>> {
    let h = rows.len().max(1) as u32;
    let w = rows.iter().map(Vec::len).max().unwrap_or(1).max(1) as u32;
    let mut r = calamine::Range::new((0, 0), (h - 1, w - 1));
    for (i, row) in rows.into_iter().enumerate() {
        for (j, c) in row.into_iter().enumerate() {
            if let Some(t) = c {
                r.set_value((i as u32, j as u32), calamine::DataRef::String(t));
            }
        }
    }
    r
}

fn ctx() -> gendan::read::ReadContext {
    gendan::read::ReadContext::new(
        &gendan::template::Template::default(),
        gendan::i18n::Lang::En,
        NaiveDate::from_ymd_opt(2026, 11, 30).unwrap(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn rev4_date_parsers_never_panic(s in messy_text(), off in -40000i64..40000) {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap() + Duration::days(off / 10);
        for order in [DateOrder::Ymd, DateOrder::Dmy, DateOrder::Mdy] {
            let _ = parse_date_near(&s, order, Some(as_of));
            let _ = gendan::read::values::day_month_hint(&s);
        }
        let _ = is_empty_marker(&s, &[norm_marker(&s)]);
        let _ = gendan::read::values::split_suffix(&s);
    }

    #[test]
    fn month_names_and_time_parts_round_trip(d in valid_date(), h in 0u32..24, mi in 0u32..60) {
        let forms = [
            d.format("%-d %b %Y").to_string(),
            d.format("%d-%b-%Y").to_string(),
            d.format("%d-%b-%Y").to_string().to_uppercase(),
            d.format("%b %-d, %Y").to_string(),
            d.format("%B %-d %Y").to_string(),
            d.format("%Y-%b-%d").to_string(),
            d.format("%-d %B %Y").to_string().to_lowercase(),
            d.format("%a, %-d %b %Y").to_string(),
            format!("{} {h:02}:{mi:02}", d.format("%Y-%m-%d")),
            format!("{}T{h:02}:{mi:02}:00Z", d.format("%Y-%m-%d")),
            format!("{} {h}:{mi:02}:00", d.format("%Y/%m/%d")),
            format!("{} {h:02}:{mi:02}", d.format("%Y年%-m月%-d日")),
            d.format("%Y年%-m月%-d号").to_string(),
        ];
        for s in &forms {
            prop_assert_eq!(parse_date_text(s, DateOrder::Ymd), Ok(d), "{}", s);
        }
        let dmy_time = format!("{} {h:02}:{mi:02}", d.format("%d/%m/%Y"));
        prop_assert_eq!(parse_date_text(&dmy_time, DateOrder::Dmy), Ok(d), "{}", dmy_time);
    }

    #[test]
    fn two_digit_years_read_as_excel_reads_them(d in two_digit_year_date()) {
        for s in [d.format("%d-%b-%y").to_string(), d.format("%b %-d, %y").to_string()] {
            prop_assert_eq!(parse_date_text(&s, DateOrder::Ymd), Ok(d), "{}", s);
        }
        prop_assert_eq!(parse_date_text(&d.format("%d/%m/%y").to_string(), DateOrder::Dmy), Ok(d));
        prop_assert_eq!(parse_date_text(&d.format("%m/%d/%y").to_string(), DateOrder::Mdy), Ok(d));
    }

    #[test]
    fn dates_without_a_year_take_the_nearest_year(off in -180i64..=180, as_off in 0i64..(365 * 50)) {
        let as_of = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + Duration::days(as_off);
        let d = as_of + Duration::days(off);
        // Within half a year the nearest reading is the date itself.
        for (s, order) in [
            (d.format("%-m月%-d日").to_string(), DateOrder::Ymd),
            (d.format("%d-%b").to_string(), DateOrder::Ymd),
            (d.format("%b %-d").to_string(), DateOrder::Dmy),
            (d.format("%m/%d").to_string(), DateOrder::Mdy),
            (d.format("%d/%m").to_string(), DateOrder::Dmy),
        ] {
            let r = parse_date_near(&s, order, Some(as_of));
            if d.month() == 2 && d.day() == 29 {
                prop_assert!(r.is_ok());
            } else {
                prop_assert_eq!(r, Ok(d), "{} as of {}", s, as_of);
            }
        }
        // Without a report date a year-less text is not a date.
        prop_assert_eq!(parse_date_text(&d.format("%-m月%-d日").to_string(), DateOrder::Ymd), Err(DateError::Invalid));
    }

    #[test]
    fn empty_marker_fast_path_agrees_with_the_general_one(pick in any::<prop::sample::Index>(), pad in "[ \t\u{3000}]{0,2}", upper in any::<bool>(), other in messy_text()) {
        let m = pick.get(EMPTY_MARKERS);
        let shown = if upper { m.to_uppercase() } else { m.to_string() };
        let s = format!("{pad}{shown}{pad}");
        prop_assert!(is_empty_marker(&s, &[]), "{:?}", s);
        // The general path: normalised and compared with the list.
        let general = EMPTY_MARKERS.contains(&norm_marker(&other).as_str());
        prop_assert_eq!(is_empty_marker(&other, &["zz-no-such".into()]), general, "{:?}", other);
        // The first-character shortcut (no template words) never says
        // "marker" where the general path does not.
        if is_empty_marker(&other, &[]) {
            prop_assert!(general, "{:?}", other);
        }
        // Full-width forms of a marker are markers on either path.
        let wide: String = shown
            .chars()
            .map(|c| if ('!'..='~').contains(&c) { char::from_u32(c as u32 + 0xFEE0).unwrap() } else { c })
            .collect();
        prop_assert!(is_empty_marker(&wide, &[]), "{:?}", wide);
        // A template word matches in any case and spacing.
        let word = norm_marker(&other);
        if !word.is_empty() && other.chars().count() <= 60 {
            prop_assert!(is_empty_marker(&other.to_uppercase(), &[norm_marker(&other.to_uppercase())]));
        }
    }

    #[test]
    fn header_planning_never_panics(rows in proptest::collection::vec(proptest::collection::vec(proptest::option::of(messy_text()), 0..12), 0..6)) {
        let c = ctx();
        let range = grid(rows);
        for t in gendan::flags::Table::ALL {
            if let Ok(p) = gendan::read::sheet::plan(&c, t, &range) {
                for t2 in [gendan::flags::Table::Shipments, gendan::flags::Table::Feedback] {
                    let _ = gendan::read::sheet::derive_plan(&c, &p, t2);
                }
            }
        }
    }

    /// A two-row header (group titles above, names below, the other names
    /// merged down) maps the same columns as the one-row header of the
    /// same names.
    #[test]
    fn two_row_headers_map_as_their_one_row_form(grouped in proptest::collection::vec(any::<bool>(), 8), title in "[A-Za-z]{3,8} info") {
        let names = ["Order No", "Customer", "Product", "Qty", "Order Date", "Due Date", "Status", "Owner", "ETA", "B/L No", "Ship Date"];
        let c = ctx();
        let one = grid(vec![names.iter().map(|n| Some(n.to_string())).collect()]);
        let mut upper = Vec::new();
        let mut lower = Vec::new();
        for (i, n) in names.iter().enumerate() {
            if i >= 8 || grouped[i] && i >= 3 {
                upper.push(Some(title.clone()));
                lower.push(Some(n.to_string()));
            } else {
                upper.push(Some(n.to_string()));
                lower.push(Some(n.to_string()));
            }
        }
        let two = grid(vec![upper, lower]);
        let p1 = gendan::read::sheet::plan(&c, gendan::flags::Table::Orders, &one).unwrap();
        let p2 = gendan::read::sheet::plan(&c, gendan::flags::Table::Orders, &two).unwrap();
        prop_assert_eq!(p1.field_columns(), p2.field_columns());
        prop_assert_eq!(p2.header_row, 2);
        let d1 = gendan::read::sheet::derive_plan(&c, &p1, gendan::flags::Table::Shipments).map(|x| x.0.field_columns().to_vec());
        let d2 = gendan::read::sheet::derive_plan(&c, &p2, gendan::flags::Table::Shipments).map(|x| x.0.field_columns().to_vec());
        prop_assert_eq!(d1, d2);
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

/// A cell of a generated register: a header name of any table, a value
/// form, an empty marker, or messy text.
fn register_cell() -> impl Strategy<Value = Option<String>> {
    let names: Vec<&'static str> = gendan::flags::Table::ALL
        .iter()
        .flat_map(|t| gendan::fields::fields(*t))
        .flat_map(|d| d.aliases.iter().copied())
        .collect();
    prop_oneof![
        3 => proptest::sample::select(names).prop_map(|s| Some(s.to_string())),
        1 => proptest::sample::select(vec!["2 Oct 2026", "11月30日", "30/11/26", "2026-11-10 10:30", "N/A", "TBD", "已出货", "Truck", "11月新单", "合计", "PO-1", "USD 1,200", "金额(USD)", "出货信息"]).prop_map(|s| Some(s.to_string())),
        1 => messy_text().prop_map(Some),
        1 => Just(None),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// One workbook offered to all three tables (layout choice, two-row
    /// headers, tracker derivation) and `init` on what was read: no panic,
    /// and every sheet is read for at most one table.
    #[test]
    fn layout_choice_and_init_never_panic(
        sheets in proptest::collection::vec(
            (proptest::sample::select(vec!["订单", "出货", "客户反馈", "Sheet1", "2026跟单"]),
             proptest::collection::vec(proptest::collection::vec(register_cell(), 0..10), 0..7)),
            1..4)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let mut wb = rust_xlsxwriter::Workbook::new();
        let mut used = std::collections::HashSet::new();
        for (name, rows) in &sheets {
            if !used.insert(*name) {
                continue;
            }
            let ws = wb.add_worksheet();
            ws.set_name(*name).unwrap();
            for (r, row) in rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    if let Some(t) = cell {
                        ws.write_string(r as u32, c as u16, t).unwrap();
                    }
                }
            }
        }
        wb.save(&path).unwrap();
        let c = ctx();
        let shown = path.display().to_string();
        let inputs: Vec<gendan::read::TableInput> = gendan::flags::Table::ALL
            .iter()
            .map(|t| gendan::read::TableInput {
                table: *t,
                patterns: vec![(path.clone(), shown.clone())],
                sheets: vec![],
                optional: false,
            })
            .collect();
        if let Ok(found) = gendan::read::read_inputs_lenient(&c, &inputs) {
            let mut taken = std::collections::HashMap::new();
            for f in &found.files {
                for sh in &f.sheets {
                    prop_assert!(taken.insert(sh.name.clone(), f.table).is_none(), "{} read twice", sh.name);
                }
            }
            let text = gendan::init::render(&found, &c, None, dir.path(), None);
            prop_assert!(gendan::template::parse(&text).is_ok(), "{}", text);
        }
        let _ = gendan::read::read_inputs(&c, &inputs);
    }
}

/// The vocabulary is consistent: within one kind no two built-in words
/// that compare equal mean different things, and within one table no
/// header alias names two fields.
#[test]
fn built_in_words_and_aliases_do_not_contradict_each_other() {
    use std::collections::HashMap;
    for kind in EnumKind::ALL {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for c in kind.canonical_words() {
            seen.insert(gendan::read::values::norm_word(c), c);
        }
        for (w, c) in kind.builtin_words() {
            let n = gendan::read::values::norm_word(w);
            if let Some(prev) = seen.insert(n, c) {
                assert_eq!(prev, *c, "{kind:?}: {w} means {c} and {prev}");
            }
            assert!(
                kind.canonical_words().contains(c),
                "{kind:?}: {w} → unknown {c}"
            );
        }
    }
    for table in gendan::flags::Table::ALL {
        let mut seen: HashMap<String, &str> = HashMap::new();
        for d in gendan::fields::fields(table) {
            for a in d.aliases {
                if let Some(prev) = seen.insert(norm_header(a), d.name) {
                    assert_eq!(prev, d.name, "{table:?}: {a} names {prev} and {}", d.name);
                }
            }
        }
    }
}

// ---- payment terms (spec section 10) ----

use gendan::reconcile::terms::{parse as parse_terms, Balance, Terms};

/// A known terms structure and a phrase for it, in English or Chinese.
fn terms_phrase() -> impl Strategy<Value = (Terms, String)> {
    let d = (1u32..10).prop_map(|x| x * 10);
    let n = 1i64..=180;
    prop_oneof![
        (d.clone(), any::<bool>()).prop_map(|(d, zh)| {
            let t = Terms {
                deposit: d as f64 / 100.0,
                balance: Balance::BeforeShipment,
            };
            let s = if zh {
                format!("{d}%定金,{}%出货前付清", 100 - d)
            } else {
                format!("{d}% deposit, {}% before shipment", 100 - d)
            };
            (t, s)
        }),
        (d, any::<bool>()).prop_map(|(d, zh)| {
            let t = Terms {
                deposit: d as f64 / 100.0,
                balance: Balance::AgainstBlCopy,
            };
            let s = if zh {
                format!("{d}%定金 {}%见提单复印件", 100 - d)
            } else {
                format!("{d}% deposit, balance against B/L copy")
            };
            (t, s)
        }),
        any::<bool>().prop_map(|zh| {
            let t = Terms {
                deposit: 1.0,
                balance: Balance::None,
            };
            (
                t,
                if zh {
                    "100%预付".to_string()
                } else {
                    "100% T/T in advance".to_string()
                },
            )
        }),
        (n.clone(), 0usize..5).prop_map(|(n, form)| {
            let t = Terms {
                deposit: 0.0,
                balance: Balance::AfterShipment(n),
            };
            let s = match form {
                0 => format!("T/T {n} days after B/L"),
                1 => format!("OA {n} days"),
                2 => format!("Net {n}"),
                3 => format!("提单日后{n}天"),
                _ => format!("出货后{n}天付款"),
            };
            (t, s)
        }),
        (n, any::<bool>()).prop_map(|(n, zh)| {
            let t = Terms {
                deposit: 0.0,
                balance: Balance::Lc(n),
            };
            (
                t,
                if zh {
                    format!("远期信用证{n}天")
                } else {
                    format!("L/C {n} days")
                },
            )
        }),
        any::<bool>().prop_map(|zh| {
            let t = Terms {
                deposit: 0.0,
                balance: Balance::Lc(0),
            };
            (
                t,
                if zh {
                    "即期信用证".to_string()
                } else {
                    "L/C at sight".to_string()
                },
            )
        }),
    ]
}

/// The phrase as a register might hold it: any case, spaces anywhere.
fn messy(s: &str, upper: &[bool], spaces: &[bool]) -> String {
    s.chars()
        .enumerate()
        .flat_map(|(i, c)| {
            let c: String = if upper.get(i % upper.len().max(1)).copied().unwrap_or(false) {
                c.to_uppercase().collect()
            } else {
                c.to_lowercase().collect()
            };
            let sp = if spaces
                .get(i % spaces.len().max(1))
                .copied()
                .unwrap_or(false)
            {
                " "
            } else {
                ""
            };
            format!("{c}{sp}").chars().collect::<Vec<_>>()
        })
        .collect()
}

proptest! {
    #[test]
    fn terms_never_panic(s in "\\PC{0,40}") {
        let _ = parse_terms(&s, &Default::default());
    }

    #[test]
    fn terms_read_back_what_they_were_made_from(
        (t, phrase) in terms_phrase(),
        upper in prop::collection::vec(any::<bool>(), 1..8),
        spaces in prop::collection::vec(prop::bool::weighted(0.2), 1..8),
    ) {
        let text = messy(&phrase, &upper, &spaces);
        prop_assert_eq!(parse_terms(&text, &Default::default()), Some(t), "{}", text);
    }
}

/// A documentary collection (spec section 10.1) and a phrase for it, in
/// English or Chinese, alone or after a deposit.
fn collection_phrase() -> impl Strategy<Value = (Terms, String)> {
    let d = (1u32..10).prop_map(|x| x * 10);
    let n = 1i64..=180;
    let t = |deposit: f64, days: i64| Terms {
        deposit,
        balance: Balance::Collection(days),
    };
    prop_oneof![
        (0usize..4).prop_map(move |form| {
            let s = ["D/P at sight", "D/P", "付款交单", "即期付款交单"][form];
            (t(0.0, 0), s.to_string())
        }),
        (n, 0usize..5).prop_map(move |(n, form)| {
            let s = match form {
                0 => format!("D/P {n} days"),
                1 => format!("D/A {n} days"),
                2 => format!("远期付款交单{n}天"),
                3 => format!("承兑交单{n}天"),
                _ => format!("D/A {n} days after B/L"),
            };
            (t(0.0, n), s)
        }),
        (d, any::<bool>()).prop_map(move |(d, zh)| {
            let s = if zh {
                format!("{d}%定金,{}%付款交单", 100 - d)
            } else {
                format!("{d}% T/T deposit, {}% D/P at sight", 100 - d)
            };
            (t(d as f64 / 100.0, 0), s)
        }),
    ]
}

proptest! {
    #[test]
    fn collections_read_back_what_they_were_made_from(
        (t, phrase) in collection_phrase(),
        upper in prop::collection::vec(any::<bool>(), 1..8),
        spaces in prop::collection::vec(prop::bool::weighted(0.2), 1..8),
    ) {
        let text = messy(&phrase, &upper, &spaces);
        prop_assert_eq!(parse_terms(&text, &Default::default()), Some(t), "{}", text);
    }

    #[test]
    fn shares_never_panic_and_stay_below_one(s in "\\PC{0,24}") {
        if let Some(x) = gendan::read::values::parse_share(&s) {
            prop_assert!((0.0..1.0).contains(&x), "{} → {}", s, x);
        }
    }

    #[test]
    fn a_percentage_reads_as_its_share(p in 0u32..1000, form in 0usize..4) {
        let pct = p as f64 / 10.0;
        let s = match form {
            0 => format!("±{pct}%"),
            1 => format!("+/-{pct}%"),
            2 => format!("more or less {pct}%"),
            _ => format!("溢短装{pct}%"),
        };
        let got = gendan::read::values::parse_share(&s);
        prop_assert!(got.is_some_and(|x| (x - pct / 100.0).abs() < 1e-12), "{} → {:?}", s, got);
    }
}
