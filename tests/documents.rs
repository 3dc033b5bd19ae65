//! Documents for the customer (spec rev4, section 11): order confirmations
//! and open-order statements, read back cell by cell.

mod util;

use std::path::{Path, PathBuf};

use util::*;

const AS_OF: &str = "2026-11-30";

const O_HEAD: &[&str] = &[
    "Order No",
    "Customer",
    "Contact",
    "Country",
    "Product",
    "Qty",
    "Unit Price",
    "Amount",
    "Currency",
    "Payment Terms",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Department",
    "Remarks",
];

#[allow(clippy::too_many_arguments)]
fn line(
    id: &str,
    customer: &str,
    product: &str,
    qty: f64,
    price: Option<f64>,
    amount: Option<f64>,
    cur: &str,
    status: &str,
) -> Vec<Cell> {
    let o = |x: Option<f64>| x.map(n).unwrap_or(Cell::Blank);
    vec![
        s(id),
        s(customer),
        s("Ms. Keller"),
        s("Germany"),
        s(product),
        n(qty),
        o(price),
        o(amount),
        s(cur),
        s("T/T 30% deposit, balance before shipment"),
        d(2026, 11, 2),
        d(2026, 12, 20),
        s(status),
        s("Wang Fang"),
        s("生产部"),
        s("INTERNAL: customer pays late, push hard"),
    ]
}

fn orders(w: &Work, lines: Vec<Vec<Cell>>) {
    let mut rows = vec![header(O_HEAD)];
    rows.extend(lines);
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
}

/// Every file under `dir` (recursively), sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else if !e.file_name().to_string_lossy().starts_with('.') {
                // gendan's manifest of the files it wrote is not a document.
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn first_sheet(path: &Path) -> Vec<Vec<String>> {
    use calamine::Reader;
    let wb: calamine::Xlsx<_> = calamine::open_workbook(path).unwrap();
    let name = wb.sheet_names()[0].clone();
    sheet_text(path, &name)
}

/// The rows after the header row starting with `first`, up to the first
/// row whose first cell is empty.
fn table_after(rows: &[Vec<String>], col: usize, title: &str) -> Vec<Vec<String>> {
    let i = rows
        .iter()
        .position(|r| r.get(col).map(String::as_str) == Some(title))
        .unwrap_or_else(|| panic!("no row with {title} in {rows:?}"));
    rows[i + 1..]
        .iter()
        .take_while(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .collect()
}

fn all_text(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|r| r.join("\t"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn one_confirmation_per_pending_order_with_lines_and_totals() {
    let w = Work::new();
    orders(
        &w,
        vec![
            line(
                "PO-1",
                "Acme GmbH",
                "Ceramic mug 350 ml",
                1000.0,
                Some(1.25),
                None,
                "USD",
                "pending",
            ),
            line(
                "PO-1",
                "Acme GmbH",
                "Gift box",
                1000.0,
                Some(0.4),
                Some(400.0),
                "USD",
                "pending",
            ),
            // No unit price but an amount; then neither: the total is incomplete.
            line(
                "PO-2",
                "Beta Ltd",
                "Teapot",
                50.0,
                None,
                Some(300.0),
                "EUR",
                "pending",
            ),
            line(
                "PO-2", "Beta Ltd", "Saucer", 20.0, None, None, "EUR", "pending",
            ),
            line(
                "PO-3",
                "Acme GmbH",
                "Plate",
                10.0,
                Some(2.0),
                None,
                "USD",
                "in production",
            ),
            line(
                "PO-4",
                "+Acme",
                "=HYPERLINK(\"http://x\")",
                5.0,
                Some(3.0),
                None,
                "USD",
                "pending",
            ),
        ],
    );
    let out = w
        .gendan()
        .args([
            "confirm",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let dir = w.path("out/confirmations");
    let names: Vec<String> = files(&dir)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["PO-1.xlsx", "PO-2.xlsx", "PO-4.xlsx"],
        "one per pending order"
    );

    let po1 = dir.join("PO-1.xlsx");
    let rows = first_sheet(&po1);
    let lines = table_after(&rows, 1, "Product");
    assert_eq!(
        lines[0][..6],
        ["1", "Ceramic mug 350 ml", "1000", "1.25", "1250", "USD"]
    );
    assert_eq!(
        lines[1][..6],
        ["2", "Gift box", "1000", "0.4", "400", "USD"]
    );
    assert_eq!(
        lines[2][3..6],
        ["Total", "1650", "USD"],
        "total = sum of the line amounts"
    );
    let text = all_text(&rows);
    assert!(text.contains("ORDER CONFIRMATION"));
    assert!(text.contains("Ms. Keller") && text.contains("Germany"));
    assert!(text.contains("T/T 30% deposit, balance before shipment"));
    assert!(text.contains("2026-12-20"), "delivery date");
    assert!(text.contains("Buyer") && text.contains("Seller"));
    for internal in ["INTERNAL", "Wang Fang", "生产部"] {
        assert!(!text.contains(internal), "{internal} printed: {text}");
    }
    // The confirmation date is a date cell holding as_of.
    let range = sheet(&po1, "ORDER CONFIRMATION");
    assert!(range
        .used_cells()
        .any(|(_, _, c)| matches!(c, calamine::Data::DateTime(d) if d.as_datetime().map(|x| x.date().to_string()) == Some(AS_OF.into()))));

    // Print setup: A4 portrait, one page wide, print area and titles, page numbers.
    let xml = zip_entry(&po1, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("paperSize=\"9\""), "{xml}");
    assert!(xml.contains("orientation=\"portrait\""));
    assert!(xml.contains("fitToHeight=\"0\""));
    assert!(xml.contains("<pageSetUpPr fitToPage=\"1\"/>"));
    assert!(xml.contains("&amp;P"), "page number in the footer");
    let wbxml = zip_entry(&po1, "xl/workbook.xml");
    assert!(wbxml.contains("_xlnm.Print_Area") && wbxml.contains("_xlnm.Print_Titles"));
    // Amounts carry the currency in their number format.
    let styles = zip_entry(&po1, "xl/styles.xml");
    assert!(styles.contains("&quot;USD &quot;#,##0.00"), "{styles}");

    // PO-2: the missing price is blank, the line without an amount makes
    // the total incomplete, and stderr names the order and the cells (in
    // the run's language, Chinese without a template).
    let rows = first_sheet(&dir.join("PO-2.xlsx"));
    let lines = table_after(&rows, 1, "Product");
    assert_eq!(lines[0][..6], ["1", "Teapot", "50", "", "300", "EUR"]);
    assert_eq!(lines[1][..6], ["2", "Saucer", "20", "", "", "EUR"]);
    assert_eq!(lines[2][3..6], ["Total", "300", "EUR"]);
    assert!(lines[2][0].contains("incomplete"), "{:?}", lines[2]);
    assert!(
        stderr.contains("订单 PO-2：orders.xlsx › Orders › G4：没有单价"),
        "{stderr}"
    );
    assert!(
        stderr.contains("订单 PO-2：orders.xlsx › Orders › G5：没有单价"),
        "{stderr}"
    );
    assert!(
        stderr.contains("订单 PO-2：orders.xlsx › Orders › H5：没有金额"),
        "{stderr}"
    );

    // Input text starting with = or + is text, never a formula.
    let po4 = dir.join("PO-4.xlsx");
    let text = all_text(&first_sheet(&po4));
    assert!(text.contains("=HYPERLINK(\"http://x\")") && text.contains("+Acme"));
    assert!(!zip_entry(&po4, "xl/worksheets/sheet1.xml").contains("<f>"));
}

#[test]
fn confirm_named_orders_and_unknown_ones() {
    let w = Work::new();
    orders(
        &w,
        vec![line(
            "PO-3",
            "Acme GmbH",
            "Plate",
            10.0,
            Some(2.0),
            None,
            "USD",
            "in production",
        )],
    );
    let ok = w
        .gendan()
        .args([
            "confirm",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "--order",
            "po-3",
            "--lang",
            "zh",
            "--json",
        ])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let text = all_text(&first_sheet(&w.path("out/confirmations/PO-3.xlsx")));
    assert!(
        text.contains("订单确认书") && text.contains("合计"),
        "{text}"
    );
    let listed: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(listed["written"][0], "out/confirmations/PO-3.xlsx");
    let bad = w
        .gendan()
        .args([
            "confirm",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out2",
            "--order",
            "PO-404",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    // Said in the run's language (Chinese without a template).
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("错误：--order PO-404：读取的订单中没有该订单"),
        "{err}"
    );
    assert!(files(&w.path("out2/confirmations")).is_empty());
}

const S_HEAD: &[&str] = &[
    "Shipment No",
    "Order No",
    "Qty Shipped",
    "Ship Date",
    "Carrier",
    "B/L No",
    "ETA",
    "Delivered Date",
];

fn ship(
    id: &str,
    order: &str,
    qty: f64,
    date: Cell,
    bl: &str,
    eta: Cell,
    delivered: Cell,
) -> Vec<Cell> {
    vec![
        s(id),
        s(order),
        n(qty),
        date,
        s("COSCO"),
        s(bl),
        eta,
        delivered,
    ]
}

fn statement_registers(w: &Work) {
    let mut a = line(
        "PO-1",
        "Acme GmbH",
        "Mug",
        100.0,
        Some(1.0),
        None,
        "USD",
        "in production",
    );
    a[5] = n(100.0);
    orders(
        w,
        vec![
            a,
            line(
                "PO-2",
                "Acme GmbH",
                "Teapot",
                60.0,
                Some(5.0),
                None,
                "USD",
                "shipped",
            ),
            line(
                "PO-2",
                "Acme GmbH",
                "Saucer",
                40.0,
                Some(1.0),
                None,
                "USD",
                "shipped",
            ),
            line(
                "PO-5",
                "Acme GmbH",
                "Bowl",
                10.0,
                Some(1.0),
                None,
                "USD",
                "delivered",
            ),
            line(
                "PO-3",
                "Beta Ltd",
                "=1+1 Vase",
                30.0,
                Some(9.0),
                None,
                "EUR",
                "ready",
            ),
            line(
                "PO-6",
                "Gamma SA",
                "Cup",
                5.0,
                Some(1.0),
                None,
                "EUR",
                "closed",
            ),
        ],
    );
    let blank = Cell::Blank;
    w.xlsx(
        "shipments.xlsx",
        vec![Sheet::new(
            "Shipments",
            vec![
                header(S_HEAD),
                ship(
                    "S1",
                    "PO-2",
                    70.0,
                    d(2026, 11, 20),
                    "COSU123",
                    d(2026, 12, 10),
                    blank.clone(),
                ),
                ship(
                    "S2",
                    "PO-5",
                    10.0,
                    d(2026, 11, 1),
                    "COSU555",
                    d(2026, 11, 25),
                    d(2026, 11, 27),
                ),
                ship(
                    "S3",
                    "PO-6",
                    5.0,
                    d(2026, 10, 1),
                    "COSU666",
                    d(2026, 10, 20),
                    d(2026, 10, 22),
                ),
                // Booked for later: not on its way.
                ship(
                    "S4",
                    "PO-1",
                    100.0,
                    d(2026, 12, 15),
                    "COSU999",
                    d(2027, 1, 10),
                    blank,
                ),
            ],
        )],
    );
}

#[test]
fn a_statement_per_customer_with_open_orders_and_nothing_internal() {
    let w = Work::new();
    statement_registers(&w);
    let out = w
        .gendan()
        .args([
            "statement",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "shipments.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files(&w.path("out/statements"));
    assert_eq!(
        written.len(),
        2,
        "Acme and Beta, not Gamma (nothing open): {written:?}"
    );
    let acme = written
        .iter()
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("Acme"))
        .expect("Acme's statement");
    assert!(acme.starts_with(w.path("out/statements")));
    let rows = first_sheet(acme);
    let open = table_after(&rows, 0, "Order No.");
    let ids: Vec<&str> = open.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        ["PO-1", "PO-2", "PO-2", "PO-2"],
        "Acme's open lines and PO-2's total: {open:?}"
    );
    assert_eq!(open[0][2..6], ["Mug", "100", "0", "100"]);
    assert_eq!(open[0][7], "in production");
    assert_eq!(open[3][2..6], ["Order total", "100", "70", "30"]);
    assert_eq!(open[3][7], "part shipped, ETA 2026-12-10, B/L COSU123");
    let text = all_text(&rows);
    let way = table_after(
        &rows[rows
            .iter()
            .position(|r| r[0] == "Goods on the way")
            .unwrap()..],
        0,
        "Order No.",
    );
    assert_eq!(
        way.len(),
        1,
        "only the shipment on its way, not the booked one: {way:?}"
    );
    assert_eq!(
        way[0][..6],
        ["PO-2", "2026-11-20", "COSCO", "70", "COSU123", "2026-12-10"]
    );
    let delivered_at = rows
        .iter()
        .position(|r| r[0].starts_with("Delivered"))
        .unwrap();
    let delivered = table_after(&rows[delivered_at..], 0, "Order No.");
    assert_eq!(delivered.len(), 1, "{delivered:?}");
    assert_eq!(
        delivered[0][..6],
        ["PO-5", "2026-11-01", "COSCO", "10", "COSU555", "2026-11-27"]
    );
    assert!(!text.contains("PO-3") && !text.contains("PO-6") && !text.contains("COSU999"));
    // Nothing internal: owner, department, remarks, rule ids, cell references.
    for internal in [
        "Wang Fang",
        "生产部",
        "INTERNAL",
        "orders.xlsx",
        "›",
        "Merchandiser",
    ] {
        assert!(!text.contains(internal), "{internal} in {text}");
    }
    let rule_id = regex_lite(&text);
    assert!(rule_id.is_none(), "a rule id {rule_id:?} in {text}");
    // Landscape A4, one page wide, page numbers.
    let xml = zip_entry(acme, "xl/worksheets/sheet1.xml");
    assert!(
        xml.contains("paperSize=\"9\"")
            && xml.contains("fitToHeight=\"0\"")
            && xml.contains("&amp;P")
    );

    // One customer by name (matched like the key), and an unknown one.
    let one = w
        .gendan()
        .args([
            "statement",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "shipments.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "one",
            "--customer",
            "beta ltd",
        ])
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(0));
    let beta = files(&w.path("one/statements"));
    assert_eq!(beta.len(), 1);
    let open = table_after(&first_sheet(&beta[0]), 0, "Order No.");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0][0], "PO-3");
    assert_eq!(open[0][7], "ready to ship");
    // Text that looks like a formula stays text.
    assert_eq!(open[0][2], "=1+1 Vase");
    assert!(!zip_entry(&beta[0], "xl/worksheets/sheet1.xml").contains("<f>"));
    let bad = w
        .gendan()
        .args([
            "statement",
            "--orders",
            "orders.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "bad",
            "--customer",
            "Nobody Inc",
        ])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Nobody Inc"));
}

/// A rule id (C01, S09, V02, F03, P01…) standing alone in the text.
fn regex_lite(text: &str) -> Option<String> {
    let chars: Vec<char> = text.chars().collect();
    for i in 0..chars.len().saturating_sub(2) {
        let boundary_before = i == 0 || !chars[i - 1].is_alphanumeric();
        let boundary_after = chars.get(i + 3).is_none_or(|c| !c.is_alphanumeric());
        if boundary_before
            && boundary_after
            && "CSVFP".contains(chars[i])
            && chars[i + 1].is_ascii_digit()
            && chars[i + 2].is_ascii_digit()
        {
            return Some(chars[i..i + 3].iter().collect());
        }
    }
    None
}

#[test]
fn run_writes_statements_when_the_template_asks_and_company_block_shows() {
    let w = Work::new();
    statement_registers(&w);
    w.write(
        "t.toml",
        br#"[report]
statements = true
lang = "en"
[inputs.orders]
paths = ["orders.xlsx"]
[inputs.shipments]
paths = ["shipments.xlsx"]
[company]
name = "Ningbo Example Trading Co., Ltd."
address = "No. 1 Example Road, Ningbo"
email = "=sales@example.com"
bank = { beneficiary = "Ningbo Example Trading", bank = "Bank of China", account = "123", swift = "BKCHCNBJ92A" }
"#,
    );
    let out = w
        .gendan()
        .args([
            "run",
            "--template",
            "t.toml",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = files(&w.path("out/statements"));
    assert_eq!(written.len(), 2, "{written:?}");
    let text = all_text(&first_sheet(&written[0]));
    assert!(text.contains("Ningbo Example Trading Co., Ltd."), "{text}");
    assert!(text.contains("=sales@example.com"));
    // The confirmation carries the bank block.
    let c = w
        .gendan()
        .args([
            "confirm",
            "--template",
            "t.toml",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "--order",
            "PO-1",
        ])
        .output()
        .unwrap();
    assert_eq!(
        c.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&c.stderr)
    );
    let text = all_text(&first_sheet(&w.path("out/confirmations/PO-1.xlsx")));
    assert!(
        text.contains("BKCHCNBJ92A") && text.contains("Bank of China"),
        "{text}"
    );
    // gendan template documents [company].
    let t = w
        .gendan()
        .args(["template", "--lang", "en"])
        .output()
        .unwrap();
    let t = String::from_utf8_lossy(&t.stdout);
    assert!(t.contains("[company]") && t.contains("statements = false"));
}

#[test]
fn a_rerun_removes_the_statement_of_a_customer_with_nothing_open_and_nothing_else() {
    let w = Work::new();
    statement_registers(&w);
    let run = |w: &Work, extra: &[&str]| {
        let mut args = vec![
            "statement",
            "--orders",
            "orders.xlsx",
            "--shipments",
            "shipments.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "-q",
        ];
        args.extend(extra);
        let out = w.gendan().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&w, &[]);
    let folder = files(&w.path("out/statements"))[0]
        .parent()
        .unwrap()
        .to_path_buf();
    std::fs::write(folder.join("my notes.xlsx"), b"not gendan's").unwrap();
    let listed = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = files(dir)
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        v.sort();
        v
    };
    assert_eq!(listed(&folder).len(), 3);
    // Beta's order is delivered now: its statement goes, Acme's and the stranger's stay.
    let mut rows = vec![header(O_HEAD)];
    rows.push(line(
        "PO-1",
        "Acme GmbH",
        "Mug",
        100.0,
        Some(1.0),
        None,
        "USD",
        "in production",
    ));
    rows.push(line(
        "PO-3",
        "Beta Ltd",
        "Vase",
        30.0,
        Some(9.0),
        None,
        "EUR",
        "closed",
    ));
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", rows)]);
    // A statement of one customer adds and removes nothing.
    run(&w, &["--customer", "Acme GmbH"]);
    assert_eq!(listed(&folder).len(), 3);
    run(&w, &[]);
    let left = listed(&folder);
    assert_eq!(left.len(), 2, "{left:?}");
    assert!(left.iter().any(|n| n.starts_with("Acme")));
    assert!(left.contains(&"my notes.xlsx".to_string()));
}
