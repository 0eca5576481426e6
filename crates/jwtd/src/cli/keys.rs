//! `jwtd keys …`: the signing-key set of an asymmetric deployment.

use std::path::PathBuf;
use std::time::{Duration, UNIX_EPOCH};

use anyhow::{Context, bail};
use clap::Subcommand;
use jwtd_core::keys::Algorithm;
use jwtd_core::{Clock, Settings};
use jwtd_store::KeyOrigin;

use crate::audit::{self, Actor, Event, Origin};
use crate::keys::{KeySet, KeyView, Retirement, Rotation};
use crate::server::open_store;
use serde_json::json;

#[derive(Subcommand)]
pub enum KeysCommand {
    /// The key set: kid, algorithm, state, created, activated, retires at.
    List {
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Add a `next` key: published in the JWKS at once, signing after `jwtd keys rotate`.
    Generate {
        /// ES256, ES384, EdDSA, RS256/384/512 or PS256/384/512 (default: `algorithm`).
        #[arg(long, value_name = "ALG")]
        algorithm: Option<Algorithm>,
    },
    /// Make the oldest `next` key sign (once published for `keys.publish_delay`); the current
    /// key retires and keeps verifying until its tokens expire. Without a `next` key, make one.
    Rotate {
        /// Do not wait for the publish delay (verifiers caching the JWKS may refuse new tokens
        /// for a while).
        #[arg(long)]
        now: bool,
    },
    /// Bring a PEM private key from another system (e.g. a SimpleJWT site's `SIGNING_KEY`) as a
    /// `next` key; tokens without a `kid` verify against it.
    Import {
        #[arg(long, value_name = "FILE")]
        pem: PathBuf,
        /// For an RSA key: RS256 (default), RS384, RS512, PS256, PS384 or PS512.
        #[arg(long, value_name = "ALG")]
        algorithm: Option<Algorithm>,
    },
    /// Withdraw a `next` key; with `--revoke`, remove a retired key now (for a leaked key:
    /// every token it signed is refused at once).
    Retire {
        /// A kid is base64url and may begin with `-`: it is still a kid, not a flag.
        #[arg(allow_hyphen_values = true)]
        kid: String,
        #[arg(long)]
        revoke: bool,
    },
}

pub async fn run(command: KeysCommand, settings: &Settings) -> anyhow::Result<()> {
    if !settings.uses_key_set() {
        let signer = if settings.algorithm.is_hmac() {
            format!("an {} secret", settings.algorithm)
        } else {
            "the configured `signing_key`".to_owned()
        };
        bail!(
            "this deployment signs with {signer}; `jwtd keys` manages the key set of an asymmetric `algorithm` without `signing_key`"
        );
    }
    let store = open_store(settings).await?;
    let set = KeySet::open(settings, store.clone())?;
    let now = Clock::system().now().secs();
    let result = execute(command, &set, now).await;
    if let Ok(Some(event)) = &result {
        let event = Event::new(event.0, None).detail(event.1.clone());
        audit::record(&*store, now, &Actor::Cli, event, &Origin::default()).await;
    }
    store.close().await;
    result.map(|_| ())
}

/// What a command changed, for the audit log: the action and its detail.
type Changed = Option<(&'static str, serde_json::Value)>;

async fn execute(command: KeysCommand, set: &KeySet, now: i64) -> anyhow::Result<Changed> {
    let changed = match command {
        KeysCommand::List { json } => {
            let views: Vec<KeyView> = set.keys().await?.iter().map(|k| set.view(k)).collect();
            if json {
                println!("{}", serde_json::to_string_pretty(&views)?);
            } else {
                print_table(&views);
            }
            None
        }
        KeysCommand::Generate { algorithm } => {
            let kid = set.generate(algorithm, KeyOrigin::Generated, now).await?;
            let kid = kid.context("the key set refused the key")?;
            println!("generated key {kid} (next): published now; `jwtd keys rotate` makes it sign");
            Some(("key.generated", json!({"kid": kid})))
        }
        KeysCommand::Rotate { now: force } => {
            match set.rotate(now, force, KeyOrigin::Generated).await? {
                Rotation::Rotated { current, retired } => {
                    println!("key {current} signs new tokens now");
                    if let Some(old) = &retired {
                        println!(
                            "key {old} is retired: it verifies the tokens it signed until they expire"
                        );
                    }
                    Some((
                        "key.rotated",
                        json!({"current": current, "retired": retired}),
                    ))
                }
                Rotation::TooSoon { kid, wait } => bail!(
                    "key {kid} has been published for less than keys.publish_delay: verifiers may not have fetched it yet; wait {} (or --now)",
                    humantime::format_duration(Duration::from_secs(wait.unsigned_abs()))
                ),
                Rotation::Prepared { kid, ready_at } => {
                    println!(
                        "there was no next key: generated {kid} and published it; run `jwtd keys rotate` again after {}",
                        time(ready_at)
                    );
                    Some(("key.generated", json!({"kid": kid})))
                }
            }
        }
        KeysCommand::Import { pem, algorithm } => {
            let text = std::fs::read_to_string(&pem)
                .with_context(|| format!("cannot read {}", pem.display()))?;
            let kid = set
                .import(&text, algorithm, now)
                .await
                .with_context(|| format!("cannot import {}", pem.display()))?;
            println!("imported key {kid} (next): published now; `jwtd keys rotate` makes it sign");
            Some(("key.imported", json!({"kid": kid})))
        }
        KeysCommand::Retire { kid, revoke } => match set.retire(&kid, revoke).await? {
            Retirement::Withdrawn => {
                println!("withdrew key {kid}: it never signed");
                Some(("key.withdrawn", json!({"kid": kid})))
            }
            Retirement::Revoked => {
                println!("removed key {kid}: tokens it signed are refused from now on");
                Some(("key.revoked", json!({"kid": kid})))
            }
        },
    };
    Ok(changed)
}

fn print_table(views: &[KeyView]) {
    println!(
        "{:<43}  {:<5}  {:<7}  {:<20}  {:<26}  RETIRES AT",
        "KID", "ALG", "STATE", "CREATED", "ACTIVATED"
    );
    for v in views {
        let activated = match (v.activated_at, v.ready_at) {
            (Some(at), _) => time(at),
            (None, Some(ready)) => format!("ready {}", time(ready)),
            (None, None) => "-".to_owned(),
        };
        println!(
            "{:<43}  {:<5}  {:<7}  {:<20}  {:<26}  {}",
            v.kid,
            v.algorithm,
            v.state,
            time(v.created_at),
            activated,
            v.retires_at.map_or_else(|| "-".to_owned(), time)
        );
    }
}

fn time(epoch: i64) -> String {
    let at = UNIX_EPOCH + Duration::from_secs(epoch.max(0).unsigned_abs());
    humantime::format_rfc3339_seconds(at).to_string()
}
