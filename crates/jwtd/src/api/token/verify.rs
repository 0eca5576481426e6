//! `TokenVerifyView` and `TokenBlacklistView`.

use axum::extract::State;
use jwtd_core::Msg;
use jwtd_core::token::TokenKind;

use super::blacklisted;
use super::reuse::decode_blacklistable;
use crate::api::bodies::Empty;
use crate::api::body::Data;
use crate::api::error::ApiError;
use crate::api::fields::required_strings;
use crate::api::now::Now;
use crate::state::AppState;

/// Any well-signed, unexpired token gives `{}`.
pub async fn verify(
    State(app): State<AppState>,
    now: Now,
    Data(data): Data,
) -> Result<Empty, ApiError> {
    let [raw] = required_strings(&data, ["token"])?;
    let payload = app
        .tokens
        .decode(&raw, None, now.secs())
        .map_err(ApiError::token)?;
    // Only refresh and sliding tokens are ever blacklisted (as in SimpleJWT), so an access
    // token needs no database round trip: verify stays pure CPU for the common case.
    if !app.tokens.is_kind(&payload, TokenKind::Access)
        && app
            .store
            .is_blacklisted(&app.tokens.jti_text(&payload))
            .await?
    {
        // SimpleJWT's quirk, kept: a blacklisted token is a 400 here, not a 401.
        return Err(ApiError::NonField(Msg::Blacklisted, None));
    }
    Ok(Empty {})
}

/// Retires a refresh token. Access tokens already issued live on until they expire, as in
/// SimpleJWT.
pub async fn blacklist(
    State(app): State<AppState>,
    now: Now,
    Data(data): Data,
) -> Result<Empty, ApiError> {
    let [raw] = required_strings(&data, ["refresh"])?;
    let (_, record) = decode_blacklistable(&app, &raw, TokenKind::Refresh, now).await?;
    if !app.store.blacklist(&record, now.secs()).await? {
        return Err(blacklisted());
    }
    Ok(Empty {})
}
