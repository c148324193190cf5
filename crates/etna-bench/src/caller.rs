//! The two ways of making the reset-token call that the request benchmark
//! compares.

use std::sync::Arc;

use etna_client::Operation;
use etna_client::types::{ResetCodeRequest, ResetIdentifier, ResetTokenEnvelope};

use crate::handwritten::HandWritten;
use crate::prototype::Prototype;
use crate::server::TOKEN;

/// The confirmation code every benchmark request sends.
pub const CODE: &str = "231408";

/// One side of the comparison. Both share nothing but the server.
#[derive(Clone)]
pub enum Caller {
    /// `generate_reset_token().body(..).call()` of etna-client.
    Generated(etna_client::Client),
    /// The hand-written reqwest call, decoding the generated envelope type.
    HandWritten(Arc<HandWritten>),
    /// A variant of the hand-written call with some of etna-client's steps.
    Prototype(Arc<Prototype>),
}

/// A call that did not return the server's token: the benchmark stops rather
/// than time failures.
#[derive(Debug)]
pub struct CallFailed(pub String);

impl std::fmt::Display for CallFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a benchmark request failed: {}", self.0)
    }
}

impl std::error::Error for CallFailed {}

impl Caller {
    /// Both sides for the API root `base_url`, each with its own connection pool.
    pub fn both(base_url: &str) -> Result<[Caller; 2], CallFailed> {
        let generated = etna_client::Client::new(base_url, "bench-app-key")
            .map_err(|e| CallFailed(format!("building etna-client: {e}")))?;
        let handwritten = HandWritten::new(base_url, "bench-app-key")
            .map_err(|e| CallFailed(format!("building the hand-written client: {e}")))?;
        Ok([
            Caller::Generated(generated),
            Caller::HandWritten(Arc::new(handwritten)),
        ])
    }

    /// Short name for tables and benchmark ids.
    pub fn name(&self) -> &'static str {
        match self {
            Caller::Generated(_) => "etna_client",
            Caller::HandWritten(_) => "handwritten",
            Caller::Prototype(prototype) => prototype.name,
        }
    }

    /// Makes one call and checks that it returned the token.
    pub async fn call(&self) -> Result<(), CallFailed> {
        let token = match self {
            Caller::Generated(client) => client
                .generate_reset_token()
                .body(ResetCodeRequest {
                    code: CODE.into(),
                    identifier: ResetIdentifier::ResetPassword,
                })
                .call()
                .await
                .map(|token| token.expose() == TOKEN)
                .map_err(|e| CallFailed(e.to_string()))?,
            Caller::HandWritten(client) => {
                let envelope: ResetTokenEnvelope = client
                    .send(CODE, "ResetPassword")
                    .await
                    .map_err(|e| CallFailed(e.to_string()))?;
                envelope.is_succeed && envelope.model.is_some_and(|token| token.expose() == TOKEN)
            }
            Caller::Prototype(prototype) => return prototype.call().await,
        };
        if token {
            Ok(())
        } else {
            Err(CallFailed(
                "the answer did not carry the expected token".to_owned(),
            ))
        }
    }
}
