//! The milestones of an order between confirmation and shipment (spec
//! section 13): the built-in steps and their header words, the template's
//! `[milestones]` section, the steps in sequence as a run uses them
//! ([`Steps`]), and which step and side (plan or actual) a header names.
//! Shared vocabulary: read, reconcile, measure, report and init use it.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde::Deserialize;

use crate::i18n::Lang;

/// A built-in milestone: key, English and Chinese header words (the first
/// of each is its name on the sheet).
struct Builtin {
    key: &'static str,
    en: &'static [&'static str],
    zh: &'static [&'static str],
}

const BUILTIN: &[Builtin] = &[
    Builtin {
        key: "materials",
        en: &[
            "Materials In-house",
            "Material Ready",
            "Fabric In-house",
            "Raw Material",
            "Trims In-house",
        ],
        zh: &[
            "物料到厂",
            "原料到厂",
            "面料到厂",
            "辅料到厂",
            "材料到齐",
            "备料完成",
        ],
    },
    Builtin {
        key: "pp_sample",
        en: &[
            "PP Sample",
            "PP Sample Approval",
            "Pre-production Sample",
            "Approval Sample",
        ],
        zh: &["产前样", "产前样确认", "封样", "确认样"],
    },
    Builtin {
        key: "production_start",
        en: &[
            "Production Start",
            "Cutting",
            "On Line",
            "Start of Production",
        ],
        zh: &["生产开始", "开始生产", "上线", "开裁", "投产"],
    },
    Builtin {
        key: "production_end",
        en: &[
            "Production End",
            "Production Finish",
            "Production Complete",
            "Off Line",
        ],
        zh: &["生产完成", "生产结束", "下线", "大货完成"],
    },
    Builtin {
        key: "inspection",
        en: &["Inspection", "Final Inspection", "FRI", "QC Inspection"],
        zh: &["验货", "尾期验货", "出货验货", "终检"],
    },
    Builtin {
        key: "booking",
        en: &["Booking", "Space Booking", "Shipping Booking"],
        zh: &["订舱", "订舱日期"],
    },
];

/// Words that make a milestone header its plan (spec section 13), as
/// [`norm`] leaves them.
const PLAN_WORDS: &[&str] = &[
    "计划",
    "预计",
    "目标",
    "plan",
    "planned",
    "target",
    "scheduled",
];
/// Words that make it its actual (a header with neither is the actual).
const ACTUAL_WORDS: &[&str] = &["实际", "完成", "actual", "done", "act"];
/// Words a milestone header may carry besides its name and side.
const FILLER_WORDS: &[&str] = &["日期", "时间", "日", "date", "dates"];

/// `[milestones]` as written in the template.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MilestonesSection {
    pub steps: Vec<StepSpec>,
    /// Lead days (plan = due date − lead) of any step, by key.
    pub lead_days: BTreeMap<String, i64>,
}

/// One `[[milestones.steps]]` entry.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub key: String,
    #[serde(default)]
    pub name: Option<StepName>,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub lead_days: Option<i64>,
    #[serde(default)]
    pub after: Option<String>,
}

/// A step's title on the sheet, per language.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepName {
    #[serde(default)]
    pub en: Option<String>,
    #[serde(default)]
    pub zh: Option<String>,
}

/// Plan or actual: the two columns a milestone may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    Plan,
    Actual,
}

/// One milestone as a run uses it.
#[derive(Clone, Debug)]
pub struct Step {
    /// The key, kept for the life of the program (flags name their field
    /// with a `&'static str`).
    pub key: &'static str,
    pub name_en: String,
    pub name_zh: String,
    /// Header words, normalised ([`norm`]), longest first.
    words: Vec<String>,
    /// Plan = due date − this, when the sheet gives no plan.
    pub lead_days: Option<i64>,
    /// `<key>.plan`: the field a flag on its plan cell names.
    plan_field: &'static str,
}

impl Step {
    /// The field a flag on this step's plan or actual cell names.
    pub fn field(&self, side: Side) -> &'static str {
        match side {
            Side::Plan => self.plan_field,
            Side::Actual => self.key,
        }
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.name_en,
            Lang::Zh => &self.name_zh,
        }
    }
}

/// The milestones in sequence.
#[derive(Clone, Debug)]
pub struct Steps {
    pub steps: Vec<Step>,
}

impl Default for Steps {
    fn default() -> Self {
        Steps::new(&MilestonesSection::default()).unwrap_or(Steps { steps: Vec::new() })
    }
}

/// The line and order frames' columns of milestone `i` (its place in
/// [`Steps`]): the plan, the actual date, and whether it is done.
pub fn plan_col(i: usize) -> String {
    format!("ms{i}_plan")
}
pub fn act_col(i: usize) -> String {
    format!("ms{i}_act")
}
pub fn done_col(i: usize) -> String {
    format!("ms{i}_done")
}

/// A header as milestone matching compares it: NFKC, lower case, letters
/// and digits only (as every header is compared).
fn norm(s: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    s.nfkc()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A key as a `&'static str`: keys come from the template, a handful per
/// run, and each is kept once.
fn intern(key: &str) -> &'static str {
    static KEYS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let set = KEYS.get_or_init(|| Mutex::new(HashSet::new()));
    let mut set = match set.lock() {
        Ok(s) => s,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(k) = set.get(key) {
        return k;
    }
    let k: &'static str = Box::leak(key.to_string().into_boxed_str());
    set.insert(k);
    k
}

/// Whether `key` is a key a template may give (`lab_dip`).
fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key.len() <= 40
        && key
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What is wrong with a `[milestones]` section, naming the key.
///
/// # Errors
/// The first problem, in words (the caller adds the line).
pub fn validate(m: &MilestonesSection) -> Result<(), String> {
    Steps::new(m).map(|_| ())
}

impl Steps {
    /// The built-in steps changed and extended by the template's.
    ///
    /// # Errors
    /// An invalid key, an `after` naming no step, lead days out of range.
    pub fn new(m: &MilestonesSection) -> Result<Steps, String> {
        let mut steps: Vec<Step> = BUILTIN
            .iter()
            .map(|b| Step {
                key: b.key,
                name_en: b.en[0].to_string(),
                name_zh: b.zh[0].to_string(),
                words: b.en.iter().chain(b.zh).map(|w| norm(w)).collect(),
                lead_days: None,
                plan_field: intern(&format!("{}.plan", b.key)),
            })
            .collect();
        let lead_ok = |k: &str, d: i64| {
            if (0..=3650).contains(&d) {
                Ok(())
            } else {
                Err(format!(
                    "lead_days of `{k}` = {d} is out of range — use 0 to 3650"
                ))
            }
        };
        let mut moves: Vec<(&'static str, &str)> = Vec::new();
        for spec in &m.steps {
            if !valid_key(&spec.key) {
                return Err(format!(
                    "[[milestones.steps]] key = \"{}\" — use lower-case letters, digits and _ (e.g. \"lab_dip\")",
                    spec.key
                ));
            }
            let at = match steps.iter().position(|s| s.key == spec.key) {
                Some(i) => i,
                None => {
                    steps.push(Step {
                        key: intern(&spec.key),
                        name_en: spec.key.clone(),
                        name_zh: spec.key.clone(),
                        words: vec![norm(&spec.key)],
                        lead_days: None,
                        plan_field: intern(&format!("{}.plan", spec.key)),
                    });
                    steps.len() - 1
                }
            };
            let step = &mut steps[at];
            if let Some(name) = &spec.name {
                let en = name.en.clone().filter(|s| !s.trim().is_empty());
                let zh = name.zh.clone().filter(|s| !s.trim().is_empty());
                if let Some(en) = en.clone().or_else(|| zh.clone()) {
                    step.name_en = en;
                }
                if let Some(zh) = zh.or(en) {
                    step.name_zh = zh;
                }
                for n in [&step.name_en, &step.name_zh] {
                    step.words.push(norm(n));
                }
            }
            step.words.extend(spec.aliases.iter().map(|a| norm(a)));
            if let Some(d) = spec.lead_days {
                lead_ok(&spec.key, d)?;
                step.lead_days = Some(d);
            }
            if let Some(after) = &spec.after {
                moves.push((step.key, after.as_str()));
            }
        }
        for (key, after) in moves {
            if key == after || !steps.iter().any(|s| s.key == after) {
                let known: Vec<&str> = steps.iter().map(|s| s.key).collect();
                return Err(format!(
                    "[[milestones.steps]] `{key}`: after = \"{after}\" names no other step — known: {}",
                    known.join(", ")
                ));
            }
            let Some(from) = steps.iter().position(|s| s.key == key) else {
                continue;
            };
            let step = steps.remove(from);
            let to = steps
                .iter()
                .position(|s| s.key == after)
                .map_or(steps.len(), |i| i + 1);
            steps.insert(to, step);
        }
        for (k, d) in &m.lead_days {
            let Some(step) = steps.iter_mut().find(|s| s.key == k) else {
                let known: Vec<&str> = steps.iter().map(|s| s.key).collect();
                return Err(format!(
                    "[milestones.lead_days] `{k}` is not a milestone — known: {}",
                    known.join(", ")
                ));
            };
            lead_ok(k, *d)?;
            step.lead_days = Some(*d);
        }
        for s in &mut steps {
            s.words.retain(|w| !w.is_empty());
            s.words
                .sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
            s.words.dedup();
        }
        Ok(Steps { steps })
    }

    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    /// The step and side a header names (spec section 13): a step's word
    /// with nothing around it but plan, actual and date words — `计划面料到厂`,
    /// `面料到厂(计划)`, `Fabric In-house Plan`, `验货日期`. A two-row
    /// header is given with its group title: the title and the name are read
    /// together first (`面料到厂` over `计划`, `计划日期` over `验货`), then
    /// the name alone.
    pub fn header(&self, group: Option<&str>, name: &str) -> Option<(usize, Side)> {
        let n = norm(name);
        if let Some(g) = group.map(norm).filter(|g| !g.is_empty() && *g != n) {
            if let Some(hit) = self.match_norm(&format!("{g}{n}")) {
                return Some(hit);
            }
        }
        self.match_norm(&n)
    }

    /// [`Steps::header`] on a normalised header: the longest step word
    /// whose remainder is only side and date words.
    fn match_norm(&self, n: &str) -> Option<(usize, Side)> {
        if n.is_empty() || n.len() > 200 {
            return None;
        }
        let mut best: Option<(usize, usize, Side)> = None;
        for (i, step) in self.steps.iter().enumerate() {
            for w in &step.words {
                let len = w.chars().count();
                if best.is_some_and(|(l, _, _)| l >= len) {
                    break;
                }
                let Some(at) = n.find(w.as_str()) else {
                    continue;
                };
                let rest = format!("{}{}", &n[..at], &n[at + w.len()..]);
                if let Some(side) = side_of(&rest) {
                    best = Some((len, i, side));
                    break;
                }
            }
        }
        best.map(|(_, i, side)| (i, side))
    }

    /// The index of the step with `key`.
    pub fn position(&self, key: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.key == key)
    }
}

/// The side the words around a step's name give: only plan, actual and
/// date words may be there; a plan word makes it the plan (`计划完成日期`
/// is a planned date), unless an actual word other than 完成 says
/// otherwise too (then it is no milestone header).
fn side_of(rest: &str) -> Option<Side> {
    let words = split_words(rest)?;
    let plan = words.iter().any(|w| PLAN_WORDS.contains(w));
    let actual = words
        .iter()
        .any(|w| ACTUAL_WORDS.contains(w) && *w != "完成");
    match (plan, actual) {
        (true, true) => None,
        (true, false) => Some(Side::Plan),
        _ => Some(Side::Actual),
    }
}

/// `s` as a sequence of side and date words, else `None`.
fn split_words(s: &str) -> Option<Vec<&'static str>> {
    if s.is_empty() {
        return Some(Vec::new());
    }
    // Longest word first at each position; the texts are a few words long.
    let all = PLAN_WORDS.iter().chain(ACTUAL_WORDS).chain(FILLER_WORDS);
    let mut words: Vec<&'static str> = all.copied().collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    fn go(s: &str, words: &[&'static str], out: &mut Vec<&'static str>) -> bool {
        if s.is_empty() {
            return true;
        }
        for w in words {
            if let Some(rest) = s.strip_prefix(w) {
                out.push(w);
                if go(rest, words, out) {
                    return true;
                }
                out.pop();
            }
        }
        false
    }
    let mut out = Vec::new();
    go(s, &words, &mut out).then_some(out)
}

/// Whether a header is only plan, actual and date words (`计划`, `Actual
/// Date`): the lower row of a milestone's two-row header.
pub fn is_side_header(name: &str) -> bool {
    let n = norm(name);
    !n.is_empty() && split_words(&n).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_header_form_of_one_name() {
        let s = Steps::default();
        let m = s.position("materials");
        for (h, side) in [
            ("面料到厂", Side::Actual),
            ("计划面料到厂", Side::Plan),
            ("面料到厂(计划)", Side::Plan),
            ("面料到厂（计划）", Side::Plan),
            ("面料到厂计划日期", Side::Plan),
            ("实际面料到厂日期", Side::Actual),
            ("Fabric In-house Plan", Side::Plan),
            ("Fabric In-house (Actual)", Side::Actual),
            ("Planned Fabric In-house Date", Side::Plan),
        ] {
            assert_eq!(s.header(None, h), Some((m.unwrap(), side)), "{h}");
        }
        assert_eq!(
            s.header(Some("面料到厂"), "计划"),
            Some((m.unwrap(), Side::Plan))
        );
        assert_eq!(
            s.header(Some("计划日期"), "面料到厂"),
            Some((m.unwrap(), Side::Plan))
        );
        assert_eq!(
            s.header(Some("生产进度"), "面料到厂"),
            Some((m.unwrap(), Side::Actual))
        );
        let insp = s.position("inspection");
        assert_eq!(
            s.header(None, "验货日期"),
            Some((insp.unwrap(), Side::Actual))
        );
        assert_eq!(
            s.header(None, "PP Sample (Target)").map(|x| x.1),
            Some(Side::Plan)
        );
        assert_eq!(s.header(None, "Booking Agent"), None);
        assert_eq!(s.header(None, "Friday"), None);
        assert_eq!(s.header(None, "计划"), None);
    }

    proptest::proptest! {
        #[test]
        fn the_header_reader_never_panics(h in ".{0,40}", g in proptest::option::of(".{0,20}")) {
            let s = Steps::default();
            let _ = s.header(g.as_deref(), &h);
            let _ = is_side_header(&h);
        }

        /// Every header form of one built-in name reads the same pair.
        #[test]
        fn every_form_of_a_name_reads_the_same_pair(
            b in 0..BUILTIN.len(),
            w in 0usize..8,
        ) {
            let s = Steps::default();
            let words: Vec<&str> = BUILTIN[b].en.iter().chain(BUILTIN[b].zh).copied().collect();
            let name = words[w % words.len()];
            let step = s.position(BUILTIN[b].key);
            for h in [
                format!("计划{name}"),
                format!("{name}(计划)"),
                format!("{name}（计划）"),
                format!("{name}计划日期"),
                format!("{name} Plan"),
                format!("Planned {name}"),
                format!("{name} (Target)"),
            ] {
                proptest::prop_assert_eq!(s.header(None, &h), step.map(|i| (i, Side::Plan)), "{}", h);
            }
            for h in [
                name.to_string(),
                format!("实际{name}"),
                format!("{name}(实际)"),
                format!("{name} Actual"),
                format!("{name} Date"),
                format!("{name}日期"),
            ] {
                proptest::prop_assert_eq!(s.header(None, &h), step.map(|i| (i, Side::Actual)), "{}", h);
            }
            proptest::prop_assert_eq!(s.header(Some(name), "计划"), step.map(|i| (i, Side::Plan)));
            proptest::prop_assert_eq!(s.header(Some(name), "Actual"), step.map(|i| (i, Side::Actual)));
            proptest::prop_assert_eq!(s.header(Some("计划日期"), name), step.map(|i| (i, Side::Plan)));
            proptest::prop_assert_eq!(s.header(Some("Actual Date"), name), step.map(|i| (i, Side::Actual)));
        }
    }

    #[test]
    fn a_custom_step_after_a_builtin_one() {
        let m: MilestonesSection = toml::from_str(
            r#"
            [[steps]]
            key = "lab_dip"
            name = { en = "Lab dip approved", zh = "色样确认" }
            aliases = ["Lab Dip", "色样"]
            lead_days = 50
            after = "materials"
            [lead_days]
            inspection = 5
            "#,
        )
        .unwrap();
        let s = Steps::new(&m).unwrap();
        let keys: Vec<&str> = s.steps.iter().map(|x| x.key).collect();
        assert_eq!(&keys[..3], &["materials", "lab_dip", "pp_sample"]);
        assert_eq!(s.steps[1].lead_days, Some(50));
        assert_eq!(s.header(None, "色样确认计划"), Some((1, Side::Plan)));
        assert_eq!(s.header(None, "Lab Dip"), Some((1, Side::Actual)));
        let insp = s.position("inspection").unwrap();
        assert_eq!(s.steps[insp].lead_days, Some(5));
        let bad: MilestonesSection =
            toml::from_str("[[steps]]\nkey = \"x\"\nafter = \"nope\"").unwrap();
        assert!(Steps::new(&bad).is_err());
    }
}
