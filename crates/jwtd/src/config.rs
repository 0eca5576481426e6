//! Settings from, in rising precedence: defaults, a TOML file (`--config` / `JWTD_CONFIG`),
//! `JWTD_*` environment variables (`JWTD_ROUTES__TOKEN_OBTAIN` for nested keys), and flags.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
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
    let settings: Settings = figment
        .extract()
        .map_err(one_line)
        .context("invalid settings")?;
    settings.validate()?;
    Ok(settings)
}

/// figment reports every fault; the first one, with its key and source, is the useful line.
fn one_line(err: figment::Error) -> anyhow::Error {
    let first = err
        .into_iter()
        .next()
        .map(|e| e.to_string())
        .unwrap_or_default();
    anyhow::anyhow!(first.replace('\n', " "))
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
