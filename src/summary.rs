//! The run summary (spec section 7): what was read, what was found, what
//! was written. `--json` prints it; `run` also writes it beside the reports.

use serde::Serialize;

use crate::flags::{Flag, FlagCounts};
use crate::period::Period;
use crate::read::FileReport;

#[derive(Debug, Serialize)]
pub struct FlagSection {
    pub by_severity: std::collections::BTreeMap<&'static str, usize>,
    pub by_rule: std::collections::BTreeMap<String, usize>,
    pub by_owner: std::collections::BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Flag>>,
}

impl FlagSection {
    pub fn new(flags: &[Flag], with_items: bool) -> Self {
        let c = FlagCounts::of(flags);
        FlagSection {
            by_severity: c.by_severity,
            by_rule: c.by_rule,
            by_owner: c.by_owner,
            items: with_items.then(|| flags.to_vec()),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RunSummary {
    pub as_of: String,
    pub period: Period,
    pub template: Option<String>,
    pub inputs: Vec<FileReport>,
    pub kpis: serde_json::Value,
    pub flags: FlagSection,
    pub outputs: Vec<String>,
    pub duration_ms: u64,
}
