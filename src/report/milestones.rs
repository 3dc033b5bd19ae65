//! The Milestones 生产进度 sheet (spec section 13): the open orders' steps
//! as a grid, most slipped first, each step's date coloured by its state,
//! with the per-milestone and per-factory tables beside it; and the rows
//! of Coming up's milestones due next period. Laid out from
//! [`MilestoneView`] only.

use polars::prelude::*;
use rust_xlsxwriter::{Color, Format, Note, Workbook};

use super::table::{add_sheet, column, headers, Block, Kind, SheetWriter, V};
use super::ReportInput;
use crate::i18n::{self, Lang};
use crate::measure::milestones::MilestoneView;

/// The fills of a step's cell by state: done (green), done late (blue),
/// overdue (red), due soon (amber).
struct Fills {
    done: Format,
    late: Format,
    overdue: Format,
    soon: Format,
}

impl Fills {
    fn new(date: &Format) -> Fills {
        let fill = |bg: u32, fg: u32| {
            date.clone()
                .set_background_color(Color::RGB(bg))
                .set_font_color(Color::RGB(fg))
        };
        Fills {
            done: fill(0xC6EFCE, 0x006100),
            late: fill(0xBDD7EE, 0x1F4E79),
            overdue: fill(0xFFC7CE, 0x9C0006).set_bold(),
            soon: fill(0xFFEB9C, 0x9C5700),
        }
    }

    fn of(&self, state: &str) -> Option<&Format> {
        match state {
            "done" => Some(&self.done),
            "done_late" => Some(&self.late),
            "overdue" => Some(&self.overdue),
            "due_soon" => Some(&self.soon),
            _ => None,
        }
    }
}

/// The step names in sequence, in the report language.
fn step_names(lang: Lang, v: &MilestoneView) -> Vec<String> {
    v.steps
        .steps
        .iter()
        .map(|s| s.name(lang).to_string())
        .collect()
}

/// The per-milestone or per-factory table beside the grid.
fn figures_block(
    lang: Lang,
    df: &DataFrame,
    first: (String, Vec<V>),
    extra: &[(&str, &str, Kind)],
) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let t = |key: &str| i18n::text(lang, key).to_string();
    let mut cols = vec![first];
    for (key, name, kind) in extra {
        cols.push((t(key), column(df, name, *kind)?));
    }
    for (key, name, kind) in [
        ("col.ms_due", "due", Kind::Int),
        ("col.ms_done", "done", Kind::Int),
        ("col.ms_on_time", "on_time", Kind::Int),
        ("col.ms_overdue", "overdue", Kind::Int),
        ("col.ms_slip", "slip_median", Kind::Days),
    ] {
        cols.push((t(key), column(df, name, kind)?));
    }
    Ok(super::table::named_table(cols))
}

/// The Milestones sheet of `v` (the whole team's, or one merchandiser's).
///
/// # Errors
/// A polars failure or a rust_xlsxwriter limit.
pub fn milestones_sheet(
    wb: &mut Workbook,
    inp: &ReportInput,
    v: &MilestoneView,
) -> anyhow::Result<()> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let names = step_names(lang, v);
    let mut headers = headers(
        lang,
        &[
            "col.order_id",
            "col.customer",
            "col.owner",
            "col.factory",
            "col.due_date",
            "col.projected",
            "col.slip_days",
        ],
    );
    // Only the steps some shown order has a column for.
    let used: Vec<usize> = (0..names.len())
        .filter(|s| {
            v.rows
                .iter()
                .any(|r| r.cells.get(*s).is_some_and(Option::is_some))
        })
        .collect();
    headers.extend(used.iter().map(|s| names[*s].clone()));
    let fixed = 7;
    let rows: Vec<Vec<V>> = v
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![
                V::opt_text(r.order_id.clone()),
                V::opt_text(r.customer.clone()),
                V::opt_text(r.owner.clone()),
                V::opt_text(r.factory.clone()),
                r.due.map_or(V::Empty, V::Date),
                r.projected.map_or(V::Empty, V::Date),
                V::opt_int(r.slip),
            ];
            row.extend(
                used.iter()
                    .map(|s| match r.cells.get(*s).and_then(Option::as_ref) {
                        Some(c) => c.date.map_or_else(
                            || {
                                if c.state.starts_with("done") {
                                    V::text(i18n::text(lang, "ms.state.done"))
                                } else {
                                    V::Empty
                                }
                            },
                            V::Date,
                        ),
                        None => V::Empty,
                    }),
            );
            row
        })
        .collect();
    let step_name = |s: Option<i64>| {
        s.and_then(|s| names.get(s as usize).cloned())
            .map_or(V::Empty, V::Text)
    };
    let steps_col: Vec<V> = crate::frame::ints(&v.by_step, "step")?
        .into_iter()
        .map(step_name)
        .collect();
    let (sh, srows) = figures_block(lang, &v.by_step, (t("col.milestone"), steps_col), &[])?;
    let factory_col: Vec<V> = crate::frame::strs(&v.by_factory, "factory")?
        .into_iter()
        .map(|f| V::text(f.unwrap_or_else(|| "—".into())))
        .collect();
    let (fh, frows) = figures_block(
        lang,
        &v.by_factory,
        (t("col.factory"), factory_col),
        &[
            ("col.open", "open_orders", Kind::Int),
            ("col.at_risk", "at_risk", Kind::Int),
            ("col.otd_rate", "otd_rate", Kind::Pct),
        ],
    )?;
    let side = headers.len() as u16 + 1;
    let top = 2;
    let ftop = top + srows.len() as u32 + 3;
    let ws = add_sheet(wb, &t("sheet.milestones"), rows.len())?;
    let mut w = SheetWriter::new(ws, &inp.formats);
    w.title(0, &inp.subtitle(), &inp.formats.subtitle)?;
    w.title(
        1,
        &i18n::fill(lang, "title.milestones", &[("n", &rows.len().to_string())]),
        &inp.formats.bold,
    )?;
    let fills = Fills::new(&inp.formats.date);
    let states: Vec<Vec<Option<&str>>> = v
        .rows
        .iter()
        .map(|r| {
            used.iter()
                .map(|s| {
                    r.cells
                        .get(*s)
                        .and_then(Option::as_ref)
                        .map(|c| c.state.as_str())
                })
                .collect()
        })
        .collect();
    let ftitle = vec![vec![V::text(t("title.ms_by_factory"))]];
    w.tables_styled(
        &[
            Block {
                top,
                left: 0,
                headers: &headers,
                rows: &rows,
                main: true,
            },
            Block {
                top,
                left: side,
                headers: &sh,
                rows: &srows,
                main: false,
            },
            Block {
                top: ftop - 2,
                left: side,
                headers: &[],
                rows: &ftitle,
                main: false,
            },
            Block {
                top: ftop,
                left: side,
                headers: &fh,
                rows: &frows,
                main: false,
            },
        ],
        |b, r, c| {
            if b == 2 {
                return Some(&inp.formats.bold);
            }
            if b != 0 || c < fixed {
                return None;
            }
            fills.of(states.get(r)?.get(c - fixed).copied().flatten()?)
        },
    )?;
    // A step done late notes its plan.
    for (r, row) in v.rows.iter().enumerate() {
        for (j, s) in used.iter().enumerate() {
            let Some(c) = row.cells.get(*s).and_then(Option::as_ref) else {
                continue;
            };
            if c.state == "done_late" {
                if let Some(p) = c.plan {
                    let text = i18n::fill(lang, "note.ms_plan", &[("plan", &p.to_string())]);
                    let note = Note::new(text).set_author("gendan");
                    w.ws.insert_note(top + 1 + r as u32, (fixed + j) as u16, &note)?;
                }
            }
        }
    }
    w.finish()?;
    Ok(())
}

/// Coming up's milestones due next period: order, milestone, plan, days
/// left, owner, factory.
pub fn coming_rows(
    inp: &ReportInput,
    v: &MilestoneView,
) -> PolarsResult<(Vec<String>, Vec<Vec<V>>)> {
    let lang = inp.lang;
    let t = |key: &str| i18n::text(lang, key).to_string();
    let names = step_names(lang, v);
    let df = &v.coming;
    let steps: Vec<V> = crate::frame::ints(df, "step")?
        .into_iter()
        .map(|s| {
            s.and_then(|s| names.get(s as usize).cloned())
                .map_or(V::Empty, V::Text)
        })
        .collect();
    Ok(super::table::named_table(vec![
        (t("col.order_id"), column(df, "order_id", Kind::Text)?),
        (t("col.milestone"), steps),
        (t("col.plan"), column(df, "plan", Kind::Date)?),
        (t("col.days_left"), column(df, "days_left", Kind::Int)?),
        (t("col.owner"), column(df, "owner", Kind::Text)?),
        (t("col.factory"), column(df, "factory", Kind::Text)?),
    ]))
}
