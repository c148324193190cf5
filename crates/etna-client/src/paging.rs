//! Reading every page of a paged answer: any operation whose success answer
//! composes the spec's page envelope (the schema marked `x-etna-page`) is
//! [`Paged`], with a stream of its pages and one of its items, that follows
//! each page's link to the next.
//!
//! The next page is fetched like the first one: the same credentials (the
//! operation's security), the same timeout and body cap and the same
//! `etna_client.request` span (the hooks every generated `send` calls), its
//! answer routed by the operation's own status `match` and classified by
//! the same code as [`Operation::call`]'s, so a refusal on page 3 is the
//! same [`Error`] as one on page 1. A link is followed only when it stays
//! under the client's API root (scheme, host, port and path), checked
//! before any request: no credential ever goes anywhere else.

use std::collections::HashSet;

use futures_util::stream::{self, Stream, TryStreamExt};
use progenitor_client::{Error as ApiError, OperationInfo, ResponseValue};
use reqwest::Url;
use reqwest::header::{ACCEPT, HeaderValue};
use serde::de::DeserializeOwned;

use crate::Error;
use crate::hooks::ClientState;
use crate::operation::{Route, check_session, finish};

/// A page of a paged answer, as the spec's `x-etna-page` roles name its
/// fields. Implemented by `cargo xtask codegen` for every answer type that
/// composes the marked schema; never by hand.
///
/// A bare JSON array where the page was expected decodes as a page holding
/// those items and no link: a single, last page (the spec's "reading
/// taken": some of ETNA's pages document a bare array).
pub trait Page: Sized {
    /// One item of the page (the `items` role's array).
    type Item;
    /// The link to the next page; `None` on the last page (the API sends an
    /// empty string or null there).
    fn next_link(&self) -> Option<&str>;
    /// How many items all the pages hold together (the `total` role), when
    /// the page says.
    fn total(&self) -> Option<u64>;
    /// This page's items.
    fn items(&self) -> &[Self::Item];
    /// This page's items, owned.
    fn into_items(self) -> Vec<Self::Item>;
}

/// An operation whose success answer is a [`Page`]: [`pages`](Self::pages)
/// and [`items`](Self::items) read every page, following each page's link.
/// Implemented by `cargo xtask codegen`; never by hand.
///
/// Both streams hold one page at a time and end after the page without a
/// link. A link that leaves the client's API root, that is not an absolute
/// URL, or that was followed before (the pages loop) ends the stream with
/// [`Error::PageLinkRefused`] before anything is sent to it.
///
/// ```no_run
/// use etna_client::{Client, Paged};
/// use etna_client::futures_util::TryStreamExt;
///
/// # async fn run(client: &Client) -> Result<(), etna_client::Error> {
/// let orders = client.list_orders().account_id(6303).page_number(0).page_size(100);
/// // Pinned: the stream holds the request in flight.
/// let mut orders = std::pin::pin!(orders.items());
/// while let Some(order) = orders.try_next().await? {
///     println!("{:?} {:?}", order.id, order.status);
/// }
/// # Ok(())
/// # }
/// ```
pub trait Paged: Route<Success = <Self as Paged>::Page> {
    /// The page type of the operation's answer.
    type Page: Page<Item: Send> + DeserializeOwned + Send;

    /// The HTTP client the operation's builder sends with; every page goes
    /// through it.
    #[doc(hidden)]
    fn http(&self) -> &reqwest::Client;

    /// Every page, the builder's request first, then each page's next link.
    fn pages(self) -> impl Stream<Item = Result<Self::Page, Error>> + Send {
        let pager = Pager {
            state: self.state().clone(),
            http: self.http().clone(),
            first: Some(self),
            next: None,
            followed: HashSet::new(),
        };
        stream::try_unfold(pager, Pager::step)
    }

    /// Every item of every page, in order.
    fn items(self) -> impl Stream<Item = Result<<Self::Page as Page>::Item, Error>> + Send {
        self.pages()
            .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
            .try_flatten()
    }
}

/// Where the stream of pages stands: the builder until the first page is
/// asked for, then the next link to follow.
struct Pager<O> {
    state: ClientState,
    http: reqwest::Client,
    first: Option<O>,
    /// The link the last page gave, not yet checked.
    next: Option<String>,
    /// Every link followed, so that a loop is an error rather than a stream
    /// that never ends. Links, not pages: one page is held at a time.
    followed: HashSet<String>,
}

impl<O: Paged> Pager<O> {
    async fn step(mut self) -> Result<Option<(O::Page, Self)>, Error> {
        let result = if let Some(first) = self.first.take() {
            check_session::<O>(&self.state)?;
            first.send_request().await
        } else if let Some(link) = self.next.take() {
            // Checked when the next page is asked for, so that the page
            // that carried the link has been handed over whole.
            let url = self.follow(&link)?;
            // The session may have been cleared or have expired between
            // pages: refused before any I/O, as for the first one.
            check_session::<O>(&self.state)?;
            fetch::<O>(&self.http, &self.state, url).await
        } else {
            return Ok(None);
        };
        let (_, page) = finish::<O>(&self.state, result)
            .await
            .map_err(|failure| failure.error)?;
        self.next = page
            .next_link()
            .map(str::trim)
            .filter(|link| !link.is_empty())
            .map(str::to_owned);
        Ok(Some((page, self)))
    }

    /// The next page's URL, or why it is not followed.
    fn follow(&mut self, link: &str) -> Result<Url, Error> {
        let refused = |reason: String| Error::PageLinkRefused {
            operation: O::ID,
            reason,
        };
        let url = Url::parse(link).map_err(|e| {
            refused(format!(
                "the link to the next page is not an absolute URL ({e})"
            ))
        })?;
        let root = self.state.api_root().ok_or_else(|| {
            refused(
                "the client has no API root to check the link against; build it with etna_client::ClientBuilder"
                    .to_owned(),
            )
        })?;
        under_root(&url, root).map_err(refused)?;
        if !self.followed.insert(url.as_str().to_owned()) {
            return Err(refused(
                "the link to the next page was followed before: the pages loop".to_owned(),
            ));
        }
        Ok(url)
    }
}

/// A GET of `url` as the operation's own `send` makes it: its `Accept`, its
/// credentials and timeout (`pre`), its span and body cap (`exec`), its
/// status routing (`Route`).
async fn fetch<O: Paged>(
    http: &reqwest::Client,
    state: &ClientState,
    url: Url,
) -> Result<ResponseValue<O::Page>, ApiError<O::ErrorBody>> {
    let info = OperationInfo {
        operation_id: O::ID,
    };
    let mut request = http
        .get(url)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .build()?;
    crate::hooks::pre(state, &mut request, &info).map_err(ApiError::InvalidRequest)?;
    let response = crate::hooks::exec(http, state, request, &info).await?;
    O::route(response).await
}

/// Whether `link` is under the API root `root`: the same scheme, host and
/// port, no user name or password of its own, and a path at or below the
/// root's. The reason names the link's origin, never its path or query.
pub(crate) fn under_root(link: &Url, root: &Url) -> Result<(), String> {
    let origin = link.origin().ascii_serialization();
    if link.scheme() != root.scheme()
        || link.host_str() != root.host_str()
        || link.port_or_known_default() != root.port_or_known_default()
    {
        return Err(format!(
            "the link to the next page leaves the API root: {origin} is not {}",
            root.origin().ascii_serialization()
        ));
    }
    if !link.username().is_empty() || link.password().is_some() {
        return Err("the link to the next page carries a user name or password".to_owned());
    }
    let root_path = root.path().trim_end_matches('/');
    let path = link.path();
    let below = path == root_path
        || path
            .strip_prefix(root_path)
            .is_some_and(|rest| rest.starts_with('/'));
    // `Url` has already resolved literal `.` and `..` segments; an encoded
    // one would be resolved by the server, past this check.
    let encoded_dot = path.to_ascii_lowercase().contains("%2e");
    if !below || encoded_dot {
        return Err(format!(
            "the link to the next page leaves the API root: its path is not under {}",
            if root_path.is_empty() { "/" } else { root_path }
        ));
    }
    Ok(())
}

/// What a generated page's `Deserialize` reads: the page object, or a bare
/// array of its items (a single, last page).
#[doc(hidden)]
pub enum PageOrItems<P, I> {
    /// The page envelope, as declared.
    Page(P),
    /// A bare array of items.
    Items(Vec<I>),
}

/// Reads an object as `P` (the page's declared fields) or an array as the
/// items, each from the deserializer itself (no buffering, so a decimal
/// still reads its own text).
#[doc(hidden)]
pub fn page_or_items<'de, D, P, I>(deserializer: D) -> Result<PageOrItems<P, I>, D::Error>
where
    D: serde::Deserializer<'de>,
    P: serde::Deserialize<'de>,
    I: serde::Deserialize<'de>,
{
    deserializer.deserialize_any(PageVisitor(std::marker::PhantomData))
}

struct PageVisitor<P, I>(std::marker::PhantomData<fn() -> (P, I)>);

impl<'de, P: serde::Deserialize<'de>, I: serde::Deserialize<'de>> serde::de::Visitor<'de>
    for PageVisitor<P, I>
{
    type Value = PageOrItems<P, I>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a page object or an array of its items")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        P::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(PageOrItems::Page)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        <Vec<I> as serde::Deserialize>::deserialize(serde::de::value::SeqAccessDeserializer::new(
            seq,
        ))
        .map(PageOrItems::Items)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(link: &str, root: &str) -> Result<(), String> {
        under_root(&Url::parse(link).unwrap(), &Url::parse(root).unwrap())
    }

    #[test]
    fn a_link_under_the_root_is_followed() {
        let root = "https://trader.example.com/api";
        assert_eq!(
            check(
                "https://trader.example.com/api/v1.0/accounts/1/orders?pageNumber=1",
                root
            ),
            Ok(())
        );
        assert_eq!(check("https://trader.example.com:443/api/x", root), Ok(()));
        assert_eq!(check("https://TRADER.example.com/api", root), Ok(()));
        assert_eq!(
            check("http://127.0.0.1:8080/p", "http://127.0.0.1:8080"),
            Ok(())
        );
    }

    #[test]
    fn a_link_elsewhere_is_refused_naming_its_origin_only() {
        let root = "https://trader.example.com/api";
        for link in [
            "http://trader.example.com/api/v1.0/orders",
            "https://trader.example.com:8443/api/v1.0/orders",
            "https://evil.example.com/api/v1.0/orders",
            "https://trader.example.com.evil.example/api",
        ] {
            let reason = check(link, root).unwrap_err();
            assert!(reason.contains("leaves the API root"), "{link}: {reason}");
            assert!(!reason.contains("/v1.0"), "{reason}");
        }
        for link in [
            "https://trader.example.com/apix/orders",
            "https://trader.example.com/other",
            "https://trader.example.com/api/../admin",
            "https://trader.example.com/api/%2e%2e/admin",
            "https://trader.example.com/",
        ] {
            let reason = check(link, root).unwrap_err();
            assert!(reason.contains("not under /api"), "{link}: {reason}");
        }
        assert!(
            check("https://someone:pw@trader.example.com/api/x", root)
                .unwrap_err()
                .contains("user name or password")
        );
    }

    #[test]
    fn a_page_reads_as_its_object_or_as_a_bare_array() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Declared {
            next: Option<String>,
        }
        let page: PageOrItems<Declared, u8> =
            page_or_items(&mut serde_json::Deserializer::from_str(r#"{"next":"x"}"#)).unwrap();
        assert!(matches!(page, PageOrItems::Page(Declared { next: Some(n) }) if n == "x"));
        let items: PageOrItems<Declared, u8> =
            page_or_items(&mut serde_json::Deserializer::from_str("[1,2]")).unwrap();
        assert!(matches!(items, PageOrItems::Items(i) if i == [1, 2]));
        assert!(
            page_or_items::<_, Declared, u8>(&mut serde_json::Deserializer::from_str("3")).is_err()
        );
    }
}
