//! Quotes: a pure function of the security and the mock's clock (the same
//! clock, the same quote), unless a test has set one.
//!
//! The clock is cut into ticks of [`TICK`]; at tick `t` a security's middle
//! price is its `price` from the data file, plus a triangle wave of ±2% over
//! [`PERIOD`] ticks (its phase from the security's id), plus a jitter of up
//! to ±10 cents drawn from a hash of the id and `t`. Bid and ask sit one
//! cent (and a hundredth of a percent) either side, `Last` is the middle.
//! No walk: a quote far ahead costs what the next one does.

use std::time::Duration;

use rust_decimal::Decimal;

use super::securities::Security;

/// How long a quote lasts on the mock's clock.
pub const TICK: Duration = Duration::from_secs(1);

/// The ticks of one period of the wave.
const PERIOD: u64 = 240;

/// One quote of a security.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quote {
    /// The best bid: what a market sell fills at.
    pub bid: Decimal,
    /// The best ask: what a market buy fills at.
    pub ask: Decimal,
    /// The last trade's price: what positions are valued at.
    pub last: Decimal,
}

/// The quote of `security` at tick `tick`.
pub(crate) fn quote_at(security: &Security, tick: u64) -> Quote {
    let seed = security.id as u64;
    let base = security.cents;
    let half = PERIOD / 2;
    let phase = (tick % PERIOD + seed % PERIOD) % PERIOD;
    let triangle = if phase < half { phase } else { PERIOD - phase } as i64;
    // -half/2 ..= half/2, scaled to ±2% of the base.
    let wave = (triangle - (half / 2) as i64) * (base / 50) / (half / 2) as i64;
    let jitter = (mix(seed ^ tick.rotate_left(17)) % 21) as i64 - 10;
    let middle = (base + wave + jitter).max(100);
    let half_spread = 1 + middle / 10_000;
    let cents = |c: i64| Decimal::new(c, 2);
    Quote {
        bid: cents(middle - half_spread),
        ask: cents(middle + half_spread),
        last: cents(middle),
    }
}

/// splitmix64's finaliser: a well-spread hash of a number.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The tick of a clock `elapsed` past the exchange's start.
pub(crate) fn tick_of(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_nanos() / TICK.as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn aapl() -> Security {
        super::super::securities::parse(super::super::securities::SECURITIES)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn the_same_tick_gives_the_same_quote_and_quotes_move() {
        let aapl = aapl();
        let quotes: Vec<Quote> = (0..PERIOD * 2).map(|t| quote_at(&aapl, t)).collect();
        assert_eq!(quotes[7], quote_at(&aapl, 7));
        let distinct: std::collections::BTreeSet<_> = quotes.iter().map(|q| q.last).collect();
        assert!(distinct.len() > 50, "{}", distinct.len());
        for q in &quotes {
            assert!(q.bid < q.last && q.last < q.ask, "{q:?}");
            let base = Decimal::new(15657, 2);
            let band = base / Decimal::from(40);
            assert!((q.last - base).abs() <= band, "{q:?}");
            assert!(q.bid.scale() <= 2 && q.ask.scale() <= 2);
        }
        // Far ahead costs nothing more: no walk.
        let _ = quote_at(&aapl, u64::MAX);
        assert_eq!(tick_of(Duration::from_millis(2500)), 2);
    }
}
