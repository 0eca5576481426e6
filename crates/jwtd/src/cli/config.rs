//! `jwtd config check`: loads the settings exactly as `jwtd serve` would and prints the
//! effective values as TOML, secrets redacted. A bad key or value fails like `serve` does.

use clap::Subcommand;
use jwtd_core::Settings;
use jwtd_core::settings::DjangoMode;
use jwtd_store::redact_url;
use serde_json::Value;

#[derive(Subcommand)]
pub enum ConfigCommand {
    /// Validate the settings (file < JWTD_* environment < flags) and print the effective ones.
    Check,
}

pub fn run(command: ConfigCommand, settings: &Settings) -> anyhow::Result<()> {
    match command {
        ConfigCommand::Check => {
            print!("{}", effective_toml(settings)?);
            Ok(())
        }
    }
}

/// The settings as a TOML document. TOML has no null, so unset options are listed in a comment.
pub fn effective_toml(settings: &Settings) -> anyhow::Result<String> {
    // Database passwords are secrets too.
    let effective = Settings {
        routes: crate::api::endpoints::effective_routes(settings),
        database_url: settings.database_url.as_deref().map(redact_url),
        django: settings.django.clone().map(|django| DjangoMode {
            database_url: redact_url(&django.database_url),
            ..django
        }),
        ..settings.clone()
    };
    let mut value = serde_json::to_value(&effective)?;
    let mut unset = Vec::new();
    strip_nulls(&mut value, "", &mut unset);
    let mut out = String::from("# jwtd effective settings; secrets are shown as \"<redacted>\".\n");
    if !unset.is_empty() {
        out.push_str(&format!("# not set: {}\n", unset.join(", ")));
    }
    out.push_str(&toml::to_string(&value)?);
    Ok(out)
}

/// Removes null values from nested tables, recording their dotted keys.
fn strip_nulls(value: &mut Value, prefix: &str, unset: &mut Vec<String>) {
    if let Value::Object(fields) = value {
        fields.retain(|key, v| {
            if v.is_null() {
                unset.push(format!("{prefix}{key}"));
                false
            } else {
                true
            }
        });
        for (key, v) in fields.iter_mut() {
            strip_nulls(v, &format!("{prefix}{key}."), unset);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jwtd_core::settings::Secret;

    #[test]
    fn prints_every_setting_and_no_secret() {
        let settings = Settings {
            signing_key: Some(Secret("s3cret-s3cret-s3cret-s3cret-s3cret".into())),
            ..Settings::default()
        };
        let text = effective_toml(&settings).unwrap();
        assert!(!text.contains("s3cret"), "{text}");
        let with_databases: Settings = serde_json::from_value(serde_json::json!({
            "database_url": "postgres://jwtd:pw-one@db/jwtd",
            "django": {"database_url": "mysql://site:pw-two@db/site"},
        }))
        .unwrap();
        let text_with_databases = effective_toml(&with_databases).unwrap();
        assert!(
            !text_with_databases.contains("pw-"),
            "{text_with_databases}"
        );
        assert!(text_with_databases.contains("mysql://site:***@db/site"));
        assert!(text.contains("signing_key = \"<redacted>\""), "{text}");
        let unset = text.lines().find(|l| l.starts_with("# not set: ")).unwrap();
        assert!(unset.contains(" audience, issuer,"), "{unset}");
        assert!(unset.contains(" keys.encryption_key,"), "{unset}");
        // The output is itself a valid settings file with the same meaning.
        let reparsed: Settings = toml::from_str(&text.replace("\"<redacted>\"", "\"x\"")).unwrap();
        assert_eq!(
            reparsed.access_token_lifetime,
            settings.access_token_lifetime
        );
        assert_eq!(reparsed.routes.get("token_obtain"), Some("/token/"));
    }
}
