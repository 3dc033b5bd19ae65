//! Fuzz target: the ingest of one workbook (format sniffing, the zip-bomb
//! check, calamine, merged regions, header detection, every value form,
//! the frame), as orders and as shipments, and as one workbook given for
//! all three tables (layout choice, two-row headers, tracker derivation).
//! Any panic is a finding.
//!
//! `cargo +nightly fuzz run ingest -s none fuzz/corpus/ingest` (see
//! fuzz/README.md).

#![no_main]

use gendan::flags::Table;
use gendan::i18n::Lang;
use gendan::read::{ingest, ingest_as, ReadContext};
use gendan::template::Template;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut template = Template::default();
    template.file.limits.max_sheet_mb = 64;
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let ctx = ReadContext::new(&template, Lang::En, as_of);
    for table in [Table::Orders, Table::Shipments] {
        let _ = ingest(&ctx, table, data.to_vec(), "fuzz.xlsx");
    }
    let all = [Table::Orders, Table::Shipments, Table::Feedback];
    let _ = ingest_as(&ctx, &all, data.to_vec(), "fuzz.xlsx");
});
