//! The SimpleJWT token endpoints: obtain pair and sliding ([`obtain`]), refresh and sliding
//! refresh ([`refresh`]), verify and blacklist ([`verify`]); what they share about refresh
//! tokens the store tracks is in [`reuse`].

mod browser;
mod obtain;
mod refresh;
mod reuse;
mod session_touches;
mod verify;

pub use browser::{logout, logout_with};
pub use obtain::{issue_pair, obtain_pair, obtain_sliding};
pub use refresh::{refresh, refresh_sliding, refresh_with};
pub use session_touches::SessionTouches;
pub use verify::{blacklist, verify};

use jwtd_core::token::{ReadClaims, TokenError, TokenService, UserRef};
use jwtd_store::RefreshToken;

use super::error::ApiError;
use crate::state::AppState;

/// The store's view of a token (`encoded` is its text). A token jwtd never issued (e.g. minted
/// by the Django site being replaced) starts its own family.
fn track(app: &AppState, payload: &impl ReadClaims, encoded: String) -> RefreshToken {
    let jti = app.tokens.jti_text(payload);
    let user_id = match app.tokens.user_ref(payload) {
        Some(UserRef::Id(id)) => Some(id),
        _ => None,
    };
    RefreshToken {
        family: jti.clone(),
        jti,
        user_id,
        expires_at: TokenService::exp(payload),
        encoded,
    }
}

fn blacklisted() -> ApiError {
    ApiError::token(TokenError::Blacklisted)
}
