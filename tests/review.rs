//! The weekly review (spec rev4, sections 5–7): S09 and the look-ahead,
//! what changed since the previous run (new / still open / resolved, from
//! the history, also from a history written before schema 2), the Coming
//! up, By department and Resolved sheets, owner workbooks and marked
//! copies — every one read back from the produced files.

mod util;

use std::collections::BTreeSet;
use std::path::Path;

use calamine::{open_workbook, Data, Reader, Xlsx};
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
    "Department",
];

fn o(id: &str, qty: Cell, due: &str, status: &str, owner: &str, dept: &str) -> Vec<Cell> {
    let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s(id),
        s("Acme GmbH"),
        qty,
        s("2026-11-01"),
        t(due),
        t(status),
        t(owner),
        s("2026-11-22"),
        t(dept),
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
    "Carrier",
    "ETA",
    "Delivered Date",
    "B/L No",
];

fn sh(id: &str, order: &str, ship: &str, eta: &str, bl: &str) -> Vec<Cell> {
    let t = |x: &str| if x.is_empty() { Cell::Blank } else { s(x) };
    vec![
        s(id),
        s(order),
        n(10.0),
        t(ship),
        s("COSCO"),
        t(eta),
        Cell::Blank,
        t(bl),
    ]
}

fn shipments(w: &Work, rows: Vec<Vec<Cell>>) {
    let mut all = vec![header(S_HEAD)];
    all.extend(rows);
    w.xlsx("shipments.xlsx", vec![Sheet::new("Shipments", all)]);
}

/// `run --json` in `w` with the inputs given and `args`; the summary.
fn run(w: &Work, as_of: &str, args: &[&str]) -> Value {
    let mut cmd = w.gendan();
    cmd.args([
        "run", "--json", "--lang", "en", "--out", "out", "--as-of", as_of,
    ]);
    cmd.args(["--orders", "orders.xlsx"]);
    if w.path("shipments.xlsx").exists() {
        cmd.args(["--shipments", "shipments.xlsx"]);
    }
    let out = cmd.args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// `check --json`, with the history of `out/` (through a template).
fn check(w: &Work, as_of: &str) -> Value {
    w.write("check.toml", b"[report]\nout_dir = \"out\"\n");
    let mut args = vec!["--template", "check.toml", "--lang", "en", "--as-of", as_of];
    args.extend(["--orders", "orders.xlsx"]);
    if w.path("shipments.xlsx").exists() {
        args.extend(["--shipments", "shipments.xlsx"]);
    }
    w.check_json(&args).1
}

/// The rows of a sheet below its header row (`header` 0-based), as text.
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

fn col(head: &[String], name: &str) -> usize {
    head.iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {head:?}"))
}

/// A flag as this test tells flags apart: rule and order.
fn ids(v: &Value) -> BTreeSet<(String, String)> {
    items(v)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["order_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn week1(w: &Work) {
    orders(
        w,
        vec![
            o(
                "PO-1",
                n(100.0),
                "2026-11-20",
                "in production",
                "Wang",
                "production",
            ),
            o("PO-2", s("abc"), "2026-12-28", "confirmed", "Wang", "sales"),
            o(
                "PO-3",
                n(50.0),
                "2026-12-20",
                "in production",
                "Li",
                "quality",
            ),
            o("PO-4", n(70.0), "2026-12-24", "pending", "Li", "sales"),
        ],
    );
}

fn week2(w: &Work) {
    // A row inserted above: flags are recognised by order, not by row.
    orders(
        w,
        vec![
            o("PO-5", n(10.0), "2026-12-30", "ready", "Li", "logistics"),
            o(
                "PO-1",
                n(100.0),
                "2026-11-20",
                "cancelled",
                "Wang",
                "production",
            ),
            o("PO-2", s("abc"), "2026-12-28", "confirmed", "Wang", "sales"),
            o(
                "PO-3",
                n(50.0),
                "2026-11-25",
                "in production",
                "Li",
                "quality",
            ),
            o("PO-4", n(70.0), "2026-12-24", "pending", "Li", "sales"),
        ],
    );
}

#[test]
fn two_weeks_give_new_still_open_and_resolved_flags() {
    let w = Work::new();
    week1(&w);
    let before = ids(&check(&w, "2026-11-23"));
    let v1 = run(&w, "2026-11-23", &[]);
    // A first run has nothing to compare with: null, and an empty Resolved.
    for k in ["flags_new", "flags_still_open", "flags_resolved"] {
        assert!(v1["kpis"][k].is_null(), "{k}: {}", v1["kpis"][k]);
    }
    let kpi1 = w.path("out/kpi-report-2026-W48.xlsx");
    let (_, resolved1) = rows_below(&kpi1, "Resolved", 3);
    assert!(resolved1.is_empty(), "{resolved1:?}");
    let note = &sheet_text(&kpi1, "Resolved")[1][0];
    assert!(note.starts_with("First run"), "{note}");
    let (head, issues1) = rows_below(&kpi1, "Data issues", 2);
    let new_col = col(&head, "New since last run");
    assert!(issues1.iter().all(|r| r[new_col].is_empty()), "{issues1:?}");

    week2(&w);
    let after_check = check(&w, "2026-11-30");
    let after = ids(&after_check);
    let v2 = run(&w, "2026-11-30", &[]);
    let new: BTreeSet<_> = after.difference(&before).cloned().collect();
    let still: BTreeSet<_> = after.intersection(&before).cloned().collect();
    let gone: BTreeSet<_> = before.difference(&after).cloned().collect();
    // The case is built so that each kind is there.
    assert!(gone.contains(&("S02".into(), "PO-1".into())), "{gone:?}");
    assert!(new.contains(&("S02".into(), "PO-3".into())), "{new:?}");
    assert!(still.contains(&("V02".into(), "PO-2".into())), "{still:?}");
    assert!(still.contains(&("S03".into(), "PO-4".into())), "{still:?}");
    let k = &v2["kpis"];
    assert_eq!(k["flags_new"], new.len(), "{k}");
    assert_eq!(k["flags_still_open"], still.len(), "{k}");
    assert_eq!(k["flags_resolved"], gone.len(), "{k}");

    // The Resolved sheet: the previous run's flags that are gone, with the
    // message as it was.
    let kpi2 = w.path("out/kpi-report-2026-W49.xlsx");
    let (head, rows) = rows_below(&kpi2, "Resolved", 3);
    let listed: BTreeSet<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[col(&head, "Rule")].clone(),
                r[col(&head, "Order No")].clone(),
            )
        })
        .collect();
    assert_eq!(listed, gone);
    let s02 = rows
        .iter()
        .find(|r| r[col(&head, "Rule")] == "S02")
        .unwrap();
    assert!(s02[col(&head, "Message")].contains("2026-11-20"), "{s02:?}");
    assert_eq!(s02[col(&head, "First seen")], "2026-11-23");

    // Data issues says which flags are new, and the ages go on.
    let (head, issues) = rows_below(&kpi2, "Data issues", 2);
    for r in &issues {
        let id = (
            r[col(&head, "Rule")].clone(),
            r[col(&head, "Order No")].clone(),
        );
        let expect = if new.contains(&id) { "yes" } else { "no" };
        assert_eq!(r[col(&head, "New since last run")], expect, "{r:?}");
        if still.contains(&id) {
            assert_eq!(r[col(&head, "Runs open")], "2", "{r:?}");
            assert_eq!(r[col(&head, "Open since")], "2026-11-23", "{r:?}");
        }
    }
    // check --json carries `new` on each flag.
    let po3 = items(&after_check)
        .into_iter()
        .find(|f| f["rule"] == "S02")
        .unwrap();
    assert_eq!(po3["new"], true, "{po3}");

    // The Summary's flags by severity gain new / still open / resolved.
    let summary = sheet_text(&kpi2, "Summary");
    let at = summary
        .iter()
        .position(|r| r.first().map(String::as_str) == Some("Severity"))
        .unwrap_or_else(|| panic!("{summary:?}"));
    assert_eq!(
        summary[at][..5],
        [
            "Severity",
            "Count",
            "New since last run",
            "Still open",
            "Resolved since last run"
        ]
    );
    let errors = &summary[at + 1];
    assert_eq!(errors[0], "Errors");
    let error_new = items(&after_check)
        .iter()
        .filter(|f| f["severity"] == "error" && f["new"] == true)
        .count();
    let error_ids = items(&after_check)
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["order_id"].as_str().unwrap_or("").to_string(),
            )
        })
        .filter(|id| new.contains(id))
        .count();
    assert_eq!(error_new, error_ids);
    assert_eq!(errors[2], error_new.to_string(), "{errors:?}");

    // By owner: new and resolved per owner.
    let (head, owners) = rows_below(&kpi2, "By owner", 2);
    let wang = owners.iter().find(|r| r[0] == "Wang").unwrap();
    assert_eq!(wang[col(&head, "Resolved since last run")], "1", "{wang:?}");
    let li = owners.iter().find(|r| r[0] == "Li").unwrap();
    let li_new = items(&after_check)
        .iter()
        .filter(|f| {
            f["owner"] == "Li"
                && new.contains(&(
                    f["rule"].as_str().unwrap().into(),
                    f["order_id"].as_str().unwrap().into(),
                ))
        })
        .count();
    assert_eq!(
        li[col(&head, "New since last run")],
        li_new.to_string(),
        "{li:?}"
    );

    // A re-run of week 2 compares with week 1 again, not with itself.
    let again = run(&w, "2026-11-30", &[]);
    assert_eq!(again["kpis"]["flags_resolved"], gone.len());
    assert_eq!(again["kpis"]["flags_new"], new.len());
}

#[test]
fn s09_and_the_coming_up_sheet_look_one_period_ahead() {
    let w = Work::new();
    // As of Monday 2026-11-30: the next week is 2026-12-01 … 2026-12-07.
    orders(
        &w,
        vec![
            o(
                "A-4",
                n(10.0),
                "2026-12-04",
                "in production",
                "Wang",
                "production",
            ),
            o("B-4", n(10.0), "2026-12-04", "ready", "Wang", "logistics"),
            o(
                "C-8",
                n(10.0),
                "2026-12-08",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "D-0",
                n(10.0),
                "2026-11-30",
                "in production",
                "Wang",
                "production",
            ),
            o("E-7", n(10.0), "2026-12-07", "", "Li", ""),
            o("F-1", n(10.0), "2026-12-01", "shipped", "Li", "logistics"),
            o("G-2", n(10.0), "2026-12-20", "shipped", "Li", "logistics"),
        ],
    );
    shipments(
        &w,
        vec![
            sh("S1", "F-1", "2026-11-20", "2026-12-03", "COSU123"),
            sh("S2", "G-2", "2026-11-25", "2026-12-09", "COSU456"),
            // Booked: no ship date yet, so not an arrival.
            sh("S3", "G-2", "", "2026-12-02", ""),
        ],
    );
    let v = check(&w, "2026-11-30");
    let s09: BTreeSet<String> = flags_of(&v, "S09")
        .iter()
        .map(|f| f["order_id"].as_str().unwrap().to_string())
        .collect();
    // Not ready and due in 4 days; unknown status in 7; not the ready one,
    // not the one due in 8 days, not the one due today.
    assert_eq!(s09, BTreeSet::from(["A-4".to_string(), "E-7".to_string()]));
    let a4 = flags_of(&v, "S09")
        .into_iter()
        .find(|f| f["order_id"] == "A-4")
        .unwrap();
    assert_eq!(a4["severity"], "info");
    assert_eq!(a4["cell"], "A2");
    assert!(
        a4["message"].as_str().unwrap().contains("due in 4 days"),
        "{a4}"
    );

    let v = run(&w, "2026-11-30", &[]);
    let k = &v["kpis"];
    // F-1 is shipped in full: not open, so not due next period.
    assert_eq!(k["due_next_period"], 3, "{k}");
    assert_eq!(k["due_next_period_not_ready"], 2, "{k}");
    assert_eq!(k["arrivals_next_period"], 1, "{k}");

    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let t = sheet_text(&kpi, "Coming up");
    let head = &t[2];
    let orders_rows: Vec<&Vec<String>> = t
        .iter()
        .skip(3)
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    assert_eq!(
        orders_rows.len() as u64,
        k["due_next_period"].as_u64().unwrap()
    );
    let ids: Vec<&str> = orders_rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids, ["A-4", "B-4", "E-7"], "soonest first");
    let nr = col(head, "Not ready");
    let marked: Vec<&str> = orders_rows
        .iter()
        .filter(|r| r[nr] == "yes")
        .map(|r| r[0].as_str())
        .collect();
    assert_eq!(marked, ["A-4", "E-7"]);
    assert_eq!(orders_rows[0][col(head, "Days left")], "4");
    // The shipments table below: header, then the arrivals.
    let ship_head = 3 + orders_rows.len() + 2;
    assert_eq!(t[ship_head][0], "Shipment No", "{t:?}");
    let arrivals: Vec<&Vec<String>> = t
        .iter()
        .skip(ship_head + 1)
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .collect();
    assert_eq!(
        arrivals.len() as u64 + orders_rows.len() as u64,
        k["due_next_period"].as_u64().unwrap() + k["arrivals_next_period"].as_u64().unwrap()
    );
    let sh_head = &t[ship_head];
    assert_eq!(arrivals[0][0], "S1");
    assert_eq!(arrivals[0][col(sh_head, "B/L or tracking No")], "COSU123");
    assert_eq!(arrivals[0][col(sh_head, "ETA")], "2026-12-03");

    // The Summary shows the look-ahead.
    let summary = sheet_text(&kpi, "Summary");
    let row = summary
        .iter()
        .find(|r| r[0] == "Due next period, not ready")
        .unwrap();
    assert_eq!(row[1], "2");
}

#[test]
fn by_department_adds_up_to_the_open_orders() {
    let w = Work::new();
    orders(
        &w,
        vec![
            o(
                "P1",
                n(1.0),
                "2026-11-10",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "P2",
                n(1.0),
                "2026-12-20",
                "in production",
                "Wang",
                "production",
            ),
            o("P3", n(1.0), "2026-12-20", "pending", "Li", "sales"),
            o("P4", n(1.0), "2026-12-20", "confirmed", "Li", ""),
            o("P5", n(1.0), "2026-12-20", "cancelled", "Li", "sales"),
        ],
    );
    let v = run(&w, "2026-11-30", &[]);
    let open = v["kpis"]["open_orders"].as_u64().unwrap();
    assert_eq!(open, 4);
    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let (head, rows) = rows_below(&kpi, "By department", 2);
    let sum: u64 = rows
        .iter()
        .map(|r| r[col(&head, "Open")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(sum, open);
    let prod = rows.iter().find(|r| r[0] == "production").unwrap();
    assert_eq!(prod[col(&head, "Open")], "2");
    assert_eq!(prod[col(&head, "Overdue")], "1");
    assert!(
        rows.iter().any(|r| r[0].starts_with('—')),
        "orders with no department are under —: {rows:?}"
    );
}

#[test]
fn owner_workbooks_are_safe_named_and_hold_only_their_rows() {
    let w = Work::new();
    orders(
        &w,
        vec![
            o(
                "P1",
                n(1.0),
                "2026-11-10",
                "in production",
                "../x/李 四",
                "production",
            ),
            o(
                "P2",
                s("x"),
                "2026-12-20",
                "in production",
                "A/B:C*",
                "production",
            ),
            o("P3", n(1.0), "2026-11-20", "pending", "王芳", "sales"),
            o("P4", n(1.0), "2026-12-02", "confirmed", "王芳", "sales"),
        ],
    );
    let v = run(&w, "2026-11-30", &["--owner-workbooks"]);
    let dir = w.path("out/owners/2026-W49");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xlsx"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 3, "{files:?}");
    assert!(files.iter().any(|f| f == "王芳.xlsx"), "{files:?}");
    let li = files.iter().find(|f| f.starts_with("_x_李_四-")).unwrap();
    assert_eq!(
        li.chars().count(),
        "_x_李_四-".chars().count() + 6 + 5,
        "{li}"
    );
    assert!(files.iter().any(|f| f.starts_with("A_B_C_-")), "{files:?}");
    // Nothing was written outside the folder.
    assert!(!w.path("out/owners/x").exists() && !w.path("out/x").exists());
    let outputs = v["outputs"].to_string();
    assert!(outputs.contains("王芳.xlsx"), "{outputs}");
    for f in &files {
        let p = dir.join(f);
        let owner = match f.as_str() {
            "王芳.xlsx" => "王芳",
            x if x.starts_with("A_B") => "A/B:C*",
            _ => "../x/李 四",
        };
        let wb: Xlsx<_> = open_workbook(&p).unwrap();
        assert_eq!(
            wb.sheet_names(),
            ["Action list", "Open orders", "Coming up", "Data issues"]
        );
        for (name, hrow, col_name) in [
            ("Open orders", 2, "Merchandiser"),
            ("Action list", 2, "Merchandiser"),
            ("Data issues", 2, "Merchandiser"),
        ] {
            let (head, rows) = rows_below(&p, name, hrow);
            assert!(!rows.is_empty() || name != "Open orders", "{f} {name}");
            let c = col(&head, col_name);
            assert!(rows.iter().all(|r| r[c] == owner), "{f} › {name}: {rows:?}");
        }
    }
    // 王芳's Coming up holds P4 (due in 2 days), nobody else's.
    let (_, rows) = rows_below(&dir.join("王芳.xlsx"), "Coming up", 2);
    assert_eq!(
        rows.iter().map(|r| r[0].as_str()).collect::<Vec<_>>(),
        ["P4"]
    );
    // By owner links each owner to their file.
    let rels = zip_entry(
        &w.path("out/kpi-report-2026-W49.xlsx"),
        "xl/worksheets/_rels/sheet6.xml.rels",
    );
    assert!(rels.contains("owners/2026-W49/"), "{rels}");

    // A re-run without 王芳: her file goes, the others stay, a stranger's
    // file in the folder is left alone.
    std::fs::write(dir.join("notes.xlsx"), b"mine").unwrap();
    orders(
        &w,
        vec![o(
            "P1",
            n(1.0),
            "2026-11-10",
            "in production",
            "../x/李 四",
            "production",
        )],
    );
    run(&w, "2026-11-30", &["--owner-workbooks"]);
    assert!(!dir.join("王芳.xlsx").exists());
    assert!(dir.join(li).exists());
    assert!(dir.join("notes.xlsx").exists());
}

/// The style id of cell `r` in a sheet's XML, and its fill id.
fn fill_of(book: &Path, sheet_xml: &str, r: &str) -> Option<u32> {
    let xml = zip_entry(book, sheet_xml);
    let at = xml.find(&format!("<c r=\"{r}\""))?;
    let tag = &xml[at..at + xml[at..].find('>')?];
    let s: usize = tag.split(" s=\"").nth(1)?.split('"').next()?.parse().ok()?;
    let styles = zip_entry(book, "xl/styles.xml");
    let xfs = &styles[styles.find("<cellXfs")?..];
    let xf = xfs.split("<xf ").nth(s + 1)?;
    xf.split("fillId=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()
}

#[test]
fn marked_copies_keep_every_value_and_mark_every_flag() {
    let w = Work::new();
    orders(
        &w,
        vec![
            o(
                "P1",
                n(5.0),
                "2026-11-10",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "P2",
                s("abc"),
                "2026-12-20",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "=HYPERLINK(\"x\")",
                n(1.0),
                "2026-12-20",
                "confirmed",
                "Li",
                "sales",
            ),
            o("", n(1.0), "2026-12-20", "confirmed", "Li", "sales"),
        ],
    );
    w.write(
        "ships.csv",
        "Shipment No,Order No,Qty Shipped,Ship Date,ETA\nS9,NOPE,5,2026-11-20,2026-11-22\n"
            .as_bytes(),
    );
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
            "2026-11-30",
        ])
        .args([
            "--orders",
            "orders.xlsx",
            "--shipments",
            "ships.csv",
            "--marked",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let flags = w
        .check_json(&[
            "--lang",
            "en",
            "--as-of",
            "2026-11-30",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "ships.csv",
        ])
        .1;
    let copy = w.path("out/marked/2026-W49/orders-marked.xlsx");
    let csv_copy = w.path("out/marked/2026-W49/ships-marked.xlsx");
    assert!(copy.exists() && csv_copy.exists());
    let wb: Xlsx<_> = open_workbook(&copy).unwrap();
    assert_eq!(wb.sheet_names(), ["Flags", "Orders"]);
    // Values at the same addresses as the input.
    let input = sheet(&w.path("orders.xlsx"), "Orders");
    let copied = sheet(&copy, "Orders");
    for (r, row) in input.rows().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let got = copied
                .get_value((r as u32, c as u32))
                .cloned()
                .unwrap_or(Data::Empty);
            let same = match (cell, &got) {
                (Data::DateTime(a), Data::DateTime(b)) => a.as_f64() == b.as_f64(),
                (a, b) => a == b,
            };
            assert!(same, "{r},{c}: {cell:?} vs {got:?}");
        }
    }
    let xml = zip_entry(&copy, "xl/worksheets/sheet2.xml");
    assert!(!xml.contains("<f>"), "no formula cell in the copy");
    let comments = zip_entry(&copy, "xl/comments1.xml");
    for f in items(&flags).iter().filter(|f| f["file"] == "orders.xlsx") {
        let cell = f["cell"].as_str().unwrap();
        let fill = fill_of(&copy, "xl/worksheets/sheet2.xml", cell);
        assert!(fill.is_some_and(|x| x > 1), "{cell} has no fill: {fill:?}");
        let at = comments
            .find(&format!("ref=\"{cell}\""))
            .unwrap_or_else(|| panic!("no note at {cell}"));
        let end = comments[at..].find("</comment>").unwrap();
        let rule = f["rule"].as_str().unwrap();
        assert!(
            comments[at..at + end].contains(rule),
            "{cell}: note names {rule}"
        );
    }
    // The rejected row (no order no, row 5) is shaded across.
    assert!(fill_of(&copy, "xl/worksheets/sheet2.xml", "C5").is_some_and(|x| x > 1));
    // The first sheet lists the flags, each linking to its cell.
    let (head, listed) = rows_below(&copy, "Flags", 3);
    let n = items(&flags)
        .iter()
        .filter(|f| f["file"] == "orders.xlsx")
        .count();
    assert_eq!(listed.len(), n);
    assert!(
        listed.iter().any(|r| r[col(&head, "Cell")] == "C3"),
        "{listed:?}"
    );
    let sheet1 = zip_entry(&copy, "xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains("location=\"'Orders'!C3\""),
        "internal link to the cell"
    );
    // The CSV's copy has its sheet and its C02 mark.
    let csv_sheet = sheet(&csv_copy, "ships");
    assert_eq!(
        csv_sheet.get_value((1, 1)),
        Some(&Data::String("NOPE".into()))
    );
}

/// A history file as gendan wrote it before schema 2.
fn v1_history(path: &Path) {
    let c = rusqlite::Connection::open(path).unwrap();
    c.execute_batch(
        "CREATE TABLE gendan_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
         CREATE TABLE runs (period TEXT PRIMARY KEY, period_start TEXT NOT NULL, period_end TEXT NOT NULL,
             as_of TEXT NOT NULL, template TEXT, input_hashes TEXT NOT NULL, kpis TEXT NOT NULL,
             flags_error INTEGER NOT NULL, flags_warning INTEGER NOT NULL, flags_info INTEGER NOT NULL);
         CREATE TABLE flags (period TEXT NOT NULL REFERENCES runs(period) ON DELETE CASCADE,
             fingerprint TEXT NOT NULL, rule TEXT NOT NULL, severity TEXT NOT NULL, table_name TEXT NOT NULL,
             order_id TEXT, owner TEXT, file TEXT NOT NULL, sheet TEXT NOT NULL, cell TEXT NOT NULL,
             first_seen TEXT NOT NULL, runs_open INTEGER NOT NULL, PRIMARY KEY (period, fingerprint));
         INSERT INTO gendan_meta VALUES ('schema_version', '1');
         INSERT INTO runs VALUES ('2026-W48', '2026-11-17', '2026-11-23', '2026-11-23', NULL, '[]',
             '{\"orders_due\": 7, \"open_orders\": 9}', 2, 0, 0);
         INSERT INTO flags VALUES ('2026-W48', 'S02|orders|p1|order_id|', 'S02', 'error', 'orders', 'P1', 'Wang',
             'orders.xlsx', 'Orders', 'A2', '2026-11-02', 3);
         INSERT INTO flags VALUES ('2026-W48', 'V02|orders|p9|quantity|', 'V02', 'error', 'orders', 'P9', 'Li',
             'orders.xlsx', 'Orders', 'C7', '2026-11-16', 2);",
    )
    .unwrap();
}

fn schema_version(path: &Path) -> String {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(
        "SELECT value FROM gendan_meta WHERE key = 'schema_version'",
        [],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_history_written_before_schema_2_still_gives_the_previous_run() {
    let w = Work::new();
    orders(
        &w,
        vec![
            o(
                "P1",
                n(1.0),
                "2026-11-10",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "P2",
                n(1.0),
                "2026-12-20",
                "in production",
                "Wang",
                "production",
            ),
        ],
    );
    std::fs::create_dir_all(w.path("out")).unwrap();
    let hist = w.path("out/gendan-history.sqlite");
    v1_history(&hist);
    let before = std::fs::read(&hist).unwrap();
    // check reads the old file (found through the template's out_dir)
    // and leaves it as it was.
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
    assert_eq!(s02[0]["new"], false, "{s02:?}");
    assert_eq!(s02[0]["first_seen"], "2026-11-02");
    assert_eq!(
        std::fs::read(&hist).unwrap(),
        before,
        "check changed the history"
    );
    assert_eq!(schema_version(&hist), "1");

    let v = run(&w, "2026-11-30", &[]);
    let k = &v["kpis"];
    assert_eq!(k["flags_resolved"], 1, "{k}");
    assert!(k["flags_still_open"].as_u64().unwrap() >= 1, "{k}");
    assert_eq!(schema_version(&hist), "5");
    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let (head, rows) = rows_below(&kpi, "Resolved", 3);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0][col(&head, "Order No")], "P9");
    assert_eq!(rows[0][col(&head, "Cell")], "C7");
    assert_eq!(rows[0][col(&head, "Runs open")], "2");
    let (head, issues) = rows_below(&kpi, "Data issues", 2);
    let s02 = issues
        .iter()
        .find(|r| r[col(&head, "Rule")] == "S02")
        .unwrap();
    assert_eq!(s02[col(&head, "Open since")], "2026-11-02");
    assert_eq!(s02[col(&head, "Runs open")], "4");
    assert_eq!(s02[col(&head, "New since last run")], "no");
    // The previous-period column comes from the old run's KPIs.
    let summary = sheet_text(&kpi, "Summary");
    let due = summary.iter().find(|r| r[0] == "Orders due").unwrap();
    assert_eq!(due[2], "7");
    // The next run (a later week) compares with the run just saved.
    let v = run(&w, "2026-12-07", &[]);
    assert_eq!(v["kpis"]["flags_resolved"], 0, "{}", v["kpis"]);
}

#[test]
fn the_first_run_recomputes_the_previous_period_from_the_registers() {
    let w = Work::new();
    orders(
        &w,
        vec![
            // Due last week and shipped on time: last week's OTD is 100 %.
            o("P1", n(10.0), "2026-11-20", "shipped", "Wang", "logistics"),
            o(
                "P2",
                n(10.0),
                "2026-11-27",
                "in production",
                "Wang",
                "production",
            ),
        ],
    );
    shipments(&w, vec![sh("S1", "P1", "2026-11-18", "2026-11-30", "B1")]);
    run(&w, "2026-11-30", &[]);
    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let summary = sheet_text(&kpi, "Summary");
    let otd = summary
        .iter()
        .find(|r| r[0] == "On-time delivery (OTD)")
        .unwrap();
    assert_eq!(otd[1], "0", "this week: P2 late");
    assert_eq!(otd[2], "1", "last week recomputed: P1 on time");
    assert!(
        summary
            .iter()
            .any(|r| r[0].starts_with("* previous period recomputed")),
        "the recomputed values are explained"
    );
}

#[test]
fn what_a_manager_saw_and_should_not_see_again() {
    let w = Work::new();
    orders(
        &w,
        vec![
            o(
                "P1",
                n(4800.0),
                "2026-12-20",
                "装柜中",
                "Wang",
                "production",
            ),
            o(
                "P2",
                n(1.0),
                "next month",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "P3",
                n(1.0),
                "2026-11-20",
                "in production",
                "Wang",
                "production",
            ),
            o(
                "P4",
                n(-3.0),
                "2026-12-20",
                "in production",
                "Wang",
                "production",
            ),
        ],
    );
    run(&w, "2026-11-30", &[]);
    let kpi = w.path("out/kpi-report-2026-W49.xlsx");
    let (head, open) = rows_below(&kpi, "Open orders", 2);
    let row = |id: &str| open.iter().find(|r| r[0] == id).unwrap().clone();
    // The register's word, marked, instead of a blank status.
    assert_eq!(row("P1")[col(&head, "Status")], "装柜中 (not understood)");
    // A due date that could not be read is "unknown", not "not due".
    assert_eq!(row("P2")[col(&head, "Past due (bucket)")], "unknown");
    assert_eq!(row("P1")[col(&head, "Past due (bucket)")], "not due");
    // Days past due only for orders past due.
    assert_eq!(row("P1")[col(&head, "Days past due")], "");
    assert_eq!(row("P3")[col(&head, "Days past due")], "10");
    // Data issues: a number read as a number stays a number; the table in
    // the report language.
    let r = sheet(&kpi, "Data issues");
    let head: Vec<String> = r
        .rows()
        .nth(2)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let vcol = head.iter().position(|h| h == "Value").unwrap();
    let v03 = r
        .rows()
        .skip(3)
        .find(|row| row[1] == Data::String("V03".into()))
        .unwrap();
    assert_eq!(v03[vcol], Data::Float(-3.0));
    // Every sheet prints one page wide with its header row on every page;
    // the Summary (sheet 1) on one page.
    let workbook = zip_entry(&kpi, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    let summary = zip_entry(&kpi, "xl/worksheets/sheet1.xml");
    assert!(
        summary.contains("fitToPage=\"1\""),
        "the Summary fits a page"
    );
    for i in 2..=11 {
        let xml = zip_entry(&kpi, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(xml.contains("fitToHeight=\"0\""), "sheet{i} fits to width");
    }
    let w2 = Work::new();
    orders(
        &w2,
        vec![o(
            "P1",
            s("x"),
            "2026-12-20",
            "in production",
            "王芳",
            "production",
        )],
    );
    let out = w2
        .gendan()
        .args([
            "run",
            "--lang",
            "zh",
            "--out",
            "out",
            "--as-of",
            "2026-11-30",
            "--orders",
            "orders.xlsx",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let (head, rows) = rows_below(&w2.path("out/kpi-report-2026-W49.xlsx"), "数据问题", 2);
    assert_eq!(rows[0][col(&head, "表")], "订单");
}
