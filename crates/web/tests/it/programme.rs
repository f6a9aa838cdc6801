//! The programme office's overview: counts and a chart, no names.

use crate::support::{ROSKILDE_YOUTH, TestApp};

#[tokio::test]
async fn the_programme_office_sees_counts_and_a_chart_but_no_names() {
    let app = TestApp::new().await;
    let office = app.browser("programme_office").await;
    let page = app.get("/overview", Some(&office)).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg") && page.body.contains("Roskilde (265)"));
    assert!(!page.body.contains(ROSKILDE_YOUTH));
}
