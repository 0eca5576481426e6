//! The audit log's one writer: who did what to whom, from where. API handlers, the CLI and
//! jwtd's own security reactions (a reused refresh token, a throttled account) record through
//! [`record`], so every entry has the same shape and none can carry a secret: an entry holds
//! names, ids and a small JSON `detail` that callers build from non-secret fields only.

use jwtd_store::{AuditEntry, Store};
use serde_json::Value;

/// Who acted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Actor {
    /// A user with their own access token (an administrator, or themselves).
    User(i64),
    /// A machine with an API key, by the key's name.
    ApiKey { name: String, read_only: bool },
    /// `jwtd …` on the server's host.
    Cli,
    /// jwtd itself (reuse detection, the login throttle).
    Jwtd,
}

impl Actor {
    /// How the audit log names the actor: `user:42`, `api-key:deploy`, `cli`, `jwtd`.
    pub fn label(&self) -> String {
        match self {
            Actor::User(id) => format!("user:{id}"),
            Actor::ApiKey { name, .. } => format!("api-key:{name}"),
            Actor::Cli => "cli".into(),
            Actor::Jwtd => "jwtd".into(),
        }
    }

    fn user_id(&self) -> Option<i64> {
        match self {
            Actor::User(id) => Some(*id),
            _ => None,
        }
    }
}

/// What happened, to whom.
pub struct Event {
    /// `user.created`, `session.revoked`, … (the list is in the README).
    pub action: &'static str,
    pub target_user: Option<i64>,
    /// Non-secret particulars (a username, a session id, a key's name), or `Value::Null`.
    pub detail: Value,
}

impl Event {
    pub fn new(action: &'static str, target_user: Option<i64>) -> Event {
        Event {
            action,
            target_user,
            detail: Value::Null,
        }
    }

    pub fn detail(mut self, detail: Value) -> Event {
        self.detail = detail;
        self
    }
}

/// Where a request came from.
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ip: Option<String>,
    pub request_id: Option<String>,
}

/// Appends `event` by `actor` at `now`. The action it records has already happened, so a
/// failure to write the entry is logged, not returned.
pub async fn record(store: &dyn Store, now: i64, actor: &Actor, event: Event, origin: &Origin) {
    let detail = match event.detail {
        Value::Null => "{}".to_owned(),
        detail => detail.to_string(),
    };
    let entry = AuditEntry {
        id: 0,
        at: now,
        action: event.action.to_owned(),
        actor: actor.label(),
        actor_user: actor.user_id(),
        target_user: event.target_user,
        detail,
        ip: origin.ip.clone(),
        request_id: origin.request_id.clone(),
    };
    if let Err(e) = store.record_audit(&entry).await {
        tracing::error!(action = entry.action, actor = entry.actor, error = %e, "could not write an audit entry");
    }
}
