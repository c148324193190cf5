//! The rendered API reference (`cargo xtask docs`), opened in headless
//! Chromium and read as a reader would. Everything it looks for is derived
//! from the spec: the overview lists every operation (and nothing else); on
//! each operation's page the endpoint names its method and path, the endpoint
//! menu gives the operation's own server (sign-in's `{apiURL}/token`, outside
//! `/v{version}`) expanded with its defaults, the security summary and details
//! name every scheme of every requirement (`Et-App-Key`, `Bearer`), every
//! parameter shows its example, and every response shows its examples, its
//! headers, or that it has no body. The page must load nothing from the
//! network. Saves screenshots for review in target/api-docs/.
//!
//! Needs Node.js with the pinned tools (`cargo xtask lint` installs them) and
//! Debian's `chromium`. It runs only when asked for (`--include-ignored`), and
//! then fails without them.

use std::collections::{BTreeSet, HashSet};
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use etna_codegen::{SPEC_PATH, workspace_root};
use etna_spec_review::{DOCS_DIR, NodeTools, load_spec, render_docs};
use headless_chrome::browser::tab::point::Point;
use headless_chrome::protocol::cdp::Network;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::protocol::cdp::types::Event;
use headless_chrome::util::Wait;
use headless_chrome::{Browser, LaunchOptions, Tab};
use serde_json::Value;

/// The right-hand panel with the endpoint and the request sample, beside an
/// operation's section.
const REQUEST_PANEL: &str = "//*[contains(@class,'panel-request-samples')]";
/// The security drawer that "View security details" opens.
const SECURITY_DRAWER: &str = "//div[@tabindex='0'][./span[normalize-space(.)='Security']]";
/// How long the page may take to show something before the test gives up;
/// a bound on waiting, not a performance claim.
const PATIENCE: Duration = Duration::from_secs(30);

/// One operation of the spec, with what the page must show for it.
struct Operation<'a> {
    id: &'a str,
    method: &'a str,
    path: &'a str,
    /// The page's route is `#/<tag slug>/<operationId>`.
    tag_slug: String,
    node: &'a Value,
    /// The operation's own `servers`, else its path item's, else the spec's.
    servers: &'a [Value],
    /// True when the operation or its path item names its own servers.
    own_servers: bool,
    /// The security requirements: alternatives, each a list of scheme names.
    security: Vec<Vec<String>>,
    /// The path item's parameters, then the operation's.
    parameters: Vec<&'a Value>,
}

#[test]
#[ignore = "needs Chromium and tools/spec-lint/node_modules; .ci/run runs it with --include-ignored"]
fn a_reader_sees_every_operation_its_server_security_and_examples() {
    let (tools, chromium) = tools();
    let root = workspace_root();
    let page =
        render_docs(&tools, Path::new(SPEC_PATH), &root.join(DOCS_DIR)).expect("the page renders");
    let spec = load_spec(&root.join(SPEC_PATH)).expect("the spec parses");
    let operations = operations(&spec);
    assert!(!operations.is_empty(), "the spec has no operation");

    let browser = launch(&chromium);
    let tab = browser.new_tab().expect("a tab");
    tab.set_default_timeout(PATIENCE);
    let network = record_requests(&tab);
    let url = format!("file://{}", page.display());

    // The overview: what the API is and how a caller identifies itself, and
    // a link to every operation of the spec, and to nothing else.
    tab.navigate_to(&url)
        .and_then(|t| t.wait_until_navigated())
        .expect("the page opens");
    wait_for_text(&tab, "//body", "Et-App-Key");
    let expected: BTreeSet<String> = operations
        .iter()
        .map(|op| format!("#/{}/{}", op.tag_slug, op.id))
        .collect();
    let linked = operation_links(&tab, &expected);
    assert_eq!(
        linked, expected,
        "the overview's links to operations differ from the spec's operations"
    );

    let mut checked = Vec::new();
    for op in &operations {
        // Reached as a reader does: from the overview's list of operations.
        tab.navigate_to(&url)
            .and_then(|t| t.wait_until_navigated())
            .expect("the overview opens");
        wait_for_text(&tab, "//body", "Et-App-Key");
        click_scrolling(
            &tab,
            &format!(
                "//a[@href='#/{}/{}'][contains(normalize-space(.),'{}')]",
                op.tag_slug, op.id, op.path
            ),
        );
        checked.extend(check_operation(&tab, &spec, op));
        if op.id == "generate_reset_token" {
            screenshot(&tab, "screenshot.png");
        }
    }
    // Texts the documentation states, in case the spec walk found fewer.
    let all: String = checked.iter().map(|(_, _, shown)| shown.as_str()).collect();
    for text in [
        "IsSucceed",
        "ErrorIncorrectAnswer",
        "What street did you live on in third grade?",
        "Application key is not defined or does not exist",
        "Invalid credentials",
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

/// Every operation of the spec, in its order, with its effective servers and
/// security.
fn operations(spec: &Value) -> Vec<Operation<'_>> {
    let root_servers = spec["servers"].as_array().map_or(&[][..], Vec::as_slice);
    let mut found = Vec::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let item = resolve(spec, item);
        for method in etna_spec::METHODS {
            let Some(node) = item.get(method) else {
                continue;
            };
            let own = node
                .get("servers")
                .or_else(|| item.get("servers"))
                .and_then(Value::as_array)
                .filter(|list| !list.is_empty());
            let security = node
                .get("security")
                .or_else(|| spec.get("security"))
                .and_then(Value::as_array)
                .map(|alternatives| {
                    alternatives
                        .iter()
                        .map(|requirement| {
                            requirement
                                .as_object()
                                .expect("a security requirement")
                                .keys()
                                .cloned()
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default();
            let tag = node["tags"][0]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no tag"));
            let parameters = [item, node]
                .into_iter()
                .flat_map(|holder| holder["parameters"].as_array().into_iter().flatten())
                .map(|parameter| resolve(spec, parameter))
                .collect();
            found.push(Operation {
                id: node["operationId"].as_str().expect("an operationId"),
                method,
                path,
                tag_slug: slug(tag),
                node,
                servers: own.map_or(root_servers, Vec::as_slice),
                own_servers: own.is_some(),
                security,
                parameters,
            });
        }
    }
    found
}

/// The page's slug of a tag name: `Password reset` is `password-reset`.
fn slug(name: &str) -> String {
    let mut slug = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            slug.extend(c.to_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_owned()
}

/// A server's URL as the page shows it: each `{variable}` replaced by its default.
fn expanded(server: &Value) -> String {
    let mut url = server["url"].as_str().expect("a server url").to_owned();
    for (name, variable) in server["variables"].as_object().into_iter().flatten() {
        let default = variable["default"].as_str().expect("a variable default");
        url = url.replace(&format!("{{{name}}}"), default);
    }
    url
}

/// The `#/<tag>/<operation>` links on the overview, once all those expected
/// are there. The page renders progressively and only what is near the
/// viewport, so each poll scrolls a screen further (back to the top at the
/// end) and the links seen are gathered.
fn operation_links(tab: &Tab, expected: &BTreeSet<String>) -> BTreeSet<String> {
    let script = "(() => { const links = Array.from(document.querySelectorAll('a[href^=\"#/\"]'))\
                  .map(a => a.getAttribute('href'))\
                  .filter(href => href.split('/').length === 3)\
                  .join('\\n'); \
                  if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 1) \
                  { window.scrollTo(0, 0); } else { window.scrollBy(0, window.innerHeight); } \
                  return links; })()";
    let seen = std::cell::RefCell::new(BTreeSet::new());
    let read = || {
        let found = tab
            .evaluate(script, false)
            .ok()
            .and_then(|r| r.value)
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        seen.borrow_mut().extend(found.lines().map(str::to_owned));
    };
    let _ = Wait::new(PATIENCE, Duration::from_millis(100)).until(|| {
        read();
        seen.borrow().is_superset(expected).then_some(())
    });
    let _ = tab.evaluate("window.scrollTo(0, 0)", false);
    seen.into_inner()
}

/// Clicks the element at `xpath` on a page that renders only what is near
/// the viewport: while it is not there, each poll scrolls a screen further
/// (back to the top at the end).
fn click_scrolling(tab: &Tab, xpath: &str) {
    let script = format!(
        "(() => {{ const node = document.evaluate({}, document, null, \
         XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
         if (!node) {{ \
           if (window.innerHeight + window.scrollY >= document.body.scrollHeight - 1) \
           {{ window.scrollTo(0, 0); }} else {{ window.scrollBy(0, window.innerHeight); }} \
           return null; }} \
         return true; }})()",
        serde_json::to_string(xpath).expect("a string")
    );
    Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| tab.evaluate(&script, false).ok()?.value?.as_bool())
        .unwrap_or_else(|_| panic!("{xpath} never appeared"));
    click(tab, xpath);
}

/// On an operation's page: its path, summary and method; the endpoint menu
/// with its servers; its parameters with their examples; the request
/// example; its security, summary and details; and every response (chosen as
/// a reader would: the status tab, then the named example), all taken from
/// the spec. Returns `(status, example, text shown)` for the examples.
fn check_operation(tab: &Tab, spec: &Value, op: &Operation<'_>) -> Vec<(String, String, String)> {
    let Operation {
        id, method, path, ..
    } = *op;
    // The page also renders neighbouring operations; everything below is
    // looked for inside this operation's own section: the nearest element
    // around its request panel (which names its path) that also holds the
    // security details.
    // Two operations may share a path (POST and GET of one collection): the
    // panel names the method too, in whatever case the markup has it.
    let method_upper = method.to_uppercase();
    let found_section = format!(
        "//*[contains(@class,'panel-request-samples')][.//*[normalize-space(text())='{path}']]\
         [.//*[translate(normalize-space(text()),'abcdefghijklmnopqrstuvwxyz',\
         'ABCDEFGHIJKLMNOPQRSTUVWXYZ')='{method_upper}']]\
         /ancestor::*[.//*[normalize-space(text())='View security details']][1]"
    );
    // The response panel follows the operation's request panel.
    let found_response_panel = format!(
        "({found_section}{REQUEST_PANEL}/following::*[contains(@class,'panel-response-samples')])[1]"
    );
    wait_for_all(
        tab,
        &format!("{found_section}{REQUEST_PANEL}"),
        &[method.to_uppercase(), path.to_owned()],
    )
    .unwrap_or_else(|shown| panic!("{id}: the request panel does not name the method:\n{shown}"));
    // Found once, then marked: those searches scan the whole page (the
    // response panel's `following::` most of all), and every poll below
    // would repeat them.
    let section = mark(tab, &found_section, "data-etna-section", id);
    let request_panel = format!("{section}{REQUEST_PANEL}");
    let response_panel = mark(tab, &found_response_panel, "data-etna-responses", id);
    let summary = op.node["summary"].as_str().unwrap_or_default();
    wait_for_text(tab, "//body", summary);

    check_servers(tab, op, &section, &request_panel);

    for parameter in &op.parameters {
        let name = parameter["name"].as_str().expect("a parameter name");
        let example = parameter
            .get("example")
            .or_else(|| parameter.pointer("/schema/example"))
            .unwrap_or_else(|| panic!("{id}: parameter {name} has no example"));
        wait_for_all(tab, &section, &[name.to_owned(), plain(example)]).unwrap_or_else(|shown| {
            panic!("{id}: parameter `{name}` or its example is not shown:\n{shown}")
        });
    }

    if let Some(request) = op.node.get("requestBody") {
        let media = &resolve(spec, request)["content"]["application/json"];
        let examples = crate::common::examples(spec, media);
        assert!(
            !examples.is_empty(),
            "{id}: the request body has no example"
        );
        for (name, example) in &examples {
            if examples.len() > 1 {
                choose_example(tab, &request_panel, &summary_of(spec, media, name));
            }
            wait_for_example(tab, &request_panel, &leaf_texts(example)).unwrap_or_else(|shown| {
                panic!("{id}: the request example `{name}` is not shown whole:\n{shown}")
            });
        }
    }

    check_security(tab, spec, op, &section);

    let mut checked = Vec::new();
    let responses = op.node["responses"].as_object().expect("responses");
    // The middle column's responses, whose tabs show each status's headers.
    let responses_block = format!("//*[@id='{}/{id}/responses']", op.tag_slug);
    let status_tabs =
        format!("{responses_block}//*[@role='tablist'][@aria-label='Response status']");
    for (status, response) in responses {
        let response = resolve(spec, response);
        let headers = response["headers"].as_object();
        if let Some(headers) = headers.filter(|h| !h.is_empty()) {
            click(
                tab,
                &format!("{status_tabs}/button[normalize-space(.)='{status}']"),
            );
            let mut needles = vec!["Headers".to_owned()];
            for (name, header) in headers {
                let header = resolve(spec, header);
                needles.push(name.clone());
                if let Some(example) = header
                    .get("example")
                    .or_else(|| header.pointer("/schema/example"))
                {
                    needles.push(plain(example));
                }
            }
            wait_for_all(tab, &format!("{responses_block}/.."), &needles).unwrap_or_else(|shown| {
                panic!("{id}: the headers of response {status} are not shown:\n{shown}")
            });
        }

        click(
            tab,
            &format!("{response_panel}//button[normalize-space(.)='{status}']"),
        );
        let Some(content) = response.get("content").and_then(Value::as_object) else {
            wait_for_text(tab, &response_panel, "No content");
            checked.push((
                format!("{id} {status}"),
                "no content".to_owned(),
                String::new(),
            ));
            continue;
        };
        let Some(media) = content.get("application/json") else {
            continue;
        };
        // Every form of example: the media type's, its named ones, else its
        // schema's (which the page shows as the sample it makes).
        let examples = crate::common::examples(spec, media);
        for (name, example) in &examples {
            if examples.len() > 1 {
                choose_example(tab, &response_panel, &summary_of(spec, media, name));
            }
            let shown = wait_for_example(tab, &response_panel, &leaf_texts(example))
                .unwrap_or_else(|shown| {
                    panic!("{id}: response {status} example `{name}` is not shown whole; the panel shows:\n{shown}")
                });
            checked.push((format!("{id} {status}"), name.clone(), shown));
        }
    }
    checked
}

/// Sets `attribute="id"` on the element at `xpath` and returns the XPath
/// that finds it by that mark.
fn mark(tab: &Tab, xpath: &str, attribute: &str, id: &str) -> String {
    let script = format!(
        "(() => {{ const node = document.evaluate({}, document, null, \
         XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
         if (!node) {{ return false; }} node.setAttribute({}, {}); return true; }})()",
        serde_json::to_string(xpath).expect("a string"),
        serde_json::to_string(attribute).expect("a string"),
        serde_json::to_string(id).expect("a string"),
    );
    let marked = tab
        .evaluate(&script, false)
        .ok()
        .and_then(|r| r.value)
        .and_then(|v| v.as_bool());
    assert_eq!(marked, Some(true), "{id}: {xpath} is not on the page");
    format!("//*[@{attribute}='{id}']")
}

/// The endpoint menu (the method and path at the top of the request panel,
/// opened) lists the operation's servers, each expanded with its defaults and
/// followed by the path, and no other server. An operation with servers of
/// its own also states its URL template (`{apiURL}/token`) in its section.
fn check_servers(tab: &Tab, op: &Operation<'_>, section: &str, request_panel: &str) {
    let id = op.id;
    // The button that names the path (the panel has another menu button when
    // the request has several examples).
    let endpoint = format!(
        "{request_panel}//button[@aria-haspopup='menu'][.//*[normalize-space(text())='{}']]",
        op.path
    );
    // The menu of URLs: the panel has another one when the request has
    // several examples.
    let menu = format!("{request_panel}//*[@role='menu'][contains(., '://')]");
    let urls: Vec<String> = op
        .servers
        .iter()
        .map(|server| format!("{}{}", expanded(server), op.path))
        .collect();
    let shown = open_menu(tab, &endpoint, &menu, &urls).unwrap_or_else(|shown| {
        panic!("{id}: the endpoint menu does not list {urls:?}; it shows:\n{shown}")
    });
    let items: Vec<&str> = shown
        .lines()
        .map(str::trim)
        .filter(|line| line.contains("://"))
        .collect();
    assert_eq!(
        items.len(),
        urls.len(),
        "{id}: the endpoint menu lists other servers than the operation's {urls:?}:\n{shown}"
    );
    if op.own_servers {
        screenshot(tab, &format!("screenshot-{id}.png"));
        for server in op.servers {
            let template = format!("{}{}", server["url"].as_str().expect("a url"), op.path);
            wait_for_text(tab, section, &template);
        }
    }
    // Closed again, so that it covers nothing that is clicked next.
    tab.press_key("Escape").expect("the menu closes");
}

/// The security summary names each requirement (`A or (A and B)`), and the
/// details, one tab per requirement, describe each of its schemes: an API
/// key by its header, an HTTP scheme as such.
fn check_security(tab: &Tab, spec: &Value, op: &Operation<'_>, section: &str) {
    let id = op.id;
    // The summary line under "View security details", e.g.
    // `EtAppKey or (EtAppKey and Bearer)`: the requirements as the page
    // names them, compared with the spec's as sets (the order of the schemes
    // within a requirement is the renderer's).
    let expected: BTreeSet<BTreeSet<&str>> = op
        .security
        .iter()
        .map(|schemes| schemes.iter().map(String::as_str).collect())
        .collect();
    let shown_requirements = |text: &str| -> Vec<(String, BTreeSet<String>)> {
        let line = text
            .split("View security details")
            .nth(1)
            .and_then(|after| after.lines().map(str::trim).find(|line| !line.is_empty()))
            .unwrap_or_default();
        line.split(" or ")
            .map(|label| {
                let label = label.trim_start_matches('(').trim_end_matches(')');
                let names = label.split(" and ").map(str::to_owned).collect();
                (label.to_owned(), names)
            })
            .collect()
    };
    let mut last = String::new();
    let requirements = Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            last = inner_text(tab, section)?;
            let requirements = shown_requirements(&last);
            let names: BTreeSet<BTreeSet<&str>> = requirements
                .iter()
                .map(|(_, names)| names.iter().map(String::as_str).collect())
                .collect();
            (names == expected).then_some(requirements)
        })
        .unwrap_or_else(|_| {
            panic!(
                "{id}: the security summary does not name the requirements {expected:?}:\n{last}"
            )
        });
    click(
        tab,
        &format!("{section}//*[normalize-space(text())='View security details']"),
    );
    let several = requirements.len() > 1;
    for (label, schemes) in &requirements {
        if several {
            click(
                tab,
                &format!("{SECURITY_DRAWER}//button[@role='tab'][@title='{label}']"),
            );
        }
        for name in schemes {
            let scheme = &spec["components"]["securitySchemes"][name];
            let drawer = format!("{SECURITY_DRAWER}[.//p[normalize-space(.)='{name}']]");
            let details = match scheme["type"].as_str() {
                Some("apiKey") => {
                    let place = scheme["in"].as_str().expect("an apiKey's `in`");
                    let label = format!(
                        "{}{} parameter name",
                        place[..1].to_uppercase(),
                        &place[1..]
                    );
                    let details = wait_for_text(tab, &drawer, &label);
                    let header = scheme["name"].as_str().expect("an apiKey's name");
                    let after = details
                        .split(&label)
                        .nth(1)
                        .map(|after| after.trim_start_matches([':', ' ', '\n']))
                        .unwrap_or_default();
                    assert!(
                        after.starts_with(header),
                        "{id}: the security details of {name} do not name {header}:\n{details}"
                    );
                    details
                }
                // The renderer labels the scheme, though it prints the
                // scheme's `type` (`http`) beside the label, not `bearer`.
                Some("http") => wait_for_text(tab, &drawer, "HTTP Authorization Scheme"),
                other => panic!("{id}: security scheme {name} of type {other:?} is not checked"),
            };
            assert!(
                details.contains(name.as_str()),
                "{id}: the security details do not name {name}:\n{details}"
            );
        }
    }
}

/// Saves what the tab shows in target/api-docs/`name`, for review.
fn screenshot(tab: &Tab, name: &str) {
    let png = tab
        .capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)
        .expect("a screenshot");
    let path = workspace_root().join(DOCS_DIR).join(name);
    std::fs::write(&path, png).expect("the screenshot is saved");
    println!("screenshot: {}", path.display());
}

/// A parameter's or header's example as the page prints it beside "Example:".
fn plain(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
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

/// Waits (by script, see [`wait_for_all`]) until `xpath` names an element
/// with a size, then clicks it as a mouse does: scrolled into view, at its
/// centre. The element is found and measured by one script, not through
/// headless_chrome's element lookup, which fetches the whole document tree
/// over DevTools first (1.4 s a click on this page).
fn click(tab: &Tab, xpath: &str) {
    let script = format!(
        "(() => {{ const node = document.evaluate({}, document, null, \
         XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
         if (!node) return null; \
         node.scrollIntoView({{ block: 'center', inline: 'center' }}); \
         const box = node.getBoundingClientRect(); \
         if (box.width === 0 || box.height === 0) return null; \
         return JSON.stringify([box.left + box.width / 2, box.top + box.height / 2]); }})()",
        serde_json::to_string(xpath).expect("a string")
    );
    let (x, y) = Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            let centre = tab.evaluate(&script, false).ok()?.value?;
            serde_json::from_str::<(f64, f64)>(centre.as_str()?).ok()
        })
        .unwrap_or_else(|_| panic!("{xpath} never appeared"));
    tab.click_point(Point { x, y })
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
    Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            let text = inner_text(tab, xpath)?;
            if needles.iter().all(|needle| text.contains(needle.as_str())) {
                Some(text)
            } else {
                last = text;
                None
            }
        })
        .map_err(|_| last)
}

/// Like [`wait_for_all`] for an example in a panel, which the page shows
/// with nested objects and arrays collapsed (`{ … }`): a reader expands them
/// all with the panel's "Expand all" button.
fn wait_for_example(tab: &Tab, panel: &str, needles: &[String]) -> Result<String, String> {
    let mut last = String::new();
    Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            let text = inner_text(tab, panel)?;
            if needles.iter().all(|needle| text.contains(needle.as_str())) {
                return Some(text);
            }
            if text.contains('…') {
                click(tab, &format!("{panel}//button[@aria-label='Expand all']"));
            }
            last = text;
            None
        })
        .map_err(|_| last)
}

/// The summary by which the page's example menu names the example `name` of
/// `media` (its name when it has no summary).
fn summary_of(spec: &Value, media: &Value, name: &str) -> String {
    resolve(spec, &media["examples"][name])["summary"]
        .as_str()
        .unwrap_or(name)
        .to_owned()
}

/// Clicks `button` until the element at `menu` shows every one of
/// `needles` (a click that lands while the page still renders opens
/// nothing), and returns its text; else the last text it showed.
fn open_menu(tab: &Tab, button: &str, menu: &str, needles: &[String]) -> Result<String, String> {
    let mut polls = 0;
    let mut last = String::new();
    Wait::new(PATIENCE, Duration::from_millis(100))
        .until(|| {
            if polls % 20 == 0 {
                click(tab, button);
            }
            polls += 1;
            let text = inner_text(tab, menu)?;
            if needles.iter().all(|needle| text.contains(needle.as_str())) {
                return Some(text);
            }
            last = text;
            None
        })
        .map_err(|_| last)
}

/// Chooses the example `summary` in the example menu of `panel`.
fn choose_example(tab: &Tab, panel: &str, summary: &str) {
    let button = format!("{panel}//button[@aria-label='Example']");
    let item = format!(
        "//*[@role='menuitem'][normalize-space(.)={}]",
        xpath_literal(summary)
    );
    open_menu(tab, &button, &item, &[]).unwrap_or_else(|_| {
        let items = tab
            .evaluate(
                "Array.from(document.querySelectorAll('[role=menuitem]')).map(e => e.innerText.slice(0, 80)).join(' | ')",
                false,
            )
            .ok()
            .and_then(|r| r.value);
        panic!("the example `{summary}` is not in the menu of {panel}; the menus hold: {items:?}")
    });
    click(tab, &item);
}

/// `text` as an XPath string literal: XPath 1.0 has no escapes, so a text
/// with both quote marks is a `concat()` of pieces.
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let pieces: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", pieces.join(", \"'\", "))
    }
}

/// The rendered text of the first element at `xpath`, if there is one yet.
fn inner_text(tab: &Tab, xpath: &str) -> Option<String> {
    // One script per poll: headless_chrome's element lookup fetches the
    // document tree over DevTools first, which on Redoc's page made each poll
    // cost more than the check itself (73 s for the test, 14 s per operation).
    let script = format!(
        "(() => {{ const node = document.evaluate({}, document, null, \
         XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue; \
         return node ? node.innerText : null; }})()",
        serde_json::to_string(xpath).expect("a string")
    );
    Some(
        tab.evaluate(&script, false)
            .ok()?
            .value?
            .as_str()?
            .to_owned(),
    )
}

/// The strings, numbers, booleans and keys of an example, as a reader sees them.
fn leaf_texts(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, value)| std::iter::once(format!("\"{key}\"")).chain(leaf_texts(value)))
            .collect(),
        Value::Array(items) => items.iter().flat_map(leaf_texts).collect(),
        // As JSON writes it, which is what the panel shows: `\r\n` escaped.
        other => vec![other.to_string()],
    }
}

fn names(checked: &[(String, String, String)]) -> Vec<String> {
    checked
        .iter()
        .map(|(status, name, _)| format!("{status}/{name}"))
        .collect()
}
