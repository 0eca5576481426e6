//! The authenticated user's endpoints: `GET /users/me/` and "log out everywhere".

use axum::Json;
use axum::extract::State;

use super::admin::RequestOrigin;
use super::auth::AuthUser;
use super::bodies::{Empty, Me};
use super::error::ApiError;
use super::now::Now;
use crate::audit::{self, Actor, Event};
use crate::state::AppState;

pub async fn me(AuthUser(user): AuthUser) -> Json<Me> {
    Json(Me {
        id: user.id,
        username: user.username,
        email: user.email,
        roles: user.roles,
    })
}

/// `POST /users/me/logout-all/`: every token the user holds dies — refresh tokens are
/// blacklisted, and tokens issued before this instant are refused on protected routes and at
/// refresh.
pub async fn logout_all(
    State(app): State<AppState>,
    now: Now,
    AuthUser(user): AuthUser,
    RequestOrigin(origin): RequestOrigin,
) -> Result<Empty, ApiError> {
    app.store
        .revoke_user_tokens(user.id, now.0.micros())
        .await?;
    let event = Event::new("user.logged_out_everywhere", Some(user.id));
    audit::record(
        &*app.store,
        now.secs(),
        &Actor::User(user.id),
        event,
        &origin,
    )
    .await;
    tracing::info!(user_id = user.id, "logged out everywhere");
    Ok(Empty {})
}
