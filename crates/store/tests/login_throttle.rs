//! Failed log-ins on SQLite and PostgreSQL alike: concurrent wrong passwords
//! cannot race past the limit; a login that does not exist is answered as a
//! real one; the wait is per login and client address (another address is
//! not locked out by a guesser) and per login over all addresses; a team
//! lead's or administrator's unblock lifts it.

use spire_domain::Role;
use spire_store::testing::new_user;
use spire_store::{Actor, Db, LoginOutcome, both_dbs};

const PASSWORD: &str = "correct horse battery";

async fn user(db: &Db, login: &str) {
    db.create_user(
        &Actor::command("test"),
        &new_user(login, Role::Consultant, Some(265)),
    )
    .await
    .unwrap();
}

/// What an attempt was answered: 'S'uccess, 'W'rong, 'B'locked.
fn letter(outcome: &LoginOutcome) -> char {
    match outcome {
        LoginOutcome::Success(_) => 'S',
        LoginOutcome::WrongCredentials => 'W',
        LoginOutcome::Blocked { .. } => 'B',
        LoginOutcome::AwaitingApproval(_) => 'A',
        LoginOutcome::Deactivated => 'D',
    }
}

async fn attempt(db: &Db, login: &str, password: &str, source: &str) -> char {
    letter(&db.authenticate(login, password, source, "r").await.unwrap())
}

async fn concurrent_failures(db: &Db, login: &str, n: usize) -> String {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let db = db.clone();
            let login = login.to_string();
            tokio::spawn(async move {
                db.authenticate(&login, &format!("guess {i}"), "10.0.0.1", "r")
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut letters: Vec<char> = Vec::new();
    for task in tasks {
        letters.push(letter(&task.await.unwrap()));
    }
    letters.sort();
    letters.into_iter().collect()
}

async fn throttle(db: Db) {
    db.upsert_municipality(&spire_store::Actor::command("test"), 265, "Roskilde")
        .await
        .unwrap();
    user(&db, "ida.roskilde").await;

    // 30 wrong passwords at once from one address: exactly three are
    // checked, the rest wait — for a real login and an unknown one alike.
    let real = concurrent_failures(&db, "ida.roskilde", 30).await;
    let unknown = concurrent_failures(&db, "nobody.roskilde", 30).await;
    assert_eq!(real, format!("{}WWW", "B".repeat(27)));
    assert_eq!(unknown, real, "an unknown login is answered as a real one");

    // The right password from that address now waits too, and says how long:
    // the first wait is a minute, not a day.
    match db
        .authenticate("ida.roskilde", PASSWORD, "10.0.0.1", "r")
        .await
        .unwrap()
    {
        LoginOutcome::Blocked { retry_after_secs } => {
            assert!((1..=60).contains(&retry_after_secs), "{retry_after_secs}")
        }
        other => panic!("expected a wait, got {other:?}"),
    }
    // The person at another address is not locked out by the guesser.
    assert_eq!(
        attempt(&db, "ida.roskilde", PASSWORD, "10.0.0.2").await,
        'S'
    );

    // Guessing spread over many addresses: after ten failures in all the
    // login waits everywhere, even at a fresh address.
    user(&db, "bo.roskilde").await;
    let mut answers = String::new();
    for source in ["a", "b", "c", "d", "e"] {
        for _ in 0..2 {
            answers.push(attempt(&db, "bo.roskilde", "wrong", source).await);
        }
    }
    assert_eq!(answers, "WWWWWWWWWW");
    assert_eq!(attempt(&db, "bo.roskilde", PASSWORD, "f").await, 'B');

    // A team lead or an administrator lifts it (the web logs who did).
    db.unblock_user(&spire_store::Actor::command("test"), "bo.roskilde")
        .await
        .unwrap();
    assert_eq!(attempt(&db, "bo.roskilde", PASSWORD, "f").await, 'S');
    db.unblock_user(&spire_store::Actor::command("test"), "ida.roskilde")
        .await
        .unwrap();
    assert_eq!(
        attempt(&db, "ida.roskilde", PASSWORD, "10.0.0.1").await,
        'S'
    );

    // A right password starts the address's count again: two more failures
    // are still answered, not blocked.
    assert_eq!(attempt(&db, "ida.roskilde", "wrong", "10.0.0.1").await, 'W');
    assert_eq!(attempt(&db, "ida.roskilde", "wrong", "10.0.0.1").await, 'W');
    assert_eq!(
        attempt(&db, "ida.roskilde", PASSWORD, "10.0.0.1").await,
        'S'
    );
}

both_dbs!(login_throttle, throttle, multi_thread);
