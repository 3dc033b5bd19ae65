//! The merged regions of an xlsx sheet, found without reading its cells a
//! second time.
//!
//! calamine (0.38) reports merged regions only by tokenising the whole
//! sheet XML again (`merge_cells_by_sheet_name`), which costs about half as
//! much as reading the cells. In a worksheet part the `<mergeCells>` list
//! follows `</sheetData>` (ECMA-376 part 1, CT_Worksheet), so this module
//! unpacks the part, jumps past the last `sheetData>` with memchr and reads
//! only the tail with quick-xml, the XML reader calamine uses. Anything
//! unexpected gives `None` and the caller falls back to calamine's scan.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::sync::Arc;

use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

type Zip = zip::ZipArchive<Cursor<Arc<[u8]>>>;

/// Sheet name → worksheet part path, from `xl/workbook.xml` and its
/// relationships.
pub struct XlsxParts {
    zip: Zip,
    paths: HashMap<String, String>,
}

impl XlsxParts {
    /// `None` when the package does not have the usual layout.
    pub fn open(bytes: &Arc<[u8]>) -> Option<XlsxParts> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes.clone())).ok()?;
        let workbook = read_entry(&mut zip, "xl/workbook.xml")?;
        let rels = read_entry(&mut zip, "xl/_rels/workbook.xml.rels")?;
        let mut targets = HashMap::new();
        each_element(&rels, "Relationship", |e| {
            if let (Some(id), Some(target)) = (attr(e, "Id", false), attr(e, "Target", false)) {
                let path = match target.strip_prefix('/') {
                    Some(abs) => abs.to_string(),
                    None => format!("xl/{target}"),
                };
                targets.insert(id, path);
            }
        })?;
        let mut paths = HashMap::new();
        each_element(&workbook, "sheet", |e| {
            if let (Some(name), Some(id)) = (attr(e, "name", false), attr(e, "id", true)) {
                if let Some(path) = targets.get(&id) {
                    paths.insert(name, path.clone());
                }
            }
        })?;
        Some(XlsxParts { zip, paths })
    }

    /// The merged regions of sheet `name`; `None` when they cannot be found
    /// this way.
    pub fn merges(&mut self, name: &str) -> Option<Vec<Dimensions>> {
        let path = self.paths.get(name)?.clone();
        let xml = read_entry(&mut self.zip, &path)?;
        merges_in(&xml)
    }
}

/// The merged regions listed after the cell data of a worksheet part.
pub fn merges_in(xml: &[u8]) -> Option<Vec<Dimensions>> {
    // The last `sheetData` is the closing (or self-closing) tag: cell text
    // cannot follow it.
    let Some(end) = memchr::memmem::rfind(xml, b"sheetData") else {
        // An empty `<sheetData/>` or no cell data at all: nothing is merged
        // that a row could need, unless the part is not what it seems.
        return memchr::memmem::find(xml, b"mergeCell")
            .is_none()
            .then(Vec::new);
    };
    let after = end + memchr::memchr(b'>', &xml[end..])? + 1;
    let tail = &xml[after..];
    let mut out = Vec::new();
    each_element(tail, "mergeCell", |e| {
        if let Some(d) = attr(e, "ref", false).and_then(|r| parse_range(&r)) {
            out.push(d);
        }
    })?;
    Some(out)
}

fn read_entry(zip: &mut Zip, path: &str) -> Option<Vec<u8>> {
    let mut entry = zip.by_name(path).ok()?;
    let mut out = Vec::with_capacity(entry.size().min(1 << 30) as usize);
    entry.read_to_end(&mut out).ok()?;
    Some(out)
}

/// Calls `f` for every element whose local name is `local`; `None` on
/// malformed XML.
fn each_element(xml: &[u8], local: &str, mut f: impl FnMut(&BytesStart)) -> Option<()> {
    let mut reader = Reader::from_reader(xml);
    // A part's tail closes elements opened before it.
    reader.config_mut().allow_unmatched_ends = true;
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) | Event::Empty(e) if e.local_name().into_inner() == local => f(&e),
            Event::Eof => return Some(()),
            _ => {}
        }
    }
}

/// An attribute's value by local name; `prefixed` asks for a namespaced
/// one (`r:id`), otherwise the name must be unprefixed.
fn attr(e: &BytesStart, local: &str, prefixed: bool) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let has_prefix = a.key.prefix().is_some();
        (a.key.local_name().into_inner() == local && has_prefix == prefixed)
            .then(|| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
            .flatten()
            .map(|v| v.into_owned())
    })
}

/// `B3:D7` as 0-based (row, column) corners; a single cell is not a region.
pub fn parse_range(r: &str) -> Option<Dimensions> {
    let (a, b) = r.split_once(':')?;
    let (r0, c0) = parse_cell(a)?;
    let (r1, c1) = parse_cell(b)?;
    Some(Dimensions {
        start: (r0.min(r1), c0.min(c1)),
        end: (r0.max(r1), c0.max(c1)),
    })
}

/// `AB12` (or `$AB$12`) as 0-based (row, column).
fn parse_cell(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().replace('$', "");
    let split = s.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = s.split_at(split);
    if letters.is_empty() || letters.len() > 3 || !letters.bytes().all(|b| b.is_ascii_alphabetic())
    {
        return None;
    }
    let col = letters.bytes().fold(0u32, |acc, b| {
        acc * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1)
    });
    let row: u32 = digits.parse().ok()?;
    if row == 0 || col == 0 || row > 1_048_576 || col > 16_384 {
        return None;
    }
    Some((row - 1, col - 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_after_the_cells() {
        let xml = br#"<worksheet xmlns="x"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lt;/sheetData> mergeCell</t></is></c></row></sheetData>
            <mergeCells count="2"><mergeCell ref="A2:A4"/><mergeCell ref="$B$10:C11"/></mergeCells></worksheet>"#;
        let m = merges_in(xml).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!((m[0].start, m[0].end), ((1, 0), (3, 0)));
        assert_eq!((m[1].start, m[1].end), ((9, 1), (10, 2)));
        let prefixed = br#"<x:worksheet><x:sheetData/><x:mergeCells><x:mergeCell ref="A1:A2"/></x:mergeCells></x:worksheet>"#;
        assert_eq!(merges_in(prefixed).unwrap().len(), 1);
        assert_eq!(
            merges_in(b"<worksheet><sheetData/></worksheet>"),
            Some(vec![])
        );
    }

    #[test]
    fn cell_references() {
        assert_eq!(parse_cell("A1"), Some((0, 0)));
        assert_eq!(parse_cell("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_cell("XFE1"), None);
        assert_eq!(parse_cell("A0"), None);
        assert_eq!(parse_cell("1A"), None);
        assert_eq!(parse_range("A1"), None);
    }
}
