//! The message catalog over HTTP: every message jwtd can send today, provoked by a real
//! request and read in English and Russian, chosen by `Accept-Language` and by the default.
//! (DRF's throttle and server-error texts have no trigger yet; the core's catalog test pins
//! them.)

use jwtd_core::Lang;
use reqwest::RequestBuilder;
use serde_json::{Map, Value, json};

use crate::helpers::*;

/// A deployment offering both languages, with users and tokens in every state a message
/// needs.
struct Fixture {
    app: TestApp,
    refresh: String,
    access: String,
    inactive_refresh: String,
    inactive_access: String,
    revoked_access: String,
    blacklisted: String,
    sliding: String,
}

async fn fixture(default: Lang) -> Fixture {
    let app = spawn_with(|s| {
        s.language = default;
        s.languages = vec![Lang::Ru, Lang::En];
        s.check_revoke_token = true;
        s.routes.set("token_obtain_sliding", "/token/sliding/");
        s.routes
            .set("token_refresh_sliding", "/token/sliding/refresh/");
    })
    .await;
    app.add_user("alice", "", "pw", &[]).await;
    let bob = app.add_user("bob", "", "pw", &[]).await;
    let carol = app.add_user("carol", "", "pw", &[]).await;
    let (refresh, access) = app.login("alice", "pw").await;
    let (blacklisted, _) = app.login("alice", "pw").await;
    app.blacklist(&blacklisted).await.expect(200, json!({}));
    let (inactive_refresh, inactive_access) = app.login("bob", "pw").await;
    app.state.store.set_active(bob.id, false).await.unwrap();
    let (_, revoked_access) = app.login("carol", "pw").await;
    let hash = app.state.hashing.hash("new".into()).await.unwrap();
    app.state.store.set_password(carol.id, &hash).await.unwrap();
    let sliding = app.login_sliding("alice", "pw").await;
    Fixture {
        app,
        refresh,
        access,
        inactive_refresh,
        inactive_access,
        revoked_access,
        blacklisted,
        sliding,
    }
}

/// One message: the request that provokes it, where it sits in the body, its two texts.
struct Probe {
    msg: &'static str,
    pointer: &'static str,
    en: &'static str,
    ru: &'static str,
    request: fn(&Fixture) -> RequestBuilder,
}

fn post(f: &Fixture, path: &str, body: Value) -> RequestBuilder {
    f.app.http.post(f.app.url(path)).json(&body)
}

fn me(f: &Fixture, authorization: &str) -> RequestBuilder {
    f.app
        .http
        .get(f.app.url("/users/me/"))
        .header("authorization", authorization)
}

/// The fixture's refresh token with `change` applied, re-signed.
fn refresh_with(f: &Fixture, change: fn(&mut Map<String, Value>)) -> RequestBuilder {
    let token = f.app.altered(&f.refresh, change);
    post(f, "/token/refresh/", json!({"refresh": token}))
}

fn probes() -> Vec<Probe> {
    vec![
        Probe {
            msg: "required",
            pointer: "/username/0",
            en: "This field is required.",
            ru: "Обязательное поле.",
            request: |f| post(f, "/token/", json!({})),
        },
        Probe {
            msg: "blank",
            pointer: "/username/0",
            en: "This field may not be blank.",
            ru: "Это поле не может быть пустым.",
            request: |f| post(f, "/token/", json!({"username": "", "password": "x"})),
        },
        Probe {
            msg: "null",
            pointer: "/username/0",
            en: "This field may not be null.",
            ru: "Это поле не может быть пустым.",
            request: |f| post(f, "/token/", json!({"username": null, "password": "x"})),
        },
        Probe {
            msg: "not_string",
            pointer: "/username/0",
            en: "Not a valid string.",
            ru: "Not a valid string.",
            request: |f| post(f, "/token/", json!({"username": true, "password": "x"})),
        },
        Probe {
            msg: "null_characters",
            pointer: "/username/0",
            en: "Null characters are not allowed.",
            ru: "Null characters are not allowed.",
            request: |f| {
                post(
                    f,
                    "/token/",
                    json!({"username": "a\u{0}b", "password": "x"}),
                )
            },
        },
        Probe {
            msg: "not_dict",
            pointer: "/non_field_errors/0",
            en: "Invalid data. Expected a dictionary, but got list.",
            ru: "Недопустимые данные. Ожидался dictionary, но был получен list.",
            request: |f| post(f, "/token/", json!([])),
        },
        Probe {
            msg: "no_data",
            pointer: "/non_field_errors/0",
            en: "No data provided",
            ru: "No data provided",
            request: |f| post(f, "/token/", Value::Null),
        },
        Probe {
            msg: "no_active",
            pointer: "/detail",
            en: "No active account found with the given credentials",
            ru: "Не найдено активной учетной записи с указанными данными",
            request: |f| post(f, "/token/", json!({"username": "alice", "password": "no"})),
        },
        Probe {
            msg: "no_active_token",
            pointer: "/detail",
            en: "No active account found for the given token.",
            ru: "No active account found for the given token.",
            request: |f| post(f, "/token/refresh/", json!({"refresh": f.inactive_refresh})),
        },
        Probe {
            msg: "bad_header",
            pointer: "/detail",
            en: "Authorization header must contain two space-delimited values",
            ru: "Заголовок авторизации должен содержать два значения, разделенных пробелом",
            request: |f| me(f, "Bearer a b"),
        },
        Probe {
            msg: "not_valid_any",
            pointer: "/detail",
            en: "Given token not valid for any token type",
            ru: "Данный токен недействителен для любого типа токена",
            request: |f| me(f, "Bearer garbage"),
        },
        Probe {
            msg: "invalid",
            pointer: "/messages/0/message",
            en: "Token is invalid",
            ru: "Token is invalid",
            request: |f| me(f, "Bearer garbage"),
        },
        Probe {
            msg: "expired",
            pointer: "/detail",
            en: "Token is expired",
            ru: "Token is expired",
            request: |f| refresh_with(f, |c| drop(c.insert("exp".into(), json!(now() - 1)))),
        },
        Probe {
            msg: "wrong_type",
            pointer: "/detail",
            en: "Token has wrong type",
            ru: "Токен имеет неправильный тип",
            request: |f| post(f, "/token/refresh/", json!({"refresh": f.access})),
        },
        Probe {
            msg: "blacklisted",
            pointer: "/detail",
            en: "Token is blacklisted",
            ru: "Токен занесен в черный список",
            request: |f| post(f, "/token/refresh/", json!({"refresh": f.blacklisted})),
        },
        Probe {
            msg: "blacklisted (verify)",
            pointer: "/non_field_errors/0",
            en: "Token is blacklisted",
            ru: "Токен занесен в черный список",
            request: |f| post(f, "/token/verify/", json!({"token": f.blacklisted})),
        },
        Probe {
            msg: "user_not_found",
            pointer: "/detail",
            en: "User not found",
            ru: "Пользователь не найден",
            request: |f| {
                let token = f.app.altered(&f.access, |c| {
                    c.insert("user_id".into(), json!(999_999));
                });
                me(f, &format!("Bearer {token}"))
            },
        },
        Probe {
            msg: "user_inactive",
            pointer: "/detail",
            en: "User is inactive",
            ru: "Пользователь неактивен",
            request: |f| me(f, &format!("Bearer {}", f.inactive_access)),
        },
        Probe {
            msg: "no_user_id",
            pointer: "/detail",
            en: "Token contained no recognizable user identification",
            ru: "Токен не содержит идентификатор пользователя",
            request: |f| {
                let token = f.app.altered(&f.access, |c| drop(c.remove("user_id")));
                me(f, &format!("Bearer {token}"))
            },
        },
        Probe {
            msg: "no_jti",
            pointer: "/detail",
            en: "Token has no id",
            ru: "У токена нет идентификатора",
            request: |f| refresh_with(f, |c| drop(c.remove("jti"))),
        },
        Probe {
            msg: "no_type",
            pointer: "/detail",
            en: "Token has no type",
            ru: "Токен не имеет типа",
            request: |f| refresh_with(f, |c| drop(c.remove("token_type"))),
        },
        Probe {
            msg: "no_claim",
            pointer: "/detail",
            en: "Token has no 'exp' claim",
            ru: "Токен не содержит 'exp'",
            request: |f| refresh_with(f, |c| drop(c.remove("exp"))),
        },
        Probe {
            msg: "claim_expired",
            pointer: "/detail",
            en: "Token 'refresh_exp' claim has expired",
            ru: "Токен имеет просроченное значение 'refresh_exp'",
            request: |f| {
                let token = f.app.altered(&f.sliding, |c| {
                    c.insert("refresh_exp".into(), json!(now() - 1));
                });
                post(f, "/token/sliding/refresh/", json!({"token": token}))
            },
        },
        Probe {
            msg: "password_changed",
            pointer: "/detail",
            en: "The user's password has been changed.",
            ru: "The user's password has been changed.",
            request: |f| me(f, &format!("Bearer {}", f.revoked_access)),
        },
        Probe {
            msg: "no_creds",
            pointer: "/detail",
            en: "Authentication credentials were not provided.",
            ru: "Учетные данные не были предоставлены.",
            request: |f| f.app.http.get(f.app.url("/users/me/")),
        },
        Probe {
            msg: "method",
            pointer: "/detail",
            en: "Method \"GET\" not allowed.",
            ru: "Метод \"GET\" не разрешен.",
            request: |f| f.app.http.get(f.app.url("/token/")),
        },
        Probe {
            msg: "media",
            pointer: "/detail",
            en: "Unsupported media type \"text/plain\" in request.",
            ru: "Неподдерживаемый тип данных \"text/plain\" в запросе.",
            request: |f| {
                let request = f.app.http.post(f.app.url("/token/"));
                request.header("content-type", "text/plain").body("hi")
            },
        },
        Probe {
            msg: "json_parse",
            pointer: "/detail",
            en: "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            ru: "JSON parse error - Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
            request: |f| {
                let request = f.app.http.post(f.app.url("/token/"));
                request.header("content-type", "application/json").body("{")
            },
        },
        Probe {
            msg: "malformed_request",
            pointer: "/detail",
            en: "Malformed request.",
            ru: "Искаженный запрос.",
            request: |f| {
                let request = f.app.http.post(f.app.url("/token/"));
                request
                    .header("content-type", "multipart/form-data")
                    .body("x")
            },
        },
        Probe {
            msg: "not_found",
            pointer: "/detail",
            en: "Not found.",
            ru: "Страница не найдена.",
            request: |f| f.app.http.get(f.app.url("/nowhere/")),
        },
        Probe {
            msg: "too_large",
            pointer: "/detail",
            en: "Request body is too large. The limit is 1048576 bytes.",
            ru: "Тело запроса слишком велико. Предел — 1048576 байт.",
            request: |f| {
                let request = f.app.http.post(f.app.url("/token/"));
                let body = vec![b' '; 1024 * 1024 + 1];
                request
                    .header("content-type", "application/json")
                    .body(body)
            },
        },
    ]
}

/// The three ways a language is chosen: the default, and an explicit English or Russian
/// `Accept-Language`. Returns (header, expected language).
fn choices(default: Lang) -> [(Option<&'static str>, Lang); 3] {
    [
        (None, default),
        (Some("en-US,en;q=0.9"), Lang::En),
        (Some("ru-RU,ru;q=0.9,en;q=0.5"), Lang::Ru),
    ]
}

/// Sends `request` with the language header and checks the message text.
async fn check(
    app: &TestApp,
    request: RequestBuilder,
    accept: Option<&str>,
    pointer: &str,
    expected: &str,
    lang: Lang,
    what: &str,
) {
    let request = match accept {
        Some(value) => request.header("accept-language", value),
        None => request,
    };
    let answer = app.send(request).await;
    let body = answer.json();
    assert_eq!(
        body.pointer(pointer).and_then(Value::as_str),
        Some(expected),
        "{what} (Accept-Language {accept:?}): {}",
        answer.text
    );
    assert_eq!(
        answer.header("content-language"),
        Some(lang.code()),
        "{what}"
    );
}

#[tokio::test]
async fn every_message_in_english_and_russian() {
    for default in [Lang::Ru, Lang::En] {
        let f = fixture(default).await;
        for probe in probes() {
            for (accept, lang) in choices(default) {
                let expected = if lang == Lang::Ru { probe.ru } else { probe.en };
                let what = format!("{} with default {default:?}", probe.msg);
                let request = (probe.request)(&f);
                check(
                    &f.app,
                    request,
                    accept,
                    probe.pointer,
                    expected,
                    lang,
                    &what,
                )
                .await;
            }
        }
    }
}

#[tokio::test]
async fn overloaded_and_database_unavailable_in_both_languages() {
    // One hashing worker, no queue and a slow hash: concurrent logins beyond the first get 503.
    let busy = spawn_with(|s| {
        s.language = Lang::Ru;
        s.languages = vec![Lang::Ru, Lang::En];
        s.hashing.workers = 1;
        s.hashing.queue = 0;
        // Six concurrent attempts on one account would otherwise meet the brute-force limit.
        s.throttle.enabled = false;
        s.hashing.memory_kib = 64 * 1024;
        s.hashing.iterations = 3;
    })
    .await;
    for (accept, lang) in choices(Lang::Ru) {
        let logins = (0..6).map(|_| {
            let request = busy
                .http
                .post(busy.url("/token/"))
                .json(&json!({"username": "x", "password": "y"}));
            let request = match accept {
                Some(value) => request.header("accept-language", value),
                None => request,
            };
            busy.send(request)
        });
        let answers = futures_util::future::join_all(logins).await;
        let refused = answers
            .iter()
            .find(|a| a.status == 503)
            .expect("one worker, no queue: some of 6 concurrent logins are refused");
        let expected = match lang {
            Lang::Ru => "Сейчас обрабатывается слишком много входов. Повторите попытку позже.",
            Lang::En => "Too many logins are being processed. Try again shortly.",
        };
        assert_eq!(refused.json(), json!({"detail": expected}));
        assert_eq!(refused.header("retry-after"), Some("1"));
    }

    let down = spawn_with(|s| {
        s.language = Lang::Ru;
        s.languages = vec![Lang::Ru, Lang::En];
    })
    .await;
    down.state.store.close().await;
    for (accept, lang) in choices(Lang::Ru) {
        let expected = match lang {
            Lang::Ru => "База данных недоступна. Повторите попытку позже.",
            Lang::En => "The database is unavailable. Try again shortly.",
        };
        let request = down
            .http
            .post(down.url("/token/"))
            .json(&json!({"username": "x", "password": "y"}));
        check(
            &down, request, accept, "/detail", expected, lang, "database",
        )
        .await;
    }
}
