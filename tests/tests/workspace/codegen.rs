//! The generated client is current, deterministic, and generation never panics.

use std::path::Path;

use etna_codegen::{CodegenError, check, generate_client, outputs, parse_spec, workspace_root};

#[test]
fn generated_files_match_the_spec() {
    let root = workspace_root();
    let (files, _) = outputs(&root).expect("the committed spec generates");
    let stale = check(&root, &files);
    let diffs: String = stale.iter().map(|s| s.diff.as_str()).collect();
    assert!(
        stale.is_empty(),
        "generated code is stale; run `cargo xtask codegen` and commit the result.\n{diffs}"
    );
}

#[test]
fn generation_is_byte_identical_across_runs() {
    let root = workspace_root();
    let (first, _) = outputs(&root).unwrap();
    let (second, _) = outputs(&root).unwrap();
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(
            a.contents,
            b.contents,
            "{} differs between runs",
            a.path.display()
        );
    }
}

#[test]
fn generated_files_say_they_are_generated() {
    let root = workspace_root();
    let (files, _) = outputs(&root).unwrap();
    for file in files {
        let first = file.contents.lines().next().unwrap_or_default();
        assert!(
            first.starts_with("// @generated"),
            "{}: {first}",
            file.path.display()
        );
        assert!(file.contents.contains("DO NOT EDIT"));
    }
}

/// Each file under tests/specs/unsupported/ uses one construct that makes
/// progenitor panic; its first line says `# expect: <text>`, which the error
/// must contain (the spec location and the fix).
#[test]
fn unsupported_constructs_are_errors_naming_the_location() {
    let dir = workspace_root().join("tests/specs/unsupported");
    let fixtures = std::fs::read_dir(&dir).unwrap().count();
    assert!(fixtures > 0, "no bad specs in {}", dir.display());
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{}: no `# expect:` line",
            path.display()
        );
        let message = generation_error(&path, &text);
        for want in expected {
            assert!(
                message.contains(want),
                "{}: error does not mention {want:?}:\n{message}",
                path.display()
            );
        }
        assert!(!message.contains("panicked"), "{message}");
        seen += 1;
    }
    // Exact, so that a filter added to the loop cannot skip a fixture unnoticed.
    assert_eq!(
        seen,
        fixtures,
        "{seen} of the {fixtures} files in {} were checked",
        dir.display()
    );
}

fn generation_error(path: &Path, text: &str) -> String {
    let label = path.file_name().unwrap().to_string_lossy();
    match parse_spec(text, &label) {
        Err(e) => e.to_string(),
        Ok(spec) => match generate_client(&spec) {
            Ok(_) => panic!("{}: generated without error", path.display()),
            Err(e @ (CodegenError::Unsupported(_) | CodegenError::Parse { .. })) => e.to_string(),
            Err(other) => panic!("{}: not caught by preflight: {other}", path.display()),
        },
    }
}

/// A construct the preflight checks do not know (`exclusiveMinimum` without
/// `minimum` hits a `todo!` inside progenitor) still ends as an error, not a
/// panic.
#[test]
fn an_unknown_progenitor_panic_becomes_an_error() {
    let spec = parse_spec(
        r#"
openapi: 3.0.3
info: {title: t, version: "1"}
servers:
  - url: "{apiURL}"
    variables:
      apiURL: {default: "https://example.test"}
paths:
  /things:
    get:
      operationId: get_things
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {exclusiveMinimum: true, maximum: 5}
"#,
        "inline",
    )
    .unwrap();
    match generate_client(&spec) {
        Err(CodegenError::ProgenitorPanic(message)) => {
            assert!(message.contains("exclusive_minimum"), "{message}")
        }
        other => panic!("expected ProgenitorPanic, got {other:?}"),
    }
}

/// The message generator takes the smallest document
/// (`tests/specs/streaming-minimal.yaml`), and each file of
/// `tests/specs/unsupported-streaming/` (that document with one construct the
/// generator refuses) fails with the `# expect:` texts of its first lines:
/// the pointer and the reason.
#[test]
fn unsupported_streaming_constructs_are_errors_naming_the_location() {
    let specs = workspace_root().join("tests/specs");
    etna_codegen::generate_messages(&specs.join("streaming-minimal.yaml"))
        .expect("the minimal AsyncAPI document generates");
    let dir = specs.join("unsupported-streaming");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("# expect: "))
            .collect();
        assert!(
            !expected.is_empty(),
            "{}: no `# expect:` line",
            path.display()
        );
        let message = match etna_codegen::generate_messages(&path) {
            Ok(_) => panic!("{}: generated without error", path.display()),
            Err(e @ CodegenError::Unsupported(_)) => e.to_string(),
            Err(other) => panic!("{}: not a located problem: {other}", path.display()),
        };
        for want in expected {
            assert!(
                message.contains(want),
                "{}: error does not mention {want:?}:\n{message}",
                path.display()
            );
        }
        seen += 1;
    }
    assert!(seen >= 10, "only {seen} documents in {}", dir.display());
}
