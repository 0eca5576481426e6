//! The SimpleJWT token endpoints: obtain pair, refresh, verify, blacklist.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use jwtd_core::Msg;
use jwtd_core::settings::{ExtraClaim, LoginField};
use jwtd_core::token::{Payload, TokenKind, TokenService, UserIdClaim};
use jwtd_store::{RefreshToken, Rotation, User};
use serde_json::{Value, json};

use super::auth::user_named_by;
use super::body::Data;
use super::client_ip::client_ip;
use super::error::ApiError;
use super::fields::required_strings;
use crate::state::{AppState, now};

type ApiResult = Result<Json<Value>, ApiError>;

/// `TokenObtainPairView`: credentials in, `{"refresh", "access"}` out.
pub async fn obtain_pair(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Data(data): Data,
) -> ApiResult {
    let login_field = app.settings.login_field;
    let [login, password] = required_strings(&data, [login_field.name(), "password"])?;
    let user = match login_field {
        LoginField::Username => app.store.user_by_username(&login).await?,
        LoginField::Email => app.store.user_by_email(&login).await?,
    };
    // The hash is verified whatever the user's state, so unknown, inactive and wrong-password
    // logins cost the same work and get the same answer.
    let verification = app
        .hashing
        .verify(password.clone(), user.as_ref().map(|u| u.password.clone()))
        .await
        .map_err(|_| ApiError::Unavailable {
            msg: Msg::Overloaded,
            retry_after_secs: 1,
        })?;
    let user = match user {
        Some(user) if verification.matches && user.is_active => user,
        _ => return Err(ApiError::detail(StatusCode::UNAUTHORIZED, Msg::NoActive)),
    };
    if verification.needs_rehash {
        upgrade_hash_later(&app, user.id, password);
    }

    let now = now();
    let extra = extra_claims(
        &app,
        &user,
        client_ip(peer, &headers, &app.settings.trusted_proxies),
    );
    let refresh = app.tokens.refresh_for_user(user.id, extra, now);
    let jti = app
        .tokens
        .jti(&refresh)
        .expect("minted tokens carry a jti")
        .to_owned();
    let record = RefreshToken {
        family: jti.clone(),
        jti,
        user_id: Some(user.id),
        expires_at: TokenService::exp(&refresh),
    };
    app.store.add_refresh_token(&record, now).await?;
    if app.settings.update_last_login {
        app.store.record_login(user.id, now).await?;
    }
    let access = app.tokens.access_from_refresh(&refresh, now);
    Ok(Json(json!({
        "refresh": app.tokens.encode(&refresh),
        "access": app.tokens.encode(&access),
    })))
}

/// Re-hashes a password stored with older parameters or another algorithm (Django's
/// `must_update`), off the request path.
fn upgrade_hash_later(app: &AppState, user_id: i64, password: String) {
    let app = app.clone();
    tokio::spawn(async move {
        if let Ok(hash) = app.hashing.hash(password).await
            && let Err(e) = app.store.set_password(user_id, &hash).await
        {
            tracing::warn!(user_id, error = %e, "could not upgrade a password hash");
        }
    });
}

fn extra_claims(app: &AppState, user: &User, ip: std::net::IpAddr) -> Vec<(String, Value)> {
    app.settings
        .extra_claims
        .iter()
        .map(|claim| {
            let value = match claim {
                ExtraClaim::Roles => json!(user.roles),
                ExtraClaim::IpAddress => json!(ip.to_string()),
            };
            (claim.name().to_owned(), value)
        })
        .collect()
}

/// Decodes a refresh token and refuses blacklisted ones (SimpleJWT's `RefreshToken(raw)`).
async fn valid_refresh(app: &AppState, raw: &str) -> Result<(Payload, RefreshToken), ApiError> {
    let payload = app
        .tokens
        .decode(raw, Some(TokenKind::Refresh))
        .map_err(ApiError::token)?;
    let record = track(app, &payload);
    if app.store.is_blacklisted(&record.jti).await? {
        return Err(blacklisted());
    }
    Ok((payload, record))
}

/// The store's view of a decoded refresh token. A token jwtd never issued (e.g. minted by the
/// Django site being replaced) starts its own family.
fn track(app: &AppState, payload: &Payload) -> RefreshToken {
    let jti = jti_text(&app.tokens, payload);
    let user_id = match app.tokens.user_id(payload) {
        Some(UserIdClaim::Id(id)) => Some(id),
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
    ApiError::coded(Msg::Blacklisted, "token_not_valid")
}

/// `TokenRefreshView`: a refresh token in, a new access token (and with rotation, a new
/// refresh token) out.
pub async fn refresh(State(app): State<AppState>, Data(data): Data) -> ApiResult {
    let [raw] = required_strings(&data, ["refresh"])?;
    let (payload, record) = valid_refresh(&app, &raw).await?;
    if let Some(claim) = app.tokens.user_id(&payload) {
        let user = user_named_by(&app, claim).await?;
        let active = user.is_some_and(|u| u.is_active || !app.settings.check_user_is_active);
        if !active {
            return Err(ApiError::detail(
                StatusCode::UNAUTHORIZED,
                Msg::NoActiveToken,
            ));
        }
    }
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
        Rotation::Rotated => Ok(Json(
            json!({ "access": access, "refresh": app.tokens.encode(&successor) }),
        )),
        // Another request rotated this token first: it has had its one successor.
        Rotation::AlreadyUsed => Err(blacklisted()),
    }
}

/// `TokenVerifyView`: any well-signed, unexpired token gives `{}`.
pub async fn verify(State(app): State<AppState>, Data(data): Data) -> ApiResult {
    let [raw] = required_strings(&data, ["token"])?;
    let payload = app.tokens.decode(&raw, None).map_err(ApiError::token)?;
    if app
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
    let (_, record) = valid_refresh(&app, &raw).await?;
    if !app.store.blacklist(&record, now()).await? {
        return Err(blacklisted());
    }
    Ok(Json(json!({})))
}
