//! `[django]`: the Django-database mode. jwtd's users are a live Django site's users, read from
//! the site's own database on every login and token check; jwtd keeps only its own state
//! (rotation families, login counters, "log out everywhere") in `database_url`.

use serde::{Deserialize, Serialize};

use super::{LoginField, SettingsError, bad};

/// Django 5.2's `PBKDF2PasswordHasher.iterations`.
pub const DJANGO_PBKDF2_ITERATIONS: u32 = 1_000_000;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DjangoMode {
    /// The site's database: `sqlite:///path/db.sqlite3` (or a file path), `postgres://…`,
    /// `mysql://…` / `mariadb://…`.
    pub database_url: String,
    /// The user model's table; unset: discovered as `jwtd import django` does.
    #[serde(default)]
    pub user_table: Option<String>,
    /// The model's `USERNAME_FIELD`, which is also the obtain body's key; unset: `login_field`.
    #[serde(default)]
    pub login_field: Option<LoginField>,
    /// Where the `roles` claim comes from.
    #[serde(default)]
    pub roles: DjangoRoles,
    /// What a re-hash on login writes into the site's user table.
    #[serde(default)]
    pub password_hasher: DjangoHasher,
    /// Iterations of the `pbkdf2_sha256` hashes jwtd writes (the site's
    /// `PBKDF2PasswordHasher.iterations`, so Django does not re-hash them again).
    #[serde(default = "default_iterations")]
    pub pbkdf2_iterations: u32,
}

fn default_iterations() -> u32 {
    DJANGO_PBKDF2_ITERATIONS
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DjangoRoles {
    /// The names of the user's Django groups, sorted.
    #[default]
    Groups,
    /// An empty list.
    None,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DjangoHasher {
    /// Django's default hasher, which every Django version verifies.
    #[default]
    Pbkdf2Sha256,
    /// Never write a password (read-only credentials).
    Off,
}

impl DjangoMode {
    pub(super) fn validate(&self, login_field: LoginField) -> Result<(), SettingsError> {
        if self.database_url.is_empty() {
            return Err(bad("django.database_url", "must name the site's database"));
        }
        if let Some(field) = self.login_field
            && field != login_field
        {
            return Err(bad(
                "django.login_field",
                format!(
                    "is also the obtain body's key, so it must agree with `login_field` \
                     (set login_field = \"{}\")",
                    field.name()
                ),
            ));
        }
        if self.pbkdf2_iterations < 1000 {
            return Err(bad("django.pbkdf2_iterations", "must be at least 1000"));
        }
        Ok(())
    }

    /// Whether jwtd ever writes a password into the site's database.
    pub fn writes_passwords(&self) -> bool {
        self.password_hasher != DjangoHasher::Off
    }
}

#[cfg(test)]
mod tests {
    use crate::Settings;

    /// The settings with `django` as their `[django]` table (JSON).
    fn parse(django: &str) -> Result<Settings, String> {
        let json = format!("{{\"django\": {{{django}}}}}");
        let settings: Settings = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        settings.validate().map_err(|e| e.to_string())?;
        Ok(settings)
    }

    #[test]
    fn defaults_write_djangos_own_hash() {
        let s = parse(r#""database_url": "sqlite:///srv/db.sqlite3""#).unwrap();
        let django = s.django.unwrap();
        assert_eq!(django.pbkdf2_iterations, 1_000_000);
        assert!(django.writes_passwords());
        assert_eq!(django.roles, super::DjangoRoles::Groups);
    }

    #[test]
    fn mistakes_name_the_key() {
        let err = parse(r#""user_table": "auth_user""#).unwrap_err();
        assert!(err.contains("database_url"), "{err}");
        let err = parse(r#""database_url": "x", "password_hasher": "md5""#).unwrap_err();
        assert!(err.contains("unknown variant `md5`"), "{err}");
        let err = parse(r#""database_url": "x", "login_field": "email""#).unwrap_err();
        assert!(err.contains("django.login_field"), "{err}");
        let err = parse(r#""database_url": "x", "pbkdf2_iterations": 10"#).unwrap_err();
        assert!(err.contains("django.pbkdf2_iterations"), "{err}");
    }
}
