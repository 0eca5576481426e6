//! Refresh and sliding tokens the store tracks: refusing blacklisted ones, and detecting a
//! rotated token presented again.

use jwtd_core::settings::whole_seconds;
use jwtd_core::token::{Decoded, TokenKind};
use jwtd_store::{RefreshToken, TokenState};
use serde_json::json;

use super::{blacklisted, track};
use crate::api::error::ApiError;
use crate::api::now::Now;
use crate::audit::{self, Actor, Event, Origin};
use crate::state::AppState;

/// Decodes a refresh or sliding token and refuses blacklisted ones (SimpleJWT's
/// `RefreshToken(raw)` / `SlidingToken(raw)`). A blacklisted token that had been rotated is
/// also a reuse: see [`detect_reuse`].
pub(super) async fn decode_blacklistable(
    app: &AppState,
    raw: &str,
    kind: TokenKind,
    now: Now,
) -> Result<(Decoded, RefreshToken), ApiError> {
    let payload = app
        .tokens
        .decode(raw, Some(kind), now.secs())
        .map_err(ApiError::token)?;
    let mut record = track(app, &payload, raw.to_owned());
    if let Some(state) = app.store.token_state(&record.jti).await? {
        if state.blacklisted_at.is_some() {
            detect_reuse(app, &state, now).await?;
            return Err(blacklisted());
        }
        // A rotated token's login is its first token's, not its own jti.
        record.family = state.family;
    }
    Ok((payload, record))
}

/// Refresh-token reuse detection: a token presented again after it was rotated is either a
/// client racing itself (within `refresh_reuse_interval`: only refused) or a copy in someone
/// else's hands, in which case every token of its login's family is revoked, so the thief's
/// copy and the genuine client's newest token die together.
pub(super) async fn detect_reuse(
    app: &AppState,
    state: &TokenState,
    now: Now,
) -> Result<(), ApiError> {
    let Some(rotated_at) = state.rotated_at else {
        return Ok(());
    };
    let interval = whole_seconds(app.settings.refresh_reuse_interval);
    if now.secs() - rotated_at >= interval {
        let revoked = app
            .store
            .revoke_family(&state.family, now.secs())
            .await?
            .len();
        app.metrics.reuse_detected();
        app.activity.reuse_detected(now.secs());
        let event = Event::new("family.revoked", state.user_id)
            .detail(json!({"reason": "refresh token reused after rotation", "tokens": revoked}));
        audit::record(
            &*app.store,
            now.secs(),
            &Actor::Jwtd,
            event,
            &Origin::default(),
        )
        .await;
        tracing::warn!(
            family = %state.family,
            revoked,
            "refresh token reused after rotation; its family is revoked"
        );
    }
    Ok(())
}
