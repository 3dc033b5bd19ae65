//! Payments (spec rev4, section 10): received cells, terms, P01–P03 at
//! their boundaries, and the receivables KPIs of a hand-computed case in
//! the JSON and on the Summary and Payments sheets.

mod util;

use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

const O_HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Qty",
    "Unit Price",
    "Currency",
    "Order Date",
    "Confirmed Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Payment Terms",
    "Deposit Received",
    "Balance Received",
    "Balance Due",
];

/// An order line: id, status, terms, deposit received, balance received,
/// confirmed date, balance-due cell.
struct O<'a> {
    id: &'a str,
    qty: f64,
    price: f64,
    cur: &'a str,
    status: &'a str,
    terms: &'a str,
    dep: Cell,
    bal: Cell,
    confirmed: &'a str,
    due_cell: &'a str,
}

impl<'a> O<'a> {
    fn new(id: &'a str, terms: &'a str) -> O<'a> {
        O {
            id,
            qty: 100.0,
            price: 10.0,
            cur: "USD",
            status: "in production",
            terms,
            dep: Cell::Blank,
            bal: Cell::Blank,
            confirmed: "2026-11-02",
            due_cell: "",
        }
    }
    fn row(&self) -> Vec<Cell> {
        let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
        vec![
            s(self.id),
            s("Acme GmbH"),
            n(self.qty),
            n(self.price),
            s(self.cur),
            s("2026-11-01"),
            t(self.confirmed),
            s("2026-12-28"),
            s(self.status),
            s("Wang"),
            t(self.terms),
            self.dep.clone(),
            self.bal.clone(),
            t(self.due_cell),
        ]
    }
}

fn write(w: &Work, orders: &[O], ships: &[(&str, &str)]) {
    let mut rows = vec![header(O_HEAD)];
    rows.extend(orders.iter().map(O::row));
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
    for (i, (order, date)) in ships.iter().enumerate() {
        srows.push(vec![
            s(&format!("S{i}")),
            s(order),
            n(100.0),
            s(date),
            s(&format!("BL{i}")),
        ]);
    }
    w.xlsx("shipments.xlsx", vec![Sheet::new("Shipments", srows)]);
}

fn check(w: &Work, extra: &[&str]) -> Value {
    let mut args = vec!["--orders", "orders.xlsx", "--as-of", AS_OF, "--lang", "en"];
    if w.path("shipments.xlsx").exists() {
        args.extend(["--shipments", "shipments.xlsx"]);
    }
    args.extend(extra);
    w.check_json(&args).1
}

/// (rule, order) of the P flags.
fn p_flags(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = items(v)
        .iter()
        .filter(|f| f["rule"].as_str().unwrap_or("").starts_with('P'))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["order_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn p(rule: &str, id: &str) -> (String, String) {
    (rule.to_string(), id.to_string())
}

#[test]
fn p02_after_deposit_days_not_on_them() {
    let w = Work::new();
    let mut a = O::new("A8", "30% deposit, 70% before shipment");
    a.dep = s("未收");
    a.confirmed = "2026-11-22"; // 8 days before as_of
    let mut b = O::new("B7", "30%定金,70%出货前付清");
    b.dep = s("no");
    b.confirmed = "2026-11-23"; // 7 days
    let mut c = O::new("C8", "30% deposit, 70% before shipment");
    c.dep = s("2026-11-20"); // received
    c.confirmed = "2026-11-01";
    write(&w, &[a, b, c], &[]);
    let v = check(&w, &[]);
    assert_eq!(p_flags(&v), vec![p("P02", "A8")]);
    let f = flags_of(&v, "P02");
    assert_eq!(f[0]["cell"], "L2", "the deposit-received cell");
    assert_eq!(f[0]["severity"], "warning");
    let msg = f[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("USD 300.00") && msg.contains("8 days") && msg.contains("Acme GmbH"),
        "{msg}"
    );
}

#[test]
fn p03_the_day_after_the_due_date_and_its_triggers() {
    let w = Work::new();
    let bal_open = |id, terms| {
        let mut o = O::new(id, terms);
        o.status = "shipped";
        o.dep = s("yes");
        o.bal = s("否");
        o
    };
    let orders = [
        bal_open("TT29", "T/T 30 days after B/L"), // due 11-29: overdue
        bal_open("TT30", "提单日后30天"),          // due 11-30: not yet
        bal_open("BL1", "30% deposit, balance against B/L copy"), // 11-22 + 7 = 11-29
        bal_open("BL2", "30%定金 70%见提单复印件"), // 11-23 + 7 = 11-30
        bal_open("LC1", "L/C at sight"),           // 11-08 + 21 = 11-29
        bal_open("LC2", "即期信用证"),             // 11-09 + 21 = 11-30
        bal_open("ADV", "100% T/T in advance"),    // no balance
        {
            // The explicit balance-due cell wins over the terms.
            let mut o = bal_open("EXP", "T/T 30 days after B/L");
            o.due_cell = "2026-12-15";
            o
        },
        {
            let mut o = bal_open("CAN", "T/T 30 days after B/L");
            o.status = "cancelled";
            o
        },
    ];
    let ships = [
        ("TT29", "2026-10-30"),
        ("TT30", "2026-10-31"),
        ("BL1", "2026-11-22"),
        ("BL2", "2026-11-23"),
        ("LC1", "2026-11-08"),
        ("LC2", "2026-11-09"),
        ("ADV", "2026-11-01"),
        ("EXP", "2026-10-01"),
        ("CAN", "2026-10-01"),
    ];
    write(&w, &orders, &ships);
    let v = check(&w, &[]);
    let ps: Vec<(String, String)> = p_flags(&v);
    assert_eq!(
        ps,
        vec![p("P03", "BL1"), p("P03", "LC1"), p("P03", "TT29")],
        "{ps:?}"
    );
    let tt = flags_of(&v, "P03")
        .into_iter()
        .find(|f| f["order_id"] == "TT29")
        .unwrap();
    // The balance-due cell: the sheet has the column.
    assert_eq!(tt["cell"], "N2");
    assert!(
        tt["message"].as_str().unwrap().contains("2026-11-29"),
        "{tt}"
    );
    assert!(
        tt["message"].as_str().unwrap().contains("1 day overdue"),
        "{tt}"
    );

    // bl_copy_days moves the B/L-copy due date.
    w.write("t.toml", b"[thresholds]\nbl_copy_days = 10\n");
    let v = check(&w, &["--template", "t.toml"]);
    assert!(!p_flags(&v).contains(&p("P03", "BL1")), "{:?}", p_flags(&v));
}

#[test]
fn p01_when_goods_left_before_the_money() {
    let w = Work::new();
    let mut a = O::new("DEP", "30% deposit, 70% before shipment");
    a.status = "shipped";
    a.dep = s("未收");
    a.bal = s("未收");
    let mut b = O::new("BAL", "30% deposit, 70% before shipment");
    b.status = "shipped";
    b.dep = s("2026-11-03");
    b.bal = Cell::Blank;
    let mut c = O::new("OK", "30% deposit, 70% before shipment");
    c.status = "shipped";
    c.dep = s("已收");
    c.bal = s("2026-11-20");
    write(
        &w,
        &[a, b, c],
        &[
            ("DEP", "2026-11-25"),
            ("BAL", "2026-11-25"),
            ("OK", "2026-11-25"),
        ],
    );
    let v = check(&w, &[]);
    assert_eq!(
        p_flags(&v),
        vec![p("P01", "BAL"), p("P01", "DEP")],
        "one P01 each, no P03 too"
    );
    let dep = flags_of(&v, "P01")
        .into_iter()
        .find(|f| f["order_id"] == "DEP")
        .unwrap();
    assert_eq!(dep["severity"], "error");
    assert_eq!(dep["cell"], "L2", "the deposit-received cell");
    let msg = dep["message"].as_str().unwrap();
    assert!(
        msg.contains("USD 300.00") && msg.contains("USD 700.00"),
        "names both amounts: {msg}"
    );
    let bal = flags_of(&v, "P01")
        .into_iter()
        .find(|f| f["order_id"] == "BAL")
        .unwrap();
    assert_eq!(bal["cell"], "M3", "the balance-received cell");
}

#[test]
fn received_cells_in_every_form() {
    let w = Work::new();
    let forms: Vec<(&str, Cell, bool)> = vec![
        // (id, deposit received cell, received?)
        ("D1", d(2026, 11, 5), true),
        ("D2", s("2026/11/05"), true),
        ("D3", s("5 Nov 2026"), true),
        ("Y1", s("已到账"), true),
        ("Y2", s("Received"), true),
        ("Y3", s("✓"), true),
        ("A1", n(300.0), true),
        ("A2", s("300"), true),
        ("N1", s("未收"), false),
        ("N2", s("N"), false),
        ("N3", n(0.0), false),
        ("N4", Cell::Blank, false),
        ("N5", s("TBD"), false),
        ("PART", n(100.0), false),
    ];
    let orders: Vec<O> = forms
        .iter()
        .map(|(id, c, _)| {
            let mut o = O::new(id, "30% deposit, 70% before shipment");
            o.dep = c.clone();
            o
        })
        .chain(std::iter::once({
            let mut o = O::new("BAD", "30% deposit, 70% before shipment");
            o.dep = s("maybe next week");
            o
        }))
        .collect();
    write(&w, &orders, &[]);
    let v = check(&w, &[]);
    let p02: Vec<String> = flags_of(&v, "P02")
        .iter()
        .map(|f| f["order_id"].as_str().unwrap().to_string())
        .collect();
    for (id, _, received) in &forms {
        assert_eq!(!p02.contains(&id.to_string()), *received, "{id}: {p02:?}");
    }
    // A part payment says what came and what is still open.
    let part = flags_of(&v, "P02")
        .into_iter()
        .find(|f| f["order_id"] == "PART")
        .unwrap();
    let msg = part["message"].as_str().unwrap();
    assert!(
        msg.contains("USD 100.00 received") && msg.contains("USD 200.00 outstanding"),
        "{msg}"
    );
    // Anything else is V02, and that payment is unknown: no P rule on it.
    let bad = flags_of(&v, "V02");
    assert_eq!(bad.len(), 1, "{bad:?}");
    assert_eq!(bad[0]["cell"], "L16");
    assert!(!p02.contains(&"BAD".to_string()));
}

#[test]
fn unread_terms_are_listed_once_with_their_count_and_raise_nothing() {
    let w = Work::new();
    let mut a = O::new("U1", "老规矩");
    a.dep = s("未收");
    let mut b = O::new("U2", "老规矩");
    b.dep = s("未收");
    let mut c = O::new("T1", "看情况");
    c.dep = s("未收");
    write(&w, &[a, b, c], &[]);
    let out = w
        .gendan()
        .args(["check", "--orders", "orders.xlsx"])
        .args(["--as-of", AS_OF, "--lang", "en", "--fail-on", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("“老规矩”: 2 orders"), "{text}");
    assert!(text.contains("“看情况”: 1 order"), "{text}");
    assert_eq!(text.matches("老规矩").count(), 1, "{text}");
    // A team phrase makes them readable.
    w.write(
        "t.toml",
        "[payments.terms]\n\"老 规矩\" = { deposit = 0.5, balance = \"before_shipment\" }\n"
            .as_bytes(),
    );
    let v = check(&w, &["--template", "t.toml"]);
    assert_eq!(p_flags(&v), vec![p("P02", "U1"), p("P02", "U2")]);
    let u1 = flags_of(&v, "P02")
        .into_iter()
        .find(|f| f["order_id"] == "U1")
        .unwrap();
    assert!(
        u1["message"].as_str().unwrap().contains("USD 500.00"),
        "{u1}"
    );
}

#[test]
fn receivables_of_a_hand_computed_case() {
    let w = Work::new();
    // K1: USD 1000, 30/70 before shipment, deposit in, balance not: shipped
    //     → P01, open 700, overdue 700.
    let mut k1 = O::new("K1", "30% deposit, 70% before shipment");
    k1.status = "shipped";
    k1.dep = s("2026-11-03");
    k1.bal = s("no");
    // K2: USD 2000, 30 days after B/L, shipped 11-20 → due 12-20: open 2000.
    let mut k2 = O::new("K2", "T/T 30 days after B/L");
    k2.status = "shipped";
    k2.price = 20.0;
    k2.bal = s("no");
    // K3: EUR 500, 100 % in advance, 200 received, not shipped → deposit
    //     pending; not a receivable yet.
    let mut k3 = O::new("K3", "100% T/T in advance");
    k3.cur = "EUR";
    k3.price = 5.0;
    k3.dep = n(200.0);
    // K4: EUR 800, L/C at sight, shipped 11-01 → due 11-22: overdue 800.
    let mut k4 = O::new("K4", "L/C at sight");
    k4.cur = "EUR";
    k4.price = 8.0;
    k4.status = "shipped";
    k4.bal = s("未收");
    // K5: USD 1000, all paid, balance 7 days after shipping.
    let mut k5 = O::new("K5", "30% deposit, 70% before shipment");
    k5.status = "shipped";
    k5.dep = s("已收");
    k5.bal = s("2026-11-27");
    write(
        &w,
        &[k1, k2, k3, k4, k5],
        &[
            ("K1", "2026-11-20"),
            ("K2", "2026-11-20"),
            ("K4", "2026-11-01"),
            ("K5", "2026-11-20"),
        ],
    );
    let v = check(&w, &[]);
    // K3's deposit is late too (confirmed 28 days ago, 200 of 500 in).
    assert_eq!(
        p_flags(&v),
        vec![p("P01", "K1"), p("P02", "K3"), p("P03", "K4")]
    );
    let out = w
        .gendan()
        .args([
            "run", "--json", "--out", "out", "--lang", "en", "--as-of", AS_OF,
        ])
        .args(["--orders", "orders.xlsx", "--shipments", "shipments.xlsx"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let k = &v["kpis"];
    assert_eq!(
        k["receivables_open"],
        serde_json::json!({"EUR": 800.0, "USD": 2700.0}),
        "{k}"
    );
    assert_eq!(
        k["receivables_overdue"],
        serde_json::json!({"EUR": 800.0, "USD": 700.0}),
        "{k}"
    );
    assert_eq!(k["deposits_pending"], 1);
    assert_eq!(k["payment_days_median"], 7.0);

    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let summary = sheet_text(&kpi, "Summary");
    let at = summary.iter().position(|r| r[0] == "Payments").unwrap();
    assert_eq!(
        summary[at + 1][..3],
        ["Currency", "Receivables open", "Receivables overdue"]
    );
    assert_eq!(summary[at + 2][..3], ["EUR", "800", "800"]);
    assert_eq!(summary[at + 3][..3], ["USD", "2700", "700"]);
    let pending = summary
        .iter()
        .find(|r| r[0] == "Deposits pending (open orders)")
        .unwrap();
    assert_eq!(pending[1], "1");

    // The Payments sheet: money outstanding, overdue first.
    let t = sheet_text(&kpi, "Payments");
    let head = &t[2];
    let c = |name: &str| head.iter().position(|h| h == name).unwrap();
    let rows: Vec<&Vec<String>> = t.iter().skip(3).take_while(|r| !r[0].is_empty()).collect();
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    // Totals per customer beside the list.
    let tc = head.iter().rposition(|h| h == "Customer").unwrap();
    assert!(tc > c("Days overdue"));
    let acme: Vec<&str> = t[3][tc..tc + 5].iter().map(String::as_str).collect();
    assert_eq!(acme, ["Acme GmbH", "EUR", "2", "1100", "800"], "{:?}", t[3]);
    assert_eq!(ids, ["K1", "K4", "K2", "K3"], "overdue first, oldest first");
    assert_eq!(rows[0][c("Overdue")], "700");
    assert_eq!(
        rows[0][c("Days overdue")],
        "10",
        "shipped 10 days ago unpaid"
    );
    assert_eq!(rows[1][c("Overdue")], "800");
    assert_eq!(rows[1][c("Days overdue")], "8");
    assert_eq!(rows[3][c("Deposit received")], "part: 200.00");
    // By owner: receivables overdue per currency.
    let owners = sheet_text(&kpi, "By owner");
    let oh = &owners[2];
    let wang = owners.iter().find(|r| r[0] == "Wang").unwrap();
    let usd = oh
        .iter()
        .position(|h| h == "Receivables overdue (USD)")
        .unwrap();
    assert_eq!(wang[usd], "700");
}

#[test]
fn a_bad_team_phrase_is_a_template_error_naming_it() {
    let w = Work::new();
    write(&w, &[O::new("A", "x")], &[]);
    w.write(
        "t.toml",
        "[payments.terms]\n\"月结\" = { balance = \"weekly\" }\n".as_bytes(),
    );
    let out = w
        .gendan()
        .args(["check", "--template", "t.toml", "--orders", "orders.xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("payments.terms") && err.contains("weekly"),
        "{err}"
    );
}
