//! The charts of the overview sheets, built one way for both workbooks:
//! charts of series over rows of a table the sheet already holds, in the
//! sheet's two chart places — the trend above, bars of one column below.

use rust_xlsxwriter::{Chart, ChartLegendPosition, ChartType, Worksheet, XlsxError};

/// One series: its name, its values column, and whether it is drawn on
/// the secondary axis (an NPS, −100 to 100).
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

/// Where an overview sheet's chart data is: `sheet`, whose column `col`
/// holds the categories (periods, buckets) of every chart.
pub struct ChartData<'a> {
    pub sheet: &'a str,
    pub col: u16,
}

impl ChartData<'_> {
    /// The trend: a line per series over the `periods` rows of the trend
    /// table (its header on row 4), shares on the primary axis; in G4,
    /// 300 points high.
    ///
    /// # Errors
    /// A rust_xlsxwriter failure.
    pub fn trend(
        &self,
        ws: &mut Worksheet,
        title: &str,
        periods: u32,
        series: &[Series],
    ) -> Result<(), XlsxError> {
        let mut chart = self.chart(ChartType::Line, title, (4, 3 + periods), series);
        chart
            .y_axis()
            .set_num_format("0%")
            .set_min(0.0)
            .set_max(1.0);
        if series.iter().any(|s| s.secondary) {
            chart.y2_axis().set_min(-100.0).set_max(100.0);
        }
        chart.set_height(300);
        ws.insert_chart(3, 6, &chart)?;
        Ok(())
    }

    /// Bars (or columns) of one series over the rows `rows` (first, last;
    /// zero-based); in G21, 280 points high.
    ///
    /// # Errors
    /// A rust_xlsxwriter failure.
    pub fn bars(
        &self,
        ws: &mut Worksheet,
        kind: ChartType,
        title: &str,
        rows: (u32, u32),
        series: Series,
    ) -> Result<(), XlsxError> {
        let mut chart = self.chart(kind, title, rows, &[series]);
        chart.set_height(280);
        ws.insert_chart(20, 6, &chart)?;
        Ok(())
    }

    /// A chart of `series` over `rows`, 560 points wide; a legend below it
    /// when it has more than one series.
    fn chart(&self, kind: ChartType, title: &str, rows: (u32, u32), series: &[Series]) -> Chart {
        let mut chart = Chart::new(kind);
        chart.title().set_name(title);
        let ((first, last), (sheet, cat)) = (rows, (self.sheet, self.col));
        for s in series {
            let added = chart
                .add_series()
                .set_name(s.name)
                .set_categories((sheet, first, cat, last, cat))
                .set_values((sheet, first, s.col, last, s.col));
            if s.secondary {
                added.set_secondary_axis(true);
            }
        }
        if series.len() > 1 {
            chart.legend().set_position(ChartLegendPosition::Bottom);
        } else {
            chart.legend().set_hidden();
        }
        chart.set_width(560);
        chart
    }
}
