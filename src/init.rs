//! `gendan init` (spec section 12): looks at the team's workbooks as
//! `check` would and writes a complete, commented template fitted to them —
//! the inputs and sheets chosen, the mapping as aliases, unused columns,
//! unknown words, empty-marker suggestions, date order and language, the
//! milestone columns recognised and the lead days they show (section 13).
//! It only renders text: reading the workbooks and writing the template
//! are the command's (`cmd::init`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::{DataFrame, DataType, IntoLazy, PolarsResult};

use crate::fields::{self, EnumKind, Kind};
use crate::flags::{RuleId, Table};
use crate::frame::{days, floats, ints};
use crate::i18n::{self, Lang};
use crate::milestones::{self, Side};
use crate::read::sheet::ValueProfile;
use crate::read::{self, values, ReadContext};
use crate::template::{DateOrder, TemplateFile, IGNORE_KEY};

/// The team's template `init --template` starts from (spec section 3.3):
/// its text (blocks init does not write are kept as written, comments
/// included) and its parsed form (aliases, ignore, words to merge).
pub struct Team<'a> {
    pub text: &'a str,
    pub file: &'a TemplateFile,
    /// The inputs came from the template (no workbook on the command
    /// line): its `[inputs.*]` blocks are kept as written.
    pub keep_inputs: bool,
}

/// A template's text as its top-level blocks: (table name, text with its
/// header line); text before the first header has the name "".
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![(String::new(), String::new())];
    for line in text.lines() {
        let t = line.trim_start();
        let name = t
            .strip_prefix("[[")
            .and_then(|r| r.split_once("]]"))
            .or_else(|| t.strip_prefix('[').and_then(|r| r.split_once(']')))
            .map(|(n, _)| n.trim().replace([' ', '"'], ""));
        if let Some(n) = name.filter(|n| !n.is_empty() && !n.contains(',')) {
            out.push((n, String::new()));
        }
        if let Some(last) = out.last_mut() {
            last.1.push_str(line);
            last.1.push('\n');
        }
    }
    out
}

/// Whether `init` writes a block of this name itself (merged with the
/// team's), rather than keeping the team's as written.
fn written_by_init(name: &str) -> bool {
    name == "values"
        || name.starts_with("values.")
        || name.starts_with("columns.")
        || name.starts_with("inputs.")
        || name == "report"
}

/// `path` as written in a template in `base` (relative when it can be).
fn relative_to(path: &str, base: &Path) -> String {
    let (Ok(p), Ok(b)) = (std::fs::canonicalize(path), std::fs::canonicalize(base)) else {
        return path.to_string();
    };
    crate::template::relative_path(&b, &p)
        .to_string_lossy()
        .into_owned()
}

/// `s` as a one-line TOML basic string (also inside a comment).
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `s` on one line, for a comment.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Whether `s` has a Chinese character.
fn is_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// How near a header is to an alias, 0–1: for names in Latin letters the
/// share of words they have in common, for others the edit distance of
/// the normalised names.
fn nearness(header: &str, alias: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        // camelCase is two words (`shipCountry`, `orderDate`).
        let mut spaced = String::with_capacity(s.len() + 4);
        let mut prev_lower = false;
        for c in s.chars() {
            if c.is_uppercase() && prev_lower {
                spaced.push(' ');
            }
            prev_lower = c.is_lowercase();
            spaced.push(c);
        }
        spaced
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    if header.is_ascii() && alias.is_ascii() {
        let (a, b) = (words(header), words(alias));
        let common = a.iter().filter(|w| b.contains(w)).count();
        let all = a.len() + b.len() - common;
        if all == 0 {
            0.0
        } else {
            common as f64 / all as f64
        }
    } else {
        strsim::normalized_levenshtein(&values::norm_header(header), &values::norm_header(alias))
    }
}

/// Suggestions below this nearness are not made.
const NEAR_ENOUGH: f64 = 0.4;

/// Whether a column whose cells are mostly `kind` (`date`, `number`,
/// `text`) can hold `def`.
fn fits(def: &fields::FieldDef, kind: &str) -> bool {
    match (def.kind, kind) {
        (Kind::Date, "date") => true,
        (Kind::Quantity | Kind::NonNegative | Kind::Whole(..), "number") => true,
        (Kind::Received, "date" | "number" | "text") => true,
        (Kind::Share, "number" | "text") => true,
        (Kind::Mark, "date" | "text") => true,
        // Keys may be numbers.
        (Kind::Text, "number") => {
            def.name.ends_with("_id") || def.name == "customer" || def.name == "tracking_no"
        }
        (Kind::Text | Kind::Enum(_), "text") => true,
        _ => false,
    }
}

/// The fields of `table` a column may hold, nearest first (at most two):
/// by its header's words and, when its sampled values say what they are,
/// only fields of that kind (a column of dates suggests date fields, at a
/// lower bar of nearness since the values agree).
fn nearest_fields(table: Table, header: &str, profile: Option<&ValueProfile>) -> Vec<&'static str> {
    let kind = profile.and_then(ValueProfile::kind);
    let mut scored: Vec<(f64, &'static str)> = fields::fields(table)
        .iter()
        .filter(|d| kind.is_none_or(|k| fits(d, k)))
        .map(|d| {
            let best = d
                .aliases
                .iter()
                .chain(std::iter::once(&d.name))
                .map(|a| nearness(&header.replace('_', " "), &a.replace('_', " ")))
                .fold(0.0, f64::max);
            (best, d.name)
        })
        // Dates are strong evidence: a date column whose header shares a
        // word with a date field's name is suggested for it.
        .filter(|(s, _)| {
            *s >= if kind == Some("date") {
                0.2
            } else {
                NEAR_ENOUGH
            }
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(2).map(|(_, f)| f).collect()
}

/// What a column's sampled values are, in words for a comment.
fn profile_words(p: &ValueProfile) -> Option<String> {
    let (what, n) = match p.kind()? {
        "date" => ("a date column", p.dates),
        "number" => ("a number column", p.numbers),
        _ => ("a text column", p.n - p.dates - p.numbers),
    };
    Some(format!(
        "{what}: {} of {} sampled cells",
        group(n as u64),
        group(p.n as u64)
    ))
}

/// The (table, field) whose alias comes nearest to `header`, when one is
/// near enough to suggest (similarity at least 0.5, or one name holding
/// the other) and, when the column's sampled values say what they are,
/// only a field of that kind (an address is never a date field).
fn nearest_any(header: &str, profile: Option<&ValueProfile>) -> Option<(Table, &'static str)> {
    let kind = profile.and_then(ValueProfile::kind);
    let mut best: Option<(f64, Table, &'static str)> = None;
    for t in Table::ALL {
        for d in fields::fields(t) {
            if kind.is_some_and(|k| !fits(d, k)) {
                continue;
            }
            for a in d.aliases {
                let score = nearness(header, a);
                if best.is_none_or(|b| score > b.0) {
                    best = Some((score, t, d.name));
                }
            }
        }
    }
    best.filter(|b| b.0 >= NEAR_ENOUGH).map(|(_, t, f)| (t, f))
}

/// The kind of words `field` of `table` takes, if it takes enumerated words.
fn enum_kind(table: Table, field: &str) -> Option<EnumKind> {
    fields::fields(table)
        .iter()
        .find(|d| d.name == field)
        .and_then(|d| match d.kind {
            Kind::Enum(k) => Some(k),
            _ => None,
        })
}

/// Whether `field` of `table` holds numbers or dates.
fn is_number_or_date(table: Table, field: &str) -> bool {
    fields::fields(table)
        .iter()
        .find(|d| d.name == field)
        .is_some_and(|d| {
            !matches!(
                d.kind,
                Kind::Text | Kind::Enum(_) | Kind::Received | Kind::Mark
            )
        })
}

/// The template text for what was found.
pub fn render(
    found: &read::Inputs,
    ctx: &ReadContext,
    lang: Option<Lang>,
    base: &Path,
    team: Option<&Team>,
) -> String {
    let r = Render {
        found,
        ctx,
        lang: lang.unwrap_or_else(|| headers_lang(found)),
        base,
        team,
        team_blocks: team.map(|t| blocks(t.text)).unwrap_or_default(),
    };
    let mut out = String::new();
    r.what_it_found(&mut out);
    r.unrecognised_sheets(&mut out);
    r.layout(&mut out);
    r.report(&mut out);
    for table in Table::ALL {
        r.inputs(&mut out, table);
    }
    for table in Table::ALL {
        r.columns(&mut out, table);
    }
    let (words, fillers) = r.flagged_values();
    r.values(&mut out, &fillers);
    r.value_words(&mut out, &words);
    r.kept_blocks(&mut out);
    // One newline at the end, whichever block came last (so that init
    // from the template it wrote writes the same text).
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

/// The language of the headers: those mapped, and those of sheets no
/// table recognised (a register gendan could not read is still Chinese).
fn headers_lang(found: &read::Inputs) -> Lang {
    let (mut zh, mut en) = (0, 0);
    let guessed = found
        .files
        .iter()
        .flat_map(|f| &f.skipped_sheets)
        .filter_map(|sk| sk.header_guess.as_ref())
        .flat_map(|g| g.names.iter().filter(|n| !n.is_empty()));
    let mapped = found.files.iter().flat_map(|f| &f.sheets).flat_map(|sh| {
        sh.mapped
            .iter()
            .map(|(_, h)| h)
            .chain(sh.milestones.iter().map(|(_, _, h, _)| h))
    });
    for h in mapped.chain(guessed) {
        if is_cjk(h) {
            zh += 1;
        } else {
            en += 1;
        }
    }
    if zh >= en && zh > 0 {
        Lang::Zh
    } else {
        Lang::En
    }
}

/// The comment line for a sheet that was read: its table, header row and
/// rows, and what was derived from it.
fn sheet_line(r: &read::FileReport, sh: &read::SheetReport) -> String {
    let mut line = format!(
        "#   {} › {}: {}, header row {}, {} read ({} accepted, {} rejected)",
        one_line(&r.path),
        one_line(&sh.name),
        r.table.as_str(),
        sh.header_row,
        rows(sh.rows_read),
        group(sh.rows_accepted),
        group(sh.rows_rejected)
    );
    if sh.two_row_header {
        line.push_str(", two-row header");
    }
    if sh.rows_notes > 0 {
        let _ = write!(line, ", {} note rows skipped", sh.rows_notes);
    }
    for (t, n) in &sh.derived {
        let _ = write!(line, "; derived {} {t}", group(*n));
    }
    line
}

/// What one `[columns.<table>]` block is made of: the columns the
/// workbooks (and the team's template) gave to fields, and those left.
struct Columns {
    /// Field → headers, the team's aliases first.
    mapped: BTreeMap<String, Vec<String>>,
    /// Headers no field took.
    unused: Vec<String>,
    /// Header → what its sampled values are.
    profiles: BTreeMap<String, ValueProfile>,
    /// Columns no field took because of their values (or the team's
    /// ignore): header → reason.
    dropped: Vec<(String, String)>,
}

/// The unknown words found, by kind: word → cells.
type Words = BTreeMap<EnumKind, BTreeMap<String, u64>>;

/// Values in number or date cells that may be empty markers:
/// (value, "file|sheet", header) → cells.
type Fillers = BTreeMap<(String, String, String), u64>;

/// What `render` works from: what was read, the language of the template,
/// the folder it is written in and the team's template, if any.
struct Render<'a> {
    found: &'a read::Inputs,
    ctx: &'a ReadContext,
    lang: Lang,
    base: &'a Path,
    team: Option<&'a Team<'a>>,
    team_blocks: Vec<(String, String)>,
}

impl Render<'_> {
    /// The team's block of this name, as written.
    fn team_block(&self, name: &str) -> Option<&str> {
        self.team_blocks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_str())
    }

    /// The `date_order` line, from the text dates.
    fn date_order_line(&self) -> String {
        let (dmy, mdy): (u64, u64) = self
            .found
            .files
            .iter()
            .flat_map(|f| &f.sheets)
            .fold((0, 0), |(a, b), s| {
                (a + s.dates_day_first, b + s.dates_month_first)
            });
        let order = if dmy > mdy {
            DateOrder::Dmy
        } else if mdy > dmy {
            DateOrder::Mdy
        } else {
            DateOrder::Ymd
        };
        let order_word = match order {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        };
        format!(
            "date_order = \"{order_word}\"          # from the text dates: {dmy} day-first, {mdy} month-first"
        )
    }

    /// Writes the opening comments: each file once, each sheet once, what
    /// read it or why nothing did.
    fn what_it_found(&self, out: &mut String) {
        let _ = writeln!(out, "# gendan template written by `gendan init`.");
        let _ = writeln!(out, "# What it found:");
        let mut seen_files: Vec<&str> = Vec::new();
        for f in &self.found.files {
            if seen_files.contains(&f.path.as_str()) {
                continue;
            }
            seen_files.push(&f.path);
            self.file_sheets(out, &f.path);
        }
    }

    /// Writes a comment line for each sheet of one file: those read, then
    /// those not read with the reason.
    fn file_sheets(&self, out: &mut String, path: &str) {
        let mine: Vec<&read::FileReport> =
            self.found.files.iter().filter(|x| x.path == path).collect();
        let mut done: Vec<&str> = Vec::new();
        for r in &mine {
            for sh in &r.sheets {
                done.push(&sh.name);
                let _ = writeln!(out, "{}", sheet_line(r, sh));
                self.milestone_columns(out, sh);
            }
        }
        for r in &mine {
            for sk in &r.skipped_sheets {
                if done.contains(&sk.name.as_str()) {
                    continue;
                }
                done.push(&sk.name);
                let _ = writeln!(
                    out,
                    "#   {} › {}: not read ({})",
                    one_line(&r.path),
                    one_line(&sk.name),
                    one_line(&sk.reason)
                );
            }
        }
    }

    /// Writes, for each sheet no table recognised, its likeliest header
    /// row: each column with the field it comes nearest to, ready to
    /// uncomment.
    fn unrecognised_sheets(&self, out: &mut String) {
        let mut guessed: Vec<(&str, &str)> = Vec::new();
        for f in &self.found.files {
            for sk in &f.skipped_sheets {
                let Some(guess) = &sk.header_guess else {
                    continue;
                };
                let row = guess.row;
                if guessed.contains(&(f.path.as_str(), sk.name.as_str())) {
                    continue;
                }
                guessed.push((&f.path, &sk.name));
                let _ = writeln!(
                    out,
                    "#\n# {} › {} was not read: no table recognised its header. Row {row} holds the\n# columns below, each with the field it comes nearest to; give the ones you\n# keep to their field under [columns.<table>] (the table is named) and run init again:",
                    one_line(&f.path),
                    one_line(&sk.name)
                );
                for (c, n) in guess.names.iter().enumerate() {
                    if n.is_empty() {
                        continue;
                    }
                    // A milestone header no field's alias takes is read as
                    // the milestone on a sheet of orders (spec section 13).
                    let field = Table::ALL
                        .iter()
                        .any(|t| self.ctx.field_for(*t, n).is_some());
                    if let Some(ms) = self.ctx.steps.header(None, n).filter(|_| !field) {
                        let _ = writeln!(
                            out,
                            "#   {}   ({})",
                            quote(n),
                            self.milestone_words("init.ms.guess", ms, &[])
                        );
                        continue;
                    }
                    match nearest_any(n, guess.profiles.get(c)) {
                        Some((t, field)) => {
                            let _ = writeln!(out, "#   {}.{field} = [{}]", t.as_str(), quote(n));
                        }
                        None => {
                            let _ = writeln!(out, "#   {}   (no field comes near)", quote(n));
                        }
                    }
                }
            }
        }
    }

    /// Writes the layout line (a workbook per table, one workbook, or a
    /// tracker sheet) and how to check the template.
    fn layout(&self, out: &mut String) {
        let mut layout_files: BTreeMap<&str, Vec<Table>> = BTreeMap::new();
        for f in &self.found.files {
            if !f.sheets.is_empty() {
                layout_files
                    .entry(f.path.as_str())
                    .or_default()
                    .push(f.table);
            }
        }
        let derived_any = self
            .found
            .files
            .iter()
            .flat_map(|f| &f.sheets)
            .any(|s| !s.derived.is_empty());
        let layout = if layout_files.values().any(|t| t.len() > 1) {
            "one workbook, a sheet per table"
        } else if derived_any {
            "one tracker sheet (shipments/feedback derived from its columns)"
        } else {
            "a workbook per table"
        };
        let _ = writeln!(out, "# Layout: {layout}.");
        let _ = writeln!(out, "# Check it with: gendan check --template THIS_FILE\n");
    }

    /// Writes `[report]`: the team's as written (with the date order added
    /// when it has none), or init's settings.
    fn report(&self, out: &mut String) {
        let Some(block) = self.team_block("report") else {
            self.new_report(out);
            return;
        };
        // The team's settings stand; what init infers is added only where
        // the team has said nothing.
        out.push_str(block.trim_end());
        out.push('\n');
        let has = |key: &str| {
            block
                .lines()
                .any(|l| l.trim_start().starts_with(key) && l.contains('='))
        };
        if !has("date_order") {
            let _ = writeln!(out, "{}", self.date_order_line());
        }
        out.push('\n');
    }

    /// Writes `[report]` when the team has none: title and language from
    /// the headers, the basis for on time and the date order.
    fn new_report(&self, out: &mut String) {
        let lang = self.lang;
        let _ = writeln!(out, "[report]");
        // The title is printed on every sheet: in the report's language.
        let title = crate::template::ReportSection::default_title(lang);
        let _ = writeln!(out, "title = \"{title}\"");
        let _ = writeln!(out, "period = \"week\"              # week | month");
        let _ = writeln!(
            out,
            "as_of = \"today\"              # or a date; cron: \"yesterday\""
        );
        let _ = writeln!(
            out,
            "lang = \"{}\"                  # from the headers' language",
            if lang == Lang::Zh { "zh" } else { "en" }
        );
        let _ = writeln!(out, "out_dir = \"reports\"");
        // Arrival dates and no ship dates: on time can only be judged on them.
        let shipment_fields = self.shipment_fields();
        if shipment_fields.contains(&"delivered_date") && !shipment_fields.contains(&"ship_date") {
            let _ = writeln!(
                out,
                "on_time_basis = \"delivered_date\"   # the shipments have arrival dates but no ship dates"
            );
        }
        let _ = writeln!(out, "{}", self.date_order_line());
        let _ = writeln!(out);
    }

    /// The shipment fields found: those of shipment sheets and those
    /// derived from a tracker sheet.
    fn shipment_fields(&self) -> Vec<&str> {
        self.found
            .files
            .iter()
            .flat_map(|f| {
                let own = f
                    .sheets
                    .iter()
                    .filter(move |_| f.table == Table::Shipments)
                    .flat_map(|s| s.mapped.iter().map(|(field, _)| field.as_str()));
                let derived = f.sheets.iter().flat_map(|s| {
                    s.derived_from
                        .iter()
                        .filter(|(t, _)| *t == Table::Shipments)
                        .flat_map(|(_, from)| from.iter().filter_map(|p| p.split(" ← ").next()))
                });
                own.chain(derived)
            })
            .collect()
    }

    /// Writes `[inputs.<table>]`: the files and sheets that held the
    /// table (or the team's block, when the inputs came from it).
    fn inputs(&self, out: &mut String, table: Table) {
        let key = format!("inputs.{}", table.as_str());
        if self.team.is_some_and(|t| t.keep_inputs) {
            if let Some(block) = self.team_block(&key) {
                out.push_str(block.trim_end());
                out.push_str("\n\n");
                return;
            }
        }
        let mine: Vec<&read::FileReport> = self
            .found
            .files
            .iter()
            .filter(|f| f.table == table && !f.sheets.is_empty())
            .collect();
        let _ = writeln!(out, "[inputs.{}]", table.as_str());
        if mine.is_empty() {
            let derived = self
                .found
                .files
                .iter()
                .flat_map(|f| &f.sheets)
                .any(|s| s.derived.contains_key(table.as_str()));
            let _ = writeln!(out, "paths = []");
            if derived {
                let _ = writeln!(out, "# derived from the orders tracker sheet's columns");
            } else {
                let _ = writeln!(
                    out,
                    "# no sheet of the given workbooks holds {}",
                    table.as_str()
                );
            }
        } else {
            let paths: Vec<String> = mine
                .iter()
                .map(|f| quote(&relative_to(&f.path, self.base)))
                .collect();
            let mut sheets: Vec<String> = Vec::new();
            for f in &mine {
                for sh in &f.sheets {
                    let q = quote(&sh.name);
                    if !sheets.contains(&q) {
                        sheets.push(q);
                    }
                }
            }
            let _ = writeln!(out, "paths = [{}]", paths.join(", "));
            let _ = writeln!(out, "sheets = [{}]", sheets.join(", "));
        }
        let _ = writeln!(out);
    }

    /// The team's `[columns.<table>]`, if it has a template.
    fn team_columns(&self, table: Table) -> Option<&BTreeMap<String, Vec<String>>> {
        self.team.map(|t| match table {
            Table::Orders => &t.file.columns.orders,
            Table::Shipments => &t.file.columns.shipments,
            Table::Feedback => &t.file.columns.feedback,
        })
    }

    /// The columns of `table`'s sheets: the team's aliases first, in its
    /// order (even those that matched nothing this time), then the
    /// headers mapped, unused and dropped, and the columns a tracker
    /// sheet gave a derived table.
    fn gather_columns(&self, table: Table) -> Columns {
        let mut cols = Columns {
            mapped: BTreeMap::new(),
            unused: Vec::new(),
            profiles: BTreeMap::new(),
            dropped: Vec::new(),
        };
        for (field, list) in self.team_columns(table).into_iter().flatten() {
            if field != IGNORE_KEY {
                cols.mapped.insert(field.clone(), list.clone());
            }
        }
        for f in self.found.files.iter().filter(|f| f.table == table) {
            for sh in &f.sheets {
                for (h, p) in &sh.profiles {
                    cols.profiles.entry(h.clone()).or_insert(*p);
                }
                for ig in sh.ignored_columns.iter().filter(|ig| ig.dropped) {
                    if !cols.dropped.iter().any(|(h, _)| *h == ig.header) {
                        cols.dropped.push((ig.header.clone(), ig.reason.clone()));
                    }
                }
                for (field, header) in &sh.mapped {
                    let e = cols.mapped.entry(field.clone()).or_default();
                    if !e.contains(header) {
                        e.push(header.clone());
                    }
                }
                for u in &sh.unmapped {
                    if !cols.unused.contains(u) {
                        cols.unused.push(u.clone());
                    }
                }
            }
        }
        // Derived tables: their own columns of the tracker sheet.
        for f in self.found.files.iter().filter(|f| f.table == Table::Orders) {
            for sh in &f.sheets {
                for (t, from) in &sh.derived_from {
                    if *t != table {
                        continue;
                    }
                    for pair in from {
                        if let Some((field, header)) = pair.split_once(" ← ") {
                            let e = cols.mapped.entry(field.to_string()).or_default();
                            if !e.contains(&header.to_string()) {
                                e.push(header.to_string());
                            }
                        }
                    }
                }
            }
        }
        cols
    }

    /// Writes `[columns.<table>]`: each field's headers as aliases, the
    /// team's ignore, the columns dropped for their values and the unused
    /// columns with the fields they could be.
    fn columns(&self, out: &mut String, table: Table) {
        let cols = self.gather_columns(table);
        let _ = writeln!(out, "[columns.{}]", table.as_str());
        for d in fields::fields(table) {
            if let Some(h) = cols.mapped.get(d.name) {
                let list: Vec<String> = h.iter().map(|x| quote(x)).collect();
                let _ = writeln!(out, "{} = [{}]", d.name, list.join(", "));
            }
        }
        let team_ignore: Vec<String> = self
            .team_columns(table)
            .and_then(|cols| cols.get(IGNORE_KEY))
            .cloned()
            .unwrap_or_default();
        if !team_ignore.is_empty() {
            let list: Vec<String> = team_ignore.iter().map(|x| quote(x)).collect();
            let _ = writeln!(out, "{IGNORE_KEY} = [{}]", list.join(", "));
        }
        let by_values: Vec<&(String, String)> = cols
            .dropped
            .iter()
            .filter(|(h, _)| {
                !team_ignore
                    .iter()
                    .any(|t| values::norm_header(t) == values::norm_header(h))
            })
            .collect();
        if !by_values.is_empty() {
            let list: Vec<String> = by_values.iter().map(|(h, _)| quote(h)).collect();
            let _ = writeln!(
                out,
                "# {IGNORE_KEY} = [{}]   # not mapped: their values contradict the field (add them to {IGNORE_KEY} to confirm, or give them to their field above)",
                list.join(", ")
            );
            for (h, why) in by_values {
                let _ = writeln!(out, "#   {}: {}", quote(h), one_line(why));
            }
        }
        self.unused_columns(out, table, &cols);
        let _ = writeln!(out);
    }

    /// The unknown words and the empty-marker candidates, from the flags.
    fn flagged_values(&self) -> (Words, Fillers) {
        let mut words = Words::new();
        let mut fillers = Fillers::new();
        for f in &self.found.flags {
            let Some(v) = &f.value else { continue };
            match f.rule {
                RuleId::V04 => {
                    if let Some(k) = enum_kind(f.table, f.field) {
                        *words.entry(k).or_default().entry(v.clone()).or_default() += 1;
                    }
                }
                RuleId::V02 if is_number_or_date(f.table, f.field) && !v.trim().is_empty() => {
                    let header = self
                        .found
                        .files
                        .iter()
                        .filter(|x| x.path == f.file && x.table == f.table)
                        .flat_map(|x| &x.sheets)
                        .filter(|s| s.name == f.sheet)
                        .flat_map(|s| &s.mapped)
                        .find(|(field, _)| field == f.field)
                        .map(|(_, h)| h.clone())
                        .unwrap_or_else(|| f.field.to_string());
                    *fillers
                        .entry((v.clone(), format!("{}|{}", f.file, f.sheet), header))
                        .or_default() += 1;
                }
                _ => {}
            }
        }
        (words, fillers)
    }

    /// The rows read from a sheet, by its "file|sheet" key.
    fn rows_of(&self, key: &str) -> u64 {
        self.found
            .files
            .iter()
            .flat_map(|f| {
                f.sheets
                    .iter()
                    .map(move |s| (format!("{}|{}", f.path, s.name), s.rows_read))
            })
            .filter(|(k, _)| k == key)
            .map(|(_, n)| n)
            .sum()
    }

    /// Writes `[values]`: the team's empty markers, and values that fill
    /// more than 1% of a sheet's number or date cells as suggestions.
    fn values(&self, out: &mut String, fillers: &Fillers) {
        let _ = writeln!(out, "[values]");
        let team_empty: Vec<String> = self
            .team
            .map(|t| t.file.values.empty.clone())
            .unwrap_or_default();
        let mut any = !team_empty.is_empty();
        if any {
            let list: Vec<String> = team_empty.iter().map(|x| quote(x)).collect();
            let _ = writeln!(out, "empty = [{}]", list.join(", "));
        }
        for ((value, sheet, header), n) in fillers {
            let rows = self.rows_of(sheet).max(1);
            if *n * 100 > rows && !team_empty.contains(value) {
                any = true;
                let _ = writeln!(
                    out,
                    "# empty = [{}]   # {} cells in {}",
                    quote(value),
                    group(*n),
                    one_line(header)
                );
            }
        }
        if !any {
            let _ = writeln!(
                out,
                "empty = []                   # extra empty markers, e.g. [\"Date Not Captured\"]"
            );
        }
        let _ = writeln!(out);
    }

    /// Writes a `[values.<kind>]` block for each kind of word: the team's
    /// words, then the unknown words found with the nearest known one.
    fn value_words(&self, out: &mut String, words: &Words) {
        for kind in EnumKind::ALL {
            let _ = writeln!(out, "[values.{}]", kind.template_key());
            if let Some(t) = self.team {
                for (w, c) in t.file.values.extra(kind) {
                    let _ = writeln!(out, "{} = {}", quote(w), quote(c));
                }
            }
            if let (Some(found_words), Some(m)) = (words.get(&kind), self.ctx.matcher(kind)) {
                let mut list: Vec<(&String, &u64)> = found_words.iter().collect();
                list.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                for (w, n) in list {
                    let near = m.lookup(w).err().unwrap_or_default();
                    let canon = m.lookup(&near).unwrap_or("?");
                    let _ = writeln!(
                        out,
                        "# {} = {}   # {}; nearest known word: {near}",
                        quote(w),
                        quote(canon),
                        rows(*n)
                    );
                }
            }
            let _ = writeln!(out);
        }
    }

    /// Writes a commented line for each unused column of `table`: what its
    /// values are and the fields it could be; a second column of a
    /// milestone and side is said to be one (the reader takes the first).
    fn unused_columns(&self, out: &mut String, table: Table, cols: &Columns) {
        for u in &cols.unused {
            let ms = self
                .ctx
                .steps
                .header(None, u)
                .filter(|_| table == Table::Orders);
            if let Some(ms) = ms {
                let _ = writeln!(
                    out,
                    "# {}   # {}",
                    quote(u),
                    self.milestone_words("init.ms.second", ms, &[])
                );
                continue;
            }
            let p = cols.profiles.get(u);
            let near = nearest_fields(table, u, p);
            let seen = p.and_then(profile_words);
            let seen = seen.map(|w| format!("{w}; ")).unwrap_or_default();
            match near.first() {
                Some(first) => {
                    let _ = writeln!(
                        out,
                        "# {first} = [{}]   # unused column, {seen}could be: {}",
                        quote(u),
                        near.join(", ")
                    );
                }
                None => {
                    let _ = writeln!(
                        out,
                        "# {}   # unused column, {seen}no field comes near",
                        quote(u)
                    );
                }
            }
        }
    }

    /// The text `key` says of milestone `step` and `side`, in the
    /// template's language, with `more` filled too.
    fn milestone_words(
        &self,
        key: &str,
        (step, side): (usize, Side),
        more: &[(&str, &str)],
    ) -> String {
        let Some(st) = self.ctx.steps.steps.get(step) else {
            return String::new();
        };
        let side = side_word(self.lang, side == Side::Plan);
        let name = one_line(st.name(self.lang));
        let mut args = vec![("step", name.as_str()), ("key", st.key), ("side", side)];
        args.extend_from_slice(more);
        i18n::fill(self.lang, key, &args)
    }

    /// Writes a comment line per milestone column of a sheet (spec section
    /// 13): the step it is, plan or actual, its header and column.
    fn milestone_columns(&self, out: &mut String, sh: &read::SheetReport) {
        for (key, is_plan, header, column) in &sh.milestones {
            let Some(step) = self.ctx.steps.position(key) else {
                continue;
            };
            let side = if *is_plan { Side::Plan } else { Side::Actual };
            let header = quote(header);
            let line = self.milestone_words(
                "init.ms.column",
                (step, side),
                &[("header", &header), ("column", column)],
            );
            let _ = writeln!(out, "#     {line}");
        }
    }

    /// The milestones with a plan column on some sheet of orders, in
    /// sequence.
    fn planned_steps(&self) -> Vec<usize> {
        let mut steps: Vec<usize> = self
            .found
            .files
            .iter()
            .filter(|f| f.table == Table::Orders)
            .flat_map(|f| &f.sheets)
            .flat_map(|sh| &sh.milestones)
            .filter(|(_, is_plan, _, _)| *is_plan)
            .filter_map(|(key, _, _, _)| self.ctx.steps.position(key))
            .collect();
        steps.sort_unstable();
        steps.dedup();
        steps
    }

    /// A commented `key = days` line per milestone with a plan column
    /// (none when the team's template already gives it lead days in
    /// `[milestones.lead_days]`): the median lead seen, or why there is none.
    fn lead_days_lines(&self) -> Vec<(&'static str, String)> {
        let steps = self.planned_steps();
        if steps.is_empty() {
            return Vec::new();
        }
        let team_keys = self.team.map(|t| &t.file.milestones.lead_days);
        let steps: Vec<usize> = steps
            .into_iter()
            .filter(|i| {
                let key = self.ctx.steps.steps[*i].key;
                !team_keys.is_some_and(|k| k.contains_key(key))
            })
            .collect();
        let seen = match lead_days_seen(&self.found.orders, &steps) {
            Ok(seen) => seen,
            Err(e) => {
                let line = format!("# lead days not computed: {}", one_line(&e.to_string()));
                return vec![("", line)];
            }
        };
        seen.into_iter()
            .map(|(i, median, n)| {
                let key = self.ctx.steps.steps[i].key;
                let n_text = n.to_string();
                let ms = (i, Side::Plan);
                let line = match median.map(|m| m.round() as i64) {
                    None => format!("# {}", self.milestone_words("init.ms.lead_none", ms, &[])),
                    Some(d) if (0..=3650).contains(&d) => format!(
                        "# {key} = {d}   # {}",
                        self.milestone_words("init.ms.lead", ms, &[("n", &n_text)])
                    ),
                    Some(d) => format!(
                        "# {}",
                        self.milestone_words(
                            "init.ms.lead_out",
                            ms,
                            &[("n", &n_text), ("days", &d.to_string())]
                        )
                    ),
                };
                (key, line)
            })
            .collect()
    }

    /// Writes `[milestones.lead_days]` with the lead days seen, each
    /// commented (nothing when no sheet has a milestone plan column).
    fn lead_days_block(&self, out: &mut String) {
        let lines = self.lead_days_lines();
        if lines.is_empty() {
            return;
        }
        let _ = writeln!(out, "[milestones.lead_days]");
        for l in i18n::text(self.lang, "init.ms.lead_intro").lines() {
            let _ = writeln!(out, "# {l}");
        }
        for (_, line) in lines {
            let _ = writeln!(out, "{line}");
        }
        let _ = writeln!(out);
    }

    /// Writes, after the team's block that holds its lead days
    /// (`[milestones.lead_days]`, or `[milestones]` with `lead_days = …`),
    /// the lead days seen that it does not name yet, commented.
    fn lead_days_after(&self, out: &mut String, name: &str, block: &str) {
        let missing: Vec<String> = self
            .lead_days_lines()
            .into_iter()
            .filter(|(key, _)| !names_key(block, key))
            .map(|(_, line)| line)
            .collect();
        if name == "milestones" && !missing.is_empty() {
            let _ = writeln!(out, "# {}", i18n::text(self.lang, "init.ms.lead_inline"));
        }
        for line in missing {
            let _ = writeln!(out, "{line}");
        }
    }

    /// Writes the team's other blocks as written, comments included, and
    /// the defaults for `[thresholds]` and `[history]` when it has none.
    fn kept_blocks(&self, out: &mut String) {
        let mut has_thresholds = false;
        let mut has_history = false;
        let mut has_lead_days = false;
        for (name, block) in &self.team_blocks {
            if name.is_empty() || written_by_init(name) {
                continue;
            }
            has_thresholds |= name == "thresholds";
            has_history |= name == "history";
            out.push_str(block.trim_end());
            out.push('\n');
            let holds_lead_days = name == "milestones.lead_days"
                || (name == "milestones"
                    && block
                        .lines()
                        .any(|l| l.trim_start().starts_with("lead_days")));
            if holds_lead_days && !has_lead_days {
                has_lead_days = true;
                self.lead_days_after(out, name, block);
            }
            out.push('\n');
        }
        if !has_lead_days {
            self.lead_days_block(out);
        }
        if !has_thresholds {
            out.push_str(THRESHOLDS);
        }
        if !has_history {
            out.push_str(HISTORY);
        }
    }
}

/// The word for a milestone's plan or actual column.
fn side_word(lang: Lang, plan: bool) -> &'static str {
    i18n::text(
        lang,
        if plan {
            "init.ms.plan"
        } else {
            "init.ms.actual"
        },
    )
}

/// Whether a block has a line, commented or not, for `key` (`key = …`,
/// `# key = …`, `# key: …`).
fn names_key(block: &str, key: &str) -> bool {
    block.lines().any(|l| {
        let l = l.trim_start().trim_start_matches('#').trim_start();
        l.strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
    })
}

/// Per milestone `i` of `steps`: the median of due date − plan, in days,
/// over the order lines that have both, and how many lines that is
/// (spec section 13: what `[milestones.lead_days]` would say).
///
/// # Errors
/// A failure inside polars.
pub fn lead_days_seen(
    orders: &DataFrame,
    steps: &[usize],
) -> PolarsResult<Vec<(usize, Option<f64>, u64)>> {
    let names = orders.get_column_names();
    let has = |c: &str| names.iter().any(|n| n.as_str() == c);
    let with: Vec<usize> = steps
        .iter()
        .copied()
        .filter(|i| has("due_date") && has(&milestones::plan_col(*i)))
        .collect();
    let exprs: Vec<_> = with
        .iter()
        .flat_map(|i| {
            let lead = days("due_date") - days(&milestones::plan_col(*i));
            [
                lead.clone()
                    .cast(DataType::Float64)
                    .median()
                    .alias(format!("median{i}")),
                lead.is_not_null().sum().alias(format!("lines{i}")),
            ]
        })
        .collect();
    let f = if exprs.is_empty() {
        DataFrame::empty()
    } else {
        orders.clone().lazy().select(exprs).collect()?
    };
    steps
        .iter()
        .map(|i| {
            if !with.contains(i) {
                return Ok((*i, None, 0));
            }
            let median = floats(&f, &format!("median{i}"))?
                .first()
                .copied()
                .flatten()
                .filter(|m| m.is_finite());
            let lines = ints(&f, &format!("lines{i}"))?
                .first()
                .copied()
                .flatten()
                .unwrap_or(0);
            Ok((*i, median, lines.max(0) as u64))
        })
        .collect()
}

/// `1 row`, `1,213 rows`.
fn rows(n: u64) -> String {
    if n == 1 {
        "1 row".into()
    } else {
        format!("{} rows", group(n))
    }
}

/// `1213` as `1,213`.
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

const THRESHOLDS: &str = r#"[thresholds]
stale_days = 7               # an open order not updated for this long is stale (S01)
confirm_days = 3             # pending confirmation longer than this (S03)
eta_grace_days = 3           # days past ETA before a shipment is overdue (S04)
tracking_days = 2            # days after shipping without a tracking number (S05)
followup_days = 14           # after-sales follow-up due this long after arrival (S06)
feedback_sla_days = 14       # open feedback older than this (S07)
amount_tolerance = 0.005     # amount vs quantity × unit price (C07)

"#;

const HISTORY: &str = r#"[history]
enabled = true
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{df, NamedFrom, Series};

    #[test]
    fn lead_days_are_the_median_over_lines_with_a_plan_and_a_due_date() {
        let day = |s: &str| {
            s.parse::<chrono::NaiveDate>()
                .map(crate::frame::date_to_days)
                .ok()
        };
        let dates = |name: &str, v: &[Option<&str>]| {
            let v: Vec<Option<i32>> = v.iter().map(|s| s.and_then(day)).collect();
            Series::new(name.into(), v).cast(&DataType::Date)
        };
        let due = dates(
            "due_date",
            &[
                Some("2026-12-20"),
                Some("2026-12-20"),
                None,
                Some("2026-12-20"),
            ],
        )
        .unwrap();
        let plan = dates(
            &milestones::plan_col(0),
            &[
                Some("2026-11-20"),
                Some("2026-11-26"),
                Some("2026-11-01"),
                None,
            ],
        )
        .unwrap();
        let mut f = df!("x" => [1, 2, 3, 4]).unwrap();
        f.with_column(due.into()).unwrap();
        f.with_column(plan.into()).unwrap();
        // 30 and 24 days on the two lines with both; no column for step 1.
        let seen = lead_days_seen(&f, &[0, 1]).unwrap();
        assert_eq!(seen, vec![(0, Some(27.0), 2), (1, None, 0)]);
    }

    #[test]
    fn a_block_names_a_key_commented_or_not() {
        let block =
            "[milestones.lead_days]\npp_sample = 80\n# materials = 45   # x\n# booking: none\n";
        assert!(names_key(block, "pp_sample"));
        assert!(names_key(block, "materials"));
        assert!(names_key(block, "booking"));
        assert!(!names_key(block, "inspection"));
        assert!(!names_key("# materials_2 = 3", "materials"));
    }
}
