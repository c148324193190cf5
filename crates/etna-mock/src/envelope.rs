//! Answers built from an operation's documented examples, by the kind of
//! body each response documents ([`BodyKind`]): the envelope, with the roles
//! the spec names with `x-etna-envelope`, so that a scenario says "accepted"
//! or "refused because" and never writes a field name; a plain body exactly
//! as its example shows it; no body at all (and no content type) for a
//! response that documents none. Nothing is invented: every status is one
//! the operation documents, and envelope fields are only ever written into
//! an envelope.

use std::collections::BTreeMap;

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use etna_spec::model::BodyKind;
use serde_json::{Value, json};

/// Every documented example of an operation, by status, `(name, value)` in
/// the order the spec writes them.
pub(crate) type Documented = BTreeMap<u16, Vec<(String, Value)>>;

/// What each documented response of an operation carries, by status.
pub(crate) type Kinds = BTreeMap<u16, BodyKind>;

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
    /// The JSON text of the examples whose numbers the JSON model rounds.
    pub(crate) written: &'a crate::written::Written,
    pub(crate) kinds: &'a Kinds,
    pub(crate) roles: Option<&'a Roles>,
    /// The documented status an invalid request gets.
    pub(crate) invalid_status: u16,
}

impl Answers<'_> {
    /// The first documented 2xx example without errors, with `model` as its
    /// model when given and the answer is an envelope; a documented 2xx
    /// without a body when the operation has no such example.
    pub(crate) fn accepted(&self, model: Option<Value>) -> Response {
        let Some((status, name, mut body)) = self.success_example(false) else {
            let status = self
                .kinds
                .range(200..300)
                .map(|(status, _)| *status)
                .next()
                .unwrap_or(200);
            return self.example_or_empty(status);
        };
        if let (Some(model), Some(key)) = (model, self.roles.and_then(|r| r.model.as_ref()))
            && self.is_envelope(status, &body)
            && let Some(object) = body.as_object_mut()
        {
            object.insert(key.clone(), model);
            return json_response(status, &body);
        }
        // As written: every digit of its numbers.
        match self.written.get(&(status, name)) {
            Some(text) => json_text_response(status, text.clone()),
            None => json_response(status, &body),
        }
    }

    /// A refusal with the reason `code`: the documented 2xx example that
    /// carries exactly this code, as written; else a documented envelope
    /// refusal (or the success envelope turned into one) with `text` and
    /// `code` as its reasons; else, without an envelope to say it in, the
    /// answer to an invalid request.
    pub(crate) fn refused(&self, code: &str, text: &str) -> Response {
        let Some(roles) = self.roles else {
            return self.invalid(vec![(text.to_owned(), code.to_owned())]);
        };
        let documented = self.two_hundreds().find(|(status, example)| {
            self.is_envelope(*status, example)
                && example.get(&roles.error_codes) == Some(&json!([code]))
        });
        if let Some((status, example)) = documented {
            return json_response(status, example);
        }
        let Some((status, _, mut body)) = self
            .success_example(true)
            .or_else(|| self.success_example(false))
            .filter(|(status, _, body)| self.is_envelope(*status, body))
        else {
            return self.invalid(vec![(text.to_owned(), code.to_owned())]);
        };
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

    /// The answer to an invalid request: the documented example of the
    /// operation's invalid-request status, with `reasons` as `(text, code)`
    /// in its errors when it is an envelope, as written otherwise.
    pub(crate) fn invalid(&self, reasons: Vec<(String, String)>) -> Response {
        let status = self.invalid_status;
        let Some((_, example)) = self.documented.get(&status).and_then(|e| e.first()) else {
            return self.example_or_empty(status);
        };
        let mut body = example.clone();
        if let Some(roles) = self.roles
            && self.is_envelope(status, &body)
            && let Some(object) = body.as_object_mut()
        {
            let (texts, codes): (Vec<String>, Vec<String>) = reasons.into_iter().unzip();
            object.insert(roles.errors.clone(), json!(texts));
            object.insert(roles.error_codes.clone(), json!(codes));
        }
        json_response(status, &body)
    }

    /// The documented example `name` of `status`, as written.
    pub(crate) fn example(&self, status: u16, name: &str) -> Option<&Value> {
        self.documented
            .get(&status)?
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, value)| value)
    }

    /// The first documented example of `status`, or the status without a
    /// body (and without a content type).
    pub(crate) fn example_or_empty(&self, status: u16) -> Response {
        crate::faults::documented_answer(status, self.documented, None)
    }

    /// Whether `example`, documented for `status`, is an envelope whose
    /// roles may be filled in: the response's schema is the envelope, or
    /// its schema allows several shapes (a `oneOf`) and this example is the
    /// envelope one (it has the success flag).
    fn is_envelope(&self, status: u16, example: &Value) -> bool {
        let Some(roles) = self.roles else {
            return false;
        };
        match self.kinds.get(&status) {
            Some(BodyKind::Envelope) => example.is_object(),
            Some(BodyKind::Plain) => example.get(&roles.success).is_some_and(Value::is_boolean),
            _ => false,
        }
    }

    fn two_hundreds(&self) -> impl Iterator<Item = (u16, &Value)> {
        self.named_two_hundreds().map(|(status, _, v)| (status, v))
    }

    fn named_two_hundreds(&self) -> impl Iterator<Item = (u16, &String, &Value)> {
        self.documented
            .range(200..300)
            .flat_map(|(status, examples)| examples.iter().map(move |(n, v)| (*status, n, v)))
    }

    /// The first 2xx example with (or without) reasons in its errors: its
    /// status, name and value.
    fn success_example(&self, with_errors: bool) -> Option<(u16, String, Value)> {
        self.named_two_hundreds()
            .find(|(status, _, example)| self.has_errors(*status, example) == with_errors)
            .map(|(status, name, example)| (status, name.clone(), example.clone()))
    }

    fn has_errors(&self, status: u16, example: &Value) -> bool {
        let Some(roles) = self.roles else {
            return false;
        };
        self.is_envelope(status, example)
            && [&roles.errors, &roles.error_codes].into_iter().any(|key| {
                example
                    .get(key)
                    .and_then(Value::as_array)
                    .is_some_and(|list| !list.is_empty())
            })
    }
}

pub(crate) fn json_response(status: u16, body: &Value) -> Response {
    json_text_response(status, body.to_string())
}

/// `text`, which is JSON, as the body.
pub(crate) fn json_text_response(status: u16, text: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], text).into_response()
}
