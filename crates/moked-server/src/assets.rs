//! The web UI's static files, embedded in the binary with `include_str!` so `moked serve`
//! needs nothing on disk: the staff pages (`/login`, `/desktop`, `/wallboard`, `/admin`),
//! the demo website (`/demo-site`), the embeddable chat widget (`/widget.js`, its
//! stylesheet), shared scripts and styles under `/static/{file}` and the locale files
//! `/locales/{lang}/{part}.json`.
//!
//! Every answer carries its content type, `X-Content-Type-Options: nosniff`, a cache
//! policy and an `ETag` (a hash of the embedded bytes, so a browser revalidates cheaply and
//! a new build is picked up at once). Pages get a strict `Content-Security-Policy`: only
//! our own scripts and styles, no inline code, no framing. The widget's files (script,
//! stylesheet, widget locale) are fetched by pages of other origins, so they also carry
//! `Access-Control-Allow-Origin: *`; they hold no secrets.

use std::sync::OnceLock;

use axum::Router;
use axum::body::Body;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use base64::Engine as _;
use sha2::{Digest, Sha256};

/// The policy for our HTML pages: everything from our origin, live updates over
/// WebSocket, images also as data: URLs, and no embedding in other sites' frames.
const PAGE_CSP: &str = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; \
     style-src 'self'; script-src 'self'; frame-ancestors 'none'";

/// What kind of file an asset is; decides its content type and headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Html,
    Js,
    Css,
    Json,
}

impl Kind {
    fn content_type(self) -> &'static str {
        match self {
            Kind::Html => "text/html; charset=utf-8",
            Kind::Js => "text/javascript; charset=utf-8",
            Kind::Css => "text/css; charset=utf-8",
            Kind::Json => "application/json; charset=utf-8",
        }
    }
}

/// One embedded file: the URL path it is served at, its kind, whether pages on other
/// origins may fetch it (the widget's files), and its bytes.
struct Asset {
    url: &'static str,
    kind: Kind,
    cross_origin: bool,
    body: &'static str,
}

macro_rules! asset {
    ($url:expr, $kind:ident, $cross:literal, $file:expr) => {
        Asset {
            url: $url,
            kind: Kind::$kind,
            cross_origin: $cross,
            body: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/web/", $file)),
        }
    };
}

/// A locale file: `locale!(he, widget, true)` serves `web/locales/he/widget.json`.
macro_rules! locale {
    ($lang:ident, $part:ident, $cross:literal) => {
        asset!(
            concat!(
                "/locales/",
                stringify!($lang),
                "/",
                stringify!($part),
                ".json"
            ),
            Json,
            $cross,
            concat!(
                "locales/",
                stringify!($lang),
                "/",
                stringify!($part),
                ".json"
            )
        )
    };
}

/// Every file we serve. Staff-page files live in `web/`, shared helpers in `web/static/`.
static ASSETS: &[Asset] = &[
    // --- customer side: the widget and the demo website ---
    asset!("/widget.js", Js, true, "widget.js"),
    asset!("/static/widget.css", Css, true, "widget.css"),
    asset!("/demo-site", Html, false, "demo-site.html"),
    asset!("/static/demo-site.css", Css, false, "demo-site.css"),
    asset!("/static/demo-site.js", Js, false, "demo-site.js"),
    locale!(he, widget, true),
    locale!(en, widget, true),
    // --- shared by the staff pages ---
    asset!("/static/common.js", Js, false, "static/common.js"),
    asset!("/static/common.css", Css, false, "static/common.css"),
    // --- staff pages (their files are written by the staff UI) ---
    asset!("/login", Html, false, "login.html"),
    asset!("/desktop", Html, false, "desktop.html"),
    asset!("/wallboard", Html, false, "wallboard.html"),
    asset!("/admin", Html, false, "admin.html"),
    asset!("/static/login.js", Js, false, "login.js"),
    asset!("/static/desktop.js", Js, false, "desktop.js"),
    asset!("/static/wallboard.js", Js, false, "wallboard.js"),
    asset!("/static/admin.js", Js, false, "admin.js"),
    asset!("/static/tickets.js", Js, false, "tickets.js"),
    asset!("/static/staff.css", Css, false, "staff.css"),
    locale!(he, staff, false),
    locale!(en, staff, false),
];

/// The routes of the web UI, to be merged into the server's router.
pub fn router() -> Router {
    let mut router = Router::new().route("/", get(|| async { Redirect::to("/login") }));
    for (index, asset) in ASSETS.iter().enumerate() {
        // Only top-level paths get their own route; `/static/*` and `/locales/*` are
        // looked up by the two catch routes below so an unknown file is a clean 404.
        if !asset.url.starts_with("/static/") && !asset.url.starts_with("/locales/") {
            router = router.route(
                asset.url,
                get(move |headers: HeaderMap| async move { serve(index, &headers) }),
            );
        }
    }
    router
        .route("/static/{file}", get(static_file))
        .route("/locales/{lang}/{part}", get(locale_file))
}

async fn static_file(Path(file): Path<String>, headers: HeaderMap) -> Response {
    serve_url(&format!("/static/{file}"), &headers)
}

async fn locale_file(Path((lang, part)): Path<(String, String)>, headers: HeaderMap) -> Response {
    serve_url(&format!("/locales/{lang}/{part}"), &headers)
}

fn serve_url(url: &str, headers: &HeaderMap) -> Response {
    match ASSETS.iter().position(|a| a.url == url) {
        Some(index) => serve(index, headers),
        None => not_found(url),
    }
}

/// The ETags of all assets, computed once on first use (SHA-256, first 16 bytes).
fn etags() -> &'static [String] {
    static ETAGS: OnceLock<Vec<String>> = OnceLock::new();
    ETAGS.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let digest = Sha256::digest(a.body.as_bytes());
                let short = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16]);
                format!("\"{short}\"")
            })
            .collect()
    })
}

fn serve(index: usize, request: &HeaderMap) -> Response {
    let asset = &ASSETS[index];
    let etag = &etags()[index];
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(asset.body))
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.kind.content_type()),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // `no-cache` means "revalidate with the ETag": after an upgrade, every browser
    // picks up the new files on the next load, and an unchanged file costs a 304.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(value) = HeaderValue::from_str(etag) {
        headers.insert(header::ETAG, value);
    }
    if asset.kind == Kind::Html {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PAGE_CSP),
        );
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        );
    }
    if asset.cross_origin {
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_ORIGIN,
            HeaderValue::from_static("*"),
        );
    }
    response
}

/// A 404 as a problem document, like every other error of the server.
fn not_found(url: &str) -> Response {
    let body = serde_json::json!({
        "type": "https://moked.dev/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": format!("no such file: {url}"),
    });
    let mut response = (StatusCode::NOT_FOUND, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use axum::http::Request;
    use tower::ServiceExt as _;

    use super::*;

    async fn get_path(path: &str, etag: Option<&str>) -> Response {
        let mut request = Request::get(path);
        if let Some(tag) = etag {
            request = request.header(header::IF_NONE_MATCH, tag);
        }
        router()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    fn header_of(response: &Response, name: header::HeaderName) -> &str {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Flattens a locale file into its keys, and for each the `{placeholders}` it uses.
    fn keys_of(json: &str) -> BTreeSet<(String, BTreeSet<String>)> {
        let value: serde_json::Value = serde_json::from_str(json).expect("locale file is JSON");
        let object = value.as_object().expect("locale file is an object");
        object
            .iter()
            .map(|(key, text)| {
                let text = text.as_str().expect("locale values are strings");
                let placeholders = text
                    .split('{')
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
                    .collect();
                (key.clone(), placeholders)
            })
            .collect()
    }

    fn body_of(url: &str) -> &'static str {
        ASSETS.iter().find(|a| a.url == url).unwrap().body
    }

    #[test]
    fn hebrew_and_english_locales_have_the_same_keys_and_placeholders() {
        for part in ["widget", "staff"] {
            let he = keys_of(body_of(&format!("/locales/he/{part}.json")));
            let en = keys_of(body_of(&format!("/locales/en/{part}.json")));
            let only_he: Vec<_> = he.difference(&en).collect();
            let only_en: Vec<_> = en.difference(&he).collect();
            assert!(
                only_he.is_empty() && only_en.is_empty(),
                "{part}.json differs: only in he {only_he:?}, only in en {only_en:?}"
            );
        }
    }

    #[test]
    fn every_widget_string_the_script_uses_is_in_the_locale() {
        // The widget looks strings up with t("key"); a key missing from the locale
        // would show the raw key to a customer.
        let locale = keys_of(body_of("/locales/he/widget.json"));
        let known: BTreeSet<&str> = locale.iter().map(|(k, _)| k.as_str()).collect();
        let script = body_of("/widget.js");
        let mut checked = 0;
        for (at, _) in script.match_indices("t(\"") {
            // `t(` itself, not the end of a longer name such as `endChat(`.
            let before = script[..at].chars().next_back().unwrap_or(' ');
            if before.is_alphanumeric() || before == '_' || before == '.' {
                continue;
            }
            let key = script[at + 3..].split('"').next().unwrap();
            assert!(known.contains(key), "widget.js uses missing key {key}");
            checked += 1;
        }
        assert!(checked > 30, "only {checked} strings found in widget.js");
    }

    #[tokio::test]
    async fn pages_have_their_type_and_a_strict_policy() {
        for path in ["/login", "/desktop", "/wallboard", "/admin", "/demo-site"] {
            let response = get_path(path, None).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(
                header_of(&response, header::CONTENT_TYPE),
                "text/html; charset=utf-8"
            );
            let csp = header_of(&response, header::CONTENT_SECURITY_POLICY);
            assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
            assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
            assert_eq!(
                header_of(&response, header::X_CONTENT_TYPE_OPTIONS),
                "nosniff"
            );
        }
    }

    #[tokio::test]
    async fn the_widget_can_be_loaded_from_other_origins() {
        let script = get_path("/widget.js", None).await;
        assert_eq!(
            header_of(&script, header::CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(header_of(&script, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        let locale = get_path("/locales/he/widget.json", None).await;
        assert_eq!(header_of(&locale, header::ACCESS_CONTROL_ALLOW_ORIGIN), "*");
        let body = axum::body::to_bytes(locale.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            text.contains("שלום") || text.contains("צ'אט"),
            "the Hebrew widget locale is Hebrew"
        );
        // Staff files are same-origin only.
        let staff = get_path("/static/common.js", None).await;
        assert_eq!(header_of(&staff, header::ACCESS_CONTROL_ALLOW_ORIGIN), "");
    }

    #[tokio::test]
    async fn an_unchanged_file_is_a_304_with_its_etag() {
        let first = get_path("/static/common.css", None).await;
        let etag = header_of(&first, header::ETAG).to_owned();
        assert!(etag.starts_with('"'));
        let again = get_path("/static/common.css", Some(&etag)).await;
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
        let other = get_path("/static/common.css", Some("\"stale\"")).await;
        assert_eq!(other.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn unknown_files_and_languages_are_problem_404s() {
        for path in [
            "/static/nope.js",
            "/static/..%2Fsrc%2Flib.rs",
            "/locales/fr/widget.json",
            "/locales/he/secret.json",
        ] {
            let response = get_path(path, None).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
            assert_eq!(
                header_of(&response, header::CONTENT_TYPE),
                "application/problem+json"
            );
        }
    }

    #[tokio::test]
    async fn the_root_sends_staff_to_the_login_page() {
        let response = get_path("/", None).await;
        assert!(response.status().is_redirection());
        assert_eq!(header_of(&response, header::LOCATION), "/login");
    }
}
