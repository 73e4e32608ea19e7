//! `GET /_fifowin/ui`: the dashboard, three plain files from `crates/server/ui/`
//! embedded in the binary (no build step, nothing loaded from elsewhere). The page
//! itself needs no token; with `--control-token` its script asks for one and
//! sends it on every control call. Served with a Content-Security-Policy that
//! allows only this origin and no inline script, so data the page shows as text
//! could not run even if it were ever put into markup.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

const INDEX_HTML: &str = include_str!("../../ui/index.html");
const APP_JS: &str = include_str!("../../ui/app.js");
const STYLE_CSS: &str = include_str!("../../ui/style.css");

/// Bytes the dashboard adds to the binary.
pub(crate) const EMBEDDED_BYTES: usize = INDEX_HTML.len() + APP_JS.len() + STYLE_CSS.len();

// A page that needs more than this wants a build step and a review first.
const _: () = assert!(EMBEDDED_BYTES < 64 * 1024, "the dashboard outgrew 64 KiB");

/// Only this origin, for everything; no inline script or style, no framing.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; \
     frame-ancestors 'none'";

/// The dashboard's routes (served whenever the control API is).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/_fifowin/ui",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/_fifowin/ui/",
            get(|| async { asset("text/html; charset=utf-8", INDEX_HTML) }),
        )
        .route(
            "/_fifowin/ui/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/_fifowin/ui/style.css",
            get(|| async { asset("text/css; charset=utf-8", STYLE_CSS) }),
        )
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut response = body.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_loads_nothing_from_elsewhere_and_runs_no_inline_script() {
        for (name, text) in [
            ("index.html", INDEX_HTML),
            ("app.js", APP_JS),
            ("style.css", STYLE_CSS),
        ] {
            // The SVG namespace is a name, not a resource.
            let without_namespace = text.replace("http://www.w3.org/2000/svg", "");
            assert!(
                !without_namespace.contains("http://") && !without_namespace.contains("https://"),
                "{name} refers to another site"
            );
            assert!(!text.contains("@import"), "{name} imports a stylesheet");
        }
        assert!(!INDEX_HTML.contains("<script>"), "inline script");
        let handler = INDEX_HTML.match_indices(" on").any(|(at, _)| {
            let rest = &INDEX_HTML[at + 3..];
            let name_len = rest.bytes().take_while(u8::is_ascii_lowercase).count();
            name_len > 0 && rest[name_len..].starts_with('=')
        });
        assert!(!handler, "inline event handler");
        assert!(!INDEX_HTML.contains("style="), "inline style");
        // Data reaches the page as text: the script never parses markup.
        assert!(!APP_JS.contains("innerHTML") && !APP_JS.contains("insertAdjacentHTML"));
    }
}
