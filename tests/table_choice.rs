//! Property tests of which table a sheet is read for and of the evidence
//! rule (spec sections 3.2 and 3.3, rev5), through the read stage on
//! workbooks generated at test time: no grid makes them panic or lose a
//! row; a column of known words is never dropped; values that agree with
//! their fields never change the table a header chose.

use std::path::Path;

use chrono::NaiveDate;
use gendan::fields::{self, EnumKind};
use gendan::flags::Table;
use gendan::i18n::Lang;
use gendan::read::{self, ReadContext, TableInput};
use gendan::template::Template;
use proptest::prelude::*;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

#[derive(Clone, Debug)]
enum Cell {
    Text(String),
    Num(f64),
    Date(u16, u8, u8),
    Blank,
}

fn cell() -> impl Strategy<Value = Cell> {
    prop_oneof![
        3 => "[A-Za-z]{1,8}( [A-Za-z]{1,6})?".prop_map(Cell::Text),
        1 => "(PO|SO)-[0-9]{1,4}".prop_map(Cell::Text),
        2 => (-5.0f64..5000.0).prop_map(|x| Cell::Num((x * 100.0).round() / 100.0)),
        2 => (2019u16..2028, 1u8..13, 1u8..29).prop_map(|(y, m, d)| Cell::Date(y, m, d)),
        1 => Just(Cell::Text("2026-11-02 10:30".into())),
        1 => Just(Cell::Text("N/A".into())),
        1 => prop::sample::select(
            EnumKind::OrderStatus.builtin_words().iter().map(|(w, _)| w.to_string()).collect::<Vec<_>>()
        ).prop_map(Cell::Text),
        1 => Just(Cell::Blank),
    ]
}

/// Every built-in alias of every table, and some headers of nothing.
fn header_pool() -> Vec<String> {
    let mut pool: Vec<String> = Table::ALL
        .iter()
        .flat_map(|t| fields::fields(*t).iter())
        .flat_map(|d| d.aliases.iter().map(|a| a.to_string()))
        .collect();
    pool.extend(["State", "Sales", "Segment", "Row ID", "Discount", "备注"].map(String::from));
    pool.sort();
    pool.dedup();
    pool
}

fn header() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(prop::sample::select(header_pool()), 1..9)
}

fn write(path: &Path, sheets: &[(String, Vec<Vec<Cell>>)]) {
    let mut wb = Workbook::new();
    let fmt = Format::new().set_num_format("yyyy-mm-dd");
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).unwrap();
                    }
                    Cell::Num(x) => {
                        ws.write_number(r, c, *x).unwrap();
                    }
                    Cell::Date(y, m, d) => {
                        let dt = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                        ws.write_datetime_with_format(r, c, &dt, &fmt).unwrap();
                    }
                    Cell::Blank => {}
                }
            }
        }
    }
    wb.save(path).unwrap();
}

/// The workbook read as layout 2 (given for all three tables).
fn read_all(path: &Path) -> Result<read::Inputs, read::ReadError> {
    let t = Template::default();
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let ctx = ReadContext::new(&t, Lang::En, as_of);
    let inputs: Vec<TableInput> = Table::ALL
        .iter()
        .map(|table| TableInput {
            table: *table,
            patterns: vec![(path.to_path_buf(), "book.xlsx".into())],
            sheets: Vec::new(),
            optional: false,
        })
        .collect();
    read::read_inputs_lenient(&ctx, &inputs)
}

/// (sheet, table) for every sheet read.
fn chosen(found: &read::Inputs) -> Vec<(String, Table)> {
    let mut out: Vec<(String, Table)> = found
        .files
        .iter()
        .flat_map(|f| f.sheets.iter().map(move |s| (s.name.clone(), f.table)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// A value that agrees with the field `header` names in any table.
fn agreeing(header: &str, i: usize) -> Cell {
    let t = Template::default();
    let ctx = ReadContext::new(&t, Lang::En, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    for table in Table::ALL {
        if let Some((fi, _)) = ctx.field_for(table, header) {
            let def = &fields::fields(table)[fi];
            return match def.kind {
                fields::Kind::Date => Cell::Date(2026, 11, 1 + (i % 20) as u8),
                fields::Kind::Quantity | fields::Kind::NonNegative => Cell::Num(1.0 + i as f64),
                fields::Kind::Whole(lo, _) => Cell::Num(lo as f64 + 1.0),
                fields::Kind::Enum(k) => {
                    Cell::Text(k.canonical_words()[i % k.canonical_words().len()].to_string())
                }
                _ => Cell::Text(format!("Name{i}")),
            };
        }
    }
    Cell::Text(format!("x{i}"))
}

/// Whether `header` names the order id (of any table).
fn names_order_id(header: &str) -> bool {
    let t = Template::default();
    let ctx = ReadContext::new(&t, Lang::En, NaiveDate::from_ymd_opt(2026, 11, 30).unwrap());
    Table::ALL.iter().any(|table| {
        ctx.field_for(*table, header)
            .is_some_and(|(fi, _)| fields::fields(*table)[fi].name == "order_id")
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn random_grids_never_panic_and_lose_no_row(
        head in header(),
        body in prop::collection::vec(prop::collection::vec(cell(), 0..9), 0..12),
        head2 in header(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let mut rows = vec![head.iter().cloned().map(Cell::Text).collect::<Vec<_>>()];
        rows.extend(body.clone());
        let mut rows2 = vec![head2.iter().cloned().map(Cell::Text).collect::<Vec<_>>()];
        rows2.extend(body);
        write(&path, &[("A".into(), rows), ("B".into(), rows2)]);
        let found = read_all(&path).expect("a readable workbook");
        for f in &found.files {
            for s in &f.sheets {
                prop_assert_eq!(s.rows_read, s.rows_accepted + s.rows_rejected);
            }
        }
        // A sheet is read for one table only.
        let c = chosen(&found);
        let mut names: Vec<&String> = c.iter().map(|(n, _)| n).collect();
        names.dedup();
        prop_assert_eq!(names.len(), c.len());
    }

    #[test]
    fn a_column_of_known_words_is_never_dropped(
        words in prop::collection::vec(
            prop::sample::select(
                EnumKind::OrderStatus.builtin_words().iter().map(|(w, _)| w.to_string()).collect::<Vec<_>>()
            ),
            1..40,
        ),
        noise in prop::collection::vec(cell(), 40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.xlsx");
        let head = ["Order No", "Customer", "Product", "Qty", "Order Date", "Due Date", "Status", "Owner", "Notes x"];
        let mut rows = vec![head.iter().map(|h| Cell::Text(h.to_string())).collect::<Vec<_>>()];
        for (i, w) in words.iter().enumerate() {
            rows.push(vec![
                Cell::Text(format!("PO-{i}")),
                Cell::Text("Acme".into()),
                Cell::Text("Mug".into()),
                Cell::Num(3.0),
                Cell::Date(2026, 11, 2),
                Cell::Date(2026, 12, 2),
                Cell::Text(w.clone()),
                Cell::Text("Ann".into()),
                noise[i].clone(),
            ]);
        }
        write(&path, &[("Orders".into(), rows)]);
        let found = read_all(&path).expect("readable");
        let sheet = found
            .files
            .iter()
            .filter(|f| f.table == Table::Orders)
            .flat_map(|f| &f.sheets)
            .next()
            .expect("read as orders");
        prop_assert!(sheet.ignored_columns.iter().all(|c| !c.dropped), "{:?}", sheet.ignored_columns);
        prop_assert!(sheet.mapped.iter().any(|(f, _)| f == "status"));
    }

    #[test]
    fn agreeing_values_keep_the_table_a_header_chose(
        head in header(),
        n_rows in 1usize..15,
    ) {
        let dir = tempfile::tempdir().unwrap();
        let only = dir.path().join("book.xlsx");
        let full = dir.path().join("full.xlsx");
        let header_row: Vec<Cell> = head.iter().cloned().map(Cell::Text).collect();
        write(&only, &[("Sheet1".into(), vec![header_row.clone()])]);
        let mut rows = vec![header_row];
        for i in 0..n_rows {
            let mut row: Vec<Cell> = head.iter().map(|h| agreeing(h, i)).collect();
            // A key in the first column named for the order id (not in a
            // date column whose name has "order" in it), so rows are not
            // rejected.
            if let Some(c) = head.iter().position(|h| names_order_id(h)) {
                row[c] = Cell::Text(format!("PO-{i}"));
            }
            rows.push(row);
        }
        write(&full, &[("Sheet1".into(), rows)]);
        let a = read_all(&only).expect("readable");
        let b = read_all(&full).expect("readable");
        // A header alone drops nothing: there are no values to contradict it.
        for f in &a.files {
            for s in &f.sheets {
                prop_assert!(s.ignored_columns.iter().all(|c| !c.dropped));
            }
        }
        prop_assert_eq!(chosen(&a), chosen(&b));
    }
}
