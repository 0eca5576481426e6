//! Probes and metrics. `GET /healthz`: the process is alive (always 200; the body says whether the
//! database answers, for humans). `GET /readyz`: ready for traffic — database reachable,
//! migrations applied, signing key loaded — else 503, so a load balancer stops sending.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::state::AppState;

pub async fn healthz(State(app): State<AppState>) -> Json<Value> {
    let database = match app.store.ping().await {
        Ok(()) => "ok",
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            "unreachable"
        }
    };
    Json(json!({"status": "ok", "database": database}))
}

pub async fn readyz(State(app): State<AppState>) -> (StatusCode, Json<Value>) {
    let (database, migrations) = match app.store.schema_current().await {
        Ok(true) => ("ok", "ok"),
        Ok(false) => ("ok", "pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            ("unreachable", "unknown")
        }
    };
    // The server only starts serving once its key is loaded.
    let ready = database == "ok" && migrations == "ok";
    let status = if ready { "ready" } else { "unavailable" };
    (
        if ready {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        Json(json!({
            "status": status,
            "database": database,
            "migrations": migrations,
            "signing_key": "loaded",
        })),
    )
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(app): State<AppState>) -> impl axum::response::IntoResponse {
    let (in_use, idle) = app.store.pool_stats();
    let body = app.metrics.render(app.hashing.in_flight(), in_use, idle);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}
