//! The physical floor of a gendan run, for the benchmark (BENCHMARKS.md):
//! read every sheet of the inputs with calamine into memory and do nothing
//! else, then write as many cells as gendan's reports hold with
//! rust_xlsxwriter and do nothing else.
//!
//! `cargo run --release --example floor -- --inputs A.xlsx B.xlsx … --outputs R1.xlsx R2.xlsx`
//! prints `read_s write_s cells_read cells_written`.

use std::io::Cursor;
use std::time::Instant;

use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use rust_xlsxwriter::Workbook;

/// The allocator gendan's binary uses, so the floor is measured with it too.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn read_all(path: &str) -> usize {
    let bytes = std::fs::read(path).expect("input readable");
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
    let mut cells = 0;
    for name in wb.sheet_names() {
        if let Ok(r) = wb.worksheet_range(&name) {
            cells += r
                .used_cells()
                .filter(|(_, _, c)| **c != Data::Empty)
                .count();
        }
    }
    cells
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args
        .iter()
        .position(|a| a == "--outputs")
        .unwrap_or(args.len());
    let inputs: Vec<String> = args[..split]
        .iter()
        .filter(|a| *a != "--inputs")
        .cloned()
        .collect();
    let outputs: Vec<String> = args.get(split + 1..).unwrap_or(&[]).to_vec();

    // Untimed: how many cells gendan wrote.
    let to_write: usize = outputs.iter().map(|p| read_all(p)).sum();

    // Timed: read every input sheet, files in parallel as gendan does.
    let t = Instant::now();
    let cells_read: usize = std::thread::scope(|s| {
        let handles: Vec<_> = inputs
            .iter()
            .map(|p| s.spawn(move || read_all(p)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    let read_s = t.elapsed().as_secs_f64();

    // Timed: write the same number of cells (text and numbers, 12 columns),
    // long sheets in low-memory mode, as gendan does.
    let t = Instant::now();
    let mut wb = Workbook::new();
    // The same deflate level as gendan's workbooks.
    wb.set_zip_compression_level(gendan::report::ZIP_LEVEL);
    let ws = wb.add_worksheet_with_low_memory().expect("worksheet");
    let cols = 12u32;
    for i in 0..to_write as u32 {
        let (r, c) = (i / cols, (i % cols) as u16);
        if c % 2 == 0 {
            ws.write_string(r, c, format!("PO-{r:07}")).expect("write");
        } else {
            ws.write_number(r, c, f64::from(r) * 1.5).expect("write");
        }
    }
    let bytes = wb.save_to_buffer().expect("save");
    std::fs::write(std::env::temp_dir().join("gendan-floor.xlsx"), bytes).expect("write file");
    let write_s = t.elapsed().as_secs_f64();
    println!("{read_s:.2} {write_s:.2} {cells_read} {to_write}");
}
