//! File names built from input text (owners, order ids, customers): one
//! rule for every name gendan makes (spec section 7), so that no name can
//! leave its folder, clash with another, or trouble a file system.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

/// The longest stem kept, in characters (the hash suffix comes on top).
const MAX_CHARS: usize = 60;

/// Names Windows reserves whatever the extension.
const RESERVED: &[&str] = &[
    "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8",
    "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
];

/// A safe file stem for `text`, unique among `taken` (compared without
/// case, as Windows and macOS do); the stem is added to `taken`.
///
/// Letters, digits, CJK characters, `-` and `_` are kept, `.` too except
/// at the start (and the end); every other character becomes `_`, runs of
/// `_` collapse to one, the stem is cut to 60 characters, and when it had
/// to be changed, was empty, is a reserved device name or would clash,
/// `-` and the first 6 hex digits of the SHA-256 of the original text are
/// appended: `PO-2600015` stays, `../x/李 四` becomes `_x_李_四-3f9a1c`.
pub fn safe_stem(text: &str, taken: &mut HashSet<String>) -> String {
    let mut out = String::new();
    let mut changed = false;
    for c in text.chars() {
        let keep = c.is_alphanumeric()
            || c == '-'
            || c == '_'
            || (c == '.' && !out.is_empty() && !out.chars().all(|x| x == '_'));
        let c = if keep {
            c
        } else {
            changed = true;
            '_'
        };
        if c == '_' && out.ends_with('_') {
            continue;
        }
        out.push(c);
    }
    while out.ends_with('.') {
        out.pop();
        out.push('_');
        changed = true;
    }
    if out.chars().count() > MAX_CHARS {
        out = out.chars().take(MAX_CHARS).collect();
        changed = true;
    }
    let upper = out.to_uppercase();
    let reserved = RESERVED.contains(&upper.split('.').next().unwrap_or(""));
    if changed || out.is_empty() || reserved || taken.contains(&out.to_lowercase()) {
        let hash = Sha256::digest(text.as_bytes());
        let hex: String = hash.iter().take(3).map(|b| format!("{b:02x}")).collect();
        out = format!("{out}-{hex}");
        // Two texts whose stems and hashes clash: count on.
        let base = out.clone();
        let mut n = 2;
        while taken.contains(&out.to_lowercase()) {
            out = format!("{base}-{n}");
            n += 1;
        }
    }
    taken.insert(out.to_lowercase());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(s: &str) -> String {
        safe_stem(s, &mut HashSet::new())
    }

    #[test]
    fn plain_names_stay_and_others_are_made_safe() {
        assert_eq!(one("PO-2600015"), "PO-2600015");
        assert_eq!(one("张伟"), "张伟");
        assert_eq!(one("v1.2_final"), "v1.2_final");
        let s = one("../x/李 四");
        assert!(s.starts_with("_x_李_四-"), "{s}");
        assert_eq!(s.chars().count(), "_x_李_四-".chars().count() + 6);
        let s = one("A/B:C*");
        assert!(s.starts_with("A_B_C_-"), "{s}");
        assert!(one("").starts_with('-'));
        assert!(one("con").starts_with("con-"));
        assert!(one("...").starts_with("_-"));
        assert!(one("end.").starts_with("end_-"));
        let long = "长".repeat(100);
        assert_eq!(one(&long).chars().count(), 60 + 7);
    }

    #[test]
    fn clashes_get_the_hash() {
        let mut taken = HashSet::new();
        let a = safe_stem("Acme", &mut taken);
        let b = safe_stem("ACME", &mut taken);
        let c = safe_stem("ACME", &mut taken);
        assert_eq!(a, "Acme");
        assert!(b.starts_with("ACME-"));
        assert_ne!(b, c);
    }

    #[test]
    fn no_name_leaves_its_folder() {
        for s in [
            "..",
            "../../etc/passwd",
            "a\\b",
            "C:\\x",
            "/abs",
            "\u{0}nul",
            "a\nb",
            "  ",
        ] {
            let n = one(s);
            assert!(
                !n.contains('/') && !n.contains('\\') && !n.starts_with('.'),
                "{s:?} → {n}"
            );
            assert!(
                !n.contains(':') && !n.chars().any(char::is_control),
                "{s:?} → {n}"
            );
        }
    }
}
