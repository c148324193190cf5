//! Security schemes and requirements: progenitor ignores both, so the client
//! crate sends the app key by hand (`etna_client::APP_KEY_HEADER`).

use etna_spec::pointer::push;
use openapiv3::{APIKeyLocation, OpenAPI, ReferenceOr, SecurityRequirement, SecurityScheme};

use crate::Ctx;
use crate::change::{Change, Class};
use crate::operations::Op;
use crate::rules::Rule;

const HAND_WRITTEN: &str = "progenitor ignores security schemes, so etna-client sends the key itself (`etna_client::APP_KEY_HEADER`) and generated code does not change";

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
/// are left to the documentation walk).
fn wire(scheme: &SecurityScheme) -> String {
    match scheme {
        SecurityScheme::APIKey { location, name, .. } => {
            format!("apiKey {location:?} {}", name.to_ascii_lowercase())
        }
        other => {
            let mut value = serde_json::to_value(other).unwrap_or_default();
            if let Some(map) = value.as_object_mut() {
                map.remove("description");
            }
            value.to_string()
        }
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
                    let detail = format!(
                        "security scheme `{name}` changes from {} to {}: every request fails with 403 (`Error::AppKeyRejected`) until the client sends the new one; {HAND_WRITTEN}",
                        describe(a),
                        describe(b)
                    );
                    ctx.push(Change::new(Rule::SecuritySchemeChanged, None, at, detail));
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
    requirements(
        ctx,
        None,
        ctx.old.security.as_deref(),
        ctx.new.security.as_deref(),
        "#/security".to_owned(),
    );
}

pub(crate) fn operation(ctx: &mut Ctx, o: &Op, n: &Op, label: &str) {
    if o.op.security.is_none() && n.op.security.is_none() {
        // Both follow the global requirement, compared once for the whole spec.
        return;
    }
    let old = o.op.security.as_deref().or(ctx.old.security.as_deref());
    let new = n.op.security.as_deref().or(ctx.new.security.as_deref());
    requirements(ctx, Some(label), old, new, push(&n.at, "security"));
}

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
    out.sort();
    out
}

fn requirements(
    ctx: &mut Ctx,
    label: Option<&str>,
    old: Option<&[SecurityRequirement]>,
    new: Option<&[SecurityRequirement]>,
    at: String,
) {
    let (a, b) = (alternatives(old), alternatives(new));
    if a == b {
        return;
    }
    let open = |alts: &[Vec<String>]| alts.is_empty() || alts.iter().any(Vec::is_empty);
    let show = |alts: &[Vec<String>]| {
        if open(alts) {
            "no credentials".to_owned()
        } else {
            alts.iter()
                .map(|names| names.join(" + "))
                .collect::<Vec<_>>()
                .join(" or ")
        }
    };
    // A client that satisfied an old alternative still satisfies the new
    // requirement when that alternative (or none at all) is still accepted.
    let still_served = open(&b) || a.iter().any(|alt| b.contains(alt));
    let (class, effect) = if still_served {
        (Class::Compatible, "what the client sends is still accepted")
    } else {
        (
            Class::Breaking,
            "every request fails with 401/403 until the client sends the new credentials; progenitor ignores security, so etna-client must be changed by hand",
        )
    };
    let detail = format!(
        "required security changes from {} to {}: {effect}",
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
