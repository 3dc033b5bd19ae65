//! Rows that cannot be trusted and the readings downstream (spec rev5,
//! sections 3 and 4): V07 for ragged CSV records, C01 on every cell, the
//! V05 floor `earliest_date`, a disabled rule that still empties, cleaned
//! values downstream, in full needs a quantity, the quantity tolerance,
//! registers that stop at loading.

mod util;

use serde_json::Value;
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
];

/// An English order line in O_HEAD's columns.
fn line(id: &str, qty: Cell, order_date: Cell, due: Cell, status: &str) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        s("Mug"),
        qty,
        order_date,
        due,
        s(status),
        s("Li Na"),
    ]
}

/// `orders.xlsx`: one sheet of `rows` under O_HEAD.
fn orders_xlsx(w: &Work, rows: Vec<Vec<Cell>>) {
    w.xlsx("orders.xlsx", orders_sheet(O_HEAD, rows));
}

fn orders_sheet(head: &[&str], rows: Vec<Vec<Cell>>) -> Vec<Sheet> {
    let mut all = vec![header(head)];
    all.extend(rows);
    vec![Sheet::new("Data", all)]
}

/// Shipments: A no, B order, C qty, D ship date, E eta, F delivered, G status.
const S_HEAD: &[&str] = &[
    "Shipment No",
    "Order No",
    "Qty Shipped",
    "Ship Date",
    "ETA",
    "Delivered Date",
    "Status",
];

fn ship(no: &str, order: &str, qty: f64, ship: Cell, status: &str) -> Vec<Cell> {
    vec![
        s(no),
        s(order),
        n(qty),
        ship,
        Cell::Blank,
        Cell::Blank,
        if status.is_empty() {
            Cell::Blank
        } else {
            s(status)
        },
    ]
}

fn check(w: &Work, extra: &[&str]) -> Value {
    let mut args = vec!["--as-of", AS_OF, "--lang", "en"];
    args.extend_from_slice(extra);
    w.check_json(&args).1
}

fn cells_of(v: &Value, rule: &str) -> Vec<String> {
    flags_of(v, rule)
        .iter()
        .map(|f| f["cell"].as_str().unwrap_or("").to_string())
        .collect()
}

/// Rules flagged on one row (by the row number in the cell).
fn rules_on_row(v: &Value, row: u32) -> Vec<String> {
    let mut out: Vec<String> = items(v)
        .iter()
        .filter(|f| {
            f["table"] == "orders"
                && f["cell"]
                    .as_str()
                    .unwrap_or("")
                    .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                    == row.to_string()
        })
        .map(|f| f["rule"].as_str().unwrap_or("").to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn v07_a_ragged_csv_record_is_rejected_naming_both_counts() {
    let w = Work::new();
    let text = "Order No,Customer,Product,Qty,Order Date,Due Date,Status,Merchandiser\n\
                PO-1,Acme GmbH,Mug,10,2026-11-01,2026-12-20,confirmed,Li Na\n\
                PO-2,Acme, GmbH,Mug,10,2026-11-01,2026-12-20,confirmed,Li Na\n\
                PO-3,Acme GmbH,Mug,5,2026-11-02,2026-12-21,confirmed,Li Na\n";
    w.write("orders.csv", text.as_bytes());
    let v = check(&w, &["--orders", "orders.csv"]);
    let v07 = flags_of(&v, "V07");
    assert_eq!(v07.len(), 1, "{v}");
    assert_eq!(v07[0]["cell"], "A3");
    assert_eq!(v07[0]["severity"], "error");
    assert_eq!(v07[0]["rejected"], true);
    let msg = v07[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("9 fields") && msg.contains("header has 8"),
        "{msg}"
    );
    let cells = v07[0]["row_values"].as_array().unwrap();
    assert_eq!(cells.len(), 9);
    assert_eq!(cells[2], " GmbH");
    // The row has no other flag: one problem, one flag.
    assert_eq!(rules_on_row(&v, 3), vec!["V07"]);
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["rows_read"], 3, "{sh}");
    assert_eq!(sh["rows_accepted"], 2);
    assert_eq!(sh["rows_rejected"], 1);
    assert_eq!(
        sh["rows_read"].as_u64(),
        Some(sh["rows_accepted"].as_u64().unwrap() + sh["rows_rejected"].as_u64().unwrap())
    );

    // Disabled: no flag, the row still rejected, and check says so once.
    w.write("t.toml", b"[rules]\ndisable = [\"V07\"]\n");
    let v = check(&w, &["--orders", "orders.csv", "--template", "t.toml"]);
    assert!(flags_of(&v, "V07").is_empty(), "{v}");
    assert_eq!(sheet_of(&v, "orders")["rows_rejected"], 1);
    let text = check_text(
        &w,
        &[
            "--lang",
            "en",
            "--orders",
            "orders.csv",
            "--template",
            "t.toml",
        ],
    );
    assert_eq!(
        text.matches("V07 is disabled: 1 values").count(),
        1,
        "{text}"
    );
}

#[test]
fn c01_two_lines_differing_only_in_an_unmapped_column_are_two_lines() {
    let w = Work::new();
    let mut head = O_HEAD.to_vec();
    head.push("Item No");
    let with_item = |item: &str| {
        let mut l = line(
            "PO-1",
            n(10.0),
            d(2026, 11, 2),
            d(2026, 12, 20),
            "confirmed",
        );
        l.push(s(item));
        l
    };
    w.xlsx(
        "orders.xlsx",
        orders_sheet(&head, vec![with_item("A-100"), with_item("A-200")]),
    );
    w.run_ok(&["--orders", "orders.xlsx"]);
    let v = check(&w, &["--orders", "orders.xlsx"]);
    assert!(flags_of(&v, "C01").is_empty(), "{v}");
    // Both lines count: the order has 20 ordered.
    let open = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Open orders");
    let qty_col = open[2].iter().position(|h| h == "Ordered qty").unwrap();
    assert_eq!(open[3][0], "PO-1");
    assert_eq!(open[3][qty_col], "20");

    // The same two lines with the same item number: one is a duplicate.
    w.xlsx(
        "orders.xlsx",
        orders_sheet(&head, vec![with_item("A-100"), with_item("A-100")]),
    );
    let v = check(&w, &["--orders", "orders.xlsx"]);
    assert_eq!(cells_of(&v, "C01"), vec!["A3"], "{v}");
    assert_eq!(flags_of(&v, "C01")[0]["severity"], "warning");
    assert_eq!(sheet_of(&v, "orders")["rows_accepted"], 2);
}

#[test]
fn c01_an_exact_duplicate_of_a_line_with_a_negative_price_gets_only_c01() {
    let w = Work::new();
    let mut head = O_HEAD.to_vec();
    head.push("Unit Price");
    let mut l = line(
        "PO-1",
        n(10.0),
        d(2026, 11, 2),
        d(2026, 12, 20),
        "confirmed",
    );
    l.push(n(-5.0));
    w.xlsx("orders.xlsx", orders_sheet(&head, vec![l.clone(), l]));
    let v = check(&w, &["--orders", "orders.xlsx"]);
    assert_eq!(rules_on_row(&v, 2), vec!["V03"], "{v}");
    assert_eq!(rules_on_row(&v, 3), vec!["C01"], "{v}");
    assert_eq!(cells_of(&v, "V03"), vec!["I2"]);
}

/// A tracker: order columns and the line's shipment (出货日期, ETA, 到港日期).
const T_HEAD: &[&str] = &[
    "订单号",
    "客户",
    "产品",
    "数量",
    "下单日期",
    "交期",
    "状态",
    "业务员",
    "出货日期",
    "ETA",
    "到港日期",
];

fn tracker_row(id: &str, qty: f64, status: &str, ship: Cell, arrived: Cell) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        s("Mug"),
        n(qty),
        d(2026, 10, 1),
        d(2026, 12, 20),
        s(status),
        s("王芳"),
        ship,
        d(2026, 12, 10),
        arrived,
    ]
}

#[test]
fn no_false_c03_from_a_left_out_duplicate_on_a_tracker_sheet() {
    let w = Work::new();
    let row = tracker_row("PO-1", 100.0, "已出货", d(2026, 11, 20), Cell::Blank);
    w.xlsx("tracker.xlsx", orders_sheet(T_HEAD, vec![row.clone(), row]));
    let v = check(&w, &["--orders", "tracker.xlsx"]);
    assert_eq!(cells_of(&v, "C01"), vec!["A3"], "{v}");
    assert!(flags_of(&v, "C03").is_empty(), "{v}");
    let sh = sheet_of(&v, "orders");
    assert_eq!(sh["derived"]["shipments"], 1, "{sh}");
    assert_eq!(v["kpis"]["shipments_in_transit"], 1);
}

#[test]
fn a_delivered_date_after_as_of_is_emptied_and_the_shipment_is_in_transit() {
    let w = Work::new();
    let row = tracker_row("PO-1", 100.0, "已出货", d(2026, 11, 20), d(2026, 12, 5));
    w.xlsx("tracker.xlsx", orders_sheet(T_HEAD, vec![row]));
    let v = check(&w, &["--orders", "tracker.xlsx"]);
    assert_eq!(cells_of(&v, "V05"), vec!["K2"], "{v}");
    assert_eq!(v["kpis"]["shipments_in_transit"], 1, "{}", v["kpis"]);
    assert!(flags_of(&v, "C09").is_empty());

    // An order delivered or closed has nothing in transit.
    let row = tracker_row("PO-1", 100.0, "已签收", d(2026, 11, 20), d(2026, 12, 5));
    w.xlsx("tracker.xlsx", orders_sheet(T_HEAD, vec![row]));
    let v = check(&w, &["--orders", "tracker.xlsx"]);
    assert_eq!(v["kpis"]["shipments_in_transit"], 0, "{}", v["kpis"]);
}

#[test]
fn an_order_without_a_quantity_is_not_in_full() {
    let w = Work::new();
    orders_xlsx(
        &w,
        vec![line(
            "PO-1",
            Cell::Blank,
            d(2026, 11, 2),
            d(2026, 11, 27),
            "shipped",
        )],
    );
    w.xlsx(
        "shipments.xlsx",
        orders_sheet(
            S_HEAD,
            vec![ship("S-1", "PO-1", 10.0, d(2026, 11, 25), "in transit")],
        ),
    );
    let v = check(
        &w,
        &["--orders", "orders.xlsx", "--shipments", "shipments.xlsx"],
    );
    let k = &v["kpis"];
    assert_eq!(k["orders_due"], 1, "{k}");
    assert_eq!(k["otd_rate"], 1.0, "{k}");
    assert_eq!(k["in_full_rate"], 0.0, "{k}");
    assert_eq!(k["otif_rate"], 0.0, "{k}");
    // Its V01 says it; no C03 on top.
    assert_eq!(cells_of(&v, "V01"), vec!["D2"]);
    assert!(flags_of(&v, "C03").is_empty(), "{v}");
}

#[test]
fn qty_tolerance_bounds_c03_and_in_full() {
    let w = Work::new();
    let later = || d(2026, 12, 20);
    orders_xlsx(
        &w,
        vec![
            line("PO-A", n(100.0), d(2026, 11, 2), later(), "shipped"),
            line("PO-B", n(100.0), d(2026, 11, 2), later(), "shipped"),
            line("PO-C", n(100.0), d(2026, 11, 2), d(2026, 11, 27), "shipped"),
        ],
    );
    w.xlsx(
        "shipments.xlsx",
        orders_sheet(
            S_HEAD,
            vec![
                ship("S-A", "PO-A", 105.0, d(2026, 11, 20), "in transit"),
                ship("S-B", "PO-B", 106.0, d(2026, 11, 20), "in transit"),
                ship("S-C", "PO-C", 98.0, d(2026, 11, 25), "in transit"),
            ],
        ),
    );
    let args = ["--orders", "orders.xlsx", "--shipments", "shipments.xlsx"];
    // Without a tolerance: both over-shipments flagged, 98 of 100 short.
    let v = check(&w, &args);
    let mut c03: Vec<String> = flags_of(&v, "C03")
        .iter()
        .map(|f| f["order_id"].as_str().unwrap_or("").to_string())
        .collect();
    c03.sort();
    assert_eq!(c03, vec!["PO-A", "PO-B"], "{v}");
    assert_eq!(v["kpis"]["in_full_rate"], 0.0);

    w.write("t.toml", b"[thresholds]\nqty_tolerance = 0.05\n");
    let mut with = args.to_vec();
    with.extend(["--template", "t.toml"]);
    let v = check(&w, &with);
    let c03 = flags_of(&v, "C03");
    assert_eq!(c03.len(), 1, "{v}");
    assert_eq!(c03[0]["order_id"], "PO-B");
    assert_eq!(c03[0]["value"], "106");
    let k = &v["kpis"];
    assert_eq!(k["orders_due"], 1, "{k}");
    assert_eq!(k["in_full_rate"], 1.0, "{k}");
    assert_eq!(k["otif_rate"], 1.0, "{k}");

    // A tolerance that is not a share is refused, naming the key.
    w.write("bad.toml", b"[thresholds]\nqty_tolerance = 5\n");
    let out = w
        .gendan()
        .args(["check", "--as-of", AS_OF, "--template", "bad.toml"])
        .args(args)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("qty_tolerance"));
}

#[test]
fn a_register_without_arrival_columns_has_no_in_transit_readings() {
    let w = Work::new();
    orders_xlsx(
        &w,
        vec![line(
            "PO-1",
            n(100.0),
            d(2026, 9, 2),
            d(2026, 10, 20),
            "shipped",
        )],
    );
    w.xlsx(
        "shipments.xlsx",
        orders_sheet(
            &["Shipment No", "Order No", "Qty Shipped", "Ship Date"],
            vec![vec![s("S-1"), s("PO-1"), n(100.0), d(2026, 10, 1)]],
        ),
    );
    let args = ["--orders", "orders.xlsx", "--shipments", "shipments.xlsx"];
    let v = check(&w, &args);
    let k = &v["kpis"];
    for key in [
        "shipments_in_transit",
        "shipments_overdue",
        "arrivals_next_period",
        "transit_median_days",
        "eta_hit_rate",
        "followup_coverage",
    ] {
        assert!(k[key].is_null(), "{key}: {k}");
    }
    assert_eq!(k["shipments_shipped"], 0, "{k}");
    for rule in ["S04", "S05", "S06"] {
        assert!(flags_of(&v, rule).is_empty(), "{rule}: {v}");
    }
    // Said once on stderr, and by check.
    let out = w
        .gendan()
        .args([
            "check",
            "--lang",
            "en",
            "--fail-on",
            "never",
            "--as-of",
            AS_OF,
        ])
        .args(args)
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(stderr.matches("arrival not tracked").count(), 1, "{stderr}");
    assert!(stdout.contains("arrival not tracked"), "{stdout}");
    // The Shipments sheet says so instead of listing shipments in transit.
    w.run_ok(&args);
    let sh = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Shipments");
    assert!(sh[2][0].starts_with("arrival not tracked"), "{sh:?}");
    assert_eq!(sh.len(), 3, "{sh:?}");
}

#[test]
fn earliest_date_is_the_floor_of_v05_for_due_dates_too() {
    let w = Work::new();
    orders_xlsx(
        &w,
        vec![line(
            "PO-1",
            n(10.0),
            d(2026, 11, 2),
            d(1996, 5, 1),
            "confirmed",
        )],
    );
    let v = check(&w, &["--orders", "orders.xlsx"]);
    assert_eq!(cells_of(&v, "V05"), vec!["F2"], "{v}");
    assert!(flags_of(&v, "V05")[0]["message"]
        .as_str()
        .unwrap()
        .contains("2000-01-01"));

    for floor in ["1990-01-01", "\"1990-01-01\""] {
        w.write(
            "t.toml",
            format!("[thresholds]\nearliest_date = {floor}\n").as_bytes(),
        );
        let v = check(&w, &["--orders", "orders.xlsx", "--template", "t.toml"]);
        assert!(flags_of(&v, "V05").is_empty(), "{floor}: {v}");
        // Kept: a due date long past, so the open order is overdue.
        assert_eq!(cells_of(&v, "S02"), vec!["A2"], "{v}");
    }

    w.write("bad.toml", b"[thresholds]\nearliest_date = \"1.1.1990\"\n");
    let out = w
        .gendan()
        .args(["check", "--as-of", AS_OF, "--template", "bad.toml"])
        .args(["--orders", "orders.xlsx"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("earliest_date"), "{err}");
}

#[test]
fn with_v05_disabled_an_old_order_date_is_kept() {
    let w = Work::new();
    orders_xlsx(
        &w,
        vec![line(
            "PO-1",
            n(10.0),
            d(1996, 3, 1),
            d(2026, 12, 20),
            "confirmed",
        )],
    );
    w.write("t.toml", b"[rules]\ndisable = [\"V05\"]\n");
    let args = ["--orders", "orders.xlsx", "--template", "t.toml"];
    let v = check(&w, &args);
    assert!(flags_of(&v, "V05").is_empty(), "{v}");
    // The order's last update is its order date (no updated column).
    w.run_ok(&args);
    let open = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Open orders");
    let col = open[2].iter().position(|h| h == "Last update").unwrap();
    assert_eq!(open[3][0], "PO-1");
    assert_eq!(open[3][col], "1996-03-01");

    // By default it is V05 and emptied: no last update.
    let v = check(&w, &["--orders", "orders.xlsx"]);
    assert_eq!(cells_of(&v, "V05"), vec!["E2"], "{v}");
}

/// `run` into `out/`, which must succeed.
trait RunOk {
    fn run_ok(&self, args: &[&str]);
}

impl RunOk for Work {
    fn run_ok(&self, args: &[&str]) {
        let out = self
            .gendan()
            .args(["run", "--lang", "en", "--out", "out", "--as-of", AS_OF])
            .args(["--fail-on", "never"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// `check`'s plain text with these args (exit code ignored).
fn check_text(w: &Work, args: &[&str]) -> String {
    let out = w
        .gendan()
        .args(["check", "--fail-on", "never", "--as-of", AS_OF])
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_disabled_rule_counts_what_it_emptied_in_a_trackers_derived_rows() {
    let w = Work::new();
    // K2: the arrival date of the derived shipment is not a date (V02).
    let row = tracker_row("PO-1", 100.0, "已出货", d(2026, 11, 20), s("next week"));
    w.xlsx("tracker.xlsx", orders_sheet(T_HEAD, vec![row]));
    let v = check(&w, &["--orders", "tracker.xlsx"]);
    assert_eq!(cells_of(&v, "V02"), vec!["K2"], "{v}");

    w.write("t.toml", b"[rules]\ndisable = [\"V02\"]\n");
    let v = check(&w, &["--orders", "tracker.xlsx", "--template", "t.toml"]);
    assert!(flags_of(&v, "V02").is_empty(), "{v}");
    assert_eq!(sheet_of(&v, "orders")["derived"]["shipments"], 1);
    let text = check_text(
        &w,
        &[
            "--lang",
            "en",
            "--orders",
            "tracker.xlsx",
            "--template",
            "t.toml",
        ],
    );
    assert_eq!(
        text.matches("V02 is disabled: 1 values").count(),
        1,
        "{text}"
    );
}

#[test]
fn a_chinese_check_says_everything_in_chinese() {
    let w = Work::new();
    let row = line("PO-1", s("many"), d(2026, 10, 1), d(2026, 12, 20), "生产中");
    orders_xlsx(&w, vec![row]);
    let text = check_text(&w, &["--orders", "orders.xlsx", "--lang", "zh"]);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("gendan 检查——报告日 2026-11-30，周期 2026-W49（2026-11-24 至 2026-11-30）"),
        "{text}"
    );
    assert!(
        text.contains("问题：1 条（错误 1，警告 0，提示 0）"),
        "{text}"
    );
    for english in ["as of", "period", "flags:", "error ", "warning "] {
        assert!(!text.contains(english), "{english:?} in {text}");
    }
}

#[test]
fn a_bad_as_of_is_said_in_the_runs_language() {
    let w = Work::new();
    let row = line("PO-1", n(5.0), d(2026, 10, 1), d(2026, 12, 20), "生产中");
    orders_xlsx(&w, vec![row]);
    for (lang, want) in [
        ("zh", "错误：--as-of 2026-13-45：不是报告日"),
        ("en", "error: --as-of 2026-13-45: not a report date"),
    ] {
        let out = w
            .gendan()
            .args(["check", "--orders", "orders.xlsx", "--as-of", "2026-13-45"])
            .args(["--lang", lang])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{err}");
    }
}
