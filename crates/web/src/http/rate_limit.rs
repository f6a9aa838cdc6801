//! Requests per client address: a token bucket per address, refilled at
//! the configured rate and holding ten seconds' worth for bursts (a page
//! with its style sheet and script, a busy office behind one address).
//! Past it, 429 with Retry-After. Behind a reverse proxy every client has
//! the proxy's address: limit at the proxy then, and set the limit to 0 here.

use super::error::{AppError, ErrorKind};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Addresses kept before idle ones are forgotten.
const REMEMBERED: usize = 10_000;

#[derive(Clone)]
pub struct Limiter {
    per_second: f64,
    burst: f64,
    buckets: Arc<Mutex<HashMap<IpAddr, (f64, Instant)>>>,
}

impl Limiter {
    pub fn new(per_second: u32) -> Limiter {
        Limiter {
            per_second: f64::from(per_second),
            burst: f64::from(per_second) * 10.0,
            buckets: Arc::default(),
        }
    }

    /// Takes one request from the address's bucket, or says how many
    /// seconds until one is there.
    pub fn take(&self, address: IpAddr, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= REMEMBERED {
            // An address idle long enough to have refilled is as good as new.
            let refill = self.burst / self.per_second;
            buckets.retain(|_, (_, last)| now.duration_since(*last).as_secs_f64() < refill);
        }
        let (tokens, last) = buckets.entry(address).or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.per_second).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.per_second).ceil() as u64)
        }
    }
}

pub async fn rate_limit(
    State(limiter): State<Option<Limiter>>,
    request: Request,
    next: Next,
) -> Response {
    let address = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip());
    if let (Some(limiter), Some(address)) = (&limiter, address)
        && let Err(seconds) = limiter.take(address, Instant::now())
    {
        return AppError(ErrorKind::TooManyRequests(seconds)).into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_rate_and_each_address_on_its_own() {
        let limiter = Limiter::new(5);
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        let start = Instant::now();
        let burst = (0..60).filter(|_| limiter.take(a, start).is_ok()).count();
        assert_eq!(burst, 50, "ten seconds' worth at once");
        assert_eq!(limiter.take(a, start), Err(1));
        assert!(
            limiter.take(b, start).is_ok(),
            "another address is not held back"
        );
        // A second later five more are allowed, and no more.
        let later = start + Duration::from_secs(1);
        let refilled = (0..10).filter(|_| limiter.take(a, later).is_ok()).count();
        assert_eq!(refilled, 5);
    }
}
