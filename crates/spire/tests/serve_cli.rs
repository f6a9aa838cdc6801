//! `spire serve` against slow clients: a connection that never finishes its
//! headers is closed after the header-read timeout, while others are served.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("serve_cli-{}-{name}", std::process::id()))
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads until the server closes the connection (or `limit` passes).
fn read_to_close(stream: &mut TcpStream, limit: Duration) -> (String, Duration) {
    let started = Instant::now();
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buffer[..n]),
        }
    }
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn a_client_that_never_finishes_its_headers_is_closed_while_others_are_served() {
    let db = path("spire.db");
    let key = path("server.key");
    std::fs::write(&key, "ab".repeat(32)).unwrap();
    let migrated = Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(["migrate", "--db", db.to_str().unwrap()])
        .env_remove("SPIRE_DB")
        .output()
        .unwrap();
    assert!(migrated.status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(["serve", "--db", db.to_str().unwrap(), "--key-file"])
        .arg(&key)
        .args(["--bind", "127.0.0.1:0"])
        .env_remove("SPIRE_DB")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let address = line
        .trim()
        .rsplit("http://")
        .next()
        .expect("the address is printed")
        .to_string();

    // Half a request, then nothing.
    let mut slow = TcpStream::connect(&address).unwrap();
    slow.write_all(b"GET /login HTTP/1.1\r\nHost: spire\r\n")
        .unwrap();
    // Meanwhile a whole request is answered.
    let mut quick = TcpStream::connect(&address).unwrap();
    quick
        .write_all(b"GET /login HTTP/1.1\r\nHost: spire\r\nConnection: close\r\n\r\n")
        .unwrap();
    let (answer, _) = read_to_close(&mut quick, Duration::from_secs(10));
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");

    let (_, waited) = read_to_close(&mut slow, Duration::from_secs(30));
    assert!(
        waited < Duration::from_secs(15),
        "the half-open connection was kept {waited:?}"
    );
    drop(server);
    let _ = std::fs::remove_file(&db);
    let _ = std::fs::remove_file(&key);
}
