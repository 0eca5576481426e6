//! Rotation under concurrency: one refresh token, many simultaneous refreshes, one winner.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn concurrent_refreshes_of_one_token_yield_exactly_one_new_pair() {
    for blacklist_after_rotation in [true, false] {
        let app = spawn_with(|s| {
            s.rotate_refresh_tokens = true;
            s.blacklist_after_rotation = blacklist_after_rotation;
        })
        .await;
        app.add_user("alice", "", "pw", &[]).await;
        let (refresh, _) = app.login("alice", "pw").await;
        let requests = (0..24).map(|_| app.refresh(&refresh));
        let answers = futures_util::future::join_all(requests).await;
        let winners: Vec<_> = answers.iter().filter(|a| a.status == 200).collect();
        assert_eq!(
            winners.len(),
            1,
            "blacklist_after_rotation={blacklist_after_rotation}"
        );
        for loser in answers.iter().filter(|a| a.status != 200) {
            loser.expect(
                401,
                json!({"detail": "Token is blacklisted", "code": "token_not_valid"}),
            );
        }
        // The winner's successor works.
        let next = winners[0].json()["refresh"].as_str().unwrap().to_owned();
        assert_eq!(app.refresh(&next).await.status, 200);
    }
}
