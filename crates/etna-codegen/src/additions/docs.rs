//! What the operation table and `Dispatch` say of each operation's inputs:
//! its summary, its parameters and its body, as `etna_client` expressions.
//! Read once, in the order of `GeneratedClient::OPERATIONS`, for both.

use etna_spec::model::{Api, Location};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// One operation's inputs, as the table and `Dispatch` use them.
pub(super) struct OperationDoc {
    pub(super) id: String,
    pub(super) summary: String,
    /// `ParameterDoc` values, each followed by a comma.
    pub(super) parameters: TokenStream,
    /// `Some(BodyDoc { .. })` or `None`.
    pub(super) body: TokenStream,
    /// `AnswerSecrets { .. }`: what of its documented answers is a secret.
    pub(super) answer_secrets: TokenStream,
    pub(super) has_body: bool,
    /// The parameters' names as the spec writes them.
    pub(super) parameter_names: Vec<String>,
    /// Whether its success answer is a page (`paging.rs`).
    pub(super) paged: bool,
}

/// The operations of `api`, `$ref`s followed (a reference that leads
/// nowhere reads as an empty object; preflight and the linters report it).
pub(super) fn operation_docs(spec: &Value, api: &Api<'_>) -> Vec<OperationDoc> {
    let empty = Value::Null;
    let resolve = |value: &Value| -> Value {
        etna_spec::follow(spec, value)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let paged = super::paged_operations(spec, api);
    let mut out = Vec::new();
    for op in &api.operations {
        let parameters: TokenStream = op
            .parameters
            .iter()
            .map(|p| {
                let location = format_ident!(
                    "{}",
                    match p.location {
                        Location::Path => "Path",
                        Location::Query => "Query",
                        Location::Header => "Header",
                    }
                );
                let (name, required, secret, description) =
                    (&p.name, p.required, p.secret, &p.description);
                quote! {
                    ::etna_client::ParameterDoc { name: #name, location: ::etna_client::Location::#location, required: #required, secret: #secret, description: #description },
                }
            })
            .collect();
        let body = op.raw.get("requestBody").map(resolve).map(|body| {
            let media = body
                .pointer("/content/application~1json")
                .cloned()
                .unwrap_or(Value::Null);
            let schema = resolve(media.get("schema").unwrap_or(&empty));
            let example = media
                .get("example")
                .or_else(|| schema.get("example"))
                .map(Value::to_string)
                .unwrap_or_default();
            let secrets =
                etna_spec::model::secret_properties(spec, media.get("schema").unwrap_or(&empty));
            let required = body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            quote! {
                Some(::etna_client::BodyDoc { required: #required, secret_properties: &[#(#secrets,)*], example: #example })
            }
        });
        out.push(OperationDoc {
            answer_secrets: answer_secrets(spec, op.raw),
            id: op.id.to_owned(),
            summary: op
                .raw
                .get("summary")
                .and_then(Value::as_str)
                .unwrap_or("")
                .trim()
                .to_owned(),
            parameters,
            has_body: body.is_some(),
            body: body.unwrap_or_else(|| quote!(None)),
            parameter_names: op.parameters.iter().map(|p| p.name.clone()).collect(),
            paged: paged.iter().any(|p| p.id == op.id),
        });
    }
    out
}

/// What of an operation's documented answers (every status) is a secret:
/// the whole body, and the JSON names of secret properties, `$ref`s
/// followed.
fn answer_secrets(spec: &Value, operation: &Value) -> TokenStream {
    let mut body = false;
    let mut properties = Vec::new();
    let responses = operation.get("responses").and_then(Value::as_object);
    for response in responses.into_iter().flat_map(|r| r.values()) {
        let response = etna_spec::follow(spec, response).unwrap_or(&Value::Null);
        if let Some(schema) = response.pointer("/content/application~1json/schema") {
            body |= etna_spec::model::is_secret_schema(spec, schema);
            properties.extend(etna_spec::model::secret_properties(spec, schema));
        }
    }
    properties.sort();
    properties.dedup();
    quote! {
        ::etna_client::AnswerSecrets { body: #body, properties: &[#(#properties,)*] }
    }
}
