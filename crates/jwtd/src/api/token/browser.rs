//! The token endpoints in cookie mode: where a refresh token comes from (the body, else the
//! refresh cookie, then CSRF-checked), the cookies an answer sets, and the logout endpoint.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Response};
use jwtd_core::token::{Decoded, ReadClaims, TokenKind, TokenService};
use serde_json::{Map, Value};

use super::track;
use crate::api::bodies::Empty;
use crate::api::body::Data;
use crate::api::cookies::{self, CookieMode};
use crate::api::csrf;
use crate::api::error::ApiError;
use crate::api::fields::required_strings;
use crate::api::now::Now;
use crate::state::AppState;

/// Where a refresh request's token came from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Body,
    Cookie,
}

/// The refresh token of a request: the body's `refresh`, else (cookie mode) the refresh
/// cookie, which must pass the CSRF rule for its session. Neither: DRF's "required" error.
pub async fn refresh_token(
    app: &AppState,
    cookie_mode: Option<&CookieMode>,
    data: &Map<String, Value>,
    method: &Method,
    headers: &HeaderMap,
    now: Now,
) -> Result<(String, Source), ApiError> {
    let cookie = match cookie_mode {
        Some(mode) if !data.contains_key("refresh") => {
            // The request means to use the cookie: a cross-site one is refused even when the
            // browser withheld the cookie (SameSite).
            csrf::check_context(app, headers)?;
            cookies::read(headers, &mode.refresh_name).map(|raw| (mode, raw))
        }
        _ => None,
    };
    let Some((mode, raw)) = cookie else {
        let [raw] = required_strings(data, ["refresh"])?;
        return Ok((raw, Source::Body));
    };
    // The CSRF rule binds to the token's session; a token that does not decode has none and
    // is refused as such by the caller.
    if let Ok(payload) = app
        .tokens
        .decode(&raw, Some(TokenKind::Refresh), now.secs())
    {
        let family = session_family(app, &payload).await?;
        csrf::check(app, mode, method, headers, |f| f == family)?;
    }
    Ok((raw, Source::Cookie))
}

/// The login family a refresh token belongs to (its own jti for a token jwtd never saw).
async fn session_family(app: &AppState, payload: &Decoded) -> Result<String, ApiError> {
    let jti = app.tokens.jti_text(payload);
    Ok(match app.store.token_state(&jti).await? {
        Some(state) => state.family,
        None => jti,
    })
}

/// An encoded token and its `exp`.
pub type Issued<'a> = (&'a str, i64);

/// An answer with the cookie mode cookies of session `family`: the refresh token (when one
/// was issued), the access token, and a CSRF token, each cookie living as long as its token.
/// `session_exp`: when the session's refresh token expires.
pub fn with_cookies<T: serde::Serialize>(
    cookie_mode: Option<&CookieMode>,
    body: T,
    family: &str,
    refresh: Option<Issued<'_>>,
    access: Issued<'_>,
    session_exp: i64,
    now: Now,
) -> Response {
    let mut headers = HeaderMap::new();
    if let Some(mode) = cookie_mode {
        let life = |exp: i64| exp - now.secs();
        mode.issue(
            &mut headers,
            family,
            refresh.map(|(token, exp)| (token, life(exp))),
            (access.0, life(access.1)),
            life(session_exp),
        );
    }
    (headers, Json(body)).into_response()
}

/// A payload's `exp`.
pub fn exp(payload: &impl ReadClaims) -> i64 {
    TokenService::exp(payload)
}

/// Whether an answer's body carries the refresh token: always outside cookie mode, and in it
/// when configured or when the client sent its token in the body.
pub fn refresh_in_body(mode: Option<&CookieMode>, source: Source) -> bool {
    mode.is_none_or(|m| m.refresh_in_body() || source == Source::Body)
}

/// `POST <routes.logout>` (cookie mode): blacklists the refresh token (the cookie's, or the
/// body's) and expires the cookies; 200 `{}`. A token that no longer verifies only gets its
/// cookies cleared.
pub async fn logout(
    State(app): State<AppState>,
    now: Now,
    method: Method,
    headers: HeaderMap,
    Data(data): Data,
) -> Result<Response, ApiError> {
    let Some(mode) = &app.cookies else {
        return Err(ApiError::not_found());
    };
    logout_with(&app, mode, now, &method, &headers, &data).await
}

/// Logout in cookie mode `mode` (the deployment's, or the console's).
pub async fn logout_with(
    app: &AppState,
    mode: &CookieMode,
    now: Now,
    method: &Method,
    headers: &HeaderMap,
    data: &Map<String, Value>,
) -> Result<Response, ApiError> {
    // Clearing the cookies changes the browser's state: never for a cross-site page.
    csrf::check_context(app, headers)?;
    let present =
        data.contains_key("refresh") || cookies::read(headers, &mode.refresh_name).is_some();
    if present {
        let (raw, _) = refresh_token(app, Some(mode), data, method, headers, now).await?;
        if let Ok(payload) = app
            .tokens
            .decode(&raw, Some(TokenKind::Refresh), now.secs())
        {
            let record = track(app, &payload, raw);
            app.store.blacklist(&record, now.secs()).await?;
        }
    }
    let mut cleared = HeaderMap::new();
    mode.clear(&mut cleared);
    Ok((cleared, Empty {}).into_response())
}
