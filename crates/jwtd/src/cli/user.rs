//! `jwtd user …`: user management on the server's database (safe while it runs).

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::Subcommand;
use jwtd_core::password::Hasher;
use jwtd_core::password::rules::{self, Person};
use jwtd_core::{Clock, Lang, Settings, user_fields};
use jwtd_store::{NewUser, Store, User, redact_url};
use serde_json::json;

use crate::audit::{self, Actor, Event, Origin};

use crate::server::{open_store, serve_django_users, users_database_ready};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from stdin, or prompted for on a terminal.
    Add {
        username: String,
        #[arg(long, default_value = "")]
        email: String,
        /// A role name (repeat for several).
        #[arg(long = "role", value_name = "ROLE")]
        roles: Vec<String>,
        /// Create the user inactive (cannot log in).
        #[arg(long)]
        inactive: bool,
        /// Stdin holds a Django password hash (any format Django has made: `pbkdf2_sha256$…`,
        /// `argon2$…`, `bcrypt_sha256$…`, `scrypt$…`, legacy MD5/SHA-1 …), kept as it is, instead of a password: for moving users over from a Django site.
        #[arg(long)]
        django_hash: bool,
    },
    /// List users.
    List {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password (read from stdin, or prompted for on a terminal).
    SetPassword { username: String },
    /// Allow a user to log in again.
    Activate { username: String },
    /// Stop a user from logging in and refreshing; their tokens are refused.
    Deactivate { username: String },
    /// Log a user out everywhere: every refresh and access token issued so far is refused.
    Logout { username: String },
    /// Delete a user.
    Delete { username: String },
}

pub async fn run(command: UserCommand, settings: &Settings) -> anyhow::Result<()> {
    if let Some(django) = &settings.django
        && command.writes_users()
    {
        bail!(
            "the users belong to the Django site ({}): change them there (its admin or \
             manage.py), not with jwtd",
            redact_url(&django.database_url)
        );
    }
    let store = serve_django_users(settings, open_store(settings).await?)?;
    let result = match users_database_ready(store.as_ref(), settings).await {
        Ok(()) => dispatch(command, settings, store.as_ref()).await,
        Err(e) => Err(e),
    };
    store.close().await;
    result
}

impl UserCommand {
    /// Whether the command changes a user (refused in the Django-database mode: the site owns
    /// its users). Listing and "log out everywhere" work there too.
    fn writes_users(&self) -> bool {
        !matches!(self, UserCommand::List { .. } | UserCommand::Logout { .. })
    }
}

async fn dispatch(
    command: UserCommand,
    settings: &Settings,
    store: &dyn Store,
) -> anyhow::Result<()> {
    match command {
        UserCommand::Add {
            username,
            email,
            roles,
            inactive,
            django_hash,
        } => {
            validate_username(&username)?;
            if !email.is_empty() && !user_fields::valid_email(&email) {
                bail!("{email:?} is not an email address");
            }
            if roles.iter().any(|r| r.trim().is_empty()) {
                bail!("role names must not be empty");
            }
            let hash = if django_hash {
                let stored = read_password(false)?;
                if Hasher::identify(&stored).is_none() {
                    bail!("not a Django password hash jwtd can verify");
                }
                stored
            } else {
                let person = Person {
                    username: &username,
                    email: &email,
                };
                let password = allowed(settings, read_password(true)?, person)?;
                hash(settings, password).await?
            };
            let user = NewUser {
                username,
                email,
                password: hash,
                is_active: !inactive,
                roles,
            };
            let user = store
                .create_user(user, Clock::system().now().secs())
                .await?;
            let detail = json!({"username": user.username});
            audited(
                store,
                Event::new("user.created", Some(user.id)).detail(detail),
            )
            .await;
            println!("created user {} (id {})", user.username, user.id);
        }
        UserCommand::List { json } => {
            let users = store.list_users().await?;
            if json {
                for u in users {
                    println!("{}", user_json(&u));
                }
            } else {
                println!(
                    "{:>6}  {:<24} {:<32} {:<8} roles",
                    "id", "username", "email", "active"
                );
                for u in users {
                    println!(
                        "{:>6}  {:<24} {:<32} {:<8} {}",
                        u.id,
                        u.username,
                        u.email,
                        if u.is_active { "yes" } else { "no" },
                        u.roles.join(",")
                    );
                }
            }
        }
        UserCommand::SetPassword { username } => {
            let user = find(store, &username).await?;
            let person = Person {
                username: &user.username,
                email: &user.email,
            };
            let password = allowed(settings, read_password(true)?, person)?;
            let hash = hash(settings, password).await?;
            store.set_password(user.id, &hash).await?;
            audited(store, Event::new("password.set", Some(user.id))).await;
            println!("password of {} changed", user.username);
        }
        UserCommand::Activate { username } => {
            let user = find(store, &username).await?;
            store.set_active(user.id, true).await?;
            let detail = json!({"fields": ["is_active"]});
            audited(
                store,
                Event::new("user.updated", Some(user.id)).detail(detail),
            )
            .await;
            println!("{} is active", user.username);
        }
        UserCommand::Deactivate { username } => {
            let user = find(store, &username).await?;
            store.set_active(user.id, false).await?;
            let detail = json!({"fields": ["is_active"]});
            audited(
                store,
                Event::new("user.updated", Some(user.id)).detail(detail),
            )
            .await;
            println!("{} is inactive", user.username);
        }
        UserCommand::Logout { username } => {
            let user = find(store, &username).await?;
            store
                .revoke_user_tokens(user.id, Clock::system().now().micros())
                .await?;
            audited(
                store,
                Event::new("user.logged_out_everywhere", Some(user.id)),
            )
            .await;
            println!("{} is logged out everywhere", user.username);
        }
        UserCommand::Delete { username } => {
            let user = find(store, &username).await?;
            store.delete_user(user.id).await?;
            let detail = json!({"username": user.username});
            audited(
                store,
                Event::new("user.deleted", Some(user.id)).detail(detail),
            )
            .await;
            println!("deleted {}", user.username);
        }
    }
    Ok(())
}

async fn find(store: &dyn Store, username: &str) -> anyhow::Result<User> {
    store
        .user_by_username(username)
        .await?
        .with_context(|| format!("no user named {username:?}"))
}

/// The password, if it passes the password rules; else every broken rule, on one line.
fn allowed(settings: &Settings, password: String, person: Person<'_>) -> anyhow::Result<String> {
    let broken = rules::check(&settings.password_rules, &password, person);
    if broken.is_empty() {
        return Ok(password);
    }
    let reasons: Vec<String> = broken
        .iter()
        .map(|(msg, arg)| Lang::En.render(*msg, arg.as_deref()).into_owned())
        .collect();
    bail!(
        "the password is refused (password_rules): {}",
        reasons.join(" ")
    )
}

async fn audited(store: &dyn Store, event: Event) {
    let now = Clock::system().now().secs();
    audit::record(store, now, &Actor::Cli, event, &Origin::default()).await;
}

async fn hash(settings: &Settings, password: String) -> anyhow::Result<String> {
    let params = settings.hashing.clone();
    tokio::task::spawn_blocking(move || Ok(Hasher::new(&params)?.hash(&password)))
        .await
        .context("hashing failed")?
}

fn validate_username(username: &str) -> anyhow::Result<()> {
    let max = user_fields::USERNAME_MAX_CHARS;
    if username.is_empty() || username.chars().count() > max {
        bail!("a username must be 1 to {max} characters long");
    }
    if !user_fields::username_chars_ok(username) {
        bail!("username {username:?} may contain only letters, digits and @ . + - _");
    }
    Ok(())
}

/// The password from a terminal prompt (typed twice) or the first line of stdin.
fn read_password(confirm: bool) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").context("cannot read the password")?;
        if confirm {
            let second = rpassword::prompt_password("Password (again): ")
                .context("cannot read the password")?;
            if first != second {
                bail!("the two passwords differ");
            }
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from stdin")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    if password.is_empty() {
        bail!("the password is empty");
    }
    Ok(password)
}

fn user_json(u: &User) -> serde_json::Value {
    serde_json::json!({
        "id": u.id,
        "username": u.username,
        "email": u.email,
        "is_active": u.is_active,
        "roles": u.roles,
        "last_login": u.last_login,
        "date_joined": u.date_joined,
    })
}
