//! One side of `request_overhead` alone: `count` sequential calls and
//! nothing else, for an instruction counter. `request_overhead` runs both
//! sides in one process, which a clock can compare but callgrind cannot
//! split (the hand-written call is inlined into `Caller::call`); two runs of
//! this, one per side, can be. The difference of two counts of one side
//! (`count` and a smaller `count`) takes the start-up out, so the cost of
//! one call is `(Ir(n2) - Ir(n1)) / (n2 - n1)` (BENCHMARKS.md).

use std::time::Duration;

use crate::caller::{Call, CallFailed, Caller};
use crate::request::on_local_server;

/// Which client makes the calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    /// etna-client's `<operation>().call()`.
    Generated,
    /// The hand-written reqwest call.
    #[value(name = "handwritten")]
    HandWritten,
}

/// Makes one untimed call (the connection), then `count` calls of `call`
/// from `side` against a server on the same thread, each checked.
pub fn run(side: Side, call: Call, count: usize) -> Result<(), CallFailed> {
    on_local_server(Duration::ZERO, |base_url| async move {
        let caller = match side {
            Side::Generated => Caller::generated(&base_url, call)?,
            Side::HandWritten => Caller::handwritten(&base_url, call)?,
        };
        caller.call().await?;
        for _ in 0..count {
            caller.call().await?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both sides of every call complete against the local server; a call
    /// that did not get its expected answer would be an error.
    #[test]
    fn every_call_of_each_side_gets_its_answer() {
        for call in Call::ALL {
            for side in [Side::Generated, Side::HandWritten] {
                run(side, call, 3).unwrap_or_else(|e| panic!("{side:?} {call:?}: {e}"));
            }
        }
    }
}
