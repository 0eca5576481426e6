//! `GET /admin/activity/`: this instance's last hour, minute by minute ([`crate::activity`]).

use axum::Json;
use axum::extract::State;

use super::Admin;
use super::bodies::ActivityBody;
use crate::api::now::Now;
use crate::state::AppState;

pub async fn last_hour(State(app): State<AppState>, now: Now, _admin: Admin) -> Json<ActivityBody> {
    Json(ActivityBody {
        minutes: app.activity.last_hour(now.secs()),
    })
}
