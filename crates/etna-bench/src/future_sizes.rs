//! Bytes of one call's future on each side, built and never polled: the
//! memory each call in flight holds (in its task, or inside the future that
//! awaits it) and that is moved as the call starts. Exact, and the same on
//! every run of a binary, like the instruction counts; callgrind's cache
//! simulation ties the size to the data-cache misses a clock sees
//! (BENCHMARKS.md, "future sizes").

use etna_client::types::{
    Order, OrderPage, ResetTokenEnvelope, SecurityImagesEnvelope, SignInAnswer,
};
use etna_client::{Operation, Secret};

use crate::caller::{
    APP_KEY, CODE, Call, CallFailed, PASSWORD, limit_order, password_update, reset_code_request,
};
use crate::handwritten::HandWritten;
use crate::server::{ACCOUNT_ID, PAGE_ORDERS, SIGN_IN_PASSWORD, TOKEN, USERNAME};
use crate::table::{FUTURE_BYTES_TARGET, verdict};

/// The two futures' sizes for one call.
#[derive(Clone, Copy, Debug)]
pub struct FutureRow {
    /// The call.
    pub call: Call,
    /// Bytes of etna-client's `.call()` future.
    pub generated: usize,
    /// Bytes of the hand-written call's future.
    pub handwritten: usize,
}

/// Sizes for every call. Nothing is sent: the futures are dropped unpolled,
/// so the base URL needs no server.
pub fn measure() -> Result<Vec<FutureRow>, CallFailed> {
    const BASE: &str = "http://127.0.0.1:9/api";
    let client = etna_client::Client::new(BASE, APP_KEY)
        .map_err(|e| CallFailed(format!("building etna-client: {e}")))?;
    let hand = HandWritten::new(BASE, APP_KEY)
        .map_err(|e| CallFailed(format!("building the hand-written client: {e}")))?;
    let size = |call, generated: usize, handwritten: usize| FutureRow {
        call,
        generated,
        handwritten,
    };
    Ok(vec![
        size(
            Call::ResetToken,
            size_of_val(
                &client
                    .generate_reset_token()
                    .body(reset_code_request())
                    .call(),
            ),
            size_of_val(&hand.send::<ResetTokenEnvelope>(CODE, "ResetPassword")),
        ),
        size(
            Call::ResetPassword,
            size_of_val(&client.reset_password().body(password_update()).call()),
            size_of_val(&hand.reset_password(TOKEN, PASSWORD)),
        ),
        size(
            Call::SignIn,
            size_of_val(
                &client
                    .api()
                    .sign_in()
                    .username(USERNAME)
                    .password(Secret::from(SIGN_IN_PASSWORD))
                    .call(),
            ),
            size_of_val(&hand.sign_in::<SignInAnswer>(USERNAME, SIGN_IN_PASSWORD)),
        ),
        size(
            Call::SecurityImages,
            size_of_val(&client.list_security_images().call()),
            size_of_val(&hand.security_images::<SecurityImagesEnvelope>()),
        ),
        size(
            Call::ListOrders,
            size_of_val(
                &client
                    .list_orders()
                    .account_id(ACCOUNT_ID)
                    .page_number(0)
                    .page_size(PAGE_ORDERS as u32)
                    .call(),
            ),
            size_of_val(&hand.list_orders::<OrderPage>(ACCOUNT_ID, 0, PAGE_ORDERS as u32)),
        ),
        size(
            Call::PlaceOrder,
            size_of_val(
                &client
                    .place_order()
                    .account_id(ACCOUNT_ID)
                    .body(limit_order())
                    .call(),
            ),
            size_of_val(&hand.place_order::<_, Order>(ACCOUNT_ID, &limit_order())),
        ),
    ])
}

/// The `future_bytes` rows of the bench table, each held to the per-call
/// target.
pub fn print_rows(rows: &[FutureRow]) {
    for row in rows {
        let ratio = row.generated as f64 / row.handwritten as f64;
        println!(
            "| `future_bytes` | {}: bytes of the call's future, built and not yet polled | {} | {} | {ratio:.3} | ≤ {FUTURE_BYTES_TARGET} | {} |",
            row.call.describe(),
            row.generated,
            row.handwritten,
            verdict(ratio <= FUTURE_BYTES_TARGET),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_call_has_both_sizes() {
        let rows = measure().unwrap();
        let calls: Vec<Call> = rows.iter().map(|r| r.call).collect();
        assert_eq!(calls, Call::ALL);
        for row in rows {
            // A future holds at least the request it will send.
            let request = size_of::<reqwest::Request>();
            assert!(
                row.generated > request && row.handwritten > request,
                "{row:?}"
            );
        }
    }
}
