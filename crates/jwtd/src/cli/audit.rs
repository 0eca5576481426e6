//! `jwtd audit list`: the audit log, newest first.

use clap::Subcommand;
use jwtd_core::Settings;
use jwtd_store::AuditQuery;

use crate::api::admin::bodies::{AuditEntryBody, iso8601};
use crate::server::open_store;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Entries, newest first.
    List {
        /// Entries by or about this user id.
        #[arg(long)]
        user: Option<i64>,
        /// One action (`user.created`, `session.revoked`, …).
        #[arg(long)]
        action: Option<String>,
        /// How far back, e.g. `1h`, `7d`.
        #[arg(long, value_parser = humantime::parse_duration)]
        since: Option<std::time::Duration>,
        #[arg(long, default_value_t = 100)]
        limit: u64,
        /// One JSON object per line, as `GET /admin/audit/` shows them.
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(command: AuditCommand, settings: &Settings) -> anyhow::Result<()> {
    let AuditCommand::List {
        user,
        action,
        since,
        limit,
        json,
    } = command;
    let store = open_store(settings).await?;
    let now = jwtd_core::Clock::system().now().secs();
    let query = AuditQuery {
        user,
        action,
        since: since.map(|d| now - i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)),
        offset: 0,
        limit,
    };
    let result = store.audit_entries(&query).await;
    store.close().await;
    for entry in result?.1 {
        if json {
            println!("{}", serde_json::to_string(&AuditEntryBody::from(entry))?);
        } else {
            let target = entry
                .target_user
                .map(|u| format!("user:{u}"))
                .unwrap_or_default();
            println!(
                "{}\t{}\t{}\t{target}\t{}\t{}",
                iso8601(entry.at),
                entry.action,
                entry.actor,
                entry.ip.unwrap_or_default(),
                entry.detail
            );
        }
    }
    Ok(())
}
