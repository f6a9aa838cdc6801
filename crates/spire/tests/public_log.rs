//! The trial's public log as an outsider meets it: served by `spire serve`
//! without a login, checked by Go's own transparency-log packages (a verifier
//! Spire did not write), bundled for an auditor offline, witnessed, and after
//! the reveal replayed. Nothing personal is in any answer, before or after.

mod trial_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use trial_support::*;

fn path(name: &str) -> PathBuf {
    temp_path("public_log", name)
}

struct Server {
    child: Child,
    address: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &str, key_file: &str, extra: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_spire"))
        .args([
            "serve",
            "--db",
            db,
            "--key-file",
            key_file,
            "--bind",
            "127.0.0.1:0",
        ])
        .args(extra)
        .env_remove("SPIRE_DB")
        .env_remove("SPIRE_KEY_FILE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_string();
    Server { child, address }
}

struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

fn get(server: &Server, path: &str) -> Answer {
    let mut stream = TcpStream::connect(&server.address).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: spire\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head[9..12].parse().unwrap();
    Answer {
        status,
        head,
        body: raw[split + 4..].to_vec(),
    }
}

/// Every path a log of `size` entries serves, and the pages about it.
fn every_path(size: u64) -> Vec<String> {
    let mut paths: Vec<String> = ["/log", "/log/cli-trial"].map(String::from).to_vec();
    for file in [
        "info",
        "key",
        "checkpoint",
        "heads",
        "cosignatures",
        "trial-key",
        "design/1",
    ] {
        paths.push(format!("/log/cli-trial/{file}"));
    }
    for tile in spire_trial::tiles::tiles_of(size) {
        paths.push(format!("/log/cli-trial/{}", tile.path()));
    }
    paths
}

/// No answer holds a name or a CPR number of the youth allocated (serials 0..count).
fn assert_nothing_personal(server: &Server, size: u64) -> Vec<(String, Answer)> {
    let mut answers = Vec::new();
    for path in every_path(size) {
        let answer = get(server, &path);
        let text = answer.text();
        // ("Ida" alone would turn up by chance in 60,000 characters of base64.)
        for word in ["Ida Hansen", "Hansen", "010203", "0102-03"] {
            assert!(!text.contains(word), "{path} shows {word:?}");
        }
        // A CPR number's digits never appear either, with or without its dash.
        let cpr_like = text
            .split(|c: char| !c.is_ascii_digit() && c != '-')
            .any(|run| run.replace('-', "").contains("0102034"));
        assert!(!cpr_like, "{path} shows CPR digits");
        answers.push((path, answer));
    }
    answers
}

/// `spire trial bundle` into a new directory `name`, with `extra` arguments.
fn bundle_with(db: &str, key_file: &str, name: &str, extra: &[&str]) -> PathBuf {
    let out = path(name);
    let mut args = vec![
        "trial",
        "bundle",
        "--db",
        db,
        "--key-file",
        key_file,
        "--out",
    ];
    args.push(out.to_str().unwrap());
    args.extend_from_slice(extra);
    let written = spire(&args);
    assert!(written.status.success(), "{}", stderr(&written));
    out
}

fn bundle(db: &str, key_file: &str, name: &str) -> PathBuf {
    bundle_with(db, key_file, name, &[])
}

fn verify(args: &[&str]) -> std::process::Output {
    let mut all = vec!["trial", "verify"];
    all.extend_from_slice(args);
    spire(&all)
}

/// Runs the Go verifier (`tests/go/checklog.go`); `None` when Go is missing.
fn go_checklog(args: &[&str]) -> Option<std::process::Output> {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/go/checklog.go");
    let output = Command::new("go")
        .arg("run")
        .arg(&source)
        .args(args)
        .env("GO111MODULE", "off")
        .env("GOPATH", "/usr/share/gocode")
        .env("GOFLAGS", "")
        .env("GOCACHE", path("gocache"))
        .output();
    match output {
        Ok(output) => Some(output),
        Err(_) => {
            println!(
                "go not found: the independent Go verifier (golang.org/x/mod/sumdb) did not run"
            );
            None
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outsider_checks_the_public_log_with_tools_spire_did_not_write() {
    let (db, key_file) = create_trial("public_log");
    let (db, key_file) = (db.as_str(), key_file.as_str());
    allocate(db, 0, 100).await;
    let early = bundle(db, key_file, "early");
    // The entries go to nobody before the reveal, and a refused bundle leaves nothing.
    let too_early = path("too-early");
    let refused = spire(&[
        "trial",
        "bundle",
        "--db",
        db,
        "--key-file",
        key_file,
        "--out",
        too_early.to_str().unwrap(),
        "--recipient",
        "R",
        "--purpose",
        "p",
    ]);
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("only after the two-person reveal"));
    assert!(!too_early.exists());
    let saved = path("saved-100.checkpoint");
    std::fs::copy(early.join("checkpoint"), &saved).unwrap();
    let saved = saved.to_str().unwrap();
    // 300 entries: a full leaf tile, a partial one and a level-1 tile.
    let receipts = allocate(db, 100, 200).await;

    let server = serve(db, key_file, &[]);
    let base = format!("http://{}/log/cli-trial", server.address);

    // Before the reveal: the hashes are public, the entries and arms are not.
    let answers = assert_nothing_personal(&server, 300);
    for (path, answer) in &answers {
        let concealed =
            path.contains("entries") || path.ends_with("trial-key") || path.ends_with("design/1");
        assert_eq!(answer.status, if concealed { 403 } else { 200 }, "{path}");
        if path.contains("/tile/0/000") && !path.contains(".p/") {
            assert!(
                answer.head.contains("immutable"),
                "a full tile is cached for good"
            );
            assert_eq!(answer.body.len(), 256 * 32);
        }
        if path.ends_with("/checkpoint") {
            assert!(answer.head.contains("max-age=5"), "{}", answer.head);
        }
    }
    let page = get(&server, "/log/cli-trial").text();
    assert!(
        page.contains("300") && page.contains("spire-trial/cli-trial+"),
        "{page}"
    );

    // Go's sumdb packages: the checkpoint's signature, inclusion of receipts'
    // leaves and consistency with the checkpoint saved at 100 entries.
    let leaves: Vec<String> = receipts
        .iter()
        .step_by(37)
        .map(|r| format!("-leaf={}:{}", r.ledger_index, r.leaf_hash))
        .collect();
    let mut args = vec![format!("-old={saved}")];
    args.extend(leaves.iter().cloned());
    args.push(base.clone());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    if let Some(checked) = go_checklog(&args) {
        assert!(
            checked.status.success(),
            "{}{}",
            stdout(&checked),
            stderr(&checked)
        );
        let said = stdout(&checked);
        println!("{said}");
        assert!(
            said.contains("checkpoint: spire-trial/cli-trial size 300 signature ok"),
            "{said}"
        );
        assert!(said.contains("inclusion: 6 leaf hash(es) proven"), "{said}");
        assert!(
            said.contains("consistency: size 300 extends the saved size 100"),
            "{said}"
        );
        // A leaf that is not in the log, and a saved checkpoint with a forged signature, fail.
        let wrong = format!("-leaf={}:{}", 5, receipts[9].leaf_hash);
        let refused = go_checklog(&[&wrong, &base]).unwrap();
        assert!(!refused.status.success(), "{}", stdout(&refused));
        let forged = path("forged.checkpoint");
        let text = std::fs::read_to_string(saved).unwrap();
        std::fs::write(&forged, text.replacen("\n100\n", "\n99\n", 1)).unwrap();
        let refused = go_checklog(&[&format!("-old={}", forged.display()), &base]).unwrap();
        assert!(
            stdout(&refused).contains("note.Open"),
            "{}",
            stdout(&refused)
        );
    }

    // The auditor offline: a bundle, checked against the saved checkpoint.
    let now = bundle(db, key_file, "now");
    let checked = verify(&["--bundle", now.to_str().unwrap(), "--head", saved]);
    assert!(checked.status.success(), "{}", stdout(&checked));
    assert!(
        stdout(&checked)
            .contains("ok: 300 entries, 300 signed heads, 1 saved checkpoint(s) checked")
    );

    // A witness checks the bundle against what it cosigned before, and cosigns.
    let witness_key = path("witness.key");
    std::fs::write(&witness_key, "57".repeat(32)).unwrap();
    let state = path("witness.state");
    let witness = |extra: &[&str]| {
        let mut args = vec![
            "trial",
            "cosign",
            "--bundle",
            now.to_str().unwrap(),
            "--witness-key-file",
            witness_key.to_str().unwrap(),
            "--name",
            "witness.example/w1",
            "--state",
            state.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        spire(&args)
    };
    let vkey = stdout(&witness(&["--show-key"])).trim().to_string();
    std::fs::copy(early.join("checkpoint"), &state).unwrap();
    let cosigned = witness(&[]);
    assert!(cosigned.status.success(), "{}", stdout(&cosigned));
    let note = path("cosigned.checkpoint");
    std::fs::write(&note, stdout(&cosigned)).unwrap();
    let kept = spire(&[
        "trial",
        "add-cosignature",
        "--db",
        db,
        "--witness",
        &vkey,
        "--note",
        note.to_str().unwrap(),
    ]);
    assert!(kept.status.success(), "{}", stderr(&kept));
    let served = get(&server, "/log/cli-trial/checkpoint").text();
    assert!(served.contains("— witness.example/w1 "), "{served}");
    let witnessed = bundle(db, key_file, "witnessed");
    let checked = verify(&["--bundle", witnessed.to_str().unwrap(), "--witness", &vkey]);
    assert!(checked.status.success(), "{}", stdout(&checked));
    assert!(stdout(&checked).contains("witnessed: head of size 300 by witness.example/w1"));
    // A witness whose last checkpoint the log no longer extends refuses to cosign.
    let other = path("other.state");
    std::fs::write(
        &other,
        text_with_root_changed(&std::fs::read_to_string(saved).unwrap()),
    )
    .unwrap();
    std::fs::copy(&other, &state).unwrap();
    assert!(
        !witness(&[]).status.success(),
        "a witness does not cosign a log it cannot trust"
    );

    // The reveal: the designs become public; still nothing personal.
    let trial_key = path("revealed.key");
    let revealed = reveal(db, key_file, trial_key.to_str().unwrap());
    assert!(revealed.status.success(), "{}", stderr(&revealed));
    // After the reveal the designs are public; the entries and the key stay
    // withheld (an entry's exact time and stratum can single a person out).
    for (path, answer) in assert_nothing_personal(&server, 300) {
        let withheld = path.contains("entries") || path.ends_with("trial-key");
        assert_eq!(answer.status, if withheld { 403 } else { 200 }, "{path}");
    }
    // With nothing but the URL: the whole public log in one archive, extracted by GNU tar.
    let archive = get(&server, "/log/cli-trial/bundle.tar");
    assert_eq!(archive.status, 200);
    assert!(
        archive.head.contains("application/x-tar"),
        "{}",
        archive.head
    );
    let from_url = path("from-url");
    std::fs::create_dir(&from_url).unwrap();
    std::fs::write(from_url.join("log.tar"), &archive.body).unwrap();
    let extracted = Command::new("tar")
        .arg("-xf")
        .arg(from_url.join("log.tar"))
        .arg("-C")
        .arg(&from_url)
        .status()
        .unwrap();
    assert!(extracted.success());
    assert!(!from_url.join("trial-key").exists() && from_url.join("design/1").exists());
    let checked = verify(&["--bundle", from_url.to_str().unwrap(), "--head", saved]);
    assert!(checked.status.success(), "{}", stdout(&checked));
    assert!(
        stdout(&checked).contains("leaf hashes only"),
        "{}",
        stdout(&checked)
    );

    // A named auditor gets the entries and the key, and the handover is logged.
    let out = bundle_with(
        db,
        key_file,
        "for-the-journal",
        &[
            "--recipient",
            "Tidsskrift for Socialforskning",
            "--purpose",
            "peer review",
        ],
    );
    let store = spire_store::Db::connect(db).await.unwrap();
    let logged = spire_store::testing::count_sql(
        &store,
        "SELECT COUNT(*) FROM trial_exports WHERE recipient = 'Tidsskrift for Socialforskning' \
         AND purpose = 'peer review'",
    )
    .await;
    store.close().await;
    assert_eq!(logged, 1, "the handover of the entries is logged");
    #[cfg(unix)]
    for private in [out.join("trial-key"), trial_key.clone()] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&private).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "{} is for its owner alone",
            private.display()
        );
    }
    for file in walk(&out) {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert!(!text.contains("Hansen"), "{} names a youth", file.display());
    }
    if let Some(checked) = go_checklog(&["-entries", out.to_str().unwrap()]) {
        assert!(
            stdout(&checked).contains("entries: all 300 hash to their leaves"),
            "{}",
            stdout(&checked)
        );
    }
    let replayed = verify(&["--bundle", out.to_str().unwrap(), "--head", saved]);
    assert!(replayed.status.success(), "{}", stdout(&replayed));
    let said = stdout(&replayed);
    assert!(
        said.contains("every allocation replays from the revealed key"),
        "{said}"
    );
    assert!(
        said.contains("holds for the trial key and design version 1"),
        "{said}"
    );
}

/// Every file under `dir`.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// The same checkpoint with another root (a history the log never had).
fn text_with_root_changed(note: &str) -> String {
    let lines: Vec<&str> = note.lines().collect();
    let mut root = lines[2].to_string();
    let first = if root.starts_with('A') { "B" } else { "A" };
    root.replace_range(0..1, first);
    note.replacen(lines[2], &root, 1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_with_a_copy_of_the_database_is_caught_and_named() {
    let (db, key_file) = create_trial("tamper");
    allocate(&db, 0, 20).await;
    let saved_dir = bundle(&db, &key_file, "tamper-saved");
    let saved = saved_dir.join("checkpoint");
    let saved = saved.to_str().unwrap();
    assert!(verify(&["--db", &db, "--head", saved]).status.success());

    let cases: [(&str, &str, &str); 5] = [
        (
            "flipped arm",
            "DROP TRIGGER trial_ledger_no_update; UPDATE trial_ledger SET arm = CASE WHEN arm = 'programme' \
             THEN 'control' ELSE 'programme' END WHERE ledger_index = 4",
            "index 4: fields hash to",
        ),
        (
            "deleted row",
            "DROP TRIGGER trial_ledger_no_delete; DROP TRIGGER trial_baselines_no_delete; \
             DELETE FROM trial_baselines WHERE ledger_id = \
             (SELECT id FROM trial_ledger WHERE ledger_index = 7); DELETE FROM trial_ledger WHERE ledger_index = 7",
            "index 8: entries from index 7 are missing",
        ),
        (
            "swapped rows",
            "DROP TRIGGER trial_ledger_no_update; UPDATE trial_ledger SET ledger_index = -1 WHERE ledger_index = 2; \
             UPDATE trial_ledger SET ledger_index = 2 WHERE ledger_index = 3; \
             UPDATE trial_ledger SET ledger_index = 3 WHERE ledger_index = -1",
            "index 2: fields hash to",
        ),
        (
            "old head's signature corrupted",
            "DROP TRIGGER trial_heads_no_update; UPDATE trial_heads SET signature = \
             CAST(zeroblob(64) AS BLOB) WHERE tree_size = 5",
            "ledger: tree head of size 5 has an invalid signature",
        ),
        (
            "last entry and its head deleted",
            "DROP TRIGGER trial_ledger_no_delete; DROP TRIGGER trial_heads_no_delete; \
             DROP TRIGGER trial_baselines_no_delete; \
             DELETE FROM trial_baselines WHERE ledger_id = (SELECT id FROM trial_ledger WHERE ledger_index = 19); \
             DELETE FROM trial_idempotency WHERE ledger_index = 19; \
             DELETE FROM trial_ledger WHERE ledger_index = 19; DELETE FROM trial_heads WHERE tree_size = 20",
            "ledger: truncated: a checkpoint saved earlier has size 20 but the ledger holds 19 entries",
        ),
    ];
    for (number, (what, sql, named)) in cases.iter().enumerate() {
        let copy = path(&format!("tamper-copy-{number}.db"));
        std::fs::copy(&db, &copy).unwrap();
        let wal = format!("{db}-wal");
        if Path::new(&wal).exists() {
            std::fs::copy(&wal, format!("{}-wal", copy.display())).unwrap();
        }
        let copy = copy.to_str().unwrap();
        let tampered = spire_store::Db::connect(copy).await.unwrap();
        spire_store::testing::exec_sql(&tampered, sql).await;
        tampered.close().await;
        let found = verify(&["--db", copy, "--head", saved]);
        assert_eq!(found.status.code(), Some(1), "{what}: {}", stdout(&found));
        assert!(
            stdout(&found)
                .lines()
                .any(|l| l == *named || l.starts_with(named)),
            "{what}: {}",
            stdout(&found)
        );
        if *what == "last entry and its head deleted" {
            // Without the saved checkpoint the shorter ledger is consistent in itself.
            assert!(
                verify(&["--db", copy]).status.success(),
                "{what} without --head"
            );
        }
    }

    // A fork: the operator, holding the key, signs another history at size 10.
    let store = spire_store::Db::connect(&db).await.unwrap();
    let server_key = spire_store::ServerKey::from_hex(SERVER_KEY).unwrap();
    let trial = spire_domain::TrialId::new(store.list_trials().await.unwrap()[0].id);
    let signer = spire_store::testing::trial_head_signer(&store, &server_key, trial)
        .await
        .unwrap();
    store.close().await;
    let other = spire_trial::TreeHead {
        trial_id: "cli-trial".into(),
        size: 10,
        root: [9; 32],
        time: spire_trial::UtcTime {
            unix_seconds: 0,
            nanos: 0,
        },
    };
    let signed = signer.sign(other.clone());
    let key = spire_trial::note::log_key("cli-trial", signer.public_key());
    let forked_note = spire_trial::note::SignedNote {
        text: other.checkpoint().body(),
        signatures: vec![spire_trial::note::NoteSignature::ed25519(
            &key,
            signed.checkpoint_signature.unwrap(),
        )],
    };
    let forked = path("forked.checkpoint");
    std::fs::write(&forked, forked_note.to_text()).unwrap();
    let found = verify(&["--db", &db, "--head", forked.to_str().unwrap()]);
    assert_eq!(found.status.code(), Some(1));
    assert!(
        stdout(&found)
            .contains("ledger: fork: two validly signed heads of size 10 have different roots"),
        "{}",
        stdout(&found)
    );
    let found = verify(&[
        "--bundle",
        saved_dir.to_str().unwrap(),
        "--head",
        forked.to_str().unwrap(),
    ]);
    assert!(
        stdout(&found).contains("fork: two validly signed heads of size 10"),
        "{}",
        stdout(&found)
    );

    // A bundle whose leaf tile was altered in transit fails on its heads.
    let tile = saved_dir.join("tile/0/000.p/20");
    let mut bytes = std::fs::read(&tile).unwrap();
    bytes[40] ^= 1;
    std::fs::write(&tile, bytes).unwrap();
    let found = verify(&["--bundle", saved_dir.to_str().unwrap()]);
    assert_eq!(found.status.code(), Some(1));
    assert!(
        stdout(&found).contains("does not match the ledger's first"),
        "{}",
        stdout(&found)
    );
}

#[test]
fn the_public_log_is_rate_limited() {
    let (db, key_file) = create_trial("rate");
    let server = serve(&db, &key_file, &["--rate-limit", "1"]);
    let statuses: Vec<u16> = (0..15)
        .map(|_| get(&server, "/log/cli-trial/info").status)
        .collect();
    assert_eq!(statuses[0], 200);
    assert!(statuses.contains(&429), "{statuses:?}");
}
