//! The admin console (`GET <admin.prefix>`): a web page for operators, served by jwtd itself.
//!
//! One HTML shell ([`page`]) and two embedded assets ([`assets`]): the page calls the admin API
//! like any other client, so every rule (who may act, validation, messages, the audit log) stays
//! the API's. The console only adds a way in: [`signin`] checks an admin account's credentials
//! through the login path (throttling, equal work for every failure) and answers with the
//! console's own cookies ([`crate::api::cookies::CookieMode::console`]: `HttpOnly` tokens scoped
//! to the admin prefix and a CSRF cookie), whatever the deployment's `[cookies]` says. The page
//! echoes the CSRF cookie in `X-CSRFToken` on every write, so the API's CSRF rule guards it.
//!
//! The page's words are [`strings`]' (English and Russian); the API's messages come localized
//! from the API.

mod assets;
mod strings;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jwtd_core::token::TokenKind;
use jwtd_core::{Lang, i18n};
use jwtd_store::User;
use serde_json::{Map, Value, json};

use crate::api::admin::{RequestOrigin, is_admin};
use crate::api::body::Data;
use crate::api::client_ip::ClientIp;
use crate::api::cookies::{self, CookieMode};
use crate::api::error::ApiError;
use crate::api::now::Now;
use crate::api::user_access::judge;
use crate::api::{csrf, login, token};
use crate::audit::{self, Actor, Event};
use crate::state::AppState;

/// The cookie remembering the language chosen with the console's switch.
const LANGUAGE_COOKIE: &str = "jwtd_console_lang";

/// Nothing but jwtd's own origin: no inline script, no frames, no other host.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
     base-uri 'none'";

/// The console's cookie mode (the CSRF key shared with cookie mode: both derive from the
/// deployment's secret, and their tokens are bound to different sessions).
pub fn cookie_mode(settings: &jwtd_core::Settings, secret: &[u8]) -> Option<CookieMode> {
    settings.console.served(&settings.admin).then(|| {
        CookieMode::console(
            &settings.admin.prefix,
            settings.console.secure_cookies,
            secret,
        )
    })
}

fn mode(app: &AppState) -> Result<&CookieMode, ApiError> {
    app.console.as_ref().ok_or_else(ApiError::not_found)
}

/// `GET <prefix>`: the console for a signed-in administrator; anyone else is sent to the
/// sign-in page.
pub async fn page(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mode = mode(&app)?;
    match signed_in(&app, mode, &headers, ip, now).await? {
        Some(user) => {
            let who = json!({"id": user.id, "username": user.username});
            Ok(shell(&app, &headers, "console", who))
        }
        None => Ok(redirect(&format!("{}signin/", app.settings.admin.prefix))),
    }
}

/// `GET <prefix>signin/`: the sign-in form.
pub async fn signin_page(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    mode(&app)?;
    Ok(shell(&app, &headers, "signin", Value::Null))
}

/// `POST <prefix>signin/` `{<login field>, password}`: an administrator's credentials in, the
/// console's cookies out (200 `{}`). Wrong credentials get the login's 401 (and its
/// throttling); a valid account without an admin role, DRF's 403; a cross-site form, 403.
pub async fn signin(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    RequestOrigin(origin): RequestOrigin,
    now: Now,
    headers: HeaderMap,
    Data(data): Data,
) -> Result<Response, ApiError> {
    let mode = mode(&app)?;
    // Signing a victim's browser into an attacker's account is an attack too (login CSRF).
    csrf::check_context(&app, &headers)?;
    let user = login::authenticate(&app, &data, ip, now).await?;
    if !is_admin(&app, &user) {
        return Err(ApiError::forbidden());
    }
    let answer = token::issue_pair(&app, Some(mode), &user, ip, &headers, now).await?;
    let event = Event::new("console.signed_in", Some(user.id));
    audit::record(
        &*app.store,
        now.secs(),
        &Actor::User(user.id),
        event,
        &origin,
    )
    .await;
    Ok(without_tokens(answer))
}

/// `POST <prefix>refresh/`: the console's refresh cookie (CSRF-checked) for a new access cookie.
/// Without the console's cookies: 403, as Django refuses a POST without its CSRF cookie.
pub async fn refresh(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    now: Now,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mode = mode(&app)?;
    csrf::require_cookie(mode, &headers)?;
    let answer =
        token::refresh_with(&app, Some(mode), ip, now, &method, &headers, &Map::new()).await?;
    Ok(without_tokens(answer))
}

/// `POST <prefix>signout/`: the console's session ends (its refresh token blacklisted) and its
/// cookies are expired. Without the console's cookies: 403, as for refresh.
pub async fn signout(
    State(app): State<AppState>,
    now: Now,
    method: Method,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let mode = mode(&app)?;
    csrf::require_cookie(mode, &headers)?;
    token::logout_with(&app, mode, now, &method, &headers, &Map::new()).await
}

/// `GET <prefix>assets/{file}`: the console's script and style sheet.
pub async fn asset(State(app): State<AppState>, Path(file): Path<String>) -> Response {
    if app.console.is_none() {
        return ApiError::not_found().into_response();
    }
    match assets::find(&file) {
        Some(asset) => asset.response(),
        None => ApiError::not_found().into_response(),
    }
}

/// The administrator the console's refresh cookie names, if it is valid, not revoked, and
/// its user active and still an administrator.
async fn signed_in(
    app: &AppState,
    mode: &CookieMode,
    headers: &HeaderMap,
    ip: std::net::IpAddr,
    now: Now,
) -> Result<Option<User>, ApiError> {
    let Some(raw) = cookies::read(headers, &mode.refresh_name) else {
        return Ok(None);
    };
    let Ok(payload) = app
        .tokens
        .decode(&raw, Some(TokenKind::Refresh), now.secs())
    else {
        return Ok(None);
    };
    if app
        .store
        .is_blacklisted(&app.tokens.jti_text(&payload))
        .await?
    {
        return Ok(None);
    }
    let judgement = judge(app, &payload, ip).await?;
    Ok(match (judgement.outcome, judgement.user) {
        (Ok(()), Some(user)) if is_admin(app, &user) => Some(user),
        _ => None,
    })
}

/// The console's language: the switch's cookie, else `Accept-Language` (English or Russian,
/// whatever the API offers: its messages follow the API's own languages).
fn language(app: &AppState, headers: &HeaderMap) -> Lang {
    let chosen = cookies::read(headers, LANGUAGE_COOKIE).and_then(|code| Lang::from_code(&code));
    chosen.unwrap_or_else(|| {
        let accept = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        i18n::negotiate(accept, Lang::ALL, app.settings.language)
    })
}

/// The HTML shell of `screen` (`signin` or `console`), with the page's settings and words.
fn shell(app: &AppState, headers: &HeaderMap, screen: &str, user: Value) -> Response {
    let lang = language(app, headers);
    let config = json!({
        "screen": screen,
        "lang": lang.code(),
        "prefix": app.settings.admin.prefix,
        "login_field": app.settings.login_field.name(),
        "language_cookie": LANGUAGE_COOKIE,
        "csrf_cookie": app.console.as_ref().map(|m| m.csrf_name.as_str()),
        "user": user,
        "strings": strings::of(lang),
    });
    let prefix = &app.settings.admin.prefix;
    let html = assets::shell(lang.code(), strings::title(lang), prefix, &config);
    let mut response = (StatusCode::OK, html).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    secure_page_headers(h);
    response
}

/// Headers of every console page: a strict CSP, no framing, no caching of signed-in pages.
fn secure_page_headers(h: &mut HeaderMap) {
    let set = |h: &mut HeaderMap, name, value| {
        h.insert(name, HeaderValue::from_static(value));
    };
    set(h, header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(h, header::CACHE_CONTROL, "no-store");
    set(h, header::VARY, "Cookie, Accept-Language");
}

fn redirect(to: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    let location = HeaderValue::from_str(to).expect("the admin prefix is a plain path");
    response.headers_mut().insert(header::LOCATION, location);
    secure_page_headers(response.headers_mut());
    response
}

/// A login or refresh answer with its cookies but without the tokens in the body: the
/// console's script never holds a token.
fn without_tokens(answer: Response) -> Response {
    let (mut parts, _) = answer.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from("{}"))
}
