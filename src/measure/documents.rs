//! What the customer documents show (spec section 11), selected here so
//! that `report::documents` only lays it out: per order confirmation the
//! lines, amounts and totals per currency, with every missing price or
//! amount named by its input cell; per customer statement the open lines,
//! the shipments on their way and those delivered in the period. Nothing
//! internal (flags, owner, department, remarks, last update) is selected.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use polars::prelude::*;

use crate::frame::{days_to_date, floats, ints, strs};
use crate::period::Period;
use crate::reconcile::Reconciled;

/// One line of an order confirmation.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfirmLine {
    pub product: Option<String>,
    pub quantity: Option<f64>,
    pub unit_price: Option<f64>,
    /// The amount cell, else quantity × unit price when both are there.
    pub amount: Option<f64>,
    pub currency: Option<String>,
}

/// A total of one currency: the sum of the known amounts, `incomplete`
/// when a line of that currency has none.
#[derive(Clone, Debug, PartialEq)]
pub struct Total {
    pub currency: Option<String>,
    pub amount: f64,
    pub incomplete: bool,
}

/// A price or amount the confirmation leaves blank: where it is missing.
#[derive(Clone, Debug, PartialEq)]
pub struct Missing {
    pub order_id: String,
    /// `unit_price` or `amount`.
    pub field: &'static str,
    pub file: String,
    pub sheet: String,
    /// The cell, or `None` when the sheet has no such column.
    pub cell: Option<String>,
}

/// An order confirmation's content.
#[derive(Clone, Debug)]
pub struct Confirmation {
    pub order_key: String,
    pub order_id: String,
    pub customer: Option<String>,
    pub contact: Option<String>,
    pub country: Option<String>,
    pub payment_terms: Option<String>,
    pub delivery_date: Option<NaiveDate>,
    pub lines: Vec<ConfirmLine>,
    pub totals: Vec<Total>,
    pub missing: Vec<Missing>,
}

/// What an order's status means to the customer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CustomerStatus {
    AwaitingConfirmation,
    Confirmed,
    InProduction,
    ReadyToShip,
    OnHold,
    /// Everything shipped; the latest shipment on its way (ETA, B/L).
    Shipped(Option<NaiveDate>, Option<String>),
    /// Part shipped, the rest still to ship.
    PartShipped(Option<NaiveDate>, Option<String>),
    Unknown,
}

/// One open line of a statement.
#[derive(Clone, Debug)]
pub struct StatementLine {
    pub order_id: String,
    pub order_date: Option<NaiveDate>,
    pub product: Option<String>,
    pub ordered: Option<f64>,
    /// Shipped and still to ship: per line when the order has one line,
    /// or when nothing of it has shipped (0 and the line's quantity); for
    /// an order of several lines that has shipped in part only on its
    /// total row (shipments name the order, not the line).
    pub shipped: Option<f64>,
    pub to_ship: Option<f64>,
    pub delivery_date: Option<NaiveDate>,
    pub status: Option<CustomerStatus>,
    /// The total row of an order of several lines.
    pub order_total: bool,
}

/// One shipment of a statement.
#[derive(Clone, Debug)]
pub struct StatementShipment {
    pub order_id: Option<String>,
    pub quantity: Option<f64>,
    pub ship_date: Option<NaiveDate>,
    pub carrier: Option<String>,
    pub bl: Option<String>,
    pub eta: Option<NaiveDate>,
    pub delivered: Option<NaiveDate>,
}

/// A customer statement's content.
#[derive(Clone, Debug)]
pub struct Statement {
    pub customer_key: String,
    pub customer: String,
    pub lines: Vec<StatementLine>,
    pub on_the_way: Vec<StatementShipment>,
    pub delivered: Vec<StatementShipment>,
}

fn date(d: Option<i64>) -> Option<NaiveDate> {
    d.map(|d| days_to_date(d as i32))
}

/// The live (not cancelled) lines of `keys`' orders, in register order.
fn live_lines(rec: &Reconciled, keys: &[String]) -> PolarsResult<DataFrame> {
    let wanted = Series::new("wanted".into(), keys);
    rec.lines
        .clone()
        .lazy()
        .filter(
            col("order_key")
                .is_in(lit(wanted).implode(false), false)
                .and(col("status").neq(lit("cancelled")).fill_null(lit(true))),
        )
        .sort(["seq"], SortMultipleOptions::default())
        .collect()
}

/// Order keys of the orders a confirmation is made for by default: those
/// with status pending, in register order.
///
/// # Errors
/// A failure inside polars.
pub fn pending_orders(rec: &Reconciled) -> PolarsResult<Vec<String>> {
    let df = rec
        .orders
        .clone()
        .lazy()
        .filter(col("status").eq(lit("pending")).fill_null(lit(false)))
        .select([col("order_key")])
        .collect()?;
    Ok(strs(&df, "order_key")?.into_iter().flatten().collect())
}

/// Every order key with the order id as written.
///
/// # Errors
/// A failure inside polars.
pub fn order_ids(rec: &Reconciled) -> PolarsResult<BTreeMap<String, String>> {
    let keys = strs(&rec.orders, "order_key")?;
    let ids = strs(&rec.orders, "order_id")?;
    Ok(keys
        .into_iter()
        .zip(ids)
        .filter_map(|(k, i)| Some((k?, i?)))
        .collect())
}

/// The confirmations of the orders `keys`, in that order.
///
/// # Errors
/// A failure inside polars.
pub fn confirmations(rec: &Reconciled, keys: &[String]) -> PolarsResult<Vec<Confirmation>> {
    let lines = live_lines(rec, keys)?;
    let ids = order_ids(rec)?;
    let okey = strs(&lines, "order_key")?;
    let text = |c: &str| strs(&lines, c);
    let (customer, contact, country) = (text("customer")?, text("contact")?, text("country")?);
    let (product, currency, terms) = (text("product")?, text("currency")?, text("payment_terms")?);
    let (qty, price, amount) = (
        floats(&lines, "quantity")?,
        floats(&lines, "unit_price")?,
        floats(&lines, "amount")?,
    );
    let due = ints(&lines, "due_date")?;
    let src = ints(&lines, "src")?;
    let row = ints(&lines, "row")?;
    let mut by_key: BTreeMap<&str, Confirmation> = BTreeMap::new();
    for i in 0..lines.height() {
        let Some(k) = okey[i].as_deref() else {
            continue;
        };
        let c = by_key.entry(k).or_insert_with(|| Confirmation {
            order_key: k.to_string(),
            order_id: ids.get(k).cloned().unwrap_or_else(|| k.to_string()),
            customer: None,
            contact: None,
            country: None,
            payment_terms: None,
            delivery_date: None,
            lines: Vec::new(),
            totals: Vec::new(),
            missing: Vec::new(),
        });
        // The first line that has it, as the order frame takes it.
        c.customer = c.customer.take().or_else(|| customer[i].clone());
        c.contact = c.contact.take().or_else(|| contact[i].clone());
        c.country = c.country.take().or_else(|| country[i].clone());
        c.payment_terms = c.payment_terms.take().or_else(|| terms[i].clone());
        // The earliest delivery date of the lines (the order's due date).
        if let Some(d) = date(due[i]) {
            c.delivery_date = Some(c.delivery_date.map_or(d, |x| x.min(d)));
        }
        let worked = match (qty[i], price[i]) {
            (Some(q), Some(p)) => Some(q * p),
            _ => None,
        };
        let line_amount = amount[i].or(worked);
        let source = src[i].and_then(|s| rec.sources.get(s as usize));
        let r = row[i].unwrap_or(0) as u32;
        let mut missing = |field: &'static str| {
            if let Some(s) = source {
                c.missing.push(Missing {
                    order_id: c.order_id.clone(),
                    field,
                    file: s.file.clone(),
                    sheet: s.sheet.clone(),
                    cell: s.has(field).then(|| s.cell(field, r)),
                });
            }
        };
        if price[i].is_none() {
            missing("unit_price");
        }
        // Without an amount column the missing price already says why the
        // amount is blank: one warning for the line, not two.
        let amount_column = source.is_some_and(|s| s.has("amount"));
        if line_amount.is_none() && (amount_column || price[i].is_some()) {
            missing("amount");
        }
        c.lines.push(ConfirmLine {
            product: product[i].clone(),
            quantity: qty[i],
            unit_price: price[i],
            amount: line_amount,
            currency: currency[i].clone(),
        });
    }
    for c in by_key.values_mut() {
        let mut totals: Vec<Total> = Vec::new();
        for l in &c.lines {
            let t = match totals.iter_mut().position(|t| t.currency == l.currency) {
                Some(i) => &mut totals[i],
                None => {
                    totals.push(Total {
                        currency: l.currency.clone(),
                        amount: 0.0,
                        incomplete: false,
                    });
                    totals.last_mut().expect("just pushed")
                }
            };
            match l.amount {
                Some(a) => t.amount += a,
                None => t.incomplete = true,
            }
        }
        c.totals = totals;
    }
    Ok(keys
        .iter()
        .filter_map(|k| by_key.remove(k.as_str()))
        .collect())
}

/// Customer key → the customer's name as written (the first order's).
///
/// # Errors
/// A failure inside polars.
pub fn customers(rec: &Reconciled) -> PolarsResult<BTreeMap<String, String>> {
    let keys = strs(&rec.orders, "customer_key")?;
    let names = strs(&rec.orders, "customer")?;
    let mut out = BTreeMap::new();
    for (k, n) in keys.into_iter().zip(names) {
        if let (Some(k), Some(n)) = (k, n) {
            out.entry(k).or_insert(n);
        }
    }
    Ok(out)
}

/// Customer keys with open orders, by name.
///
/// # Errors
/// A failure inside polars.
pub fn customers_with_open_orders(rec: &Reconciled) -> PolarsResult<Vec<String>> {
    let df = rec
        .orders
        .clone()
        .lazy()
        .filter(col("open").and(col("customer_key").is_not_null()))
        .select([col("customer_key").unique().sort(Default::default())])
        .collect()?;
    Ok(strs(&df, "customer_key")?.into_iter().flatten().collect())
}

fn customer_status(
    status: Option<&str>,
    shipped: f64,
    to_ship: f64,
    last: Option<(Option<NaiveDate>, Option<String>)>,
) -> Option<CustomerStatus> {
    if shipped > 0.0 {
        let (eta, bl) = last.unwrap_or((None, None));
        return Some(if to_ship > 0.0 {
            CustomerStatus::PartShipped(eta, bl)
        } else {
            CustomerStatus::Shipped(eta, bl)
        });
    }
    Some(match status? {
        "pending" => CustomerStatus::AwaitingConfirmation,
        "confirmed" => CustomerStatus::Confirmed,
        "in_production" => CustomerStatus::InProduction,
        "ready" => CustomerStatus::ReadyToShip,
        "on_hold" => CustomerStatus::OnHold,
        "shipped" => {
            CustomerStatus::Shipped(last.as_ref().and_then(|l| l.0), last.and_then(|l| l.1))
        }
        _ => CustomerStatus::Unknown,
    })
}

/// The statements of the customers `keys` (customer keys), in that order;
/// the period gives "delivered in the period".
///
/// # Errors
/// A failure inside polars.
pub fn statements(
    rec: &Reconciled,
    keys: &[String],
    period: &Period,
) -> PolarsResult<Vec<Statement>> {
    let names = customers(rec)?;
    let wanted = Series::new("wanted".into(), keys);
    let of_customers = || col("customer_key").is_in(lit(wanted.clone()).implode(false), false);
    let orders = rec
        .orders
        .clone()
        .lazy()
        .filter(of_customers())
        .select([
            col("order_key"),
            col("customer_key"),
            col("open"),
            col("status"),
        ])
        .collect()?;
    let open: Vec<String> = {
        let df = orders.clone().lazy().filter(col("open")).collect()?;
        strs(&df, "order_key")?.into_iter().flatten().collect()
    };
    // Shipments of these customers' orders, with the customer.
    let shipments = rec
        .shipments
        .clone()
        .lazy()
        .inner_join(
            orders
                .clone()
                .lazy()
                .select([col("order_key"), col("customer_key")]),
            col("order_key"),
            col("order_key"),
        )
        .sort(
            ["ship_date", "seq"],
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?;
    let s_key = strs(&shipments, "order_key")?;
    let s_cust = strs(&shipments, "customer_key")?;
    let s_id = strs(&shipments, "order_id")?;
    let s_qty = floats(&shipments, "quantity")?;
    let s_ship = ints(&shipments, "ship_date")?;
    let s_carrier = strs(&shipments, "carrier")?;
    let s_bl = strs(&shipments, "tracking_no")?;
    let s_eta = ints(&shipments, "eta")?;
    let s_deliv = ints(&shipments, "delivered_date")?;
    let s_shipped: Vec<bool> = crate::frame::bools(&shipments, "shipped")?
        .into_iter()
        .map(|b| b.unwrap_or(false))
        .collect();
    let as_of = rec.as_of;
    // Per order: shipped quantity by as_of, and the latest shipment on
    // its way (ETA, B/L).
    let mut shipped_qty: BTreeMap<&str, f64> = BTreeMap::new();
    let mut last_way: BTreeMap<&str, (Option<NaiveDate>, Option<String>)> = BTreeMap::new();
    let mut per_customer: BTreeMap<&str, (Vec<StatementShipment>, Vec<StatementShipment>)> =
        BTreeMap::new();
    for i in 0..shipments.height() {
        if !s_shipped[i] {
            continue;
        }
        let delivered = date(s_deliv[i]).filter(|d| *d <= as_of);
        let row = StatementShipment {
            order_id: s_id[i].clone(),
            quantity: s_qty[i],
            ship_date: date(s_ship[i]),
            carrier: s_carrier[i].clone(),
            bl: s_bl[i].clone(),
            eta: date(s_eta[i]),
            delivered,
        };
        if let Some(k) = s_key[i].as_deref() {
            *shipped_qty.entry(k).or_default() += s_qty[i].unwrap_or(0.0);
            if delivered.is_none() {
                last_way.insert(k, (row.eta, row.bl.clone()));
            }
        }
        let Some(c) = s_cust[i].as_deref() else {
            continue;
        };
        let entry = per_customer.entry(c).or_default();
        match delivered {
            None => entry.0.push(row),
            Some(d) if d >= period.start && d <= period.end => entry.1.push(row),
            Some(_) => {}
        }
    }
    let lines = live_lines(rec, &open)?;
    let l_key = strs(&lines, "order_key")?;
    let l_cust = strs(&lines, "customer_key")?;
    let l_id = strs(&lines, "order_id")?;
    let l_prod = strs(&lines, "product")?;
    let l_qty = floats(&lines, "quantity")?;
    let l_odate = ints(&lines, "order_date")?;
    let l_due = ints(&lines, "due_date")?;
    let o_key = strs(&orders, "order_key")?;
    let o_status = strs(&orders, "status")?;
    let status_of: BTreeMap<&str, Option<&str>> = o_key
        .iter()
        .zip(&o_status)
        .filter_map(|(k, s)| Some((k.as_deref()?, s.as_deref())))
        .collect();
    // Lines grouped by order, orders in register order.
    let mut order_lines: Vec<(&str, Vec<usize>)> = Vec::new();
    let mut slot: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, k) in l_key.iter().enumerate() {
        let Some(k) = k.as_deref() else {
            continue;
        };
        let at = *slot.entry(k).or_insert_with(|| {
            order_lines.push((k, Vec::new()));
            order_lines.len() - 1
        });
        order_lines[at].1.push(i);
    }
    let mut out_lines: BTreeMap<&str, Vec<StatementLine>> = BTreeMap::new();
    for (k, idx) in &order_lines {
        let Some(c) = l_cust[idx[0]].as_deref() else {
            continue;
        };
        let ordered: Option<f64> = idx.iter().map(|&i| l_qty[i]).sum();
        let shipped = shipped_qty.get(k).copied().unwrap_or(0.0);
        let to_ship = ordered.map(|o| (o - shipped).max(0.0));
        let status = customer_status(
            status_of.get(k).copied().flatten(),
            shipped,
            to_ship.unwrap_or(0.0),
            last_way.get(k).cloned(),
        );
        let delivery = idx.iter().filter_map(|&i| date(l_due[i])).min();
        let order_date = idx.iter().filter_map(|&i| date(l_odate[i])).min();
        let id = l_id[idx[0]].clone().unwrap_or_else(|| k.to_string());
        let v = out_lines.entry(c).or_default();
        let single = idx.len() == 1;
        // Shipments name the order, not the line: a line's shipped
        // quantity is known when the order has one line, or when nothing
        // of the order has shipped (0, and all of the line still to ship).
        let none_shipped = shipped <= 0.0;
        for &i in idx {
            let (line_shipped, line_to_ship) = if single {
                (Some(shipped), to_ship)
            } else if none_shipped {
                (Some(0.0), l_qty[i])
            } else {
                (None, None)
            };
            v.push(StatementLine {
                order_id: id.clone(),
                order_date: date(l_odate[i]).or(order_date),
                product: l_prod[i].clone(),
                ordered: l_qty[i],
                shipped: line_shipped,
                to_ship: line_to_ship,
                delivery_date: date(l_due[i]).or(delivery),
                status: if single { status.clone() } else { None },
                order_total: false,
            });
        }
        if !single {
            v.push(StatementLine {
                order_id: id,
                order_date,
                product: None,
                ordered,
                shipped: Some(shipped),
                to_ship,
                delivery_date: delivery,
                status,
                order_total: true,
            });
        }
    }
    Ok(keys
        .iter()
        .map(|k| {
            let (on_the_way, delivered) = per_customer.remove(k.as_str()).unwrap_or_default();
            Statement {
                customer_key: k.clone(),
                customer: names.get(k).cloned().unwrap_or_else(|| k.clone()),
                lines: out_lines.remove(k.as_str()).unwrap_or_default(),
                on_the_way,
                delivered,
            }
        })
        .collect())
}
