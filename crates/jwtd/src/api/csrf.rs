//! The CSRF rule of cookie mode, in one place: a state-changing request (anything but GET,
//! HEAD, OPTIONS) that a cookie authenticates must not come from a cross-site context and must
//! echo the CSRF cookie in the CSRF header, with a token jwtd issued for that very session
//! ([`jwtd_core::csrf`]). Requests with an `Authorization` header or a refresh token in the body
//! carry no cookie credential and are never checked. Refusals are DRF's 403 `CSRF Failed: …`
//! with Django's reasons, checked in Django's order (origin first, then the token).

use axum::http::{HeaderMap, Method, StatusCode, header};
use jwtd_core::Msg;

use super::cookies::{CookieMode, read};
use super::error::ApiError;
use crate::state::AppState;

/// Passes a cookie-authenticated request whose session `session_matches` accepts (the refresh
/// cookie's family, or the access cookie's), or refuses it with 403.
pub fn check(
    app: &AppState,
    mode: &CookieMode,
    method: &Method,
    headers: &HeaderMap,
    session_matches: impl Fn(&str) -> bool,
) -> Result<(), ApiError> {
    if matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    ) {
        return Ok(());
    }
    check_context(app, headers)?;
    let Some(cookie) = read(headers, &mode.csrf_name) else {
        return Err(refuse(Msg::CsrfNoCookie, None));
    };
    let echoed = headers
        .get(mode.settings.csrf_header.as_str())
        .and_then(|v| v.to_str().ok());
    let Some(echoed) = echoed else {
        return Err(refuse(Msg::CsrfMissing, None));
    };
    let bound = mode
        .csrf
        .double_submitted(&cookie, echoed)
        .is_some_and(&session_matches);
    if !bound {
        let header_name = format!("'{}'", django_header_name(&mode.settings.csrf_header));
        return Err(refuse(Msg::CsrfIncorrect, Some(header_name)));
    }
    Ok(())
}

/// Django's first CSRF refusal, for a cookie-mode request that has no CSRF cookie at all
/// (nothing to act on: the console's refresh and sign-out without a sign-in).
pub fn require_cookie(mode: &CookieMode, headers: &HeaderMap) -> Result<(), ApiError> {
    match read(headers, &mode.csrf_name) {
        Some(_) => Ok(()),
        None => Err(refuse(Msg::CsrfNoCookie, None)),
    }
}

/// The first half of the rule, also applied where a cookie is only expected (logout clears
/// cookies even without one): a cross-site context (`Sec-Fetch-Site: cross-site`) or an
/// `Origin` other than the site's own is refused — unless the origin is one of
/// `cors.allowed_origins` (an app on another site, with `SameSite=None` cookies).
pub fn check_context(app: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let origin = text(header::ORIGIN.as_str());
    let listed = origin.is_some_and(|o| app.settings.cors.allowed_origins.iter().any(|a| a == o));
    if listed {
        return Ok(());
    }
    if text("sec-fetch-site") == Some("cross-site") {
        return Err(refuse(Msg::CsrfCrossSite, None));
    }
    if let Some(origin) = origin {
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        let host = text(header::HOST.as_str());
        let own = matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h));
        if !own {
            return Err(refuse(Msg::CsrfBadOrigin, Some(origin.to_owned())));
        }
    }
    Ok(())
}

/// DRF's 403 for a CSRF failure.
fn refuse(msg: Msg, arg: Option<String>) -> ApiError {
    ApiError::Detail {
        status: StatusCode::FORBIDDEN,
        msg,
        arg,
        code: None,
    }
}

/// How Django's `HttpHeaders.parse_header_name` prints a header: `X-CSRFToken` → `X-Csrftoken`.
fn django_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    #[test]
    fn header_names_print_as_django_prints_them() {
        assert_eq!(super::django_header_name("X-CSRFToken"), "X-Csrftoken");
        assert_eq!(super::django_header_name("x-xsrf-token"), "X-Xsrf-Token");
    }
}
