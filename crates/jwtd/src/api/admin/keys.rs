//! `/admin/keys/…`: the signing-key set over HTTP, as `jwtd keys` has it on the host — list,
//! generate a `next` key, rotate (refused before `keys.publish_delay` unless `now`), retire.
//! The rules are [`crate::keys::KeySet`]'s; this module only maps them to DRF answers and the
//! audit log, and wakes this instance's key reader so it signs with the new key at once.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use jwtd_core::Msg;
use jwtd_core::keys::Algorithm;
use jwtd_core::settings::whole_seconds;
use jwtd_store::KeyOrigin;
use serde_json::json;

use super::Admin;
use super::bodies::{KeyBody, KeySetBody, RotationBody};
use super::input::Form;
use crate::api::bodies::Empty;
use crate::api::body::Data;
use crate::api::error::ApiError;
use crate::api::now::Now;
use crate::audit::{self, Event};
use crate::keys::{KeyChangeError, KeySet, Retirement, Rotation};
use crate::state::AppState;

/// The deployment's key set, or 409 for one that signs otherwise (an HS secret, a PEM key).
fn key_set(app: &AppState) -> Result<&KeySet, ApiError> {
    app.key_set
        .as_ref()
        .ok_or_else(|| ApiError::detail(StatusCode::CONFLICT, Msg::KeySetUnmanaged))
}

/// `GET /admin/keys/`: every key with its state and dates (an empty list, `managed: false`,
/// for a deployment without a key set).
pub async fn list(
    State(app): State<AppState>,
    _admin: Admin,
) -> Result<Json<KeySetBody>, ApiError> {
    let keys = match &app.key_set {
        Some(set) => {
            let stored = app.store.signing_keys().await?;
            stored.iter().map(|k| KeyBody::from(set.view(k))).collect()
        }
        None => Vec::new(),
    };
    Ok(Json(KeySetBody {
        managed: app.key_set.is_some(),
        algorithm: app.settings.algorithm.name().to_owned(),
        publish_delay: whole_seconds(app.settings.keys.publish_delay),
        keys,
    }))
}

/// `POST /admin/keys/` `{algorithm?}`: a new `next` key, published at once.
pub async fn generate(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    Data(data): Data,
) -> Result<(StatusCode, Json<KeyBody>), ApiError> {
    admin.may_change()?;
    let set = key_set(&app)?;
    let mut form = Form::new(&data);
    let algorithm = match form.text("algorithm", false, true, true) {
        Some(name) if !name.is_empty() => match name.parse::<Algorithm>() {
            Ok(algorithm) => Some(algorithm),
            Err(_) => {
                form.error("algorithm", Msg::InvalidChoice, Some(name));
                None
            }
        },
        _ => None,
    };
    form.finish()?;
    let kid = set
        .generate(algorithm, KeyOrigin::Generated, now.secs())
        .await
        .map_err(refusal)?
        .ok_or_else(|| refusal(KeyChangeError::Changed))?;
    changed(&app, now, &admin, "key.generated", json!({"kid": kid})).await;
    let stored = app.store.signing_keys().await?;
    let key = stored
        .iter()
        .find(|k| k.kid == kid)
        .ok_or_else(|| refusal(KeyChangeError::Changed))?;
    Ok((StatusCode::CREATED, Json(set.view(key).into())))
}

/// `POST /admin/keys/rotate/` `{now?}`: the oldest `next` key signs (200); without one, one is
/// made to be published first (202); too early: 409 with the time left.
pub async fn rotate(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    Data(data): Data,
) -> Result<(StatusCode, Json<RotationBody>), ApiError> {
    admin.may_change()?;
    let set = key_set(&app)?;
    let mut form = Form::new(&data);
    let force = form.boolean("now").unwrap_or(false);
    form.finish()?;
    let rotation = set
        .rotate(now.secs(), force, KeyOrigin::Generated)
        .await
        .map_err(refusal)?;
    match rotation {
        Rotation::Rotated { current, retired } => {
            let detail = json!({"current": current, "retired": retired});
            changed(&app, now, &admin, "key.rotated", detail).await;
            let body = RotationBody {
                current: Some(current),
                retired,
                next: None,
                ready_at: None,
            };
            Ok((StatusCode::OK, Json(body)))
        }
        Rotation::Prepared { kid, ready_at } => {
            changed(&app, now, &admin, "key.generated", json!({"kid": kid})).await;
            let body = RotationBody {
                current: None,
                retired: None,
                next: Some(kid),
                ready_at: Some(super::bodies::iso8601(ready_at)),
            };
            Ok((StatusCode::ACCEPTED, Json(body)))
        }
        Rotation::TooSoon { wait, .. } => Err(ApiError::Detail {
            status: StatusCode::CONFLICT,
            msg: Msg::KeyNotReady,
            arg: Some(wait.to_string()),
            code: None,
        }),
    }
}

/// `POST /admin/keys/{kid}/retire/` `{revoke?}`: withdraws a `next` key, or with `revoke`
/// removes a retired one now (its tokens are refused from then on).
pub async fn retire(
    State(app): State<AppState>,
    now: Now,
    admin: Admin,
    Path(kid): Path<String>,
    Data(data): Data,
) -> Result<Empty, ApiError> {
    admin.may_change()?;
    let set = key_set(&app)?;
    let mut form = Form::new(&data);
    let revoke = form.boolean("revoke").unwrap_or(false);
    form.finish()?;
    let action = match set.retire(&kid, revoke).await.map_err(refusal)? {
        Retirement::Withdrawn => "key.withdrawn",
        Retirement::Revoked => "key.revoked",
    };
    changed(&app, now, &admin, action, json!({"kid": kid})).await;
    Ok(Empty {})
}

/// Records a change, and installs the changed key set in this instance's ring before the
/// answer (a revoked key refuses its tokens here at once; other instances follow within
/// `keys.reload_interval`).
async fn changed(
    app: &AppState,
    now: Now,
    admin: &Admin,
    action: &'static str,
    detail: serde_json::Value,
) {
    if let Some(set) = &app.key_set {
        match set
            .keys()
            .await
            .and_then(|keys| set.ring_from(&keys, now.secs()))
        {
            Ok(ring) => app.tokens.install_keys(ring),
            Err(e) => tracing::warn!(error = %format!("{e:#}"), "cannot reload the key ring"),
        }
    }
    // The key reader refreshes its view (and the key metrics) too.
    app.keys_changed.notify_one();
    let event = Event::new(action, None).detail(detail);
    audit::record(&*app.store, now.secs(), &admin.actor, event, &admin.origin).await;
}

/// A refused change as DRF answers it.
fn refusal(error: KeyChangeError) -> ApiError {
    let conflict = |msg| ApiError::detail(StatusCode::CONFLICT, msg);
    match error {
        KeyChangeError::NoSuchKey(_) => ApiError::not_found(),
        KeyChangeError::Signing(_) => conflict(Msg::KeySigning),
        KeyChangeError::AlreadyRetired(_) => conflict(Msg::KeyAlreadyRetired),
        KeyChangeError::Changed => conflict(Msg::KeySetChanged),
        KeyChangeError::Symmetric(algorithm) => ApiError::Fields(vec![(
            "algorithm",
            Msg::KeySymmetric,
            Some(algorithm.name().to_owned()),
        )]),
        KeyChangeError::Store(e) => ApiError::from(e),
        KeyChangeError::Other(e) => {
            tracing::error!(error = %format!("{e:#}"), "a key set change failed");
            ApiError::detail(StatusCode::INTERNAL_SERVER_ERROR, Msg::ServerError)
        }
    }
}
