//! The admin API (`admin.prefix`, default `/admin/`): users, their sessions, the signing keys,
//! the last hour's activity and the audit log.
//!
//! Who may call it is decided here, once ([`Admin`]): an access token whose user holds one of
//! `admin.roles` (the stored user's roles, so a demoted admin's unexpired token no longer
//! counts), or an API key (`Authorization: Api-Key <key>`). Anyone else authenticated gets
//! DRF's 403; no credentials, DRF's 401. A read-only key may only read ([`Admin::may_change`]).

pub mod activity;
pub mod audit;
pub mod bodies;
pub mod input;
pub mod keys;
pub mod page;
pub mod sessions;
pub mod users;

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jwtd_core::Msg;

use super::auth::AuthUser;
use super::client_ip::ClientIp;
use super::error::ApiError;
use super::observe::RequestId;
use crate::audit::{Actor, Origin};
use crate::state::AppState;

/// The keyword of API-key credentials in the `Authorization` header.
const API_KEY_KEYWORD: &[u8] = b"Api-Key ";

/// An authorized administrator (a user or an API key), and where the request came from.
pub struct Admin {
    pub actor: Actor,
    pub origin: Origin,
}

impl Admin {
    /// Refuses a read-only API key what would change something.
    pub fn may_change(&self) -> Result<(), ApiError> {
        match self.actor {
            Actor::ApiKey {
                read_only: true, ..
            } => Err(ApiError::forbidden()),
            _ => Ok(()),
        }
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let origin = RequestOrigin::from_request_parts(parts, app).await?.0;
        let api_key = parts
            .headers
            .get(app.settings.auth_header_name.as_str())
            .and_then(|h| h.as_bytes().strip_prefix(API_KEY_KEYWORD))
            .map(|key| String::from_utf8_lossy(key).trim().to_owned());
        let actor = match api_key {
            Some(key) => {
                let found = app
                    .store
                    .api_key_by_hash(&crate::api_key::hash(&key))
                    .await?;
                let key = found.ok_or_else(|| {
                    ApiError::detail(StatusCode::UNAUTHORIZED, Msg::BadCredentials)
                })?;
                Actor::ApiKey {
                    name: key.name,
                    read_only: key.read_only,
                }
            }
            None => {
                let AuthUser(user) = AuthUser::from_request_parts(parts, app).await?;
                if !is_admin(app, &user) {
                    return Err(ApiError::forbidden());
                }
                Actor::User(user.id)
            }
        };
        Ok(Admin { actor, origin })
    }
}

/// Whether the stored `user` holds one of `admin.roles` (the admin API, the console's sign-in).
pub fn is_admin(app: &AppState, user: &jwtd_store::User) -> bool {
    user.roles
        .iter()
        .any(|r| app.settings.admin.roles.contains(r))
}

/// Where the request came from, for the audit log.
pub struct RequestOrigin(pub Origin);

impl FromRequestParts<AppState> for RequestOrigin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        Ok(RequestOrigin(Origin {
            ip: Some(ClientIp::of(parts, app).0.to_string()),
            request_id: RequestId::of(parts),
        }))
    }
}
