//! jwtd-core: the pure domain of jwtd. No I/O, no async runtime, no database, no HTTP.
//!
//! * [`settings`]: the typed `SIMPLE_JWT`-equivalent configuration.
//! * [`token`]: minting, encoding and validating access/refresh tokens the way SimpleJWT does.
//! * [`keys`]: signing algorithms, key pairs, the key ring, keys sealed at rest.
//! * [`user_rules`]: whether the user a token names may act (the one place that decides it).
//! * [`password`]: Argon2id for new hashes, Django's encoded formats verified.
//! * [`i18n`]: the message catalog (one file per language) and `Accept-Language` negotiation.
//! * [`authorization`]: the `Authorization` header as SimpleJWT reads it.
//! * [`clock`]: the instant a request is handled at, settable in tests.
//! * [`csrf`]: cookie mode's CSRF tokens, bound to a session.
//! * [`user_fields`]: Django's `User` field rules (username, email).

pub mod authorization;
pub mod clock;
pub mod csrf;
pub mod hex;
pub mod i18n;
pub mod keys;
pub mod password;
pub mod settings;
pub mod token;
pub mod user_fields;
pub mod user_rules;

pub use clock::{Clock, Timestamp};
pub use i18n::{Lang, Msg};
pub use settings::Settings;
