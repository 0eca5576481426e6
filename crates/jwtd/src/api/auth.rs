//! `JWTAuthentication`: the `Authorization` header of a protected route, checked as
//! SimpleJWT checks it, down to the user it names (the user rules: [`super::user_access`]).

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jwtd_core::Msg;
use jwtd_core::authorization::{BadHeader, bearer_token};
use jwtd_core::token::{Decoded, TokenError, TokenKind};
use jwtd_core::user_rules::Refusal;
use jwtd_store::User;

use super::client_ip::ClientIp;
use super::error::ApiError;
use super::now::Now;
use super::user_access::judge;
use super::{cookies, csrf};
use crate::state::AppState;
use jwtd_core::token::jti_in_session;
use std::borrow::Cow;

/// The user a valid token names.
pub struct AuthUser(pub User);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        Ok(AuthUser(authenticate(parts, app).await?.0))
    }
}

/// The user a valid token names, and the token's `jti` (which tells its session:
/// [`jwtd_core::token::jti_in_session`]).
pub struct AuthToken {
    pub user: User,
    pub jti: String,
}

impl FromRequestParts<AppState> for AuthToken {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let (user, payload) = authenticate(parts, app).await?;
        Ok(AuthToken {
            jti: app.tokens.jti_text(&payload),
            user,
        })
    }
}

/// The credentials of a protected route — the `Authorization` header, or in cookie mode the
/// access cookie under the CSRF rule — checked down to the user they name.
async fn authenticate(parts: &Parts, app: &AppState) -> Result<(User, Decoded), ApiError> {
    let no_credentials = || ApiError::detail(StatusCode::UNAUTHORIZED, Msg::NoCreds);
    let (raw, by_cookie) = match parts.headers.get(app.settings.auth_header_name.as_str()) {
        Some(header) => {
            let raw = bearer_token(header.as_bytes(), &app.settings.auth_header_types)
                .ok_or_else(no_credentials)?
                .map_err(|BadHeader| ApiError::coded(Msg::BadHeader, "bad_authorization_header"))?;
            (Cow::Borrowed(std::str::from_utf8(raw).unwrap_or("")), None)
        }
        // Cookie mode (the deployment's or the console's): the access cookie, when no header
        // is sent (a header always wins).
        None => app
            .cookie_modes()
            .find_map(|mode| {
                let raw = cookies::read(&parts.headers, mode.access_name.as_deref()?)?;
                Some((Cow::Owned(raw), Some(mode)))
            })
            .ok_or_else(no_credentials)?,
    };
    let now = Now::of(parts, app);
    let (kind, payload) = validated_token(app, &raw, now).await?;
    if let Some(mode) = by_cookie {
        let jti = app.tokens.jti_text(&payload);
        csrf::check(app, mode, &parts.method, &parts.headers, |family| {
            jti_in_session(&jti, family)
        })?;
    }
    let ClientIp(ip) = ClientIp::of(parts, app);
    let judgement = judge(app, &payload, ip).await?;
    match (judgement.outcome, judgement.user) {
        (Ok(()), Some(user)) => Ok((user, payload)),
        (Ok(()), None) => Err(refused(kind, Refusal::UserNotFound)),
        (Err(refusal), _) => Err(refused(kind, refusal)),
    }
}

/// The user rules as `JWTAuthentication` answers them.
fn refused(kind: TokenKind, refusal: Refusal) -> ApiError {
    // A token refused after it validated: reported as SimpleJWT reports token faults.
    let as_token_fault = |error| ApiError::NotValidForAnyType(vec![(kind, error)]);
    match refusal {
        Refusal::WrongIp => as_token_fault(TokenError::Invalid),
        Refusal::NoUserId => ApiError::coded(Msg::NoUserId, "token_not_valid"),
        Refusal::UserNotFound => ApiError::coded(Msg::UserNotFound, "user_not_found"),
        Refusal::UserInactive => ApiError::coded(Msg::UserInactive, "user_inactive"),
        Refusal::PasswordChanged => ApiError::coded(Msg::PasswordChanged, "password_changed"),
        Refusal::LoggedOut => as_token_fault(TokenError::Blacklisted),
    }
}

/// `get_validated_token`: the first of `auth_token_classes` the token is valid as; otherwise a
/// 401 listing why it failed as each. Sliding tokens are also checked against the blacklist.
async fn validated_token(
    app: &AppState,
    raw: &str,
    now: Now,
) -> Result<(TokenKind, Decoded), ApiError> {
    let mut failures = Vec::new();
    for &class in &app.settings.auth_token_classes {
        let kind = TokenKind::from(class);
        let error = match app.tokens.decode(raw, Some(kind), now.secs()) {
            Ok(payload) if kind != TokenKind::Sliding => return Ok((kind, payload)),
            Ok(payload) => match app.tokens.jti(&payload) {
                Some(jti) if app.store.is_blacklisted(jti).await? => TokenError::Blacklisted,
                _ => return Ok((kind, payload)),
            },
            Err(error) => error,
        };
        failures.push((kind, error));
    }
    Err(ApiError::NotValidForAnyType(failures))
}
