//! `TokenObtainPairView` and `TokenObtainSlidingView`: credentials in, tokens out.

use axum::Json;
use std::net::IpAddr;

use axum::extract::State;
use axum::http::{HeaderMap, header};
use jwtd_core::token::TokenKind;
use jwtd_store::{SessionOrigin, User};

use super::track;
use axum::response::Response;

use super::browser::{Source, exp, refresh_in_body, with_cookies};
use crate::api::bodies::{SlidingToken, TokenPair};
use crate::api::body::Data;
use crate::api::client_ip::ClientIp;
use crate::api::cookies::CookieMode;
use crate::api::error::ApiError;
use crate::api::issue::{record_login, remember_if_after_logout, token_for};
use crate::api::login::authenticate;
use crate::api::now::Now;
use crate::state::AppState;

/// Where a login came from: its session's IP and `User-Agent`.
fn session_origin(ip: IpAddr, headers: &HeaderMap) -> SessionOrigin {
    let agent = headers
        .get(header::USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    SessionOrigin::new(ip.to_string(), &agent)
}

/// Credentials in, `{"refresh", "access"}` out.
pub async fn obtain_pair(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    headers: HeaderMap,
    Data(data): Data,
) -> Result<Response, ApiError> {
    let user = authenticate(&app, &data, ip, now).await?;
    issue_pair(&app, app.cookies.as_ref(), &user, ip, &headers, now).await
}

/// A login's tokens for `user`, whose credentials checked out: a new session, and the pair in
/// the body and (with `cookie_mode`: the deployment's or the console's) in cookies.
pub async fn issue_pair(
    app: &AppState,
    cookie_mode: Option<&CookieMode>,
    user: &User,
    ip: IpAddr,
    headers: &HeaderMap,
    now: Now,
) -> Result<Response, ApiError> {
    let refresh = token_for(app, TokenKind::Refresh, user, ip, now);
    let mut record = track(app, &refresh, app.tokens.encode(&refresh));
    record.user_id = Some(user.id);
    let origin = session_origin(ip, headers);
    app.store.open_session(&record, &origin, now.secs()).await?;
    record_login(app, user, now).await?;
    let access = app
        .tokens
        .access_in_session(&refresh, &record.family, now.secs());
    remember_if_after_logout(app, user, now, &[&refresh, &access]).await?;
    let encoded_access = app.tokens.encode(&access);
    let body = TokenPair {
        // A login has no token to come from: in cookie mode the body carries the refresh
        // token only when configured to.
        refresh: refresh_in_body(cookie_mode, Source::Cookie).then(|| record.encoded.clone()),
        access: encoded_access.clone(),
    };
    Ok(with_cookies(
        cookie_mode,
        body,
        &record.family,
        Some((&record.encoded, record.expires_at)),
        (&encoded_access, exp(&access)),
        record.expires_at,
        now,
    ))
}

/// Credentials in, `{"token"}` out.
pub async fn obtain_sliding(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    headers: HeaderMap,
    Data(data): Data,
) -> Result<Json<SlidingToken>, ApiError> {
    let user = authenticate(&app, &data, ip, now).await?;
    let sliding = token_for(&app, TokenKind::Sliding, &user, ip, now);
    // Outstanding, as SimpleJWT's `SlidingToken.for_user` records it.
    let mut record = track(&app, &sliding, app.tokens.encode(&sliding));
    record.user_id = Some(user.id);
    let origin = session_origin(ip, &headers);
    app.store.open_session(&record, &origin, now.secs()).await?;
    record_login(&app, &user, now).await?;
    remember_if_after_logout(&app, &user, now, &[&sliding]).await?;
    Ok(Json(SlidingToken {
        token: record.encoded,
    }))
}
