//! Checking a token or an `Authorization` header.

use jwtd_core::authorization::bearer_token;
use std::sync::Arc;

use jwtd_core::token::{TokenError, TokenKind, TokenService, UserRef};
use jwtd_core::{Clock, Lang, Settings, i18n};

use crate::{Builder, Claims, Rejection};

/// Checks jwtd's tokens. Cheap to share: wrap it in an `Arc` (the axum integration does).
pub struct Verifier {
    settings: Settings,
    tokens: TokenService,
    kinds: Vec<TokenKind>,
    /// Shared with every [`Claims`] handed out, which read their jti through it.
    jti_claim: Arc<str>,
    clock: Clock,
    #[cfg(feature = "jwks")]
    jwks: Option<crate::jwks::Jwks>,
}

impl Verifier {
    /// Starts configuring one.
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn new(
        settings: Settings,
        tokens: TokenService,
        #[cfg(feature = "jwks")] jwks: Option<crate::jwks::Jwks>,
    ) -> Verifier {
        Verifier {
            kinds: settings
                .auth_token_classes
                .iter()
                .map(|&c| c.into())
                .collect(),
            jti_claim: Arc::from(settings.jti_claim.as_str()),
            settings,
            tokens,
            clock: Clock::system(),
            #[cfg(feature = "jwks")]
            jwks,
        }
    }

    /// The claims of `token` if it is valid as one of the accepted types.
    ///
    /// ```
    /// # async fn demo(verifier: jwtd_verify::Verifier) {
    /// let claims = verifier.verify("eyJ…").await;
    /// assert!(claims.is_err());
    /// # }
    /// ```
    pub async fn verify(&self, token: &str) -> Result<Claims, Rejection> {
        #[cfg(feature = "jwks")]
        if let Some(jwks) = &self.jwks {
            jwks.refresh_if_stale(&self.tokens).await;
        }
        let first = self.check(token);
        #[cfg(feature = "jwks")]
        if let (Err(_), Some(jwks)) = (&first, &self.jwks)
            && self.tokens.keys().lacks_kid_of(token)
            && jwks.refresh_for_unknown_kid(&self.tokens).await
        {
            return self.check(token);
        }
        first
    }

    /// [`Verifier::verify`] of an `Authorization` header's value (`None`: no header), read as
    /// SimpleJWT reads it with the configured keywords.
    pub async fn verify_header(&self, authorization: Option<&[u8]>) -> Result<Claims, Rejection> {
        let header = authorization.ok_or(Rejection::NoCredentials)?;
        let raw = bearer_token(header, &self.settings.auth_header_types)
            .ok_or(Rejection::NoCredentials)?
            .map_err(|_| Rejection::BadHeader)?;
        // A token that is not text cannot be valid; let the decoder say so.
        self.verify(std::str::from_utf8(raw).unwrap_or("")).await
    }

    /// The header name tokens come in (`Authorization` unless configured).
    pub fn header_name(&self) -> &str {
        &self.settings.auth_header_name
    }

    /// `WWW-Authenticate` for a 401: `<first keyword> realm="api"`, as jwtd sends.
    pub fn www_authenticate(&self) -> String {
        format!("{} realm=\"api\"", self.settings.auth_header_types[0])
    }

    /// The language for a 401 body given a request's `Accept-Language`, among the offered ones
    /// (jwtd's rule: `languages`, else only `language`).
    pub fn language(&self, accept_language: Option<&str>) -> Lang {
        let offered = self.settings.offered_languages();
        i18n::negotiate(accept_language, &offered, self.settings.language)
    }

    /// How many times the JWKS has been fetched (0 without one): for metrics and tests.
    pub fn jwks_fetches(&self) -> u64 {
        #[cfg(feature = "jwks")]
        if let Some(jwks) = &self.jwks {
            return jwks.fetches();
        }
        0
    }

    fn check(&self, token: &str) -> Result<Claims, Rejection> {
        let now = self.clock.now().secs();
        let mut failures: Vec<(TokenKind, TokenError)> = Vec::new();
        for &kind in &self.kinds {
            match self.tokens.decode(token, Some(kind), now) {
                Ok(payload) => return self.claims(kind, payload),
                Err(error) => failures.push((kind, error)),
            }
        }
        Err(Rejection::NotValidForAnyType(failures))
    }

    fn claims(
        &self,
        kind: TokenKind,
        payload: jwtd_core::token::Decoded,
    ) -> Result<Claims, Rejection> {
        let user_id = match self.tokens.user_ref(&payload) {
            None | Some(UserRef::Unknown) => return Err(Rejection::NoUserId),
            Some(user) => user,
        };
        Ok(Claims::with_jti_claim(
            user_id,
            kind,
            payload,
            self.jti_claim.clone(),
        ))
    }
}
