//! Test helpers: a temp folder per test, workbooks written from Rust values
//! at test time, and the real binary run in that folder.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use serde_json::Value;

/// A cell to write into a test workbook.
#[derive(Clone, Debug)]
pub enum Cell {
    S(String),
    N(f64),
    D(u16, u8, u8),
    /// A number in a date format, as Excel stores a date (any serial).
    Serial(f64),
    /// A formula whose cached value is `#N/A`.
    Err,
    Blank,
}

pub fn s(x: &str) -> Cell {
    Cell::S(x.to_string())
}
pub fn n(x: f64) -> Cell {
    Cell::N(x)
}
pub fn d(y: u16, m: u8, dd: u8) -> Cell {
    Cell::D(y, m, dd)
}

/// A sheet: name, rows (from row 1), and vertical merges (col, first row,
/// last row; 0-based).
pub struct Sheet {
    pub name: String,
    pub rows: Vec<Vec<Cell>>,
    pub merges: Vec<(u16, u32, u32)>,
    /// Horizontal merges (row, first col, last col; 0-based): group titles.
    pub hmerges: Vec<(u32, u16, u16)>,
    pub hidden: bool,
}

impl Sheet {
    pub fn new(name: &str, rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet {
            name: name.into(),
            rows,
            merges: vec![],
            hmerges: vec![],
            hidden: false,
        }
    }
}

pub struct Work {
    pub dir: tempfile::TempDir,
}

impl Work {
    pub fn new() -> Work {
        Work {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes an xlsx with the given sheets.
    pub fn xlsx(&self, name: &str, sheets: Vec<Sheet>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let mut wb = Workbook::new();
        let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
        for sh in &sheets {
            let ws = wb.add_worksheet();
            ws.set_name(&sh.name).unwrap();
            for (r, row) in sh.rows.iter().enumerate() {
                for (c, cell) in row.iter().enumerate() {
                    let (r, c) = (r as u32, c as u16);
                    match cell {
                        Cell::S(x) => {
                            ws.write_string(r, c, x).unwrap();
                        }
                        Cell::N(x) => {
                            ws.write_number(r, c, *x).unwrap();
                        }
                        Cell::D(y, m, dd) => {
                            let dt = ExcelDateTime::from_ymd(*y, *m, *dd).unwrap();
                            ws.write_datetime_with_format(r, c, &dt, &date_fmt).unwrap();
                        }
                        Cell::Serial(x) => {
                            ws.write_number_with_format(r, c, *x, &date_fmt).unwrap();
                        }
                        Cell::Err => {
                            ws.write_formula(r, c, Formula::new("=NA()").set_result("#N/A"))
                                .unwrap();
                        }
                        Cell::Blank => {}
                    }
                }
            }
            for (c, r0, r1) in &sh.merges {
                let text = match &sh.rows[*r0 as usize][*c as usize] {
                    Cell::S(x) => x.clone(),
                    _ => String::new(),
                };
                ws.merge_range(*r0, *c, *r1, *c, &text, &Format::new())
                    .unwrap();
            }
            for (r, c0, c1) in &sh.hmerges {
                let text = match &sh.rows[*r as usize][*c0 as usize] {
                    Cell::S(x) => x.clone(),
                    _ => String::new(),
                };
                ws.merge_range(*r, *c0, *r, *c1, &text, &Format::new())
                    .unwrap();
            }
            if sh.hidden {
                ws.set_hidden(true);
            }
        }
        wb.save(&path).unwrap();
        path
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// The binary, run in this folder.
    pub fn gendan(&self) -> Command {
        let mut cmd = Command::cargo_bin("gendan").unwrap();
        cmd.current_dir(self.dir.path());
        cmd
    }

    /// `check --json` with these args; returns (exit code, summary).
    pub fn check_json(&self, args: &[&str]) -> (i32, Value) {
        let out = self
            .gendan()
            .arg("check")
            .arg("--json")
            .arg("--fail-on")
            .arg("never")
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "no JSON on stdout ({e}); stdout: {text}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), v)
    }
}

/// The flags of a summary.
pub fn items(v: &Value) -> Vec<Value> {
    v["flags"]["items"].as_array().cloned().unwrap_or_default()
}

/// Every flag but S09 (the look-ahead note, which dates near as_of raise
/// by design): what a reading test expects to be empty.
pub fn problems(v: &Value) -> Vec<Value> {
    items(v)
        .into_iter()
        .filter(|f| f["rule"] != "S09")
        .collect()
}

/// Flags of one rule, as (cell, value, rejected).
pub fn flags_of(v: &Value, rule: &str) -> Vec<Value> {
    items(v).into_iter().filter(|f| f["rule"] == rule).collect()
}

/// (rule, cell) pairs, sorted, for compact assertions.
pub fn rule_cells(v: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = items(v)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or("").to_string(),
                f["cell"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The sheet entry of the first input file of `table`.
pub fn sheet_of<'a>(v: &'a Value, table: &str) -> &'a Value {
    let inputs = v["inputs"].as_array().expect("inputs");
    let f = inputs
        .iter()
        .find(|f| f["table"] == table)
        .unwrap_or_else(|| panic!("no {table} input in {v}"));
    &f["sheets"][0]
}

pub fn exists(p: &Path) -> bool {
    p.exists()
}

/// Standard English order header.
pub const ORDER_HEADER_EN: [&str; 9] = [
    "Order No",
    "Customer",
    "Product",
    "Qty",
    "Order Date",
    "Due Date",
    "Status",
    "Merchandiser",
    "Last Updated",
];

/// An English order line in ORDER_HEADER_EN's columns.
pub fn order_row(
    id: &str,
    customer: &str,
    qty: f64,
    order_date: (u16, u8, u8),
    due: (u16, u8, u8),
    status: &str,
    owner: &str,
) -> Vec<Cell> {
    vec![
        s(id),
        s(customer),
        s("Mug"),
        n(qty),
        d(order_date.0, order_date.1, order_date.2),
        d(due.0, due.1, due.2),
        s(status),
        s(owner),
        d(order_date.0, order_date.1, order_date.2),
    ]
}

pub fn header(cols: &[&str]) -> Vec<Cell> {
    cols.iter().map(|c| s(c)).collect()
}

/// One sheet of a produced workbook.
pub fn sheet(path: &Path, name: &str) -> calamine::Range<calamine::Data> {
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    wb.worksheet_range(name)
        .unwrap_or_else(|e| panic!("{} › {name}: {e}", path.display()))
}

/// One sheet as text rows (dates as `YYYY-MM-DD`, numbers as Rust prints them).
pub fn sheet_text(path: &Path, name: &str) -> Vec<Vec<String>> {
    use calamine::Data;
    sheet(path, name)
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    Data::DateTime(d) => d
                        .as_datetime()
                        .map(|x| x.date().to_string())
                        .unwrap_or_default(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect()
}

/// One part of a workbook's zip (for XML the readers do not expose).
pub fn zip_entry(path: &Path, name: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut entry = z.by_name(name).unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
    text
}
