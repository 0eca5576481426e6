//! `jwtd tokens …`: maintenance of the refresh-token table.

use std::time::Duration;

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use jwtd_core::settings::whole_seconds;
use jwtd_core::{Clock, Settings};

use crate::server::open_store;

#[derive(Subcommand)]
pub enum TokensCommand {
    /// Delete refresh-token and blacklist rows of tokens that have expired (SimpleJWT's
    /// `flushexpiredtokens`), ended sessions, and audit entries older than `audit.retention`.
    /// Safe while jwtd serves: it deletes in short batches.
    FlushExpired {
        /// Rows deleted per transaction.
        #[arg(long, default_value_t = 5000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        batch: u32,
    },
}

pub async fn run(command: TokensCommand, settings: &Settings) -> anyhow::Result<()> {
    let store = open_store(settings).await?;
    let result = match command {
        TokensCommand::FlushExpired { batch } => {
            // A token inside the leeway still verifies, so its row (and blacklist entry) stays.
            let cutoff = Clock::system().now().secs() - whole_seconds(settings.leeway);
            let progress = ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template("{spinner} removed {pos} expired tokens ({per_sec})")
                    .expect("a valid template"),
            );
            progress.enable_steady_tick(Duration::from_millis(120));
            let mut removed = 0u64;
            let outcome = loop {
                match store.flush_expired(cutoff, batch).await {
                    Ok(n) => {
                        removed += n;
                        progress.set_position(removed);
                        if n < u64::from(batch) {
                            break Ok(());
                        }
                        // Let the server's writes in between batches.
                        tokio::task::yield_now().await;
                    }
                    Err(e) => break Err(e),
                }
            };
            progress.finish_and_clear();
            match outcome {
                Ok(()) => {
                    println!("removed {removed} expired refresh tokens");
                    let before =
                        Clock::system().now().secs() - whole_seconds(settings.audit.retention);
                    let aged = store.flush_audit(before).await?;
                    println!("removed {aged} audit entries older than audit.retention");
                    Ok(())
                }
                Err(e) => Err(anyhow::anyhow!(
                    "flush stopped after removing {removed} expired refresh tokens: {e}"
                )),
            }
        }
    };
    store.close().await;
    result
}
