//! Prometheus metrics (`GET /metrics`, text format 0.0.4), registered per server so tests can
//! run many servers in one process.

use std::sync::RwLock;

use axum::http::Method;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use rustc_hash::FxHashMap;

/// How a login attempt ended.
#[derive(Clone, Copy, Debug)]
pub enum LoginOutcome {
    Success,
    BadCredentials,
    Throttled,
    Unavailable,
}

impl LoginOutcome {
    fn label(self) -> &'static str {
        match self {
            LoginOutcome::Success => "success",
            LoginOutcome::BadCredentials => "bad_credentials",
            LoginOutcome::Throttled => "throttled",
            LoginOutcome::Unavailable => "unavailable",
        }
    }
}

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    request_seconds: HistogramVec,
    /// The two request series of each (route, method, status) seen, resolved once: looking
    /// labels up hashes three strings and allocates the status text on every request.
    request_series: RwLock<FxHashMap<RequestKey, RequestSeries>>,
    logins: IntCounterVec,
    /// Cloned into the hashing pool, which observes every hash.
    pub hash_seconds: Histogram,
    hashing_in_flight: IntGauge,
    rotations: IntCounter,
    reuse_detections: IntCounter,
    db_connections: IntGaugeVec,
    db_calls_pending: IntGauge,
    db_calls_failed: IntCounterVec,
    signing_keys: IntGaugeVec,
    log_lines_dropped: IntCounter,
    connections_open: IntGauge,
    connections_closed: IntCounterVec,
}

/// (route label, method label, status), by the labels' addresses.
type RequestKey = (usize, usize, u16);

struct RequestSeries {
    count: IntCounter,
    latency: Histogram,
}

impl RequestSeries {
    fn observe(&self, seconds: f64) {
        self.count.inc();
        self.latency.observe(seconds);
    }
}

fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::CONNECT => "CONNECT",
        Method::TRACE => "TRACE",
        _ => "other",
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "jwtd_http_requests_total",
                "HTTP requests by route, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let request_seconds = HistogramVec::new(
            HistogramOpts::new("jwtd_http_request_duration_seconds", "HTTP request latency")
                .buckets(vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
                ]),
            &["route"],
        )
        .expect("valid metric");
        let logins = IntCounterVec::new(
            Opts::new("jwtd_logins_total", "Login attempts by outcome"),
            &["outcome"],
        )
        .expect("valid metric");
        let hash_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "jwtd_password_hash_seconds",
                "Time of one password hash or verification",
            )
            .buckets(vec![0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0]),
        )
        .expect("valid metric");
        let hashing_in_flight = IntGauge::new(
            "jwtd_hashing_in_flight",
            "Password hashes running or queued in the hashing pool",
        )
        .expect("valid metric");
        let rotations = IntCounter::new(
            "jwtd_refresh_rotations_total",
            "Refresh tokens rotated (one successor each)",
        )
        .expect("valid metric");
        let reuse_detections = IntCounter::new(
            "jwtd_refresh_reuse_detections_total",
            "Rotated refresh tokens presented again after the reuse interval (family revoked)",
        )
        .expect("valid metric");
        let db_connections = IntGaugeVec::new(
            Opts::new(
                "jwtd_db_pool_connections",
                "Database pool connections by state",
            ),
            &["state"],
        )
        .expect("valid metric");
        let db_calls_pending = IntGauge::new(
            "jwtd_db_calls_pending",
            "Database calls running or waiting for a connection",
        )
        .expect("valid metric");
        let db_calls_failed = IntCounterVec::new(
            Opts::new(
                "jwtd_db_calls_failed_total",
                "Database calls failed by their bound: no answer within the acquire and query \
                 timeouts (timeout), or database_max_pending already pending (too_many_pending)",
            ),
            &["reason"],
        )
        .expect("valid metric");
        let signing_keys = IntGaugeVec::new(
            Opts::new(
                "jwtd_signing_key_info",
                "Keys that sign or verify tokens (value 1), by kid, algorithm and state",
            ),
            &["kid", "alg", "state"],
        )
        .expect("valid metric");
        let log_lines_dropped = IntCounter::new(
            "jwtd_log_lines_dropped_total",
            "Log lines dropped because the log writer's queue was full (stderr stalled)",
        )
        .expect("valid metric");
        let connections_open =
            IntGauge::new("jwtd_connections_open", "Client connections open now")
                .expect("valid metric");
        let connections_closed = IntCounterVec::new(
            Opts::new(
                "jwtd_connections_closed_total",
                "Connections jwtd closed: an idle or slow one to admit a new one at the cap \
                 (evicted), the new one when every connection was busy (refused), or one with \
                 no request in progress for header_read_timeout (timeout)",
            ),
            &["reason"],
        )
        .expect("valid metric");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_seconds.clone()),
            Box::new(logins.clone()),
            Box::new(hash_seconds.clone()),
            Box::new(hashing_in_flight.clone()),
            Box::new(rotations.clone()),
            Box::new(reuse_detections.clone()),
            Box::new(db_connections.clone()),
            Box::new(db_calls_pending.clone()),
            Box::new(db_calls_failed.clone()),
            Box::new(signing_keys.clone()),
            Box::new(log_lines_dropped.clone()),
            Box::new(connections_open.clone()),
            Box::new(connections_closed.clone()),
        ] {
            registry.register(collector).expect("unique metric names");
        }
        Metrics {
            registry,
            requests,
            request_seconds,
            request_series: RwLock::default(),
            logins,
            hash_seconds,
            hashing_in_flight,
            rotations,
            reuse_detections,
            db_connections,
            db_calls_pending,
            db_calls_failed,
            signing_keys,
            log_lines_dropped,
            connections_open,
            connections_closed,
        }
    }

    /// Replaces the signing-key info with these (kid, alg, state) rows.
    pub fn signing_keys<'a>(&self, keys: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>) {
        self.signing_keys.reset();
        for (kid, alg, state) in keys {
            self.signing_keys
                .with_label_values(&[kid, alg, state])
                .set(1);
        }
    }

    /// Counts a request and its latency. Labels are bounded: `route` is an endpoint table's
    /// label (or "unmatched"), and a method outside HTTP's standard ones counts as "other".
    pub fn request(&self, route: &'static str, method: &Method, status: u16, seconds: f64) {
        let method = method_label(method);
        // Labels are static strings: their addresses name them.
        let key = (route.as_ptr() as usize, method.as_ptr() as usize, status);
        if let Some(series) = self
            .request_series
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            series.observe(seconds);
            return;
        }
        let series = RequestSeries {
            count: self
                .requests
                .with_label_values(&[route, method, &status.to_string()]),
            latency: self.request_seconds.with_label_values(&[route]),
        };
        series.observe(seconds);
        self.request_series
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, series);
    }

    pub fn login(&self, outcome: LoginOutcome) {
        self.logins.with_label_values(&[outcome.label()]).inc();
    }

    pub fn connections_open(&self, open: usize) {
        self.connections_open
            .set(i64::try_from(open).unwrap_or(i64::MAX));
    }

    /// A connection jwtd closed: `evicted`, `refused` or `timeout`.
    pub fn connection_closed(&self, reason: &'static str) {
        self.connections_closed.with_label_values(&[reason]).inc();
    }

    pub fn rotation(&self) {
        self.rotations.inc();
    }

    pub fn reuse_detected(&self) {
        self.reuse_detections.inc();
    }

    /// The text exposition, with the gauges read now.
    pub fn render(&self, hashing_in_flight: usize, db: &dyn jwtd_store::Health) -> String {
        self.hashing_in_flight
            .set(i64::try_from(hashing_in_flight).unwrap_or(i64::MAX));
        let (db_in_use, db_idle) = db.pool_stats();
        self.db_connections
            .with_label_values(&["in_use"])
            .set(i64::from(db_in_use));
        self.db_connections
            .with_label_values(&["idle"])
            .set(i64::from(db_idle));
        if let Some(calls) = db.call_stats() {
            self.db_calls_pending
                .set(i64::try_from(calls.pending).unwrap_or(i64::MAX));
            catch_up(
                &self.db_calls_failed.with_label_values(&["timeout"]),
                calls.timed_out,
            );
            catch_up(
                &self
                    .db_calls_failed
                    .with_label_values(&["too_many_pending"]),
                calls.refused,
            );
        }
        catch_up(&self.log_lines_dropped, crate::logging::dropped_lines());
        let mut out = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .expect("text encoding cannot fail");
        String::from_utf8(out).expect("the text format is UTF-8")
    }
}

/// Moves `counter` up to `total`, a count kept elsewhere.
fn catch_up(counter: &IntCounter, total: u64) {
    counter.inc_by(total.saturating_sub(counter.get()));
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
