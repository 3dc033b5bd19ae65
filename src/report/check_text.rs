//! The plain text of `gendan check`: per file and sheet what was read
//! (header row, rows, the columns mapped, left and dropped, empty markers,
//! what a tracker derived), the notes on what the run could not say, the
//! payment terms not read, then the flags by rule and by owner, most severe
//! first, with samples. It formats what the stages produced; it computes
//! nothing.

use chrono::NaiveDate;

use crate::flags::Table;
use crate::flags::{Flag, FlagCounts, Severity};
use crate::i18n::{self, Lang};
use crate::period::Period;
use crate::read::{FileReport, SheetReport};

/// What `check` prints, as the stages produced it.
pub struct CheckInput<'a> {
    pub lang: Lang,
    pub as_of: NaiveDate,
    pub period: &'a Period,
    pub files: &'a [FileReport],
    /// Most severe first.
    pub flags: &'a [Flag],
    /// What the run could not say (rules disabled that still emptied
    /// values, a register that stops at loading), one line each.
    pub notes: &'a [String],
    /// Payment-term phrases not read, with how many orders use each.
    pub unread_terms: &'a [(String, usize)],
}

/// `check` lists the flags of this many owners, most flags first.
const CHECK_OWNERS: usize = 20;

/// The plain-text report of `check`: per file and sheet what was found,
/// the notes and the payment terms not read, then the flags by rule and
/// owner, most severe first, with samples.
pub fn render(c: &CheckInput) -> String {
    let lang = c.lang;
    let mut s = String::new();
    s.push_str(&i18n::fill(
        lang,
        "check.title",
        &[
            ("as_of", &c.as_of.to_string()),
            ("label", &c.period.label),
            ("start", &c.period.start.to_string()),
            ("end", &c.period.end.to_string()),
        ],
    ));
    s.push_str("\n\n");
    for f in c.files {
        file_lines(&mut s, lang, f);
    }
    said_lines(&mut s, c);
    s.push('\n');
    if c.flags.is_empty() {
        s.push_str(&format!("{}\n", i18n::text(lang, "check.none")));
        return s;
    }
    let counts = FlagCounts::of(c.flags);
    count_lines(&mut s, c, &counts);
    sample_lines(&mut s, c, &counts);
    s
}

/// A file: each sheet read, then each sheet skipped and why.
fn file_lines(s: &mut String, lang: Lang, f: &FileReport) {
    let t = |k: &str| i18n::text(lang, k);
    s.push_str(&format!("{}  {}\n", f.table.as_str(), f.path));
    for sh in &f.sheets {
        sheet_lines(s, lang, f.table, sh);
    }
    for sk in &f.skipped_sheets {
        s.push_str(&format!(
            "  {} {}: {}\n",
            t("check.skipped"),
            sk.name,
            sk.reason
        ));
    }
}

/// A sheet read: its header row and rows, why this table took it, what it
/// derived, the columns mapped, left and dropped, and the empty markers.
fn sheet_lines(s: &mut String, lang: Lang, table: Table, sh: &SheetReport) {
    let t = |k: &str| i18n::text(lang, k);
    s.push_str(&format!(
        "  {} ({}): {}\n",
        sh.name,
        i18n::fill(lang, "check.header", &[("row", &sh.header_row.to_string())]),
        i18n::fill(
            lang,
            "check.rows",
            &[
                ("read", &sh.rows_read.to_string()),
                ("accepted", &sh.rows_accepted.to_string()),
                ("rejected", &sh.rows_rejected.to_string()),
                ("totals", &sh.rows_totals.to_string()),
            ]
        )
    ));
    let mut about = Vec::new();
    if let Some(why) = &sh.chosen_because {
        about.push(format!(
            "→ {}: {why}",
            i18n::table_label(lang, table.as_str())
        ));
    }
    if sh.two_row_header {
        about.push(t("check.two_rows").to_string());
    }
    if sh.rows_notes > 0 {
        about.push(i18n::fill(
            lang,
            "check.notes",
            &[("n", &sh.rows_notes.to_string())],
        ));
    }
    if !about.is_empty() {
        s.push_str(&format!("    {}\n", about.join("; ")));
    }
    for (table, from) in &sh.derived_from {
        let n = sh.derived.get(table.as_str()).copied().unwrap_or(0);
        s.push_str(&format!(
            "    {}\n",
            i18n::fill(
                lang,
                "check.derived",
                &[
                    ("n", &n.to_string()),
                    ("table", i18n::table_label(lang, table.as_str())),
                    ("from", &from.join(", ")),
                ]
            )
        ));
    }
    let mapped = sh.mapped.iter().map(|(f, h)| format!("{f} ← {h}"));
    list_line(s, t("check.mapped"), mapped);
    if !sh.milestones.is_empty() {
        let cols = sh.milestones.iter().map(|(key, is_plan, header, col)| {
            let side = if *is_plan {
                "ms.plan_of"
            } else {
                "ms.actual_of"
            };
            let step = i18n::fill(lang, side, &[("step", key)]);
            format!("{step} ← {header} ({col})")
        });
        list_line(s, t("check.milestones"), cols);
    }
    if !sh.unmapped.is_empty() {
        list_line(s, t("check.unmapped"), &sh.unmapped);
    }
    for ig in &sh.ignored_columns {
        let col = if ig.column.is_empty() {
            String::new()
        } else {
            format!("{} ", ig.column)
        };
        s.push_str(&format!(
            "    {}: {col}“{}” — {}\n",
            t("check.ignored"),
            ig.header,
            ig.reason
        ));
    }
    if !sh.empty_markers.is_empty() {
        let markers = sh.empty_markers.iter().map(|(c, n)| format!("{c} {n}"));
        list_line(s, t("check.markers"), markers);
    }
}

/// A sheet's `label: a, b, c` line.
fn list_line<T: std::fmt::Display>(
    s: &mut String,
    label: &str,
    items: impl IntoIterator<Item = T>,
) {
    let items: Vec<String> = items.into_iter().map(|x| x.to_string()).collect();
    s.push_str(&format!("    {label}: {}\n", items.join(", ")));
}

/// What the run could not say, and the payment terms it could not read.
fn said_lines(s: &mut String, c: &CheckInput) {
    let lang = c.lang;
    let t = |k: &str| i18n::text(lang, k);
    if !c.notes.is_empty() {
        s.push('\n');
        for line in c.notes {
            s.push_str(&format!("{line}\n"));
        }
    }
    let unread = c.unread_terms;
    if !unread.is_empty() {
        s.push_str(&format!("\n{}\n", t("check.unread_terms")));
        for (phrase, n) in unread {
            s.push_str(&format!(
                "  “{phrase}”: {}\n",
                i18n::fill(lang, "check.orders_n", &[("n", &n.to_string())])
            ));
        }
    }
}

/// The number of flags by severity, by rule, and by owner (the owners
/// with most flags, the rest counted on one line).
fn count_lines(s: &mut String, c: &CheckInput, counts: &FlagCounts) {
    let lang = c.lang;
    let t = |k: &str| i18n::text(lang, k);
    let n = |sev: Severity| counts.count(sev).to_string();
    s.push_str(&i18n::fill(
        lang,
        "check.counts",
        &[
            ("n", &c.flags.len().to_string()),
            ("error", &n(Severity::Error)),
            ("warning", &n(Severity::Warning)),
            ("info", &n(Severity::Info)),
        ],
    ));
    s.push('\n');
    s.push_str(&format!("\n{}:\n", t("check.by_rule")));
    let mut rules: Vec<(&String, &usize)> = counts.by_rule.iter().collect();
    rules.sort_by_key(|(r, _)| r.as_str().to_string());
    for (rule, n) in &rules {
        let id: crate::flags::RuleId = match rule.parse() {
            Ok(r) => r,
            Err(_) => continue,
        };
        s.push_str(&format!("  {rule}  {n:>6}  {}\n", id.what(lang)));
    }
    s.push_str(&format!("\n{}:\n", t("check.by_owner")));
    let mut owners: Vec<(&String, &usize)> = counts.by_owner.iter().collect();
    owners.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    // The owners with most flags; the rest are counted on one line.
    for (owner, n) in owners.iter().take(CHECK_OWNERS) {
        let name = if owner.is_empty() {
            "—"
        } else {
            owner.as_str()
        };
        s.push_str(&format!("  {name}  {n}\n"));
    }
    if owners.len() > CHECK_OWNERS {
        s.push_str(&format!(
            "  {}\n",
            i18n::fill(
                lang,
                "check.more_owners",
                &[("n", &(owners.len() - CHECK_OWNERS).to_string())]
            )
        ));
    }
    s.push('\n');
}

/// Up to five flags of each rule, most severe rules first.
fn sample_lines(s: &mut String, c: &CheckInput, counts: &FlagCounts) {
    let lang = c.lang;
    let mut shown_per_rule: std::collections::BTreeMap<crate::flags::RuleId, usize> =
        Default::default();
    for f in c.flags {
        let n = shown_per_rule.entry(f.rule).or_default();
        *n += 1;
        if *n <= 5 {
            s.push_str(&format!(
                "  [{}] {} {}  {}  {}\n",
                f.severity.as_str(),
                f.rule,
                f.place(),
                f.order_id.as_deref().unwrap_or("—"),
                f.message
            ));
        } else if *n == 6 {
            let total = counts.by_rule.get(f.rule.as_str()).copied().unwrap_or(0);
            s.push_str(&format!(
                "  {}\n",
                i18n::fill(lang, "check.more", &[("n", &(total - 5).to_string())])
            ));
        }
    }
}
