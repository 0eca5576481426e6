//! `GET /.well-known/jwks.json`: the key ring's public keys (every `next`, `current` and
//! unexpired `retired` key), cacheable for `keys.jwks_max_age`.

use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

pub async fn jwks(State(app): State<AppState>) -> Response {
    let max_age = app.settings.keys.jwks_max_age.as_secs();
    (
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (CACHE_CONTROL, format!("public, max-age={max_age}")),
        ],
        app.tokens.keys().jwks().to_owned(),
    )
        .into_response()
}
