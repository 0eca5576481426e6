//! Configuring a [`Verifier`]: where the keys come from and jwtd's claim settings.

use std::time::Duration;

use jwtd_core::keys::{Algorithm, KeyError, KeyRing, PublishedKey};
use jwtd_core::settings::{Audience, TokenClass, UserIdField};
use jwtd_core::token::TokenService;
use jwtd_core::{Lang, Settings};

use crate::verifier::Verifier;

/// Why a verifier could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("no key source: call hs_secret, public_key_pem or jwks_url")]
    NoKeySource,
    #[error("the HS secret must be at least 32 bytes (jwtd's rule)")]
    ShortSecret,
    #[error("{0} is not an HS algorithm; give a public key or a JWKS URL")]
    NotHmac(Algorithm),
    #[error("the public key: {0}")]
    Key(#[from] KeyError),
    #[error("the JWKS at {url}: {problem}")]
    Jwks { url: String, problem: String },
    #[error("the settings: {0}")]
    Settings(String),
}

enum Source {
    Secret(Vec<u8>),
    PublicPem(String),
    #[cfg(feature = "jwks")]
    Jwks(String),
}

/// Builds a [`Verifier`]; every claim setting defaults to jwtd's (and SimpleJWT's) default.
///
/// ```
/// # async fn demo() -> Result<(), jwtd_verify::BuildError> {
/// use std::time::Duration;
/// let verifier = jwtd_verify::Verifier::builder()
///     .jwks_url("https://auth.example.com/.well-known/jwks.json")
///     .algorithm(jwtd_verify::Algorithm::ES256)
///     .audience("my-service")
///     .leeway(Duration::from_secs(5))
///     .build()
///     .await?;
/// # Ok(()) }
/// ```
pub struct Builder {
    settings: Settings,
    source: Option<Source>,
    #[cfg(feature = "jwks")]
    cooldown: Duration,
}

impl Builder {
    pub(crate) fn new() -> Builder {
        Builder {
            settings: Settings::default(),
            source: None,
            #[cfg(feature = "jwks")]
            cooldown: crate::jwks::DEFAULT_COOLDOWN,
        }
    }

    /// A shared HS secret (jwtd's `signing_key`); tokens signed with `algorithm` (HS256 unless
    /// set).
    pub fn hs_secret(mut self, secret: impl AsRef<[u8]>) -> Builder {
        self.source = Some(Source::Secret(secret.as_ref().to_vec()));
        self
    }

    /// A PEM public key (`PUBLIC KEY` or `RSA PUBLIC KEY`) of `algorithm` (set it too).
    pub fn public_key_pem(mut self, pem: impl Into<String>) -> Builder {
        self.source = Some(Source::PublicPem(pem.into()));
        self
    }

    /// jwtd's JWKS (`https://…/.well-known/jwks.json`).
    #[cfg(feature = "jwks")]
    pub fn jwks_url(mut self, url: impl Into<String>) -> Builder {
        self.source = Some(Source::Jwks(url.into()));
        self
    }

    /// The least time between two JWKS fetches caused by unknown kids (default 30 s), so
    /// garbage tokens cannot make the service hammer jwtd.
    #[cfg(feature = "jwks")]
    pub fn jwks_cooldown(mut self, cooldown: Duration) -> Builder {
        self.cooldown = cooldown;
        self
    }

    /// The signing algorithm (jwtd's `algorithm`; default HS256). With a JWKS, each key's own.
    pub fn algorithm(mut self, algorithm: Algorithm) -> Builder {
        self.settings.algorithm = algorithm;
        self
    }

    /// Required `aud` (jwtd's `audience`).
    pub fn audience(mut self, audience: impl Into<String>) -> Builder {
        self.settings.audience = Some(Audience::One(audience.into()));
        self
    }

    /// Required `iss` (jwtd's `issuer`).
    pub fn issuer(mut self, issuer: impl Into<String>) -> Builder {
        self.settings.issuer = Some(issuer.into());
        self
    }

    /// Clock skew allowed on `exp`, `iat`, `nbf` (default 0).
    pub fn leeway(mut self, leeway: Duration) -> Builder {
        self.settings.leeway = leeway;
        self
    }

    /// How many tokens whose signature checked out lately are kept (default 4096; 0: none), so
    /// the same token presented again skips the signature check and the claims parse. Every
    /// claim check still runs on each use, and new keys (a JWKS refetch) forget them all.
    pub fn verified_token_cache(mut self, entries: usize) -> Builder {
        self.settings.verified_token_cache = entries;
        self
    }

    pub fn token_type_claim(mut self, claim: impl Into<String>) -> Builder {
        self.settings.token_type_claim = claim.into();
        self
    }

    pub fn user_id_claim(mut self, claim: impl Into<String>) -> Builder {
        self.settings.user_id_claim = claim.into();
        self
    }

    pub fn user_id_field(mut self, field: UserIdField) -> Builder {
        self.settings.user_id_field = field;
        self
    }

    /// Accepted token types, tried in order (default: access tokens only).
    pub fn accept(mut self, classes: Vec<TokenClass>) -> Builder {
        self.settings.auth_token_classes = classes;
        self
    }

    /// Accepted `Authorization` keywords, case-sensitive (default `["Bearer"]`; platzigram:
    /// `["JWT"]`); the first names the `WWW-Authenticate` challenge.
    pub fn auth_header_types(mut self, keywords: Vec<String>) -> Builder {
        self.settings.auth_header_types = keywords;
        self
    }

    /// The language of 401 bodies (jwtd's `language`; default English).
    pub fn language(mut self, lang: Lang) -> Builder {
        self.settings.language = lang;
        self
    }

    /// The languages `Accept-Language` may pick for 401 bodies (jwtd's `languages`; must
    /// include `language`). Default: `language` only.
    pub fn languages(mut self, offered: Vec<Lang>) -> Builder {
        self.settings.languages = offered;
        self
    }

    /// The verifier; with a JWKS, after its first successful fetch.
    pub async fn build(self) -> Result<Verifier, BuildError> {
        let settings = self.settings;
        settings
            .validate()
            .map_err(|e| BuildError::Settings(e.to_string()))?;
        let source = self.source.ok_or(BuildError::NoKeySource)?;
        let ring = match &source {
            Source::Secret(secret) => {
                if !settings.algorithm.is_hmac() {
                    return Err(BuildError::NotHmac(settings.algorithm));
                }
                if secret.len() < 32 {
                    return Err(BuildError::ShortSecret);
                }
                KeyRing::hmac(settings.algorithm, secret, &[])
            }
            Source::PublicPem(pem) => {
                let key = PublishedKey::from_public_pem(pem, settings.algorithm)?;
                KeyRing::verifying(vec![key], &[])?
            }
            #[cfg(feature = "jwks")]
            Source::Jwks(_) => KeyRing::verifying(Vec::new(), &[])?,
        };
        let tokens = TokenService::new(&settings, ring);
        #[cfg(feature = "jwks")]
        let jwks = match source {
            Source::Jwks(url) => {
                let jwks = crate::jwks::Jwks::new(url, self.cooldown);
                jwks.fetch_into(&tokens)
                    .await
                    .map_err(|problem| BuildError::Jwks {
                        url: jwks.url().to_owned(),
                        problem,
                    })?;
                Some(jwks)
            }
            _ => None,
        };
        Ok(Verifier::new(
            settings,
            tokens,
            #[cfg(feature = "jwks")]
            jwks,
        ))
    }
}
