//! DRF `CharField` validation of the serializer fields (`username`/`email`, `password`,
//! `refresh`, `token`): one error per field, reported together in field order.

use jwtd_core::Msg;
use serde_json::{Map, Value};

use super::error::{ApiError, FieldError};

#[derive(Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

impl Fields {
    /// The field as DRF's `CharField` (`trim_whitespace=True`) returns it; `None` when it is
    /// invalid, in which case the error is recorded for [`Fields::finish`].
    pub fn char(&mut self, data: &Map<String, Value>, name: &'static str) -> Option<String> {
        match char_field(data.get(name)) {
            Ok(value) => Some(value),
            Err(msg) => {
                self.errors.push((name, msg, None));
                None
            }
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Fields(self.errors))
        }
    }
}

/// Reads all named fields or fails with every field's error.
pub fn required_strings<const N: usize>(
    data: &Map<String, Value>,
    names: [&'static str; N],
) -> Result<[String; N], ApiError> {
    let mut fields = Fields::default();
    let values = names.map(|name| fields.char(data, name));
    fields.finish()?;
    Ok(values.map(|v| v.expect("finish() passed, so every field is present")))
}

fn char_field(value: Option<&Value>) -> Result<String, Msg> {
    let number;
    let text = match value {
        None => return Err(Msg::Required),
        Some(Value::Null) => return Err(Msg::Null),
        Some(Value::String(s)) => s.as_str(),
        // DRF accepts numbers and uses their text.
        Some(Value::Number(n)) => {
            number = n.to_string();
            number.as_str()
        }
        Some(_) => return Err(Msg::NotString),
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(Msg::Blank);
    }
    if trimmed.contains('\0') {
        return Err(Msg::NullCharacters);
    }
    Ok(trimmed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn char_field_matches_drf() {
        assert_eq!(char_field(None), Err(Msg::Required));
        assert_eq!(char_field(Some(&json!(null))), Err(Msg::Null));
        assert_eq!(char_field(Some(&json!("  "))), Err(Msg::Blank));
        assert_eq!(char_field(Some(&json!(true))), Err(Msg::NotString));
        assert_eq!(char_field(Some(&json!([]))), Err(Msg::NotString));
        assert_eq!(char_field(Some(&json!({}))), Err(Msg::NotString));
        assert_eq!(
            char_field(Some(&json!("a\u{0}b"))),
            Err(Msg::NullCharacters)
        );
        assert_eq!(char_field(Some(&json!(12345))), Ok("12345".into()));
        assert_eq!(char_field(Some(&json!(" bob "))), Ok("bob".into()));
    }
}
