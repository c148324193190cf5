//! Answers in the spec's envelope, built from an operation's documented
//! examples and the roles the spec names with `x-etna-envelope`, so that a
//! scenario says "accepted" or "refused because" and never writes a field
//! name.

use std::collections::BTreeMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// Every documented example of an operation, by status, `(name, value)` in
/// the order the spec writes them.
pub(crate) type Documented = BTreeMap<u16, Vec<(String, Value)>>;

/// The envelope's field names, from the spec's `x-etna-envelope`.
#[derive(Clone, Debug)]
pub(crate) struct Roles {
    pub(crate) success: String,
    pub(crate) errors: String,
    pub(crate) error_codes: String,
    pub(crate) model: Option<String>,
}

/// The roles of the schema with `x-etna-envelope`, if the spec has one.
pub(crate) fn roles(doc: &Value) -> Option<Roles> {
    let roles = doc
        .pointer("/components/schemas")?
        .as_object()?
        .values()
        .find_map(|schema| schema.get("x-etna-envelope"))?;
    let role = |name: &str| roles.get(name).and_then(Value::as_str).map(str::to_owned);
    Some(Roles {
        success: role("success")?,
        errors: role("errors")?,
        error_codes: role("errorCodes")?,
        model: role("model"),
    })
}

/// The answers of one operation.
pub(crate) struct Answers<'a> {
    pub(crate) documented: &'a Documented,
    pub(crate) roles: Option<&'a Roles>,
}

impl Answers<'_> {
    /// The first documented 2xx example without errors, with `model` as its
    /// model when given.
    pub(crate) fn accepted(&self, model: Option<Value>) -> Response {
        let Some((status, mut body)) = self.success_example(false) else {
            return StatusCode::NO_CONTENT.into_response();
        };
        if let (Some(model), Some(key), Some(object)) = (
            model,
            self.roles.and_then(|r| r.model.as_ref()),
            body.as_object_mut(),
        ) {
            object.insert(key.clone(), model);
        }
        json_response(status, &body)
    }

    /// A refusal with the reason `code`: the documented 2xx example that
    /// carries exactly this code, as written; else a documented refusal (or
    /// the success example turned into one) with `text` and `code` as its
    /// reasons.
    pub(crate) fn refused(&self, code: &str, text: &str) -> Response {
        let Some(roles) = self.roles else {
            return json_response(200, &json!({ "errors": [text], "codes": [code] }));
        };
        let documented = self
            .two_hundreds()
            .find(|(_, example)| example.get(&roles.error_codes) == Some(&json!([code])));
        if let Some((status, example)) = documented {
            return json_response(status, example);
        }
        let (status, mut body) = self
            .success_example(true)
            .or_else(|| self.success_example(false))
            .unwrap_or((200, json!({})));
        if let Some(object) = body.as_object_mut() {
            object.insert(roles.success.clone(), json!(false));
            object.insert(roles.errors.clone(), json!([text]));
            object.insert(roles.error_codes.clone(), json!([code]));
            if let Some(model) = &roles.model
                && object.contains_key(model)
            {
                object.insert(model.clone(), Value::Null);
            }
        }
        json_response(status, &body)
    }

    /// The documented 400 (or 422) example with `reasons` as
    /// `(text, code)` in the envelope's errors.
    pub(crate) fn invalid(&self, reasons: Vec<(String, String)>) -> Response {
        let (status, example) = [400u16, 422]
            .into_iter()
            .find_map(|s| {
                self.documented
                    .get(&s)
                    .and_then(|e| e.first())
                    .map(|(_, v)| (s, v.clone()))
            })
            .unwrap_or((400, json!({})));
        let (texts, codes): (Vec<String>, Vec<String>) = reasons.into_iter().unzip();
        let mut body = example;
        match (self.roles, body.as_object_mut()) {
            (Some(roles), Some(object)) => {
                object.insert(roles.errors.clone(), json!(texts));
                object.insert(roles.error_codes.clone(), json!(codes));
            }
            _ => body = json!({ "errors": texts, "codes": codes }),
        }
        json_response(status, &body)
    }

    fn two_hundreds(&self) -> impl Iterator<Item = (u16, &Value)> {
        self.documented
            .range(200..300)
            .flat_map(|(status, examples)| examples.iter().map(move |(_, v)| (*status, v)))
    }

    /// The first 2xx example with (or without) reasons in its errors.
    fn success_example(&self, with_errors: bool) -> Option<(u16, Value)> {
        self.two_hundreds()
            .find(|(_, example)| self.has_errors(example) == with_errors)
            .map(|(status, example)| (status, example.clone()))
    }

    fn has_errors(&self, example: &Value) -> bool {
        let Some(roles) = self.roles else {
            return false;
        };
        [&roles.errors, &roles.error_codes].into_iter().any(|key| {
            example
                .get(key)
                .and_then(Value::as_array)
                .is_some_and(|list| !list.is_empty())
        })
    }
}

pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}
