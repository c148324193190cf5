//! What generation adds to progenitor's output so that etna-client's generic
//! layer works for every operation without hand-written code per operation:
//!
//! - `impl Envelope` for every struct that has the envelope's fields, as the
//!   schema with `x-etna-envelope` names them;
//! - `impl ErrorPayload` for every error type the operations use;
//! - `impl Operation` for every builder whose success type is an envelope,
//!   with the operation's id, method, path template, success rule and
//!   documented statuses;
//! - `impl GeneratedClient` with the server's base path and variables and the
//!   names of the secret properties, and the `ClientHooks` that hand every
//!   request to etna-client.
//!
//! Everything here is read from the spec and from the generated syntax tree;
//! nothing names an operation, a schema or a property.

use std::collections::BTreeMap;

use etna_spec::pointer;
use quote::ToTokens;
use serde_json::Value;
use syn::{Fields, GenericArgument, Item, ItemMod, PathArguments, ReturnType, Type};

use crate::CodegenError;
use crate::preflight::Problem;

use etna_spec::model::EnvelopeRoles as Roles;

/// A struct of `mod types`: its fields by JSON name, as `(ident, type)`.
type Fields_ = BTreeMap<String, (String, Type)>;

pub(crate) fn add(spec: &Value, file: &mut syn::File) -> Result<(), CodegenError> {
    let api = model(spec)?;
    let roles = api.envelope.clone();
    let types = module(file, "types").ok_or_else(|| syntax("no `mod types`"))?;
    let structs = structs(types);
    let enums = enums(types);
    let mut root_items = Vec::new();
    // Impls for the types go into `mod types`, where their field types are
    // in scope as written.
    let mut type_items = Vec::new();
    let mut builder_items = Vec::new();

    let envelopes: BTreeMap<&String, &Fields_> = match &roles {
        Some(roles) => structs
            .iter()
            .filter(|(_, fields)| {
                fields.contains_key(&roles.success) && fields.contains_key(&roles.errors)
            })
            .collect(),
        None => BTreeMap::new(),
    };
    if let Some(roles) = &roles {
        for (name, fields) in &envelopes {
            type_items.push(envelope_impl(name, fields, roles)?);
        }
    }

    let sends = send_signatures(file);
    let mut error_types = Vec::new();
    for (index, (operation, op)) in operations(spec)?.iter().zip(&api.operations).enumerate() {
        let builder = upper_camel(&operation.id);
        let Some((ok, err)) = sends.get(&builder) else {
            return Err(syntax(&format!(
                "no builder `{builder}` with a `send` method"
            )));
        };
        let err_name = type_name(err)
            .filter(|n| n != "()" && structs.contains_key(n) || enums.contains_key(n));
        if let Some(name) = &err_name
            && !error_types.contains(name)
        {
            error_types.push(name.clone());
        }
        builder_items.extend(operation_impls(
            index, operation, op, &builder, ok, err, &envelopes,
        )?);
    }
    for name in &error_types {
        type_items.push(error_payload_impl(name, &envelopes, &enums)?);
    }
    root_items.push(generated_client_impl(spec, &api)?);
    root_items.push(dispatch_impl(spec, &setters(file))?);
    root_items.push(parse(HOOKS)?);
    root_items.push(json_schemas_fn(types)?);
    derive_json_schema_behind_feature(file);

    for (name, items) in [("types", type_items), ("builder", builder_items)] {
        let module = module_mut(file, name).ok_or_else(|| syntax(&format!("no `mod {name}`")))?;
        if let Some((_, content)) = &mut module.content {
            content.extend(items);
        }
    }
    file.items.extend(root_items);
    Ok(())
}

/// The typed operations of the spec; a construct they cannot express is an
/// error with its pointer.
pub(crate) fn model(spec: &Value) -> Result<etna_spec::model::Api<'_>, CodegenError> {
    etna_spec::model::Api::read(spec).map_err(|problems| {
        CodegenError::Unsupported(
            problems
                .into_iter()
                .map(|p| Problem {
                    pointer: p.pointer,
                    message: p.message,
                })
                .collect(),
        )
    })
}

const HOOKS: &str = r#"
impl ClientHooks<::etna_client::ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        ::etna_client::__private::pre(self.inner(), request, info)
            .map_err(progenitor_client::Error::InvalidRequest)
    }
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        ::etna_client::__private::exec(self.client(), self.inner(), request, info).await
    }
}
"#;

fn envelope_impl(name: &str, fields: &Fields_, roles: &Roles) -> Result<Item, CodegenError> {
    let field = |json: &str| fields.get(json);
    let (success, success_ty) = field(&roles.success).expect("filtered on the success role");
    if !is_path(success_ty, "bool") {
        return Err(unsupported(
            &pointer::join(&[
                "components",
                "schemas",
                name,
                "properties",
                roles.success.as_str(),
            ]),
            "the envelope's success property must be a required boolean",
        ));
    }
    let list = |json: &str| match field(json) {
        None => "&[]".to_owned(),
        Some((ident, ty)) if option_inner(ty).is_some() => {
            format!("self.{ident}.as_deref().unwrap_or_default()")
        }
        Some((ident, _)) => format!("&self.{ident}"),
    };
    let status = match field(&roles.status_code) {
        None => "None".to_owned(),
        Some((ident, ty)) if option_inner(ty).is_some() => format!("self.{ident}.as_ref()"),
        Some((ident, _)) => format!("Some(&self.{ident})"),
    };
    let (model_ty, model) = match field(&roles.model) {
        None => ("()".to_owned(), "Some(())".to_owned()),
        Some((ident, ty)) => match option_inner(ty) {
            Some(inner) => (tokens(inner), format!("self.{ident}")),
            None => (tokens(ty), format!("Some(self.{ident})")),
        },
    };
    parse(&format!(
        "impl ::etna_client::Envelope for {name} {{
            type Model = {model_ty};
            fn succeeded(&self) -> bool {{ self.{success} }}
            fn errors(&self) -> &[::std::string::String] {{ {errors} }}
            fn error_codes(&self) -> &[::std::string::String] {{ {codes} }}
            fn status_code(&self) -> ::std::option::Option<&::etna_client::HttpStatusCode> {{ {status} }}
            fn into_model(self) -> ::std::option::Option<Self::Model> {{ {model} }}
        }}",
        errors = list(&roles.errors),
        codes = list(&roles.error_codes),
    ))
}

fn error_payload_impl(
    name: &str,
    envelopes: &BTreeMap<&String, &Fields_>,
    enums: &BTreeMap<String, Vec<(String, Option<String>)>>,
) -> Result<Item, CodegenError> {
    let body = if envelopes.contains_key(&name.to_owned()) {
        "::etna_client::ErrorKind::envelope(self)".to_owned()
    } else if let Some(variants) = enums.get(name) {
        let arms: String = variants
            .iter()
            .map(|(variant, inner)| {
                let is_envelope = inner.as_ref().is_some_and(|t| envelopes.contains_key(t));
                if is_envelope {
                    format!("Self::{variant}(v) => ::etna_client::ErrorKind::envelope(v),")
                } else if inner.is_some() {
                    format!("Self::{variant}(v) => ::etna_client::ErrorKind::other(v),")
                } else {
                    format!("Self::{variant} => ::etna_client::ErrorKind::other(self),")
                }
            })
            .collect();
        format!("match self {{ {arms} }}")
    } else {
        "::etna_client::ErrorKind::other(self)".to_owned()
    };
    parse(&format!(
        "impl ::etna_client::ErrorPayload for {name} {{
            fn kind(&self) -> ::etna_client::ErrorKind {{ {body} }}
        }}"
    ))
}

/// What `static_urls` and the operation impls need of one row of
/// `GeneratedClient::OPERATIONS`, in the same order.
pub(crate) struct Operation {
    pub(crate) id: String,
    /// The path as the spec writes it, after the server.
    pub(crate) path: String,
    /// Index of the operation's server; 0 is the spec's root server.
    pub(crate) server: usize,
    /// Where the operation is, as a JSON pointer.
    pub(crate) at: String,
    success: &'static str,
}

/// The operations in the order of `GeneratedClient::OPERATIONS`.
pub(crate) fn operations(spec: &Value) -> Result<Vec<Operation>, CodegenError> {
    let api = model(spec)?;
    let mut out = Vec::new();
    for op in &api.operations {
        let success = match op.raw.get("x-etna-success").and_then(Value::as_str) {
            None | Some("is-succeed") => "IsSucceed",
            Some("no-errors") => "NoErrors",
            Some(other) => {
                return Err(unsupported(
                    &format!("{}/x-etna-success", op.at),
                    &format!(
                        "unknown rule `{other}`; use `is-succeed` (the default) or `no-errors`"
                    ),
                ));
            }
        };
        out.push(Operation {
            id: op.id.to_owned(),
            path: op.path.to_owned(),
            server: op.server,
            at: op.at.clone(),
            success,
        });
    }
    Ok(out)
}

/// `impl Operation` (and `impl EnvelopeOperation` when the answers are
/// envelopes) for one builder: its row of the table, its types, and the
/// shape of its result, all read from the spec.
fn operation_impls(
    index: usize,
    op: &Operation,
    model: &etna_spec::model::Operation<'_>,
    builder: &str,
    ok: &Type,
    err: &Type,
    envelopes: &BTreeMap<&String, &Fields_>,
) -> Result<Vec<Item>, CodegenError> {
    use etna_spec::model::BodyKind;
    let kinds: Vec<&BodyKind> = model.successes().map(|r| &r.kind).collect();
    let several = kinds.len() > 1;
    let ok_tokens = tokens(ok);
    let ok_text = if ok_tokens == "()" {
        "()".to_owned()
    } else {
        format!("types::{}", type_name(ok).unwrap_or_default())
    };
    let err_text = match type_name(err) {
        Some(name) if tokens(err) != "()" => format!("types::{name}"),
        _ => "()".to_owned(),
    };
    // The generated success type decides: a struct with the envelope's
    // fields is read as one; any other body is the result itself.
    let envelope_type = type_name(ok).filter(|n| envelopes.contains_key(n));
    let (output, body, envelope) = if let Some(name) = envelope_type {
        (
            format!("<types::{name} as ::etna_client::Envelope>::Model"),
            format!(
                "::etna_client::Reply {{ operation: Self::ID, status, rule: ::etna_client::SuccessRule::{}, envelope: success }}.into_model()",
                op.success
            ),
            Some(name),
        )
    } else if kinds.iter().any(|k| **k == BodyKind::Envelope)
        && kinds.iter().any(|k| **k != BodyKind::Envelope)
    {
        return Err(unsupported(
            &format!("{}/responses", op.at),
            "its 2xx answers mix envelopes and other bodies; give them one shape",
        ));
    } else if several {
        (
            format!("::etna_client::Answer<{ok_text}>"),
            "Ok(::etna_client::Answer { status, body: success })".to_owned(),
            None,
        )
    } else {
        (
            ok_text.clone(),
            "let _ = status; Ok(success)".to_owned(),
            None,
        )
    };
    let mut items = vec![parse(&format!(
        "impl<'a> ::etna_client::Operation for {builder}<'a> {{
            const SPEC: &'static ::etna_client::OperationSpec =
                &<super::Client as ::etna_client::GeneratedClient>::OPERATIONS[{index}];
            type Success = {ok_text};
            type ErrorBody = {err_text};
            type Output = {output};
            fn state(&self) -> &::etna_client::ClientState {{ ClientInfo::inner(self.client) }}
            fn send_request(self) -> impl ::std::future::Future<
                Output = ::std::result::Result<ResponseValue<{ok_text}>, Error<{err_text}>>,
            > + Send {{
                {builder}::send(self)
            }}
            fn output(
                status: ::reqwest::StatusCode,
                success: Self::Success,
            ) -> ::std::result::Result<Self::Output, ::etna_client::Error> {{
                {body}
            }}
        }}",
    ))?];
    if let Some(name) = envelope {
        items.push(parse(&format!(
            "impl<'a> ::etna_client::EnvelopeOperation for {builder}<'a> {{
                type Envelope = types::{name};
                const SUCCESS: ::etna_client::SuccessRule = ::etna_client::SuccessRule::{};
            }}",
            op.success
        ))?);
    }
    Ok(items)
}

fn generated_client_impl(
    spec: &Value,
    api: &etna_spec::model::Api<'_>,
) -> Result<Item, CodegenError> {
    use etna_spec::model::Scheme;
    let servers: String = api
        .servers
        .iter()
        .map(|server| {
            let variables: String = server
                .variables
                .iter()
                .map(|(name, default)| format!("({name:?}, {default:?}),"))
                .collect();
            format!(
                "::etna_client::ServerSpec {{ base_path: {:?}, variables: &[{variables}] }},",
                server.base_path
            )
        })
        .collect();
    let app_keys: Vec<(&String, &String)> = api
        .schemes
        .iter()
        .filter_map(|(name, scheme)| match scheme {
            Scheme::ApiKeyHeader { header } => Some((name, header)),
            Scheme::Bearer => None,
        })
        .collect();
    let bearers: Vec<&String> = api
        .schemes
        .iter()
        .filter(|(_, scheme)| **scheme == Scheme::Bearer)
        .map(|(name, _)| name)
        .collect();
    for (kind, count) in [("apiKey", app_keys.len()), ("bearer", bearers.len())] {
        if count > 1 {
            return Err(unsupported(
                "#/components/securitySchemes",
                &format!(
                    "{count} `{kind}` schemes: the client holds one credential of each kind; declare one"
                ),
            ));
        }
    }
    let app_key_header = app_keys.first().map_or("", |(_, header)| header.as_str());
    let lifetime = bearers
        .first()
        .and_then(|name| {
            spec.pointer(&format!(
                "/components/securitySchemes/{}/x-etna-lifetime-seconds",
                etna_spec::pointer::escape(name)
            ))
        })
        .and_then(Value::as_u64)
        .map_or("None".to_owned(), |s| format!("Some({s})"));
    let need = |op: &etna_spec::model::Operation<'_>, scheme: Option<&String>| match scheme
        .map(|s| op.needs(s))
    {
        Some(etna_spec::model::Need::Required) => "Required",
        Some(etna_spec::model::Need::Optional) => "Optional",
        _ => "None",
    };
    let docs = spec_operations(spec);
    let mut rows = String::new();
    for (op, doc) in api.operations.iter().zip(&docs) {
        let statuses: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
        rows.push_str(&format!(
            "::etna_client::OperationSpec {{
                id: {id:?}, method: {method:?}, server: {server}, path: {path:?}, full_path: {full:?},
                security: ::etna_client::Security {{
                    app_key: ::etna_client::Need::{app_key},
                    bearer: ::etna_client::Need::{bearer},
                }},
                statuses: &[{statuses}],
                summary: {summary:?},
                parameters: &[{parameters}],
                body: {body},
            }},",
            id = op.id,
            method = op.method,
            server = op.server,
            path = op.path,
            full = api.full_path(op),
            app_key = need(op, app_keys.first().map(|(name, _)| *name)),
            bearer = need(op, bearers.first().copied()),
            statuses = statuses.join(", "),
            summary = doc.summary,
            parameters = doc.parameters,
            body = doc.body,
        ));
    }
    let secrets: String = crate::secrets::secret_properties(spec)
        .iter()
        .map(|name| format!("{name:?},"))
        .collect();
    parse(&format!(
        "impl ::etna_client::GeneratedClient for Client {{
            const SERVERS: &'static [::etna_client::ServerSpec] = &[{servers}];
            const APP_KEY_HEADER: &'static str = {app_key_header:?};
            const SESSION_LIFETIME_SECONDS: ::std::option::Option<u64> = {lifetime};
            const SECRET_PROPERTIES: &'static [&'static str] = &[{secrets}];
            const OPERATIONS: &'static [::etna_client::OperationSpec] = &[{rows}];
            fn from_parts(baseurl: &str, client: reqwest::Client, inner: ::etna_client::ClientState) -> Self {{
                Self::new_with_client(baseurl, client, inner)
            }}
            fn state(&self) -> &::etna_client::ClientState {{ &self.inner }}
        }}"
    ))
}

/// `json_schemas()`: the JSON Schema of every generated type and of every
/// schema replaced by a hand-written type, for the drift snapshots.
fn json_schemas_fn(types: &[Item]) -> Result<Item, CodegenError> {
    let mut entries: Vec<(String, String)> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            _ => None,
        })
        .map(|name| (name.clone(), format!("types::{name}")))
        .collect();
    for (schema, path) in crate::REPLACED_SCHEMAS {
        entries.push(((*schema).to_owned(), (*path).to_owned()));
    }
    entries.sort();
    let list: String = entries
        .iter()
        .map(|(name, path)| format!("({name:?}, ::schemars::schema_for!({path})),"))
        .collect();
    parse(&format!(
        "/// The JSON Schema of every type generated from the spec, and of the
        /// hand-written types that replace spec schemas, by name.
        #[cfg(feature = \"json-schema\")]
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::schema::RootSchema)> {{
            ::std::vec![{list}]
        }}"
    ))
}

/// `#[derive(schemars::JsonSchema)]` on every type of `mod types`, only with
/// etna-client's `json-schema` feature: the drift snapshots need it, consumers
/// need not build schemars.
fn derive_json_schema_behind_feature(file: &mut syn::File) {
    let Some(types) = module_mut(file, "types") else {
        return;
    };
    let attribute: syn::Attribute =
        syn::parse_quote!(#[cfg_attr(feature = "json-schema", derive(::schemars::JsonSchema))]);
    for item in types
        .content
        .iter_mut()
        .flat_map(|(_, items)| items.iter_mut())
    {
        match item {
            Item::Struct(s) => s.attrs.push(attribute.clone()),
            Item::Enum(e) => e.attrs.push(attribute.clone()),
            _ => {}
        }
    }
}

/// `impl Dispatch`: every operation callable by its id with JSON arguments
/// (for `etna api` and the spec-wide tests).
fn dispatch_impl(
    spec: &Value,
    setters: &BTreeMap<String, BTreeMap<String, Type>>,
) -> Result<Item, CodegenError> {
    let mut arms = String::new();
    let mut decode_arms = String::new();
    for op in spec_operations(spec) {
        let builder = upper_camel(&op.id);
        let methods = setters.get(&builder).cloned().unwrap_or_default();
        let mut sets = String::new();
        for param in &op.raw_parameters {
            let field = heck::ToSnakeCase::to_snake_case(param.name.as_str());
            let Some(ty) = methods.get(&field) else {
                return Err(syntax(&format!(
                    "builder `{builder}` has no setter `{field}` for parameter `{}`",
                    param.name
                )));
            };
            sets.push_str(&format!(
                "if let Some(value) = args.parameter({name:?}) {{ builder = builder.{field}(args.decode::<{ty}>({id:?}, {name:?}, value)?); }}",
                name = param.name,
                id = op.id,
                ty = tokens(ty),
            ));
        }
        match (op.has_body, methods.get("body")) {
            (true, Some(ty)) => {
                sets.push_str(&format!(
                    "if let Some(value) = args.body() {{ builder = builder.body(args.decode::<{ty}>({id:?}, \"the body\", value)?); }}",
                    id = op.id,
                    ty = tokens(ty),
                ));
            }
            (true, None) => {
                return Err(syntax(&format!("builder `{builder}` has no `body` setter")));
            }
            (false, _) => {}
        }
        arms.push_str(&format!(
            "{id:?} => Some(async {{ let mut builder = self.{id}(); {sets} ::etna_client::dispatch::JsonReply::from_call(builder).await }}.await),",
            id = op.id,
        ));
        decode_arms.push_str(&format!(
            "{id:?} => Some(::etna_client::__private::fuzz_decode::<builder::{builder}<'static>>(status, body, app_key, <Self as ::etna_client::GeneratedClient>::SECRET_PROPERTIES).map(|model| ::std::format!(\"{{model:?}}\"))),",
            id = op.id,
        ));
    }
    parse(&format!(
        "impl ::etna_client::Dispatch for Client {{
            fn dispatch<'a>(
                &'a self,
                id: &'a str,
                args: &'a ::etna_client::dispatch::JsonArgs,
            ) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<
                Output = ::std::option::Option<::std::result::Result<::etna_client::dispatch::JsonReply, ::etna_client::Error>>,
            > + Send + 'a>> {{
                ::std::boxed::Box::pin(async move {{
                    #[allow(unused_mut)]
                    match id {{ {arms} _ => None }}
                }})
            }}
            fn decode_answer(
                id: &str,
                status: u16,
                body: &[u8],
                app_key: &str,
            ) -> ::std::option::Option<::std::result::Result<::std::string::String, ::etna_client::Error>> {{
                match id {{ {decode_arms} _ => None }}
            }}
        }}"
    ))
}

struct SpecParameter {
    name: String,
}

/// What the table and `Dispatch` say of an operation's inputs, as Rust
/// expressions.
struct SpecOperation {
    id: String,
    summary: String,
    /// `ParameterDoc` values, comma-terminated.
    parameters: String,
    /// `Some(BodyDoc { .. })` or `None`.
    body: String,
    has_body: bool,
    raw_parameters: Vec<SpecParameter>,
}

/// The operations with what the table and `Dispatch` describe, in the
/// order of `GeneratedClient::OPERATIONS`, `$ref`s followed (a reference
/// that leads nowhere reads as an empty object; preflight and the linters
/// report it).
fn spec_operations(spec: &Value) -> Vec<SpecOperation> {
    let Ok(api) = etna_spec::model::Api::read(spec) else {
        return Vec::new();
    };
    let empty = Value::Null;
    let resolve = |value: &Value| -> Value {
        etna_spec::follow(spec, value)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut out = Vec::new();
    for op in &api.operations {
        let parameters: String = op
            .parameters
            .iter()
            .map(|p| {
                let location = match p.location {
                    etna_spec::model::Location::Path => "Path",
                    etna_spec::model::Location::Query => "Query",
                    etna_spec::model::Location::Header => "Header",
                };
                format!(
                    "::etna_client::ParameterDoc {{ name: {:?}, location: ::etna_client::Location::{location}, required: {}, secret: {}, description: {:?} }},",
                    p.name, p.required, p.secret, p.description
                )
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
            let secrets: String = crate::secrets::secret_properties(&schema)
                .iter()
                .map(|s| format!("{s:?},"))
                .collect();
            format!(
                "Some(::etna_client::BodyDoc {{ required: {}, secret_properties: &[{secrets}], example: {example:?} }})",
                body.get("required").and_then(Value::as_bool).unwrap_or(false),
            )
        });
        out.push(SpecOperation {
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
            body: body.unwrap_or_else(|| "None".to_owned()),
            raw_parameters: op
                .parameters
                .iter()
                .map(|p| SpecParameter {
                    name: p.name.clone(),
                })
                .collect(),
        });
    }
    out
}

// ---- reading the generated syntax tree ----

/// The inherent methods of every builder of `mod builder`, with the
/// builder's name.
fn builder_methods(file: &syn::File) -> Vec<(String, &syn::ImplItemFn)> {
    let mut out = Vec::new();
    for item in module(file, "builder").unwrap_or_default() {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = type_name(&imp.self_ty).filter(|_| imp.trait_.is_none()) else {
            continue;
        };
        for member in &imp.items {
            if let syn::ImplItem::Fn(f) = member {
                out.push((name.clone(), f));
            }
        }
    }
    out
}

/// For each builder, its setters and the type each takes (the `T` of
/// `V: TryInto<T>`).
fn setters(file: &syn::File) -> BTreeMap<String, BTreeMap<String, Type>> {
    let mut out: BTreeMap<String, BTreeMap<String, Type>> = BTreeMap::new();
    for (name, f) in builder_methods(file) {
        if let Some(target) = f
            .sig
            .generics
            .where_clause
            .as_ref()
            .and_then(try_into_target)
        {
            out.entry(name)
                .or_default()
                .insert(f.sig.ident.to_string(), target);
        }
    }
    out
}

fn try_into_target(clause: &syn::WhereClause) -> Option<Type> {
    clause.predicates.iter().find_map(|predicate| {
        let syn::WherePredicate::Type(p) = predicate else {
            return None;
        };
        if !is_path(&p.bounded_ty, "V") {
            return None;
        }
        p.bounds.iter().find_map(|bound| {
            let syn::TypeParamBound::Trait(t) = bound else {
                return None;
            };
            let last = t.path.segments.last()?;
            if last.ident != "TryInto" {
                return None;
            }
            let PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            args.args.iter().find_map(|a| match a {
                GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            })
        })
    })
}

fn module<'a>(file: &'a syn::File, name: &str) -> Option<&'a [Item]> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
        _ => None,
    })
}

fn module_mut<'a>(file: &'a mut syn::File, name: &str) -> Option<&'a mut ItemMod> {
    file.items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => Some(m),
        _ => None,
    })
}

fn structs(items: &[Item]) -> BTreeMap<String, Fields_> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(named) = &s.fields else {
            continue;
        };
        let mut fields = BTreeMap::new();
        for field in &named.named {
            let Some(ident) = &field.ident else { continue };
            let json = serde_rename(&field.attrs).unwrap_or_else(|| ident.to_string());
            fields.insert(json, (ident.to_string(), field.ty.clone()));
        }
        out.insert(s.ident.to_string(), fields);
    }
    out
}

/// Enums of `mod types` with their variants and the named type each carries.
fn enums(items: &[Item]) -> BTreeMap<String, Vec<(String, Option<String>)>> {
    let mut out = BTreeMap::new();
    for item in items {
        let Item::Enum(e) = item else { continue };
        let variants = e
            .variants
            .iter()
            .map(|v| {
                let inner = match &v.fields {
                    Fields::Unnamed(f) if f.unnamed.len() == 1 => type_name(&f.unnamed[0].ty),
                    _ => None,
                };
                (v.ident.to_string(), inner)
            })
            .collect();
        out.insert(e.ident.to_string(), variants);
    }
    out
}

/// `rename = "X"` of a field's `#[serde(...)]`.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut rename = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let value: syn::LitStr = meta.value()?.parse()?;
                rename = Some(value.value());
            } else if meta.input.peek(syn::Token![=]) {
                let _: syn::Expr = meta.value()?.parse()?;
            }
            Ok(())
        });
    }
    rename
}

/// For each builder, the `T` and `E` of
/// `send(self) -> Result<ResponseValue<T>, Error<E>>`.
fn send_signatures(file: &syn::File) -> BTreeMap<String, (Type, Type)> {
    let mut out = BTreeMap::new();
    for (name, f) in builder_methods(file) {
        let ReturnType::Type(_, ty) = &f.sig.output else {
            continue;
        };
        if f.sig.ident != "send" {
            continue;
        }
        if let [ok, err] = generic_args(ty).as_slice()
            && let (Some(ok), Some(err)) = (generic_args(ok).first(), generic_args(err).first())
        {
            out.insert(name, ((*ok).clone(), (*err).clone()));
        }
    }
    out
}

fn generic_args(ty: &Type) -> Vec<&Type> {
    let Type::Path(path) = ty else {
        return Vec::new();
    };
    let Some(last) = path.path.segments.last() else {
        return Vec::new();
    };
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Vec::new();
    };
    args.args
        .iter()
        .filter_map(|a| match a {
            GenericArgument::Type(t) => Some(t),
            _ => None,
        })
        .collect()
}

/// The last path segment of a type, e.g. `ErrorBody` for `types::ErrorBody`.
fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

fn option_inner(ty: &Type) -> Option<&Type> {
    (type_name(ty).as_deref() == Some("Option"))
        .then(|| generic_args(ty).first().copied())
        .flatten()
}

fn is_path(ty: &Type, name: &str) -> bool {
    type_name(ty).as_deref() == Some(name)
}

fn tokens(ty: &Type) -> String {
    ty.to_token_stream().to_string()
}

/// progenitor's builder names: the operation id in UpperCamelCase.
pub(crate) fn upper_camel(id: &str) -> String {
    heck::ToUpperCamelCase::to_upper_camel_case(id)
}

fn parse(code: &str) -> Result<Item, CodegenError> {
    syn::parse_str(code).map_err(|e| syntax(&format!("{e} in generated addition:\n{code}")))
}

fn syntax(message: &str) -> CodegenError {
    CodegenError::Syntax(message.to_owned())
}

fn unsupported(pointer: &str, message: &str) -> CodegenError {
    CodegenError::Unsupported(vec![Problem {
        pointer: pointer.to_owned(),
        message: message.to_owned(),
    }])
}
