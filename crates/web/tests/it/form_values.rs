//! No form costs what was typed, over the whole route table: every field a
//! page renders says its limit before it is sent (`maxlength`), and every
//! form refused with 422 comes back holding each value that was sent.

use crate::matrix::concrete;
use crate::matrix_table::{Payload, matrix};
use crate::support::{TestApp, login_of};

/// `<input>`s of a kind people type into, and `<textarea>`s, without a
/// `maxlength`: `(path, tag)`.
fn unbounded(path: &str, html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (open, kinds) in [("<input", true), ("<textarea", false)] {
        for part in html.split(open).skip(1) {
            let tag = part.split('>').next().unwrap_or("");
            let typed = !kinds
                || [
                    "type=\"text\"",
                    "type=\"email\"",
                    "type=\"tel\"",
                    "type=\"password\"",
                    "type=\"search\"",
                ]
                .iter()
                .any(|t| tag.contains(t))
                || !tag.contains("type=");
            // A read-only field (a feed address to copy) is not typed into.
            if typed && !tag.contains("maxlength=") && !tag.contains("readonly") {
                found.push(format!("{path}: {open}{tag}>"));
            }
        }
    }
    found
}

#[tokio::test]
async fn every_field_a_page_renders_says_its_limit() {
    let app = TestApp::new().await;
    let allocation = app.allocate_in_roskilde().await;
    let mut pages = 0;
    let mut missing = Vec::new();
    for (method, path, allowed, _) in &matrix() {
        let Some(role) = allowed.first() else {
            continue;
        };
        if *method != "GET" || path.starts_with("/api/") || path.starts_with("/static/") {
            continue;
        }
        let browser = app.browser(&login_of(*role, "roskilde")).await;
        let url = concrete(path, &app, allocation);
        let page = app.get(&url, Some(&browser)).await;
        if page.status == 200 && page.body.contains("<form") {
            pages += 1;
            missing.extend(unbounded(&url, &page.body));
        }
    }
    assert!(pages >= 25, "only {pages} pages with a form were read");
    assert!(
        missing.is_empty(),
        "fields without a limit:\n{}",
        missing.join("\n")
    );
}

/// How a value reads back in HTML.
fn escaped(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

#[tokio::test]
async fn every_refused_form_comes_back_with_what_was_sent() {
    let app = TestApp::new().await;
    let allocation = app.allocate_in_roskilde().await;
    let mut refused = 0;
    let mut lost = Vec::new();
    for (method, path, allowed, payload) in &matrix() {
        let (Payload::Form(fields), Some(role)) = (payload, allowed.first()) else {
            continue;
        };
        if *method != "POST" || *path == "/logout" || *path == "/lang" {
            continue;
        }
        // Each field as typed by a person who made a mistake elsewhere: a
        // distinct text, so it can be found again on the page.
        let typed: Vec<(String, String)> = fields
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_string()))
            .collect();
        let browser = app.browser(&login_of(*role, "roskilde")).await;
        let url = concrete(path, &app, allocation);
        let sent: Vec<(&str, &str)> = typed
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let reply = app.post_form(&url, Some(&browser), &sent).await;
        if reply.status != 422 || !reply.body.contains("<form") {
            continue;
        }
        refused += 1;
        for (name, value) in &typed {
            // A CPR number, a password and a one-time code are never
            // written back; a field the refused page does not have (a form
            // for another role) has nowhere to show it; a single character
            // proves nothing either way.
            let secret = ["cpr", "password", "code", "once", "csrf"].contains(&name.as_str());
            let on_page = reply.body.contains(&format!("name=\"{name}\""));
            if secret || !on_page || value.trim().len() < 2 {
                continue;
            }
            if !reply.body.contains(&escaped(value)) && !reply.body.contains(value.as_str()) {
                lost.push(format!(
                    "{method} {url}: {name}={value:?} is not on the page"
                ));
            }
        }
    }
    assert!(
        refused >= 10,
        "only {refused} forms were refused: the test would prove little"
    );
    assert!(lost.is_empty(), "typed values lost:\n{}", lost.join("\n"));
}

/// After each save the page says so: every form post the route table sends
/// that is accepted and redirected lands on a page with a status message.
#[tokio::test]
async fn every_saved_form_says_so() {
    let app = TestApp::new().await;
    let allocation = app.allocate_in_roskilde().await;
    let mut saved = 0;
    let mut silent = Vec::new();
    for (method, path, allowed, payload) in &matrix() {
        let (Payload::Form(fields), Some(role)) = (payload, allowed.first()) else {
            continue;
        };
        // Logging out, switching language and starting two-factor set-up
        // lead on to a page that is itself the next step, not a save.
        let steps = [
            "/logout",
            "/lang",
            "/login/code",
            "/account/two-factor/start",
        ];
        if *method != "POST" || steps.contains(path) {
            continue;
        }
        let browser = app.browser(&login_of(*role, "roskilde")).await;
        let url = concrete(path, &app, allocation);
        let reply = app.post_form(&url, Some(&browser), fields).await;
        if reply.status != 303 {
            continue;
        }
        saved += 1;
        let page = app.get(reply.location(), Some(&browser)).await;
        if !page.body.contains("role=\"status\"") {
            silent.push(format!("{method} {url} → {}", reply.location()));
        }
    }
    assert!(
        saved >= 10,
        "only {saved} forms were saved: the test would prove little"
    );
    assert!(
        silent.is_empty(),
        "saved without a word:\n{}",
        silent.join("\n")
    );
}
