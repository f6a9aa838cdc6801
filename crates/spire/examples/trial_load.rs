//! Randomisations through HTTP at `spire serve`: N concurrent clients, each
//! sending M requests for fresh youth one at a time over a kept-alive
//! connection. Prints throughput and latency percentiles, like
//! `scripts/trial-load.mjs`, but on one thread with a bare HTTP/1.1 client, so
//! the load generator takes as little as possible of the CPU it shares with the
//! server on a 2-core machine (node's `fetch` used about 1.5 ms a request).
//!
//!   cargo run --release -p spire --example trial_load -- URL TOKEN TRIAL_ID [clients=16] [requests=200]
//!
//! URL is the server's base, e.g. http://127.0.0.1:8080; TOKEN a caseworker's
//! API token (`spire token create`). Each run uses CPR numbers of its own
//! (`SPIRE_LOAD_RUN` picks them; random otherwise). Exits 1 unless every answer
//! was 201 Created.

#[path = "common/http.rs"]
mod http;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

struct Target {
    address: String,
    host: String,
    path: String,
    token: String,
}

/// The i-th youth of this run: born on one of 2,000 days from 2001-01-01, with a
/// serial that separates runs, 5000–8999 (7th digit 5–8: born 2000–2057), which
/// the demo's youth (7th digit 4) never have. The same numbers as the node script.
fn cpr(i: u64, run: u64) -> String {
    let birth = time::Date::from_calendar_date(2001, time::Month::January, 1).expect("a date")
        + time::Duration::days((i % 2000) as i64);
    let serial = 5000 + ((i / 2000 + run) % 4000);
    format!(
        "{:02}{:02}{:02}-{serial}",
        birth.day(),
        birth.month() as u8,
        birth.year() % 100
    )
}

/// One request and its whole answer on a kept-alive connection: the status.
async fn post(
    stream: &mut TcpStream,
    target: &Target,
    key: &str,
    body: &str,
    buffer: &mut Vec<u8>,
) -> std::io::Result<u16> {
    let request = format!(
        "POST {} HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\n\
         idempotency-key: {key}\r\ncontent-length: {}\r\n\r\n{body}",
        target.path,
        target.host,
        target.token,
        body.len()
    );
    http::exchange(stream, request.as_bytes(), buffer).await
}

async fn client(
    target: std::rc::Rc<Target>,
    c: u64,
    requests: u64,
    run: u64,
    municipality: u64,
) -> Vec<(Duration, u16)> {
    let mut stream = TcpStream::connect(&target.address)
        .await
        .expect("connect to the server");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let mut buffer = Vec::with_capacity(8192);
    let mut results = Vec::with_capacity(requests as usize);
    for r in 0..requests {
        let i = c * requests + r;
        let body = format!(
            r#"{{"cpr":"{}","first_name":"Load","last_name":"Test","municipality_code":{municipality},"benefit":"kontanthjaelp","readiness":"jobparat","has_qualification":false}}"#,
            cpr(i, run)
        );
        let started = Instant::now();
        let status = post(
            &mut stream,
            &target,
            &format!("load-{run}-{i}"),
            &body,
            &mut buffer,
        )
        .await
        .expect("an answer");
        results.push((started.elapsed(), status));
    }
    results
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, token, trial, rest @ ..] = args.as_slice() else {
        eprintln!("usage: trial_load URL TOKEN TRIAL_ID [clients=16] [requests=200]");
        std::process::exit(2);
    };
    let number = |at: usize, default: u64| {
        rest.get(at)
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let (clients, requests) = (number(0, 16), number(1, 200));
    let Some(authority) = base
        .strip_prefix("http://")
        .map(|a| a.trim_end_matches('/'))
    else {
        eprintln!("URL must start with http://");
        std::process::exit(2);
    };
    let target = std::rc::Rc::new(Target {
        address: authority.to_string(),
        host: authority.to_string(),
        path: format!("/api/v1/trials/{trial}/randomizations"),
        token: token.clone(),
    });
    let municipality = std::env::var("SPIRE_LOAD_MUNICIPALITY")
        .map_or(265, |m| m.parse().expect("a municipality code"));
    // Which CPR serials this run uses; a run takes two (3,200 requests), so a
    // benchmark script gives consecutive runs 0, 2, 4, ….
    let run = std::env::var("SPIRE_LOAD_RUN").map_or_else(
        |_| rand::random::<u64>() % 4000,
        |r| r.parse().expect("SPIRE_LOAD_RUN is a number"),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let local = tokio::task::LocalSet::new();
    let started = Instant::now();
    let results: Vec<(Duration, u16)> = local.block_on(&runtime, async {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                tokio::task::spawn_local(client(target.clone(), c, requests, run, municipality))
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            all.extend(handle.await.expect("a client"));
        }
        all
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut latencies: Vec<f64> = results
        .iter()
        .map(|(d, _)| d.as_secs_f64() * 1000.0)
        .collect();
    latencies.sort_by(f64::total_cmp);
    let mut statuses = BTreeMap::new();
    for (_, status) in &results {
        *statuses.entry(status).or_insert(0u64) += 1;
    }
    let at = |q: f64| latencies[((q * latencies.len() as f64) as usize).min(latencies.len() - 1)];
    println!(
        "{} requests from {clients} clients in {seconds:.2} s: {:.0} a second; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; statuses {statuses:?}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        at(0.5),
        at(0.99),
        latencies[latencies.len() - 1],
    );
    // Anything but a new allocation (a replay of an earlier run's youth, an
    // error) would make the figures look better than they are.
    if results.iter().any(|(_, status)| *status != 201) {
        eprintln!("not every answer was 201 Created: the run does not count");
        std::process::exit(1);
    }
}
