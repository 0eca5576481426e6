//! `GET /admin/audit/?user=&action=&since=&page=&page_size=`, newest first.

use axum::Json;
use axum::extract::State;
use jwtd_core::Msg;
use jwtd_store::AuditQuery;

use super::Admin;
use super::bodies::{AuditEntryBody, Page};
use super::page::ListQuery;
use crate::api::error::ApiError;
use crate::state::AppState;

pub async fn list(
    State(app): State<AppState>,
    _admin: Admin,
    query: ListQuery,
) -> Result<Json<Page<AuditEntryBody>>, ApiError> {
    let user = match query.param("user") {
        None => None,
        Some(id) => Some(
            id.parse()
                .map_err(|_| ApiError::field("user", Msg::NotInteger))?,
        ),
    };
    let since = match query.param("since") {
        None => None,
        Some(at) => {
            Some(parse_since(at).ok_or_else(|| ApiError::field("since", Msg::InvalidDateTime))?)
        }
    };
    let filter = AuditQuery {
        user,
        action: query.param("action").map(str::to_owned),
        since,
        offset: 0,
        limit: 0,
    };
    let page = query
        .fetch(|window| {
            let (app, filter) = (app.clone(), filter.clone());
            async move {
                let query = AuditQuery {
                    offset: window.offset,
                    limit: window.limit,
                    ..filter
                };
                let (count, entries) = app.store.audit_entries(&query).await?;
                Ok((
                    count,
                    entries.into_iter().map(AuditEntryBody::from).collect(),
                ))
            }
        })
        .await?;
    Ok(Json(page))
}

/// An RFC 3339 instant (`2026-11-24T05:00:00Z`), or epoch seconds.
fn parse_since(text: &str) -> Option<i64> {
    if let Ok(secs) = text.parse::<i64>() {
        return Some(secs);
    }
    let at = humantime::parse_rfc3339_weak(text).ok()?;
    let secs = at.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs();
    i64::try_from(secs).ok()
}
