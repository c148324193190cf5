//! The hand-written call with one of etna-client's own per-call steps swapped
//! in, to find where the client's extra time goes. Every step runs the
//! client's code itself (its hooks, its generated types, its decoder, on the
//! client's own reqwest client), not a copy of it.

use std::sync::Arc;

use etna_client::Operation;
use etna_client::generated::builder::GenerateResetToken;
use etna_client::types::{self, ResetTokenEnvelope};
use progenitor_client::{ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

use crate::caller::{CODE, CallFailed};
use crate::handwritten;
use crate::server::TOKEN;

/// Which of etna-client's steps replaces the hand-written one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    /// None: the hand-written call on etna-client's reqwest client (sanity
    /// check: its ratio is 1 within noise).
    None,
    /// The body built through the generated builder and its `try_from`
    /// checks, serialized from the generated type.
    TypedBody,
    /// `hooks::pre` adds the app key (and the timeout, when the caller gave
    /// the reqwest client) instead of a plain header insert.
    Pre,
    /// `hooks::exec` sends: its tracing span, its timing, its body cap.
    Exec,
    /// `decode::response_value`, what every generated `send` decodes with,
    /// reads the body into progenitor's `ResponseValue` (headers moved, not
    /// copied) instead of `serde_json::from_slice`.
    Decode,
}

impl Step {
    /// Every step, in table order.
    pub const ALL: [Step; 5] = [
        Step::None,
        Step::TypedBody,
        Step::Pre,
        Step::Exec,
        Step::Decode,
    ];

    /// What the table row says.
    pub fn describe(self) -> &'static str {
        match self {
            Step::None => {
                "none (sanity check: the hand-written call on the client's reqwest client)"
            }
            Step::TypedBody => "the body through the generated builder and types",
            Step::Pre => "`hooks::pre` (app key header, timeout)",
            Step::Exec => {
                "`hooks::exec` (tracing span and timing when a subscriber wants them, body cap)"
            }
            Step::Decode => "`decode::response_value` (the body into progenitor's `ResponseValue`)",
        }
    }
}

/// The hand-written reset-token call with one [`Step`] of etna-client.
pub struct StepCall {
    step: Step,
    client: etna_client::Client,
    url: reqwest::Url,
    app_key: HeaderValue,
}

impl StepCall {
    /// For the API root `base_url`; the client is etna-client's default one.
    pub fn new(step: Step, base_url: &str) -> Result<Arc<Self>, CallFailed> {
        let client = etna_client::Client::new(base_url, crate::caller::APP_KEY)
            .map_err(|e| CallFailed(format!("building etna-client: {e}")))?;
        let url = handwritten::HandWritten::reset_code_url(base_url)
            .map_err(|e| CallFailed(e.to_string()))?;
        let mut app_key = HeaderValue::from_static(crate::caller::APP_KEY);
        app_key.set_sensitive(true);
        Ok(Arc::new(Self {
            step,
            client,
            url,
            app_key,
        }))
    }

    /// The step this call swaps in.
    pub fn step(&self) -> Step {
        self.step
    }

    /// One call; checks that the token came back.
    pub async fn call(&self) -> Result<(), CallFailed> {
        let fail = |e: &dyn std::fmt::Display| CallFailed(e.to_string());
        let api = self.client.api();
        let http = api.client();
        let limits = api.inner();
        let info = OperationInfo {
            operation_id: <GenerateResetToken<'static> as Operation>::ID,
        };
        let builder = http
            .post(self.url.clone())
            .header(ACCEPT, HeaderValue::from_static("application/json"));
        let builder = if self.step == Step::TypedBody {
            let body = types::ResetCodeRequest::try_from(
                types::builder::ResetCodeRequest::default()
                    .code(CODE)
                    .identifier(types::ResetIdentifier::ResetPassword),
            )
            .map_err(|e| fail(&e))?;
            builder.json(&body)
        } else {
            builder.json(&handwritten::ResetCodeRequest {
                code: CODE,
                identifier: "ResetPassword",
            })
        };
        let mut request = builder.build().map_err(|e| fail(&e))?;
        if self.step == Step::Pre {
            etna_client::__private::pre(limits, &mut request, &info).map_err(|e| fail(&e))?;
        } else {
            request
                .headers_mut()
                .insert(HeaderName::from_static("et-app-key"), self.app_key.clone());
        }
        let response = if self.step == Step::Exec {
            etna_client::__private::exec(http, limits, request, &info).await
        } else {
            http.execute(request).await
        }
        .map_err(|e| fail(&e))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(CallFailed(format!("status {}", response.status())));
        }
        let envelope: ResetTokenEnvelope = if self.step == Step::Decode {
            etna_client::__private::response_value::<ResetTokenEnvelope, types::ErrorBody>(response)
                .await
                .map_err(|e| fail(&e))?
                .into_inner()
        } else {
            let body = response.bytes().await.map_err(|e| fail(&e))?;
            serde_json::from_slice(&body).map_err(|e| fail(&e))?
        };
        match envelope.model {
            Some(token) if envelope.is_succeed && token.expose() == TOKEN => Ok(()),
            _ => Err(CallFailed(
                "the answer did not carry the expected token".to_owned(),
            )),
        }
    }
}
