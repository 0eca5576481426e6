//! Self-service: a user changing their own password, and registration (off by default).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use jwtd_core::Msg;
use jwtd_core::password::rules::Person;
use jwtd_core::token::jti_in_session;
use jwtd_store::NewUser;
use serde_json::json;

use super::admin::RequestOrigin;
use super::admin::bodies::AdminUser;
use super::admin::input::Form;
use super::auth::AuthToken;
use super::bodies::Empty;
use super::body::Data;
use super::error::ApiError;
use super::now::Now;
use crate::audit::{self, Actor, Event};
use crate::state::AppState;

/// `POST /users/me/password/` `{"old_password", "new_password"}`: the old password must be
/// right and the new one pass the rules; every other session of the user ends, this one stays
/// (with `check_revoke_token` on, SimpleJWT's rule ends it too: its tokens carry the old
/// password's revocation value).
pub async fn change_password(
    State(app): State<AppState>,
    now: Now,
    token: AuthToken,
    RequestOrigin(origin): RequestOrigin,
    Data(data): Data,
) -> Result<Empty, ApiError> {
    let user = token.user;
    let mut form = Form::new(&data);
    let old = form.text("old_password", true, false, false);
    let person = Person {
        username: &user.username,
        email: &user.email,
    };
    let new = form.new_password("new_password", &app.settings.password_rules, person);
    if let Some(old) = old {
        let verification = app.hashing.verify(old, Some(user.password.clone())).await?;
        if !verification.matches {
            form.error("old_password", Msg::WrongOldPassword, None);
        }
    }
    form.finish()?;
    let hashed = app.hashing.hash(new.expect("finish() passed")).await?;
    app.store.set_password(user.id, &hashed).await?;
    let sessions = app.store.user_sessions(user.id, now.secs()).await?;
    let current = sessions
        .iter()
        .find(|s| jti_in_session(&token.jti, &s.family))
        .map(|s| s.family.as_str());
    let ended = app
        .store
        .end_other_sessions(user.id, current, now.secs())
        .await?;
    let event = Event::new("password.changed", Some(user.id))
        .detail(json!({"other_sessions_ended": ended.len()}));
    audit::record(
        &*app.store,
        now.secs(),
        &Actor::User(user.id),
        event,
        &origin,
    )
    .await;
    Ok(Empty {})
}

/// `POST` at `routes.register` `{"username", "email", "password"}`: a new active user without
/// roles; 201 with the user.
pub async fn register(
    State(app): State<AppState>,
    now: Now,
    RequestOrigin(origin): RequestOrigin,
    Data(data): Data,
) -> Result<(StatusCode, Json<AdminUser>), ApiError> {
    let mut form = Form::new(&data);
    let username = form.username(true);
    let email = form.email().unwrap_or_default();
    let person = Person {
        username: username.as_deref().unwrap_or(""),
        email: &email,
    };
    let password = form.new_password("password", &app.settings.password_rules, person);
    form.finish()?;
    let (Some(username), Some(password)) = (username, password) else {
        unreachable!("finish() passed, so both are present");
    };
    let new = NewUser {
        username,
        email,
        password: app.hashing.hash(password).await?,
        is_active: true,
        roles: Vec::new(),
    };
    let user = app.store.create_user(new, now.secs()).await?;
    let event =
        Event::new("user.registered", Some(user.id)).detail(json!({"username": user.username}));
    audit::record(
        &*app.store,
        now.secs(),
        &Actor::User(user.id),
        event,
        &origin,
    )
    .await;
    Ok((StatusCode::CREATED, Json(user.into())))
}
