//! The ways of making a call that the request benchmark compares: through
//! etna-client, by hand, and by hand with one of the client's steps.

use std::sync::Arc;

use etna_client::generated::builder;
use etna_client::types::{
    Order, OrderPage, OrderRequest, OrderSide, OrderType, PasswordUpdate, ResetCodeRequest,
    ResetIdentifier, ResetTokenEnvelope, SecurityImagesEnvelope, SignInAnswer, TimeInForce,
};
use etna_client::{Decimal, Operation, Secret};

use crate::handwritten::HandWritten;
use crate::server::{
    ACCOUNT_ID, FIRST_ORDER_ID, IMAGE_NAME, PAGE_ORDERS, PLACED_ORDER_ID, SESSION_TOKEN,
    SIGN_IN_PASSWORD, TOKEN, USERNAME,
};
use crate::steps::StepCall;

/// The confirmation code every benchmark request of step 3 sends.
pub const CODE: &str = "231408";

/// The new password every benchmark request of step 4 sends.
pub const PASSWORD: &str = "N3w-passw0rd!";

/// The app key every benchmark client sends.
pub const APP_KEY: &str = "bench-app-key";

/// Which call is timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Call {
    /// Step 3 of the reset flow: a code for a token; the answer carries a
    /// secret.
    ResetToken,
    /// Step 4: the token and the new password twice, all three secrets, in
    /// the request body.
    ResetPassword,
    /// Sign-in: login and password (a secret) in headers, no body; the
    /// answer carries the session token (a secret).
    SignIn,
    /// A call with the session: `Authorization: Bearer` and the app key,
    /// no body; a small list in the answer.
    SecurityImages,
    /// A page of a trading account's orders with the session: two query
    /// parameters, a page of 100 orders (about 150 KB, 1 000 decimals) in
    /// the answer.
    ListOrders,
    /// A limit order placed with the session: the order in the body, the
    /// order as recorded in the answer.
    PlaceOrder,
}

impl Call {
    /// Every call, in table order.
    pub const ALL: [Call; 6] = [
        Call::ResetToken,
        Call::ResetPassword,
        Call::SignIn,
        Call::SecurityImages,
        Call::ListOrders,
        Call::PlaceOrder,
    ];

    /// Whether the call sends the session token (both sides hold it, as
    /// after sign-in).
    pub fn needs_session(self) -> bool {
        matches!(
            self,
            Call::SecurityImages | Call::ListOrders | Call::PlaceOrder
        )
    }

    /// The call in table rows, named by the client's operation ids.
    pub fn describe(self) -> String {
        match self {
            Call::ResetToken => format!(
                "step 3 (`{}`: secret in the answer)",
                <builder::GenerateResetToken<'static> as Operation>::ID
            ),
            Call::ResetPassword => format!(
                "step 4 (`{}`: three secrets in the body)",
                <builder::ResetPassword<'static> as Operation>::ID
            ),
            Call::SignIn => format!(
                "sign-in (`{}`: password in a header, token in the answer)",
                <builder::SignIn<'static> as Operation>::ID
            ),
            Call::SecurityImages => format!(
                "Bearer call (`{}`: session token in `Authorization`)",
                <builder::ListSecurityImages<'static> as Operation>::ID
            ),
            Call::ListOrders => format!(
                "a page of orders (`{}`: {PAGE_ORDERS} orders in the answer)",
                <builder::ListOrders<'static> as Operation>::ID
            ),
            Call::PlaceOrder => format!(
                "an order placed (`{}`: a limit order in the body)",
                <builder::PlaceOrder<'static> as Operation>::ID
            ),
        }
    }
}

/// One side of the comparison. Sides share nothing but the server.
#[derive(Clone)]
pub enum Caller {
    /// `<operation>().body(..).call()` of etna-client.
    Generated(etna_client::Client, Call),
    /// The generated builder's own `send()`: the raw envelope, without
    /// [`etna_client::Operation::call`]'s reading of it.
    Send(etna_client::Client),
    /// The hand-written reqwest call.
    HandWritten(Arc<HandWritten>, Call),
    /// The hand-written step-3 call with one of etna-client's steps.
    Step(Arc<StepCall>),
}

/// A call that did not do what it should: the benchmark stops rather than
/// time failures.
#[derive(Debug)]
pub struct CallFailed(pub String);

impl std::fmt::Display for CallFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a benchmark request failed: {}", self.0)
    }
}

impl std::error::Error for CallFailed {}

impl Caller {
    /// Both sides of step 3 for the API root `base_url`, each with its own
    /// connection pool.
    pub fn both(base_url: &str) -> Result<[Caller; 2], CallFailed> {
        Self::both_for(base_url, Call::ResetToken)
    }

    /// Both sides of `call` for the API root `base_url`, each with its own
    /// connection pool (and, for the Bearer call, holding the session token).
    pub fn both_for(base_url: &str, call: Call) -> Result<[Caller; 2], CallFailed> {
        Ok([
            Caller::generated(base_url, call)?,
            Caller::handwritten(base_url, call)?,
        ])
    }

    /// etna-client's side of `call`; for the Bearer call the client holds
    /// the session, as after sign-in.
    pub fn generated(base_url: &str, call: Call) -> Result<Caller, CallFailed> {
        let client = Self::client(base_url)?;
        if call.needs_session() {
            client
                .set_session_token(Secret::from(SESSION_TOKEN))
                .map_err(|e| CallFailed(format!("setting the session: {e}")))?;
        }
        Ok(Caller::Generated(client, call))
    }

    /// The hand-written side of `call`; for the Bearer call it holds the
    /// session token.
    pub fn handwritten(base_url: &str, call: Call) -> Result<Caller, CallFailed> {
        let failed = |e: crate::handwritten::Error| {
            CallFailed(format!("building the hand-written client: {e}"))
        };
        let mut handwritten = HandWritten::new(base_url, APP_KEY).map_err(failed)?;
        if call.needs_session() {
            handwritten
                .set_session_token(SESSION_TOKEN)
                .map_err(failed)?;
        }
        Ok(Caller::HandWritten(Arc::new(handwritten), call))
    }

    /// etna-client with its default settings.
    pub fn client(base_url: &str) -> Result<etna_client::Client, CallFailed> {
        etna_client::Client::new(base_url, APP_KEY)
            .map_err(|e| CallFailed(format!("building etna-client: {e}")))
    }

    /// Short name for tables and benchmark ids.
    pub fn name(&self) -> &'static str {
        match self {
            Caller::Generated(..) => "etna_client",
            Caller::Send(_) => "etna_client_send",
            Caller::HandWritten(..) => "handwritten",
            Caller::Step(_) => "handwritten_with_step",
        }
    }

    /// Makes one call and checks that it did what it should.
    pub async fn call(&self) -> Result<(), CallFailed> {
        let failed = |e: &dyn std::fmt::Display| CallFailed(e.to_string());
        let done = match self {
            Caller::Generated(client, Call::ResetToken) => client
                .generate_reset_token()
                .body(reset_code_request())
                .call()
                .await
                .map(|token| token.expose() == TOKEN)
                .map_err(|e| failed(&e))?,
            Caller::Generated(client, Call::ResetPassword) => client
                .reset_password()
                .body(password_update())
                .call()
                .await
                .map(|()| true)
                .map_err(|e| failed(&e))?,
            Caller::Generated(client, Call::SignIn) => client
                .api()
                .sign_in()
                .username(USERNAME)
                .password(Secret::from(SIGN_IN_PASSWORD))
                .call()
                .await
                .map(|answer| answer.status == reqwest::StatusCode::OK && signed_in(&answer.body))
                .map_err(|e| failed(&e))?,
            Caller::Generated(client, Call::SecurityImages) => client
                .list_security_images()
                .call()
                .await
                .map(|images| one_image(&images))
                .map_err(|e| failed(&e))?,
            Caller::Generated(client, Call::ListOrders) => client
                .list_orders()
                .account_id(ACCOUNT_ID)
                .page_number(0)
                .page_size(PAGE_SIZE)
                .call()
                .await
                .map(|page| full_page(&page))
                .map_err(|e| failed(&e))?,
            Caller::Generated(client, Call::PlaceOrder) => client
                .place_order()
                .account_id(ACCOUNT_ID)
                .body(limit_order())
                .call()
                .await
                .map(|order| placed(&order))
                .map_err(|e| failed(&e))?,
            Caller::Send(client) => {
                let envelope = client
                    .generate_reset_token()
                    .body(reset_code_request())
                    .send()
                    .await
                    .map_err(|e| failed(&e))?
                    .into_inner();
                envelope.is_succeed && envelope.model.is_some_and(|token| token.expose() == TOKEN)
            }
            Caller::HandWritten(client, Call::ResetToken) => {
                let envelope: ResetTokenEnvelope = client
                    .send(CODE, "ResetPassword")
                    .await
                    .map_err(|e| failed(&e))?;
                envelope.is_succeed && envelope.model.is_some_and(|token| token.expose() == TOKEN)
            }
            Caller::HandWritten(client, Call::ResetPassword) => client
                .reset_password(TOKEN, PASSWORD)
                .await
                .map_err(|e| failed(&e))?,
            Caller::HandWritten(client, Call::SignIn) => {
                let answer: SignInAnswer = client
                    .sign_in(USERNAME, SIGN_IN_PASSWORD)
                    .await
                    .map_err(|e| failed(&e))?;
                signed_in(&answer)
            }
            Caller::HandWritten(client, Call::SecurityImages) => {
                let envelope: SecurityImagesEnvelope =
                    client.security_images().await.map_err(|e| failed(&e))?;
                envelope.is_succeed && envelope.model.is_some_and(|images| one_image(&images))
            }
            Caller::HandWritten(client, Call::ListOrders) => {
                let page: OrderPage = client
                    .list_orders(ACCOUNT_ID, 0, PAGE_SIZE)
                    .await
                    .map_err(|e| failed(&e))?;
                full_page(&page)
            }
            Caller::HandWritten(client, Call::PlaceOrder) => {
                let order: Order = client
                    .place_order(ACCOUNT_ID, &limit_order())
                    .await
                    .map_err(|e| failed(&e))?;
                placed(&order)
            }
            Caller::Step(step) => return step.call().await,
        };
        if done {
            Ok(())
        } else {
            Err(CallFailed(
                "the answer did not say the call succeeded".to_owned(),
            ))
        }
    }
}

/// Signed in, with the benchmark's session token.
fn signed_in(answer: &SignInAnswer) -> bool {
    answer.state == "Succeeded"
        && answer
            .token
            .as_ref()
            .is_some_and(|token| token.expose() == SESSION_TOKEN)
}

/// The one image the server answers with.
fn one_image(images: &[etna_client::types::SecurityImage]) -> bool {
    matches!(images, [image] if image.file_name == IMAGE_NAME && !image.content.is_empty())
}

/// The page size asked for: the whole page the server answers.
const PAGE_SIZE: u32 = PAGE_ORDERS as u32;

/// The page the server answers, every order read (the last one's id is
/// checked, so a page cut short fails).
fn full_page(page: &OrderPage) -> bool {
    page.result.len() == PAGE_ORDERS
        && page.result.last().and_then(|order| order.id)
            == Some(FIRST_ORDER_ID + PAGE_ORDERS as i32 - 1)
}

/// The order the server recorded.
fn placed(order: &Order) -> bool {
    order.id == Some(PLACED_ORDER_ID)
}

/// The benchmark's order: buy 100 AAPL at 156.57 or better, for the day,
/// with the caller's own client id (so neither side has one to make).
pub(crate) fn limit_order() -> OrderRequest {
    OrderRequest {
        client_id: Some("bench-order-0001".to_owned()),
        comment: None,
        exchange: None,
        exec_inst: None,
        execution_instructions: Default::default(),
        expire_date: None,
        extended_hours: None,
        legs: Vec::new(),
        price: Some(Decimal::from(rust_decimal_price())),
        quantity: Some(Decimal::from(100)),
        side: Some(OrderSide::Buy),
        stop_price: None,
        symbol: "AAPL".to_owned(),
        time_inforce: Some(TimeInForce::Day),
        token: None,
        trailing_limit_amount: None,
        trailing_limit_amount_type: None,
        trailing_stop_amount: None,
        trailing_stop_amount_type: None,
        type_: OrderType::Limit,
        validations_to_bypass: None,
    }
}

/// 156.57, exactly.
fn rust_decimal_price() -> etna_client::rust_decimal::Decimal {
    etna_client::rust_decimal::Decimal::new(15657, 2)
}

/// Step 4's body: the token and the new password twice, three secrets.
pub(crate) fn password_update() -> PasswordUpdate {
    PasswordUpdate {
        token: TOKEN.into(),
        password: PASSWORD.into(),
        password_confirmation: PASSWORD.into(),
    }
}

/// Step 3's body.
pub(crate) fn reset_code_request() -> ResetCodeRequest {
    ResetCodeRequest {
        code: CODE.into(),
        identifier: ResetIdentifier::ResetPassword,
    }
}
