//! The HTTP side: a route per path of the spec, each method an operation of
//! the generic layer, and the mock's own `/_mock/` paths outside the API's
//! tree.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, put};
use serde_json::Value;

use crate::error::{Error, spec};
use crate::exchange::Exchange;
use crate::generic::{self, Context};
use crate::outbox::{Mail, Outbox};
use crate::streamer::Streamers;

/// Where the outbox is read (GET) and emptied (DELETE), as JSON.
pub const OUTBOX_PATH: &str = "/_mock/outbox";

/// Where the exchange's quotes are read (GET); `QUOTES_PATH/{symbol}` sets
/// one (PUT, `{"Bid": .., "Ask": .., "Last": ..}`) or gives it back to the
/// clock (DELETE).
pub const QUOTES_PATH: &str = "/_mock/quotes";

/// The streamers' faults: `PUT STREAMER_PATH/drop` closes every streamer
/// connection, `PUT STREAMER_PATH/expire` also ends every streamer session
/// id (a reconnect is refused until the id is recovered).
pub const STREAMER_PATH: &str = "/_mock/streamer";

pub(crate) fn router(
    doc: &Value,
    order: &etna_spec::KeyOrder,
    written: Option<&crate::written::Node>,
    context: Arc<Context>,
    outbox: Arc<Outbox>,
    // The exchange and its streamers: a server has both or neither.
    exchange: Option<(Arc<Exchange>, Arc<Streamers>)>,
    max_body_bytes: usize,
) -> Result<Router, Error> {
    let (exchange, streamers) = exchange.unzip();
    let mut routes: BTreeMap<String, MethodRouter> = BTreeMap::new();
    for served in generic::operations(doc, order, written)? {
        let route = served.route.clone();
        check_path_template(&route)?;
        if route.starts_with("/_mock/") {
            return Err(spec(format!(
                "the path {route:?} is under /_mock/, which the mock keeps for itself"
            )));
        }
        if let Some(exchange) = &exchange {
            let (id, documented) = served.examples();
            exchange.learn(id, documented);
        }
        let method_router = generic::method_router(served, context.clone())?;
        let merged = match routes.remove(&route) {
            Some(existing) => existing.merge(method_router),
            None => method_router,
        };
        routes.insert(route, merged);
    }
    let mut router = Router::new();
    for (path, method_router) in routes {
        router = router.route(&path, method_router);
    }
    let outbox_routes = get(read_outbox).delete(take_outbox).with_state(outbox);
    router = router.route(OUTBOX_PATH, outbox_routes);
    if let Some(exchange) = exchange {
        router = router
            .route(QUOTES_PATH, get(read_quotes).with_state(exchange.clone()))
            .route(
                &format!("{QUOTES_PATH}/{{symbol}}"),
                put(set_quote).delete(release_quote).with_state(exchange),
            );
    }
    if let Some(streamers) = streamers {
        router = router
            .route(
                &format!("{STREAMER_PATH}/drop"),
                put(drop_streams).with_state(streamers.clone()),
            )
            .route(
                &format!("{STREAMER_PATH}/expire"),
                put(expire_streams).with_state(streamers),
            );
    }
    Ok(router.layer(DefaultBodyLimit::max(max_body_bytes)))
}

async fn drop_streams(State(streamers): State<Arc<Streamers>>) -> StatusCode {
    streamers.drop_connections();
    StatusCode::NO_CONTENT
}

async fn expire_streams(State(streamers): State<Arc<Streamers>>) -> StatusCode {
    streamers.expire();
    StatusCode::NO_CONTENT
}

async fn read_quotes(State(exchange): State<Arc<Exchange>>) -> Response {
    json_text(StatusCode::OK, exchange.quotes_json())
}

async fn set_quote(
    State(exchange): State<Arc<Exchange>>,
    Path(symbol): Path<String>,
    body: Bytes,
) -> Response {
    let Some(quote) = crate::exchange::read_quote(&body) else {
        return (
            StatusCode::BAD_REQUEST,
            "etna-mock: a quote is {\"Bid\": N, \"Ask\": N, \"Last\": N} (Last optional), 0 < Bid <= Ask\n",
        )
            .into_response();
    };
    if exchange.set_quote(&symbol, Some(quote)) {
        read_quotes(State(exchange)).await
    } else {
        unknown_symbol()
    }
}

async fn release_quote(
    State(exchange): State<Arc<Exchange>>,
    Path(symbol): Path<String>,
) -> Response {
    if exchange.set_quote(&symbol, None) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        unknown_symbol()
    }
}

fn unknown_symbol() -> Response {
    (
        StatusCode::NOT_FOUND,
        "etna-mock: the exchange lists no such symbol (GET /_mock/quotes lists them)\n",
    )
        .into_response()
}

fn json_text(status: StatusCode, text: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        text,
    )
        .into_response()
}

async fn read_outbox(State(outbox): State<Arc<Outbox>>) -> axum::Json<Vec<Mail>> {
    axum::Json(outbox.messages())
}

async fn take_outbox(State(outbox): State<Arc<Outbox>>) -> axum::Json<Vec<Mail>> {
    axum::Json(outbox.take())
}

/// Rejects templates the router cannot take, so that a bad spec is an error
/// rather than a panic when the route is registered.
fn check_path_template(path: &str) -> Result<(), Error> {
    let bad = |why: &str| spec(format!("the path {path:?} {why}"));
    if !path.starts_with('/') {
        return Err(bad("does not start with '/'"));
    }
    for segment in path.split('/') {
        let opens = segment.matches('{').count();
        let closes = segment.matches('}').count();
        // axum 0.8 also refuses the `:name` and `*name` syntax of older versions.
        if opens > 1 || opens != closes || segment.contains('*') || segment.starts_with(':') {
            return Err(bad(
                "has a segment the router cannot take (at most one {name} per segment, no : or * syntax)",
            ));
        }
        if let (Some(open), Some(close)) = (segment.find('{'), segment.find('}')) {
            let name = segment.get(open + 1..close).unwrap_or_default();
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(bad("has a parameter without a plain name"));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routes_of(text: &str) -> Result<Router, Error> {
        let context = Arc::new(Context {
            app_key: "k".into(),
            faults: Default::default(),
            scenario: None,
            sessions: None,
        });
        let (doc, order) = etna_spec::parse_with_order(text).unwrap();
        router(
            &doc,
            &order,
            None,
            context,
            Arc::new(Outbox::new(1)),
            None,
            1024,
        )
    }

    #[test]
    fn path_templates_the_router_cannot_take_are_errors() {
        for path in ["v1/x", "/{a}{b}", "/{", "/{}", "/{a b}", "/*rest", "/:id"] {
            assert!(check_path_template(path).is_err(), "{path}");
        }
        check_path_template("/v{version}/users/identifiers/reset/code").unwrap();
    }

    #[test]
    fn the_embedded_spec_routes() {
        if let Err(error) = routes_of(crate::SPEC) {
            panic!("every operation of the embedded spec must route: {error}");
        }
    }

    #[test]
    fn broken_references_are_errors_that_say_where() {
        let text = crate::SPEC.replace(
            "$ref: \"#/components/requestBodies/ResetCodeRequestBody\"",
            "$ref: \"#/components/requestBodies/Nope\"",
        );
        let error = routes_of(&text).err().unwrap().to_string();
        assert!(error.contains("Nope"), "{error}");

        let text = crate::SPEC.replace(
            "$ref: \"#/components/schemas/ResetIdentifier\"",
            "$ref: \"#/components/schemas/Gone\"",
        );
        let error = routes_of(&text).err().unwrap().to_string();
        assert!(
            error.contains("#/components/schemas/ResetCodeRequest/properties/Identifier/$ref"),
            "{error}"
        );
        assert!(error.contains("Gone"), "{error}");
    }

    #[test]
    fn the_mock_keeps_its_own_paths() {
        let text = crate::SPEC.replace("/users/password/reset:", "/_mock/x:");
        let text = text.replace("url: \"{apiURL}/v{version}\"", "url: \"{apiURL}\"");
        let error = routes_of(&text).err().unwrap().to_string();
        assert!(error.contains("/_mock/"), "{error}");
    }
}
