//! Tokens as SimpleJWT makes and checks them.
//!
//! A payload is an insertion-ordered JSON object so claims come out in SimpleJWT's order:
//! `token_type, exp, iat, jti` (sliding tokens: then `refresh_exp`), `user_id`, the revoke
//! claim, the extra claims, then `aud` and `iss`. The header is `{"typ":"JWT","alg":…}`, as
//! PyJWT writes it for SimpleJWT, with a `kid` after `alg` when signed by a key pair.
//!
//! Decoding has three steps, each in the order its Python original runs:
//! 1. signature and algorithm, by the key ring (`crate::keys::KeyRing`: the key is chosen by
//!    `kid`, never by `alg`);
//! 2. PyJWT's registered-claim checks `iat`, `nbf`, `exp`, `iss`, `aud`, done here because
//!    `jsonwebtoken` orders them differently and counts a token expiring this very second as
//!    valid where PyJWT does not;
//! 3. SimpleJWT's `Token.verify`: `exp` present, `jti` present, the token type.

mod check;
mod claims;
mod decoded;
mod kind;
mod mint;
mod mint_direct;
mod session;
#[cfg(test)]
mod tests;
mod verified;

use std::sync::{Arc, OnceLock};

use arc_swap::ArcSwap;
use serde_json::{Map, Value};

pub use decoded::{Decoded, ReadClaims, Role};
pub use kind::{Subject, TokenError, TokenKind, UserRef};
pub use mint_direct::MintedAccess;
pub use session::{jti_in_session, session_jti};

use crate::keys::KeyRing;
use crate::settings::{Settings, UserIdField, whole_seconds};

/// Claims of a token, in order.
pub type Payload = Map<String, Value>;

/// Longer tokens are refused before any parsing or key use (jwtd's own tokens are a few
/// hundred bytes; SimpleJWT sets no bound).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Mints, signs and validates tokens with the current key ring and the settings' claim names.
pub struct TokenService {
    /// Replaced whole when keys rotate; read without a lock.
    keys: ArcSwap<KeyRing>,
    /// Tokens the ring verified lately ([`verified`]).
    verified: verified::VerifiedTokens,
    /// Told when a token names a key the ring lacks (the server then re-reads the key set).
    unknown_kid: OnceLock<Box<dyn Fn() + Send + Sync>>,
    leeway: i64,
    access_lifetime: i64,
    refresh_lifetime: i64,
    sliding_lifetime: i64,
    sliding_refresh_lifetime: i64,
    refresh_exp_claim: String,
    user_id_field: UserIdField,
    /// `check_revoke_token`: tokens carry the revoke claim, and it must be current.
    check_revoke: bool,
    /// `aud` as configured (string or list) and as a list to check against.
    audience: Option<(Value, Vec<String>)>,
    issuer: Option<String>,
    /// Each [`Role`]'s claim name, in `Role::ALL`'s order: what tokens are read and minted by.
    role_names: [String; Role::ALL.len()],
}

impl TokenService {
    pub fn new(settings: &Settings, keys: KeyRing) -> Self {
        TokenService {
            keys: ArcSwap::from_pointee(keys),
            verified: verified::VerifiedTokens::new(settings.verified_token_cache),
            unknown_kid: OnceLock::new(),
            leeway: whole_seconds(settings.leeway),
            access_lifetime: whole_seconds(settings.access_token_lifetime),
            refresh_lifetime: whole_seconds(settings.refresh_token_lifetime),
            sliding_lifetime: whole_seconds(settings.sliding_token_lifetime),
            sliding_refresh_lifetime: whole_seconds(settings.sliding_token_refresh_lifetime),
            refresh_exp_claim: settings.sliding_token_refresh_exp_claim.clone(),
            user_id_field: settings.user_id_field,
            check_revoke: settings.check_revoke_token,
            audience: settings.audience.as_ref().map(|a| {
                let value = serde_json::to_value(a).expect("strings serialize");
                (value, a.values())
            }),
            issuer: settings.issuer.clone(),
            role_names: Role::ALL.map(|role| {
                match role {
                    Role::TokenType => &settings.token_type_claim,
                    Role::Jti => &settings.jti_claim,
                    Role::UserId => &settings.user_id_claim,
                    Role::Revoke => &settings.revoke_token_claim,
                    Role::IpAddress => crate::settings::ExtraClaim::IpAddress.name(),
                    Role::Exp => "exp",
                    Role::Iat => "iat",
                    Role::Nbf => "nbf",
                    Role::Iss => "iss",
                    Role::Aud => "aud",
                }
                .to_owned()
            }),
        }
    }

    /// Signs from now on with `keys` (and verifies with them only).
    pub fn install_keys(&self, keys: KeyRing) {
        self.keys.store(Arc::new(keys));
    }

    /// Calls `hook` whenever a token names a key the ring does not hold; it must be cheap (it
    /// runs on the request path) and bound its own work, as any client can send such tokens.
    pub fn on_unknown_kid(&self, hook: impl Fn() + Send + Sync + 'static) {
        let _ = self.unknown_kid.set(Box::new(hook));
    }

    /// The key ring in use.
    pub fn keys(&self) -> Arc<KeyRing> {
        self.keys.load_full()
    }

    /// A ring of one HS secret from settings, for tests and benchmarks.
    pub fn with_secret(settings: &Settings, secret: &[u8]) -> Self {
        assert!(
            settings.algorithm.is_hmac(),
            "with_secret needs an HS algorithm"
        );
        TokenService::new(settings, KeyRing::hmac(settings.algorithm, secret, &[]))
    }
}

/// `uuid4().hex`: 32 lowercase hex characters.
pub fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
