//! DRF-style validation of the admin and self-service bodies: every field's errors gathered
//! and reported together, with DRF's and Django's messages (the `User` model's field rules are
//! [`jwtd_core::user_fields`]'s; passwords go under the password rules).

use jwtd_core::password::rules::{self, Person};
use jwtd_core::settings::PasswordRules;
use jwtd_core::{Msg, user_fields};
use serde_json::{Map, Value};

use crate::api::error::{ApiError, FieldError};

/// A body being validated.
pub struct Form<'a> {
    data: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl<'a> Form<'a> {
    pub fn new(data: &'a Map<String, Value>) -> Self {
        Form {
            data,
            errors: Vec::new(),
        }
    }

    pub fn has(&self, name: &str) -> bool {
        self.data.contains_key(name)
    }

    pub fn error(&mut self, name: &'static str, msg: Msg, arg: Option<String>) {
        self.errors.push((name, msg, arg));
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Fields(self.errors))
        }
    }

    /// A `CharField`; `None` when absent and not `required`, or invalid (error recorded).
    pub fn text(
        &mut self,
        name: &'static str,
        required: bool,
        trim: bool,
        allow_blank: bool,
    ) -> Option<String> {
        let value = match self.data.get(name) {
            None if required => return self.fail(name, Msg::Required),
            None => return None,
            Some(Value::Null) => return self.fail(name, Msg::Null),
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(_) => return self.fail(name, Msg::NotString),
        };
        let value = if trim { value.trim().to_owned() } else { value };
        if value.is_empty() && !allow_blank {
            return self.fail(name, Msg::Blank);
        }
        if value.contains('\0') {
            return self.fail(name, Msg::NullCharacters);
        }
        Some(value)
    }

    /// `User.username`.
    pub fn username(&mut self, required: bool) -> Option<String> {
        let name = self.text("username", required, true, false)?;
        let before = self.errors.len();
        if name.chars().count() > 150 {
            self.error("username", Msg::MaxLength, Some("150".into()));
        }
        if !name
            .chars()
            .all(|c| c.is_alphanumeric() || "@.+-_".contains(c))
        {
            self.error("username", Msg::InvalidUsername, None);
        }
        (self.errors.len() == before).then_some(name)
    }

    /// `User.email` (blank allowed).
    pub fn email(&mut self) -> Option<String> {
        let email = self.text("email", false, true, true)?;
        let before = self.errors.len();
        if email.chars().count() > user_fields::EMAIL_MAX_CHARS {
            let max = user_fields::EMAIL_MAX_CHARS.to_string();
            self.error("email", Msg::MaxLength, Some(max));
        }
        if !email.is_empty() && !user_fields::valid_email(&email) {
            self.error("email", Msg::InvalidEmail, None);
        }
        (self.errors.len() == before).then_some(email)
    }

    /// A `ListField(child=CharField())`.
    pub fn roles(&mut self) -> Option<Vec<String>> {
        let items = match self.data.get("roles")? {
            Value::Array(items) => items,
            Value::Null => return self.fail("roles", Msg::Null),
            other => {
                let kind = python_type(other).to_owned();
                self.error("roles", Msg::NotList, Some(kind));
                return None;
            }
        };
        let mut roles = Vec::new();
        for item in items {
            match item {
                Value::String(s) if !s.trim().is_empty() => roles.push(s.trim().to_owned()),
                Value::String(_) => return self.fail("roles", Msg::Blank),
                _ => return self.fail("roles", Msg::NotString),
            }
        }
        roles.dedup();
        Some(roles)
    }

    /// A `BooleanField`, with DRF's accepted spellings.
    pub fn boolean(&mut self, name: &'static str) -> Option<bool> {
        let value = self.data.get(name)?;
        let parsed = match value {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => match n.as_i64() {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            },
            Value::String(s) => match s.as_str() {
                "t" | "T" | "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on"
                | "On" | "ON" | "1" => Some(true),
                "f" | "F" | "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE"
                | "off" | "Off" | "OFF" | "0" => Some(false),
                _ => None,
            },
            Value::Null => return self.fail(name, Msg::Null),
            _ => None,
        };
        if parsed.is_none() {
            self.error(name, Msg::NotBoolean, None);
        }
        parsed
    }

    /// A new password: required, not trimmed, and under the password rules (every broken
    /// rule reported).
    pub fn new_password(
        &mut self,
        name: &'static str,
        rules: &PasswordRules,
        person: Person<'_>,
    ) -> Option<String> {
        let password = self.text(name, true, false, false)?;
        let broken = rules::check(rules, &password, person);
        let ok = broken.is_empty();
        for (msg, arg) in broken {
            self.error(name, msg, arg);
        }
        ok.then_some(password)
    }

    fn fail<T>(&mut self, name: &'static str, msg: Msg) -> Option<T> {
        self.error(name, msg, None);
        None
    }
}

/// Python's name for a JSON value's type, as DRF's messages print it.
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}
