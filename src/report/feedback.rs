//! The feedback workbook (spec section 7): Summary, Feedback log, Open
//! feedback, By category and department, By customer, Satisfaction by
//! delivery.

use polars::prelude::*;
use rust_xlsxwriter::{ChartType, Workbook};

use super::chart::{ChartData, Series};
use super::kpi::{customer_rows, kpi_table};
use super::table::{column, spec_table, yes_no, Kind, SheetWriter, V};
use super::ReportInput;
use crate::frame::strs;
use crate::i18n;

const FEEDBACK_KPIS: &[&str] = &[
    "feedback_responses",
    "csat",
    "avg_score",
    "nps",
    "feedback_open",
    "resolution_median_days",
    "followup_coverage",
];

fn words(inp: &ReportInput, df: &DataFrame, name: &str) -> PolarsResult<Vec<V>> {
    let show = |w: &str| match name {
        "department" => i18n::department_word(inp.lang, w).to_string(),
        _ => i18n::status_word(inp.lang, w).to_string(),
    };
    Ok(strs(df, name)?
        .into_iter()
        .map(|s| V::opt_text(s.map(|w| show(&w))))
        .collect())
}

fn summary(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let m = inp.measures;
    let sheet = t("sheet.summary");
    let cat_counts = &m.responses_by_category;
    let (cat_headers, cat_rows) = spec_table(
        lang,
        vec![
            ("col.category", words(inp, cat_counts, "category")?),
            ("col.responses", column(cat_counts, "responses", Kind::Int)?),
        ],
    );
    let ws = wb.add_worksheet().set_name(&sheet)?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    inp.overview_titles(&mut w, "title.feedback")?;
    kpi_table(&mut w, inp, &m.kpis, inp.previous, FEEDBACK_KPIS, 3)?;
    let dc: u16 = 18;
    let trend_rows: Vec<Vec<V>> = m
        .trend
        .iter()
        .map(|p| {
            vec![
                V::text(&p.label),
                V::opt_pct(p.csat),
                p.nps.map(V::Days).unwrap_or(V::Empty),
                V::Int(p.feedback_responses as i64),
            ]
        })
        .collect();
    let trend_end = w.table(
        3,
        dc,
        &[
            t("col.period"),
            t("col.csat"),
            t("col.nps"),
            t("col.responses"),
        ],
        &trend_rows,
        false,
    )?;
    let cat_top = trend_end + 1;
    w.table(cat_top, dc, &cat_headers, &cat_rows, false)?;
    w.finish()?;

    let ws = wb.worksheet_from_name(&sheet)?;
    let charts = ChartData {
        sheet: &sheet,
        col: dc,
    };
    let (csat, nps) = (t("col.csat"), t("col.nps"));
    let nps = Series {
        secondary: true,
        ..Series::on(&nps, dc + 2)
    };
    let periods = m.trend.len() as u32;
    charts.trend(
        ws,
        &t("chart.csat"),
        periods,
        &[Series::on(&csat, dc + 1), nps],
    )?;
    if !cat_rows.is_empty() {
        let rows = (cat_top + 1, cat_top + cat_rows.len() as u32);
        let responses = Series::on(i18n::text(lang, "col.responses"), dc + 1);
        charts.bars(ws, ChartType::Bar, &t("chart.category"), rows, responses)?;
    }
    Ok(())
}

fn log(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let df = &inp.measures.detail.feedback_of_period;
    let (yes, no) = (t("word.yes"), t("word.no"));
    let table = spec_table(
        lang,
        vec![
            ("col.date", column(df, "date", Kind::Date)?),
            ("col.feedback_id", column(df, "feedback_id", Kind::Text)?),
            ("col.order_id", column(df, "order_id", Kind::Text)?),
            ("col.customer", column(df, "customer", Kind::Text)?),
            ("col.score", column(df, "score", Kind::Int)?),
            ("col.nps", column(df, "nps", Kind::Int)?),
            ("col.category", words(inp, df, "category")?),
            ("col.comment", column(df, "comment", Kind::Text)?),
            ("col.department", words(inp, df, "department")?),
            ("col.action", column(df, "action", Kind::Text)?),
            ("col.status", words(inp, df, "status")?),
            ("col.closed_date", column(df, "closed_date", Kind::Date)?),
            ("col.owner", column(df, "owner", Kind::Text)?),
            ("col.on_time", yes_no(df, "on_time", &yes, &no)?),
            ("col.otif", yes_no(df, "otif", &yes, &no)?),
        ],
    );
    Ok(inp.table_sheet(wb, &t("sheet.fb_log"), &inp.subtitle(), &table, None)?)
}

fn open(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let df = &inp.measures.detail.open_feedback;
    let table = spec_table(
        lang,
        vec![
            ("col.date", column(df, "date", Kind::Date)?),
            ("col.age_days", column(df, "age_days", Kind::Int)?),
            ("col.customer", column(df, "customer", Kind::Text)?),
            ("col.order_id", column(df, "order_id", Kind::Text)?),
            ("col.score", column(df, "score", Kind::Int)?),
            ("col.category", words(inp, df, "category")?),
            ("col.comment", column(df, "comment", Kind::Text)?),
            ("col.department", words(inp, df, "department")?),
            ("col.action", column(df, "action", Kind::Text)?),
            ("col.status", words(inp, df, "status")?),
            ("col.owner", column(df, "owner", Kind::Text)?),
        ],
    );
    // Feedback open past the SLA in the overdue colour.
    let sla = inp.template.file.thresholds.feedback_sla_days;
    let late = format!("=$B4>{sla}");
    Ok(inp.table_sheet(
        wb,
        &t("sheet.fb_open"),
        &inp.subtitle(),
        &table,
        Some(&late),
    )?)
}

fn by_category(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let df = &inp.measures.by_category;
    let table = spec_table(
        inp.lang,
        vec![
            ("col.category", words(inp, df, "category")?),
            ("col.department", words(inp, df, "department")?),
            ("col.responses", column(df, "responses", Kind::Int)?),
            ("col.avg_score", column(df, "avg_score", Kind::Days)?),
            ("col.open_feedback", column(df, "open", Kind::Int)?),
        ],
    );
    Ok(inp.table_sheet(wb, &t("sheet.fb_category"), &t("word.window"), &table, None)?)
}

fn by_customer(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let table = customer_rows(inp, false)?;
    Ok(inp.table_sheet(wb, &t("sheet.customer"), &t("word.window"), &table, None)?)
}

fn by_delivery(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let df = &inp.measures.by_delivery;
    let (on, late) = (t("word.on_time"), t("word.late"));
    let table = spec_table(
        inp.lang,
        vec![
            ("col.delivery", yes_no(df, "on_time", &on, &late)?),
            ("col.responses", column(df, "responses", Kind::Int)?),
            ("col.csat", column(df, "csat", Kind::Pct)?),
            ("col.avg_score", column(df, "avg_score", Kind::Days)?),
        ],
    );
    Ok(inp.table_sheet(wb, &t("sheet.fb_delivery"), &t("word.window"), &table, None)?)
}

/// Builds the feedback workbook.
///
/// # Errors
/// A polars failure or a rust_xlsxwriter limit.
pub fn workbook(inp: &ReportInput) -> anyhow::Result<Workbook> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(super::ZIP_LEVEL);
    summary(&mut wb, inp)?;
    log(&mut wb, inp)?;
    open(&mut wb, inp)?;
    by_category(&mut wb, inp)?;
    by_customer(&mut wb, inp)?;
    by_delivery(&mut wb, inp)?;
    inp.properties(&mut wb, "title.feedback");
    Ok(wb)
}
