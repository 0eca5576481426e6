//! API errors and their SimpleJWT-shaped bodies.
//!
//! Handlers and extractors return [`ApiError`]; its `IntoResponse` only sets the status and
//! parks the error in the response extensions. [`render`], called on every response by the
//! service around the router (`observe::Observed`), writes the localized body and headers,
//! because only there are the request's language and the deployment's `WWW-Authenticate`
//! keyword known. One place renders every error, including extractor rejections and the
//! 404/405 fallbacks.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jwtd_core::token::{TokenError, TokenKind};
use jwtd_core::{Lang, Msg};
use serde_json::Map;

use super::bodies::{Detail, ErrorBody, FieldErrors, TokenMessage};

use crate::state::AppState;

/// One message about one input field (its argument fills the message's `{}`).
pub type FieldError = (&'static str, Msg, Option<String>);

#[derive(Clone, Debug)]
pub enum ApiError {
    /// 400 `{"<field>": ["<msg>", ...], ...}` in field order; a field named twice lists both
    /// messages.
    Fields(Vec<FieldError>),
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
    /// 503 with `Retry-After` (hashing queue full, database unreachable). A store error that
    /// waiting will not fix is a 500 instead: see [`ApiError::store`].
    Unavailable { msg: Msg, retry_after_secs: u32 },
    /// 429 with `Retry-After` and DRF's throttled message (login back-off).
    Throttled { wait_secs: u64 },
}

impl ApiError {
    /// 400 for one field.
    pub fn field(field: &'static str, msg: Msg) -> Self {
        ApiError::Fields(vec![(field, msg, None)])
    }

    /// 403 `{"detail": "You do not have permission to perform this action."}`.
    pub fn forbidden() -> Self {
        ApiError::detail(StatusCode::FORBIDDEN, Msg::PermissionDenied)
    }

    /// 404 `{"detail": "Not found."}`.
    pub fn not_found() -> Self {
        ApiError::detail(StatusCode::NOT_FOUND, Msg::NotFound)
    }

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

    /// A store failure: 503 + `Retry-After` when waiting may fix it (the database is
    /// unreachable, busy or restarting), else a 500 — both logged with the cause.
    pub fn store(err: jwtd_store::StoreError) -> Self {
        use jwtd_store::StoreError::{EmailTaken, UsernameTaken, UsersElsewhere};
        match err {
            UsernameTaken(_) => return ApiError::field("username", Msg::UsernameTaken),
            EmailTaken(_) => return ApiError::field("email", Msg::EmailTaken),
            UsersElsewhere => return ApiError::detail(StatusCode::CONFLICT, Msg::UsersElsewhere),
            _ => {}
        }
        if err.is_transient() {
            tracing::warn!(error = %err, "database unavailable; answering 503");
            ApiError::Unavailable {
                msg: Msg::DatabaseUnavailable,
                retry_after_secs: 1,
            }
        } else {
            tracing::error!(error = %err, "store failure; answering 500");
            ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, Msg::ServerError)
        }
    }

    /// The JSON body in `lang`.
    pub fn body(&self, lang: Lang) -> ErrorBody {
        let text = |msg: Msg, arg: Option<&str>| lang.render(msg, arg).into_owned();
        let detail = |detail: String| {
            ErrorBody::Detail(Detail {
                detail,
                code: None,
                messages: None,
            })
        };
        match self {
            ApiError::Fields(errors) => {
                let mut fields = Map::new();
                for (field, msg, arg) in errors {
                    let list = fields
                        .entry((*field).to_owned())
                        .or_insert_with(|| serde_json::Value::Array(Vec::new()));
                    if let serde_json::Value::Array(list) = list {
                        list.push(text(*msg, arg.as_deref()).into());
                    }
                }
                ErrorBody::Fields(FieldErrors(fields))
            }
            ApiError::NonField(msg, arg) => {
                let mut fields = Map::new();
                let messages = vec![text(*msg, arg.as_deref())];
                fields.insert("non_field_errors".into(), messages.into());
                ErrorBody::Fields(FieldErrors(fields))
            }
            ApiError::Detail { msg, arg, code, .. } => ErrorBody::Detail(Detail {
                detail: text(*msg, arg.as_deref()),
                code: *code,
                messages: None,
            }),
            ApiError::NotValidForAnyType(failures) => {
                let messages = failures
                    .iter()
                    .map(|(kind, error)| {
                        let (msg, arg) = error.message();
                        TokenMessage {
                            token_class: kind.class_name(),
                            token_type: kind.claim_value(),
                            message: text(msg, arg),
                        }
                    })
                    .collect();
                ErrorBody::Detail(Detail {
                    detail: text(Msg::NotValidAny, None),
                    code: Some("token_not_valid"),
                    messages: Some(messages),
                })
            }
            ApiError::MethodNotAllowed { method, .. } => detail(text(Msg::Method, Some(method))),
            ApiError::Unavailable { msg, .. } => detail(text(*msg, None)),
            ApiError::Throttled { wait_secs } => {
                let (msg, arg) = Msg::throttled(*wait_secs);
                detail(text(msg, arg.as_deref()))
            }
        }
    }
}

/// The hashing pool's queue is full: 503 + `Retry-After: 1`.
impl From<crate::hashing::Overloaded> for ApiError {
    fn from(_: crate::hashing::Overloaded) -> Self {
        ApiError::Unavailable {
            msg: Msg::Overloaded,
            retry_after_secs: 1,
        }
    }
}

impl From<jwtd_store::StoreError> for ApiError {
    fn from(err: jwtd_store::StoreError) -> Self {
        ApiError::store(err)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = self.status().into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Renders the [`ApiError`] a response carries, if any, in the language `Accept-Language` picks
/// from the offered ones. In place: headers set on the way out (CORS) stay.
pub fn render(app: &AppState, accept_language: Option<&HeaderValue>, response: &mut Response) {
    let Some(error) = response.extensions_mut().remove::<ApiError>() else {
        return;
    };
    let lang = app.language(accept_language.and_then(|v| v.to_str().ok()));
    let body = serde_json::to_vec(&error.body(lang)).expect("error bodies serialize");
    *response.status_mut() = error.status();
    *response.body_mut() = Body::from(body);
    let headers = response.headers_mut();
    // The router stamped the empty body's length; hyper measures the new one.
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
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
}
