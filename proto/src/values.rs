//! Validated values. Outside input becomes one of these at the edge (invariant 4), so the
//! rest of the code never sees an unchecked job number, phone number or customer field.
//!
//! Each type deserializes through its parser, so a malformed JSON body is rejected by
//! serde with the parser's message before any handler runs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a value was refused. `field` names the input so a client can point at it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidValue {
    pub field: &'static str,
    pub reason: &'static str,
}

impl InvalidValue {
    pub const fn new(field: &'static str, reason: &'static str) -> Self {
        Self { field, reason }
    }
}

macro_rules! string_value {
    ($(#[$meta:meta])* $name:ident, $parse:path) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(input: &str) -> Result<Self, InvalidValue> {
                $parse(input).map(Self)
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $name {
            type Error = InvalidValue;
            fn try_from(s: String) -> Result<Self, InvalidValue> {
                Self::parse(&s)
            }
        }
        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::str::FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, InvalidValue> {
                Self::parse(s)
            }
        }
    };
}

fn ascii_token(field: &'static str, max: usize, input: &str) -> Result<String, InvalidValue> {
    let s = input.trim();
    if s.is_empty() {
        return Err(InvalidValue::new(field, "must not be empty"));
    }
    if s.len() > max {
        return Err(InvalidValue::new(field, "too long"));
    }
    if !s
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
    {
        return Err(InvalidValue::new(
            field,
            "only letters, digits, '-', '_' and '.' are allowed",
        ));
    }
    Ok(s.to_string())
}

fn parse_job_number(s: &str) -> Result<String, InvalidValue> {
    ascii_token("job_number", 32, s)
}
fn parse_enterprise_code(s: &str) -> Result<String, InvalidValue> {
    ascii_token("enterprise", 32, s).map(|s| s.to_ascii_lowercase())
}
fn parse_device_id(s: &str) -> Result<String, InvalidValue> {
    ascii_token("device_id", 64, s)
}
fn parse_username(s: &str) -> Result<String, InvalidValue> {
    ascii_token("username", 64, s)
}

/// The longest number the dial pad takes (R14) is also the longest number anywhere.
pub const MAX_NUMBER_DIGITS: usize = 20;
/// Shorter strings are not phone numbers (service numbers like 110 have three digits).
pub const MIN_NUMBER_DIGITS: usize = 3;

fn parse_phone_number(s: &str) -> Result<String, InvalidValue> {
    let s = s.trim();
    let digits = s.strip_prefix('+').unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InvalidValue::new(
            "number",
            "only digits, with an optional leading '+'",
        ));
    }
    if digits.len() < MIN_NUMBER_DIGITS {
        return Err(InvalidValue::new("number", "too short"));
    }
    if digits.len() > MAX_NUMBER_DIGITS {
        return Err(InvalidValue::new("number", "more than 20 digits"));
    }
    Ok(s.to_string())
}

string_value!(
    /// An agent's job number (工号), unique within an enterprise (R1).
    JobNumber,
    parse_job_number
);
string_value!(
    /// The short code an enterprise logs in under, lower-cased.
    EnterpriseCode,
    parse_enterprise_code
);
string_value!(
    /// A device's stable identifier, chosen by the device (an install id).
    DeviceId,
    parse_device_id
);
string_value!(
    /// An administrator's user name.
    Username,
    parse_username
);
string_value!(
    /// A phone number: digits with an optional leading `+`, 3 to 20 digits. Customers'
    /// mobile numbers, agents' bound numbers and dialled numbers are all this type.
    PhoneNumber,
    parse_phone_number
);

impl fmt::Debug for PhoneNumber {
    /// Debug output masks all but the last two digits: numbers are personal data and
    /// must not reach logs through a stray `{:?}` (invariant 5).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keep = self.0.len().saturating_sub(2);
        write!(f, "PhoneNumber({}{})", "*".repeat(keep), &self.0[keep..])
    }
}
macro_rules! plain_debug {
    ($($name:ident),*) => {$(
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    )*};
}
plain_debug!(JobNumber, EnterpriseCode, DeviceId, Username);

/// A password as typed. Never printed, never serialized back out.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct Password(String);

impl Password {
    pub const MAX_LEN: usize = 128;
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        if s.is_empty() {
            return Err(InvalidValue::new("password", "must not be empty"));
        }
        if s.len() > Self::MAX_LEN {
            return Err(InvalidValue::new("password", "too long"));
        }
        Ok(Self(s.to_string()))
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for Password {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        Self::parse(&s)
    }
}
impl Serialize for Password {
    /// Serialized only on the way to the platform (the login body).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}
impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Free text on a customer card (name, company, title): trimmed, no control characters,
/// at most `MAX_CHARS` characters. Empty input means "no value".
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CardText(String);

impl CardText {
    pub const MAX_CHARS: usize = 100;
    pub fn parse(input: &str) -> Result<Self, InvalidValue> {
        let s = input.trim();
        if s.is_empty() {
            return Err(InvalidValue::new("text", "must not be empty"));
        }
        if s.chars().count() > Self::MAX_CHARS {
            return Err(InvalidValue::new("text", "more than 100 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(InvalidValue::new(
                "text",
                "control characters are not allowed",
            ));
        }
        Ok(Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}
impl TryFrom<String> for CardText {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, InvalidValue> {
        Self::parse(&s)
    }
}
impl From<CardText> for String {
    fn from(v: CardText) -> String {
        v.0
    }
}
impl fmt::Display for CardText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
impl fmt::Debug for CardText {
    /// Names are personal data: Debug shows only the length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CardText(<{} chars>)", self.0.chars().count())
    }
}

/// The two kinds of agent device (R4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceKind {
    Pc,
    Mobile,
}

impl DeviceKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Pc => "pc",
            DeviceKind::Mobile => "mobile",
        }
    }
    pub const fn other(self) -> DeviceKind {
        match self {
            DeviceKind::Pc => DeviceKind::Mobile,
            DeviceKind::Mobile => DeviceKind::Pc,
        }
    }
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        match s {
            "pc" => Ok(DeviceKind::Pc),
            "mobile" => Ok(DeviceKind::Mobile),
            _ => Err(InvalidValue::new("device_kind", "must be 'pc' or 'mobile'")),
        }
    }
    /// zh-CN name of the device, as the refusal of R5 names it.
    pub const fn label_zh(self) -> &'static str {
        match self {
            DeviceKind::Pc => "电脑",
            DeviceKind::Mobile => "手机",
        }
    }
}

/// The five kinds of contact method a customer card can add (R15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// 手机: another mobile number.
    Mobile,
    /// 座机: a landline.
    Landline,
    /// 邮箱: e-mail.
    Email,
    /// 微信: WeChat id.
    Wechat,
    /// QQ number.
    Qq,
}

impl ContactKind {
    pub const ALL: [ContactKind; 5] = [
        ContactKind::Mobile,
        ContactKind::Landline,
        ContactKind::Email,
        ContactKind::Wechat,
        ContactKind::Qq,
    ];
    pub const fn as_str(self) -> &'static str {
        match self {
            ContactKind::Mobile => "mobile",
            ContactKind::Landline => "landline",
            ContactKind::Email => "email",
            ContactKind::Wechat => "wechat",
            ContactKind::Qq => "qq",
        }
    }
    pub fn parse(s: &str) -> Result<Self, InvalidValue> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(InvalidValue::new("kind", "unknown contact kind"))
    }
    pub const fn label_zh(self) -> &'static str {
        match self {
            ContactKind::Mobile => "手机",
            ContactKind::Landline => "座机",
            ContactKind::Email => "邮箱",
            ContactKind::Wechat => "微信",
            ContactKind::Qq => "QQ",
        }
    }
    /// Checks a value for this kind and returns its canonical form.
    pub fn validate(self, value: &str) -> Result<String, InvalidValue> {
        let v = value.trim();
        match self {
            ContactKind::Mobile | ContactKind::Landline => {
                // Landlines are often written 010-12345678: keep the digits.
                let digits: String = v
                    .chars()
                    .filter(|c| c.is_ascii_digit() || *c == '+')
                    .collect();
                if digits.len() + 6 < v.len() {
                    return Err(InvalidValue::new("value", "not a phone number"));
                }
                PhoneNumber::parse(&digits).map(String::from)
            }
            ContactKind::Email => {
                let ok = v.len() <= 254
                    && v.split_once('@').is_some_and(|(l, d)| {
                        !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.')
                    })
                    && !v.chars().any(|c| c.is_whitespace() || c.is_control());
                if ok {
                    Ok(v.to_ascii_lowercase())
                } else {
                    Err(InvalidValue::new("value", "not an e-mail address"))
                }
            }
            ContactKind::Wechat => {
                let ok = (2..=64).contains(&v.len())
                    && v.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                if ok {
                    Ok(v.to_string())
                } else {
                    Err(InvalidValue::new("value", "not a WeChat id"))
                }
            }
            ContactKind::Qq => {
                let ok = (5..=12).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit());
                if ok {
                    Ok(v.to_string())
                } else {
                    Err(InvalidValue::new("value", "not a QQ number"))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_keep_digits_and_plus_only() {
        assert!(PhoneNumber::parse("13800138000").is_ok());
        assert!(PhoneNumber::parse("+8613800138000").is_ok());
        assert!(PhoneNumber::parse("138-0013").is_err());
        assert!(PhoneNumber::parse("12").is_err());
        assert!(PhoneNumber::parse(&"1".repeat(21)).is_err());
        assert!(PhoneNumber::parse("1' OR 1=1 --").is_err());
    }

    #[test]
    fn phone_number_debug_is_masked() {
        let n = PhoneNumber::parse("13800138000").unwrap();
        let s = format!("{n:?}");
        assert!(!s.contains("138001380"), "{s}");
        assert!(s.ends_with("00)"));
    }

    #[test]
    fn json_rejects_invalid_values() {
        let r: Result<PhoneNumber, _> = serde_json::from_str("\"abc\"");
        assert!(r.is_err());
        let r: Result<JobNumber, _> = serde_json::from_str("\"1001\"");
        assert_eq!(r.unwrap().as_str(), "1001");
    }

    #[test]
    fn contact_kinds_validate_their_values() {
        assert_eq!(
            ContactKind::Landline.validate("010-12345678").unwrap(),
            "01012345678"
        );
        assert!(ContactKind::Email.validate("a@b.cn").is_ok());
        assert!(ContactKind::Email.validate("nope").is_err());
        assert!(ContactKind::Qq.validate("12345").is_ok());
        assert!(ContactKind::Qq.validate("12ab5").is_err());
        assert_eq!(
            ContactKind::ALL.len(),
            5,
            "R15: five kinds of contact method"
        );
    }

    #[test]
    fn card_text_refuses_control_characters_and_overlong_input() {
        assert!(CardText::parse("张三").is_ok());
        assert!(CardText::parse("a\u{0}b").is_err());
        assert!(CardText::parse(&"字".repeat(101)).is_err());
        assert!(CardText::parse("   ").is_err());
    }
}
