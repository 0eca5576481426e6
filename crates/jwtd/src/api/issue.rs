//! Issuing tokens to a user: the claims a login's token gets, and the record that lets a token
//! issued in the very second of a "log out everywhere" (but after it) pass the user rules.

use std::net::IpAddr;

use jwtd_core::settings::ExtraClaim;
use jwtd_core::token::{Payload, ReadClaims, Subject, TokenKind, TokenService};
use jwtd_core::user_rules::must_record_issue;
use jwtd_store::User;
use serde_json::{Value, json};

use super::error::ApiError;
use super::now::Now;
use super::user_access::standing;
use crate::state::AppState;

/// `for_user` plus the configured custom claims: the login's refresh or sliding token.
pub fn token_for(app: &AppState, kind: TokenKind, user: &User, ip: IpAddr, now: Now) -> Payload {
    let subject = Subject {
        id: user.id,
        username: &user.username,
        email: &user.email,
        revoke_key: &user.revoke_key,
    };
    app.tokens
        .for_user(kind, &subject, extra_claims(app, user, ip), now.secs())
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

/// Records `issued` (tokens just minted for `user` at `now`) when they share the second of the
/// user's last "log out everywhere": their `iat` alone would make them look issued before it.
/// Costs nothing outside that one second.
pub async fn remember_if_after_logout(
    app: &AppState,
    user: &User,
    now: Now,
    issued: &[&(dyn ReadClaims + Sync)],
) -> Result<(), ApiError> {
    if !must_record_issue(now.0, standing(user).logged_out_at) {
        return Ok(());
    }
    for payload in issued {
        let jti = app.tokens.jti_text(payload);
        let expires_at = TokenService::exp(payload);
        app.store
            .record_issued_after_logout(&jti, user.id, expires_at)
            .await?;
    }
    Ok(())
}

/// `update_last_login`, when configured.
pub async fn record_login(app: &AppState, user: &User, now: Now) -> Result<(), ApiError> {
    if app.settings.update_last_login {
        app.store.record_login(user.id, now.secs()).await?;
    }
    Ok(())
}
