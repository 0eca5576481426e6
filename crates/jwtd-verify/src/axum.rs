//! axum integration (feature `axum`): the [`JwtdUser`] extractor and the [`RequireJwtdUser`]
//! tower layer. Refusals are SimpleJWT's 401 bodies with `WWW-Authenticate`, in English or
//! Russian by `Accept-Language`.
//!
//! ```
//! use std::sync::Arc;
//! use axum::{Router, routing::get};
//! use jwtd_verify::{Verifier, axum::JwtdUser};
//!
//! async fn hello(JwtdUser(claims): JwtdUser) -> String {
//!     format!("hello, user {:?}", claims.user_id)
//! }
//!
//! # async fn demo() -> Result<(), jwtd_verify::BuildError> {
//! let verifier = Arc::new(Verifier::builder().hs_secret("a shared secret of 32 bytes or more").build().await?);
//! let app: Router = Router::new().route("/hello", get(hello)).with_state(verifier);
//! # Ok(()) }
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::{FromRef, FromRequestParts, Request};
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, VARY, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::{Claims, Lang, Rejection, Verifier};

/// The claims of the request's valid token. The state must give an `Arc<Verifier>`
/// (`FromRef`); behind [`RequireJwtdUser`] the layer's result is reused.
pub struct JwtdUser(pub Claims);

impl<S> FromRequestParts<S> for JwtdUser
where
    Arc<Verifier>: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Unauthorized;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Unauthorized> {
        if let Some(claims) = parts.extensions.get::<Claims>() {
            return Ok(JwtdUser(claims.clone()));
        }
        let verifier = Arc::<Verifier>::from_ref(state);
        authenticate(&verifier, &parts.headers).await.map(JwtdUser)
    }
}

/// A 401 as jwtd's protected routes send it.
#[derive(Debug)]
pub struct Unauthorized {
    pub rejection: Rejection,
    lang: Lang,
    challenge: String,
}

impl IntoResponse for Unauthorized {
    fn into_response(self) -> Response {
        let body = axum::Json(self.rejection.body(self.lang));
        let mut response = (StatusCode::UNAUTHORIZED, body).into_response();
        let headers = response.headers_mut();
        if let Ok(challenge) = HeaderValue::from_str(&self.challenge) {
            headers.insert(WWW_AUTHENTICATE, challenge);
        }
        headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static(self.lang.code()));
        headers.insert(VARY, HeaderValue::from_static("Accept-Language"));
        response
    }
}

async fn authenticate(verifier: &Verifier, headers: &HeaderMap) -> Result<Claims, Unauthorized> {
    let authorization = headers
        .get(verifier.header_name())
        .map(HeaderValue::as_bytes);
    verifier
        .verify_header(authorization)
        .await
        .map_err(|rejection| {
            let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
            Unauthorized {
                rejection,
                lang: verifier.language(accept),
                challenge: verifier.www_authenticate(),
            }
        })
}

/// A tower layer refusing every request without a valid token (401) and putting the
/// [`Claims`] of the others into the request's extensions.
///
/// ```
/// # async fn demo(verifier: std::sync::Arc<jwtd_verify::Verifier>) {
/// use axum::{Extension, Router, routing::get};
/// use jwtd_verify::{Claims, axum::RequireJwtdUser};
///
/// let app: Router = Router::new()
///     .route(
///         "/reports",
///         get(|Extension(claims): Extension<Claims>| async move { claims.jti().into_owned() }),
///     )
///     .layer(RequireJwtdUser::new(verifier));
/// # }
/// ```
#[derive(Clone)]
pub struct RequireJwtdUser {
    verifier: Arc<Verifier>,
}

impl RequireJwtdUser {
    pub fn new(verifier: Arc<Verifier>) -> RequireJwtdUser {
        RequireJwtdUser { verifier }
    }
}

impl<S> tower::Layer<S> for RequireJwtdUser {
    type Service = RequireJwtdUserService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RequireJwtdUserService {
            inner,
            verifier: Arc::clone(&self.verifier),
        }
    }
}

/// The service [`RequireJwtdUser`] wraps around a route.
#[derive(Clone)]
pub struct RequireJwtdUserService<S> {
    inner: S,
    verifier: Arc<Verifier>,
}

impl<S> tower::Service<Request> for RequireJwtdUserService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        // The ready service answers this request; a fresh clone waits for the next one.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let verifier = Arc::clone(&self.verifier);
        Box::pin(async move {
            match authenticate(&verifier, request.headers()).await {
                Ok(claims) => {
                    request.extensions_mut().insert(claims);
                    inner.call(request).await
                }
                Err(unauthorized) => Ok(unauthorized.into_response()),
            }
        })
    }
}
