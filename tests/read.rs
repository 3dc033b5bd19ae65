//! Ingest (spec sections 2 and 3): header detection, aliases, merged cells,
//! value forms, V flags, CSV encodings, templates and unreadable files.

mod util;

use predicates::str::contains;
use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

fn zh_orders_sheet(rows: Vec<Vec<Cell>>) -> Sheet {
    let mut all = vec![
        vec![s("2026年 外贸订单登记表")],
        vec![],
        header(&[
            "订单号",
            "客户",
            "产品规格",
            "数量",
            "下单日期",
            "交期",
            "状态",
            "跟单员",
            "最后更新",
        ]),
    ];
    all.extend(rows);
    Sheet::new("订单", all)
}

fn zh_row(id: &str, qty: Cell, order_date: Cell, due: Cell, status: &str) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        s("Mug 350ml"),
        qty,
        order_date,
        due,
        s(status),
        s("张伟"),
        d(2026, 11, 28),
    ]
}

#[test]
fn header_under_title_rows_and_chinese_aliases() {
    let w = Work::new();
    w.xlsx(
        "orders.xlsx",
        vec![zh_orders_sheet(vec![
            zh_row("PO-1", n(100.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
            zh_row("PO-2", n(50.0), d(2026, 11, 21), d(2026, 12, 21), "已确认"),
        ])],
    );
    let (code, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0);
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["name"], "订单");
    assert_eq!(sh["header_row"], 3);
    assert_eq!(sh["rows_read"], 2);
    assert_eq!(sh["rows_accepted"], 2);
    assert_eq!(sh["rows_rejected"], 0);
    assert!(items(&v).is_empty(), "{:?}", items(&v));
}

#[test]
fn english_and_full_width_headers_with_extra_columns() {
    let w = Work::new();
    w.xlsx(
        "o.xlsx",
        vec![Sheet::new(
            "Sheet1",
            vec![
                header(&[
                    "ＰＯ号",
                    "CUSTOMER ",
                    "Item",
                    "qty",
                    "Order\nDate",
                    "Delivery Date",
                    "status",
                    "Owner",
                    "Updated",
                    "Colour",
                ]),
                vec![
                    s("PO-9"),
                    s("Acme"),
                    s("Lamp"),
                    n(5.0),
                    d(2026, 11, 1),
                    d(2026, 12, 1),
                    s("In Production"),
                    s("Li"),
                    d(2026, 11, 29),
                    s("red"),
                ],
            ],
        )],
    );
    let out = w
        .gendan()
        .args([
            "check", "--orders", "o.xlsx", "--as-of", AS_OF, "--lang", "en",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("order_id ← ＰＯ号"), "{text}");
    assert!(text.contains("ignored columns: Colour"), "{text}");
    assert!(
        text.contains("rows read 1, accepted 1, rejected 0"),
        "{text}"
    );
}

#[test]
fn merged_order_ids_fill_down() {
    let w = Work::new();
    let mut sheet = zh_orders_sheet(vec![
        zh_row("PO-7", n(10.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
        zh_row("", n(20.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
        zh_row("", n(30.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
    ]);
    sheet.merges.push((0, 3, 5));
    w.xlsx("orders.xlsx", vec![sheet]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_accepted"], 3);
    assert_eq!(sh["rows_rejected"], 0);
    assert!(flags_of(&v, "V01").is_empty());
}

#[test]
fn merges_are_found_per_sheet_whatever_the_sheet_order() {
    // The merged regions come from each sheet part's tail, found through
    // the workbook's relationships: sheets in other positions, and merges
    // on one sheet only, must each get their own.
    let w = Work::new();
    let rows = |id: &str| {
        vec![
            zh_row(id, n(10.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
            zh_row("", n(20.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
            zh_row("", n(30.0), d(2026, 11, 20), d(2026, 12, 20), "生产中"),
        ]
    };
    let mut merged = zh_orders_sheet(rows("PO-8"));
    merged.name = "B-merged".into();
    merged.merges.push((0, 3, 5));
    let mut plain = zh_orders_sheet(rows("PO-9"));
    plain.name = "A-plain".into();
    w.xlsx("orders.xlsx", vec![plain, merged]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let sheets = v["inputs"][0]["sheets"].as_array().unwrap();
    let by_name = |n: &str| sheets.iter().find(|s| s["name"] == n).unwrap().clone();
    // The plain sheet's blank order ids stay blank (rejected, listed); the
    // merged sheet's are filled.
    assert_eq!(by_name("A-plain")["rows_rejected"], 2);
    assert_eq!(by_name("B-merged")["rows_accepted"], 3);
    assert_eq!(by_name("B-merged")["rows_rejected"], 0);
}

#[test]
fn text_dates_and_text_numbers_are_read() {
    let w = Work::new();
    let rows = vec![
        zh_row("A1", s("1,200"), s("2026-11-01"), s("2026/12/01"), "生产中"),
        zh_row(
            "A2",
            s("USD 1,200.50"),
            s("2026.11.02"),
            s("2026年12月2日"),
            "生产中",
        ),
        zh_row(
            "A3",
            s("¥3,000"),
            s("30/11/2026"),
            s("11/30/2026"),
            "生产中",
        ),
        zh_row(
            "A4",
            s("1200 pcs"),
            s("２０２６－１１－０３"),
            s("2026-12-03 10:00"),
            "生产中",
        ),
        zh_row(
            "A5",
            s("1200件"),
            n(46326.0),
            s("20261215"),
            "in-production",
        ),
        zh_row(
            "A6",
            s("１２００"),
            s("2026-11-05"),
            s("2026-12-05"),
            "IN PRODUCTION",
        ),
    ];
    w.xlsx("orders.xlsx", vec![zh_orders_sheet(rows)]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert!(problems(&v).is_empty(), "{:#?}", problems(&v));
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 6);
}

#[test]
fn bad_values_are_flagged_at_their_cell() {
    let w = Work::new();
    let rows = vec![
        zh_row("B1", s("€ 12,5"), d(2026, 11, 1), d(2026, 12, 1), "生产中"), // V02 D4
        zh_row("B2", n(10.0), s("03/04/2026"), d(2026, 12, 1), "生产中"),    // V02 ambiguous E5
        zh_row("B3", n(-5.0), d(2026, 11, 1), d(2026, 12, 1), "生产中"),     // V03 D6
        zh_row("B4", n(10.0), d(2026, 11, 1), d(2026, 12, 1), "生产种"),     // V04 G7
        zh_row("B5", n(10.0), d(2026, 12, 25), d(2027, 1, 1), "生产中"),     // V05 E8
        zh_row("B6", Cell::Err, d(2026, 11, 1), d(2026, 12, 1), "生产中"),   // V06 D9
        zh_row("B7", n(10.0), d(1999, 12, 31), d(2026, 12, 1), "生产中"),    // V05 E10
    ];
    w.xlsx("orders.xlsx", vec![zh_orders_sheet(rows)]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let got = rule_cells(&v);
    for want in [
        ("V02", "D4"),
        ("V02", "E5"),
        ("V03", "D6"),
        ("V04", "G7"),
        ("V05", "E8"),
        ("V06", "D9"),
        ("V05", "E10"),
    ] {
        assert!(
            got.contains(&(want.0.to_string(), want.1.to_string())),
            "missing {want:?} in {got:?}"
        );
    }
    // An emptied value does not also raise V01.
    assert!(flags_of(&v, "V01").is_empty(), "{got:?}");
    let v04 = &flags_of(&v, "V04")[0];
    assert!(v04["message"].as_str().unwrap().contains("生产中"), "{v04}");
    assert_eq!(v04["value"], "生产种");
    assert_eq!(v04["file"], "orders.xlsx");
    assert_eq!(v04["sheet"], "订单");
    // Bad values do not reject their rows.
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 7);
}

#[test]
fn rejected_blank_and_totals_rows_are_accounted() {
    let w = Work::new();
    let rows = vec![
        zh_row("C1", n(10.0), d(2026, 11, 1), d(2026, 12, 1), "生产中"),
        vec![],
        zh_row("", n(20.0), d(2026, 11, 1), d(2026, 12, 1), "生产中"),
        zh_row("C2", n(10.0), d(2026, 11, 1), d(2026, 12, 1), "生产中"),
        vec![s("合计"), Cell::Blank, Cell::Blank, n(40.0)],
    ];
    w.xlsx("orders.xlsx", vec![zh_orders_sheet(rows)]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_read"], 3);
    assert_eq!(sh["rows_accepted"], 2);
    assert_eq!(sh["rows_rejected"], 1);
    assert_eq!(sh["rows_totals"], 1);
    let v01 = flags_of(&v, "V01");
    assert_eq!(v01.len(), 1, "exactly one flag for a rejected row: {v01:?}");
    assert_eq!(v01[0]["cell"], "A6");
    assert_eq!(v01[0]["rejected"], true);
    assert_eq!(v01[0]["row_values"][3], "20");
    // No other flag on the rejected row.
    assert!(items(&v)
        .iter()
        .all(|f| f["cell"].as_str().unwrap().ends_with('6') == (f["rule"] == "V01")));
}

#[test]
fn missing_required_value_is_v01_on_its_cell() {
    let w = Work::new();
    let mut row = zh_row("D1", n(10.0), d(2026, 11, 1), d(2026, 12, 1), "生产中");
    row[7] = Cell::Blank;
    w.xlsx("orders.xlsx", vec![zh_orders_sheet(vec![row])]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let v01 = flags_of(&v, "V01");
    assert_eq!(v01.len(), 1);
    assert_eq!(v01[0]["cell"], "H4");
    assert!(v01[0].get("rejected").is_none());
}

#[test]
fn csv_in_utf8_bom_and_gbk() {
    let w = Work::new();
    let text = "订单号,客户,产品,数量,下单日期,交期,状态,跟单员\nPO-1,深圳万家,杯子,\"1,000\",2026-11-01,2026-12-01,生产中,张伟\nPO-2,深圳万家,杯子,5,2026/11/02,2026/12/02,已确认,李娜\n";
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend_from_slice(text.as_bytes());
    w.write("utf8.csv", &bom);
    let (gbk, _, _) = encoding_rs::GBK.encode(text);
    w.write("gbk.csv", &gbk);
    for name in ["utf8.csv", "gbk.csv"] {
        let (_, v) = w.check_json(&["--orders", name, "--as-of", AS_OF]);
        let sh = sheet_of(&v, "orders");
        assert_eq!(sh["name"], name.trim_end_matches(".csv"));
        assert_eq!(sh["rows_accepted"], 2, "{name}: {v}");
        assert!(problems(&v).is_empty(), "{name}: {:?}", problems(&v));
    }
}

#[test]
fn hidden_and_unrecognised_sheets_are_listed_as_skipped() {
    let w = Work::new();
    let mut hidden = zh_orders_sheet(vec![zh_row(
        "H1",
        n(1.0),
        d(2026, 11, 1),
        d(2026, 12, 1),
        "生产中",
    )]);
    hidden.name = "旧订单".into();
    hidden.hidden = true;
    w.xlsx(
        "orders.xlsx",
        vec![
            zh_orders_sheet(vec![zh_row(
                "E1",
                n(1.0),
                d(2026, 11, 1),
                d(2026, 12, 1),
                "生产中",
            )]),
            Sheet::new("说明", vec![vec![s("本表由业务部维护")]]),
            hidden,
        ],
    );
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let skipped = v["inputs"][0]["skipped_sheets"].as_array().unwrap();
    let names: Vec<&str> = skipped
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["说明", "旧订单"]);
    assert!(skipped
        .iter()
        .all(|s| !s["reason"].as_str().unwrap().is_empty()));
}

#[test]
fn two_columns_for_one_field_are_ranked_instead_of_skipping_the_sheet() {
    // rev4: the better-ranked header wins ("Order No" is listed before
    // "PO"), the other column is listed as not used; the sheet is read.
    let w = Work::new();
    w.xlsx(
        "o.xlsx",
        vec![Sheet::new(
            "S",
            vec![
                header(&[
                    "Order No",
                    "PO",
                    "Customer",
                    "Product",
                    "Qty",
                    "Order Date",
                    "Due Date",
                    "Status",
                    "Owner",
                ]),
                vec![
                    s("1"),
                    s("1"),
                    s("A"),
                    s("B"),
                    n(1.0),
                    d(2026, 11, 1),
                    d(2026, 12, 1),
                    s("pending"),
                    s("x"),
                ],
            ],
        )],
    );
    let (_, v) = w.check_json(&["--orders", "o.xlsx", "--as-of", AS_OF, "--lang", "en"]);
    assert!(v["inputs"][0]["skipped_sheets"]
        .as_array()
        .unwrap()
        .is_empty());
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_accepted"], 1);
    let ignored = &sh["ignored_columns"][0];
    assert_eq!(ignored["column"], "B");
    assert_eq!(ignored["header"], "PO");
    let reason = ignored["reason"].as_str().unwrap();
    assert!(reason.contains("column A “Order No” is used"), "{reason}");
}

#[test]
fn template_with_unknown_key_is_exit_2_naming_key_and_line() {
    let w = Work::new();
    w.write(
        "t.toml",
        b"[report]\ntitle = \"x\"\n\n[thresholds]\nstale_dayz = 3\n",
    );
    w.gendan()
        .args(["check", "--template", "t.toml"])
        .assert()
        .code(2)
        .stderr(contains("line 5"))
        .stderr(contains("stale_dayz"));
}

#[test]
fn template_paths_resolve_against_its_folder() {
    let w = Work::new();
    w.xlsx(
        "data/orders.xlsx",
        vec![zh_orders_sheet(vec![zh_row(
            "T1",
            n(1.0),
            d(2026, 11, 1),
            d(2026, 12, 1),
            "生产中",
        )])],
    );
    std::fs::create_dir_all(w.path("tpl")).unwrap();
    w.write(
        "tpl/r.toml",
        b"[report]\nas_of = \"2026-11-30\"\n[inputs.orders]\npaths = [\"../data/*.xlsx\"]\n[inputs.shipments]\npaths = []\n[inputs.feedback]\npaths = []\n",
    );
    let (code, v) = w.check_json(&["--template", "tpl/r.toml"]);
    assert_eq!(code, 0);
    assert_eq!(v["as_of"], "2026-11-30");
    // check --json carries the KPIs of the run summary too.
    assert_eq!(v["kpis"]["open_orders"], 1);
    assert!(v["kpis"]["otd_rate"].is_null());
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 1);
    assert!(v["inputs"][0]["path"]
        .as_str()
        .unwrap()
        .ends_with("orders.xlsx"));
}

#[test]
fn unreadable_and_corrupt_files_are_exit_1_naming_the_file() {
    let w = Work::new();
    w.gendan()
        .args(["check", "--orders", "missing.xlsx"])
        .assert()
        .code(1)
        .stderr(contains("missing.xlsx"));
    w.write("text.xlsx", b"this is not a workbook at all\n\x00\x01\x02");
    w.gendan()
        .args(["check", "--orders", "text.xlsx"])
        .assert()
        .code(1)
        .stderr(contains("text.xlsx"));
    let mut zip = std::fs::read(w.xlsx("good.xlsx", vec![zh_orders_sheet(vec![])])).unwrap();
    zip.truncate(zip.len() / 2);
    w.write("cut.xlsx", &zip);
    w.gendan()
        .args(["check", "--orders", "cut.xlsx"])
        .assert()
        .code(1)
        .stderr(contains("cut.xlsx"));
    w.write("empty.xlsx", b"");
    w.gendan()
        .args(["check", "--orders", "empty.xlsx"])
        .assert()
        .code(1)
        .stderr(contains("empty.xlsx"));
}

#[test]
fn an_xlsx_named_xls_is_read_by_content() {
    let w = Work::new();
    let p = w.xlsx(
        "real.xlsx",
        vec![zh_orders_sheet(vec![zh_row(
            "X1",
            n(1.0),
            d(2026, 11, 1),
            d(2026, 12, 1),
            "生产中",
        )])],
    );
    std::fs::copy(p, w.path("named.xls")).unwrap();
    let (_, v) = w.check_json(&["--orders", "named.xls", "--as-of", AS_OF]);
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 1);
}

#[test]
fn default_template_prints_and_loads_back() {
    let w = Work::new();
    for lang in ["zh", "en"] {
        let out = w
            .gendan()
            .args(["template", "--lang", lang])
            .output()
            .unwrap();
        assert!(out.status.success());
        w.write("t.toml", &out.stdout);
        // It loads (exit 1 only because its default inputs do not exist here).
        w.gendan()
            .args(["check", "--template", "t.toml"])
            .assert()
            .code(1)
            .stderr(contains("orders*.xlsx"));
    }
}

fn fixture_result(name: &str) -> (Value, Value, Value, Vec<(String, String)>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let w = Work::new();
    let p = dir.join(name);
    let (_, v) = w.check_json(&["--orders", p.to_str().unwrap(), "--as-of", AS_OF]);
    let sh = sheet_of(&v, "orders").clone();
    (
        sh["rows_read"].clone(),
        sh["rows_accepted"].clone(),
        sh["rows_rejected"].clone(),
        rule_cells(&v),
    )
}

/// tests/fixtures/orders.xls was made from orders.xlsx (a demo sheet with
/// merged order numbers, text dates and an error cell) and plain.ods from
/// plain.xlsx, with `soffice --headless --convert-to xls|ods`; see
/// tests/fixtures/README.md.
#[test]
fn xls_and_ods_fixtures_read_like_the_xlsx() {
    let xlsx = fixture_result("orders.xlsx");
    assert_eq!(fixture_result("orders.xls"), xlsx, "xls differs from xlsx");
    assert!(xlsx.0.as_u64().unwrap() >= 10);
    assert_eq!(xlsx.2, 0);
    let plain = fixture_result("plain.xlsx");
    assert_eq!(fixture_result("plain.ods"), plain, "ods differs from xlsx");
    assert!(
        !plain.3.is_empty(),
        "the plain fixture carries flags to compare"
    );
}

/// Writes tests/fixtures/plain.xlsx (run with --ignored, then convert it
/// with LibreOffice).
#[test]
#[ignore]
fn make_plain_fixture() {
    let w = Work::new();
    let rows = vec![
        zh_row("P1", n(100.0), d(2026, 11, 2), d(2026, 12, 2), "生产中"),
        zh_row(
            "P2",
            s("1,200"),
            s("2026/11/03"),
            s("2026年12月3日"),
            "已确认",
        ),
        zh_row("", n(5.0), d(2026, 11, 4), d(2026, 12, 4), "生产中"),
        zh_row("P3", s("€ 12,5"), d(2026, 11, 5), d(2026, 11, 20), "待确认"),
        zh_row("P4", n(-1.0), d(2026, 12, 25), d(2026, 12, 6), "生产种"),
        zh_row("P5", n(7.0), d(2026, 10, 1), d(2026, 11, 1), "生产中"),
        vec![s("合计"), Cell::Blank, Cell::Blank, n(1312.0)],
    ];
    let p = w.xlsx("plain.xlsx", vec![zh_orders_sheet(rows)]);
    let dest = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/plain.xlsx");
    std::fs::copy(p, dest).unwrap();
}

#[test]
fn a_glob_reads_a_split_table_in_part_order() {
    let w = Work::new();
    for name in ["orders-2.xlsx", "orders.xlsx", "orders-3.xlsx"] {
        w.xlsx(
            name,
            vec![zh_orders_sheet(vec![zh_row(
                name,
                n(1.0),
                d(2026, 11, 1),
                d(2026, 12, 1),
                "生产中",
            )])],
        );
    }
    let (_, v) = w.check_json(&["--orders", "orders*.xlsx", "--as-of", AS_OF]);
    let paths: Vec<&str> = v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, vec!["orders.xlsx", "orders-2.xlsx", "orders-3.xlsx"]);
}
