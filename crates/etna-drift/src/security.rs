//! Security schemes and requirements: progenitor ignores both, so etna-client
//! sends the credentials itself, in the header generation reads from the
//! scheme (`GeneratedClient::APP_KEY_HEADER`).

use etna_spec::model::Need;
use etna_spec::pointer::push;
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityRequirement, SecurityScheme};

use crate::Ctx;
use crate::change::{Change, Class};
use crate::op::{self, Op};
use crate::rules::Rule;

const HAND_WRITTEN: &str = "progenitor ignores security schemes: etna-client sends the key itself, in the header `GeneratedClient::APP_KEY_HEADER` names, which regenerating the client updates";

fn describe(scheme: &SecurityScheme) -> String {
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => {
            let place = match location {
                APIKeyLocation::Header => "header",
                APIKeyLocation::Query => "query parameter",
                APIKeyLocation::Cookie => "cookie",
            };
            format!("an API key in the {place} `{name}`")
        }
        SecurityScheme::HTTP { scheme, .. } => format!("HTTP `{scheme}` authentication"),
        SecurityScheme::OAuth2 { .. } => "OAuth 2".to_owned(),
        SecurityScheme::OpenIDConnect { .. } => "OpenID Connect".to_owned(),
    }
}

/// The parts of a scheme that decide what a request must carry (descriptions
/// and `bearerFormat` are documentation). Header names and HTTP scheme names
/// are case-insensitive.
fn wire(scheme: &SecurityScheme) -> String {
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => {
            format!("apiKey {location:?} {}", name.to_ascii_lowercase())
        }
        SecurityScheme::HTTP { scheme, .. } => format!("http {}", scheme.to_ascii_lowercase()),
        other => {
            let mut value = serde_json::to_value(other).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.remove("description");
            }
            value.to_string()
        }
    }
}

/// The same, spelled as the spec spells it: differs from [`wire`] only in
/// the case of names.
fn spelled(scheme: &SecurityScheme) -> String {
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => format!("apiKey {location:?} {name}"),
        SecurityScheme::HTTP { scheme, .. } => format!("http {scheme}"),
        other => wire(other),
    }
}

fn bearer_format(scheme: &SecurityScheme) -> Option<&str> {
    match scheme {
        SecurityScheme::HTTP { bearer_format, .. } => bearer_format.as_deref(),
        _ => None,
    }
}

fn schemes(api: &OpenAPI) -> Vec<(&String, Option<&SecurityScheme>)> {
    api.components
        .as_ref()
        .map(|c| {
            c.security_schemes
                .iter()
                .map(|(name, s)| {
                    (
                        name,
                        if let ReferenceOr::Item(s) = s {
                            Some(s)
                        } else {
                            None
                        },
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub(crate) fn compare(ctx: &mut Ctx) {
    let (old, new) = (schemes(ctx.old), schemes(ctx.new));
    for (name, a) in &old {
        let at = push("#/components/securitySchemes", name);
        match new.iter().find(|(n, _)| n == name) {
            None => {
                let detail = format!(
                    "security scheme `{name}` is removed: requests that carried it are no longer documented to need it"
                );
                ctx.push(Change::new(Rule::SecuritySchemeRemoved, None, at, detail));
            }
            Some((_, b)) => {
                let (Some(a), Some(b)) = (a, b) else { continue };
                if wire(a) != wire(b) {
                    let api_key = |s: &SecurityScheme| matches!(s, SecurityScheme::APIKey { .. });
                    let hand_written = if api_key(a) || api_key(b) {
                        format!("; {HAND_WRITTEN}")
                    } else {
                        String::new()
                    };
                    let detail = format!(
                        "security scheme `{name}` changes from {} to {}: every request that needs it fails with 401/403 (`Error::AppKeyRejected` for the app key) until the client sends the new credentials{hand_written}",
                        describe(a),
                        describe(b)
                    );
                    ctx.push(Change::new(
                        Rule::SecuritySchemeChanged.with(Class::Breaking),
                        None,
                        at.clone(),
                        detail,
                    ));
                } else if spelled(a) != spelled(b) {
                    let detail = format!(
                        "security scheme `{name}` changes from {} to {}: only the case differs, and header and HTTP scheme names are case-insensitive, so requests are accepted as before",
                        describe(a),
                        describe(b)
                    );
                    ctx.push(Change::new(
                        Rule::SecuritySchemeChanged.with(Class::Compatible),
                        None,
                        at.clone(),
                        detail,
                    ));
                }
                if bearer_format(a) != bearer_format(b) {
                    let show = |f: Option<&str>| f.map_or("none".to_owned(), |f| format!("`{f}`"));
                    let detail = format!(
                        "`bearerFormat`: the documented format of `{name}`'s token changes from {} to {}: documentation only (the client sends the token it is given)",
                        show(bearer_format(a)),
                        show(bearer_format(b))
                    );
                    ctx.push(Change::new(
                        Rule::Docs,
                        None,
                        push(&at, "bearerFormat"),
                        detail,
                    ));
                }
            }
        }
    }
    for (name, _) in new.iter().filter(|(n, _)| !old.iter().any(|(o, _)| o == n)) {
        let detail =
            format!("new security scheme `{name}`; it matters only where a requirement names it");
        ctx.push(Change::new(
            Rule::SecuritySchemeAdded,
            None,
            push("#/components/securitySchemes", name),
            detail,
        ));
    }
    // The operations that follow the spec's requirement, in the new spec.
    let following = op::names_where(ctx.new, |op| op.op.security.is_none());
    let reach = if following.is_empty() {
        " (no operation follows it: each declares its own `security`)".to_owned()
    } else {
        format!(
            " (for the operations that follow it: {})",
            following.join(", ")
        )
    };
    requirements(
        ctx,
        None,
        (ctx.old.security.as_deref(), ctx.new.security.as_deref()),
        "#/security".to_owned(),
        &reach,
        false,
    );
}

pub(crate) fn operation(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    if o.op.security.is_none() && n.op.security.is_none() {
        // Both follow the global requirement, compared once for the whole spec.
        return;
    }
    let old = o.op.security.as_deref().or(ctx.old.security.as_deref());
    let new = n.op.security.as_deref().or(ctx.new.security.as_deref());
    let at = if n.op.security.is_some() {
        &n.at
    } else {
        &o.at
    };
    let whence = match (o.op.security.is_some(), n.op.security.is_some()) {
        (true, false) => " (the operation now follows the spec's `security`)",
        (false, true) => " (the operation now declares its own `security`)",
        _ => "",
    };
    let moved = o.op.security.is_some() != n.op.security.is_some();
    requirements(
        ctx,
        Some(label),
        (old, new),
        push(at, "security"),
        whence,
        moved,
    );
}

/// The alternatives of a requirement, each the sorted names of the schemes
/// sent together; one empty alternative when no credentials are needed.
fn alternatives(list: Option<&[SecurityRequirement]>) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = list
        .unwrap_or_default()
        .iter()
        .map(|req| {
            let mut names: Vec<String> = req.keys().cloned().collect();
            names.sort();
            names
        })
        .collect();
    if out.is_empty() {
        out.push(Vec::new());
    }
    out.sort();
    out.dedup();
    out
}

/// How much the alternatives need `scheme`, as
/// `etna_spec::model::Operation::needs` says it.
fn need(alts: &[Vec<String>], scheme: &str) -> Need {
    let with = alts
        .iter()
        .filter(|alternative| alternative.iter().any(|s| s == scheme))
        .count();
    match with {
        0 => Need::None,
        n if n == alts.len() => Need::Required,
        _ => Need::Optional,
    }
}

fn need_name(need: Need) -> &'static str {
    match need {
        Need::Required => "required",
        Need::Optional => "optional",
        Need::None => "not asked for",
    }
}

fn alternative(names: &[String]) -> String {
    if names.is_empty() {
        "no credentials".to_owned()
    } else {
        names.join(" + ")
    }
}

fn show(alts: &[Vec<String>]) -> String {
    alts.iter()
        .map(|alt| alternative(alt))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Compares the requirement a caller meets; `moved` when the same place
/// switches between its own requirement and the spec's.
fn requirements(
    ctx: &mut Ctx,
    label: Option<&str>,
    (old, new): (
        Option<&[SecurityRequirement]>,
        Option<&[SecurityRequirement]>,
    ),
    at: String,
    context: &str,
    moved: bool,
) {
    let (a, b) = (alternatives(old), alternatives(new));
    if a == b {
        if moved || old.unwrap_or_default() != new.unwrap_or_default() {
            let detail = format!(
                "the security requirement is written differently{context}, but asks for the same credentials ({}): requests are accepted as before",
                show(&a)
            );
            ctx.push(Change::new(
                Rule::SecurityRequirementChanged.with(Class::Compatible),
                label,
                at,
                detail,
            ));
        }
        return;
    }
    // A caller that met an old alternative is still served when some new
    // alternative asks for no more than it sends (none at all included).
    let refused: Vec<&Vec<String>> = a
        .iter()
        .filter(|sent| !b.iter().any(|asked| asked.iter().all(|s| sent.contains(s))))
        .collect();
    let mut names: Vec<&String> = a.iter().chain(&b).flatten().collect();
    names.sort();
    names.dedup();
    let needs: Vec<String> = names
        .iter()
        .filter_map(|name| {
            let (was, is) = (need(&a, name), need(&b, name));
            (was != is).then(|| {
                format!(
                    "`{name}` becomes {} (was {})",
                    need_name(is),
                    need_name(was)
                )
            })
        })
        .collect();
    let needs = if needs.is_empty() {
        String::new()
    } else {
        format!("; {}", needs.join(", "))
    };
    let (class, effect) = if refused.is_empty() {
        (
            Class::Compatible,
            "every request accepted before is still accepted".to_owned(),
        )
    } else {
        let who: Vec<String> = refused
            .iter()
            .map(|alt| {
                if alt.is_empty() {
                    "no credentials".to_owned()
                } else {
                    format!("only {}", alt.join(" + "))
                }
            })
            .collect();
        (
            Class::Breaking,
            format!(
                "callers that send {} are refused (401/403) until they send the new credentials",
                who.join(" or ")
            ),
        )
    };
    let detail = format!(
        "required security changes from {} to {}{context}{needs}: {effect}",
        show(&a),
        show(&b)
    );
    ctx.push(Change::new(
        Rule::SecurityRequirementChanged.with(class),
        label,
        at,
        detail,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alts(list: &[&[&str]]) -> Vec<Vec<String>> {
        let mut out: Vec<Vec<String>> = list
            .iter()
            .map(|alt| alt.iter().map(|s| (*s).to_owned()).collect())
            .collect();
        out.sort();
        out
    }

    #[test]
    fn needs_follow_the_model() {
        let sign_in = alts(&[&["EtAppKey"], &["Bearer", "EtAppKey"]]);
        assert_eq!(need(&sign_in, "EtAppKey"), Need::Required);
        assert_eq!(need(&sign_in, "Bearer"), Need::Optional);
        assert_eq!(need(&sign_in, "Other"), Need::None);
        assert_eq!(need(&alternatives(None), "EtAppKey"), Need::None);
        assert_eq!(show(&alternatives(Some(&[]))), "no credentials");
        assert_eq!(show(&sign_in), "Bearer + EtAppKey or EtAppKey");
    }
}
