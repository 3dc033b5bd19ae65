//! `gendan demo-data`: realistic synthetic registers, deterministic for a
//! seed. They look the way a real team's sheets look — a title row above
//! the header, order numbers merged over an order's lines, some dates typed
//! as text, a totals row — and carry a few percent of problems of every rule
//! kind, so that `check` and the reports have something to show. The
//! orders carry a factory and their milestones' plan and actual dates
//! ([`milestones`]), documentary collections (D/P, D/A) among their
//! payment terms and, on some orders, a quantity tolerance (溢短装) with
//! shipments just inside and just outside it ([`Extras`]).
//!
//! A table longer than 1,000,000 rows is split evenly over `NAME.xlsx`,
//! `NAME-2.xlsx`, … (spec section 9). Large sheets are written with
//! rust_xlsxwriter's constant-memory mode, which writes rows in order and
//! so leaves out the merged cells.

use std::path::{Path, PathBuf};

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate};
use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Workbook, Worksheet,
};

use crate::i18n::Lang;

mod lc;
mod milestones;

/// splitmix64: small, fast, and the same on every machine, so a seed
/// always gives the same workbooks.
struct Rng(u64);

impl Rng {
    /// The next number of the sequence.
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n`.
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }
    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    /// One of `xs`, uniformly.
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// A cell to write.
#[derive(Clone, Debug)]
enum C {
    Empty,
    Text(String),
    Num(f64),
    Date(NaiveDate),
    /// A formula whose cached result is an error value.
    Error,
    /// A text cell of a fixed word (no allocation per row).
    Str(&'static str),
}

/// A text cell.
fn t(s: impl Into<String>) -> C {
    C::Text(s.into())
}

/// A date cell, or an empty one.
fn od(d: Option<NaiveDate>) -> C {
    d.map(C::Date).unwrap_or(C::Empty)
}

const CUSTOMERS: &[(&str, &str, &str)] = &[
    ("Acme Trading GmbH", "Germany", "EUR"),
    ("Nordic Home AB", "Sweden", "EUR"),
    ("Pacific Supply Co.", "USA", "USD"),
    ("Maple Leaf Imports", "Canada", "USD"),
    ("Sunrise Retail Ltd", "UK", "USD"),
    ("Casa Bella S.r.l.", "Italy", "EUR"),
    ("Andes Distribuciones", "Chile", "USD"),
    ("Gulf Star LLC", "UAE", "USD"),
    ("Outback Goods Pty", "Australia", "USD"),
    ("Tokyo Living KK", "Japan", "USD"),
    ("Baltic Wholesale", "Poland", "EUR"),
    ("Lagos Mart Ltd", "Nigeria", "USD"),
    ("Rio Casa Ltda", "Brazil", "USD"),
    ("Alpine Sport AG", "Switzerland", "EUR"),
    ("深圳万家贸易有限公司", "China", "CNY"),
    ("Harbor Lights Inc", "USA", "USD"),
];

const PRODUCTS: &[(&str, f64)] = &[
    ("LED desk lamp DL-200", 6.8),
    ("Ceramic mug 350ml", 1.2),
    ("Bamboo cutting board 40cm", 3.5),
    ("Stainless steel bottle 750ml", 4.1),
    ("Cotton tote bag", 0.9),
    ("Wireless charger WC-10", 7.6),
    ("Glass storage jar 1L", 2.3),
    ("Yoga mat 6mm", 5.4),
    ("Folding chair FC-3", 11.0),
    ("Silicone baking mat", 1.7),
    ("USB-C cable 1m", 0.8),
    ("Wall clock 30cm", 4.9),
];

const OWNERS_ZH: &[&str] = &["张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊"];
const OWNERS_EN: &[&str] = &[
    "Zhang Wei",
    "Li Na",
    "Wang Fang",
    "Liu Yang",
    "Chen Jing",
    "Yang Lei",
];
const CARRIERS: &[&str] = &["COSCO", "Maersk", "MSC", "DHL", "FedEx", "Evergreen", "ONE"];
/// Payment terms as registers write them (English, Chinese), in the same
/// order; the last one is a documentary collection, written in one of the
/// forms of [`COLLECTIONS`].
const PAYMENT: &[(&str, &str)] = &[
    ("30% deposit, 70% before shipment", "30%定金,70%出货前付清"),
    (
        "30% deposit, balance against B/L copy",
        "30%定金 70%见提单复印件",
    ),
    ("100% T/T in advance", "全款预付"),
    ("T/T 30 days after B/L", "提单日后30天"),
    ("L/C at sight", "即期信用证"),
    ("D/P at sight", "付款交单"),
];
/// The index of the collection in [`PAYMENT`].
const COLLECTION: usize = 5;
/// Documentary collections as registers write them (English, Chinese),
/// and whether a deposit comes first.
const COLLECTIONS: &[(&str, &str, bool)] = &[
    ("D/P at sight", "付款交单", false),
    ("D/P", "即期付款交单", false),
    ("D/P 30 days", "远期付款交单30天", false),
    ("D/A 60 days", "承兑交单60天", false),
    ("D/A 60 days after B/L", "承兑交单 60天", false),
    (
        "30% T/T deposit, 70% D/P at sight",
        "30%定金,70%付款交单",
        true,
    ),
];
/// Quantity tolerance cells as registers write them (English, Chinese),
/// with the share they say. A number cell is written as a number.
const TOLERANCES: &[(&str, &str, f64)] = &[
    ("±5%", "±5%", 0.05),
    ("+/-5%", "溢短装5%", 0.05),
    ("more or less 5%", "5%", 0.05),
    ("3%", "±3%", 0.03),
    ("0.05", "0.05", 0.05),
    ("5", "5", 0.05),
];
/// The tolerance cell that is not a tolerance (V02), written on the
/// `BAD_TOLERANCE`-th order with a tolerance.
const BAD_TOLERANCE: (usize, &str, &str) = (7, "about 5%", "约5%");

/// A payment's received cell in the demo registers.
#[derive(Clone, Copy)]
enum Rx {
    Empty,
    Date(NaiveDate),
    Yes,
    No,
    Amount(f64),
}

struct Line {
    order_id: String,
    customer: String,
    contact: String,
    country: String,
    product: String,
    qty: f64,
    price: f64,
    currency: String,
    amount: f64,
    /// The payment terms (English, Chinese).
    terms: (&'static str, &'static str),
    deposit_rx: Rx,
    balance_rx: Rx,
    order_date: NaiveDate,
    confirmed: Option<NaiveDate>,
    due: NaiveDate,
    status: &'static str,
    owner: String,
    department: &'static str,
    updated: NaiveDate,
    remarks: String,
    /// The order's factory and milestone cells.
    ms: milestones::OrderMs,
    /// The order's tolerance cell (on its first line only).
    tolerance: C,
}

struct Ship {
    id: String,
    order_id: String,
    qty: f64,
    ship_date: Option<NaiveDate>,
    mode: &'static str,
    carrier: String,
    tracking: Option<String>,
    eta: Option<NaiveDate>,
    delivered: Option<NaiveDate>,
    status: &'static str,
    updated: NaiveDate,
}

struct Fb {
    id: String,
    order_id: Option<String>,
    customer: String,
    date: NaiveDate,
    score: Option<i64>,
    nps: Option<i64>,
    category: &'static str,
    comment: String,
    department: &'static str,
    action: Option<String>,
    status: &'static str,
    closed: Option<NaiveDate>,
}

/// Words of one language for the demo sheets.
struct Words {
    orders_sheet: &'static str,
    shipments_sheet: &'static str,
    feedback_sheet: &'static str,
    orders_title: &'static str,
    shipments_title: &'static str,
    feedback_title: &'static str,
    total: &'static str,
    orders_header: [&'static str; 20],
    /// After the register's own columns.
    milestones_header: [&'static str; milestones::WIDTH],
    /// After the milestone columns.
    tolerance_header: &'static str,
    /// After the tolerance column.
    lc_header: [&'static str; lc::WIDTH],
    shipments_header: [&'static str; 12],
    feedback_header: [&'static str; 13],
}

const ZH: Words = Words {
    orders_sheet: "订单",
    shipments_sheet: "发货跟踪",
    feedback_sheet: "客户反馈",
    orders_title: "外贸订单登记表",
    shipments_title: "出运跟踪表",
    feedback_title: "客户反馈登记表",
    total: "合计",
    orders_header: [
        "订单号",
        "客户",
        "联系人",
        "目的国",
        "产品规格",
        "数量",
        "单价",
        "币种",
        "金额",
        "付款方式",
        "下单日期",
        "确认日期",
        "交期",
        "状态",
        "跟单员",
        "当前环节",
        "最后更新",
        "备注",
        "定金到账",
        "尾款到账",
    ],
    milestones_header: milestones::HEADER_ZH,
    tolerance_header: "溢短装",
    lc_header: lc::HEADER_ZH,
    shipments_header: [
        "出运单号",
        "订单号",
        "发货数量",
        "出运日期",
        "运输方式",
        "货代",
        "提单号",
        "预计到港",
        "签收日期",
        "状态",
        "更新日期",
        "跟单员",
    ],
    feedback_header: [
        "反馈编号",
        "订单号",
        "客户",
        "反馈日期",
        "满意度",
        "推荐度",
        "问题类型",
        "反馈内容",
        "责任部门",
        "改进措施",
        "状态",
        "关闭日期",
        "跟单员",
    ],
};

const EN: Words = Words {
    orders_sheet: "Orders",
    shipments_sheet: "Shipments",
    feedback_sheet: "Feedback",
    orders_title: "Export order register",
    shipments_title: "Shipment tracking",
    feedback_title: "Customer feedback log",
    total: "Total",
    orders_header: [
        "Order No",
        "Customer",
        "Contact",
        "Destination",
        "Product",
        "Qty",
        "Unit Price",
        "Currency",
        "Amount",
        "Payment Terms",
        "Order Date",
        "Confirmed Date",
        "Due Date",
        "Status",
        "Merchandiser",
        "Stage",
        "Last Updated",
        "Remarks",
        "Deposit Received",
        "Balance Received",
    ],
    milestones_header: milestones::HEADER_EN,
    tolerance_header: "Tolerance",
    lc_header: lc::HEADER_EN,
    shipments_header: [
        "Shipment No",
        "PO No",
        "Qty Shipped",
        "Ship Date",
        "Mode",
        "Forwarder",
        "B/L No",
        "ETA",
        "Delivered Date",
        "Status",
        "Updated",
        "Merchandiser",
    ],
    feedback_header: [
        "Feedback No",
        "PO No",
        "Customer",
        "Feedback Date",
        "Satisfaction",
        "Recommend",
        "Category",
        "Comment",
        "Department",
        "Action",
        "Status",
        "Closed Date",
        "Merchandiser",
    ],
};

/// A status word as the registers of `lang` write it.
fn status_text(lang: Lang, canonical: &str) -> String {
    crate::i18n::status_word(lang, canonical).to_string()
}

/// The workbooks `demo-data` writes (and would overwrite).
pub const FILE_NAMES: [&str; 3] = ["orders.xlsx", "shipments.xlsx", "feedback.xlsx"];

/// Writes orders.xlsx, shipments.xlsx and feedback.xlsx into `dir`.
///
/// # Errors
/// The folder cannot be made or a workbook cannot be written.
pub fn write(
    dir: &Path,
    n: usize,
    seed: u64,
    lang: Lang,
    as_of: NaiveDate,
) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut rng = Rng(seed ^ 0x6765_6e64_616e);
    let mut ms = milestones::Gen::new(seed);
    let (lines, ships, fbs) = generate(&mut rng, &mut ms, seed, n, lang, as_of);
    let w = if lang == Lang::Zh { &ZH } else { &EN };
    let big = n > 50_000;
    let created = ExcelDateTime::from_ymd(
        as_of.year().clamp(1900, 9999) as u16,
        as_of.month() as u8,
        as_of.day() as u8,
    )?;
    let mut written = Vec::new();

    let lcs = lc::plan(seed, &lines, &ships, as_of);
    let order_rows: Vec<Vec<C>> = order_cells(&mut rng, &lines, &lcs, lang, as_of);
    let orders_header: Vec<&str> = w
        .orders_header
        .iter()
        .chain(&w.milestones_header)
        .chain(std::iter::once(&w.tolerance_header))
        .chain(&w.lc_header)
        .copied()
        .collect();
    written.extend(write_table(
        &created,
        dir,
        "orders",
        w.orders_sheet,
        w.orders_title,
        &orders_header,
        &order_rows,
        big,
        &merge_runs(&lines),
        Some((w.total, 5)),
    )?);
    let ship_rows = ship_cells(&mut rng, &ships, lang);
    written.extend(write_table(
        &created,
        dir,
        "shipments",
        w.shipments_sheet,
        w.shipments_title,
        &w.shipments_header,
        &ship_rows,
        big,
        &[],
        None,
    )?);
    let fb_rows = fb_cells(&mut rng, &fbs, lang);
    written.extend(write_table(
        &created,
        dir,
        "feedback",
        w.feedback_sheet,
        w.feedback_title,
        &w.feedback_header,
        &fb_rows,
        big,
        &[],
        None,
    )?);
    Ok(written)
}

/// Runs of consecutive lines of one order (first index, last index), for
/// merging the order number cells.
fn merge_runs(lines: &[Line]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut j = i;
        while j + 1 < lines.len() && lines[j + 1].order_id == lines[i].order_id {
            j += 1;
        }
        if j > i {
            runs.push((i, j));
        }
        i = j + 1;
    }
    runs
}

/// What every part of the generation needs: the language, the day the
/// registers are as of, and whether they are a large company's.
struct Scene {
    lang: Lang,
    as_of: NaiveDate,
    /// A large company's register holds a year of orders, shipped in more
    /// parts: about 1.2 shipments and 0.3 feedback rows per order line.
    large: bool,
}

/// One order: what its lines share.
struct Order {
    order_id: String,
    customer: &'static str,
    country: &'static str,
    currency: &'static str,
    owner: String,
    order_date: NaiveDate,
    due: NaiveDate,
    /// How many lines it has.
    n_lines: usize,
    /// Index into `PAYMENT`.
    payment: usize,
    /// The payment terms (English, Chinese): `PAYMENT[payment]`, a
    /// collection's form from [`Extras`].
    terms: (&'static str, &'static str),
    /// The tolerance cell, and the share of the ordered quantity its last
    /// shipment adds (negative: takes away), from [`Extras`].
    tolerance: C,
    qty_adjust: f64,
    cancelled: bool,
    confirmed: Option<NaiveDate>,
    status: &'static str,
    deposit_rx: Rx,
    balance_rx: Rx,
    department: &'static str,
    updated: NaiveDate,
}

/// `n` order lines, with the shipments and feedback that follow from them.
fn generate(
    rng: &mut Rng,
    ms: &mut milestones::Gen,
    seed: u64,
    n: usize,
    lang: Lang,
    as_of: NaiveDate,
) -> (Vec<Line>, Vec<Ship>, Vec<Fb>) {
    let owners = if lang == Lang::Zh {
        OWNERS_ZH
    } else {
        OWNERS_EN
    };
    let mut lines = Vec::with_capacity(n);
    let mut ships = Vec::new();
    let mut fbs = Vec::new();
    let mut order_no = 0u64;
    let year = as_of.year() % 100;
    let scene = Scene {
        lang,
        as_of,
        large: n > 50_000,
    };
    let history = if scene.large { 365 } else { 150 };
    let mut extras = Extras::new(seed);
    while lines.len() < n {
        order_no += 1;
        let order_id = format!("PO-{year:02}{order_no:05}");
        let mut order = new_order(rng, &scene, order_id, owners, history, n - lines.len());
        extras.order(&scene, &mut order);
        let order_ms = ms.order(&scene, &order);
        let total_qty = push_lines(rng, &order, order_ms, &mut lines);
        push_shipments(rng, &scene, &order, total_qty, &mut ships, &mut fbs);
    }
    (lines, ships, fbs)
}

/// A new order placed in the last `history` days, with at most
/// `lines_left` lines: its customer, dates, status, payments and stage.
fn new_order(
    rng: &mut Rng,
    scene: &Scene,
    order_id: String,
    owners: &[&str],
    history: i64,
    lines_left: usize,
) -> Order {
    let as_of = scene.as_of;
    let (customer, country, currency) = rng.pick(CUSTOMERS);
    let owner = rng.pick(owners).to_string();
    let order_date = as_of - Duration::days(rng.range(0, history));
    let lead = rng.range(20, 55);
    let due = order_date + Duration::days(lead);
    let age = (as_of - order_date).num_days();
    let n_lines = (1 + rng.below(3) as usize).min(lines_left);
    let payment = rng.below(PAYMENT.len() as u64) as usize;
    // Where the order is, by age against lead time, with some slippage.
    let slip = rng.range(-6, 12);
    let progress = age as f64 / (lead + slip).max(1) as f64;
    let cancelled = rng.chance(0.02);
    let on_hold = !cancelled && rng.chance(0.01);
    // Now and then an order waits for its confirmation far too long (S03).
    let forgotten = age > 5 && progress < 0.6 && rng.chance(0.06);
    let confirmed = if age > 1 && !forgotten && !(progress < 0.1 && rng.chance(0.5)) {
        Some(order_date + Duration::days(rng.range(0, 4).min(age)))
    } else {
        None
    };
    let status = order_status(cancelled, on_hold, confirmed, progress);
    // Payments: deposits mostly in a few days after confirmation, some
    // late (P02, or P01 once shipped), some in part; balances mostly in
    // around shipment, some overdue (P03) or missing before shipment (P01).
    let has_deposit = payment <= 2;
    let deposit_rx = match confirmed {
        Some(c) if has_deposit => deposit_received(rng, c, as_of),
        _ => Rx::Empty,
    };
    let balance_rx = balance_received(rng, status, payment, due, as_of);
    let department = department(rng, status);
    let stale = rng.chance(0.1);
    let updated = (as_of
        - Duration::days(if stale {
            rng.range(8, 40)
        } else {
            rng.range(0, 6)
        }))
    .max(order_date);
    Order {
        order_id,
        customer,
        country,
        currency,
        owner,
        order_date,
        due,
        n_lines,
        payment,
        terms: PAYMENT[payment],
        tolerance: C::Empty,
        qty_adjust: 0.0,
        cancelled,
        confirmed,
        status,
        deposit_rx,
        balance_rx,
        department,
        updated,
    }
}

/// The orders' collection terms and tolerance cells, from a random stream
/// of their own, so that the register's other columns — and the problems
/// of every other rule — stay as they were before these were added
/// (spec section 10.1).
struct Extras {
    rng: Rng,
    /// Orders given a tolerance cell so far.
    tolerances: usize,
}

impl Extras {
    fn new(seed: u64) -> Extras {
        Extras {
            rng: Rng(seed ^ 0x7465_726d_732b_746f),
            tolerances: 0,
        }
    }

    /// A collection's form (a deposit first now and then, received a few
    /// days after confirmation), and for about a quarter of the orders a
    /// tolerance cell; an order that has shipped is then now and then
    /// shipped just inside or just outside it, over or short.
    fn order(&mut self, scene: &Scene, order: &mut Order) {
        let x = &mut self.rng;
        if order.payment == COLLECTION {
            let (en, zh, deposit) = x.pick(COLLECTIONS);
            order.terms = (en, zh);
            if let (true, Some(c)) = (deposit, order.confirmed) {
                let paid = c + Duration::days(x.range(1, 5));
                order.deposit_rx = if paid <= scene.as_of {
                    Rx::Date(paid)
                } else {
                    Rx::Empty
                };
            }
        }
        if order.cancelled || !x.chance(0.25) {
            return;
        }
        self.tolerances += 1;
        let zh = scene.lang == Lang::Zh;
        if self.tolerances == BAD_TOLERANCE.0 {
            order.tolerance = t(if zh { BAD_TOLERANCE.2 } else { BAD_TOLERANCE.1 });
            return;
        }
        let (en, zh_text, share) = x.pick(TOLERANCES);
        let text = if zh { zh_text } else { en };
        order.tolerance = match text.parse::<f64>() {
            Ok(v) => C::Num(v),
            Err(_) => t(text),
        };
        let left = matches!(order.status, "shipped" | "delivered" | "closed");
        if left && x.chance(0.4) {
            let inside = share - 0.02;
            let outside = share + 0.03;
            order.qty_adjust = x.pick(&[inside, -inside, outside, -outside]);
        }
    }
}

/// An order's status from how far along it is (its age over its lead
/// time, with slippage).
fn order_status(
    cancelled: bool,
    on_hold: bool,
    confirmed: Option<NaiveDate>,
    progress: f64,
) -> &'static str {
    if cancelled {
        "cancelled"
    } else if on_hold {
        "on_hold"
    } else if confirmed.is_none() {
        "pending"
    } else if progress < 0.25 {
        "confirmed"
    } else if progress < 0.8 {
        "in_production"
    } else if progress < 0.92 {
        "ready"
    } else if progress < 1.5 {
        "shipped"
    } else if progress < 2.2 {
        "delivered"
    } else {
        "closed"
    }
}

/// The deposit's received cell of an order confirmed on `confirmed`:
/// mostly a date a few days later, sometimes no, a part, or only yes.
fn deposit_received(rng: &mut Rng, confirmed: NaiveDate, as_of: NaiveDate) -> Rx {
    let paid = confirmed + Duration::days(rng.range(1, 5));
    if rng.chance(0.04) {
        Rx::No
    } else if rng.chance(0.015) {
        Rx::Amount(100.0)
    } else if paid > as_of {
        Rx::Empty
    } else if rng.chance(0.15) {
        Rx::Yes
    } else {
        Rx::Date(paid)
    }
}

/// The balance's received cell: empty until the goods have left (and for
/// payment in advance), then mostly a date around shipment.
fn balance_received(
    rng: &mut Rng,
    status: &str,
    payment: usize,
    due: NaiveDate,
    as_of: NaiveDate,
) -> Rx {
    let left = matches!(status, "shipped" | "delivered" | "closed");
    if !left || payment == 2 {
        Rx::Empty
    } else if rng.chance(if (as_of - due).num_days() > 60 {
        0.01
    } else {
        0.1
    }) {
        // Most old balances came in long ago; recent ones are chased.
        Rx::No
    } else {
        let paid = if payment == 0 {
            due - Duration::days(rng.range(1, 5))
        } else {
            due + Duration::days(rng.range(5, 45))
        };
        if paid > as_of {
            Rx::Empty
        } else {
            Rx::Date(paid)
        }
    }
}

/// The department an order in `status` is with.
fn department(rng: &mut Rng, status: &str) -> &'static str {
    match status {
        "pending" | "confirmed" => "sales",
        "in_production" => rng.pick(&["production", "purchasing", "quality"]),
        "ready" => "logistics",
        "shipped" => "logistics",
        "delivered" | "closed" => "documents",
        _ => "sales",
    }
}

/// Adds the order's lines to `lines`; returns their total quantity.
fn push_lines(rng: &mut Rng, order: &Order, ms: milestones::OrderMs, lines: &mut Vec<Line>) -> f64 {
    let mut total_qty = 0.0;
    for line_no in 0..order.n_lines {
        let (product, base) = rng.pick(PRODUCTS);
        let qty = (rng.range(5, 120) * 50) as f64;
        let price = ((base * (0.9 + rng.below(30) as f64 / 100.0)) * 100.0).round() / 100.0;
        let price = if order.currency == "CNY" {
            (price * 7.2 * 100.0).round() / 100.0
        } else {
            price
        };
        total_qty += qty;
        lines.push(Line {
            order_id: order.order_id.clone(),
            customer: order.customer.to_string(),
            contact: format!(
                "buyer{}@{}",
                rng.below(9) + 1,
                order
                    .customer
                    .split_whitespace()
                    .next()
                    .unwrap_or("x")
                    .to_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "")
            ),
            country: order.country.to_string(),
            product: product.to_string(),
            qty,
            price,
            currency: order.currency.to_string(),
            amount: (qty * price * 100.0).round() / 100.0,
            terms: order.terms,
            deposit_rx: order.deposit_rx,
            balance_rx: order.balance_rx,
            order_date: order.order_date,
            confirmed: order.confirmed,
            due: order.due,
            status: order.status,
            owner: order.owner.clone(),
            department: order.department,
            updated: order.updated,
            remarks: String::new(),
            ms,
            // Written once, on the order's first line (order-level).
            tolerance: if line_no == 0 {
                order.tolerance.clone()
            } else {
                C::Empty
            },
        });
    }
    total_qty
}

/// Adds the order's shipments to `ships` (for orders that have left, and
/// a booked one for some ready orders), in one or more parts, and the
/// feedback after the last part's delivery to `fbs`.
fn push_shipments(
    rng: &mut Rng,
    scene: &Scene,
    order: &Order,
    total_qty: f64,
    ships: &mut Vec<Ship>,
    fbs: &mut Vec<Fb>,
) {
    let status = order.status;
    let shipped_status = matches!(status, "shipped" | "delivered" | "closed");
    // C04: now and then an order marked shipped has no shipment row;
    // C09: a cancelled order that left anyway.
    let forgot = status == "shipped" && rng.chance(0.05);
    let short = status == "closed" && rng.chance(0.05);
    if !((shipped_status && !forgot)
        || (status == "ready" && rng.chance(0.4))
        || (order.cancelled && rng.chance(0.25)))
    {
        return;
    }
    let parts = if scene.large {
        1 + rng.below(4) as usize
    } else if total_qty >= 2000.0 && rng.chance(0.3) {
        2
    } else {
        1
    };
    let mut left = total_qty;
    for p in 0..parts {
        let qty = if p + 1 == parts {
            left
        } else {
            (left / 2.0).round()
        };
        left -= qty;
        // C08: closed, but the last shipment came short.
        let qty = if short && p + 1 == parts {
            (qty * 0.9).round()
        } else {
            qty
        };
        // Just inside or just outside the order's tolerance.
        let qty = if p + 1 == parts {
            (qty + (total_qty * order.qty_adjust).round()).max(1.0)
        } else {
            qty
        };
        let ship = shipment(rng, scene, order, p, qty);
        let delivered = ship.delivered;
        ships.push(ship);
        // Feedback after delivery for about half the orders.
        if let Some(d) = delivered {
            if p + 1 == parts && rng.chance(if scene.large { 0.75 } else { 0.55 }) {
                if let Some(fb) = feedback(rng, scene, order, d, fbs.len() + 1) {
                    fbs.push(fb);
                }
            }
        }
    }
}

/// Part `p` (from 0) of the order's shipment, of `qty`: dates around the
/// due date, mode and transit, delivery and tracking number.
fn shipment(rng: &mut Rng, scene: &Scene, order: &Order, p: usize, qty: f64) -> Ship {
    let (as_of, status) = (scene.as_of, order.status);
    // Most goods leave a few days before the due date; some slip.
    let slip = if rng.chance(0.18) {
        rng.range(1, 12)
    } else {
        rng.range(-6, 0)
    };
    let planned = order.due + Duration::days(slip + p as i64 * 4);
    let ship_date = if status == "ready" {
        (as_of + Duration::days(rng.range(1, 10))).min(planned.max(as_of + Duration::days(1)))
    } else {
        planned.min(as_of)
    };
    let mode: &'static str = rng.pick(&["sea", "sea", "sea", "air", "express", "rail"]);
    let transit = match mode {
        "sea" => rng.range(18, 35),
        "rail" => rng.range(14, 22),
        "air" => rng.range(3, 7),
        _ => rng.range(2, 5),
    };
    let eta = ship_date + Duration::days(transit);
    let late_arrival = rng.range(-3, 6);
    let arrive = eta + Duration::days(late_arrival);
    let delivered =
        if status != "ready" && arrive <= as_of && (status != "shipped" || rng.chance(0.3)) {
            Some(arrive)
        } else {
            None
        };
    let sstatus: &'static str = if status == "ready" {
        "booked"
    } else if delivered.is_some() {
        "delivered"
    } else if eta <= as_of {
        "arrived"
    } else {
        "in_transit"
    };
    let tracking =
        if status == "ready" || (delivered.is_none() && rng.chance(0.15)) || rng.chance(0.02) {
            None
        } else {
            Some(format!(
                "{}{}",
                rng.pick(&["COSU", "MAEU", "MSCU", "EGLV"]),
                60_000_000 + rng.below(39_999_999)
            ))
        };
    Ship {
        id: format!("SH-{}-{}", &order.order_id[3..], p + 1),
        order_id: order.order_id.clone(),
        qty,
        ship_date: Some(ship_date),
        mode,
        carrier: rng.pick(CARRIERS).to_string(),
        tracking,
        eta: Some(eta),
        delivered,
        status: sstatus,
        updated: (as_of - Duration::days(rng.range(0, 5))).max(ship_date.min(as_of)),
    }
}

/// The feedback row number `number` on an order delivered on
/// `delivered`, given a few weeks later; none when that is after as-of.
fn feedback(
    rng: &mut Rng,
    scene: &Scene,
    order: &Order,
    delivered: NaiveDate,
    number: usize,
) -> Option<Fb> {
    let (as_of, lang) = (scene.as_of, scene.lang);
    let date = delivered + Duration::days(rng.range(3, 25));
    if date > as_of {
        return None;
    }
    let score = rng.pick(&[5, 5, 4, 4, 4, 3, 3, 2, 1]);
    let nps = (score * 2 + rng.range(-1, 1)).clamp(0, 10);
    let unhappy = score <= 2 || nps <= 6;
    let category: &'static str = if unhappy {
        rng.pick(&["quality", "delivery", "packaging", "documents"])
    } else {
        rng.pick(&["service", "other", "price"])
    };
    let closed = if rng.chance(0.7) {
        Some((date + Duration::days(rng.range(1, 12))).min(as_of))
    } else {
        None
    };
    let action = if unhappy && rng.chance(0.7) {
        Some(if lang == Lang::Zh {
            "已与工厂沟通整改，下批加强检验".to_string()
        } else {
            "Raised with the factory; extra inspection next lot".to_string()
        })
    } else {
        None
    };
    Some(Fb {
        id: format!("FB-{number:05}"),
        order_id: Some(order.order_id.clone()),
        customer: order.customer.to_string(),
        date,
        score: Some(score),
        nps: Some(nps),
        category,
        comment: comment(lang, category, score),
        department: match category {
            "quality" => "quality",
            "delivery" => "logistics",
            "packaging" => "production",
            "documents" => "documents",
            _ => "sales",
        },
        action,
        status: if closed.is_some() {
            "closed"
        } else if rng.chance(0.5) {
            "in_progress"
        } else {
            "open"
        },
        closed,
    })
}

/// A feedback comment that fits its category and score.
fn comment(lang: Lang, category: &str, score: i64) -> String {
    let (en, zh) = match (category, score >= 4) {
        ("quality", _) => ("Some units arrived scratched", "部分产品有划痕"),
        ("delivery", _) => ("Goods arrived later than promised", "到货比承诺晚"),
        ("packaging", _) => ("Cartons were crushed", "外箱压坏"),
        ("documents", _) => ("Invoice did not match packing list", "发票与装箱单不符"),
        (_, true) => ("Good communication, will reorder", "沟通顺畅，会再下单"),
        _ => ("Price is higher than last time", "价格比上次高"),
    };
    if lang == Lang::Zh {
        zh.into()
    } else {
        en.into()
    }
}

/// The order rows as cells, with problems of every kind sprinkled in.
fn order_cells(
    rng: &mut Rng,
    lines: &[Line],
    lcs: &std::collections::HashMap<String, lc::LcCells>,
    lang: Lang,
    as_of: NaiveDate,
) -> Vec<Vec<C>> {
    let mut rows = Vec::with_capacity(lines.len() + 8);
    for (i, l) in lines.iter().enumerate() {
        let date_cell = |rng: &mut Rng, d: NaiveDate| -> C {
            // Some dates are typed as text, the way people do.
            match rng.below(40) {
                0 => t(d.format("%Y/%m/%d").to_string()),
                1 => t(format!("{}年{}月{}日", d.year(), d.month(), d.day())),
                2 => t(d.format("%Y.%m.%d").to_string()),
                _ => C::Date(d),
            }
        };
        let mut row = Vec::with_capacity(ZH.orders_header.len() + milestones::WIDTH + 1);
        row.extend([
            t(&l.order_id),
            t(&l.customer),
            t(&l.contact),
            t(&l.country),
            t(&l.product),
            C::Num(l.qty),
            C::Num(l.price),
            t(&l.currency),
            C::Num(l.amount),
            t(if lang == Lang::Zh {
                l.terms.1
            } else {
                l.terms.0
            }),
            date_cell(rng, l.order_date),
            od(l.confirmed),
            date_cell(rng, l.due),
            t(status_text(lang, l.status)),
            t(&l.owner),
            t(crate::i18n::department_word(lang, l.department).to_string()),
            C::Date(l.updated),
            t(&l.remarks),
            rx_cell(lang, l.deposit_rx),
            rx_cell(lang, l.balance_rx),
        ]);
        // A few percent of problems, each kind at least once in a few hundred rows.
        match rng.below(120) {
            0 => row[0] = C::Empty,         // V01 rejected row
            1 => row[14] = C::Empty,        // V01 owner
            2 => row[12] = t("31/31/2026"), // V02
            3 => row[5] = C::Num(0.0),      // V03
            4 => {
                row[13] = t(if lang == Lang::Zh {
                    "已发活"
                } else {
                    "shiped"
                })
            } // V04
            5 => row[10] = C::Date(as_of + Duration::days(20)), // V05
            6 => row[8] = C::Error,         // V06
            7 => row[8] = C::Num((l.amount * 1.1 * 100.0).round() / 100.0), // C07
            8 => row[5] = t(format!("{} pcs", l.qty)), // text number
            9 => row[6] = t(format!("USD {:.2}", l.price)), // text number with currency
            10 if i > 0 && lines[i - 1].order_id == l.order_id => {
                row[12] = C::Date(l.due + Duration::days(7))
            } // C01 mixed
            _ => {}
        }
        milestones::cells(&l.ms, lang, &mut row);
        row.push(l.tolerance.clone());
        lc::cells(lcs.get(&l.order_id), lang, &mut row);
        rows.push(row);
        // C01: an exact duplicate line now and then.
        if rng.below(300) == 0 {
            let dup = rows[rows.len() - 1].clone();
            rows.push(dup);
        }
    }
    rows
}

/// A payment's received cell as written in the register.
fn rx_cell(lang: Lang, rx: Rx) -> C {
    let zh = lang == Lang::Zh;
    match rx {
        Rx::Empty => C::Empty,
        Rx::Date(d) => C::Date(d),
        Rx::Yes => t(if zh { "已收" } else { "yes" }),
        Rx::No => t(if zh { "未收" } else { "no" }),
        Rx::Amount(x) => C::Num(x),
    }
}

/// The shipment rows as cells, with problems sprinkled in.
fn ship_cells(rng: &mut Rng, ships: &[Ship], lang: Lang) -> Vec<Vec<C>> {
    let mut rows = Vec::with_capacity(ships.len());
    for s in ships {
        let mut row = vec![
            t(&s.id),
            t(&s.order_id),
            C::Num(s.qty),
            od(s.ship_date),
            t(status_text(lang, s.mode)),
            t(&s.carrier),
            s.tracking.clone().map(C::Text).unwrap_or(C::Empty),
            od(s.eta),
            od(s.delivered),
            t(status_text(lang, s.status)),
            C::Date(s.updated),
            C::Empty,
        ];
        match rng.below(60) {
            0 => row[1] = t(format!("PO-X{}", rng.below(9999))), // C02
            1 => row[2] = C::Num(s.qty + 500.0),                 // C03
            2 => {
                if let (Some(sd), true) = (s.ship_date, s.delivered.is_some()) {
                    row[8] = C::Date(sd - Duration::days(3))
                }
            } // C05
            // C09 warning: delivered, but the status still says in transit.
            3 if s.delivered.is_some() => row[9] = t(status_text(lang, "in_transit")),
            4 => row[4] = t(if lang == Lang::Zh { "海上" } else { "boat" }), // V04
            _ => {}
        }
        rows.push(row);
    }
    rows
}

/// The feedback rows as cells, with problems sprinkled in.
fn fb_cells(rng: &mut Rng, fbs: &[Fb], lang: Lang) -> Vec<Vec<C>> {
    let mut rows = Vec::with_capacity(fbs.len());
    for f in fbs {
        let mut row = vec![
            t(&f.id),
            f.order_id.clone().map(C::Text).unwrap_or(C::Empty),
            t(&f.customer),
            C::Date(f.date),
            f.score.map(|s| C::Num(s as f64)).unwrap_or(C::Empty),
            f.nps.map(|s| C::Num(s as f64)).unwrap_or(C::Empty),
            t(status_text(lang, f.category)),
            t(&f.comment),
            t(crate::i18n::department_word(lang, f.department).to_string()),
            f.action.clone().map(C::Text).unwrap_or(C::Empty),
            t(match (lang, f.status) {
                (Lang::Zh, "closed") => "已关闭".to_string(),
                (Lang::Zh, "open") => "待处理".to_string(),
                (Lang::Zh, _) => "处理中".to_string(),
                (Lang::En, s) => status_text(lang, s),
            }),
            od(f.closed),
            C::Empty,
        ];
        match rng.below(60) {
            0 => row[1] = t(format!("PO-Z{}", rng.below(999))), // C06 unknown order
            1 => row[2] = t("Unknown Buyer Ltd"),               // C06 customer differs
            2 => row[4] = C::Num(6.0),                          // V03
            3 => row[4] = C::Num(4.5),                          // V03 whole number
            _ => {}
        }
        rows.push(row);
    }
    rows
}

/// Writes one table: title row, blank row, header, data; splits over
/// several files past 1,000,000 rows.
#[allow(clippy::too_many_arguments)]
fn write_table(
    created: &ExcelDateTime,
    dir: &Path,
    stem: &str,
    sheet: &str,
    title: &str,
    header: &[&str],
    rows: &[Vec<C>],
    big: bool,
    merges: &[(usize, usize)],
    total: Option<(&str, usize)>,
) -> anyhow::Result<Vec<PathBuf>> {
    const MAX: usize = 1_000_000;
    let parts = rows.len().div_ceil(MAX).max(1);
    let per = rows.len().div_ceil(parts).max(1);
    let mut out = Vec::new();
    for p in 0..parts {
        let chunk = &rows[(p * per).min(rows.len())..((p + 1) * per).min(rows.len())];
        let name = if p == 0 {
            format!("{stem}.xlsx")
        } else {
            format!("{stem}-{}.xlsx", p + 1)
        };
        let path = dir.join(&name);
        let mut wb = Workbook::new();
        // A fixed creation date, so the same seed gives the same bytes.
        wb.set_properties(
            &DocProperties::new()
                .set_author("gendan demo-data")
                .set_creation_datetime(created),
        );
        let ws = if big {
            wb.add_worksheet_with_constant_memory()?
        } else {
            wb.add_worksheet()
        };
        ws.set_name(sheet)?;
        let bold = Format::new().set_bold();
        let title_fmt = Format::new().set_bold().set_font_size(14);
        let date_fmt = Format::new().set_num_format("yyyy-mm-dd");
        let merge_fmt = Format::new().set_align(FormatAlign::VerticalCenter);
        ws.write_string_with_format(0, 0, title, &title_fmt)?;
        for (c, h) in header.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, *h, &bold)?;
            ws.set_column_width(c as u16, if c == 4 || c == 7 { 28 } else { 14 })?;
        }
        let first = 3u32;
        for (r, row) in chunk.iter().enumerate() {
            write_row(ws, first + r as u32, row, &date_fmt)?;
        }
        if !big && p == 0 {
            for (a, b) in merges {
                if let C::Text(id) = &chunk[*a][0] {
                    if chunk[*a..=*b]
                        .iter()
                        .all(|r| matches!(&r[0], C::Text(x) if x == id))
                    {
                        ws.merge_range(first + *a as u32, 0, first + *b as u32, 0, id, &merge_fmt)?;
                    }
                }
            }
        }
        if let Some((word, qty_col)) = total {
            if p + 1 == parts {
                let r = first + chunk.len() as u32;
                ws.write_string_with_format(r, 0, word, &bold)?;
                let sum: f64 = chunk
                    .iter()
                    .filter_map(|row| match row.get(qty_col) {
                        Some(C::Num(x)) => Some(*x),
                        _ => None,
                    })
                    .sum();
                ws.write_number_with_format(r, qty_col as u16, sum, &bold)?;
            }
        }
        if !big {
            ws.set_freeze_panes(3, 0)?;
        }
        wb.save(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}

/// Writes one row of cells at row `r`, dates with `date_fmt`.
fn write_row(ws: &mut Worksheet, r: u32, row: &[C], date_fmt: &Format) -> anyhow::Result<()> {
    for (c, cell) in row.iter().enumerate() {
        let c = c as u16;
        match cell {
            C::Empty => {}
            C::Text(s) => {
                ws.write_string(r, c, s)?;
            }
            C::Num(x) => {
                ws.write_number(r, c, *x)?;
            }
            C::Date(d) => {
                let dt = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                ws.write_datetime_with_format(r, c, &dt, date_fmt)?;
            }
            C::Error => {
                ws.write_formula(r, c, Formula::new("=NA()").set_result("#N/A"))?;
            }
            C::Str(s) => {
                ws.write_string(r, c, *s)?;
            }
        }
    }
    Ok(())
}
