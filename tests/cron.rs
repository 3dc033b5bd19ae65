//! Running from cron (spec section 8): atomic outputs, the lock, and the
//! SQLite history with previous period, first_seen and runs_open.

mod util;

use calamine::Data;
use predicates::str::contains;
use serde_json::Value;
use util::*;

fn orders(w: &Work) {
    let mut rows = vec![header(&ORDER_HEADER_EN)];
    // Overdue in both weeks (S02), and one order due later.
    rows.push(order_row(
        "PO-1",
        "Acme",
        10.0,
        (2026, 11, 1),
        (2026, 11, 20),
        "in production",
        "Li",
    ));
    rows.push(order_row(
        "PO-2",
        "Bolt",
        10.0,
        (2026, 11, 1),
        (2026, 12, 20),
        "confirmed",
        "Wang",
    ));
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
}

fn run(w: &Work, as_of: &str) -> std::process::Output {
    w.gendan()
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            as_of,
            "--out",
            "out",
            "--lang",
            "en",
            "--json",
            "-q",
        ])
        .output()
        .unwrap()
}

#[test]
fn a_run_killed_before_rename_leaves_the_previous_report_intact() {
    let w = Work::new();
    orders(&w);
    assert!(run(&w, "2026-11-30").status.success());
    let report = w.path("out/kpi-report-2026-W49.xlsx");
    let before = std::fs::read(&report).unwrap();
    // Same period again, with different data, dying before the rename.
    let mut rows = vec![header(&ORDER_HEADER_EN)];
    rows.push(order_row(
        "PO-9",
        "Cora",
        5.0,
        (2026, 11, 2),
        (2026, 11, 21),
        "confirmed",
        "Li",
    ));
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    let out = w
        .gendan()
        .env("GENDAN_TEST_CRASH_BEFORE_RENAME", "1")
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            "2026-11-30",
            "--out",
            "out",
            "-q",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        std::fs::read(&report).unwrap(),
        before,
        "previous workbook byte-identical"
    );
    let names: Vec<String> = std::fs::read_dir(w.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().any(|n| n.ends_with(".tmp")),
        "the killed run left its temp file: {names:?}"
    );
    // The next run cleans up and replaces the report.
    assert!(run(&w, "2026-11-30").status.success());
    let names: Vec<String> = std::fs::read_dir(w.path("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".tmp")), "{names:?}");
    assert_ne!(std::fs::read(&report).unwrap(), before);
}

#[test]
fn a_second_run_while_the_lock_is_held_exits_1_naming_the_holder() {
    use std::io::Write;
    let w = Work::new();
    orders(&w);
    std::fs::create_dir_all(w.path("out")).unwrap();
    let mut lock = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(w.path("out/.gendan.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    lock.write_all(b"pid 4242 started 2026-11-30 06:00:00\n")
        .unwrap();
    w.gendan()
        .args([
            "run",
            "--orders",
            "orders.xlsx",
            "--as-of",
            "2026-11-30",
            "--out",
            "out",
            "-q",
            "--lang",
            "en",
        ])
        .assert()
        .code(1)
        .stderr(contains("another gendan run"))
        .stderr(contains("pid 4242"));
    assert!(!w.path("out/kpi-report-2026-W49.xlsx").exists());
    drop(lock);
    assert!(
        run(&w, "2026-11-30").status.success(),
        "the lock is free once its holder is gone"
    );
}

#[test]
fn a_corrupt_history_is_left_untouched_and_reports_are_still_written() {
    let w = Work::new();
    orders(&w);
    std::fs::create_dir_all(w.path("out")).unwrap();
    let junk = b"this is not an SQLite database, but someone's notes\n".repeat(200);
    let hist = w.write("out/gendan-history.sqlite", &junk);
    let out = run(&w, "2026-11-30");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("left untouched"));
    assert_eq!(std::fs::read(&hist).unwrap(), junk);
    assert!(w.path("out/kpi-report-2026-W49.xlsx").exists());
    // A foreign SQLite database is not touched either.
    let w2 = Work::new();
    orders(&w2);
    std::fs::create_dir_all(w2.path("out")).unwrap();
    let foreign = w2.path("out/gendan-history.sqlite");
    {
        let c = rusqlite::Connection::open(&foreign).unwrap();
        c.execute_batch("CREATE TABLE notes (x TEXT); INSERT INTO notes VALUES ('keep me');")
            .unwrap();
    }
    let before = std::fs::read(&foreign).unwrap();
    let out = run(&w2, "2026-11-30");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a gendan history"));
    assert_eq!(std::fs::read(&foreign).unwrap(), before);
}

fn summary_value(path: &std::path::Path, label: &str, col: usize) -> Data {
    let r = sheet(path, "Summary");
    r.rows()
        .find(|row| row[0] == label)
        .map(|row| row.get(col).cloned().unwrap_or(Data::Empty))
        .unwrap()
}

#[test]
fn two_weeks_give_previous_values_and_flag_ages() {
    let w = Work::new();
    orders(&w);
    let first: Value = serde_json::from_slice(&run(&w, "2026-11-23").stdout).unwrap();
    assert_eq!(first["period"]["label"], "2026-W48");
    // The first report has no previous period yet.
    let p1 = w.path("out/kpi-report-2026-W48.xlsx");
    assert_eq!(summary_value(&p1, "Open orders", 2), Data::Empty);
    // Add an order so the open count changes.
    let mut rows = vec![header(&ORDER_HEADER_EN)];
    rows.push(order_row(
        "PO-1",
        "Acme",
        10.0,
        (2026, 11, 1),
        (2026, 11, 20),
        "in production",
        "Li",
    ));
    rows.push(order_row(
        "PO-2",
        "Bolt",
        10.0,
        (2026, 11, 1),
        (2026, 12, 20),
        "confirmed",
        "Wang",
    ));
    rows.push(order_row(
        "PO-3",
        "Cora",
        10.0,
        (2026, 11, 25),
        (2026, 12, 22),
        "confirmed",
        "Wang",
    ));
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    let second: Value = serde_json::from_slice(&run(&w, "2026-11-30").stdout).unwrap();
    let p2 = w.path("out/kpi-report-2026-W49.xlsx");
    assert_eq!(first["kpis"]["open_orders"], 2);
    assert_eq!(second["kpis"]["open_orders"], 3);
    assert_eq!(summary_value(&p2, "Open orders", 1), Data::Float(3.0));
    assert_eq!(
        summary_value(&p2, "Open orders", 2),
        Data::Float(2.0),
        "previous period"
    );
    assert_eq!(
        summary_value(&p2, "Open orders", 3),
        Data::Float(1.0),
        "change"
    );
    // The trend of data issues lists both weeks, the first from the history.
    let sr = sheet(&p2, "Summary");
    let trend: Vec<(String, Data)> = sr
        .rows()
        .filter(|row| matches!(&row[0], Data::String(s) if s.starts_with("2026-W4")))
        .map(|row| (row[0].to_string(), row[1].clone()))
        .collect();
    assert_eq!(
        trend,
        vec![
            (
                "2026-W48".to_string(),
                Data::Float(first["kpis"]["flags_error"].as_f64().unwrap())
            ),
            (
                "2026-W49".to_string(),
                Data::Float(second["kpis"]["flags_error"].as_f64().unwrap())
            ),
        ]
    );
    // The S02 flag of PO-1 was seen in both weeks.
    let r = sheet(&p2, "Data issues");
    let head: Vec<String> = r
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let s02 = r
        .rows()
        .skip(3)
        .find(|row| row[col("Rule")] == "S02" && row[col("Order No")] == "PO-1")
        .expect("S02 row");
    match &s02[col("Open since")] {
        Data::DateTime(d) => assert_eq!(d.as_datetime().unwrap().date().to_string(), "2026-11-23"),
        other => panic!("open since is a date cell: {other:?}"),
    }
    assert_eq!(s02[col("Runs open")], Data::Float(2.0));
    // `gendan history` lists both weeks.
    w.gendan()
        .args(["history", "--out", "out"])
        .assert()
        .code(0)
        .stdout(contains("2026-W48"))
        .stdout(contains("2026-W49"));
    // Re-running a week replaces it rather than adding a row.
    assert!(run(&w, "2026-11-30").status.success());
    let c = rusqlite::Connection::open(w.path("out/gendan-history.sqlite")).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 2);
}

#[test]
fn a_locked_history_is_waited_on_then_the_run_goes_on_without_it() {
    let w = Work::new();
    orders(&w);
    assert!(run(&w, "2026-11-23").status.success());
    let holder = rusqlite::Connection::open(w.path("out/gendan-history.sqlite")).unwrap();
    holder.execute_batch("BEGIN EXCLUSIVE;").unwrap();
    let started = std::time::Instant::now();
    let out = run(&w, "2026-11-30");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "it waited for the lock"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("busy") && err.contains("without history"),
        "{err}"
    );
    assert!(w.path("out/kpi-report-2026-W49.xlsx").exists());
    holder.execute_batch("ROLLBACK;").unwrap();
    let n: i64 = holder
        .query_row("SELECT count(*) FROM runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "the locked history was not written");
}

/// The README's cron line logs gendan's own exit code, in bash and in dash
/// (it used to log the exit code of `date` under bash).
#[test]
fn the_readme_cron_line_logs_gendans_exit_code_in_bash_and_dash() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```cron")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("a cron block in README");
    let line = block
        .lines()
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .expect("a cron line");
    // The command: everything after the five schedule fields.
    let command = line
        .split_whitespace()
        .skip(5)
        .collect::<Vec<_>>()
        .join(" ");
    for shell in ["bash", "dash"] {
        if std::process::Command::new(shell)
            .arg("-c")
            .arg("true")
            .status()
            .is_err()
        {
            eprintln!("{shell} not installed; skipped");
            continue;
        }
        let w = Work::new();
        std::fs::create_dir_all(w.path("logs")).unwrap();
        let fake = w.write("gendan", b"#!/bin/sh\necho fake run >&2\nexit 3\n");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cmd = command.replace("/srv/gendan", &w.dir.path().display().to_string());
        let status = std::process::Command::new(shell)
            .arg("-c")
            .arg(&cmd)
            .status()
            .unwrap();
        assert!(status.success(), "{shell}: {cmd}");
        let log = std::fs::read_to_string(w.path("logs/gendan.log")).unwrap();
        assert!(log.contains("fake run"), "{shell}: {log}");
        assert!(log.trim_end().ends_with("gendan exit 3"), "{shell}: {log}");
    }
}
