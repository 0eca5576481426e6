//! Reading claims of a decoded token through the configured claim names.

use serde_json::Value;
use subtle::ConstantTimeEq;

use super::check::py_int;
use super::{ReadClaims, Role, TokenKind, TokenService, UserRef};
use crate::settings::{ExtraClaim, UserIdField};

impl TokenService {
    /// The claim playing `role`, by its configured name.
    pub fn claim<'c>(&self, claims: &'c impl ReadClaims, role: Role) -> Option<&'c Value> {
        claims.claim(role, self.claim_name(role))
    }

    /// The configured name of the claim playing `role`.
    pub fn claim_name(&self, role: Role) -> &str {
        &self.role_names[role as usize]
    }

    /// Whether the token's type claim names `kind`.
    pub fn is_kind(&self, payload: &impl ReadClaims, kind: TokenKind) -> bool {
        self.claim(payload, Role::TokenType).and_then(Value::as_str) == Some(kind.claim_value())
    }

    /// The token's `jti`, when it is a string.
    pub fn jti<'p>(&self, payload: &'p impl ReadClaims) -> Option<&'p str> {
        self.claim(payload, Role::Jti).and_then(Value::as_str)
    }

    /// The user the token names; `None` when the user-id claim is absent.
    pub fn user_ref(&self, payload: &impl ReadClaims) -> Option<UserRef> {
        let value = self.claim(payload, Role::UserId)?;
        // The common case, an integer id, without a detour through text.
        if let (UserIdField::Id, Some(id)) = (self.user_id_field, value.as_i64()) {
            return Some(UserRef::Id(id));
        }
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
    pub fn revoke_value_current(&self, payload: &impl ReadClaims, current: &str) -> bool {
        if !self.check_revoke {
            return true;
        }
        self.claim(payload, Role::Revoke)
            .and_then(Value::as_str)
            .is_some_and(|v| bool::from(v.as_bytes().ct_eq(current.as_bytes())))
    }

    /// The `exp` claim as epoch seconds (0 when not an integer; decode already refused those).
    pub fn exp(payload: &impl ReadClaims) -> i64 {
        payload
            .claim(Role::Exp, "exp")
            .and_then(py_int)
            .unwrap_or(0)
    }

    /// The `iat` claim as epoch seconds; 0 (the oldest) when absent.
    pub fn iat(payload: &impl ReadClaims) -> i64 {
        payload
            .claim(Role::Iat, "iat")
            .and_then(py_int)
            .unwrap_or(0)
    }

    /// With `bind_ip`: whether the token's `ip_address` claim is `ip`.
    pub fn issued_to(payload: &impl ReadClaims, ip: &str) -> bool {
        payload
            .claim(Role::IpAddress, ExtraClaim::IpAddress.name())
            .and_then(Value::as_str)
            == Some(ip)
    }

    /// The jti as text: SimpleJWT accepts any JSON value there, so a non-string one is keyed by
    /// its JSON text.
    pub fn jti_text(&self, payload: &impl ReadClaims) -> String {
        match self.claim(payload, Role::Jti) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        }
    }
}
