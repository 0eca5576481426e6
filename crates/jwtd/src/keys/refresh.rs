//! Keeping every instance's key ring current: each instance re-reads the key set every
//! `keys.reload_interval`, so a rotation made through any instance or the CLI reaches all, and
//! runs the upkeep (expiry, automatic rotation) the store makes safe to run everywhere. A
//! token naming a key the ring lacks (signed by another instance just after a `--now`
//! rotation) triggers a re-read too, at most once a second whatever clients send; a change made
//! through this instance's admin API, at once.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use jwtd_store::StoredKey;

use super::KeySet;
use crate::state::AppState;

/// Unknown kids re-read the key set at most this often.
const UNKNOWN_KID_SPACING: Duration = Duration::from_secs(1);

/// Runs until the process ends; `served` are the live keys of the ring installed at start.
pub async fn keep_current(set: KeySet, app: AppState, every: Duration, mut served: Vec<StoredKey>) {
    let unknown_kid = Arc::new(Notify::new());
    let wake = Arc::clone(&unknown_kid);
    app.tokens.on_unknown_kid(move || wake.notify_one());
    let mut last_read = Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep_until(last_read + every) => {}
            () = unknown_kid.notified() => {
                tokio::time::sleep_until(last_read + UNKNOWN_KID_SPACING).await;
            }
            // A change made through this instance's admin API: read it at once.
            () = app.keys_changed.notified() => {}
        }
        last_read = Instant::now();
        let now = app.clock.now().secs();
        let keys = match read_and_maintain(&set, now).await {
            Ok(keys) => keys,
            Err(e) => {
                tracing::warn!(error = %format!("{e:#}"), "cannot read or maintain the key set; keeping the current key ring");
                continue;
            }
        };
        let live: Vec<StoredKey> = set.live(&keys, now).into_iter().cloned().collect();
        if live == served {
            continue;
        }
        match set.ring_from(&keys, now) {
            Ok(ring) => {
                tracing::info!(
                    signing_kid = ring.signing_kid(),
                    keys = live.len(),
                    "key ring updated"
                );
                app.tokens.install_keys(ring);
                publish_metrics(&set, &app, &live);
                served = live;
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "cannot build the key ring; keeping the current one")
            }
        }
    }
}

/// The key set after this instance's upkeep (read again only when the upkeep changed it).
async fn read_and_maintain(set: &KeySet, now: i64) -> anyhow::Result<Vec<StoredKey>> {
    let keys = set.keys().await?;
    if set.maintain(&keys, now).await? {
        return set.keys().await;
    }
    Ok(keys)
}

/// `jwtd_signing_key_info{kid,alg,state}` for the key set's live keys.
pub fn publish_metrics(set: &KeySet, app: &AppState, live: &[StoredKey]) {
    let rows: Vec<_> = live.iter().map(|k| set.view(k)).collect();
    app.metrics.signing_keys(
        rows.iter()
            .map(|v| (v.kid.as_str(), v.algorithm.as_str(), v.state)),
    );
}
