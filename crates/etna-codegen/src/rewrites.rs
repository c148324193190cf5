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
            // The spec's 8 operations, each one `send`.
            version_header: 8,
            // sign_in's Password, VerificationCode and PinCode.
            secret_headers: 3,
            // Those and its Username.
            header_names: 4,
            // sign_in, at `{root}/token`.
            servers: 1,
            // The other operations but change_password, which has a path
            // parameter.
            static_urls: 6,
            // Their documented answers with a body.
            decode: 27,
            routes: 8,
            send_scopes: 8,
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
            // The spec's 8 operations and the fixture's 4.
            version_header: 12,
            // fixture_at_root's X-Fixture-Secret too.
            secret_headers: 4,
            // And its X-Fixture-Plain.
            header_names: 6,
            // fixture_at_root, at `{apiURL}`.
            servers: 2,
            // And fixture_plain and set_pin_code.
            static_urls: 8,
            // The spec's 27 and the fixture's, fixture_plain's 401 among them.
            decode: 38,
            routes: 12,
            send_scopes: 12,
        }
    );
}
