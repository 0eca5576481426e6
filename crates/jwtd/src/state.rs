//! What every request handler shares.

use std::ops::Deref;
use std::sync::Arc;

use axum::http::HeaderValue;
use jwtd_core::token::TokenService;
use jwtd_core::user_rules::UserRules;
use jwtd_core::{Clock, Lang, Settings, i18n};
use jwtd_store::Store;
use rustc_hash::FxHashMap;

use tokio::sync::Notify;

use crate::activity::Activity;
use crate::api::cookies::CookieMode;
use crate::api::login_throttle::LockNotices;
use crate::hashing::HashPool;
use crate::keys::KeySet;
use crate::metrics::Metrics;

#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub settings: Settings,
    pub store: Arc<dyn Store>,
    pub tokens: TokenService,
    pub user_rules: UserRules,
    pub hashing: HashPool,
    pub metrics: Metrics,
    /// Read once per request (the `Now` extractor); a manual clock in tests.
    pub clock: Clock,
    /// This deployment's OpenAPI document, serialized once at start.
    pub openapi: axum::body::Bytes,
    /// The `route` label of each served path (trailing slash trimmed), from the endpoint table.
    /// Fx-hashed: looked up on every request, and only ever holds the configured paths.
    route_labels: FxHashMap<String, &'static str>,
    /// Paths with a `{parameter}` segment, split at `/`, and their labels.
    templated_labels: Vec<(Vec<String>, &'static str)>,
    pub offered_languages: Vec<Lang>,
    /// `<first auth_header_type> realm="api"`, sent with every 401.
    pub www_authenticate: HeaderValue,
    /// Login back-offs already in the audit log.
    pub lock_notices: LockNotices,
    /// Cookie mode, when `cookies.enabled`.
    pub cookies: Option<CookieMode>,
    /// The admin console's cookies, when the console is served.
    pub console: Option<CookieMode>,
    /// Logins, failures, throttles and reuse detections of the last hour (the console's chart).
    pub activity: Activity,
    /// The key set, for the admin API (asymmetric deployments without a static key).
    pub key_set: Option<KeySet>,
    /// Wakes this instance's key-set reader after a change made through it.
    pub keys_changed: Notify,
    /// Sessions this instance marked used in the last minute.
    pub session_touches: crate::api::token::SessionTouches,
}

/// What the server derives from the endpoint table for the state.
pub struct Published {
    /// The OpenAPI document.
    pub openapi: serde_json::Value,
    /// (path, label) of every served endpoint.
    pub route_labels: Vec<(String, &'static str)>,
    /// Cookie mode, when on (its cookies' paths come from the served routes).
    pub cookies: Option<CookieMode>,
    /// The console's cookie mode, when the console is served.
    pub console: Option<CookieMode>,
    pub key_set: Option<KeySet>,
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
        clock: Clock,
        published: Published,
    ) -> Self {
        let www_authenticate =
            HeaderValue::from_str(&format!("{} realm=\"api\"", settings.auth_header_types[0]))
                .expect("validated auth_header_types are header-safe words");
        let (templated, plain): (Vec<_>, Vec<_>) = published
            .route_labels
            .into_iter()
            .map(|(path, label)| (path.trim_end_matches('/').to_owned(), label))
            .partition(|(path, _)| path.contains('{'));
        let route_labels = plain.into_iter().collect();
        let templated_labels = templated
            .into_iter()
            .map(|(path, label)| (path.split('/').map(str::to_owned).collect(), label))
            .collect();
        AppState(Arc::new(Inner {
            offered_languages: settings.offered_languages(),
            user_rules: UserRules::new(&settings),
            settings,
            store,
            tokens,
            hashing,
            metrics,
            clock,
            openapi: serde_json::to_vec(&published.openapi)
                .expect("a JSON value serializes")
                .into(),
            route_labels,
            templated_labels,
            www_authenticate,
            lock_notices: LockNotices::default(),
            cookies: published.cookies,
            console: published.console,
            activity: Activity::default(),
            key_set: published.key_set,
            keys_changed: Notify::new(),
            session_touches: Default::default(),
        }))
    }

    /// The endpoint a request path names, as a label with few values for logs and metrics:
    /// the endpoint's name, or `unmatched`.
    pub fn route_label(&self, path: &str) -> &'static str {
        let path = path.trim_end_matches('/');
        if let Some(label) = self.route_labels.get(path) {
            return label;
        }
        let segments: Vec<&str> = path.split('/').collect();
        self.templated_labels
            .iter()
            .find(|(template, _)| {
                template.len() == segments.len()
                    && template
                        .iter()
                        .zip(&segments)
                        .all(|(t, s)| t == s || t.starts_with('{'))
            })
            .map_or("unmatched", |(_, label)| label)
    }

    /// The cookie modes whose access cookie authenticates: the deployment's, the console's.
    pub fn cookie_modes(&self) -> impl Iterator<Item = &CookieMode> {
        self.cookies.iter().chain(self.console.iter())
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
