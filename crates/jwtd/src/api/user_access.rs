//! The user rules ([`jwtd_core::user_rules`]) applied to a request: finds the user a token
//! names, asks the rules, and settles a token issued in the very second of a "log out
//! everywhere" with the store. The protected-route extractor ([`super::auth`]) and the refresh
//! views ([`super::token`]) call [`judge`] and map its refusal to their own SimpleJWT answers.

use std::net::IpAddr;

use jwtd_core::Timestamp;
use jwtd_core::token::{ReadClaims, UserRef};
use jwtd_core::user_rules::{self, Refusal, Standing, Verdict};
use jwtd_store::User;

use super::error::ApiError;
use crate::state::AppState;

/// The user a token names (if any) and whether they may act.
pub struct Judgement {
    pub user: Option<User>,
    pub outcome: Result<(), Refusal>,
}

pub async fn judge(
    app: &AppState,
    payload: &impl ReadClaims,
    ip: IpAddr,
) -> Result<Judgement, ApiError> {
    let user = match app.tokens.user_ref(payload) {
        Some(user_ref) => user_named_by(app, user_ref).await?,
        None => None,
    };
    let standing = user.as_ref().map(standing);
    let verdict = user_rules::check(&app.user_rules, &app.tokens, payload, ip, standing.as_ref());
    let outcome = match (verdict, &user) {
        (Verdict::Allowed, _) => Ok(()),
        (Verdict::Refused(refusal), _) => Err(refusal),
        (Verdict::IssuedInLogoutSecond, Some(user)) => {
            let jti = app.tokens.jti_text(payload);
            if app.store.issued_after_logout(&jti, user.id).await? {
                Ok(())
            } else {
                Err(Refusal::LoggedOut)
            }
        }
        (Verdict::IssuedInLogoutSecond, None) => Err(Refusal::UserNotFound),
    };
    Ok(Judgement { user, outcome })
}

/// What the rules read of a stored user.
pub fn standing(user: &User) -> Standing<'_> {
    Standing {
        is_active: user.is_active,
        revoke_key: &user.revoke_key,
        logged_out_at: user.logged_out_at.map(Timestamp::from_micros),
    }
}

/// The user a token's user-id claim names, if any.
async fn user_named_by(app: &AppState, user_ref: UserRef) -> Result<Option<User>, ApiError> {
    Ok(match user_ref {
        UserRef::Id(id) => app.store.user_by_id(id).await?,
        UserRef::Username(name) => app.store.user_by_username(&name).await?,
        UserRef::Email(email) => app.store.user_by_email(&email).await?,
        UserRef::Unknown => None,
    })
}
