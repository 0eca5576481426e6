//! The HTTP API: routes from the `routes` settings, SimpleJWT-shaped errors.

mod auth;
mod body;
mod client_ip;
pub mod error;
mod fields;
mod health;
mod login;
mod observe;
pub mod openapi;
mod token;
mod users;

use axum::Router;
use axum::extract::Request;
use axum::handler::Handler;
use axum::http::{Method, StatusCode};
use axum::middleware;
use axum::response::IntoResponse;
use axum::routing::{MethodRouter, get, post};
use jwtd_core::Msg;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::CorsLayer;
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;

use crate::state::AppState;
use error::ApiError;

pub fn router(app: AppState) -> Router {
    let routes = &app.settings.routes;
    let mut router = Router::new()
        .route("/healthz", get_only(health::healthz))
        .route("/readyz", get_only(health::readyz))
        .route("/openapi.json", get_only(openapi::document));
    if app.settings.metrics.enabled && app.settings.metrics.bind.is_none() {
        router = router.route("/metrics", get_only(health::metrics));
    }
    let endpoints: [(&str, MethodRouter<AppState>); 8] = [
        (&routes.token_obtain, post_only(token::obtain_pair)),
        (&routes.token_refresh, post_only(token::refresh)),
        (&routes.token_verify, post_only(token::verify)),
        (&routes.token_blacklist, post_only(token::blacklist)),
        (
            &routes.token_obtain_sliding,
            post_only(token::obtain_sliding),
        ),
        (
            &routes.token_refresh_sliding,
            post_only(token::refresh_sliding),
        ),
        (
            &routes.user_me,
            get(users::me).fallback(authenticated_method_not_allowed),
        ),
        (&routes.logout_all, post_only(users::logout_all)),
    ];
    for (path, handler) in endpoints {
        if path.is_empty() {
            continue;
        }
        // `/token` answers exactly as `/token/` (SimpleJWT would redirect).
        let trimmed = path.trim_end_matches('/');
        router = router.route(&format!("{trimmed}/"), handler.clone());
        if !trimmed.is_empty() {
            router = router.route(trimmed, handler);
        }
    }
    router
        .fallback(|| async { ApiError::detail(StatusCode::NOT_FOUND, Msg::NotFound) })
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, Msg::ServerError).into_response()
        }))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            error::render_errors,
        ))
        .layer(cors(&app))
        .layer(middleware::from_fn_with_state(
            app.clone(),
            observe::observe,
        ))
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::AUTHORIZATION,
            axum::http::header::COOKIE,
        ]))
        .with_state(app)
}

/// `/metrics` alone, for `metrics.bind`.
pub fn metrics_router(app: AppState) -> Router {
    Router::new()
        .route("/metrics", get_only(health::metrics))
        .with_state(app)
}

/// The CORS layer: a no-op without `cors.allowed_origins`.
fn cors(app: &AppState) -> tower::util::Either<CorsLayer, tower::layer::util::Identity> {
    use axum::http::{HeaderName, HeaderValue, header};
    use tower_http::cors::AllowOrigin;
    let settings = &app.settings.cors;
    if settings.allowed_origins.is_empty() {
        return tower::util::Either::Right(tower::layer::util::Identity::new());
    }
    let origins = if settings.allowed_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            settings
                .allowed_origins
                .iter()
                .map(|o| HeaderValue::from_str(o).expect("validated origins are header-safe")),
        )
    };
    let auth_header = HeaderName::from_bytes(app.settings.auth_header_name.as_bytes())
        .expect("validated header name");
    tower::util::Either::Left(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT_LANGUAGE,
                auth_header,
            ])
            .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
            .max_age(settings.max_age),
    )
}

/// A GET endpoint (probes, metrics); other methods get DRF's JSON 405.
fn get_only<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    get(handler).fallback(|method: Method| async move {
        ApiError::MethodNotAllowed {
            method: method.to_string(),
            allow: "GET, HEAD",
        }
    })
}

/// A POST endpoint; other methods get DRF's 405 (OPTIONS gets DRF's metadata answer).
fn post_only<H, T>(handler: H) -> MethodRouter<AppState>
where
    H: Handler<T, AppState>,
    T: 'static,
{
    post(handler)
        .options(options_post)
        .fallback(|request: Request| async move {
            ApiError::MethodNotAllowed {
                method: request.method().to_string(),
                allow: "POST, OPTIONS",
            }
        })
}

async fn options_post() -> impl IntoResponse {
    (
        [(axum::http::header::ALLOW, "POST, OPTIONS")],
        axum::Json(serde_json::json!({
            "renders": ["application/json"],
            "parses": ["application/json", "application/x-www-form-urlencoded", "multipart/form-data"],
        })),
    )
}

/// DRF authenticates before it checks the method, so a wrong method on a protected route
/// without credentials is a 401, and with valid credentials a 405.
async fn authenticated_method_not_allowed(_user: auth::AuthUser, method: Method) -> ApiError {
    ApiError::MethodNotAllowed {
        method: method.to_string(),
        allow: "GET, HEAD, OPTIONS",
    }
}
