//! The admin and self-service API's bodies, as types (the OpenAPI schemas derive from them).
//! Times are ISO 8601 in UTC, as DRF renders a `DateTimeField` (`2026-11-24T05:33:00Z`).

use jwtd_store::{AuditEntry, Session, User};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

/// Epoch seconds as DRF writes a UTC datetime.
pub fn iso8601(epoch_secs: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_secs(epoch_secs.max(0) as u64);
    humantime::format_rfc3339_seconds(at).to_string()
}

/// A user as the admin API shows it (never the password hash).
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AdminUser {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub roles: Vec<String>,
    pub is_active: bool,
    pub last_login: Option<String>,
    pub date_joined: String,
}

impl From<User> for AdminUser {
    fn from(user: User) -> AdminUser {
        AdminUser {
            id: user.id,
            username: user.username,
            email: user.email,
            roles: user.roles,
            is_active: user.is_active,
            last_login: user.last_login.map(iso8601),
            date_joined: iso8601(user.date_joined),
        }
    }
}

/// DRF's `PageNumberPagination` page.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Page<T> {
    pub count: u64,
    pub next: Option<String>,
    pub previous: Option<String>,
    pub results: Vec<T>,
}

/// A live session: one login's refresh-token family.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    pub id: i64,
    pub user_id: i64,
    pub created: String,
    pub last_used: String,
    /// When it ends unless refreshed.
    pub expires: String,
    pub ip_address: String,
    pub user_agent: String,
    /// The session of the token this request was made with (self-service only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<bool>,
}

impl SessionBody {
    pub fn new(session: Session, current: Option<bool>) -> SessionBody {
        SessionBody {
            id: session.id,
            user_id: session.user_id,
            created: iso8601(session.created_at),
            last_used: iso8601(session.last_used_at),
            expires: iso8601(session.expires_at),
            ip_address: session.ip,
            user_agent: session.user_agent,
            current,
        }
    }
}

/// An audit entry.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntryBody {
    pub id: i64,
    pub time: String,
    pub action: String,
    /// `user:<id>`, `api-key:<name>`, `cli` or `jwtd`.
    pub actor: String,
    pub target_user: Option<i64>,
    pub detail: serde_json::Map<String, Value>,
    pub ip_address: Option<String>,
    pub request_id: Option<String>,
}

impl From<AuditEntry> for AuditEntryBody {
    fn from(entry: AuditEntry) -> AuditEntryBody {
        let detail = match serde_json::from_str(&entry.detail) {
            Ok(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        AuditEntryBody {
            id: entry.id,
            time: iso8601(entry.at),
            action: entry.action,
            actor: entry.actor,
            target_user: entry.target_user,
            detail,
            ip_address: entry.ip,
            request_id: entry.request_id,
        }
    }
}

// Request bodies: documentation only; the handlers parse DRF-style (`super::input`).

/// `POST /admin/users/`: a password or a Django password hash.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct NewUserRequest {
    #[schemars(length(min = 1, max = 150))]
    username: String,
    email: Option<String>,
    roles: Option<Vec<String>>,
    is_active: Option<bool>,
    password: Option<String>,
    /// A Django-encoded hash (`pbkdf2_sha256$…`, `argon2$…`, `bcrypt$…`), taken as it is.
    password_hash: Option<String>,
}

/// `PATCH /admin/users/{id}/`: the fields to change.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct UserChangeRequest {
    #[schemars(length(min = 1, max = 150))]
    username: Option<String>,
    email: Option<String>,
    roles: Option<Vec<String>>,
    is_active: Option<bool>,
}

/// `POST /admin/users/{id}/password/`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct SetPasswordRequest {
    #[schemars(length(min = 1))]
    password: String,
    /// End the user's sessions (default true).
    end_sessions: Option<bool>,
}

/// `POST /admin/keys/`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct GenerateKeyRequest {
    /// ES256, ES384, EdDSA, RS256/384/512 or PS256/384/512 (default: `algorithm`).
    algorithm: Option<String>,
}

/// `POST /admin/keys/rotate/`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct RotateRequest {
    /// Rotate before `keys.publish_delay` has passed (verifiers caching the JWKS may refuse
    /// new tokens for a while).
    now: Option<bool>,
}

/// `POST /admin/keys/{kid}/retire/`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct RetireRequest {
    /// Remove a retired key now: every token it signed is refused.
    revoke: Option<bool>,
}

/// `POST /users/me/password/`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct ChangePasswordRequest {
    #[schemars(length(min = 1))]
    old_password: String,
    #[schemars(length(min = 1))]
    new_password: String,
}

/// `POST` at `routes.register`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct RegisterRequest {
    #[schemars(length(min = 1, max = 150))]
    username: String,
    email: Option<String>,
    #[schemars(length(min = 1))]
    password: String,
}

/// The key set as the admin API shows it.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeySetBody {
    /// Whether this deployment signs with a key set (else: an HS secret or a PEM key).
    pub managed: bool,
    pub algorithm: String,
    /// How long a `next` key is published before it may sign (seconds).
    pub publish_delay: i64,
    pub keys: Vec<KeyBody>,
}

/// One signing key (never its private part).
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    pub kid: String,
    pub algorithm: String,
    /// `next`, `current` or `retired`.
    pub state: String,
    /// `generated`, `automatic` or `imported`.
    pub origin: String,
    pub created: String,
    pub activated: Option<String>,
    pub retired: Option<String>,
    /// When a retired key stops verifying and leaves the JWKS.
    pub retires_at: Option<String>,
    /// When a `next` key may be made current.
    pub ready_at: Option<String>,
}

impl From<crate::keys::KeyView> for KeyBody {
    fn from(view: crate::keys::KeyView) -> KeyBody {
        KeyBody {
            kid: view.kid,
            algorithm: view.algorithm,
            state: view.state.to_owned(),
            origin: view.origin.to_owned(),
            created: iso8601(view.created_at),
            activated: view.activated_at.map(iso8601),
            retired: view.retired_at.map(iso8601),
            retires_at: view.retires_at.map(iso8601),
            ready_at: view.ready_at.map(iso8601),
        }
    }
}

/// What a rotation did: `current` and `retired` when it rotated; `next` and `ready_at` when
/// there was no `next` key and one was made.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationBody {
    pub current: Option<String>,
    pub retired: Option<String>,
    pub next: Option<String>,
    pub ready_at: Option<String>,
}

/// This instance's last hour, oldest minute first.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityBody {
    pub minutes: Vec<crate::activity::Minute>,
}
