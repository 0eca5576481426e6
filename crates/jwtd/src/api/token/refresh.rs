//! `TokenRefreshView` and `TokenRefreshSlidingView`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jwtd_core::Msg;
use jwtd_core::token::{ReadClaims, TokenError, TokenKind, TokenService};
use jwtd_core::user_rules::Refusal;
use jwtd_store::{RefreshToken, Rotation, Succession, User};

use super::blacklisted;
use super::reuse::{decode_blacklistable, detect_reuse};
use axum::extract::Request;
use axum::http::{HeaderMap, Method};
use axum::response::Response;

use super::browser::{exp, refresh_in_body, refresh_token, with_cookies};
use crate::api::bodies::{RefreshResult, SlidingToken};
use crate::api::body::Data;
use crate::api::client_ip::ClientIp;
use crate::api::cookies::CookieMode;
use crate::api::error::ApiError;
use crate::api::fields::required_strings;
use crate::api::issue::remember_if_after_logout;
use crate::api::now::Now;
use crate::api::user_access::judge;
use crate::state::AppState;
use serde_json::{Map, Value};
use std::net::IpAddr;

/// A refresh token in, a new access token (and with rotation, a new refresh token) out.
pub async fn refresh(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    request: Request,
) -> Result<Response, ApiError> {
    // The headers are read in place (cookie mode), not extracted as a copy.
    let (head, body) = request.into_parts();
    let Data(data) = Data::read(&head.headers, body, &app).await?;
    let (method, headers) = (&head.method, &head.headers);
    refresh_with(&app, app.cookies.as_ref(), ip, now, method, headers, &data).await
}

/// A refresh, its cookies (if any) those of `cookie_mode` (the deployment's, or the console's).
pub async fn refresh_with(
    app: &AppState,
    cookie_mode: Option<&CookieMode>,
    ip: IpAddr,
    now: Now,
    method: &Method,
    headers: &HeaderMap,
    data: &Map<String, Value>,
) -> Result<Response, ApiError> {
    let (raw, source) = refresh_token(app, cookie_mode, data, method, headers, now).await?;
    let (payload, record) = decode_blacklistable(app, &raw, TokenKind::Refresh, now).await?;
    let user = refresh_user(app, &payload, &record, ip, now).await?;
    let access = app
        .tokens
        .mint_access_in_session(&payload, &record.family, now.secs());
    let encoded_access = &access.encoded;
    if !app.settings.rotate_refresh_tokens {
        touch_session(app, &record.family, now);
        remember_issue(app, user.as_ref(), now, &[&access]).await?;
        let body = RefreshResult {
            access: encoded_access.clone(),
            refresh: None,
        };
        let issued = (encoded_access.as_str(), exp(&access));
        return Ok(with_cookies(
            cookie_mode,
            body,
            &record.family,
            None,
            issued,
            record.expires_at,
            now,
        ));
    }
    let successor = app.tokens.rotated_refresh(payload.all(), now.secs());
    let next = RefreshToken {
        jti: app.tokens.jti_text(&successor),
        expires_at: TokenService::exp(&successor),
        encoded: app.tokens.encode(&successor),
        ..record.clone()
    };
    let succession = Succession {
        old: &record,
        new: &next,
        blacklist_old: app.settings.blacklist_after_rotation,
    };
    match app.store.rotate(succession, now.secs()).await? {
        Rotation::Rotated => {
            app.metrics.rotation();
            let issued: [&(dyn ReadClaims + Sync); 2] = [&access, &successor];
            remember_issue(app, user.as_ref(), now, &issued).await?;
            let body = RefreshResult {
                access: encoded_access.clone(),
                refresh: refresh_in_body(cookie_mode, source).then(|| next.encoded.clone()),
            };
            let issued = (encoded_access.as_str(), exp(&access));
            let rotated = Some((next.encoded.as_str(), next.expires_at));
            Ok(with_cookies(
                cookie_mode,
                body,
                &record.family,
                rotated,
                issued,
                next.expires_at,
                now,
            ))
        }
        // Another request rotated this token first: it has had its one successor.
        Rotation::AlreadyUsed => {
            if let Some(state) = app.store.token_state(&record.jti).await? {
                detect_reuse(app, &state, now).await?;
            }
            Err(blacklisted())
        }
    }
}

/// A sliding token in, the same token with a fresh `exp` out, until its `refresh_exp` has
/// passed.
pub async fn refresh_sliding(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    Data(data): Data,
) -> Result<Json<SlidingToken>, ApiError> {
    let [raw] = required_strings(&data, ["token"])?;
    let (payload, record) = decode_blacklistable(&app, &raw, TokenKind::Sliding, now).await?;
    let slid = app
        .tokens
        .slide(payload.all(), now.secs())
        .map_err(ApiError::token)?;
    let user = refresh_user(&app, &payload, &record, ip, now).await?;
    touch_session(&app, &record.family, now);
    remember_issue(&app, user.as_ref(), now, &[&slid]).await?;
    Ok(Json(SlidingToken {
        token: app.tokens.encode(&slid),
    }))
}

/// The user rules as the refresh views answer them (SimpleJWT's `TokenRefreshSerializer`): a
/// token without a user id is not checked; a deleted or inactive user gets
/// `no_active_account`; a token from before a password change (`check_revoke_token`) or before
/// a "log out everywhere" is blacklisted and refused (SimpleJWT PR #928).
async fn refresh_user(
    app: &AppState,
    payload: &impl ReadClaims,
    record: &RefreshToken,
    ip: std::net::IpAddr,
    now: Now,
) -> Result<Option<User>, ApiError> {
    let judgement = judge(app, payload, ip).await?;
    match judgement.outcome {
        Ok(()) | Err(Refusal::NoUserId) => Ok(judgement.user),
        Err(Refusal::WrongIp) => Err(ApiError::token(TokenError::Invalid)),
        Err(Refusal::UserNotFound | Refusal::UserInactive) => Err(ApiError::detail(
            StatusCode::UNAUTHORIZED,
            Msg::NoActiveToken,
        )),
        Err(Refusal::PasswordChanged) => {
            app.store.blacklist(record, now.secs()).await?;
            Err(ApiError::detail(
                StatusCode::UNAUTHORIZED,
                Msg::PasswordChanged,
            ))
        }
        Err(Refusal::LoggedOut) => {
            app.store.blacklist(record, now.secs()).await?;
            Err(blacklisted())
        }
    }
}

/// Marks the session used, off the request path: a refresh that does not rotate writes nothing
/// else, and the session's "last used" is kept to the minute (a rotation marks it in its own
/// transaction), so this instance asks the store at most once a minute per session.
fn touch_session(app: &AppState, family: &str, now: Now) {
    if !app.session_touches.claim(family, now.secs()) {
        return;
    }
    let (app, family) = (app.clone(), family.to_owned());
    tokio::spawn(async move {
        if let Err(e) = app.store.touch_session(&family, now.secs()).await {
            tracing::debug!(error = %e, "could not record a session's last use");
        }
    });
}

async fn remember_issue(
    app: &AppState,
    user: Option<&User>,
    now: Now,
    issued: &[&(dyn ReadClaims + Sync)],
) -> Result<(), ApiError> {
    match user {
        Some(user) => remember_if_after_logout(app, user, now, issued).await,
        None => Ok(()),
    }
}
