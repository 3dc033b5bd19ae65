//! The charts of the overview sheets, built one way for both workbooks: a
//! chart of series over rows of a table the sheet already holds.

use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType};

/// One series: its name, its values column, and whether it is drawn on
/// the secondary axis.
pub struct Series<'a> {
    pub name: &'a str,
    pub col: u16,
    pub secondary: bool,
}

impl<'a> Series<'a> {
    pub fn on(name: &'a str, col: u16) -> Self {
        Series {
            name,
            col,
            secondary: false,
        }
    }
}

/// A chart of `series` over the rows `rows` (first, last; zero-based) of
/// `sheet`, its categories in column `cat_col`.
pub struct ChartSpec<'a> {
    pub kind: ChartType,
    pub title: &'a str,
    pub sheet: &'a str,
    pub rows: (u32, u32),
    pub cat_col: u16,
    pub series: &'a [Series<'a>],
    /// The primary axis is a share, 0–100 %.
    pub share_axis: bool,
    /// The secondary axis is an NPS, −100 to 100.
    pub nps_axis: bool,
    pub height: u32,
}

/// The chart, 560 points wide; a legend below it when it has more than one
/// series.
pub fn chart(spec: &ChartSpec) -> Chart {
    let mut chart = Chart::new(spec.kind);
    chart.title().set_name(spec.title);
    let (first, last) = spec.rows;
    for s in spec.series {
        let series = chart
            .add_series()
            .set_name(s.name)
            .set_categories((spec.sheet, first, spec.cat_col, last, spec.cat_col))
            .set_values((spec.sheet, first, s.col, last, s.col));
        if s.secondary {
            series.set_secondary_axis(true);
        }
    }
    if spec.share_axis {
        chart
            .y_axis()
            .set_num_format("0%")
            .set_min(0.0)
            .set_max(1.0);
    }
    if spec.nps_axis {
        chart.y2_axis().set_min(-100.0).set_max(100.0);
    }
    if spec.series.len() > 1 {
        chart.legend().set_position(ChartLegendPosition::Bottom);
    } else {
        chart.legend().set_hidden();
    }
    chart.set_width(560).set_height(spec.height);
    chart
}
