//! Settings for running jwtd: logs, CORS, metrics, client connections.

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

/// Bounds on client connections, so slow, idle or too many clients cannot exhaust the
/// process's descriptors or memory.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConnectionSettings {
    /// Time a client has to send a request's line and headers, counted from the connection's
    /// start or from the end of its previous request (so it also ends idle keep-alives).
    #[serde(with = "super::duration")]
    pub header_read_timeout: Duration,
    /// Time a request's body has to arrive once its headers have; slower gets 408.
    #[serde(with = "super::duration")]
    pub body_read_timeout: Duration,
    /// Open client connections at most. A new connection beyond it closes the connection that
    /// has been waiting longest without a request in progress (a slow or idle client); when
    /// every connection is busy, the new one is closed. Both are counted in metrics.
    pub max: usize,
    /// Concurrent requests on one HTTP/2 connection.
    pub http2_max_concurrent_streams: u32,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max: 1000,
            http2_max_concurrent_streams: 100,
        }
    }
}

impl ConnectionSettings {
    pub(super) fn validate(&self) -> Result<(), SettingsError> {
        if self.header_read_timeout.is_zero() {
            return Err(bad("connections.header_read_timeout", "must be above zero"));
        }
        if self.body_read_timeout.is_zero() {
            return Err(bad("connections.body_read_timeout", "must be above zero"));
        }
        if self.max == 0 {
            return Err(bad("connections.max", "must be at least 1"));
        }
        if self.http2_max_concurrent_streams == 0 {
            return Err(bad(
                "connections.http2_max_concurrent_streams",
                "must be at least 1",
            ));
        }
        Ok(())
    }
}
