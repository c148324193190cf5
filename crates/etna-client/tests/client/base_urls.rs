//! The generated `send` of an operation without path parameters takes a URL
//! resolved once when the client was built: it must be the very URL the
//! formatted string used to be, under any base URL and server variables, on
//! every call, and never the cached one for a client given another base URL.

use etna_client::dispatch::JsonArgs;
use etna_client::{Client, Dispatch, GeneratedClient};
use serde_json::{Map, Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::APP_KEY;

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"IsSucceed": true})))
        .mount(&server)
        .await;
    server
}

/// Each parameter as the string `x` (query values must reach the server
/// once per call, not pile up in a cached URL), or, where the builder does
/// not take a string, as `tried` says (the number 1, `true`, or left out
/// when optional); the body as the spec's example.
fn arguments(doc: &etna_client::OperationSpec, tried: &[(&str, usize)]) -> JsonArgs {
    let parameters: Map<String, Value> = doc
        .parameters
        .iter()
        .filter_map(|p| value(p.name, tried).map(|v| (p.name.to_owned(), v)))
        .collect();
    let body = doc.body.as_ref().map(|body| {
        serde_json::from_str(body.example).unwrap_or_else(|e| {
            panic!(
                "{}: the spec's request example is not JSON ({e}); the test needs one",
                doc.id
            )
        })
    });
    JsonArgs::new(parameters, body)
}

/// The values tried in turn for a parameter; `None`: left out.
const TRIED: [Option<fn() -> Value>; 4] = [
    Some(|| json!("x")),
    Some(|| json!(1)),
    Some(|| json!(true)),
    None,
];

fn value(name: &str, tried: &[(&str, usize)]) -> Option<Value> {
    let attempt = tried
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(0, |(_, i)| *i);
    TRIED[attempt].map(|make| make())
}

/// The arguments `client` sends `doc` with, each parameter's value found
/// from the dispatcher's refusals, which name the parameter and send
/// nothing; the returned call was sent once.
async fn sent_once<'a>(
    client: &Client,
    doc: &'a etna_client::OperationSpec,
) -> (JsonArgs, Vec<(&'a str, usize)>) {
    let mut tried: Vec<(&str, usize)> = Vec::new();
    loop {
        let args = arguments(doc, &tried);
        match client.dispatch(doc.id, &args).await {
            Some(Err(etna_client::Error::InvalidInput { reason, .. })) => {
                let next = doc.parameters.iter().find_map(|p| {
                    let attempt = tried
                        .iter()
                        .find(|(n, _)| *n == p.name)
                        .map_or(0, |(_, i)| *i);
                    let left_out = attempt + 1 == TRIED.len() - 1 && p.required;
                    (reason.starts_with(&format!("{}:", p.name))
                        && attempt + 1 < TRIED.len()
                        && !left_out)
                        .then_some((p.name, attempt + 1))
                });
                let Some((name, attempt)) = next else {
                    panic!("{}: refused before sending: {reason}", doc.id);
                };
                tried.retain(|(n, _)| *n != name);
                tried.push((name, attempt));
            }
            answer => {
                assert!(answer.is_some(), "{}: not dispatched", doc.id);
                return (args, tried);
            }
        }
    }
}

/// `(method, path, sorted query pairs)` of every request the server saw.
async fn received(server: &MockServer) -> Vec<(String, String, Vec<(String, String)>)> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            let mut query: Vec<(String, String)> = r.url.query_pairs().into_owned().collect();
            query.sort();
            (r.method.to_string(), r.url.path().to_owned(), query)
        })
        .collect()
}

#[tokio::test]
async fn operations_without_path_parameters_hit_their_url_under_a_base_path_and_another_version() {
    let server = server().await;
    let client = Client::builder()
        .base_url(format!("{}/api", server.uri()))
        .app_key(APP_KEY)
        .api_version("2.0")
        .build()
        .unwrap();
    let mut expected = Vec::new();
    client.set_session_token("a-session").unwrap();
    for doc in <etna_client::generated::Client as GeneratedClient>::OPERATIONS {
        let (args, tried) = sent_once(&client, doc).await;
        // Each path parameter as `arguments` gives it.
        let mut path = format!("/api{}", doc.full_path.replace("{version}", "2.0"));
        let text = |name: &str| match value(name, &tried) {
            Some(Value::String(s)) => Some(s),
            other => other.map(|v| v.to_string()),
        };
        for parameter in doc.parameters {
            if let Some(value) = text(parameter.name) {
                path = path.replace(&format!("{{{}}}", parameter.name), &value);
            }
        }
        let mut query: Vec<(String, String)> = doc
            .parameters
            .iter()
            .filter(|p| p.location == etna_client::Location::Query)
            .filter_map(|p| text(p.name).map(|v| (p.name.to_owned(), v)))
            .collect();
        query.sort();
        // Twice: the second call must not see what the first did to its URL.
        let answer = client.dispatch(doc.id, &args).await;
        assert!(answer.is_some(), "{}: not dispatched", doc.id);
        for _ in 0..2 {
            expected.push((doc.method.to_owned(), path.clone(), query.clone()));
        }
    }
    // Two calls of each operation of the spec, none skipped.
    assert_eq!(
        expected.len(),
        2 * <etna_client::generated::Client as GeneratedClient>::OPERATIONS.len()
    );
    assert_eq!(received(&server).await, expected);
}

/// Settings taken from a built client into a generated client with another
/// base URL: the requests go where that client says, as before the cache.
#[tokio::test]
async fn a_generated_client_with_another_base_url_does_not_use_the_cached_urls() {
    let built_for = server().await;
    let elsewhere = server().await;
    let client = Client::builder()
        .base_url(built_for.uri())
        .app_key(APP_KEY)
        .build()
        .unwrap();
    let moved = etna_client::generated::Client::new_with_client(
        &format!("{}/other/v9", elsewhere.uri()),
        reqwest::Client::new(),
        client.api().state().clone(),
    );
    let (doc, path) = <etna_client::generated::Client as GeneratedClient>::OPERATIONS
        .iter()
        .find_map(|doc| {
            let path = doc.path;
            (doc.server == 0
                && !path.contains('{')
                && doc.security.bearer == etna_client::Need::None)
                .then_some((doc, path))
        })
        .expect("the spec has an operation without path parameters");
    assert!(moved.dispatch(doc.id, &arguments(doc, &[])).await.is_some());
    assert!(received(&built_for).await.is_empty());
    let requests = received(&elsewhere).await;
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].1, format!("/other/v9{path}"));
}
