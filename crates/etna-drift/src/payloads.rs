//! Request bodies and responses: the types a call sends and decodes.

use etna_spec::{pointer::push, typed};
use indexmap::IndexMap;
use openapiv3::{MediaType, ReferenceOr, Response, StatusCode};

use crate::Ctx;
use crate::change::{Change, Class};
use crate::op::Op;
use crate::rules::{Rule, Verdict};
use crate::schemas::{self, Dir, Site};

pub(crate) fn request_body(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    let at = |op: &Op| push(&op.at, "requestBody");
    let old =
        o.op.request_body
            .as_ref()
            .map(|b| typed::follow(ctx.old, b, at(o)));
    let new =
        n.op.request_body
            .as_ref()
            .map(|b| typed::follow(ctx.new, b, at(n)));
    let change = |verdict: Verdict, pointer: String, detail: String| {
        Change::new(verdict, Some(label), pointer, detail)
    };
    match (old, new) {
        (None, None) => {}
        (Some(Err(e)), _) | (_, Some(Err(e))) => ctx.push(change(Rule::UnresolvedRef.into(), at(n), format!("cannot compare the request body: {e}"))),
        (Some(Ok(_)), None) => ctx.push(change(Rule::RequestBodyRemoved.into(), at(o), "the request body is removed: the builder method `.body(..)` is gone, so code calling it stops compiling".to_owned())),
        (None, Some(Ok((body, _)))) => {
            let (class, detail) = if body.required {
                (Class::Breaking, "new required request body: `send()` fails with `Error::InvalidRequest` until callers call `.body(..)`")
            } else {
                (Class::Compatible, "new optional request body: a new builder method `.body(..)`")
            };
            ctx.push(change(Rule::RequestBodyAdded.with(class), at(n), detail.to_owned()));
        }
        (Some(Ok((a, a_at))), Some(Ok((b, b_at)))) => {
            if a.required != b.required {
                // Progenitor's builder always sends the body (a default one when
                // `.body(..)` is not called), so requiredness never reaches callers.
                let detail = if b.required {
                    "the request body is now required: the generated client always sends one, so Rust callers are not affected (HTTP clients that omitted it are)"
                } else {
                    "the request body is now optional: the generated client still always sends one"
                };
                ctx.push(change(Rule::RequestBodyRequired.into(), push(&b_at, "required"), detail.to_owned()));
            }
            let site = Site { operation: Some(label.to_owned()), what: "request body".to_owned(), dir: Dir::Request, open: None, hand_written: None };
            media(ctx, &site, (&a.content, &push(&a_at, "content")), (&b.content, &push(&b_at, "content")));
        }
    }
}

/// Compares the media types of a body; the schemas of those on both sides.
fn media(
    ctx: &mut Ctx,
    site: &Site,
    (a, a_at): (&IndexMap<String, MediaType>, &str),
    (b, b_at): (&IndexMap<String, MediaType>, &str),
) {
    for name in a.keys().filter(|k| !b.contains_key(*k)) {
        // etna-codegen sends a request body as `application/json` alone
        // when the spec offers other JSON types beside it (`text/json`).
        let never_sent = matches!(site.dir, Dir::Request)
            && name != "application/json"
            && is_json(name)
            && b.contains_key("application/json");
        let (class, effect) = match site.dir {
            Dir::Request if never_sent => (
                Class::Compatible,
                "the client sends `application/json`, which stays, and never sent this one",
            ),
            Dir::Request => (
                Class::Breaking,
                "the client sends it, and the API no longer accepts it",
            ),
            Dir::Response => (
                Class::Breaking,
                "code that relied on it is wrong, and the generated method's return type may change",
            ),
        };
        let detail = format!("media type `{name}` is removed: {effect}");
        ctx.push(
            site.change(Rule::MediaTypeRemoved.with(class), push(a_at, name), detail)
                .covering(push(b_at, name)),
        );
    }
    for name in b.keys().filter(|k| !a.contains_key(*k)) {
        let (class, effect) = match site.dir {
            Dir::Request => (
                Class::Compatible,
                "the API accepts another encoding as well",
            ),
            Dir::Response => (
                Class::Breaking,
                "the API may answer in an encoding clients built before do not decode",
            ),
        };
        ctx.push(site.change(
            Rule::MediaTypeAdded.with(class),
            push(b_at, name),
            format!("new media type `{name}`: {effect}"),
        ));
    }
    for (name, old) in a {
        let Some(new) = b.get(name) else { continue };
        let (oa, na) = (
            push(&push(a_at, name), "schema"),
            push(&push(b_at, name), "schema"),
        );
        match (&old.schema, &new.schema) {
            (Some(x), Some(y)) => {
                schemas::compare(ctx, site, (x.into(), &oa), (y.into(), &na), "the body")
            }
            (None, None) => {}
            _ => ctx.push(site.change(
                Rule::BodySchemaChanged,
                na,
                "the body gains or loses its schema: the Rust type of the body changes",
            )),
        }
    }
}

/// `text/json`, `application/json` or a `+json` type, parameters aside.
fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json"
        || essence == "text/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

fn status_key(code: &StatusCode) -> String {
    code.to_string()
}

fn is_success(key: &str) -> bool {
    key.starts_with('2')
}

pub(crate) fn responses(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    fn list<'a>(op: &Op<'a>) -> Vec<(String, &'a ReferenceOr<Response>)> {
        let mut out: Vec<(String, &ReferenceOr<Response>)> = op
            .op
            .responses
            .responses
            .iter()
            .map(|(k, v)| (status_key(k), v))
            .collect();
        if let Some(default) = &op.op.responses.default {
            out.push(("default".to_owned(), default));
        }
        out
    }
    let (old, new) = (list(o), list(n));
    let (o_at, n_at) = (push(&o.at, "responses"), push(&n.at, "responses"));
    error_type(ctx, label, (&old, ctx.old), (&new, ctx.new), &n_at);
    for (key, _) in old.iter().filter(|(k, _)| !new.iter().any(|(j, _)| j == k)) {
        let detail = if is_success(key) {
            format!(
                "success response {key} is removed: the API answers differently, so clients built before get `Error::UnexpectedResponse` (etna-client: `Error::UnexpectedStatus`), and the method's return type may change"
            )
        } else {
            format!(
                "error response {key} is no longer documented: the API should not send it any more"
            )
        };
        let class = if is_success(key) {
            Class::Breaking
        } else {
            Class::Compatible
        };
        ctx.push(
            Change::new(
                Rule::ResponseRemoved.with(class),
                Some(label),
                push(&o_at, key),
                detail,
            )
            .covering(push(&n_at, key)),
        );
    }
    for (key, _) in new.iter().filter(|(k, _)| !old.iter().any(|(j, _)| j == k)) {
        let detail = if is_success(key) {
            format!(
                "new success response {key}: progenitor decodes every success status into one type, so the method's return type may change; clients built before treat it as unexpected"
            )
        } else {
            format!(
                "new error response {key}: clients built before treat it as `Error::UnexpectedResponse` (etna-client: `Error::UnexpectedStatus`); callers that handle errors by status must handle it"
            )
        };
        ctx.push(Change::new(
            Rule::ResponseAdded,
            Some(label),
            push(&n_at, key),
            detail,
        ));
    }
    for (key, old_response) in &old {
        let Some((_, new_response)) = new.iter().find(|(k, _)| k == key) else {
            continue;
        };
        let (a, b) = (
            typed::follow(ctx.old, old_response, push(&o_at, key)),
            typed::follow(ctx.new, new_response, push(&n_at, key)),
        );
        let ((a, a_at), (b, b_at)) = match (a, b) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(e), _) | (_, Err(e)) => {
                ctx.push(Change::new(
                    Rule::UnresolvedRef,
                    Some(label),
                    push(&n_at, key),
                    format!("cannot compare response {key}: {e}"),
                ));
                continue;
            }
        };
        let site = Site {
            operation: Some(label.to_owned()),
            what: format!("response {key}"),
            dir: Dir::Response,
            open: None,
            hand_written: None,
        };
        media(
            ctx,
            &site,
            (&a.content, &push(&a_at, "content")),
            (&b.content, &push(&b_at, "content")),
        );
        headers(ctx, &site, (a, &a_at), (b, &b_at));
        refusal(ctx, label, key, (a, &a_at), (b, &b_at));
    }
}

/// The JSON body schemas of an operation's error answers, each once.
fn error_bodies(
    spec: &openapiv3::OpenAPI,
    responses: &[(String, &ReferenceOr<Response>)],
) -> std::collections::BTreeSet<String> {
    responses
        .iter()
        .filter(|(key, _)| !is_success(key))
        .filter_map(|(key, r)| typed::follow(spec, r, key.clone()).ok())
        .filter_map(|(r, _)| {
            r.content
                .iter()
                .find(|(media, _)| {
                    media.as_str() == "application/json" || media.starts_with("application/json;")
                })
                .and_then(|(_, m)| m.schema.as_ref())
                .map(|schema| serde_json::to_string(schema).unwrap_or_default())
        })
        .collect()
}

/// etna-codegen gives an operation whose error answers have several body
/// schemas its own error type, `<Op>ErrorBody` (a variant per body,
/// decoded by status); one schema stays that schema's type. Going from one
/// to the other changes the type callers name and downcast to.
fn error_type(
    ctx: &mut Ctx,
    label: &str,
    (old, old_spec): (&[(String, &ReferenceOr<Response>)], &openapiv3::OpenAPI),
    (new, new_spec): (&[(String, &ReferenceOr<Response>)], &openapiv3::OpenAPI),
    at: &str,
) {
    let (before, after) = (
        error_bodies(old_spec, old).len(),
        error_bodies(new_spec, new).len(),
    );
    if (before > 1) == (after > 1) {
        return;
    }
    let detail = if after > 1 {
        format!(
            "the error answers now have {after} body schemas: the operation's error type becomes its own `<Op>ErrorBody` enum (a variant per body, decoded by status), so code that names or downcasts `Error::Rejected`'s body to the old type stops compiling or finds nothing"
        )
    } else {
        format!(
            "the error answers now have one body schema ({before} before): the operation's error type is that schema's type instead of its own `<Op>ErrorBody` enum, so code that names or matches the enum stops compiling"
        )
    };
    ctx.push(Change::new(
        Rule::ErrorTypeChanged,
        Some(label),
        at.to_owned(),
        detail,
    ));
}

/// `x-etna-refuses`: the wire does not change, but which error `call()`
/// makes of the answer does.
fn refusal(
    ctx: &mut Ctx,
    label: &str,
    key: &str,
    (a, a_at): (&Response, &str),
    (b, b_at): (&Response, &str),
) {
    const MARK: &str = "x-etna-refuses";
    let refuses = |r: &Response| r.extensions.get(MARK).cloned();
    let (old, new) = (refuses(a), refuses(b));
    if old == new {
        return;
    }
    let name = |v: &Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(scheme)) => format!("a refused `{scheme}`"),
        Some(other) => format!("`{other}`"),
        None => "the operation's own refusal".to_owned(),
    };
    let detail = format!(
        "response {key} changes from {} to {}: `call()` reports it as another error (`Error::AppKeyRejected`, `Error::SessionRejected` or `Error::Rejected`); check every caller's handling of it",
        name(&old),
        name(&new)
    );
    ctx.push(
        Change::new(Rule::RefusalChanged, Some(label), push(b_at, MARK), detail)
            .covering(push(a_at, MARK)),
    );
}

/// Response headers: progenitor does not decode them; callers read them from
/// `ResponseValue::headers()`.
fn headers(ctx: &mut Ctx, site: &Site, (a, a_at): (&Response, &str), (b, b_at): (&Response, &str)) {
    let key = |name: &String| name.to_ascii_lowercase();
    for (name, header) in &a.headers {
        if b.headers.keys().any(|n| key(n) == key(name)) {
            continue;
        }
        let required = typed::follow(ctx.old, header, String::new()).is_ok_and(|(h, _)| h.required);
        let class = if required {
            Class::Breaking
        } else {
            Class::Warning
        };
        let detail = format!(
            "response header `{name}` is no longer documented: code reading it from `ResponseValue::headers()` may find nothing"
        );
        ctx.push(site.change(
            Rule::ResponseHeaderRemoved.with(class),
            push(&push(a_at, "headers"), name),
            detail,
        ));
    }
    for name in b
        .headers
        .keys()
        .filter(|n| !a.headers.keys().any(|m| key(m) == key(n)))
    {
        let detail =
            format!("new response header `{name}`: readable from `ResponseValue::headers()`");
        ctx.push(site.change(
            Rule::ResponseHeaderAdded,
            push(&push(b_at, "headers"), name),
            detail,
        ));
    }
}
