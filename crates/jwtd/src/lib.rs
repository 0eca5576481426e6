//! jwtd: a JWT authentication server that speaks Django REST Framework SimpleJWT's API.
//!
//! * [`config`] loads settings (file < `JWTD_*` environment < flags).
//! * [`server`] prepares the data directory, database and signing keys, then serves [`api`]
//!   over [`connections`] (timeouts and a cap on open connections).
//! * [`keys`] decides what signs (an HS secret, a PEM key, the store's key set) and keeps every
//!   instance's key ring current.
//! * [`cli`] is the `jwtd` command line (`serve`, `user …`, `tokens …`, `keys …`, `config check`).
//! * [`hashing`] runs password hashes off the async workers; [`metrics`] counts what happens.

pub mod activity;
pub mod api;
pub mod api_key;
pub mod audit;
pub mod cli;
pub mod config;
pub mod connections;
pub mod console;
pub mod hashing;
pub mod keyfile;
pub mod keys;
pub mod logging;
pub mod metrics;
pub mod server;
pub mod state;
