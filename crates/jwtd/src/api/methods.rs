//! How an endpoint answers the methods it does not serve, as DRF does: a JSON 405 with `Allow`.

use axum::extract::FromRequestParts;
use axum::handler::Handler;
use axum::http::Method;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};

use super::auth::AuthUser;
use super::bodies::Metadata;
use super::error::ApiError;
use crate::state::AppState;

/// A GET endpoint (probes, metrics); other methods get DRF's JSON 405.
pub fn get_only<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    get(handler).fallback(|method: Method| not_allowed(method, "GET, HEAD"))
}

/// A GET behind the `Authorization` header. DRF authenticates before it checks the method, so
/// another method without credentials is a 401, and with valid credentials a 405.
pub fn authenticated_get<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    get(handler)
        .fallback(|_user: AuthUser, method: Method| not_allowed(method, "GET, HEAD, OPTIONS"))
}

/// A POST endpoint; other methods get DRF's 405 (OPTIONS gets DRF's metadata answer).
pub fn post_only<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler)
        .options(options_post)
        .fallback(|method: Method| not_allowed(method, "POST, OPTIONS"))
}

/// Several methods behind a credential check `G` (an admin, or a user's token): DRF
/// authenticates before it checks the method, so another method is answered as `G` answers
/// (401, 403) and, once it passes, with a 405.
pub fn guarded<G>(router: MethodRouter<AppState>, allow: &'static str) -> MethodRouter<AppState>
where
    G: FromRequestParts<AppState> + Send + 'static,
{
    router.fallback(move |_: G, method: Method| not_allowed(method, allow))
}

/// Several methods open to anyone (the console's sign-in page and form); others get a 405.
pub fn open(router: MethodRouter<AppState>, allow: &'static str) -> MethodRouter<AppState> {
    router.fallback(move |method: Method| not_allowed(method, allow))
}

async fn not_allowed(method: Method, allow: &'static str) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        allow,
    }
}

async fn options_post() -> impl IntoResponse {
    (
        [(axum::http::header::ALLOW, "POST, OPTIONS")],
        axum::Json(Metadata {
            renders: ["application/json"],
            parses: [
                "application/json",
                "application/x-www-form-urlencoded",
                "multipart/form-data",
            ],
        }),
    )
}
