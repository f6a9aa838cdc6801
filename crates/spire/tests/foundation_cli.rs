//! The foundation's command line, run as a user would: the real binary.

use std::process::{Command, Output, Stdio};

fn spire(args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_spire"));
    command.args(args).stdin(Stdio::null());
    match password {
        Some(p) => command.env("SPIRE_USER_PASSWORD", p),
        None => command.env_remove("SPIRE_USER_PASSWORD"),
    };
    command.output().expect("spire runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).to_string()
}

fn temp_db() -> String {
    let dir = std::env::temp_dir().join(format!(
        "spire-cli-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("spire.db").to_str().unwrap().to_string()
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos()
}

#[test]
fn demo_creates_a_programme_and_prints_one_login_per_role() {
    let db = temp_db();
    let out = spire(&["demo", "--db", &db, "--no-serve"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    for login in [
        "sagsbehandler.roskilde",
        "konsulent.roskilde",
        "teamleder.roskilde",
        "ung.roskilde",
        "forsker",
        "programkontor",
        "admin",
    ] {
        assert!(stdout.contains(login), "demo does not print {login}");
    }
    assert!(stdout.contains("spire-demo-2026"));
    let list = text(&spire(&["user", "list", "--db", &db], None).stdout);
    assert!(
        list.lines()
            .any(|l| l == "konsulent.roskilde consultant 265")
    );
    assert!(
        list.lines()
            .any(|l| l == "programkontor programme_office -")
    );
    let municipalities: std::collections::BTreeSet<&str> = list
        .lines()
        .filter_map(|l| l.split(' ').nth(2))
        .filter(|m| *m != "-")
        .collect();
    assert_eq!(
        municipalities.into_iter().collect::<Vec<_>>(),
        vec!["101", "265", "326", "540", "607", "615", "630"]
    );
    // `spire user list | head` closing the pipe early ends quietly (exit 141
    // as SIGPIPE would, or 0 if the output was all written), never a panic.
    for _ in 0..3 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_spire"))
            .args(["user", "list", "--db", &db])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spire runs");
        drop(child.stdout.take());
        let closed = child.wait_with_output().expect("spire ends");
        assert!(
            matches!(closed.status.code(), Some(141) | Some(0)),
            "{:?} {}",
            closed.status,
            text(&closed.stderr)
        );
        assert!(!text(&closed.stderr).contains("panicked"));
    }
    // Running the demo again keeps the data.
    let again = spire(&["demo", "--db", &db, "--no-serve"], None);
    assert!(text(&again.stdout).contains("existing demo database"));
}

#[test]
fn user_add_and_token_create_with_clear_errors_and_exit_code_2() {
    let db = temp_db();
    assert!(spire(&["migrate", "--db", &db], None).status.success());
    let add = |login: &str, role: &str, municipality: Option<&str>, password: Option<&str>| {
        let mut args = vec![
            "user",
            "add",
            "--db",
            &db,
            "--login",
            login,
            "--name",
            "Test Person",
            "--role",
            role,
        ];
        if let Some(m) = municipality {
            args.extend(["--municipality", m]);
        }
        spire(&args, password)
    };
    let ok = add("anne.admin", "admin", None, Some("a-long-password"));
    assert!(ok.status.success(), "{}", text(&ok.stderr));

    let cases = [
        (add("x", "admin", None, Some("a-long-password")), "--login"),
        (
            add("bo", "boss", None, Some("a-long-password")),
            "unknown role",
        ),
        (
            add("bo.bo", "consultant", None, Some("a-long-password")),
            "--municipality",
        ),
        (add("bo.bo", "admin", None, Some("short")), "12 characters"),
        (add("bo.bo", "admin", None, None), "SPIRE_USER_PASSWORD"),
        (
            add("anne.admin", "admin", None, Some("a-long-password")),
            "already taken",
        ),
        (
            spire(&["token", "create", "--db", &db, "--user", "nobody"], None),
            "no user",
        ),
        (
            spire(&["user", "unblock", "--db", &db, "--login", "nobody"], None),
            "--login: no user nobody",
        ),
        (
            spire(
                &["serve", "--db", &db, "--key-file", "/nonexistent/key"],
                None,
            ),
            "--key-file",
        ),
        (
            spire(
                &[
                    "token",
                    "create",
                    "--db",
                    "/nonexistent/typo.db",
                    "--user",
                    "anne.admin",
                ],
                None,
            ),
            "spire migrate",
        ),
    ];
    for (output, expected) in cases {
        assert_eq!(
            output.status.code(),
            Some(2),
            "{expected}: {}",
            text(&output.stderr)
        );
        let stderr = text(&output.stderr);
        assert!(stderr.contains(expected), "{expected:?} not in {stderr:?}");
        assert_eq!(stderr.trim().lines().count(), 1, "one clear line: {stderr}");
    }

    let token = spire(
        &["token", "create", "--db", &db, "--user", "anne.admin"],
        None,
    );
    assert!(token.status.success());
    let unblock = spire(
        &["user", "unblock", "--db", &db, "--login", "anne.admin"],
        None,
    );
    assert_eq!(text(&unblock.stdout).trim(), "may log in again: anne.admin");
    let token = text(&token.stdout);
    assert!(token.trim().starts_with("spire_") && token.trim().len() == 38);

    // Listed with its state, expiry and name; revoked by its id.
    let anne = |command: &str, more: &[&str]| {
        let args = [
            &["token", command, "--db", &db, "--user", "anne.admin"],
            more,
        ]
        .concat();
        spire(&args, None)
    };
    let listed = text(&anne("list", &[]).stdout);
    let fields: Vec<&str> = listed.trim().split(' ').collect();
    assert_eq!(
        (fields[1], fields[3], fields[4]),
        ("active", "never", "api"),
        "{listed}"
    );
    let revoked = anne("revoke", &["--id", fields[0]]);
    assert!(revoked.status.success(), "{}", text(&revoked.stderr));
    assert!(text(&anne("list", &[]).stdout).contains(" revoked "));
    let wrong = anne("revoke", &["--id", "nope"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(text(&wrong.stderr).contains("--id"));
    let too_long = anne("create", &["--days", "400"]);
    assert_eq!(too_long.status.code(), Some(2));
    assert!(text(&too_long.stderr).contains("--days: give 1 to 365"));
}
