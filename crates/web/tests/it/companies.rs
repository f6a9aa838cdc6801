//! Companies: a company needs a real CVR number.

use crate::support::TestApp;

#[tokio::test]
async fn a_company_needs_a_real_cvr_number() {
    let app = TestApp::new().await;
    let browser = app.browser("consultant.roskilde").await;
    let reply = app
        .post_form(
            "/companies/new",
            Some(&browser),
            &[("cvr", "12345678"), ("name", "X"), ("industry", "Y")],
        )
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.body.contains("CVR-nummeret findes ikke"));
    let ok = app
        .post_form(
            "/companies/new",
            Some(&browser),
            &[
                ("cvr", "24256790"),
                ("name", "Lund Kantine ApS"),
                ("industry", "Hotel og restauration"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
    assert!(
        app.get("/companies", Some(&browser))
            .await
            .body
            .contains("Lund Kantine ApS")
    );
}
