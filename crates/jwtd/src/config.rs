//! Settings from, in rising precedence: defaults, a TOML file (`--config` / `JWTD_CONFIG`),
//! `JWTD_*` environment variables (`JWTD_ROUTES__TOKEN_OBTAIN` for nested keys), and flags.

use std::path::{Path, PathBuf};

use anyhow::bail;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use jwtd_core::Settings;

/// Values given on the command line; `None` leaves the lower layers' value.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub bind: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
}

pub fn load(config_file: Option<&Path>, overrides: &Overrides) -> anyhow::Result<Settings> {
    let mut figment = Figment::new();
    if let Some(path) = config_file {
        if !path.is_file() {
            bail!("config file {} does not exist", path.display());
        }
        figment = figment.merge(Toml::file_exact(path));
    }
    figment = figment.merge(Env::prefixed("JWTD_").ignore(&["config"]).split("__"));
    if let Some(bind) = &overrides.bind {
        figment = figment.merge(Serialized::default("bind", bind));
    }
    if let Some(dir) = &overrides.data_dir {
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    if let Some(url) = &overrides.database_url {
        figment = figment.merge(Serialized::default("database_url", url));
    }
    let settings: Settings = figment.extract().map_err(one_line)?;
    let checked = settings
        .validate()
        .and_then(|()| crate::api::endpoints::resolve(&settings).map(drop));
    if let Err(e) = checked {
        let origin = figment
            .find_metadata(&e.key)
            .map(|metadata| origin(metadata, &e.key))
            .unwrap_or_default();
        bail!("{e}{origin}");
    }
    Ok(settings)
}

/// figment reports every fault; the first one, said as "setting `key`: what is wrong (where)",
/// is the useful line.
fn one_line(err: figment::Error) -> anyhow::Error {
    use figment::error::Kind;
    let Some(e) = err.into_iter().next() else {
        return anyhow::anyhow!("invalid settings");
    };
    let key = e.path.join(".");
    let problem = match &e.kind {
        Kind::UnknownField(name, known) => {
            let key = if key.is_empty() {
                name.clone()
            } else {
                key.clone()
            };
            let hint = match closest(name, known) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("known settings here: {}", known.join(", ")),
            };
            return anyhow::anyhow!("unknown setting `{key}`; {hint}{}", error_origin(&e));
        }
        Kind::UnknownVariant(found, allowed) => {
            format!(
                "{found:?} is not allowed; use one of: {}",
                allowed.join(", ")
            )
        }
        Kind::InvalidType(found, expected) => format!("expected {expected}, found {found}"),
        Kind::Message(message) => message.clone(),
        other => other.to_string(),
    };
    anyhow::anyhow!("setting `{key}`: {problem}{}", error_origin(&e))
}

/// The known name most like `name`, if one is close enough to be a typo.
pub fn closest<'a>(name: &str, known: &[&'a str]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(name, k), *k))
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

/// Where a bad value came from, for a figment error.
fn error_origin(e: &figment::Error) -> String {
    match &e.metadata {
        Some(metadata) => origin(metadata, &e.path.join(".")),
        None => String::new(),
    }
}

/// Where the value of `key` (dotted) came from: the file, or the environment variable's name.
fn origin(metadata: &figment::Metadata, key: &str) -> String {
    match &metadata.source {
        Some(source) => format!(" (in {source})"),
        None if metadata.name.contains("environment") && !key.is_empty() => {
            format!(" (from JWTD_{})", key.replace('.', "__").to_uppercase())
        }
        None => format!(" (from {})", metadata.name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_then_flags_with_errors_naming_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("jwtd.toml");
        std::fs::write(
            &file,
            "access_token_lifetime = \"60s\"\nbind = \"127.0.0.1:9000\"\n",
        )
        .unwrap();
        let flags = Overrides {
            bind: Some("127.0.0.1:9001".into()),
            ..Overrides::default()
        };
        let s = load(Some(&file), &flags).unwrap();
        assert_eq!(s.access_token_lifetime.as_secs(), 60);
        assert_eq!(s.bind.port(), 9001);

        std::fs::write(&file, "access_token_lifetim = \"60s\"\n").unwrap();
        let err = format!(
            "{:#}",
            load(Some(&file), &Overrides::default()).unwrap_err()
        );
        assert!(err.contains("access_token_lifetim"), "{err}");
        std::fs::write(&file, "[routes]\ntoken_verify = \"/token/\"\n").unwrap();
        let err = format!(
            "{:#}",
            load(Some(&file), &Overrides::default()).unwrap_err()
        );
        assert!(
            err.contains("setting `routes.token_verify`") && err.contains("(in "),
            "{err}"
        );
        std::fs::write(&file, "rotate_refresh_tokens = \"yes\"\n").unwrap();
        let err = format!(
            "{:#}",
            load(Some(&file), &Overrides::default()).unwrap_err()
        );
        assert!(err.contains("rotate_refresh_tokens"), "{err}");
        assert!(
            load(
                Some(&dir.path().join("missing.toml")),
                &Overrides::default()
            )
            .is_err()
        );
    }
}
