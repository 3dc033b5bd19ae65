//! Every user-visible word, in one place per language.
//!
//! Messages are looked up by key and filled with `{name}` placeholders; they
//! live in the data file `i18n/texts.tsv`, one line a message with both
//! languages, so a zh/en change is one edit there. Keys missing from the file
//! show themselves (`?`), which the unit tests below rule out.

use std::borrow::Cow;
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

/// The messages, one a line: key, English and Chinese, tab-separated (the
/// file's head says how placeholders and line breaks are written).
const TEXTS: &str = include_str!("i18n/texts.tsv");

/// Each message of [`TEXTS`] as (key, English, Chinese), still escaped; a
/// line that is not three fields is none (the unit test rules it out).
fn entries() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    TEXTS
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            match (fields.next(), fields.next(), fields.next(), fields.next()) {
                (Some(key), Some(en), Some(zh), None) => Some((key, en, zh)),
                _ => None,
            }
        })
}

/// A text as printed: the file's `\n` is a line break. Only a text that
/// holds one is copied.
fn unescape(text: &'static str) -> Cow<'static, str> {
    if text.contains("\\n") {
        Cow::Owned(text.replace("\\n", "\n"))
    } else {
        Cow::Borrowed(text)
    }
}

type Texts = HashMap<&'static str, (Cow<'static, str>, Cow<'static, str>)>;

/// The messages by key, read from [`TEXTS`] once.
fn table() -> &'static Texts {
    static T: OnceLock<Texts> = OnceLock::new();
    T.get_or_init(|| {
        entries()
            .map(|(key, en, zh)| (key, (unescape(en), unescape(zh))))
            .collect()
    })
}

/// The text for `key` in `lang`, placeholders unfilled.
pub fn text(lang: Lang, key: &str) -> &'static str {
    match table().get(key) {
        Some((en, zh)) => match lang {
            Lang::En => en.as_ref(),
            Lang::Zh => zh.as_ref(),
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
        let lines = TEXTS
            .lines()
            .filter(|line| !line.is_empty() && !line.starts_with('#'));
        for line in lines.clone() {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "not key, en, zh: {line}");
            assert!(fields.iter().all(|f| !f.trim().is_empty()), "{line}");
        }
        assert_eq!(table().len(), lines.count(), "duplicate key in TEXTS");
        let s = fill(
            Lang::En,
            "v02.date",
            &[("field", "due date"), ("value", "31/31")],
        );
        assert_eq!(s, "due date “31/31” is not a date — write it as 2026-11-30");
        assert_eq!(text(Lang::Zh, "nope"), "?");
        assert_eq!(text(Lang::En, "init.ms.lead_intro").lines().count(), 3);
    }

    /// The names of a text's placeholders (`{days:day|days}` is `days`).
    fn placeholders(text: &str) -> Vec<&str> {
        text.split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}'))
            .map(|(inside, _)| inside.split(':').next().unwrap_or(inside))
            .collect()
    }

    #[test]
    fn every_english_placeholder_is_in_the_chinese() {
        for (key, en, zh) in entries() {
            let zh = placeholders(zh);
            for name in placeholders(en) {
                assert!(zh.contains(&name), "{key}: {{{name}}} missing in zh");
            }
        }
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
        for (key, en, _) in entries() {
            assert!(!en.contains("{days} days"), "{key}: {en}");
            assert!(!en.contains("{n} days"), "{key}: {en}");
        }
    }
}
