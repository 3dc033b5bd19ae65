//! KPIs and workbooks (spec sections 6 and 7): a hand-computed case whose
//! every KPI is asserted in the JSON and on the Summary sheet, and the
//! workbooks read back cell by cell.

mod util;

use calamine::{open_workbook, Data, Reader, Xlsx};
use serde_json::{json, Value};
use util::*;

const AS_OF: &str = "2026-11-30"; // week 2026-11-24 … 2026-11-30, 2026-W49

const O_HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Product",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Last Updated",
    "Confirmed Date",
    "Unit Price",
    "Amount",
    "Currency",
];

#[allow(clippy::too_many_arguments)]
fn o(
    id: &str,
    cust: &str,
    qty: f64,
    od: &str,
    due: &str,
    status: &str,
    owner: &str,
    upd: &str,
    conf: &str,
    price: Option<f64>,
    amount: Option<f64>,
    cur: &str,
) -> Vec<Cell> {
    let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s(id),
        s(cust),
        s("Mug"),
        n(qty),
        s(od),
        s(due),
        s(status),
        s(owner),
        s(upd),
        t(conf),
        price.map(n).unwrap_or(Cell::Blank),
        amount.map(n).unwrap_or(Cell::Blank),
        t(cur),
    ]
}

const S_HEAD: &[&str] = &[
    "Shipment No",
    "Order No",
    "Qty Shipped",
    "Ship Date",
    "Mode",
    "ETA",
    "Delivered Date",
    "Status",
    "Tracking No",
];

#[allow(clippy::too_many_arguments)]
fn sh(
    id: &str,
    order: &str,
    qty: f64,
    ship: &str,
    mode: &str,
    eta: &str,
    delivered: &str,
    status: &str,
    tracking: &str,
) -> Vec<Cell> {
    let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s(id),
        s(order),
        n(qty),
        t(ship),
        t(mode),
        t(eta),
        t(delivered),
        t(status),
        t(tracking),
    ]
}

const F_HEAD: &[&str] = &[
    "Feedback No",
    "Order No",
    "Customer",
    "Date",
    "Score",
    "NPS",
    "Action",
    "Status",
    "Closed Date",
];

#[allow(clippy::too_many_arguments)]
fn fb(
    id: &str,
    order: &str,
    cust: &str,
    date: &str,
    score: f64,
    nps: f64,
    action: &str,
    status: &str,
    closed: &str,
) -> Vec<Cell> {
    let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s(id),
        t(order),
        s(cust),
        s(date),
        n(score),
        n(nps),
        t(action),
        t(status),
        t(closed),
    ]
}

fn data_sheet(head: &[&str], rows: Vec<Vec<Cell>>) -> Vec<Sheet> {
    let mut all = vec![header(head)];
    all.extend(rows);
    vec![Sheet::new("Data", all)]
}

/// Ten orders, six shipments, four feedback rows; every number below is
/// worked out by hand in the comments of `hand_computed_kpis`.
fn hand_case(w: &Work) {
    w.xlsx(
        "orders.xlsx",
        data_sheet(
            O_HEAD,
            vec![
                o(
                    "A1",
                    "Acme",
                    100.0,
                    "2026-11-25",
                    "2026-12-20",
                    "in production",
                    "Li",
                    "2026-11-29",
                    "2026-11-27",
                    Some(2.0),
                    Some(200.0),
                    "USD",
                ),
                o(
                    "A2",
                    "Acme",
                    50.0,
                    "2026-11-10",
                    "2026-11-26",
                    "shipped",
                    "Li",
                    "2026-11-28",
                    "2026-11-11",
                    Some(10.0),
                    None,
                    "USD",
                ),
                o(
                    "A3",
                    "Bolt",
                    80.0,
                    "2026-11-01",
                    "2026-11-25",
                    "shipped",
                    "Wang",
                    "2026-11-29",
                    "2026-11-03",
                    None,
                    None,
                    "",
                ),
                o(
                    "A4",
                    "Bolt",
                    60.0,
                    "2026-11-02",
                    "2026-11-28",
                    "in production",
                    "Wang",
                    "2026-11-20",
                    "2026-11-24",
                    None,
                    None,
                    "",
                ),
                o(
                    "A5",
                    "Cora",
                    40.0,
                    "2026-11-26",
                    "2026-11-30",
                    "ready",
                    "Li",
                    "2026-11-30",
                    "2026-11-26",
                    None,
                    None,
                    "",
                ),
                o(
                    "A6",
                    "Cora",
                    30.0,
                    "2026-11-27",
                    "2026-12-24",
                    "cancelled",
                    "Li",
                    "2026-11-27",
                    "",
                    Some(5.0),
                    Some(150.0),
                    "EUR",
                ),
                o(
                    "A7",
                    "Dune",
                    20.0,
                    "2026-11-28",
                    "2026-12-28",
                    "pending",
                    "Wang",
                    "2026-11-28",
                    "",
                    Some(100.0),
                    Some(2000.0),
                    "RMB",
                ),
                o(
                    "A8",
                    "Dune",
                    100.0,
                    "2026-10-01",
                    "2026-10-20",
                    "delivered",
                    "Wang",
                    "2026-11-01",
                    "2026-10-02",
                    None,
                    None,
                    "",
                ),
                o(
                    "A9",
                    "Acme",
                    10.0,
                    "2026-10-05",
                    "2026-10-25",
                    "delivered",
                    "Li",
                    "2026-11-05",
                    "2026-10-06",
                    None,
                    None,
                    "",
                ),
                o(
                    "A10",
                    "Bolt",
                    70.0,
                    "2026-11-20",
                    "2026-11-27",
                    "shipped",
                    "Wang",
                    "2026-11-29",
                    "2026-11-21",
                    None,
                    None,
                    "",
                ),
            ],
        ),
    );
    w.xlsx(
        "shipments.xlsx",
        data_sheet(
            S_HEAD,
            vec![
                sh(
                    "S1",
                    "A2",
                    50.0,
                    "2026-11-24",
                    "sea",
                    "2026-11-25",
                    "",
                    "in transit",
                    "T1",
                ),
                sh(
                    "S2",
                    "A3",
                    80.0,
                    "2026-11-27",
                    "sea",
                    "2026-12-15",
                    "",
                    "in transit",
                    "T2",
                ),
                sh(
                    "S3",
                    "A8",
                    100.0,
                    "2026-10-18",
                    "sea",
                    "2026-10-30",
                    "2026-11-01",
                    "delivered",
                    "T3",
                ),
                sh(
                    "S4",
                    "A9",
                    10.0,
                    "2026-10-20",
                    "air",
                    "2026-11-01",
                    "2026-11-05",
                    "delivered",
                    "T4",
                ),
                sh(
                    "S5",
                    "A10",
                    40.0,
                    "2026-11-26",
                    "air",
                    "2026-11-26",
                    "2026-11-28",
                    "delivered",
                    "T5",
                ),
                sh("S6", "A10", 30.0, "2026-12-03", "", "", "", "", ""),
            ],
        ),
    );
    w.xlsx(
        "feedback.xlsx",
        data_sheet(
            F_HEAD,
            vec![
                fb(
                    "F1",
                    "A8",
                    "Dune",
                    "2026-11-25",
                    5.0,
                    10.0,
                    "",
                    "closed",
                    "2026-11-27",
                ),
                fb(
                    "F2",
                    "",
                    "Eve",
                    "2026-11-26",
                    2.0,
                    3.0,
                    "refund",
                    "open",
                    "",
                ),
                fb(
                    "F3",
                    "A2",
                    "Acme",
                    "2026-11-29",
                    4.0,
                    8.0,
                    "",
                    "in progress",
                    "",
                ),
                fb("F4", "A1", "Acme", "2026-10-01", 3.0, 7.0, "", "open", ""),
            ],
        ),
    );
    w.write(
        "t.toml",
        b"[report]\ntitle = \"Hand case\"\nlang = \"en\"\n[fx]\nbase = \"USD\"\nrates = { CNY = 0.14, EUR = 1.1 }\n",
    );
}

fn run(w: &Work, extra: &[&str]) -> Value {
    let out = w
        .gendan()
        .args([
            "run",
            "--template",
            "t.toml",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "shipments.xlsx",
            "--feedback",
            "feedback.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "--json",
            "-q",
        ])
        .args(extra)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn hand_computed_kpis() {
    let w = Work::new();
    hand_case(&w);
    let v = run(&w, &[]);
    assert_eq!(
        v["period"],
        json!({"start": "2026-11-24", "end": "2026-11-30", "label": "2026-W49"})
    );
    let k = &v["kpis"];
    let expect = json!({
        // Ordered in the week: A1, A5, A6 (cancelled counts), A7.
        "orders_received": 4,
        "orders_received_amount": {"CNY": 2000.0, "EUR": 150.0, "USD": 200.0},
        // 200 + 150 × 1.1 + 2000 × 0.14
        "orders_received_amount_base": 645.0,
        // Due in the week, not cancelled: A2, A3, A4, A5, A10.
        "orders_due": 5,
        // On time: A2 (first ship 11-24 ≤ 11-26), A10 (11-26 ≤ 11-27).
        "otd_rate": 0.4,
        // In full by as_of: A2, A3.
        "in_full_rate": 0.4,
        // Completed by the due date: A2 only.
        "otif_rate": 0.2,
        // Late: A3 (delay 2), A4 (2, still open), A5 (due today: 0).
        "late_orders": 3,
        "avg_delay_days": 4.0 / 3.0,
        // Confirmed in the week: A1 2 days, A4 22, A5 0.
        "confirmation_median_days": 2.0,
        // Completed in the week: A2 14 days, A3 26 → mean of the middle two.
        "cycle_time_median_days": 20.0,
        // Open: A1, A4, A5, A7, A10; overdue: A4, A10.
        "open_orders": 5,
        "overdue_open_orders": 2,
        "backlog_aging": {"not_due": 3, "d1_7": 2, "d8_14": 0, "d15_30": 0, "d30_plus": 0},
        // Shipped in the week: S1, S2, S5 (S6 is booked for 12-03).
        "shipments_shipped": 3,
        "shipments_shipped_qty": 170.0,
        "shipments_in_transit": 2,
        // S1: eta 11-25 + 3 < 11-30.
        "shipments_overdue": 1,
        // Delivered in the week: S5, 2 days, after its eta.
        "transit_median_days": 2.0,
        "transit_median_days_by_mode": {"air": 2.0},
        "eta_hit_rate": 0.0,
        // Feedback dated in the week: F1 (5, 10), F2 (2, 3), F3 (4, 8).
        "feedback_responses": 3,
        "csat": 2.0 / 3.0,
        "avg_score": 11.0 / 3.0,
        "nps": 0.0,
        "feedback_open": 3,
        "resolution_median_days": 2.0,
        // Arrived 14–90 days ago: A8 (has F1), A9 (none).
        "followup_coverage": 0.5,
        // S02 A4, A10; S01 A4, S04 S1, S07 F4; S06 A9.
        "flags_error": 2,
        "flags_warning": 3,
        "flags_info": 1
    });
    for (key, want) in expect.as_object().unwrap() {
        let got = &k[key];
        match (want.as_f64(), got.as_f64()) {
            (Some(a), Some(b)) if !want.is_object() => {
                assert!((a - b).abs() < 1e-9, "{key}: want {a}, got {b}")
            }
            _ => assert_eq!(got, want, "{key}"),
        }
    }
    let mut rules: Vec<String> = v["flags"]["by_rule"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(r, n)| format!("{r}×{n}"))
        .collect();
    rules.sort();
    assert_eq!(rules, vec!["S01×1", "S02×2", "S04×1", "S06×1", "S07×1"]);

    // The Summary sheet shows the same values, as numbers.
    let path = w.path("out/kpi-report-2026-W49.xlsx");
    let range = sheet(&path, "Summary");
    let value_of = |label: &str| -> Data {
        for row in range.rows() {
            if row.first().map(|c| c.to_string()) == Some(label.to_string()) {
                return row[1].clone();
            }
        }
        panic!("no row {label} on Summary");
    };
    assert_eq!(value_of("Orders received"), Data::Float(4.0));
    assert_eq!(value_of("Orders due"), Data::Float(5.0));
    assert_eq!(value_of("On-time delivery (OTD)"), Data::Float(0.4));
    assert_eq!(value_of("On time in full (OTIF)"), Data::Float(0.2));
    assert_eq!(value_of("Open orders"), Data::Float(5.0));
    assert_eq!(
        value_of("Order cycle time, median (days)"),
        Data::Float(20.0)
    );
    assert_eq!(value_of("Net promoter score (NPS)"), Data::Float(0.0));
    assert_eq!(value_of("After-sales follow-up coverage"), Data::Float(0.5));
    // The feedback Summary too.
    let fr = sheet(&w.path("out/feedback-report-2026-W49.xlsx"), "Summary");
    let csat = fr
        .rows()
        .find(|r| r[0] == "Customer satisfaction (CSAT)")
        .map(|r| r[1].clone())
        .unwrap();
    assert_eq!(csat, Data::Float(2.0 / 3.0));
    // The JSON on stdout is also written beside the workbooks.
    let written: Value =
        serde_json::from_slice(&std::fs::read(w.path("out/run-summary-2026-W49.json")).unwrap())
            .unwrap();
    assert_eq!(written["kpis"], v["kpis"]);
}

#[test]
fn empty_denominators_are_null_not_zero() {
    let w = Work::new();
    w.xlsx(
        "orders.xlsx",
        data_sheet(
            O_HEAD,
            vec![o(
                "Z1",
                "Acme",
                1.0,
                "2026-11-01",
                "2026-12-20",
                "confirmed",
                "Li",
                "2026-11-29",
                "2026-11-02",
                None,
                None,
                "",
            )],
        ),
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
            "--json",
            "-q",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let k = &v["kpis"];
    for key in [
        "otd_rate",
        "otif_rate",
        "csat",
        "nps",
        "eta_hit_rate",
        "avg_delay_days",
        "followup_coverage",
    ] {
        assert!(k[key].is_null(), "{key} should be null: {}", k[key]);
    }
    assert_eq!(k["orders_due"], 0);
    assert!(w.path("out/kpi-report-2026-W49.xlsx").exists());
}

fn sheet_names(p: &std::path::Path) -> Vec<String> {
    let wb: Xlsx<_> = open_workbook(p).unwrap();
    wb.sheet_names()
}

#[test]
fn sheet_names_and_headers_in_both_languages() {
    let w = Work::new();
    hand_case(&w);
    run(&w, &["--lang", "zh"]);
    assert_eq!(
        sheet_names(&w.path("out/kpi-report-2026-W49.xlsx")),
        vec![
            "概览",
            "即将到期",
            "交付",
            "在手订单",
            "物流跟踪",
            "跟单员",
            "部门",
            "客户",
            "数据问题",
            "已解决",
            "交期变更",
            "待办"
        ]
    );
    assert_eq!(
        sheet_names(&w.path("out/feedback-report-2026-W49.xlsx")),
        vec![
            "概览",
            "反馈记录",
            "未关闭反馈",
            "类别与部门",
            "客户",
            "满意度与交付"
        ]
    );
    let r = sheet(&w.path("out/kpi-report-2026-W49.xlsx"), "交付");
    assert_eq!(r.get_value((2, 0)), Some(&Data::String("订单号".into())));
    let w2 = Work::new();
    hand_case(&w2);
    run(&w2, &["--lang", "en"]);
    assert_eq!(
        sheet_names(&w2.path("out/kpi-report-2026-W49.xlsx")),
        vec![
            "Summary",
            "Coming up",
            "Delivery",
            "Open orders",
            "Shipments",
            "By owner",
            "By department",
            "By customer",
            "Data issues",
            "Resolved",
            "Due-date changes",
            "Action list"
        ]
    );
    assert_eq!(
        sheet_names(&w2.path("out/feedback-report-2026-W49.xlsx")),
        vec![
            "Summary",
            "Feedback log",
            "Open feedback",
            "By category and department",
            "By customer",
            "Satisfaction by delivery"
        ]
    );
}

#[test]
fn dates_are_date_cells_and_rates_are_percent_numbers() {
    let w = Work::new();
    hand_case(&w);
    run(&w, &[]);
    let mut wb: Xlsx<_> = open_workbook(w.path("out/kpi-report-2026-W49.xlsx")).unwrap();
    // Delivery: header on row 3, late orders first; due date in column D.
    let r = wb.worksheet_range("Delivery").unwrap();
    let heads: Vec<String> = r
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(heads[0], "Order No");
    assert_eq!(heads[3], "Due date");
    let first = r.rows().nth(3).unwrap();
    assert!(
        matches!(first[3], Data::DateTime(_)),
        "due date is a date cell: {:?}",
        first[3]
    );
    assert_eq!(
        first[8],
        Data::String("no".into()),
        "late orders come first"
    );
    // Every data cell of the Delivery sheet: dates are dates, no number is text.
    for row in r.rows().skip(3) {
        assert!(
            !matches!(row[6], Data::String(_)),
            "ordered qty is a number: {:?}",
            row[6]
        );
        assert!(
            matches!(row[11], Data::Float(_)),
            "delay is a number: {:?}",
            row[11]
        );
    }
    // Rates on the owner sheet carry a percent format.
    let styles = wb.worksheet_style("By owner").unwrap();
    let owners = wb.worksheet_range("By owner").unwrap();
    let head: Vec<String> = owners
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let otd_col = head.iter().position(|h| h == "OTD").unwrap();
    let cell = owners.rows().nth(3).unwrap()[otd_col].clone();
    assert!(matches!(cell, Data::Float(_)), "{cell:?}");
    let fmt = styles
        .get((3, otd_col as u32))
        .and_then(|s| s.number_format.clone())
        .map(|f| f.format_code)
        .unwrap_or_default();
    assert!(fmt.contains('%'), "percent format, got {fmt:?}");
    // Frozen bold header and autofilter are in the sheet XML.
    let xml = zip_entry(
        &w.path("out/kpi-report-2026-W49.xlsx"),
        "xl/worksheets/sheet3.xml",
    );
    assert!(
        xml.contains("<autoFilter ref=\"A3:N8\""),
        "{}",
        &xml[..xml.len().min(600)]
    );
    assert!(xml.contains("state=\"frozen\""));
}

#[test]
fn formula_looking_text_is_written_as_text() {
    let w = Work::new();
    let evil = "=cmd|' /C calc'!A0";
    w.xlsx(
        "orders.xlsx",
        data_sheet(
            O_HEAD,
            vec![
                o(
                    "E1",
                    evil,
                    1.0,
                    "2026-11-01",
                    "2026-11-27",
                    "confirmed",
                    "@owner",
                    "2026-11-29",
                    "",
                    None,
                    None,
                    "",
                ),
                o(
                    "E2",
                    "+1+1",
                    1.0,
                    "2026-11-01",
                    "2026-11-27",
                    "confirmed",
                    "-2",
                    "2026-11-29",
                    "",
                    None,
                    None,
                    "",
                ),
            ],
        ),
    );
    w.gendan()
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "--lang",
            "en",
            "-q",
        ])
        .assert()
        .code(0);
    let path = w.path("out/kpi-report-2026-W49.xlsx");
    let mut wb: Xlsx<_> = open_workbook(&path).unwrap();
    let r = wb.worksheet_range("Delivery").unwrap();
    let customers: Vec<Data> = r.rows().skip(3).map(|row| row[1].clone()).collect();
    assert!(
        customers.contains(&Data::String(evil.into())),
        "{customers:?}"
    );
    assert!(customers.contains(&Data::String("+1+1".into())));
    let formulas = wb.worksheet_formula("Delivery").unwrap();
    assert!(
        formulas.used_cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
    let owners = wb.worksheet_range("By owner").unwrap();
    let names: Vec<String> = owners
        .rows()
        .skip(3)
        .map(|row| row[0].to_string())
        .collect();
    assert!(
        names.contains(&"@owner".to_string()) && names.contains(&"-2".to_string()),
        "{names:?}"
    );
}

#[test]
fn data_issues_link_to_the_source_cell() {
    let w = Work::new();
    hand_case(&w);
    run(&w, &[]);
    let xml = zip_entry(
        &w.path("out/kpi-report-2026-W49.xlsx"),
        "xl/worksheets/_rels/sheet9.xml.rels",
    );
    // The link goes from out/ up to the input file, and opens its cell.
    assert!(
        xml.contains("Target=\"../orders.xlsx\" TargetMode=\"External\""),
        "{xml}"
    );
    let sheet_xml = zip_entry(
        &w.path("out/kpi-report-2026-W49.xlsx"),
        "xl/worksheets/sheet9.xml",
    );
    assert!(
        sheet_xml.contains("location=\"'Data'!A5\""),
        "no link to Data!A5"
    );
    let r = sheet(&w.path("out/kpi-report-2026-W49.xlsx"), "Data issues");
    let rows: Vec<Vec<String>> = r
        .rows()
        .skip(3)
        .map(|row| row.iter().map(|c| c.to_string()).collect())
        .collect();
    // S02 on A4 points at the order id cell A5 of orders.xlsx.
    assert!(
        rows.iter()
            .any(|r| r[1] == "S02" && r[5] == "A4" && r[9] == "A5"),
        "{rows:?}"
    );
}

#[test]
fn same_inputs_same_cells() {
    let read_all = |w: &Work| -> Vec<(String, Vec<Vec<String>>)> {
        let mut out = Vec::new();
        for f in [
            "out/kpi-report-2026-W49.xlsx",
            "out/feedback-report-2026-W49.xlsx",
        ] {
            let mut wb: Xlsx<_> = open_workbook(w.path(f)).unwrap();
            for name in wb.sheet_names() {
                let r = wb.worksheet_range(&name).unwrap();
                out.push((
                    name,
                    r.rows()
                        .map(|row| row.iter().map(|c| c.to_string()).collect())
                        .collect(),
                ));
            }
        }
        out
    };
    let a = Work::new();
    hand_case(&a);
    run(&a, &[]);
    let b = Work::new();
    hand_case(&b);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    run(&b, &[]);
    assert_eq!(read_all(&a), read_all(&b));
}

/// A sheet past the low-memory threshold (20,000 rows) is written row by
/// row; the summaries beside the list must still be there (rust_xlsxwriter
/// drops cells written to a row above the last one written).
#[test]
fn long_shipment_list_keeps_the_summaries_beside_it() {
    let w = Work::new();
    w.xlsx(
        "orders.xlsx",
        data_sheet(
            O_HEAD,
            vec![o(
                "L1",
                "Acme",
                30_000.0,
                "2026-10-01",
                "2026-12-20",
                "shipped",
                "Li",
                "2026-11-29",
                "2026-10-02",
                None,
                None,
                "",
            )],
        ),
    );
    let n = 20_050;
    let rows = (0..n)
        .map(|i| {
            sh(
                &format!("S{i:05}"),
                "L1",
                1.0,
                "2026-11-20",
                if i % 2 == 0 { "sea" } else { "air" },
                "2026-12-20",
                "",
                "in transit",
                &format!("T{i:05}"),
            )
        })
        .collect();
    w.xlsx("shipments.xlsx", data_sheet(S_HEAD, rows));
    let out = w
        .gendan()
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "shipments.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "--lang",
            "en",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("Ignoring write"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let cells = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Shipments");
    // The list: header on row 3, one row per shipment.
    assert_eq!(cells[2][0], "Shipment No");
    assert_eq!(cells.len(), 3 + n);
    // The summaries: "Mode" to the right of the list, on the header row.
    let mode_col = cells[2]
        .iter()
        .position(|c| c == "Mode")
        .expect("a Mode header");
    let summary_col = cells[2]
        .iter()
        .skip(mode_col + 1)
        .position(|c| c == "Mode")
        .map(|p| p + mode_col + 1)
        .expect("the by-mode summary beside the list");
    assert_eq!(cells[1][summary_col], "last 12 periods");
    let carrier_row = cells
        .iter()
        .position(|r| r.get(summary_col).map(String::as_str) == Some("Carrier"))
        .expect("the by-carrier summary under it");
    assert!(
        carrier_row > 3 && carrier_row < 12,
        "carrier table at row {carrier_row}"
    );
}

/// The `<col>` widths of a worksheet part, as (column, 1-based; width).
fn col_widths(xml: &str) -> Vec<(u32, f64)> {
    xml.split("<col ")
        .skip(1)
        .flat_map(|c| {
            let c = format!(" {c}");
            let attr = |name: &str| {
                let start = c.find(&format!(" {name}=\"")).unwrap() + name.len() + 3;
                c[start..].split('"').next().unwrap().to_string()
            };
            let (min, max): (u32, u32) =
                (attr("min").parse().unwrap(), attr("max").parse().unwrap());
            let width: f64 = attr("width").parse().unwrap();
            (min..=max).map(move |col| (col, width))
        })
        .collect()
}

/// The `cellXfs` entries of styles.xml, in index order.
fn cell_xfs(styles: &str) -> Vec<String> {
    let start = styles.find("<cellXfs").unwrap();
    let end = styles[start..].find("</cellXfs>").unwrap() + start;
    styles[start..end]
        .split("<xf ")
        .skip(1)
        .map(str::to_string)
        .collect()
}

/// The worksheet part (`xl/worksheets/sheetN.xml`) of a sheet by name.
fn sheet_part(path: &std::path::Path, name: &str) -> String {
    let i = sheet_names(path).iter().position(|n| n == name).unwrap();
    zip_entry(path, &format!("xl/worksheets/sheet{}.xml", i + 1))
}

#[test]
fn issue_19_long_rejected_row_wraps_in_capped_columns() {
    // A rejected row (no order id) with very long cells, and a long message:
    // Data issues must stay printable one page wide at a readable scale.
    let w = Work::new();
    let long = "Very long remark about the packaging and the labels ".repeat(8);
    let mut rows = vec![o(
        "A1",
        "Acme",
        10.0,
        "2026-11-25",
        "2026-12-20",
        "in production",
        "Li",
        "2026-11-29",
        "2026-11-27",
        Some(2.0),
        Some(20.0),
        "USD",
    )];
    let mut rejected = o(
        "",
        &long,
        10.0,
        "2026-11-25",
        "2026-12-20",
        "in production",
        "Li",
        "2026-11-29",
        "2026-11-27",
        Some(2.0),
        Some(20.0),
        "USD",
    );
    rejected[0] = Cell::Blank;
    rejected[2] = s(&long);
    rows.push(rejected);
    w.xlsx("orders.xlsx", data_sheet(O_HEAD, rows));
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
        .args(["--lang", "en", "-q", "--fail-on", "never"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let book = w.path("out/kpi-report-2026-W49.xlsx");
    let issues = sheet_text(&book, "Data issues");
    let head = &issues[2];
    let values_col = head
        .iter()
        .position(|h| h == "Row as read")
        .expect("Row as read");
    let (row, cells) = issues
        .iter()
        .enumerate()
        .find(|(_, r)| r.get(values_col).is_some_and(|v| v.len() > 300))
        .expect("the rejected row's values");
    assert!(cells[values_col].contains("Very long remark"));
    // Every column is capped; the long one is as wide as the cap allows.
    let xml = sheet_part(&book, "Data issues");
    let widths = col_widths(&xml);
    assert!(!widths.is_empty(), "{xml}");
    for (c, width) in &widths {
        assert!(*width <= 53.0, "column {c} is {width} wide");
    }
    assert!(
        widths.iter().any(|(c, _)| *c == values_col as u32 + 1),
        "a width for the values column"
    );
    // One page wide on A4 landscape (10.89 in between the margins, 96 dpi)
    // prints at 60 % or more: Excel's 7 pixels a character and 5 of padding.
    let px: f64 = widths.iter().map(|(_, w)| (w * 7.0 + 5.0).floor()).sum();
    let scale = (10.89 * 96.0 / px).min(1.0);
    assert!(scale >= 0.6, "print scale {scale:.2} ({px} px): {widths:?}");
    // That cell wraps, at the top of its row.
    let col_letter = (b'A' + values_col as u8) as char;
    let cell_ref = format!("<c r=\"{col_letter}{}\" s=\"", row + 1);
    let at = xml
        .find(&cell_ref)
        .unwrap_or_else(|| panic!("{cell_ref} in {xml}"));
    let style: usize = xml[at + cell_ref.len()..]
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let styles = zip_entry(&book, "xl/styles.xml");
    let xf = &cell_xfs(&styles)[style];
    assert!(xf.contains("wrapText=\"1\""), "{xf}");
    assert!(xf.contains("vertical=\"top\""), "{xf}");
    // Its row is as tall as its wrapped text (six lines at most), so the
    // text does not run over the rows below where a reader keeps the
    // default height (LibreOffice); a one-line row keeps the default.
    let row_tag = format!("<row r=\"{}\"", row + 1);
    let at = xml.find(&row_tag).unwrap_or_else(|| panic!("{row_tag}"));
    let tag = &xml[at..at + xml[at..].find('>').unwrap()];
    assert!(tag.contains("ht=\"90\""), "{tag}");
    assert!(tag.contains("customHeight=\"1\""), "{tag}");
}

#[test]
fn issue_19_amounts_without_a_currency_column_have_no_unknown_currency() {
    let w = Work::new();
    let head: Vec<&str> = O_HEAD[..12].to_vec(); // no Currency column
    let line = |id: &str, amount: f64| {
        let mut r = o(
            id,
            "Acme",
            10.0,
            "2026-11-25",
            "2026-12-20",
            "in production",
            "Li",
            "2026-11-29",
            "2026-11-27",
            None,
            Some(amount),
            "",
        );
        r.truncate(12);
        r
    };
    w.xlsx(
        "orders.xlsx",
        data_sheet(&head, vec![line("A1", 100.0), line("A2", 50.5)]),
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
        .args(["--lang", "en", "--json", "--fail-on", "never"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["kpis"]["orders_received_amount"],
        json!({"": 150.5}),
        "{}",
        v["kpis"]
    );
    assert_eq!(err.matches("no currency column").count(), 1, "{err}");
    let summary = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Summary");
    assert!(
        summary
            .iter()
            .any(|r| r.first().is_some_and(|c| c == "(no currency)") && r[1] == "150.5"),
        "{summary:?}"
    );
}

/// A run without a template, in each language: the Summary's title is in
/// the report's language and it prints on one page (the other sheets one
/// page wide), and Coming up's empty tables say so in their titles.
#[test]
fn a_run_without_a_template_titles_prints_and_says_none_in_its_language() {
    let w = Work::new();
    w.xlsx(
        "orders.xlsx",
        vec![Sheet::new(
            "Orders",
            vec![
                header(&ORDER_HEADER_EN),
                order_row(
                    "P1",
                    "Acme",
                    10.0,
                    (2026, 11, 2),
                    (2026, 12, 20),
                    "confirmed",
                    "Wang",
                ),
            ],
        )],
    );
    for (lang, summary, title) in [
        ("zh", "概览", "每周跟单例会"),
        ("en", "Summary", "Weekly order follow-up review"),
    ] {
        let out = format!("out-{lang}");
        let st = w
            .gendan()
            .args(["run", "--orders", "orders.xlsx", "--as-of", AS_OF, "-q"])
            .args(["--lang", lang, "--out", &out])
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        let kpi = w.path(&format!("{out}/kpi-report-2026-W49.xlsx"));
        let a1 = &sheet_text(&kpi, summary)[0][0];
        assert!(a1.starts_with(title), "{lang}: {a1}");
        // The Summary (the first sheet) prints on one page; others one
        // page wide.
        let xml = zip_entry(&kpi, "xl/worksheets/sheet1.xml");
        assert!(xml.contains("fitToPage=\"1\""), "{xml}");
        assert!(!xml.contains("fitToHeight=\"0\""), "{xml}");
        let xml = zip_entry(&kpi, "xl/worksheets/sheet2.xml");
        assert!(xml.contains("fitToHeight=\"0\""), "{xml}");
        // No shipments: Coming up says its arrivals table is empty (P1 is
        // due after the next period, so the orders table is empty too).
        let (sheet, none) = if lang == "zh" {
            ("即将到期", "（无）")
        } else {
            ("Coming up", " — none")
        };
        let titles: Vec<String> = sheet_text(&kpi, sheet)
            .iter()
            .map(|r| r[0].clone())
            .filter(|c| c.ends_with(none))
            .collect();
        assert_eq!(titles.len(), 2, "{lang}: {titles:?}");
    }
}
