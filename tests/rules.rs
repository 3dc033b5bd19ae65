//! Reconciliation and rules (spec sections 4 and 5): each rule fires at
//! its cell on a minimal workbook, and a near miss does not fire.

mod util;

use predicates::str::contains;
use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

/// Orders: A order, B customer, C product, D qty, E order date, F due,
/// G status, H owner, I last updated, J confirmed, K unit price, L amount.
fn o(id: &str, qty: f64, order_date: &str, due: &str, status: &str, updated: &str) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        s("Mug"),
        n(qty),
        s(order_date),
        s(due),
        s(status),
        s("Li Na"),
        s(updated),
    ]
}

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
];

/// Shipments: A no, B order, C qty, D ship date, E eta, F delivered,
/// G status, H tracking.
fn sh(
    order: &str,
    qty: f64,
    ship: &str,
    eta: &str,
    delivered: &str,
    status: &str,
    tracking: &str,
) -> Vec<Cell> {
    let opt = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s(&format!("S-{order}")),
        s(order),
        n(qty),
        opt(ship),
        opt(eta),
        opt(delivered),
        opt(status),
        opt(tracking),
    ]
}

const S_HEAD: &[&str] = &[
    "Shipment No",
    "Order No",
    "Qty Shipped",
    "Ship Date",
    "ETA",
    "Delivered Date",
    "Status",
    "Tracking No",
];

/// Feedback: A no, B order, C customer, D date, E score, F nps, G action,
/// H status, I closed.
#[allow(clippy::too_many_arguments)]
fn fb(
    order: &str,
    customer: &str,
    date: &str,
    score: f64,
    nps: f64,
    action: &str,
    status: &str,
    closed: &str,
) -> Vec<Cell> {
    let opt = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s("F-1"),
        opt(order),
        s(customer),
        s(date),
        n(score),
        n(nps),
        opt(action),
        opt(status),
        opt(closed),
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

#[derive(Default)]
struct Case {
    orders: Vec<Vec<Cell>>,
    ships: Vec<Vec<Cell>>,
    fbs: Vec<Vec<Cell>>,
    template: Option<String>,
}

impl Case {
    fn write(&self, w: &Work) -> Vec<String> {
        let sheet = |head: &[&str], rows: &Vec<Vec<Cell>>| {
            let mut all = vec![header(head)];
            all.extend(rows.iter().cloned());
            vec![Sheet::new("Data", all)]
        };
        // Nothing read is exit 1 (spec rev4, section 3): a case without
        // orders gets a cancelled order from long ago (it takes part in no
        // rule and no rate), and an empty table is not given at all.
        let filler = vec![o(
            "ZZ-0",
            1.0,
            "2026-01-02",
            "2026-02-02",
            "cancelled",
            "2026-01-02",
        )];
        let orders = if self.orders.is_empty() {
            &filler
        } else {
            &self.orders
        };
        w.xlsx("orders.xlsx", sheet(O_HEAD, orders));
        let mut args: Vec<String> = vec!["--orders".into(), "orders.xlsx".into()];
        if !self.ships.is_empty() {
            w.xlsx("shipments.xlsx", sheet(S_HEAD, &self.ships));
            args.extend(["--shipments".into(), "shipments.xlsx".into()]);
        }
        if !self.fbs.is_empty() {
            w.xlsx("feedback.xlsx", sheet(F_HEAD, &self.fbs));
            args.extend(["--feedback".into(), "feedback.xlsx".into()]);
        }
        args.extend(
            ["--as-of", AS_OF, "--lang", "en"]
                .iter()
                .map(|x| x.to_string()),
        );
        if let Some(t) = &self.template {
            w.write("t.toml", t.as_bytes());
            args.extend(["--template".to_string(), "t.toml".to_string()]);
        }
        args
    }

    fn check(&self) -> Value {
        let w = Work::new();
        let args = self.write(&w);
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        w.check_json(&refs).1
    }
}

/// (table, cell, severity) of the flags of `rule`.
fn hits(v: &Value, rule: &str) -> Vec<(String, String, String)> {
    flags_of(v, rule)
        .iter()
        .map(|f| {
            (
                f["table"].as_str().unwrap().to_string(),
                f["cell"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The flags of `rule` are exactly `want` (table, cell, severity), in any
/// order.
fn assert_hits(v: &Value, rule: &str, want: &[(&str, &str, &str)]) {
    let mut got = hits(v, rule);
    got.sort();
    let mut want: Vec<(String, String, String)> = want
        .iter()
        .map(|(t, c, s)| (t.to_string(), c.to_string(), s.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want, "{rule}");
}

#[test]
fn c01_duplicate_line_is_flagged_on_the_later_line_and_left_out() {
    let line = o(
        "PO-1",
        100.0,
        "2026-11-20",
        "2026-12-20",
        "in production",
        "2026-11-29",
    );
    let v = Case {
        orders: vec![line.clone(), line.clone()],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "C01", &[("orders", "A3", "warning")]);
    assert_eq!(
        sheet_of(&v, "orders")["rows_accepted"],
        2,
        "a duplicate counts as accepted"
    );
    // Near miss: one field differs.
    let mut other = line.clone();
    other[2] = s("Lamp");
    let v = Case {
        orders: vec![line, other],
        ..Default::default()
    }
    .check();
    assert!(hits(&v, "C01").is_empty());
}

#[test]
fn c01_lines_disagreeing_on_due_date_flag_the_order_once() {
    let a = o(
        "PO-1",
        100.0,
        "2026-11-20",
        "2026-12-20",
        "in production",
        "2026-11-29",
    );
    let b = o(
        "po-1 ",
        50.0,
        "2026-11-20",
        "2026-12-27",
        "in production",
        "2026-11-29",
    );
    let c = o(
        "ＰＯ-1",
        50.0,
        "2026-11-20",
        "2026-12-27",
        "in production",
        "2026-11-29",
    );
    let v = Case {
        orders: vec![a, b, c],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "C01", &[("orders", "A2", "error")]);
    assert!(flags_of(&v, "C01")[0]["message"]
        .as_str()
        .unwrap()
        .contains("due date"));
}

#[test]
fn c02_shipment_for_unknown_order() {
    let orders = vec![o(
        "PO-1",
        100.0,
        "2026-11-01",
        "2026-12-20",
        "in production",
        "2026-11-29",
    )];
    let v = Case {
        orders: orders.clone(),
        ships: vec![sh("PO-9", 10.0, "2026-11-25", "", "", "", "X1")],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "C02", &[("shipments", "B2", "error")]);
    let v = Case {
        orders,
        ships: vec![sh("po-1", 10.0, "2026-11-25", "", "", "", "X1")],
        ..Default::default()
    }
    .check();
    assert!(hits(&v, "C02").is_empty());
}

#[test]
fn c03_over_shipped_but_exact_is_fine() {
    let orders = vec![o(
        "PO-1",
        100.0,
        "2026-11-01",
        "2026-12-20",
        "shipped",
        "2026-11-29",
    )];
    let v = Case {
        orders: orders.clone(),
        ships: vec![
            sh("PO-1", 60.0, "2026-11-20", "", "", "", "X"),
            sh("PO-1", 50.0, "2026-12-05", "", "", "", ""),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "C03", &[("orders", "A2", "error")]);
    let v = Case {
        orders,
        ships: vec![
            sh("PO-1", 60.0, "2026-11-20", "", "", "", "X"),
            sh("PO-1", 40.0, "2026-11-22", "", "", "", "Y"),
        ],
        ..Default::default()
    }
    .check();
    assert!(hits(&v, "C03").is_empty());
}

#[test]
fn c04_status_against_shipments() {
    let v = Case {
        orders: vec![
            o(
                "PO-1",
                100.0,
                "2026-11-01",
                "2026-12-20",
                "shipped",
                "2026-11-29",
            ),
            o(
                "PO-2",
                100.0,
                "2026-11-01",
                "2026-12-20",
                "in production",
                "2026-11-29",
            ),
            o(
                "PO-3",
                100.0,
                "2026-11-01",
                "2026-12-20",
                "ready",
                "2026-11-29",
            ),
        ],
        ships: vec![
            sh("PO-2", 100.0, "2026-11-25", "", "", "", "X"),
            // Near miss: a booked shipment (future ship date) of a ready order.
            sh("PO-3", 100.0, "2026-12-05", "", "", "booked", ""),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(
        &v,
        "C04",
        &[("orders", "A2", "error"), ("orders", "A3", "warning")],
    );
    assert!(
        hits(&v, "V05").is_empty(),
        "a booked future ship date is a plan, not V05"
    );
}

#[test]
fn c05_dates_out_of_sequence_on_the_later_cell() {
    let mut order = o(
        "PO-1",
        100.0,
        "2026-11-10",
        "2026-12-20",
        "shipped",
        "2026-11-29",
    );
    order.push(s("2026-11-09")); // confirmed before ordered: J2
    let v = Case {
        orders: vec![order],
        ships: vec![
            sh(
                "PO-1",
                50.0,
                "2026-11-09",
                "2026-11-20",
                "",
                "in transit",
                "X",
            ), // ship < order date: D2
            sh(
                "PO-1",
                50.0,
                "2026-11-20",
                "2026-11-19",
                "2026-11-18",
                "delivered",
                "Y",
            ), // eta < ship E3, delivered < ship F3
        ],
        ..Default::default()
    }
    .check();
    let mut cells: Vec<String> = hits(&v, "C05")
        .into_iter()
        .map(|h| format!("{}:{}", h.0, h.1))
        .collect();
    cells.sort();
    assert_eq!(
        cells,
        vec!["orders:J2", "shipments:D2", "shipments:E3", "shipments:F3"]
    );
    // Near miss: same-day dates are in sequence.
    let mut order = o(
        "PO-1",
        100.0,
        "2026-11-10",
        "2026-12-20",
        "shipped",
        "2026-11-29",
    );
    order.push(s("2026-11-10"));
    let v = Case {
        orders: vec![order],
        ships: vec![sh(
            "PO-1",
            100.0,
            "2026-11-10",
            "2026-11-10",
            "2026-11-10",
            "delivered",
            "X",
        )],
        ..Default::default()
    }
    .check();
    assert!(hits(&v, "C05").is_empty(), "{:?}", hits(&v, "C05"));
}

#[test]
fn c06_feedback_mismatches() {
    let orders = vec![o(
        "PO-1",
        100.0,
        "2026-11-01",
        "2026-12-20",
        "in production",
        "2026-11-29",
    )];
    let v = Case {
        orders: orders.clone(),
        fbs: vec![
            fb(
                "PO-7",
                "Acme GmbH",
                "2026-11-25",
                4.0,
                8.0,
                "",
                "closed",
                "",
            ),
            fb(
                "PO-1",
                "Other Ltd",
                "2026-11-25",
                4.0,
                8.0,
                "",
                "closed",
                "",
            ),
            fb("", "Whoever", "2026-11-25", 4.0, 8.0, "", "closed", ""),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(
        &v,
        "C06",
        &[("feedback", "B2", "warning"), ("feedback", "C3", "warning")],
    );
    // Near miss: the same customer written in another case and full-width.
    let v = Case {
        orders,
        fbs: vec![fb(
            "PO-1",
            "ＡＣＭＥ gmbh",
            "2026-11-25",
            4.0,
            8.0,
            "",
            "closed",
            "",
        )],
        ..Default::default()
    }
    .check();
    assert!(hits(&v, "C06").is_empty());
}

#[test]
fn c07_amount_outside_tolerance() {
    let mut bad = o(
        "PO-1",
        100.0,
        "2026-11-01",
        "2026-12-20",
        "in production",
        "2026-11-29",
    );
    bad.extend([Cell::Blank, n(2.0), n(201.5)]); // 0.75% off
    let mut ok = o(
        "PO-2",
        100.0,
        "2026-11-01",
        "2026-12-20",
        "in production",
        "2026-11-29",
    );
    ok.extend([Cell::Blank, n(2.0), n(200.9)]); // 0.45% off
    let v = Case {
        orders: vec![bad, ok],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "C07", &[("orders", "L2", "warning")]);
}

#[test]
fn c08_closed_not_in_full() {
    let v = Case {
        orders: vec![
            o(
                "PO-1",
                100.0,
                "2026-10-01",
                "2026-10-20",
                "closed",
                "2026-11-29",
            ),
            o(
                "PO-2",
                100.0,
                "2026-10-01",
                "2026-10-20",
                "closed",
                "2026-11-29",
            ),
        ],
        ships: vec![
            sh(
                "PO-1",
                90.0,
                "2026-10-18",
                "",
                "2026-11-10",
                "delivered",
                "X",
            ),
            sh(
                "PO-2",
                100.0,
                "2026-10-18",
                "",
                "2026-11-10",
                "delivered",
                "Y",
            ),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "C08", &[("orders", "A2", "warning")]);
}

#[test]
fn c09_cancelled_shipped_and_delivered_in_transit() {
    let v = Case {
        orders: vec![
            o(
                "PO-1",
                100.0,
                "2026-10-01",
                "2026-12-20",
                "cancelled",
                "2026-11-29",
            ),
            o(
                "PO-2",
                100.0,
                "2026-10-01",
                "2026-12-20",
                "cancelled",
                "2026-11-29",
            ),
            o(
                "PO-3",
                100.0,
                "2026-10-01",
                "2026-11-20",
                "delivered",
                "2026-11-29",
            ),
        ],
        ships: vec![
            sh("PO-1", 100.0, "2026-11-10", "", "", "", "X"),
            // Near miss: a cancelled order's booked shipment has not shipped.
            sh("PO-2", 100.0, "2026-12-10", "", "", "booked", ""),
            sh(
                "PO-3",
                100.0,
                "2026-11-10",
                "",
                "2026-11-25",
                "in transit",
                "Z",
            ),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(
        &v,
        "C09",
        &[("orders", "A2", "error"), ("shipments", "G4", "warning")],
    );
}

#[test]
fn s01_stale_boundary() {
    let v = Case {
        orders: vec![
            o(
                "PO-1",
                1.0,
                "2026-11-01",
                "2026-12-20",
                "in production",
                "2026-11-22",
            ), // 8 days
            o(
                "PO-2",
                1.0,
                "2026-11-01",
                "2026-12-20",
                "in production",
                "2026-11-23",
            ), // 7 days
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S01", &[("orders", "A2", "warning")]);
}

#[test]
fn s01_is_skipped_without_an_updated_column() {
    let w = Work::new();
    w.xlsx(
        "o.xlsx",
        vec![Sheet::new(
            "O",
            vec![
                header(&[
                    "Order No",
                    "Customer",
                    "Product",
                    "Qty",
                    "Order Date",
                    "Due Date",
                    "Status",
                    "Owner",
                ]),
                vec![
                    s("PO-1"),
                    s("A"),
                    s("B"),
                    n(1.0),
                    s("2026-01-01"),
                    s("2026-12-20"),
                    s("confirmed"),
                    s("x"),
                ],
            ],
        )],
    );
    w.gendan()
        .args([
            "check",
            "--orders",
            "o.xlsx",
            "--as-of",
            AS_OF,
            "--fail-on",
            "never",
        ])
        .assert()
        .code(0)
        .stderr(contains("S01"));
}

#[test]
fn s02_overdue_but_due_today_is_not() {
    let v = Case {
        orders: vec![
            o(
                "PO-1",
                1.0,
                "2026-11-01",
                "2026-11-29",
                "in production",
                "2026-11-29",
            ),
            o(
                "PO-2",
                1.0,
                "2026-11-01",
                "2026-11-30",
                "in production",
                "2026-11-29",
            ),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S02", &[("orders", "A2", "error")]);
}

#[test]
fn s03_pending_confirmation_boundary() {
    let v = Case {
        orders: vec![
            o(
                "PO-1",
                1.0,
                "2026-11-26",
                "2026-12-20",
                "pending",
                "2026-11-29",
            ), // 4 days
            o(
                "PO-2",
                1.0,
                "2026-11-27",
                "2026-12-20",
                "待确认",
                "2026-11-29",
            ), // 3 days
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S03", &[("orders", "A2", "warning")]);
}

#[test]
fn s04_past_eta_boundary() {
    let orders = vec![
        o(
            "PO-1",
            1.0,
            "2026-10-01",
            "2026-11-20",
            "shipped",
            "2026-11-29",
        ),
        o(
            "PO-2",
            1.0,
            "2026-10-01",
            "2026-11-20",
            "shipped",
            "2026-11-29",
        ),
    ];
    let v = Case {
        orders,
        ships: vec![
            sh(
                "PO-1",
                1.0,
                "2026-11-01",
                "2026-11-26",
                "",
                "in transit",
                "X",
            ), // 30 > 26+3
            sh(
                "PO-2",
                1.0,
                "2026-11-01",
                "2026-11-27",
                "",
                "in transit",
                "Y",
            ), // 30 = 27+3
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S04", &[("shipments", "E2", "warning")]);
}

#[test]
fn s05_no_tracking_boundary() {
    let orders = vec![
        o(
            "PO-1",
            1.0,
            "2026-10-01",
            "2026-12-20",
            "shipped",
            "2026-11-29",
        ),
        o(
            "PO-2",
            1.0,
            "2026-10-01",
            "2026-12-20",
            "shipped",
            "2026-11-29",
        ),
    ];
    let v = Case {
        orders,
        ships: vec![
            sh(
                "PO-1",
                1.0,
                "2026-11-27",
                "2026-12-20",
                "",
                "in transit",
                "",
            ), // 3 days
            sh(
                "PO-2",
                1.0,
                "2026-11-28",
                "2026-12-20",
                "",
                "in transit",
                "",
            ), // 2 days
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S05", &[("shipments", "H2", "warning")]);
}

#[test]
fn s06_followup_window() {
    let order = |id: &str| {
        o(
            id,
            1.0,
            "2026-09-01",
            "2026-10-20",
            "delivered",
            "2026-11-29",
        )
    };
    let v = Case {
        orders: vec![order("PO-1"), order("PO-2"), order("PO-3")],
        ships: vec![
            sh(
                "PO-1",
                1.0,
                "2026-10-10",
                "",
                "2026-11-16",
                "delivered",
                "X",
            ), // 14 days ago
            sh(
                "PO-2",
                1.0,
                "2026-10-10",
                "",
                "2026-11-17",
                "delivered",
                "Y",
            ), // 13 days ago
            sh(
                "PO-3",
                1.0,
                "2026-10-10",
                "",
                "2026-11-10",
                "delivered",
                "Z",
            ), // has feedback
        ],
        fbs: vec![fb(
            "PO-3",
            "Acme GmbH",
            "2026-11-20",
            5.0,
            9.0,
            "",
            "closed",
            "",
        )],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S06", &[("orders", "A2", "info")]);
}

#[test]
fn s07_feedback_sla_boundary() {
    let v = Case {
        fbs: vec![
            fb("", "A", "2026-11-15", 4.0, 8.0, "", "open", ""), // 15 days
            fb("", "B", "2026-11-16", 4.0, 8.0, "", "open", ""), // 14 days
            fb("", "C", "2026-11-01", 4.0, 8.0, "", "", "2026-11-03"), // closed by date
        ],
        ..Default::default()
    }
    .check();
    assert_hits(&v, "S07", &[("feedback", "D2", "warning")]);
}

#[test]
fn s08_unhappy_without_action() {
    let v = Case {
        fbs: vec![
            fb("", "A", "2026-11-25", 2.0, 8.0, "", "closed", ""),
            fb("", "B", "2026-11-25", 5.0, 6.0, "", "closed", ""),
            fb("", "C", "2026-11-25", 3.0, 7.0, "", "closed", ""),
            fb(
                "",
                "D",
                "2026-11-25",
                1.0,
                0.0,
                "called the factory",
                "closed",
                "",
            ),
        ],
        ..Default::default()
    }
    .check();
    assert_hits(
        &v,
        "S08",
        &[("feedback", "G2", "warning"), ("feedback", "G3", "warning")],
    );
}

#[test]
fn disable_and_severity_overrides_from_the_template() {
    let c = Case {
        orders: vec![o(
            "PO-1",
            1.0,
            "2026-11-01",
            "2026-11-29",
            "in production",
            "2026-11-01",
        )],
        template: Some("[rules]\ndisable = [\"S02\"]\n[severity]\nS01 = \"error\"\n".into()),
        ..Default::default()
    };
    let v = c.check();
    assert!(hits(&v, "S02").is_empty());
    assert_hits(&v, "S01", &[("orders", "A2", "error")]);
}

#[test]
fn fail_on_gives_exit_3() {
    let w = Work::new();
    let c = Case {
        orders: vec![o(
            "PO-1",
            1.0,
            "2026-11-01",
            "2026-11-29",
            "in production",
            "2026-11-29",
        )],
        ..Default::default()
    };
    let args = c.write(&w);
    w.gendan().arg("check").args(&args).assert().code(3);
    w.gendan()
        .arg("check")
        .args(&args)
        .args(["--fail-on", "never"])
        .assert()
        .code(0);
}

fn partial_case(template: Option<&str>) -> Vec<Vec<String>> {
    let w = Work::new();
    let c = Case {
        orders: vec![o(
            "PO-1",
            100.0,
            "2026-11-01",
            "2026-11-26",
            "shipped",
            "2026-11-29",
        )],
        ships: vec![
            sh(
                "PO-1",
                60.0,
                "2026-11-20",
                "",
                "2026-11-24",
                "delivered",
                "X",
            ),
            sh(
                "PO-1",
                40.0,
                "2026-11-28",
                "",
                "2026-11-29",
                "delivered",
                "Y",
            ),
        ],
        template: template.map(str::to_string),
        ..Default::default()
    };
    let args = c.write(&w);
    w.gendan()
        .arg("run")
        .args(&args)
        .args(["--out", "out", "-q"])
        .assert()
        .code(0);
    let rows = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Delivery");
    rows.into_iter().filter(|r| r[0] == "PO-1").collect()
}

#[test]
fn partial_shipments_complete_after_due_date() {
    // Ship-date basis: first shipment 11-20 ≤ due 11-26, completed 11-28.
    let r = &partial_case(None)[0];
    // order, customer, owner, due, first ship, completed, ordered, shipped, on time, in full, otif, delay
    assert_eq!(&r[3], "2026-11-26");
    assert_eq!(&r[4], "2026-11-20");
    assert_eq!(&r[5], "2026-11-28");
    assert_eq!(
        (&r[8][..], &r[9][..], &r[10][..], &r[11][..]),
        ("yes", "yes", "no", "2")
    );
    // Delivered-date basis: first delivery 11-24 ≤ due, completed 11-29.
    let r = &partial_case(Some("[report]\non_time_basis = \"delivered_date\"\n"))[0];
    assert_eq!(&r[4], "2026-11-24");
    assert_eq!(&r[5], "2026-11-29");
    assert_eq!(
        (&r[8][..], &r[9][..], &r[10][..], &r[11][..]),
        ("yes", "yes", "no", "3")
    );
}

#[test]
fn sample_data_flags_snapshot() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = assert_cmd::Command::cargo_bin("gendan")
        .unwrap()
        .current_dir(root)
        .args([
            "check",
            "--template",
            "report-templates/sample.toml",
            "--json",
            "--lang",
            "en",
            "-q",
        ])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let flags: Vec<Value> = items(&v)
        .into_iter()
        .map(|f| {
            serde_json::json!({
                "rule": f["rule"], "severity": f["severity"], "table": f["table"], "order_id": f["order_id"],
                "owner": f["owner"], "sheet": f["sheet"], "cell": f["cell"], "value": f["value"], "message": f["message"],
            })
        })
        .collect();
    insta::assert_json_snapshot!("sample_check_flags", flags);
    // Every rule shows at least once in the sample data.
    let rules: std::collections::BTreeSet<&str> =
        flags.iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert_eq!(rules.len(), 35, "{rules:?}");
}

#[test]
fn issue_19_one_day_is_singular_in_english_messages() {
    let v = Case {
        orders: vec![o(
            "PO-1",
            1.0,
            "2026-11-01",
            "2026-11-29",
            "in production",
            "2026-11-29",
        )],
        ..Default::default()
    }
    .check();
    let s02 = flags_of(&v, "S02");
    assert_eq!(
        s02[0]["message"], "overdue by 1 day (due 2026-11-29) — ship or agree a new date",
        "{s02:?}"
    );
}

#[test]
fn issue_19_check_lists_the_20_owners_with_most_flags() {
    // 25 owners, each with one overdue order (S02); owner 00 has two.
    let w = Work::new();
    let mut rows = vec![header(O_HEAD)];
    for i in 0..25 {
        let mut line = o(
            &format!("PO-{i}"),
            1.0,
            "2026-11-01",
            "2026-11-20",
            "in production",
            "2026-11-29",
        );
        line[7] = s(&format!("Owner {i:02}"));
        rows.push(line);
    }
    let mut extra = o(
        "PO-X",
        1.0,
        "2026-11-01",
        "2026-11-20",
        "in production",
        "2026-11-29",
    );
    extra[7] = s("Owner 00");
    rows.push(extra);
    w.xlsx("orders.xlsx", vec![Sheet::new("Data", rows)]);
    let text = |lang: &str| {
        let out = w
            .gendan()
            .args(["check", "--orders", "orders.xlsx", "--as-of", AS_OF])
            .args(["--fail-on", "never", "--lang", lang])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let en = text("en");
    let section: Vec<&str> = en
        .split("by owner:\n")
        .nth(1)
        .expect("a by-owner section")
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(section.len(), 21, "{section:#?}");
    assert_eq!(section[0].trim(), "Owner 00  2");
    assert_eq!(section[19].trim(), "Owner 19  1");
    assert_eq!(section[20].trim(), "… 5 more");
    assert!(!en.contains("Owner 20  1"), "{en}");
    assert!(text("zh").contains("… 另有 5 位"));
}

#[test]
fn issue_19_stderr_speaks_the_run_language_only() {
    // No template: the run's language is Chinese, and so is every note
    // and warning (here S01 and S05 skipped, no currency column).
    let w = Work::new();
    w.xlsx(
        "o.xlsx",
        vec![Sheet::new(
            "O",
            vec![
                header(&[
                    "Order No",
                    "Customer",
                    "Product",
                    "Qty",
                    "Order Date",
                    "Due Date",
                    "Status",
                    "Owner",
                    "Amount",
                ]),
                vec![
                    s("PO-1"),
                    s("A"),
                    s("B"),
                    n(1.0),
                    s("2026-11-25"),
                    s("2026-12-20"),
                    s("confirmed"),
                    s("x"),
                    n(10.0),
                ],
            ],
        )],
    );
    w.xlsx(
        "s.xlsx",
        vec![Sheet::new(
            "S",
            vec![
                header(&["Shipment No", "Order No", "Qty Shipped", "Ship Date"]),
                vec![s("S-1"), s("PO-1"), n(1.0), s("2026-11-28")],
            ],
        )],
    );
    let out = w
        .gendan()
        .args(["run", "--orders", "o.xlsx", "--shipments", "s.xlsx"])
        .args(["--as-of", AS_OF, "--out", "out", "--fail-on", "never"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("已跳过 S01"), "{err}");
    assert!(err.contains("已跳过 S05"), "{err}");
    assert!(err.contains("没有币种列"), "{err}");
    for english in [
        "warning:",
        "note:",
        "skipped",
        "order lines",
        "flags",
        "files into",
    ] {
        assert!(
            !err.contains(english),
            "{english:?} in a Chinese run: {err}"
        );
    }
}
