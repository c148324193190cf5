//! The `Event` enum and `impl Protocol for Streamers`, read from the
//! document: the events are the messages `receive` operations list, but the
//! one whose schema is marked `x-etna-session-reply`; they are told apart
//! by the property the commands' `entity` role names (its `const` in each
//! payload); each entity's server is its channel's; the commands are
//! written from the schemas marked `x-etna-command`; the handshake from the
//! channels' `ws` binding.

use std::collections::BTreeMap;

use etna_spec::KeyOrder;
use etna_spec::pointer::escape;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

use super::document::{COMMAND, Doc, IDENTITY, LATEST_BY, SESSION_REPLY, local, schema_name};
use super::schemas::string_enum;
use crate::CodegenError;
use crate::preflight::Problem;

/// What the additions are generated from.
struct Plan {
    /// The entity enum's schema name (`EntityType`).
    entity_enum: String,
    /// The entity enum's values, in order.
    entities: Vec<String>,
    /// The property each event carries its entity type in.
    discriminator: String,
    separator: String,
    events: Vec<EventPlan>,
    /// `subscribe` and `unsubscribe`, in that order.
    commands: Vec<CommandPlan>,
    reply: ReplyPlan,
    handshake: HandshakePlan,
}

struct EventPlan {
    payload: String,
    entity: String,
    server: String,
    /// The property and whether it is required.
    latest_by: Option<(String, bool)>,
    /// `x-etna-identity`: the property and whether it is required.
    identity: Option<(String, bool)>,
    /// The scalar properties, in the document's order, with their kind.
    columns: Vec<(String, &'static str)>,
}

enum Part {
    Const(String),
    Session,
    Entity,
    Keys,
}

struct CommandPlan {
    action: String,
    /// The properties to write, in the document's order.
    parts: Vec<(String, Part)>,
}

struct ReplyPlan {
    schema: String,
    status: (String, bool),
    ok: String,
    session: (String, bool),
    /// Const properties (name, value, required): a frame with another
    /// value is not the reply.
    consts: Vec<(String, String, bool)>,
}

struct HandshakePlan {
    path: String,
    user: String,
    password: String,
    fixed: Vec<(String, String)>,
}

fn schema_pointer(name: &str) -> String {
    format!("#/components/schemas/{}", escape(name))
}

fn component<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    value.pointer(&format!("/components/schemas/{}", escape(name)))
}

fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.get("properties")?.get(name)
}

fn required(schema: &Value, name: &str) -> bool {
    schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name)))
}

fn const_str(schema: &Value) -> Option<&str> {
    schema.get("const").and_then(Value::as_str)
}

/// The problems [`additions`] would meet.
pub(super) fn check(value: &Value, doc: &Doc, order: &KeyOrder) -> Vec<Problem> {
    match plan(value, doc, order) {
        Ok(_) => Vec::new(),
        Err(problems) => problems,
    }
}

fn plan(value: &Value, doc: &Doc, order: &KeyOrder) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let mut problem =
        |pointer: String, message: String| problems.push(Problem { pointer, message });
    let schemas = value
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();

    // The session reply: the one received payload marked so.
    let replies: Vec<&str> = doc
        .received_payloads()
        .filter(|name| {
            schemas
                .get(*name)
                .is_some_and(|s| s.get(SESSION_REPLY).is_some())
        })
        .collect();
    let reply = match replies.as_slice() {
        [one] => reply_plan(value, one, &mut problem),
        _ => {
            problem(
                "#/components/schemas".to_owned(),
                format!(
                    "exactly one received message's schema must be marked `{SESSION_REPLY}` \
                     (found {})",
                    replies.len()
                ),
            );
            None
        }
    };

    // The commands.
    let mut commands = Vec::new();
    let mut roles: Option<(String, String, String)> = None;
    for action in ["subscribe", "unsubscribe"] {
        let marked: Vec<(&String, &Value)> = schemas
            .iter()
            .filter(|(_, s)| {
                s.get(COMMAND)
                    .and_then(|c| c.get("action"))
                    .and_then(Value::as_str)
                    == Some(action)
            })
            .collect();
        let [(name, schema)] = marked.as_slice() else {
            problem(
                "#/components/schemas".to_owned(),
                format!(
                    "exactly one schema must be marked `{COMMAND}` with `action: {action}` \
                     (found {})",
                    marked.len()
                ),
            );
            continue;
        };
        if let Some((command, entity_enum, discriminator, separator)) =
            command_plan(value, order, name, schema, action, &mut problem)
        {
            match &roles {
                Some((e, d, s)) if (e, d, s) != (&entity_enum, &discriminator, &separator) => {
                    problem(
                        format!("{}/{COMMAND}", schema_pointer(name)),
                        "the commands' `entity` roles name different enums or properties, or \
                         their separators differ"
                            .to_owned(),
                    );
                }
                _ => roles = Some((entity_enum, discriminator, separator)),
            }
            commands.push(command);
        }
    }
    for schema in schemas.iter().filter_map(|(name, s)| {
        let action = s.get(COMMAND)?.get("action").and_then(Value::as_str);
        (!matches!(action, Some("subscribe" | "unsubscribe"))).then_some(name)
    }) {
        problem(
            format!("{}/{COMMAND}/action", schema_pointer(schema)),
            "`action` is `subscribe` or `unsubscribe`".to_owned(),
        );
    }

    // The events.
    let mut events = Vec::new();
    let mut entities = Vec::new();
    if let Some((entity_enum, discriminator, _)) = &roles {
        entities = component(value, entity_enum)
            .and_then(string_enum)
            .unwrap_or_default();
        let reply_schema = replies.first().copied();
        for received in &doc.received {
            if Some(received.payload.as_str()) == reply_schema {
                continue;
            }
            let at = schema_pointer(&received.payload);
            let Some(schema) = component(value, &received.payload) else {
                problem(at, "the payload refers to nothing".to_owned());
                continue;
            };
            let Some(tag) = property(schema, discriminator) else {
                problem(
                    at,
                    format!(
                        "an event's payload lacks the discriminator `{discriminator}` (the \
                         property the commands' `entity` role names), with a `const` value"
                    ),
                );
                continue;
            };
            let tag_at = format!("{at}/properties/{}", escape(discriminator));
            let Some(entity) = const_str(tag) else {
                problem(
                    tag_at,
                    format!("the discriminator `{discriminator}` needs a `const` string value"),
                );
                continue;
            };
            if !entities.iter().any(|e| e == entity) {
                problem(
                    format!("{tag_at}/const"),
                    format!("`{entity}` is not a value of `{entity_enum}`"),
                );
                continue;
            }
            if !required(schema, discriminator) {
                problem(
                    tag_at.clone(),
                    format!("the discriminator `{discriminator}` must be required"),
                );
            }
            if events.iter().any(|e: &EventPlan| e.entity == entity) {
                problem(
                    format!("{tag_at}/const"),
                    format!("two received messages are both `{entity}`"),
                );
                continue;
            }
            let server = match received.servers.as_slice() {
                [one] => one.clone(),
                _ => {
                    problem(
                        received.pointer.clone(),
                        "an event arrives from exactly one server (its channel's)".to_owned(),
                    );
                    continue;
                }
            };
            let mut named = |extension: &str, name: &Option<String>| match name {
                Some(name) if property(schema, name).is_some() => {
                    Some((name.clone(), required(schema, name)))
                }
                Some(name) => {
                    problem(
                        format!("{}/{extension}", received.pointer),
                        format!("the payload has no property `{name}`"),
                    );
                    None
                }
                None => None,
            };
            let latest_by = named(LATEST_BY, &received.latest_by);
            let identity = named(IDENTITY, &received.identity);
            let columns = columns(
                value,
                order,
                &format!("{at}/properties"),
                schema,
                discriminator,
            );
            events.push(EventPlan {
                payload: received.payload.clone(),
                entity: entity.to_owned(),
                server,
                latest_by,
                identity,
                columns,
            });
        }
        for entity in &entities {
            if !events.iter().any(|e| &e.entity == entity) {
                problem(
                    schema_pointer(entity_enum),
                    format!("no received message is `{discriminator}: {entity}`"),
                );
            }
        }
    }

    let handshake = handshake_plan(value, &mut problem);
    match (problems.is_empty(), reply, roles, handshake) {
        (true, Some(reply), Some((entity_enum, discriminator, separator)), Some(handshake)) => {
            Ok(Plan {
                entity_enum,
                entities,
                discriminator,
                separator,
                events,
                commands,
                reply,
                handshake,
            })
        }
        _ => Err(problems),
    }
}

/// The scalar properties of a payload in the document's order, with the
/// `etna_client::ColumnKind` each shows as (the discriminator, JSON text,
/// objects, arrays and secrets are no columns).
fn columns(
    value: &Value,
    order: &KeyOrder,
    at: &str,
    schema: &Value,
    discriminator: &str,
) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for name in order.keys(at) {
        if name == discriminator {
            continue;
        }
        let Some(p) = property(schema, &name) else {
            continue;
        };
        let kind = if let Some(reference) = p.get("$ref").and_then(Value::as_str) {
            // An enum (this document's or the REST one's): its name.
            let local_enum = schema_name(reference)
                .and_then(|target| component(value, &target))
                .is_some_and(|target| string_enum(target).is_some());
            (local_enum || etna_spec::external(reference).is_some()).then_some("Text")
        } else if p.get("contentMediaType").is_some() {
            None
        } else {
            match (
                p.get("type").and_then(Value::as_str),
                p.get("format").and_then(Value::as_str),
            ) {
                (Some("string" | "number"), Some("decimal")) => Some("Decimal"),
                (Some("string"), Some("int32" | "int64")) => Some("Number"),
                (Some("string"), Some("boolean")) => Some("Boolean"),
                (Some("string"), Some("unix-time-ms")) => Some("Date"),
                (Some("string"), None) => Some("Text"),
                _ => None,
            }
        };
        if let Some(kind) = kind {
            out.push((name, kind));
        }
    }
    out
}

fn role<'a>(
    roles: &'a Value,
    at: &str,
    role: &str,
    problem: &mut impl FnMut(String, String),
) -> Option<&'a str> {
    let name = roles.get(role).and_then(Value::as_str);
    if name.is_none() {
        problem(
            format!("{at}/{role}"),
            format!("the role `{role}` names a property, as a string"),
        );
    }
    name
}

fn reply_plan(
    value: &Value,
    name: &str,
    problem: &mut impl FnMut(String, String),
) -> Option<ReplyPlan> {
    let schema = component(value, name)?;
    let at = format!("{}/{SESSION_REPLY}", schema_pointer(name));
    let roles = &schema[SESSION_REPLY];
    let status = role(roles, &at, "status", problem);
    let ok = role(roles, &at, "ok", problem);
    let session = role(roles, &at, "session", problem);
    let (status, ok, session) = (status?, ok?, session?);
    let mut fine = true;
    match property(schema, status) {
        Some(p)
            if p.get("type").and_then(Value::as_str) == Some("string")
                && p.get("format").is_none()
                && p.get("enum").is_none() => {}
        Some(_) => {
            problem(
                format!("{at}/status"),
                format!("`{status}` must be a plain `type: string`"),
            );
            fine = false;
        }
        None => {
            problem(
                format!("{at}/status"),
                format!("the schema has no property `{status}`"),
            );
            fine = false;
        }
    }
    match property(schema, session) {
        Some(p) if p.get("format").and_then(Value::as_str) == Some("password") => {}
        Some(_) => {
            problem(
                format!("{at}/session"),
                format!(
                    "`{session}` must be `format: password` (a streamer session id is a credential)"
                ),
            );
            fine = false;
        }
        None => {
            problem(
                format!("{at}/session"),
                format!("the schema has no property `{session}`"),
            );
            fine = false;
        }
    }
    let consts = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|properties| {
            properties
                .iter()
                .filter_map(|(p, s)| {
                    const_str(s).map(|c| (p.clone(), c.to_owned(), required(schema, p)))
                })
                .collect()
        })
        .unwrap_or_default();
    fine.then(|| ReplyPlan {
        schema: name.to_owned(),
        status: (status.to_owned(), required(schema, status)),
        ok: ok.to_owned(),
        session: (session.to_owned(), required(schema, session)),
        consts,
    })
}

/// The command, the entity enum, the discriminator and the separator.
fn command_plan(
    value: &Value,
    order: &KeyOrder,
    name: &str,
    schema: &Value,
    action: &str,
    problem: &mut impl FnMut(String, String),
) -> Option<(CommandPlan, String, String, String)> {
    let at = format!("{}/{COMMAND}", schema_pointer(name));
    let roles = &schema[COMMAND];
    let session = role(roles, &at, "session", problem);
    let entity = role(roles, &at, "entity", problem);
    let keys = role(roles, &at, "keys", problem);
    let separator = role(roles, &at, "separator", problem);
    let (session, entity, keys, separator) = (session?, entity?, keys?, separator?);
    let mut fine = true;
    for (role_name, property_name) in [("session", session), ("entity", entity), ("keys", keys)] {
        if property(schema, property_name).is_none() {
            problem(
                format!("{at}/{role_name}"),
                format!("the schema has no property `{property_name}`"),
            );
            fine = false;
        }
    }
    if !fine {
        return None;
    }
    if property(schema, session)
        .and_then(|p| p.get("format"))
        .and_then(Value::as_str)
        != Some("password")
    {
        problem(
            format!("{at}/session"),
            format!(
                "`{session}` must be `format: password` (a streamer session id is a credential)"
            ),
        );
        fine = false;
    }
    let entity_enum = property(schema, entity)
        .and_then(|p| p.get("$ref"))
        .and_then(Value::as_str)
        .and_then(schema_name)
        .filter(|target| component(value, target).and_then(string_enum).is_some());
    let Some(entity_enum) = entity_enum else {
        problem(
            format!("{at}/entity"),
            format!("`{entity}` must be a `$ref` to a string enum of `#/components/schemas`"),
        );
        return None;
    };
    let mut parts = Vec::new();
    let properties_at = format!("{}/properties", schema_pointer(name));
    for key in order.keys(&properties_at) {
        let Some(p) = property(schema, &key) else {
            continue;
        };
        let part = if key == session {
            Part::Session
        } else if key == entity {
            Part::Entity
        } else if key == keys {
            Part::Keys
        } else if let Some(c) = const_str(p) {
            Part::Const(c.to_owned())
        } else {
            if required(schema, &key) {
                problem(
                    format!("{properties_at}/{}", escape(&key)),
                    format!(
                        "a required property of a command is a role of `{COMMAND}` or a \
                         `const` string: the client has nothing else to write"
                    ),
                );
                fine = false;
            }
            continue;
        };
        parts.push((key, part));
    }
    fine.then(|| {
        (
            CommandPlan {
                action: action.to_owned(),
                parts,
            },
            entity_enum,
            entity.to_owned(),
            separator.to_owned(),
        )
    })
}

fn handshake_plan(
    value: &Value,
    problem: &mut impl FnMut(String, String),
) -> Option<HandshakePlan> {
    let mut found: Option<(String, HandshakePlan)> = None;
    let channels = value
        .get("channels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, channel) in &channels {
        let at = format!("#/channels/{}", escape(name));
        let Some(address) = channel.get("address").and_then(Value::as_str) else {
            problem(
                at,
                "a channel needs its `address` (the handshake's path)".to_owned(),
            );
            continue;
        };
        let bindings = local(value, &channel["bindings"])
            .map(|(b, _)| b)
            .unwrap_or(&channel["bindings"]);
        let Some(query) = bindings.pointer("/ws/query") else {
            problem(
                format!("{at}/bindings"),
                "a channel needs a `ws` binding with its handshake's `query` schema".to_owned(),
            );
            continue;
        };
        let Some(properties) = query.get("properties").and_then(Value::as_object) else {
            problem(
                format!("{at}/bindings"),
                "the `ws` binding's `query` needs `properties`".to_owned(),
            );
            continue;
        };
        let mut password = Vec::new();
        let mut user = Vec::new();
        let mut fixed = Vec::new();
        for (parameter, schema) in properties {
            if let Some(c) = const_str(schema) {
                fixed.push((parameter.clone(), c.to_owned()));
            } else if schema.get("format").and_then(Value::as_str) == Some("password") {
                password.push(parameter.clone());
            } else {
                user.push(parameter.clone());
            }
        }
        let ([password], [user]) = (password.as_slice(), user.as_slice()) else {
            problem(
                format!("{at}/bindings"),
                "the handshake's query has one `format: password` parameter (the streamer \
                 session id), one other (the user) and `const` ones; the client cannot \
                 tell another"
                    .to_owned(),
            );
            continue;
        };
        let plan = HandshakePlan {
            path: address.to_owned(),
            user: user.clone(),
            password: password.clone(),
            fixed,
        };
        match &found {
            Some((_, seen))
                if (&seen.path, &seen.user, &seen.password, &seen.fixed)
                    != (&plan.path, &plan.user, &plan.password, &plan.fixed) =>
            {
                problem(
                    at,
                    "every channel is reached with the same handshake (address and query)"
                        .to_owned(),
                );
            }
            Some(_) => {}
            None => found = Some((name.clone(), plan)),
        }
    }
    if found.is_none() && channels.is_empty() {
        problem("#/channels".to_owned(), "no channel".to_owned());
    }
    found.map(|(_, plan)| plan)
}

/// Variant idents of a generated enum by the value each stands for.
fn variants(file: &syn::File, name: &str) -> BTreeMap<String, syn::Ident> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let syn::Item::Enum(e) = item else { continue };
        if e.ident != name {
            continue;
        }
        for variant in &e.variants {
            let mut json = variant.ident.to_string();
            for attr in variant.attrs.iter().filter(|a| a.path().is_ident("serde")) {
                let _ = attr.parse_nested_meta(|meta| {
                    if meta.path.is_ident("rename") {
                        let value: syn::LitStr = meta.value()?.parse()?;
                        json = value.value();
                    }
                    Ok(())
                });
            }
            out.insert(json, variant.ident.clone());
        }
    }
    out
}

/// The field ident of a generated struct's JSON property.
fn field(
    structs: &BTreeMap<String, crate::syntax::FieldsByJson>,
    schema: &str,
    property: &str,
) -> Result<syn::Ident, CodegenError> {
    let ident = heck::ToUpperCamelCase::to_upper_camel_case(schema);
    structs
        .get(&ident)
        .and_then(|fields| fields.get(property))
        .map(|(ident, _)| ident.clone())
        .ok_or_else(|| {
            CodegenError::UnexpectedShape(format!(
                "typify generated no field for `{property}` of `{ident}` (stream/protocol.rs)"
            ))
        })
}

fn type_ident(schema: &str) -> syn::Ident {
    format_ident!("{}", heck::ToUpperCamelCase::to_upper_camel_case(schema))
}

/// The items added after typify's: `impl Listed` for each enum, `Event`,
/// `Streamers` and its `impl Protocol`.
pub(super) fn additions(
    value: &Value,
    doc: &Doc,
    order: &KeyOrder,
    file: &syn::File,
) -> Result<syn::File, CodegenError> {
    let plan = plan(value, doc, order).map_err(CodegenError::Unsupported)?;
    let structs = crate::syntax::structs(&file.items);
    let mut items: Vec<TokenStream> = Vec::new();

    // `Listed` for every enum of the document (what `Open` names when it
    // refuses to send an unlisted value).
    if let Some(Value::Object(schemas)) = value.pointer("/components/schemas") {
        for (name, schema) in schemas {
            let Some(values) = string_enum(schema) else {
                continue;
            };
            let ident = type_ident(name);
            items.push(quote! {
                impl ::etna_client::Listed for #ident {
                    const NAME: &'static str = #name;
                    const VALUES: &'static [&'static str] = &[#(#values),*];
                }
            });
        }
    }

    // The JSON Schema of every generated type, for the drift snapshots
    // (behind the `json-schema` feature, as the REST types').
    let mut named: Vec<syn::Ident> = file
        .items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Struct(s) => Some(s.ident.clone()),
            syn::Item::Enum(e) => Some(e.ident.clone()),
            _ => None,
        })
        .collect();
    named.sort();
    let names = named.iter().map(ToString::to_string);
    items.push(quote! {
        /// The JSON Schema of every type generated from the AsyncAPI
        /// document, by name.
        #[cfg(feature = "json-schema")]
        pub fn json_schemas() -> ::std::vec::Vec<(&'static str, ::schemars::schema::RootSchema)> {
            ::std::vec![#((#names, ::schemars::schema_for!(#named)),)*]
        }
    });

    let entity_enum = type_ident(&plan.entity_enum);
    let entity_variants = variants(file, &entity_enum.to_string());
    let entity_variant = |entity: &str| {
        entity_variants.get(entity).cloned().ok_or_else(|| {
            CodegenError::UnexpectedShape(format!(
                "typify's enum `{entity_enum}` has no variant for `{entity}` (stream/protocol.rs)"
            ))
        })
    };
    let discriminator = &plan.discriminator;
    let mut variants_tokens = Vec::new();
    let mut entity_arms = Vec::new();
    let mut decode_arms = Vec::new();
    let mut server_arms = Vec::new();
    let mut latest_arms = Vec::new();
    for event in &plan.events {
        let ty = type_ident(&event.payload);
        let variant = entity_variant(&event.entity)?;
        let tag = &event.entity;
        let server = &event.server;
        let doc = format!(" The `{tag}` message (`{}`).", event.payload);
        variants_tokens.push(quote! { #[doc = #doc] #variant(#ty) });
        entity_arms.push(quote! { Self::#variant(_) => #entity_enum::#variant });
        decode_arms.push(quote! { #tag => ::serde_json::from_str(text).map(Self::#variant) });
        server_arms.push(quote! { #entity_enum::#variant => #server });
        if let Some((property, is_required)) = &event.latest_by {
            let f = field(&structs, &event.payload, property)?;
            latest_arms.push(if *is_required {
                quote! { Event::#variant(message) => Some(message.#f.to_string()) }
            } else {
                quote! { Event::#variant(message) => message.#f.as_ref().map(|v| v.to_string()) }
            });
        }
    }
    for entity in &plan.entities {
        // `plan` made sure each has its event; the match below is exhaustive.
        entity_variant(entity)?;
    }
    let unknown =
        format!("a message whose `{discriminator}` the AsyncAPI document does not describe");
    let mut column_arms = Vec::new();
    let mut identity_arms = Vec::new();
    for event in &plan.events {
        let variant = entity_variant(&event.entity)?;
        let columns = event.columns.iter().map(|(name, kind)| {
            let kind = format_ident!("{kind}");
            quote! { ::etna_client::Column { name: #name, kind: ::etna_client::ColumnKind::#kind } }
        });
        column_arms.push(quote! { #entity_enum::#variant => &[#(#columns),*] });
        if let Some((property, is_required)) = &event.identity {
            let f = field(&structs, &event.payload, property)?;
            identity_arms.push(if *is_required {
                quote! { Self::#variant(message) => Some(message.#f.to_string()) }
            } else {
                quote! { Self::#variant(message) => message.#f.as_ref().map(|v| v.to_string()) }
            });
        }
    }
    let identity_default = (identity_arms.len() < plan.events.len()).then(|| quote! { _ => None, });
    items.push(quote! {
        /// Every message the streamers push, told apart by its
        /// discriminator; written back as the message's own JSON.
        #[derive(Clone, Debug, ::serde::Serialize)]
        #[serde(untagged)]
        pub enum Event {
            #(#variants_tokens,)*
        }

        impl Event {
            /// The entity type of the message.
            pub fn entity(&self) -> #entity_enum {
                match self {
                    #(#entity_arms,)*
                }
            }

            /// What identifies the thing the message describes
            /// (`x-etna-identity`): a later message with the same entity and
            /// value describes it anew. `None` where the document names
            /// nothing or the message lacks it.
            #[allow(clippy::match_single_binding)]
            pub fn identity(&self) -> Option<::std::string::String> {
                match self {
                    #(#identity_arms,)*
                    #identity_default
                }
            }

            /// The scalar properties of an entity's messages, in the
            /// document's order: the columns of a table of them.
            pub fn columns(entity: #entity_enum) -> &'static [::etna_client::Column] {
                match entity {
                    #(#column_arms,)*
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for Event {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // The message's own text, read again as the payload its
                // discriminator names: no buffer in between, every digit kept.
                let raw = <::std::boxed::Box<::serde_json::value::RawValue> as ::serde::Deserialize>::deserialize(deserializer)?;
                let text = raw.get();
                #[derive(::serde::Deserialize)]
                struct Discriminator {
                    #[serde(rename = #discriminator)]
                    value: ::std::string::String,
                }
                let Discriminator { value } = ::serde_json::from_str(text).map_err(::serde::de::Error::custom)?;
                let event = match value.as_str() {
                    #(#decode_arms,)*
                    _ => return Err(::serde::de::Error::custom(#unknown)),
                };
                event.map_err(::serde::de::Error::custom)
            }
        }
    });

    // The commands.
    let mut command_fns = Vec::new();
    for command in &plan.commands {
        let name = format_ident!("{}", command.action);
        let fields = command.parts.iter().map(|(property, part)| match part {
            Part::Const(value) => quote! { (#property, #value) },
            Part::Session => quote! { (#property, session.expose()) },
            Part::Entity => quote! { (#property, entity.as_str()) },
            Part::Keys => quote! { (#property, keys) },
        });
        command_fns.push(quote! {
            fn #name(session: &::etna_client::Secret, entity: #entity_enum, keys: &str) -> ::std::string::String {
                let entity = entity.to_string();
                ::etna_client::__private::command(&[#(#fields),*])
            }
        });
    }

    // The session reply.
    let reply = &plan.reply;
    let reply_ty = type_ident(&reply.schema);
    let mut const_checks = Vec::new();
    for (property, value, is_required) in &reply.consts {
        let f = field(&structs, &reply.schema, property)?;
        const_checks.push(if *is_required {
            quote! { if reply.#f != #value { return None; } }
        } else {
            quote! { if reply.#f.as_deref().is_some_and(|v| v != #value) { return None; } }
        });
    }
    let status = field(&structs, &reply.schema, &reply.status.0)?;
    let ok = &reply.ok;
    let is_ok = if reply.status.1 {
        quote! { reply.#status == #ok }
    } else {
        quote! { reply.#status.as_deref() == Some(#ok) }
    };
    let session = field(&structs, &reply.schema, &reply.session.0)?;
    let session_value = if reply.session.1 {
        quote! { Some(reply.#session) }
    } else {
        quote! { reply.#session }
    };

    let HandshakePlan {
        path,
        user,
        password,
        fixed,
    } = &plan.handshake;
    let fixed = fixed.iter().map(|(k, v)| quote! { (#k, #v) });
    let separator = &plan.separator;
    let listed_tags = plan.events.iter().map(|event| event.entity.as_str());
    let latest_default = (latest_arms.len() < plan.events.len()).then(|| quote! { _ => None, });
    items.push(quote! {
        /// The streamers this document describes, for the streaming
        /// runtime (`etna_client::stream`).
        #[derive(Clone, Copy, Debug, Default)]
        pub struct Streamers;

        impl ::etna_client::stream::Protocol for Streamers {
            type Event = Event;
            type Entity = #entity_enum;

            const HANDSHAKE: ::etna_client::stream::Handshake = ::etna_client::stream::Handshake {
                path: #path,
                user: #user,
                password: #password,
                fixed: &[#(#fixed),*],
            };

            const KEY_SEPARATOR: &'static str = #separator;

            fn server(entity: #entity_enum) -> &'static str {
                match entity {
                    #(#server_arms,)*
                }
            }

            fn entity(event: &Event) -> #entity_enum {
                event.entity()
            }

            #[allow(clippy::match_single_binding)]
            fn latest_key(event: &Event) -> Option<::std::string::String> {
                match event {
                    #(#latest_arms,)*
                    #latest_default
                }
            }

            #(#command_fns)*

            fn unlisted(frame: &str) -> Option<::std::string::String> {
                #[derive(::serde::Deserialize)]
                struct Discriminator {
                    #[serde(rename = #discriminator)]
                    value: ::std::string::String,
                }
                let Discriminator { value } = ::serde_json::from_str(frame).ok()?;
                match value.as_str() {
                    #(#listed_tags)|* => None,
                    _ => Some(value),
                }
            }

            fn session_reply(frame: &str) -> Option<::etna_client::stream::SessionReply> {
                let reply: #reply_ty = ::serde_json::from_str(frame).ok()?;
                #(#const_checks)*
                Some(match (#is_ok, #session_value) {
                    (true, Some(session)) => ::etna_client::stream::SessionReply::Ok(session),
                    _ => ::etna_client::stream::SessionReply::Refused,
                })
            }
        }
    });
    syn::parse2(quote! { #(#items)* }).map_err(|e| CodegenError::Syntax(e.to_string()))
}
