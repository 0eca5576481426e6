//! Accept jwtd's access tokens in any Rust service, with the rules jwtd itself applies.
//!
//! A [`Verifier`] checks a token's signature (the key chosen by `kid`, never by `alg`), its
//! algorithm, `exp`/`iat`/`nbf` with the leeway, `aud`, `iss`, `jti` and type, exactly as jwtd
//! and SimpleJWT do (it is built on `jwtd-core`, jwtd's own token code), and returns typed
//! [`Claims`]. Keys come from a shared HS secret, a PEM public key, or jwtd's JWKS (feature
//! `jwks`, on by default): cached for its `Cache-Control` max-age, refetched when a token names
//! an unknown `kid` (at most once per 30 s), the last good set kept when a fetch fails.
//!
//! ```
//! # async fn demo() -> Result<(), jwtd_verify::BuildError> {
//! use jwtd_verify::Verifier;
//!
//! let verifier = Verifier::builder()
//!     .hs_secret("the signing_key jwtd uses, 32 bytes or more")
//!     .build()
//!     .await?;
//! match verifier.verify("eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.e30.x").await {
//!     Ok(claims) => println!("user {:?}", claims.user_id),
//!     Err(rejection) => println!("401 {}", rejection.body(jwtd_verify::Lang::En)),
//! }
//! # Ok(()) }
//! ```
//!
//! With the `axum` feature, [`JwtdUser`](crate::axum::JwtdUser) is an extractor and
//! [`RequireJwtdUser`](crate::axum::RequireJwtdUser) a tower layer; both answer SimpleJWT's 401
//! bodies with `WWW-Authenticate`.
//!
//! What it does not check: the blacklist and "log out everywhere", which only jwtd knows.
//! Access tokens are short-lived for that reason; a route that must honour a logout at once
//! should ask jwtd (`GET /users/me/`).

#[cfg(feature = "axum")]
pub mod axum;
mod builder;
mod claims;
#[cfg(feature = "jwks")]
mod jwks;
mod rejection;
mod verifier;

pub use builder::{BuildError, Builder};
pub use claims::Claims;
pub use jwtd_core::Lang;
pub use jwtd_core::keys::Algorithm;
pub use jwtd_core::token::{TokenError, TokenKind, UserRef};
pub use rejection::Rejection;
pub use verifier::Verifier;
