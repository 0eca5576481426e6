//! Sessions, for administrators (`/admin/users/{id}/sessions/`, `/admin/sessions/{id}/`) and
//! for their users (`/users/me/sessions/…`). Revoking a session blacklists its refresh-token
//! family: its refresh tokens are refused at once; its access tokens expire on their own.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jwtd_core::token::jti_in_session;
use jwtd_store::Session;
use serde_json::json;

use super::bodies::SessionBody;
use super::users::{ItemId, existing_user};
use super::{Admin, RequestOrigin};
use crate::api::auth::AuthToken;
use crate::api::error::ApiError;
use crate::api::now::Now;
use crate::audit::{self, Actor, Event, Origin};
use crate::state::AppState;

pub async fn of_user(
    State(app): State<AppState>,
    now: Now,
    _admin: Admin,
    ItemId(id): ItemId,
) -> Result<Json<Vec<SessionBody>>, ApiError> {
    existing_user(&app, id).await?;
    let sessions = app.store.user_sessions(id, now.secs()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionBody::new(s, None))
            .collect(),
    ))
}

pub async fn revoke(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    ItemId(id): ItemId,
) -> Result<StatusCode, ApiError> {
    admin.may_change()?;
    let session = app
        .store
        .session(id, now.secs())
        .await?
        .ok_or_else(ApiError::not_found)?;
    end(&app, now, session, &admin.actor, &admin.origin).await
}

/// `GET /users/me/sessions/`: the caller's sessions, the one of this token marked `current`.
pub async fn mine(
    State(app): State<AppState>,
    now: Now,
    token: AuthToken,
) -> Result<Json<Vec<SessionBody>>, ApiError> {
    let sessions = app.store.user_sessions(token.user.id, now.secs()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| {
                let current = jti_in_session(&token.jti, &s.family);
                SessionBody::new(s, Some(current))
            })
            .collect(),
    ))
}

/// `DELETE /users/me/sessions/{id}/`: another user's session is a 404, as a missing one is.
pub async fn revoke_mine(
    State(app): State<AppState>,
    now: Now,
    token: AuthToken,
    RequestOrigin(origin): RequestOrigin,
    ItemId(id): ItemId,
) -> Result<StatusCode, ApiError> {
    let session = app
        .store
        .session(id, now.secs())
        .await?
        .filter(|s| s.user_id == token.user.id)
        .ok_or_else(ApiError::not_found)?;
    end(&app, now, session, &Actor::User(token.user.id), &origin).await
}

async fn end(
    app: &AppState,
    now: Now,
    session: Session,
    actor: &Actor,
    origin: &Origin,
) -> Result<StatusCode, ApiError> {
    app.store.revoke_family(&session.family, now.secs()).await?;
    let event =
        Event::new("session.revoked", Some(session.user_id)).detail(json!({"session": session.id}));
    audit::record(&*app.store, now.secs(), actor, event, origin).await;
    Ok(StatusCode::NO_CONTENT)
}
