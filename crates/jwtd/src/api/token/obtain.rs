//! `TokenObtainPairView` and `TokenObtainSlidingView`: credentials in, tokens out.

use axum::Json;
use axum::extract::State;
use jwtd_core::token::TokenKind;

use super::track;
use crate::api::bodies::{SlidingToken, TokenPair};
use crate::api::body::Data;
use crate::api::client_ip::ClientIp;
use crate::api::error::ApiError;
use crate::api::issue::{record_login, remember_if_after_logout, token_for};
use crate::api::login::authenticate;
use crate::api::now::Now;
use crate::state::AppState;

/// Credentials in, `{"refresh", "access"}` out.
pub async fn obtain_pair(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    Data(data): Data,
) -> Result<Json<TokenPair>, ApiError> {
    let user = authenticate(&app, &data, ip, now).await?;
    let refresh = token_for(&app, TokenKind::Refresh, &user, ip, now);
    let mut record = track(&app, &refresh, app.tokens.encode(&refresh));
    record.user_id = Some(user.id);
    app.store.add_refresh_token(&record, now.secs()).await?;
    record_login(&app, &user, now).await?;
    let access = app.tokens.access_from_refresh(&refresh, now.secs());
    remember_if_after_logout(&app, &user, now, &[&refresh, &access]).await?;
    Ok(Json(TokenPair {
        refresh: record.encoded,
        access: app.tokens.encode(&access),
    }))
}

/// Credentials in, `{"token"}` out.
pub async fn obtain_sliding(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    Data(data): Data,
) -> Result<Json<SlidingToken>, ApiError> {
    let user = authenticate(&app, &data, ip, now).await?;
    let sliding = token_for(&app, TokenKind::Sliding, &user, ip, now);
    // Outstanding, as SimpleJWT's `SlidingToken.for_user` records it.
    let mut record = track(&app, &sliding, app.tokens.encode(&sliding));
    record.user_id = Some(user.id);
    app.store.add_refresh_token(&record, now.secs()).await?;
    record_login(&app, &user, now).await?;
    remember_if_after_logout(&app, &user, now, &[&sliding]).await?;
    Ok(Json(SlidingToken {
        token: record.encoded,
    }))
}
