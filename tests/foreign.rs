//! Registers nobody here designed (spec rev5, sections 3.2 and 3.3): which
//! table a sheet is by its telling fields, a file given to one table that
//! plainly is another, feedback without a customer column, columns whose
//! values contradict a built-in alias, `[columns.*] ignore`, and `init
//! --template` converging.

mod util;

use serde_json::Value;
use util::*;

const AS_OF: &str = "2026-11-30";

/// The binary run in `w` with `args`.
fn gendan(w: &Work, args: &[&str]) -> std::process::Output {
    w.gendan().args(args).output().unwrap()
}

/// An exported order list: no owner, no status (6 of the 8 required order
/// fields), which order id and quantity alone would make a complete
/// shipments header.
fn order_list_rows() -> Vec<Vec<Cell>> {
    let mut rows = vec![header(&[
        "Order ID",
        "Customer Name",
        "Product Name",
        "Quantity",
        "Order Date",
        "Required Date",
    ])];
    for i in 0..6 {
        rows.push(vec![
            s(&format!("SO-{i}")),
            s(if i % 2 == 0 { "Acme" } else { "Beta" }),
            s("Mug"),
            n(10.0 + i as f64),
            d(2026, 11, 1),
            d(2026, 12, 20),
        ]);
    }
    rows
}

/// Every input entry of `table` in the summary.
fn inputs_of<'a>(v: &'a Value, table: &str) -> Vec<&'a Value> {
    v["inputs"]
        .as_array()
        .map(|a| a.iter().filter(|f| f["table"] == table).collect())
        .unwrap_or_default()
}

/// The orders sheet's ignored column with this header, and its reason.
fn ignored(v: &Value, header: &str) -> (Value, String) {
    let sheet = sheet_of(v, "orders");
    let col = sheet["ignored_columns"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["header"] == header).cloned())
        .unwrap_or_else(|| panic!("{header} not ignored: {sheet}"));
    let why = col["reason"].as_str().unwrap_or_default().to_string();
    (col, why)
}

fn rows_accepted(v: &Value, table: &str) -> u64 {
    inputs_of(v, table)
        .iter()
        .flat_map(|f| f["sheets"].as_array().cloned().unwrap_or_default())
        .map(|s| s["rows_accepted"].as_u64().unwrap_or(0))
        .sum()
}

#[test]
fn an_order_list_without_owner_or_status_is_orders_in_one_workbook_and_for_init() {
    let w = Work::new();
    // Sheet names that say nothing: the header decides.
    w.xlsx(
        "register.xlsx",
        vec![
            Sheet::new("Sheet1", order_list_rows()),
            Sheet::new(
                "Sheet2",
                vec![
                    header(&["Order ID", "Shipped Qty", "Ship Date", "Carrier"]),
                    vec![s("SO-1"), n(11.0), d(2026, 11, 20), s("COSCO")],
                ],
            ),
        ],
    );
    let (code, v) = w.check_json(&[
        "--orders",
        "register.xlsx",
        "--shipments",
        "register.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(rows_accepted(&v, "orders"), 6, "{v}");
    assert_eq!(rows_accepted(&v, "shipments"), 1, "{v}");
    assert_eq!(sheet_of(&v, "orders")["name"], "Sheet1", "{v}");
    assert_eq!(sheet_of(&v, "shipments")["name"], "Sheet2", "{v}");
    let why = sheet_of(&v, "orders")["chosen_because"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(why.contains("4 orders columns"), "{why}");
    // Missing owner and status are said at the header, not per row.
    let v01: Vec<String> = flags_of(&v, "V01")
        .iter()
        .map(|f| f["cell"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(v01, vec!["A1", "A1"], "{v}");

    let out = gendan(&w, &["init", "register.xlsx"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let orders_block = text
        .split("[inputs.orders]")
        .nth(1)
        .and_then(|t| t.split("[inputs.shipments]").next())
        .unwrap_or_default();
    assert!(orders_block.contains("sheets = [\"Sheet1\"]"), "{text}");
    let ship_block = text
        .split("[inputs.shipments]")
        .nth(1)
        .and_then(|t| t.split("[inputs.feedback]").next())
        .unwrap_or_default();
    assert!(ship_block.contains("sheets = [\"Sheet2\"]"), "{text}");
}

#[test]
fn a_reviews_sheet_is_feedback_and_takes_the_orders_customer() {
    let w = Work::new();
    let mut orders = vec![header(&ORDER_HEADER_EN)];
    orders.push(order_row(
        "PO-1",
        "Acme GmbH",
        10.0,
        (2026, 11, 1),
        (2026, 12, 20),
        "confirmed",
        "Ann",
    ));
    orders.push(order_row(
        "PO-2",
        "Beta Ltd",
        10.0,
        (2026, 11, 1),
        (2026, 12, 20),
        "confirmed",
        "Bob",
    ));
    let reviews = vec![
        header(&[
            "Review Id",
            "Order Id",
            "Review Score",
            "Review Creation Date",
        ]),
        vec![s("r1"), s("PO-1"), n(5.0), d(2026, 11, 27)],
        vec![s("r2"), s("PO-2"), n(1.0), d(2026, 11, 28)],
        // No such order: C06, and no customer at all.
        vec![s("r3"), s("PO-9"), n(4.0), d(2026, 11, 28)],
        // Neither an order id nor a customer: rejected on the order id cell.
        vec![s("r4"), Cell::Blank, n(4.0), d(2026, 11, 28)],
    ];
    w.xlsx(
        "book.xlsx",
        vec![Sheet::new("Sheet1", orders), Sheet::new("Sheet2", reviews)],
    );
    w.write("t.toml", b"[report]\nlang = \"en\"\n");
    let (_, v) = w.check_json(&[
        "--orders",
        "book.xlsx",
        "--feedback",
        "book.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ]);
    assert_eq!(rows_accepted(&v, "orders"), 2, "{v}");
    assert_eq!(rows_accepted(&v, "feedback"), 3, "{v}");
    let fb = inputs_of(&v, "feedback");
    let sheet = &fb[0]["sheets"][0];
    assert_eq!(sheet["name"], "Sheet2", "{v}");
    assert_eq!(sheet["rows_rejected"], 1, "{v}");
    let v01: Vec<(String, bool)> = flags_of(&v, "V01")
        .iter()
        .map(|f| {
            (
                f["cell"].as_str().unwrap_or("").to_string(),
                f["rejected"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(v01, vec![("B5".to_string(), true)], "{v}");
    let c06: Vec<String> = flags_of(&v, "C06")
        .iter()
        .map(|f| f["cell"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(c06, vec!["B4"], "{v}");

    // The feedback log shows each review with its order's customer.
    let out = gendan(
        &w,
        &[
            "run",
            "--template",
            "t.toml",
            "--orders",
            "book.xlsx",
            "--feedback",
            "book.xlsx",
            "--as-of",
            AS_OF,
            "--out",
            "out",
            "-q",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log = sheet_text(&w.path("out/feedback-report-2026-W49.xlsx"), "Feedback log");
    let head = log
        .iter()
        .position(|r| r.iter().any(|c| c == "Customer"))
        .expect("a header row with Customer");
    let ccol = log[head].iter().position(|c| c == "Customer").unwrap();
    let mut customers: Vec<String> = log[head + 1..]
        .iter()
        .map(|r| r[ccol].clone())
        .filter(|c| !c.is_empty())
        .collect();
    customers.sort();
    assert_eq!(customers, vec!["Acme GmbH", "Beta Ltd"], "{log:?}");
}

/// A US-style export: `State` holds US states, `Sales` holds revenue.
fn superstore_like(w: &Work) {
    let states = ["Kentucky", "California", "Florida", "Texas", "Ohio", "Utah"];
    let mut rows = vec![header(&[
        "Order ID",
        "Order Date",
        "Ship Date",
        "Ship Mode",
        "Customer Name",
        "State",
        "Product Name",
        "Sales",
        "Quantity",
        "Required Date",
        "Merchandiser",
        "Order Status",
    ])];
    for i in 0..12 {
        rows.push(vec![
            s(&format!("US-{i}")),
            d(2026, 11, 1),
            d(2026, 11, 20),
            s("Standard Class"),
            s("Claire Gute"),
            s(states[i % states.len()]),
            s("Bookcase"),
            n(261.96 + i as f64),
            n(2.0),
            d(2026, 12, 20),
            s("Ann"),
            s("shipped"),
        ]);
    }
    w.xlsx("superstore.xlsx", vec![Sheet::new("Orders", rows)]);
}

#[test]
fn columns_whose_values_contradict_a_builtin_alias_are_dropped_with_the_reason() {
    let w = Work::new();
    superstore_like(&w);
    let (_, v) = w.check_json(&[
        "--orders",
        "superstore.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ]);
    let (state, why) = ignored(&v, "State");
    assert!(why.contains("order states"), "{why}");
    assert!(why.contains("Kentucky"), "{why}");
    assert_eq!(state["column"], "F");
    // "Order Status" took the status instead; no V04 for the states (the
    // ship modes are the team's words to map: V04 on the mode cells).
    let v04: Vec<(String, String)> = flags_of(&v, "V04")
        .iter()
        .map(|f| (f["field"].to_string(), f["cell"].to_string()))
        .collect();
    assert!(v04.iter().all(|(f, _)| f == "\"mode\""), "{v04:?}");
    assert_eq!(v04.len(), 12, "{v04:?}");
    assert_eq!(rows_accepted(&v, "orders"), 12, "{v}");

    // `Sales` as the owner: numbers are not names. Without Merchandiser,
    // Sales would be the owner column.
    let mut rows = vec![header(&[
        "Order ID",
        "Customer Name",
        "Product Name",
        "Quantity",
        "Order Date",
        "Required Date",
        "Status",
        "Sales",
    ])];
    for i in 0..5 {
        rows.push(vec![
            s(&format!("X-{i}")),
            s("Acme"),
            s("Mug"),
            n(1.0),
            d(2026, 11, 1),
            d(2026, 12, 20),
            s("confirmed"),
            n(129.990_005_5 + i as f64),
        ]);
    }
    w.xlsx("sales.xlsx", vec![Sheet::new("Orders", rows)]);
    let (_, v) = w.check_json(&["--orders", "sales.xlsx", "--as-of", AS_OF, "--lang", "en"]);
    let (_, why) = ignored(&v, "Sales");
    assert!(why.contains("numbers, not names"), "{why}");
    // The owner is missing: one V01 at the header, and no owner 129.99.
    let v01 = flags_of(&v, "V01");
    assert_eq!(v01.len(), 1, "{v}");
    let owners = v["flags"]["by_owner"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    assert!(owners.keys().all(|k| !k.contains("129")), "{owners:?}");
}

#[test]
fn a_template_alias_is_never_second_guessed_and_ignore_takes_a_column_from_every_field() {
    let w = Work::new();
    superstore_like(&w);
    // The team says State is the status: its words are V04, as written.
    w.write(
        "t.toml",
        b"[report]\nlang = \"en\"\n[columns.orders]\nstatus = [\"State\"]\n",
    );
    let (_, v) = w.check_json(&[
        "--template",
        "t.toml",
        "--orders",
        "superstore.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ]);
    let v04: Vec<Value> = flags_of(&v, "V04")
        .into_iter()
        .filter(|f| f["field"] == "status")
        .collect();
    assert_eq!(v04.len(), 12, "{v}");
    assert_eq!(v04[0]["value"], "Kentucky");
    assert_eq!(v04[0]["cell"], "F2");

    // ignore: Merchandiser may not be the owner (so no owner column).
    w.write(
        "t2.toml",
        b"[report]\nlang = \"en\"\n[columns.orders]\nignore = [\"merchandiser\"]\n",
    );
    let (_, v) = w.check_json(&[
        "--template",
        "t2.toml",
        "--orders",
        "superstore.xlsx",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
    ]);
    let (_, why) = ignored(&v, "Merchandiser");
    assert!(why.contains("ignore"), "{why}");
    let v01 = flags_of(&v, "V01");
    assert_eq!(v01.len(), 1, "{v}");
    assert_eq!(v01[0]["field"], "owner", "{v}");
    // An unknown key under [columns.*] is still a template error.
    w.write("t3.toml", b"[columns.orders]\nignor = [\"x\"]\n");
    let out = gendan(
        &w,
        &[
            "check",
            "--template",
            "t3.toml",
            "--orders",
            "superstore.xlsx",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn init_with_the_team_template_converges() {
    let w = Work::new();
    // An export with a date column no alias knows and a State column.
    let states = ["Kentucky", "California", "Florida", "Texas", "Ohio"];
    let mut rows = vec![header(&[
        "Order ID",
        "Customer Name",
        "Product Name",
        "Quantity",
        "order_placed_stamp",
        "Required Date",
        "State",
        "Order Status",
        "Merchandiser",
    ])];
    for i in 0..10 {
        rows.push(vec![
            s(&format!("SO-{i}")),
            s("Acme"),
            s("Mug"),
            n(5.0),
            s("2026-11-02 10:30:00"),
            d(2026, 12, 20),
            s(states[i % states.len()]),
            s("confirmed"),
            s("Ann"),
        ]);
    }
    w.xlsx("export.xlsx", vec![Sheet::new("orders", rows)]);
    let out = gendan(
        &w,
        &[
            "init",
            "export.xlsx",
            "--lang",
            "en",
            "--out",
            "gendan.toml",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = std::fs::read_to_string(w.path("gendan.toml")).unwrap();
    // The dropped column is written, commented, with its reason; the
    // unknown date column is suggested as a date field from its values.
    assert!(first.contains("# ignore = [\"State\"]"), "{first}");
    assert!(first.contains("its values are not order states"), "{first}");
    let hint = first
        .lines()
        .find(|l| l.contains("\"order_placed_stamp\""))
        .unwrap_or_default();
    assert!(
        hint.starts_with("# order_date = [\"order_placed_stamp\"]"),
        "{first}"
    );
    assert!(
        hint.contains("a date column: 10 of 10 sampled cells"),
        "{hint}"
    );

    // The team follows the comments: gives the column to its field,
    // confirms the ignore, and adds a word and a threshold of its own.
    let edited = first
        .replace(
            "# order_date = [\"order_placed_stamp\"]",
            "order_date = [\"order_placed_stamp\"]\n#",
        )
        .replace("# ignore = [\"State\"]", "ignore = [\"State\"]\n#")
        .replace(
            "\n[values.order_status]\n",
            "\n[values.order_status]\n\"装柜中\" = \"ready\"\n",
        )
        .replace("stale_days = 7", "stale_days = 10");
    w.write("gendan.toml", edited.as_bytes());
    let out = gendan(
        &w,
        &["check", "--template", "gendan.toml", "--as-of", AS_OF],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Second round: init from the team's template writes it again,
    // keeping what the team said.
    let out = gendan(
        &w,
        &["init", "--template", "gendan.toml", "--out", "gendan2.toml"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let second = std::fs::read_to_string(w.path("gendan2.toml")).unwrap();
    assert!(
        second
            .lines()
            .any(|l| l.starts_with("order_date = [\"order_placed_stamp\"")),
        "{second}"
    );
    assert!(
        second.lines().any(|l| l == "ignore = [\"State\"]"),
        "{second}"
    );
    assert!(second.contains("\"装柜中\" = \"ready\""), "{second}");
    assert!(second.contains("stale_days = 10"), "{second}");
    assert!(!second.contains("# ignore = [\"State\"]"), "{second}");
    // And check reads what it says: every row accepted, no V flag.
    let (code, v) = w.check_json(&["--template", "gendan2.toml", "--as-of", AS_OF]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(rows_accepted(&v, "orders"), 10, "{v}");
    let vflags: Vec<Value> = items(&v)
        .into_iter()
        .filter(|f| f["rule"].as_str().unwrap_or("").starts_with('V'))
        .collect();
    assert!(vflags.is_empty(), "{vflags:?}");
    // A third round changes nothing.
    let out = gendan(
        &w,
        &[
            "init",
            "--template",
            "gendan2.toml",
            "--out",
            "gendan3.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let third = std::fs::read_to_string(w.path("gendan3.toml")).unwrap();
    assert_eq!(second, third);
}

#[test]
fn a_file_given_to_one_table_that_plainly_is_another_is_read_for_that_one() {
    let w = Work::new();
    let mut orders = vec![header(&ORDER_HEADER_EN)];
    orders.push(order_row(
        "PO-1",
        "Acme",
        10.0,
        (2026, 11, 1),
        (2026, 12, 20),
        "shipped",
        "Ann",
    ));
    w.xlsx("orders.xlsx", vec![Sheet::new("Orders", orders)]);
    // A shipments register given as feedback.
    w.xlsx(
        "logistics.xlsx",
        vec![Sheet::new(
            "Sheet1",
            vec![
                header(&["Order No", "Qty Shipped", "Ship Date", "B/L No", "ETA"]),
                vec![
                    s("PO-1"),
                    n(10.0),
                    d(2026, 11, 20),
                    s("COSU1"),
                    d(2026, 12, 24),
                ],
            ],
        )],
    );
    let out = w
        .gendan()
        .args([
            "check",
            "--json",
            "--fail-on",
            "never",
            "--orders",
            "orders.xlsx",
            "--feedback",
            "logistics.xlsx",
            "--as-of",
            AS_OF,
            "--lang",
            "en",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows_accepted(&v, "shipments"), 1, "{v}");
    assert!(err.contains("logistics.xlsx › Sheet1"), "{err}");
    assert!(err.contains("read as shipments"), "{err}");
    // The shipment counts: the order is not "shipped without a shipment".
    assert!(flags_of(&v, "C04").is_empty(), "{v}");
    let why = sheet_of(&v, "shipments")["chosen_because"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(why.starts_with("given as feedback"), "{why}");

    // Named under [inputs.feedback] sheets, it stays the feedback's.
    w.write(
        "t.toml",
        b"[inputs.orders]\npaths = [\"orders.xlsx\"]\n[inputs.feedback]\npaths = [\"logistics.xlsx\"]\nsheets = [\"Sheet1\"]\n",
    );
    let out = gendan(&w, &["check", "--template", "t.toml", "--as-of", AS_OF]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn init_on_a_sheet_no_table_recognised_suggests_by_header_and_values_in_its_language() {
    let w = Work::new();
    // A shop's order export: an order number, amounts and an address; no
    // customer, no status, no date of the order's own.
    let mut csv = String::from("订单编号,总金额,收货地址,退款金额\n");
    let places = ["北京", "上海", "广东省", "浙江省", "四川省", "江苏省"];
    for i in 0..12 {
        csv.push_str(&format!(
            "{},{}.5,{},0\n",
            1000 + i,
            20 + i,
            places[i % places.len()]
        ));
    }
    w.write("shop.csv", csv.as_bytes());
    let out = gendan(&w, &["init", "shop.csv", "--out", "gendan.toml"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(w.path("gendan.toml")).unwrap();
    assert!(text.contains("was not read: no table recognised"), "{text}");
    // 收货地址 comes near 收货日期 by its name, but its values are places.
    let address = text
        .lines()
        .find(|l| l.contains("\"收货地址\""))
        .unwrap_or_default();
    assert!(address.contains("no field comes near"), "{text}");
    assert!(!text.contains("delivered_date = [\"收货地址\"]"), "{text}");
    // The order number is still suggested by its name.
    assert!(
        text.contains("#   orders.order_id = [\"订单编号\"]"),
        "{text}"
    );
    // Chinese headers: the report is in Chinese.
    assert!(text.contains("lang = \"zh\""), "{text}");
    assert!(text.contains("title = \"每周跟单例会\""), "{text}");
}
