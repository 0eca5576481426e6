//! `[admin]`, `[password_rules]` and `[audit]`: who may administer jwtd over HTTP, what a new
//! password must satisfy, and how long the audit log is kept.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{SettingsError, bad};

/// The admin API.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AdminSettings {
    /// An access token whose `roles` claim holds one of these is an administrator.
    pub roles: Vec<String>,
    /// Where the admin endpoints live (`/admin/users/`, …); `""` switches the admin API off.
    pub prefix: String,
}

impl Default for AdminSettings {
    fn default() -> Self {
        AdminSettings {
            roles: vec!["admin".into()],
            prefix: "/admin/".into(),
        }
    }
}

impl AdminSettings {
    /// Whether the admin API is served.
    pub fn enabled(&self) -> bool {
        !self.prefix.is_empty()
    }

    fn validate(&self) -> Result<(), SettingsError> {
        if self.enabled()
            && (!self.prefix.starts_with('/')
                || !self.prefix.ends_with('/')
                || self.prefix.contains(['{', '}', '*', '?', '#', ' ']))
        {
            return Err(bad(
                "admin.prefix",
                format!("{:?} must be a plain path like \"/admin/\"", self.prefix),
            ));
        }
        if self.roles.iter().any(|r| r.trim().is_empty()) {
            return Err(bad("admin.roles", "role names cannot be empty"));
        }
        Ok(())
    }
}

/// The admin console (`GET <admin.prefix>`): a web page on the admin API.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsoleSettings {
    /// `true`/`false`; unset: served whenever the admin API is and `admin.roles` names a role
    /// someone could hold (the console signs in admin accounts only).
    pub enabled: Option<bool>,
    /// The console's cookies carry `Secure` (browsers keep them over HTTPS and on
    /// `http://localhost` only); off only for a console reached over plain HTTP elsewhere.
    pub secure_cookies: bool,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        ConsoleSettings {
            enabled: None,
            secure_cookies: true,
        }
    }
}

impl ConsoleSettings {
    /// Whether the console is served under `admin`'s prefix.
    pub fn served(&self, admin: &AdminSettings) -> bool {
        admin.enabled() && self.enabled.unwrap_or(!admin.roles.is_empty())
    }
}

/// Django's default `AUTH_PASSWORD_VALIDATORS`, each switchable.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordRules {
    /// `MinimumLengthValidator`; 0 switches it off.
    pub min_length: usize,
    /// `UserAttributeSimilarityValidator` (against the username and the email address);
    /// 1.0 or more switches it off.
    pub max_similarity: f64,
    /// `CommonPasswordValidator`: Django's list of 20,000 common passwords.
    pub refuse_common: bool,
    /// `NumericPasswordValidator`.
    pub refuse_numeric: bool,
}

impl Default for PasswordRules {
    fn default() -> Self {
        PasswordRules {
            min_length: 8,
            max_similarity: 0.7,
            refuse_common: true,
            refuse_numeric: true,
        }
    }
}

impl PasswordRules {
    /// No rule at all (tests and deployments that check passwords elsewhere).
    pub fn off() -> Self {
        PasswordRules {
            min_length: 0,
            max_similarity: 1.0,
            refuse_common: false,
            refuse_numeric: false,
        }
    }

    fn validate(&self) -> Result<(), SettingsError> {
        // Django raises for less than 0.1: everything would be "too similar".
        if self.max_similarity < 0.1 || self.max_similarity.is_nan() {
            return Err(bad(
                "password_rules.max_similarity",
                "must be at least 0.1 (1.0 switches the rule off)",
            ));
        }
        Ok(())
    }
}

/// The audit log.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSettings {
    /// Entries older than this are deleted by `jwtd tokens flush-expired`.
    #[serde(with = "super::duration")]
    pub retention: Duration,
}

impl Default for AuditSettings {
    fn default() -> Self {
        AuditSettings {
            retention: Duration::from_secs(90 * 24 * 3600),
        }
    }
}

pub(super) fn validate(
    admin: &AdminSettings,
    rules: &PasswordRules,
    audit: &AuditSettings,
) -> Result<(), SettingsError> {
    admin.validate()?;
    rules.validate()?;
    if audit.retention.is_zero() {
        return Err(bad("audit.retention", "must be at least one second"));
    }
    Ok(())
}
