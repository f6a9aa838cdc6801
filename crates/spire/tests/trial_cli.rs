//! `spire trial` as an operator runs it: the real binary on a real SQLite file.
//! Allocations are made through the store, as `spire serve` makes them.

mod trial_support;

use spire_store::Db;
use trial_support::*;

fn path(name: &str) -> std::path::PathBuf {
    temp_path("trial_cli", name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_verify_head_and_proof() {
    let db = path("trial.db");
    let db = db.to_str().unwrap();
    let design = path("design.toml");
    std::fs::write(&design, DESIGN).unwrap();
    let key_file = path("server.key");
    std::fs::write(&key_file, SERVER_KEY).unwrap();
    let (design, key_file) = (design.to_str().unwrap(), key_file.to_str().unwrap());

    let created = spire(&[
        "trial",
        "create",
        "--db",
        db,
        "--key-file",
        key_file,
        "--design",
        design,
    ]);
    assert!(created.status.success(), "{}", stderr(&created));
    let commitment_line = stdout(&created)
        .lines()
        .find(|l| l.starts_with("commitment: "))
        .map(str::to_string)
        .expect("the commitment is printed");
    assert_eq!(commitment_line.len(), "commitment: ".len() + 64);

    let again = spire(&[
        "trial",
        "create",
        "--db",
        db,
        "--key-file",
        key_file,
        "--design",
        design,
    ]);
    assert_eq!(
        again.status.code(),
        Some(2),
        "a second trial with the same id"
    );

    let empty = spire(&["trial", "verify", "--db", db]);
    assert!(empty.status.success(), "{}", stdout(&empty));

    let ids = allocate(db, 0, 12).await;
    let ids: Vec<i64> = ids.iter().map(|r| r.allocation_id).collect();
    let verified = spire(&["trial", "verify", "--db", db, "--trial", "cli-trial"]);
    assert!(verified.status.success(), "{}", stdout(&verified));
    assert!(
        stdout(&verified).starts_with(
            "ok: 12 entries verify; 12 signed head(s) and 0 saved checkpoint(s) checked"
        )
    );

    let head = spire(&["trial", "head", "--db", db]);
    assert!(head.status.success());
    assert!(stdout(&head).contains("tree_size: 12"), "{}", stdout(&head));

    let proof = spire(&[
        "trial",
        "proof",
        "--db",
        db,
        "--allocation",
        &ids[5].to_string(),
    ]);
    assert!(proof.status.success(), "{}", stderr(&proof));
    assert!(stdout(&proof).contains("ledger_index: 5"));
    // The receipt's own output carries what checking it needs: the head's time and key.
    assert!(stdout(&proof).contains("time: "), "{}", stdout(&proof));
    assert!(stdout(&proof).contains("public_key: "));
    assert!(stdout(&proof).contains("checkpoint_signature: "));
    let design = spire(&["trial", "design", "--db", db]);
    let document = stdout(&design);
    assert!(document.starts_with("version: 1\ndigest: "), "{document}");
    let hex_document = document
        .lines()
        .last()
        .unwrap()
        .trim_start_matches("document: ");
    let parsed =
        spire_trial::Design::from_canonical_bytes(&hex::decode(hex_document).unwrap()).unwrap();
    assert_eq!(parsed.trial_id, "cli-trial");
    assert_eq!(
        spire(&["trial", "design", "--db", db, "--version", "2"])
            .status
            .code(),
        Some(2)
    );
    assert!(stdout(&proof).ends_with("inclusion: verified\n"));

    let missing = spire(&["trial", "proof", "--db", db, "--allocation", "999"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(stderr(&missing).lines().count(), 1);

    let consistent = spire(&["trial", "consistency", "--db", db, "--from", "5"]);
    assert!(consistent.status.success(), "{}", stderr(&consistent));
    assert!(stdout(&consistent).contains("old: size 5"));
    assert!(stdout(&consistent).ends_with("consistency: verified\n"));
    let unknown = spire(&["trial", "consistency", "--db", db, "--from", "99"]);
    assert_eq!(unknown.status.code(), Some(2));

    let csv = path("export.csv");
    let csv = csv.to_str().unwrap();
    let exported = spire(&[
        "trial",
        "export",
        "--db",
        db,
        "--key-file",
        key_file,
        "--study",
        "effect",
        "--recipient",
        "VIVE",
        "--purpose",
        "main analysis",
        "--out",
        csv,
    ]);
    assert!(exported.status.success(), "{}", stderr(&exported));
    let text = std::fs::read_to_string(csv).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "pseudonym,municipality,stratum,arm,allocated_on,age,gender,benefit,readiness,has_qualification,intake_date,take_up,annotated"
        )
    );
    assert_eq!(lines.clone().count(), 12);
    assert!(
        lines.all(|l| l.contains(",\"municipality=265,age_band=18-24\",")),
        "{text}"
    );
    assert!(!text.contains("010203") && !text.contains("Hansen"));

    // The two-person reveal writes the key; with it, every allocation replays.
    let key_out = path("revealed.key");
    let key_out = key_out.to_str().unwrap();
    let reveal = [
        "trial",
        "reveal",
        "--db",
        db,
        "--key-file",
        key_file,
        "--first",
        "office",
        "--second",
        "statistician",
        "--out",
        key_out,
    ];
    let alone = spire_with_stdin(
        &[
            "trial",
            "reveal",
            "--db",
            db,
            "--key-file",
            key_file,
            "--first",
            "office",
            "--second",
            "office",
            "--out",
            key_out,
        ],
        "correct horse battery\ncorrect horse battery\n",
    );
    assert_eq!(
        alone.status.code(),
        Some(2),
        "one person cannot reveal alone"
    );
    assert!(!std::path::Path::new(key_out).exists());
    let wrong = spire_with_stdin(&reveal, "correct horse battery\nwrong\n");
    assert_eq!(wrong.status.code(), Some(2));
    let revealed = spire_with_stdin(&reveal, "correct horse battery\ncorrect horse battery\n");
    assert!(revealed.status.success(), "{}", stderr(&revealed));
    let replayed = spire(&["trial", "verify", "--db", db, "--key-file", key_out]);
    assert!(replayed.status.success(), "{}", stdout(&replayed));
    assert!(stdout(&replayed).contains("every allocation replays"));

    // Tampering behind the application's back is found, one finding a line.
    let tampered = Db::connect(db).await.unwrap();
    if let Db::Sqlite(pool) = &tampered {
        sqlx::raw_sql(
            "DROP TRIGGER trial_ledger_no_update; \
             UPDATE trial_ledger SET arm = CASE WHEN arm = 'programme' THEN 'control' ELSE 'programme' END WHERE ledger_index = 4",
        )
        .execute(pool)
        .await
        .unwrap();
    }
    tampered.close().await;
    let findings = spire(&["trial", "verify", "--db", db]);
    assert_eq!(findings.status.code(), Some(1));
    let lines = stdout(&findings);
    assert!(
        lines
            .lines()
            .all(|l| l.starts_with("index ") || l.starts_with("ledger: ")),
        "{lines}"
    );
    assert!(lines.lines().any(|l| l.starts_with("index 4:")), "{lines}");
}

#[test]
fn bad_input_is_one_clear_line_and_exit_2() {
    let design = path("bad-design.toml");
    std::fs::write(&design, "id = \"x\"\nmethod = coin\n").unwrap();
    let key_file = path("bad.key");
    std::fs::write(&key_file, SERVER_KEY).unwrap();
    let db = path("bad.db");
    let output = spire(&[
        "trial",
        "create",
        "--db",
        db.to_str().unwrap(),
        "--key-file",
        key_file.to_str().unwrap(),
        "--design",
        design.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
    assert!(stderr(&output).contains("line 2"), "{}", stderr(&output));

    let short_key = path("short.key");
    std::fs::write(&short_key, "abcd").unwrap();
    let output = spire(&[
        "trial",
        "verify",
        "--db",
        db.to_str().unwrap(),
        "--key-file",
        short_key.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("64 hexadecimal digits"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amend_then_randomise_and_verify() {
    let db = path("amend.db");
    let db = db.to_str().unwrap();
    let design = path("amend-design.toml");
    std::fs::write(&design, DESIGN).unwrap();
    let key_file = path("amend-server.key");
    std::fs::write(&key_file, SERVER_KEY).unwrap();
    let (design, key_file) = (design.to_str().unwrap(), key_file.to_str().unwrap());
    let created = spire(&[
        "trial",
        "create",
        "--db",
        db,
        "--key-file",
        key_file,
        "--design",
        design,
    ]);
    assert!(created.status.success(), "{}", stderr(&created));
    allocate(db, 0, 4).await;

    let amend = |file: &str| {
        spire(&[
            "trial",
            "amend",
            "--db",
            db,
            "--key-file",
            key_file,
            "--design",
            file,
            "--reason",
            "readiness joins the strata",
        ])
    };
    let bad = path("amend-bad.toml");
    std::fs::write(
        &bad,
        DESIGN.replace("factors = [", "ratio = [0, 1]\nfactors = ["),
    )
    .unwrap();
    let refused = amend(bad.to_str().unwrap());
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert_eq!(stderr(&refused).lines().count(), 1, "{}", stderr(&refused));

    let amended = path("amend-v2.toml");
    std::fs::write(
        &amended,
        DESIGN.replace(
            r#"factors = ["municipality", "age_band"]"#,
            r#"factors = ["municipality", "age_band", "readiness"]"#,
        ),
    )
    .unwrap();
    let amended = amended.to_str().unwrap();
    let done = amend(amended);
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(
        stdout(&done).contains("design version 2, amendment at ledger index 4"),
        "{}",
        stdout(&done)
    );
    // The amendment's public leaf must not give the new design away: it holds
    // the sealed digest (log version 2), not the design's plain SHA-256.
    let store = Db::connect(db).await.unwrap();
    let plain = spire_store::testing::count_sql(
        &store,
        "SELECT COUNT(*) FROM trial_ledger l JOIN trial_designs d ON d.trial_id = l.trial_id \
         AND d.version = l.design_version WHERE l.kind = 'amendment' AND l.design_digest = d.digest",
    )
    .await;
    store.close().await;
    assert_eq!(
        plain, 0,
        "an amendment of a v2 trial holds the sealed digest"
    );
    for receipt in allocate(db, 4, 4).await {
        assert!(
            receipt.stratum.contains("readiness="),
            "{}",
            receipt.stratum
        );
    }

    let verified = spire(&["trial", "verify", "--db", db]);
    assert!(verified.status.success(), "{}", stdout(&verified));
    assert!(
        stdout(&verified).contains("ok: 9 entries verify"),
        "{}",
        stdout(&verified)
    );

    let key_out = path("amend-trial.key");
    let key_out = key_out.to_str().unwrap();
    let revealed = reveal(db, key_file, key_out);
    assert!(revealed.status.success(), "{}", stderr(&revealed));
    let replayed = spire(&["trial", "verify", "--db", db, "--key-file", key_out]);
    assert!(replayed.status.success(), "{}", stdout(&replayed));
    assert!(
        stdout(&replayed).contains("every allocation replays"),
        "{}",
        stdout(&replayed)
    );

    let closed = amend(amended);
    assert_eq!(closed.status.code(), Some(2), "{}", stderr(&closed));
    assert_eq!(stderr(&closed).lines().count(), 1, "{}", stderr(&closed));
    assert!(stderr(&closed).contains("closed"), "{}", stderr(&closed));
}
