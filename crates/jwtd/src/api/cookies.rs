//! Cookie mode ([`CookieMode`], `[cookies]`): the cookies login, refresh and logout set, and
//! reading them back. The CSRF rule for requests the cookies authenticate is in [`super::csrf`].
//!
//! Attributes: the refresh cookie is `HttpOnly`, `Secure` (setting), `SameSite` (setting), with
//! `Max-Age` the token's remaining life and `Path` the longest path shared by the refresh and
//! logout routes (`/token/` by default; `/` with the `__Host-` prefix), so browsers send it to
//! those routes only. The access cookie is `HttpOnly`, `Path=/`. The CSRF cookie is readable by
//! JavaScript, `Path=/`, and lives as long as the refresh cookie.

use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue};
use cookie::{Cookie, SameSite};
use jwtd_core::csrf::CsrfKey;
use jwtd_core::settings::{CookieSettings, SameSite as SameSiteSetting};

/// What cookie mode needs at run time.
pub struct CookieMode {
    pub settings: CookieSettings,
    /// The refresh cookie's `Path`.
    pub refresh_path: String,
    /// The access and CSRF cookies' `Path` (`/`; the admin prefix for the console's).
    pub site_path: String,
    pub csrf: CsrfKey,
    /// The refresh, access and CSRF cookies' names as sent.
    pub refresh_name: String,
    pub access_name: Option<String>,
    pub csrf_name: String,
}

impl CookieMode {
    /// `refresh_route` and `logout_route`: the served paths of those endpoints.
    pub fn new(
        settings: &CookieSettings,
        refresh_route: Option<&str>,
        logout_route: Option<&str>,
        secret: &[u8],
    ) -> CookieMode {
        let refresh_path = if settings.host_prefix {
            "/".to_owned()
        } else {
            shared_path([refresh_route, logout_route].into_iter().flatten())
        };
        CookieMode {
            refresh_path,
            site_path: "/".to_owned(),
            csrf: CsrfKey::derive(secret),
            refresh_name: settings.name(&settings.refresh),
            access_name: settings.access.as_deref().map(|a| settings.name(a)),
            csrf_name: settings.name(&settings.csrf_cookie),
            settings: settings.clone(),
        }
    }

    /// The admin console's own cookie mode, whatever `[cookies]` says: `SameSite=Strict`
    /// cookies of their own names, every one scoped to the admin prefix, the access cookie on.
    pub fn console(prefix: &str, secure: bool, secret: &[u8]) -> CookieMode {
        let settings = CookieSettings {
            enabled: true,
            refresh: "jwtd_console_refresh".into(),
            access: Some("jwtd_console_access".into()),
            secure,
            samesite: SameSiteSetting::Strict,
            domain: None,
            host_prefix: false,
            refresh_in_body: false,
            csrf_cookie: "jwtd_console_csrf".into(),
            csrf_header: "X-CSRFToken".into(),
        };
        CookieMode {
            refresh_path: prefix.to_owned(),
            site_path: prefix.to_owned(),
            ..CookieMode::new(&settings, None, None, secret)
        }
    }

    fn cookie(
        &self,
        name: &str,
        value: String,
        path: &str,
        max_age: i64,
        http_only: bool,
    ) -> HeaderValue {
        let same_site = match self.settings.samesite {
            SameSiteSetting::Lax => SameSite::Lax,
            SameSiteSetting::Strict => SameSite::Strict,
            SameSiteSetting::None => SameSite::None,
        };
        let mut cookie = Cookie::build((name.to_owned(), value))
            .path(path.to_owned())
            .http_only(http_only)
            .secure(self.settings.secure)
            .same_site(same_site)
            .max_age(cookie::time::Duration::seconds(max_age.max(0)));
        if let Some(domain) = &self.settings.domain {
            cookie = cookie.domain(domain.clone());
        }
        HeaderValue::from_str(&cookie.build().to_string()).expect("cookie values are header-safe")
    }

    /// The cookies of a login or a refresh: the refresh token (when given: a refresh without
    /// rotation keeps its cookie), the access token (when configured) and a CSRF token for the
    /// session `family`, each living as long as its token.
    pub fn issue(
        &self,
        headers: &mut HeaderMap,
        family: &str,
        refresh: Option<(&str, i64)>,
        access: (&str, i64),
        refresh_life: i64,
    ) {
        if let Some((token, life)) = refresh {
            let cookie = self.cookie(
                &self.refresh_name,
                token.into(),
                &self.refresh_path,
                life,
                true,
            );
            headers.append(SET_COOKIE, cookie);
        }
        if let Some(name) = &self.access_name {
            let (token, life) = access;
            let cookie = self.cookie(name, token.into(), &self.site_path, life, true);
            headers.append(SET_COOKIE, cookie);
        }
        let csrf = self.csrf.issue(family);
        headers.append(
            SET_COOKIE,
            self.cookie(&self.csrf_name, csrf, &self.site_path, refresh_life, false),
        );
    }

    /// Expires every cookie mode cookie (logout).
    pub fn clear(&self, headers: &mut HeaderMap) {
        let refresh = self.cookie(
            &self.refresh_name,
            String::new(),
            &self.refresh_path,
            0,
            true,
        );
        headers.append(SET_COOKIE, refresh);
        if let Some(name) = &self.access_name {
            let cookie = self.cookie(name, String::new(), &self.site_path, 0, true);
            headers.append(SET_COOKIE, cookie);
        }
        headers.append(
            SET_COOKIE,
            self.cookie(&self.csrf_name, String::new(), &self.site_path, 0, false),
        );
    }

    /// Whether the JSON answers still carry the refresh token.
    pub fn refresh_in_body(&self) -> bool {
        self.settings.refresh_in_body
    }
}

/// The value of cookie `name` in the request's `Cookie` headers (the first, as browsers send
/// the most specific path first).
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

/// The longest `/`-ended path both routes are under.
fn shared_path<'a>(routes: impl Iterator<Item = &'a str>) -> String {
    let mut shared: Option<Vec<&str>> = None;
    for route in routes {
        // The directory part: `/token/refresh/` → ["", "token", "refresh"].
        let dirs: Vec<&str> = route.trim_end_matches('/').split('/').collect();
        shared = Some(match shared {
            None => dirs,
            Some(prev) => prev
                .iter()
                .zip(&dirs)
                .take_while(|(a, b)| a == b)
                .map(|(a, _)| *a)
                .collect(),
        });
    }
    let parts = shared.unwrap_or_default();
    let joined = parts.join("/");
    if joined.is_empty() {
        "/".into()
    } else {
        format!("{joined}/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_cookie_path_covers_refresh_and_logout_only() {
        let path = |routes: &[&str]| shared_path(routes.iter().copied());
        assert_eq!(path(&["/token/refresh/", "/token/logout/"]), "/token/");
        assert_eq!(path(&["/token/refresh/"]), "/token/refresh/");
        assert_eq!(path(&["/api/token/refresh", "/api/logout/"]), "/api/");
        assert_eq!(path(&["/refresh/", "/logout/"]), "/");
    }

    #[test]
    fn cookies_are_read_by_name() {
        let mut headers = HeaderMap::new();
        headers.insert(
            COOKIE,
            HeaderValue::from_static("a=1; jwtd_refresh=tok; b="),
        );
        assert_eq!(read(&headers, "jwtd_refresh").as_deref(), Some("tok"));
        assert_eq!(read(&headers, "b"), None);
        assert_eq!(read(&headers, "c"), None);
    }
}
