//! The REST side of streaming, the conveniences of one whole flow: finding
//! the streamers (`get_streamers`), the trader's user ID (`get_user_info`),
//! recovering an ended streamer session (`recover_streamer_session`), and
//! the REST snapshot to resynchronise with after a reconnect
//! ([`Snapshot`]). The one module of the streaming runtime that names
//! operations or their fields; its table `SERVERS` ties each server of
//! the AsyncAPI document to its entry of `get_streamers`' answer.

use std::num::NonZeroU32;

use futures_util::TryStreamExt;

use super::error::Error;
use crate::types::{AccountBalance, Order, Position, StreamerAddress, StreamerAddresses};
use crate::{Client, Operation, Paged, Secret};

/// One server of the AsyncAPI document, as the REST side knows it.
pub(crate) struct Server {
    /// The document's server name (`Protocol::server`).
    pub(crate) name: &'static str,
    /// Its addresses in `get_streamers`' answer.
    addresses: fn(&StreamerAddresses) -> &[StreamerAddress],
    /// `recover_streamer_session`'s `sessionType` for it.
    session_type: i32,
}

/// Every server the document names, and where the REST side lists it.
pub(crate) const SERVERS: [Server; 2] = [
    Server {
        name: "quote",
        addresses: |a| &a.quote_addresses,
        session_type: 1,
    },
    Server {
        name: "data",
        addresses: |a| &a.data_addresses,
        session_type: 0,
    },
];

pub(crate) fn server(name: &str) -> Option<&'static Server> {
    SERVERS.iter().find(|s| s.name == name)
}

/// Where the streamers are (one REST call for every server).
pub(crate) async fn streamers(client: &Client) -> Result<StreamerAddresses, Error> {
    client
        .get_streamers()
        .call()
        .await
        .map_err(|source| Error::Rest {
            step: "finding the streamers",
            source: Box::new(source),
        })
}

/// A server's first address and the streamer session id listed with it
/// (`None` when the answer gives none, as the documented data address).
pub(crate) fn address(
    answer: &StreamerAddresses,
    server: &'static Server,
) -> Result<(String, Option<Secret>), Error> {
    let entry = (server.addresses)(answer)
        .iter()
        .find(|entry| entry.url.is_some())
        .ok_or(Error::Missing {
            server: server.name,
            what: "get_streamers lists no address for it",
        })?;
    let url = entry.url.clone().unwrap_or_default();
    let session = entry.session_id.clone().filter(|id| !id.is_empty());
    Ok((url, session))
}

/// A new streamer session id for `server`.
pub(crate) async fn recover(client: &Client, server: &'static Server) -> Result<Secret, Error> {
    let answer = client
        .recover_streamer_session()
        .session_type(server.session_type)
        .call()
        .await
        .map_err(|source| Error::Rest {
            step: "recovering the streamer session",
            source: Box::new(source),
        })?;
    answer.id.filter(|id| !id.is_empty()).ok_or(Error::Missing {
        server: server.name,
        what: "recover_streamer_session answered no session id",
    })
}

/// The signed-in trader's user ID, the handshake's `User`.
pub(crate) async fn user_id(client: &Client) -> Result<String, Error> {
    let info = client
        .get_user_info()
        .user_id("@me")
        .call()
        .await
        .map_err(|source| Error::Rest {
            step: "reading the user's ID",
            source: Box::new(source),
        })?;
    info.user_id.map(|id| id.to_string()).ok_or(Error::Missing {
        server: "every",
        what: "get_user_info answered no UserId",
    })
}

/// What the REST side says of a trading account now: read it after a
/// [`Resync`](super::Resync), since the streamers replay nothing, to learn
/// what changed while the connection was down (an order that filled, a
/// position it opened).
#[derive(Debug)]
pub struct Snapshot {
    /// Every order of the account (`list_orders`, every page).
    pub orders: Vec<Order>,
    /// Every position (`list_positions`, every page).
    pub positions: Vec<Position>,
    /// The balance (`get_account_balance`).
    pub balance: AccountBalance,
}

/// The most orders one page may hold (`list_orders`' `pageSize`).
const ORDERS_PAGE: NonZeroU32 = NonZeroU32::new(100).unwrap();
/// The most positions one page may hold (`list_positions`' `pageSize`).
const POSITIONS_PAGE: NonZeroU32 = NonZeroU32::new(99).unwrap();

impl Snapshot {
    /// Reads the account's orders and positions through the pager (every
    /// page, one held at a time) and its balance. Read-only calls: nothing
    /// is placed or changed.
    pub async fn fetch(client: &Client, account_id: i32) -> Result<Self, crate::Error> {
        let orders = client
            .list_orders()
            .account_id(account_id)
            .page_number(0)
            .page_size(ORDERS_PAGE)
            .items()
            .try_collect()
            .await?;
        let positions = client
            .list_positions()
            .account_id(account_id)
            .page_number(0)
            .page_size(POSITIONS_PAGE)
            .sort_field("Id")
            .desc(false)
            .items()
            .try_collect()
            .await?;
        let balance = client
            .get_account_balance()
            .account_id(account_id)
            .call()
            .await?;
        Ok(Self {
            orders,
            positions,
            balance,
        })
    }
}
