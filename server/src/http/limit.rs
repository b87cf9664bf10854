//! Per-client request limits on `/api/auth/*`, after Better Auth's: a fixed
//! window and a maximum per client address, stricter for sign-in and for
//! sign-up. Kept in memory by each instance and bounded in size; the
//! per-email throttle in the database is what holds across instances.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hashlink::LinkedHashMap;

use super::error::ApiError;

/// Counters kept at most: about 80 bytes each. Past this the counter used
/// longest ago is dropped, so many source addresses cannot grow the memory.
const MAX_COUNTERS: usize = 100_000;
/// X-Forwarded-For entries looked at, from the right.
const MAX_FORWARDED_HOPS: usize = 16;

/// At most `max` requests per `window`, written `MAX/SECONDS`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub max: u32,
    pub window: Duration,
}

impl FromStr for Rule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || format!("{text:?} is not MAX/SECONDS with MAX ≥ 1 and SECONDS 1–86400, e.g. 3/10");
        let (max, seconds) = text.split_once('/').ok_or_else(invalid)?;
        let max: u32 = max.trim().parse().map_err(|_| invalid())?;
        let seconds: u64 = seconds.trim().parse().map_err(|_| invalid())?;
        if max == 0 || !(1..=86_400).contains(&seconds) {
            return Err(invalid());
        }
        Ok(Self {
            max,
            window: Duration::from_secs(seconds),
        })
    }
}

/// The `serve` options for these limits.
#[derive(Clone, Debug, clap::Args)]
pub struct LimitOptions {
    /// Requests per client to the other /api/auth routes together, as MAX/SECONDS.
    #[arg(long, env = "TASKTALK_RATE_LIMIT", default_value = "100/10")]
    pub rate_limit: Rule,
    /// Requests per client to sign-in, and to sign-up, as MAX/SECONDS.
    #[arg(long, env = "TASKTALK_SIGN_IN_RATE_LIMIT", default_value = "3/10")]
    pub sign_in_rate_limit: Rule,
    /// A reverse proxy's address whose X-Forwarded-For is believed (repeat,
    /// or comma-separate in the variable). None: the peer is the client.
    #[arg(long = "trusted-proxy", env = "TASKTALK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<IpAddr>,
}

/// The client a request is counted against, for the handlers to record.
#[derive(Clone, Copy, Debug)]
pub struct ClientAddress(pub IpAddr);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Route {
    SignIn,
    SignUp,
    /// The other /api/auth routes, together.
    Other,
}

#[derive(Debug)]
struct Counter {
    started: Instant,
    count: u32,
}

#[derive(Debug)]
pub struct Limiter {
    options: LimitOptions,
    counters: Mutex<LinkedHashMap<(IpAddr, Route), Counter>>,
}

impl Limiter {
    pub fn new(options: LimitOptions) -> Arc<Self> {
        Arc::new(Self {
            options,
            counters: Mutex::new(LinkedHashMap::new()),
        })
    }

    /// Counts one request; over the limit, the seconds until the window ends.
    fn count(&self, client: IpAddr, route: Route, now: Instant) -> Result<(), u64> {
        let rule = match route {
            Route::SignIn | Route::SignUp => self.options.sign_in_rate_limit,
            Route::Other => self.options.rate_limit,
        };
        let key = (subnet(client), route);
        // A panic elsewhere cannot leave a counter half-written: use it as is.
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        if counters.to_back(&key).is_none() && counters.len() >= MAX_COUNTERS {
            counters.pop_front();
        }
        let counter = counters.entry(key).or_insert(Counter { started: now, count: 0 });
        if now.duration_since(counter.started) >= rule.window {
            *counter = Counter { started: now, count: 0 };
        }
        if counter.count >= rule.max {
            let left = rule.window.saturating_sub(now.duration_since(counter.started));
            return Err(left.as_millis().div_ceil(1000).max(1) as u64);
        }
        counter.count += 1;
        Ok(())
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.counters.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}

/// Middleware on the routes (after routing, so it sees the route matched, not
/// a spelling of its path): counts /api/auth requests per client, refuses
/// those over the limit, and tells the handlers the client's address.
pub async fn enforce(State(limiter): State<Arc<Limiter>>, mut request: Request, next: Next) -> Response {
    let route = match request.extensions().get::<MatchedPath>().map(MatchedPath::as_str) {
        Some("/api/auth/sign-in/email") => Route::SignIn,
        Some("/api/auth/sign-up/email") => Route::SignUp,
        Some(path) if path.starts_with("/api/auth/") => Route::Other,
        _ => return next.run(request).await,
    };
    // Only `serve` runs the router, always with the peer's address.
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |info| info.0.ip());
    let client = client_address(peer, request.headers(), &limiter.options.trusted_proxies);
    if let Err(retry_after) = limiter.count(client, route, Instant::now()) {
        tracing::debug!(?route, "request refused: over the per-client limit");
        return ApiError {
            retry_after: Some(retry_after),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "TOO_MANY_REQUESTS",
                format!("Too many requests. Try again in {retry_after} s."),
            )
            .flat()
        }
        .into_response();
    }
    request.extensions_mut().insert(ClientAddress(client));
    next.run(request).await
}

/// The peer; or when the peer is a trusted proxy, the right-most
/// X-Forwarded-For address that is not a trusted proxy (the left part of the
/// header is whatever the client wrote).
fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    let mut client = peer.to_canonical();
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .rev()
        .flat_map(|value| value.to_str().unwrap_or_default().rsplit(','))
        .take(MAX_FORWARDED_HOPS);
    for hop in hops {
        if !trusted.contains(&client) {
            break;
        }
        match hop.trim().parse::<IpAddr>() {
            Ok(address) => client = address.to_canonical(),
            Err(_) => break,
        }
    }
    client
}

/// IPv6 clients are counted per /64, the block one subscriber usually has.
fn subnet(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => IpAddr::V6(Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        v4 => v4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        limits: LimitOptions,
    }

    fn options(args: &[&str]) -> LimitOptions {
        Cli::try_parse_from(std::iter::once("serve").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"))
            .limits
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn the_defaults_are_better_auths() {
        let defaults = options(&[]);
        assert_eq!(
            defaults.rate_limit,
            Rule {
                max: 100,
                window: Duration::from_secs(10)
            }
        );
        assert_eq!(
            defaults.sign_in_rate_limit,
            Rule {
                max: 3,
                window: Duration::from_secs(10)
            }
        );
        assert!(defaults.trusted_proxies.is_empty());
        let set = options(&[
            "--sign-in-rate-limit",
            "5/60",
            "--trusted-proxy",
            "10.0.0.1",
            "--trusted-proxy",
            "::1",
        ]);
        assert_eq!(
            set.sign_in_rate_limit,
            Rule {
                max: 5,
                window: Duration::from_secs(60)
            }
        );
        assert_eq!(set.trusted_proxies, [ip("10.0.0.1"), ip("::1")]);
        for bad in ["3", "0/10", "3/0", "3/86401", "a/10", "-1/10"] {
            assert!(bad.parse::<Rule>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_client_gets_max_requests_per_window_and_the_wait() {
        let limiter = Limiter::new(options(&["--sign-in-rate-limit", "2/10"]));
        let (client, start) = (ip("192.0.2.1"), Instant::now());
        assert_eq!(limiter.count(client, Route::SignIn, start), Ok(()));
        assert_eq!(limiter.count(client, Route::SignIn, start), Ok(()));
        assert_eq!(
            limiter.count(client, Route::SignIn, start + Duration::from_millis(2500)),
            Err(8)
        );
        // Other clients and other routes count apart.
        assert_eq!(limiter.count(ip("192.0.2.2"), Route::SignIn, start), Ok(()));
        assert_eq!(limiter.count(client, Route::SignUp, start), Ok(()));
        // A new window starts afresh.
        assert_eq!(
            limiter.count(client, Route::SignIn, start + Duration::from_secs(10)),
            Ok(())
        );
    }

    #[test]
    fn ipv6_clients_are_counted_per_64_block() {
        let limiter = Limiter::new(options(&["--sign-in-rate-limit", "1/10"]));
        let now = Instant::now();
        assert_eq!(limiter.count(ip("2001:db8:1:2::1"), Route::SignIn, now), Ok(()));
        assert!(limiter.count(ip("2001:db8:1:2:ffff::9"), Route::SignIn, now).is_err());
        assert_eq!(limiter.count(ip("2001:db8:1:3::1"), Route::SignIn, now), Ok(()));
    }

    #[test]
    fn the_counters_are_bounded_and_the_oldest_goes_first() {
        let limiter = Limiter::new(options(&["--sign-in-rate-limit", "1/10"]));
        let now = Instant::now();
        let first = ip("198.51.100.1");
        assert_eq!(limiter.count(first, Route::SignIn, now), Ok(()));
        for n in 0..MAX_COUNTERS as u32 {
            let client = IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + n));
            assert_eq!(limiter.count(client, Route::SignIn, now), Ok(()));
        }
        assert_eq!(limiter.len(), MAX_COUNTERS);
        // The first client's counter was dropped: counted afresh.
        assert_eq!(limiter.count(first, Route::SignIn, now), Ok(()));
        assert_eq!(limiter.len(), MAX_COUNTERS);
    }

    #[test]
    fn x_forwarded_for_counts_only_behind_a_trusted_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            "203.0.113.9, 198.51.100.7, 10.0.0.2"
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        let proxy = ip("10.0.0.1");
        assert_eq!(
            client_address(proxy, &headers, &[]),
            proxy,
            "no trusted proxy: the peer"
        );
        assert_eq!(
            client_address(ip("192.0.2.5"), &headers, &[proxy]),
            ip("192.0.2.5"),
            "an untrusted peer"
        );
        assert_eq!(client_address(proxy, &headers, &[proxy]), ip("10.0.0.2"));
        assert_eq!(
            client_address(proxy, &headers, &[proxy, ip("10.0.0.2")]),
            ip("198.51.100.7")
        );
        assert_eq!(
            client_address(ip("::ffff:10.0.0.1"), &headers, &[proxy]),
            ip("10.0.0.2"),
            "an IPv4-mapped peer"
        );
        headers.insert(
            "x-forwarded-for",
            "not an address".parse().unwrap_or_else(|e| panic!("{e}")),
        );
        assert_eq!(
            client_address(proxy, &headers, &[proxy]),
            proxy,
            "garbage: the proxy itself"
        );
        headers.remove("x-forwarded-for");
        assert_eq!(client_address(proxy, &headers, &[proxy]), proxy);
    }
}
