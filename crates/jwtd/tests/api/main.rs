//! Black-box tests: a real jwtd listening on a loopback port, driven over HTTP.
//! One test binary (`mod` per area) so it links once.

mod helpers;

mod admin;
mod admin_django;
mod admin_sessions;
mod attacks;
mod auth_header;
mod browser;
mod catalog;
mod changes_elsewhere;
mod cli;
mod concurrency;
mod connections;
mod console;
mod console_browser;
mod contract_obtain;
mod contract_refresh;
mod cookies;
mod disk_full;
mod django_hashes;
mod django_import;
mod django_live;
mod django_mode;
mod django_mode_ops;
mod django_site;
mod enumeration;
mod flush;
mod keys;
mod keys_django;
mod keys_rotation;
mod operations;
mod parity;
mod pg_server;
mod postgres;
mod postgres_faults;
mod property;
mod security;
mod seeds;
mod shutdown;
mod sigkill;
mod stalling_proxy;
mod store_errors;
mod token_claims;
mod verify_crate;
