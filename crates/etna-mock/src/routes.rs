//! The HTTP side: one route, with the spec's path template and method.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::Value;

use crate::error::{self, Error};
use crate::faults::{FaultPlan, answer_with_faults};
use crate::generic;
use crate::spec::{MockSpec, OPERATION_ID, check_path_template};

struct Shared {
    spec: MockSpec,
    app_key: String,
    faults: FaultPlan,
}

pub(crate) fn router(
    spec: MockSpec,
    doc: &Value,
    app_key: String,
    max_body_bytes: usize,
    faults: FaultPlan,
) -> Result<Router, Error> {
    let filter = MethodFilter::try_from(spec.method.clone())
        .map_err(|_| error::spec(format!("the method {} cannot be routed", spec.method)))?;
    let path = spec.path.clone();
    let context = Arc::new(generic::Context {
        app_key: app_key.clone(),
        faults: faults.clone(),
    });
    let shared = Arc::new(Shared {
        spec,
        app_key,
        faults,
    });
    // One method router per path: the reset-code scenario on its own, every
    // other operation from the spec alone.
    let mut routes: BTreeMap<String, MethodRouter> = BTreeMap::new();
    routes.insert(path, on(filter, reset_code).with_state(shared));
    for served in generic::operations(doc, &[OPERATION_ID])? {
        let route = served.route.clone();
        let method_router = generic::method_router(served, context.clone())?;
        let merged = match routes.remove(&route) {
            Some(existing) => existing.merge(method_router),
            None => method_router,
        };
        routes.insert(route, merged);
    }
    let mut router = Router::new();
    for (path, method_router) in routes {
        check_path_template(&path)?;
        router = router.route(&path, method_router);
    }
    Ok(router.layer(DefaultBodyLimit::max(max_body_bytes)))
}

async fn reset_code(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    answer_with_faults(
        &shared.faults,
        OPERATION_ID,
        &headers,
        &shared.spec.documented,
        || answer(&shared, &headers, &body),
    )
    .await
}

fn answer(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let key = headers
        .get(&shared.spec.app_key_header)
        .map(|v| v.as_bytes());
    if key != Some(shared.app_key.as_bytes()) {
        return json(StatusCode::FORBIDDEN, &shared.spec.app_key_error);
    }
    let (status, answer) = shared.spec.answer(body);
    json(status, &answer)
}

fn json(status: StatusCode, body: &Value) -> Response {
    (status, axum::Json(body)).into_response()
}
