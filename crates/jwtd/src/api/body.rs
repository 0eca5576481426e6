//! Request bodies as DRF parses them: JSON, `application/x-www-form-urlencoded` and
//! `multipart/form-data`, bounded in size, each fault a 4xx in DRF's words.

use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use jwtd_core::Msg;
use serde_json::{Map, Value};

use super::error::ApiError;
use crate::state::AppState;

/// The parsed body: a JSON object whose values are strings for form bodies.
pub struct Data(pub Map<String, Value>);

impl FromRequest<AppState> for Data {
    type Rejection = ApiError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        Data::read(&parts.headers, body, app).await
    }
}

impl Data {
    /// The body of a request whose headers are `headers`: for a handler that reads the headers
    /// too, which would otherwise extract a copy of them.
    pub async fn read(headers: &HeaderMap, body: Body, app: &AppState) -> Result<Data, ApiError> {
        let limit = app.settings.max_body_bytes;
        let too_large = || ApiError::Detail {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            msg: Msg::TooLarge,
            arg: Some(limit.to_string()),
            code: None,
        };
        let declared = headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large());
        }
        // A client trickling its body gets `body_read_timeout`, then 408.
        let read = axum::body::to_bytes(body, limit);
        let bytes = jwtd_store::deadline::within(app.settings.connections.body_read_timeout, read)
            .await
            .map_err(|_| ApiError::detail(StatusCode::REQUEST_TIMEOUT, Msg::BodyTimeout))?
            .map_err(|e| {
                if is_length_limit(&e) {
                    too_large()
                } else {
                    ApiError::detail(StatusCode::BAD_REQUEST, Msg::MalformedRequest)
                }
            })?;
        // DRF treats an empty body as empty data, whatever the content type.
        if bytes.is_empty() {
            return Ok(Data(Map::new()));
        }
        let content_type_header = headers.get(header::CONTENT_TYPE);
        let content_type = content_type_header.map_or(&b""[..], |v| v.as_bytes());
        let essence = content_type
            .split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii();
        let is = |media_type: &str| essence.eq_ignore_ascii_case(media_type.as_bytes());
        let value = if is("application/json") {
            parse_json(&bytes)?
        } else if is("application/x-www-form-urlencoded") {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
                .map_err(|_| ApiError::detail(StatusCode::BAD_REQUEST, Msg::MalformedRequest))?;
            // A repeated key keeps its last value, as Django's QueryDict does.
            Value::Object(
                pairs
                    .into_iter()
                    .map(|(k, v)| (k, Value::String(v)))
                    .collect(),
            )
        } else if is("multipart/form-data") {
            parse_multipart(content_type_header, bytes, app).await?
        } else {
            return Err(ApiError::Detail {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                msg: Msg::Media,
                arg: Some(String::from_utf8_lossy(content_type).into_owned()),
                code: None,
            });
        };
        match value {
            Value::Object(map) => Ok(Data(map)),
            Value::Null => Err(ApiError::NonField(Msg::NoData, None)),
            other => Err(ApiError::NonField(
                Msg::NotDict,
                Some(python_type(&other).to_owned()),
            )),
        }
    }
}

fn is_length_limit(err: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}

/// The Python type name DRF puts in "Expected a dictionary, but got {}".
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Object(_) => "dict",
        Value::Null => "NoneType",
    }
}

fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| ApiError::Detail {
        status: StatusCode::BAD_REQUEST,
        msg: Msg::JsonParse,
        arg: Some(python_json_error(&e, bytes)),
        code: None,
    })
}

/// Describes a JSON syntax error the way Python's `json` module does
/// (`Expecting value: line 1 column 1 (char 0)`), which is what DRF puts after
/// "JSON parse error - ". Exact for the common faults (truncated bodies, missing delimiters,
/// trailing data); an approximation of the position for the rest.
fn python_json_error(err: &serde_json::Error, bytes: &[u8]) -> String {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return "'utf-8' codec can't decode the request body".to_owned();
    };
    let text = err.to_string();
    let chars: Vec<char> = source.chars().collect();
    let last_significant = source.trim_end().chars().last();
    let at_eof = err.is_eof();
    let (what, index) = if text.contains("while parsing a string") {
        let quote = chars.iter().rposition(|c| *c == '"').unwrap_or(0);
        ("Unterminated string starting at", quote)
    } else if at_eof && text.contains("while parsing an object") {
        match last_significant {
            Some('{' | ',') => (
                "Expecting property name enclosed in double quotes",
                chars.len(),
            ),
            Some(':') => ("Expecting value", chars.len()),
            _ => ("Expecting ',' delimiter", chars.len()),
        }
    } else if at_eof && text.contains("while parsing a list") {
        match last_significant {
            Some('[' | ',') => ("Expecting value", chars.len()),
            _ => ("Expecting ',' delimiter", chars.len()),
        }
    } else if at_eof {
        ("Expecting value", chars.len())
    } else {
        let what = if text.contains("key must be a string") {
            "Expecting property name enclosed in double quotes"
        } else if text.contains("trailing characters") {
            "Extra data"
        } else if text.contains("expected `:`") {
            "Expecting ':' delimiter"
        } else if text.contains("expected `,`") {
            "Expecting ',' delimiter"
        } else {
            "Expecting value"
        };
        // serde_json's line and column (1-based) point at the offending character.
        let (line, column) = (err.line().max(1), err.column().max(1));
        let offset: usize = source
            .split('\n')
            .take(line - 1)
            .map(|l| l.chars().count() + 1)
            .sum();
        (what, offset + column - 1)
    };
    let before = &chars[..index.min(chars.len())];
    let line = before.iter().filter(|c| **c == '\n').count() + 1;
    let column = index - before.iter().rposition(|c| *c == '\n').map_or(0, |p| p + 1) + 1;
    format!("{what}: line {line} column {column} (char {index})")
}

/// A multipart body, given its `Content-Type` (the one header the parser reads: the boundary).
async fn parse_multipart(
    content_type: Option<&HeaderValue>,
    bytes: axum::body::Bytes,
    app: &AppState,
) -> Result<Value, ApiError> {
    let malformed = || ApiError::detail(StatusCode::BAD_REQUEST, Msg::MalformedRequest);
    let mut request = Request::new(Body::from(bytes));
    if let Some(content_type) = content_type {
        request
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type.clone());
    }
    let mut multipart = Multipart::from_request(request, app)
        .await
        .map_err(|_| malformed())?;
    let mut fields = Map::new();
    while let Some(field) = multipart.next_field().await.map_err(|_| malformed())? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        // Files go to request.FILES in DRF, not to the serializer's data.
        if field.file_name().is_some() {
            continue;
        }
        let text = field.text().await.map_err(|_| malformed())?;
        fields.insert(name, Value::String(text));
    }
    Ok(Value::Object(fields))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(body: &str) -> String {
        let err = serde_json::from_str::<Value>(body).unwrap_err();
        python_json_error(&err, body.as_bytes())
    }

    #[test]
    fn json_errors_read_like_pythons() {
        // Each expectation is what Python 3.11's json.loads says for the same text.
        assert_eq!(
            describe("{"),
            "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"
        );
        assert_eq!(describe("{} x"), "Extra data: line 1 column 4 (char 3)");
        assert_eq!(describe("  "), "Expecting value: line 1 column 3 (char 2)");
        assert_eq!(
            describe("{\"a\" 1}"),
            "Expecting ':' delimiter: line 1 column 6 (char 5)"
        );
        assert_eq!(
            describe("{\"a\":1 \"b\"}"),
            "Expecting ',' delimiter: line 1 column 8 (char 7)"
        );
        assert_eq!(
            describe("\"abc"),
            "Unterminated string starting at: line 1 column 1 (char 0)"
        );
        assert_eq!(
            describe("[1,]"),
            "Expecting value: line 1 column 4 (char 3)"
        );
        assert_eq!(
            describe("{\"a\":"),
            "Expecting value: line 1 column 6 (char 5)"
        );
        assert_eq!(
            describe("{\n\"a\" 1}"),
            "Expecting ':' delimiter: line 2 column 5 (char 6)"
        );
    }
}
