//! Report templates (spec section 2): one TOML file per recurring report.
//!
//! Loading validates everything once, at the border: unknown keys and bad
//! values are rejected with the key and line, paths are resolved against the
//! template's own folder. The rest of the program only sees a [`Template`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer};

use crate::fields::{self, EnumKind};
use crate::flags::{Policy, RuleId, Severity};
use crate::i18n::Lang;

/// A template that could not be loaded; exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read template {path}: {source} — check the path given to --template")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("template {path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    #[default]
    Week,
    Month,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnTimeBasis {
    #[default]
    ShipDate,
    DeliveredDate,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrder {
    #[default]
    Ymd,
    Dmy,
    Mdy,
}

/// `as_of`: a fixed date, or a day relative to the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AsOf {
    #[default]
    Today,
    Yesterday,
    Date(NaiveDate),
}

impl AsOf {
    /// `today`, `yesterday` or a date `YYYY-MM-DD` in the years 1990–2199
    /// (a report date outside them is a typo, and date arithmetic on it
    /// could overflow).
    pub fn parse(s: &str) -> Option<AsOf> {
        match s.trim() {
            "today" => Some(AsOf::Today),
            "yesterday" => Some(AsOf::Yesterday),
            t => NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .filter(|d| (1990..=2199).contains(&chrono::Datelike::year(d)))
                .map(AsOf::Date),
        }
    }

    /// The date this stands for, given today's local date.
    pub fn resolve(self, today: NaiveDate) -> NaiveDate {
        match self {
            AsOf::Today => today,
            AsOf::Yesterday => today.pred_opt().unwrap_or(today),
            AsOf::Date(d) => d,
        }
    }
}

impl<'de> Deserialize<'de> for AsOf {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = text_or_date(d)?;
        AsOf::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "as_of `{s}` is not a report date: use YYYY-MM-DD (years 1990–2199), \"today\" or \"yesterday\""
            ))
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSection {
    /// Shown on the Summary sheets; without one, [`ReportSection::title`]
    /// gives the report language's.
    pub title: Option<String>,
    pub period: Period,
    pub as_of: AsOf,
    pub lang: Lang,
    pub out_dir: String,
    pub on_time_basis: OnTimeBasis,
    pub date_order: DateOrder,
    /// One workbook per merchandiser (spec section 7).
    pub owner_workbooks: bool,
    /// Marked copies of the inputs (spec section 7).
    pub marked_copies: bool,
    /// Customer statements with every run (spec section 11).
    pub statements: bool,
}

impl ReportSection {
    /// The report's title: the template's, or the language's own (a run
    /// in Chinese without a template is titled in Chinese).
    pub fn title(&self, lang: Lang) -> &str {
        self.title
            .as_deref()
            .unwrap_or_else(|| Self::default_title(lang))
    }

    /// The title a run without one gets, and `init` writes.
    pub fn default_title(lang: Lang) -> &'static str {
        crate::i18n::text(lang, "title.default")
    }
}

impl Default for ReportSection {
    fn default() -> Self {
        ReportSection {
            title: None,
            period: Period::Week,
            as_of: AsOf::Today,
            lang: Lang::Zh,
            out_dir: "reports".into(),
            on_time_basis: OnTimeBasis::ShipDate,
            date_order: DateOrder::Ymd,
            owner_workbooks: false,
            marked_copies: false,
            statements: false,
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct InputSpec {
    pub paths: Vec<String>,
    pub sheets: Vec<String>,
    /// Not written in the template: the built-in default paths, which may
    /// match nothing (spec section 3).
    #[serde(skip)]
    pub defaulted: bool,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputsSection {
    pub orders: InputSpec,
    pub shipments: InputSpec,
    pub feedback: InputSpec,
}

impl Default for InputsSection {
    fn default() -> Self {
        let spec = |p: &str| InputSpec {
            paths: vec![p.to_string()],
            sheets: vec![],
            defaulted: true,
        };
        InputsSection {
            orders: spec("orders*.xlsx"),
            shipments: spec("shipments*.xlsx"),
            feedback: spec("feedback*.xlsx"),
        }
    }
}

/// The key under `[columns.<table>]` that lists headers no field may take
/// (spec section 3.3, rev5).
pub const IGNORE_KEY: &str = "ignore";

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ColumnsSection {
    pub orders: BTreeMap<String, Vec<String>>,
    pub shipments: BTreeMap<String, Vec<String>>,
    pub feedback: BTreeMap<String, Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValuesSection {
    pub order_status: BTreeMap<String, String>,
    pub shipment_status: BTreeMap<String, String>,
    pub feedback_status: BTreeMap<String, String>,
    pub mode: BTreeMap<String, String>,
    pub category: BTreeMap<String, String>,
    pub department: BTreeMap<String, String>,
    pub currency: BTreeMap<String, String>,
    /// Extra empty markers (`["Date Not Captured"]`, spec section 3).
    pub empty: Vec<String>,
}

impl ValuesSection {
    pub fn extra(&self, kind: EnumKind) -> &BTreeMap<String, String> {
        match kind {
            EnumKind::OrderStatus => &self.order_status,
            EnumKind::ShipmentStatus => &self.shipment_status,
            EnumKind::FeedbackStatus => &self.feedback_status,
            EnumKind::Mode => &self.mode,
            EnumKind::Category => &self.category,
            EnumKind::Department => &self.department,
            EnumKind::Currency => &self.currency,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Thresholds {
    pub stale_days: i64,
    pub confirm_days: i64,
    pub eta_grace_days: i64,
    pub tracking_days: i64,
    pub followup_days: i64,
    pub feedback_sla_days: i64,
    pub amount_tolerance: f64,
    /// P02: days after confirmation (else the order date) a deposit may take.
    pub deposit_days: i64,
    /// A balance "against B/L copy" is due this many days after shipping.
    pub bl_copy_days: i64,
    /// The floor of V05 for every date field (a TOML date or "YYYY-MM-DD").
    #[serde(deserialize_with = "de_date")]
    pub earliest_date: NaiveDate,
    /// "More or less" (溢短装): C03 only above ordered × (1 + this); in
    /// full from ordered × (1 − this) (spec section 4).
    pub qty_tolerance: f64,
    /// A documentary collection's balance (D/P, D/A) is due this many days
    /// after shipping, plus its usance days (spec section 10.1).
    pub collection_days: i64,
    /// M03 only when an order's projected slip exceeds this many days
    /// (spec section 13).
    pub milestone_slack_days: i64,
    /// S10: an open order whose due date lies more than this many days
    /// after its first promise (spec section 14).
    pub repromise_days: i64,
    /// L04: an open order under L/C with no L/C received is flagged this
    /// many days before its due date (spec section 10.1).
    pub lc_notice_days: i64,
}

/// The first date V05 accepts by default.
pub const EARLIEST_DATE: (i32, u32, u32) = (2000, 1, 1);

/// A TOML value written as text (`"2026-11-27"`, `"today"`) or as a bare
/// TOML date (`2026-11-27`), as text.
fn text_or_date<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        S(String),
        D(toml::value::Datetime),
    }
    Ok(match Raw::deserialize(d)? {
        Raw::S(s) => s,
        Raw::D(dt) => dt.to_string(),
    })
}

fn de_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let s = text_or_date(d)?;
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .filter(|d| (1900..=2099).contains(&chrono::Datelike::year(d)))
        .ok_or_else(|| {
            serde::de::Error::custom(format!(
                "earliest_date `{s}` is not a date: use YYYY-MM-DD in the years 1900–2099, e.g. 2000-01-01"
            ))
        })
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            stale_days: 7,
            confirm_days: 3,
            eta_grace_days: 3,
            tracking_days: 2,
            followup_days: 14,
            feedback_sla_days: 14,
            amount_tolerance: 0.005,
            deposit_days: 7,
            bl_copy_days: 7,
            earliest_date: NaiveDate::from_ymd_opt(
                EARLIEST_DATE.0,
                EARLIEST_DATE.1,
                EARLIEST_DATE.2,
            )
            .unwrap_or_default(),
            qty_tolerance: 0.0,
            collection_days: 14,
            milestone_slack_days: 0,
            repromise_days: 14,
            lc_notice_days: 30,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Targets {
    pub otd_rate: Option<f64>,
    pub otif_rate: Option<f64>,
    pub csat: Option<f64>,
    pub nps: Option<f64>,
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            otd_rate: Some(0.95),
            otif_rate: Some(0.90),
            csat: Some(0.85),
            nps: Some(30.0),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesSection {
    pub disable: Vec<RuleId>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Fx {
    pub base: Option<String>,
    pub rates: BTreeMap<String, f64>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HistorySection {
    pub enabled: bool,
    pub path: Option<String>,
}

impl Default for HistorySection {
    fn default() -> Self {
        HistorySection {
            enabled: true,
            path: None,
        }
    }
}

/// Limits that protect the machine from hostile or broken workbooks.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsSection {
    /// Largest unpacked sheet data (MB) a workbook may declare.
    pub max_sheet_mb: u64,
    /// Most rows a sheet may have (Excel's own limit by default).
    pub max_rows: u64,
    /// Most columns a sheet may have (Excel's own limit by default).
    pub max_columns: u64,
    /// Most cells in a sheet's used area (rows × columns, empty ones
    /// included): a stray cell far from the table would otherwise make the
    /// reader allocate billions of cells.
    pub max_cells: u64,
}

impl Default for LimitsSection {
    fn default() -> Self {
        LimitsSection {
            max_sheet_mb: 2048,
            max_rows: 1_048_576,
            max_columns: 16_384,
            max_cells: 60_000_000,
        }
    }
}

/// The raw template as written in TOML.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateFile {
    pub report: ReportSection,
    pub inputs: InputsSection,
    pub columns: ColumnsSection,
    pub values: ValuesSection,
    pub thresholds: Thresholds,
    pub targets: Targets,
    pub rules: RulesSection,
    pub severity: BTreeMap<RuleId, Severity>,
    pub fx: Fx,
    pub payments: PaymentsSection,
    pub company: CompanySection,
    pub history: HistorySection,
    pub limits: LimitsSection,
    /// `[milestones]` (spec section 13): the team's own steps and lead days.
    pub milestones: crate::milestones::MilestonesSection,
}

/// `[company]` (spec section 11): the seller block of the customer
/// documents. `lang` is the documents' language (English by default:
/// their readers are foreign customers); `--lang` replaces it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompanySection {
    pub name: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    /// A PNG or JPEG file, relative to the template's folder.
    pub logo: Option<String>,
    pub bank: Option<BankDetails>,
    pub lang: Lang,
}

impl Default for CompanySection {
    fn default() -> Self {
        CompanySection {
            name: String::new(),
            address: String::new(),
            phone: String::new(),
            email: String::new(),
            logo: None,
            bank: None,
            lang: Lang::En,
        }
    }
}

/// `[company] bank`: where the customer pays.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BankDetails {
    pub beneficiary: String,
    pub bank: String,
    pub account: String,
    pub swift: String,
}

/// `[payments]` (spec section 10): the team's own terms phrases.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PaymentsSection {
    pub terms: BTreeMap<String, TermsSpec>,
}

/// A team's own phrase in `[payments.terms]`: `deposit` a share 0–1,
/// `balance` one of [`BALANCE_WORDS`], `days` for after_shipment, lc and
/// collection.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TermsSpec {
    #[serde(default)]
    pub deposit: f64,
    pub balance: Option<String>,
    #[serde(default)]
    pub days: i64,
}

/// The balance triggers a `[payments.terms]` phrase may name.
pub const BALANCE_WORDS: &[&str] = &[
    "before_shipment",
    "against_bl_copy",
    "after_shipment",
    "lc",
    "collection",
    "none",
];

impl TermsSpec {
    /// What is wrong with it, if anything.
    fn problem(&self) -> Option<String> {
        if !(0.0..=1.0).contains(&self.deposit) {
            return Some(format!(
                "deposit = {} is not a share from 0 to 1",
                self.deposit
            ));
        }
        if !(0..=3650).contains(&self.days) {
            return Some(format!(
                "days = {} is out of range — use 0 to 3650",
                self.days
            ));
        }
        match self.balance.as_deref() {
            Some(b) if !BALANCE_WORDS.contains(&b) => Some(format!(
                "balance = \"{b}\" is not one of {}",
                BALANCE_WORDS.join(", ")
            )),
            _ => None,
        }
    }
}

/// A loaded, validated template with its paths resolved.
#[derive(Clone, Debug)]
pub struct Template {
    pub file: TemplateFile,
    /// The template's path as given (`None` when running without one).
    pub path: Option<PathBuf>,
    /// The folder relative paths resolve against.
    pub base_dir: PathBuf,
}

impl Default for Template {
    fn default() -> Self {
        Template {
            file: TemplateFile::default(),
            path: None,
            base_dir: PathBuf::from("."),
        }
    }
}

impl Template {
    /// Loads and validates the template at `path`.
    ///
    /// # Errors
    /// Unreadable file, TOML syntax, unknown keys and bad values, each named
    /// with the key and line.
    pub fn load(path: &Path) -> Result<Template, TemplateError> {
        let text = std::fs::read_to_string(path).map_err(|source| TemplateError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let file = parse(&text).map_err(|message| TemplateError::Invalid {
            path: path.display().to_string(),
            message,
        })?;
        let base_dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Ok(Template {
            file,
            path: Some(path.to_path_buf()),
            base_dir,
        })
    }

    /// A template path resolved against the template's folder (absolute
    /// paths stay as they are).
    pub fn resolve(&self, p: &str) -> PathBuf {
        let path = Path::new(p);
        if path.is_absolute() || self.path.is_none() {
            path.to_path_buf()
        } else {
            lexical_join(&self.base_dir, path)
        }
    }

    pub fn policy(&self) -> Policy {
        Policy {
            disabled: self.file.rules.disable.iter().copied().collect(),
            overrides: self.file.severity.clone(),
        }
    }

    pub fn input(&self, table: crate::flags::Table) -> &InputSpec {
        match table {
            crate::flags::Table::Orders => &self.file.inputs.orders,
            crate::flags::Table::Shipments => &self.file.inputs.shipments,
            crate::flags::Table::Feedback => &self.file.inputs.feedback,
        }
    }
}

/// `base/rel` with `.` dropped and `dir/..` folded, so messages show
/// `sample-data/orders.xlsx` rather than `report-templates/../sample-data/…`.
fn lexical_join(base: &Path, rel: &Path) -> PathBuf {
    use std::path::Component;
    let joined = base.join(rel);
    let mut parts: Vec<Component> = Vec::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match parts.last() {
                Some(Component::Normal(_)) => {
                    parts.pop();
                }
                _ => parts.push(c),
            },
            other => parts.push(other),
        }
    }
    if parts.is_empty() {
        return PathBuf::from(".");
    }
    parts.iter().collect()
}

/// The path from the folder `base` to `target`, both absolute and
/// normalised: a `..` for each of `base`'s components past their common
/// start, then the rest of `target`.
pub fn relative_path(base: &Path, target: &Path) -> PathBuf {
    let bc: Vec<_> = base.components().collect();
    let tc: Vec<_> = target.components().collect();
    let common = bc.iter().zip(&tc).take_while(|(x, y)| x == y).count();
    let mut out = PathBuf::new();
    for _ in common..bc.len() {
        out.push("..");
    }
    for c in &tc[common..] {
        out.push(c);
    }
    out
}

/// Parses and validates template text; the error names the key and line.
pub fn parse(text: &str) -> Result<TemplateFile, String> {
    let file: TemplateFile = toml::from_str(text).map_err(|e| describe_toml_error(text, &e))?;
    validate(text, &file)?;
    Ok(file)
}

fn describe_toml_error(text: &str, e: &toml::de::Error) -> String {
    let line = e.span().map(|s| line_of_offset(text, s.start));
    match line {
        Some(l) => format!("line {l}: {}", e.message()),
        None => e.message().to_string(),
    }
}

fn line_of_offset(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// The line of the first `key =` (or `"key" =`) after the `[section]` header.
fn line_of_key(text: &str, section: &str, key: &str) -> usize {
    let mut in_section = section.is_empty();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('[') {
            in_section = line.trim_matches(|c| c == '[' || c == ']').trim() == section;
            continue;
        }
        if in_section {
            let k = line
                .split('=')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if k == key {
                return i + 1;
            }
        }
    }
    0
}

fn validate(text: &str, f: &TemplateFile) -> Result<(), String> {
    use crate::flags::Table;
    let at = |section: &str, key: &str| match line_of_key(text, section, key) {
        0 => format!("[{section}] {key}"),
        n => format!("line {n}: [{section}] {key}"),
    };
    for (table, map) in [
        (Table::Orders, &f.columns.orders),
        (Table::Shipments, &f.columns.shipments),
        (Table::Feedback, &f.columns.feedback),
    ] {
        let defs = fields::fields(table);
        for key in map.keys() {
            if key != IGNORE_KEY && !defs.iter().any(|d| d.name == key) {
                let known: Vec<_> = defs.iter().map(|d| d.name).collect();
                return Err(format!(
                    "{}: unknown field `{key}` — known fields of {}: {}",
                    at(&format!("columns.{}", table.as_str()), key),
                    table.as_str(),
                    known.join(", ")
                ));
            }
        }
    }
    for kind in EnumKind::ALL {
        let section = format!("values.{}", kind.template_key());
        for (word, canonical) in f.values.extra(kind) {
            if !kind.canonical_words().contains(&canonical.as_str()) {
                return Err(format!(
                    "{}: `{canonical}` is not a {} — use one of: {}",
                    at(&section, word),
                    kind.template_key(),
                    kind.canonical_words().join(", ")
                ));
            }
        }
    }
    for (phrase, spec) in &f.payments.terms {
        if let Some(e) = spec.problem() {
            return Err(format!("{}: {e}", at("payments.terms", phrase)));
        }
    }
    let th = &f.thresholds;
    for (key, v) in [
        ("stale_days", th.stale_days),
        ("confirm_days", th.confirm_days),
        ("eta_grace_days", th.eta_grace_days),
        ("tracking_days", th.tracking_days),
        ("followup_days", th.followup_days),
        ("feedback_sla_days", th.feedback_sla_days),
        ("deposit_days", th.deposit_days),
        ("bl_copy_days", th.bl_copy_days),
        ("collection_days", th.collection_days),
        ("milestone_slack_days", th.milestone_slack_days),
        ("repromise_days", th.repromise_days),
        ("lc_notice_days", th.lc_notice_days),
    ] {
        if !(0..=3650).contains(&v) {
            return Err(format!(
                "{}: {v} days is out of range — use 0 to 3650",
                at("thresholds", key)
            ));
        }
    }
    if !(0.0..1.0).contains(&th.amount_tolerance) {
        return Err(format!(
            "{}: {} must be a fraction from 0 up to 1 (0.005 = 0.5%)",
            at("thresholds", "amount_tolerance"),
            th.amount_tolerance
        ));
    }
    if !(0.0..1.0).contains(&th.qty_tolerance) {
        return Err(format!(
            "{}: {} must be a share from 0 up to 1 (0.05 = ±5%)",
            at("thresholds", "qty_tolerance"),
            th.qty_tolerance
        ));
    }
    for (key, v) in [
        ("otd_rate", f.targets.otd_rate),
        ("otif_rate", f.targets.otif_rate),
        ("csat", f.targets.csat),
    ] {
        if let Some(v) = v {
            if !(0.0..=1.0).contains(&v) {
                return Err(format!(
                    "{}: {v} must be a fraction from 0 to 1 (0.95 = 95%)",
                    at("targets", key)
                ));
            }
        }
    }
    if let Some(n) = f.targets.nps {
        if !(-100.0..=100.0).contains(&n) {
            return Err(format!(
                "{}: {n} must be between -100 and 100",
                at("targets", "nps")
            ));
        }
    }
    for (key, v) in [
        ("max_sheet_mb", f.limits.max_sheet_mb),
        ("max_rows", f.limits.max_rows),
        ("max_columns", f.limits.max_columns),
        ("max_cells", f.limits.max_cells),
    ] {
        if v == 0 {
            return Err(format!("{}: must be at least 1", at("limits", key)));
        }
    }
    if let Err(e) = crate::milestones::validate(&f.milestones) {
        let line = [
            "[[milestones.steps]]",
            "[milestones.lead_days]",
            "[milestones]",
        ]
        .iter()
        .find_map(|h| text.find(h))
        .map(|o| format!("line {}: ", line_of_offset(text, o)))
        .unwrap_or_default();
        return Err(format!("{line}{e}"));
    }
    for (code, rate) in &f.fx.rates {
        if !(rate.is_finite() && *rate > 0.0) {
            return Err(format!(
                "{}: rate {rate} for {code} must be a positive number",
                at("fx", "rates")
            ));
        }
    }
    Ok(())
}

/// The default template with a comment on every key (`gendan template`).
pub fn default_text(lang: Lang) -> &'static str {
    match lang {
        Lang::En => DEFAULT_EN,
        Lang::Zh => DEFAULT_ZH,
    }
}

const DEFAULT_EN: &str = r#"# gendan report template — one file per recurring report.
# Relative paths resolve against this file's folder. Every key is optional.

[report]
title = "Weekly order follow-up review"   # shown on the Summary sheets
period = "week"              # week: 7 days ending on as_of; month: calendar month to as_of
as_of = "today"              # last day of the period: "today", "yesterday" or 2026-11-30
lang = "en"                  # zh | en: sheet names, headers, messages
out_dir = "reports"          # where the reports go (--out overrides)
on_time_basis = "ship_date"  # ship_date (FOB: due date = shipment date) | delivered_date
date_order = "ymd"           # how to read text dates with the year last: ymd | dmy | mdy
owner_workbooks = false      # also one workbook per merchandiser in out_dir/owners/<period>/ (or run --owner-workbooks)
marked_copies = false        # also a copy of each input with its flagged cells marked, in out_dir/marked/<period>/ (or run --marked)
statements = false           # also a statement of open orders per customer in out_dir/statements/<period>/ (or gendan statement)

[inputs.orders]
paths = ["orders*.xlsx"]     # files or globs; matches are read in name order
sheets = []                  # []: every visible sheet whose header is recognised; or names
[inputs.shipments]           # delete this section if you keep no shipments file: a
paths = ["shipments*.xlsx"]  # paths written here must match; the built-in default may not
sheets = []                  # (shipments then come from a tracker sheet's columns, if any)
[inputs.feedback]            # one workbook for all tables: give the same path to each
paths = ["feedback*.xlsx"]
sheets = []

[columns.orders]             # extra header aliases per field, before the built-in ones
# order_id = ["Job No", "工单号"]
# ignore = ["State", "Sales"] # headers no field may take (a built-in alias whose values
                             # contradict its field is dropped anyway, with the reason)
[columns.shipments]
[columns.feedback]

[values]
empty = []                   # extra empty markers besides N/A, TBD, 待定, -, …: ["Date Not Captured"]
[values.order_status]        # extra status words → pending, confirmed, in_production,
# "装柜中" = "ready"          #   ready, shipped, delivered, closed, cancelled, on_hold
[values.shipment_status]     # → booked, in_transit, arrived, delivered, exception
[values.feedback_status]     # → open, in_progress, closed
[values.mode]                # → sea, air, express, rail, road
[values.category]            # → quality, delivery, packaging, documents, service, price, other
[values.department]          # → sales, production, purchasing, logistics, quality, finance, documents
[values.currency]            # → an ISO 4217 code, e.g. "港币" = "HKD"

[thresholds]
stale_days = 7               # S01: open order not updated for more than this many days
confirm_days = 3             # S03: pending confirmation for more than this many days
eta_grace_days = 3           # S04: not delivered this many days after the ETA
tracking_days = 2            # S05: shipped this many days ago and still no tracking number
followup_days = 14           # S06: days after arrival before after-sales follow-up is due
feedback_sla_days = 14       # S07: feedback open for more than this many days
amount_tolerance = 0.005     # C07: allowed relative gap between amount and qty × price
deposit_days = 7             # P02: deposit not received this many days after confirmation
bl_copy_days = 7             # a balance "against B/L copy" is due this many days after shipping
earliest_date = 2000-01-01   # V05: any date before this is a typo (due and plan dates too)
qty_tolerance = 0            # more or less: 0.05 = ±5% (C03 above ordered × 1.05; in full from × 0.95); an order's Tolerance cell wins
collection_days = 14         # D/P, D/A: the balance is due this many days after shipping (+ the usance days of D/A 60 days)
repromise_days = 14          # S10: due date more than this many days after the first promise
lc_notice_days = 30          # L04: no L/C received this many days before the due date

[targets]                    # shown beside the KPI, coloured when missed
otd_rate = 0.95              # on-time delivery rate
otif_rate = 0.90             # on time in full
csat = 0.85                  # share of scores 4 and 5
nps = 30                     # net promoter score, -100 to 100

[rules]
disable = []                 # rule ids to switch off, e.g. ["C07"]

[severity]                   # override a rule's default severity: info | warning | error
# S01 = "error"

[fx]                         # optional: rates to a base currency for amount totals
# base = "USD"
# rates = { CNY = 0.138, EUR = 1.08 }

[payments.terms]             # your own payment-terms phrases (matched whole, any case, spaces ignored)
# "老客户月结" = { deposit = 0, balance = "after_shipment", days = 30 }
# deposit: share 0–1; balance: before_shipment | against_bl_copy | after_shipment | lc | collection | none; days: for after_shipment, lc and collection

[company]                    # the seller block of order confirmations and statements (gendan confirm, gendan statement)
# name = "Ningbo Example Trading Co., Ltd."
# address = "No. 1 Example Road, Ningbo, China"
# phone = "+86 574 0000 0000"
# email = "sales@example.com"
# logo = "logo.png"          # PNG or JPEG, relative to this file; placed top right
# bank = { beneficiary = "Ningbo Example Trading Co., Ltd.", bank = "Bank of China, Ningbo Branch", account = "000000000000", swift = "BKCHCNBJ92A" }
lang = "en"                  # language of the customer documents: en | zh (--lang overrides)

[history]
enabled = true               # keep each run's KPIs and flags in SQLite
# path = "gendan-history.sqlite"   # default: in out_dir

[limits]                     # protect the machine from hostile or broken workbooks
max_sheet_mb = 2048          # largest unpacked sheet data a workbook may declare
max_rows = 1048576           # a longer sheet is skipped, with the reason
max_columns = 16384          # a wider sheet is skipped, with the reason
max_cells = 60000000         # rows × columns of a sheet's used area (about 2 GB in memory)
"#;

const DEFAULT_ZH: &str = r#"# gendan 报表模板——每个定期报表一个文件。
# 相对路径以本文件所在目录为准。每一项都可省略。

[report]
title = "每周跟单例会"          # 显示在概览页上
period = "week"              # week：截至 as_of 的 7 天；month：as_of 所在自然月
as_of = "today"              # 统计截止日："today"、"yesterday" 或 2026-11-30
lang = "zh"                  # zh | en：工作表名、表头和提示语言
out_dir = "reports"          # 报表输出目录（--out 可覆盖）
on_time_basis = "ship_date"  # ship_date（FOB：交期即出运日）| delivered_date（以签收日为准）
date_order = "ymd"           # 年份在后的文本日期的读法：ymd | dmy | mdy
owner_workbooks = false      # 另为每位跟单员生成个人工作簿，放在 out_dir/owners/<周期>/（或 run --owner-workbooks）
marked_copies = false        # 另为每个输入文件生成标注副本（问题单元格着色并加批注），放在 out_dir/marked/<周期>/（或 run --marked）
statements = false           # 另为每个有在手订单的客户生成对账单（在手订单与在途货物），放在 out_dir/statements/<周期>/（或 gendan statement）

[inputs.orders]
paths = ["orders*.xlsx"]     # 文件或通配符；匹配到的文件按名称顺序读取
sheets = []                  # []：读取所有能识别表头的可见工作表；或写明表名
[inputs.shipments]           # 没有出货表时删除本节：这里写的路径必须匹配到文件，
paths = ["shipments*.xlsx"]  # 内置默认路径则可以匹配不到
sheets = []                  # （此时出货记录取自跟单总表的出货列，如有）
[inputs.feedback]            # 一个工作簿包含所有表：各表写同一个路径
paths = ["feedback*.xlsx"]
sheets = []

[columns.orders]             # 额外的列名别名，优先于内置别名
# order_id = ["Job No", "工单号"]
# ignore = ["State", "Sales"] # 不映射到任何字段的列名（内置别名的列若内容与字段不符，
                             # 也会被忽略并说明原因）
[columns.shipments]
[columns.feedback]

[values]
empty = []                   # N/A、TBD、待定、- 等之外的空值占位词：["Date Not Captured"]
[values.order_status]        # 额外的状态词 → pending, confirmed, in_production,
# "装柜中" = "ready"          #   ready, shipped, delivered, closed, cancelled, on_hold
[values.shipment_status]     # → booked, in_transit, arrived, delivered, exception
[values.feedback_status]     # → open, in_progress, closed
[values.mode]                # → sea, air, express, rail, road
[values.category]            # → quality, delivery, packaging, documents, service, price, other
[values.department]          # → sales, production, purchasing, logistics, quality, finance, documents
[values.currency]            # → ISO 4217 币种代码，如 "港币" = "HKD"

[thresholds]
stale_days = 7               # S01：未完成订单超过几天未更新
confirm_days = 3             # S03：待确认超过几天
eta_grace_days = 3           # S04：超过预计到达日几天仍未签收
tracking_days = 2            # S05：发货几天后仍无运单号
followup_days = 14           # S06：到货几天后应做售后回访
feedback_sla_days = 14       # S07：反馈超过几天未关闭
amount_tolerance = 0.005     # C07：金额与数量×单价允许的相对误差
deposit_days = 7             # P02：订单确认几天后定金仍未到账
bl_copy_days = 7             # “见提单复印件付尾款”：出货后几天内应收到尾款
earliest_date = 2000-01-01   # V05：早于此日期的任何日期（含交期、计划日期）视为笔误
qty_tolerance = 0            # 溢短装比例：0.05 = ±5%（发货超过订单×1.05 才报 C03；达到×0.95 即为足量）；订单的“溢短装”列优先
collection_days = 14         # 付款交单、承兑交单：出货后几天应收到尾款（远期再加上其天数，如承兑交单60天）
repromise_days = 14          # S10：交期比首次承诺推迟超过几天
lc_notice_days = 30          # L04：距交期不足几天仍未到证

[targets]                    # 显示在指标旁，未达标时标色
otd_rate = 0.95              # 准时交货率
otif_rate = 0.90             # 准时足量交货率
csat = 0.85                  # 满意度 4 分及以上的占比
nps = 30                     # 净推荐值，-100 到 100

[rules]
disable = []                 # 关闭的规则编号，如 ["C07"]

[severity]                   # 调整规则的严重程度：info | warning | error
# S01 = "error"

[fx]                         # 可选：折算到基准币种的汇率
# base = "USD"
# rates = { CNY = 0.138, EUR = 1.08 }

[payments.terms]             # 团队自己的付款方式写法（整句匹配，不分大小写，忽略空格）
# "老客户月结" = { deposit = 0, balance = "after_shipment", days = 30 }
# deposit：定金比例 0–1；balance：before_shipment | against_bl_copy | after_shipment | lc | collection | none；days：after_shipment、lc 与 collection 的天数

[company]                    # 订单确认书和对账单上的卖方信息（gendan confirm、gendan statement）
# name = "宁波示例贸易有限公司"
# address = "中国宁波示例路 1 号"
# phone = "+86 574 0000 0000"
# email = "sales@example.com"
# logo = "logo.png"          # PNG 或 JPEG，相对本文件；放在右上角
# bank = { beneficiary = "宁波示例贸易有限公司", bank = "中国银行宁波分行", account = "000000000000", swift = "BKCHCNBJ92A" }
lang = "en"                  # 客户文件的语言：en | zh（客户多为外商，默认英文；--lang 可改）

[history]
enabled = true               # 在 SQLite 中保存每次运行的指标和问题
# path = "gendan-history.sqlite"   # 默认放在 out_dir 中

[limits]                     # 防止异常或恶意文件拖垮机器
max_sheet_mb = 2048          # 工作表数据解压后的最大大小（MB）
max_rows = 1048576           # 超过此行数的工作表跳过并说明原因
max_columns = 16384          # 超过此列数的工作表跳过并说明原因
max_cells = 60000000         # 工作表使用区域的行数 × 列数上限（约占 2 GB 内存）
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_texts_load_back() {
        for lang in [Lang::En, Lang::Zh] {
            let f = parse(default_text(lang)).expect("default template parses");
            assert_eq!(f.report.lang, lang);
            assert_eq!(f.thresholds.stale_days, 7);
            assert_eq!(f.inputs.orders.paths, vec!["orders*.xlsx".to_string()]);
        }
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err = parse("[report]\ntitle = \"x\"\nbogus = 1\n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(err.contains("bogus"), "{err}");
    }

    #[test]
    fn bad_values_are_rejected() {
        assert!(parse("[report]\nlang = \"fr\"\n")
            .unwrap_err()
            .contains("line 2"));
        assert!(parse("[report]\nas_of = \"soon\"\n").is_err());
        assert!(parse("[columns.orders]\nnot_a_field = [\"x\"]\n")
            .unwrap_err()
            .contains("line 2"));
        assert!(parse("[values.order_status]\n\"x\" = \"flying\"\n")
            .unwrap_err()
            .contains("flying"));
        assert!(parse("[severity]\nZ99 = \"error\"\n").is_err());
        let ok = parse("[report]\nas_of = 2026-11-30\n").unwrap();
        assert_eq!(
            ok.report.as_of,
            AsOf::Date(NaiveDate::from_ymd_opt(2026, 11, 30).unwrap())
        );
    }
}
