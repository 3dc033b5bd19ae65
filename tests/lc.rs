//! Letters of credit (spec rev5, sections 5 and 10.1): L01–L04 at their
//! cells and edges, the 44C taken from the due date only without a 44C
//! column, the rules skipped without their columns, the KPIs lc_open and
//! lc_expiring_next_period of a hand-computed case, the Payments sheet's
//! L/C columns and Coming up's L/C dates.

mod util;

use serde_json::Value;
use util::*;

/// A Monday: the next period is 2026-12-01 – 2026-12-07.
const AS_OF: &str = "2026-11-30";

/// Columns A–N.
const HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Payment Terms",
    "L/C No",
    "L/C Received",
    "44C",
    "L/C Expiry",
    "Presentation Days",
    "Documents Presented",
];

/// An order line in HEAD's columns.
#[derive(Clone)]
struct O {
    id: &'static str,
    due: &'static str,
    status: &'static str,
    terms: &'static str,
    lc_no: &'static str,
    received: Cell,
    latest: &'static str,
    expiry: &'static str,
    days: Option<f64>,
    docs: Cell,
}

impl O {
    fn new(id: &'static str) -> O {
        O {
            id,
            due: "2026-12-20",
            status: "in production",
            terms: "L/C at sight",
            lc_no: "",
            received: s("yes"),
            latest: "",
            expiry: "",
            days: None,
            docs: Cell::Blank,
        }
    }
    fn row(&self, head: &[&str]) -> Vec<Cell> {
        let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
        head.iter()
            .map(|h| match *h {
                "Order No" => s(self.id),
                "Customer" => s("Acme GmbH"),
                "Qty" => n(100.0),
                "Unit Price" => n(2.5),
                "Order Date" => s("2026-10-01"),
                "Due Date" => t(self.due),
                "Status" => s(self.status),
                "Merchandiser" => s("Wang"),
                "Payment Terms" => t(self.terms),
                "L/C No" => t(self.lc_no),
                "L/C Received" => self.received.clone(),
                "44C" => t(self.latest),
                "L/C Expiry" => t(self.expiry),
                "Presentation Days" => self.days.map_or(Cell::Blank, n),
                "Documents Presented" => self.docs.clone(),
                _ => Cell::Blank,
            })
            .collect()
    }
}

/// Orders in `head`'s columns; shipments (order, date, qty) when any.
fn write(w: &Work, head: &[&str], orders: &[O], ships: &[(&str, &str, f64)]) {
    let mut rows = vec![header(head)];
    rows.extend(orders.iter().map(|o| o.row(head)));
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    if ships.is_empty() {
        return;
    }
    let mut srows = vec![header(&[
        "Shipment No",
        "Order No",
        "Qty Shipped",
        "Ship Date",
        "B/L No",
    ])];
    for (i, (order, date, qty)) in ships.iter().enumerate() {
        srows.push(vec![
            s(&format!("S{i}")),
            s(order),
            n(*qty),
            s(date),
            s(&format!("BL{i}")),
        ]);
    }
    w.xlsx("shipments.xlsx", vec![Sheet::new("Shipments", srows)]);
}

fn args(w: &Work) -> Vec<&'static str> {
    let mut a = vec!["--orders", "orders.xlsx", "--as-of", AS_OF, "--lang", "en"];
    if w.path("shipments.xlsx").exists() {
        a.extend(["--shipments", "shipments.xlsx"]);
    }
    a
}

fn check(w: &Work, extra: &[&str]) -> Value {
    let mut a = args(w);
    a.extend(extra);
    w.check_json(&a).1
}

/// (order, cell, severity) of one L rule's flags, sorted.
fn l_flags(v: &Value, rule: &str) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = flags_of(v, rule)
        .iter()
        .map(|f| {
            (
                f["order_id"].as_str().unwrap_or("").to_string(),
                f["cell"].as_str().unwrap_or("").to_string(),
                f["severity"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn hit(order: &str, cell: &str, sev: &str) -> (String, String, String) {
    (order.into(), cell.into(), sev.into())
}

fn message(v: &Value, rule: &str, order: &str) -> String {
    flags_of(v, rule)
        .into_iter()
        .find(|f| f["order_id"] == order)
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .unwrap_or_else(|| panic!("no {rule} on {order}: {v}"))
}

#[test]
fn l01_on_a_shipments_ship_date_cell_and_on_a_trackers() {
    let w = Work::new();
    let mut a = O::new("A1");
    a.status = "shipped";
    a.latest = "2026-11-10";
    a.expiry = "2026-12-31";
    a.docs = s("2026-11-20");
    write(
        &w,
        HEAD,
        &[a],
        &[("A1", "2026-11-08", 50.0), ("A1", "2026-11-12", 50.0)],
    );
    let v = check(&w, &[]);
    // The second shipment (row 3, ship date in D) left after 44C.
    assert_eq!(l_flags(&v, "L01"), vec![hit("A1", "D3", "error")], "{v}");
    let f = &flags_of(&v, "L01")[0];
    assert_eq!(f["table"], "shipments");
    assert_eq!(f["value"], "2026-11-12");
    let m = message(&v, "L01", "A1");
    assert!(
        m.contains("2026-11-12") && m.contains("2026-11-10") && m.contains("amend the L/C"),
        "{m}"
    );

    // A tracker: the order's own row holds the shipment (出货日期, J).
    let w = Work::new();
    let head = header(&[
        "订单号",
        "客户",
        "数量",
        "下单日期",
        "交期",
        "状态",
        "业务员",
        "付款方式",
        "最迟装运期",
        "出货日期",
        "船公司",
        "提单号",
    ]);
    let row = |id: &str, latest: &str, ship: &str| {
        vec![
            s(id),
            s("Acme GmbH"),
            n(100.0),
            s("2026-10-01"),
            s("2026-11-20"),
            s("已出货"),
            s("王芳"),
            s("即期信用证"),
            s(latest),
            s(ship),
            s("COSCO"),
            s(&format!("COSU-{id}")),
        ]
    };
    w.xlsx(
        "tracker.xlsx",
        vec![Sheet::new(
            "跟单",
            vec![
                head,
                row("T1", "2026-11-10", "2026-11-15"),
                row("T2", "2026-11-20", "2026-11-15"),
            ],
        )],
    );
    let v = w
        .check_json(&["--orders", "tracker.xlsx", "--as-of", AS_OF, "--lang", "en"])
        .1;
    assert_eq!(l_flags(&v, "L01"), vec![hit("T1", "J2", "error")], "{v}");
}

#[test]
fn l02_at_both_edges_of_the_next_period_and_as_an_error_once_44c_passed() {
    let w = Work::new();
    let with = |id: &'static str, latest: &'static str, expiry: &'static str| {
        let mut o = O::new(id);
        o.latest = latest;
        o.expiry = expiry;
        o
    };
    let mut shipped = with("E8", "2026-11-20", "2026-12-05");
    shipped.status = "shipped";
    shipped.docs = s("2026-11-22");
    let orders = [
        with("E1", "2026-12-01", "2026-12-20"), // first day of the next period
        with("E2", "2026-12-07", "2026-12-20"), // its last day
        with("E3", "2026-12-08", "2026-12-20"), // the day after: nothing
        with("E4", "2026-11-30", "2026-12-20"), // as_of: not passed, not next
        with("E5", "2026-11-29", "2026-12-20"), // passed: error
        with("E6", "", "2026-12-03"),           // no 44C: the expiry's cell
        with("E7", "", ""),                     // empty 44C: unknown
        shipped,                                // shipped in full: nothing
    ];
    let mut e7 = orders[6].clone();
    e7.due = "2026-11-25";
    let mut orders = orders.to_vec();
    orders[6] = e7;
    write(&w, HEAD, &orders, &[("E8", "2026-11-18", 100.0)]);
    let v = check(&w, &[]);
    assert_eq!(
        l_flags(&v, "L02"),
        vec![
            hit("E1", "K2", "warning"),
            hit("E2", "K3", "warning"),
            hit("E5", "K6", "error"),
            hit("E6", "L7", "warning"),
        ],
        "{v}"
    );
    let m = message(&v, "L02", "E5");
    assert!(
        m.contains("2026-11-29") && m.contains("must be amended"),
        "{m}"
    );
    let m = message(&v, "L02", "E1");
    assert!(
        m.contains("2026-12-01") && m.contains("in 1 day") && m.contains("amend the L/C"),
        "{m}"
    );
    assert!(message(&v, "L02", "E6").contains("expires on 2026-12-03"));
    // E7 is overdue (S02), but its empty 44C cell is not the due date.
    assert!(flags_of(&v, "S02").iter().any(|f| f["order_id"] == "E7"));

    // Severity overrides and disabling work as for every rule.
    w.write(
        "t.toml",
        b"[rules]\ndisable = [\"L01\"]\n[severity]\nL02 = \"info\"\n",
    );
    let v = check(&w, &["--template", "t.toml"]);
    let sev: Vec<String> = l_flags(&v, "L02").into_iter().map(|h| h.2).collect();
    assert_eq!(sev, ["info", "info", "info", "info"], "{v}");
}

#[test]
fn l03_presentation_deadline_capped_by_the_expiry_late_or_missing() {
    let w = Work::new();
    let shipped = |id: &'static str, expiry: &'static str, days: Option<f64>, docs: Cell| {
        let mut o = O::new(id);
        o.status = "shipped";
        o.latest = "2026-11-25";
        o.expiry = expiry;
        o.days = days;
        o.docs = docs;
        o
    };
    let orders = [
        // 11-01 + 21 = 11-22, not presented: missing.
        shipped("D1", "2026-12-31", None, Cell::Blank),
        // capped by the expiry 11-15, presented 11-18: late.
        shipped("D2", "2026-11-15", None, s("2026-11-18")),
        // capped by the expiry 11-15, presented 11-14: in time.
        shipped("D3", "2026-11-15", None, s("2026-11-14")),
        // 11-01 + 10 = 11-11, presented 11-12: late.
        shipped("D4", "2026-12-31", Some(10.0), d(2026, 11, 12)),
        // shipped 11-20: deadline 12-11, not yet.
        shipped("D5", "2026-12-31", None, Cell::Blank),
        // presented, date not written: in time.
        shipped("D6", "2026-12-31", None, s("yes")),
    ];
    let ships: Vec<(&str, &str, f64)> = orders
        .iter()
        .map(|o| {
            let date = if o.id == "D5" {
                "2026-11-20"
            } else {
                "2026-11-01"
            };
            (o.id, date, 100.0)
        })
        .collect();
    write(&w, HEAD, &orders, &ships);
    let v = check(&w, &[]);
    assert_eq!(
        l_flags(&v, "L03"),
        vec![
            hit("D1", "N2", "error"),
            hit("D2", "N3", "error"),
            hit("D4", "N5", "error"),
        ],
        "{v}"
    );
    let m = message(&v, "L03", "D1");
    assert!(
        m.contains("not presented") && m.contains("2026-11-22") && m.contains("+ 21 days"),
        "{m}"
    );
    let m = message(&v, "L03", "D2");
    assert!(
        m.contains("2026-11-18") && m.contains("2026-11-15") && m.contains("expiry"),
        "{m}"
    );
    assert!(message(&v, "L03", "D4").contains("2026-11-11"));
    assert!(flags_of(&v, "L01").is_empty(), "{v}");
}

#[test]
fn l04_before_and_after_the_notice_window_and_past_due() {
    let w = Work::new();
    let open = |id: &'static str, due: &'static str, received: Cell| {
        let mut o = O::new(id);
        o.due = due;
        o.received = received;
        o.latest = "2027-03-01";
        o
    };
    let mut tt = open("N7", "2026-12-10", Cell::Blank);
    tt.terms = "T/T 30 days after B/L";
    tt.latest = "";
    let orders = [
        open("N1", "2026-12-30", Cell::Blank), // due in 30 days: flagged
        open("N2", "2026-12-31", Cell::Blank), // in 31: not yet
        open("N3", "2026-11-20", Cell::Blank), // past due
        open("N4", "2026-12-10", s("2026-11-15")),
        open("N5", "2026-12-10", s("no")),
        open("N6", "2026-12-10", Cell::Blank), // already shipped
        tt,                                    // not under L/C
        open("N8", "2026-12-10", s("soon")),   // unreadable: V02, no L04
    ];
    write(&w, HEAD, &orders, &[("N6", "2026-11-25", 50.0)]);
    let v = check(&w, &[]);
    assert_eq!(
        l_flags(&v, "L04"),
        vec![
            hit("N1", "J2", "warning"),
            hit("N3", "J4", "warning"),
            hit("N5", "J6", "warning"),
        ],
        "{v}"
    );
    assert!(message(&v, "L04", "N1").contains("in 30 days"));
    let m = message(&v, "L04", "N3");
    assert!(
        m.contains("was due on 2026-11-20") && m.contains("10 days ago"),
        "{m}"
    );
    let v02 = flags_of(&v, "V02");
    assert_eq!(v02.len(), 1, "{v02:?}");
    assert_eq!(v02[0]["cell"], "J9");
}

#[test]
fn l03_and_l04_are_skipped_and_said_once_without_their_columns() {
    let w = Work::new();
    let head = &[
        "Order No",
        "Customer",
        "Qty",
        "Order Date",
        "Due Date",
        "Status",
        "Merchandiser",
        "Payment Terms",
        "44C",
    ];
    let mut a = O::new("A1");
    a.due = "2026-12-05";
    a.latest = "2027-01-10";
    let mut b = O::new("B1");
    b.status = "shipped";
    b.latest = "2026-11-10";
    write(&w, head, &[a, b], &[("B1", "2026-10-01", 100.0)]);
    let out = w
        .gendan()
        .arg("check")
        .args(args(&w))
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("L03 skipped").count(), 1, "{err}");
    assert_eq!(err.matches("L04 skipped").count(), 1, "{err}");
    assert!(err.contains("documents presented"), "{err}");
    let v = check(&w, &[]);
    assert!(flags_of(&v, "L03").is_empty() && flags_of(&v, "L04").is_empty());
    // Nothing is said when no order is under L/C.
    let w = Work::new();
    let mut t = O::new("T1");
    t.terms = "T/T 30 days after B/L";
    write(&w, &head[..8], &[t], &[]);
    let out = w
        .gendan()
        .arg("check")
        .args(args(&w))
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("L03") && !err.contains("L04"), "{err}");
}

#[test]
fn without_a_44c_column_the_due_date_is_the_latest_shipment_date() {
    let w = Work::new();
    let head = &HEAD[..8];
    let mut f1 = O::new("F1");
    f1.due = "2026-12-03";
    let mut f2 = O::new("F2");
    f2.due = "2026-11-25";
    let mut f3 = O::new("F3");
    f3.due = "2026-11-10";
    f3.status = "shipped";
    write(&w, head, &[f1, f2, f3], &[("F3", "2026-11-12", 100.0)]);
    let v = check(&w, &[]);
    // On the due date cells (E): the register's 交期 is the 44C.
    assert_eq!(
        l_flags(&v, "L02"),
        vec![hit("F1", "E2", "warning"), hit("F2", "E3", "error")],
        "{v}"
    );
    assert_eq!(l_flags(&v, "L01"), vec![hit("F3", "D2", "error")], "{v}");

    // With the column, an empty 44C cell is unknown: no fallback.
    let w = Work::new();
    let mut g1 = O::new("G1");
    g1.due = "2026-12-03";
    let mut g2 = O::new("G2");
    g2.due = "2026-11-25";
    let mut g3 = O::new("G3");
    g3.due = "2026-11-10";
    g3.status = "shipped";
    write(&w, HEAD, &[g1, g2, g3], &[("G3", "2026-11-12", 100.0)]);
    let v = check(&w, &[]);
    assert!(flags_of(&v, "L02").is_empty(), "{v}");
    assert!(flags_of(&v, "L01").is_empty(), "{v}");
}

#[test]
fn lc_kpis_payments_columns_and_coming_up_of_a_hand_computed_case() {
    let w = Work::new();
    let mut k1 = O::new("K1"); // open, 44C in the next period
    k1.lc_no = "LC-001";
    k1.latest = "2026-12-05";
    k1.expiry = "2026-12-20";
    let mut k2 = O::new("K2"); // open, an L/C number only; expiry next period
    k2.terms = "T/T 30 days after B/L";
    k2.lc_no = "LC-002";
    k2.latest = "2026-12-20";
    k2.expiry = "2026-12-06";
    let mut k3 = O::new("K3"); // open, dates later
    k3.latest = "2026-12-20";
    k3.expiry = "2026-12-30";
    let mut k4 = O::new("K4"); // shipped in full: not open
    k4.status = "shipped";
    k4.latest = "2026-12-03";
    k4.expiry = "2026-12-31";
    k4.received = s("2026-10-20");
    let mut k5 = O::new("K5"); // cancelled
    k5.status = "cancelled";
    k5.latest = "2026-12-03";
    let mut k6 = O::new("K6"); // no L/C at all
    k6.terms = "T/T 30 days after B/L";
    k6.received = Cell::Blank;
    let head = [HEAD, &["Unit Price"]].concat();
    write(
        &w,
        &head,
        &[k1, k2, k3, k4, k5, k6],
        &[("K4", "2026-11-20", 100.0)],
    );
    let out = w
        .gendan()
        .args(["run", "--json", "--out", "out", "--owner-workbooks"])
        .args(args(&w))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["kpis"]["lc_open"], 3, "{}", v["kpis"]);
    assert_eq!(v["kpis"]["lc_expiring_next_period"], 2, "{}", v["kpis"]);

    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let summary = sheet_text(&kpi, "Summary");
    let row = summary
        .iter()
        .find(|r| r[0] == "Open orders under L/C")
        .unwrap();
    assert_eq!(row[1], "3");

    let t = sheet_text(&kpi, "Payments");
    let head = &t[2];
    let c = |name: &str| {
        head.iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} in {head:?}"))
    };
    let of = |id: &str| {
        t.iter()
            .skip(3)
            .find(|r| r[0] == id)
            .unwrap_or_else(|| panic!("no {id} in {t:?}"))
    };
    let k1 = of("K1");
    assert_eq!(k1[c("L/C No")], "LC-001");
    // Listed for its L/C alone (the register has no payment columns): no
    // "no" under deposit or balance received.
    assert_eq!(k1[c("Payment terms")], "L/C at sight");
    // Its amount as the payment frame would sum it: 100 × 2.5.
    assert_eq!(k1[c("Amount")], "250");
    assert_eq!(k1[c("Deposit received")], "");
    assert_eq!(k1[c("Balance received")], "");
    assert_eq!(k1[c("L/C received")], "yes");
    assert_eq!(k1[c("L/C latest shipment")], "2026-12-05");
    assert_eq!(k1[c("L/C expiry")], "2026-12-20");
    assert_eq!(k1[c("Presentation deadline")], "");
    assert_eq!(k1[c("Documents presented")], "no");
    // K4 shipped 11-20: its documents are due by 11-20 + 21 = 12-11.
    let k4 = of("K4");
    assert_eq!(k4[c("L/C received")], "2026-10-20");
    assert_eq!(k4[c("Presentation deadline")], "2026-12-11");
    assert!(t.iter().skip(3).all(|r| r[0] != "K5" && r[0] != "K6"));

    // Coming up: the L/C dates of the next period, in the team's workbook
    // and in the merchandiser's own.
    for book in [kpi, w.path("out/owners/2026-W49/Wang.xlsx")] {
        let cu = sheet_text(&book, "Coming up");
        let at = cu
            .iter()
            .position(|r| r[0].starts_with("L/C dates"))
            .unwrap_or_else(|| panic!("{book:?}: {cu:?}"));
        let rows: Vec<(&str, &str, &str)> = cu[at + 2..]
            .iter()
            .take_while(|r| !r[0].is_empty())
            .map(|r| (r[0].as_str(), r[4].as_str(), r[5].as_str()))
            .collect();
        assert_eq!(
            rows,
            [
                ("K1", "Latest shipment (44C)", "2026-12-05"),
                ("K2", "Expiry (31D)", "2026-12-06"),
            ],
            "{book:?}: {cu:?}"
        );
    }
}

#[test]
fn init_maps_the_lc_columns_by_their_headers() {
    let w = Work::new();
    write(&w, HEAD, &[O::new("I1")], &[]);
    let out = w.gendan().args(["init", "orders.xlsx"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for (field, alias) in [
        ("lc_no", "L/C No"),
        ("lc_received", "L/C Received"),
        ("lc_latest_shipment", "44C"),
        ("lc_expiry", "L/C Expiry"),
        ("lc_presentation_days", "Presentation Days"),
        ("docs_presented", "Documents Presented"),
    ] {
        assert!(
            text.lines()
                .any(|l| l.starts_with(field) && l.contains(&format!("\"{alias}\""))),
            "{field}: {text}"
        );
    }
}

#[test]
fn l01_is_quiet_once_the_balance_is_received() {
    let w = Work::new();
    let mut head: Vec<&str> = HEAD.to_vec();
    head.push("Balance Received");
    let order = |id: &'static str| {
        let mut o = O::new(id);
        o.status = "shipped";
        o.latest = "2026-11-10";
        o.expiry = "2026-12-31";
        o.docs = s("2026-11-20");
        o
    };
    let (paid, unpaid) = (order("B1"), order("B2"));
    write(
        &w,
        &head,
        &[paid.clone(), unpaid.clone()],
        &[("B1", "2026-11-12", 100.0), ("B2", "2026-11-12", 100.0)],
    );
    // B1's balance came in (the bank paid despite the late shipment);
    // B2's did not.
    let mut rows = vec![header(&head)];
    for (o, rx) in [(paid, s("2026-11-28")), (unpaid, s("no"))] {
        let mut r = o.row(&head);
        *r.last_mut().unwrap() = rx;
        rows.push(r);
    }
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    let v = check(&w, &[]);
    assert_eq!(l_flags(&v, "L01"), vec![hit("B2", "D3", "error")], "{v}");
}
