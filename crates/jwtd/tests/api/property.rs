//! Property test: random methods, paths, content types, bodies, `Authorization` and
//! `Accept-Language` headers thrown at every endpoint never get a 5xx, and every answer that
//! has a body has a JSON one. 10,000 cases per run (override with `PROPTEST_CASES`).

use std::sync::OnceLock;

use proptest::prelude::*;

use crate::helpers::*;

/// One server for all cases, on its own runtime (proptest's closure is synchronous).
struct Shared {
    runtime: tokio::runtime::Runtime,
    app: TestApp,
    tokens: Vec<String>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (app, tokens) = runtime.block_on(async {
            let app = spawn_with(|s| {
                s.routes.set("token_obtain_sliding", "/token/sliding/");
                s.routes
                    .set("token_refresh_sliding", "/token/sliding/refresh/");
                s.rotate_refresh_tokens = true;
                s.max_body_bytes = 4096;
            })
            .await;
            app.add_user("alice", "a@example.com", "pw", &["admin"])
                .await;
            let (refresh, access) = app.login("alice", "pw").await;
            (app, vec![refresh, access])
        });
        Shared {
            runtime,
            app,
            tokens,
        }
    })
}

const PATHS: &[&str] = &[
    "/token/",
    "/token",
    "/token/refresh/",
    "/token/verify/",
    "/token/blacklist/",
    "/token/sliding/",
    "/token/sliding/refresh/",
    "/users/me/",
    "/users/me/logout-all/",
    "/healthz",
    "/readyz",
    "/nope/",
    "/token/%00/",
];

const FIELDS: &[&str] = &["username", "password", "refresh", "token", "email", "x"];

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(|f| serde_json::json!(f)),
        ".{0,40}".prop_map(serde_json::Value::from),
        (0usize..2).prop_map(|i| serde_json::Value::from(shared().tokens[i].clone())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::vec((prop::sample::select(FIELDS), inner), 0..5).prop_map(|kv| {
                serde_json::Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
            }),
        ]
    })
}

/// (content type, body)
fn body() -> impl Strategy<Value = (Option<String>, Vec<u8>)> {
    prop_oneof![
        json_value().prop_map(|v| (
            Some("application/json".to_owned()),
            serde_json::to_vec(&v).unwrap()
        )),
        prop::collection::vec(any::<u8>(), 0..600)
            .prop_map(|b| (Some("application/json".into()), b)),
        prop::collection::vec((prop::sample::select(FIELDS), ".{0,30}"), 0..4).prop_map(|kv| {
            let body = serde_urlencoded::to_string(&kv).unwrap();
            (
                Some("application/x-www-form-urlencoded".into()),
                body.into_bytes(),
            )
        }),
        prop::collection::vec(any::<u8>(), 0..600)
            .prop_map(|b| (Some("multipart/form-data; boundary=XyZ".into()), b)),
        ("[ -~]{0,60}", prop::collection::vec(any::<u8>(), 0..200))
            .prop_map(|(ct, b)| (Some(ct), b)),
        prop::collection::vec(any::<u8>(), 0..100).prop_map(|b| (None, b)),
        Just((Some("application/json".into()), vec![b' '; 5000])),
    ]
}

fn authorization() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        Just(None),
        "[ -~]{0,120}".prop_map(Some),
        (
            prop::sample::select(&["Bearer", "JWT", "bearer"][..]),
            "[ -~]{0,200}"
        )
            .prop_map(|(k, v)| Some(format!("{k} {v}"))),
        (
            0usize..2,
            prop::sample::select(&["Bearer ", "Bearer  ", "JWT "][..])
        )
            .prop_map(|(i, k)| Some(format!("{k}{}", shared().tokens[i]))),
        (0usize..2, 0usize..400, any::<u8>()).prop_map(|(i, at, byte)| {
            // A genuine token with one character changed.
            let mut t = shared().tokens[i].clone().into_bytes();
            let at = at % t.len();
            t[at] = b'!' + byte % 90;
            Some(format!("Bearer {}", String::from_utf8_lossy(&t)))
        }),
    ]
}

fn method() -> impl Strategy<Value = reqwest::Method> {
    prop::sample::select(vec![
        reqwest::Method::GET,
        reqwest::Method::POST,
        reqwest::Method::POST,
        reqwest::Method::POST,
        reqwest::Method::PUT,
        reqwest::Method::DELETE,
        reqwest::Method::PATCH,
        reqwest::Method::OPTIONS,
        reqwest::Method::HEAD,
    ])
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(10_000),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn no_request_gets_a_5xx_or_a_non_json_body(
        path in prop::sample::select(PATHS),
        method in method(),
        (content_type, body) in body(),
        authorization in authorization(),
        language in "[ -~]{0,40}",
    ) {
        let shared = shared();
        let app = &shared.app;
        let mut request = app
            .http
            .request(method.clone(), app.url(path))
            .header("accept-language", language)
            .body(body);
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        if let Some(auth) = authorization {
            request = request.header("authorization", auth);
        }
        let answer = shared.runtime.block_on(app.send(request));
        prop_assert!(answer.status < 500, "{method} {path}: {} {}", answer.status, answer.text);
        if method != reqwest::Method::HEAD {
            prop_assert!(
                serde_json::from_str::<serde_json::Value>(&answer.text).is_ok(),
                "{method} {path}: {} {:?}", answer.status, answer.text
            );
        }
    }
}
