//! The HTTP API: the endpoint table ([`endpoints`]) routed at the configured paths, with
//! SimpleJWT-shaped errors.
//!
//! A request flows through [`observe::Observed`] (request id, client IP, the request's
//! instant; on the way out the error rendered by [`error::render`], the log line and metrics),
//! CORS and the router, to its handler. Handlers parse with [`body`] and
//! [`fields`], check tokens with `jwtd_core::token`, ask [`user_access`] whether the token's
//! user may act, and answer with a typed body from [`bodies`].

mod account;
pub mod admin;
mod auth;
pub mod bodies;
pub(crate) mod body;
pub(crate) mod client_ip;
pub mod cookies;
mod cors;
pub(crate) mod csrf;
pub mod endpoints;
pub mod error;
mod fields;
mod health;
mod issue;
mod jwks;
pub(crate) mod login;
pub mod login_throttle;
mod methods;
pub(crate) mod now;
pub(crate) mod observe;
pub mod openapi;
pub(crate) mod token;
pub(crate) mod user_access;
mod users;

use axum::Router;
use axum::http::StatusCode;
use jwtd_core::Msg;
use tower::Layer;

use crate::state::AppState;
use endpoints::Served;
use error::ApiError;

/// The API for the endpoints this deployment serves ([`endpoints::resolve`]): the router inside
/// [`observe::Observed`].
pub fn router(app: AppState, served: &[Served]) -> observe::Api {
    let mut router = Router::new();
    for Served { endpoint, path } in served {
        let handler = (endpoint.handler)();
        // `/token` answers exactly as `/token/` (SimpleJWT would redirect).
        let trimmed = path.trim_end_matches('/');
        router = router.route(&format!("{trimmed}/"), handler.clone());
        if !trimmed.is_empty() {
            router = router.route(trimmed, handler);
        }
    }
    let router = router
        .fallback(|| async { ApiError::detail(StatusCode::NOT_FOUND, Msg::NotFound) })
        .with_state(app.clone());
    // Around the router, not on each route: a layer on every route costs a cloned route
    // service and a boxed future per request.
    let cors = cors::layer(&app.settings).layer(router);
    observe::Observed::new(cors, app)
}

/// `/metrics` alone, for `metrics.bind`.
pub fn metrics_router(app: AppState) -> Router {
    Router::new()
        .route("/metrics", methods::get_only(health::metrics))
        .with_state(app)
}
