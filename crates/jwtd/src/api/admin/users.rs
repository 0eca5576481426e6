//! `/admin/users/…`: list, create, read, change, delete; set a password; log out everywhere.

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use jwtd_core::Msg;
use jwtd_core::password::rules::Person;
use jwtd_store::{NewUser, User, UserChanges, UserQuery};
use serde_json::json;

use super::Admin;
use super::bodies::{AdminUser, Page};
use super::input::Form;
use super::page::ListQuery;
use crate::api::bodies::Empty;
use crate::api::body::Data;
use crate::api::error::ApiError;
use crate::api::now::Now;
use crate::audit::{self, Event};
use crate::state::AppState;

/// An item id from the path; not an integer is DRF's 404 (its `<int:pk>` route would not match).
pub struct ItemId(pub i64);

impl FromRequestParts<AppState> for ItemId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let Path(id) = Path::<String>::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::not_found())?;
        id.parse().map(ItemId).map_err(|_| ApiError::not_found())
    }
}

/// The user `id`, or 404.
pub async fn existing_user(app: &AppState, id: i64) -> Result<User, ApiError> {
    app.store
        .user_by_id(id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// `GET /admin/users/?search=&is_active=&role=&page=&page_size=`.
pub async fn list(
    State(app): State<AppState>,
    _admin: Admin,
    query: ListQuery,
) -> Result<Json<Page<AdminUser>>, ApiError> {
    let is_active = match query.param("is_active") {
        None => None,
        Some(text) => Some(match text {
            "true" | "True" | "1" => true,
            "false" | "False" | "0" => false,
            _ => return Err(ApiError::field("is_active", Msg::NotBoolean)),
        }),
    };
    let filter = UserQuery {
        search: query.param("search").map(str::to_owned),
        is_active,
        role: query.param("role").map(str::to_owned),
        offset: 0,
        limit: 0,
    };
    let page = query
        .fetch(|window| {
            let (app, filter) = (app.clone(), filter.clone());
            async move {
                let query = UserQuery {
                    offset: window.offset,
                    limit: window.limit,
                    ..filter
                };
                let (count, users) = app.store.search_users(&query).await?;
                Ok((count, users.into_iter().map(AdminUser::from).collect()))
            }
        })
        .await?;
    Ok(Json(page))
}

/// `POST /admin/users/`: username, email, roles, is_active, and a password (under the
/// password rules) or a Django password hash (taken as it is).
pub async fn create(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    Data(data): Data,
) -> Result<(StatusCode, Json<AdminUser>), ApiError> {
    admin.may_change()?;
    let mut form = Form::new(&data);
    let username = form.username(true);
    let email = form.email().unwrap_or_default();
    let roles = form.roles().unwrap_or_default();
    let is_active = form.boolean("is_active").unwrap_or(true);
    let password = if form.has("password_hash") {
        if form.has("password") {
            form.error("password_hash", Msg::PasswordOrHash, None);
        }
        let hash = form.text("password_hash", true, true, false);
        let usable = match &hash {
            Some(h) => app.hashing.can_verify(h.clone()).await?,
            None => false,
        };
        if hash.is_some() && !usable {
            form.error("password_hash", Msg::NotAHash, None);
        }
        hash.filter(|_| usable).map(Ok)
    } else {
        let person = Person {
            username: username.as_deref().unwrap_or(""),
            email: &email,
        };
        form.new_password("password", &app.settings.password_rules, person)
            .map(Err)
    };
    form.finish()?;
    let (Some(username), Some(password)) = (username, password) else {
        unreachable!("finish() passed, so both are present");
    };
    let password = match password {
        Ok(hash) => hash,
        Err(plain) => app.hashing.hash(plain).await?,
    };
    let new = NewUser {
        username,
        email,
        password,
        is_active,
        roles,
    };
    let user = app.store.create_user(new, now.secs()).await?;
    let event =
        Event::new("user.created", Some(user.id)).detail(json!({"username": user.username}));
    audit::record(&*app.store, now.secs(), &admin.actor, event, &admin.origin).await;
    Ok((StatusCode::CREATED, Json(user.into())))
}

pub async fn get(
    State(app): State<AppState>,
    _admin: Admin,
    ItemId(id): ItemId,
) -> Result<Json<AdminUser>, ApiError> {
    Ok(Json(existing_user(&app, id).await?.into()))
}

/// `PATCH /admin/users/{id}/`: username, email, roles, is_active.
pub async fn update(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    ItemId(id): ItemId,
    Data(data): Data,
) -> Result<Json<AdminUser>, ApiError> {
    admin.may_change()?;
    existing_user(&app, id).await?;
    let mut form = Form::new(&data);
    let changes = UserChanges {
        username: form.username(false),
        email: form.email(),
        roles: form.roles(),
        is_active: form.boolean("is_active"),
    };
    form.finish()?;
    let user = app
        .store
        .update_user(id, &changes)
        .await?
        .ok_or_else(ApiError::not_found)?;
    let changed: Vec<&str> = [
        ("username", changes.username.is_some()),
        ("email", changes.email.is_some()),
        ("roles", changes.roles.is_some()),
        ("is_active", changes.is_active.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
    .collect();
    if !changed.is_empty() {
        let event = Event::new("user.updated", Some(id)).detail(json!({"fields": changed}));
        audit::record(&*app.store, now.secs(), &admin.actor, event, &admin.origin).await;
    }
    Ok(Json(user.into()))
}

/// `DELETE /admin/users/{id}/`: 204.
pub async fn delete(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    ItemId(id): ItemId,
) -> Result<StatusCode, ApiError> {
    admin.may_change()?;
    let user = existing_user(&app, id).await?;
    if !app.store.delete_user(id).await? {
        return Err(ApiError::not_found());
    }
    let event = Event::new("user.deleted", Some(id)).detail(json!({"username": user.username}));
    audit::record(&*app.store, now.secs(), &admin.actor, event, &admin.origin).await;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /admin/users/{id}/password/` `{"password", "end_sessions": true}`: sets the password
/// (under the rules) and, unless told not to, logs the user out everywhere.
pub async fn set_password(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    ItemId(id): ItemId,
    Data(data): Data,
) -> Result<Empty, ApiError> {
    admin.may_change()?;
    let user = existing_user(&app, id).await?;
    let mut form = Form::new(&data);
    let end_sessions = form.boolean("end_sessions").unwrap_or(true);
    let person = Person {
        username: &user.username,
        email: &user.email,
    };
    let password = form.new_password("password", &app.settings.password_rules, person);
    form.finish()?;
    let password = password.expect("finish() passed");
    let hashed = app.hashing.hash(password).await?;
    app.store.set_password(id, &hashed).await?;
    if end_sessions {
        app.store.revoke_user_tokens(id, now.0.micros()).await?;
    }
    let event =
        Event::new("password.set", Some(id)).detail(json!({"sessions_ended": end_sessions}));
    audit::record(&*app.store, now.secs(), &admin.actor, event, &admin.origin).await;
    Ok(Empty {})
}

/// `POST /admin/users/{id}/logout/`: every token of the user issued so far is refused.
pub async fn logout(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    ItemId(id): ItemId,
) -> Result<Empty, ApiError> {
    admin.may_change()?;
    if !app.store.revoke_user_tokens(id, now.0.micros()).await? {
        return Err(ApiError::not_found());
    }
    let event = Event::new("user.logged_out_everywhere", Some(id));
    audit::record(&*app.store, now.secs(), &admin.actor, event, &admin.origin).await;
    Ok(Empty {})
}
