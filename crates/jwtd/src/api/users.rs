//! The authenticated user's endpoints: `GET /users/me/` and "log out everywhere".

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::auth::AuthUser;
use super::error::ApiError;
use crate::state::{AppState, now};

pub async fn me(AuthUser(user): AuthUser) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "roles": user.roles,
    }))
}

/// `POST /users/me/logout-all/`: every token the user holds dies — refresh tokens are
/// blacklisted, and tokens issued before now are refused on protected routes and at refresh.
pub async fn logout_all(
    State(app): State<AppState>,
    AuthUser(user): AuthUser,
) -> Result<Json<Value>, ApiError> {
    app.store.revoke_user_tokens(user.id, now()).await?;
    tracing::info!(user_id = user.id, "logged out everywhere");
    Ok(Json(json!({})))
}
