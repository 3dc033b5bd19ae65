//! Milestones (spec rev5, section 13): the plan and actual columns in every
//! header form, lead-day plans and the team's own steps, M01–M04 at their
//! cells and boundaries, the KPIs of a hand-computed case, and the
//! Milestones sheet's cells and fills read back.

mod util;

use serde_json::Value;
use util::*;

/// A Monday: the period is 2026-W50 (12-01 … 12-07), the next one
/// 12-08 … 12-14.
const AS_OF: &str = "2026-12-07";

const BASE: [&str; 9] = [
    "Order No",
    "Customer",
    "Product",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Factory",
];

/// An order line's base cells (columns A–I), then `ms` from column J.
fn line(id: &str, due: (u16, u8, u8), status: &str, ms: Vec<Cell>) -> Vec<Cell> {
    let mut row = vec![
        s(id),
        s("Acme"),
        s("Mug"),
        n(100.0),
        d(2026, 10, 1),
        d(due.0, due.1, due.2),
        s(status),
        s("Ann"),
        s("Ningbo Huafeng"),
    ];
    row.extend(ms);
    row
}

fn blank() -> Cell {
    Cell::Blank
}

fn check(w: &Work, extra: &[&str]) -> Value {
    let mut args = vec!["--orders", "orders.xlsx", "--as-of", AS_OF, "--lang", "en"];
    args.extend(extra);
    w.check_json(&args).1
}

/// (rule, order, cell) of the M flags, sorted.
fn m_flags(v: &Value) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = items(v)
        .iter()
        .filter(|f| f["rule"].as_str().unwrap_or("").starts_with('M'))
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["order_id"].as_str().unwrap_or("").to_string(),
                f["cell"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

fn m(rule: &str, id: &str, cell: &str) -> (String, String, String) {
    (rule.into(), id.into(), cell.into())
}

fn message(v: &Value, rule: &str, id: &str) -> String {
    items(v)
        .iter()
        .find(|f| f["rule"] == rule && f["order_id"] == id)
        .and_then(|f| f["message"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[test]
fn every_one_row_header_form_names_the_plan_and_the_actual() {
    for (plan, act) in [
        ("计划面料到厂", "实际面料到厂"),
        ("面料到厂(计划)", "面料到厂（实际）"),
        ("面料到厂计划日期", "面料到厂"),
        ("Fabric In-house Plan", "Fabric In-house Actual"),
        ("Planned Fabric In-house", "Fabric In-house Date"),
        ("PP Sample (Target)", "PP Sample Done"),
        ("目标验货", "验货日期"),
    ] {
        let w = Work::new();
        let mut head = header(&BASE);
        head.extend([s(plan), s(act)]);
        // Planned 11-20, not done: M01 on the actual cell (K2).
        let rows = vec![
            head,
            line(
                "PO-1",
                (2027, 1, 30),
                "in production",
                vec![d(2026, 11, 20), blank()],
            ),
        ];
        w.xlsx("orders.xlsx", vec![Sheet::new("Tracker", rows)]);
        let v = check(&w, &[]);
        assert_eq!(
            m_flags(&v),
            vec![m("M01", "PO-1", "K2"), m("M03", "PO-1", "A2")],
            "{plan} | {act}"
        );
        assert!(
            message(&v, "M01", "PO-1").contains("11-20"),
            "{}",
            message(&v, "M01", "PO-1")
        );
    }
}

#[test]
fn check_lists_the_milestone_columns_it_read() {
    let w = Work::new();
    let mut upper = header(&BASE);
    upper.extend([s("面料到厂"), blank()]);
    let mut lower = header(&BASE);
    lower.extend(header(&["计划", "实际"]));
    let mut sheet = Sheet::new(
        "生产进度",
        vec![
            upper,
            lower,
            line(
                "PO-1",
                (2027, 1, 30),
                "in production",
                vec![blank(), blank()],
            ),
        ],
    );
    sheet.merges = (0..9).map(|c| (c, 0, 1)).collect();
    sheet.hmerges = vec![(0, 9, 10)];
    w.xlsx("orders.xlsx", vec![sheet]);
    let out = w
        .gendan()
        .args([
            "check",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--lang",
            "en",
        ])
        .args(["--fail-on", "never"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "milestone columns: materials (plan) ← 面料到厂 › 计划 (J), materials (actual) ← 面料到厂 › 实际 (K)"
        ),
        "{text}"
    );
    assert!(!text.contains("ignored columns"), "{text}");
}

/// A tracker whose base fields are merged over two header rows and whose
/// J–M columns carry `top` over `below` (each pair of the top row merged
/// across two columns), with one order line of milestone cells `ms`.
fn two_row_case(top: [&str; 2], below: [&str; 4], ms: Vec<Cell>) -> Value {
    let w = Work::new();
    let mut upper = header(&BASE);
    upper.extend([s(top[0]), blank(), s(top[1]), blank()]);
    let mut lower = header(&BASE);
    lower.extend(header(&below));
    let mut sheet = Sheet::new(
        "生产进度",
        vec![
            upper,
            lower,
            line("PO-1", (2027, 1, 30), "in production", ms),
        ],
    );
    sheet.merges = (0..9).map(|c| (c, 0, 1)).collect();
    sheet.hmerges = vec![(0, 9, 10), (0, 11, 12)];
    w.xlsx("orders.xlsx", vec![sheet]);
    check(&w, &[])
}

#[test]
fn two_row_headers_either_way_round() {
    // The milestone over 计划 | 实际: materials done (late), inspection
    // overdue on its actual cell M3.
    let v = two_row_case(
        ["面料到厂", "验货"],
        ["计划", "实际", "计划", "实际"],
        vec![d(2026, 11, 20), d(2026, 11, 22), d(2026, 12, 1), blank()],
    );
    assert_eq!(
        m_flags(&v),
        vec![m("M01", "PO-1", "M3"), m("M03", "PO-1", "A3")]
    );
    // A plan word over the milestones: 计划日期 over 面料到厂 | 验货, 实际日期
    // over the same.
    let v = two_row_case(
        ["计划日期", "实际日期"],
        ["面料到厂", "验货", "面料到厂", "验货"],
        vec![d(2026, 11, 20), d(2026, 12, 1), d(2026, 11, 22), blank()],
    );
    assert_eq!(
        m_flags(&v),
        vec![m("M01", "PO-1", "M3"), m("M03", "PO-1", "A3")]
    );
}

/// The rules' workbook: materials, cutting and off-line plan/actual pairs
/// (J–O), one order per case.
fn rules_book(w: &Work) {
    let mut head = header(&BASE);
    head.extend(header(&[
        "面料到厂计划",
        "面料到厂实际",
        "开裁计划",
        "开裁",
        "下线计划",
        "下线实际",
    ]));
    let dt = |m: u8, dd: u8| d(2026, m, dd);
    let b = blank;
    let rows = vec![
        head,
        // 2: overdue 7 days, due 12-31: M01 on J… actual K2, M03 (slip 7).
        line(
            "OVERDUE",
            (2026, 12, 31),
            "in production",
            vec![dt(11, 30), b(), b(), b(), b(), b()],
        ),
        // 3: plan in the next period: M02, nothing else.
        line(
            "SOON",
            (2027, 1, 31),
            "in production",
            vec![dt(12, 10), b(), b(), b(), b(), b()],
        ),
        // 4: plan on as_of: shown due soon, no flag.
        line(
            "ASOF",
            (2027, 1, 31),
            "in production",
            vec![dt(12, 7), b(), b(), b(), b(), b()],
        ),
        // 5: materials 4 days late, caught up by cutting (2 days early): no M03.
        line(
            "CAUGHT",
            (2026, 12, 28),
            "in production",
            vec![dt(11, 1), dt(11, 5), dt(11, 10), dt(11, 8), dt(12, 20), b()],
        ),
        // 6: materials 9 days late, the rest not due: M03 (slip 9).
        line(
            "LATE",
            (2026, 12, 28),
            "in production",
            vec![dt(11, 1), dt(11, 10), dt(12, 20), b(), b(), b()],
        ),
        // 7: past due: S02 (and M01), not M03.
        line(
            "PAST",
            (2026, 12, 1),
            "in production",
            vec![dt(11, 20), b(), b(), b(), b(), b()],
        ),
        // 8: off line before cutting: M04 on the off-line actual (O8).
        line(
            "SEQ",
            (2027, 1, 31),
            "in production",
            vec![b(), s("OK"), b(), dt(11, 20), b(), dt(11, 18)],
        ),
        // 9, 10: closed and cancelled orders raise nothing.
        line(
            "CLOSED",
            (2026, 12, 31),
            "closed",
            vec![dt(11, 1), b(), b(), b(), b(), b()],
        ),
        line(
            "CANCEL",
            (2026, 12, 31),
            "cancelled",
            vec![dt(11, 1), b(), b(), b(), b(), b()],
        ),
        // 11, 12: two lines; the second has no actual: M01 on K12.
        line(
            "MULTI",
            (2027, 1, 31),
            "in production",
            vec![dt(11, 30), dt(11, 29), b(), b(), b(), b()],
        ),
        line(
            "MULTI",
            (2027, 1, 31),
            "in production",
            vec![dt(11, 30), b(), b(), b(), b(), b()],
        ),
    ];
    w.xlsx("orders.xlsx", vec![Sheet::new("Tracker", rows)]);
}

#[test]
fn m01_to_m04_at_their_cells_and_boundaries() {
    let w = Work::new();
    rules_book(&w);
    let v = check(&w, &[]);
    assert_eq!(
        m_flags(&v),
        vec![
            m("M01", "MULTI", "K12"),
            m("M01", "OVERDUE", "K2"),
            m("M01", "PAST", "K7"),
            m("M02", "SOON", "K3"),
            m("M03", "LATE", "A6"),
            m("M03", "MULTI", "A11"),
            m("M03", "OVERDUE", "A2"),
            m("M04", "SEQ", "O8"),
        ]
    );
    assert_eq!(flags_of(&v, "S02").len(), 1);
    assert_eq!(
        message(&v, "M03", "OVERDUE"),
        "at risk: Materials In-house planned 11-30, not done (7 days late); projected ship 01-07, due 12-31"
    );
    assert_eq!(
        message(&v, "M03", "LATE"),
        "at risk: Materials In-house planned 11-01, done 11-10 (9 days late); projected ship 01-06, due 12-28"
    );
    assert!(message(&v, "M04", "SEQ").contains("11-18"));
    assert_eq!(flags_of(&v, "M02")[0]["severity"], "info");
    assert_eq!(flags_of(&v, "M03")[0]["severity"], "error");
}

#[test]
fn the_slack_threshold_holds_back_m03() {
    let w = Work::new();
    rules_book(&w);
    std::fs::write(
        w.path("t.toml"),
        "[thresholds]\nmilestone_slack_days = 8\n[inputs.orders]\npaths = [\"orders.xlsx\"]\n",
    )
    .unwrap();
    let v = check(&w, &["--template", "t.toml"]);
    let m03: Vec<String> = flags_of(&v, "M03")
        .iter()
        .map(|f| f["order_id"].as_str().unwrap().to_string())
        .collect();
    // OVERDUE and MULTI slip 7 (not over 8), LATE slips 9.
    assert_eq!(m03, vec!["LATE"]);
}

#[test]
fn lead_days_and_a_step_of_the_teams_own() {
    let w = Work::new();
    let mut head = header(&BASE);
    head.extend([s("Inspection Date"), s("Lab Dip")]);
    let rows = vec![
        head,
        // Inspection due − 5 = 12-05: overdue; lab dip due − 50 = 10-21.
        line(
            "PO-1",
            (2026, 12, 10),
            "in production",
            vec![blank(), blank()],
        ),
        // Both done: nothing.
        line(
            "PO-2",
            (2026, 12, 10),
            "in production",
            vec![d(2026, 12, 4), s("done")],
        ),
    ];
    w.xlsx("orders.xlsx", vec![Sheet::new("Tracker", rows)]);
    std::fs::write(
        w.path("t.toml"),
        r#"[inputs.orders]
paths = ["orders.xlsx"]

[[milestones.steps]]
key = "lab_dip"
name = { en = "Lab dip approved", zh = "色样确认" }
aliases = ["Lab Dip", "色样"]
lead_days = 50
after = "materials"

[milestones.lead_days]
inspection = 5
booking = 7
"#,
    )
    .unwrap();
    let v = check(&w, &["--template", "t.toml"]);
    // Booking has lead days but no column: it takes no part.
    assert_eq!(
        m_flags(&v),
        vec![
            m("M01", "PO-1", "J2"),
            m("M01", "PO-1", "K2"),
            m("M03", "PO-1", "A2"),
        ]
    );
    let lab = items(&v)
        .into_iter()
        .find(|f| f["rule"] == "M01" && f["cell"] == "K2")
        .unwrap();
    assert!(
        lab["message"]
            .as_str()
            .unwrap()
            .starts_with("Lab dip approved planned 10-21"),
        "{lab}"
    );
    // The lab dip comes before inspection in sequence: the first overdue
    // step (10-21, 47 days) drives the projection.
    assert!(message(&v, "M03", "PO-1").contains("Lab dip approved"));
}

#[test]
fn unreadable_and_future_actuals_are_flagged_and_not_done() {
    let w = Work::new();
    let mut head = header(&BASE);
    head.extend([s("面料到厂计划"), s("面料到厂实际")]);
    let rows = vec![
        head,
        line(
            "PO-1",
            (2027, 1, 30),
            "in production",
            vec![d(2026, 11, 20), s("soon-ish")],
        ),
        line(
            "PO-2",
            (2027, 1, 30),
            "in production",
            vec![d(2026, 11, 20), d(2026, 12, 20)],
        ),
        line(
            "PO-3",
            (2027, 1, 30),
            "in production",
            vec![s("next week"), s("未完成")],
        ),
    ];
    w.xlsx("orders.xlsx", vec![Sheet::new("Tracker", rows)]);
    let v = check(&w, &[]);
    let v02: Vec<String> = flags_of(&v, "V02")
        .iter()
        .map(|f| f["cell"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(v02, vec!["K2", "J4"]);
    assert_eq!(flags_of(&v, "V05")[0]["cell"], "K3");
    let m01: Vec<String> = flags_of(&v, "M01")
        .iter()
        .map(|f| f["order_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(m01, vec!["PO-1", "PO-2"]);
}

#[test]
fn kpis_and_the_sheet_of_a_hand_computed_case() {
    let w = Work::new();
    rules_book(&w);
    let out = w
        .gendan()
        .args([
            "run", "--json", "--out", "out", "--lang", "en", "--as-of", AS_OF,
        ])
        .args(["--orders", "orders.xlsx"])
        .output()
        .unwrap();
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let k = &v["kpis"];
    // Planned in 12-01 … 12-07: ASOF's materials (12-07). CANCEL's plan
    // does not count; the others fall outside.
    assert_eq!(k["milestones_due"], 1, "{k}");
    // Done in the period: none (every actual is in November).
    assert_eq!(k["milestones_on_time_rate"], Value::Null);
    assert_eq!(k["milestone_slip_median_days"], Value::Null);
    // Overdue at as_of on open orders: OVERDUE, PAST, MULTI.
    assert_eq!(k["milestones_overdue"], 3);
    assert_eq!(k["orders_at_risk"], 3);

    let kpi = w.path("out/kpi-report-2026-W50.xlsx");
    let t = sheet_text(&kpi, "Milestones");
    let head = &t[2];
    assert_eq!(
        head[..10],
        [
            "Order No",
            "Customer",
            "Merchandiser",
            "Factory",
            "Due date",
            "Projected ship",
            "Slip (days)",
            "Materials In-house",
            "Production Start",
            "Production End"
        ]
    );
    // The per-milestone table beside the grid.
    assert_eq!(head[11], "Milestone");
    // Most slipped first: PAST (17, past due but open), LATE (9), then
    // OVERDUE and MULTI (7, by due date).
    let ids: Vec<&str> = t
        .iter()
        .skip(3)
        .map(|r| r[0].as_str())
        .take_while(|x| !x.is_empty())
        .collect();
    assert_eq!(&ids[..4], ["PAST", "LATE", "OVERDUE", "MULTI"]);
    assert!(!ids.contains(&"CLOSED") && !ids.contains(&"CANCEL"));
    let late = &t[4];
    assert_eq!(late[5], "2027-01-06");
    assert_eq!(late[6], "9");
    // Done late shows the actual date; the next step its plan.
    assert_eq!(late[7], "2026-11-10");
    assert_eq!(late[8], "2026-12-20");

    // Fills: done late blue, overdue red, due soon amber, scheduled plain.
    let xml = zip_entry(&kpi, "xl/worksheets/sheet3.xml");
    let styles = zip_entry(&kpi, "xl/styles.xml");
    let fill_of = |cell: &str| fill_rgb(&xml, &styles, cell);
    assert_eq!(fill_of("H5").as_deref(), Some("FFBDD7EE"), "done late");
    assert_eq!(fill_of("I5"), None, "scheduled");
    let row_of = |id: &str| ids.iter().position(|x| *x == id).unwrap() + 4;
    assert_eq!(
        fill_of(&format!("H{}", row_of("OVERDUE"))).as_deref(),
        Some("FFFFC7CE")
    );
    assert_eq!(
        fill_of(&format!("H{}", row_of("SOON"))).as_deref(),
        Some("FFFFEB9C")
    );
    assert_eq!(
        fill_of(&format!("H{}", row_of("ASOF"))).as_deref(),
        Some("FFFFEB9C")
    );

    // Coming up lists SOON's materials.
    let c = sheet_text(&kpi, "Coming up");
    let at = c
        .iter()
        .position(|r| r[0].starts_with("Milestones due"))
        .unwrap();
    assert_eq!(
        c[at + 2][..4],
        ["SOON", "Materials In-house", "2026-12-10", "3"]
    );
    // The Summary shows orders at risk.
    let summary = sheet_text(&kpi, "Summary");
    let risk = summary.iter().find(|r| r[0] == "Orders at risk").unwrap();
    assert_eq!(risk[1], "3");
}

/// The fill colour (ARGB) of `cell` in a sheet's XML, through styles.xml.
fn fill_rgb(sheet_xml: &str, styles: &str, cell: &str) -> Option<String> {
    let at = sheet_xml.find(&format!("<c r=\"{cell}\""))?;
    let tag = &sheet_xml[at..at + sheet_xml[at..].find('>')?];
    let s: usize = tag
        .split("s=\"")
        .nth(1)
        .and_then(|x| x.split('"').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or(0);
    let xfs = &styles[styles.find("<cellXfs")?..];
    let xf = xfs.split("<xf ").nth(s + 1)?;
    let fill: usize = xf
        .split("fillId=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()?;
    let fills = &styles[styles.find("<fills")?..];
    let f = fills.split("<fill>").nth(fill + 1)?;
    let rgb = f.split("fgColor rgb=\"").nth(1)?.split('"').next()?;
    Some(rgb.to_string())
}

#[test]
fn kpis_of_milestones_done_in_the_period() {
    let w = Work::new();
    let mut head = header(&BASE);
    head.extend(header(&["面料到厂计划", "面料到厂实际"]));
    let dt = |m: u8, dd: u8| d(2026, m, dd);
    let rows = vec![
        head,
        // Done a day late: slip 1, and the projection moves by a day.
        line(
            "A",
            (2027, 1, 30),
            "in production",
            vec![dt(12, 2), dt(12, 3)],
        ),
        // A day early: on time, slip −1.
        line(
            "B",
            (2027, 1, 30),
            "in production",
            vec![dt(12, 5), dt(12, 4)],
        ),
        // On the day: on time, slip 0.
        line(
            "C",
            (2027, 1, 30),
            "in production",
            vec![dt(12, 6), dt(12, 6)],
        ),
        // Planned in the period, not done: overdue (4 days).
        line(
            "D",
            (2027, 1, 30),
            "in production",
            vec![dt(12, 3), blank()],
        ),
    ];
    w.xlsx("orders.xlsx", vec![Sheet::new("Tracker", rows)]);
    let out = w
        .gendan()
        .args([
            "run", "--json", "--out", "out", "--lang", "en", "--as-of", AS_OF,
        ])
        .args(["--orders", "orders.xlsx"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let k = &v["kpis"];
    assert_eq!(k["milestones_due"], 4, "{k}");
    let rate = k["milestones_on_time_rate"].as_f64().unwrap();
    assert!((rate - 2.0 / 3.0).abs() < 1e-9, "{k}");
    assert_eq!(k["milestone_slip_median_days"], 0.0);
    assert_eq!(k["milestones_overdue"], 1);
    // A (slip 1) and D (slip 4).
    assert_eq!(k["orders_at_risk"], 2);

    let kpi = w.path("out/kpi-report-2026-W50.xlsx");
    let t = sheet_text(&kpi, "Milestones");
    let head = &t[2];
    let at = head.iter().position(|h| h == "Milestone").unwrap();
    assert_eq!(
        t[3][at..at + 6],
        ["Materials In-house", "4", "3", "2", "1", "0"]
    );
    let f = t
        .iter()
        .position(|r| r.get(at).is_some_and(|x| x == "Factory"))
        .unwrap();
    assert_eq!(t[f + 1][at..at + 5], ["Ningbo Huafeng", "4", "2", "", "4"]);
    let summary = sheet_text(&kpi, "Summary");
    let on_time = summary
        .iter()
        .find(|r| r[0] == "Milestones on time")
        .unwrap();
    assert_eq!(on_time[1], "0.6666666666666666");
}

#[test]
fn m01_on_the_plan_cell_when_the_step_has_no_actual_column() {
    let w = Work::new();
    let mut head = header(&BASE);
    head.extend([s("面料到厂计划")]);
    let rows = vec![
        head,
        line(
            "PO-1",
            (2027, 1, 30),
            "in production",
            vec![d(2026, 11, 20)],
        ),
    ];
    w.xlsx("orders.xlsx", vec![Sheet::new("Tracker", rows)]);
    let v = check(&w, &[]);
    assert_eq!(
        m_flags(&v),
        vec![m("M01", "PO-1", "J2"), m("M03", "PO-1", "A2")]
    );
}
