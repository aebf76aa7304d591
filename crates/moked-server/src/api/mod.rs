//! The HTTP API under `/api/v1` (the table in `docs/server.md`), and the
//! extractors its handlers share.
//!
//! The router is built through [`Routes`], which records every method and
//! path it registers: the OpenAPI test compares that list with the
//! document, so an undocumented route fails the build's tests.

pub mod admin;
pub mod agent;
pub mod customers;
pub mod email;
pub mod fanout;
pub mod search;
pub mod session;
pub mod sip;
pub mod tickets;
pub mod wallboard;
pub mod widget;
pub mod ws;

use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// The prefix of every API route.
pub const PREFIX: &str = "/api/v1";

/// A 204 answer.
#[derive(Debug, Clone, Copy)]
pub struct NoContent;

impl IntoResponse for NoContent {
    fn into_response(self) -> Response {
        StatusCode::NO_CONTENT.into_response()
    }
}

/// Middleware: the widget's endpoints are called from the pages of other
/// sites that embed it, so they answer CORS preflights and allow any
/// origin. They take no cookies (the chat token is a header), so `*`
/// exposes nothing a cross-site page could not already do.
pub async fn widget_cors(request: Request, next: Next) -> Response {
    let is_widget = request.uri().path().starts_with("/api/v1/widget/");
    if !is_widget {
        return next.run(request).await;
    }
    let mut response = if request.method() == Method::OPTIONS {
        let mut preflight = StatusCode::NO_CONTENT.into_response();
        let headers = preflight.headers_mut();
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST"),
        );
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("authorization, content-type, accept"),
        );
        headers.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        preflight
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_EXPOSE_HEADERS,
        HeaderValue::from_static("retry-after"),
    );
    response
}

/// A path parameter; a malformed one (`/queues/abc`) is a 422 naming `id`.
#[derive(Debug)]
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(value)| ApiPath(value))
            .map_err(|rejection| ApiError::invalid("id", rejection.body_text()))
    }
}

/// The client's address: the connection's peer, or with `trust_proxy` the
/// last address in `X-Forwarded-For` (the one our own proxy appended;
/// earlier ones are whatever the client claimed).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let forwarded = state
            .config
            .trust_proxy
            .then(|| forwarded_for(parts))
            .flatten();
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(address)| address.ip());
        forwarded
            .or(peer)
            .map(ClientIp)
            .ok_or_else(|| ApiError::internal(&"the connection's address is unknown"))
    }
}

fn forwarded_for(parts: &Parts) -> Option<IpAddr> {
    parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|item| item.trim().parse().ok())
        .next_back()
}

/// A router that remembers what it routes.
pub struct Routes {
    router: Router<AppState>,
    table: Vec<(&'static str, String)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    /// Adds `path` (under [`PREFIX`]) answering `methods` with `handler`.
    fn route(
        mut self,
        path: &str,
        methods: &[&'static str],
        handler: MethodRouter<AppState>,
    ) -> Routes {
        let full = format!("{PREFIX}{path}");
        for method in methods {
            self.table.push((method, full.clone()));
        }
        self.router = self.router.route(&full, handler);
        self
    }

    /// Every `(method, path)` registered, paths with `{param}` patterns.
    pub fn table(&self) -> &[(&'static str, String)] {
        &self.table
    }

    /// The router.
    pub fn into_router(self) -> Router<AppState> {
        self.router
    }
}

/// Every API route.
pub fn routes() -> Routes {
    let routes = Routes::new()
        .route("/login", &["POST"], post(session::login))
        .route("/logout", &["POST"], post(session::logout))
        .route("/session", &["GET"], get(session::current))
        .route("/me/lang", &["PUT"], put(session::set_lang))
        .route("/openapi.json", &["GET"], get(crate::openapi::document));
    let routes = admin_routes(routes);
    let routes = staff_routes(routes);
    let routes = ticket_routes(routes);
    widget_routes(routes)
}

fn admin_routes(routes: Routes) -> Routes {
    use admin::*;
    routes
        .route(
            "/queues",
            &["GET", "POST"],
            get(list_queues).post(create_queue),
        )
        .route(
            "/queues/{id}",
            &["GET", "PUT"],
            get(get_queue).put(update_queue),
        )
        .route(
            "/skills",
            &["GET", "POST"],
            get(list_skills).post(create_skill),
        )
        .route("/skills/{id}", &["PUT"], put(rename_skill))
        .route(
            "/teams",
            &["GET", "POST"],
            get(list_teams).post(create_team),
        )
        .route("/teams/{id}", &["PUT"], put(rename_team))
        .route(
            "/users",
            &["GET", "POST"],
            get(list_users).post(create_user),
        )
        .route(
            "/users/{id}",
            &["GET", "PUT"],
            get(get_user).put(update_user),
        )
        .route("/users/{id}/skills", &["PUT"], put(set_user_skills))
        .route("/users/{id}/capacities", &["PUT"], put(set_user_capacities))
        .route(
            "/wrap-up-codes",
            &["GET", "POST"],
            get(list_wrap_up_codes).post(create_wrap_up_code),
        )
        .route("/wrap-up-codes/{id}", &["PUT"], put(update_wrap_up_code))
        .route(
            "/business-hours",
            &["GET", "POST"],
            get(list_business_hours).post(create_business_hours),
        )
        .route(
            "/business-hours/{id}",
            &["GET", "PUT"],
            get(get_business_hours).put(update_business_hours),
        )
        .route("/sip/accounts", &["GET"], get(sip::list_accounts))
        .route(
            "/sip/accounts/{user}",
            &["PUT", "DELETE"],
            put(sip::put_account).delete(sip::delete_account),
        )
        .route(
            "/mail/addresses",
            &["GET", "POST", "DELETE"],
            get(email::list_addresses)
                .post(email::put_address)
                .delete(email::delete_address),
        )
        .route("/tickets/{id}/reply", &["POST"], post(email::reply))
        .route("/sip/routes", &["GET"], get(sip::list_routes))
        .route(
            "/sip/routes/{address}",
            &["PUT", "DELETE"],
            put(sip::put_route).delete(sip::delete_route),
        )
}

fn staff_routes(routes: Routes) -> Routes {
    routes
        .route(
            "/customers",
            &["GET", "POST"],
            get(customers::search).post(customers::create),
        )
        .route(
            "/customers/{id}",
            &["GET", "PUT"],
            get(customers::get).put(customers::update),
        )
        .route(
            "/customers/{id}/interactions",
            &["GET"],
            get(customers::interactions),
        )
        .route("/interactions/{id}", &["GET"], get(customers::interaction))
        .route("/search", &["GET"], get(search::search))
        .route("/agents", &["GET"], get(agent::colleagues))
        .route("/agent/desk", &["GET"], get(agent::desk))
        .route("/agent/presence", &["PUT"], put(agent::presence))
        .route("/interactions/{id}/accept", &["POST"], post(agent::accept))
        .route("/interactions/{id}/reject", &["POST"], post(agent::reject))
        .route("/interactions/{id}/end", &["POST"], post(agent::end))
        .route(
            "/interactions/{id}/messages",
            &["POST"],
            post(agent::message),
        )
        .route("/interactions/{id}/typing", &["POST"], post(agent::typing))
        .route("/interactions/{id}/notes", &["POST"], post(agent::note))
        .route(
            "/interactions/{id}/transfer",
            &["POST"],
            post(agent::transfer),
        )
        .route(
            "/interactions/{id}/wrap-up",
            &["POST"],
            post(agent::wrap_up),
        )
        .route("/wallboard", &["GET"], get(wallboard::board))
        .route("/wallboard/agents/{id}", &["GET"], get(wallboard::agent))
        .route("/ws", &["GET"], get(ws::staff))
}

fn ticket_routes(routes: Routes) -> Routes {
    use axum::extract::DefaultBodyLimit;
    use tickets::*;
    // An upload's body is the file: up to the attachment limit (plus one
    // byte, so a larger file is told apart and refused with 413).
    let upload_limit = DefaultBodyLimit::max(moked_store::MAX_ATTACHMENT_BYTES + 1);
    routes
        .route("/tickets", &["GET", "POST"], get(list).post(create))
        .route("/tickets/{id}", &["GET", "PATCH"], get(show).patch(update))
        .route("/tickets/by-number/{n}", &["GET"], get(by_number))
        .route("/tickets/{id}/messages", &["GET"], get(messages))
        .route("/tickets/{id}/notes", &["POST"], post(add_note))
        .route(
            "/tickets/{id}/attachments",
            &["POST"],
            post(upload).layer(upload_limit),
        )
        .route("/tickets/{id}/attachments/{aid}", &["GET"], get(download))
        .route("/tickets/{id}/escalate", &["POST"], post(escalate))
        .route("/tickets/{id}/hand-back", &["POST"], post(hand_back))
        .route("/tickets/{id}/merge", &["POST"], post(merge))
        .route(
            "/tickets/{id}/canned-responses/{cid}",
            &["GET"],
            get(render_canned),
        )
        .route(
            "/tickets/{id}/canned-responses/{cid}/apply",
            &["POST"],
            post(apply_canned),
        )
        .route(
            "/canned-responses",
            &["GET", "POST"],
            get(list_canned).post(create_canned),
        )
        .route(
            "/canned-responses/{id}",
            &["PUT", "DELETE"],
            put(update_canned).delete(delete_canned),
        )
        .route(
            "/admin/sla-policies",
            &["GET", "POST"],
            get(list_policies).post(create_policy),
        )
        .route(
            "/admin/sla-policies/{id}",
            &["PUT", "DELETE"],
            put(update_policy).delete(delete_policy),
        )
        .route(
            "/admin/escalation-rules",
            &["GET", "POST"],
            get(list_rules).post(create_rule),
        )
        .route(
            "/admin/escalation-rules/{id}",
            &["PUT", "DELETE"],
            put(update_rule).delete(delete_rule),
        )
}

fn widget_routes(routes: Routes) -> Routes {
    routes
        .route("/widget/{org}/config", &["GET"], get(widget::config))
        .route("/widget/{org}/chats", &["POST"], post(widget::open))
        .route("/widget/chats/{id}", &["GET"], get(widget::status))
        .route(
            "/widget/chats/{id}/messages",
            &["POST"],
            post(widget::message),
        )
        .route("/widget/chats/{id}/typing", &["POST"], post(widget::typing))
        .route("/widget/chats/{id}/end", &["POST"], post(widget::end))
        .route("/widget/chats/{id}/rating", &["POST"], post(widget::rating))
        .route("/widget/chats/{id}/ws", &["GET"], get(ws::customer))
}
