//! Why a request was refused, as SimpleJWT's `JWTAuthentication` says it (401).

use jwtd_core::token::{TokenError, TokenKind};
use jwtd_core::{Lang, Msg};
use serde_json::{Value, json};

/// A refused request. Every variant is a 401 whose [`Rejection::body`] is the one jwtd's own
/// protected routes send.
#[derive(Clone, Debug, PartialEq)]
pub enum Rejection {
    /// No `Authorization` header, or one with another keyword.
    NoCredentials,
    /// The keyword is known but the header is not `<keyword> <token>`.
    BadHeader,
    /// Not valid as any accepted token type; why, per type.
    NotValidForAnyType(Vec<(TokenKind, TokenError)>),
    /// Valid, but without a usable user-id claim.
    NoUserId,
}

impl Rejection {
    /// The JSON body in `lang` (English or Russian, jwtd's catalogs).
    ///
    /// ```
    /// use jwtd_verify::{Lang, Rejection};
    /// let body = Rejection::NoCredentials.body(Lang::En);
    /// assert_eq!(body["detail"], "Authentication credentials were not provided.");
    /// ```
    pub fn body(&self, lang: Lang) -> Value {
        let text = |msg: Msg, arg: Option<&str>| lang.render(msg, arg).into_owned();
        match self {
            Rejection::NoCredentials => json!({"detail": text(Msg::NoCreds, None)}),
            Rejection::BadHeader => json!({
                "detail": text(Msg::BadHeader, None),
                "code": "bad_authorization_header",
            }),
            Rejection::NotValidForAnyType(failures) => {
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
            Rejection::NoUserId => json!({
                "detail": text(Msg::NoUserId, None),
                "code": "token_not_valid",
            }),
        }
    }
}
