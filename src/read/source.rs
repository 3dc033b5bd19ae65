//! Opening one input file as a set of sheets of cells.
//!
//! The format is recognised by content, not by extension: a zip is xlsx or
//! ods, an OLE container is xls (or an encrypted xlsx, which is refused with
//! a message that says so), anything else is read as CSV in UTF-8 or
//! GBK/GB18030. Vertically merged cells are filled down here, so the rest of
//! the reader sees one value per row.

use std::io::Cursor;
use std::path::Path;
use std::sync::Arc;

use calamine::{
    Data, DataRef, Dimensions, Ods, Range, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx,
};
use sha2::{Digest, Sha256};

use super::merges::XlsxParts;

/// An input file that cannot be read at all; exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    #[error("{path}: cannot read the file: {detail} — check that it exists and is readable")]
    Io { path: String, detail: String },
    #[error("{path}: the file is empty — export the register again")]
    Empty { path: String },
    #[error("{path}: a sheet of this .xls spans {cells} cells, over the limit of {limit} (an .xls sheet holds at most 65536 × 256 = 16777216; [limits] max_cells) — the file is damaged: save it again as .xlsx")]
    XlsTooLarge {
        path: String,
        cells: u64,
        limit: u64,
    },
    #[error("{path}: the workbook has no sheets — export the register again")]
    NoSheets { path: String },
    #[error("{path}: not a readable workbook ({detail}) — save it again as .xlsx from Excel")]
    Corrupt { path: String, detail: String },
    #[error("{path}: the workbook is password-protected — save a copy without a password")]
    Encrypted { path: String },
    #[error(
        "{path}: not a workbook or CSV file (it holds binary data) — save it as .xlsx or .csv"
    )]
    NotTabular { path: String },
    #[error("{path}: {entry} unpacks to {size_mb} MB, over the limit of {limit_mb} MB ([limits] max_sheet_mb) — check the file, or raise the limit in the template")]
    TooLarge {
        path: String,
        entry: String,
        size_mb: u64,
        limit_mb: u64,
    },
    /// A sheet whose used area is over the limits; it is skipped, not read.
    #[error("{path} › {sheet}: too large")]
    TooBig {
        path: String,
        sheet: String,
        rows: u64,
        cols: u64,
        last_cell: String,
    },
    #[error(
        "{path} › {sheet}: cannot read the sheet: {detail} — save the workbook again from Excel"
    )]
    Sheet {
        path: String,
        sheet: String,
        detail: String,
    },
}

/// A sheet's name and whether it is read by default.
#[derive(Clone, Debug)]
pub struct SheetMeta {
    pub name: String,
    pub visible: bool,
    pub worksheet: bool,
}

type Bytes = Cursor<Arc<[u8]>>;

/// The most cells an .xls (BIFF8) sheet can have: 65,536 rows × 256 columns.
const XLS_MAX_CELLS: u64 = 65_536 * 256;

enum Inner {
    /// The workbook, and the package's parts for finding merged regions
    /// without calamine's second pass over the cells.
    /// The file's bytes serve calamine's scan when the parts are unusual.
    Xlsx(Xlsx<Bytes>, Option<XlsxParts>, Arc<[u8]>),
    Xls(Xls<Bytes>),
    Xlsb(Xlsb<Bytes>),
    Ods(Ods<Bytes>),
    /// The cells, and each record's field count by (0-based) row.
    Csv(Option<Range<Data>>, Vec<u32>),
}

/// What [`Workbook::sheet`] does with a sheet's merged regions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Merged {
    /// Filled down, so every row of a region has its value.
    FillDown,
    /// Left as in the file (for copies that must keep every value where it
    /// was); only xlsx and xls sheets have them, other formats read the same.
    AsIs,
}

/// An opened input file.
pub struct Workbook {
    pub sha256: String,
    pub sheets: Vec<SheetMeta>,
    inner: Inner,
}

fn sniff_encrypted(bytes: &[u8]) -> bool {
    let needle: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    bytes.windows(needle.len()).any(|w| w == needle.as_slice())
}

impl Workbook {
    /// Opens `path`; `shown` is the name messages use for it.
    ///
    /// # Errors
    /// A missing, empty, corrupt, encrypted or binary non-workbook file.
    pub fn open(
        path: &Path,
        shown: &str,
        limits: &crate::template::LimitsSection,
    ) -> Result<Workbook, SourceError> {
        let bytes = std::fs::read(path).map_err(|e| SourceError::Io {
            path: shown.to_string(),
            detail: e.to_string(),
        })?;
        Workbook::from_bytes(bytes, shown, limits)
    }

    /// Opens a file's bytes (the fuzz target's entry point).
    ///
    /// # Errors
    /// As [`Workbook::open`].
    pub fn from_bytes(
        bytes: Vec<u8>,
        shown: &str,
        limits: &crate::template::LimitsSection,
    ) -> Result<Workbook, SourceError> {
        if bytes.is_empty() {
            return Err(SourceError::Empty {
                path: shown.to_string(),
            });
        }
        let sha256 = format!("{:x}", Sha256::digest(&bytes));
        let bytes: Arc<[u8]> = Arc::from(bytes);
        let corrupt = |detail: String| SourceError::Corrupt {
            path: shown.to_string(),
            detail,
        };
        let (inner, metas) = if bytes.starts_with(b"PK\x03\x04") {
            check_unpacked_sizes(&bytes, shown, limits.max_sheet_mb)?;
            let is_ods = bytes.len() > 80
                && bytes[30..80.min(bytes.len())]
                    .windows(8)
                    .any(|w| w == b"mimetype")
                && bytes[..200.min(bytes.len())]
                    .windows(11)
                    .any(|w| w == b"opendocumen");
            if zip_has(&bytes, "xl/workbook.bin") {
                let wb: Xlsb<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone()))
                    .map_err(|e: calamine::XlsbError| corrupt(e.to_string()))?;
                let m = metas(wb.sheets_metadata());
                (Inner::Xlsb(wb), m)
            } else if is_ods {
                let wb: Ods<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone()))
                    .map_err(|e: calamine::OdsError| corrupt(e.to_string()))?;
                let m = metas(wb.sheets_metadata());
                (Inner::Ods(wb), m)
            } else {
                let wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone()))
                    .map_err(|e: calamine::XlsxError| corrupt(e.to_string()))?;
                let m = metas(wb.sheets_metadata());
                (Inner::Xlsx(wb, XlsxParts::open(&bytes), bytes.clone()), m)
            }
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            if sniff_encrypted(&bytes) {
                return Err(SourceError::Encrypted {
                    path: shown.to_string(),
                });
            }
            // calamine sizes every sheet's grid while opening an .xls.
            let cells = super::xls_size::largest_grid(&bytes)
                .map_err(|e| corrupt(format!("damaged OLE container: {e}")))?;
            // No sheet of an .xls can be larger than 65,536 × 256 cells;
            // more means damaged records.
            let limit = limits.max_cells.min(XLS_MAX_CELLS);
            if cells > limit {
                return Err(SourceError::XlsTooLarge {
                    path: shown.to_string(),
                    cells,
                    limit,
                });
            }
            let wb: Xls<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.clone())).map_err(
                |e: calamine::XlsError| {
                    let s = e.to_string();
                    if s.to_lowercase().contains("password") || s.to_lowercase().contains("encrypt")
                    {
                        SourceError::Encrypted {
                            path: shown.to_string(),
                        }
                    } else {
                        corrupt(s)
                    }
                },
            )?;
            let m = metas(wb.sheets_metadata());
            (Inner::Xls(wb), m)
        } else {
            let (range, fields) = read_csv(&bytes, shown)?;
            let name = Path::new(shown)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "csv".into());
            let m = vec![SheetMeta {
                name,
                visible: true,
                worksheet: true,
            }];
            (Inner::Csv(Some(range), fields), m)
        };
        if metas.is_empty() {
            return Err(SourceError::NoSheets {
                path: shown.to_string(),
            });
        }
        Ok(Workbook {
            sha256,
            sheets: metas,
            inner,
        })
    }

    /// A CSV file: one sheet named after the file, `sheets` does not apply.
    pub fn is_csv(&self) -> bool {
        matches!(self.inner, Inner::Csv(..))
    }

    /// A CSV file's field count per record, by 0-based row (spec section
    /// 3, V07); `None` for a workbook.
    pub fn csv_field_counts(&self) -> Option<&[u32]> {
        match &self.inner {
            Inner::Csv(_, fields) => Some(fields),
            _ => None,
        }
    }

    /// The cells of one sheet, with vertically merged regions filled down
    /// or as they are in the file (`merged`). An xlsx sheet's text cells
    /// borrow calamine's shared strings instead of copying each one.
    ///
    /// # Errors
    /// A sheet calamine cannot parse.
    /// An xlsx sheet's used area is checked against `limits` before any
    /// cell grid is allocated (a stray cell in XFD1048576 would otherwise
    /// cost gigabytes); other formats are checked by the caller.
    pub fn sheet(
        &mut self,
        name: &str,
        shown: &str,
        limits: &crate::template::LimitsSection,
        merged: Merged,
    ) -> Result<Range<DataRef<'_>>, SourceError> {
        let err = |detail: String| sheet_error(shown, name, detail);
        match &mut self.inner {
            Inner::Xlsx(wb, parts, bytes) => {
                if merged == Merged::AsIs {
                    bounded_range(wb, name, shown, limits)
                } else {
                    // The merged regions come from the part's tail (see
                    // `merges`), unpacked while calamine reads the cells; else
                    // from calamine's own scan on a second reader.
                    let (found, range) = std::thread::scope(|s| {
                        let scan = parts.as_mut().map(|p| s.spawn(move || p.merges(name)));
                        let range = bounded_range(wb, name, shown, limits);
                        (scan.and_then(|h| h.join().ok().flatten()), range)
                    });
                    let mut range = range?;
                    let merges = found.unwrap_or_else(|| {
                        calamine::open_workbook_from_rs::<Xlsx<Bytes>, _>(Cursor::new(
                            bytes.clone(),
                        ))
                        .ok()
                        .and_then(|mut second| second.merge_cells_by_sheet_name(name).ok())
                        .unwrap_or_default()
                    });
                    fill_merged(&mut range, &merges);
                    Ok(range)
                }
            }
            Inner::Xls(wb) => {
                let mut range = wb.worksheet_range(name).map_err(|e| err(e.to_string()))?;
                let merges = match merged {
                    Merged::FillDown => wb.merge_cells_by_sheet_name(name).ok(),
                    Merged::AsIs => None,
                };
                if let Some(merges) = merges {
                    fill_merged(&mut range, &merges);
                }
                Ok(owned(range))
            }
            Inner::Xlsb(wb) => wb
                .worksheet_range(name)
                .map(owned)
                .map_err(|e| err(e.to_string())),
            Inner::Ods(wb) => wb
                .worksheet_range(name)
                .map(owned)
                .map_err(|e| err(e.to_string())),
            Inner::Csv(r, _) => Ok(owned(r.take().unwrap_or_else(Range::empty))),
        }
    }
}

impl SourceError {
    /// The message in the run's language (`Display` is English).
    pub fn say(&self, lang: crate::i18n::Lang) -> String {
        use crate::i18n::fill;
        match self {
            SourceError::Io { path, detail } => {
                fill(lang, "err.io", &[("path", path), ("detail", detail)])
            }
            SourceError::Empty { path } => fill(lang, "err.empty", &[("path", path)]),
            SourceError::XlsTooLarge { path, cells, limit } => fill(
                lang,
                "err.xls_too_large",
                &[
                    ("path", path),
                    ("cells", &cells.to_string()),
                    ("limit", &limit.to_string()),
                ],
            ),
            SourceError::NoSheets { path } => fill(lang, "err.no_sheets", &[("path", path)]),
            SourceError::Corrupt { path, detail } => {
                fill(lang, "err.corrupt", &[("path", path), ("detail", detail)])
            }
            SourceError::Encrypted { path } => fill(lang, "err.encrypted", &[("path", path)]),
            SourceError::NotTabular { path } => fill(lang, "err.not_tabular", &[("path", path)]),
            SourceError::TooLarge {
                path,
                entry,
                size_mb,
                limit_mb,
            } => fill(
                lang,
                "err.too_large",
                &[
                    ("path", path),
                    ("entry", entry),
                    ("size_mb", &size_mb.to_string()),
                    ("limit_mb", &limit_mb.to_string()),
                ],
            ),
            SourceError::TooBig { path, sheet, .. } => {
                fill(lang, "err.too_big", &[("path", path), ("sheet", sheet)])
            }
            SourceError::Sheet {
                path,
                sheet,
                detail,
            } => fill(
                lang,
                "err.sheet",
                &[("path", path), ("sheet", sheet), ("detail", detail)],
            ),
        }
    }
}

/// A sheet calamine could not read, naming the file and sheet.
fn sheet_error(shown: &str, name: &str, detail: String) -> SourceError {
    SourceError::Sheet {
        path: shown.to_string(),
        sheet: name.to_string(),
        detail,
    }
}

/// An xlsx sheet's cells through calamine's cell reader, made into a range
/// (as calamine's `worksheet_range_ref` does) only once the used area is
/// known to be within `limits`.
fn bounded_range<'a>(
    wb: &'a mut Xlsx<Bytes>,
    name: &str,
    shown: &str,
    limits: &crate::template::LimitsSection,
) -> Result<Range<DataRef<'a>>, SourceError> {
    let err = |detail: String| SourceError::Sheet {
        path: shown.to_string(),
        sheet: name.to_string(),
        detail,
    };
    let mut reader = match wb.worksheet_cells_reader(name) {
        Ok(r) => r,
        Err(calamine::XlsxError::NotAWorksheet(_)) => return Ok(Range::default()),
        Err(e) => return Err(err(e.to_string())),
    };
    let mut cells = Vec::new();
    let (mut r0, mut r1, mut c0, mut c1) = (u32::MAX, 0u32, u32::MAX, 0u32);
    while let Some(cell) = reader.next_cell().map_err(|e| err(e.to_string()))? {
        // Leading empty cells do not start the range (as calamine does).
        if cells.is_empty() && *cell.get_value() == DataRef::Empty {
            continue;
        }
        let (r, c) = cell.get_position();
        (r0, r1, c0, c1) = (r0.min(r), r1.max(r), c0.min(c), c1.max(c));
        cells.push(cell);
    }
    if cells.is_empty() {
        return Ok(Range::default());
    }
    let rows = u64::from(r1 - r0) + 1;
    let cols = u64::from(c1 - c0) + 1;
    if rows > limits.max_rows
        || cols > limits.max_columns
        || rows.saturating_mul(cols) > limits.max_cells
    {
        return Err(SourceError::TooBig {
            path: shown.to_string(),
            sheet: name.to_string(),
            rows,
            cols,
            last_cell: crate::flags::cell_ref(c1, r1 + 1),
        });
    }
    Ok(Range::from_sparse(cells))
}

/// Refuses a zip whose sheet data declares more than `limit_mb` unpacked
/// (a zip bomb), before calamine unpacks anything. The zip reader stops at
/// the declared size, so a lying header cannot get past this either.
fn check_unpacked_sizes(bytes: &Arc<[u8]>, shown: &str, limit_mb: u64) -> Result<(), SourceError> {
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(bytes.clone())) else {
        return Ok(()); // not a readable zip: calamine reports it
    };
    let limit = limit_mb.saturating_mul(1024 * 1024);
    for i in 0..zip.len() {
        let Ok(entry) = zip.by_index_raw(i) else {
            continue;
        };
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let sheet_data = name.starts_with("xl/worksheets/")
            || name == "content.xml"
            || name == "xl/sharedStrings.xml";
        if sheet_data && entry.size() > limit {
            return Err(SourceError::TooLarge {
                path: shown.to_string(),
                entry: name,
                size_mb: entry.size() / (1024 * 1024),
                limit_mb,
            });
        }
    }
    Ok(())
}

/// Whether a zip holds a part named `name` (an .xlsb has
/// `xl/workbook.bin` where an .xlsx has `xl/workbook.xml`).
fn zip_has(bytes: &Arc<[u8]>, name: &str) -> bool {
    zip::ZipArchive::new(Cursor::new(bytes.clone()))
        .map(|z| z.index_for_name(name).is_some())
        .unwrap_or(false)
}

fn metas(sheets: &[calamine::Sheet]) -> Vec<SheetMeta> {
    sheets
        .iter()
        .map(|s| SheetMeta {
            name: s.name.clone(),
            visible: s.visible == SheetVisible::Visible,
            worksheet: s.typ == SheetType::WorkSheet,
        })
        .collect()
}

/// A range of owned cells as the reader's cell type.
fn owned(range: Range<Data>) -> Range<DataRef<'static>> {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return Range::empty();
    };
    let mut out = Range::new(start, end);
    for (r, c, d) in range.used_cells() {
        let v = match d.clone() {
            Data::Int(i) => DataRef::Int(i),
            Data::Float(f) => DataRef::Float(f),
            Data::String(s) => DataRef::String(s),
            Data::Bool(b) => DataRef::Bool(b),
            Data::DateTime(t) => DataRef::DateTime(t),
            Data::DateTimeIso(s) => DataRef::DateTimeIso(s),
            Data::DurationIso(s) => DataRef::DurationIso(s),
            Data::Error(e) => DataRef::Error(e),
            Data::Empty => DataRef::Empty,
        };
        out.set_value((start.0 + r as u32, start.1 + c as u32), v);
    }
    out
}

/// Copies the top value of each vertically merged region into every row of
/// the region (teams merge the order number over an order's lines).
fn fill_merged<T: calamine::CellType>(range: &mut Range<T>, merges: &[Dimensions]) {
    let (Some(start), Some(end)) = (range.start(), range.end()) else {
        return;
    };
    for m in merges {
        if m.start.0 >= m.end.0 {
            continue;
        }
        for col in m.start.1..=m.end.1.min(end.1) {
            if col < start.1 {
                continue;
            }
            let Some(top) = range.get_value((m.start.0, col)).cloned() else {
                continue;
            };
            if top == T::default() {
                continue;
            }
            for row in (m.start.0 + 1)..=m.end.0.min(end.0) {
                if row >= start.0 {
                    range.set_value((row, col), top.clone());
                }
            }
        }
    }
}

/// Decodes CSV bytes (UTF-8 with or without BOM, else GBK/GB18030) into a
/// range of text cells, with each record's field count (records may differ:
/// the reader rejects a record whose count is not its header's, V07).
fn read_csv(bytes: &[u8], shown: &str) -> Result<(Range<Data>, Vec<u32>), SourceError> {
    let text: String = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Ok(s) = std::str::from_utf8(bytes) {
        s.to_string()
    } else {
        let (s, _, had_errors) = encoding_rs::GB18030.decode(bytes);
        if had_errors {
            return Err(SourceError::NotTabular {
                path: shown.to_string(),
            });
        }
        s.into_owned()
    };
    if text.contains('\0') {
        return Err(SourceError::NotTabular {
            path: shown.to_string(),
        });
    }
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut cells = Vec::new();
    let mut fields = Vec::new();
    for (r, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|e| SourceError::Corrupt {
            path: shown.to_string(),
            detail: format!("CSV line {}: {e}", r + 1),
        })?;
        fields.push(rec.len() as u32);
        for (c, field) in rec.iter().enumerate() {
            if !field.is_empty() {
                cells.push(calamine::Cell::new(
                    (r as u32, c as u32),
                    Data::String(field.to_string()),
                ));
            }
        }
    }
    Ok((Range::from_sparse(cells), fields))
}
