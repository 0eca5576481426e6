//! Every JSON body jwtd answers with, as types. Handlers return them, [`ApiError`] renders into
//! [`ErrorBody`], and the OpenAPI document derives its schemas from them (schemars), so the
//! documented shape is the served shape. Field order is wire order (SimpleJWT's).
//!
//! [`ApiError`]: super::error::ApiError

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use schemars::JsonSchema;
use serde::Serialize;

/// `TokenObtainPairView`.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenPair {
    /// Absent in cookie mode unless `cookies.refresh_in_body`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh: Option<String>,
    pub access: String,
}

/// `TokenRefreshView`: `refresh` only with `rotate_refresh_tokens`.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshResult {
    pub access: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh: Option<String>,
}

/// The sliding views.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SlidingToken {
    pub token: String,
}

/// `{}`: verify, blacklist, log out everywhere. Answered as is (no serializer to run: a
/// verify is mostly this answer).
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

impl IntoResponse for Empty {
    fn into_response(self) -> Response {
        let mut response = Response::new(Body::from("{}"));
        // What axum's `Json` would set.
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        response
    }
}

/// `GET /users/me/`.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub roles: Vec<String>,
}

/// DRF's `OPTIONS` answer (`SimpleMetadata`) for a POST endpoint.
#[derive(Serialize)]
pub struct Metadata {
    pub renders: [&'static str; 1],
    pub parses: [&'static str; 3],
}

/// The logout body: the refresh token, unless the refresh cookie carries it.
#[derive(JsonSchema)]
#[allow(dead_code)] // documents the request; the handler reads the body DRF-style
pub struct LogoutRequest {
    refresh: Option<String>,
}

/// A request body holding a refresh token.
#[derive(JsonSchema)]
#[allow(dead_code)] // documents the request; DRF-style field parsing reads it (fields.rs)
pub struct RefreshRequest {
    #[schemars(length(min = 1))]
    refresh: String,
}

/// A request body holding any token.
#[derive(JsonSchema)]
#[allow(dead_code)] // documents the request; DRF-style field parsing reads it (fields.rs)
pub struct TokenRequest {
    #[schemars(length(min = 1))]
    token: String,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    Ok,
    Unreachable,
}

/// `GET /healthz`.
#[derive(Serialize, JsonSchema)]
pub struct Health {
    #[schemars(regex(pattern = "^ok$"))]
    pub status: &'static str,
    pub database: DatabaseState,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadyStatus {
    Ready,
    Unavailable,
}

#[derive(Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MigrationState {
    Ok,
    Pending,
    Unknown,
}

/// `GET /readyz`.
#[derive(Serialize, JsonSchema)]
pub struct Readiness {
    pub status: ReadyStatus,
    pub database: DatabaseState,
    /// The Django site's database, in the Django-database mode (`[django]`) only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub django_database: Option<DatabaseState>,
    pub migrations: MigrationState,
    #[schemars(regex(pattern = "^loaded$"))]
    pub signing_key: &'static str,
}

/// `GET /.well-known/jwks.json`: the public keys that verify this deployment's tokens (none
/// for HS algorithms, whose secret is never published).
#[derive(Serialize, JsonSchema)]
pub struct Jwks {
    pub keys: Vec<PublicJwk>,
}

/// One public key (RFC 7517): `kid` is its RFC 7638 thumbprint; never a private member.
#[derive(Serialize, JsonSchema)]
pub struct PublicJwk {
    /// `EC`, `OKP` or `RSA`.
    pub kty: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub key_use: String,
    /// `P-256`, `P-384`, `Ed25519` (EC, OKP).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crv: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<String>,
    /// RSA modulus and exponent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub e: Option<String>,
}

/// Every error body: DRF's field errors or SimpleJWT's/DRF's `detail`.
#[derive(Serialize, JsonSchema)]
#[serde(untagged)]
pub enum ErrorBody {
    Fields(FieldErrors),
    Detail(Detail),
}

/// `{"<field>": ["<message>"], …}` in field order (`non_field_errors` for the body as a whole).
#[derive(Serialize, JsonSchema)]
#[serde(transparent)]
pub struct FieldErrors(
    #[schemars(with = "std::collections::BTreeMap<String, Vec<String>>")]
    pub  serde_json::Map<String, serde_json::Value>,
);

/// `{"detail"}`, with SimpleJWT's `code` and, on protected routes, its `messages`.
#[derive(Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Detail {
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<TokenMessage>>,
}

/// Why a token failed as one token class (SimpleJWT's `InvalidToken.messages`).
#[derive(Serialize, JsonSchema)]
pub struct TokenMessage {
    pub token_class: &'static str,
    pub token_type: &'static str,
    pub message: String,
}
