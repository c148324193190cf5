//! The exit-code table of the crate's README against what `etna --help`
//! prints and the codes of `src/failure.rs`: a row added, removed or
//! changed on one side only fails here.

use crate::etna;

const README: &str = include_str!("../../README.md");
const FAILURE: &str = include_str!("../../src/failure.rs");

/// `(code, meaning)` for each row of the README's `## Exit codes` table.
fn readme_rows() -> Vec<(u8, String)> {
    let section = README
        .split("\n## Exit codes\n")
        .nth(1)
        .expect("the README has an `## Exit codes` section");
    let section = section.split("\n## ").next().unwrap_or(section);
    section
        .lines()
        .filter_map(|line| line.strip_prefix("| "))
        .filter_map(|row| {
            let mut cells = row.split(" | ");
            // The header and the `---` line have no number in the first cell.
            let code = cells.next()?.trim().parse().ok()?;
            Some((code, cells.next()?.trim().to_owned()))
        })
        .collect()
}

/// `(code, meaning)` for each line of the `Exit codes:` list of `--help`.
fn help_rows() -> Vec<(u8, String)> {
    let output = etna().arg("--help").output().unwrap();
    assert!(output.status.success(), "{output:?}");
    let help = String::from_utf8(output.stdout).unwrap();
    let section = help
        .split("\nExit codes:\n")
        .nth(1)
        .expect("`etna --help` has an `Exit codes:` list");
    section
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .map(|line| {
            let (code, meaning) = line
                .trim()
                .split_once(' ')
                .unwrap_or_else(|| panic!("an exit-code line without a meaning: {line:?}"));
            let code = code
                .parse()
                .unwrap_or_else(|_| panic!("an exit-code line without a code: {line:?}"));
            (code, meaning.trim().to_owned())
        })
        .collect()
}

/// The values of `enum Exit` in `src/failure.rs`, in order.
fn failure_codes() -> Vec<u8> {
    let body = FAILURE
        .split("pub enum Exit {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("src/failure.rs defines `pub enum Exit`");
    body.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .map(|line| {
            let (_, value) = line
                .trim_end_matches(',')
                .split_once(" = ")
                .unwrap_or_else(|| panic!("an `Exit` variant without its code: {line:?}"));
            value.parse().unwrap()
        })
        .collect()
}

#[test]
fn the_readmes_exit_codes_are_the_ones_help_prints_and_the_code_returns() {
    let readme = readme_rows();
    assert_eq!(
        readme,
        help_rows(),
        "crates/etna-cli/README.md's exit-code table (left) and `etna --help` (right) differ: change both"
    );
    let codes: Vec<u8> = readme.iter().map(|(code, _)| *code).collect();
    assert_eq!(
        codes,
        failure_codes(),
        "the README's exit codes (left) are not those of `enum Exit` in src/failure.rs (right)"
    );
}

/// The root README's "Trade on the mock" commands run as written (without
/// a terminal: JSON and `--yes`) and succeed.
#[test]
fn the_readmes_trade_on_the_mock_commands_run() {
    const ROOT_README: &str = include_str!("../../../../README.md");
    let section = ROOT_README
        .split("\n### Trade on the mock\n")
        .nth(1)
        .expect("the README has a `### Trade on the mock` section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a ```sh block");
    let commands: Vec<Vec<&str>> = block
        .lines()
        .map(|line| line.split(" #").next().unwrap_or(line))
        .filter_map(|line| line.trim().strip_prefix("etna "))
        .map(|args| args.split_whitespace().collect())
        .collect();
    assert!(commands.len() >= 5, "{block}");
    for args in commands {
        let output = etna().args(&args).output().unwrap();
        assert!(
            output.status.success(),
            "etna {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!output.stdout.is_empty(), "etna {}", args.join(" "));
    }
}

/// The crate README's "A trade kept on one mock": its `etna` lines
/// run against one mock server (the session its `auth login` would keep
/// given as `ETNA_TOKEN`), the ID of `order cancel ID` the one the limit
/// order printed.
#[test]
fn the_readmes_trade_on_one_mock_runs() {
    let section = README
        .split("\n### A trade kept on one mock\n")
        .nth(1)
        .expect("the README has a `### A trade kept on one mock` section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a ```sh block");
    let background = crate::servers::Background::new();
    let server = background.mock(etna_mock::MockServer::builder());
    let token = crate::trade::mock_token(&background, &server);
    let mut placed = String::new();
    let mut ran = 0;
    for line in block.lines() {
        let line = line.split(" #").next().unwrap_or(line);
        let Some(args) = line.trim().strip_prefix("etna ") else {
            continue;
        };
        let args: Vec<String> = args
            .split_whitespace()
            .map(|a| {
                if a == "ID" {
                    placed.clone()
                } else {
                    a.to_owned()
                }
            })
            .collect();
        let output = etna()
            .args(["--base-url", &server.base_url()])
            .env("ETNA_APP_KEY", etna_mock::MockServer::APP_KEY)
            .env("ETNA_TOKEN", &token)
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8(output.stdout).unwrap();
        assert!(
            output.status.success(),
            "etna {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        if let Some(rest) = stdout.strip_prefix("Placed order ") {
            placed = rest.split(' ').next().unwrap().to_owned();
        }
        if args.first().map(String::as_str) == Some("positions") {
            assert!(stdout.contains("AAPL"), "{stdout}");
        }
        ran += 1;
    }
    assert!(ran >= 5, "{block}");
}

/// The root README's "Watch live updates": against one mock (the test's,
/// standing in for `etna mock serve`, with a session given as `ETNA_TOKEN`
/// instead of `auth login`), the piped `etna watch` gets the order the next
/// line places, filled; the watch on a terminal ends with Ctrl-C (130).
#[cfg(unix)]
#[test]
fn the_readmes_watch_runs() {
    const ROOT_README: &str = include_str!("../../../../README.md");
    let section = ROOT_README
        .split("\n### Watch live updates\n")
        .nth(1)
        .expect("the README has a `### Watch live updates` section");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a ```sh block");
    let background = crate::servers::Background::new();
    let server = background.mock(etna_mock::MockServer::builder());
    let token = crate::trade::mock_token(&background, &server);
    let mut watching = None;
    let mut placed = None;
    let mut ran = 0;
    for line in block.lines() {
        let line = line.split(" #").next().unwrap_or(line).trim();
        let Some(args) = line.strip_prefix("etna ") else {
            continue;
        };
        let args: Vec<&str> = args.split_whitespace().collect();
        match args.as_slice() {
            // The test's own mock and session stand in for these.
            ["mock", "serve", ..] | ["auth", "login", ..] => continue,
            ["watch", rest @ ..] if line.ends_with('&') => {
                let rest: Vec<&str> = rest.iter().copied().take_while(|a| *a != ">").collect();
                watching = Some(crate::watch::watch(&server, &token, &rest));
            }
            ["watch", rest @ ..] => {
                let (mut child, lines) = crate::watch::watch(&server, &token, rest);
                crate::watch::line_where(&lines, &mut Vec::new(), |_| true);
                assert_eq!(crate::watch::interrupt(&mut child), 130, "{line}");
            }
            _ => {
                let output = etna()
                    .args(["--base-url", &server.base_url()])
                    .env("ETNA_APP_KEY", etna_mock::MockServer::APP_KEY)
                    .env("ETNA_TOKEN", &token)
                    .args(&args)
                    .output()
                    .unwrap();
                let stdout = String::from_utf8(output.stdout).unwrap();
                assert!(output.status.success(), "{line}: {stdout}");
                if let Some(rest) = stdout.strip_prefix("Placed order ") {
                    placed = rest.split(' ').next().and_then(|id| id.parse::<i64>().ok());
                }
            }
        }
        ran += 1;
    }
    assert!(ran >= 3, "{block}");
    let (mut child, lines) = watching.expect("the block watches in the background");
    let placed = placed.expect("the block places an order");
    crate::watch::line_where(&lines, &mut Vec::new(), |v| {
        v["Id"] == placed && v["Status"] == "Filled"
    });
    assert_eq!(crate::watch::interrupt(&mut child), 130);
}
