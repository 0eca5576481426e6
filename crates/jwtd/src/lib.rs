//! jwtd: a JWT authentication server that speaks Django REST Framework SimpleJWT's API.
//!
//! * [`config`] loads settings (file < `JWTD_*` environment < flags).
//! * [`server`] prepares the data directory, signing key and database, then serves [`api`].
//! * [`cli`] is the `jwtd` command line (`serve`, `user …`).

pub mod api;
pub mod cli;
pub mod config;
pub mod hashing;
pub mod keyfile;
pub mod server;
pub mod state;
