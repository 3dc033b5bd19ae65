//! The fields of the three tables, their types and built-in header aliases
//! (spec section 3.1), and the enumerated words of statuses, modes,
//! categories, departments and currencies.

use crate::flags::Table;

/// What a field's cells are read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Text,
    /// Number > 0.
    Quantity,
    /// Number ≥ 0.
    NonNegative,
    /// Whole number in `lo..=hi`.
    Whole(i64, i64),
    Date,
    Enum(EnumKind),
}

/// A date field's meaning for V05: a past event cannot be after as_of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DateRole {
    NotADate,
    PastEvent,
    Plan,
}

#[derive(Clone, Copy, Debug)]
pub struct FieldDef {
    pub name: &'static str,
    pub required: bool,
    pub kind: Kind,
    pub role: DateRole,
    pub aliases: &'static [&'static str],
}

const fn f(
    name: &'static str,
    required: bool,
    kind: Kind,
    aliases: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        required,
        kind,
        role: DateRole::NotADate,
        aliases,
    }
}

const fn d(
    name: &'static str,
    required: bool,
    role: DateRole,
    aliases: &'static [&'static str],
) -> FieldDef {
    FieldDef {
        name,
        required,
        kind: Kind::Date,
        role,
        aliases,
    }
}

const ORDER_ID: &[&str] = &[
    "Order No",
    "Order ID",
    "PO",
    "PO No",
    "PI No",
    "Contract No",
    "订单号",
    "订单编号",
    "合同号",
    "PO号",
    "PI号",
    "客户订单号",
];
const CUSTOMER: &[&str] = &["Customer", "Client", "Buyer", "客户", "客户名称", "买家"];
const OWNER: &[&str] = &["Merchandiser", "Owner", "跟单员", "负责人"];
const UPDATED: &[&str] = &["Last Updated", "Updated", "更新日期", "最后更新"];

pub const ORDERS: &[FieldDef] = &[
    f("order_id", true, Kind::Text, ORDER_ID),
    f("customer", true, Kind::Text, CUSTOMER),
    f(
        "contact",
        false,
        Kind::Text,
        &["Contact", "Email", "联系人", "联系方式", "邮箱"],
    ),
    f(
        "country",
        false,
        Kind::Text,
        &["Country", "Destination", "国家", "目的国"],
    ),
    f(
        "product",
        true,
        Kind::Text,
        &[
            "Product",
            "Item",
            "Description",
            "Spec",
            "产品",
            "品名",
            "规格",
            "产品规格",
            "型号",
            "产品名称",
            "货物名称",
        ],
    ),
    f(
        "quantity",
        true,
        Kind::Quantity,
        &["Qty", "Quantity", "Pcs", "数量", "订单数量", "件数"],
    ),
    f(
        "unit_price",
        false,
        Kind::NonNegative,
        &["Unit Price", "Price", "单价"],
    ),
    f(
        "currency",
        false,
        Kind::Enum(EnumKind::Currency),
        &["Currency", "币种", "币别"],
    ),
    f(
        "amount",
        false,
        Kind::NonNegative,
        &["Amount", "Total", "金额", "总金额"],
    ),
    f(
        "payment_terms",
        false,
        Kind::Text,
        &["Payment", "Payment Terms", "付款方式"],
    ),
    d(
        "order_date",
        true,
        DateRole::PastEvent,
        &["Order Date", "下单日期", "接单日期", "订单日期"],
    ),
    d(
        "confirmed_date",
        false,
        DateRole::PastEvent,
        &["Confirmed Date", "Confirmation Date", "确认日期"],
    ),
    d(
        "due_date",
        true,
        DateRole::Plan,
        &[
            "Due Date",
            "Delivery Date",
            "Promised Date",
            "ETD",
            "交货期",
            "交期",
            "交货日期",
        ],
    ),
    f(
        "status",
        true,
        Kind::Enum(EnumKind::OrderStatus),
        &["Status", "状态", "订单状态"],
    ),
    f("owner", true, Kind::Text, OWNER),
    f(
        "department",
        false,
        Kind::Enum(EnumKind::Department),
        &["Department", "Stage", "责任部门", "当前环节"],
    ),
    d("updated_at", false, DateRole::PastEvent, UPDATED),
    f("remarks", false, Kind::Text, &["Remarks", "Notes", "备注"]),
];

pub const SHIPMENTS: &[FieldDef] = &[
    f(
        "shipment_id",
        false,
        Kind::Text,
        &["Shipment No", "发货单号", "出运单号"],
    ),
    f("order_id", true, Kind::Text, ORDER_ID),
    f(
        "quantity",
        true,
        Kind::Quantity,
        &["Qty Shipped", "Quantity", "发货数量", "出运数量", "数量"],
    ),
    d(
        "ship_date",
        false,
        DateRole::PastEvent,
        &["Ship Date", "ATD", "发货日期", "出运日期"],
    ),
    f(
        "mode",
        false,
        Kind::Enum(EnumKind::Mode),
        &["Mode", "运输方式"],
    ),
    f(
        "carrier",
        false,
        Kind::Text,
        &["Carrier", "Forwarder", "承运人", "货代", "船公司"],
    ),
    f(
        "tracking_no",
        false,
        Kind::Text,
        &["Tracking No", "B/L No", "运单号", "提单号", "追踪号"],
    ),
    d(
        "eta",
        false,
        DateRole::Plan,
        &["ETA", "预计到达", "预计到港"],
    ),
    d(
        "delivered_date",
        false,
        DateRole::PastEvent,
        &["Delivered Date", "ATA", "签收日期", "到货日期"],
    ),
    f(
        "status",
        false,
        Kind::Enum(EnumKind::ShipmentStatus),
        &["Status", "状态"],
    ),
    d("updated_at", false, DateRole::PastEvent, UPDATED),
    f("owner", false, Kind::Text, OWNER),
];

pub const FEEDBACK: &[FieldDef] = &[
    f(
        "feedback_id",
        false,
        Kind::Text,
        &["Feedback No", "反馈编号"],
    ),
    f("order_id", false, Kind::Text, ORDER_ID),
    f("customer", true, Kind::Text, CUSTOMER),
    d(
        "date",
        true,
        DateRole::PastEvent,
        &["Date", "Feedback Date", "反馈日期", "日期"],
    ),
    f(
        "score",
        false,
        Kind::Whole(1, 5),
        &["Satisfaction", "Score", "Rating", "满意度", "评分"],
    ),
    f(
        "nps",
        false,
        Kind::Whole(0, 10),
        &["Recommend", "NPS", "推荐度", "推荐意愿"],
    ),
    f(
        "category",
        false,
        Kind::Enum(EnumKind::Category),
        &["Category", "Type", "类别", "问题类型"],
    ),
    f(
        "comment",
        false,
        Kind::Text,
        &["Comment", "Feedback", "反馈内容", "意见"],
    ),
    f(
        "department",
        false,
        Kind::Enum(EnumKind::Department),
        &["Department", "责任部门"],
    ),
    f(
        "action",
        false,
        Kind::Text,
        &["Action", "改进措施", "处理措施"],
    ),
    f(
        "status",
        false,
        Kind::Enum(EnumKind::FeedbackStatus),
        &["Status", "状态"],
    ),
    d(
        "closed_date",
        false,
        DateRole::PastEvent,
        &["Closed Date", "关闭日期", "解决日期"],
    ),
    f("owner", false, Kind::Text, OWNER),
];

/// The fields of `table`, in the order reports show them.
pub fn fields(table: Table) -> &'static [FieldDef] {
    match table {
        Table::Orders => ORDERS,
        Table::Shipments => SHIPMENTS,
        Table::Feedback => FEEDBACK,
    }
}

/// The field whose absence rejects a row.
pub fn key_field(table: Table) -> &'static str {
    match table {
        Table::Feedback => "customer",
        _ => "order_id",
    }
}

/// The kinds of enumerated words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EnumKind {
    OrderStatus,
    ShipmentStatus,
    FeedbackStatus,
    Mode,
    Category,
    Department,
    Currency,
}

impl EnumKind {
    pub const ALL: [EnumKind; 7] = [
        EnumKind::OrderStatus,
        EnumKind::ShipmentStatus,
        EnumKind::FeedbackStatus,
        EnumKind::Mode,
        EnumKind::Category,
        EnumKind::Department,
        EnumKind::Currency,
    ];

    /// The name under `[values.*]` in a template.
    pub fn template_key(self) -> &'static str {
        match self {
            EnumKind::OrderStatus => "order_status",
            EnumKind::ShipmentStatus => "shipment_status",
            EnumKind::FeedbackStatus => "feedback_status",
            EnumKind::Mode => "mode",
            EnumKind::Category => "category",
            EnumKind::Department => "department",
            EnumKind::Currency => "currency",
        }
    }

    /// The canonical words (what the calculation sees).
    pub fn canonical_words(self) -> &'static [&'static str] {
        match self {
            EnumKind::OrderStatus => &[
                "on_hold",
                "pending",
                "confirmed",
                "in_production",
                "ready",
                "shipped",
                "delivered",
                "closed",
                "cancelled",
            ],
            EnumKind::ShipmentStatus => {
                &["booked", "in_transit", "arrived", "delivered", "exception"]
            }
            EnumKind::FeedbackStatus => &["open", "in_progress", "closed"],
            EnumKind::Mode => &["sea", "air", "express", "rail", "road"],
            EnumKind::Category => &[
                "quality",
                "delivery",
                "packaging",
                "documents",
                "service",
                "price",
                "other",
            ],
            EnumKind::Department => &[
                "sales",
                "production",
                "purchasing",
                "logistics",
                "quality",
                "finance",
                "documents",
            ],
            EnumKind::Currency => ISO_4217,
        }
    }

    /// Built-in words: (word, canonical). Canonical words match themselves.
    pub fn builtin_words(self) -> &'static [(&'static str, &'static str)] {
        match self {
            EnumKind::OrderStatus => &[
                ("pending confirmation", "pending"),
                ("待确认", "pending"),
                ("已确认", "confirmed"),
                ("in production", "in_production"),
                ("producing", "in_production"),
                ("生产中", "in_production"),
                ("ready to ship", "ready"),
                ("待出运", "ready"),
                ("待发货", "ready"),
                ("已发货", "shipped"),
                ("已出运", "shipped"),
                ("已签收", "delivered"),
                ("已到货", "delivered"),
                ("completed", "closed"),
                ("已完成", "closed"),
                ("已结案", "closed"),
                ("canceled", "cancelled"),
                ("已取消", "cancelled"),
                ("on hold", "on_hold"),
                ("暂停", "on_hold"),
            ],
            EnumKind::ShipmentStatus => &[
                ("已订舱", "booked"),
                ("在途", "in_transit"),
                ("已到港", "arrived"),
                ("已签收", "delivered"),
                ("异常", "exception"),
            ],
            EnumKind::FeedbackStatus => &[
                ("待处理", "open"),
                ("处理中", "in_progress"),
                ("已关闭", "closed"),
                ("已解决", "closed"),
            ],
            EnumKind::Mode => &[
                ("海运", "sea"),
                ("空运", "air"),
                ("快递", "express"),
                ("铁路", "rail"),
                ("陆运", "road"),
            ],
            EnumKind::Category => &[
                ("质量", "quality"),
                ("交期", "delivery"),
                ("包装", "packaging"),
                ("单证", "documents"),
                ("服务", "service"),
                ("价格", "price"),
                ("其他", "other"),
            ],
            EnumKind::Department => &[
                ("业务", "sales"),
                ("生产", "production"),
                ("采购", "purchasing"),
                ("物流", "logistics"),
                ("质检", "quality"),
                ("品质", "quality"),
                ("财务", "finance"),
                ("单证", "documents"),
            ],
            EnumKind::Currency => &[
                ("rmb", "CNY"),
                ("人民币", "CNY"),
                ("元", "CNY"),
                ("us$", "USD"),
                ("$", "USD"),
                ("美元", "USD"),
                ("€", "EUR"),
                ("欧元", "EUR"),
                ("¥", "CNY"),
                ("£", "GBP"),
                ("英镑", "GBP"),
                ("日元", "JPY"),
                ("港币", "HKD"),
            ],
        }
    }
}

/// Active ISO 4217 currency codes.
pub const ISO_4217: &[&str] = &[
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT",
    "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD",
    "CDF", "CHF", "CLP", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD",
    "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ",
    "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD",
    "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT", "LAK", "LBP", "LKR",
    "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR",
    "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR",
    "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB",
    "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "UYU", "UZS",
    "VES", "VND", "VUV", "WST", "XAF", "XCD", "XOF", "XPF", "YER", "ZAR", "ZMW", "ZWL",
];

/// Order statuses from least to most advanced; an order's status is the
/// least advanced of its lines (spec section 4). `cancelled` is outside the
/// ladder.
pub const ORDER_STATUS_LADDER: [&str; 8] = [
    "on_hold",
    "pending",
    "confirmed",
    "in_production",
    "ready",
    "shipped",
    "delivered",
    "closed",
];
