//! The feedback workbook (spec section 7): Summary, Feedback log, Open
//! feedback, By category and department, By customer, Satisfaction by
//! delivery.

use polars::prelude::*;
use rust_xlsxwriter::{ChartType, Workbook};

use super::chart::{chart, ChartSpec, Series};
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
    let n = m.trend.len() as u32;
    let (csat, nps) = (t("col.csat"), t("col.nps"));
    let line = chart(&ChartSpec {
        kind: ChartType::Line,
        title: &t("chart.csat"),
        sheet: &sheet,
        rows: (4, 3 + n),
        cat_col: dc,
        series: &[
            Series::on(&csat, dc + 1),
            Series {
                secondary: true,
                ..Series::on(&nps, dc + 2)
            },
        ],
        share_axis: true,
        nps_axis: true,
        height: 300,
    });
    ws.insert_chart(3, 6, &line)?;
    if !cat_rows.is_empty() {
        let k = cat_rows.len() as u32;
        let bar = chart(&ChartSpec {
            kind: ChartType::Bar,
            title: &t("chart.category"),
            sheet: &sheet,
            rows: (cat_top + 1, cat_top + k),
            cat_col: dc,
            series: &[Series::on(&t("col.responses"), dc + 1)],
            share_axis: false,
            nps_axis: false,
            height: 280,
        });
        ws.insert_chart(20, 6, &bar)?;
    }
    Ok(())
}

fn log(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let df = &inp.measures.detail.feedback_of_period;
    let (yes, no) = (t("word.yes"), t("word.no"));
    let (headers, rows) = spec_table(
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
    let ws = super::table::add_sheet(wb, &t("sheet.fb_log"), rows.len())?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
    w.table(2, 0, &headers, &rows, true)?;
    w.finish()?;
    Ok(())
}

fn open(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let df = &inp.measures.detail.open_feedback;
    let (headers, rows) = spec_table(
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
    let sla = inp.template.file.thresholds.feedback_sla_days;
    let ws = super::table::add_sheet(wb, &t("sheet.fb_open"), rows.len())?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
    w.table(2, 0, &headers, &rows, true)?;
    super::kpi::highlight(&mut w, rows.len(), headers.len(), &format!("=$B4>{sla}"))?;
    w.finish()?;
    Ok(())
}

fn by_category(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let df = &inp.measures.by_category;
    let (headers, rows) = spec_table(
        inp.lang,
        vec![
            ("col.category", words(inp, df, "category")?),
            ("col.department", words(inp, df, "department")?),
            ("col.responses", column(df, "responses", Kind::Int)?),
            ("col.avg_score", column(df, "avg_score", Kind::Days)?),
            ("col.open_feedback", column(df, "open", Kind::Int)?),
        ],
    );
    let ws = wb.add_worksheet().set_name(t("sheet.fb_category"))?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &t("word.window"), &inp.formats.subtitle)?;
    w.table(2, 0, &headers, &rows, true)?;
    w.finish()?;
    Ok(())
}

fn by_customer(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let (headers, rows) = customer_rows(inp, false)?;
    let ws = wb.add_worksheet().set_name(t("sheet.customer"))?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &t("word.window"), &inp.formats.subtitle)?;
    w.table(2, 0, &headers, &rows, true)?;
    w.finish()?;
    Ok(())
}

fn by_delivery(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let df = &inp.measures.by_delivery;
    let (on, late) = (t("word.on_time"), t("word.late"));
    let (headers, rows) = spec_table(
        inp.lang,
        vec![
            ("col.delivery", yes_no(df, "on_time", &on, &late)?),
            ("col.responses", column(df, "responses", Kind::Int)?),
            ("col.csat", column(df, "csat", Kind::Pct)?),
            ("col.avg_score", column(df, "avg_score", Kind::Days)?),
        ],
    );
    let ws = wb.add_worksheet().set_name(t("sheet.fb_delivery"))?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &t("word.window"), &inp.formats.subtitle)?;
    w.table(2, 0, &headers, &rows, true)?;
    w.finish()?;
    Ok(())
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
