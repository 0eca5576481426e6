//! The request's instant: the application clock read once, when the request arrives (by the
//! `Observed` service around the router), so every check and claim of one request sees the
//! same time.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use jwtd_core::Timestamp;

use super::observe::Observation;
use crate::state::AppState;

#[derive(Clone, Copy, Debug)]
pub struct Now(pub Timestamp);

impl Now {
    /// The instant stored for this request, or the clock now when the middleware did not run.
    pub fn of(parts: &Parts, app: &AppState) -> Self {
        Observation::of(parts).map_or_else(|| Now(app.clock.now()), |seen| seen.now)
    }

    /// Whole epoch seconds, as tokens and the store count.
    pub fn secs(self) -> i64 {
        self.0.secs()
    }
}

impl FromRequestParts<AppState> for Now {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Now::of(parts, app))
    }
}
