//! The CSRF rule of cookie mode, in one place: a state-changing request (anything but GET,
//! HEAD, OPTIONS) that a cookie authenticates must not come from a cross-site context and must
//! echo the CSRF cookie in the CSRF header, with a token jwtd issued for that very session
//! ([`jwtd_core::csrf`]). Requests with an `Authorization` header or a refresh token in the body
//! carry no cookie credential and are never checked. Refusals are DRF's 403 `CSRF Failed: …`
//! with Django's reasons, checked in Django's order (origin first, then the token).

use axum::http::{HeaderMap, Method, header};

use super::cookies::{CookieMode, read};
use super::error::ApiError;
use crate::state::AppState;
use jwtd_core::Msg;

/// Passes a cookie-authenticated request of session `family` (for an access cookie:
/// `session_matches` tells whether a session is the token's), or refuses it with 403.
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
    let refuse = |msg: Msg, arg: Option<String>| ApiError::Detail {
        status: axum::http::StatusCode::FORBIDDEN,
        msg,
        arg,
        code: None,
    };
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("cross-site") {
        return Err(refuse(Msg::CsrfCrossSite, None));
    }
    if let Some(origin) = text(header::ORIGIN.as_str())
        && !trusted_origin(app, origin, text(header::HOST.as_str()))
    {
        return Err(refuse(Msg::CsrfBadOrigin, Some(origin.to_owned())));
    }
    let Some(cookie) = read(headers, &mode.csrf_name) else {
        return Err(refuse(Msg::CsrfNoCookie, None));
    };
    let Some(echoed) = text(&mode.settings.csrf_header) else {
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

/// The site itself (the `Origin`'s host is the request's `Host`) or a listed CORS origin.
fn trusted_origin(app: &AppState, origin: &str, host: Option<&str>) -> bool {
    let authority = origin.split_once("://").map(|(_, rest)| rest);
    let same_site = matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h));
    same_site
        || app
            .settings
            .cors
            .allowed_origins
            .iter()
            .any(|o| o == origin)
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
