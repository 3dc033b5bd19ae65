//! Registers as teams keep them (spec rev4, sections 3, 3.1, 3.2, 4 and
//! 12): one workbook with a sheet per table, a tracker sheet with shipment
//! and feedback columns, two-row headers, bracketed suffixes, ranked
//! duplicate columns, template aliases first, the new date forms, empty
//! markers, note rows, nothing read, default paths absent, .xlsb, `init`.

mod util;

use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

fn zh_order_header() -> Vec<Cell> {
    header(&[
        "订单号",
        "客户",
        "产品",
        "数量",
        "下单日期",
        "交期",
        "状态",
        "业务员",
        "更新时间",
    ])
}

fn zh_order(id: &str, qty: f64, due: (u16, u8, u8), status: &str) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        s("Mug 350ml"),
        n(qty),
        d(2026, 10, 20),
        d(due.0, due.1, due.2),
        s(status),
        s("王芳"),
        d(2026, 11, 28),
    ]
}

/// orders.xlsx with one sheet 订单: the Chinese header and `rows`.
fn zh_orders(w: &Work, rows: Vec<Vec<Cell>>) {
    let mut all = vec![zh_order_header()];
    all.extend(rows);
    w.xlsx("orders.xlsx", vec![Sheet::new("订单", all)]);
}

/// orders.xlsx with one sheet Orders: `head` and `rows`.
fn en_orders(w: &Work, head: &[&str], rows: Vec<Vec<Cell>>) {
    let mut all = vec![header(head)];
    all.extend(rows);
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", all)]);
}

/// The binary run in `w` with `args`.
fn gendan(w: &Work, args: &[&str]) -> std::process::Output {
    w.gendan().args(args).output().unwrap()
}

/// Sheets of one input file as the summary lists them for `table`.
fn file_entry<'a>(v: &'a Value, table: &str, path: &str) -> &'a Value {
    v["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["table"] == table && f["path"] == path)
        .unwrap_or_else(|| panic!("no {table} entry for {path} in {v}"))
}

fn rules(v: &Value) -> Vec<String> {
    let mut r: Vec<String> = items(v)
        .iter()
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect();
    r.sort();
    r
}

#[test]
fn one_workbook_with_a_sheet_per_table_reads_each_sheet_for_one_table() {
    let w = Work::new();
    w.xlsx(
        "跟单总表.xlsx",
        vec![
            Sheet::new(
                "订单",
                vec![
                    zh_order_header(),
                    zh_order("PO-1", 100.0, (2026, 11, 20), "已出货"),
                    zh_order("PO-2", 50.0, (2026, 12, 20), "生产中"),
                ],
            ),
            Sheet::new(
                "出货",
                vec![
                    header(&["订单号", "出货数量", "出货日期", "船公司", "提单号", "ETA"]),
                    vec![
                        s("PO-1"),
                        n(100.0),
                        d(2026, 11, 18),
                        s("COSCO"),
                        s("COSU123"),
                        d(2026, 12, 20),
                    ],
                ],
            ),
            Sheet::new(
                "客户反馈",
                vec![
                    header(&["客户", "订单号", "反馈日期", "满意度", "反馈内容"]),
                    vec![
                        s("Acme GmbH"),
                        s("PO-1"),
                        d(2026, 11, 25),
                        n(5.0),
                        s("good"),
                    ],
                ],
            ),
        ],
    );
    let f = "跟单总表.xlsx";
    let (code, v) = w.check_json(&[
        "--orders",
        f,
        "--shipments",
        f,
        "--feedback",
        f,
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 0, "{v}");
    let orders = file_entry(&v, "orders", f);
    assert_eq!(orders["sheets"].as_array().unwrap().len(), 1);
    assert_eq!(orders["sheets"][0]["name"], "订单");
    assert_eq!(orders["sheets"][0]["rows_read"], 2);
    let ships = file_entry(&v, "shipments", f);
    assert_eq!(ships["sheets"][0]["name"], "出货");
    assert_eq!(ships["sheets"][0]["rows_read"], 1);
    let fb = file_entry(&v, "feedback", f);
    assert_eq!(fb["sheets"][0]["name"], "客户反馈");
    // The other tables list the sheet as read by another.
    let skipped: Vec<String> = ships["skipped_sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}: {}",
                s["name"].as_str().unwrap(),
                s["reason"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        skipped.contains(&"订单: 已作为订单读取".to_string()),
        "{skipped:?}"
    );
    // No false over-shipment or unknown words: the orders sheet is not
    // read as shipments or feedback.
    let r = rules(&v);
    for rule in ["C03", "V04", "C02", "C06"] {
        assert!(!r.contains(&rule.to_string()), "{rule} in {r:?}");
    }
    // `check` says which table took each sheet and why.
    let out = w
        .gendan()
        .args(["check", "--orders", f, "--shipments", f, "--feedback", f])
        .args(["--as-of", AS_OF, "--fail-on", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("→ 出货: 匹配 2/2 个必填字段; 工作表名 出货"),
        "{text}"
    );
}

/// A one-row-per-order tracker: 出货日期, 船公司, 提单号, ETA, 到港日期 and
/// feedback columns beside the order's own.
fn tracker(w: &Work) {
    let head = header(&[
        "订单号",
        "客户",
        "产品",
        "数量",
        "下单日期",
        "交期",
        "状态",
        "业务员",
        "出货日期",
        "船公司",
        "提单号",
        "ETA",
        "到港日期",
        "满意度",
        "客户反馈",
        "反馈日期",
    ]);
    let row =
        |id: &str, status: &str, ship: Cell, bl: &str, eta: Cell, arrived: Cell, score: Cell| {
            vec![
                s(id),
                s("Acme GmbH"),
                s("Mug"),
                n(3000.0),
                d(2026, 9, 1),
                d(2026, 11, 1),
                s(status),
                s("王芳"),
                ship,
                s("COSCO"),
                s(bl),
                eta,
                arrived,
                score,
                Cell::Blank,
                d(2026, 11, 20),
            ]
        };
    w.xlsx(
        "订单跟踪.xlsx",
        vec![Sheet::new(
            "2026跟单",
            vec![
                vec![s("2026 订单跟踪表")],
                head,
                // shipped, past its ETA, not arrived: S04 on the ETA cell L3
                row(
                    "PO-1",
                    "已出货",
                    d(2026, 10, 28),
                    "COSU1",
                    d(2026, 11, 10),
                    Cell::Blank,
                    Cell::Blank,
                ),
                // delivered
                row(
                    "PO-2",
                    "已签收",
                    d(2026, 10, 20),
                    "COSU2",
                    d(2026, 11, 15),
                    d(2026, 11, 14),
                    n(4.0),
                ),
                // not shipped yet
                row(
                    "PO-3",
                    "生产中",
                    Cell::Blank,
                    "",
                    Cell::Blank,
                    Cell::Blank,
                    Cell::Blank,
                ),
            ],
        )],
    );
}

#[test]
fn a_tracker_sheet_derives_shipments_and_feedback_with_its_own_cells() {
    let w = Work::new();
    tracker(&w);
    let (code, v) = w.check_json(&["--orders", "订单跟踪.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_read"], 3);
    assert_eq!(sh["derived"]["shipments"], 2, "{sh}");
    assert_eq!(sh["derived"]["feedback"], 1, "{sh}");
    let cells = rule_cells(&v);
    // The shipped order is not overdue, the delivered one is not short.
    assert!(
        !cells
            .iter()
            .any(|(r, c)| r == "S02" && (c == "A3" || c == "A4")),
        "{cells:?}"
    );
    assert!(
        !cells.iter().any(|(r, _)| r == "C08" || r == "C04"),
        "{cells:?}"
    );
    // S04 names the tracker's ETA cell.
    assert!(
        cells.contains(&("S04".to_string(), "L3".to_string())),
        "{cells:?}"
    );
    // The not-shipped order is overdue, at its order id cell.
    assert!(
        cells.contains(&("S02".to_string(), "A5".to_string())),
        "{cells:?}"
    );
    let k = &v["kpis"];
    assert_eq!(k["shipments_in_transit"], 1, "{k}");
}

#[test]
fn a_shipments_file_given_beside_a_tracker_wins_and_its_columns_are_ignored() {
    let w = Work::new();
    tracker(&w);
    w.xlsx(
        "shipments.xlsx",
        vec![Sheet::new(
            "出货",
            vec![
                header(&["订单号", "出货数量", "出货日期"]),
                vec![s("PO-1"), n(3000.0), d(2026, 10, 28)],
            ],
        )],
    );
    let (code, v) = w.check_json(&[
        "--orders",
        "订单跟踪.xlsx",
        "--shipments",
        "shipments.xlsx",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert!(sh["derived"].get("shipments").is_none(), "{sh}");
    let ignored = sh["ignored_columns"].as_array().expect("ignored columns");
    assert!(
        ignored
            .iter()
            .any(|c| c["header"] == "提单号" && c["reason"].as_str().unwrap().contains("出货")),
        "{ignored:?}"
    );
    assert_eq!(sheet_of(&v, "shipments")["rows_read"], 1);
}

#[test]
fn two_row_headers_with_group_titles_read_as_one() {
    let w = Work::new();
    let mut sheet = Sheet::new(
        "Tracker",
        vec![
            header(&[
                "PO No",
                "Customer",
                "Item",
                "Qty",
                "PO Date",
                "Delivery Date",
                "Status",
                "Sales",
                "Shipping",
                "",
                "",
            ]),
            header(&["", "", "", "", "", "", "", "", "ATD", "B/L No", "ETA"]),
            vec![
                s("PO-9"),
                s("Bolt Ltd"),
                s("Lamp"),
                n(10.0),
                d(2026, 10, 1),
                d(2026, 11, 10),
                s("Shipped"),
                s("Tom"),
                d(2026, 11, 5),
                s("MAEU9"),
                d(2026, 12, 10),
            ],
        ],
    );
    // Names merged down over both rows, "Shipping" across its three.
    sheet.merges = (0..8).map(|c| (c, 0, 1)).collect();
    sheet.hmerges = vec![(0, 8, 10)];
    w.xlsx("tracker.xlsx", vec![sheet]);
    let (code, v) = w.check_json(&["--orders", "tracker.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["header_row"], 2);
    assert_eq!(sh["rows_read"], 1);
    assert_eq!(sh["rows_rejected"], 0);
    assert_eq!(sh["derived"]["shipments"], 1, "{sh}");
    assert!(flags_of(&v, "V01").is_empty(), "{v}");
}

#[test]
fn bracketed_suffixes_match_and_a_currency_fills_the_rows() {
    let w = Work::new();
    en_orders(
        &w,
        &[
            "Order No",
            "Customer",
            "Product",
            "Qty [PCS]",
            "单价（美元）",
            "Amount (USD)",
            "Order Date",
            "Due Date",
            "Status",
            "Owner",
        ],
        vec![vec![
            s("PO-1"),
            s("Acme"),
            s("Mug"),
            n(10.0),
            n(2.0),
            n(20.0),
            d(2026, 11, 25),
            d(2026, 12, 20),
            s("confirmed"),
            s("Li"),
        ]],
    );
    let (code, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    assert!(items(&v).iter().all(|f| f["rule"] != "V01"), "{v}");
    assert_eq!(
        v["kpis"]["orders_received_amount"]["USD"], 20.0,
        "{}",
        v["kpis"]
    );
}

#[test]
fn a_template_alias_wins_over_a_built_in_alias_of_another_field() {
    let w = Work::new();
    en_orders(
        &w,
        &[
            "Order No",
            "Country",
            "Product",
            "Qty",
            "Order Date",
            "Due Date",
            "Status",
            "Owner",
        ],
        vec![vec![
            s("PO-1"),
            s("Germany"),
            s("Mug"),
            n(10.0),
            d(2026, 11, 25),
            d(2026, 12, 20),
            s("confirmed"),
            s("Li"),
        ]],
    );
    w.write(
        "t.toml",
        b"[inputs.orders]\npaths = [\"orders.xlsx\"]\n[columns.orders]\ncustomer = [\"Country\"]\n",
    );
    let (code, v) = w.check_json(&["--template", "t.toml", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    assert!(flags_of(&v, "V01").is_empty(), "{v}");
}

#[test]
fn two_columns_for_one_field_are_ranked_and_the_loser_is_listed() {
    let w = Work::new();
    w.xlsx(
        "orders.xlsx",
        vec![Sheet::new(
            "订单",
            vec![
                header(&[
                    "PO号",
                    "订单号",
                    "客户",
                    "产品",
                    "数量",
                    "下单日期",
                    "ETD",
                    "交期",
                    "状态",
                    "跟单员",
                ]),
                vec![
                    s("X-1"),
                    s("PO-1"),
                    s("Acme"),
                    s("Mug"),
                    n(10.0),
                    d(2026, 11, 1),
                    d(2026, 11, 5),
                    d(2026, 12, 20),
                    s("已确认"),
                    s("李"),
                ],
            ],
        )],
    );
    let (code, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_read"], 1, "{v}");
    let ignored: Vec<String> = sh["ignored_columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["column"].as_str().unwrap(),
                c["header"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(ignored, vec!["A PO号".to_string(), "G ETD".to_string()]);
    // 交期 (2026-12-20) was used: the order is not overdue.
    assert!(flags_of(&v, "S02").is_empty(), "{v}");
    // The order id is 订单号's.
    let out = gendan(
        &w,
        &[
            "check",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ETD"));
}

#[test]
fn month_names_times_two_digit_years_and_year_less_dates_are_read() {
    let w = Work::new();
    let mut rows = vec![header(&[
        "Order No",
        "Customer",
        "Product",
        "Qty",
        "Order Date",
        "Due Date",
        "Status",
        "Owner",
    ])];
    let forms = [
        ("2 Oct 2026", "10 Dec 2026"),
        ("02-Oct-26", "Dec 10, 2026"),
        ("2026-10-02 10:30", "2026-Dec-10"),
        ("2026年10月2号", "12月10日"),
        ("Oct 2", "10-Dec"),
        ("2026-10-02T10:30:00Z", "December 10 2026"),
    ];
    for (i, (od, due)) in forms.iter().enumerate() {
        rows.push(vec![
            s(&format!("PO-{i}")),
            s("Acme"),
            s("Mug"),
            n(1.0),
            s(od),
            s(due),
            s("confirmed"),
            s("Li"),
        ]);
    }
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    let (code, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    assert!(flags_of(&v, "V02").is_empty(), "{:?}", flags_of(&v, "V02"));
    // All due 2026-12-10: none overdue, all open.
    assert_eq!(v["kpis"]["open_orders"], forms.len() as u64);
    assert_eq!(v["kpis"]["overdue_open_orders"], 0);
}

#[test]
fn empty_markers_read_as_empty_cells_and_are_counted() {
    let w = Work::new();
    en_orders(
        &w,
        &[
            "Order No",
            "Customer",
            "Product",
            "Qty",
            "Order Date",
            "Due Date",
            "Status",
            "Owner",
            "Confirmed Date",
            "Remarks",
        ],
        vec![
            vec![
                s("PO-1"),
                s("Acme"),
                s("Mug"),
                n(1.0),
                d(2026, 11, 1),
                s("TBD"),
                s("confirmed"),
                s("Li"),
                s("N/A"),
                s("N/A"),
            ],
            vec![
                s("N/A"),
                s("Acme"),
                s("Mug"),
                n(1.0),
                d(2026, 11, 1),
                d(2026, 12, 1),
                s("confirmed"),
                s("Li"),
                s("Date Not Captured"),
                Cell::Blank,
            ],
            vec![
                s("PO-3"),
                s("Acme"),
                s("Mug"),
                n(1.0),
                d(2026, 11, 1),
                d(2026, 12, 1),
                s("待定"),
                s("Li"),
                s("Date Not Captured"),
                Cell::Blank,
            ],
        ],
    );
    w.write(
        "t.toml",
        b"[inputs.orders]\npaths = [\"orders.xlsx\"]\n[values]\nempty = [\"Date Not Captured\"]\n",
    );
    let (code, v) = w.check_json(&["--template", "t.toml", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    // (PO-3, due tomorrow with no status, is also S09: not this test's concern.)
    let cells: Vec<(String, String)> = rule_cells(&v)
        .into_iter()
        .filter(|(r, _)| r != "S09")
        .collect();
    // TBD in a required date: V01, not V02; 待定 status: V01; N/A key: rejected.
    assert_eq!(
        cells,
        vec![
            ("V01".to_string(), "A3".to_string()),
            ("V01".to_string(), "F2".to_string()),
            ("V01".to_string(), "G4".to_string()),
        ],
        "{v}"
    );
    let rejected = flags_of(&v, "V01")
        .into_iter()
        .filter(|f| f["rejected"] == true)
        .count();
    assert_eq!(rejected, 1);
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["empty_markers"]["Due Date"], 1, "{sh}");
    assert_eq!(sh["empty_markers"]["Confirmed Date"], 2, "{sh}");
    assert_eq!(sh["empty_markers"]["Status"], 1, "{sh}");
    assert!(
        sh["empty_markers"].get("Remarks").is_none(),
        "free text keeps N/A"
    );
}

#[test]
fn note_rows_are_skipped_and_counted_but_a_lone_key_is_still_rejected() {
    let w = Work::new();
    let mut rows = vec![zh_order_header(), vec![s("11月新单")]];
    rows.push(zh_order("PO-1", 10.0, (2026, 12, 20), "生产中"));
    rows.push(vec![s("2026年12月")]);
    rows.push(zh_order("PO-2", 10.0, (2026, 12, 21), "生产中"));
    rows.push(vec![Cell::Blank, Cell::Blank, s("PO-7")]);
    rows.push(vec![s("备注：1. 交货期以PI为准；2. 价格含税")]);
    w.xlsx("orders.xlsx", vec![Sheet::new("订单", rows)]);
    let (code, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_notes"], 3, "{sh}");
    assert_eq!(sh["rows_read"], 3, "{sh}");
    assert_eq!(sh["rows_rejected"], 1, "{sh}");
    assert_eq!(rule_cells(&v), vec![("V01".to_string(), "A6".to_string())]);
}

#[test]
fn nothing_read_is_exit_1_and_writes_nothing() {
    let w = Work::new();
    w.xlsx(
        "orders.xlsx",
        vec![Sheet::new(
            "Sheet1",
            vec![
                header(&["交期", "ETD", "Foo"]),
                vec![s("x"), s("y"), s("z")],
            ],
        )],
    );
    let out = w
        .gendan()
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
        ])
        .args(["--lang", "en"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("orders.xlsx › Sheet1"), "{err}");
    assert!(err.contains("no report was written"), "{err}");
    let written: Vec<_> = std::fs::read_dir(w.path("out"))
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(
        written
            .iter()
            .all(|n| n.to_string_lossy().starts_with(".gendan.lock")),
        "{written:?}"
    );
    let out = gendan(&w, &["check", "--orders", "orders.xlsx", "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn nothing_read_leaves_the_history_untouched() {
    let w = Work::new();
    zh_orders(&w, vec![zh_order("PO-1", 10.0, (2026, 12, 20), "生产中")]);
    let ok = gendan(
        &w,
        &[
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
        ],
    );
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let hist = std::fs::read(w.path("out/gendan-history.sqlite")).unwrap();
    w.xlsx(
        "orders.xlsx",
        vec![Sheet::new("订单", vec![zh_order_header()])],
    );
    let out = w
        .gendan()
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            "2026-12-07",
            "--out",
            "out",
        ])
        .args(["--lang", "en"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no data rows"));
    assert_eq!(
        std::fs::read(w.path("out/gendan-history.sqlite")).unwrap(),
        hist
    );
    assert!(!w.path("out/kpi-report-2026-W50.xlsx").exists());
}

#[test]
fn default_paths_that_match_nothing_leave_the_table_empty_with_one_line() {
    let w = Work::new();
    zh_orders(&w, vec![zh_order("PO-1", 10.0, (2026, 12, 20), "生产中")]);
    w.write("t.toml", b"[inputs.orders]\npaths = [\"orders.xlsx\"]\n");
    let out = gendan(
        &w,
        &[
            "check",
            "--template",
            "t.toml",
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("shipments*.xlsx").count(), 1, "{err}");
    // A path the template names must match.
    w.write(
        "t2.toml",
        b"[inputs.orders]\npaths = [\"orders.xlsx\"]\n[inputs.shipments]\npaths = [\"ships*.xlsx\"]\n",
    );
    let out = gendan(&w, &["check", "--template", "t2.toml", "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn updates_after_as_of_within_31_days_count_as_updates_on_as_of() {
    let w = Work::new();
    let mut a = zh_order("PO-1", 10.0, (2026, 12, 20), "生产中");
    a[8] = d(2026, 12, 1);
    let mut b = zh_order("PO-2", 10.0, (2026, 12, 20), "生产中");
    b[8] = d(2027, 1, 15);
    zh_orders(&w, vec![a, b]);
    let (_, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", AS_OF]);
    let dates: Vec<(String, String)> = rule_cells(&v)
        .into_iter()
        .filter(|(r, _)| r.starts_with('V'))
        .collect();
    assert_eq!(dates, vec![("V05".to_string(), "I3".to_string())], "{v}");
    // PO-1's update of 2026-12-01 is an update on as_of: not stale.
    assert!(
        flags_of(&v, "S01").iter().all(|f| f["order_id"] != "PO-1"),
        "{v}"
    );
}

#[test]
fn a_delivered_status_without_a_date_is_delivered() {
    let w = Work::new();
    zh_orders(&w, vec![zh_order("PO-1", 10.0, (2026, 11, 20), "已出货")]);
    w.xlsx(
        "shipments.xlsx",
        vec![Sheet::new(
            "出货",
            vec![
                header(&["订单号", "出货数量", "出货日期", "ETA", "物流状态"]),
                vec![
                    s("PO-1"),
                    n(10.0),
                    d(2026, 11, 1),
                    d(2026, 11, 10),
                    s("已签收"),
                ],
            ],
        )],
    );
    let out = w
        .gendan()
        .args([
            "check",
            "--json",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "shipments.xlsx",
        ])
        .args(["--as-of", AS_OF, "--fail-on", "never"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(flags_of(&v, "S04").is_empty(), "{v}");
    assert!(flags_of(&v, "S05").is_empty(), "{v}");
    assert_eq!(v["kpis"]["shipments_in_transit"], 0);
    assert!(String::from_utf8_lossy(&out.stderr).contains("没有签收日期"));
}

#[test]
fn new_vocabulary_owner_words_and_truck() {
    let w = Work::new();
    en_orders(
        &w,
        &[
            "PO#",
            "Client Name",
            "SKU",
            "Order Qty",
            "PO Date",
            "Ship By",
            "Order Status",
            "Sales Rep",
            "Dept",
        ],
        vec![vec![
            s("PO-1"),
            s("Acme"),
            s("Mug"),
            n(5.0),
            d(2026, 11, 1),
            d(2026, 12, 20),
            s("Manufacturing"),
            s("Ann"),
            s("QC"),
        ]],
    );
    w.xlsx(
        "shipments.xlsx",
        vec![Sheet::new(
            "Shipments",
            vec![
                header(&[
                    "PO#",
                    "Shipped Qty",
                    "Loading Date",
                    "Ship Via",
                    "Bill of Lading",
                ]),
                vec![s("PO-1"), n(1.0), d(2026, 11, 29), s("Truck"), s("X1")],
            ],
        )],
    );
    let (code, v) = w.check_json(&[
        "--orders",
        "orders.xlsx",
        "--shipments",
        "shipments.xlsx",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(code, 0, "{v}");
    let r = rules(&v);
    assert!(!r.iter().any(|x| x.starts_with('V')), "{r:?}");
}

#[test]
fn xlsb_files_are_opened_by_content() {
    let w = Work::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/xlsb");
    for name in ["date.xlsb", "issues.xlsb", "any_sheets.xlsb"] {
        let bytes = std::fs::read(fixtures.join(name)).unwrap();
        // Named .xlsx on purpose: the content decides.
        let target = name.replace(".xlsb", "-renamed.xlsx");
        w.write(&target, &bytes);
        for file in [name.to_string(), target] {
            w.write(&file, &bytes);
            let out = gendan(
                &w,
                &[
                    "check",
                    "--orders",
                    &file,
                    "--as-of",
                    AS_OF,
                    "--fail-on",
                    "never",
                ],
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(
                !err.contains("Xml error") && !err.contains("not a readable"),
                "{file}: {err}"
            );
            // None of them is a register: exit 1 naming the sheets and why.
            assert_eq!(out.status.code(), Some(1), "{file}: {err}");
            assert!(err.contains(&format!("{file} › ")), "{file}: {err}");
            if name == "any_sheets.xlsb" {
                // The sheets and their visibility came from the .xlsb itself.
                let hidden = format!("{file} › Hidden: 隐藏工作表");
                assert!(err.contains(&hidden), "{file}: {err}");
                assert!(
                    err.contains(&format!("{file} › Visible: ")),
                    "{file}: {err}"
                );
            }
        }
    }
}

#[test]
fn as_of_takes_the_date_forms_cells_take() {
    let w = Work::new();
    zh_orders(&w, vec![zh_order("PO-1", 10.0, (2026, 12, 20), "生产中")]);
    for form in ["2026/11/27", "27 Nov 2026", "2026年11月27日"] {
        let (code, v) = w.check_json(&["--orders", "orders.xlsx", "--as-of", form]);
        assert_eq!(code, 0, "{form}");
        assert_eq!(v["as_of"], "2026-11-27", "{form}");
    }
}

#[test]
fn demo_data_does_not_overwrite_a_users_register_without_force() {
    let w = Work::new();
    w.write("orders.xlsx", b"mine");
    let out = gendan(&w, &["demo-data", ".", "--orders", "5", "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(w.path("orders.xlsx")).unwrap(), b"mine");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    let out = gendan(
        &w,
        &[
            "demo-data",
            ".",
            "--orders",
            "5",
            "--as-of",
            AS_OF,
            "--force",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_ne!(std::fs::read(w.path("orders.xlsx")).unwrap(), b"mine");
}

#[test]
fn init_writes_a_template_that_check_reads_the_same_way() {
    let w = Work::new();
    let mut head = vec![vec![s("跟单总表 2026")]];
    head.push(header(&[
        "合同编号",
        "客户简称",
        "品名",
        "订单量",
        "签单日期",
        "客户交期",
        "订单进度",
        "跟单",
        "船期",
        "柜号",
        "工厂",
    ]));
    let mut rows = head;
    for i in 0..20 {
        rows.push(vec![
            s(&format!("HT-{i:03}")),
            s("Acme"),
            s("Mug"),
            n(100.0),
            s("15/10/2026"),
            d(2026, 12, 20),
            s(if i < 14 {
                "已装船待开"
            } else {
                "排产中"
            }),
            s("王芳"),
            if i < 14 { d(2026, 11, 20) } else { Cell::Blank },
            if i < 14 {
                s(&format!("TGHU{i}"))
            } else {
                Cell::Blank
            },
            s("宁波一厂"),
        ]);
    }
    w.xlsx(
        "跟单总表.xlsx",
        vec![
            Sheet::new("2026跟单", rows),
            Sheet::new(
                "客诉",
                vec![
                    header(&["客户", "合同编号", "投诉日期", "打分", "投诉内容"]),
                    vec![s("Acme"), s("HT-001"), d(2026, 11, 25), n(2.0), s("broken")],
                ],
            ),
        ],
    );
    let out = gendan(&w, &["init", "跟单总表.xlsx", "--out", "gendan.toml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(w.path("gendan.toml")).unwrap();
    assert!(text.contains("date_order = \"dmy\""), "{text}");
    assert!(text.contains("lang = \"zh\""), "{text}");
    assert!(text.contains("order_id = [\"合同编号\"]"), "{text}");
    assert!(text.contains("# \"已装船待开\" = "), "{text}");
    assert!(text.contains("14 rows"), "{text}");
    assert!(text.contains("\"工厂\""), "{text}");
    assert!(text.contains("sheets = [\"2026跟单\"]"), "{text}");
    assert!(text.contains("sheets = [\"客诉\"]"), "{text}");
    // It refuses to overwrite.
    let again = gendan(&w, &["init", "跟单总表.xlsx", "--out", "gendan.toml"]);
    assert_eq!(again.status.code(), Some(2));
    // check on the written template reads what init described.
    let (code, v) = w.check_json(&["--template", "gendan.toml", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["name"], "2026跟单");
    assert_eq!(sh["rows_read"], 20);
    assert_eq!(sh["derived"]["shipments"], 14, "{sh}");
    assert!(text.contains("20 rows read"), "{text}");
    assert!(text.contains("derived 14 shipments"), "{text}");
    let fb = sheet_of(&v, "feedback");
    assert_eq!(fb["name"], "客诉");
    assert_eq!(fb["rows_read"], 1);
    assert!(flags_of(&v, "V02").is_empty(), "{v}");
}

/// The flags of `check` on the written template, as (rule, cell): the
/// same as `check` on the workbook with the built-in names, and none of
/// them a V or M flag (the trackers below are clean).
fn same_flags_with_the_template(w: &Work, workbook: &str, template: &str) {
    let (code, with) = w.check_json(&["--template", template, "--as-of", AS_OF]);
    assert_eq!(code, 0, "{with}");
    let (_, without) = w.check_json(&["--orders", workbook, "--as-of", AS_OF]);
    assert_eq!(rule_cells(&with), rule_cells(&without), "{with}");
    let odd: Vec<(String, String)> = rule_cells(&with)
        .into_iter()
        .filter(|(r, _)| r.starts_with('V') || r.starts_with('M'))
        .collect();
    assert!(odd.is_empty(), "{odd:?}");
}

/// `init` twice: the file it wrote, then again from it; returns both.
fn init_twice(w: &Work, args: &[&str]) -> (String, String) {
    let mut first: Vec<&str> = vec!["init"];
    first.extend(args);
    first.extend(["--out", "gendan.toml"]);
    let out = gendan(w, &first);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(w.path("gendan.toml")).unwrap();
    let out = gendan(
        w,
        &["init", "--template", "gendan.toml", "--out", "gendan2.toml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = std::fs::read_to_string(w.path("gendan2.toml")).unwrap();
    (text, again)
}

#[test]
fn init_names_each_milestone_column_and_writes_the_lead_days_it_saw() {
    let w = Work::new();
    let mut rows = vec![header(&[
        "合同编号",
        "客户简称",
        "品名",
        "订单量",
        "签单日期",
        "客户交期",
        "订单进度",
        "跟单",
        "面料到厂计划",
        "面料到厂实际",
        "验货日期",
        "订舱日期",
    ])];
    // Leads (due − plan) 21, 24, 30, 33 days, and a line without a plan:
    // the median is (24 + 30) / 2 = 27. Every plan is done by as_of.
    let plans = [
        Some((2026, 11, 29)),
        Some((2026, 11, 26)),
        Some((2026, 11, 20)),
        Some((2026, 11, 17)),
        None,
    ];
    for (i, plan) in plans.iter().enumerate() {
        let date = |p: &Option<(u16, u8, u8)>| p.map_or(Cell::Blank, |(y, m, dd)| d(y, m, dd));
        rows.push(vec![
            s(&format!("HT-{i:03}")),
            s("Acme"),
            s("Mug"),
            n(100.0),
            d(2026, 10, 1),
            d(2026, 12, 20),
            s("生产中"),
            s("王芳"),
            date(plan),
            date(&plan.or(Some((2026, 11, 10)))),
            Cell::Blank,
            Cell::Blank,
        ]);
    }
    // A production plan no table reads: its milestone headers are named
    // as milestones, not as the field they come nearest to.
    let plan_sheet = Sheet::new(
        "生产计划",
        vec![
            header(&["款号", "面料到厂计划", "验货日期"]),
            vec![s("K-1"), d(2026, 11, 20), d(2026, 12, 1)],
            vec![s("K-2"), d(2026, 11, 21), d(2026, 12, 2)],
        ],
    );
    w.xlsx(
        "跟单总表.xlsx",
        vec![Sheet::new("2026跟单", rows), plan_sheet],
    );
    let (text, again) = init_twice(&w, &["跟单总表.xlsx"]);
    // Each column: its step, plan or actual, in the headers' language.
    for line in [
        "#     节点 物料到厂（materials）计划：\"面料到厂计划\"，I 列",
        "#     节点 物料到厂（materials）实际：\"面料到厂实际\"，J 列",
        "#     节点 验货（inspection）实际：\"验货日期\"，K 列",
        "#     节点 订舱（booking）实际：\"订舱日期\"，L 列",
        "#   \"面料到厂计划\"   (节点 物料到厂（materials）计划：作为订单表读取时识别)",
        "#   \"验货日期\"   (节点 验货（inspection）实际：作为订单表读取时识别)",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    // The lead days, commented, for the one milestone with a plan column.
    let block = text
        .split("[milestones.lead_days]\n")
        .nth(1)
        .unwrap_or_else(|| panic!("no lead days block: {text}"));
    let entries: Vec<&str> = block
        .lines()
        .take_while(|l| !l.is_empty())
        .filter(|l| l.contains(" = "))
        .collect();
    assert_eq!(
        entries,
        ["# materials = 27   # 物料到厂：4 个订单行的中位数"],
        "{text}"
    );
    // No milestone column is an unused one.
    for h in ["面料到厂计划", "面料到厂实际", "验货日期", "订舱日期"] {
        let quoted = format!("\"{h}\"");
        assert!(
            !text
                .lines()
                .any(|l| l.contains(&quoted) && l.contains("unused column")),
            "{h}\n{text}"
        );
    }
    // The template loads, reads the same milestone columns (init from it
    // says the same of them; it reads only the sheet it chose) and check
    // on it flags nothing new.
    let milestone_lines = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("#     节点") || l.contains("materials ="))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(milestone_lines(&text).len(), 5, "{text}");
    assert_eq!(milestone_lines(&text), milestone_lines(&again), "{again}");
    same_flags_with_the_template(&w, "跟单总表.xlsx", "gendan.toml");
    // Uncommented, the lead days load too.
    let edited = text.replace("# materials = 27", "materials = 27");
    w.write("gendan.toml", edited.as_bytes());
    let (code, v) = w.check_json(&["--template", "gendan.toml", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn init_reads_english_milestone_headers_and_keeps_the_teams_milestones() {
    let w = Work::new();
    let names = [
        "PO No",
        "Customer",
        "Item",
        "Qty",
        "PO Date",
        "Delivery Date",
        "Status",
        "Merchandiser",
        "Fabric In-house Plan",
        "PP Sample (Target)",
        "PP Sample Actual",
        "Inspection",
        "",
        "Inspection Date",
    ];
    let mut top = header(&names);
    top[12] = Cell::Blank;
    let mut lower = vec![Cell::Blank; 11];
    lower.extend([s("Plan"), s("Actual"), Cell::Blank]);
    let mut rows = vec![top, lower];
    // Due 2027-01-31 on every line. Fabric leads 40, 45, 52 (median 45),
    // PP sample leads 70, 75, 90 (median 75, each done on its plan day),
    // inspection leads 7, 5, 10 (median 7).
    let lines = [
        ((2026, 12, 22), (2026, 11, 22), (2027, 1, 24)),
        ((2026, 12, 17), (2026, 11, 17), (2027, 1, 26)),
        ((2026, 12, 10), (2026, 11, 2), (2027, 1, 21)),
    ];
    for (i, (fabric, pp, insp)) in lines.iter().enumerate() {
        rows.push(vec![
            s(&format!("PO-{i}")),
            s("Acme"),
            s("Lamp"),
            n(10.0),
            d(2026, 10, 1),
            d(2027, 1, 31),
            s("confirmed"),
            s("Ann"),
            d(fabric.0, fabric.1, fabric.2),
            d(pp.0, pp.1, pp.2),
            d(pp.0, pp.1, pp.2),
            d(insp.0, insp.1, insp.2),
            Cell::Blank,
            d(2026, 11, 1),
        ]);
    }
    let mut sheet = Sheet::new("T&A", rows);
    // Names merged down over both rows, "Inspection" across Plan | Actual.
    sheet.merges = (0..11).chain([13]).map(|c| (c, 0, 1)).collect();
    sheet.hmerges = vec![(0, 11, 12)];
    w.xlsx("tracker.xlsx", vec![sheet]);
    let (text, again) = init_twice(&w, &["tracker.xlsx"]);
    for line in [
        "#     milestone Materials In-house (materials), plan: \"Fabric In-house Plan\", column I",
        "#     milestone PP Sample (pp_sample), plan: \"PP Sample (Target)\", column J",
        "#     milestone PP Sample (pp_sample), actual: \"PP Sample Actual\", column K",
        "# materials = 45   # Materials In-house: median of 3 order lines",
        "# pp_sample = 75   # PP Sample: median of 3 order lines",
        "# inspection = 7   # Inspection: median of 3 order lines",
    ] {
        assert!(text.lines().any(|l| l == line), "{line}\n{text}");
    }
    assert!(
        text.lines().any(
            |l| l.starts_with("#     milestone Inspection (inspection), plan: ")
                && l.ends_with("column L")
        ),
        "{text}"
    );
    // A second actual column of a step is said to be one, not read.
    assert!(
        text.lines().any(|l| l
            == "# \"Inspection Date\"   # not read: milestone Inspection (inspection) takes one actual column per sheet, the first"),
        "{text}"
    );
    assert!(!text.contains("unused column"), "{text}");
    assert_eq!(text, again);
    same_flags_with_the_template(&w, "tracker.xlsx", "gendan.toml");

    // The team's own steps and lead days are kept as written; a lead day
    // it gives is not suggested again, the others still are.
    let (before, rest) = text.split_once("[milestones.lead_days]\n").unwrap();
    let (_, after) = rest.split_once("\n\n").unwrap();
    let team = format!(
        "{before}[[milestones.steps]]   # ours\nkey = \"lab_dip\"\naliases = [\"Lab Dip\"]\nafter = \"materials\"\n\n[milestones.lead_days]\npp_sample = 80   # as agreed with the factory\n\n{after}"
    );
    w.write("team.toml", team.as_bytes());
    let out = gendan(
        &w,
        &["init", "--template", "team.toml", "--out", "team2.toml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let kept = std::fs::read_to_string(w.path("team2.toml")).unwrap();
    assert!(
        kept.contains("[[milestones.steps]]   # ours\nkey = \"lab_dip\"\naliases = [\"Lab Dip\"]\nafter = \"materials\"\n"),
        "{kept}"
    );
    assert!(
        kept.contains("pp_sample = 80   # as agreed with the factory\n"),
        "{kept}"
    );
    assert!(!kept.contains("# pp_sample = 75"), "{kept}");
    assert!(kept.contains("# materials = 45"), "{kept}");
    assert_eq!(kept.matches("[milestones.lead_days]").count(), 1, "{kept}");
    let (code, v) = w.check_json(&["--template", "team2.toml", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn every_option_of_every_command_has_help_text() {
    use clap::CommandFactory;
    let cli = gendan::cli::Cli::command();
    let mut missing = Vec::new();
    for sub in cli.get_subcommands() {
        assert!(sub.get_about().is_some(), "{} has no help", sub.get_name());
        for arg in sub.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{} {id}", sub.get_name()));
            }
        }
    }
    assert!(missing.is_empty(), "options without help: {missing:?}");
}

#[test]
fn a_tracker_with_scores_but_no_feedback_date_names_the_missing_column_once() {
    let w = Work::new();
    w.xlsx(
        "tracker.xlsx",
        vec![Sheet::new(
            "跟单",
            vec![
                header(&[
                    "订单号",
                    "客户",
                    "产品",
                    "数量",
                    "下单日期",
                    "交期",
                    "状态",
                    "跟单员",
                    "满意度",
                ]),
                vec![
                    s("PO-1"),
                    s("Acme"),
                    s("Mug"),
                    n(5.0),
                    d(2026, 11, 1),
                    d(2026, 12, 20),
                    s("生产中"),
                    s("李"),
                    n(2.0),
                ],
                vec![
                    s("PO-2"),
                    s("Acme"),
                    s("Mug"),
                    n(5.0),
                    d(2026, 11, 1),
                    d(2026, 12, 20),
                    s("生产中"),
                    s("李"),
                    Cell::Blank,
                ],
            ],
        )],
    );
    let (code, v) = w.check_json(&["--orders", "tracker.xlsx", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["derived"]["feedback"], 1, "{sh}");
    let v01: Vec<Value> = flags_of(&v, "V01");
    assert_eq!(v01.len(), 1, "{v01:?}");
    assert_eq!(v01[0]["table"], "feedback");
    assert_eq!(v01[0]["cell"], "A1");
    assert!(
        v01[0]["message"].as_str().unwrap().contains("反馈日期"),
        "{v01:?}"
    );
    // The unhappy score is S08 on the tracker's own cell.
    assert_eq!(
        flags_of(&v, "S08")
            .iter()
            .map(|f| f["cell"].clone())
            .collect::<Vec<_>>(),
        vec![Value::from("I2")]
    );
}
