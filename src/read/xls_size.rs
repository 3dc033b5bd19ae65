//! The cell grid an `.xls` file will make calamine allocate, found before
//! calamine opens it.
//!
//! calamine builds every sheet's dense grid while opening an `.xls`, sized
//! by the first and last row and column any cell record names. A damaged
//! record can name column 65,535 (the fuzz target found such files), and
//! the grid then needs over 100 GB. This module walks the BIFF records of
//! the workbook stream (cfb opens the container) and reads only the
//! row/column of the cell records, so the caller can refuse the file under
//! `[limits] max_cells` instead of being killed. It does not read values.
//! A container the cfb crate cannot open is refused as damaged: calamine's
//! own container reader was found (by the fuzz target) to loop on a
//! damaged sector chain until the machine runs out of memory.

use std::io::{Cursor, Read};

/// Cell records and where their last column is: `Single` records hold one
/// cell at row/col; `Multi` ones (MULRK, MULBLANK) end with their last
/// column.
enum Span {
    Single,
    Multi,
}

fn cell_record(typ: u16) -> Option<Span> {
    match typ {
        // NUMBER, RK, LABELSST, LABEL, FORMULA, BLANK, BOOLERR, RSTRING
        0x0203 | 0x027E | 0x00FD | 0x0204 | 0x0006 | 0x0201 | 0x0205 | 0x00D6 => Some(Span::Single),
        // MULRK, MULBLANK
        0x00BD | 0x00BE => Some(Span::Multi),
        _ => None,
    }
}

/// The largest rows × columns of any sheet of the `.xls` in `bytes`; `Err`
/// says why the container cannot be read.
pub fn largest_grid(bytes: &[u8]) -> Result<u64, String> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| e.to_string())?;
    let mut stream = file
        .open_stream("/Workbook")
        .or_else(|_| file.open_stream("/Book"))
        .map_err(|e| e.to_string())?;
    let mut buf = Vec::new();
    stream.read_to_end(&mut buf).map_err(|e| e.to_string())?;
    Ok(grid_of_records(&buf))
}

/// Walks BIFF records; each BOF starts a substream (a sheet), whose cell
/// records' bounds give its grid.
fn grid_of_records(buf: &[u8]) -> u64 {
    let mut largest = 0u64;
    let mut bounds: Option<(u32, u32, u32, u32)> = None;
    let close = |b: &mut Option<(u32, u32, u32, u32)>, largest: &mut u64| {
        if let Some((r0, r1, c0, c1)) = b.take() {
            let cells = u64::from(r1 - r0 + 1) * u64::from(c1 - c0 + 1);
            *largest = (*largest).max(cells);
        }
    };
    let mut pos = 0usize;
    while let (Some(typ), Some(len)) = (u16_at(buf, pos), u16_at(buf, pos + 2)) {
        let start = pos + 4;
        let end = start + len as usize;
        let Some(data) = buf.get(start..end) else {
            break;
        };
        if typ == 0x0809 {
            close(&mut bounds, &mut largest); // BOF: a new substream
        } else if typ == 0x0200 {
            // DIMENSIONS: calamine reserves room for this many cells.
            largest = largest.max(declared_cells(data));
        } else if let Some(span) = cell_record(typ as u16) {
            let row = u16_at(data, 0);
            let first = u16_at(data, 2);
            let last = match span {
                Span::Single => first,
                Span::Multi => data.len().checked_sub(2).and_then(|i| u16_at(data, i)),
            };
            if let (Some(r), Some(c0), Some(c1)) = (row, first, last) {
                let (lo, hi) = (c0.min(c1), c0.max(c1));
                bounds = Some(match bounds {
                    None => (r, r, lo, hi),
                    Some((r0, r1, a, b)) => (r0.min(r), r1.max(r), a.min(lo), b.max(hi)),
                });
            }
        }
        pos = end;
    }
    close(&mut bounds, &mut largest);
    largest
}

/// The little-endian u16 at `i`, if `d` holds it.
fn u16_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 2)
        .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
}

/// The little-endian u32 at `i`, if `d` holds it.
fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// The cells a DIMENSIONS record declares, read as calamine reads it
/// (`parse_dimensions`, [MS-XLS] 2.4.90); 0 for a record of another size.
fn declared_cells(d: &[u8]) -> u64 {
    let fields = match d.len() {
        10 => (u16_at(d, 0), u16_at(d, 2), u16_at(d, 4), u16_at(d, 6)),
        14 | 16 => (u32_at(d, 0), u32_at(d, 4), u16_at(d, 8), u16_at(d, 10)),
        _ => return 0,
    };
    let (Some(rf), Some(rl), Some(mut cf), Some(cl)) = fields else {
        return 0;
    };
    if cf > 0xFF || cl < cf {
        cf = 0;
    }
    let (rl, cl) = if rl >= 1 && cl >= 1 {
        (rl - 1, cl - 1)
    } else {
        (rf, cf)
    };
    let rows = u64::from(rl.wrapping_sub(rf)) + 1;
    let cols = u64::from(cl.wrapping_sub(cf)) + 1;
    rows.saturating_mul(cols)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(typ: u16, data: &[u8]) -> Vec<u8> {
        let mut v = typ.to_le_bytes().to_vec();
        v.extend((data.len() as u16).to_le_bytes());
        v.extend(data);
        v
    }

    #[test]
    fn bounds_per_substream() {
        let mut buf = record(0x0809, &[0; 16]);
        // NUMBER at row 0, col 0 and row 9, col 3: 10 × 4.
        buf.extend(record(0x0203, &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        buf.extend(record(0x0203, &[9, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        buf.extend(record(0x0809, &[0; 16]));
        // MULBLANK on row 1 from col 2 to col 0xFFFF: 1 × 65,534.
        buf.extend(record(0x00BE, &[1, 0, 2, 0, 0, 0, 0, 0, 0xFF, 0xFF]));
        assert_eq!(grid_of_records(&buf), 65_534);
        assert_eq!(grid_of_records(&buf[..buf.len() - 14]), 40);
        // A DIMENSIONS record declaring 4 billion rows × 10 columns.
        let mut dims = record(0x0809, &[0; 16]);
        dims.extend(record(
            0x0200,
            &[0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 10, 0, 0, 0],
        ));
        assert_eq!(grid_of_records(&dims), 0xFFFF_FFFF * 10);
        // A truncated record stops the walk without a panic.
        assert_eq!(grid_of_records(&buf[..buf.len() - 3]), 40);
    }
}
