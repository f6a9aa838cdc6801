//! The access log: the team lead's search and a person's extract.

use crate::support::{ROSKILDE_YOUTH, TestApp};

#[tokio::test]
async fn the_team_lead_reads_the_access_log_and_a_persons_extract() {
    let app = TestApp::new().await;
    let consultant = app.browser("consultant.roskilde").await;
    app.get(&format!("/youth/{}", app.roskilde_youth), Some(&consultant))
        .await;
    let lead = app.browser("team_lead.roskilde").await;
    let log = app
        .get("/access-log?user=consultant.roskilde", Some(&lead))
        .await;
    assert_eq!(log.status, 200);
    assert!(
        log.body.contains("Opslag")
            && log.body.contains(ROSKILDE_YOUTH)
            && log.body.contains("Sagsarbejde")
    );
    app.get("/youth", Some(&consultant)).await;
    let searched = app
        .get("/access-log?user=consultant.roskilde", Some(&lead))
        .await;
    assert!(
        searched.body.contains("alle unge"),
        "criteria are shown in words, in Danish"
    );
    let bad_date = app.get("/access-log?from=yesterday", Some(&lead)).await;
    assert_eq!(bad_date.status, 422);
    let extract = app
        .get(
            &format!("/youth/{}/access-log", app.roskilde_youth),
            Some(&lead),
        )
        .await;
    assert!(extract.body.contains("Test consultant.roskilde"));
    // The young person sees the same, about themselves.
    let youth = app.browser("youth.roskilde").await;
    let mine = app.get("/me/access-log", Some(&youth)).await;
    assert!(mine.body.contains("Test consultant.roskilde"));
}
