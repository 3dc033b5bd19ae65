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
    // Week 1 run again, unchanged: nothing moves.
    let (dues, etas) = (due_rows(&w), eta_rows(&w));
    run(&w, "2026-11-30");
    assert_eq!(due_rows(&w), dues);
    assert_eq!(eta_rows(&w), etas);
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
    assert_eq!(meta, vec![row(&["5"])]);
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

/// Three consecutive weeks (W49–W51 of 2026) with due dates and an ETA
/// edited between them; P5 keeps an Original Due Date cell.
fn week(w: &Work, n: u32) {
    let due1 = ["2026-12-09", "2026-12-12", "2026-12-20"][n as usize - 1];
    let due2 = ["2026-12-10", "2026-12-10", "2026-12-12"][n as usize - 1];
    let eta = ["2026-12-15", "2026-12-18", "2026-12-19"][n as usize - 1];
    let mut head = O_HEAD.to_vec();
    head.push("Original Due Date");
    let with = |mut r: Vec<Cell>, orig: &str| {
        r.push(if orig.is_empty() {
            Cell::Blank
        } else {
            s(orig)
        });
        r
    };
    let mut rows = vec![
        header(&head),
        with(o("P1", due1, "in production", "Li"), ""),
        with(o("P2", due2, "in production", "Wang"), ""),
        with(o("P4", "2026-12-12", "shipped", "Li"), ""),
        with(o("P5", "2026-12-20", "in production", "Wang"), "2026-11-20"),
    ];
    if n == 3 {
        rows.push(with(o("P6", "2026-12-30", "confirmed", "Li"), ""));
    }
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    shipments(w, vec![sh("S1", "P4", "2026-11-25", eta, "")]);
}

const AS_OF: [&str; 3] = ["2026-11-30", "2026-12-07", "2026-12-14"];

fn template(w: &Work) {
    w.write(
        "t.toml",
        b"[report]\nout_dir = \"out\"\n[inputs.orders]\npaths = [\"orders.xlsx\"]\n[inputs.shipments]\npaths = [\"shipments.xlsx\"]\n",
    );
}

/// `run --template t.toml` for week `n`; the KPIs.
fn run_week(w: &Work, n: u32) -> Value {
    week(w, n);
    let out = w
        .gendan()
        .args(["run", "--json", "--template", "t.toml", "--lang", "en"])
        .arg("--owner-workbooks")
        .args(["--as-of", AS_OF[n as usize - 1]])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["kpis"].clone()
}

/// `check --json` for week `n` in `lang`; the S10 flags as (order, cell,
/// message).
fn s10(w: &Work, n: u32, lang: &str) -> Vec<(String, String, String)> {
    let v = w
        .check_json(&[
            "--template",
            "t.toml",
            "--lang",
            lang,
            "--as-of",
            AS_OF[n as usize - 1],
        ])
        .1;
    let mut f: Vec<_> = flags_of(&v, "S10")
        .iter()
        .map(|f| {
            (
                f["order_id"].as_str().unwrap_or("").to_string(),
                f["cell"].as_str().unwrap_or("").to_string(),
                f["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    f.sort();
    f
}

#[test]
fn three_weeks_of_moved_due_dates_give_s10_and_the_promise_kpis() {
    let w = Work::new();
    template(&w);

    // Week 1: no previous run. P5's Original Due Date (11-20) is its first
    // promise: re-promised once, 30 days later, S10 by the distance alone.
    let k = run_week(&w, 1);
    assert_eq!(k["due_date_changes"], Value::Null, "{k}");
    assert_eq!(k["eta_changes"], Value::Null, "{k}");
    assert_eq!(k["orders_repromised"], 1, "{k}");
    assert_eq!(k["repromise_median_days"], 30.0, "{k}");
    // Nothing first promised in W49 (11-24 – 11-30).
    assert_eq!(k["otd_rate_first_promise"], Value::Null, "{k}");

    // Week 2: P1 12-09 → 12-12 (its first change, 3 days: no S10), the ETA
    // of S1 12-15 → 12-18.
    week(&w, 2);
    let f = s10(&w, 2, "en");
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].0, "P5");
    assert_eq!(f[0].1, "E5");
    assert!(
        f[0].2.starts_with(
            "due date changed, change no. 1: 11-20 → 12-20 (first promised 11-20, 30 days later in all)"
        ),
        "{f:?}"
    );
    let k = run_week(&w, 2);
    assert_eq!(k["due_date_changes"], 1, "{k}");
    assert_eq!(k["eta_changes"], 1, "{k}");
    assert_eq!(k["orders_repromised"], 2, "{k}");
    // P1 3 days, P5 30: the mean of the middle two.
    assert_eq!(k["repromise_median_days"], 16.5, "{k}");

    // Week 3: P1 12-12 → 12-20 (again: S10), P2 12-10 → 12-12 (first
    // change), S1's ETA 12-18 → 12-19, P6 first seen.
    week(&w, 3);
    let f = s10(&w, 3, "zh");
    let orders: Vec<&str> = f.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(orders, ["P1", "P5"], "{f:?}");
    assert_eq!(f[0].1, "E2");
    assert_eq!(
        f[0].2,
        "交期第 2 次变更：12-12 → 12-20（首次承诺 12-09，累计推迟 11 天）"
    );
    assert_eq!(
        f[1].2,
        "交期第 1 次变更：11-20 → 12-20（首次承诺 11-20，累计推迟 30 天）"
    );
    let week3 = |k: &Value| {
        assert_eq!(k["due_date_changes"], 2, "{k}");
        assert_eq!(k["eta_changes"], 1, "{k}");
        // P1 (11 days), P2 (2), P5 (30); not P6, first seen now.
        assert_eq!(k["orders_repromised"], 3, "{k}");
        assert_eq!(k["repromise_median_days"], 11.0, "{k}");
        // First promised in W51 (12-08 – 12-14): P1 (12-09, not shipped),
        // P2 (12-10, not shipped), P4 (12-12, shipped 11-25).
        let r = k["otd_rate_first_promise"].as_f64().unwrap();
        assert!((r - 1.0 / 3.0).abs() < 1e-9, "{k}");
        // Against the current due date: P2 and P4 due in W51.
        assert_eq!(k["otd_rate"], 0.5, "{k}");
    };
    week3(&run_week(&w, 3));
    let kpi = w.path("out/kpi-report-2026-W51.xlsx");
    let before = sheet_text(&kpi, "Due-date changes");
    // A re-run of week 3 compares with week 2, not with the run it
    // replaces: the same KPIs, flags and sheet.
    week3(&run_week(&w, 3));
    assert_eq!(s10(&w, 3, "zh").len(), 2);
    assert_eq!(sheet_text(&kpi, "Due-date changes"), before);
    sheets(&w);
}

/// A table of a produced sheet: its header (at row `header`, from 0) and
/// the rows below it up to the first blank one.
fn rows_below(path: &Path, name: &str, header: usize) -> (Vec<String>, Vec<Vec<String>>) {
    let t = sheet_text(path, name);
    let head = t.get(header).cloned().unwrap_or_default();
    let rows = t
        .into_iter()
        .skip(header + 1)
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    (head, rows)
}

fn pick(head: &[String], row: &[String], names: &[&str]) -> Vec<String> {
    names
        .iter()
        .map(|n| {
            let i = head
                .iter()
                .position(|h| h == n)
                .unwrap_or_else(|| panic!("no column {n} in {head:?}"));
            row[i].clone()
        })
        .collect()
}

/// The sheets of the three weeks' run (after `three_weeks_…`'s runs).
fn sheets(w: &Work) {
    // Week 1 had no previous run: the sheet says so in one line.
    let first = sheet_text(&w.path("out/kpi-report-2026-W49.xlsx"), "Due-date changes");
    assert!(
        first[1][0].starts_with("No previous run with due dates"),
        "{first:?}"
    );
    let kpi = w.path("out/kpi-report-2026-W51.xlsx");
    let (head, rows) = rows_below(&kpi, "Due-date changes", 3);
    let cols = [
        "Order No",
        "What changed",
        "Was",
        "Now",
        "Moved by (days)",
        "Times changed",
        "First promised",
    ];
    let got: Vec<Vec<String>> = rows.iter().map(|r| pick(&head, r, &cols)).collect();
    assert_eq!(
        got,
        vec![
            row(&[
                "P1",
                "Due date",
                "2026-12-12",
                "2026-12-20",
                "8",
                "2",
                "2026-12-09"
            ]),
            row(&[
                "P2",
                "Due date",
                "2026-12-10",
                "2026-12-12",
                "2",
                "1",
                "2026-12-10"
            ]),
            row(&[
                "P4",
                "ETA of shipment S1",
                "2026-12-18",
                "2026-12-19",
                "1",
                "2",
                "2026-12-15"
            ]),
        ]
    );
    // Below: the open orders re-promised more than once.
    let all = sheet_text(&kpi, "Due-date changes");
    let title = all
        .iter()
        .position(|r| {
            r.first().map(String::as_str) == Some("Open orders re-promised more than once")
        })
        .expect("the re-promised title");
    let (head, rows) = rows_below(&kpi, "Due-date changes", title + 1);
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| pick(&head, r, &["Order No", "Times changed", "Moved by (days)"]))
        .collect();
    assert_eq!(got, vec![row(&["P1", "2", "11"])]);

    // Delivery: the first promise beside the due date.
    let (head, rows) = rows_below(&kpi, "Delivery", 2);
    let mut got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            pick(
                &head,
                r,
                &["Order No", "First promised", "On time to first promise"],
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            row(&["P2", "2026-12-10", "no"]),
            row(&["P4", "2026-12-12", "yes"]),
        ]
    );
    // By owner: open orders re-promised per merchandiser.
    let (head, rows) = rows_below(&kpi, "By owner", 2);
    let got: Vec<Vec<String>> = rows
        .iter()
        .map(|r| pick(&head, r, &["Merchandiser", "Re-promised orders"]))
        .collect();
    assert_eq!(got, vec![row(&["Li", "1"]), row(&["Wang", "2"])]);
    // Summary: OTD against the first promise right below OTD.
    let summary = sheet_text(&kpi, "Summary");
    let at = summary
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("On-time delivery (OTD)"))
        .expect("the OTD row");
    assert_eq!(summary[at + 1][0], "OTD against the first promise");
    // The trend beside the charts has it too, and the OTD line chart draws
    // it, where the history has a previous run (not in week 1).
    let has_trend = |t: &[Vec<String>]| {
        t.iter()
            .any(|r| r.iter().any(|c| c == "OTD vs first promise"))
    };
    assert!(has_trend(&summary), "{summary:?}");
    let week1 = w.path("out/kpi-report-2026-W49.xlsx");
    assert!(!has_trend(&sheet_text(&week1, "Summary")));
    let series = |p: &Path| {
        zip_entry(p, "xl/charts/chart1.xml")
            .matches("<c:ser>")
            .count()
    };
    assert_eq!((series(&week1), series(&kpi)), (2, 3));

    // Each merchandiser's workbook has their own changes.
    let own = |name: &str| {
        let p = w.path(&format!("out/owners/2026-W51/{name}.xlsx"));
        let (head, rows) = rows_below(&p, "Due-date changes", 3);
        rows.iter()
            .map(|r| pick(&head, r, &["Order No"])[0].clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(own("Li"), ["P1", "P4"]);
    assert_eq!(own("Wang"), ["P2"]);

    // gendan history: OTD against the first promise and the changes.
    let out = w
        .gendan()
        .args(["history", "--template", "t.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<Vec<&str>> = text
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        &lines[0][..5],
        ["period", "as_of", "OTD", "OTD-first", "moved"],
        "{text}"
    );
    assert_eq!(
        &lines[1][..5],
        ["2026-W49", "2026-11-30", "—", "—", "—"],
        "{text}"
    );
    assert_eq!(
        &lines[3][..5],
        ["2026-W51", "2026-12-14", "50.0%", "33.3%", "2"],
        "{text}"
    );
}

#[test]
fn a_run_killed_while_saving_leaves_the_promise_history_as_it_was() {
    let w = Work::new();
    template(&w);
    run_week(&w, 1);
    run_week(&w, 2);
    let dues = due_rows(&w);
    let etas = eta_rows(&w);
    let runs = query(
        &hist(&w),
        "SELECT period, promises FROM runs ORDER BY period",
    );
    // Week 3 dies while its reports are written (the history's
    // transaction is open, not committed).
    week(&w, 3);
    let out = w
        .gendan()
        .env("GENDAN_TEST_CRASH_BEFORE_RENAME", "1")
        .args(["run", "--template", "t.toml", "--as-of", AS_OF[2], "-q"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(due_rows(&w), dues);
    assert_eq!(eta_rows(&w), etas);
    assert_eq!(
        query(
            &hist(&w),
            "SELECT period, promises FROM runs ORDER BY period"
        ),
        runs
    );
    // The next run of week 3 compares with week 2 as if nothing happened.
    let k = run_week(&w, 3);
    assert_eq!(k["due_date_changes"], 2, "{k}");
    assert_eq!(k["eta_changes"], 1, "{k}");
}
