//! What the pair and sliding obtain views share (`TokenObtainSerializer`): checking the
//! credentials. The brute-force counters are in [`super::login_throttle`].

use std::net::IpAddr;

use axum::http::StatusCode;
use jwtd_core::Msg;
use jwtd_core::settings::LoginField;
use jwtd_store::User;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::fields::required_strings;
use super::login_throttle::Counters;
use super::now::Now;
use crate::audit::{self, Actor, Event, Origin};
use crate::metrics::LoginOutcome;
use crate::state::AppState;
use serde_json::json;

/// The active user the credentials in `data` name, or the one 401 every failure gets.
/// Throttled attempts get 429 before any work is done.
pub async fn authenticate(
    app: &AppState,
    data: &Map<String, Value>,
    ip: IpAddr,
    now: Now,
) -> Result<User, ApiError> {
    let login_field = app.settings.login_field;
    let [login, password] = required_strings(data, [login_field.name(), "password"])?;
    let counters = Counters::new(app, login_field, &login, ip);
    let outcome = match counters.begin(app, now).await {
        Ok(()) => verify_credentials(app, login_field, &login, password).await,
        Err(e) => Err(e),
    };
    let counted = match &outcome {
        Ok(_) => LoginOutcome::Success,
        Err(ApiError::Throttled { .. }) => LoginOutcome::Throttled,
        Err(e) if e.status().is_server_error() => LoginOutcome::Unavailable,
        Err(_) => LoginOutcome::BadCredentials,
    };
    app.metrics.login(counted);
    app.activity.login(counted, now.secs());
    if let Err(ApiError::Throttled { wait_secs }) = &outcome {
        audit_lock(app, login_field, &login, *wait_secs, ip, now).await;
    }
    let user = outcome?;
    counters.succeeded(app).await?;
    Ok(user)
}

/// `account.throttled`, once per lock: the login backs off after repeated failures.
async fn audit_lock(
    app: &AppState,
    login_field: LoginField,
    login: &str,
    wait_secs: u64,
    ip: IpAddr,
    now: Now,
) {
    let until = now
        .secs()
        .saturating_add(i64::try_from(wait_secs).unwrap_or(i64::MAX));
    if !app.lock_notices.is_new(login, now.secs(), until) {
        return;
    }
    let user = match login_field {
        LoginField::Username => app.store.user_by_username(login).await,
        LoginField::Email => app.store.user_by_email(login).await,
    };
    let event = Event::new("account.throttled", user.ok().flatten().map(|u| u.id))
        .detail(json!({"retry_after": wait_secs}));
    let origin = Origin {
        ip: Some(ip.to_string()),
        request_id: None,
    };
    audit::record(&*app.store, now.secs(), &Actor::Jwtd, event, &origin).await;
}

async fn verify_credentials(
    app: &AppState,
    login_field: LoginField,
    login: &str,
    password: String,
) -> Result<User, ApiError> {
    let user = match login_field {
        LoginField::Username => app.store.user_by_username(login).await?,
        LoginField::Email => app.store.user_by_email(login).await?,
    };
    // The hash is verified whatever the user's state, so unknown, inactive and wrong-password
    // logins cost the same work and get the same answer.
    let verification = app
        .hashing
        .verify(password.clone(), user.as_ref().map(|u| u.password.clone()))
        .await?;
    let user = match user {
        Some(user) if verification.matches && user.is_active => user,
        _ => return Err(ApiError::detail(StatusCode::UNAUTHORIZED, Msg::NoActive)),
    };
    if !(verification.needs_rehash && app.settings.rehash_on_login()) {
        return Ok(user);
    }
    if app.settings.django.is_some() {
        Ok(upgrade_hash_now(app, user, password).await)
    } else {
        upgrade_hash_later(app, &user, password);
        Ok(user)
    }
}

/// The Django-database mode's re-hash, done before the tokens are made, as Django's
/// `check_password` setter does: a site user's revocation value is the MD5 of their hash
/// (SimpleJWT's), so tokens must carry the new hash's. Any failure keeps the old hash, which
/// still verifies.
async fn upgrade_hash_now(app: &AppState, user: User, password: String) -> User {
    let Ok(hash) = app.hashing.hash(password).await else {
        return user;
    };
    match app
        .store
        .upgrade_password_hash(user.id, &user.password, &hash)
        .await
    {
        // Read back: the store derives the revocation value from the new hash.
        Ok(true) => match app.store.user_by_id(user.id).await {
            Ok(Some(upgraded)) => upgraded,
            _ => user,
        },
        Ok(false) => user,
        Err(e) => {
            tracing::warn!(user_id = user.id, error = %e, "could not upgrade a password hash");
            user
        }
    }
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
