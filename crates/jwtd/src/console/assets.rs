//! The console's embedded files: the HTML shell, the script and the style sheet (`web/`). The
//! assets are addressed with a digest of their content (`console.js?v=…`), so a browser may
//! keep them for good and still never runs a stale script after an upgrade.

use std::sync::LazyLock;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

const SHELL: &str = include_str!("web/index.html");

pub struct Asset {
    pub name: &'static str,
    content_type: &'static str,
    pub body: &'static str,
    /// The first hex digits of the body's SHA-256.
    version: String,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| {
    [
        (
            "console.js",
            "text/javascript; charset=utf-8",
            include_str!("web/console.js"),
        ),
        (
            "console.css",
            "text/css; charset=utf-8",
            include_str!("web/console.css"),
        ),
    ]
    .into_iter()
    .map(|(name, content_type, body)| Asset {
        name,
        content_type,
        body,
        version: Sha256::digest(body.as_bytes())
            .iter()
            .take(6)
            .map(|b| format!("{b:02x}"))
            .collect(),
    })
    .collect()
});

pub fn find(name: &str) -> Option<&'static Asset> {
    ASSETS.iter().find(|a| a.name == name)
}

impl Asset {
    pub fn response(&self) -> Response {
        let mut response = (StatusCode::OK, self.body).into_response();
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        response
    }

    fn url(&self, prefix: &str) -> String {
        format!("{prefix}assets/{}?v={}", self.name, self.version)
    }
}

/// The HTML shell: language, title, the page's settings (JSON, safe inside `<script>`), and
/// the assets' addresses.
pub fn shell(lang: &str, title: &str, prefix: &str, config: &Value) -> String {
    let json = serde_json::to_string(config)
        .expect("a JSON value serializes")
        // In a <script> element only `</script` and `<!--` could end it early.
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026");
    let asset = |name| find(name).expect("an embedded asset").url(prefix);
    SHELL
        .replace("{{lang}}", lang)
        .replace("{{title}}", &escape_html(title))
        .replace("{{style}}", &escape_html(&asset("console.css")))
        .replace("{{script}}", &escape_html(&asset("console.js")))
        .replace("{{config}}", &json)
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The console must stay small: the release binary may grow by less than 2 MB for it.
    #[test]
    fn the_console_is_small() {
        let total: usize = SHELL.len()
            + ASSETS.iter().map(|a| a.body.len()).sum::<usize>()
            + include_str!("web/strings.json").len();
        assert!(total < 128 * 1024, "{total} bytes");
    }

    #[test]
    fn the_shell_cannot_be_broken_out_of() {
        let config =
            serde_json::json!({"user": {"username": "</script><script>alert(1)</script>"}});
        let html = shell("en", "jwtd <admin>", "/admin/", &config);
        assert!(!html.contains("</script><script>alert"), "{html}");
        assert!(html.contains("<title>jwtd &lt;admin&gt;</title>"));
        assert!(html.contains("/admin/assets/console.js?v="));
        // The config is still the same JSON once parsed back.
        let start = html.find("type=\"application/json\">").unwrap() + 24;
        let end = start + html[start..].find("</script>").unwrap();
        let parsed: Value = serde_json::from_str(&html[start..end]).unwrap();
        assert_eq!(parsed, config);
    }
}
