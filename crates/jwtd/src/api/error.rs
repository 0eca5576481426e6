//! API errors and their SimpleJWT-shaped bodies.
//!
//! Handlers and extractors return [`ApiError`]; its `IntoResponse` only sets the status and
//! parks the error in the response extensions. [`render_errors`], the outermost middleware,
//! writes the localized body and headers, because only it knows the request's language and the
//! deployment's `WWW-Authenticate` keyword. One place renders every error, including extractor
//! rejections and the 404/405 fallbacks.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use jwtd_core::token::{TokenError, TokenKind};
use jwtd_core::{Lang, Msg};
use serde_json::{Map, Value, json};

use crate::state::AppState;

#[derive(Clone, Debug)]
pub enum ApiError {
    /// 400 `{"<field>": ["<msg>"], ...}` in field order.
    Fields(Vec<(&'static str, Msg)>),
    /// 400 `{"non_field_errors": ["<msg>"]}`.
    NonField(Msg, Option<String>),
    /// `{"detail": "<msg>"}` plus `"code"` when SimpleJWT sends one.
    Detail {
        status: StatusCode,
        msg: Msg,
        arg: Option<String>,
        code: Option<&'static str>,
    },
    /// 401 on a protected route: SimpleJWT's `InvalidToken` with its `messages` list, one
    /// entry per accepted token class.
    NotValidForAnyType(Vec<(TokenKind, TokenError)>),
    /// 405 with an `Allow` header.
    MethodNotAllowed { method: String, allow: &'static str },
    /// 503 with `Retry-After` (hashing queue full, database unreachable).
    Unavailable { msg: Msg, retry_after_secs: u32 },
    /// 429 with `Retry-After` and DRF's throttled message (login back-off).
    Throttled { wait_secs: u64 },
}

impl ApiError {
    pub fn detail(status: StatusCode, msg: Msg) -> Self {
        ApiError::Detail {
            status,
            msg,
            arg: None,
            code: None,
        }
    }

    /// `{"detail": ..., "code": ...}` with status 401.
    pub fn coded(msg: Msg, code: &'static str) -> Self {
        ApiError::Detail {
            status: StatusCode::UNAUTHORIZED,
            msg,
            arg: None,
            code: Some(code),
        }
    }

    /// A refused token on the token endpoints: 401 `{"detail", "code": "token_not_valid"}`.
    pub fn token(error: TokenError) -> Self {
        let (msg, arg) = error.message();
        ApiError::Detail {
            status: StatusCode::UNAUTHORIZED,
            msg,
            arg: arg.map(str::to_owned),
            code: Some("token_not_valid"),
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::Fields(_) | ApiError::NonField(..) => StatusCode::BAD_REQUEST,
            ApiError::Detail { status, .. } => *status,
            ApiError::NotValidForAnyType(_) => StatusCode::UNAUTHORIZED,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Throttled { .. } => StatusCode::TOO_MANY_REQUESTS,
        }
    }

    /// The JSON body in `lang`.
    pub fn body(&self, lang: Lang) -> Value {
        let text = |msg: Msg, arg: Option<&str>| Value::from(lang.render(msg, arg).into_owned());
        match self {
            ApiError::Fields(errors) => {
                let mut body = Map::new();
                for (field, msg) in errors {
                    body.insert((*field).to_owned(), json!([text(*msg, None)]));
                }
                Value::Object(body)
            }
            ApiError::NonField(msg, arg) => {
                json!({"non_field_errors": [text(*msg, arg.as_deref())]})
            }
            ApiError::Detail { msg, arg, code, .. } => {
                let mut body = Map::new();
                body.insert("detail".into(), text(*msg, arg.as_deref()));
                if let Some(code) = code {
                    body.insert("code".into(), (*code).into());
                }
                Value::Object(body)
            }
            ApiError::NotValidForAnyType(failures) => {
                let messages: Vec<Value> = failures
                    .iter()
                    .map(|(kind, error)| {
                        let (msg, arg) = error.message();
                        json!({
                            "token_class": kind.class_name(),
                            "token_type": kind.claim_value(),
                            "message": text(msg, arg),
                        })
                    })
                    .collect();
                json!({
                    "detail": text(Msg::NotValidAny, None),
                    "code": "token_not_valid",
                    "messages": messages,
                })
            }
            ApiError::MethodNotAllowed { method, .. } => {
                json!({"detail": text(Msg::Method, Some(method))})
            }
            ApiError::Unavailable { msg, .. } => json!({"detail": text(*msg, None)}),
            ApiError::Throttled { wait_secs } => {
                let (msg, arg) = Msg::throttled(*wait_secs);
                json!({"detail": text(msg, arg.as_deref())})
            }
        }
    }
}

impl From<jwtd_store::StoreError> for ApiError {
    fn from(err: jwtd_store::StoreError) -> Self {
        tracing::error!(error = %err, "store failure");
        ApiError::Unavailable {
            msg: Msg::DatabaseUnavailable,
            retry_after_secs: 1,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Renders every [`ApiError`] in the language `Accept-Language` picks from the offered ones.
pub async fn render_errors(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let accept = request
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut response = next.run(request).await;
    let Some(error) = response.extensions_mut().remove::<ApiError>() else {
        return response;
    };
    let lang = app.language(accept.as_deref());
    let mut rendered = (error.status(), axum::Json(error.body(lang))).into_response();
    let headers = rendered.headers_mut();
    headers.insert(
        header::CONTENT_LANGUAGE,
        HeaderValue::from_static(lang.code()),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    if error.status() == StatusCode::UNAUTHORIZED {
        headers.insert(header::WWW_AUTHENTICATE, app.www_authenticate.clone());
    }
    match &error {
        ApiError::MethodNotAllowed { allow, .. } => {
            headers.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        ApiError::Unavailable {
            retry_after_secs, ..
        } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        ApiError::Throttled { wait_secs } => {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(*wait_secs));
        }
        _ => {}
    }
    rendered
}
