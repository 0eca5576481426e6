//! Settings for running jwtd: logs, CORS, metrics.

use std::net::SocketAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{SettingsError, bad};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// Prometheus metrics at `GET /metrics`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    pub enabled: bool,
    /// A separate address for `/metrics` (e.g. an internal interface); unset: the API's own.
    pub bind: Option<SocketAddr>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        MetricsSettings {
            enabled: true,
            bind: None,
        }
    }
}

impl MetricsSettings {
    /// Whether `/metrics` is served on the API's own address.
    pub fn on_api_address(&self) -> bool {
        self.enabled && self.bind.is_none()
    }
}

/// CORS: which browser origins may call jwtd. Empty (the default) sends no CORS headers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cors {
    /// Exact origins (`https://app.example.com`), or `["*"]` for any.
    pub allowed_origins: Vec<String>,
    /// How long browsers may cache a preflight answer.
    #[serde(with = "super::duration")]
    pub max_age: Duration,
}

impl Default for Cors {
    fn default() -> Self {
        Cors {
            allowed_origins: Vec::new(),
            max_age: Duration::from_secs(600),
        }
    }
}

impl Cors {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if let Some(origin) = self.allowed_origins.iter().find(|o| {
            o.as_str() != "*" && !(o.starts_with("http://") || o.starts_with("https://"))
                || o.ends_with('/')
                || o.chars().any(|c| c.is_whitespace() || c.is_control())
        }) {
            return Err(bad(
                "cors.allowed_origins",
                format!("{origin:?} is not an origin like \"https://app.example.com\" or \"*\""),
            ));
        }
        Ok(())
    }
}
