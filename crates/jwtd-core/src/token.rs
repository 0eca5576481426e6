//! Tokens as SimpleJWT makes and checks them.
//!
//! A payload is an insertion-ordered JSON object so claims come out in SimpleJWT's order:
//! `token_type, exp, iat, jti, user_id`, then the extra claims. The header is
//! `{"typ":"JWT","alg":…}`, as PyJWT writes it for SimpleJWT. Decoding checks, in SimpleJWT's
//! order: signature and algorithm (allow-list of one), `exp` with leeway, then the presence of
//! `exp`, `jti` and the token type.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};

use crate::i18n::Msg;
use crate::settings::{Algorithm, Settings};

/// Claims of a token, in order.
pub type Payload = Map<String, Value>;

/// The token classes SimpleJWT checks a type for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
}

impl TokenKind {
    /// The `token_type` claim value.
    pub fn claim_value(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
        }
    }

    /// SimpleJWT's class name, used in the `messages` list of a 401.
    pub fn class_name(self) -> &'static str {
        match self {
            TokenKind::Access => "AccessToken",
            TokenKind::Refresh => "RefreshToken",
        }
    }
}

/// Why a token was refused, one variant per SimpleJWT `TokenError` message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("token is invalid")]
    Invalid,
    #[error("token is expired")]
    Expired,
    #[error("token has no 'exp' claim")]
    NoExp,
    #[error("token has no id")]
    NoJti,
    #[error("token has no type")]
    NoType,
    #[error("token has wrong type")]
    WrongType,
}

impl TokenError {
    /// The catalog message and its argument.
    pub fn message(self) -> (Msg, Option<&'static str>) {
        match self {
            TokenError::Invalid => (Msg::Invalid, None),
            TokenError::Expired => (Msg::Expired, None),
            TokenError::NoExp => (Msg::NoClaim, Some("exp")),
            TokenError::NoJti => (Msg::NoJti, None),
            TokenError::NoType => (Msg::NoType, None),
            TokenError::WrongType => (Msg::WrongType, None),
        }
    }
}

/// The user id a token names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserIdClaim {
    /// A JSON integer, or a string holding one (stock SimpleJWT 5.5 writes `"5"`).
    Id(i64),
    /// Present but not an id any user can have.
    Unknown,
}

/// Mints, signs and validates tokens with one key and the settings' claim names.
pub struct TokenService {
    header: Header,
    encoding_key: EncodingKey,
    decoding_key: DecodingKey,
    validation: Validation,
    access_lifetime: i64,
    refresh_lifetime: i64,
    token_type_claim: String,
    jti_claim: String,
    user_id_claim: String,
}

impl TokenService {
    pub fn new(settings: &Settings, secret: &[u8]) -> Self {
        let algorithm = match settings.algorithm {
            Algorithm::HS256 => jsonwebtoken::Algorithm::HS256,
            Algorithm::HS384 => jsonwebtoken::Algorithm::HS384,
            Algorithm::HS512 => jsonwebtoken::Algorithm::HS512,
        };
        // Every check is set explicitly: jsonwebtoken's defaults (60 s leeway, `exp` required)
        // differ from SimpleJWT's, and the missing-claim cases need their own messages.
        let mut validation = Validation::new(algorithm);
        validation.algorithms = vec![algorithm];
        validation.leeway = settings.leeway.as_secs();
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.required_spec_claims.clear();
        TokenService {
            header: Header::new(algorithm),
            encoding_key: EncodingKey::from_secret(secret),
            decoding_key: DecodingKey::from_secret(secret),
            validation,
            access_lifetime: lifetime_secs(settings.access_token_lifetime),
            refresh_lifetime: lifetime_secs(settings.refresh_token_lifetime),
            token_type_claim: settings.token_type_claim.clone(),
            jti_claim: settings.jti_claim.clone(),
            user_id_claim: settings.user_id_claim.clone(),
        }
    }

    pub fn refresh_lifetime(&self) -> i64 {
        self.refresh_lifetime
    }

    /// A new token's standard claims: `token_type, exp, iat, jti`.
    fn fresh(&self, kind: TokenKind, lifetime: i64, now: i64) -> Payload {
        let mut p = Payload::new();
        p.insert(self.token_type_claim.clone(), kind.claim_value().into());
        p.insert("exp".into(), (now + lifetime).into());
        p.insert("iat".into(), now.into());
        p.insert(self.jti_claim.clone(), new_jti().into());
        p
    }

    /// The refresh token issued at login (`RefreshToken.for_user` + custom claims).
    pub fn refresh_for_user(
        &self,
        user_id: i64,
        extra_claims: impl IntoIterator<Item = (String, Value)>,
        now: i64,
    ) -> Payload {
        let mut p = self.fresh(TokenKind::Refresh, self.refresh_lifetime, now);
        p.insert(self.user_id_claim.clone(), user_id.into());
        p.extend(extra_claims);
        p
    }

    /// `RefreshToken.access_token`: a fresh access token carrying every other claim of the
    /// refresh token (user id, roles, the login-time ip_address ...).
    pub fn access_from_refresh(&self, refresh: &Payload, now: i64) -> Payload {
        let mut p = self.fresh(TokenKind::Access, self.access_lifetime, now);
        let own = [
            self.token_type_claim.as_str(),
            "exp",
            "iat",
            self.jti_claim.as_str(),
        ];
        for (claim, value) in refresh {
            if !own.contains(&claim.as_str()) {
                p.insert(claim.clone(), value.clone());
            }
        }
        p
    }

    /// The successor of a rotated refresh token: the same claims in the same order with a new
    /// `jti`, `exp` and `iat` (SimpleJWT mutates the token in place).
    pub fn rotated_refresh(&self, refresh: &Payload, now: i64) -> Payload {
        let mut p = refresh.clone();
        p.insert("exp".into(), (now + self.refresh_lifetime).into());
        p.insert("iat".into(), now.into());
        p.insert(self.jti_claim.clone(), new_jti().into());
        p
    }

    pub fn encode(&self, payload: &Payload) -> String {
        jsonwebtoken::encode(&self.header, payload, &self.encoding_key)
            .expect("an HMAC signature over a JSON object cannot fail")
    }

    /// Decodes and validates a token. `kind: None` is SimpleJWT's `UntypedToken` (verify).
    pub fn decode(&self, raw: &str, kind: Option<TokenKind>) -> Result<Payload, TokenError> {
        let payload = jsonwebtoken::decode::<Payload>(raw, &self.decoding_key, &self.validation)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenError::Expired,
                _ => TokenError::Invalid,
            })?
            .claims;
        if !payload.contains_key("exp") {
            return Err(TokenError::NoExp);
        }
        if !payload.contains_key(&self.jti_claim) {
            return Err(TokenError::NoJti);
        }
        if let Some(kind) = kind {
            match payload.get(&self.token_type_claim) {
                None => return Err(TokenError::NoType),
                Some(v) if v.as_str() != Some(kind.claim_value()) => {
                    return Err(TokenError::WrongType);
                }
                Some(_) => {}
            }
        }
        Ok(payload)
    }

    /// The token's `jti`, when it is a string.
    pub fn jti<'p>(&self, payload: &'p Payload) -> Option<&'p str> {
        payload.get(&self.jti_claim).and_then(Value::as_str)
    }

    /// The token's user id; `None` when the claim is absent.
    pub fn user_id(&self, payload: &Payload) -> Option<UserIdClaim> {
        let value = payload.get(&self.user_id_claim)?;
        let id = match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        };
        Some(id.map_or(UserIdClaim::Unknown, UserIdClaim::Id))
    }

    /// The `exp` claim as epoch seconds (0 when not an integer; decode already refused those).
    pub fn exp(payload: &Payload) -> i64 {
        payload.get("exp").and_then(Value::as_i64).unwrap_or(0)
    }
}

/// `uuid4().hex`: 32 lowercase hex characters.
pub fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn lifetime_secs(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

    fn service() -> TokenService {
        TokenService::new(&Settings::default(), KEY)
    }

    fn now() -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    }

    fn part(token: &str, i: usize) -> Value {
        let raw = token.split('.').nth(i).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(raw)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn header_and_claim_order_match_simplejwt() {
        let s = service();
        let t = now();
        let refresh = s.refresh_for_user(7, [("roles".into(), Value::from(vec!["a"]))], t);
        let token = s.encode(&refresh);
        let header = token.split('.').next().unwrap();
        assert_eq!(header, "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9");
        let keys: Vec<String> = part(&token, 1)
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            keys,
            ["token_type", "exp", "iat", "jti", "user_id", "roles"]
        );
        let access = s.access_from_refresh(&refresh, t);
        let keys: Vec<&String> = access.keys().collect();
        assert_eq!(
            keys,
            ["token_type", "exp", "iat", "jti", "user_id", "roles"]
        );
        assert_eq!(access["exp"].as_i64().unwrap() - t, 300);
        assert_ne!(access["jti"], refresh["jti"]);
    }

    #[test]
    fn decode_reports_simplejwt_faults_in_order() {
        let s = service();
        let t = now();
        let refresh = s.refresh_for_user(1, [], t);
        let good = s.encode(&refresh);
        assert!(s.decode(&good, Some(TokenKind::Refresh)).is_ok());
        assert_eq!(
            s.decode(&good, Some(TokenKind::Access)),
            Err(TokenError::WrongType)
        );
        assert!(s.decode(&good, None).is_ok());

        let mut expired = refresh.clone();
        expired.insert("exp".into(), (t - 10).into());
        assert_eq!(
            s.decode(&s.encode(&expired), None),
            Err(TokenError::Expired)
        );

        for (claim, err) in [
            ("exp", TokenError::NoExp),
            ("jti", TokenError::NoJti),
            ("token_type", TokenError::NoType),
        ] {
            let mut p = refresh.clone();
            p.remove(claim);
            assert_eq!(
                s.decode(&s.encode(&p), Some(TokenKind::Refresh)),
                Err(err),
                "{claim}"
            );
        }

        let other = TokenService::new(&Settings::default(), b"another key, 32 bytes long......");
        assert_eq!(other.decode(&good, None), Err(TokenError::Invalid));
        assert_eq!(s.decode("a.b", None), Err(TokenError::Invalid));
        assert_eq!(s.decode("", None), Err(TokenError::Invalid));
    }

    #[test]
    fn user_id_accepts_ints_and_numeric_strings() {
        let s = service();
        let mut p = Payload::new();
        assert_eq!(s.user_id(&p), None);
        p.insert("user_id".into(), 5.into());
        assert_eq!(s.user_id(&p), Some(UserIdClaim::Id(5)));
        p.insert("user_id".into(), "5".into());
        assert_eq!(s.user_id(&p), Some(UserIdClaim::Id(5)));
        p.insert("user_id".into(), "x".into());
        assert_eq!(s.user_id(&p), Some(UserIdClaim::Unknown));
    }

    #[test]
    fn jti_is_32_lowercase_hex() {
        let j = new_jti();
        assert_eq!(j.len(), 32);
        assert!(
            j.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
    }
}
