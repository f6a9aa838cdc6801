//! Page views at `spire serve`: N concurrent clients, each a logged-in user
//! on a kept-alive connection, asking for their pages one after another (the
//! consultant's week and their youth's pages, or the dashboards). Prints
//! throughput and latency percentiles, in all and per kind of page (the
//! path's first segment); exits 1 unless every answer was 200.
//!
//!   cargo run --release -p spire --example page_load -- URL SESSIONS [clients=16] [requests=200]
//!
//! SESSIONS is a file with one line per user: a session cookie value, then
//! the paths to ask for, e.g. `4f0c… /week /youth/12 /youth/40`. Client c
//! uses line c (modulo the lines) and takes its paths in turn.

#[path = "common/http.rs"]
mod http;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;

/// What a path shows, for the percentiles: its first segment (`/week`,
/// `/youth`, `/dashboard`).
fn kind(path: &str) -> String {
    let first = path
        .trim_start_matches('/')
        .split(['/', '?'])
        .next()
        .unwrap_or("");
    format!("/{first}")
}

async fn client(
    address: String,
    cookie: String,
    paths: Vec<String>,
    requests: usize,
) -> Vec<(Duration, u16, String)> {
    let mut stream = TcpStream::connect(&address)
        .await
        .expect("connect to the server");
    stream.set_nodelay(true).expect("TCP_NODELAY");
    let mut buffer = Vec::with_capacity(64 * 1024);
    let mut results = Vec::with_capacity(requests);
    for r in 0..requests {
        let path = &paths[r % paths.len()];
        let request = format!(
            "GET {path} HTTP/1.1\r\nhost: {address}\r\ncookie: spire_session={cookie}\r\n\r\n"
        );
        let started = Instant::now();
        let status = http::exchange(&mut stream, request.as_bytes(), &mut buffer)
            .await
            .expect("an answer");
        results.push((started.elapsed(), status, kind(path)));
    }
    results
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, sessions, rest @ ..] = args.as_slice() else {
        eprintln!("usage: page_load URL SESSIONS [clients=16] [requests=200]");
        std::process::exit(2);
    };
    let number = |at: usize, default: usize| {
        rest.get(at)
            .map_or(default, |v| v.parse().expect("a number"))
    };
    let (clients, requests) = (number(0, 16), number(1, 200));
    let address = base
        .strip_prefix("http://")
        .expect("URL must start with http://")
        .trim_end_matches('/')
        .to_string();
    let users: Vec<(String, Vec<String>)> = std::fs::read_to_string(sessions)
        .expect("the sessions file")
        .lines()
        .filter_map(|line| {
            let mut words = line.split_whitespace();
            Some((
                words.next()?.to_string(),
                words.map(str::to_string).collect(),
            ))
        })
        .filter(|(_, paths): &(String, Vec<String>)| !paths.is_empty())
        .collect();
    assert!(!users.is_empty(), "no sessions with paths");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let local = tokio::task::LocalSet::new();
    let started = Instant::now();
    let results: Vec<(Duration, u16, String)> = local.block_on(&runtime, async {
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let (cookie, paths) = users[c % users.len()].clone();
                tokio::task::spawn_local(client(address.clone(), cookie, paths, requests))
            })
            .collect();
        let mut all = Vec::new();
        for handle in handles {
            all.extend(handle.await.expect("a client"));
        }
        all
    });
    let seconds = started.elapsed().as_secs_f64();
    let percentiles = |kind: Option<&str>| {
        let mut ms: Vec<f64> = results
            .iter()
            .filter(|(_, _, k)| kind.is_none_or(|want| want == k))
            .map(|(d, _, _)| d.as_secs_f64() * 1000.0)
            .collect();
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((q * ms.len() as f64) as usize).min(ms.len() - 1)];
        format!(
            "{} requests, p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            ms.len(),
            at(0.5),
            at(0.99),
            ms[ms.len() - 1]
        )
    };
    let mut statuses = BTreeMap::new();
    let mut kinds = std::collections::BTreeSet::new();
    for (_, status, kind) in &results {
        *statuses.entry(status).or_insert(0u64) += 1;
        kinds.insert(kind.as_str());
    }
    let by_kind: Vec<String> = kinds
        .iter()
        .map(|k| format!("{k}: {}", percentiles(Some(k))))
        .collect();
    println!(
        "{} pages from {clients} clients in {seconds:.2} s: {:.0} a second; all: {}; {}; statuses {statuses:?}",
        results.len(),
        results.len() as f64 / seconds,
        percentiles(None),
        by_kind.join("; "),
    );
    if results.iter().any(|(_, status, _)| *status != 200) {
        eprintln!("not every answer was 200 OK: the run does not count");
        std::process::exit(1);
    }
}
