//! A TCP proxy in front of PostgreSQL that counts round trips and can add a
//! fixed delay per direction, as a database across a network would: how
//! many times a request waits for the database, and what that costs. With
//! [`ProxiedChatKit`], the ChatKit entry point over it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::{BETTER_AUTH_SECRET, TestDatabase};
use crate::Secret;
use crate::agent::{Agent, OfflineAssistant};
use crate::auth::{Accounts, AuthConfig, ClientInfo};
use crate::chatkit::types::Event;
use crate::chatkit::{ChatKit, Response};
use crate::db::{Database, Location};
use crate::tasks::Tasks;
use crate::token::{TokenConfig, Tokens};

/// Listens on a local port and forwards every connection to `upstream`.
#[derive(Debug)]
pub struct Proxy {
    /// `host:port` to connect to instead of the server.
    pub address: String,
    counts: Arc<Counts>,
    accepting: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accepting.abort();
    }
}

/// What clients sent, counted by round trip: each time a client sends
/// something after the server answered.
#[derive(Debug, Default)]
struct Counts {
    round_trips: AtomicU64,
    /// Those that execute a statement (an Execute or a simple Query message):
    /// not the connection's start-up, a statement's preparation (once per
    /// connection, then cached) or sqlx's ping when a connection goes back
    /// to its pool (sent after the result, never waited for by the request).
    statements: AtomicU64,
}

/// Round trips since the last [`Proxy::take`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RoundTrips {
    pub all: u64,
    pub statements: u64,
}

impl Proxy {
    /// A proxy to `upstream` (`host:port`) holding each piece of data for
    /// `delay` in each direction (zero: none).
    pub async fn start(upstream: &str, delay: Duration) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("proxy: bind: {e}"));
        let address = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("proxy: {e}"))
            .to_string();
        let counts = Arc::new(Counts::default());
        let (upstream, shared) = (upstream.to_owned(), Arc::clone(&counts));
        let accepting = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let server = TcpStream::connect(upstream.as_str())
                    .await
                    .unwrap_or_else(|e| panic!("proxy: connect to {upstream}: {e}"));
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let (client_read, client_write) = client.into_split();
                let (server_read, server_write) = server.into_split();
                // Set while the server spoke last: the client's next bytes start a round trip.
                let answered = Arc::new(AtomicBool::new(true));
                let to_server = Side::Client {
                    counts: Arc::clone(&shared),
                    answered: Arc::clone(&answered),
                    messages: Messages::default(),
                    executed: false,
                };
                tokio::spawn(pump(client_read, server_write, delay, to_server));
                tokio::spawn(pump(server_read, client_write, delay, Side::Server { answered }));
            }
        });
        Self {
            address,
            counts,
            accepting,
        }
    }

    /// `url` (a `postgres://` URL) with its server replaced by this proxy,
    /// and without TLS, so that the proxy reads the messages.
    pub fn url_for(&self, url: &str) -> String {
        let (scheme, rest) = url.split_once("://").unwrap_or_else(|| panic!("not a URL"));
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(authority_end);
        let user = authority.rsplit_once('@').map(|(user, _)| format!("{user}@"));
        let separator = if tail.contains('?') { '&' } else { '?' };
        format!(
            "{scheme}://{}{}{tail}{separator}sslmode=disable",
            user.unwrap_or_default(),
            self.address
        )
    }

    /// The round trips since the last call.
    pub fn take(&self) -> RoundTrips {
        RoundTrips {
            all: self.counts.round_trips.swap(0, Ordering::SeqCst),
            statements: self.counts.statements.swap(0, Ordering::SeqCst),
        }
    }
}

/// The frontend messages of one connection, read as they pass: the first
/// (start-up) has no type byte, every later one is a type byte and a length
/// that counts itself.
#[derive(Debug, Default)]
struct Messages {
    started: bool,
    header: Vec<u8>,
    /// Bytes of the current message's body still to pass.
    remaining: usize,
}

impl Messages {
    /// The type bytes of the messages that begin in `bytes`.
    fn read(&mut self, mut bytes: &[u8], mut begins: impl FnMut(u8)) {
        while !bytes.is_empty() {
            if self.remaining > 0 {
                let skip = self.remaining.min(bytes.len());
                self.remaining -= skip;
                bytes = &bytes[skip..];
                continue;
            }
            let header_len = if self.started { 5 } else { 4 };
            let take = (header_len - self.header.len()).min(bytes.len());
            self.header.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.header.len() < header_len {
                return;
            }
            let length = &self.header[header_len - 4..];
            let length = u32::from_be_bytes([length[0], length[1], length[2], length[3]]) as usize;
            if self.started {
                begins(self.header[0]);
            }
            self.started = true;
            self.remaining = length.saturating_sub(4);
            self.header.clear();
        }
    }
}

enum Side {
    Client {
        counts: Arc<Counts>,
        answered: Arc<AtomicBool>,
        messages: Messages,
        /// This round trip already counted as executing a statement.
        executed: bool,
    },
    Server {
        answered: Arc<AtomicBool>,
    },
}

impl Side {
    fn passed(&mut self, bytes: &[u8]) {
        match self {
            Side::Client {
                counts,
                answered,
                messages,
                executed,
            } => {
                if answered.swap(false, Ordering::SeqCst) {
                    counts.round_trips.fetch_add(1, Ordering::SeqCst);
                    *executed = false;
                }
                messages.read(bytes, |kind| {
                    if matches!(kind, b'E' | b'Q') && !*executed {
                        *executed = true;
                        counts.statements.fetch_add(1, Ordering::SeqCst);
                    }
                });
            }
            Side::Server { answered } => answered.store(true, Ordering::SeqCst),
        }
    }
}

/// Copies one direction, each chunk held until `delay` after it arrived
/// (latency, not a bandwidth limit: chunks are not held one after another).
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, delay: Duration, mut side: Side) {
    let (sender, mut receiver) = mpsc::unbounded_channel::<(Instant, Vec<u8>)>();
    let writer = tokio::spawn(async move {
        while let Some((due, bytes)) = receiver.recv().await {
            tokio::time::sleep_until(due).await;
            if to.write_all(&bytes).await.is_err() {
                return;
            }
        }
        let _ = to.shutdown().await;
    });
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let read = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(read) => read,
        };
        side.passed(&buffer[..read]);
        if sender.send((Instant::now() + delay, buffer[..read].to_vec())).is_err() {
            break;
        }
    }
    drop(sender);
    let _ = writer.await;
}

/// ChatKit with the offline assistant over PostgreSQL reached through a
/// [`Proxy`]: every query of a request, the bearer's account check included,
/// goes through it. The user is signed up directly.
#[derive(Debug)]
pub struct ProxiedChatKit {
    pub proxy: Proxy,
    pub chatkit: ChatKit,
    /// `Bearer <jwt>` of the signed-up user.
    pub bearer: String,
}

impl ProxiedChatKit {
    pub async fn start(t: &TestDatabase, delay: Duration) -> Self {
        let server = crate::db::postgres_server(&t.url).unwrap_or_else(|| panic!("not a PostgreSQL URL"));
        let proxy = Proxy::start(&server, delay).await;
        let db = Database::open(&Location::Postgres(proxy.url_for(&t.url)))
            .await
            .unwrap_or_else(|e| panic!("opening PostgreSQL through the proxy: {e}"));
        let signed = Accounts::new(t.db.clone(), AuthConfig::default())
            .sign_up("alice@example.com", "Alice", "correct horse", &ClientInfo::default())
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let tokens = Tokens::load(&db, TokenConfig::new(Secret::new(BETTER_AUTH_SECRET)))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let bearer = format!(
            "Bearer {}",
            tokens.issue(&signed.user).unwrap_or_else(|e| panic!("{e}")).token
        );
        let agent = Agent::new(Arc::new(OfflineAssistant::default()), Tasks::new(db.clone()));
        Self {
            proxy,
            chatkit: ChatKit::new(db, Arc::new(tokens), agent),
            bearer,
        }
    }

    /// A streamed request's events, read to the end.
    pub async fn stream(&self, body: &serde_json::Value) -> Vec<Event> {
        let response = self
            .chatkit
            .process(Some(&self.bearer), body.to_string().as_bytes())
            .await;
        let Response::Stream(mut stream) = response else {
            panic!("expected a stream, got {response:?}")
        };
        let mut events = Vec::new();
        while let Some(event) = stream.next().await {
            events.push(event);
        }
        events
    }
}
