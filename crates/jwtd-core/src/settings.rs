//! jwtd's settings. Names follow SimpleJWT's `SIMPLE_JWT` dict, lower-cased, so a Django
//! site can port its settings key by key; jwtd's own keys are documented in the README.
//!
//! Deserialization rejects unknown keys and bad values (serde names the key); [`Settings::validate`]
//! checks what types alone cannot (empty lists, routes that collide, hash parameters).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use ipnet::IpNet;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::i18n::Lang;

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
    /// HMAC secret. When absent, a random key is generated on first start and kept in
    /// `<data_dir>/signing_key` (mode 0600).
    pub signing_key: Option<Secret>,
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
    /// Refuse a token on protected routes and at refresh when its `ip_address` claim is not
    /// the caller's IP (needs `ip_address` in `extra_claims`).
    pub bind_ip: bool,
    /// Largest accepted request body; larger ones get 413.
    pub max_body_bytes: usize,
    /// How long in-flight requests may take to finish after SIGTERM / Ctrl-C.
    #[serde(with = "duration")]
    pub shutdown_grace: Duration,
    /// `text` (human, coloured on a terminal) or `json` (one object per line).
    pub log_format: LogFormat,
    /// Cross-origin access for browser clients (off unless origins are listed).
    pub cors: Cors,
    /// Prometheus metrics at `GET /metrics`.
    pub metrics: MetricsSettings,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    pub enabled: bool,
    /// A separate address for `/metrics` (e.g. an internal interface); unset: the API's own.
    pub bind: Option<SocketAddr>,
}

impl Default for MetricsSettings {
    fn default() -> Self {
        MetricsSettings {
            enabled: true,
            bind: None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    Text,
    Json,
}

/// CORS: which browser origins may call jwtd. Empty (the default) sends no CORS headers.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Cors {
    /// Exact origins (`https://app.example.com`), or `["*"]` for any.
    pub allowed_origins: Vec<String>,
    /// How long browsers may cache a preflight answer.
    #[serde(with = "duration")]
    pub max_age: Duration,
}

impl Default for Cors {
    fn default() -> Self {
        Cors {
            allowed_origins: Vec::new(),
            max_age: Duration::from_secs(600),
        }
    }
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
            bind: SocketAddr::from(([127, 0, 0, 1], 8000)),
            trusted_proxies: Vec::new(),
            routes: Routes::default(),
            hashing: Hashing::default(),
            throttle: Throttle::default(),
            refresh_reuse_interval: Duration::from_secs(10),
            bind_ip: false,
            max_body_bytes: 1024 * 1024,
            shutdown_grace: Duration::from_secs(30),
            log_format: LogFormat::Text,
            cors: Cors::default(),
            metrics: MetricsSettings::default(),
        }
    }
}

/// A setting that is wrong in a way its type cannot express.
#[derive(Debug, thiserror::Error)]
#[error("setting `{key}`: {problem}")]
pub struct SettingsError {
    pub key: &'static str,
    pub problem: String,
}

fn bad(key: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError {
        key,
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
        self.validate_claim_names()?;
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
        if !self.languages.is_empty() && !self.languages.contains(&self.language) {
            return Err(bad("languages", "must include `language`"));
        }
        if self.database_pool_size == 0 {
            return Err(bad("database_pool_size", "must be at least 1"));
        }
        if self.database_acquire_timeout.is_zero() {
            return Err(bad("database_acquire_timeout", "must be more than zero"));
        }
        self.routes.validate()?;
        self.hashing.validate()?;
        self.throttle.validate()?;
        if self.bind_ip && !self.extra_claims.contains(&ExtraClaim::IpAddress) {
            return Err(bad(
                "bind_ip",
                "needs \"ip_address\" in extra_claims, so tokens carry the login IP",
            ));
        }
        if let Some(origin) = self.cors.allowed_origins.iter().find(|o| {
            o.as_str() != "*" && !(o.starts_with("http://") || o.starts_with("https://"))
                || o.ends_with('/')
                || o.chars().any(|c| c.is_whitespace() || c.is_control())
        }) {
            return Err(bad(
                "cors.allowed_origins",
                format!("{origin:?} is not an origin like \"https://app.example.com\" or \"*\""),
            ));
        }
        if self.max_body_bytes < 1024 {
            return Err(bad("max_body_bytes", "must be at least 1024"));
        }
        Ok(())
    }

    /// Every claim name jwtd writes must be non-empty and distinct, or one would overwrite
    /// another.
    fn validate_claim_names(&self) -> Result<(), SettingsError> {
        let mut seen: Vec<&str> = vec!["exp", "iat", "aud", "iss"];
        let mut named: Vec<(&'static str, &str)> = vec![
            ("token_type_claim", &self.token_type_claim),
            ("jti_claim", &self.jti_claim),
            ("user_id_claim", &self.user_id_claim),
            (
                "sliding_token_refresh_exp_claim",
                &self.sliding_token_refresh_exp_claim,
            ),
        ];
        if self.check_revoke_token {
            named.push(("revoke_token_claim", &self.revoke_token_claim));
        }
        named.extend(self.extra_claims.iter().map(|c| ("extra_claims", c.name())));
        for (key, claim) in named {
            if claim.is_empty() {
                return Err(bad(key, "must not be empty"));
            }
            if seen.contains(&claim) {
                return Err(bad(
                    key,
                    format!("claim {claim:?} is already used by another claim"),
                ));
            }
            seen.push(claim);
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

/// HMAC algorithms; asymmetric ones come with key management.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Algorithm {
    HS256,
    HS384,
    HS512,
}

/// The `aud` value: one audience or several.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, expecting = "expected a string or a list of strings")]
pub enum Audience {
    One(String),
    Many(Vec<String>),
}

impl Audience {
    pub fn values(&self) -> Vec<String> {
        match self {
            Audience::One(a) => vec![a.clone()],
            Audience::Many(list) => list.clone(),
        }
    }
}

/// The user attribute a token's user-id claim holds (SimpleJWT's `USER_ID_FIELD`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserIdField {
    /// The integer primary key, written as a JSON integer.
    Id,
    /// The username, written as a string.
    Username,
    /// The email address, written as a string (matched case-insensitively).
    Email,
}

/// A token class protected routes accept. SimpleJWT's class paths are accepted too, so an
/// `AUTH_TOKEN_CLASSES` tuple ports as is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenClass {
    #[serde(
        alias = "AccessToken",
        alias = "rest_framework_simplejwt.tokens.AccessToken"
    )]
    Access,
    #[serde(
        alias = "SlidingToken",
        alias = "rest_framework_simplejwt.tokens.SlidingToken"
    )]
    Sliding,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LoginField {
    Username,
    Email,
}

impl LoginField {
    pub fn name(self) -> &'static str {
        match self {
            LoginField::Username => "username",
            LoginField::Email => "email",
        }
    }
}

/// Claims jwtd can add to tokens at login (the seed deployments' custom claims).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExtraClaim {
    /// The user's role names, a JSON list.
    Roles,
    /// The client IP at login (`X-Forwarded-For` honoured only from `trusted_proxies`).
    IpAddress,
}

impl ExtraClaim {
    pub fn name(self) -> &'static str {
        match self {
            ExtraClaim::Roles => "roles",
            ExtraClaim::IpAddress => "ip_address",
        }
    }
}

/// Each endpoint's path. An empty string switches the endpoint off.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Routes {
    pub token_obtain: String,
    pub token_refresh: String,
    pub token_verify: String,
    pub token_blacklist: String,
    /// `TokenObtainSlidingView` (off unless given a path, as in SimpleJWT).
    pub token_obtain_sliding: String,
    /// `TokenRefreshSlidingView` (off unless given a path).
    pub token_refresh_sliding: String,
    pub user_me: String,
    /// "Log out everywhere" for the authenticated user (jwtd's own).
    pub logout_all: String,
}

impl Default for Routes {
    fn default() -> Self {
        Routes {
            token_obtain: "/token/".into(),
            token_refresh: "/token/refresh/".into(),
            token_verify: "/token/verify/".into(),
            token_blacklist: "/token/blacklist/".into(),
            token_obtain_sliding: String::new(),
            token_refresh_sliding: String::new(),
            user_me: "/users/me/".into(),
            logout_all: "/users/me/logout-all/".into(),
        }
    }
}

impl Routes {
    /// The configured (name, path) pairs, switched-off endpoints left out.
    pub fn enabled(&self) -> Vec<(&'static str, &str)> {
        [
            ("token_obtain", self.token_obtain.as_str()),
            ("token_refresh", self.token_refresh.as_str()),
            ("token_verify", self.token_verify.as_str()),
            ("token_blacklist", self.token_blacklist.as_str()),
            ("token_obtain_sliding", self.token_obtain_sliding.as_str()),
            ("token_refresh_sliding", self.token_refresh_sliding.as_str()),
            ("user_me", self.user_me.as_str()),
            ("logout_all", self.logout_all.as_str()),
        ]
        .into_iter()
        .filter(|(_, path)| !path.is_empty())
        .collect()
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let mut seen: Vec<&str> = Vec::new();
        for (name, path) in self.enabled() {
            let key = route_key(name);
            if !path.starts_with('/') || path.contains(['{', '}', '*', '?', '#', ' ']) {
                return Err(bad(
                    key,
                    format!("{path:?} must be a plain path starting with '/'"),
                ));
            }
            let normalized = path.trim_end_matches('/');
            if seen.contains(&normalized) {
                return Err(bad(key, format!("{path:?} is used by another route")));
            }
            seen.push(normalized);
        }
        Ok(())
    }
}

fn route_key(name: &str) -> &'static str {
    match name {
        "token_obtain" => "routes.token_obtain",
        "token_refresh" => "routes.token_refresh",
        "token_verify" => "routes.token_verify",
        "token_blacklist" => "routes.token_blacklist",
        "token_obtain_sliding" => "routes.token_obtain_sliding",
        "token_refresh_sliding" => "routes.token_refresh_sliding",
        "logout_all" => "routes.logout_all",
        _ => "routes.user_me",
    }
}

/// Password hashing: Argon2id parameters for new hashes and the bounded hashing pool.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hashing {
    /// Argon2id memory in KiB (OWASP: 19456).
    pub memory_kib: u32,
    /// Argon2id passes.
    pub iterations: u32,
    /// Argon2id lanes.
    pub parallelism: u32,
    /// Hashes computed at once (default: CPU cores).
    pub workers: usize,
    /// Logins allowed to wait for a worker; beyond it login answers 503 + Retry-After.
    pub queue: usize,
    /// Re-hash a password stored with another algorithm or weaker parameters (e.g. imported
    /// from Django) after a successful login, as Django's `must_update` does.
    pub upgrade_on_login: bool,
}

impl Default for Hashing {
    fn default() -> Self {
        Hashing {
            memory_kib: 19456,
            iterations: 2,
            parallelism: 1,
            workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            queue: 256,
            upgrade_on_login: true,
        }
    }
}

impl Hashing {
    fn validate(&self) -> Result<(), SettingsError> {
        if self.parallelism == 0 {
            return Err(bad("hashing.parallelism", "must be at least 1"));
        }
        if self.memory_kib < 8 * self.parallelism {
            return Err(bad(
                "hashing.memory_kib",
                "must be at least 8 × parallelism",
            ));
        }
        if self.iterations == 0 {
            return Err(bad("hashing.iterations", "must be at least 1"));
        }
        if self.workers == 0 {
            return Err(bad("hashing.workers", "must be at least 1"));
        }
        Ok(())
    }
}

/// Brute-force protection: failed logins are counted per account (the login name as typed,
/// whether or not such a user exists) and per client IP, in the store, so the counts hold
/// across restarts and instances. Past the free failures, each further failure doubles the
/// wait (from `base_delay` up to `max_delay`); waiting logins get 429 + `Retry-After`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Throttle {
    pub enabled: bool,
    /// Failures per account before back-off starts; a successful login resets the count.
    pub account_failures: u32,
    /// Failures per client IP before back-off starts (kept higher: NAT shares IPs).
    pub ip_failures: u32,
    #[serde(with = "duration")]
    pub base_delay: Duration,
    #[serde(with = "duration")]
    pub max_delay: Duration,
    /// Failures older than this are forgotten.
    #[serde(with = "duration")]
    pub window: Duration,
}

impl Default for Throttle {
    fn default() -> Self {
        Throttle {
            enabled: true,
            account_failures: 5,
            ip_failures: 50,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(15 * 60),
            window: Duration::from_secs(3600),
        }
    }
}

impl Throttle {
    fn validate(&self) -> Result<(), SettingsError> {
        if self.account_failures == 0 || self.ip_failures == 0 {
            return Err(bad(
                "throttle.account_failures",
                "failure limits must be at least 1 (use enabled = false to switch off)",
            ));
        }
        if self.base_delay.as_secs() == 0 {
            return Err(bad("throttle.base_delay", "must be at least one second"));
        }
        if self.max_delay < self.base_delay {
            return Err(bad("throttle.max_delay", "must not be below base_delay"));
        }
        if self.window.as_secs() == 0 {
            return Err(bad("throttle.window", "must be at least one second"));
        }
        Ok(())
    }
}

/// A secret string: never printed by `Debug` and written as `"<redacted>"` when serialized,
/// so printing the effective settings cannot leak it.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("<redacted>")
    }
}

impl Serialize for Lang {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Lang {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Lang::from_code(&code).ok_or_else(|| {
            let known: Vec<_> = Lang::ALL.iter().map(|l| l.code()).collect();
            serde::de::Error::custom(format!(
                "unknown language {code:?}, expected one of {}",
                known.join(", ")
            ))
        })
    }
}

/// A duration setting as whole epoch seconds, the unit tokens and the store count in; capped far
/// below `i64::MAX` so adding it to a timestamp cannot overflow.
pub fn whole_seconds(d: Duration) -> i64 {
    i64::try_from(d.as_secs()).map_or(i64::MAX / 4, |s| s.min(i64::MAX / 4))
}

/// Durations as `"60s"`, `"5m"`, `"1d"`, `"1h 30m"` or a number of seconds.
pub mod duration {
    use super::*;

    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Seconds(u64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Seconds(s) => Ok(Duration::from_secs(s)),
            Raw::Text(t) => humantime::parse_duration(t.trim()).map_err(|e| {
                serde::de::Error::custom(format!(
                    "invalid duration {t:?} ({e}); write e.g. \"60s\", \"5m\", \"1d\""
                ))
            }),
        }
    }
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
        let mut s = Settings::default();
        s.routes.token_verify = "/token/".into();
        assert_eq!(s.validate().unwrap_err().key, "routes.token_verify");
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
