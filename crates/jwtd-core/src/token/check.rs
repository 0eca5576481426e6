//! Checking tokens: signature and algorithm, PyJWT's registered claims, SimpleJWT's
//! `Token.verify` — each in the order its Python original runs.

use serde_json::Value;

use crate::keys::Unverified;

use super::{Decoded, MAX_TOKEN_BYTES, Role, TokenError, TokenKind, TokenService};

impl TokenService {
    /// Decodes and validates a token. `kind: None` is SimpleJWT's `UntypedToken` (verify).
    /// The signature of a token verified lately is not checked again ([`super::verified`]).
    pub fn decode(
        &self,
        raw: &str,
        kind: Option<TokenKind>,
        now: i64,
    ) -> Result<Decoded, TokenError> {
        if raw.len() > MAX_TOKEN_BYTES {
            return Err(TokenError::Invalid);
        }
        let keys = self.keys.load();
        if let Some(payload) = self.verified.get(raw, keys.generation()) {
            self.check_claims(&payload, kind, now)?;
            return Ok(payload);
        }
        let json = keys.verify(raw).map_err(|why| {
            if why == Unverified::UnknownKid
                && let Some(hook) = self.unknown_kid.get()
            {
                hook();
            }
            TokenError::Invalid
        })?;
        let payload = Decoded::read(json, &self.role_names).ok_or(TokenError::Invalid)?;
        self.check_claims(&payload, kind, now)?;
        self.verified.remember(raw, keys.generation(), &payload);
        Ok(payload)
    }

    /// Steps 2 and 3: everything but the signature, checked on every use of a token.
    fn check_claims(
        &self,
        payload: &Decoded,
        kind: Option<TokenKind>,
        now: i64,
    ) -> Result<(), TokenError> {
        self.check_registered_claims(payload, now)?;
        if self.claim(payload, Role::Exp).is_none() {
            return Err(TokenError::NoClaim("exp".into()));
        }
        if self.claim(payload, Role::Jti).is_none() {
            return Err(TokenError::NoJti);
        }
        if let Some(kind) = kind {
            match self.claim(payload, Role::TokenType) {
                None => return Err(TokenError::NoType),
                Some(v) if v.as_str() != Some(kind.claim_value()) => {
                    return Err(TokenError::WrongType);
                }
                Some(_) => {}
            }
        }
        Ok(())
    }

    /// PyJWT's `_validate_claims`, with SimpleJWT's options: `iat` and `nbf` not in the
    /// future, `exp` not reached, `iss` and `aud` as configured (an `aud` is ignored when no
    /// audience is configured, because SimpleJWT passes `verify_aud=False` then).
    fn check_registered_claims(&self, payload: &Decoded, now: i64) -> Result<(), TokenError> {
        let leeway = self.leeway;
        for role in [Role::Iat, Role::Nbf] {
            if let Some(value) = self.claim(payload, role) {
                let at = py_int(value).ok_or(TokenError::Invalid)?;
                if at > now + leeway {
                    return Err(TokenError::Invalid);
                }
            }
        }
        if let Some(exp) = self.claim(payload, Role::Exp) {
            let exp = py_int(exp).ok_or(TokenError::Invalid)?;
            if exp <= now - leeway {
                return Err(TokenError::Expired);
            }
        }
        if let Some(issuer) = &self.issuer
            && self.claim(payload, Role::Iss).and_then(Value::as_str) != Some(issuer.as_str())
        {
            return Err(TokenError::Invalid);
        }
        if let Some((_, accepted)) = &self.audience {
            let claimed: Vec<&str> = match self.claim(payload, Role::Aud) {
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
}

/// Python's `int(value)` for the JSON values a claim can hold: integers, floats (truncated) and
/// strings of digits; anything else is not a time.
pub(super) fn py_int(value: &Value) -> Option<i64> {
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
