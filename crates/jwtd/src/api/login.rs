//! What the pair and sliding obtain views share (`TokenObtainSerializer`): checking the
//! credentials, and the claims a new token gets.

use std::net::IpAddr;

use axum::http::StatusCode;
use jwtd_core::Msg;
use jwtd_core::settings::{ExtraClaim, LoginField, whole_seconds};
use jwtd_core::token::{Payload, Subject, TokenKind};
use jwtd_store::{Attempt, ThrottlePolicy, User};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::fields::required_strings;
use crate::metrics::LoginOutcome;
use crate::state::{AppState, now};

/// The active user the credentials in `data` name, or the one 401 every failure gets.
/// Throttled attempts get 429 before any work is done.
pub async fn authenticate(
    app: &AppState,
    data: &Map<String, Value>,
    ip: IpAddr,
) -> Result<User, ApiError> {
    let login_field = app.settings.login_field;
    let [login, password] = required_strings(data, [login_field.name(), "password"])?;
    let counters = Counters::new(app, login_field, &login, ip);
    let outcome = match counters.begin(app).await {
        Ok(()) => verify_credentials(app, login_field, &login, password).await,
        Err(e) => Err(e),
    };
    app.metrics.login(match &outcome {
        Ok(_) => LoginOutcome::Success,
        Err(ApiError::Throttled { .. }) => LoginOutcome::Throttled,
        Err(ApiError::Unavailable { .. }) => LoginOutcome::Unavailable,
        Err(_) => LoginOutcome::BadCredentials,
    });
    let user = outcome?;
    counters.succeeded(app).await?;
    Ok(user)
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
        .await
        .map_err(|_| ApiError::Unavailable {
            msg: Msg::Overloaded,
            retry_after_secs: 1,
        })?;
    let user = match user {
        Some(user) if verification.matches && user.is_active => user,
        _ => return Err(ApiError::detail(StatusCode::UNAUTHORIZED, Msg::NoActive)),
    };
    if verification.needs_rehash && app.settings.hashing.upgrade_on_login {
        upgrade_hash_later(app, &user, password);
    }
    Ok(user)
}

/// The brute-force counters a login attempt is charged to: the account (the login name as
/// typed, normalized as the lookup normalizes it, hashed so no attempted name is stored) and
/// the client IP. The account counter does not depend on whether the account exists.
struct Counters {
    keys: Vec<(String, ThrottlePolicy)>,
}

impl Counters {
    fn new(app: &AppState, field: LoginField, login: &str, ip: IpAddr) -> Counters {
        let throttle = &app.settings.throttle;
        if !throttle.enabled {
            return Counters { keys: Vec::new() };
        }
        let policy = |free: u32| ThrottlePolicy {
            free_failures: i64::from(free),
            base_delay: whole_seconds(throttle.base_delay),
            max_delay: whole_seconds(throttle.max_delay),
            window: whole_seconds(throttle.window),
        };
        let normalized = match field {
            LoginField::Username => login.to_owned(),
            LoginField::Email => login.to_lowercase(),
        };
        let digest = Sha256::digest(normalized.as_bytes());
        let account = format!("account:{}", hex(&digest));
        Counters {
            keys: vec![
                (format!("ip:{ip}"), policy(throttle.ip_failures)),
                (account, policy(throttle.account_failures)),
            ],
        }
    }

    /// Charges the attempt to every counter, or refuses it with the longest wait.
    async fn begin(&self, app: &AppState) -> Result<(), ApiError> {
        let now = now();
        for (key, policy) in &self.keys {
            if let Attempt::Blocked { retry_after } =
                app.store.begin_login_attempt(key, policy, now).await?
            {
                return Err(ApiError::Throttled {
                    wait_secs: u64::try_from(retry_after).unwrap_or(1),
                });
            }
        }
        Ok(())
    }

    /// A success clears the account's failures and takes this attempt off the IP's count.
    async fn succeeded(&self, app: &AppState) -> Result<(), ApiError> {
        for (key, _) in &self.keys {
            let reset = key.starts_with("account:");
            app.store.login_succeeded(key, reset).await?;
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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
pub fn token_for(app: &AppState, kind: TokenKind, user: &User, ip: IpAddr, now: i64) -> Payload {
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
