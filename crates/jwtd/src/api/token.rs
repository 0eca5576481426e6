//! The SimpleJWT token endpoints: obtain pair, refresh, verify, blacklist, and the sliding
//! obtain and refresh views.

use std::net::IpAddr;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jwtd_core::Msg;
use jwtd_core::settings::whole_seconds;
use jwtd_core::token::{Payload, TokenError, TokenKind, TokenService, UserRef};
use jwtd_store::{RefreshToken, Rotation, TokenState};
use serde_json::{Value, json};

use super::auth::user_named_by;
use super::body::Data;
use super::client_ip::ClientIp;
use super::error::ApiError;
use super::fields::required_strings;
use super::login::{authenticate, record_login, token_for};
use crate::state::{AppState, now};

type ApiResult = Result<Json<Value>, ApiError>;

/// `TokenObtainPairView`: credentials in, `{"refresh", "access"}` out.
pub async fn obtain_pair(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Data(data): Data,
) -> ApiResult {
    let user = authenticate(&app, &data, ip).await?;
    let now = now();
    let refresh = token_for(&app, TokenKind::Refresh, &user, ip, now);
    let mut record = track(&app, &refresh);
    record.user_id = Some(user.id);
    app.store.add_refresh_token(&record, now).await?;
    record_login(&app, &user, now).await?;
    let access = app.tokens.access_from_refresh(&refresh, now);
    Ok(Json(json!({
        "refresh": app.tokens.encode(&refresh),
        "access": app.tokens.encode(&access),
    })))
}

/// `TokenObtainSlidingView`: credentials in, `{"token"}` out.
pub async fn obtain_sliding(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Data(data): Data,
) -> ApiResult {
    let user = authenticate(&app, &data, ip).await?;
    let now = now();
    let sliding = token_for(&app, TokenKind::Sliding, &user, ip, now);
    record_login(&app, &user, now).await?;
    Ok(Json(json!({ "token": app.tokens.encode(&sliding) })))
}

/// Decodes a refresh or sliding token and refuses blacklisted ones (SimpleJWT's
/// `RefreshToken(raw)` / `SlidingToken(raw)`). A blacklisted token that had been rotated is
/// also a reuse: see [`detect_reuse`].
pub(super) async fn decode_blacklistable(
    app: &AppState,
    raw: &str,
    kind: TokenKind,
) -> Result<(Payload, RefreshToken), ApiError> {
    let payload = app
        .tokens
        .decode(raw, Some(kind), now())
        .map_err(ApiError::token)?;
    let record = track(app, &payload);
    if let Some(state) = app.store.token_state(&record.jti).await?
        && state.blacklisted_at.is_some()
    {
        detect_reuse(app, &state).await?;
        return Err(blacklisted());
    }
    Ok((payload, record))
}

/// Refresh-token reuse detection: a token presented again after it was rotated is either a
/// client racing itself (within `refresh_reuse_interval`: only refused) or a copy in someone
/// else's hands, in which case every token of its login's family is revoked, so the thief's
/// copy and the genuine client's newest token die together.
async fn detect_reuse(app: &AppState, state: &TokenState) -> Result<(), ApiError> {
    let Some(rotated_at) = state.rotated_at else {
        return Ok(());
    };
    let interval = whole_seconds(app.settings.refresh_reuse_interval);
    if now() - rotated_at >= interval {
        let revoked = app.store.revoke_family(&state.family, now()).await?;
        app.metrics.reuse_detected();
        tracing::warn!(
            family = %state.family,
            revoked,
            "refresh token reused after rotation; its family is revoked"
        );
    }
    Ok(())
}

/// The store's view of a decoded token. A token jwtd never issued (e.g. minted by the Django
/// site being replaced) starts its own family.
fn track(app: &AppState, payload: &Payload) -> RefreshToken {
    let jti = jti_text(&app.tokens, payload);
    let user_id = match app.tokens.user_ref(payload) {
        Some(UserRef::Id(id)) => Some(id),
        _ => None,
    };
    RefreshToken {
        family: jti.clone(),
        jti,
        user_id,
        expires_at: TokenService::exp(payload),
    }
}

/// The jti as text (SimpleJWT accepts any JSON value there).
fn jti_text(tokens: &TokenService, payload: &Payload) -> String {
    match tokens.jti(payload) {
        Some(s) => s.to_owned(),
        None => payload.get("jti").map(Value::to_string).unwrap_or_default(),
    }
}

fn blacklisted() -> ApiError {
    ApiError::token(TokenError::Blacklisted)
}

/// The refresh views' user rule: a token naming a user that no longer exists or is inactive
/// gets `no_active_account`; under `check_revoke_token`, a token from before a password change
/// is blacklisted and refused (SimpleJWT PR #928).
async fn check_token_user(
    app: &AppState,
    payload: &Payload,
    record: &RefreshToken,
    ip: IpAddr,
) -> Result<(), ApiError> {
    if app.settings.bind_ip && !TokenService::issued_to(payload, &ip.to_string()) {
        return Err(ApiError::token(TokenError::Invalid));
    }
    let Some(user_ref) = app.tokens.user_ref(payload) else {
        return Ok(());
    };
    let user = user_named_by(app, user_ref)
        .await?
        .filter(|u| u.is_active || !app.settings.check_user_is_active);
    let Some(user) = user else {
        return Err(ApiError::detail(
            StatusCode::UNAUTHORIZED,
            Msg::NoActiveToken,
        ));
    };
    if !app.tokens.revoke_value_current(payload, &user.revoke_key) {
        app.store.blacklist(record, now()).await?;
        return Err(ApiError::detail(
            StatusCode::UNAUTHORIZED,
            Msg::PasswordChanged,
        ));
    }
    // Issued before the user logged out everywhere.
    if TokenService::iat(payload) < user.revoked_before {
        app.store.blacklist(record, now()).await?;
        return Err(blacklisted());
    }
    Ok(())
}

/// `TokenRefreshView`: a refresh token in, a new access token (and with rotation, a new
/// refresh token) out.
pub async fn refresh(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Data(data): Data,
) -> ApiResult {
    let [raw] = required_strings(&data, ["refresh"])?;
    let (payload, record) = decode_blacklistable(&app, &raw, TokenKind::Refresh).await?;
    check_token_user(&app, &payload, &record, ip).await?;
    let now = now();
    let access = app
        .tokens
        .encode(&app.tokens.access_from_refresh(&payload, now));
    if !app.settings.rotate_refresh_tokens {
        return Ok(Json(json!({ "access": access })));
    }
    let successor = app.tokens.rotated_refresh(&payload, now);
    let next = RefreshToken {
        jti: jti_text(&app.tokens, &successor),
        expires_at: TokenService::exp(&successor),
        ..record.clone()
    };
    match app
        .store
        .rotate(&record, &next, app.settings.blacklist_after_rotation, now)
        .await?
    {
        Rotation::Rotated => {
            app.metrics.rotation();
            Ok(Json(
                json!({ "access": access, "refresh": app.tokens.encode(&successor) }),
            ))
        }
        // Another request rotated this token first: it has had its one successor.
        Rotation::AlreadyUsed => {
            if let Some(state) = app.store.token_state(&record.jti).await? {
                detect_reuse(&app, &state).await?;
            }
            Err(blacklisted())
        }
    }
}

/// `TokenRefreshSlidingView`: a sliding token in, the same token with a fresh `exp` out, until
/// its `refresh_exp` has passed.
pub async fn refresh_sliding(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Data(data): Data,
) -> ApiResult {
    let [raw] = required_strings(&data, ["token"])?;
    let (payload, record) = decode_blacklistable(&app, &raw, TokenKind::Sliding).await?;
    let slid = app.tokens.slide(&payload, now()).map_err(ApiError::token)?;
    check_token_user(&app, &payload, &record, ip).await?;
    Ok(Json(json!({ "token": app.tokens.encode(&slid) })))
}

/// `TokenVerifyView`: any well-signed, unexpired token gives `{}`.
pub async fn verify(State(app): State<AppState>, Data(data): Data) -> ApiResult {
    let [raw] = required_strings(&data, ["token"])?;
    let payload = app
        .tokens
        .decode(&raw, None, now())
        .map_err(ApiError::token)?;
    // Only refresh and sliding tokens are ever blacklisted (as in SimpleJWT), so an access
    // token needs no database round trip: verify stays pure CPU for the common case.
    if !app.tokens.is_kind(&payload, TokenKind::Access)
        && app
            .store
            .is_blacklisted(&jti_text(&app.tokens, &payload))
            .await?
    {
        // SimpleJWT's quirk, kept: a blacklisted token is a 400 here, not a 401.
        return Err(ApiError::NonField(Msg::Blacklisted, None));
    }
    Ok(Json(json!({})))
}

/// `TokenBlacklistView`: retires a refresh token. Access tokens already issued live on until
/// they expire, as in SimpleJWT.
pub async fn blacklist(State(app): State<AppState>, Data(data): Data) -> ApiResult {
    let [raw] = required_strings(&data, ["refresh"])?;
    let (_, record) = decode_blacklistable(&app, &raw, TokenKind::Refresh).await?;
    if !app.store.blacklist(&record, now()).await? {
        return Err(blacklisted());
    }
    Ok(Json(json!({})))
}
