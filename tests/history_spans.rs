//! The history keeps a flag once for the runs it stayed open (schema 4;
//! from schema 5 a row holds the runs before its first, so extending it
//! does not change its size):
//! a flag still open next week extends its row instead of adding one, and
//! a re-run of an earlier week takes back what that week recorded — the
//! weeks after it then see the flag as it really was. Read back from the
//! run's summary and the SQLite file.

mod util;

use serde_json::Value;
use util::*;

const HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Product",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
];

/// Orders with one lasting problem (P1 is past due and not shipped: S02)
/// and P9's quantity, `bad` or a number (V02 when bad).
fn orders(w: &Work, p9_bad: bool, extra: Option<&str>) {
    orders_with(w, p9_bad, extra, "2027-03-01");
}

/// As [`orders`], with P2 due on `p2_due`.
fn orders_with(w: &Work, p9_bad: bool, extra: Option<&str>, p2_due: &str) {
    let row = |id: &str, qty: Cell, due: &str| {
        vec![
            s(id),
            s("Acme GmbH"),
            s("Mug"),
            qty,
            s("2026-10-01"),
            s(due),
            s("in production"),
            s("Wang"),
        ]
    };
    let mut rows = vec![
        header(HEAD),
        row("P1", n(10.0), "2026-11-10"),
        row("P2", n(10.0), p2_due),
        row("P9", if p9_bad { s("lots") } else { n(5.0) }, "2027-03-01"),
    ];
    if let Some(id) = extra {
        rows.push(row(id, s("many"), "2027-03-01"));
    }
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
}

fn run(w: &Work, as_of: &str) -> Value {
    let out = w
        .gendan()
        .args([
            "run",
            "--json",
            "--lang",
            "en",
            "--out",
            "out",
            "--as-of",
            as_of,
            "--orders",
            "orders.xlsx",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The week's KPI workbook.
fn kpi(w: &Work, as_of: &str) -> std::path::PathBuf {
    let week = match as_of {
        W1 => "W47",
        W2 => "W48",
        W3 => "W49",
        _ => "W50",
    };
    w.path(&format!("out/kpi-report-2026-{week}.xlsx"))
}

/// The Data issues row of `rule` on `order` in the week's KPI workbook, as
/// (open since, runs open, new since last run).
fn flag(w: &Work, as_of: &str, rule: &str, order: &str) -> (String, String, String) {
    let t = sheet_text(&kpi(w, as_of), "Data issues");
    let head = &t[2];
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let r = t
        .iter()
        .skip(3)
        .find(|r| r[col("Rule")] == rule && r[col("Order No")] == order)
        .unwrap_or_else(|| panic!("no {rule} on {order} in {t:?}"));
    (
        r[col("Open since")].clone(),
        r[col("Runs open")].clone(),
        r[col("New since last run")].clone(),
    )
}

fn f(since: &str, runs: &str, new: &str) -> (String, String, String) {
    (since.into(), runs.into(), new.into())
}

fn history(w: &Work) -> rusqlite::Connection {
    rusqlite::Connection::open(w.path("out/gendan-history.sqlite")).unwrap()
}

/// The rows the history keeps for the flags, as (rule, order, first run,
/// last run, runs open at the last run), in order.
fn spans(w: &Work) -> Vec<(String, String, String, String, i64)> {
    let c = history(w);
    let mut st = c
        .prepare(
            "SELECT rule, COALESCE(order_id, ''), first_run, last_run,
                    runs_before + (SELECT COUNT(*) FROM runs r
                        WHERE r.period_end >= first_run AND r.period_end <= last_run)
             FROM flag_spans ORDER BY rule, order_id, first_run",
        )
        .unwrap();
    st.query_map([], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn span(
    rule: &str,
    order: &str,
    first: &str,
    last: &str,
    open: i64,
) -> (String, String, String, String, i64) {
    (rule.into(), order.into(), first.into(), last.into(), open)
}

// Weeks run Monday to Sunday; each run is on the Sunday.
const W1: &str = "2026-11-22";
const W2: &str = "2026-11-29";
const W3: &str = "2026-12-06";
const W4: &str = "2026-12-13";

#[test]
fn a_flag_open_for_four_weeks_is_kept_once() {
    let w = Work::new();
    orders(&w, true, None);
    run(&w, W1);
    let first = spans(&w);
    assert_eq!(
        first,
        vec![span("S02", "P1", W1, W1, 1), span("V02", "P9", W1, W1, 1)]
    );
    run(&w, W2);
    // Both flags are still open: their rows reach the second week, and
    // nothing is added.
    assert_eq!(
        spans(&w),
        vec![span("S02", "P1", W1, W2, 2), span("V02", "P9", W1, W2, 2)]
    );
    assert_eq!(flag(&w, W1, "S02", "P1"), f(W1, "1", ""));

    // Week 3: P9 fixed (its row ends at week 2); week 4: a new problem.
    orders(&w, false, None);
    let v3 = run(&w, W3);
    assert_eq!(v3["kpis"]["flags_resolved"], 1, "{}", v3["kpis"]);
    let resolved = sheet_text(&kpi(&w, W3), "Resolved");
    assert!(
        resolved.iter().any(|r| r.iter().any(|c| c == "P9")),
        "{resolved:?}"
    );
    orders(&w, false, Some("P7"));
    run(&w, W4);
    assert_eq!(flag(&w, W4, "S02", "P1"), f(W1, "4", "no"));
    assert_eq!(flag(&w, W4, "V02", "P7"), f(W4, "1", "yes"));
    assert_eq!(
        spans(&w),
        vec![
            span("S02", "P1", W1, W4, 4),
            span("V02", "P7", W4, W4, 1),
            span("V02", "P9", W1, W2, 2),
        ]
    );
    let runs: i64 = history(&w)
        .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 4);
}

#[test]
fn running_the_same_week_twice_records_it_once() {
    let w = Work::new();
    orders(&w, true, None);
    run(&w, W1);
    run(&w, W2);
    let once = spans(&w);
    run(&w, W2);
    assert_eq!(spans(&w), once);
    assert_eq!(flag(&w, W2, "S02", "P1"), f(W1, "2", "no"));
}

#[test]
fn re_running_an_earlier_week_takes_back_what_it_recorded() {
    let w = Work::new();
    orders(&w, true, None);
    for week in [W1, W2, W3] {
        run(&w, week);
    }
    assert!(spans(&w).contains(&span("V02", "P9", W1, W3, 3)));

    // Week 2 again, with P9 fixed that week: P9's row splits around it,
    // and what follows starts again in week 3.
    orders(&w, false, None);
    run(&w, W2);
    let after = spans(&w);
    assert!(after.contains(&span("V02", "P9", W1, W1, 1)), "{after:?}");
    assert!(after.contains(&span("V02", "P9", W3, W3, 1)), "{after:?}");
    assert!(after.contains(&span("S02", "P1", W1, W3, 3)), "{after:?}");
    orders(&w, true, None);
    run(&w, W4);
    assert_eq!(flag(&w, W4, "V02", "P9"), f(W3, "2", "no"));

    // Week 2 again as it first was: the rows join, and week 4 run again
    // sees P9 open since week 1.
    run(&w, W2);
    assert!(
        spans(&w).contains(&span("V02", "P9", W1, W4, 4)),
        "{:?}",
        spans(&w)
    );
    run(&w, W4);
    assert_eq!(flag(&w, W4, "V02", "P9"), f(W1, "4", "no"));
    let p9_rows = spans(&w).iter().filter(|s| s.1 == "P9").count();
    assert_eq!(p9_rows, 1);
}

#[test]
fn a_schema_4_file_keeps_each_flags_runs_open_when_upgraded() {
    let w = Work::new();
    orders(&w, true, None);
    run(&w, W1);
    run(&w, W2);
    // Back to schema 4 as its binary wrote it: the count at the last run.
    history(&w)
        .execute_batch(
            "UPDATE flag_spans SET runs_before = runs_before + (SELECT COUNT(*) FROM runs r
                 WHERE r.period_end >= first_run AND r.period_end <= last_run);
             ALTER TABLE flag_spans RENAME COLUMN runs_before TO runs_open;
             UPDATE gendan_meta SET value = '4' WHERE key = 'schema_version';",
        )
        .unwrap();
    let v4: i64 = history(&w)
        .query_row(
            "SELECT runs_open FROM flag_spans WHERE rule = 'S02'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(v4, 2);
    // check reads the schema-4 file as it is (runs open 2 + this run) and
    // writes nothing.
    w.write(
        "t.toml",
        b"[report]\nout_dir = \"out\"\n[inputs.orders]\npaths = [\"orders.xlsx\"]\n",
    );
    let file = w.path("out/gendan-history.sqlite");
    let before = std::fs::read(&file).unwrap();
    let (_, v) = w.check_json(&["--template", "t.toml", "--lang", "en", "--as-of", W3]);
    let s02 = flags_of(&v, "S02");
    assert_eq!(s02[0]["runs_open"], 3, "{s02:?}");
    assert_eq!(std::fs::read(&file).unwrap(), before, "check changed it");
    run(&w, W3);
    assert_eq!(flag(&w, W3, "S02", "P1"), f(W1, "3", "no"));
    assert_eq!(
        spans(&w),
        vec![span("S02", "P1", W1, W3, 3), span("V02", "P9", W1, W3, 3)]
    );
    let version: String = history(&w)
        .query_row(
            "SELECT value FROM gendan_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, "5");
}

/// P2's recorded due dates, as (due date, first run, last run).
fn p2_dues(w: &Work) -> Vec<(String, String, String)> {
    let c = history(w);
    let mut st = c
        .prepare("SELECT due_date, first_run, last_run FROM due_dates WHERE order_key = 'p2' ORDER BY first_run")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn due(d: &str, first: &str, last: &str) -> (String, String, String) {
    (d.into(), first.into(), last.into())
}

#[test]
fn an_earlier_week_run_again_with_another_due_date_splits_the_promise_and_joins_it_back() {
    let w = Work::new();
    orders(&w, false, None);
    for week in [W1, W2, W3] {
        run(&w, week);
    }
    assert_eq!(p2_dues(&w), vec![due("2027-03-01", W1, W3)]);
    // Week 2 again with P2 promised a week later that week: the rows of
    // P2 say so, without overlapping.
    orders_with(&w, false, None, "2027-03-08");
    run(&w, W2);
    assert_eq!(
        p2_dues(&w),
        vec![
            due("2027-03-01", W1, W1),
            due("2027-03-08", W2, W2),
            due("2027-03-01", W3, W3),
        ]
    );
    orders(&w, false, None);
    run(&w, W4);
    assert_eq!(p2_dues(&w).last(), Some(&due("2027-03-01", W3, W4)));
    // Week 2 as it first was: one row again.
    run(&w, W2);
    assert_eq!(p2_dues(&w), vec![due("2027-03-01", W1, W4)]);
}
