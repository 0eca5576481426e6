//! CORS for browser clients: a no-op without `cors.allowed_origins`.

use axum::http::{HeaderName, HeaderValue, Method, header};
use jwtd_core::Settings;
use tower::layer::util::Identity;
use tower::util::Either;
use tower_http::cors::{AllowOrigin, CorsLayer};

pub fn layer(settings: &Settings) -> Either<CorsLayer, Identity> {
    let cors = &settings.cors;
    if cors.allowed_origins.is_empty() {
        return Either::Right(Identity::new());
    }
    let origins = if cors.allowed_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            cors.allowed_origins
                .iter()
                .map(|o| HeaderValue::from_str(o).expect("validated origins are header-safe")),
        )
    };
    let auth_header = HeaderName::from_bytes(settings.auth_header_name.as_bytes())
        .expect("validated header name");
    let mut headers = vec![
        header::AUTHORIZATION,
        header::CONTENT_TYPE,
        header::ACCEPT_LANGUAGE,
        auth_header,
    ];
    if settings.cookies.enabled {
        headers.push(
            HeaderName::from_bytes(settings.cookies.csrf_header.as_bytes())
                .expect("validated header name"),
        );
    }
    Either::Left(
        CorsLayer::new()
            .allow_origin(origins)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers(headers)
            // Cookie mode: the browser may send the cookies (never with "*", which the
            // settings refuse alongside cookie mode).
            .allow_credentials(settings.cookies.enabled)
            .expose_headers([header::RETRY_AFTER, HeaderName::from_static("x-request-id")])
            .max_age(cors.max_age),
    )
}
