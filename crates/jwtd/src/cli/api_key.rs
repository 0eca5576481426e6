//! `jwtd api-key …`: credentials for machines calling the admin API.

use clap::Subcommand;
use jwtd_core::{Clock, Settings};
use jwtd_store::{NewApiKey, StoreError};
use serde_json::json;

use crate::audit::{self, Actor, Event, Origin};
use crate::server::open_store;

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Make a key and print it, once (only its hash is stored). Send it as
    /// `Authorization: Api-Key <key>`.
    Create {
        name: String,
        /// The key may read (list users, sessions, the audit log), not change anything.
        #[arg(long)]
        read_only: bool,
    },
    /// The keys: name, first characters, access, created.
    List,
    /// Delete a key: requests with it are refused at once.
    Revoke { name: String },
}

pub async fn run(command: ApiKeyCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let now = Clock::system().now().secs();
    let result = match command {
        ApiKeyCommand::Create { name, read_only } => {
            let name = name.trim().to_owned();
            if name.is_empty() || name.chars().any(|c| c.is_control()) {
                anyhow::bail!("an API key needs a printable name");
            }
            let key = crate::api_key::generate();
            let new = NewApiKey {
                name: name.clone(),
                prefix: crate::api_key::prefix(&key),
                key_hash: crate::api_key::hash(&key),
                read_only,
            };
            match store.add_api_key(&new, now).await {
                Err(StoreError::NameTaken(_)) => {
                    anyhow::bail!(
                        "an API key named {name:?} exists; revoke it first or pick another name"
                    )
                }
                other => other?,
            };
            let event = Event::new("api_key.created", None)
                .detail(json!({"name": name, "read_only": read_only}));
            audit::record(&*store, now, &Actor::Cli, event, &Origin::default()).await;
            eprintln!("API key {name:?} created; it is shown once, now:");
            println!("{key}");
            Ok(())
        }
        ApiKeyCommand::List => {
            for key in store.api_keys().await? {
                let access = if key.read_only {
                    "read-only"
                } else {
                    "read-write"
                };
                println!(
                    "{}\t{}…\t{access}\t{}",
                    key.name,
                    key.prefix,
                    crate::api::admin::bodies::iso8601(key.created_at)
                );
            }
            Ok(())
        }
        ApiKeyCommand::Revoke { name } => {
            if !store.remove_api_key(&name).await? {
                anyhow::bail!("no API key named {name:?} (see `jwtd api-key list`)");
            }
            let event = Event::new("api_key.revoked", None).detail(json!({"name": name}));
            audit::record(&*store, now, &Actor::Cli, event, &Origin::default()).await;
            println!("revoked API key {name:?}");
            Ok(())
        }
    };
    store.close().await;
    result
}
