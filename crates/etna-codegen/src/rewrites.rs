//! The passes over progenitor's output, counted on the real generations:
//! the workspace's spec and the fixture spec (the spec plus one operation of
//! each shape). A progenitor upgrade that changes the shape a pass matches,
//! or a change to `generate_client` that stops running a pass, changes a
//! count here and fails this test, instead of silently undoing the pass.

use std::path::Path;

use crate::stale::{FIXTURE_OVERLAY, with_overlay};
use crate::{Rewrites, SPEC_PATH, generate_client_with_rewrites, load_spec, workspace_root};

fn rewrites(spec: &openapiv3::OpenAPI) -> Rewrites {
    generate_client_with_rewrites(spec)
        .expect("the spec generates")
        .1
}

fn spec(root: &Path) -> openapiv3::OpenAPI {
    load_spec(&root.join(SPEC_PATH)).expect("the workspace's spec loads")
}

#[test]
fn each_pass_rewrites_what_the_workspace_spec_says_it_should() {
    assert_eq!(
        rewrites(&spec(&workspace_root())),
        Rewrites {
            // The spec's 20 operations, each one `send`.
            version_header: 20,
            // sign_in's Password, VerificationCode and PinCode.
            secret_headers: 3,
            // Those, its Username, and lookup_equities' language.
            header_names: 5,
            // sign_in, at `{root}/token`.
            servers: 1,
            // The operations without a path parameter but sign_in.
            static_urls: 9,
            // Their documented answers with a body (cancel_order's 204
            // with its 200's optional one).
            decode: 89,
            // place_order's 400 (OrderPreview), 401, 403, 422 and 500
            // (ErrorBody).
            error_unions: 5,
            routes: 20,
            send_scopes: 20,
        }
    );
}

#[test]
fn each_pass_rewrites_what_the_fixture_spec_says_it_should() {
    let root = workspace_root();
    let fixture = with_overlay(&spec(&root), &root.join(FIXTURE_OVERLAY)).unwrap();
    assert_eq!(
        rewrites(&fixture),
        Rewrites {
            // The spec's 20 operations and the fixture's 11.
            version_header: 31,
            // fixture_at_root's X-Fixture-Secret too.
            secret_headers: 4,
            // And its X-Fixture-Plain.
            header_names: 7,
            // fixture_at_root, at `{apiURL}`.
            servers: 2,
            // And fixture_holding, fixture_plain, set_pin_code,
            // fixture_list_items, fixture_add_item, fixture_list_pages and
            // fixture_add_holding.
            static_urls: 16,
            // The spec's 89 and the fixture's, fixture_plain's 401,
            // fixture_holding's 200 and 403, and the 200, 401 and 403 of
            // fixture_list_pages and fixture_add_holding among them.
            decode: 120,
            // And fixture_check_item's 400, 403, 409 and 422.
            error_unions: 9,
            routes: 31,
            send_scopes: 31,
        }
    );
}
