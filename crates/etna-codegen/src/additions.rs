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

/// The roles of the envelope's properties: `x-etna-envelope` of the one schema
/// that declares it, e.g. `success: IsSucceed`.
#[derive(Debug)]
struct Roles {
    success: String,
    errors: String,
    error_codes: String,
    status_code: String,
    model: String,
}

/// A struct of `mod types`: its fields by JSON name, as `(ident, type)`.
type Fields_ = BTreeMap<String, (String, Type)>;

pub(crate) fn add(spec: &Value, file: &mut syn::File) -> Result<(), CodegenError> {
    let roles = roles(spec)?;
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
    let mut envelope_operations = Vec::new();
    for operation in operations(spec)? {
        let builder = upper_camel(&operation.id);
        let Some((ok, err)) = sends.get(&builder) else {
            return Err(syntax(&format!(
                "no builder `{builder}` with a `send` method"
            )));
        };
        let Some(ok_name) = type_name(ok).filter(|n| envelopes.contains_key(n)) else {
            // Not an envelope: the operation keeps progenitor's plain `send`.
            continue;
        };
        let err_name = type_name(err);
        if let Some(name) = &err_name
            && !error_types.contains(name)
        {
            error_types.push(name.clone());
        }
        builder_items.push(operation_impl(
            &operation,
            &builder,
            &ok_name,
            err_name.as_deref(),
        )?);
        envelope_operations.push(operation.id.clone());
    }
    for name in &error_types {
        type_items.push(error_payload_impl(name, &envelopes, &enums)?);
    }
    root_items.push(generated_client_impl(spec)?);
    root_items.push(dispatch_impl(spec, &setters(file), &envelope_operations)?);
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

const HOOKS: &str = r#"
impl ClientHooks<::etna_client::Limits> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        ::etna_client::hooks::pre(self.inner(), request, info);
        Ok(())
    }
    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        ::etna_client::hooks::exec(self.client(), self.inner(), request, info).await
    }
}
"#;

fn roles(spec: &Value) -> Result<Option<Roles>, CodegenError> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let marked: Vec<(&String, &Value)> = schemas
        .into_iter()
        .flatten()
        .filter_map(|(name, schema)| schema.get("x-etna-envelope").map(|roles| (name, roles)))
        .collect();
    let Some((name, roles)) = marked.first().copied() else {
        return Ok(None);
    };
    // Copies of the envelope (as a generator of large specs makes) may each
    // carry the mark, as long as they agree.
    if let Some((other, _)) = marked.iter().find(|(_, r)| *r != roles) {
        return Err(unsupported(
            &pointer::join(&["components", "schemas", other.as_str(), "x-etna-envelope"]),
            &format!(
                "it names other roles than the one on `{name}`; declare the envelope's roles once"
            ),
        ));
    }
    let at = pointer::join(&["components", "schemas", name.as_str(), "x-etna-envelope"]);
    let role = |key: &str| {
        roles.get(key).and_then(Value::as_str).map(str::to_owned).ok_or_else(|| {
            unsupported(
                &at,
                &format!("`{key}` is missing; name the property that plays this role, e.g. `{key}: Name`"),
            )
        })
    };
    Ok(Some(Roles {
        success: role("success")?,
        errors: role("errors")?,
        error_codes: role("errorCodes")?,
        status_code: role("statusCode")?,
        model: role("model")?,
    }))
}

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
        "::etna_client::ErrorKind::envelope(&self)".to_owned()
    } else if let Some(variants) = enums.get(name) {
        let arms: String = variants
            .iter()
            .map(|(variant, inner)| {
                let is_envelope = inner.as_ref().is_some_and(|t| envelopes.contains_key(t));
                if is_envelope {
                    format!("Self::{variant}(v) => ::etna_client::ErrorKind::envelope(&v),")
                } else if inner.is_some() {
                    format!("Self::{variant}(v) => ::etna_client::ErrorKind::other(&v),")
                } else {
                    format!("Self::{variant} => ::etna_client::ErrorKind::other(&self),")
                }
            })
            .collect();
        format!("match self {{ {arms} }}")
    } else {
        "::etna_client::ErrorKind::other(&self)".to_owned()
    };
    parse(&format!(
        "impl ::etna_client::ErrorPayload for {name} {{
            fn into_kind(self) -> ::etna_client::ErrorKind {{ {body} }}
        }}"
    ))
}

/// One row of `GeneratedClient::OPERATIONS`; `static_urls` indexes the same
/// list, so both read it from here.
pub(crate) struct Operation {
    pub(crate) id: String,
    method: String,
    /// The path template, server base path included.
    pub(crate) path: String,
    success: &'static str,
    statuses: Vec<u16>,
}

/// The operations in the order of `GeneratedClient::OPERATIONS`.
pub(crate) fn operations(spec: &Value) -> Result<Vec<Operation>, CodegenError> {
    let base = etna_spec::base_path(spec);
    let mut out = Vec::new();
    for op in etna_spec::operations(spec) {
        if op.id.is_empty() {
            continue;
        }
        let success = match op.operation.get("x-etna-success").and_then(Value::as_str) {
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
        let statuses = op
            .operation
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(status, _)| status.parse().ok())
            .collect();
        out.push(Operation {
            id: op.id.to_owned(),
            method: op.method.to_owned(),
            path: format!("{base}{}", op.path),
            success,
            statuses,
        });
    }
    Ok(out)
}

fn operation_impl(
    op: &Operation,
    builder: &str,
    envelope: &str,
    error: Option<&str>,
) -> Result<Item, CodegenError> {
    let error = error.map_or("()".to_owned(), |e| format!("types::{e}"));
    let statuses: Vec<String> = op.statuses.iter().map(u16::to_string).collect();
    parse(&format!(
        "impl<'a> ::etna_client::Operation for {builder}<'a> {{
            const ID: &'static str = {id:?};
            const METHOD: &'static str = {method:?};
            const PATH: &'static str = {path:?};
            const SUCCESS: ::etna_client::SuccessRule = ::etna_client::SuccessRule::{success};
            const DOCUMENTED_STATUSES: &'static [u16] = &[{statuses}];
            type Envelope = types::{envelope};
            type ErrorBody = {error};
            fn limits(&self) -> &::etna_client::Limits {{ ClientInfo::inner(self.client) }}
            fn send_request(self) -> impl ::std::future::Future<
                Output = ::std::result::Result<ResponseValue<types::{envelope}>, Error<{error}>>,
            > + Send {{
                {builder}::send(self)
            }}
        }}",
        id = op.id,
        method = op.method,
        path = op.path,
        success = op.success,
        statuses = statuses.join(", "),
    ))
}

fn generated_client_impl(spec: &Value) -> Result<Item, CodegenError> {
    let base = etna_spec::base_path(spec);
    let variables: String = etna_spec::server_variables(spec)
        .iter()
        .map(|(name, default)| format!("({name:?}, {default:?}),"))
        .collect();
    let secrets: String = crate::secrets::secret_properties(spec)
        .iter()
        .map(|name| format!("{name:?},"))
        .collect();
    let operations: String = operations(spec)?
        .iter()
        .map(|op| format!("({:?}, {:?}, {:?}),", op.id, op.method, op.path))
        .collect();
    parse(&format!(
        "impl ::etna_client::GeneratedClient for Client {{
            const BASE_PATH: &'static str = {base:?};
            const SERVER_VARIABLES: &'static [(&'static str, &'static str)] = &[{variables}];
            const SECRET_PROPERTIES: &'static [&'static str] = &[{secrets}];
            const OPERATIONS: &'static [(&'static str, &'static str, &'static str)] = &[{operations}];
            fn from_parts(baseurl: &str, client: reqwest::Client, inner: ::etna_client::Limits) -> Self {{
                Self::new_with_client(baseurl, client, inner)
            }}
            fn limits(&self) -> &::etna_client::Limits {{ &self.inner }}
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

/// `impl Dispatch`: every enveloped operation callable by its id with JSON
/// arguments (for `etna api` and the spec-wide tests), and a description of
/// each operation's inputs.
fn dispatch_impl(
    spec: &Value,
    setters: &BTreeMap<String, BTreeMap<String, Type>>,
    enveloped: &[String],
) -> Result<Item, CodegenError> {
    let mut docs = String::new();
    let mut arms = String::new();
    let mut decode_arms = String::new();
    for op in spec_operations(spec) {
        if !enveloped.contains(&op.id) {
            continue;
        }
        let builder = upper_camel(&op.id);
        let methods = setters.get(&builder).cloned().unwrap_or_default();
        let mut params = String::new();
        let mut sets = String::new();
        for param in &op.parameters {
            let field = heck::ToSnakeCase::to_snake_case(param.name.as_str());
            let Some(ty) = methods.get(&field) else {
                return Err(syntax(&format!(
                    "builder `{builder}` has no setter `{field}` for parameter `{}`",
                    param.name
                )));
            };
            params.push_str(&format!(
                "::etna_client::ParameterDoc {{ name: {:?}, location: {:?}, required: {}, secret: {}, description: {:?} }},",
                param.name, param.location, param.required, param.secret, param.description
            ));
            sets.push_str(&format!(
                "if let Some(value) = args.parameter({name:?}) {{ builder = builder.{field}(args.decode::<{ty}>({id:?}, {name:?}, value)?); }}",
                name = param.name,
                id = op.id,
                ty = tokens(ty),
            ));
        }
        let body = match (&op.body, methods.get("body")) {
            (Some(body), Some(ty)) => {
                sets.push_str(&format!(
                    "if let Some(value) = args.body() {{ builder = builder.body(args.decode::<{ty}>({id:?}, \"the body\", value)?); }}",
                    id = op.id,
                    ty = tokens(ty),
                ));
                let secrets: String = body.secrets.iter().map(|s| format!("{s:?},")).collect();
                format!(
                    "Some(::etna_client::BodyDoc {{ required: {}, secret_properties: &[{secrets}], example: {:?} }})",
                    body.required, body.example
                )
            }
            (Some(_), None) => {
                return Err(syntax(&format!("builder `{builder}` has no `body` setter")));
            }
            (None, _) => "None".to_owned(),
        };
        docs.push_str(&format!(
            "::etna_client::OperationDoc {{ id: {id:?}, method: {method:?}, path: {path:?}, summary: {summary:?}, parameters: &[{params}], body: {body} }},",
            id = op.id,
            method = op.method,
            path = op.path,
            summary = op.summary,
        ));
        arms.push_str(&format!(
            "{id:?} => Some(async {{ let mut builder = self.{id}(); {sets} ::etna_client::JsonReply::from_call(builder).await }}.await),",
            id = op.id,
        ));
        decode_arms.push_str(&format!(
            "{id:?} => Some(::etna_client::fuzzing::decode::<builder::{builder}<'static>>(status, body, app_key, <Self as ::etna_client::GeneratedClient>::SECRET_PROPERTIES).map(|model| ::std::format!(\"{{model:?}}\"))),",
            id = op.id,
        ));
    }
    parse(&format!(
        "impl ::etna_client::Dispatch for Client {{
            const OPERATION_DOCS: &'static [::etna_client::OperationDoc] = &[{docs}];
            fn dispatch<'a>(
                &'a self,
                id: &'a str,
                args: &'a ::etna_client::JsonArgs,
            ) -> ::std::pin::Pin<::std::boxed::Box<dyn ::std::future::Future<
                Output = ::std::option::Option<::std::result::Result<::etna_client::JsonReply, ::etna_client::Error>>,
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
    location: String,
    required: bool,
    secret: bool,
    description: String,
}

struct SpecBody {
    required: bool,
    secrets: Vec<String>,
    /// The request example, as JSON text, or empty.
    example: String,
}

struct SpecOperation {
    id: String,
    method: String,
    path: String,
    summary: String,
    parameters: Vec<SpecParameter>,
    body: Option<SpecBody>,
}

/// The operations with what `Dispatch` describes, `$ref`s followed (a
/// reference that leads nowhere reads as an empty object; preflight and the
/// linters report it).
fn spec_operations(spec: &Value) -> Vec<SpecOperation> {
    let base = etna_spec::base_path(spec);
    let empty = Value::Null;
    let resolve = |value: &Value| -> Value {
        etna_spec::follow(spec, value)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let text = |value: &Value, key: &str| {
        value
            .get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_owned()
    };
    let mut out = Vec::new();
    for op in etna_spec::operations(spec) {
        if op.id.is_empty() {
            continue;
        }
        let own = op
            .operation
            .get("parameters")
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice);
        let parameters = op
            .shared_parameters
            .iter()
            .chain(own)
            .map(resolve)
            .map(|p| SpecParameter {
                name: text(&p, "name"),
                location: text(&p, "in"),
                required: p.get("required").and_then(Value::as_bool).unwrap_or(false),
                secret: crate::secrets::is_secret(&resolve(p.get("schema").unwrap_or(&empty))),
                description: text(&p, "description"),
            })
            .collect();
        let body = op.operation.get("requestBody").map(resolve).map(|body| {
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
            SpecBody {
                required: body
                    .get("required")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                secrets: crate::secrets::secret_properties(&schema),
                example,
            }
        });
        out.push(SpecOperation {
            id: op.id.to_owned(),
            method: op.method.to_owned(),
            path: format!("{base}{}", op.path),
            summary: text(op.operation, "summary"),
            parameters,
            body,
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
