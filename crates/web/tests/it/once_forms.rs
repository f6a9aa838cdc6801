//! No reload writes twice and no refusal loses what was typed: the issue's
//! own cases (a note added to the trial's append-only ledger, then the page
//! reloaded; interests over the limit), and every form of every template
//! carries its one-time token (`http/once.rs`).

use crate::support::{TestApp, login_of};
use spire_domain::Role;
use spire_store::testing::count_sql;

#[tokio::test]
async fn a_ledger_note_sent_twice_is_written_once() {
    let app = TestApp::new().await;
    let allocation = app.allocate_in_roskilde().await;
    let office = app.browser(&login_of(Role::ProgrammeOffice, "")).await;
    let path = format!("/trials/{}/annotations", app.trial);
    let allocation = allocation.to_string();
    let form = [
        ("allocation_id", allocation.as_str()),
        ("reason", "Lodtrukket ved en fejl: forkert alder"),
        ("once", "note-once-1"),
    ];
    let notes = "SELECT COUNT(*) FROM trial_ledger WHERE kind = 'annotation'";
    let first = app.post_form(&path, Some(&office), &form).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let reload = app.post_form(&path, Some(&office), &form).await;
    assert_eq!(reload.status, 409);
    assert!(
        reload.body.contains("intet er gemt to gange"),
        "{}",
        reload.body
    );
    assert_eq!(count_sql(&app.db, notes).await, 1, "one note in the ledger");
    // Refused first (no reason), the same form corrected is accepted.
    let token = [("once", "note-once-2")];
    let refused = app
        .post_form(
            &path,
            Some(&office),
            &[
                ("allocation_id", allocation.as_str()),
                ("reason", ""),
                token[0],
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    let corrected = app
        .post_form(
            &path,
            Some(&office),
            &[
                ("allocation_id", allocation.as_str()),
                ("reason", "Fejl i intake"),
                token[0],
            ],
        )
        .await;
    assert_eq!(corrected.status, 303, "{}", corrected.body);
    assert_eq!(count_sql(&app.db, notes).await, 2);
}

#[test]
fn every_form_a_template_renders_carries_its_one_time_token() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut stack = vec![dir];
    let mut forms = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            // A search posts (a CPR number stays out of the address) but
            // writes nothing, and is sent again as one types.
            let searches = text
                .lines()
                .filter(|l| l.contains("role=\"search\"") && l.contains("method=\"post\""))
                .count();
            let with_session = text.matches("name=\"csrf\"").count() - searches;
            let with_token = text
                .matches("name=\"once\" value=\"{{ ctx.once() }}\"")
                .count();
            assert_eq!(
                with_session,
                with_token,
                "{}: a form without its token",
                path.display()
            );
            forms += with_token;
        }
    }
    assert!(forms >= 40, "{forms} forms found");
}

#[tokio::test]
async fn a_refused_portfolio_comes_back_with_what_was_typed() {
    let app = TestApp::new().await;
    let consultant = app.browser(&login_of(Role::Consultant, "roskilde")).await;
    let path = format!("/youth/{}/portfolio", app.roskilde_youth);
    let long = "Tømrerarbejde og lagerlogistik, ".repeat(40);
    let refused = app
        .post_form(
            &path,
            Some(&consultant),
            &[("interests", long.trim()), ("strengths", "Mødestabil")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused.body.contains(long.trim()),
        "the typed interests are kept"
    );
    assert!(
        refused.body.contains("value=\"Mødestabil\""),
        "and the strengths"
    );
    assert!(
        refused.body.contains("id=\"interests-error\""),
        "the message is at the field"
    );
    assert!(
        refused.body.contains("maxlength=\"500\""),
        "the limit is known before sending"
    );
    let youth = app.browser(&login_of(Role::Youth, "roskilde")).await;
    let own = app
        .post_form(
            "/me/portfolio",
            Some(&youth),
            &[("interests", long.trim()), ("strengths", "")],
        )
        .await;
    assert_eq!(own.status, 422);
    assert!(own.body.contains(long.trim()));
}
