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

use std::borrow::Cow;

use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use crate::i18n::Msg;
use crate::settings::{Algorithm, ExtraClaim, Settings, UserIdField, whole_seconds};

/// Claims of a token, in order.
pub type Payload = Map<String, Value>;

/// Longer tokens are refused before any parsing or key use (jwtd's own tokens are a few
/// hundred bytes; SimpleJWT sets no bound).
pub const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// SimpleJWT's token classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Access,
    Refresh,
    Sliding,
}

impl TokenKind {
    /// The `token_type` claim value.
    pub fn claim_value(self) -> &'static str {
        match self {
            TokenKind::Access => "access",
            TokenKind::Refresh => "refresh",
            TokenKind::Sliding => "sliding",
        }
    }

    /// SimpleJWT's class name, used in the `messages` list of a 401.
    pub fn class_name(self) -> &'static str {
        match self {
            TokenKind::Access => "AccessToken",
            TokenKind::Refresh => "RefreshToken",
            TokenKind::Sliding => "SlidingToken",
        }
    }
}

impl From<crate::settings::TokenClass> for TokenKind {
    fn from(class: crate::settings::TokenClass) -> Self {
        match class {
            crate::settings::TokenClass::Access => TokenKind::Access,
            crate::settings::TokenClass::Sliding => TokenKind::Sliding,
        }
    }
}

/// Why a token was refused, one variant per SimpleJWT `TokenError` message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// Bad signature, algorithm, shape, `aud`, `iss`, `nbf` or `iat`.
    #[error("token is invalid")]
    Invalid,
    #[error("token is expired")]
    Expired,
    /// `Token has no '{claim}' claim` (`exp`, or a sliding token's `refresh_exp`).
    #[error("token has no {0:?} claim")]
    NoClaim(String),
    /// `Token '{claim}' claim has expired` (a sliding token past its `refresh_exp`).
    #[error("token {0:?} claim has expired")]
    ClaimExpired(String),
    #[error("token has no id")]
    NoJti,
    #[error("token has no type")]
    NoType,
    #[error("token has wrong type")]
    WrongType,
    /// The token's `jti` is blacklisted (checked by the caller, which owns the store).
    #[error("token is blacklisted")]
    Blacklisted,
}

impl TokenError {
    /// The catalog message and its argument.
    pub fn message(&self) -> (Msg, Option<&str>) {
        match self {
            TokenError::Invalid => (Msg::Invalid, None),
            TokenError::Expired => (Msg::Expired, None),
            TokenError::NoClaim(claim) => (Msg::NoClaim, Some(claim)),
            TokenError::ClaimExpired(claim) => (Msg::ClaimExpired, Some(claim)),
            TokenError::NoJti => (Msg::NoJti, None),
            TokenError::NoType => (Msg::NoType, None),
            TokenError::WrongType => (Msg::WrongType, None),
            TokenError::Blacklisted => (Msg::Blacklisted, None),
        }
    }
}

/// The user a token names, read through `user_id_field`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UserRef {
    /// A JSON integer, or a string holding one (stock SimpleJWT 5.5 writes `"5"`).
    Id(i64),
    Username(String),
    Email(String),
    /// Present but not a value any user can have.
    Unknown,
}

/// What a new token needs to know about its user.
#[derive(Clone, Copy, Debug)]
pub struct Subject<'a> {
    pub id: i64,
    pub username: &'a str,
    pub email: &'a str,
    /// The user's current revocation value (written when `check_revoke_token` is on).
    pub revoke_key: &'a str,
}

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

    /// The token issued at login (`RefreshToken.for_user` / `SlidingToken.for_user` plus the
    /// custom claims). `kind` is `Refresh` or `Sliding`.
    pub fn for_user(
        &self,
        kind: TokenKind,
        user: &Subject<'_>,
        extra_claims: impl IntoIterator<Item = (String, Value)>,
        now: i64,
    ) -> Payload {
        let mut p = match kind {
            TokenKind::Sliding => {
                let mut p = self.fresh(kind, self.sliding_lifetime, now);
                p.insert(
                    self.refresh_exp_claim.clone(),
                    (now + self.sliding_refresh_lifetime).into(),
                );
                p
            }
            TokenKind::Refresh | TokenKind::Access => self.fresh(kind, self.refresh_lifetime, now),
        };
        let user_id = match self.user_id_field {
            UserIdField::Id => Value::from(user.id),
            UserIdField::Username => Value::from(user.username),
            UserIdField::Email => Value::from(user.email),
        };
        p.insert(self.user_id_claim.clone(), user_id);
        if let Some(claim) = &self.revoke_claim {
            p.insert(claim.clone(), user.revoke_key.into());
        }
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
            "jti",
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

    /// `TokenRefreshSlidingSerializer`: while `refresh_exp` has not passed, the same token
    /// (same `jti`) with a fresh `exp` and `iat`.
    pub fn slide(&self, sliding: &Payload, now: i64) -> Result<Payload, TokenError> {
        let claim = &self.refresh_exp_claim;
        let refresh_exp = sliding
            .get(claim)
            .ok_or_else(|| TokenError::NoClaim(claim.clone()))?;
        let refresh_exp = py_int(refresh_exp).ok_or(TokenError::Invalid)?;
        if refresh_exp <= now - self.leeway {
            return Err(TokenError::ClaimExpired(claim.clone()));
        }
        let mut p = sliding.clone();
        p.insert("exp".into(), (now + self.sliding_lifetime).into());
        p.insert("iat".into(), now.into());
        Ok(p)
    }

    /// Signs a payload, adding `aud` and `iss` when configured (SimpleJWT adds them at
    /// encoding, so they follow every other claim).
    pub fn encode(&self, payload: &Payload) -> String {
        let mut payload = Cow::Borrowed(payload);
        if let Some((audience, _)) = &self.audience {
            payload.to_mut().insert("aud".into(), audience.clone());
        }
        if let Some(issuer) = &self.issuer {
            payload
                .to_mut()
                .insert("iss".into(), issuer.as_str().into());
        }
        jsonwebtoken::encode(&self.header, payload.as_ref(), &self.encoding_key)
            .expect("an HMAC signature over a JSON object cannot fail")
    }

    /// Decodes and validates a token. `kind: None` is SimpleJWT's `UntypedToken` (verify).
    pub fn decode(
        &self,
        raw: &str,
        kind: Option<TokenKind>,
        now: i64,
    ) -> Result<Payload, TokenError> {
        if raw.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Invalid);
        }
        let payload = jsonwebtoken::decode::<Payload>(raw, &self.decoding_key, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        self.check_registered_claims(&payload, now)?;
        if !payload.contains_key("exp") {
            return Err(TokenError::NoClaim("exp".into()));
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

    /// PyJWT's `_validate_claims`, with SimpleJWT's options: `iat` and `nbf` not in the
    /// future, `exp` not reached, `iss` and `aud` as configured (an `aud` is ignored when no
    /// audience is configured, because SimpleJWT passes `verify_aud=False` then).
    fn check_registered_claims(&self, payload: &Payload, now: i64) -> Result<(), TokenError> {
        let leeway = self.leeway;
        for claim in ["iat", "nbf"] {
            if let Some(value) = payload.get(claim) {
                let at = py_int(value).ok_or(TokenError::Invalid)?;
                if at > now + leeway {
                    return Err(TokenError::Invalid);
                }
            }
        }
        if let Some(exp) = payload.get("exp") {
            let exp = py_int(exp).ok_or(TokenError::Invalid)?;
            if exp <= now - leeway {
                return Err(TokenError::Expired);
            }
        }
        if let Some(issuer) = &self.issuer
            && payload.get("iss").and_then(Value::as_str) != Some(issuer.as_str())
        {
            return Err(TokenError::Invalid);
        }
        if let Some((_, accepted)) = &self.audience {
            let claimed: Vec<&str> = match payload.get("aud") {
                Some(Value::String(one)) if !one.is_empty() => vec![one.as_str()],
                Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
                _ => Vec::new(),
            };
            if !accepted.iter().any(|a| claimed.contains(&a.as_str())) {
                return Err(TokenError::Invalid);
            }
        }
        Ok(())
    }

    /// Whether the token's type claim names `kind`.
    pub fn is_kind(&self, payload: &Payload, kind: TokenKind) -> bool {
        payload.get(&self.token_type_claim).and_then(Value::as_str) == Some(kind.claim_value())
    }

    /// The token's `jti`, when it is a string.
    pub fn jti<'p>(&self, payload: &'p Payload) -> Option<&'p str> {
        payload.get(&self.jti_claim).and_then(Value::as_str)
    }

    /// The user the token names; `None` when the user-id claim is absent.
    pub fn user_ref(&self, payload: &Payload) -> Option<UserRef> {
        let value = payload.get(&self.user_id_claim)?;
        let text = match value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        };
        Some(match (self.user_id_field, text) {
            (UserIdField::Id, Some(t)) => t.trim().parse().map_or(UserRef::Unknown, UserRef::Id),
            (UserIdField::Username, Some(t)) => UserRef::Username(t),
            (UserIdField::Email, Some(t)) => UserRef::Email(t),
            (_, None) => UserRef::Unknown,
        })
    }

    /// With `check_revoke_token` on: whether the token carries the user's current revocation
    /// value (compared in constant time). Always true when the check is off.
    pub fn revoke_value_current(&self, payload: &Payload, current: &str) -> bool {
        let Some(claim) = &self.revoke_claim else {
            return true;
        };
        payload
            .get(claim)
            .and_then(Value::as_str)
            .is_some_and(|v| bool::from(v.as_bytes().ct_eq(current.as_bytes())))
    }

    /// The `exp` claim as epoch seconds (0 when not an integer; decode already refused those).
    pub fn exp(payload: &Payload) -> i64 {
        payload.get("exp").and_then(py_int).unwrap_or(0)
    }

    /// The `iat` claim as epoch seconds; 0 (the oldest) when absent.
    pub fn iat(payload: &Payload) -> i64 {
        payload.get("iat").and_then(py_int).unwrap_or(0)
    }

    /// With `bind_ip`: whether the token's `ip_address` claim is `ip`.
    pub fn issued_to(payload: &Payload, ip: &str) -> bool {
        payload
            .get(ExtraClaim::IpAddress.name())
            .and_then(Value::as_str)
            == Some(ip)
    }
}

/// Python's `int(value)` for the JSON values a claim can hold: integers, floats (truncated) and
/// strings of digits; anything else is not a time.
fn py_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && f.abs() < 9.0e15)
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `uuid4().hex`: 32 lowercase hex characters.
pub fn new_jti() -> String {
    uuid::Uuid::new_v4().simple().to_string()
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

    fn subject() -> Subject<'static> {
        Subject {
            id: 7,
            username: "ann",
            email: "ann@example.com",
            revoke_key: "r1",
        }
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
        let refresh = s.for_user(
            TokenKind::Refresh,
            &subject(),
            [("roles".into(), Value::from(vec!["a"]))],
            t,
        );
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
        let refresh = s.for_user(TokenKind::Refresh, &subject(), [], t);
        let good = s.encode(&refresh);
        assert!(s.decode(&good, Some(TokenKind::Refresh), t).is_ok());
        assert_eq!(
            s.decode(&good, Some(TokenKind::Access), t),
            Err(TokenError::WrongType)
        );
        assert!(s.decode(&good, None, t).is_ok());

        let mut expired = refresh.clone();
        // PyJWT: a token whose `exp` is this very second is already expired.
        expired.insert("exp".into(), t.into());
        assert_eq!(
            s.decode(&s.encode(&expired), None, t),
            Err(TokenError::Expired)
        );
        let mut future = refresh.clone();
        future.insert("iat".into(), (t + 30).into());
        assert_eq!(
            s.decode(&s.encode(&future), None, t),
            Err(TokenError::Invalid)
        );

        for (claim, err) in [
            ("exp", TokenError::NoClaim("exp".into())),
            ("jti", TokenError::NoJti),
            ("token_type", TokenError::NoType),
        ] {
            let mut p = refresh.clone();
            p.remove(claim);
            assert_eq!(
                s.decode(&s.encode(&p), Some(TokenKind::Refresh), t),
                Err(err),
                "{claim}"
            );
        }

        let other = TokenService::new(&Settings::default(), b"another key, 32 bytes long......");
        assert_eq!(other.decode(&good, None, t), Err(TokenError::Invalid));
        assert_eq!(s.decode("a.b", None, t), Err(TokenError::Invalid));
        assert_eq!(s.decode("", None, t), Err(TokenError::Invalid));
    }

    #[test]
    fn user_ref_accepts_ints_and_numeric_strings() {
        let s = service();
        let mut p = Payload::new();
        assert_eq!(s.user_ref(&p), None);
        p.insert("user_id".into(), 5.into());
        assert_eq!(s.user_ref(&p), Some(UserRef::Id(5)));
        p.insert("user_id".into(), "5".into());
        assert_eq!(s.user_ref(&p), Some(UserRef::Id(5)));
        p.insert("user_id".into(), "x".into());
        assert_eq!(s.user_ref(&p), Some(UserRef::Unknown));
    }

    #[test]
    fn sliding_tokens_slide_until_refresh_exp() {
        let s = service();
        let t = now();
        let sliding = s.for_user(TokenKind::Sliding, &subject(), [], t - 100);
        let keys: Vec<&String> = sliding.keys().collect();
        assert_eq!(
            keys,
            ["token_type", "exp", "iat", "jti", "refresh_exp", "user_id"]
        );
        let slid = s.slide(&sliding, t).unwrap();
        assert_eq!(slid["exp"], Value::from(t + 300));
        assert_eq!(slid["jti"], sliding["jti"]);
        assert_eq!(slid["refresh_exp"], sliding["refresh_exp"]);
        let mut late = sliding.clone();
        late.insert("refresh_exp".into(), t.into());
        assert_eq!(
            s.slide(&late, t),
            Err(TokenError::ClaimExpired("refresh_exp".into()))
        );
        late.remove("refresh_exp");
        assert_eq!(
            s.slide(&late, t),
            Err(TokenError::NoClaim("refresh_exp".into()))
        );
    }

    #[test]
    fn claim_times_are_read_as_python_ints() {
        assert_eq!(py_int(&Value::from(5)), Some(5));
        assert_eq!(py_int(&Value::from(5.9)), Some(5));
        assert_eq!(py_int(&Value::from(" 12 ")), Some(12));
        assert_eq!(py_int(&Value::from("1.5")), None);
        assert_eq!(py_int(&Value::Null), None);
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
