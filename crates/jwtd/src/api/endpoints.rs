//! The endpoint table: every HTTP endpoint jwtd serves, one row each.
//!
//! The router ([`super::router`]), the OpenAPI document ([`super::openapi`]), the `route` label
//! of metrics and request logs, and the check of the `[routes]` settings ([`resolve`]) all read
//! this one table. Adding an endpoint is adding one row to [`ENDPOINTS`] (and writing its
//! handler): its path setting, route, label and documentation follow from the row.

use axum::routing::{MethodRouter, delete, get, post};
use jwtd_core::Settings;
use jwtd_core::settings::{Routes, SettingsError, bad};
use serde_json::json;

use super::admin::bodies::{
    ActivityBody, AdminUser, AuditEntryBody, ChangePasswordRequest, GenerateKeyRequest, KeyBody,
    KeySetBody, NewUserRequest, Page, RegisterRequest, RetireRequest, RotateRequest, RotationBody,
    SessionBody, SetPasswordRequest, UserChangeRequest,
};
use super::admin::{self, Admin};
use super::auth::AuthUser;
use super::bodies::{
    Empty, Health, Jwks, LogoutRequest, Me, Readiness, RefreshResult, SlidingToken, TokenPair,
};
use super::methods::{authenticated_get, get_only, guarded, open, post_only};
use super::openapi::{Doc, Request, Response};
use super::{account, health, jwks, token, users};
use crate::console;
use crate::state::AppState;

pub struct Endpoint {
    /// The endpoint's name: its `routes.<name>` setting (when its path is one) and the `route`
    /// label of its metrics and log lines.
    pub name: &'static str,
    pub path: PathRule,
    /// Whether this deployment serves it (a path set to `""` also switches it off).
    pub serve: fn(&Settings) -> bool,
    /// Its handler, and the answers to other methods.
    pub handler: fn() -> MethodRouter<AppState>,
    /// Its operations, one per method.
    pub docs: &'static [Doc],
}

pub enum PathRule {
    /// `routes.<name>`, this path by default (`""`: off unless configured).
    Setting { default: &'static str },
    /// Not configurable (probes, metrics, the OpenAPI document).
    Fixed(&'static str),
    /// Below `admin.prefix` (served only when the admin API is on).
    Admin(&'static str),
    /// One item of the collection endpoint `of`: its path followed by `{id}/`.
    Item { of: &'static str },
}

fn always(_: &Settings) -> bool {
    true
}

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        name: "token_obtain",
        path: PathRule::Setting { default: "/token/" },
        serve: always,
        handler: || post_only(token::obtain_pair),
        docs: &[Doc::post(
            "Log in (`TokenObtainPairView`): a refresh and an access token.",
            Request::Credentials,
            Response::json::<TokenPair>(|| json!({"refresh": "eyJ…", "access": "eyJ…"})),
            &[400, 401, 429],
        )],
    },
    Endpoint {
        name: "token_refresh",
        path: PathRule::Setting {
            default: "/token/refresh/",
        },
        serve: always,
        handler: || post_only(token::refresh),
        docs: &[Doc::post(
            "A new access token (`TokenRefreshView`); with rotation also a new refresh token.",
            Request::Refresh,
            Response::json::<RefreshResult>(|| json!({"access": "eyJ…"})),
            &[400, 401],
        )],
    },
    Endpoint {
        name: "token_verify",
        path: PathRule::Setting {
            default: "/token/verify/",
        },
        serve: always,
        handler: || post_only(token::verify),
        docs: &[Doc::post(
            "Checks any token's signature and expiry (`TokenVerifyView`).",
            Request::Token,
            Response::json::<Empty>(|| json!({})),
            &[400, 401],
        )],
    },
    Endpoint {
        name: "token_blacklist",
        path: PathRule::Setting {
            default: "/token/blacklist/",
        },
        serve: always,
        handler: || post_only(token::blacklist),
        docs: &[Doc::post(
            "Retires a refresh token (`TokenBlacklistView`).",
            Request::Refresh,
            Response::json::<Empty>(|| json!({})),
            &[400, 401],
        )],
    },
    Endpoint {
        name: "token_obtain_sliding",
        path: PathRule::Setting { default: "" },
        serve: always,
        handler: || post_only(token::obtain_sliding),
        docs: &[Doc::post(
            "Log in for a sliding token (`TokenObtainSlidingView`).",
            Request::Credentials,
            Response::json::<SlidingToken>(|| json!({"token": "eyJ…"})),
            &[400, 401, 429],
        )],
    },
    Endpoint {
        name: "token_refresh_sliding",
        path: PathRule::Setting { default: "" },
        serve: always,
        handler: || post_only(token::refresh_sliding),
        docs: &[Doc::post(
            "The same sliding token with a fresh expiry (`TokenRefreshSlidingView`).",
            Request::Token,
            Response::json::<SlidingToken>(|| json!({"token": "eyJ…"})),
            &[400, 401],
        )],
    },
    Endpoint {
        name: "logout",
        path: PathRule::Setting {
            default: "/token/logout/",
        },
        serve: |s| s.cookies.enabled,
        handler: || post_only(token::logout),
        docs: &[Doc::post(
            "Cookie mode: blacklists the refresh cookie's token (or the body's `refresh`) and expires the cookies.",
            Request::json::<LogoutRequest>(),
            Response::json::<Empty>(|| json!({})),
            &[400, 403],
        )],
    },
    Endpoint {
        name: "user_me",
        path: PathRule::Setting {
            default: "/users/me/",
        },
        serve: always,
        handler: || authenticated_get(users::me),
        docs: &[Doc::authenticated(
            "get",
            "The authenticated user.",
            Response::json::<Me>(
                || json!({"id": 1, "username": "alice", "email": "alice@example.com", "roles": ["admin"]}),
            ),
        )],
    },
    Endpoint {
        name: "logout_all",
        path: PathRule::Setting {
            default: "/users/me/logout-all/",
        },
        serve: always,
        handler: || post_only(users::logout_all),
        docs: &[Doc::authenticated(
            "post",
            "Log out everywhere: every token of the user issued so far is refused.",
            Response::json::<Empty>(|| json!({})),
        )],
    },
    Endpoint {
        name: "user_sessions",
        path: PathRule::Setting {
            default: "/users/me/sessions/",
        },
        serve: always,
        handler: || guarded::<AuthUser>(get(admin::sessions::mine), "GET, HEAD"),
        docs: &[Doc::authenticated(
            "get",
            "The caller's sessions (one per login), the one of this token marked `current`.",
            Response::json::<Vec<SessionBody>>(session_example),
        )
        .links(&[("user_session_delete", "/0/id")])],
    },
    Endpoint {
        name: "user_session",
        path: PathRule::Item { of: "user_sessions" },
        serve: always,
        handler: || guarded::<AuthUser>(delete(admin::sessions::revoke_mine), "DELETE"),
        docs: &[Doc::authenticated(
            "delete",
            "Ends one of the caller's sessions: its refresh tokens are refused at once.",
            Response::Empty,
        )
        .status(204)
        .errors(&[401, 404])],
    },
    Endpoint {
        name: "user_password",
        path: PathRule::Setting {
            default: "/users/me/password/",
        },
        serve: always,
        handler: || guarded::<AuthUser>(post(account::change_password), "POST"),
        docs: &[Doc::authenticated(
            "post",
            "Changes the caller's password (Django's password rules); their other sessions end.",
            Response::json::<Empty>(|| json!({})),
        )
        .request(Request::json::<ChangePasswordRequest>())
        .errors(&[400, 401])],
    },
    Endpoint {
        name: "register",
        path: PathRule::Setting { default: "" },
        serve: always,
        handler: || post_only(account::register),
        docs: &[Doc::post(
            "Creates an account (off unless `routes.register` is set).",
            Request::json::<RegisterRequest>(),
            Response::json::<AdminUser>(user_example),
            &[400],
        )
        .status(201)],
    },
    Endpoint {
        name: "admin_users",
        path: PathRule::Admin("users/"),
        serve: always,
        handler: || {
            guarded::<Admin>(
                get(admin::users::list).post(admin::users::create),
                "GET, POST, HEAD",
            )
        },
        docs: &[
            Doc::admin(
                "get",
                "Users, paginated: `search` (username or email), `is_active`, `role`.",
                Response::json::<Page<AdminUser>>(|| {
                    json!({"count": 1, "next": null, "previous": null, "results": [user_example()]})
                }),
            )
            .query(&[
                ("search", "string"),
                ("is_active", "boolean"),
                ("role", "string"),
                ("page", "integer"),
                ("page_size", "integer"),
            ])
            .errors(&[400, 401, 403, 404, 409]),
            Doc::admin(
                "post",
                "Creates a user with a password (password rules apply) or a Django password hash.",
                Response::json::<AdminUser>(user_example),
            )
            .request(Request::json::<NewUserRequest>())
            .status(201)
            .errors(&[400, 401, 403, 409])
            .links(USER_LINKS),
        ],
    },
    Endpoint {
        name: "admin_user",
        path: PathRule::Admin("users/{id}/"),
        serve: always,
        handler: || {
            guarded::<Admin>(
                get(admin::users::get)
                    .patch(admin::users::update)
                    .delete(admin::users::delete),
                "GET, PATCH, DELETE, HEAD",
            )
        },
        docs: &[
            Doc::admin("get", "One user.", Response::json::<AdminUser>(user_example))
                .errors(&[401, 403, 404]),
            Doc::admin(
                "patch",
                "Changes a user's username, email, roles or active flag.",
                Response::json::<AdminUser>(user_example),
            )
            .request(Request::json::<UserChangeRequest>())
            .errors(&[400, 401, 403, 404, 409]),
            Doc::admin("delete", "Deletes a user.", Response::Empty)
                .status(204)
                .errors(&[401, 403, 404, 409]),
        ],
    },
    Endpoint {
        name: "admin_user_password",
        path: PathRule::Admin("users/{id}/password/"),
        serve: always,
        handler: || guarded::<Admin>(post(admin::users::set_password), "POST"),
        docs: &[Doc::admin(
            "post",
            "Sets a user's password (password rules apply); ends their sessions unless `end_sessions` is false.",
            Response::json::<Empty>(|| json!({})),
        )
        .request(Request::json::<SetPasswordRequest>())
        .errors(&[400, 401, 403, 404, 409])],
    },
    Endpoint {
        name: "admin_user_logout",
        path: PathRule::Admin("users/{id}/logout/"),
        serve: always,
        handler: || guarded::<Admin>(post(admin::users::logout), "POST"),
        docs: &[Doc::admin(
            "post",
            "Logs a user out everywhere.",
            Response::json::<Empty>(|| json!({})),
        )
        .errors(&[401, 403, 404])],
    },
    Endpoint {
        name: "admin_user_sessions",
        path: PathRule::Admin("users/{id}/sessions/"),
        serve: always,
        handler: || guarded::<Admin>(get(admin::sessions::of_user), "GET, HEAD"),
        docs: &[Doc::admin(
            "get",
            "A user's live sessions, newest first.",
            Response::json::<Vec<SessionBody>>(session_example),
        )
        .errors(&[401, 403, 404])
        .links(&[("admin_session_delete", "/0/id")])],
    },
    Endpoint {
        name: "admin_session",
        path: PathRule::Admin("sessions/{id}/"),
        serve: always,
        handler: || guarded::<Admin>(delete(admin::sessions::revoke), "DELETE"),
        docs: &[Doc::admin("delete", "Ends a session.", Response::Empty)
            .status(204)
            .errors(&[401, 403, 404])],
    },
    Endpoint {
        name: "admin_audit",
        path: PathRule::Admin("audit/"),
        serve: always,
        handler: || guarded::<Admin>(get(admin::audit::list), "GET, HEAD"),
        docs: &[Doc::admin(
            "get",
            "The audit log, newest first: `user` (by or about), `action`, `since` (RFC 3339 or epoch seconds).",
            Response::json::<Page<AuditEntryBody>>(|| {
                json!({"count": 1, "next": null, "previous": null, "results": [{
                    "id": 7, "time": "2026-11-24T05:33:00Z", "action": "user.created",
                    "actor": "api-key:deploy", "target_user": 42, "detail": {"username": "alice"},
                    "ip_address": "10.0.0.5", "request_id": "4f1c…"}]})
            }),
        )
        .query(&[
            ("user", "integer"),
            ("action", "string"),
            ("since", "string"),
            ("page", "integer"),
            ("page_size", "integer"),
        ])
        .errors(&[400, 401, 403, 404])],
    },
    Endpoint {
        name: "admin_keys",
        path: PathRule::Admin("keys/"),
        serve: always,
        handler: || {
            guarded::<Admin>(
                get(admin::keys::list).post(admin::keys::generate),
                "GET, POST, HEAD",
            )
        },
        docs: &[
            Doc::admin(
                "get",
                "The signing-key set: every key's state and dates (`managed: false` when the deployment signs with an HS secret or a PEM key).",
                Response::json::<KeySetBody>(|| {
                    json!({"managed": true, "algorithm": "ES256", "publish_delay": 600,
                           "keys": [key_example()]})
                }),
            )
            .errors(&[401, 403]),
            Doc::admin(
                "post",
                "Adds a `next` key (published at once; `rotate` makes it sign).",
                Response::json::<KeyBody>(key_example),
            )
            .request(Request::json::<GenerateKeyRequest>())
            .status(201)
            .errors(&[400, 401, 403, 409]),
        ],
    },
    Endpoint {
        name: "admin_keys_rotate",
        path: PathRule::Admin("keys/rotate/"),
        serve: always,
        handler: || guarded::<Admin>(post(admin::keys::rotate), "POST"),
        docs: &[Doc::admin(
            "post",
            "The oldest `next` key signs from now on (409 before `keys.publish_delay` has passed, unless `now`); without a `next` key, one is made (202).",
            Response::json::<RotationBody>(
                || json!({"current": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "retired": "x2…", "next": null, "ready_at": null}),
            ),
        )
        .request(Request::json::<RotateRequest>())
        .errors(&[400, 401, 403, 409])],
    },
    Endpoint {
        name: "admin_key_retire",
        path: PathRule::Admin("keys/{kid}/retire/"),
        serve: always,
        handler: || guarded::<Admin>(post(admin::keys::retire), "POST"),
        docs: &[Doc::admin(
            "post",
            "Withdraws a `next` key; with `revoke`, removes a retired key now (its tokens are refused).",
            Response::json::<Empty>(|| json!({})),
        )
        .request(Request::json::<RetireRequest>())
        .errors(&[400, 401, 403, 404, 409])],
    },
    Endpoint {
        name: "admin_activity",
        path: PathRule::Admin("activity/"),
        serve: always,
        handler: || guarded::<Admin>(get(admin::activity::last_hour), "GET, HEAD"),
        docs: &[Doc::admin(
            "get",
            "This instance's last hour, minute by minute: logins, failed logins, throttled attempts, reuse detections.",
            Response::json::<ActivityBody>(|| {
                json!({"minutes": [{"start": 1_795_000_000, "logins": 12, "failed_logins": 1,
                                    "throttled": 0, "reuse_detections": 0}]})
            }),
        )
        .errors(&[401, 403])],
    },
    Endpoint {
        name: "console",
        path: PathRule::Admin(""),
        serve: |s| s.console.served(&s.admin),
        handler: || get_only(console::page),
        docs: &[],
    },
    Endpoint {
        name: "console_signin",
        path: PathRule::Admin("signin/"),
        serve: |s| s.console.served(&s.admin),
        handler: || open(get(console::signin_page).post(console::signin), "GET, POST, HEAD"),
        docs: &[],
    },
    Endpoint {
        name: "console_refresh",
        path: PathRule::Admin("refresh/"),
        serve: |s| s.console.served(&s.admin),
        handler: || post_only(console::refresh),
        docs: &[],
    },
    Endpoint {
        name: "console_signout",
        path: PathRule::Admin("signout/"),
        serve: |s| s.console.served(&s.admin),
        handler: || post_only(console::signout),
        docs: &[],
    },
    Endpoint {
        name: "console_asset",
        path: PathRule::Admin("assets/{file}"),
        serve: |s| s.console.served(&s.admin),
        handler: || get_only(console::asset),
        docs: &[],
    },
    Endpoint {
        name: "jwks",
        path: PathRule::Setting {
            default: "/.well-known/jwks.json",
        },
        serve: always,
        handler: || get_only(jwks::jwks),
        docs: &[Doc::probe(
            "The public keys that verify tokens (JWKS, RFC 7517); empty for HS algorithms.",
            Response::json::<Jwks>(|| {
                json!({"keys": [{"kty": "EC", "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
                    "alg": "ES256", "use": "sig", "crv": "P-256", "x": "…", "y": "…"}]})
            }),
            None,
        )],
    },
    Endpoint {
        name: "healthz",
        path: PathRule::Fixed("/healthz"),
        serve: always,
        handler: || get_only(health::healthz),
        docs: &[Doc::probe(
            "Liveness: the process answers.",
            Response::json::<Health>(|| json!({"status": "ok", "database": "ok"})),
            None,
        )],
    },
    Endpoint {
        name: "readyz",
        path: PathRule::Fixed("/readyz"),
        serve: always,
        handler: || get_only(health::readyz),
        docs: &[Doc::probe(
            "Readiness: database reachable, migrations applied, key loaded.",
            Response::json::<Readiness>(
                || json!({"status": "ready", "database": "ok", "migrations": "ok", "signing_key": "loaded"}),
            ),
            Some(Response::json::<Readiness>(|| {
                json!({"status": "unavailable", "database": "unreachable",
                       "migrations": "unknown", "signing_key": "loaded"})
            })),
        )],
    },
    Endpoint {
        name: "metrics",
        path: PathRule::Fixed("/metrics"),
        serve: |s| s.metrics.on_api_address(),
        handler: || get_only(health::metrics),
        docs: &[Doc::probe(
            "Prometheus metrics (text format 0.0.4).",
            Response::Text,
            None,
        )],
    },
    Endpoint {
        name: "openapi",
        path: PathRule::Fixed("/openapi.json"),
        serve: always,
        handler: || get_only(health::openapi),
        docs: &[Doc::probe("This document.", Response::AnyJson, None)],
    },
];

/// What a new user's id leads to.
const USER_LINKS: &[(&str, &str)] = &[
    ("admin_user_get", "/id"),
    ("admin_user_patch", "/id"),
    ("admin_user_password_post", "/id"),
    ("admin_user_sessions_get", "/id"),
    ("admin_user_logout_post", "/id"),
    ("admin_user_delete", "/id"),
];

fn user_example() -> serde_json::Value {
    json!({"id": 42, "username": "alice", "email": "alice@example.com", "roles": ["staff"],
           "is_active": true, "last_login": null, "date_joined": "2026-11-24T05:33:00Z"})
}

fn key_example() -> serde_json::Value {
    json!({"kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k", "algorithm": "ES256",
           "state": "current", "origin": "generated", "created": "2026-11-24T05:33:00Z",
           "activated": "2026-11-24T05:43:00Z", "retired": null, "retires_at": null,
           "ready_at": null})
}

fn session_example() -> serde_json::Value {
    json!([{"id": 7, "user_id": 42, "created": "2026-11-24T05:33:00Z",
            "last_used": "2026-11-24T06:01:00Z", "expires": "2026-11-25T06:01:00Z",
            "ip_address": "10.0.0.5", "user_agent": "Mozilla/5.0 …", "current": true}])
}

/// An endpoint as this deployment serves it.
pub struct Served {
    pub endpoint: &'static Endpoint,
    /// Its path as configured (with its trailing slash, if any).
    pub path: String,
}

/// The endpoints this deployment serves, at their paths; checks the `[routes]` settings: every
/// name is an endpoint's, every path is plain, and no two endpoints share a path.
pub fn resolve(settings: &Settings) -> Result<Vec<Served>, SettingsError> {
    let configurable: Vec<&str> = ENDPOINTS
        .iter()
        .filter(|e| matches!(e.path, PathRule::Setting { .. }))
        .map(|e| e.name)
        .collect();
    for (name, _) in settings.routes.iter() {
        if !configurable.contains(&name) {
            let hint = match crate::config::closest(name, &configurable) {
                Some(best) => format!("did you mean `routes.{best}`?"),
                None => format!("endpoints: {}", configurable.join(", ")),
            };
            return Err(bad(
                format!("routes.{name}"),
                format!("no such endpoint; {hint}"),
            ));
        }
    }
    let mut served: Vec<Served> = Vec::new();
    for endpoint in ENDPOINTS.iter().filter(|e| (e.serve)(settings)) {
        let path = match endpoint.path {
            PathRule::Fixed(path) => path.to_owned(),
            PathRule::Setting { default } => settings
                .routes
                .get(endpoint.name)
                .unwrap_or(default)
                .to_owned(),
            PathRule::Admin(_) if !settings.admin.enabled() => continue,
            PathRule::Admin(suffix) => format!("{}{suffix}", settings.admin.prefix),
            PathRule::Item { of } => match served.iter().find(|s| s.endpoint.name == of) {
                Some(collection) => format!("{}/{{id}}/", collection.path.trim_end_matches('/')),
                None => continue,
            },
        };
        let path = path.as_str();
        if path.is_empty() {
            continue;
        }
        let key = format!("routes.{}", endpoint.name);
        let configured = matches!(endpoint.path, PathRule::Setting { .. });
        if configured && (!path.starts_with('/') || path.contains(['{', '}', '*', '?', '#', ' '])) {
            return Err(bad(
                key,
                format!("{path:?} must be a plain path starting with '/'"),
            ));
        }
        let normalized = path.trim_end_matches('/');
        if served
            .iter()
            .any(|s| s.path.trim_end_matches('/') == normalized)
        {
            return Err(bad(key, format!("{path:?} is used by another route")));
        }
        served.push(Served {
            endpoint,
            path: path.to_owned(),
        });
    }
    Ok(served)
}

/// Every configurable endpoint's path as this deployment has it (`""` = off): the effective
/// `[routes]` table.
pub fn effective_routes(settings: &Settings) -> Routes {
    let mut routes = Routes::default();
    for endpoint in ENDPOINTS {
        if let PathRule::Setting { default } = endpoint.path {
            routes.set(
                endpoint.name,
                settings.routes.get(endpoint.name).unwrap_or(default),
            );
        }
    }
    routes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_unique_and_the_defaults_resolve() {
        for (i, e) in ENDPOINTS.iter().enumerate() {
            assert!(
                ENDPOINTS[i + 1..].iter().all(|o| o.name != e.name),
                "{} twice",
                e.name
            );
        }
        let served = resolve(&Settings::default()).unwrap();
        let names: Vec<_> = served.iter().map(|s| s.endpoint.name).collect();
        assert!(names.contains(&"token_obtain") && !names.contains(&"token_obtain_sliding"));
    }

    /// Operation ids are unique and every OpenAPI link leads to a served operation.
    #[test]
    fn links_lead_to_operations_the_document_has() {
        let settings = Settings::default();
        let served = resolve(&settings).unwrap();
        let document = crate::api::openapi::build(
            &settings,
            served.iter().flat_map(|s| {
                let (path, name) = (s.path.as_str(), s.endpoint.name);
                s.endpoint.docs.iter().map(move |d| (path, name, d))
            }),
        );
        let operations: Vec<&serde_json::Value> = document["paths"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|p| p.as_object().unwrap().values())
            .collect();
        let ids: Vec<&str> = operations
            .iter()
            .map(|o| o["operationId"].as_str().unwrap())
            .collect();
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        let mut links = 0;
        for operation in &operations {
            for answer in operation["responses"].as_object().unwrap().values() {
                for link in answer["links"]
                    .as_object()
                    .into_iter()
                    .flat_map(|l| l.values())
                {
                    links += 1;
                    let target = link["operationId"].as_str().unwrap();
                    assert!(ids.contains(&target), "a link to {target}");
                }
            }
        }
        assert_eq!(links, 8);
    }

    #[test]
    fn route_settings_are_checked_against_the_table() {
        let mut s = Settings::default();
        s.routes.set("token_verify", "/token/");
        let err = resolve(&s).err().unwrap();
        assert_eq!(err.key, "routes.token_verify");
        let mut s = Settings::default();
        s.routes.set("token_obtian", "/login/");
        let err = resolve(&s).err().unwrap().to_string();
        assert!(err.contains("did you mean `routes.token_obtain`?"), "{err}");
        let mut s = Settings::default();
        s.routes.set("healthz", "/up/");
        assert!(resolve(&s).is_err(), "fixed paths are not settings");
        let mut s = Settings::default();
        s.routes.set("user_me", "/me/{id}");
        assert!(resolve(&s).is_err());
    }
}
