//! `GET /users/me/`: the authenticated user.

use axum::Json;
use serde_json::{Value, json};

use super::auth::AuthUser;

pub async fn me(AuthUser(user): AuthUser) -> Json<Value> {
    Json(json!({
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "roles": user.roles,
    }))
}
