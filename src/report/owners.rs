//! Owner workbooks (spec section 7): one workbook per merchandiser with
//! flags or open orders, holding only their rows — their Action list, Open
//! orders, Coming up and Data issues — under `out_dir/owners/<label>/`.
//!
//! The names come from input text and are made safe by
//! [`super::names::safe_stem`]. A manifest in the folder lists the files
//! gendan wrote there, so a re-run of the period removes the files of
//! owners no longer present and nothing else.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use anyhow::Context;
use polars::prelude::*;
use rust_xlsxwriter::Workbook;

use super::{kpi, names, write_atomic, ReportInput};
use crate::frame::strs;

/// The manifest of the files gendan wrote into an owners folder.
const MANIFEST: &str = ".gendan-owner-workbooks";

/// The folder of this period's owner workbooks, relative to `out_dir`.
pub fn folder(label: &str) -> PathBuf {
    Path::new("owners").join(label)
}

/// Each owner with flags or open orders, and their workbook's file name.
///
/// # Errors
/// A failure inside polars.
pub fn plan(inp: &ReportInput) -> PolarsResult<BTreeMap<String, String>> {
    let mut owners: BTreeSet<String> = inp.flags.iter().filter_map(|f| f.owner.clone()).collect();
    owners.extend(
        strs(&inp.measures.detail.open_orders, "owner")?
            .into_iter()
            .flatten(),
    );
    let mut taken = HashSet::new();
    Ok(owners
        .into_iter()
        .map(|o| {
            let stem = names::safe_stem(&o, &mut taken);
            (o, format!("{stem}.xlsx"))
        })
        .collect())
}

/// The links the By owner sheet shows: owner → path from `out_dir`.
pub fn links(label: &str, plan: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let dir = folder(label);
    plan.iter()
        .map(|(o, f)| (o.clone(), dir.join(f).to_string_lossy().replace('\\', "/")))
        .collect()
}

/// One owner's workbook: their action list, open orders, coming up and
/// data issues.
fn workbook(sub: &ReportInput, owner: &str) -> anyhow::Result<Workbook> {
    let d = crate::measure::owners::detail_of(&sub.measures.detail, owner)?;
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(super::ZIP_LEVEL);
    kpi::action_list(&mut wb, sub)?;
    kpi::open_orders_sheet(&mut wb, sub, &d.open_orders)?;
    let ms = sub.measures.milestones.of_owner(owner);
    kpi::coming_up_sheet(
        &mut wb,
        sub,
        &d.due_next_period,
        &d.arriving_next_period,
        &ms,
        d.lc_dates_next_period
            .as_ref()
            .filter(|_| sub.measures.has_lc),
    )?;
    if ms.any && !ms.rows.is_empty() {
        super::milestones::milestones_sheet(&mut wb, sub, &ms)?;
    }
    kpi::data_issues(&mut wb, sub)?;
    // Their own due-date changes, when they have any.
    let changed = d.date_changes.as_ref().is_some_and(|c| c.height() > 0);
    if changed || d.repromised_often.height() > 0 {
        kpi::date_changes_sheet(&mut wb, sub, d.date_changes.as_ref(), &d.repromised_often)??;
    }
    sub.properties(&mut wb, "title.owner");
    Ok(wb)
}

/// Writes every owner's workbook (atomically) and removes the files an
/// earlier run of the period wrote for owners no longer present.
///
/// # Errors
/// A polars or rust_xlsxwriter failure, or an unwritable folder.
pub fn write(inp: &ReportInput, plan: &BTreeMap<String, String>) -> anyhow::Result<Vec<PathBuf>> {
    let dir = inp.out_dir.join(folder(&inp.period.label));
    std::fs::create_dir_all(&dir).with_context(|| {
        format!(
            "cannot create {} — check that the folder is writable",
            dir.display()
        )
    })?;
    let mut out = Vec::new();
    for (owner, file) in plan {
        let flags = crate::measure::owners::flags_of(inp.flags, owner);
        let sub = ReportInput {
            lang: inp.lang,
            template: inp.template,
            period: inp.period,
            as_of: inp.as_of,
            measures: inp.measures,
            flags: &flags,
            files: inp.files,
            previous: inp.previous,
            previous_label: inp.previous_label,
            owner_files: None,
            out_dir: &dir,
            formats: Default::default(),
            issue_trend: Vec::new(),
            extra_outputs: Default::default(),
        };
        let mut wb = workbook(&sub, owner).with_context(|| format!("building {file}"))?;
        let bytes = wb
            .save_to_buffer()
            .with_context(|| format!("saving {file}"))?;
        out.push(write_atomic(&dir, file, &bytes)?);
        let extra = sub
            .extra_outputs
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default();
        out.extend(extra);
    }
    // Files of owners no longer present: only those gendan listed.
    let keep: Vec<&str> = plan.values().map(String::as_str).collect();
    super::replace_listed(&dir, MANIFEST, &keep, true)?;
    Ok(out)
}
