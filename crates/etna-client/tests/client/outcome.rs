//! Requests are never sent twice by the client, and a failure after a
//! request that is not safe to repeat may have been written is
//! `Error::OutcomeUnknown`, never the "network failure, try again" kinds.
//! Raw servers on 127.0.0.1 that count the complete requests they read.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use etna_client::{Client, Error, Operation};
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};

use crate::support::{APP_KEY, TOKEN, assert_no_secrets, client, reset_token};

/// What the server does once it has read a whole request.
#[derive(Clone, Copy)]
enum Then {
    /// Closes the connection without a byte of answer.
    Close,
    /// Keeps the connection open and never answers.
    Hold,
}

/// A server that reads each request to its last body byte, counts it, then
/// does `then`; its URL and the count.
async fn counting_server(then: Then) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        // Held sockets live as long as the server task, i.e. the test.
        let mut held = Vec::new();
        while let Ok((mut socket, _)) = listener.accept().await {
            if read_request(&mut socket).await {
                // Counted before the close, so a resend after it would be
                // counted before the client could return.
                seen.fetch_add(1, Ordering::SeqCst);
            }
            match then {
                Then::Close => drop(socket),
                Then::Hold => held.push(socket),
            }
        }
    });
    (format!("http://{addr}"), count)
}

/// Reads one request: the head, then `Content-Length` bytes of body.
/// False if the connection ended first.
async fn read_request(socket: &mut TcpStream) -> bool {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&data[..end]).to_ascii_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .map_or(0, |v| v.trim().parse().unwrap_or(0));
            if data.len() >= end + 4 + length {
                return true;
            }
        }
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => data.extend_from_slice(&buf[..n]),
        }
    }
}

fn short_timeout(url: &str) -> Client {
    Client::builder()
        .base_url(url)
        .app_key(APP_KEY)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap()
}

fn assert_unknown(error: &Error, method: &str, timed_out: bool) {
    match error {
        Error::OutcomeUnknown {
            operation,
            method: m,
            timeout,
            ..
        } => {
            assert_eq!(*operation, "generate_reset_token");
            assert_eq!(*m, method);
            assert_eq!(timeout.is_some(), timed_out, "{error:?}");
        }
        other => panic!("expected OutcomeUnknown, got {other:?}"),
    }
    let text = error.to_string();
    assert!(text.contains("may or may not have taken effect"), "{text}");
    assert!(
        text.contains("check whether it took effect before sending it again"),
        "{text}"
    );
    assert!(!text.contains("cannot talk to the API"), "{text}");
    assert_no_secrets("OutcomeUnknown Display", &text);
    assert_no_secrets("OutcomeUnknown Debug", &format!("{error:?}"));
}

#[tokio::test]
async fn a_post_whose_connection_drops_after_it_was_read_is_outcome_unknown_and_sent_once() {
    let (url, count) = counting_server(Then::Close).await;
    let error = reset_token(&url).await.unwrap_err();
    assert_unknown(&error, "POST", false);
    assert_eq!(count.load(Ordering::SeqCst), 1, "the POST was sent again");
}

/// The same on a pooled connection: the first POST's answer keeps the
/// connection alive, the second is read and then the connection is closed.
/// hyper-util resends only a request it never started writing; this one was
/// written, so it must not be resent.
#[tokio::test]
async fn a_post_on_a_reused_connection_is_not_resent_either() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let seen = seen.clone();
            tokio::spawn(async move {
                use tokio::io::AsyncWriteExt;
                while read_request(&mut socket).await {
                    // The first request of all gets an answer, the others none.
                    if seen.fetch_add(1, Ordering::SeqCst) > 0 {
                        return;
                    }
                    let body = format!(r#"{{"Model":"{TOKEN}","IsSucceed":true}}"#);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if socket.write_all(answer.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    let client = client(&url);
    let call = || client.password_reset().reset_token("231408").call();
    assert_eq!(call().await.unwrap().expose(), TOKEN);
    let error = call().await.unwrap_err();
    assert_unknown(&error, "POST", false);
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "the second POST was sent again"
    );
}

#[tokio::test]
async fn a_post_that_times_out_after_it_was_written_is_outcome_unknown() {
    let (url, count) = counting_server(Then::Hold).await;
    let error = short_timeout(&url)
        .password_reset()
        .reset_token("231408")
        .call()
        .await
        .unwrap_err();
    assert_unknown(&error, "POST", true);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_post_that_cannot_connect_is_an_ordinary_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let error = reset_token(&format!("http://{addr}")).await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
}

/// A GET is safe to repeat: its failures keep the ordinary kinds.
#[tokio::test]
async fn a_get_dropped_or_timed_out_is_an_ordinary_error() {
    let (url, count) = counting_server(Then::Close).await;
    let client = client(&url);
    client.set_session_token(TOKEN).unwrap();
    let error = client.list_security_images().call().await.unwrap_err();
    assert!(matches!(error, Error::Connection { .. }), "{error:?}");
    assert_eq!(count.load(Ordering::SeqCst), 1);

    let (url, _count) = counting_server(Then::Hold).await;
    let client = short_timeout(&url);
    client.set_session_token(TOKEN).unwrap();
    let error = client.list_security_images().call().await.unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
}
