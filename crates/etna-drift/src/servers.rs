//! Servers, as the client reads them: the caller gives the API root, and the
//! client appends the base path of the operation's effective server (its own
//! `servers`, its path item's, then the spec's first), with every server
//! variable replaced by the caller's value or the spec's default. The leading
//! `{variable}` of every server URL is the API root itself, which the client
//! never reads (see `etna_spec::model::Server`).

use etna_spec::pointer::push;
use openapiv3::{OpenAPI, Server};

use crate::Ctx;
use crate::change::{Change, Class};
use crate::op::{self, Op};
use crate::rules::Rule;

/// One server as the client reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Read {
    /// What follows the leading `{variable}`; `None` when the URL does not
    /// start with one (the model refuses it: `unsupported-construct`).
    base_path: Option<String>,
    /// The variables `base_path` names: name, default, allowed values.
    variables: Vec<(String, String, Vec<String>)>,
}

fn read(server: Option<&Server>) -> Read {
    let url = server.map_or("", |s| s.url.as_str());
    let Some((_, base_path)) = url.strip_prefix('{').and_then(|rest| rest.split_once('}')) else {
        return Read {
            base_path: None,
            variables: Vec::new(),
        };
    };
    let mut variables = Vec::new();
    let mut rest = base_path;
    while let Some((name, tail)) = rest
        .split_once('{')
        .and_then(|(_, after)| after.split_once('}'))
    {
        let declared = server
            .and_then(|s| s.variables.as_ref())
            .and_then(|vars| vars.get(name));
        variables.push((
            name.to_owned(),
            declared.map(|v| v.default.clone()).unwrap_or_default(),
            declared.map(|v| v.enumeration.clone()).unwrap_or_default(),
        ));
        rest = tail;
    }
    Read {
        base_path: Some(base_path.to_owned()),
        variables,
    }
}

fn show(base_path: &Option<String>) -> String {
    match base_path {
        Some(path) if path.is_empty() => "the API root itself".to_owned(),
        Some(path) => format!("`{path}`"),
        None => "(no `{variable}` root)".to_owned(),
    }
}

/// Whether the operation declares a server of its own or on its path item.
fn own(op: &Op) -> bool {
    !op.op.servers.is_empty() || !op.item.servers.is_empty()
}

/// The server an operation is sent to, and where it is declared.
fn effective<'a>(api: &'a OpenAPI, op: &Op<'a>) -> (Option<&'a Server>, String, &'static str) {
    if let Some(server) = op.op.servers.first() {
        (Some(server), push(&op.at, "servers"), "its own `servers`")
    } else if let Some(server) = op.item.servers.first() {
        (
            Some(server),
            push(&op.path_at(), "servers"),
            "its path item's `servers`",
        )
    } else {
        (
            api.servers.first(),
            "#/servers".to_owned(),
            "the spec's server",
        )
    }
}

/// The root server: its base path and variables, for the operations that
/// have no server of their own.
pub(crate) fn compare(ctx: &mut Ctx) {
    let (old, new) = (read(ctx.old.servers.first()), read(ctx.new.servers.first()));
    if old == new {
        return;
    }
    let following = op::names_where(ctx.new, |op| !own(op));
    let reach = if following.is_empty() {
        "no operation uses it (each declares its own `servers`)".to_owned()
    } else {
        format!("the operations that use it: {}", following.join(", "))
    };
    if old.base_path.is_none() || new.base_path.is_none() {
        // The model refuses such a server: `unsupported-construct` says so.
        return;
    }
    if old.base_path != new.base_path {
        let detail = format!(
            "the base path of the spec's server changes from {} to {}: the client appends it to the API root its caller gives, so clients built before call URLs the API no longer serves ({reach}); after regenerating, callers change nothing",
            show(&old.base_path),
            show(&new.base_path)
        );
        ctx.push(Change::new(
            Rule::ServerBasePathChanged,
            None,
            "#/servers/0/url",
            detail,
        ));
    }
    variables(ctx, None, &old, &new, "#/servers/0", &reach);
}

/// What callers see of a change to the variables of one server.
fn variables(ctx: &mut Ctx, label: Option<&str>, old: &Read, new: &Read, at: &str, reach: &str) {
    let at_var = |name: &str| push(&push(at, "variables"), name);
    for (name, default, _) in &old.variables {
        if !new.variables.iter().any(|(n, ..)| n == name) {
            let also = if name == "version" {
                " (`ClientBuilder::api_version(..)` sets it)"
            } else {
                ""
            };
            let detail = format!(
                "the server variable `{name}` (default `{default}`) is gone: callers that set it with `ClientBuilder::server_variable(\"{name}\", ..)`{also} get `BuildError::UnknownServerVariable` from `build()`; {reach}"
            );
            ctx.push(Change::new(
                Rule::ServerVariableRemoved,
                label,
                at_var(name),
                detail,
            ));
        }
    }
    for (name, default, allowed) in &new.variables {
        match old.variables.iter().find(|(n, ..)| n == name) {
            None => {
                let detail = format!(
                    "new server variable `{name}` (default `{default}`): callers may set it with `ClientBuilder::server_variable(\"{name}\", ..)`; those that do not send the default; {reach}"
                );
                ctx.push(Change::new(
                    Rule::ServerVariableAdded,
                    label,
                    at_var(name),
                    detail,
                ));
            }
            Some((_, old_default, old_allowed)) => {
                if old_default != default {
                    let detail = format!(
                        "the default of the server variable `{name}` changes from `{old_default}` to `{default}`: after regenerating, callers that do not set it call URLs with `{default}`; {reach}"
                    );
                    ctx.push(Change::new(
                        Rule::ServerVariableChanged,
                        label,
                        push(&at_var(name), "default"),
                        detail,
                    ));
                }
                if old_allowed != allowed {
                    let list = |values: &[String]| {
                        if values.is_empty() {
                            "any value".to_owned()
                        } else {
                            values
                                .iter()
                                .map(|v| format!("`{v}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        }
                    };
                    let detail = format!(
                        "the values documented for the server variable `{name}` change from {} to {}: the client does not check them, so a value the API no longer serves fails only at the call; {reach}",
                        list(old_allowed),
                        list(allowed)
                    );
                    ctx.push(Change::new(
                        Rule::ServerVariableChanged,
                        label,
                        push(&at_var(name), "enum"),
                        detail,
                    ));
                }
            }
        }
    }
}

/// The variables whose default or documented values differ, for a message.
fn variable_changes(old: &Read, new: &Read) -> String {
    new.variables
        .iter()
        .filter_map(|(name, default, allowed)| {
            let (_, was, was_allowed) = old.variables.iter().find(|(n, ..)| n == name)?;
            if was != default {
                Some(format!("`{name}` defaults to `{default}`, was `{was}`"))
            } else if was_allowed != allowed {
                Some(format!("the documented values of `{name}` change"))
            } else {
                None
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An operation's effective server, when the operation or its path item
/// declares one on either side (the root server is compared once).
pub(crate) fn operation(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    if !own(o) && !own(n) {
        return;
    }
    let (old_server, old_at, old_from) = effective(ctx.old, o);
    let (new_server, new_at, new_from) = effective(ctx.new, n);
    let (old, new) = (read(old_server), read(new_server));
    let url_of = |server: Option<&Server>| server.map(|s| s.url.clone());
    if old == new && old_from == new_from && url_of(old_server) == url_of(new_server) {
        // Only what the client does not read (descriptions, the root's
        // variable): the leftover walk reports it.
        return;
    }
    let at = if own(n) { new_at } else { old_at };
    let url = |read: &Read, op: &Op| match &read.base_path {
        Some(base) => format!("`{{API root}}{base}{}`", op.path),
        None => "a URL the client cannot build".to_owned(),
    };
    let (class, detail) = if old.base_path != new.base_path {
        (
            Class::Breaking,
            format!(
                "the operation's server changes from {old_from} ({}) to {new_from} ({}): its URL moves from {} to {}, so clients built before call a URL the API no longer serves; after regenerating, the call is sent to the new URL",
                show(&old.base_path),
                show(&new.base_path),
                url(&old, o),
                url(&new, n)
            ),
        )
    } else if old.variables != new.variables {
        (
            Class::Warning,
            format!(
                "the operation's server ({}) keeps its base path {} but its variables change ({}): after regenerating, callers that leave them out call another URL",
                if old_from == new_from {
                    new_from.to_owned()
                } else {
                    format!("{new_from}, was {old_from}")
                },
                show(&new.base_path),
                variable_changes(&old, &new)
            ),
        )
    } else {
        (
            Class::Compatible,
            format!(
                "the operation's server is now {new_from} (was {old_from}), with the same base path: its URL stays {}",
                url(&new, n)
            ),
        )
    };
    let mut change = Change::new(
        Rule::OperationServerChanged.with(class),
        Some(label),
        at,
        detail,
    );
    for op in [o, n] {
        change = change
            .covering(push(&op.at, "servers"))
            .covering(push(&op.path_at(), "servers"));
    }
    ctx.push(change);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_variable_is_not_read_and_the_others_are() {
        let server: Server = serde_json::from_value(serde_json::json!({
            "url": "{apiURL}/v{version}/{desk}",
            "variables": {
                "apiURL": {"default": "https://x.example"},
                "version": {"default": "1.0", "enum": ["1.0", "2.0"]},
                "desk": {"default": "main"}
            }
        }))
        .unwrap();
        let read = read(Some(&server));
        assert_eq!(read.base_path.as_deref(), Some("/v{version}/{desk}"));
        let names: Vec<&str> = read.variables.iter().map(|(n, ..)| n.as_str()).collect();
        assert_eq!(names, ["version", "desk"]);
        assert_eq!(read.variables[0].2, ["1.0", "2.0"]);
        let fixed = Server {
            url: "https://x.example/v1".to_owned(),
            ..Server::default()
        };
        assert_eq!(super::read(Some(&fixed)).base_path, None);
        assert_eq!(show(&Some(String::new())), "the API root itself");
    }
}
