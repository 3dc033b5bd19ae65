//! Flags: what gendan found wrong, where, and how bad.
//!
//! Every rule of the spec (section 5) has an id here, a default severity and
//! a one-line description in both languages. A [`Flag`] points at the cell a
//! merchandiser must fix. [`Policy`] applies the template's `[rules] disable`
//! and `[severity]` overrides at the moment a flag is raised, so no stage
//! downstream has to know about them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;

/// How bad a flag is. Ordered: `Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// Which input table a flag is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Table {
    Orders,
    Shipments,
    Feedback,
}

impl Table {
    pub const ALL: [Table; 3] = [Table::Orders, Table::Shipments, Table::Feedback];

    pub fn as_str(self) -> &'static str {
        match self {
            Table::Orders => "orders",
            Table::Shipments => "shipments",
            Table::Feedback => "feedback",
        }
    }
}

macro_rules! rules {
    ($( $id:ident => $sev:ident, $en:literal, $zh:literal, $fix_en:literal, $fix_zh:literal; )*) => {
        /// The rule ids of spec section 5, in the order of its table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId { $($id),* }

        impl RuleId {
            pub const ALL: &'static [RuleId] = &[$(RuleId::$id),*];

            pub fn as_str(self) -> &'static str {
                match self { $(RuleId::$id => stringify!($id)),* }
            }

            /// The default severity (for the rules with two, the graver one).
            pub fn default_severity(self) -> Severity {
                match self { $(RuleId::$id => Severity::$sev),* }
            }

            /// What the rule checks, in the report language.
            pub fn what(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((RuleId::$id, Lang::En) => $en, (RuleId::$id, Lang::Zh) => $zh,)*
                }
            }

            /// How to fix what it flags, in the report language.
            pub fn fix(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((RuleId::$id, Lang::En) => $fix_en, (RuleId::$id, Lang::Zh) => $fix_zh,)*
                }
            }
        }
    };
}

rules! {
    V01 => Error, "required field empty", "必填项为空",
        "fill in the cell", "补填该单元格";
    V02 => Error, "value cannot be read as its type", "无法识别的值",
        "enter a date as 2026-11-30 or a plain number", "日期写成 2026-11-30，数字只写数字";
    V03 => Error, "value out of range", "数值超出范围",
        "correct the value (quantity > 0, price ≥ 0, score 1–5, nps 0–10)", "改正数值（数量>0，单价≥0，满意度1–5，推荐度0–10）";
    V04 => Warning, "unknown word", "无法识别的词",
        "use one of the known words, or add it under [values] in the template", "改用已知的词，或在模板 [values] 中添加";
    V05 => Error, "implausible date", "日期不合理",
        "a past event cannot be after the report date, and no date before the earliest date ([thresholds] earliest_date, 2000-01-01)", "已发生事件的日期不能晚于报告日，任何日期不能早于最早日期（[thresholds] earliest_date，默认2000-01-01）";
    V06 => Error, "formula error in cell", "单元格公式错误",
        "fix the formula or type the value", "修正公式或直接填写数值";
    V07 => Error, "CSV row with the wrong number of fields", "CSV行的字段数与表头不符",
        "put quotes around a value that holds a comma, or export the file again", "含逗号的值请加引号，或重新导出文件";
    C01 => Error, "duplicate or inconsistent order lines", "订单行重复或不一致",
        "delete the duplicate line, or make the lines agree", "删除重复行，或统一各行信息";
    C02 => Error, "shipment for an unknown order", "发货记录的订单不存在",
        "correct the order number or add the order", "更正订单号或补录订单";
    C03 => Error, "shipped more than ordered", "发货数量超过订单数量",
        "check the shipment quantities against the order", "核对发货数量与订单数量";
    C04 => Error, "order status disagrees with shipments", "订单状态与发货记录不符",
        "update the order status or record the shipment", "更新订单状态或补录发货记录";
    C05 => Error, "dates out of sequence", "日期先后顺序不对",
        "correct the later-stage date", "更正后一环节的日期";
    C06 => Warning, "feedback does not match an order", "反馈与订单不符",
        "correct the order number or the customer", "更正订单号或客户名称";
    C07 => Warning, "amount ≠ quantity × unit price", "金额 ≠ 数量 × 单价",
        "correct the amount, quantity or unit price", "更正金额、数量或单价";
    C08 => Warning, "closed but not shipped in full", "已结案但未足量发货",
        "record the missing shipments or correct the status", "补录发货或更正状态";
    C09 => Error, "cancelled order shipped, or delivered shipment still in transit", "已取消订单有发货，或已签收的货仍为在途",
        "correct the status", "更正状态";
    S01 => Warning, "stale: no update for too long", "长时间未更新",
        "update the order and its last-updated date", "跟进订单并更新“最后更新”日期";
    S02 => Error, "overdue: open order past its due date", "逾期：未完成订单已过交期",
        "ship, or agree a new date with the customer", "尽快出运，或与客户确认新交期";
    S03 => Warning, "order not confirmed in time", "订单未及时确认",
        "get the order confirmation signed", "尽快发送并取得订单确认";
    S04 => Warning, "shipment past its ETA", "货物超过预计到达日期未签收",
        "chase the carrier and tell the customer", "联系承运人并告知客户";
    S05 => Warning, "shipped without a tracking number", "已发货但无运单号",
        "record the tracking or B/L number", "补录运单号/提单号";
    S06 => Info, "after-sales follow-up due", "应做售后回访",
        "contact the customer and record the feedback", "联系客户并记录反馈";
    S07 => Warning, "feedback open past its SLA", "反馈超期未关闭",
        "resolve the feedback and close it", "处理并关闭该反馈";
    S08 => Warning, "unhappy customer, no action recorded", "客户不满意但无改进措施",
        "record the action taken", "填写改进措施";
    S09 => Info, "due soon and not ready", "即将到期但未备妥",
        "check with production that the goods will be ready, or agree a new date now", "与生产确认能否按期备妥，或现在就与客户商定新交期";
    S10 => Warning, "due date moved again", "交期再次变更",
        "find out why the date keeps moving and agree a date the factory can keep", "查明交期反复推迟的原因，与工厂和客户商定能守住的交期";
    P01 => Error, "shipped before the payment due before shipment", "出货前应收的款项未到即已出货",
        "call the customer for the payment now and hold further shipments and the documents until it arrives", "立即联系客户催款，款到前暂停后续出货并扣留单据";
    P02 => Warning, "deposit not received", "定金未到账",
        "ask the customer for the deposit before production starts", "开工前向客户催收定金";
    P03 => Warning, "balance overdue", "尾款逾期未收",
        "call the customer and agree a payment date", "联系客户催收尾款并确认付款日期";
    L01 => Error, "shipped after the L/C's latest shipment date", "晚于信用证最迟装运期出运",
        "ask the customer to amend the L/C (extend 44C) before presenting the documents", "交单前请客户修改信用证（展延最迟装运期）";
    L02 => Error, "L/C latest shipment or expiry date near or passed, not shipped in full", "信用证装期或效期临近或已过，尚未全部出运",
        "ship before the date, or ask the customer to amend the L/C now", "在装期前出运，或立即请客户修改信用证";
    L03 => Error, "L/C documents not presented in time", "信用证单据未按期交单",
        "present the documents to the bank at once and ask the customer to accept the discrepancy", "立即向银行交单，并请客户接受不符点";
    L04 => Warning, "L/C not received and the order is due soon", "信用证未到，交期临近",
        "ask the customer to open the L/C now; do not ship before it arrives", "立即催客户开证，未到证前不要出运";
    M01 => Warning, "milestone overdue", "生产节点逾期",
        "chase the department that owns the step, then write its actual date", "催促负责该节点的部门，完成后填写实际日期";
    M02 => Info, "milestone due next period and not done", "生产节点下期到期未完成",
        "check with the department that the step will be done on plan", "与负责部门确认该节点能否按计划完成";
    M03 => Error, "order at risk: its milestones project a ship date after its due date", "订单有延期风险：按节点进度推算的出货日晚于交期",
        "catch up the late step, or agree a new date with the customer now", "追回延误的节点，或现在就与客户商定新交期";
    M04 => Warning, "milestone dates out of sequence", "生产节点日期先后顺序不对",
        "correct the actual date of the later step", "更正后一节点的实际日期";
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RuleId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let up = s.trim().to_ascii_uppercase();
        RuleId::ALL
            .iter()
            .copied()
            .find(|r| r.as_str() == up)
            .ok_or_else(|| {
                format!(
                    "unknown rule id `{s}` (known: V01–V07, C01–C09, S01–S10, P01–P03, L01–L04, M01–M04)"
                )
            })
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One finding, pointing at the cell to fix (spec section 5).
#[derive(Clone, Debug, Serialize)]
pub struct Flag {
    pub rule: RuleId,
    pub severity: Severity,
    pub message: String,
    pub table: Table,
    pub order_id: Option<String>,
    pub owner: Option<String>,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    pub value: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rejected: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs_open: Option<u32>,
    /// The field the flag is about (`order_id` for row- and order-level rules).
    pub field: &'static str,
    /// Normalised order key, for joining flags to orders and owners.
    #[serde(skip)]
    pub key: Option<String>,
    /// For a rejected row: its cells as read, in sheet order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_values: Option<Vec<String>>,
    /// A shipment or feedback row's own identity (shipment_id, else
    /// tracking_no, else ship date; feedback_id, else date and customer),
    /// part of the fingerprint so that two rows of one order stay apart.
    #[serde(skip)]
    pub ident: Option<String>,
    /// Whether the previous recorded run did not have this flag; `None`
    /// without a previous run (spec section 6, `flags_new`).
    #[serde(rename = "new", skip_serializing_if = "Option::is_none")]
    pub is_new: Option<bool>,
}

/// Where a flag points: the file, sheet and cell it names.
pub struct Place {
    pub file: String,
    pub sheet: String,
    pub cell: String,
}

impl Place {
    pub fn new(file: &str, sheet: &str, cell: String) -> Place {
        let (file, sheet) = (file.to_string(), sheet.to_string());
        Place { file, sheet, cell }
    }
}

impl Flag {
    /// A flag of `rule` at `place`, about `field`: the one constructor of
    /// every raising site, which then sets what it knows (order, owner,
    /// value, the rejected row's cells, its identity).
    pub fn new(
        rule: RuleId,
        severity: Severity,
        table: Table,
        field: &'static str,
        place: Place,
        message: String,
    ) -> Flag {
        Flag {
            rule,
            severity,
            message,
            table,
            order_id: None,
            owner: None,
            file: place.file,
            sheet: place.sheet,
            cell: place.cell,
            value: None,
            rejected: false,
            first_seen: None,
            runs_open: None,
            field,
            key: None,
            row_values: None,
            ident: None,
            is_new: None,
        }
    }

    /// `orders.xlsx › 订单 › D17`, the way messages name a place.
    pub fn place(&self) -> String {
        format!("{} › {} › {}", self.file, self.sheet, self.cell)
    }

    /// A fingerprint that stays the same for the same problem across runs
    /// (spec section 6): rule, table, order key and field, plus a shipment
    /// or feedback row's own identity. Row numbers are not part of it; a
    /// flag with no order key (a row without its key, a missing column)
    /// has only its cell to be told apart by.
    pub fn fingerprint(&self) -> String {
        let tail = match (&self.key, &self.ident) {
            (None, _) => self.cell.as_str(),
            (Some(_), Some(id)) if self.table != Table::Orders => id.as_str(),
            _ => "",
        };
        self.fingerprint_with(tail)
    }

    /// The fingerprint of schema-1 history files (before row identity):
    /// used to compare with a run recorded by an earlier gendan.
    pub fn legacy_fingerprint(&self) -> String {
        self.fingerprint_with(if self.key.is_none() { &self.cell } else { "" })
    }

    fn fingerprint_with(&self, tail: &str) -> String {
        format!(
            "{}|{}|{}|{}|{tail}",
            self.rule,
            self.table.as_str(),
            self.key.as_deref().unwrap_or(""),
            self.field,
        )
    }
}

/// A flag of an earlier run, as the history recorded it: what the
/// Resolved sheet lists when the problem is gone.
#[derive(Clone, Debug, Serialize)]
pub struct PastFlag {
    pub rule: String,
    pub severity: String,
    /// The message as it was (empty for runs recorded before gendan kept it).
    pub message: String,
    pub table: String,
    pub order_id: Option<String>,
    pub owner: Option<String>,
    pub file: String,
    pub sheet: String,
    pub cell: String,
    pub first_seen: String,
    pub runs_open: u32,
}

/// The template's `[rules] disable` and `[severity]` overrides.
#[derive(Clone, Debug, Default)]
pub struct Policy {
    pub disabled: BTreeSet<RuleId>,
    pub overrides: BTreeMap<RuleId, Severity>,
}

impl Policy {
    /// The severity a flag of `rule` gets, given the case's default; `None`
    /// when the rule is disabled.
    pub fn severity(&self, rule: RuleId, default: Severity) -> Option<Severity> {
        if self.disabled.contains(&rule) {
            return None;
        }
        Some(self.overrides.get(&rule).copied().unwrap_or(default))
    }
}

/// Counts of flags by severity, rule and owner (spec section 7, `flags`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct FlagCounts {
    pub by_severity: BTreeMap<&'static str, usize>,
    pub by_rule: BTreeMap<String, usize>,
    pub by_owner: BTreeMap<String, usize>,
}

impl FlagCounts {
    pub fn of(flags: &[Flag]) -> Self {
        let mut c = FlagCounts::default();
        for s in [Severity::Error, Severity::Warning, Severity::Info] {
            c.by_severity.insert(s.as_str(), 0);
        }
        for f in flags {
            *c.by_severity.entry(f.severity.as_str()).or_default() += 1;
            *c.by_rule.entry(f.rule.to_string()).or_default() += 1;
            let owner = f.owner.clone().unwrap_or_default();
            *c.by_owner.entry(owner).or_default() += 1;
        }
        c
    }

    pub fn count(&self, s: Severity) -> usize {
        self.by_severity.get(s.as_str()).copied().unwrap_or(0)
    }
}

/// Excel's column letters for a 0-based column index (`0` → `A`, `27` → `AB`).
pub fn col_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// `D17` for 0-based column 3 and 1-based row 17.
pub fn cell_ref(col: u32, row1: u32) -> String {
    format!("{}{}", col_letters(col), row1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        assert_eq!(col_letters(0), "A");
        assert_eq!(col_letters(25), "Z");
        assert_eq!(col_letters(26), "AA");
        assert_eq!(col_letters(27), "AB");
        assert_eq!(col_letters(16383), "XFD");
        assert_eq!(cell_ref(3, 17), "D17");
    }

    #[test]
    fn rule_ids_round_trip() {
        for r in RuleId::ALL {
            assert_eq!(r.as_str().parse::<RuleId>().unwrap(), *r);
        }
        assert!("X99".parse::<RuleId>().is_err());
        assert_eq!(RuleId::ALL.len(), 37);
    }
}
