//! jwtd's store in the Django-database mode ([`DjangoStore`]): the users are a live Django
//! site's, read from its database on every call so a change made in Django counts at once;
//! everything else (rotation families, login counters, "log out everywhere") stays in jwtd's
//! own store, never in a table the site's migrations would see. The blacklist is shared with
//! the site's SimpleJWT tables when it has them ([`tokens`]).
//!
//! The site's database is connected to in the background, with back-off: until it answers,
//! whatever needs a user gets [`StoreError::Unavailable`] (a 503), and the server keeps serving
//! what does not.

mod sessions;
mod tokens;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use jwtd_core::user_rules::simplejwt_revoke_value;
use jwtd_store::{
    Health, ImportAction, ImportedToken, ImportedUser, Importer, KeyState, KeyStore, LoginThrottle,
    NewUser, Result, Store, StoreError, StoredKey, TokenCounts, User, UserChanges, UserQuery,
    UserStore,
};

use crate::blacklist::SharedBlacklist;
use crate::{DjangoDb, DjangoError, DjangoUser, LiveUsers, ReadOptions};

/// How to reach the site and what jwtd may write there.
#[derive(Clone, Debug)]
pub struct SiteConfig {
    pub database_url: String,
    /// The user table (discovered when unset), the login column, and whether groups are read
    /// (they become the `roles` claim).
    pub read: ReadOptions,
    /// The pool's limits (the server's own: `database_pool_size`, `database_acquire_timeout`).
    pub pool: jwtd_store::PoolConfig,
    /// For the start-up message only: whether jwtd writes `last_login` and re-hashed passwords.
    pub writes_last_login: bool,
    pub writes_passwords: bool,
}

/// The site's user table and blacklist tables, once connected.
struct Site {
    users: LiveUsers,
    blacklist: Option<SharedBlacklist>,
}

/// Users from a live Django site, the rest from jwtd's own store.
pub struct DjangoStore {
    own: Arc<dyn Store>,
    site: Arc<OnceLock<Site>>,
    roles: bool,
}

impl DjangoStore {
    /// Starts connecting to the site's database in the background and returns at once. Fails
    /// only for a URL no retry can fix.
    pub fn start(
        own: Arc<dyn Store>,
        config: SiteConfig,
    ) -> std::result::Result<Self, DjangoError> {
        crate::dialect::Dialect::of_url(&config.database_url, true)?;
        let site = Arc::new(OnceLock::new());
        tokio::spawn(connect_patiently(site.clone(), config.clone()));
        Ok(DjangoStore {
            own,
            site,
            roles: config.read.groups,
        })
    }

    fn site(&self) -> Result<&Site> {
        self.site.get().ok_or_else(|| {
            StoreError::Unavailable("the Django site's database is not connected yet".into())
        })
    }

    /// A site user as jwtd's user rules and claims read it. The revocation value is
    /// SimpleJWT's, so the site's own views agree about which tokens a password change killed.
    async fn user(&self, found: Option<DjangoUser>) -> Result<Option<User>> {
        let Some(django) = found else {
            return Ok(None);
        };
        let id = django.id.parse::<i64>().map_err(|_| {
            StoreError::Corrupt(format!(
                "the Django user id {:?} is not an integer (jwtd's tokens name users by integer ids)",
                django.id
            ))
        })?;
        Ok(Some(User {
            id,
            revoke_key: simplejwt_revoke_value(&django.password),
            logged_out_at: self.own.external_logged_out_at(id).await?,
            username: django.login,
            email: django.email,
            password: django.password,
            is_active: django.is_active,
            roles: if self.roles {
                django.groups
            } else {
                Vec::new()
            },
            last_login: django.last_login,
            date_joined: django.date_joined.unwrap_or(0),
        }))
    }
}

/// Connects, finds the user table and the blacklist tables, retrying with back-off (0.5 s
/// doubling to 30 s) whatever goes wrong: the site may still be starting or migrating.
async fn connect_patiently(site: Arc<OnceLock<Site>>, config: SiteConfig) {
    let redacted = jwtd_store::redact_url(&config.database_url);
    let mut delay = Duration::from_millis(500);
    loop {
        match connect(&config).await {
            Ok(connected) => {
                announce(&connected, &config, &redacted);
                let _ = site.set(connected);
                return;
            }
            Err(e) => {
                tracing::warn!(database = %redacted, error = %e, retry_in = ?delay,
                    "Django database not ready; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    }
}

async fn connect(config: &SiteConfig) -> std::result::Result<Site, DjangoError> {
    let db = DjangoDb::connect_live(&config.database_url, &config.pool).await?;
    let users = db.live_users(&config.read).await?;
    let blacklist = db.shared_blacklist(&users.schema().table).await?;
    Ok(Site { users, blacklist })
}

/// Says what jwtd writes in the site's database, so an operator knows whether read-only
/// credentials suffice.
fn announce(site: &Site, config: &SiteConfig, redacted: &str) {
    tracing::info!(
        database = %redacted,
        user_table = %site.users.schema().table,
        login_field = %site.users.schema().login,
        shared_blacklist = site.blacklist.is_some(),
        jwtd_writes = %what_jwtd_writes(config, site.blacklist.is_some()),
        "serving the Django site's users"
    );
}

fn what_jwtd_writes(config: &SiteConfig, shared_blacklist: bool) -> String {
    let writes: Vec<&str> = [
        (config.writes_last_login, "last_login"),
        (config.writes_passwords, "re-hashed passwords"),
        (
            shared_blacklist,
            "SimpleJWT's outstanding and blacklisted tokens",
        ),
    ]
    .into_iter()
    .filter_map(|(writes, what)| writes.then_some(what))
    .collect();
    if writes.is_empty() {
        "nothing (read-only credentials suffice)".to_owned()
    } else {
        writes.join(", ")
    }
}

impl From<DjangoError> for StoreError {
    fn from(err: DjangoError) -> Self {
        match err {
            DjangoError::Database(e) => StoreError::Database(e),
            other => StoreError::Corrupt(other.to_string()),
        }
    }
}

#[async_trait]
impl UserStore for DjangoStore {
    async fn create_user(&self, _: NewUser, _: i64) -> Result<User> {
        Err(StoreError::UsersElsewhere)
    }

    async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        let found = self.site()?.users.by_id(id).await?;
        self.user(found).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let found = self.site()?.users.by_username(username).await?;
        self.user(found).await
    }

    /// Exact, as Django's lookups are.
    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let found = self.site()?.users.by_email(email).await?;
        self.user(found).await
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        Err(StoreError::UsersElsewhere)
    }

    /// The site's users are listed in the Django admin.
    async fn search_users(&self, _: &UserQuery) -> Result<(u64, Vec<User>)> {
        Err(StoreError::UsersElsewhere)
    }

    async fn update_user(&self, _: i64, _: &UserChanges) -> Result<Option<User>> {
        Err(StoreError::UsersElsewhere)
    }

    async fn set_password(&self, _: i64, _: &str) -> Result<bool> {
        Err(StoreError::UsersElsewhere)
    }

    /// The re-hash on login, written into the site's user table.
    async fn upgrade_password_hash(&self, id: i64, old: &str, new: &str) -> Result<bool> {
        Ok(self.site()?.users.replace_password(id, old, new).await?)
    }

    async fn set_active(&self, _: i64, _: bool) -> Result<bool> {
        Err(StoreError::UsersElsewhere)
    }

    async fn delete_user(&self, _: i64) -> Result<bool> {
        Err(StoreError::UsersElsewhere)
    }

    /// Django's `update_last_login`.
    async fn record_login(&self, id: i64, now: i64) -> Result<()> {
        Ok(self.site()?.users.record_login(id, now).await?)
    }
}

#[async_trait]
impl LoginThrottle for DjangoStore {
    async fn begin_login_attempt(
        &self,
        key: &str,
        policy: &jwtd_store::ThrottlePolicy,
        now: i64,
    ) -> Result<jwtd_store::Attempt> {
        self.own.begin_login_attempt(key, policy, now).await
    }

    async fn login_succeeded(&self, key: &str, reset: bool) -> Result<()> {
        self.own.login_succeeded(key, reset).await
    }
}

/// Signing keys are jwtd's own: kept in its own store.
#[async_trait]
impl KeyStore for DjangoStore {
    async fn signing_keys(&self) -> Result<Vec<StoredKey>> {
        self.own.signing_keys().await
    }

    async fn add_signing_key(&self, key: &StoredKey) -> Result<bool> {
        self.own.add_signing_key(key).await
    }

    async fn activate_signing_key(
        &self,
        kid: &str,
        replacing: Option<&str>,
        now: i64,
    ) -> Result<bool> {
        self.own.activate_signing_key(kid, replacing, now).await
    }

    async fn remove_signing_key(&self, kid: &str, state: KeyState) -> Result<bool> {
        self.own.remove_signing_key(kid, state).await
    }

    async fn remove_expired_keys(&self, retired_before: i64) -> Result<Vec<String>> {
        self.own.remove_expired_keys(retired_before).await
    }
}

#[async_trait]
impl Health for DjangoStore {
    async fn ping(&self) -> Result<()> {
        self.own.ping().await
    }

    fn pool_stats(&self) -> (u32, u32) {
        self.own.pool_stats()
    }

    async fn schema_current(&self) -> Result<bool> {
        self.own.schema_current().await
    }

    async fn users_database(&self) -> Option<Result<()>> {
        Some(match self.site() {
            Ok(site) => site.users.ping().await.map_err(StoreError::from),
            Err(e) => Err(e),
        })
    }

    async fn close(&self) {
        if let Ok(site) = self.site() {
            site.users.close().await;
        }
        self.own.close().await;
    }
}

/// Importing users makes no sense when the site's users are served in place.
#[async_trait]
impl Importer for DjangoStore {
    async fn import_users(&self, _: &[ImportedUser], _: bool) -> Result<Vec<ImportAction>> {
        Err(StoreError::UsersElsewhere)
    }

    async fn import_tokens(&self, _: &[ImportedToken], _: bool) -> Result<TokenCounts> {
        Err(StoreError::UsersElsewhere)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_says_whether_read_only_credentials_suffice() {
        let mut config = SiteConfig {
            database_url: "sqlite:///db.sqlite3".into(),
            read: ReadOptions::default(),
            pool: jwtd_store::PoolConfig::default(),
            writes_last_login: false,
            writes_passwords: false,
        };
        assert_eq!(
            what_jwtd_writes(&config, false),
            "nothing (read-only credentials suffice)"
        );
        config.writes_passwords = true;
        assert_eq!(
            what_jwtd_writes(&config, true),
            "re-hashed passwords, SimpleJWT's outstanding and blacklisted tokens"
        );
    }
}
