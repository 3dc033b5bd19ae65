//! Trade terms (issue 23, spec rev5 section 10.1): documentary collections
//! (D/P, D/A) and their balance due dates at the edges of P03, the quantity
//! tolerance of an order (its cell in every form, the threshold, C03 and
//! in full just inside and just outside it, V02 at an unreadable cell), and
//! the statement line of an order that has shipped nothing.

mod util;

use std::path::{Path, PathBuf};

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 30).unwrap()
}

fn date_cell(x: NaiveDate) -> Cell {
    d(x.year() as u16, x.month() as u8, x.day() as u8)
}

/// The order ids of a rule's flags, sorted.
fn ids(v: &Value, rule: &str) -> Vec<String> {
    let mut out: Vec<String> = flags_of(v, rule)
        .iter()
        .map(|f| f["order_id"].as_str().unwrap_or("").to_string())
        .collect();
    out.sort();
    out
}

// ---- collections ----

const P_HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Qty",
    "Unit Price",
    "Currency",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Payment Terms",
    "Deposit Received",
    "Balance Received",
];

/// Every collection form of spec section 10.1, with its usance days.
const COLLECTION_FORMS: &[(&str, i64)] = &[
    ("D/P at sight", 0),
    ("D/P", 0),
    ("d/p  AT  SIGHT", 0),
    ("付款交单", 0),
    ("即期付款交单", 0),
    ("D/P 30 days", 30),
    ("D/A 60 days", 60),
    ("远期付款交单30天", 30),
    ("承兑交单60天", 60),
    ("D/A 60 days after B/L", 60),
    ("30% T/T deposit, 70% D/P at sight", 0),
    ("30%定金,70%付款交单", 0),
    ("20% deposit, balance D/A 60 days", 60),
    ("20%预付,80%承兑交单90天", 90),
];

/// Per form, two shipped orders whose balance is not received: `C<k>L`
/// shipped so that its balance fell due the day before as_of (P03), and
/// `C<k>T` a day later (due on as_of: not yet overdue); returns each
/// order's balance due date.
fn collections(w: &Work, forms: &[(&str, i64)]) -> Vec<(String, NaiveDate)> {
    let mut rows = vec![header(P_HEAD)];
    let mut ships = vec![header(&[
        "Shipment No",
        "Order No",
        "Qty Shipped",
        "Ship Date",
    ])];
    let mut due = Vec::new();
    for (k, (terms, days)) in forms.iter().enumerate() {
        for (suffix, due_day) in [("L", as_of() - Duration::days(1)), ("T", as_of())] {
            let id = format!("C{k}{suffix}");
            let ship = due_day - Duration::days(14 + days);
            rows.push(vec![
                s(&id),
                s("Acme GmbH"),
                n(100.0),
                n(10.0),
                s("USD"),
                s("2026-05-01"),
                s("2026-06-01"),
                s("shipped"),
                s("Wang"),
                s(terms),
                s("yes"),
                s("no"),
            ]);
            ships.push(vec![
                s(&format!("S-{id}")),
                s(&id),
                n(100.0),
                date_cell(ship),
            ]);
            due.push((id, due_day));
        }
    }
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    w.xlsx("shipments.xlsx", vec![Sheet::new("Shipments", ships)]);
    due
}

fn check_payments(w: &Work, extra: &[&str]) -> Value {
    let mut args = vec![
        "--orders",
        "orders.xlsx",
        "--shipments",
        "shipments.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ];
    args.extend(extra);
    w.check_json(&args).1
}

#[test]
fn every_collection_form_falls_due_collection_days_plus_its_usance_after_shipping() {
    let w = Work::new();
    let due = collections(&w, COLLECTION_FORMS);
    let v = check_payments(&w, &[]);
    let late: Vec<String> = (0..COLLECTION_FORMS.len())
        .map(|k| format!("C{k}L"))
        .collect();
    let mut want = late.clone();
    want.sort();
    assert_eq!(ids(&v, "P03"), want, "P03 the day after the due date only");
    // The deposit forms' deposit is received: no P01, no P02.
    assert!(
        ids(&v, "P01").is_empty() && ids(&v, "P02").is_empty(),
        "{v}"
    );
    for f in flags_of(&v, "P03") {
        let msg = f["message"].as_str().unwrap();
        assert!(
            msg.contains("2026-11-29") && msg.contains("1 day overdue"),
            "{msg}"
        );
    }

    // `check` reads every phrase: none is listed as unread.
    let out = w
        .gendan()
        .args(["check", "--orders", "orders.xlsx", "--shipments"])
        .args(["shipments.xlsx", "--as-of", AS_OF, "--lang", "en"])
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains("payment terms gendan could not read"),
        "{text}"
    );

    // The Payments sheet shows each balance due date.
    let out = w
        .gendan()
        .args(["run", "--out", "out", "--lang", "en", "--as-of", AS_OF])
        .args(["--orders", "orders.xlsx", "--shipments", "shipments.xlsx"])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0) | Some(3)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let t = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Payments");
    let head = &t[2];
    let at = head
        .iter()
        .position(|h| h == "Balance due date")
        .unwrap_or_else(|| panic!("{head:?}"));
    for (id, day) in &due {
        let row = t
            .iter()
            .find(|r| r[0] == *id)
            .unwrap_or_else(|| panic!("{id} not on Payments: {t:?}"));
        assert_eq!(row[at], day.to_string(), "{id}");
    }
}

#[test]
fn collection_days_and_a_team_collection_phrase_move_the_due_date() {
    let w = Work::new();
    collections(
        &w,
        &[("D/P at sight", 0), ("老客户托收", 60), ("承兑交单", 0)],
    );
    // Without the team phrase: the first is read, the others are not
    // (D/A needs its days: acceptance is always for a term).
    let v = check_payments(&w, &[]);
    assert_eq!(ids(&v, "P03"), ["C0L"]);
    let out = w
        .gendan()
        .args(["check", "--orders", "orders.xlsx", "--shipments"])
        .args(["shipments.xlsx", "--as-of", AS_OF, "--lang", "en"])
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("“老客户托收”: 2 orders") && text.contains("“承兑交单”: 2 orders"),
        "{text}"
    );
    assert!(!text.contains("“D/P at sight”"), "{text}");

    w.write(
        "t.toml",
        "[payments.terms]\n\"老客户 托收\" = { balance = \"collection\", days = 60 }\n".as_bytes(),
    );
    let v = check_payments(&w, &["--template", "t.toml"]);
    assert_eq!(ids(&v, "P03"), ["C0L", "C1L"]);

    // One more day for the documents to travel: nothing is overdue yet.
    w.write(
        "t2.toml",
        "[thresholds]\ncollection_days = 15\n[payments.terms]\n\"老客户托收\" = { balance = \"collection\", days = 60 }\n"
            .as_bytes(),
    );
    let v = check_payments(&w, &["--template", "t2.toml"]);
    assert!(ids(&v, "P03").is_empty(), "{v}");

    // A collection_days that is not a number of days is refused, naming it.
    w.write("bad.toml", b"[thresholds]\ncollection_days = -1\n");
    let out = w
        .gendan()
        .args(["check", "--template", "bad.toml", "--orders", "orders.xlsx"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("collection_days"));
}

// ---- quantity tolerance ----

const T_HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Tolerance",
];

/// An order line of 100 (or `qty`) due 2026-11-28, with a tolerance cell.
fn t_line(id: &str, qty: f64, status: &str, tol: Cell) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        n(qty),
        s("2026-10-01"),
        s("2026-11-28"),
        s(status),
        s("Wang"),
        tol,
    ]
}

/// Writes the orders (rows after the header, merges) and one shipment per
/// (order, quantity), shipped 2026-11-20.
fn tolerance_registers(
    w: &Work,
    rows: Vec<Vec<Cell>>,
    merges: Vec<(u16, u32, u32)>,
    ships: &[(&str, f64)],
) {
    let mut all = vec![header(T_HEAD)];
    all.extend(rows);
    let mut sheet = Sheet::new("Orders", all);
    sheet.merges = merges;
    w.xlsx("orders.xlsx", vec![sheet]);
    let mut srows = vec![header(&[
        "Shipment No",
        "Order No",
        "Qty Shipped",
        "Ship Date",
    ])];
    for (i, (id, q)) in ships.iter().enumerate() {
        srows.push(vec![s(&format!("S{i}")), s(id), n(*q), s("2026-11-20")]);
    }
    w.xlsx("shipments.xlsx", vec![Sheet::new("Shipments", srows)]);
}

fn check_tolerance(w: &Work, extra: &[&str]) -> Value {
    let mut args = vec![
        "--orders",
        "orders.xlsx",
        "--shipments",
        "shipments.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ];
    args.extend(extra);
    w.check_json(&args).1
}

#[test]
fn every_tolerance_form_bounds_c03_and_in_full() {
    let forms: Vec<Cell> = vec![
        s("±5%"),
        s("+/-5%"),
        s("5%"),
        s("more or less 5%"),
        s("5% more or less"),
        s("溢短装5%"),
        s("溢短装 ±5%"),
        n(0.05),
        n(5.0),
        s("0.05"),
        s("5"),
        s("５％"),
    ];
    let w = Work::new();
    let mut rows = Vec::new();
    let mut ships: Vec<(String, f64)> = Vec::new();
    let (mut over, mut short) = (Vec::new(), Vec::new());
    for (k, form) in forms.iter().enumerate() {
        // Just inside and just outside, over and short; short ones are
        // closed, so that "not in full" shows as C08 on the order.
        for (tag, status, q) in [
            ("IN", "shipped", 105.0),
            ("OUT", "shipped", 106.0),
            ("SH", "closed", 95.0),
            ("SH2", "closed", 94.0),
        ] {
            let id = format!("F{k}-{tag}");
            rows.push(t_line(&id, 100.0, status, form.clone()));
            ships.push((id.clone(), q));
            match tag {
                "OUT" => over.push(id),
                "SH2" => short.push(id),
                _ => {}
            }
        }
    }
    let ships: Vec<(&str, f64)> = ships.iter().map(|(i, q)| (i.as_str(), *q)).collect();
    tolerance_registers(&w, rows, vec![], &ships);
    let v = check_tolerance(&w, &[]);
    assert!(flags_of(&v, "V02").is_empty(), "{:?}", flags_of(&v, "V02"));
    over.sort();
    short.sort();
    assert_eq!(ids(&v, "C03"), over, "C03 above 105 only");
    assert_eq!(ids(&v, "C08"), short, "in full from 95");
    let c03 = &flags_of(&v, "C03")[0];
    let msg = c03["message"].as_str().unwrap();
    assert!(
        msg.contains("106") && msg.contains("±5%") && msg.contains("at most 105"),
        "{msg}"
    );
    // in_full: 3 of each 4 orders due in the period.
    let k = &v["kpis"];
    assert_eq!(k["orders_due"], forms.len() * 4, "{k}");
    assert_eq!(k["in_full_rate"], 0.75, "{k}");
}

#[test]
fn the_orders_cell_wins_over_the_threshold() {
    let w = Work::new();
    let blank = || Cell::Blank;
    tolerance_registers(
        &w,
        vec![
            t_line("T-IN", 100.0, "shipped", blank()),
            t_line("T-OUT", 100.0, "shipped", blank()),
            t_line("T-SH", 100.0, "closed", blank()),
            t_line("T-SH2", 100.0, "closed", blank()),
            // Stricter and looser than the threshold.
            t_line("STRICT", 100.0, "shipped", s("2%")),
            t_line("LOOSE", 100.0, "shipped", s("10%")),
            t_line("ZERO", 100.0, "shipped", s("0%")),
        ],
        vec![],
        &[
            ("T-IN", 105.0),
            ("T-OUT", 106.0),
            ("T-SH", 95.0),
            ("T-SH2", 94.0),
            ("STRICT", 103.0),
            ("LOOSE", 108.0),
            ("ZERO", 101.0),
        ],
    );
    // Without a threshold only the cells allow anything.
    let v = check_tolerance(&w, &[]);
    assert_eq!(ids(&v, "C03"), ["STRICT", "T-IN", "T-OUT", "ZERO"]);
    assert_eq!(ids(&v, "C08"), ["T-SH", "T-SH2"]);
    let none = flags_of(&v, "C03")
        .into_iter()
        .find(|f| f["order_id"] == "ZERO")
        .unwrap();
    assert_eq!(
        none["message"], "shipments of order ZERO total 101, more than the 100 ordered",
        "no tolerance, no tolerance words"
    );

    w.write("t.toml", b"[thresholds]\nqty_tolerance = 0.05\n");
    let v = check_tolerance(&w, &["--template", "t.toml"]);
    assert_eq!(ids(&v, "C03"), ["STRICT", "T-OUT", "ZERO"]);
    assert_eq!(ids(&v, "C08"), ["T-SH2"]);
    // in full: all but T-SH2 (over-shipped orders are in full).
    let k = &v["kpis"];
    assert_eq!(k["orders_due"], 7, "{k}");
    assert!(
        (k["in_full_rate"].as_f64().unwrap() - 6.0 / 7.0).abs() < 1e-9,
        "{k}"
    );
}

#[test]
fn an_orders_lines_share_one_tolerance() {
    let w = Work::new();
    let blank = || Cell::Blank;
    tolerance_registers(
        &w,
        vec![
            // Merged over both lines: ±5% once, not 10 %.
            t_line("M1", 50.0, "shipped", s("±5%")),
            t_line("M1", 50.0, "shipped", s("±5%")),
            // Lines that disagree: the largest.
            t_line("M2", 50.0, "shipped", s("3%")),
            t_line("M2", 50.0, "shipped", s("5%")),
            // Written on the first line only.
            t_line("M3", 50.0, "shipped", s("3%")),
            t_line("M3", 50.0, "shipped", blank()),
        ],
        // Rows 2–3 (0-based 1–2), column H (7).
        vec![(7, 1, 2)],
        &[("M1", 106.0), ("M2", 105.0), ("M3", 104.0)],
    );
    let v = check_tolerance(&w, &[]);
    assert_eq!(ids(&v, "C03"), ["M1", "M3"], "{v}");
    assert!(flags_of(&v, "V02").is_empty());
}

#[test]
fn an_unreadable_tolerance_is_v02_at_its_cell() {
    let w = Work::new();
    tolerance_registers(
        &w,
        vec![
            t_line("BAD", 100.0, "shipped", s("about 5%")),
            t_line("HUGE", 100.0, "shipped", s("150%")),
            t_line("ONE", 100.0, "shipped", s("+5%/-3%")),
        ],
        vec![],
        &[("BAD", 103.0), ("HUGE", 100.0), ("ONE", 100.0)],
    );
    let v = check_tolerance(&w, &[]);
    let bad = flags_of(&v, "V02");
    let cells: Vec<&str> = bad.iter().map(|f| f["cell"].as_str().unwrap()).collect();
    assert_eq!(cells, ["H2", "H3", "H4"], "{bad:?}");
    let f = &bad[0];
    assert_eq!(f["sheet"], "Orders");
    assert!(f["file"].as_str().unwrap().ends_with("orders.xlsx"), "{f}");
    assert_eq!(f["value"], "about 5%");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("quantity tolerance") && msg.contains("about 5%") && msg.contains("±5%"),
        "says what it is and how to write it: {msg}"
    );
    // The cell emptied, the order falls back to the threshold (0 here).
    assert_eq!(ids(&v, "C03"), ["BAD"]);
}

// ---- documents ----

/// Every file under `dir` (recursively), sorted, gendan's own hidden
/// manifest left out.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else if !e.file_name().to_string_lossy().starts_with('.') {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn a_statement_shows_0_shipped_on_the_lines_of_an_order_that_shipped_nothing() {
    let w = Work::new();
    let line = |id: &str, product: &str, qty: f64| {
        vec![
            s(id),
            s("Acme GmbH"),
            s(product),
            n(qty),
            s("2026-11-02"),
            s("2026-12-20"),
            s("in production"),
        ]
    };
    let mut rows = vec![header(&[
        "Order No",
        "Customer",
        "Product",
        "Qty",
        "Order Date",
        "Due Date",
        "Status",
    ])];
    rows.extend([
        line("PO-M", "Mug", 100.0),
        line("PO-M", "Plate", 40.0),
        line("PO-P", "Bowl", 60.0),
        line("PO-P", "Cup", 40.0),
    ]);
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    w.xlsx(
        "shipments.xlsx",
        vec![Sheet::new(
            "Shipments",
            vec![
                header(&["Shipment No", "Order No", "Qty Shipped", "Ship Date"]),
                vec![s("S1"), s("PO-P"), n(30.0), s("2026-11-20")],
            ],
        )],
    );
    let out = w
        .gendan()
        .args(["statement", "--orders", "orders.xlsx", "--shipments"])
        .args(["shipments.xlsx", "--as-of", AS_OF, "--out", "out"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files(&w.path("out/statements"));
    assert_eq!(written.len(), 1, "{written:?}");
    let rows = {
        use calamine::Reader;
        let wb: calamine::Xlsx<_> = calamine::open_workbook(&written[0]).unwrap();
        let name = wb.sheet_names()[0].clone();
        sheet_text(&written[0], &name)
    };
    let at = rows
        .iter()
        .position(|r| r[0] == "Order No.")
        .unwrap_or_else(|| panic!("{rows:?}"));
    let open: Vec<Vec<String>> = rows[at + 1..]
        .iter()
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .collect();
    let cells: Vec<(&str, &[String])> = open.iter().map(|r| (r[0].as_str(), &r[2..6])).collect();
    assert_eq!(cells.len(), 6, "{open:?}");
    // Nothing of PO-M has shipped: each line has shipped 0, all to ship.
    assert_eq!(
        cells[0],
        ("PO-M", &["Mug", "100", "0", "100"].map(String::from)[..])
    );
    assert_eq!(
        cells[1],
        ("PO-M", &["Plate", "40", "0", "40"].map(String::from)[..])
    );
    assert_eq!(
        cells[2],
        (
            "PO-M",
            &["Order total", "140", "0", "140"].map(String::from)[..]
        )
    );
    // PO-P has shipped in part: which line is unknown, so the lines stay
    // blank and the total row says it.
    assert_eq!(
        cells[3],
        ("PO-P", &["Bowl", "60", "", ""].map(String::from)[..])
    );
    assert_eq!(
        cells[4],
        ("PO-P", &["Cup", "40", "", ""].map(String::from)[..])
    );
    assert_eq!(
        cells[5],
        (
            "PO-P",
            &["Order total", "100", "30", "70"].map(String::from)[..]
        )
    );
}
