//! The KPI workbook (spec section 7): Summary, Delivery, Open orders,
//! Shipments, By owner, By customer, Data issues, Action list.

use polars::prelude::*;
use rust_xlsxwriter::{ChartType, Format, Workbook, XlsxError};

use super::chart::{ChartData, Series};
use super::table::{
    add_sheet, column, headers, named_table, spec_table, yes_no, Block, Kind, SheetWriter, V,
};
use super::{source_cell, ReportInput};
use crate::flags::Severity;
use crate::frame::{ints, strs};
use crate::i18n::{self, Lang};
use crate::measure::Kpis;

/// How a KPI's value is shown, and its target (if any).
#[derive(Clone, Copy)]
enum Shown {
    Count,
    Qty,
    Days,
    Rate,
    Score,
}

fn headline(k: &Kpis) -> Vec<(&'static str, Option<f64>, Shown)> {
    // A count, and a count that may be unknown.
    let c = |x: u64| Some(x as f64);
    let oc = |x: Option<u64>| x.map(|x| x as f64);
    vec![
        ("orders_received", c(k.orders_received), Shown::Count),
        ("orders_due", c(k.orders_due), Shown::Count),
        ("otd_rate", k.otd_rate, Shown::Rate),
        ("in_full_rate", k.in_full_rate, Shown::Rate),
        ("otif_rate", k.otif_rate, Shown::Rate),
        ("late_orders", c(k.late_orders), Shown::Count),
        ("avg_delay_days", k.avg_delay_days, Shown::Days),
        (
            "confirmation_median_days",
            k.confirmation_median_days,
            Shown::Days,
        ),
        (
            "cycle_time_median_days",
            k.cycle_time_median_days,
            Shown::Days,
        ),
        ("open_orders", c(k.open_orders), Shown::Count),
        (
            "overdue_open_orders",
            c(k.overdue_open_orders),
            Shown::Count,
        ),
        ("shipments_shipped", c(k.shipments_shipped), Shown::Count),
        (
            "shipments_shipped_qty",
            Some(k.shipments_shipped_qty),
            Shown::Qty,
        ),
        (
            "shipments_in_transit",
            oc(k.shipments_in_transit),
            Shown::Count,
        ),
        ("shipments_overdue", oc(k.shipments_overdue), Shown::Count),
        ("transit_median_days", k.transit_median_days, Shown::Days),
        ("eta_hit_rate", k.eta_hit_rate, Shown::Rate),
        ("feedback_responses", c(k.feedback_responses), Shown::Count),
        ("csat", k.csat, Shown::Rate),
        ("avg_score", k.avg_score, Shown::Score),
        ("nps", k.nps, Shown::Score),
        ("feedback_open", c(k.feedback_open), Shown::Count),
        (
            "resolution_median_days",
            k.resolution_median_days,
            Shown::Days,
        ),
        ("followup_coverage", k.followup_coverage, Shown::Rate),
        ("flags_error", c(k.flags_error), Shown::Count),
        ("flags_warning", c(k.flags_warning), Shown::Count),
        ("flags_info", c(k.flags_info), Shown::Count),
        ("due_next_period", c(k.due_next_period), Shown::Count),
        (
            "due_next_period_not_ready",
            c(k.due_next_period_not_ready),
            Shown::Count,
        ),
        (
            "arrivals_next_period",
            oc(k.arrivals_next_period),
            Shown::Count,
        ),
        ("flags_new", oc(k.flags_new), Shown::Count),
        ("flags_still_open", oc(k.flags_still_open), Shown::Count),
        ("flags_resolved", oc(k.flags_resolved), Shown::Count),
        ("deposits_pending", c(k.deposits_pending), Shown::Count),
        ("payment_days_median", k.payment_days_median, Shown::Days),
        ("lc_open", c(k.lc_open), Shown::Count),
        (
            "lc_expiring_next_period",
            c(k.lc_expiring_next_period),
            Shown::Count,
        ),
        ("orders_at_risk", c(k.orders_at_risk), Shown::Count),
        (
            "otd_rate_first_promise",
            k.otd_rate_first_promise,
            Shown::Rate,
        ),
        ("due_date_changes", oc(k.due_date_changes), Shown::Count),
        ("orders_repromised", c(k.orders_repromised), Shown::Count),
        (
            "repromise_median_days",
            k.repromise_median_days,
            Shown::Days,
        ),
        ("eta_changes", oc(k.eta_changes), Shown::Count),
        (
            "milestones_on_time_rate",
            k.milestones_on_time_rate,
            Shown::Rate,
        ),
        ("milestones_due", c(k.milestones_due), Shown::Count),
        ("milestones_overdue", c(k.milestones_overdue), Shown::Count),
        (
            "milestone_slip_median_days",
            k.milestone_slip_median_days,
            Shown::Days,
        ),
    ]
}

/// KPIs defined by dates alone, which the 12-period trend recomputes for
/// the previous period when the history has no run for it.
const FROM_TREND: &[&str] = &[
    "orders_due",
    "otd_rate",
    "otif_rate",
    "feedback_responses",
    "csat",
    "nps",
    "milestones_on_time_rate",
    "otd_rate_first_promise",
];

fn trend_value(inp: &ReportInput, name: &str) -> Option<f64> {
    let tr = &inp.measures.trend;
    let p = tr.len().checked_sub(2).and_then(|i| tr.get(i))?;
    match name {
        "orders_due" => Some(p.orders_due as f64),
        "otd_rate" => p.otd_rate,
        "otif_rate" => p.otif_rate,
        "feedback_responses" => Some(p.feedback_responses as f64),
        "csat" => p.csat,
        "nps" => p.nps,
        "milestones_on_time_rate" => p.milestones_on_time_rate,
        "otd_rate_first_promise" => p.otd_rate_first_promise,
        _ => None,
    }
}

/// The value of a headline KPI by name, from a KPI set (for previous).
pub fn kpi_value(k: &Kpis, name: &str) -> Option<f64> {
    headline(k)
        .into_iter()
        .find(|(n, _, _)| *n == name)
        .and_then(|(_, v, _)| v)
}

fn target(inp: &ReportInput, name: &str) -> Option<f64> {
    let t = &inp.template.file.targets;
    match name {
        "otd_rate" => t.otd_rate,
        "otif_rate" => t.otif_rate,
        "csat" => t.csat,
        "nps" => t.nps,
        _ => None,
    }
}

fn value_cell(v: Option<f64>, shown: Shown) -> V {
    match (v, shown) {
        (None, _) => V::Empty,
        (Some(x), Shown::Count) => V::Int(x as i64),
        (Some(x), Shown::Qty) => V::Qty(x),
        (Some(x), Shown::Days) | (Some(x), Shown::Score) => V::Days(x),
        (Some(x), Shown::Rate) => V::Pct(x),
    }
}

/// Writes the headline KPI table with previous period, change and target.
pub fn kpi_table(
    w: &mut SheetWriter,
    inp: &ReportInput,
    k: &Kpis,
    prev: Option<&Kpis>,
    names: &[&str],
    top: u32,
) -> Result<u32, XlsxError> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let headers = vec![
        t("col.kpi"),
        t("col.value"),
        t("col.previous"),
        t("col.change"),
        t("col.target"),
    ];
    let all = headline(k);
    let rows: Vec<(&str, Option<f64>, Shown)> = names
        .iter()
        .filter_map(|n| all.iter().find(|(m, _, _)| m == n).copied())
        .collect();
    w.table(top, 0, &headers, &[], true)?;
    let pct_change = Format::new().set_num_format("\"▲ \"0.0%;\"▼ \"0.0%;\"=\"");
    let num_change = Format::new().set_num_format("\"▲ \"0.0;\"▼ \"0.0;\"=\"");
    let recomputed_pct = w.f.note.clone().set_num_format("0.0%\"*\"");
    let recomputed_num = w.f.note.clone().set_num_format("0.0\"*\"");
    let recomputed_int = w.f.note.clone().set_num_format("#,##0\"*\"");
    let mut any_recomputed = false;
    for (i, (name, v, shown)) in rows.iter().enumerate() {
        let r = top + 1 + i as u32;
        w.put(r, 0, &V::text(t(&format!("kpi.{name}"))), None)?;
        let tgt = target(inp, name);
        let missed = match (v, tgt) {
            (Some(x), Some(g)) => Some(*x < g),
            _ => None,
        };
        let fmt = match (missed, shown) {
            (Some(true), Shown::Rate) => Some(&w.f.missed_pct),
            (Some(false), Shown::Rate) => Some(&w.f.met_pct),
            (Some(true), _) => Some(&w.f.missed),
            _ => None,
        }
        .cloned();
        w.put(r, 1, &value_cell(*v, *shown), fmt.as_ref())?;
        let p = match prev {
            Some(p) => {
                let v = kpi_value(p, name);
                w.put(r, 2, &value_cell(v, *shown), None)?;
                v
            }
            // First run: the rates defined by dates come from the trend,
            // marked as recomputed.
            None if FROM_TREND.contains(name) => {
                let v = trend_value(inp, name);
                let f = match shown {
                    Shown::Rate => &recomputed_pct,
                    Shown::Count => &recomputed_int,
                    _ => &recomputed_num,
                };
                if v.is_some() {
                    any_recomputed = true;
                    w.put(r, 2, &value_cell(v, *shown), Some(f))?;
                }
                v
            }
            None => None,
        };
        if let (Some(a), Some(b)) = (v, p) {
            let f = if matches!(shown, Shown::Rate) {
                &pct_change
            } else {
                &num_change
            };
            w.put(r, 3, &V::Num(a - b), Some(f))?;
        }
        if let Some(g) = tgt {
            w.put(r, 4, &value_cell(Some(g), *shown), None)?;
        }
    }
    let mut end = top + 1 + rows.len() as u32;
    if any_recomputed {
        w.title(end, &t("word.recomputed"), &w.f.note.clone())?;
        end += 1;
    }
    Ok(end)
}

const KPI_NAMES: &[&str] = &[
    "orders_received",
    "orders_due",
    "otd_rate",
    "otd_rate_first_promise",
    "in_full_rate",
    "otif_rate",
    "late_orders",
    "avg_delay_days",
    "confirmation_median_days",
    "cycle_time_median_days",
    "open_orders",
    "overdue_open_orders",
    "due_next_period",
    "due_next_period_not_ready",
    "shipments_shipped",
    "shipments_shipped_qty",
    "shipments_in_transit",
    "shipments_overdue",
    "arrivals_next_period",
    "transit_median_days",
    "eta_hit_rate",
    "feedback_responses",
    "csat",
    "nps",
    "feedback_open",
    "followup_coverage",
    "flags_error",
    "flags_warning",
    "flags_info",
    "flags_new",
    "flags_still_open",
    "flags_resolved",
];

/// The Summary sheet: the KPI table, then block by block below it (amounts
/// received, receivables, flags by severity, rows read, the trend of data
/// issues), and the charts with their data to the right.
fn summary(wb: &mut Workbook, inp: &ReportInput) -> Result<(), XlsxError> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let m = inp.measures;
    let sheet = t("sheet.summary");
    let ws = wb.add_worksheet().set_name(&sheet)?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    inp.overview_titles(&mut w, "title.kpi")?;
    let mut names: Vec<&str> = KPI_NAMES.to_vec();
    if m.has_payments {
        names.extend(["deposits_pending", "payment_days_median"]);
    }
    if m.has_lc {
        names.extend(["lc_open", "lc_expiring_next_period"]);
    }
    if m.milestones.any {
        names.extend(["orders_at_risk", "milestones_on_time_rate"]);
    }
    let end = kpi_table(&mut w, inp, &m.kpis, inp.previous, &names, 3)?;
    let mut blocks = vec![amounts_block(inp)];
    if m.has_payments {
        blocks.push(receivables_block(inp));
    }
    blocks.extend([severity_block(inp), rows_block(inp), issue_trend_block(inp)]);
    // One below the other, a blank row between: a block's title in bold
    // above its table.
    let mut r = end + 1;
    for b in &blocks {
        if let Some(title) = &b.title {
            w.put(r, 0, &V::text(title), Some(&inp.formats.bold))?;
            r += 1;
        }
        r = w.table(r, 0, &b.headers, &b.rows, false)? + 1;
    }
    // Chart data, to the right of the charts.
    let dc: u16 = 18;
    let aging_top = chart_data(&mut w, inp, dc)?;
    w.finish()?;
    // Printed for the meeting on one page: one page wide only, the second
    // chart began across the page break.
    wb.worksheet_from_name(&sheet)?.set_print_fit_to_pages(1, 1);
    summary_charts(wb, inp, &sheet, dc, aging_top)
}

/// A table of the Summary below the KPIs, with its title.
struct SummaryBlock {
    title: Option<String>,
    headers: Vec<String>,
    rows: Vec<Vec<V>>,
}

/// Amount received per currency (and in the base currency).
fn amounts_block(inp: &ReportInput) -> SummaryBlock {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let m = inp.measures;
    let mut amount_rows: Vec<Vec<V>> = m
        .kpis
        .orders_received_amount
        .iter()
        .map(|(c, v)| vec![currency_cell(lang, c), V::Num(*v)])
        .collect();
    if let (Some(base), Some(v)) = (
        &inp.template.file.fx.base,
        m.kpis.orders_received_amount_base,
    ) {
        amount_rows.push(vec![
            V::text(i18n::fill(lang, "word.in_base", &[("base", base)])),
            V::Num(v),
        ]);
    }
    SummaryBlock {
        title: Some(t("kpi.orders_received_amount")),
        headers: vec![t("col.currency"), t("col.amount")],
        rows: amount_rows,
    }
}

/// Receivables open and overdue per currency.
fn receivables_block(inp: &ReportInput) -> SummaryBlock {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let k = &inp.measures.kpis;
    let currencies: std::collections::BTreeSet<&String> = k
        .receivables_open
        .keys()
        .chain(k.receivables_overdue.keys())
        .collect();
    let mut rows: Vec<Vec<V>> = currencies
        .into_iter()
        .map(|c| {
            vec![
                currency_cell(lang, c),
                V::Num(k.receivables_open.get(c).copied().unwrap_or(0.0)),
                V::Num(k.receivables_overdue.get(c).copied().unwrap_or(0.0)),
            ]
        })
        .collect();
    if let (Some(base), Some(o)) = (&inp.template.file.fx.base, k.receivables_open_base) {
        rows.push(vec![
            V::text(i18n::fill(lang, "word.in_base", &[("base", base)])),
            V::Num(o),
            V::Num(k.receivables_overdue_base.unwrap_or(0.0)),
        ]);
    }
    SummaryBlock {
        title: Some(t("sheet.payments")),
        headers: vec![
            t("col.currency"),
            t("kpi.receivables_open"),
            t("kpi.receivables_overdue"),
        ],
        rows,
    }
}

/// Flags by severity, new, still open and resolved.
fn severity_block(inp: &ReportInput) -> SummaryBlock {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let m = inp.measures;
    let opt = |x: Option<u64>| V::opt_int(x.map(|n| n as i64));
    let sev_rows: Vec<Vec<V>> = m
        .flags_by_severity
        .iter()
        .map(|c| {
            vec![
                V::text(severity_word(lang, c.severity)),
                V::Int(c.total as i64),
                opt(c.new),
                opt(c.still_open),
                opt(c.resolved),
            ]
        })
        .collect();
    SummaryBlock {
        title: None,
        headers: vec![
            t("col.severity"),
            t("col.count"),
            t("col.new"),
            t("col.still_open"),
            t("col.resolved"),
        ],
        rows: sev_rows,
    }
}

/// Rows read, accepted and rejected over every file.
fn rows_block(inp: &ReportInput) -> SummaryBlock {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let (mut read, mut acc, mut rej) = (0u64, 0u64, 0u64);
    for file in inp.files {
        for s in &file.sheets {
            read += s.rows_read;
            acc += s.rows_accepted;
            rej += s.rows_rejected;
        }
    }
    let rows_rows = vec![
        vec![V::text(t("word.rows_read")), V::Int(read as i64)],
        vec![V::text(t("word.rows_accepted")), V::Int(acc as i64)],
        vec![V::text(t("word.rows_rejected")), V::Int(rej as i64)],
    ];
    SummaryBlock {
        title: None,
        headers: vec![t("col.metric"), t("col.file_rows")],
        rows: rows_rows,
    }
}

/// The trend of data issues (earlier runs from the history, then this
/// one).
fn issue_trend_block(inp: &ReportInput) -> SummaryBlock {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let m = inp.measures;
    let mut issue_rows: Vec<Vec<V>> = inp
        .issue_trend
        .iter()
        .rev()
        .take(11)
        .rev()
        .map(|(p, e, wn, i)| vec![V::text(p), V::Int(*e), V::Int(*wn), V::Int(*i)])
        .collect();
    issue_rows.push(vec![
        V::text(&inp.period.label),
        V::Int(m.kpis.flags_error as i64),
        V::Int(m.kpis.flags_warning as i64),
        V::Int(m.kpis.flags_info as i64),
    ]);
    SummaryBlock {
        title: Some(t("word.issue_trend")),
        headers: vec![
            t("col.period"),
            t("kpi.flags_error"),
            t("kpi.flags_warning"),
            t("kpi.flags_info"),
        ],
        rows: issue_rows,
    }
}

/// Whether the trend shows OTD against the first promise: when the
/// history has a previous run that recorded due dates (spec section 14:
/// "where the history has them"); without one every first promise is the
/// current due date and the line would only repeat OTD.
fn with_first_promise(inp: &ReportInput) -> bool {
    inp.measures.kpis.due_date_changes.is_some()
}

/// The charts' data in column `dc`: the OTD/OTIF trend, then the backlog
/// aging below it; returns the aging table's top row.
fn chart_data(w: &mut SheetWriter, inp: &ReportInput, dc: u16) -> Result<u32, XlsxError> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let m = inp.measures;
    let first = with_first_promise(inp);
    let trend_rows: Vec<Vec<V>> = m
        .trend
        .iter()
        .map(|p| {
            let mut row = vec![
                V::text(&p.label),
                V::opt_pct(p.otd_rate),
                V::opt_pct(p.otif_rate),
                V::Int(p.orders_due as i64),
            ];
            if first {
                row.push(V::opt_pct(p.otd_rate_first_promise));
            }
            row
        })
        .collect();
    let mut head = vec![
        t("col.period"),
        t("col.otd_rate"),
        t("col.otif_rate"),
        t("col.due"),
    ];
    if first {
        head.push(t("col.otd_first_promise"));
    }
    let trend_end = w.table(3, dc, &head, &trend_rows, false)?;
    let a = &m.kpis.backlog_aging;
    let aging_rows = vec![
        vec![V::text(t("word.not_due")), V::Int(a.not_due as i64)],
        vec![V::text("1–7"), V::Int(a.d1_7 as i64)],
        vec![V::text("8–14"), V::Int(a.d8_14 as i64)],
        vec![V::text("15–30"), V::Int(a.d15_30 as i64)],
        vec![V::text("> 30"), V::Int(a.d30_plus as i64)],
    ];
    let aging_top = trend_end + 1;
    w.table(
        aging_top,
        dc,
        &[t("col.bucket"), t("col.open")],
        &aging_rows,
        false,
    )?;
    Ok(aging_top)
}

/// The OTD/OTIF line and the backlog-aging bars of `sheet`, over the data
/// `chart_data` wrote in column `dc`.
fn summary_charts(
    wb: &mut Workbook,
    inp: &ReportInput,
    sheet: &str,
    dc: u16,
    aging_top: u32,
) -> Result<(), XlsxError> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let ws = wb.worksheet_from_name(sheet)?;
    let charts = ChartData { sheet, col: dc };
    let (otd, otif, first) = (
        t("col.otd_rate"),
        t("col.otif_rate"),
        t("col.otd_first_promise"),
    );
    let mut series = vec![Series::on(&otd, dc + 1), Series::on(&otif, dc + 2)];
    if with_first_promise(inp) {
        series.push(Series::on(&first, dc + 4));
    }
    let periods = inp.measures.trend.len() as u32;
    charts.trend(ws, &t("chart.otd"), periods, &series)?;
    // The overdue buckets only: "not due" would dwarf them.
    let overdue = (aging_top + 2, aging_top + 5);
    let open = Series::on(i18n::text(inp.lang, "col.open"), dc + 1);
    charts.bars(ws, ChartType::Column, &t("chart.aging"), overdue, open)?;
    Ok(())
}

fn delivery(wb: &mut Workbook, inp: &ReportInput) -> PolarsResult<Result<(), XlsxError>> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let df = &inp.measures.detail.due_in_period;
    let (yes, no) = (t("word.yes"), t("word.no"));
    let table = spec_table(
        lang,
        [
            order_columns(df)?,
            vec![
                ("col.due_date", column(df, "due_date", Kind::Date)?),
                (
                    "col.first_ship_date",
                    column(df, "first_ship_date", Kind::Date)?,
                ),
                (
                    "col.completion_date",
                    column(df, "completion_date", Kind::Date)?,
                ),
                ("col.ordered_qty", column(df, "ordered_qty", Kind::Qty)?),
                ("col.shipped_qty", column(df, "qty_by_asof", Kind::Qty)?),
                ("col.on_time", yes_no(df, "on_time", &yes, &no)?),
                ("col.in_full", yes_no(df, "in_full", &yes, &no)?),
                ("col.otif", yes_no(df, "otif", &yes, &no)?),
                ("col.delay_days", column(df, "delay_days", Kind::Int)?),
                (
                    "col.first_promise",
                    column(df, "first_promise", Kind::Date)?,
                ),
                ("col.on_time_first", yes_no(df, "on_time_first", &yes, &no)?),
            ],
        ]
        .concat(),
    );
    // Late orders in the overdue colour.
    let late = format!("=$I4=\"{no}\"");
    Ok(inp.table_sheet(
        wb,
        &t("sheet.delivery"),
        &inp.subtitle(),
        &table,
        Some(&late),
    ))
}

fn aging_label(lang: Lang, due_known: bool, d: Option<i64>) -> String {
    match d {
        _ if !due_known => i18n::text(lang, "word.unknown").into(),
        None => i18n::text(lang, "word.not_due").into(),
        Some(x) if x <= 0 => i18n::text(lang, "word.not_due").into(),
        Some(x) if x <= 7 => "1–7".into(),
        Some(x) if x <= 14 => "8–14".into(),
        Some(x) if x <= 30 => "15–30".into(),
        Some(_) => "> 30".into(),
    }
}

/// An order's status as the report shows it: the known word in the report
/// language, else the register's own word marked as not understood.
pub fn status_cells(lang: Lang, df: &DataFrame) -> PolarsResult<Vec<V>> {
    let written = match df.column("status_written") {
        Ok(_) => strs(df, "status_written")?,
        Err(_) => vec![None; df.height()],
    };
    Ok(strs(df, "status")?
        .into_iter()
        .zip(written)
        .map(|(s, w)| match (s, w) {
            (Some(s), _) => V::text(i18n::status_word(lang, &s)),
            (None, Some(w)) => V::text(i18n::fill(lang, "word.unknown_word", &[("word", &w)])),
            (None, None) => V::Empty,
        })
        .collect())
}

/// Department words in the report language.
pub fn department_cells(lang: Lang, df: &DataFrame, none: Option<&str>) -> PolarsResult<Vec<V>> {
    Ok(strs(df, "department")?
        .into_iter()
        .map(|s| match (s, none) {
            (Some(w), _) => V::text(i18n::department_word(lang, &w)),
            (None, Some(n)) => V::text(n),
            (None, None) => V::Empty,
        })
        .collect())
}

/// The headers and rows of the Open orders sheet (also in the owner
/// workbooks).
pub fn open_order_rows(
    inp: &ReportInput,
    df: &DataFrame,
) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let lang = inp.lang;
    let overdue = ints(df, "days_overdue")?;
    let known = crate::frame::bools(df, "due_known")?;
    Ok(spec_table(
        lang,
        [
            order_columns(df)?,
            vec![
                ("col.status", status_cells(lang, df)?),
                ("col.department", department_cells(lang, df, None)?),
                ("col.due_date", column(df, "due_date", Kind::Date)?),
                (
                    "col.days_overdue",
                    overdue.iter().map(|d| V::opt_int(*d)).collect(),
                ),
                (
                    "col.aging",
                    overdue
                        .iter()
                        .zip(&known)
                        .map(|(d, k)| V::text(aging_label(lang, k.unwrap_or(false), *d)))
                        .collect(),
                ),
                ("col.last_update", column(df, "last_update", Kind::Date)?),
                (
                    "col.days_since_update",
                    column(df, "days_since_update", Kind::Int)?,
                ),
                ("col.ordered_qty", column(df, "ordered_qty", Kind::Qty)?),
                ("col.shipped_qty", column(df, "qty_by_asof", Kind::Qty)?),
            ],
        ]
        .concat(),
    ))
}

fn open_orders(wb: &mut Workbook, inp: &ReportInput) -> PolarsResult<Result<(), XlsxError>> {
    open_orders_of(wb, inp, &inp.measures.detail.open_orders)
}

/// The Open orders sheet of the rows `df` (all of them, or one owner's).
pub fn open_orders_sheet(
    wb: &mut Workbook,
    inp: &ReportInput,
    df: &DataFrame,
) -> anyhow::Result<()> {
    Ok(open_orders_of(wb, inp, df)??)
}

fn open_orders_of(
    wb: &mut Workbook,
    inp: &ReportInput,
    df: &DataFrame,
) -> PolarsResult<Result<(), XlsxError>> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let table = open_order_rows(inp, df)?;
    Ok(inp.table_sheet(
        wb,
        &t("sheet.open"),
        &inp.subtitle(),
        &table,
        Some("=$G4>0"),
    ))
}

fn shipments(wb: &mut Workbook, inp: &ReportInput) -> PolarsResult<Result<(), XlsxError>> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    if !inp.measures.arrival_tracked {
        // Registers that stop at loading: no "in transit" list, and why.
        return Ok((|| {
            let ws = add_sheet(wb, &t("sheet.shipments"), 0)?;
            let mut w = SheetWriter::new(ws, &inp.formats);
            w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
            w.title(2, &t("note.arrival_untracked"), &inp.formats.note)?;
            w.finish()
        })());
    }
    let df = &inp.measures.detail.in_transit;
    let (yes, no) = (t("word.yes"), t("word.no"));
    let (headers, rows) = spec_table(
        lang,
        [
            shipment_columns(lang, df, "col.tracking_no")?,
            vec![
                (
                    "col.days_in_transit",
                    column(df, "days_in_transit", Kind::Int)?,
                ),
                ("col.past_eta", yes_no(df, "past_eta", &yes, &no)?),
            ],
        ]
        .concat(),
    );
    // The transit summaries: the mode or carrier (`first`, its header),
    // deliveries, median transit and ETA hit rate.
    let summary = |d: &DataFrame, by: &str, first: &'static str| {
        let names: Vec<V> = strs(d, by)?
            .into_iter()
            .map(|s| {
                V::text(
                    s.map(|w| i18n::status_word(lang, &w).to_string())
                        .unwrap_or_else(|| "—".into()),
                )
            })
            .collect();
        PolarsResult::Ok(spec_table(
            lang,
            vec![
                (first, names),
                ("col.delivered", column(d, "delivered", Kind::Int)?),
                (
                    "col.transit_median",
                    column(d, "transit_median", Kind::Days)?,
                ),
                ("col.eta_hit", column(d, "eta_hit", Kind::Pct)?),
            ],
        ))
    };
    let (mode_h, by_mode) = summary(&inp.measures.transit_by_mode, "mode", "col.mode")?;
    let (carrier_h, by_carrier) =
        summary(&inp.measures.transit_by_carrier, "carrier", "col.carrier")?;
    Ok((|| {
        let ws = add_sheet(wb, &t("sheet.shipments"), rows.len())?;
        let mut w = SheetWriter::new(ws, &inp.formats);
        w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
        let left = headers.len() as u16 + 1;
        // The summaries by mode and carrier sit beside the list, under
        // the window they cover.
        w.ws.write_string_with_format(1, left, t("word.window"), &inp.formats.note)?;
        let block = |top, headers, rows, main, left| Block {
            top,
            left,
            headers,
            rows,
            main,
        };
        w.tables(&[
            block(2, &headers, &rows, true, 0),
            block(2, &mode_h, &by_mode, false, left),
            block(
                4 + by_mode.len() as u32,
                &carrier_h,
                &by_carrier,
                false,
                left,
            ),
        ])?;
        w.highlight(rows.len(), headers.len(), &format!("=$J4=\"{yes}\""))?;
        w.finish()
    })())
}

fn by_owner(wb: &mut Workbook, inp: &ReportInput) -> PolarsResult<Result<(), XlsxError>> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let df = &inp.measures.by_owner;
    let (mut headers, base) = spec_table(
        lang,
        vec![
            ("col.owner", column(df, "owner", Kind::Text)?),
            ("col.lines", column(df, "lines", Kind::Int)?),
            ("col.open", column(df, "open", Kind::Int)?),
            ("col.overdue", column(df, "overdue", Kind::Int)?),
            ("col.due", column(df, "due", Kind::Int)?),
            ("col.otd_rate", column(df, "otd_rate", Kind::Pct)?),
            ("col.otif_rate", column(df, "otif_rate", Kind::Pct)?),
            ("col.errors", column(df, "errors", Kind::Int)?),
            ("col.warnings", column(df, "warnings", Kind::Int)?),
            ("col.data_quality", column(df, "data_quality", Kind::Pct)?),
            ("col.new", column(df, "new", Kind::Int)?),
            ("col.resolved", column(df, "resolved", Kind::Int)?),
            ("col.due_next", column(df, "due_next", Kind::Int)?),
            ("col.repromised", column(df, "repromised", Kind::Int)?),
        ],
    );
    let mut rows = base;
    // Receivables overdue per owner, one column per currency.
    if inp.measures.has_payments {
        let ro = &inp.measures.receivables_by_owner;
        for (cur, overdue) in ro.currencies.iter().zip(&ro.overdue) {
            headers.push(format!("{} ({cur})", t("col.receivables_overdue")));
            for (row, v) in rows.iter_mut().zip(overdue) {
                row.push(v.map(V::Num).unwrap_or(V::Empty));
            }
        }
    }
    // A link to each owner's own workbook, when they are written.
    if let Some(files) = &inp.owner_files {
        headers.push(t("col.owner_file"));
        let owners = strs(df, "owner")?;
        for (row, o) in rows.iter_mut().zip(owners) {
            let link = o
                .and_then(|o| files.get(&o))
                .map(|rel| V::Link(format!("file:///{rel}"), rel.clone()))
                .unwrap_or(V::Empty);
            row.push(link);
        }
    }
    let table = (headers, rows);
    Ok(inp.table_sheet(wb, &t("sheet.owner"), &inp.subtitle(), &table, None))
}

pub fn customer_rows(
    inp: &ReportInput,
    order_cols: bool,
) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let df = &inp.measures.by_customer;
    let mut cols = vec![("col.customer", column(df, "customer", Kind::Text)?)];
    if order_cols {
        cols.extend([
            ("col.orders_window", column(df, "orders", Kind::Int)?),
            ("col.due_window", column(df, "due", Kind::Int)?),
            ("col.otd_rate", column(df, "otd_rate", Kind::Pct)?),
            ("col.otif_rate", column(df, "otif_rate", Kind::Pct)?),
        ]);
    }
    cols.extend([
        ("col.responses_window", column(df, "responses", Kind::Int)?),
        ("col.csat", column(df, "csat", Kind::Pct)?),
        ("col.nps", column(df, "nps", Kind::Days)?),
        ("col.feedback_open", column(df, "feedback_open", Kind::Int)?),
    ]);
    Ok(spec_table(inp.lang, cols))
}

fn by_customer(wb: &mut Workbook, inp: &ReportInput) -> PolarsResult<Result<(), XlsxError>> {
    let t = |key: &str| i18n::text(inp.lang, key).to_string();
    let window = &inp.measures.window;
    let title = format!("{} ({} – {})", t("word.window"), window.start, window.end);
    let table = customer_rows(inp, true)?;
    Ok(inp.table_sheet(wb, &t("sheet.customer"), &title, &table, None))
}

fn severity_word(lang: Lang, s: Severity) -> String {
    i18n::text(
        lang,
        match s {
            Severity::Error => "kpi.flags_error",
            Severity::Warning => "kpi.flags_warning",
            Severity::Info => "kpi.flags_info",
        },
    )
    .to_string()
}

pub fn data_issues(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let (yes, no) = (t("word.yes"), t("word.no"));
    let headers = headers(
        lang,
        &[
            "col.severity",
            "col.rule",
            "col.what",
            "col.message",
            "col.table",
            "col.order_id",
            "col.owner",
            "col.file",
            "col.sheet",
            "col.cell",
            "col.found_value",
            "col.new",
            "col.open_since",
            "col.runs_open",
            "col.rejected",
            "col.row_values",
        ],
    );
    let row = |i: usize| -> Vec<V> {
        let f = &inp.flags[i];
        vec![
            V::text(severity_word(lang, f.severity)),
            V::text(f.rule.as_str()),
            V::text(f.rule.what(lang)),
            V::text(&f.message),
            V::text(i18n::table_label(lang, f.table.as_str())),
            V::opt_text(f.order_id.clone()),
            V::opt_text(f.owner.clone()),
            V::text(&f.file),
            V::text(&f.sheet),
            source_cell(inp.out_dir, &f.file, &f.sheet, &f.cell, f.cell.clone()),
            found_value(f.value.as_deref()),
            match f.is_new {
                Some(true) => V::text(&yes),
                Some(false) => V::text(&no),
                None => V::Empty,
            },
            f.first_seen
                .as_deref()
                .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .map(V::Date)
                .unwrap_or(V::Empty),
            f.runs_open.map(|n| V::Int(n as i64)).unwrap_or(V::Empty),
            V::text(if f.rejected { &yes } else { &no }),
            V::opt_text(f.row_values.as_ref().map(|r| r.join(" | "))),
        ]
    };
    let n = inp.flags.len();
    inp.long_sheet(
        wb,
        &t("sheet.issues"),
        None,
        &headers,
        (n, &row),
        "data-issues",
    )
}

/// A currency of the Summary's amounts; amounts without one (key "")
/// say so.
fn currency_cell(lang: Lang, c: &str) -> V {
    if c.is_empty() {
        V::text(i18n::text(lang, "word.no_currency"))
    } else {
        V::text(c)
    }
}

/// A flag's value as read: a number stays a number (no "number stored as
/// text"), unless it is written with leading zeros, which a number would
/// lose.
pub fn found_value(v: Option<&str>) -> V {
    let Some(s) = v else { return V::Empty };
    let t = s.trim();
    let body = t.strip_prefix('-').unwrap_or(t);
    let leading_zero = body.len() > 1 && body.starts_with('0') && !body.starts_with("0.");
    let plain =
        !body.is_empty() && body.bytes().all(|b| b.is_ascii_digit() || b == b'.') && !leading_zero;
    match t.parse::<f64>() {
        Ok(x) if plain && x.is_finite() => V::General(x),
        _ => V::text(s),
    }
}

pub fn action_list(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let mut flags: Vec<&crate::flags::Flag> = inp.flags.iter().collect();
    flags.sort_by(|a, b| {
        a.owner
            .is_none()
            .cmp(&b.owner.is_none())
            .then(a.owner.cmp(&b.owner))
            .then(b.severity.cmp(&a.severity))
            .then(a.rule.cmp(&b.rule))
    });
    let headers = headers(
        lang,
        &[
            "col.owner",
            "col.severity",
            "col.order_id",
            "col.todo",
            "col.fix",
            "col.where",
            "col.rule",
        ],
    );
    let row = |i: usize| -> Vec<V> {
        let f = flags[i];
        vec![
            V::text(f.owner.clone().unwrap_or_else(|| "—".into())),
            V::text(severity_word(lang, f.severity)),
            V::opt_text(f.order_id.clone()),
            V::text(&f.message),
            V::text(f.rule.fix(lang)),
            source_cell(inp.out_dir, &f.file, &f.sheet, &f.cell, f.place()),
            V::text(f.rule.as_str()),
        ]
    };
    let n = flags.len();
    inp.long_sheet(
        wb,
        &t("sheet.actions"),
        None,
        &headers,
        (n, &row),
        "action-list",
    )
}

/// The headers and rows of Coming up's orders table (also in the owner
/// workbooks).
pub fn coming_up_rows(
    inp: &ReportInput,
    df: &DataFrame,
) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let lang = inp.lang;
    let not_ready: Vec<V> = crate::frame::bools(df, "not_ready")?
        .into_iter()
        .map(|b| {
            if b == Some(true) {
                V::text(i18n::text(lang, "word.yes"))
            } else {
                V::Empty
            }
        })
        .collect();
    Ok(spec_table(
        lang,
        [
            order_columns(df)?,
            vec![
                ("col.due_date", column(df, "due_date", Kind::Date)?),
                ("col.days_left", column(df, "days_left", Kind::Int)?),
                ("col.status", status_cells(lang, df)?),
                ("col.not_ready", not_ready),
                ("col.department", department_cells(lang, df, None)?),
                ("col.ordered_qty", column(df, "ordered_qty", Kind::Qty)?),
                ("col.shipped_qty", column(df, "qty_by_asof", Kind::Qty)?),
            ],
        ]
        .concat(),
    ))
}

/// The headers and rows of Coming up's shipments table.
pub fn arriving_rows(
    inp: &ReportInput,
    df: &DataFrame,
) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let lang = inp.lang;
    Ok(spec_table(
        lang,
        [
            shipment_columns(lang, df, "col.bl")?,
            vec![("col.days_left", column(df, "days_left", Kind::Int)?)],
        ]
        .concat(),
    ))
}

/// The columns a shipment table opens with: shipment, order,
/// merchandiser, mode, carrier, tracking number (headed `tracking`),
/// ship date and ETA.
fn shipment_columns<'k>(
    lang: Lang,
    df: &DataFrame,
    tracking: &'k str,
) -> PolarsResult<Vec<(&'k str, Vec<V>)>> {
    let mode = strs(df, "mode")?
        .into_iter()
        .map(|s| V::opt_text(s.map(|w| i18n::status_word(lang, &w).to_string())))
        .collect();
    Ok(vec![
        ("col.shipment_id", column(df, "shipment_id", Kind::Text)?),
        ("col.order_id", column(df, "order_id", Kind::Text)?),
        ("col.owner", column(df, "owner", Kind::Text)?),
        ("col.mode", mode),
        ("col.carrier", column(df, "carrier", Kind::Text)?),
        (tracking, column(df, "tracking_no", Kind::Text)?),
        ("col.ship_date", column(df, "ship_date", Kind::Date)?),
        ("col.eta", column(df, "eta", Kind::Date)?),
    ])
}

/// The order, customer and merchandiser columns an order table opens
/// with.
fn order_columns(df: &DataFrame) -> PolarsResult<Vec<(&'static str, Vec<V>)>> {
    Ok(vec![
        ("col.order_id", column(df, "order_id", Kind::Text)?),
        ("col.customer", column(df, "customer", Kind::Text)?),
        ("col.owner", column(df, "owner", Kind::Text)?),
    ])
}

/// The headers and rows of Coming up's L/C dates (spec section 10.1).
fn lc_date_rows(inp: &ReportInput, df: &DataFrame) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let lang = inp.lang;
    let what: Vec<V> = strs(df, "what")?
        .into_iter()
        .map(|w| V::opt_text(w.map(|w| i18n::text(lang, &format!("word.lc_{w}")).to_string())))
        .collect();
    Ok(spec_table(
        lang,
        [
            order_columns(df)?,
            vec![
                ("col.lc_no", column(df, "lc_no", Kind::Text)?),
                ("col.lc_what", what),
                ("col.lc_date", column(df, "date", Kind::Date)?),
                ("col.days_left", column(df, "days_left", Kind::Int)?),
            ],
        ]
        .concat(),
    ))
}

/// Coming up: the orders due next period (not-ready ones marked) above
/// the shipments due to arrive in it.
pub fn coming_up_sheet(
    wb: &mut Workbook,
    inp: &ReportInput,
    orders: &DataFrame,
    ships: &DataFrame,
    ms: &crate::measure::milestones::MilestoneView,
    lc: Option<&DataFrame>,
) -> anyhow::Result<()> {
    let lang = inp.lang;
    let next = &inp.measures.next;
    let range = [
        ("start", next.start.to_string()),
        ("end", next.end.to_string()),
        ("label", next.label.clone()),
    ];
    let args: Vec<(&str, &str)> = range.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let title = |key: &str| i18n::fill(lang, key, &args);
    let mut tables = vec![
        (
            title("title.coming_up_orders"),
            coming_up_rows(inp, orders)?,
        ),
        (title("title.coming_up_ships"), arriving_rows(inp, ships)?),
    ];
    if ms.any {
        let rows = super::milestones::coming_rows(inp, ms)?;
        tables.push((title("title.coming_up_ms"), rows));
    }
    if let Some(lc) = lc {
        tables.push((title("title.coming_up_lc"), lc_date_rows(inp, lc)?));
    }
    // Not-ready orders in the overdue colour.
    let not_ready = format!("=$G4=\"{}\"", i18n::text(lang, "word.yes"));
    let sheet = i18n::text(lang, "sheet.coming_up");
    Ok(inp.stacked_sheet(wb, sheet, &tables, Some(&not_ready))?)
}

fn by_department(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let none = t("word.no_department");
    let d = &inp.measures.by_department;
    let stale = i18n::fill(
        lang,
        "col.stale",
        &[("n", &inp.template.file.thresholds.stale_days.to_string())],
    );
    let orders = named_table(vec![
        (t("col.department"), department_cells(lang, d, Some(&none))?),
        (t("col.open"), column(d, "open", Kind::Int)?),
        (t("col.overdue"), column(d, "overdue", Kind::Int)?),
        (stale, column(d, "stale", Kind::Int)?),
        (
            t("col.median_since_update"),
            column(d, "median_since_update", Kind::Days)?,
        ),
        (t("col.due_next"), column(d, "due_next", Kind::Int)?),
    ]);
    let f = &inp.measures.by_feedback_department;
    let feedback = spec_table(
        lang,
        vec![
            ("col.department", department_cells(lang, f, Some(&none))?),
            ("col.responses", column(f, "responses", Kind::Int)?),
            ("col.complaints", column(f, "complaints", Kind::Int)?),
            ("col.open_feedback", column(f, "open", Kind::Int)?),
            (
                "col.resolution_median",
                column(f, "resolution_median", Kind::Days)?,
            ),
        ],
    );
    let as_of = inp.as_of.to_string();
    let title = |key: &str| i18n::fill(lang, key, &[("as_of", &as_of)]);
    let tables = [
        (title("title.dept_orders"), orders),
        (title("title.dept_feedback"), feedback),
    ];
    Ok(inp.stacked_sheet(wb, &t("sheet.department"), &tables, None)?)
}

fn resolved(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let headers = headers(
        lang,
        &[
            "col.severity",
            "col.rule",
            "col.message",
            "col.table",
            "col.order_id",
            "col.owner",
            "col.file",
            "col.sheet",
            "col.cell",
            "col.first_seen",
            "col.runs_open",
        ],
    );
    let empty = Vec::new();
    let gone = inp.measures.resolved.as_ref().unwrap_or(&empty);
    let note = match (&inp.measures.resolved, inp.previous_label) {
        (None, _) if !inp.template.file.history.enabled => t("note.no_history"),
        (None, _) => t("note.resolved_first"),
        (Some(g), Some(l)) if g.is_empty() => {
            i18n::fill(lang, "note.resolved_none", &[("label", l)])
        }
        (Some(_), l) => i18n::fill(lang, "note.resolved", &[("label", l.unwrap_or(""))]),
    };
    let row = |i: usize| -> Vec<V> {
        let f = &gone[i];
        let sev = match f.severity.as_str() {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            _ => Severity::Info,
        };
        vec![
            V::text(severity_word(lang, sev)),
            V::text(&f.rule),
            V::text(&f.message),
            V::text(i18n::table_label(lang, &f.table)),
            V::opt_text(f.order_id.clone()),
            V::opt_text(f.owner.clone()),
            V::text(&f.file),
            V::text(&f.sheet),
            V::text(&f.cell),
            chrono::NaiveDate::parse_from_str(&f.first_seen, "%Y-%m-%d")
                .map(V::Date)
                .unwrap_or_else(|_| V::text(&f.first_seen)),
            V::Int(f.runs_open as i64),
        ]
    };
    let n = gone.len();
    inp.long_sheet(
        wb,
        &t("sheet.resolved"),
        Some(&note),
        &headers,
        (n, &row),
        "resolved",
    )
}

/// The Due-date changes sheet (spec section 14): what moved since the
/// previous run, the largest move first (or one line saying there is no
/// previous run to compare with), and below it every open order
/// re-promised more than once.
fn date_changes(wb: &mut Workbook, inp: &ReportInput) -> PolarsResult<Result<(), XlsxError>> {
    let d = &inp.measures.detail;
    date_changes_sheet(wb, inp, d.date_changes.as_ref(), &d.repromised_often)
}

/// The Due-date changes sheet of the given rows (all, or one owner's).
pub fn date_changes_sheet(
    wb: &mut Workbook,
    inp: &ReportInput,
    changes: Option<&DataFrame>,
    often: &DataFrame,
) -> PolarsResult<Result<(), XlsxError>> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let (headers, rows) = match changes {
        Some(df) => {
            let what = strs(df, "kind")?
                .into_iter()
                .zip(strs(df, "shipment")?)
                .map(|(k, s)| match k.as_deref() {
                    Some("eta") => V::text(format!(
                        "{} {}",
                        t("word.eta_change"),
                        s.unwrap_or_default()
                    )),
                    _ => V::text(t("word.due_date_change")),
                })
                .collect();
            spec_table(
                lang,
                [
                    order_columns(df)?,
                    vec![
                        ("col.what_changed", what),
                        ("col.was", column(df, "was", Kind::Date)?),
                        ("col.now", column(df, "now", Kind::Date)?),
                        ("col.moved_days", column(df, "moved", Kind::Int)?),
                        ("col.times_changed", column(df, "times", Kind::Int)?),
                        ("col.first_promise", column(df, "first", Kind::Date)?),
                    ],
                ]
                .concat(),
            )
        }
        None => (Vec::new(), Vec::new()),
    };
    let note = match (changes, inp.previous_label) {
        (None, _) if !inp.template.file.history.enabled => t("note.no_history"),
        (None, _) => t("note.changes_first"),
        (Some(_), l) => i18n::fill(lang, "note.changes", &[("label", l.unwrap_or(""))]),
    };
    let df = often;
    let (often_headers, often) = spec_table(
        lang,
        [
            order_columns(df)?,
            vec![
                ("col.due_date", column(df, "due_date", Kind::Date)?),
                (
                    "col.first_promise",
                    column(df, "first_promise", Kind::Date)?,
                ),
                ("col.times_changed", column(df, "repromises", Kind::Int)?),
                ("col.moved_days", column(df, "moved", Kind::Int)?),
            ],
        ]
        .concat(),
    );
    Ok((|| {
        let ws = add_sheet(wb, &t("sheet.date_changes"), rows.len() + often.len())?;
        let mut w = SheetWriter::new(ws, &inp.formats);
        w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
        w.title(1, &note, &inp.formats.note)?;
        let mut r = 3;
        if !headers.is_empty() {
            r = w.table(r, 0, &headers, &rows, true)? + 1;
        }
        w.put(
            r,
            0,
            &V::text(t("title.repromised_often")),
            Some(&inp.formats.bold),
        )?;
        w.table(r + 1, 0, &often_headers, &often, headers.is_empty())?;
        w.finish()
    })())
}

/// A payment's received cell as the Payments sheet shows it.
fn received_cells(inp: &ReportInput, df: &DataFrame, p: &str) -> PolarsResult<Vec<V>> {
    let lang = inp.lang;
    let known = crate::frame::bools(df, &format!("{p}_known"))?;
    let got = crate::frame::bools(df, &format!("{p}_received"))?;
    let date = crate::frame::floats(df, &format!("{p}_date"))?;
    let paid = crate::frame::floats(df, &format!("{p}_paid"))?;
    let due = crate::frame::floats(
        df,
        if p == "dep" {
            "deposit_due"
        } else {
            "balance_due"
        },
    )?;
    Ok((0..df.height())
        .map(|i| match (known[i], got[i], date[i], paid[i]) {
            _ if due[i] == Some(0.0) => V::Empty,
            // A row listed for its L/C alone: no payment to speak of.
            (None, ..) => V::Empty,
            (Some(false), ..) => V::text("—"),
            (_, Some(true), Some(d), _) => V::Date(crate::frame::days_to_date(d as i32)),
            (_, Some(true), ..) => V::text(i18n::text(lang, "word.yes")),
            (_, _, _, Some(x)) if x > 0.0 => V::text(i18n::fill(
                lang,
                "word.received_part",
                &[("amount", &format!("{x:.2}"))],
            )),
            _ => V::text(i18n::text(lang, "word.no")),
        })
        .collect())
}

/// A date-or-yes/no mark of an L/C (received, documents presented) as
/// the Payments sheet shows it: its date, else yes / no, "—" when the
/// orders have no such column or the cell could not be read.
fn mark_cells(
    inp: &ReportInput,
    df: &DataFrame,
    date: &str,
    done: &str,
    known: &str,
) -> PolarsResult<Vec<V>> {
    let lang = inp.lang;
    let dates = crate::frame::ints(df, date)?;
    let done = crate::frame::bools(df, done)?;
    let known = crate::frame::bools(df, known)?;
    Ok((0..df.height())
        .map(|i| match (known[i], done[i], dates[i]) {
            (None, ..) => V::Empty,
            (Some(false), ..) => V::text("—"),
            (_, Some(true), Some(d)) => V::Date(crate::frame::days_to_date(d as i32)),
            (_, Some(true), None) => V::text(i18n::text(lang, "word.yes")),
            _ => V::text(i18n::text(lang, "word.no")),
        })
        .collect())
}

/// The Payments sheet's L/C columns (spec section 10.1).
fn lc_columns(inp: &ReportInput, d: &DataFrame) -> PolarsResult<Vec<(&'static str, Vec<V>)>> {
    Ok(vec![
        ("col.lc_no", column(d, "lc_no", Kind::Text)?),
        (
            "col.lc_received",
            mark_cells(inp, d, "lc_rcv", "lc_in", "rcv_known")?,
        ),
        (
            "col.lc_latest_shipment",
            column(d, "lc_latest", Kind::Date)?,
        ),
        ("col.lc_expiry", column(d, "lc_expiry", Kind::Date)?),
        ("col.lc_deadline", column(d, "lc_deadline", Kind::Date)?),
        (
            "col.docs_presented",
            mark_cells(inp, d, "lc_docs", "docs_in", "docs_known")?,
        ),
    ])
}

fn payments(wb: &mut Workbook, inp: &ReportInput) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let d = &inp.measures.detail.payments_outstanding;
    let (headers, rows) = spec_table(
        inp.lang,
        [
            order_columns(d)?,
            vec![
                ("col.terms", column(d, "payment_terms", Kind::Text)?),
                ("col.currency", column(d, "currency", Kind::Text)?),
                ("col.amount", column(d, "amount", Kind::Num)?),
                ("col.deposit_due", column(d, "deposit_due", Kind::Num)?),
                ("col.deposit_received", received_cells(inp, d, "dep")?),
                ("col.balance_due", column(d, "balance_due", Kind::Num)?),
                ("col.balance_received", received_cells(inp, d, "bal")?),
                (
                    "col.balance_due_date",
                    column(d, "balance_due_date", Kind::Date)?,
                ),
                ("col.outstanding", column(d, "outstanding", Kind::Num)?),
                (
                    "col.overdue_amount",
                    column(d, "overdue_amount", Kind::Num)?,
                ),
                ("col.overdue_days", column(d, "overdue_days", Kind::Int)?),
            ],
        ]
        .concat()
        .into_iter()
        .chain(if inp.measures.has_lc {
            lc_columns(inp, d)?
        } else {
            Vec::new()
        })
        .collect(),
    );
    let c = &inp.measures.detail.payments_by_customer;
    let (th, totals) = spec_table(
        inp.lang,
        vec![
            ("col.customer", column(c, "customer", Kind::Text)?),
            ("col.currency", column(c, "currency", Kind::Text)?),
            ("col.orders", column(c, "orders", Kind::Int)?),
            ("col.outstanding", column(c, "open", Kind::Num)?),
            ("col.overdue_amount", column(c, "overdue", Kind::Num)?),
            (
                "col.oldest_overdue",
                column(c, "oldest_overdue_days", Kind::Int)?,
            ),
        ],
    );
    let ws = add_sheet(wb, &t("sheet.payments"), rows.len().max(totals.len()))?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
    // The totals per customer sit beside the list (a table below it would
    // print under the list's repeated header).
    let left = headers.len() as u16 + 1;
    w.ws.write_string_with_format(1, 0, t("title.payments"), &inp.formats.bold)?;
    w.ws.write_string_with_format(1, left, t("title.payments_customer"), &inp.formats.bold)?;
    w.tables(&[
        Block {
            top: 2,
            left: 0,
            headers: &headers,
            rows: &rows,
            main: true,
        },
        Block {
            top: 2,
            left,
            headers: &th,
            rows: &totals,
            main: false,
        },
    ])?;
    w.highlight(rows.len(), headers.len(), "=$M4>0")?;
    w.finish()?;
    Ok(())
}

/// Builds the KPI workbook.
///
/// # Errors
/// A polars failure or a rust_xlsxwriter limit.
pub fn workbook(inp: &ReportInput) -> anyhow::Result<Workbook> {
    let mut wb = Workbook::new();
    wb.set_zip_compression_level(super::ZIP_LEVEL);
    summary(&mut wb, inp)?;
    let d = &inp.measures.detail;
    coming_up_sheet(
        &mut wb,
        inp,
        &d.due_next_period,
        &d.arriving_next_period,
        &inp.measures.milestones,
        inp.measures.has_lc.then_some(&d.lc_dates_next_period),
    )?;
    if inp.measures.milestones.any {
        super::milestones::milestones_sheet(&mut wb, inp, &inp.measures.milestones)?;
    }
    delivery(&mut wb, inp)??;
    open_orders(&mut wb, inp)??;
    shipments(&mut wb, inp)??;
    if inp.measures.has_payments || inp.measures.has_lc {
        payments(&mut wb, inp)?;
    }
    by_owner(&mut wb, inp)??;
    by_department(&mut wb, inp)?;
    by_customer(&mut wb, inp)??;
    data_issues(&mut wb, inp)?;
    resolved(&mut wb, inp)?;
    date_changes(&mut wb, inp)??;
    action_list(&mut wb, inp)?;
    inp.properties(&mut wb, "title.kpi");
    Ok(wb)
}
