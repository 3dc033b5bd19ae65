//! Issue 21, deliverable 6: `gendan demo-data` writes a factory column and
//! milestone plan and actual columns in both languages, with every M
//! problem (spec section 13), and the KPI workbook shows them on its
//! Milestones sheet. The registers are made at test time by the binary.

mod util;

use util::*;

const AS_OF: &str = "2026-11-27";

/// The README's sample registers (300 lines, seed 7) in `lang`, in
/// `demo/` of the test's folder.
fn demo(w: &Work, lang: &str) {
    let out = w
        .gendan()
        .args([
            "demo-data",
            "demo",
            "--orders",
            "300",
            "--seed",
            "7",
            "--lang",
            lang,
            "--as-of",
            AS_OF,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{lang}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

const INPUTS: [&str; 8] = [
    "--orders",
    "demo/orders.xlsx",
    "--shipments",
    "demo/shipments.xlsx",
    "--feedback",
    "demo/feedback.xlsx",
    "--as-of",
    AS_OF,
];

/// The column letters of a cell (`AC17` → `AC`).
fn column(cell: &str) -> &str {
    cell.trim_end_matches(|c: char| c.is_ascii_digit())
}

#[test]
fn issue_21_demo_data_raises_every_milestone_rule_in_both_languages() {
    for lang in ["zh", "en"] {
        let w = Work::new();
        demo(&w, lang);
        let header = &sheet_text(&w.path("demo/orders.xlsx"), lang_sheet(lang))[2];
        let (plan, actual, factory) = match lang {
            "zh" => ("面料到厂计划", "面料到厂实际", "工厂"),
            _ => ("Fabric In-house Plan", "Fabric In-house", "Factory"),
        };
        for h in [plan, actual, factory] {
            assert!(
                header.iter().any(|x| x == h),
                "{lang}: no {h} in {header:?}"
            );
        }
        let mut args = INPUTS.to_vec();
        args.extend(["--lang", lang]);
        let (_, v) = w.check_json(&args);
        for rule in ["M01", "M02", "M03", "M04"] {
            let flags = flags_of(&v, rule);
            assert!(!flags.is_empty(), "{lang}: no {rule}");
            for f in &flags {
                let cell = f["cell"].as_str().unwrap_or("");
                // M03 is on the order id; the others on a step's actual
                // cell (the register's own columns end at T, then come the
                // factory and plan | actual per step, booking only actual).
                let ok = if rule == "M03" {
                    column(cell) == "A"
                } else {
                    ["W", "Y", "AA", "AC", "AE", "AF"].contains(&column(cell))
                };
                assert!(ok, "{lang}: {rule} at {cell}");
            }
        }
        // Actual dates are past events: the demo writes none after as-of.
        assert!(
            flags_of(&v, "V05")
                .iter()
                .all(|f| column(f["cell"].as_str().unwrap_or("")).len() == 1),
            "{lang}: a milestone actual after as-of"
        );
    }
}

/// The orders sheet's name in `lang`.
fn lang_sheet(lang: &str) -> &'static str {
    if lang == "zh" {
        "订单"
    } else {
        "Orders"
    }
}

#[test]
fn issue_21_demo_data_fills_the_milestones_sheet_in_both_languages() {
    for lang in ["zh", "en"] {
        let w = Work::new();
        demo(&w, lang);
        let mut args = vec!["run"];
        args.extend(INPUTS);
        args.extend(["--lang", lang, "--out", "out", "-q"]);
        let out = w.gendan().args(&args).output().unwrap();
        assert!(
            out.status.code() == Some(0) || out.status.code() == Some(3),
            "{lang}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let kpi = std::fs::read_dir(w.path("out"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("kpi-report"))
            })
            .expect("a KPI workbook");
        let (name, factory) = match lang {
            "zh" => ("生产进度", "工厂"),
            _ => ("Milestones", "Factory"),
        };
        let rows = sheet_text(&kpi, name);
        let head = rows
            .iter()
            .position(|r| r.iter().any(|c| c == factory))
            .unwrap_or_else(|| panic!("{lang}: no header with {factory} on {name}"));
        let col = rows[head].iter().position(|c| c == factory).unwrap_or(0);
        let orders: Vec<&Vec<String>> = rows[head + 1..]
            .iter()
            .take_while(|r| r.first().is_some_and(|c| !c.is_empty()))
            .collect();
        assert!(
            orders.len() >= 10,
            "{lang}: {} orders on {name}",
            orders.len()
        );
        assert!(
            orders.iter().filter(|r| !r[col].is_empty()).count() * 10 >= orders.len() * 9,
            "{lang}: factories missing on {name}"
        );
    }
}
