//! Probes and metrics. `GET /healthz`: the process is alive (always 200; the body says whether the
//! database answers, for humans). `GET /readyz`: ready for traffic — database reachable,
//! migrations applied, signing key loaded, and in the Django-database mode the site's database
//! reachable — else 503, so a load balancer stops sending.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::bodies::{DatabaseState, Health, MigrationState, Readiness, ReadyStatus};
use crate::state::AppState;

pub async fn healthz(State(app): State<AppState>) -> Json<Health> {
    let database = match app.store.ping().await {
        Ok(()) => DatabaseState::Ok,
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            DatabaseState::Unreachable
        }
    };
    Json(Health {
        status: "ok",
        database,
    })
}

pub async fn readyz(State(app): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let (database, migrations) = match app.store.schema_current().await {
        Ok(true) => (DatabaseState::Ok, MigrationState::Ok),
        Ok(false) => (DatabaseState::Ok, MigrationState::Pending),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: database unreachable");
            (DatabaseState::Unreachable, MigrationState::Unknown)
        }
    };
    let django_database = app.store.users_database().await.map(|answer| match answer {
        Ok(()) => DatabaseState::Ok,
        Err(e) => {
            tracing::warn!(error = %e, "readiness check: Django database unreachable");
            DatabaseState::Unreachable
        }
    });
    // The server only starts serving once its key is loaded.
    let ready =
        migrations == MigrationState::Ok && django_database != Some(DatabaseState::Unreachable);
    let (code, status) = if ready {
        (StatusCode::OK, ReadyStatus::Ready)
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, ReadyStatus::Unavailable)
    };
    let body = Readiness {
        status,
        database,
        django_database,
        migrations,
        signing_key: "loaded",
    };
    (code, Json(body))
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(app): State<AppState>) -> impl axum::response::IntoResponse {
    let body = app.metrics.render(app.hashing.in_flight(), &*app.store);
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
}

/// `GET /openapi.json`: this deployment's OpenAPI document (its bytes are shared, not copied).
pub async fn openapi(State(app): State<AppState>) -> impl axum::response::IntoResponse {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        app.openapi.clone(),
    )
}
