//! Making tokens: the claims SimpleJWT writes, in its order, and signing them.

use std::borrow::Cow;

use serde_json::Value;

use super::check::py_int;
use super::{Payload, Role, Subject, TokenError, TokenKind, TokenService, new_jti};
use crate::settings::UserIdField;

impl TokenService {
    /// A new token's standard claims: `token_type, exp, iat, jti`.
    fn fresh(&self, kind: TokenKind, lifetime: i64, now: i64) -> Payload {
        let mut p = Payload::new();
        p.insert(
            self.claim_name(Role::TokenType).to_owned(),
            kind.claim_value().into(),
        );
        p.insert("exp".into(), (now + lifetime).into());
        p.insert("iat".into(), now.into());
        p.insert(self.claim_name(Role::Jti).to_owned(), new_jti().into());
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
        p.insert(self.claim_name(Role::UserId).to_owned(), user_id);
        if self.check_revoke {
            p.insert(
                self.claim_name(Role::Revoke).to_owned(),
                user.revoke_key.into(),
            );
        }
        p.extend(extra_claims);
        p
    }

    /// `RefreshToken.access_token`: a fresh access token carrying every other claim of the
    /// refresh token (user id, roles, the login-time ip_address ...).
    pub fn access_from_refresh(&self, refresh: &Payload, now: i64) -> Payload {
        let mut p = self.fresh(TokenKind::Access, self.access_lifetime, now);
        let own = [
            self.claim_name(Role::TokenType),
            "exp",
            "iat",
            self.claim_name(Role::Jti),
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
        p.insert(self.claim_name(Role::Jti).to_owned(), new_jti().into());
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
        self.keys.load().sign_claims(&self.claims_json(payload))
    }

    /// The claims JSON [`TokenService::encode`] signs.
    pub(super) fn claims_json(&self, payload: &Payload) -> Vec<u8> {
        let mut payload = Cow::Borrowed(payload);
        if let Some((audience, _)) = &self.audience {
            payload.to_mut().insert("aud".into(), audience.clone());
        }
        if let Some(issuer) = &self.issuer {
            payload
                .to_mut()
                .insert("iss".into(), issuer.as_str().into());
        }
        serde_json::to_vec(payload.as_ref()).expect("a JSON object serializes")
    }
}
