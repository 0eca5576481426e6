//! `[cookies]`: cookie mode for browser apps (off by default). The refresh token travels in an
//! `HttpOnly` cookie scoped to the token routes, out of JavaScript's reach; every request a
//! cookie authenticates and that changes state must carry a CSRF token.

use serde::{Deserialize, Serialize};

use super::{SettingsError, bad};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SameSite {
    Lax,
    Strict,
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Lax => "Lax",
            SameSite::Strict => "Strict",
            SameSite::None => "None",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CookieSettings {
    pub enabled: bool,
    /// The refresh token's cookie.
    pub refresh: String,
    /// The access token's cookie (`Path=/`), accepted by protected routes when no
    /// `Authorization` header is sent; unset: no access cookie.
    pub access: Option<String>,
    pub secure: bool,
    pub samesite: SameSite,
    pub domain: Option<String>,
    /// Name the cookies `__Host-…` (the browser then refuses them without `Secure`, with a
    /// `Domain`, or with a path other than `/`, so the refresh cookie's path becomes `/`).
    pub host_prefix: bool,
    /// Whether login and refresh answers still carry the refresh token in the JSON body.
    pub refresh_in_body: bool,
    /// The CSRF cookie (readable by JavaScript) and the header that must echo it (Django's
    /// `CSRF_COOKIE_NAME`, `CSRF_HEADER_NAME`).
    pub csrf_cookie: String,
    pub csrf_header: String,
}

impl Default for CookieSettings {
    fn default() -> Self {
        CookieSettings {
            enabled: false,
            refresh: "jwtd_refresh".into(),
            access: None,
            secure: true,
            samesite: SameSite::Lax,
            domain: None,
            host_prefix: false,
            refresh_in_body: false,
            csrf_cookie: "csrftoken".into(),
            csrf_header: "X-CSRFToken".into(),
        }
    }
}

impl CookieSettings {
    /// A cookie's name as sent (with the `__Host-` prefix when configured).
    pub fn name(&self, base: &str) -> String {
        if self.host_prefix {
            format!("__Host-{base}")
        } else {
            base.to_owned()
        }
    }

    pub(super) fn validate(&self, cors_origins: &[String]) -> Result<(), SettingsError> {
        if !self.enabled {
            return Ok(());
        }
        let token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        for (key, name) in [
            ("cookies.refresh", Some(&self.refresh)),
            ("cookies.access", self.access.as_ref()),
            ("cookies.csrf_cookie", Some(&self.csrf_cookie)),
            ("cookies.csrf_header", Some(&self.csrf_header)),
        ] {
            if let Some(name) = name
                && (name.is_empty() || !name.chars().all(token))
            {
                return Err(bad(
                    key,
                    format!("{name:?} is not a valid cookie or header name"),
                ));
            }
        }
        if self.samesite == SameSite::None && !self.secure {
            return Err(bad(
                "cookies.samesite",
                "\"None\" needs `cookies.secure = true`",
            ));
        }
        if self.host_prefix && (!self.secure || self.domain.is_some()) {
            return Err(bad(
                "cookies.host_prefix",
                "`__Host-` cookies need `secure = true` and no `domain`",
            ));
        }
        if cors_origins.iter().any(|o| o == "*") {
            return Err(bad(
                "cors.allowed_origins",
                "cookie mode sends credentials, which CORS never allows with \"*\": list the origins",
            ));
        }
        Ok(())
    }
}
