//! DRF's `PageNumberPagination`: `?page=` (a number or `last`), `?page_size=` (default 20, at
//! most 100; an unusable value means the default, as DRF does), and the page's absolute `next`
//! and `previous` links with every other query parameter kept.

use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::request::Parts;
use jwtd_core::Msg;

use super::bodies::Page;
use crate::api::error::ApiError;
use crate::state::AppState;

const DEFAULT_SIZE: u64 = 20;
const MAX_SIZE: u64 = 100;

/// A list request's query: its filters (`param`) and paging.
pub struct ListQuery {
    pairs: Vec<(String, String)>,
    /// `scheme://host/path`, for the links.
    base: String,
}

impl FromRequestParts<AppState> for ListQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, ApiError> {
        let pairs = serde_urlencoded::from_str(parts.uri.query().unwrap_or("")).unwrap_or_default();
        let host = parts
            .headers
            .get(axum::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = forwarded_proto(parts, app).unwrap_or("http");
        Ok(ListQuery {
            pairs,
            base: format!("{scheme}://{host}{}", parts.uri.path()),
        })
    }
}

/// `X-Forwarded-Proto` from a trusted proxy (the peer address decides, as for the client IP).
fn forwarded_proto<'a>(parts: &'a Parts, app: &AppState) -> Option<&'a str> {
    let peer = crate::api::observe::Observation::of(parts)?
        .peer?
        .ip()
        .to_canonical();
    if !crate::api::client_ip::is_trusted_proxy(&peer, &app.settings.trusted_proxies) {
        return None;
    }
    let proto = parts.headers.get("x-forwarded-proto")?.to_str().ok()?;
    matches!(proto, "http" | "https").then_some(proto)
}

/// Which slice of a list to show.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub offset: u64,
    pub limit: u64,
}

impl ListQuery {
    /// A filter's value (the last one given; empty counts as absent, as django-filter does).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    fn size(&self) -> u64 {
        self.param("page_size")
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|&s| s > 0)
            .map_or(DEFAULT_SIZE, |s| s.min(MAX_SIZE))
    }

    /// The requested page: `fetch` is called with its window and answers the total count and
    /// the page's items (once more for `?page=last`, whose number needs the count). A page past
    /// the end, or not a number, is DRF's 404 `Invalid page.` (page 1 always exists).
    pub async fn fetch<T, F, Fut>(&self, fetch: F) -> Result<Page<T>, ApiError>
    where
        F: Fn(Window) -> Fut,
        Fut: Future<Output = Result<(u64, Vec<T>), ApiError>>,
    {
        let size = self.size();
        let invalid = || ApiError::detail(StatusCode::NOT_FOUND, Msg::InvalidPage);
        let window = |number: u64| {
            let offset = number.checked_sub(1)?.checked_mul(size)?;
            Some(Window {
                offset,
                limit: size,
            })
        };
        let wanted = match self.param("page") {
            None => Some(1),
            Some("last") => None,
            Some(text) => Some(text.parse::<u64>().map_err(|_| invalid())?),
        };
        let first = wanted.unwrap_or(1);
        let (count, results) = fetch(window(first).ok_or_else(invalid)?).await?;
        let pages = count.div_ceil(size).max(1);
        let number = wanted.unwrap_or(pages);
        if number > pages {
            return Err(invalid());
        }
        let results = if number == first {
            results
        } else {
            fetch(window(number).ok_or_else(invalid)?).await?.1
        };
        Ok(self.page(number, count, results))
    }

    /// The page body for page `number` of `count` items.
    fn page<T>(&self, number: u64, count: u64, results: Vec<T>) -> Page<T> {
        let pages = count.div_ceil(self.size()).max(1);
        Page {
            count,
            next: (number < pages).then(|| self.link(Some(number + 1))),
            // DRF's link to page 1 drops the parameter.
            previous: (number > 1).then(|| self.link((number > 2).then_some(number - 1))),
            results,
        }
    }

    fn link(&self, page: Option<u64>) -> String {
        let mut pairs: Vec<(String, String)> = self
            .pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .cloned()
            .collect();
        if let Some(page) = page {
            pairs.push(("page".into(), page.to_string()));
        }
        match serde_urlencoded::to_string(&pairs) {
            Ok(query) if !query.is_empty() => format!("{}?{query}", self.base),
            _ => self.base.clone(),
        }
    }
}
