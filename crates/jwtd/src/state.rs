//! What every request handler shares.

use std::ops::Deref;
use std::sync::Arc;

use axum::http::HeaderValue;
use jwtd_core::token::TokenService;
use jwtd_core::{Lang, Settings, i18n};
use jwtd_store::Store;

use crate::hashing::HashPool;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub tokens: TokenService,
    pub hashing: HashPool,
    pub metrics: Metrics,
    /// This deployment's OpenAPI document.
    pub openapi: serde_json::Value,
    pub offered_languages: Vec<Lang>,
    /// `<first auth_header_type> realm="api"`, sent with every 401.
    pub www_authenticate: HeaderValue,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(
        settings: Settings,
        store: Arc<dyn Store>,
        tokens: TokenService,
        hashing: HashPool,
        metrics: Metrics,
    ) -> Self {
        let www_authenticate =
            HeaderValue::from_str(&format!("{} realm=\"api\"", settings.auth_header_types[0]))
                .expect("validated auth_header_types are header-safe words");
        AppState(Arc::new(Inner {
            offered_languages: settings.offered_languages(),
            openapi: crate::api::openapi::build(&settings),
            settings,
            store,
            tokens,
            hashing,
            metrics,
            www_authenticate,
        }))
    }

    /// The configured endpoint a request path names (`token_obtain`, ...), `healthz`, `readyz`,
    /// or `unmatched`: a label with few values, for logs and metrics.
    pub fn route_name(&self, path: &str) -> &'static str {
        let trimmed = path.trim_end_matches('/');
        match trimmed {
            "/healthz" => return "healthz",
            "/readyz" => return "readyz",
            "/metrics" => return "metrics",
            "/openapi.json" => return "openapi",
            _ => {}
        }
        self.settings
            .routes
            .enabled()
            .into_iter()
            .find(|(_, route)| route.trim_end_matches('/') == trimmed)
            .map_or("unmatched", |(name, _)| name)
    }

    /// The answer language for an `Accept-Language` header.
    pub fn language(&self, accept_language: Option<&str>) -> Lang {
        i18n::negotiate(
            accept_language,
            &self.offered_languages,
            self.settings.language,
        )
    }
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
