//! jwtd: a JWT authentication server that speaks Django REST Framework SimpleJWT's API.
//!
//! * [`config`] loads settings (file < `JWTD_*` environment < flags).
//! * [`server`] prepares the data directory, signing key and database, then serves [`api`].
//! * [`cli`] is the `jwtd` command line (`serve`, `user …`, `tokens …`, `config check`).
//! * [`hashing`] runs password hashes off the async workers; [`metrics`] counts what happens.

pub mod api;
pub mod cli;
pub mod config;
pub mod hashing;
pub mod keyfile;
pub mod metrics;
pub mod server;
pub mod state;
