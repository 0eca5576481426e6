//! The `jwtd` command line.

mod api_key;
mod audit;
mod config;
mod import;
mod keys;
mod tokens;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::config::{self as settings_loader, Overrides};
use crate::server::{Server, shutdown_signal};

#[derive(Parser)]
#[command(
    name = "jwtd",
    version,
    about = "A JWT authentication server that speaks SimpleJWT's API"
)]
struct Cli {
    /// TOML settings file.
    #[arg(long, global = true, env = "JWTD_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the database and the generated signing key live.
    #[arg(long, global = true, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Database URL (default: sqlite file in the data directory).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8000).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(user::UserCommand),
    /// Maintain the refresh-token table.
    #[command(subcommand)]
    Tokens(tokens::TokensCommand),
    /// Inspect the settings.
    #[command(subcommand)]
    Config(config::ConfigCommand),
    /// Manage the signing-key set (asymmetric algorithms).
    #[command(subcommand)]
    Keys(keys::KeysCommand),
    /// Bring users over from another system.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// API keys for machines calling the admin API.
    #[command(subcommand)]
    ApiKey(api_key::ApiKeyCommand),
    /// Read the audit log.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            let message = e.to_string();
            let first = message.lines().next().unwrap_or("invalid arguments");
            eprintln!("{first} (see `jwtd --help`)");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut overrides = Overrides {
        data_dir: cli.data_dir,
        database_url: cli.database_url,
        ..Overrides::default()
    };
    match cli.command {
        Command::Serve { bind } => {
            overrides.bind = bind;
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            let _log = crate::logging::init(settings.log_format);
            let server = Server::build(settings).await?;
            server.run_until(shutdown_signal()).await
        }
        Command::User(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            user::run(command, &settings).await
        }
        Command::Tokens(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            tokens::run(command, &settings).await
        }
        Command::Config(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            config::run(command, &settings)
        }
        Command::Keys(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            keys::run(command, &settings).await
        }
        Command::Import(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            import::run(command, &settings).await
        }
        Command::ApiKey(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            api_key::run(command, &settings).await
        }
        Command::Audit(command) => {
            let settings = settings_loader::load(cli.config.as_deref(), &overrides)?;
            audit::run(command, &settings).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retire_args(args: &[&str]) -> (String, bool) {
        let cli = Cli::try_parse_from(["jwtd", "keys", "retire"].iter().chain(args))
            .unwrap_or_else(|e| panic!("{args:?}: {e}"));
        match cli.command {
            Command::Keys(keys::KeysCommand::Retire { kid, revoke }) => (kid, revoke),
            _ => panic!("{args:?} parsed as another command"),
        }
    }

    // RFC 7638 thumbprints are base64url, so about one kid in 64 begins with `-`.
    #[test]
    fn a_kid_beginning_with_a_hyphen_is_a_kid() {
        let kid = "-2Pq1iu2PZOyLEYr-LJnuLa49EwYUFSE3gFz_Yb5rs";
        assert_eq!(retire_args(&[kid]), (kid.to_owned(), false));
        assert_eq!(retire_args(&[kid, "--revoke"]), (kid.to_owned(), true));
        assert_eq!(retire_args(&["--revoke", kid]), (kid.to_owned(), true));
        assert_eq!(retire_args(&["--", kid]), (kid.to_owned(), false));
    }
}
