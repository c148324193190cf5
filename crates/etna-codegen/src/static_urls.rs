//! A speed pass over progenitor's output that takes URL parsing out of the
//! call: progenitor's `send` formats `"{baseurl}{path}"` and hands the
//! string to reqwest, which parses it on every call. For an operation of
//! the root server whose path has no parameter that URL never changes for
//! a client, so etna-client resolves it once when the client is built
//! (`ClientState::static_url`), and the generated `send` asks for it by the
//! operation's index in `GeneratedClient::OPERATIONS`. Taking it out costs
//! about 8 700 instructions a call (×1.12 instead of ×1.02 against the
//! hand-written call, BENCHMARKS.md, 2026-12-07), so it stays for the
//! per-call target.
//!
//! Operations on a server of their own go through the same lookup, for
//! correctness, in `servers.rs`. Every operation this pass should rewrite
//! must be found, or codegen fails naming it: a progenitor upgrade must not
//! quietly bring the per-call parse back.

use crate::CodegenError;
use crate::additions::operations;
use crate::builders::Builder;
use crate::servers::{rewrite_all, targets};
use etna_spec::model::Api;

/// Rewrites the URL of every root-server operation without path
/// parameters; returns how many `send`s changed.
pub(crate) fn cache_static_urls(
    api: &Api<'_>,
    builders: &mut [Builder<'_>],
) -> Result<usize, CodegenError> {
    let rows = operations(api)?;
    let targets = targets(&rows, |op| op.server == 0 && !op.path.contains('{'));
    rewrite_all(builders, targets)
}

#[cfg(test)]
mod tests {
    /// The shape the pass expects is progenitor's actual output.
    #[test]
    fn progenitors_output_is_rewritten_only_where_the_path_has_no_parameter() {
        let spec = crate::parse_spec(
            r#"
openapi: 3.0.3
info: {title: t, version: "1"}
servers: [{url: "{root}/v{version}", variables: {root: {default: "https://h"}, version: {default: "1.0"}}}]
paths:
  /items/{id}:
    get:
      operationId: get_item
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
  /items:
    get:
      operationId: list_items
      parameters: [{name: q, in: query, schema: {type: string}}]
      responses: {"200": {description: ok, content: {application/json: {schema: {type: string}}}}}
"#,
            "inline",
        )
        .unwrap();
        let code = crate::generate_client(&spec).unwrap();
        let compact: String = code.split_whitespace().collect();
        assert!(
            compact.contains(r#"leturl=::etna_client::__private::static_url(&client.inner,0usize,&client.baseurl,"/items",).map_err(Error::InvalidRequest)?;"#),
            "{code}"
        );
        assert!(
            compact.contains(
                r#"leturl=format!("{}/items/{}",client.baseurl,encode_path(&id.to_string()),);"#
            ),
            "{code}"
        );
        assert_eq!(code.matches("static_url(").count(), 1, "{code}");
    }
}
