//! `jwtd import django`: moves a Django site's users (ids, password hashes, groups as roles) and
//! SimpleJWT's outstanding and blacklisted tokens into jwtd. Safe to run again: only what changed
//! in Django is applied.

mod plan;

use std::time::Duration;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use jwtd_core::Settings;
use jwtd_core::settings::LoginField;
use jwtd_django::{DjangoDb, ReadOptions};
use jwtd_store::{ImportAction, ImportedUser, Store, TokenCounts, redact_url};

use crate::server::open_store;
use plan::{Plan, RoleRules};

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import a Django site's users and SimpleJWT tokens from its database. Users keep their
    /// ids and password hashes (no reset, no forced logout); groups become roles; blacklisted
    /// tokens stay blacklisted. Running it again applies what changed in Django since.
    Django(DjangoArgs),
}

#[derive(Args)]
pub struct DjangoArgs {
    /// The Django database: `sqlite:///path/db.sqlite3` (or a file path), `postgres://…` or
    /// `mysql://…` (MariaDB too). Only read.
    #[arg(long = "from", value_name = "URL")]
    from: String,
    /// The user table (default: found from SimpleJWT's outstanding-token table or
    /// `<table>_groups`, else `auth_user`).
    #[arg(long, value_name = "TABLE")]
    user_table: Option<String>,
    /// The column users log in with, the model's `USERNAME_FIELD` (default: `username`, or
    /// `email` for a model without one).
    #[arg(long, value_name = "COLUMN")]
    login_field: Option<String>,
    /// Where roles come from: the users' Django groups, or none.
    #[arg(long, value_enum, default_value_t = Roles::Groups)]
    roles: Roles,
    /// Also give `is_staff` users the role `staff` and `is_superuser` users `superuser`.
    #[arg(long)]
    staff_roles: bool,
    /// Print what would be created, updated, unchanged and skipped; write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Roles {
    Groups,
    None,
}

/// Users per transaction (and progress-bar step).
const CHUNK: usize = 5000;

pub async fn run(command: ImportCommand, settings: &Settings) -> anyhow::Result<()> {
    let ImportCommand::Django(args) = command;
    if settings.django.is_some() {
        anyhow::bail!(
            "[django] is set: jwtd serves the Django site's users in place, there is nothing to \
             import (remove [django] to move the users into jwtd instead)"
        );
    }
    let source = redact_url(&args.from);
    let db = DjangoDb::connect(&args.from)
        .await
        .with_context(|| format!("cannot open the Django database {source}"))?;
    let options = ReadOptions {
        user_table: args.user_table.clone(),
        login_field: args.login_field.clone(),
        groups: args.roles == Roles::Groups,
    };
    let snapshot = db
        .read(&options)
        .await
        .with_context(|| format!("cannot read the Django database {source}"));
    db.close().await;
    let snapshot = snapshot?;
    let plan = plan::plan(
        &snapshot,
        RoleRules {
            groups: args.roles == Roles::Groups,
            staff: args.staff_roles,
        },
    );
    if snapshot.schema.login == "email" && settings.login_field != LoginField::Email {
        eprintln!(
            "note: {} users log in by email; set login_field = \"email\" in jwtd's settings",
            snapshot.schema.table
        );
    }
    let store = open_store(settings).await?;
    let outcome = apply(store.as_ref(), &plan, args.dry_run).await;
    store.close().await;
    let (actions, tokens) = outcome?;
    report(
        &snapshot.schema.table,
        &plan,
        &actions,
        tokens,
        args.dry_run,
    );
    Ok(())
}

async fn apply(
    store: &dyn Store,
    plan: &Plan,
    dry_run: bool,
) -> anyhow::Result<(Vec<ImportAction>, TokenCounts)> {
    let progress = ProgressBar::new(plan.users.len() as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} users ({per_sec}, {eta} left)")
            .expect("a valid template"),
    );
    progress.enable_steady_tick(Duration::from_millis(200));
    let mut actions = Vec::with_capacity(plan.users.len());
    for chunk in plan.users.chunks(CHUNK) {
        actions.extend(store.import_users(chunk, dry_run).await?);
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();
    let tokens = store.import_tokens(&plan.tokens, dry_run).await?;
    Ok((actions, tokens))
}

/// A line per user not left as it was (every change in a dry run; skips and conflicts always),
/// then the summary.
fn report(table: &str, plan: &Plan, actions: &[ImportAction], tokens: TokenCounts, dry_run: bool) {
    let name = |user: &ImportedUser| format!("id {} ({})", user.id, user.account.username);
    let (mut created, mut updated, mut unchanged, mut conflicts) = (0, 0, 0, 0);
    for (user, action) in plan.users.iter().zip(actions) {
        match action {
            ImportAction::Created => {
                created += 1;
                if dry_run {
                    println!("create {}", name(user));
                }
            }
            ImportAction::Updated(fields) => {
                updated += 1;
                println!("update {}: {}", name(user), fields.join(", "));
            }
            ImportAction::Unchanged => unchanged += 1,
            ImportAction::Conflict(reason) => {
                conflicts += 1;
                println!("skip {}: {reason}", name(user));
            }
        }
    }
    for skipped in &plan.skipped {
        println!(
            "skip id {} ({}): {}",
            skipped.id, skipped.login, skipped.reason
        );
    }
    let skipped = plan.skipped.len() + conflicts;
    let (verb, tokens_verb) = if dry_run {
        ("dry run, nothing written: would import", "would record")
    } else {
        ("imported", "recorded")
    };
    println!(
        "{verb} from {table}: {created} created, {updated} updated, {unchanged} unchanged, \
         {skipped} skipped; tokens: {tokens_verb} {}, blacklisted {}",
        tokens.recorded, tokens.blacklisted
    );
}
