//! Administration: creating users, with clear messages.

use crate::support::TestApp;

#[tokio::test]
async fn the_admin_creates_users_with_clear_messages() {
    let app = TestApp::new().await;
    let admin = app.browser("admin").await;
    let bad = app
        .post_form(
            "/admin/users",
            Some(&admin),
            &[
                ("login", "Bad Name"),
                ("display_name", "X"),
                ("password", "short"),
                ("role", "consultant"),
                ("municipality_code", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("Brug 3–64 tegn"));
    assert!(bad.body.contains("mindst 12 tegn"));
    assert!(bad.body.contains("Rollen hører til en kommune"));
    let good = app
        .post_form(
            "/admin/users",
            Some(&admin),
            &[
                ("login", "ny.konsulent"),
                ("display_name", "Ny Konsulent"),
                ("password", "a-long-password-1"),
                ("role", "consultant"),
                ("municipality_code", "265"),
            ],
        )
        .await;
    assert_eq!(good.status, 200);
    assert!(good.body.contains("Brugeren ny.konsulent er oprettet."));
}
