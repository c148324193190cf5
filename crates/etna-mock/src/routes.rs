//! The HTTP side: one route, with the spec's path template and method.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use serde_json::Value;

use crate::error::{self, Error};
use crate::faults::{Fault, FaultPlan, cut, status_answer};
use crate::spec::{MockSpec, OPERATION_ID};

struct Shared {
    spec: MockSpec,
    app_key: String,
    faults: FaultPlan,
}

pub(crate) fn router(
    spec: MockSpec,
    app_key: String,
    max_body_bytes: usize,
    faults: FaultPlan,
) -> Result<Router, Error> {
    let filter = MethodFilter::try_from(spec.method.clone())
        .map_err(|_| error::spec(format!("the method {} cannot be routed", spec.method)))?;
    let path = spec.path.clone();
    let shared = Arc::new(Shared {
        spec,
        app_key,
        faults,
    });
    Ok(Router::new()
        .route(&path, on(filter, reset_code))
        .layer(DefaultBodyLimit::max(max_body_bytes))
        .with_state(shared))
}

async fn reset_code(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let applied = match shared.faults.for_request(
        OPERATION_ID,
        headers.get(header::HeaderName::from_static("prefer")),
    ) {
        Ok(applied) => applied,
        Err(reason) => {
            return (
                StatusCode::BAD_REQUEST,
                format!("etna-mock: {reason}; see the Prefer header in etna-mock's docs\n"),
            )
                .into_response();
        }
    };
    applied.wait().await;
    let response = match &applied.fault {
        Some(Fault::Status(code)) => {
            return status_answer(*code, &shared.spec.documented, applied.example.as_deref());
        }
        _ => answer(&shared, &headers, &body),
    };
    match &applied.fault {
        Some(fault @ (Fault::Drop | Fault::Truncate)) => cut(response, fault).await,
        _ => response,
    }
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
