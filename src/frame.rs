//! Small helpers every stage shares for polars frames and dates: reading a
//! column into plain vectors, day arithmetic on `Date` columns, and the
//! conversion between dates and polars' days since 1970. They belong to no
//! stage, so that none has to import another's internals for them.

use chrono::{Datelike, NaiveDate};
use polars::prelude::*;

/// Days since 1970-01-01, the way polars stores a `Date`.
pub fn date_to_days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - 719_163
}

/// The inverse of [`date_to_days`].
pub fn days_to_date(days: i32) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(days + 719_163).unwrap_or_default()
}

/// A date as a polars literal.
pub fn lit_date(d: NaiveDate) -> Expr {
    lit(date_to_days(d)).cast(DataType::Date)
}

/// A date column as whole days since 1970 (for day arithmetic).
pub fn days(name: &str) -> Expr {
    col(name).cast(DataType::Int32)
}

/// A column as text.
pub fn strs(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<String>>> {
    let c = df.column(name)?.cast(&DataType::String)?;
    Ok(c.str()?.iter().map(|o| o.map(str::to_string)).collect())
}

/// A column as i64 (dates as days since 1970).
pub fn ints(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<i64>>> {
    let c = df.column(name)?;
    let c = if matches!(c.dtype(), DataType::Date) {
        c.cast(&DataType::Int32)?.cast(&DataType::Int64)?
    } else {
        c.cast(&DataType::Int64)?
    };
    Ok(c.i64()?.iter().collect())
}

/// A column as f64.
pub fn floats(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

/// A column as booleans.
pub fn bools(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<bool>>> {
    let c = df.column(name)?.cast(&DataType::Boolean)?;
    Ok(c.bool()?.iter().collect())
}
