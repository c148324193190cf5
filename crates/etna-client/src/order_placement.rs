//! Placing an order when its answer may be lost: the convenience for the
//! whole flow of `place_order`, and so, like `sign_in.rs` and
//! `password_reset.rs`, a module that names operations.
//!
//! [`place`] sends the order once, with a `ClientId` (the caller's, or a
//! fresh one the client fills in: the spec marks it `x-etna-client-id`).
//! When the answer is lost after the order may have been written
//! ([`Error::OutcomeUnknown`]), it looks the order up by that `ClientId` in
//! `list_orders` (stopping at the first match) and reports
//! [`Placement::Placed`] when it is there, [`Placement::Unknown`] when it is
//! not (yet): never "not placed", since an order may show up late, and never
//! a second copy, since the documentation does not say that the server
//! refuses a repeated `ClientId`.
//!
//! ```no_run
//! use etna_client::order_placement::{Placement, place};
//! use etna_client::{Client, types};
//!
//! # async fn run(client: &Client) -> Result<(), etna_client::Error> {
//! let order = client.place_order().account_id(6303).body(
//!     types::OrderRequest::builder()
//!         .symbol("AAPL")
//!         .type_(types::OrderType::Market)
//!         .side(types::OrderSide::Buy)
//!         .quantity(etna_client::Decimal::from(10)),
//! );
//! match place(order).await? {
//!     Placement::Placed(order) => println!("order {:?}: {:?}", order.id, order.status),
//!     // Not sent again: a person or a later lookup decides.
//!     Placement::Unknown(unknown) => eprintln!("{unknown}"),
//! }
//! # Ok(())
//! # }
//! ```

use std::fmt;

use crate::generated::builder::PlaceOrder;
use crate::types::Order;
use crate::{ClientKeyed, Error, Operation};

/// What became of an order sent by [`place`].
#[derive(Debug)]
pub enum Placement {
    /// The order was recorded: the API's answer, or, when that was lost,
    /// the order found in `list_orders` by its `ClientId` (boxed: an order
    /// is large).
    Placed(Box<Order>),
    /// The answer was lost and the order was not found by its `ClientId`:
    /// it may or may not exist. It was not sent again.
    Unknown(Box<Unknown>),
}

/// An order whose fate is unknown, and how to find out.
#[derive(Debug)]
pub struct Unknown {
    /// The `ClientId` it was sent with.
    pub client_id: String,
    /// How the answer was lost (an [`Error::OutcomeUnknown`]).
    pub error: Error,
    /// Why looking it up failed, when it did (else it was not listed).
    pub lookup_error: Option<Error>,
}

impl fmt::Display for Unknown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the order with ClientId {} may or may not have been placed ({}); ",
            self.client_id, self.error
        )?;
        match &self.lookup_error {
            Some(e) => write!(f, "looking it up failed ({e})")?,
            None => f.write_str("list_orders does not show it (yet)")?,
        }
        write!(
            f,
            "; it was not sent again: look for ClientId {} in list_orders before placing it again",
            self.client_id
        )
    }
}

/// Sends `order` once and says what became of it (see the module's
/// description). An answer that says the order was refused, and a failure
/// that proves nothing was sent (no connection, a session missing, a body
/// that is not valid), are errors.
pub async fn place(mut order: PlaceOrder<'_>) -> Result<Placement, Error> {
    let Some(client_id) = order.client_id() else {
        // A body that is not set or not valid: `call` reports it, sending
        // nothing.
        return order
            .call()
            .await
            .map(|placed| Placement::Placed(Box::new(placed)));
    };
    let lookup = order.lookup();
    match order.call().await {
        Ok(placed) => Ok(Placement::Placed(Box::new(placed))),
        Err(error @ Error::OutcomeUnknown { .. }) => {
            Ok(match PlaceOrder::find(lookup, &client_id).await {
                Ok(Some(found)) => Placement::Placed(Box::new(found)),
                Ok(None) => Placement::Unknown(Box::new(Unknown {
                    client_id,
                    error,
                    lookup_error: None,
                })),
                Err(lookup_error) => Placement::Unknown(Box::new(Unknown {
                    client_id,
                    error,
                    lookup_error: Some(lookup_error),
                })),
            })
        }
        Err(other) => Err(other),
    }
}
