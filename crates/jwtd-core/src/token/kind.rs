//! What tokens are and why they are refused: SimpleJWT's token classes and `TokenError`s, and
//! the user a token names.

use crate::i18n::Msg;

/// SimpleJWT's token classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
    Sliding,
}

impl TokenKind {
    /// The `token_type` claim value.
    pub fn claim_value(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
            TokenKind::Sliding => "sliding",
        }
    }

    /// SimpleJWT's class name, used in the `messages` list of a 401.
    pub fn class_name(self) -> &'static str {
        match self {
            TokenKind::Access => "AccessToken",
            TokenKind::Refresh => "RefreshToken",
            TokenKind::Sliding => "SlidingToken",
        }
    }
}

impl From<crate::settings::TokenClass> for TokenKind {
    fn from(class: crate::settings::TokenClass) -> Self {
        match class {
            crate::settings::TokenClass::Access => TokenKind::Access,
            crate::settings::TokenClass::Sliding => TokenKind::Sliding,
        }
    }
}

/// Why a token was refused, one variant per SimpleJWT `TokenError` message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Bad signature, algorithm, shape, `aud`, `iss`, `nbf` or `iat`.
    #[error("token is invalid")]
    Invalid,
    #[error("token is expired")]
    Expired,
    /// `Token has no '{claim}' claim` (`exp`, or a sliding token's `refresh_exp`).
    #[error("token has no {0:?} claim")]
    NoClaim(String),
    /// `Token '{claim}' claim has expired` (a sliding token past its `refresh_exp`).
    #[error("token {0:?} claim has expired")]
    ClaimExpired(String),
    #[error("token has no id")]
    NoJti,
    #[error("token has no type")]
    NoType,
    #[error("token has wrong type")]
    WrongType,
    /// The token's `jti` is blacklisted (checked by the caller, which owns the store).
    #[error("token is blacklisted")]
    Blacklisted,
}

impl TokenError {
    /// The catalog message and its argument.
    pub fn message(&self) -> (Msg, Option<&str>) {
        match self {
            TokenError::Invalid => (Msg::Invalid, None),
            TokenError::Expired => (Msg::Expired, None),
            TokenError::NoClaim(claim) => (Msg::NoClaim, Some(claim)),
            TokenError::ClaimExpired(claim) => (Msg::ClaimExpired, Some(claim)),
            TokenError::NoJti => (Msg::NoJti, None),
            TokenError::NoType => (Msg::NoType, None),
            TokenError::WrongType => (Msg::WrongType, None),
            TokenError::Blacklisted => (Msg::Blacklisted, None),
        }
    }
}

/// The user a token names, read through `user_id_field`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// A JSON integer, or a string holding one (stock SimpleJWT 5.5 writes `"5"`).
    Id(i64),
    Username(String),
    Email(String),
    /// Present but not a value any user can have.
    Unknown,
}

/// What a new token needs to know about its user.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub id: i64,
    pub username: &'a str,
    pub email: &'a str,
    /// The user's current revocation value (written when `check_revoke_token` is on).
    pub revoke_key: &'a str,
}
