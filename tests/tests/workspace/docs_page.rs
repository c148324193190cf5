//! The rendered API reference (`cargo xtask docs`), opened in headless
//! Chromium and read as a reader would: the endpoint, the `Et-App-Key` header,
//! the request example and every response example must be on screen, and the
//! page must load nothing from the network. Saves a screenshot for review in
//! target/api-docs/screenshot.png.
//!
//! Needs Node.js with the pinned tools (`cargo xtask lint` installs them) and
//! Debian's `chromium`. Without them the test says so and passes, unless `CI`
//! is set: CI has to run it.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etna_codegen::{SPEC_PATH, workspace_root};
use etna_spec_review::{DOCS_DIR, NodeTools, load_spec, render_docs};
use headless_chrome::protocol::cdp::Network;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::util::Wait;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

/// The page's route of an operation is `/<tag slug>/<operationId>`.
const TAG_ROUTE: &str = "/password-reset/";
/// The right-hand panel with the request sample, below an operation's section.
const REQUEST_PANEL: &str = "//*[contains(@class,'panel-request-samples')]";
/// How long the page may take to show something before the test gives up;
/// a bound on waiting, not a performance claim.
const PATIENCE: Duration = Duration::from_secs(30);

#[test]
#[ignore = "needs Chromium and tools/spec-lint/node_modules; .ci/run runs it with --include-ignored"]
fn a_reader_sees_every_endpoint_the_app_key_header_and_every_example() {
    let (tools, chromium) = tools();
    let root = workspace_root();
    let page =
        render_docs(&tools, Path::new(SPEC_PATH), &root.join(DOCS_DIR)).expect("the page renders");
    let spec = load_spec(&root.join(SPEC_PATH)).expect("the spec parses");

    let browser = launch(&chromium);
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(PATIENCE);
    let network = record_requests(&tab);
    let url = format!("file://{}", page.display());

    // The overview: what the API is and how a caller identifies itself.
    tab.navigate_to(&url)
        .and_then(|t| t.wait_until_navigated())
        .expect("the page opens");
    wait_for_text(&tab, "//body", "Et-App-Key");

    let mut checked = Vec::new();
    let mut operations = 0;
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("a path item") {
            let id = operation["operationId"].as_str().expect("an operationId");
            // Reached as a reader does: from the overview's list of operations.
            tab.navigate_to(&url)
                .and_then(|t| t.wait_until_navigated())
                .expect("the overview opens");
            wait_for_text(&tab, "//body", "Et-App-Key");
            click(
                &tab,
                &format!(
                    "//a[contains(@href,'{TAG_ROUTE}{id}')][contains(normalize-space(.),'{path}')]"
                ),
            );
            checked.extend(check_operation(&tab, &spec, id, method, path, operation));
            operations += 1;
            if id == "generate_reset_token" {
                let screenshot = tab
                    .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
                    .expect("a screenshot");
                let screenshot_path = root.join(DOCS_DIR).join("screenshot.png");
                std::fs::write(&screenshot_path, screenshot).expect("the screenshot is saved");
                println!(
                    "screenshot of an operation page: {}",
                    screenshot_path.display()
                );
            }
        }
    }
    assert!(operations > 0, "the spec has no operation");
    // Texts the documentation states, in case the spec walk found fewer.
    let all: String = checked.iter().map(|(_, _, shown)| shown.as_str()).collect();
    for text in [
        "IsSucceed",
        "ErrorIncorrectAnswer",
        "What street did you live on in third grade?",
        "Application key is not defined or does not exist",
    ] {
        assert!(
            all.contains(text),
            "`{text}` was never shown; checked {:?}",
            names(&checked)
        );
    }

    let escaped = network.lock().expect("the network log").escaped();
    assert!(
        escaped.is_empty(),
        "the page fetched from the network: {escaped:?}"
    );
}

/// On an operation's page: its path, summary and method, the header its
/// security names, the request example, and every example of every response
/// (chosen as a reader would: the status tab, then the named example), all
/// taken from the spec. Returns `(status, example, text shown)`.
fn check_operation(
    tab: &Tab,
    spec: &Value,
    id: &str,
    method: &str,
    path: &str,
    operation: &Value,
) -> Vec<(String, String, String)> {
    // The page also renders neighbouring operations; everything below is
    // looked for inside this operation's own section: the nearest element
    // around its request panel (which names its path) that also holds the
    // security details.
    let section = format!(
        "//*[contains(@class,'panel-request-samples')][.//*[normalize-space(text())='{path}']]\
         /ancestor::*[.//*[normalize-space(text())='View security details']][1]"
    );
    let request_panel = format!("{section}{REQUEST_PANEL}");
    // The response panel follows the operation's request panel.
    let response_panel =
        format!("({request_panel}/following::*[contains(@class,'panel-response-samples')])[1]");
    wait_for_all(
        tab,
        &request_panel,
        &[method.to_uppercase(), path.to_owned()],
    )
    .unwrap_or_else(|shown| panic!("{id}: the request panel does not name the method:\n{shown}"));
    let summary = operation["summary"].as_str().unwrap_or_default();
    wait_for_text(tab, "//body", summary);

    if let Some(request) = operation.get("requestBody") {
        let example = &resolve(spec, request)["content"]["application/json"]["example"];
        wait_for_all(tab, &request_panel, &leaf_texts(example)).unwrap_or_else(|shown| {
            panic!("{id}: the request example is not shown whole:\n{shown}")
        });
    }

    // The operation's security requirement, opened, names the header.
    click(
        tab,
        &format!("{section}//*[normalize-space(text())='View security details']"),
    );
    let details = wait_for_text(tab, "//body", "Header parameter name");
    let header = details
        .split("Header parameter name")
        .nth(1)
        .map(|after| after.trim_start_matches([':', ' ', '\n']))
        .unwrap_or_default();
    assert!(
        header.starts_with("Et-App-Key"),
        "{id}: the security details do not name Et-App-Key:\n{details}"
    );

    let mut checked = Vec::new();
    let responses = operation["responses"].as_object().expect("responses");
    for (status, response) in responses {
        let Some(examples) = resolve(spec, response)
            .pointer("/content/application~1json/examples")
            .and_then(Value::as_object)
        else {
            continue;
        };
        click(
            tab,
            &format!("{response_panel}//button[normalize-space(.)='{status}']"),
        );
        for (name, example) in examples {
            let summary = example["summary"].as_str().unwrap_or(name);
            if examples.len() > 1 {
                click(
                    tab,
                    &format!("{response_panel}//button[@aria-label='Example']"),
                );
                click(
                    tab,
                    &format!("//*[@role='menuitem'][normalize-space(.)='{summary}']"),
                );
            }
            let shown = wait_for_all(tab, &response_panel, &leaf_texts(&example["value"]))
                .unwrap_or_else(|shown| {
                    panic!("{id}: response {status} example `{name}` is not shown whole; the panel shows:\n{shown}")
                });
            checked.push((format!("{id} {status}"), name.clone(), shown));
        }
    }
    checked
}

/// Follows local `$ref`s.
fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    etna_spec::follow(spec, value).unwrap_or_else(|e| panic!("{e}"))
}

/// Node.js with the pinned tools, and Chromium. Missing ones fail the test:
/// it only runs when asked for (`--include-ignored`), and then must not pass
/// without looking.
fn tools() -> (NodeTools, PathBuf) {
    let chromium = which::which("chromium").unwrap_or_else(|_| {
        panic!("`chromium` is not installed; on Debian: `apt-get install chromium`")
    });
    let tools = NodeTools::locate(&workspace_root()).unwrap_or_else(|e| panic!("{e}"));
    tools
        .require_installed()
        .unwrap_or_else(|e| panic!("{e}; run `cargo xtask lint` once to install them"));
    (tools, chromium)
}

fn launch(chromium: &Path) -> Browser {
    let args: Vec<&OsStr> = [
        "--disable-gpu",
        "--disable-component-update",
        // Nothing may leave the machine: every host name fails to resolve.
        "--host-resolver-rules=MAP * ~NOTFOUND",
    ]
    .into_iter()
    .map(OsStr::new)
    .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(chromium.to_owned()))
        .headless(true)
        // Root in containers; the page is our own file.
        .sandbox(false)
        .window_size(Some((1280, 2400)))
        .args(args)
        .idle_browser_timeout(Duration::from_secs(120))
        .build()
        .expect("launch options");
    Browser::new(options).expect("chromium starts")
}

/// What the page asked the network for, from the DevTools network events.
#[derive(Default)]
struct NetworkLog {
    /// Request id and URL of every request the page started.
    started: Vec<(String, String)>,
    /// Requests that the page's own Content-Security-Policy stopped before they left.
    blocked_by_policy: HashSet<String>,
}

impl NetworkLog {
    /// Requests for anything but the page's own file that were not stopped.
    fn escaped(&self) -> Vec<String> {
        self.started
            .iter()
            .filter(|(id, url)| {
                !url.starts_with("file:")
                    && !url.starts_with("data:")
                    && !self.blocked_by_policy.contains(id)
            })
            .map(|(_, url)| url.clone())
            .collect()
    }
}

fn record_requests(tab: &Arc<Tab>) -> Arc<Mutex<NetworkLog>> {
    let log = Arc::new(Mutex::new(NetworkLog::default()));
    let writer = Arc::clone(&log);
    tab.add_event_listener(Arc::new(move |event: &Event| {
        let mut log = writer.lock().expect("the network log");
        match event {
            Event::NetworkRequestWillBeSent(sent) => log.started.push((
                sent.params.request_id.clone(),
                sent.params.request.url.clone(),
            )),
            Event::NetworkLoadingFailed(failed)
                if failed.params.blocked_reason == Some(Network::BlockedReason::Csp) =>
            {
                log.blocked_by_policy
                    .insert(failed.params.request_id.clone());
            }
            _ => {}
        }
    }))
    .expect("listens to network events");
    tab.call_method(Network::Enable {
        max_total_buffer_size: None,
        max_resource_buffer_size: None,
        max_post_data_size: None,
        report_direct_socket_traffic: None,
        enable_durable_messages: None,
    })
    .expect("network events on");
    log
}

/// Waits (by script, see [`wait_for_all`]) until `xpath` names an element,
/// then clicks it as a mouse does: scrolled into view, at its centre.
fn click(tab: &Tab, xpath: &str) {
    let script = format!(
        "document.evaluate({}, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null)\
         .singleNodeValue !== null",
        serde_json::to_string(xpath).expect("a string")
    );
    Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            let found = tab.evaluate(&script, false).ok()?.value?.as_bool()?;
            found.then_some(())
        })
        .unwrap_or_else(|_| panic!("{xpath} never appeared"));
    tab.find_element_by_xpath(xpath)
        .and_then(|element| element.click().map(|_| ()))
        .unwrap_or_else(|e| panic!("cannot click {xpath}: {e}"));
}

/// Waits until the rendered text (`innerText`: what is on screen, not hidden
/// markup or the embedded spec) of the element at `xpath` contains `needle`.
fn wait_for_text(tab: &Tab, xpath: &str, needle: &str) -> String {
    wait_for_all(tab, xpath, &[needle.to_owned()])
        .unwrap_or_else(|last| panic!("`{needle}` never appeared in {xpath}; it showed:\n{last}"))
}

/// Like [`wait_for_text`] for several needles at once (the panel may still
/// show the previous example for a moment); `Err` holds the last text seen.
fn wait_for_all(tab: &Tab, xpath: &str, needles: &[String]) -> Result<String, String> {
    let mut last = String::new();
    // One script per poll: headless_chrome's element lookup fetches the
    // document tree over DevTools first, which on Redoc's page made each poll
    // cost more than the check itself (73 s for the test, 14 s per operation).
    let script = format!(
        "(() => {{ const node = document.evaluate({}, document, null, \
         XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
         return node ? node.innerText : null; }})()",
        serde_json::to_string(xpath).expect("a string")
    );
    Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            let text = tab
                .evaluate(&script, false)
                .ok()?
                .value?
                .as_str()?
                .to_owned();
            if needles.iter().all(|needle| text.contains(needle.as_str())) {
                Some(text)
            } else {
                last = text;
                None
            }
        })
        .map_err(|_| last)
}

/// The strings, numbers, booleans and keys of an example, as a reader sees them.
fn leaf_texts(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, value)| std::iter::once(format!("\"{key}\"")).chain(leaf_texts(value)))
            .collect(),
        Value::Array(items) => items.iter().flat_map(leaf_texts).collect(),
        Value::String(text) => vec![format!("\"{text}\"")],
        other => vec![other.to_string()],
    }
}

fn names(checked: &[(String, String, String)]) -> Vec<String> {
    checked
        .iter()
        .map(|(status, name, _)| format!("{status}/{name}"))
        .collect()
}
