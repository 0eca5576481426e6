//! Tokens as SimpleJWT makes and checks them.
//!
//! A payload is an insertion-ordered JSON object so claims come out in SimpleJWT's order:
//! `token_type, exp, iat, jti` (sliding tokens: then `refresh_exp`), `user_id`, the revoke
//! claim, the extra claims, then `aud` and `iss`. The header is `{"typ":"JWT","alg":…}`, as
//! PyJWT writes it for SimpleJWT.
//!
//! Decoding has three steps, each in the order its Python original runs:
//! 1. signature and algorithm (an allow-list of one), by `jsonwebtoken`;
//! 2. PyJWT's registered-claim checks `iat`, `nbf`, `exp`, `iss`, `aud`, done here because
//!    `jsonwebtoken` orders them differently and counts a token expiring this very second as
//!    valid where PyJWT does not;
//! 3. SimpleJWT's `Token.verify`: `exp` present, `jti` present, the token type.

mod check;
mod claims;
mod kind;
mod mint;
#[cfg(test)]
mod tests;

use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

pub use kind::{Subject, TokenError, TokenKind, UserRef};

use crate::settings::{Algorithm, Settings, UserIdField, whole_seconds};

/// Claims of a token, in order.
pub type Payload = Map<String, Value>;

/// Longer tokens are refused before any parsing or key use (jwtd's own tokens are a few
/// hundred bytes; SimpleJWT sets no bound).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// Mints, signs and validates tokens with one key and the settings' claim names.
pub struct TokenService {
    header: Header,
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    validation: Validation,
    leeway: i64,
    access_lifetime: i64,
    refresh_lifetime: i64,
    sliding_lifetime: i64,
    sliding_refresh_lifetime: i64,
    refresh_exp_claim: String,
    token_type_claim: String,
    jti_claim: String,
    user_id_claim: String,
    user_id_field: UserIdField,
    /// The revoke claim's name when `check_revoke_token` is on.
    revoke_claim: Option<String>,
    /// `aud` as configured (string or list) and as a list to check against.
    audience: Option<(Value, Vec<String>)>,
    issuer: Option<String>,
}

impl TokenService {
    pub fn new(settings: &Settings, secret: &[u8]) -> Self {
        let algorithm = match settings.algorithm {
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
            Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
        };
        // jsonwebtoken checks the signature and the algorithm only; the claims are checked
        // in `check_registered_claims`, as PyJWT checks them.
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        TokenService {
            header: Header::new(algorithm),
            encoding_key: EncodingKey::from_secret(secret),
            decoding_key: DecodingKey::from_secret(secret),
            validation,
            leeway: whole_seconds(settings.leeway),
            access_lifetime: whole_seconds(settings.access_token_lifetime),
            refresh_lifetime: whole_seconds(settings.refresh_token_lifetime),
            sliding_lifetime: whole_seconds(settings.sliding_token_lifetime),
            sliding_refresh_lifetime: whole_seconds(settings.sliding_token_refresh_lifetime),
            refresh_exp_claim: settings.sliding_token_refresh_exp_claim.clone(),
            token_type_claim: settings.token_type_claim.clone(),
            jti_claim: settings.jti_claim.clone(),
            user_id_claim: settings.user_id_claim.clone(),
            user_id_field: settings.user_id_field,
            revoke_claim: settings
                .check_revoke_token
                .then(|| settings.revoke_token_claim.clone()),
            audience: settings.audience.as_ref().map(|a| {
                let value = serde_json::to_value(a).expect("strings serialize");
                (value, a.values())
            }),
            issuer: settings.issuer.clone(),
        }
    }
}

/// `uuid4().hex`: 32 lowercase hex characters.
pub fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
