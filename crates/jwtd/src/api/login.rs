//! What the pair and sliding obtain views share (`TokenObtainSerializer`): checking the
//! credentials, and the claims a new token gets.

use std::net::{IpAddr, SocketAddr};

use axum::http::{HeaderMap, StatusCode};
use jwtd_core::Msg;
use jwtd_core::settings::{ExtraClaim, LoginField};
use jwtd_core::token::{Payload, Subject, TokenKind};
use jwtd_store::User;
use serde_json::{Map, Value, json};

use super::client_ip::client_ip;
use super::error::ApiError;
use super::fields::required_strings;
use crate::state::AppState;

/// The active user the credentials in `data` name, or the one 401 every failure gets.
pub async fn authenticate(app: &AppState, data: &Map<String, Value>) -> Result<User, ApiError> {
    let login_field = app.settings.login_field;
    let [login, password] = required_strings(data, [login_field.name(), "password"])?;
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
        upgrade_hash_later(app, &user, password);
    }
    Ok(user)
}

/// Re-hashes a password stored with older parameters or another algorithm (Django's
/// `must_update`), off the request path. A password changed meanwhile is left alone.
fn upgrade_hash_later(app: &AppState, user: &User, password: String) {
    let app = app.clone();
    let (id, old) = (user.id, user.password.clone());
    tokio::spawn(async move {
        if let Ok(hash) = app.hashing.hash(password).await
            && let Err(e) = app.store.upgrade_password_hash(id, &old, &hash).await
        {
            tracing::warn!(user_id = id, error = %e, "could not upgrade a password hash");
        }
    });
}

/// `for_user` plus the configured custom claims: the login's refresh or sliding token.
pub fn token_for(
    app: &AppState,
    kind: TokenKind,
    user: &User,
    peer: SocketAddr,
    headers: &HeaderMap,
    now: i64,
) -> Payload {
    let ip = client_ip(peer, headers, &app.settings.trusted_proxies);
    let subject = Subject {
        id: user.id,
        username: &user.username,
        email: &user.email,
        revoke_key: &user.revoke_key,
    };
    app.tokens
        .for_user(kind, &subject, extra_claims(app, user, ip), now)
}

fn extra_claims(app: &AppState, user: &User, ip: IpAddr) -> Vec<(String, Value)> {
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

/// `update_last_login`, when configured.
pub async fn record_login(app: &AppState, user: &User, now: i64) -> Result<(), ApiError> {
    if app.settings.update_last_login {
        app.store.record_login(user.id, now).await?;
    }
    Ok(())
}
