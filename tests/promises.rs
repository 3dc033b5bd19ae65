//! Promise history (spec section 14): the due dates and ETAs the history
//! keeps from run to run (schema 3, an unchanged value adds nothing), the
//! upgrade of a schema-2 history on the first save, and `check` reading
//! it without changing a byte.

mod util;

use std::path::Path;

use serde_json::Value;
use util::*;

const O_HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Last Updated",
];

fn o(id: &str, due: &str, status: &str, owner: &str) -> Vec<Cell> {
    vec![
        s(id),
        s("Acme GmbH"),
        n(10.0),
        s("2026-10-01"),
        s(due),
        s(status),
        s(owner),
        s("2026-11-01"),
    ]
}

fn orders(w: &Work, rows: Vec<Vec<Cell>>) {
    let mut all = vec![header(O_HEAD)];
    all.extend(rows);
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", all)]);
}

const S_HEAD: &[&str] = &[
    "Shipment No",
    "Order No",
    "Qty Shipped",
    "Ship Date",
    "ETA",
    "Delivered Date",
];

fn sh(id: &str, order: &str, ship: &str, eta: &str, delivered: &str) -> Vec<Cell> {
    let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![s(id), s(order), n(10.0), t(ship), t(eta), t(delivered)]
}

fn shipments(w: &Work, rows: Vec<Vec<Cell>>) {
    let mut all = vec![header(S_HEAD)];
    all.extend(rows);
    w.xlsx("shipments.xlsx", vec![Sheet::new("Shipments", all)]);
}

/// `run --json` into `out/`; the summary.
fn run(w: &Work, as_of: &str) -> Value {
    let mut cmd = w.gendan();
    cmd.args([
        "run", "--json", "--lang", "en", "--out", "out", "--as-of", as_of,
    ]);
    cmd.args(["--orders", "orders.xlsx"]);
    if w.path("shipments.xlsx").exists() {
        cmd.args(["--shipments", "shipments.xlsx"]);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn hist(w: &Work) -> std::path::PathBuf {
    w.path("out/gendan-history.sqlite")
}

fn query(path: &Path, sql: &str) -> Vec<Vec<String>> {
    let c = rusqlite::Connection::open(path).unwrap();
    let mut st = c.prepare(sql).unwrap();
    let n = st.column_count();
    let rows = st
        .query_map([], |r| {
            (0..n)
                .map(|i| {
                    r.get::<_, rusqlite::types::Value>(i).map(|v| match v {
                        rusqlite::types::Value::Text(t) => t,
                        rusqlite::types::Value::Integer(i) => i.to_string(),
                        rusqlite::types::Value::Null => "NULL".into(),
                        other => format!("{other:?}"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .unwrap();
    rows.map(Result::unwrap).collect()
}

fn due_rows(w: &Work) -> Vec<Vec<String>> {
    query(
        &hist(w),
        "SELECT order_key, due_date, first_run, last_run FROM due_dates ORDER BY order_key, first_run",
    )
}

fn eta_rows(w: &Work) -> Vec<Vec<String>> {
    query(
        &hist(w),
        "SELECT order_key, ship_id, eta, first_run, last_run FROM etas ORDER BY order_key, ship_id, first_run",
    )
}

fn row(x: &[&str]) -> Vec<String> {
    x.iter().map(|s| s.to_string()).collect()
}

#[test]
fn an_unchanged_due_date_or_eta_adds_nothing_to_the_history() {
    let w = Work::new();
    let week1 = || {
        orders(
            &w,
            vec![
                o("P1", "2026-12-20", "in production", "Li"),
                o("P2", "2026-12-10", "shipped", "Wang"),
            ],
        );
        shipments(
            &w,
            vec![
                sh("S1", "P2", "2026-11-25", "2026-12-15", ""),
                // Delivered: no ETA kept.
                sh("S2", "P2", "2026-11-20", "2026-11-28", "2026-11-27"),
            ],
        );
    };
    week1();
    run(&w, "2026-11-30");
    assert_eq!(
        due_rows(&w),
        vec![
            row(&["p1", "2026-12-20", "2026-11-30", "2026-11-30"]),
            row(&["p2", "2026-12-10", "2026-11-30", "2026-11-30"]),
        ]
    );
    assert_eq!(
        eta_rows(&w),
        vec![row(&["p2", "S1", "2026-12-15", "2026-11-30", "2026-11-30"])]
    );
    // Week 2, nothing changed: the same rows, seen until week 2.
    run(&w, "2026-12-07");
    assert_eq!(
        due_rows(&w),
        vec![
            row(&["p1", "2026-12-20", "2026-11-30", "2026-12-07"]),
            row(&["p2", "2026-12-10", "2026-11-30", "2026-12-07"]),
        ]
    );
    assert_eq!(eta_rows(&w).len(), 1);
    // Week 3: P1's due date and S1's ETA move, one row each.
    orders(
        &w,
        vec![
            o("P1", "2026-12-28", "in production", "Li"),
            o("P2", "2026-12-10", "shipped", "Wang"),
        ],
    );
    shipments(
        &w,
        vec![
            sh("S1", "P2", "2026-11-25", "2026-12-18", ""),
            sh("S2", "P2", "2026-11-20", "2026-11-28", "2026-11-27"),
        ],
    );
    run(&w, "2026-12-14");
    assert_eq!(
        due_rows(&w),
        vec![
            row(&["p1", "2026-12-20", "2026-11-30", "2026-12-07"]),
            row(&["p1", "2026-12-28", "2026-12-14", "2026-12-14"]),
            row(&["p2", "2026-12-10", "2026-11-30", "2026-12-14"]),
        ]
    );
    assert_eq!(
        eta_rows(&w),
        vec![
            row(&["p2", "S1", "2026-12-15", "2026-11-30", "2026-12-07"]),
            row(&["p2", "S1", "2026-12-18", "2026-12-14", "2026-12-14"]),
        ]
    );
    // A re-run of week 3 with week 2's values takes back what week 3
    // recorded: the rows are week 2's, seen until week 3.
    week1();
    run(&w, "2026-12-14");
    assert_eq!(
        due_rows(&w),
        vec![
            row(&["p1", "2026-12-20", "2026-11-30", "2026-12-14"]),
            row(&["p2", "2026-12-10", "2026-11-30", "2026-12-14"]),
        ]
    );
    assert_eq!(
        eta_rows(&w),
        vec![row(&["p2", "S1", "2026-12-15", "2026-11-30", "2026-12-14"])]
    );
}

/// A history file as gendan wrote it at schema 2 (before due dates).
fn v2_history(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE gendan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE runs (period TEXT PRIMARY KEY, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
             as_of TEXT NOT NULL, template TEXT, input_hashes TEXT NOT NULL, kpis TEXT NOT NULL,
             flags_error INTEGER NOT NULL, flags_warning INTEGER NOT NULL, flags_info INTEGER NOT NULL);
         CREATE TABLE flags (period TEXT NOT NULL REFERENCES runs(period) ON DELETE CASCADE,
             fingerprint TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, table_name TEXT NOT NULL,
             order_id TEXT, owner TEXT, file TEXT NOT NULL, sheet TEXT NOT NULL, cell TEXT NOT NULL,
             first_seen TEXT NOT NULL, runs_open INTEGER NOT NULL, message TEXT,
             fp_version INTEGER NOT NULL DEFAULT 1, PRIMARY KEY (period, fingerprint));
         INSERT INTO gendan_meta VALUES ('schema_version', '2');
         INSERT INTO runs VALUES ('2026-W48', '2026-11-17', '2026-11-23', '2026-11-23', NULL, '[]',
             '{\"orders_due\": 7, \"open_orders\": 9}', 1, 0, 0);
         INSERT INTO flags VALUES ('2026-W48', 'S02|orders|p1|order_id|', 'S02', 'error', 'orders', 'P1', 'Li',
             'orders.xlsx', 'Orders', 'A2', '2026-11-09', 2, 'overdue', 2);",
    )
    .unwrap();
}

#[test]
fn a_schema_2_history_is_read_by_check_unchanged_and_upgraded_on_the_first_save() {
    let w = Work::new();
    orders(
        &w,
        vec![
            o("P1", "2026-11-10", "in production", "Li"),
            o("P2", "2026-12-20", "confirmed", "Wang"),
        ],
    );
    std::fs::create_dir_all(w.path("out")).unwrap();
    let path = hist(&w);
    v2_history(&path);
    let before = std::fs::read(&path).unwrap();
    w.write(
        "t.toml",
        b"[report]\nout_dir = \"out\"\n[inputs.orders]\npaths = [\"orders.xlsx\"]\n",
    );
    let v = w
        .check_json(&[
            "--template",
            "t.toml",
            "--lang",
            "en",
            "--as-of",
            "2026-11-30",
        ])
        .1;
    let s02 = flags_of(&v, "S02");
    assert_eq!(s02[0]["first_seen"], "2026-11-09", "{s02:?}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "check changed it");

    let v = run(&w, "2026-11-30");
    assert_eq!(v["kpis"]["flags_still_open"], 1, "{}", v["kpis"]);
    let meta = query(
        &path,
        "SELECT value FROM gendan_meta WHERE key = 'schema_version'",
    );
    assert_eq!(meta, vec![row(&["3"])]);
    assert_eq!(
        query(&path, "SELECT period, promises FROM runs ORDER BY period"),
        vec![row(&["2026-W48", "0"]), row(&["2026-W49", "1"])]
    );
    assert_eq!(due_rows(&w).len(), 2);
    // check reads the upgraded file and leaves it as it is.
    let before = std::fs::read(&path).unwrap();
    w.check_json(&[
        "--template",
        "t.toml",
        "--lang",
        "en",
        "--as-of",
        "2026-12-07",
    ]);
    assert_eq!(std::fs::read(&path).unwrap(), before, "check changed it");
}
