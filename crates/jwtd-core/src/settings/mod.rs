//! jwtd's settings. Names follow SimpleJWT's `SIMPLE_JWT` dict, lower-cased, so a Django
//! site can port its settings key by key; jwtd's own keys are documented in the README.
//!
//! Deserialization rejects unknown keys and bad values (serde names the key); [`Settings::validate`]
//! checks what types alone cannot (empty lists, claim names that collide, hash parameters).
//! The routes are checked against the endpoint table by the server (see [`routes`]).
//!
//! One module per concern: [`claims`] (what tokens carry), [`protection`] (hashing and
//! brute-force limits), [`operations`] (logs, CORS, metrics), [`routes`], and the value types
//! [`duration`] and [`secret`].

pub mod admin;
pub mod claims;
pub mod cookies;
pub mod django;
pub mod duration;
pub mod keys;
pub mod operations;
pub mod protection;
pub mod routes;
pub mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
pub use crate::keys::Algorithm;
pub use admin::{AdminSettings, AuditSettings, ConsoleSettings, PasswordRules};
pub use claims::{Audience, ExtraClaim, LoginField, TokenClass, UserIdField};
pub use cookies::{CookieSettings, SameSite};
pub use django::{DjangoHasher, DjangoMode, DjangoRoles};
pub use duration::whole_seconds;
pub use keys::KeySettings;
pub use operations::{ConnectionSettings, Cors, LogFormat, MetricsSettings};
pub use protection::{Hashing, Throttle};
pub use routes::Routes;
pub use secret::Secret;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    #[serde(with = "duration")]
    pub access_token_lifetime: Duration,
    #[serde(with = "duration")]
    pub refresh_token_lifetime: Duration,
    pub rotate_refresh_tokens: bool,
    pub blacklist_after_rotation: bool,
    pub update_last_login: bool,
    pub algorithm: Algorithm,
    /// HS algorithms: the HMAC secret. When absent, a random key is generated on first start
    /// and kept in `<data_dir>/signing_key` (mode 0600). Asymmetric algorithms: a PEM private
    /// key to sign with instead of a key set (SimpleJWT's `SIGNING_KEY`).
    pub signing_key: Option<Secret>,
    /// `signing_key` read from this file.
    pub signing_key_file: Option<PathBuf>,
    /// The PEM public key of `signing_key` (SimpleJWT's `VERIFYING_KEY`); checked to match it.
    pub verifying_key: Option<String>,
    /// `verifying_key` read from this file.
    pub verifying_key_file: Option<PathBuf>,
    /// Former HS secrets: tokens without a `kid` signed with one still verify (nothing new is
    /// signed with them), so a secret can change, or HS give way to a key pair, without a
    /// logout. Drop one once the refresh lifetime has passed.
    pub previous_signing_keys: Vec<Secret>,
    /// The key set of an asymmetric `algorithm`.
    pub keys: KeySettings,
    /// Written as `aud` into every token and required of every token presented (a string or a
    /// list; a token matching any listed audience passes). Unset: `aud` is neither written nor
    /// checked.
    pub audience: Option<Audience>,
    /// Written as `iss` into every token and required of every token presented.
    pub issuer: Option<String>,
    /// Clock skew allowed when checking `exp`, `nbf`, `iat` and `refresh_exp`.
    #[serde(with = "duration")]
    pub leeway: Duration,
    /// Accepted `Authorization` keywords, case-sensitive; the first one names the
    /// `WWW-Authenticate` challenge.
    pub auth_header_types: Vec<String>,
    pub auth_header_name: String,
    /// Which user attribute tokens name the user by (SimpleJWT's `USER_ID_FIELD`).
    pub user_id_field: UserIdField,
    pub user_id_claim: String,
    pub token_type_claim: String,
    pub jti_claim: String,
    /// Token types protected routes accept (SimpleJWT's `AUTH_TOKEN_CLASSES`), tried in order.
    pub auth_token_classes: Vec<TokenClass>,
    /// Refuse tokens of inactive users on protected routes and at refresh.
    pub check_user_is_active: bool,
    /// Put the user's revocation value into tokens and refuse tokens whose value is no longer
    /// current: changing a password (or logging out everywhere) kills every token issued before.
    pub check_revoke_token: bool,
    /// The claim carrying that value.
    pub revoke_token_claim: String,
    #[serde(with = "duration")]
    pub sliding_token_lifetime: Duration,
    /// How long a sliding token may keep being refreshed after it was first issued.
    #[serde(with = "duration")]
    pub sliding_token_refresh_lifetime: Duration,
    pub sliding_token_refresh_exp_claim: String,
    /// The credential users log in with: `username` (exact) or `email` (case-insensitive).
    pub login_field: LoginField,
    /// Default answer language (Django's `LANGUAGE_CODE`).
    pub language: Lang,
    /// Languages offered to `Accept-Language` (Django's `LANGUAGES`); empty = only `language`.
    pub languages: Vec<Lang>,
    /// Claims added at login after `user_id`, in this order, and copied to refreshed tokens.
    pub extra_claims: Vec<ExtraClaim>,
    pub data_dir: PathBuf,
    /// `sqlite://PATH` (default: `<data_dir>/jwtd.db`) or `postgres://USER:PASSWORD@HOST/DB`.
    pub database_url: Option<String>,
    /// Database connections per pool.
    pub database_pool_size: u32,
    /// How long a request waits for a database connection before it gets a 503.
    #[serde(with = "duration")]
    pub database_acquire_timeout: Duration,
    /// How long a database call may run once it has a connection: with the acquire timeout,
    /// the longest a request waits for a stalled database before its 503.
    #[serde(with = "duration")]
    pub database_query_timeout: Duration,
    /// Database calls running or waiting at once; one more gets a 503 at once, so a stalled
    /// database cannot pile requests up.
    pub database_max_pending: usize,
    pub bind: SocketAddr,
    /// Peers whose `X-Forwarded-For` is believed when finding the client IP.
    pub trusted_proxies: Vec<IpNet>,
    pub routes: Routes,
    pub hashing: Hashing,
    /// Brute-force protection of the login endpoints.
    pub throttle: Throttle,
    /// A rotated refresh token presented again after this long revokes its whole family
    /// (every token descended from the same login); sooner, it is only refused, so a client
    /// racing itself is not logged out.
    #[serde(with = "duration")]
    pub refresh_reuse_interval: Duration,
    /// Tokens whose signature checked out lately, kept so the same token presented again skips
    /// the signature check (every claim and revocation check still runs); 0 turns it off.
    pub verified_token_cache: usize,
    /// Refuse a token on protected routes and at refresh when its `ip_address` claim is not
    /// the caller's IP (needs `ip_address` in `extra_claims`).
    pub bind_ip: bool,
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long in-flight requests may take to finish after SIGTERM / Ctrl-C.
    #[serde(with = "duration")]
    pub shutdown_grace: Duration,
    /// Timeouts and limits of client connections.
    pub connections: ConnectionSettings,
    /// `text` (human, coloured on a terminal) or `json` (one object per line).
    pub log_format: LogFormat,
    /// Cross-origin access for browser clients (off unless origins are listed).
    pub cors: Cors,
    /// Prometheus metrics at `GET /metrics`.
    pub metrics: MetricsSettings,
    /// The Django-database mode: serve a live Django site's users in place.
    pub django: Option<DjangoMode>,
    /// The admin API (`/admin/…`).
    pub admin: AdminSettings,
    /// The admin console (`GET <admin.prefix>`).
    pub console: ConsoleSettings,
    /// What a password given to jwtd (API or CLI) must satisfy; not applied to imported hashes.
    pub password_rules: PasswordRules,
    pub audit: AuditSettings,
    /// Cookie mode for browser apps.
    pub cookies: CookieSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            access_token_lifetime: Duration::from_secs(5 * 60),
            refresh_token_lifetime: Duration::from_secs(24 * 3600),
            rotate_refresh_tokens: false,
            blacklist_after_rotation: false,
            update_last_login: false,
            algorithm: Algorithm::HS256,
            signing_key: None,
            signing_key_file: None,
            verifying_key: None,
            verifying_key_file: None,
            previous_signing_keys: Vec::new(),
            keys: KeySettings::default(),
            audience: None,
            issuer: None,
            leeway: Duration::ZERO,
            auth_header_types: vec!["Bearer".into()],
            auth_header_name: "Authorization".into(),
            user_id_field: UserIdField::Id,
            user_id_claim: "user_id".into(),
            token_type_claim: "token_type".into(),
            jti_claim: "jti".into(),
            auth_token_classes: vec![TokenClass::Access],
            check_user_is_active: true,
            check_revoke_token: false,
            revoke_token_claim: "hash_password".into(),
            sliding_token_lifetime: Duration::from_secs(5 * 60),
            sliding_token_refresh_lifetime: Duration::from_secs(24 * 3600),
            sliding_token_refresh_exp_claim: "refresh_exp".into(),
            login_field: LoginField::Username,
            language: Lang::En,
            languages: Vec::new(),
            extra_claims: Vec::new(),
            data_dir: PathBuf::from("./jwtd-data"),
            database_url: None,
            database_pool_size: 10,
            database_acquire_timeout: Duration::from_secs(5),
            database_query_timeout: Duration::from_secs(5),
            database_max_pending: 512,
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            trusted_proxies: Vec::new(),
            routes: Routes::default(),
            hashing: Hashing::default(),
            throttle: Throttle::default(),
            refresh_reuse_interval: Duration::from_secs(10),
            bind_ip: false,
            verified_token_cache: 4096,
            max_body_bytes: 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
            connections: ConnectionSettings::default(),
            log_format: LogFormat::Text,
            cors: Cors::default(),
            metrics: MetricsSettings::default(),
            django: None,
            admin: AdminSettings::default(),
            console: ConsoleSettings::default(),
            password_rules: PasswordRules::default(),
            audit: AuditSettings::default(),
            cookies: CookieSettings::default(),
        }
    }
}

/// A setting that is wrong in a way its type cannot express.
#[derive(Debug, thiserror::Error)]
#[error("setting `{key}`: {problem}")]
pub struct SettingsError {
    /// The dotted setting name (`routes.token_verify`).
    pub key: String,
    pub problem: String,
}

pub fn bad(key: impl Into<String>, problem: impl Into<String>) -> SettingsError {
    SettingsError {
        key: key.into(),
        problem: problem.into(),
    }
}

impl Settings {
    pub fn validate(&self) -> Result<(), SettingsError> {
        for (key, lifetime) in [
            ("access_token_lifetime", self.access_token_lifetime),
            ("refresh_token_lifetime", self.refresh_token_lifetime),
            ("sliding_token_lifetime", self.sliding_token_lifetime),
            (
                "sliding_token_refresh_lifetime",
                self.sliding_token_refresh_lifetime,
            ),
        ] {
            if lifetime.as_secs() == 0 {
                return Err(bad(key, "must be at least one second"));
            }
        }
        if self.auth_header_types.is_empty() {
            return Err(bad(
                "auth_header_types",
                "needs at least one keyword, e.g. [\"Bearer\"]",
            ));
        }
        if let Some(k) = self
            .auth_header_types
            .iter()
            .find(|k| k.is_empty() || k.chars().any(char::is_whitespace))
        {
            return Err(bad("auth_header_types", format!("{k:?} must be one word")));
        }
        if self.auth_header_name.is_empty() || axum_like_header_name_invalid(&self.auth_header_name)
        {
            return Err(bad("auth_header_name", "must be an HTTP header name"));
        }
        claims::validate_claim_names(self)?;
        if self.auth_token_classes.is_empty() {
            return Err(bad(
                "auth_token_classes",
                "needs at least one of \"access\", \"sliding\"",
            ));
        }
        if let Some(audience) = &self.audience
            && audience.values().iter().any(String::is_empty)
        {
            return Err(bad("audience", "must not be empty"));
        }
        if self.issuer.as_deref() == Some("") {
            return Err(bad("issuer", "must not be empty"));
        }
        if let Some(Secret(key)) = &self.signing_key
            && key.len() < 32
        {
            return Err(bad("signing_key", "must be at least 32 bytes long"));
        }
        if self.signing_key.is_some() && self.signing_key_file.is_some() {
            return Err(bad(
                "signing_key",
                "set either `signing_key` or `signing_key_file`",
            ));
        }
        if self.verifying_key.is_some() && self.verifying_key_file.is_some() {
            return Err(bad(
                "verifying_key",
                "set either `verifying_key` or `verifying_key_file`",
            ));
        }
        if self.algorithm.is_hmac()
            && (self.verifying_key.is_some() || self.verifying_key_file.is_some())
        {
            return Err(bad(
                "verifying_key",
                "is for asymmetric algorithms; HS algorithms verify with `signing_key`",
            ));
        }
        if self
            .previous_signing_keys
            .iter()
            .any(|Secret(key)| key.len() < 32)
        {
            return Err(bad(
                "previous_signing_keys",
                "each must be at least 32 bytes long",
            ));
        }
        self.keys.validate()?;
        admin::validate(&self.admin, &self.password_rules, &self.audit)?;
        self.cookies.validate(&self.cors.allowed_origins)?;
        if !self.languages.is_empty() && !self.languages.contains(&self.language) {
            return Err(bad("languages", "must include `language`"));
        }
        if self.database_pool_size == 0 {
            return Err(bad("database_pool_size", "must be at least 1"));
        }
        if self.database_acquire_timeout.is_zero() {
            return Err(bad("database_acquire_timeout", "must be more than zero"));
        }
        if self.database_query_timeout.is_zero() {
            return Err(bad("database_query_timeout", "must be more than zero"));
        }
        if self.database_max_pending == 0 {
            return Err(bad("database_max_pending", "must be at least 1"));
        }
        self.hashing.validate()?;
        self.throttle.validate()?;
        if self.bind_ip && !self.extra_claims.contains(&ExtraClaim::IpAddress) {
            return Err(bad(
                "bind_ip",
                "needs \"ip_address\" in extra_claims, so tokens carry the login IP",
            ));
        }
        self.cors.validate()?;
        self.connections.validate()?;
        if self.max_body_bytes < 1024 {
            return Err(bad("max_body_bytes", "must be at least 1024"));
        }
        if let Some(django) = &self.django {
            django.validate(self.login_field)?;
        }
        Ok(())
    }

    /// The languages `Accept-Language` may pick from.
    pub fn offered_languages(&self) -> Vec<Lang> {
        if self.languages.is_empty() {
            vec![self.language]
        } else {
            self.languages.clone()
        }
    }

    /// Whether a successful login re-hashes a password stored with another algorithm or weaker
    /// parameters: `hashing.upgrade_on_login`, or in the Django-database mode
    /// `django.password_hasher` (`off` never writes a password).
    pub fn rehash_on_login(&self) -> bool {
        match &self.django {
            Some(django) => django.writes_passwords(),
            None => self.hashing.upgrade_on_login,
        }
    }

    /// Whether tokens are signed by a key set kept in the database (an asymmetric `algorithm`
    /// without a static `signing_key`).
    pub fn uses_key_set(&self) -> bool {
        !self.algorithm.is_hmac() && self.signing_key.is_none() && self.signing_key_file.is_none()
    }

    /// How long after a key stops signing the last token it signed can still be valid: the
    /// longest token lifetime (sliding tokens' only when they are issued) plus the leeway. A
    /// retired key is dropped after that.
    pub fn longest_token_life(&self) -> Duration {
        let sliding_issued = self
            .routes
            .get("token_obtain_sliding")
            .is_some_and(|path| !path.is_empty());
        let sliding = if sliding_issued {
            self.sliding_token_lifetime
        } else {
            Duration::ZERO
        };
        self.access_token_lifetime
            .max(self.refresh_token_lifetime)
            .max(sliding)
            + self.leeway
    }

    /// The database URL, defaulting to a SQLite file in the data directory.
    pub fn effective_database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("jwtd.db").display()))
    }
}

fn axum_like_header_name_invalid(name: &str) -> bool {
    !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_simplejwts_and_valid() {
        let s = Settings::default();
        assert_eq!(s.access_token_lifetime, Duration::from_secs(300));
        assert_eq!(s.refresh_token_lifetime, Duration::from_secs(86400));
        assert_eq!(s.auth_header_types, ["Bearer"]);
        s.validate().unwrap();
    }

    #[test]
    fn durations_parse_in_human_form_and_seconds() {
        let s: Settings = serde_json::from_str(
            r#"{"access_token_lifetime": "60s", "refresh_token_lifetime": "1d", "leeway": 5}"#,
        )
        .unwrap();
        assert_eq!(s.access_token_lifetime, Duration::from_secs(60));
        assert_eq!(s.refresh_token_lifetime, Duration::from_secs(86400));
        assert_eq!(s.leeway, Duration::from_secs(5));
    }

    #[test]
    fn bad_keys_and_values_name_the_key() {
        let err = serde_json::from_str::<Settings>(r#"{"acces_token_lifetime": "5m"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("acces_token_lifetime"), "{err}");
        let err = serde_json::from_str::<Settings>(r#"{"language": "xx"}"#).unwrap_err();
        assert!(err.to_string().contains("unknown language \"xx\""), "{err}");
        let s = Settings {
            auth_header_types: vec!["Two words".into()],
            ..Settings::default()
        };
        assert_eq!(s.validate().unwrap_err().key, "auth_header_types");
    }

    #[test]
    fn secrets_never_print() {
        let s = Settings {
            signing_key: Some(Secret("x".repeat(40))),
            ..Settings::default()
        };
        assert!(!format!("{s:?}").contains("xxxx"));
        assert!(!serde_json::to_string(&s).unwrap().contains("xxxx"));
    }
}
