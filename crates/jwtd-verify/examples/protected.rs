//! A service behind jwtd that protects one route.
//!
//!   JWTD_JWKS_URL=http://127.0.0.1:8000/.well-known/jwks.json JWTD_ALGORITHM=ES256 \
//!     cargo run -p jwtd-verify --features axum --example protected
//!   (or JWTD_SECRET=<jwtd's signing_key> for an HS256 deployment)
//!
//!   curl -H "Authorization: Bearer <access>" http://127.0.0.1:3000/hello

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use jwtd_verify::axum::JwtdUser;
use jwtd_verify::{Algorithm, Verifier};

async fn hello(JwtdUser(claims): JwtdUser) -> String {
    format!(
        "hello, user {:?} with roles {:?}\n",
        claims.user_id,
        claims.roles().collect::<Vec<_>>()
    )
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let builder = match std::env::var("JWTD_JWKS_URL") {
        Ok(url) => Verifier::builder().jwks_url(url),
        Err(_) => Verifier::builder().hs_secret(std::env::var("JWTD_SECRET")?),
    };
    let algorithm: Algorithm = std::env::var("JWTD_ALGORITHM")
        .unwrap_or_else(|_| "HS256".into())
        .parse()?;
    let verifier = Arc::new(builder.algorithm(algorithm).build().await?);
    let app = Router::new()
        .route("/hello", get(hello))
        .with_state(verifier);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000/hello");
    axum::serve(listener, app).await?;
    Ok(())
}
