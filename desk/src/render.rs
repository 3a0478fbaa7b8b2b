//! Texts the console prints: zh-CN first, English beside it (the product ships both).

use seatline_core::answer::AnswerRefusal;
use seatline_core::{CoreError, PhoneView};
use seatline_proto::{ApiError, Customer, ErrorCode};

pub fn phone_line(view: &PhoneView) -> String {
    let mut s = format!("{} / {}", view.text_zh(), view.text_en());
    if view.answer_pending {
        s.push_str(" …");
    }
    s
}

pub fn error_text(e: &anyhow::Error) -> String {
    match e.downcast_ref::<CoreError>() {
        Some(core) => core_error_text(core),
        None => format!("错误 / error: {e}"),
    }
}

pub fn core_error_text(e: &CoreError) -> String {
    match e {
        CoreError::Dial(r) => format!("{} / {}", r.text_zh(), r.text_en()),
        CoreError::Call(r) => format!("{} / {}", r.text_zh(), r.text_en()),
        CoreError::Answer(r) => answer_refusal_text(*r),
        CoreError::NotLoggedIn => "尚未登录 / Not logged in".into(),
        CoreError::InvalidInput(v) => format!("输入有误 / Invalid input: {v}"),
        CoreError::Unreachable(_) => {
            "无法连接平台，请检查网络 / The platform cannot be reached".into()
        }
        CoreError::Rejected(api) => api_error_text(api),
        CoreError::Library(l) => format!("客户库 / Library: {l}"),
        CoreError::Storage(s) => format!("本地存储 / Local storage: {s}"),
    }
}

pub fn answer_refusal_text(r: AnswerRefusal) -> String {
    format!("{} / {}", r.text_zh(), r.text_en())
}

pub fn api_error_text(e: &ApiError) -> String {
    let zh = match &e.code {
        ErrorCode::UnknownJobNumber => "工号不存在".to_string(),
        ErrorCode::WrongPassword => "密码错误".to_string(),
        ErrorCode::AccountDisabled => "账号已停用".to_string(),
        ErrorCode::TooManyAttempts { retry_after_s } => {
            format!("尝试次数过多，请 {retry_after_s} 秒后再试")
        }
        ErrorCode::Unauthorized => "登录已失效，请重新登录".to_string(),
        ErrorCode::DuplicateCustomer { existing_id } => {
            format!("该手机号已在客户库中（客户 {existing_id}）")
        }
        ErrorCode::PackageMissing { .. } => "未开通在线客服套餐".to_string(),
        ErrorCode::NotFound => "不存在".to_string(),
        ErrorCode::Forbidden => "无权限".to_string(),
        ErrorCode::BadRequest { .. } | ErrorCode::PayloadTooLarge => "请求有误".to_string(),
        ErrorCode::LeaseHeld { holder } => {
            return answer_refusal_text(AnswerRefusal::HeldByOther(*holder))
        }
        ErrorCode::NoBoundNumber => return answer_refusal_text(AnswerRefusal::NoBoundNumber),
        ErrorCode::AnswerLocked => return answer_refusal_text(AnswerRefusal::Locked),
        ErrorCode::PhoneFault => "暂无法发起呼叫，请稍后重试".to_string(),
        ErrorCode::CallInProgress => "正在通话中".to_string(),
        ErrorCode::CallNotActive => "通话已结束".to_string(),
        ErrorCode::NoRoute => "无法呼叫该号码".to_string(),
        ErrorCode::Internal => "平台内部错误".to_string(),
    };
    format!("{zh} / {}", e.message)
}

pub fn customer_line(c: &Customer) -> String {
    let text = |t: &Option<seatline_proto::CardText>| {
        t.as_ref().map(|t| t.to_string()).unwrap_or_default()
    };
    let owner = match c.owner_agent_id {
        Some(_) => "",
        None => " [公海]",
    };
    format!(
        "#{:<6} {:<14} {} {}{}",
        c.id,
        c.mobile,
        pad_to_width(&text(&c.name), 10),
        text(&c.company),
        owner
    )
}

/// Pads to `width` terminal cells: `{:<N}` counts characters, but a Chinese character
/// takes two cells, so names would push the next column out of line.
fn pad_to_width(s: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(used)))
}

pub fn customer_card(c: &Customer) -> String {
    let text = |t: &Option<seatline_proto::CardText>| {
        t.as_ref()
            .map(|t| t.to_string())
            .unwrap_or_else(|| "-".into())
    };
    let mut s = format!(
        "客户 / Customer #{}\n  手机 Mobile:   {}\n  姓名 Name:     {}\n  公司 Company:  {}\n  职位 Title:    {}\n  归属 Owner:    {}\n",
        c.id,
        c.mobile,
        text(&c.name),
        text(&c.company),
        text(&c.title),
        c.owner_agent_id.map(|a| format!("agent {a}")).unwrap_or_else(|| "公海 public pool".into()),
    );
    for m in &c.contacts {
        s.push_str(&format!(
            "  {} {}: {}\n",
            m.kind.label_zh(),
            m.kind.as_str(),
            m.value
        ));
    }
    s
}

/// A word for an estimated MOS, as agents are used to hearing call quality described.
pub fn quality_word(mos: f64) -> &'static str {
    match mos {
        m if m >= 4.0 => "好 / good",
        m if m >= 3.6 => "一般 / fair",
        m if m >= 3.1 => "较差 / poor",
        _ => "差 / bad",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_names_are_padded_by_display_width() {
        assert_eq!(pad_to_width("王娟", 10), "王娟      ");
        assert_eq!(pad_to_width("Ann", 5), "Ann  ");
        assert_eq!(pad_to_width("欧阳明明明明", 10), "欧阳明明明明");
    }
}
