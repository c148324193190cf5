//! The server both request paths talk to: routes on 127.0.0.1 (steps 3
//! and 4 of the reset flow, sign-in, the security images with the session
//! token, and a trading account's orders: a page of 100 orders, and an
//! order placed) that answer every request with the same body, so that the
//! client side is what differs. Each route refuses a request without the
//! credentials it needs, so that a side that skipped work fails the run.

use std::fmt::Write as _;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::LazyLock;
use std::thread::JoinHandle;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use tokio::sync::oneshot;

/// The route of step 3, under the base URL [`EnvelopeServer::base_url`].
pub const ROUTE: &str = "/api/v1.0/users/identifiers/reset/code";

/// The route of step 4 (with the trailing slash the spec's path has).
pub const PASSWORD_ROUTE: &str = "/api/v1.0/users/passwords/reset/";

/// The sign-in route, at the API root (the spec's `sign_in` has no
/// `/v{version}` segment).
pub const SIGN_IN_ROUTE: &str = "/api/token";

/// The route of `list_security_images`.
pub const IMAGES_ROUTE: &str = "/api/v1.0/assets/security-images";

/// The trading account whose orders are listed and placed.
pub const ACCOUNT_ID: i32 = 6303;

/// `list_orders` (GET) and `place_order` (POST) of [`ACCOUNT_ID`].
pub const ORDERS_ROUTE: &str = "/api/v1.0/accounts/6303/orders";

/// Orders in the page `list_orders` answers: the most a page holds.
pub const PAGE_ORDERS: usize = 100;

/// The `Id` of the first order of the page; the others follow it.
pub const FIRST_ORDER_ID: i32 = 73552;

/// The `Id` of the order `place_order` answers with.
pub const PLACED_ORDER_ID: i32 = 80328;

/// The login every sign-in sends.
pub const USERNAME: &str = "bench.trader";

/// The password every sign-in sends.
pub const SIGN_IN_PASSWORD: &str = "Bench-passw0rd!";

/// The session token sign-in answers with, and the Bearer calls send.
pub const SESSION_TOKEN: &str = "bench-session-token-fedcba9876543210";

/// The sign-in answer: signed in, with the session token.
pub const SIGNED_IN: &str =
    r#"{"State":"Succeeded","Token":"bench-session-token-fedcba9876543210"}"#;

/// The file name of the one security image answered.
pub const IMAGE_NAME: &str = "apple.png";

/// The security images: one 1x1 PNG, so that the call's fixed cost is what
/// is measured, not the decoding of a large body.
pub const IMAGES: &str = concat!(
    r#"{"Model":[{"FileName":"apple.png","Content":"#,
    r#""iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg=="}],"#,
    r#""Errors":[],"IsSucceed":true}"#
);

/// The token in every answer.
pub const TOKEN: &str = "bench-reset-token-0123456789abcdef";

/// The fixed answer: a successful envelope as the API sends it.
pub const ENVELOPE: &str = concat!(
    r#"{"Model":"bench-reset-token-0123456789abcdef","Errors":[],"ErrorsCode":[],"#,
    r#""StatusCode":"OK","IsSucceed":true}"#
);

/// The fixed answer of step 4: the password was changed.
pub const DONE: &str = r#"{"Errors":[],"IsSucceed":true}"#;

/// One page of [`PAGE_ORDERS`] orders, each with every field of the spec's
/// `list_orders` example (`first_page`), with distinct ids and client ids
/// and prices and quantities that differ from order to order (two decimals,
/// as quotes have them, or whole numbers), and the page links: about 150 KB,
/// built once.
pub static ORDER_PAGE: LazyLock<String> = LazyLock::new(order_page);

fn order_page() -> String {
    let mut page = String::from(r#"{"Result":["#);
    for i in 0..PAGE_ORDERS {
        if i > 0 {
            page.push(',');
        }
        let id = FIRST_ORDER_ID as usize + i;
        let client_id = 1_045_239_786 + i;
        let quantity = 50 + (i * 25) % 200;
        // 150.00 to 199.99, the cents spread by a stride prime to 100.
        let price = format!("{}.{:02}", 150 + i % 50, (i * 37 + 57) % 100);
        let state_id = 168_831 + 7 * i;
        let request_id = 96_193 + 3 * i;
        // Infallible: writing to a String.
        let _ = write!(
            page,
            concat!(
                r#"{{"Id":{id},"SecurityId":4,"Quantity":{quantity},"Price":0,"StopPrice":0,"#,
                r#""ClientId":"{client_id}","ExecutedQuantity":{quantity},"LastPrice":{price},"#,
                r#""LastQuantity":{quantity},"LeavesQuantity":0,"AveragePrice":{price},"Side":"Buy","#,
                r#""Date":"2019-01-22T13:00:26.575811Z","TransactionDate":"2019-01-22T14:30:03.7168916Z","#,
                r#""SettDate":"0001-01-01T00:00:00Z","Status":"Filled","ExecutionStatus":"Filled","#,
                r#""Type":"Market","RequestStatus":"Complete","Target":"Modify","TimeInForce":"Day","#,
                r#""ExecInst":"AllOrNone","ExpireDate":"2019-01-22T21:00:00Z","#,
                r#""CounterPartyOrderId":"{client_id}","AccountId":6303,"UserId":7125,"#,
                r#""RequestId":{request_id},"StateId":{state_id},"ParentId":-1,"Legs":[],"#,
                r#""Exchange":"Auto","ExecutionVenue":"Etna Emulator","#,
                r#""TrailingStopAmountType":"Absolute","TrailingStopAmount":0,"#,
                r#""TrailingLimitAmountType":"Absolute","TrailingLimitAmount":0,"#,
                r#""CreateDate":"2019-01-21T15:07:45.8158882Z","InitialType":"Market","#,
                r#""IsExternal":false,"ExecBrocker":"Auto","ExecutionInstructions":{{}},"#,
                r#""TransType":"New","ExecId":"{exec_id}","ValidationsToBypass":0,"#,
                r#""ParentRequestId":0,"SettlementDate":"0001-01-01T00:00:00Z"}}"#,
            ),
            id = id,
            quantity = quantity,
            client_id = client_id,
            price = price,
            request_id = request_id,
            state_id = state_id,
            exec_id = 173_657_808 + i,
        );
    }
    page.push_str(concat!(
        r#"],"NextPageLink":"https://pub-api-trader-demo-prod.etnasoft.us/api/v1.0/accounts/6303/orders?pageNumber=1&pageSize=100","#,
        r#""PreviousPageLink":"","TotalCount":250}"#
    ));
    page
}

/// The answer of `place_order`: the spec's `pending_new` example, as a
/// limit order of 100 at 156.57 (the benchmark's order).
pub const PLACED_ORDER: &str = concat!(
    r#"{"Id":80328,"SecurityId":4,"Quantity":100,"Price":156.57,"StopPrice":0,"#,
    r#""ClientId":"bench-order-0001","ExecutedQuantity":0,"LastPrice":0,"LastQuantity":0,"#,
    r#""LeavesQuantity":100,"AveragePrice":0,"Side":"Buy","Date":"2019-02-25T13:33:40.9022856Z","#,
    r#""TransactionDate":"2019-02-25T13:33:40.9022856Z","SettDate":"0001-01-01T00:00:00Z","#,
    r#""Status":"PendingNew","ExecutionStatus":"PendingNew","Type":"Limit","#,
    r#""RequestStatus":"RequireValidation","Target":"New","TimeInForce":"Day","ExecInst":0,"#,
    r#""Comment":"Expecting a remarkable Q4 report","ExpireDate":"2019-02-25T21:00:00Z","#,
    r#""AccountId":6303,"UserId":7125,"RequestId":105467,"StateId":0,"ParentId":-1,"Legs":[],"#,
    r#""TrailingStopAmountType":"Absolute","TrailingStopAmount":0,"#,
    r#""TrailingLimitAmountType":"Absolute","TrailingLimitAmount":0,"#,
    r#""CreateDate":"2019-02-25T13:33:40.9022856Z","InitialType":"Limit","IsExternal":false,"#,
    r#""ExecutionInstructions":{"CorrelationId":"ade9537995f84dcc840eabc724107487","#,
    r#""CreateOrderRequestTimeUnix":"636866984209012879"},"TransType":"New","#,
    r#""ValidationsToBypass":0,"ParentRequestId":0,"SettlementDate":"0001-01-01T00:00:00Z"}"#
);

/// A server on its own thread and single-threaded runtime; dropping it stops
/// the server and joins the thread.
pub struct EnvelopeServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<io::Result<()>>>,
}

impl EnvelopeServer {
    /// Binds 127.0.0.1 on a free port and starts serving on a thread of its own.
    pub fn start() -> io::Result<Self> {
        Self::start_with_delay(Duration::ZERO)
    }

    /// Like [`start`](Self::start), answering each request after `delay`.
    pub fn start_with_delay(delay: Duration) -> io::Result<Self> {
        let listener = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let (shutdown, stopped) = oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("bench-server".to_owned())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)?;
                    let app = app(delay);
                    // Not a graceful shutdown: that would wait for the clients'
                    // idle keep-alive connections to close.
                    tokio::select! {
                        served = axum::serve(listener, app) => served,
                        _ = stopped => Ok(()),
                    }
                })
            })?;
        Ok(Self {
            addr,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }

    /// The API root to give the clients, e.g. `http://127.0.0.1:4321/api`.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }
}

impl Drop for EnvelopeServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A server task on the runtime of the caller: with a current-thread runtime,
/// client and server then share one thread, and a request costs no wake-up of
/// another core (on a virtual machine, those wake-ups vary from 30 to 100 µs
/// and drown the difference being measured). Dropping it stops the server.
pub struct LocalServer {
    addr: SocketAddr,
    task: tokio::task::JoinHandle<io::Result<()>>,
}

impl LocalServer {
    /// Binds 127.0.0.1 on a free port and spawns the server on the current
    /// runtime; requests are answered after `delay`.
    pub async fn spawn(delay: Duration) -> io::Result<Self> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(async move { axum::serve(listener, app(delay)).await });
        Ok(Self { addr, task })
    }

    /// The API root to give the clients.
    pub fn base_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What a route requires beyond the app key.
#[derive(Clone, Copy)]
enum Needs {
    /// The app key only.
    AppKey,
    /// `Username` and `Password` with the benchmark's values.
    Credentials,
    /// `Authorization: Bearer` with the session token.
    Session,
    /// The session, and the benchmark's order in the body, so that a side
    /// that sent no order or another one is not timed.
    SessionAndOrder,
}

/// What the benchmark's order (`caller::limit_order`) carries, as both
/// sides write it.
const ORDER_MARKS: [&[u8]; 3] = [
    br#""Symbol":"AAPL""#,
    br#""Price":156.57"#,
    br#""Type":"Limit""#,
];

fn app(delay: Duration) -> Router {
    let answer_after = move |needs: Needs, body: &'static str| {
        move |headers: HeaderMap, request: Bytes| async move {
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
            answer(headers, request, needs, body).await
        }
    };
    Router::new()
        .route(ROUTE, post(answer_after(Needs::AppKey, ENVELOPE)))
        .route(PASSWORD_ROUTE, put(answer_after(Needs::AppKey, DONE)))
        .route(
            SIGN_IN_ROUTE,
            post(answer_after(Needs::Credentials, SIGNED_IN)),
        )
        .route(IMAGES_ROUTE, get(answer_after(Needs::Session, IMAGES)))
        .route(
            ORDERS_ROUTE,
            get(answer_after(Needs::Session, ORDER_PAGE.as_str()))
                .post(answer_after(Needs::SessionAndOrder, PLACED_ORDER)),
        )
}

/// Refuses a request without the app key (403) or without the credentials
/// its route needs (401), so that a client that forgets one fails the
/// benchmark instead of being timed; the body is read so that the connection
/// stays reusable.
async fn answer(headers: HeaderMap, request: Bytes, needs: Needs, body: &'static str) -> Response {
    let json = |status: StatusCode, body: &'static str| {
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    };
    if !headers.contains_key("et-app-key") {
        return json(
            StatusCode::FORBIDDEN,
            r#"{"error":"Application key is not defined or does not exist"}"#,
        );
    }
    let is = |name: &str, value: &str| headers.get(name).is_some_and(|v| v == value);
    let session = || {
        headers.get("authorization").is_some_and(|v| {
            v.as_bytes().strip_prefix(b"Bearer ") == Some(SESSION_TOKEN.as_bytes())
        })
    };
    let admitted = match needs {
        Needs::AppKey => true,
        Needs::Credentials => is("username", USERNAME) && is("password", SIGN_IN_PASSWORD),
        Needs::Session => session(),
        Needs::SessionAndOrder => {
            session()
                && ORDER_MARKS
                    .iter()
                    .all(|mark| request.windows(mark.len()).any(|w| w == *mark))
        }
    };
    if !admitted {
        return json(
            StatusCode::UNAUTHORIZED,
            r#"{"State":"Failed","Step":"BaseAuthentication","Reason":"Invalid credentials"}"#,
        );
    }
    json(StatusCode::OK, body)
}
