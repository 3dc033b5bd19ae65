//! Every user-visible word, in one place per language.
//!
//! Messages are looked up by key and filled with `{name}` placeholders, so a
//! zh/en change is one edit in [`TEXTS`]. Keys missing from the table show
//! themselves (`?key`), which the unit test below rules out.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The report language.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "cn" | "zh-cn" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// (key, English, Chinese)
const TEXTS: &[(&str, &str, &str)] = &[
    // ingest messages
    ("v01.required", "{field} is empty", "{field}为空"),
    (
        "v01.key",
        "row has no {field}; it is left out of the calculation — fill in the {field}",
        "该行没有{field}，未计入统计——请补填{field}",
    ),
    (
        "v01.key_error",
        "row's {field} is the error value {value}; it is left out — fix the formula",
        "该行{field}为错误值 {value}，未计入统计——请修正公式",
    ),
    (
        "v02.date",
        "{field} “{value}” is not a date — write it as 2026-11-30",
        "{field}“{value}”不是日期——请写成 2026-11-30",
    ),
    (
        "v02.ambiguous",
        "{field} “{value}” could be day-first or month-first — write it as 2026-11-30 or set [report] date_order",
        "{field}“{value}”无法判断日/月顺序——请写成 2026-11-30，或在模板中设置 date_order",
    ),
    (
        "v02.number",
        "{field} “{value}” is not a number — write digits only, e.g. 1200.50",
        "{field}“{value}”不是数字——请只写数字，如 1200.50",
    ),
    (
        "v03.range",
        "{field} {value} is out of range ({range})",
        "{field} {value} 超出范围（{range}）",
    ),
    (
        "v03.whole",
        "{field} {value} must be a whole number ({range})",
        "{field} {value} 必须是整数（{range}）",
    ),
    (
        "v04.word",
        "unknown {field} “{value}”{suggest}",
        "无法识别的{field}“{value}”{suggest}",
    ),
    ("v04.suggest", " — did you mean “{word}”?", "——是否应为“{word}”？"),
    (
        "v05.future",
        "{field} {value} is after the report date {as_of} — a past event cannot be in the future",
        "{field} {value} 晚于报告日 {as_of}——已发生的事件不能在未来",
    ),
    (
        "v05.old",
        "{field} {value} is before {earliest} — check the year",
        "{field} {value} 早于 {earliest}——请检查年份",
    ),
    (
        "v05.far",
        "{field} {value} is after 2099-12-31 — check the year",
        "{field} {value} 晚于 2099-12-31——请检查年份",
    ),
    (
        "v06.error",
        "{field} holds the formula error {value} — fix the formula or type the value",
        "{field}为公式错误 {value}——请修正公式或直接填写",
    ),
    (
        "v07.fields",
        "row has {n} fields but the header has {header} — its values would land in the wrong columns; it is left out: put quotes around a value that holds a comma",
        "该行有 {n} 个字段，表头有 {header} 个——各值会错列，未计入统计：含逗号的值请加引号",
    ),
    // reconcile messages
    (
        "c01.dup",
        "line repeats an earlier line of order {order} (row {row}) — delete it",
        "该行与订单 {order} 的第 {row} 行完全相同——请删除",
    ),
    (
        "c01.mixed",
        "lines of order {order} disagree on {what} — make them agree",
        "订单 {order} 的各行{what}不一致——请统一",
    ),
    (
        "c02",
        "no order has the id {order} — correct the order id or add the order",
        "没有订单号为 {order} 的订单——请更正订单号或补录订单",
    ),
    (
        "c03",
        "shipments of order {order} total {shipped}, more than the {ordered} ordered",
        "订单 {order} 发货合计 {shipped}，超过订单数量 {ordered}",
    ),
    (
        "c04.noship",
        "order {order} is {status} but has no shipment row — record the shipment",
        "订单 {order} 状态为{status}，但没有发货记录——请补录发货",
    ),
    (
        "c04.early",
        "order {order} is still {status} but a shipment has left — update the status",
        "订单 {order} 仍为{status}，但已有发货——请更新状态",
    ),
    (
        "c05",
        "{later} {later_date} is before {earlier} {earlier_date}",
        "{later} {later_date} 早于{earlier} {earlier_date}",
    ),
    (
        "c06.order",
        "feedback names order {order}, which no order has",
        "反馈中的订单 {order} 不存在",
    ),
    (
        "c06.customer",
        "feedback customer “{value}” differs from the order's customer “{expected}”",
        "反馈客户“{value}”与订单客户“{expected}”不一致",
    ),
    (
        "c07",
        "amount {amount} ≠ quantity {qty} × unit price {price} = {expected}",
        "金额 {amount} ≠ 数量 {qty} × 单价 {price} = {expected}",
    ),
    (
        "c08",
        "order {order} is {status} but only {shipped} of {ordered} shipped",
        "订单 {order} 状态为{status}，但仅发货 {shipped}/{ordered}",
    ),
    (
        "c09.cancelled",
        "order {order} is cancelled but has shipped goods",
        "订单 {order} 已取消但已有发货",
    ),
    (
        "c09.transit",
        "shipment delivered on {date} but its status is still in transit",
        "已于 {date} 签收，但状态仍为在途",
    ),
    (
        "s01",
        "no update for {days} {days:day|days} (last {date}) — update the order",
        "已 {days} 天未更新（最后 {date}）——请跟进并更新",
    ),
    (
        "s02",
        "overdue by {days} {days:day|days} (due {date}) — ship or agree a new date",
        "已逾期 {days} 天（交期 {date}）——请尽快出运或与客户确认新交期",
    ),
    (
        "s03",
        "pending confirmation for {days} {days:day|days} since {date} — get it confirmed",
        "自 {date} 起已 {days} 天未确认——请尽快确认",
    ),
    (
        "s04",
        "ETA {date} passed {days} {days:day|days} ago and not delivered — chase the carrier",
        "预计到达 {date} 已过 {days} 天仍未签收——请联系承运人",
    ),
    (
        "s05",
        "shipped {date} with no tracking number — record it",
        "{date} 已发货但无运单号——请补录",
    ),
    (
        "s06",
        "goods arrived {date}; no feedback yet — contact the customer",
        "货物已于 {date} 到达，尚无反馈——请回访客户",
    ),
    (
        "s07",
        "feedback of {date} open for {days} {days:day|days} — resolve and close it",
        "{date} 的反馈已 {days} 天未关闭——请处理并关闭",
    ),
    (
        "s08",
        "score {score} / nps {nps} and no action recorded — record the action",
        "满意度 {score} / 推荐度 {nps}，但无改进措施——请填写",
    ),
    (
        "s09",
        "due in {days} {days:day|days} ({date}) and still {status} — check with production that it will be ready, or agree a new date now",
        "{days} 天后到期（{date}），仍为“{status}”——请与生产确认能否按期备妥，或现在就与客户商定新交期",
    ),
    (
        "s10",
        "due date changed, change no. {n}: {was} → {now} (first promised {first}, {days} {days:day|days} later in all) — find out why it keeps moving",
        "交期第 {n} 次变更：{was} → {now}（首次承诺 {first}，累计推迟 {days} 天）",
    ),
    ("word.status_unknown", "of unknown status", "状态不明"),
    (
        "v02.received",
        "{field} “{value}” is not a date, an amount or yes/no — write the date the money arrived, the amount received, or yes / no",
        "{field}“{value}”不是日期、金额或是/否——请填到账日期、到账金额，或“已收”/“未收”",
    ),
    (
        "v02.share",
        "{field} “{value}” is not a tolerance — write it as ±5%, 5% or 0.05 (a share below 100%)",
        "{field}“{value}”不是溢短装比例——请写成 ±5%、5% 或 0.05（小于 100%）",
    ),
    (
        "c03.tolerance",
        "shipments of order {order} total {shipped}, more than the {ordered} ordered with its tolerance of ±{tolerance} (at most {most})",
        "订单 {order} 发货合计 {shipped}，超过订单数量 {ordered} 加溢短装 ±{tolerance}（最多 {most}）",
    ),
    (
        "v02.milestone",
        "{field} “{value}” is neither a date nor done / not done — write the date it was done, or OK",
        "{field}“{value}”既不是日期，也不是完成/未完成——请填完成日期，或写“完成”",
    ),
    (
        "m01",
        "{step} planned {plan} is not done — {days} {days:day|days} late; projected ship {projected}, due {due}",
        "{step}计划 {plan}，尚未完成——已晚 {days} 天；预计出货 {projected}，交期 {due}",
    ),
    (
        "m02",
        "{step} planned {plan} (in {days} {days:day|days}) is not done yet; due {due}",
        "{step}计划 {plan}（{days} 天后），尚未完成；交期 {due}",
    ),
    (
        "m01.no_due",
        "{step} planned {plan} is not done — {days} {days:day|days} late",
        "{step}计划 {plan}，尚未完成——已晚 {days} 天",
    ),
    (
        "m02.no_due",
        "{step} planned {plan} (in {days} {days:day|days}) is not done yet",
        "{step}计划 {plan}（{days} 天后），尚未完成",
    ),
    (
        "m03.open",
        "at risk: {step} planned {plan}, not done ({days} {days:day|days} late); projected ship {projected}, due {due}",
        "有延期风险：{step}计划 {plan}，未完成（晚 {days} 天）；预计出货 {projected}，交期 {due}",
    ),
    (
        "m03.done",
        "at risk: {step} planned {plan}, done {act} ({days} {days:day|days} late); projected ship {projected}, due {due}",
        "有延期风险：{step}计划 {plan}，{act} 才完成（晚 {days} 天）；预计出货 {projected}，交期 {due}",
    ),
    (
        "m04",
        "{step} actual {act} is before {prev} actual {prev_act} — check the dates",
        "{step}实际 {act}，早于{prev}实际 {prev_act}——请核对日期",
    ),
    ("ms.state.done", "done", "已完成"),
    ("ms.state.done_late", "done late", "延迟完成"),
    ("ms.state.overdue", "overdue", "逾期"),
    ("ms.state.due_soon", "due soon", "即将到期"),
    ("ms.state.scheduled", "scheduled", "未到期"),
    ("ms.state.unplanned", "no plan", "无计划"),
    ("ms.plan_of", "{step} (plan)", "{step}（计划）"),
    ("ms.actual_of", "{step} (actual)", "{step}（实际）"),
    ("p.part", "{due} ({paid} received, {rest} outstanding)", "{due}（已收 {paid}，尚欠 {rest}）"),
    (
        "p01.deposit",
        "shipped on {date} before the deposit {deposit} was received — call {customer} for it now and hold the documents until it arrives",
        "{date} 已出货，但定金 {deposit} 尚未到账——请立即联系 {customer} 催款，款到前扣留单据",
    ),
    (
        "p01.balance",
        "shipped on {date} before the balance {balance} due before shipment was received — call {customer} for it now and hold the B/L until it arrives",
        "{date} 已出货，但应于出货前付清的尾款 {balance} 尚未到账——请立即联系 {customer} 催款，款到前扣留提单",
    ),
    (
        "p01.both",
        "shipped on {date} before the deposit {deposit} and the balance {balance} due before shipment were received — call {customer} now and hold the B/L until they arrive",
        "{date} 已出货，但定金 {deposit} 和应于出货前付清的尾款 {balance} 均未到账——请立即联系 {customer} 催款，款到前扣留提单",
    ),
    (
        "p02",
        "deposit {amount} not received {days} {days:day|days} after the order was confirmed — ask {customer} for it before production starts",
        "订单确认已 {days} 天，定金 {amount} 仍未到账——请在开工前向 {customer} 催收",
    ),
    (
        "p03",
        "balance {amount} was due on {date} and is {days} {days:day|days} overdue — call {customer} and agree a payment date",
        "尾款 {amount} 应于 {date} 付清，已逾期 {days} 天——请联系 {customer} 催收并确认付款日期",
    ),
    (
        "v02.mark",
        "{field} “{value}” is neither a date nor yes / no — write the date, or yes / no",
        "{field}“{value}”既不是日期，也不是是/否——请填日期，或写“是”/“否”",
    ),
    (
        "l01",
        "shipped on {ship}, {days} {days:day|days} after the L/C's latest shipment date {latest} — the bank will refuse the documents: ask {customer} to amend the L/C (extend 44C) before presenting them",
        "{ship} 出运，晚于信用证最迟装运期 {latest} {days} 天——银行将拒付：交单前请 {customer} 修改信用证（展延装期）",
    ),
    (
        "l02.warn",
        "L/C latest shipment date {date} is in {days} {days:day|days} and the order is not shipped in full — ship by {date} and present documents by {expiry}, or ask {customer} to amend the L/C now",
        "信用证最迟装运期 {date}（{days} 天后），订单尚未全部出运——请在 {date} 前出运并在 {expiry} 前交单，否则立即请 {customer} 修改信用证",
    ),
    (
        "l02.warn_expiry",
        "the L/C expires on {date}, in {days} {days:day|days}, and the order is not shipped in full — ship and present documents by {date}, or ask {customer} to amend the L/C now",
        "信用证 {date} 到期（{days} 天后），订单尚未全部出运——请在 {date} 前出运并交单，否则立即请 {customer} 修改信用证",
    ),
    (
        "l02.error",
        "L/C latest shipment date {date} passed {days} {days:day|days} ago and the order is not shipped in full — the credit must be amended: ask {customer} to extend it before shipping",
        "信用证最迟装运期 {date} 已过 {days} 天，订单尚未全部出运——必须改证：出运前请 {customer} 展延信用证",
    ),
    (
        "l02.error_expiry",
        "the L/C expired on {date}, {days} {days:day|days} ago, and the order is not shipped in full — the credit must be amended: ask {customer} to extend it before shipping",
        "信用证已于 {date} 到期（{days} 天前），订单尚未全部出运——必须改证：出运前请 {customer} 展延信用证",
    ),
    (
        "l03.why",
        "first shipment {ship} + {n} {n:day|days}",
        "首次出运 {ship} + {n} 天",
    ),
    (
        "l03.why_capped",
        "the L/C expiry, before first shipment {ship} + {n} {n:day|days}",
        "信用证效期，早于首次出运 {ship} + {n} 天",
    ),
    (
        "l03.missing",
        "documents not presented by the deadline {deadline} ({why}) — present documents at once and ask {customer} to accept the late presentation",
        "未在交单期限 {deadline}（{why}）前交单——请立即交单，并请 {customer} 接受迟交不符点",
    ),
    (
        "l03.late",
        "documents presented on {presented}, after the deadline {deadline} ({why}) — the bank may refuse them: ask {customer} to accept the discrepancy",
        "{presented} 才交单，晚于交单期限 {deadline}（{why}）——银行可能拒付：请 {customer} 接受不符点",
    ),
    (
        "l04",
        "no L/C received and the order is due on {date}, in {days} {days:day|days} — ask {customer} to open the L/C now; do not ship before it arrives",
        "信用证未到，订单 {date} 到期（{days} 天后）——请立即催 {customer} 开证，未到证前不要出运",
    ),
    (
        "l04.past",
        "no L/C received and the order was due on {date}, {days} {days:day|days} ago — ask {customer} to open the L/C now; do not ship before it arrives",
        "信用证未到，订单已于 {date} 到期（{days} 天前）——请立即催 {customer} 开证，未到证前不要出运",
    ),
    (
        "log.skip_l03",
        "L03 skipped: the orders have no “documents presented” column",
        "已跳过 L03（信用证交单）：订单表没有“交单日期”列",
    ),
    (
        "log.skip_l04",
        "L04 skipped: the orders have no “L/C received” column",
        "已跳过 L04（信用证未到）：订单表没有“到证日期”列",
    ),
    ("kpi.lc_open", "Open orders under L/C", "信用证在手订单"),
    ("kpi.lc_expiring_next_period", "L/C latest shipment or expiry next period", "下期到装期或效期的信用证"),
    ("col.lc_no", "L/C No", "信用证号"),
    ("col.lc_received", "L/C received", "到证日期"),
    ("col.lc_latest_shipment", "L/C latest shipment", "最迟装运期"),
    ("col.lc_expiry", "L/C expiry", "信用证效期"),
    ("col.lc_deadline", "Presentation deadline", "交单期限"),
    ("col.docs_presented", "Documents presented", "交单日期"),
    ("col.lc_date", "L/C date", "信用证日期"),
    ("col.lc_what", "What", "项目"),
    ("word.lc_latest", "Latest shipment (44C)", "最迟装运期（44C）"),
    ("word.lc_expiry", "Expiry (31D)", "效期（31D）"),
    ("word.lc_deadline", "Presentation deadline", "交单期限"),
    (
        "title.coming_up_lc",
        "L/C dates {start} – {end}",
        "{start} 至 {end} 的信用证日期",
    ),
    // stderr (log)
    ("log.warning", "warning: ", "警告："),
    ("log.error", "error: ", "错误："),
    ("log.note", "note: ", "提示："),
    ("log.phase.read", "read", "读取"),
    ("log.phase.reconcile", "reconcile", "核对"),
    ("log.phase.kpis", "kpis", "指标"),
    ("log.phase.write", "write", "写出"),
    (
        "log.read",
        "{lines} order lines, {shipments} shipments, {feedback} feedback rows from {files} files",
        "订单明细 {lines} 行，出货 {shipments} 条，反馈 {feedback} 条，来自 {files} 个文件",
    ),
    ("log.reconcile", "{orders} orders, {flags} flags", "订单 {orders} 个，问题 {flags} 条"),
    ("log.kpis", "period {label}", "周期 {label}"),
    ("log.write", "{n} files into {dir}", "{n} 个文件已写入 {dir}"),
    (
        "log.skip_deposit",
        "P01 (deposit) and P02 skipped: the orders have no “deposit received” column",
        "已跳过 P01（定金）和 P02：订单表没有“定金到账”列",
    ),
    (
        "log.skip_balance",
        "P01 (balance) and P03 skipped: the orders have no “balance received” column",
        "已跳过 P01（尾款）和 P03：订单表没有“尾款到账”列",
    ),
    (
        "log.skip_s01",
        "S01 (stale orders) skipped: the orders have no “last updated” column",
        "已跳过 S01（订单久未更新）：订单表没有“最后更新”列",
    ),
    (
        "log.skip_s05",
        "S05 (no tracking number) skipped: the shipments have no tracking column",
        "已跳过 S05（无运单号）：出货表没有运单号列",
    ),
    (
        "log.no_currency",
        "the orders have no currency column: amounts are totals of all orders, not per currency",
        "订单表没有币种列：金额为全部订单的合计，不按币种区分",
    ),
    (
        "log.skipped_sheet",
        "{file} › {sheet}: skipped: {reason}",
        "{file} › {sheet}：已跳过：{reason}",
    ),
    ("log.wrote", "wrote {path}", "已写入 {path}"),
    // errors that stop a command
    (
        "err.out_dir",
        "cannot create the output folder {dir}: {error} — check --out or [report] out_dir",
        "无法创建输出文件夹 {dir}：{error}——请检查 --out 或 [report] out_dir",
    ),
    (
        "err.lock_open",
        "cannot open the lock file {path}: {error}",
        "无法打开锁文件 {path}：{error}",
    ),
    (
        "err.locked",
        "another gendan run is writing into {dir} ({holder}) — wait for it to finish; the lock is {path}",
        "另一个 gendan 正在写入 {dir}（{holder}）——请等它结束；锁文件为 {path}",
    ),
    ("err.holder_unknown", "holder unknown", "占用者未知"),
    ("err.lock", "cannot lock {path}: {error}", "无法锁定 {path}：{error}"),
    (
        "err.as_of",
        "--as-of {value}: not a report date — use YYYY-MM-DD (or another full date such as 2026/11/27 or 27 Nov 2026, years 1990–2199), today or yesterday",
        "--as-of {value}：不是报告日——请写成 YYYY-MM-DD（或其他完整日期，如 2026/11/27、27 Nov 2026，年份 1990–2199），或 today、yesterday",
    ),
    (
        "err.no_inputs",
        "no inputs: give --template FILE, or --orders/--shipments/--feedback PATH",
        "没有输入：请给出 --template 模板文件，或 --orders/--shipments/--feedback 路径",
    ),
    (
        "err.no_such_order",
        "--order {ids}: no such order in the orders read ({n} {n:order|orders}) — check the order number as the register writes it",
        "--order {ids}：读取的订单中没有该订单（共 {n} 个订单）——请按台账中的写法核对订单号",
    ),
    (
        "err.no_such_customer",
        "--customer {names}: no order of such a customer in the orders read ({n} {n:customer|customers}) — check the name as the register writes it",
        "--customer {names}：读取的订单中没有该客户的订单（共 {n} 个客户）——请按台账中的写法核对客户名",
    ),
    (
        "err.demo_exists",
        "{dir} already holds {files} — demo-data would overwrite them; pick an empty folder or add --force",
        "{dir} 中已有 {files}——demo-data 会覆盖它们；请换一个空文件夹，或加 --force",
    ),
    (
        "err.no_match",
        "no file matches {pattern} ({table} input) — check [inputs.{table}] paths or --{table}",
        "没有文件匹配 {pattern}（{table} 输入）——请检查模板 [inputs.{table}] 的 paths 或 --{table}",
    ),
    (
        "err.bad_glob",
        "{pattern}: bad glob pattern: {detail}",
        "{pattern}：通配符写法有误：{detail}",
    ),
    (
        "err.no_such_sheet",
        "{path}: no sheet named “{sheet}” (the workbook has: {have}) — fix [inputs.{table}] sheets",
        "{path}：没有名为“{sheet}”的工作表（该工作簿有：{have}）——请更正 [inputs.{table}] sheets",
    ),
    (
        "err.frame",
        "internal error while building the input tables: {detail}",
        "生成输入表时出现内部错误：{detail}",
    ),
    (
        "err.io",
        "{path}: cannot read the file: {detail} — check that it exists and is readable",
        "{path}：无法读取该文件：{detail}——请确认文件存在且可读",
    ),
    ("err.empty", "{path}: the file is empty — export the register again", "{path}：文件为空——请重新导出台账"),
    (
        "err.xls_too_large",
        "{path}: a sheet of this .xls spans {cells} cells, over the limit of {limit} (an .xls sheet holds at most 65536 × 256 = 16777216; [limits] max_cells) — the file is damaged: save it again as .xlsx",
        "{path}：该 .xls 的一个工作表跨 {cells} 个单元格，超过上限 {limit}（.xls 工作表最多 65536 × 256 = 16777216；[limits] max_cells）——文件已损坏：请另存为 .xlsx",
    ),
    (
        "err.no_sheets",
        "{path}: the workbook has no sheets — export the register again",
        "{path}：工作簿中没有工作表——请重新导出台账",
    ),
    (
        "err.corrupt",
        "{path}: not a readable workbook ({detail}) — save it again as .xlsx from Excel",
        "{path}：无法读取的工作簿（{detail}）——请在 Excel 中另存为 .xlsx",
    ),
    (
        "err.encrypted",
        "{path}: the workbook is password-protected — save a copy without a password",
        "{path}：工作簿设有密码——请另存一份不带密码的副本",
    ),
    (
        "err.not_tabular",
        "{path}: not a workbook or CSV file (it holds binary data) — save it as .xlsx or .csv",
        "{path}：不是工作簿或 CSV 文件（内容为二进制数据）——请另存为 .xlsx 或 .csv",
    ),
    (
        "err.too_large",
        "{path}: {entry} unpacks to {size_mb} MB, over the limit of {limit_mb} MB ([limits] max_sheet_mb) — check the file, or raise the limit in the template",
        "{path}：{entry} 解压后为 {size_mb} MB，超过上限 {limit_mb} MB（[limits] max_sheet_mb）——请检查文件，或在模板中调高上限",
    ),
    ("err.too_big", "{path} › {sheet}: too large", "{path} › {sheet}：过大"),
    (
        "err.sheet",
        "{path} › {sheet}: cannot read the sheet: {detail} — save the workbook again from Excel",
        "{path} › {sheet}：无法读取该工作表：{detail}——请在 Excel 中重新保存工作簿",
    ),
    ("log.begin.read", "reading the registers…", "正在读取台账…"),
    ("log.begin.kpis", "measuring the KPIs…", "正在计算指标…"),
    ("log.begin.write", "writing the workbooks…", "正在写出工作簿…"),
    ("log.t_duplicates", "duplicates marked in {s}s", "标记重复行用时 {s} 秒"),
    ("log.t_orders", "orders frame in {s}s", "订单表用时 {s} 秒"),
    ("log.t_frames", "frames built in {s}s", "各表建成用时 {s} 秒"),
    ("log.t_payments", "payments: {n} orders in {s}s", "收款：{n} 个订单，用时 {s} 秒"),
    ("log.t_rules", "rules: {n} flags in {s}s", "规则：{n} 条问题，用时 {s} 秒"),
    (
        "log.cleaned",
        "removed {n} temporary {n:file|files} left by an earlier run",
        "已删除上次运行留下的 {n} 个临时文件",
    ),
    (
        "log.logo",
        "[company] logo: cannot place {error} — the documents are written without a logo; give a PNG or JPEG file (relative to the template)",
        "[company] logo：无法放置 {error}——单据不带徽标写出；请给出 PNG 或 JPEG 文件（路径相对于模板）",
    ),
    (
        "log.no_pending",
        "no pending orders (status pending): no confirmation written — name orders with --order ID",
        "没有待确认的订单（状态 pending）：未写出确认书——可用 --order 订单号 指定订单",
    ),
    (
        "log.no_open_customer",
        "no customer has open orders: no statement written — name customers with --customer NAME",
        "没有客户有未结订单：未写出对账单——可用 --customer 客户名 指定客户",
    ),
    (
        "log.doc_no_price",
        "order {order}: {place}: no unit price — the price is left blank on the confirmation; fill it in the register and run confirm again",
        "订单 {order}：{place}：没有单价——确认书上单价留空；请在台账中补填后重新运行 confirm",
    ),
    (
        "log.doc_no_amount",
        "order {order}: {place}: no amount (and no quantity × unit price) — the amount is left blank and the total marked incomplete; fill it in the register and run confirm again",
        "订单 {order}：{place}：没有金额（也无法由数量 × 单价算出）——金额留空，合计标为不完整；请在台账中补填后重新运行 confirm",
    ),
    ("log.no_such_column", "{file} › {sheet} (no such column)", "{file} › {sheet}（没有该列）"),
    (
        "log.marked_failed",
        "{file}: no marked copy: {error}",
        "{file}：未写出标注副本：{error}",
    ),
    ("log.history_saved", "history saved to {path}", "历史记录已保存到 {path}"),
    (
        "log.history_not_saved",
        "history {path}: not saved: {error}",
        "历史记录 {path}：未保存：{error}",
    ),
    ("log.history_failed", "history {path}: {error}", "历史记录 {path}：{error}"),
    (
        "history.locked",
        "history {path} is busy (another program holds it) — going on without history",
        "历史记录 {path} 正被其他程序占用——本次不使用历史记录",
    ),
    (
        "history.corrupt",
        "history {path} is not a gendan history file ({detail}) — left untouched; move it away or set [history] path to start a new one",
        "历史记录 {path} 不是 gendan 的历史文件（{detail}）——未改动；请移走该文件，或在 [history] path 设置新路径",
    ),
    (
        "history.newer",
        "history {path} was written by a newer gendan (schema {found}, this build knows {known}) — left untouched",
        "历史记录 {path} 由更新版本的 gendan 写入（结构版本 {found}，本版本支持 {known}）——未改动",
    ),
    ("history.other", "history {path}: {detail}", "历史记录 {path}：{detail}"),
    (
        "check.title",
        "gendan check — as of {as_of}, period {label} ({start} – {end})",
        "gendan 检查——报告日 {as_of}，周期 {label}（{start} 至 {end}）",
    ),
    (
        "check.counts",
        "flags: {n} (error {error}, warning {warning}, info {info})",
        "问题：{n} 条（错误 {error}，警告 {warning}，提示 {info}）",
    ),
    ("word.no_currency", "(no currency)", "（无币种）"),
    ("check.more_owners", "… {n} more", "… 另有 {n} 位"),
    // check output
    ("check.header", "header row {row}", "表头在第 {row} 行"),
    (
        "check.unread_terms",
        "payment terms gendan could not read (those orders take part in the payment rules only through their deposit / balance cells; add the phrase under [payments.terms]):",
        "无法识别的付款方式（这些订单仅按定金/尾款单元格参与收款规则；可在模板 [payments.terms] 中添加该写法）：",
    ),
    ("check.orders_n", "{n} {n:order|orders}", "{n} 个订单"),
    ("check.mapped", "mapped", "已识别列"),
    ("check.unmapped", "ignored columns", "未使用的列"),
    ("check.milestones", "milestone columns", "生产节点列"),
    ("check.skipped", "skipped", "已跳过"),
    (
        "check.rows",
        "rows read {read}, accepted {accepted}, rejected {rejected}, totals rows {totals}",
        "读取 {read} 行，接受 {accepted}，拒绝 {rejected}，合计行 {totals}",
    ),
    ("check.by_rule", "by rule", "按规则"),
    ("check.by_owner", "by owner", "按跟单员"),
    ("check.none", "no flags", "没有发现问题"),
    ("check.more", "… and {n} more", "……另有 {n} 条"),
    // skipped-sheet reasons
    ("skip.hidden", "hidden sheet (name it in [inputs.*] sheets to read it)", "隐藏工作表（如需读取请在 sheets 中写明）"),
    (
        "skip.no_header",
        "no header row found in the first 30 rows (needs at least {need} of: {fields})",
        "前 30 行中未找到表头（至少需要以下 {need} 项：{fields}）",
    ),
    (
        "skip.no_key",
        "header has no {field} column (would match: {aliases})",
        "表头中没有{field}列（可用列名：{aliases}）",
    ),
    (
        "skip.duplicate",
        "columns {a} and {b} both map to {field} — rename or delete one",
        "{a} 列和 {b} 列都对应{field}——请重命名或删除其一",
    ),
    ("skip.empty", "sheet is empty", "工作表为空"),
    (
        "ignored.ranked",
        "another column also names {field}: column {col} “{winner}” is used (its header ranks first)",
        "另一列也对应{field}：使用 {col} 列“{winner}”（其列名优先）",
    ),
    (
        "ignored.file_given",
        "a {table} file is given, so this column is not read",
        "已另行提供{table}文件，此列不读取",
    ),
    ("skip.read_as", "read as {table}", "已作为{table}读取"),
    // rev5: which table, values as evidence (spec sections 3.2, 3.3)
    (
        "check.telling",
        "{n} {table} columns ({fields})",
        "{n} 个{table}特有列（{fields}）",
    ),
    ("check.given_as", "given as {table}", "作为{table}提供"),
    (
        "skip.nothing_telling",
        "only {fields} of its header name {table} columns, and none that only {table} have — not read as {table}; if it is, give its columns under [columns.{key}] or name the sheet under [inputs.{key}] sheets",
        "表头中只有 {fields} 对应{table}列，且没有{table}特有的列——未作为{table}读取；如确是，请在 [columns.{key}] 中给出列名，或在 [inputs.{key}] sheets 中写明该表",
    ),
    (
        "skip.order_lines",
        "looks like order lines ({fields}), not {table}: it has no column of {table} alone, and too few order columns to be orders (missing: {missing}) — gendan reads one row per order line that carries its order's customer, dates, status and owner; add those columns (or join this sheet to the orders sheet) and give it as orders",
        "看起来是订单明细（{fields}），而不是{table}：没有{table}特有的列，订单列又不足以作为订单读取（缺少：{missing}）——gendan 每行读取一条订单明细，且需带有该订单的客户、日期、状态和跟单员；请补充这些列（或与订单表合并）后作为订单提供",
    ),
    (
        "note.moved",
        "{file} › {sheet}: given as {given} but read as {table} — its header has {fields} and nothing of {given}; give it with --{cli} (or name the sheet under [inputs.{given_key}] sheets to keep it there)",
        "{file} › {sheet}：作为{given}提供，但已作为{table}读取——表头含 {fields}，没有{given}特有的列；请用 --{cli} 提供（或在 [inputs.{given_key}] sheets 中写明该表以保持原样）",
    ),
    (
        "ignored.template",
        "listed under [columns.{table}] ignore",
        "模板 [columns.{table}] ignore 中列出",
    ),
    (
        "evidence.dates",
        "its values are not dates ({hits} of {n} are) — {examples}; if it is the {field}, give it under [columns.{table}]",
        "其内容不是日期（{n} 个中仅 {hits} 个是）——{examples}；如确为{field}，请写入 [columns.{table}]",
    ),
    (
        "evidence.numbers",
        "its values are not numbers ({hits} of {n} are) — {examples}; if it is the {field}, give it under [columns.{table}]",
        "其内容不是数字（{n} 个中仅 {hits} 个是）——{examples}；如确为{field}，请写入 [columns.{table}]",
    ),
    (
        "evidence.words",
        "its values are not {what} ({hits} of {n} are known words) — {examples}; if it is the {field}, give it under [columns.{table}] and its words under [values.{kind}]",
        "其内容不是{what}（{n} 个中仅 {hits} 个是已知词）——{examples}；如确为{field}，请写入 [columns.{table}]，并在 [values.{kind}] 中补充词语",
    ),
    (
        "evidence.names",
        "its values are numbers, not names ({hits} of {n}) — {examples}; if it is the {field}, give it under [columns.{table}]",
        "其内容是数字而不是名称（{n} 个中 {hits} 个）——{examples}；如确为{field}，请写入 [columns.{table}]",
    ),
    ("words.order_status", "order states", "订单状态"),
    ("words.shipment_status", "shipment states", "物流状态"),
    ("words.feedback_status", "feedback states", "反馈状态"),
    ("words.mode", "transport modes", "运输方式"),
    ("words.category", "feedback categories", "反馈类别"),
    ("words.department", "departments", "部门"),
    ("words.currency", "currencies", "币种"),
    (
        "v01.feedback_key",
        "row has neither a customer nor an order id; it is left out of the calculation — fill in one of them",
        "该行既无客户也无订单号，未计入统计——请补填其一",
    ),
    (
        "check.chosen",
        "matched {hits}/{required} required fields",
        "匹配 {hits}/{required} 个必填字段",
    ),
    ("check.sheet_name", "sheet name", "工作表名"),
    (
        "check.derived",
        "derived {n} {n:row|rows} of {table} from {from}",
        "由 {from} 生成 {n} 条{table}记录",
    ),
    ("check.two_rows", "two-row header", "两行表头"),
    ("check.notes", "note rows {n}", "说明行 {n}"),
    ("check.markers", "empty markers read as empty", "按空值读取的占位符"),
    ("check.ignored", "columns not used", "未采用的列"),
    // gendan init: milestone columns and lead days (spec sections 12, 13)
    ("init.ms.plan", "plan", "计划"),
    ("init.ms.actual", "actual", "实际"),
    (
        "init.ms.column",
        "milestone {step} ({key}), {side}: {header}, column {column}",
        "节点 {step}（{key}）{side}：{header}，{column} 列",
    ),
    (
        "init.ms.guess",
        "milestone {step} ({key}), {side}: read from a sheet of orders",
        "节点 {step}（{key}）{side}：作为订单表读取时识别",
    ),
    (
        "init.ms.second",
        "not read: milestone {step} ({key}) takes one {side} column per sheet, the first",
        "未读取：节点 {step}（{key}）每张表只取一列{side}，即第一列",
    ),
    (
        "init.ms.lead_intro",
        "Lead days seen: per milestone with a plan column, the median of due date − plan\n(in days, rounded) over the order lines that have both. If you stop filling a plan\ncolumn, uncomment its line: the plan is then the due date − these days (spec 13).",
        "所见提前天数：有计划列的节点，取同时有计划日期和交期的订单行，交期 − 计划日期\n（天，四舍五入）的中位数。以后不再填写某个计划列时，取消该行的注释：计划日期即为\n交期减去这些天数（规格第 13 节）。",
    ),
    (
        "init.ms.lead_inline",
        "Lead days seen (median of due date − plan over the order lines with both): add one to lead_days above if you stop filling its plan column.",
        "所见提前天数（同时有计划日期和交期的订单行，交期 − 计划日期的中位数）：以后不再填写某个计划列时，把它加到上面的 lead_days 中。",
    ),
    (
        "init.ms.lead",
        "{step}: median of {n} order {n:line|lines}",
        "{step}：{n} 个订单行的中位数",
    ),
    (
        "init.ms.lead_none",
        "{key}: no order line has both a {step} plan and a due date",
        "{key}：没有订单行同时有{step}计划日期和交期",
    ),
    (
        "init.ms.lead_out",
        "{key}: the median lead of {step} is {days} {days:day|days} over {n} order {n:line|lines}, outside 0 to 3650 — not suggested",
        "{key}：{step}在 {n} 个订单行上的提前天数中位数为 {days} 天，不在 0 到 3650 之间——不作建议",
    ),
    (
        "check.delivered_no_date",
        "{n} {n:shipment says|shipments say} delivered but {n:has|have} no delivered date: {n:it counts|they count} as delivered, arrival date unknown",
        "{n} 条出货状态为已签收但没有签收日期：按已签收处理，到货日期未知",
    ),
    (
        "note.hidden",
        "{rule} is disabled: {n} values it would flag were still emptied (rows rejected, for V07) and are not listed",
        "{rule} 已关闭：仍有 {n} 个它本应标出的值被置空（V07 为整行未计入），未列出",
    ),
    (
        "note.arrival_untracked",
        "arrival not tracked: the shipments have no delivered date, ETA or shipment status column — in-transit KPIs are empty and S04–S06 skipped",
        "未跟踪到货：出货记录没有签收日期、ETA 或物流状态列——在途类指标为空，S04–S06 不检查",
    ),
    (
        "note.default_absent",
        "{table}: no file matches {paths} (the built-in default) — that table is left empty",
        "{table}：没有文件匹配 {paths}（内置默认路径）——该表为空",
    ),
    (
        "note.derived",
        "derived {n} {n:row|rows} of {table} from {file} › {sheet} ({from})",
        "由 {file} › {sheet} 生成 {n} 条{table}记录（{from}）",
    ),
    (
        "nothing.table",
        "nothing was read for {table}:",
        "{table}没有读到任何数据：",
    ),
    ("nothing.no_files", "no input file", "没有输入文件"),
    (
        "nothing.no_rows",
        "header found in row {row}, but no data rows below it",
        "在第 {row} 行找到表头，但下面没有数据行",
    ),
    ("nothing.no_sheets", "no sheet of this file was read", "该文件没有可读取的工作表"),
    (
        "nothing.fix",
        "no report was written and nothing was recorded — check the file names and that each sheet's header names its columns (gendan check shows what was found; gendan init writes a template for your registers)",
        "未生成报表，也未记录历史——请检查文件名，以及每个工作表的表头是否写明了列名（gendan check 可查看识别结果；gendan init 可为您的表格生成模板）",
    ),
    (
        "skip.too_many_cells",
        "its used area runs to {cell} ({rows} rows × {cols} columns), over [limits] max_cells {max_cells} — delete the stray cells far outside the table (Ctrl+End in Excel shows where the sheet ends)",
        "使用区域延伸到 {cell}（{rows} 行 × {cols} 列），超出 [limits] max_cells {max_cells}——请删除表格外很远处的零散单元格（在 Excel 中按 Ctrl+End 可看到工作表的末尾）",
    ),
    (
        "skip.too_big",
        "{rows} rows × {cols} columns is over the limits ([limits] max_rows {max_rows}, max_columns {max_cols})",
        "{rows} 行 × {cols} 列，超出限制（[limits] max_rows {max_rows}，max_columns {max_cols}）",
    ),
    (
        "skip.missing_required",
        "required columns missing: {fields}",
        "缺少必填列：{fields}",
    ),
    ("sheet.summary", "Summary", "概览"),
    ("sheet.coming_up", "Coming up", "即将到期"),
    ("sheet.milestones", "Milestones", "生产进度"),
    ("col.factory", "Factory", "工厂"),
    ("col.projected", "Projected ship", "预计出货"),
    ("col.slip_days", "Slip (days)", "延误天数"),
    ("col.milestone", "Milestone", "节点"),
    ("col.plan", "Plan", "计划日期"),
    ("col.ms_due", "Due in period", "本期计划"),
    ("col.ms_done", "Done in period", "本期完成"),
    ("col.ms_on_time", "Done on time", "按时完成"),
    ("col.ms_overdue", "Overdue now", "当前逾期"),
    ("col.ms_slip", "Median slip (days)", "延误中位数（天）"),
    ("col.at_risk", "At risk", "有风险"),
    (
        "title.milestones",
        "Open orders by milestone, most slipped first ({n}): green done, blue done late, red overdue, amber due soon",
        "在手订单生产进度，延误最多的在前（{n} 个）：绿=已完成，蓝=延迟完成，红=逾期，黄=即将到期",
    ),
    ("title.ms_by_factory", "By factory", "按工厂"),
    ("note.ms_plan", "planned {plan}", "计划 {plan}"),
    (
        "title.coming_up_ms",
        "Milestones due {start} – {end}",
        "{start} 至 {end} 到期的生产节点",
    ),
    ("kpi.milestones_due", "Milestones planned in period", "本期计划节点"),
    ("kpi.milestones_on_time_rate", "Milestones on time", "节点按时完成率"),
    ("kpi.milestones_overdue", "Milestones overdue", "逾期节点"),
    ("kpi.orders_at_risk", "Orders at risk", "有延期风险的订单"),
    ("kpi.milestone_slip_median_days", "Median milestone slip (days)", "节点延误中位数（天）"),
    ("sheet.department", "By department", "部门"),
    ("sheet.resolved", "Resolved", "已解决"),
    ("sheet.date_changes", "Due-date changes", "交期变更"),
    ("title.repromised_often", "Open orders re-promised more than once", "多次变更交期的未完成订单"),
    ("note.changes_first", "No previous run with due dates to compare with: from the next run on, this sheet lists the due dates and ETAs that changed.", "尚无记录了交期的上次运行可比较：从下次运行起，这里列出变更的交期和预计到达日。"),
    ("note.changes", "Due dates and ETAs changed since {label}, the largest move first.", "自 {label} 以来变更的交期和预计到达日，变动最大的在前。"),
    ("word.due_date_change", "Due date", "交期"),
    ("word.eta_change", "ETA of shipment", "货运预计到达日"),
    ("col.what_changed", "What changed", "变更项"),
    ("col.was", "Was", "原为"),
    ("col.now", "Now", "现为"),
    ("col.moved_days", "Moved by (days)", "变动天数"),
    ("col.times_changed", "Times changed", "变更次数"),
    ("col.first_promise", "First promised", "首次承诺交期"),
    ("col.on_time_first", "On time to first promise", "按首次承诺准时"),
    ("col.repromised", "Re-promised orders", "变更过交期的订单"),
    ("kpi.otd_rate_first_promise", "OTD against the first promise", "按首次承诺的准时交货率"),
    ("kpi.due_date_changes", "Due dates changed since last run", "上次以来交期变更的订单"),
    ("kpi.orders_repromised", "Open orders re-promised", "变更过交期的未完成订单"),
    ("kpi.repromise_median_days", "Re-promised by, median (days)", "交期推迟天数中位数"),
    ("kpi.eta_changes", "ETAs changed since last run", "上次以来预计到达日变更的货运"),
    ("sheet.payments", "Payments", "收款"),
    ("kpi.receivables_open", "Receivables open", "应收未收"),
    ("kpi.receivables_overdue", "Receivables overdue", "逾期应收"),
    ("kpi.deposits_pending", "Deposits pending (open orders)", "待收定金订单数"),
    ("kpi.payment_days_median", "Days from shipment to balance, median", "出货到收尾款天数中位数"),
    ("col.terms", "Payment terms", "付款方式"),
    ("col.deposit_due", "Deposit due", "应收定金"),
    ("col.deposit_received", "Deposit received", "定金到账"),
    ("col.balance_due", "Balance due", "应收尾款"),
    ("col.balance_received", "Balance received", "尾款到账"),
    ("col.balance_due_date", "Balance due date", "尾款到期日"),
    ("col.outstanding", "Outstanding", "未收金额"),
    ("col.overdue_amount", "Overdue", "逾期金额"),
    ("col.overdue_days", "Days overdue", "逾期天数"),
    ("col.oldest_overdue", "Oldest overdue (days)", "最长逾期天数"),
    ("col.receivables_overdue", "Receivables overdue", "逾期应收"),
    ("title.payments", "Orders with money outstanding, overdue first", "有未收款项的订单（逾期在前）"),
    ("title.payments_customer", "Totals per customer", "按客户汇总"),
    ("word.received_part", "part: {amount}", "部分：{amount}"),
    ("sheet.delivery", "Delivery", "交付"),
    ("sheet.open", "Open orders", "在手订单"),
    ("sheet.shipments", "Shipments", "物流跟踪"),
    ("sheet.owner", "By owner", "跟单员"),
    ("sheet.customer", "By customer", "客户"),
    ("sheet.issues", "Data issues", "数据问题"),
    ("sheet.actions", "Action list", "待办"),
    ("sheet.fb_log", "Feedback log", "反馈记录"),
    ("sheet.fb_open", "Open feedback", "未关闭反馈"),
    ("sheet.fb_category", "By category and department", "类别与部门"),
    ("sheet.fb_delivery", "Satisfaction by delivery", "满意度与交付"),
    ("kpi.orders_received", "Orders received", "新接订单"),
    ("kpi.orders_due", "Orders due", "到期订单"),
    ("kpi.otd_rate", "On-time delivery (OTD)", "准时交货率"),
    ("kpi.in_full_rate", "In full", "足量交货率"),
    ("kpi.otif_rate", "On time in full (OTIF)", "准时足量交货率"),
    ("kpi.late_orders", "Late orders", "延误订单"),
    ("kpi.avg_delay_days", "Average delay (days)", "平均延误天数"),
    ("kpi.confirmation_median_days", "Confirmation time, median (days)", "订单确认用时中位数（天）"),
    ("kpi.cycle_time_median_days", "Order cycle time, median (days)", "订单周期中位数（天）"),
    ("kpi.open_orders", "Open orders", "在手订单"),
    ("kpi.overdue_open_orders", "Overdue open orders", "逾期未完成订单"),
    ("kpi.shipments_shipped", "Shipments shipped", "本期出运票数"),
    ("kpi.shipments_shipped_qty", "Quantity shipped", "本期出运数量"),
    ("kpi.shipments_in_transit", "Shipments in transit", "在途票数"),
    ("kpi.shipments_overdue", "Shipments past ETA", "超期未到票数"),
    ("kpi.transit_median_days", "Transit time, median (days)", "运输时间中位数（天）"),
    ("kpi.eta_hit_rate", "ETA hit rate", "按预计日期到达率"),
    ("kpi.feedback_responses", "Feedback responses", "反馈条数"),
    ("kpi.csat", "Customer satisfaction (CSAT)", "客户满意率（CSAT）"),
    ("kpi.avg_score", "Average score", "平均评分"),
    ("kpi.nps", "Net promoter score (NPS)", "净推荐值（NPS）"),
    ("kpi.feedback_open", "Open feedback", "未关闭反馈"),
    ("kpi.resolution_median_days", "Resolution time, median (days)", "处理用时中位数（天）"),
    ("kpi.followup_coverage", "After-sales follow-up coverage", "售后回访覆盖率"),
    ("kpi.flags_error", "Errors", "错误"),
    ("kpi.flags_warning", "Warnings", "警告"),
    ("kpi.flags_info", "Notes", "提示"),
    ("kpi.due_next_period", "Due next period", "下期到期订单"),
    ("kpi.due_next_period_not_ready", "Due next period, not ready", "下期到期但未备妥"),
    ("kpi.arrivals_next_period", "Arrivals due next period", "下期预计到货票数"),
    ("kpi.flags_new", "New flags since last run", "本次新增问题"),
    ("kpi.flags_still_open", "Flags still open", "仍未解决的问题"),
    ("kpi.flags_resolved", "Flags resolved since last run", "上次以来已解决的问题"),
    ("kpi.orders_received_amount", "Value of orders received", "新接订单金额"),
    ("col.kpi", "KPI", "指标"),
    ("col.value", "This period", "本期"),
    ("col.previous", "Previous period", "上期"),
    ("col.change", "Change", "变化"),
    ("col.target", "Target", "目标"),
    ("col.period", "Period", "周期"),
    ("col.order_id", "Order No", "订单号"),
    ("col.customer", "Customer", "客户"),
    ("col.owner", "Merchandiser", "跟单员"),
    ("col.status", "Status", "状态"),
    ("col.department", "Department", "责任部门"),
    ("col.order_date", "Order date", "下单日期"),
    ("col.due_date", "Due date", "交期"),
    ("col.first_ship_date", "First shipped", "首次出运"),
    ("col.completion_date", "Completed", "全部出运日期"),
    ("col.ordered_qty", "Ordered qty", "订单数量"),
    ("col.shipped_qty", "Shipped qty", "已出运数量"),
    ("col.on_time", "On time", "准时"),
    ("col.in_full", "In full", "足量"),
    ("col.otif", "OTIF", "准时足量"),
    ("col.delay_days", "Delay (days)", "延误天数"),
    ("col.days_overdue", "Days past due", "逾期天数"),
    ("col.aging", "Past due (bucket)", "逾期区间"),
    ("col.last_update", "Last update", "最后更新"),
    ("col.days_since_update", "Days since update", "未更新天数"),
    ("col.shipment_id", "Shipment No", "出运单号"),
    ("col.mode", "Mode", "运输方式"),
    ("col.carrier", "Carrier", "承运人"),
    ("col.tracking_no", "Tracking No", "运单号"),
    ("col.ship_date", "Ship date", "出运日期"),
    ("col.eta", "ETA", "预计到达"),
    ("col.days_in_transit", "Days in transit", "在途天数"),
    ("col.past_eta", "Past ETA", "超期未到"),
    ("col.delivered", "Delivered", "已签收票数"),
    ("col.transit_median", "Transit median (days)", "运输时间中位数（天）"),
    ("col.eta_hit", "ETA hit rate", "按期到达率"),
    ("col.lines", "Order lines", "订单行数"),
    ("col.open", "Open", "在手"),
    ("col.overdue", "Overdue", "逾期"),
    ("col.due", "Due", "到期"),
    ("col.otd_rate", "OTD", "准时率"),
    ("col.otd_first_promise", "OTD vs first promise", "按首次承诺准时率"),
    ("col.otif_rate", "OTIF", "准时足量率"),
    ("col.errors", "Errors", "错误"),
    ("col.warnings", "Warnings", "警告"),
    ("col.data_quality", "Data quality", "数据质量"),
    ("col.orders", "Orders", "订单数"),
    ("col.orders_window", "Orders received (12 periods)", "新接订单（12 个周期）"),
    ("col.due_window", "Orders due (12 periods)", "到期订单（12 个周期）"),
    ("col.responses_window", "Responses (12 periods)", "反馈条数（12 个周期）"),
    ("col.open_feedback", "Open", "未关闭"),
    ("col.days_left", "Days left", "剩余天数"),
    ("col.not_ready", "Not ready", "未备妥"),
    ("col.new", "New since last run", "本次新增"),
    ("col.resolved", "Resolved since last run", "上次以来已解决"),
    ("col.still_open", "Still open", "仍未解决"),
    ("col.total", "Total", "合计"),
    ("col.stale", "Not updated > {n} {n:day|days}", "超过 {n} 天未更新"),
    ("col.median_since_update", "Days since update, median", "未更新天数中位数"),
    ("col.due_next", "Due next period", "下期到期"),
    ("col.complaints", "Complaints (score ≤ 2)", "投诉（评分 ≤ 2）"),
    ("col.resolution_median", "Resolution, median (days)", "处理用时中位数（天）"),
    ("col.bl", "B/L or tracking No", "提单号/运单号"),
    ("col.first_seen", "First seen", "首次发现"),
    ("col.owner_file", "Own workbook", "个人工作簿"),
    ("col.responses", "Responses", "反馈条数"),
    ("col.csat", "CSAT", "满意率（CSAT）"),
    ("col.nps", "NPS", "NPS"),
    ("col.feedback_open", "Open feedback", "未关闭反馈"),
    ("col.severity", "Severity", "严重程度"),
    ("col.rule", "Rule", "规则"),
    ("col.what", "What", "问题"),
    ("col.message", "Message", "说明"),
    ("col.table", "Table", "表"),
    ("col.file", "File", "文件"),
    ("col.sheet", "Sheet", "工作表"),
    ("col.cell", "Cell", "单元格"),
    ("col.found_value", "Value", "原值"),
    ("col.open_since", "Open since", "首次发现"),
    ("col.runs_open", "Runs open", "连续出现次数"),
    ("col.rejected", "Row rejected", "整行未计入"),
    ("col.row_values", "Row as read", "原始行内容"),
    ("col.todo", "To do", "待办事项"),
    ("col.fix", "How to fix", "处理方法"),
    ("col.where", "Where", "位置"),
    ("col.date", "Date", "日期"),
    ("col.feedback_id", "Feedback No", "反馈编号"),
    ("col.score", "Score (1–5)", "评分（1–5）"),
    ("col.category", "Category", "类别"),
    ("col.comment", "Comment", "反馈内容"),
    ("col.action", "Action", "改进措施"),
    ("col.closed_date", "Closed", "关闭日期"),
    ("col.age_days", "Age (days)", "已开天数"),
    ("col.avg_score", "Average score", "平均评分"),
    ("col.delivery", "Delivery", "交付情况"),
    ("col.count", "Count", "数量"),
    ("col.bucket", "Bucket", "区间"),
    ("col.currency", "Currency", "币种"),
    ("col.amount", "Amount", "金额"),
    ("col.metric", "Measure", "项目"),
    ("col.file_rows", "Rows", "行数"),
    ("word.in_base", "Total in {base}", "折合 {base}"),
    ("word.issue_trend", "Data issues by period", "各周期数据问题"),
    ("word.yes", "yes", "是"),
    ("word.no", "no", "否"),
    ("word.on_time", "on time", "准时"),
    ("word.late", "late", "延误"),
    ("word.not_due", "not due", "未到期"),
    ("word.unknown", "unknown", "未知"),
    ("word.unknown_word", "{word} (not understood)", "{word}（无法识别）"),
    ("word.no_department", "— (none recorded)", "—（未填写）"),
    ("word.recomputed", "* previous period recomputed from the registers (the history has no run for it yet)", "* 上期数值由台账重新计算（历史记录中尚无上期运行）"),
    ("word.lifecycle", "Flags since the last run", "与上次运行相比"),
    ("note.resolved_first", "First run: there is no earlier run to compare with, so nothing is resolved yet. From the next run on, this sheet lists the flags of the previous run that are gone.", "首次运行：尚无上次运行可比较，因此暂无已解决的问题。从下次运行起，这里列出上次发现、本次已不存在的问题。"),
    ("note.resolved_none", "Nothing resolved since {label}: every flag of that run is still open.", "自 {label} 以来没有问题被解决：上次的问题仍全部存在。"),
    ("note.resolved", "Flags of {label} that are gone now, with the message as it was then.", "{label} 发现、本次已不存在的问题（说明为当时的原文）。"),
    ("note.no_history", "History is off ([history] enabled = false): nothing to compare with.", "历史记录已关闭（[history] enabled = false）：无从比较。"),
    ("title.coming_up_orders", "Orders due {start} – {end} ({label})", "{start} 至 {end}（{label}）到期的订单"),
    ("title.coming_up_ships", "Shipments due to arrive {start} – {end}", "{start} 至 {end} 预计到达的货物"),
    ("title.dept_orders", "Open orders by current department (as of {as_of})", "在手订单，按当前环节（截至 {as_of}）"),
    ("title.dept_feedback", "Feedback by responsible department: responses, complaints and resolution in the period, open as of {as_of}", "客户反馈，按责任部门：反馈、投诉与处理用时为本期，未关闭为截至 {as_of}"),
    ("word.rows_read", "rows read", "读取行数"),
    ("word.rows_accepted", "rows accepted", "接受行数"),
    ("word.rows_rejected", "rows rejected", "拒绝行数"),
    ("word.as_of", "as of", "截至"),
    ("word.period", "period", "周期"),
    ("word.window", "last 12 periods", "最近 12 个周期"),
    ("chart.otd", "On-time delivery, last 12 periods", "准时交货率（最近 12 个周期）"),
    ("chart.aging", "Open orders by days past due", "在手订单逾期分布"),
    ("chart.csat", "CSAT and NPS, last 12 periods", "满意度与 NPS（最近 12 个周期）"),
    ("chart.category", "Feedback by category", "反馈类别分布"),
    ("note.capped", "First {n} of {total} rows — the full list is in {csv} beside this workbook", "仅显示前 {n} 行，共 {total} 行——完整清单见同目录下的 {csv}"),
    ("title.kpi", "{title} — KPI report", "{title}——KPI 报表"),
    ("title.feedback", "{title} — feedback report", "{title}——客户反馈报表"),
    ("title.owner", "{title} — my actions", "{title}——个人待办"),
    ("title.marked", "Marked copy of {file}", "{file} 的标注副本"),
    ("sheet.marked_flags", "Flags", "问题清单"),
    ("note.marked", "Values at the same cells as in the original; its formatting was not copied. Fix the cells in the original file, not in this copy. Red: error, amber: warning, blue: note (hover for the note); grey rows were left out of the calculation.", "各值位于与原文件相同的单元格，原格式未复制。请在原文件中修改，不要改这份副本。红色：错误，黄色：警告，蓝色：提示（悬停查看批注）；灰色行未计入统计。"),
    ("title.subtitle", "Period {label} ({start} – {end}), as of {as_of}", "周期 {label}（{start} 至 {end}），截至 {as_of}"),
    (
        "skip.chart",
        "not a worksheet",
        "不是数据工作表",
    ),
    // customer documents (spec section 11)
    ("doc.confirmation", "ORDER CONFIRMATION", "订单确认书"),
    ("doc.statement", "STATEMENT OF OPEN ORDERS", "在手订单对账单"),
    ("doc.number", "Confirmation No.", "确认书编号"),
    ("doc.date", "Date", "日期"),
    ("doc.as_of", "As of", "截至"),
    ("doc.to", "To", "致"),
    ("doc.customer", "Customer", "客户"),
    ("doc.contact", "Attn.", "联系人"),
    ("doc.country", "Country", "国家"),
    ("doc.phone", "Tel.", "电话"),
    ("doc.email", "Email", "邮箱"),
    ("doc.intro", "We confirm your order as follows:", "兹确认贵方订单如下："),
    ("doc.no", "No.", "序号"),
    ("doc.product", "Product", "品名"),
    ("doc.quantity", "Quantity", "数量"),
    ("doc.unit_price", "Unit price", "单价"),
    ("doc.amount", "Amount", "金额"),
    ("doc.currency", "Currency", "币种"),
    ("doc.total", "Total", "合计"),
    ("doc.incomplete", "incomplete: a line has no amount", "不完整：有明细行缺少金额"),
    ("doc.terms", "Payment terms", "付款方式"),
    ("doc.delivery", "Delivery date", "交货日期"),
    ("doc.bank", "Bank details", "收款银行"),
    ("doc.beneficiary", "Beneficiary", "收款人"),
    ("doc.bank_name", "Bank", "开户行"),
    ("doc.account", "Account", "账号"),
    ("doc.swift", "SWIFT", "SWIFT"),
    ("doc.buyer", "Buyer", "买方"),
    ("doc.seller", "Seller", "卖方"),
    ("doc.sign", "Signature and stamp", "签字盖章"),
    ("doc.sign_name", "Name", "姓名"),
    ("doc.sign_date", "Date", "日期"),
    ("doc.please_sign", "Please sign and return one copy.", "请签字盖章后回传一份。"),
    ("doc.page", "Page &P of &N", "第 &P 页，共 &N 页"),
    ("doc.order_no", "Order No.", "订单号"),
    ("doc.order_date", "Order date", "下单日期"),
    ("doc.ordered", "Ordered", "订购数量"),
    ("doc.shipped", "Shipped", "已出货"),
    ("doc.to_ship", "Still to ship", "待出货"),
    ("doc.status", "Status", "状态"),
    ("doc.order_total", "Order total", "订单合计"),
    ("doc.open_lines", "Open orders", "在手订单"),
    ("doc.none_open", "No open orders.", "没有在手订单。"),
    ("doc.on_the_way", "Goods on the way", "在途货物"),
    ("doc.none_on_the_way", "No shipments on the way.", "没有在途货物。"),
    ("doc.delivered", "Delivered {start} to {end}", "{start} 至 {end} 已交付"),
    ("doc.none_delivered", "No deliveries in this period.", "本期没有交付。"),
    ("doc.ship_date", "Ship date", "出货日期"),
    ("doc.carrier", "Carrier", "承运人"),
    ("doc.bl", "B/L", "提单号"),
    ("doc.eta", "ETA", "预计到港"),
    ("doc.delivered_date", "Delivered", "签收日期"),
    ("doc.st.awaiting", "awaiting confirmation", "待确认"),
    ("doc.st.confirmed", "confirmed", "已确认"),
    ("doc.st.production", "in production", "生产中"),
    ("doc.st.ready", "ready to ship", "待出货"),
    ("doc.st.on_hold", "on hold", "暂缓"),
    ("doc.st.shipped", "shipped", "已出货"),
    ("doc.st.part_shipped", "part shipped", "部分出货"),
    ("doc.st.eta", "ETA {date}", "预计 {date} 到港"),
    ("doc.st.bl", "B/L {bl}", "提单号 {bl}"),
    ("doc.questions", "Questions about an order: please contact us.", "如对订单有疑问，请与我们联系。"),
];

fn table() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static T: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    T.get_or_init(|| TEXTS.iter().map(|(k, en, zh)| (*k, (*en, *zh))).collect())
}

/// The text for `key` in `lang`, placeholders unfilled.
pub fn text(lang: Lang, key: &str) -> &'static str {
    match table().get(key) {
        Some((en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => "?",
    }
}

/// The text for `key` with each `{name}` replaced by its value, and each
/// `{name:one|other}` by the word for that count ([`plural`]).
pub fn fill(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = text(lang, key).to_string();
    // Only a plural form puts `|` into a text (values are filled after).
    if s.contains('|') {
        for (name, value) in args {
            plural(&mut s, name, value);
        }
    }
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

/// English plurals: `{name:one|other}` becomes `one` when `name`'s value
/// is 1 or −1 ("due in 1 day"), else `other` ("due in 0 days", "2 days",
/// "1.5 days"). Chinese texts need none.
fn plural(s: &mut String, name: &str, value: &str) {
    let open = format!("{{{name}:");
    let v = value.trim();
    let one = v.strip_prefix('-').unwrap_or(v) == "1";
    while let Some(start) = s.find(&open) {
        let Some(len) = s[start..].find('}') else {
            break;
        };
        let body = &s[start + open.len()..start + len];
        let (a, b) = body.split_once('|').unwrap_or((body, body));
        let word = if one { a } else { b }.to_string();
        s.replace_range(start..start + len + 1, &word);
    }
}

/// A table's name (`orders`, `shipments`, `feedback`) as a merchandiser
/// knows it.
pub fn table_label(lang: Lang, table: &str) -> &'static str {
    match (table, lang) {
        ("orders", Lang::En) => "orders",
        ("orders", Lang::Zh) => "订单",
        ("shipments", Lang::En) => "shipments",
        ("shipments", Lang::Zh) => "出货",
        ("feedback", Lang::En) => "feedback",
        ("feedback", Lang::Zh) => "客户反馈",
        _ => "?",
    }
}

/// A field's name as a merchandiser knows it.
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    let (en, zh) = match field {
        "order_id" => ("order id", "订单号"),
        "customer" => ("customer", "客户"),
        "contact" => ("contact", "联系人"),
        "country" => ("country", "国家"),
        "product" => ("product", "产品"),
        "quantity" => ("quantity", "数量"),
        "unit_price" => ("unit price", "单价"),
        "currency" => ("currency", "币种"),
        "amount" => ("amount", "金额"),
        "payment_terms" => ("payment terms", "付款方式"),
        "order_date" => ("order date", "下单日期"),
        "confirmed_date" => ("confirmed date", "确认日期"),
        "due_date" => ("due date", "交期"),
        "status" => ("status", "状态"),
        "owner" => ("merchandiser", "跟单员"),
        "department" => ("department", "责任部门"),
        "updated_at" => ("last updated", "最后更新"),
        "remarks" => ("remarks", "备注"),
        "shipment_id" => ("shipment no", "发货单号"),
        "ship_date" => ("ship date", "发货日期"),
        "mode" => ("mode", "运输方式"),
        "carrier" => ("carrier", "承运人"),
        "tracking_no" => ("tracking no", "运单号"),
        "eta" => ("ETA", "预计到达"),
        "delivered_date" => ("delivered date", "签收日期"),
        "feedback_id" => ("feedback no", "反馈编号"),
        "date" => ("feedback date", "反馈日期"),
        "score" => ("score", "满意度"),
        "nps" => ("nps", "推荐度"),
        "category" => ("category", "类别"),
        "comment" => ("comment", "反馈内容"),
        "action" => ("action", "改进措施"),
        "closed_date" => ("closed date", "关闭日期"),
        "factory" => ("factory", "工厂"),
        "qty_tolerance" => ("quantity tolerance", "溢短装"),
        "original_due_date" => ("original due date", "原交期"),
        "deposit" => ("deposit", "定金"),
        "deposit_received" => ("deposit received", "定金到账"),
        "balance" => ("balance", "尾款"),
        "balance_due_date" => ("balance due date", "尾款到期日"),
        "balance_received" => ("balance received", "尾款到账"),
        "lc_no" => ("L/C no", "信用证号"),
        "lc_received" => ("L/C received", "到证日期"),
        "lc_latest_shipment" => ("L/C latest shipment date", "最迟装运期"),
        "lc_expiry" => ("L/C expiry", "信用证有效期"),
        "lc_presentation_days" => ("presentation period", "交单期"),
        "docs_presented" => ("documents presented", "交单日期"),
        _ => ("?", "?"),
    };
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// A canonical department word as the report language says it (the
/// department "quality" is 质检, the category "quality" is 质量).
pub fn department_word(lang: Lang, word: &str) -> &str {
    match (lang, word) {
        (Lang::Zh, "quality") => "质检",
        _ => status_word(lang, word),
    }
}

/// A canonical enumerated word (status, mode, category) as the report
/// language says it.
pub fn status_word(lang: Lang, word: &str) -> &str {
    let zh = match word {
        "on_hold" => "暂停",
        "pending" => "待确认",
        "confirmed" => "已确认",
        "in_production" => "生产中",
        "ready" => "待出运",
        "shipped" => "已出运",
        "delivered" => "已签收",
        "closed" => "已结案",
        "cancelled" => "已取消",
        "booked" => "已订舱",
        "in_transit" => "在途",
        "arrived" => "已到港",
        "exception" => "异常",
        "open" => "待处理",
        "in_progress" => "处理中",
        "sea" => "海运",
        "air" => "空运",
        "express" => "快递",
        "rail" => "铁路",
        "road" => "陆运",
        "quality" => "质量",
        "delivery" => "交期",
        "packaging" => "包装",
        "documents" => "单证",
        "service" => "服务",
        "price" => "价格",
        "other" => "其他",
        "sales" => "业务",
        "production" => "生产",
        "purchasing" => "采购",
        "logistics" => "物流",
        "finance" => "财务",
        _ => return word,
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => match word {
            "on_hold" => "on hold",
            "in_production" => "in production",
            "in_transit" => "in transit",
            "in_progress" => "in progress",
            w => w,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_filled() {
        assert_eq!(table().len(), TEXTS.len(), "duplicate key in TEXTS");
        let s = fill(
            Lang::En,
            "v02.date",
            &[("field", "due date"), ("value", "31/31")],
        );
        assert_eq!(s, "due date “31/31” is not a date — write it as 2026-11-30");
        assert_eq!(text(Lang::Zh, "nope"), "?");
    }

    #[test]
    fn english_plurals_follow_the_count() {
        let due = |d: &str| {
            fill(
                Lang::En,
                "s09",
                &[("days", d), ("date", "x"), ("status", "y")],
            )
        };
        assert!(due("1").starts_with("due in 1 day (x)"), "{}", due("1"));
        assert!(due("0").starts_with("due in 0 days (x)"));
        assert!(due("21").starts_with("due in 21 days (x)"));
        let late = fill(Lang::En, "s02", &[("days", "-1"), ("date", "x")]);
        assert!(late.starts_with("overdue by -1 day "), "{late}");
        assert_eq!(fill(Lang::En, "check.orders_n", &[("n", "1")]), "1 order");
        assert_eq!(fill(Lang::Zh, "check.orders_n", &[("n", "1")]), "1 个订单");
        let one = fill(Lang::En, "check.delivered_no_date", &[("n", "1")]);
        assert!(
            one.starts_with("1 shipment says delivered but has no delivered date: it counts"),
            "{one}"
        );
    }

    #[test]
    fn every_english_count_of_days_has_its_singular() {
        // A `{days} days` text would say "1 days".
        for (key, en, _) in TEXTS {
            assert!(!en.contains("{days} days"), "{key}: {en}");
            assert!(!en.contains("{n} days"), "{key}: {en}");
        }
    }
}
