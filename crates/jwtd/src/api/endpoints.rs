//! The endpoint table: every HTTP endpoint jwtd serves, one row each.
//!
//! The router ([`super::router`]), the OpenAPI document ([`super::openapi`]), the `route` label
//! of metrics and request logs, and the check of the `[routes]` settings ([`resolve`]) all read
//! this one table. Adding an endpoint is adding one row to [`ENDPOINTS`] (and writing its
//! handler): its path setting, route, label and documentation follow from the row.

use axum::routing::MethodRouter;
use jwtd_core::Settings;
use jwtd_core::settings::{Routes, SettingsError, bad};
use serde_json::json;

use super::bodies::{Empty, Health, Jwks, Me, Readiness, RefreshResult, SlidingToken, TokenPair};
use super::methods::{authenticated_get, get_only, post_only};
use super::openapi::{Doc, Request, Response};
use super::{health, jwks, token, users};
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
    pub doc: Doc,
}

pub enum PathRule {
    /// `routes.<name>`, this path by default (`""`: off unless configured).
    Setting { default: &'static str },
    /// Not configurable (probes, metrics, the OpenAPI document).
    Fixed(&'static str),
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
        doc: Doc::post(
            "Log in (`TokenObtainPairView`): a refresh and an access token.",
            Request::Credentials,
            Response::json::<TokenPair>(|| json!({"refresh": "eyJ…", "access": "eyJ…"})),
            &[400, 401, 429],
        ),
    },
    Endpoint {
        name: "token_refresh",
        path: PathRule::Setting {
            default: "/token/refresh/",
        },
        serve: always,
        handler: || post_only(token::refresh),
        doc: Doc::post(
            "A new access token (`TokenRefreshView`); with rotation also a new refresh token.",
            Request::Refresh,
            Response::json::<RefreshResult>(|| json!({"access": "eyJ…"})),
            &[400, 401],
        ),
    },
    Endpoint {
        name: "token_verify",
        path: PathRule::Setting {
            default: "/token/verify/",
        },
        serve: always,
        handler: || post_only(token::verify),
        doc: Doc::post(
            "Checks any token's signature and expiry (`TokenVerifyView`).",
            Request::Token,
            Response::json::<Empty>(|| json!({})),
            &[400, 401],
        ),
    },
    Endpoint {
        name: "token_blacklist",
        path: PathRule::Setting {
            default: "/token/blacklist/",
        },
        serve: always,
        handler: || post_only(token::blacklist),
        doc: Doc::post(
            "Retires a refresh token (`TokenBlacklistView`).",
            Request::Refresh,
            Response::json::<Empty>(|| json!({})),
            &[400, 401],
        ),
    },
    Endpoint {
        name: "token_obtain_sliding",
        path: PathRule::Setting { default: "" },
        serve: always,
        handler: || post_only(token::obtain_sliding),
        doc: Doc::post(
            "Log in for a sliding token (`TokenObtainSlidingView`).",
            Request::Credentials,
            Response::json::<SlidingToken>(|| json!({"token": "eyJ…"})),
            &[400, 401, 429],
        ),
    },
    Endpoint {
        name: "token_refresh_sliding",
        path: PathRule::Setting { default: "" },
        serve: always,
        handler: || post_only(token::refresh_sliding),
        doc: Doc::post(
            "The same sliding token with a fresh expiry (`TokenRefreshSlidingView`).",
            Request::Token,
            Response::json::<SlidingToken>(|| json!({"token": "eyJ…"})),
            &[400, 401],
        ),
    },
    Endpoint {
        name: "user_me",
        path: PathRule::Setting {
            default: "/users/me/",
        },
        serve: always,
        handler: || authenticated_get(users::me),
        doc: Doc::authenticated(
            "get",
            "The authenticated user.",
            Response::json::<Me>(
                || json!({"id": 1, "username": "alice", "email": "alice@example.com", "roles": ["admin"]}),
            ),
        ),
    },
    Endpoint {
        name: "logout_all",
        path: PathRule::Setting {
            default: "/users/me/logout-all/",
        },
        serve: always,
        handler: || post_only(users::logout_all),
        doc: Doc::authenticated(
            "post",
            "Log out everywhere: every token of the user issued so far is refused.",
            Response::json::<Empty>(|| json!({})),
        ),
    },
    Endpoint {
        name: "jwks",
        path: PathRule::Setting {
            default: "/.well-known/jwks.json",
        },
        serve: always,
        handler: || get_only(jwks::jwks),
        doc: Doc::probe(
            "The public keys that verify tokens (JWKS, RFC 7517); empty for HS algorithms.",
            Response::json::<Jwks>(|| {
                json!({"keys": [{"kty": "EC", "kid": "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k",
                    "alg": "ES256", "use": "sig", "crv": "P-256", "x": "…", "y": "…"}]})
            }),
            None,
        ),
    },
    Endpoint {
        name: "healthz",
        path: PathRule::Fixed("/healthz"),
        serve: always,
        handler: || get_only(health::healthz),
        doc: Doc::probe(
            "Liveness: the process answers.",
            Response::json::<Health>(|| json!({"status": "ok", "database": "ok"})),
            None,
        ),
    },
    Endpoint {
        name: "readyz",
        path: PathRule::Fixed("/readyz"),
        serve: always,
        handler: || get_only(health::readyz),
        doc: Doc::probe(
            "Readiness: database reachable, migrations applied, key loaded.",
            Response::json::<Readiness>(
                || json!({"status": "ready", "database": "ok", "migrations": "ok", "signing_key": "loaded"}),
            ),
            Some(Response::json::<Readiness>(|| {
                json!({"status": "unavailable", "database": "unreachable",
                       "migrations": "unknown", "signing_key": "loaded"})
            })),
        ),
    },
    Endpoint {
        name: "metrics",
        path: PathRule::Fixed("/metrics"),
        serve: |s| s.metrics.on_api_address(),
        handler: || get_only(health::metrics),
        doc: Doc::probe(
            "Prometheus metrics (text format 0.0.4).",
            Response::Text,
            None,
        ),
    },
    Endpoint {
        name: "openapi",
        path: PathRule::Fixed("/openapi.json"),
        serve: always,
        handler: || get_only(health::openapi),
        doc: Doc::probe("This document.", Response::AnyJson, None),
    },
];

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
            PathRule::Fixed(path) => path,
            PathRule::Setting { default } => settings.routes.get(endpoint.name).unwrap_or(default),
        };
        if path.is_empty() {
            continue;
        }
        let key = format!("routes.{}", endpoint.name);
        if !path.starts_with('/') || path.contains(['{', '}', '*', '?', '#', ' ']) {
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
