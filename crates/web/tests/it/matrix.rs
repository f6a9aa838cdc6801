//! The authorisation matrix: every route of the router × every role × own and
//! foreign municipality. A route added without an entry here fails the test.

use crate::matrix_table::{Payload, matrix};
use crate::support::{ROSKILDE_COMPANY, ROSKILDE_YOUTH, TestApp, login_of};
use spire_domain::Role;
use spire_domain::Role::*;
use spire_web::{Access, route_specs};

pub(crate) fn concrete(path: &str, app: &TestApp, allocation: i64) -> String {
    // Account routes act on the administrator's own account: deactivating
    // it is refused and nothing else they do locks anyone out mid-test.
    let id = if path.contains("/users/{id}") {
        app.users["admin"]
    } else if path.contains("/fidelity/municipalities/") {
        265
    } else if path.contains("/fidelity/reviews/") {
        app.fidelity_review
    } else if path.contains("/onboarding/items/") {
        app.onboarding_item
    } else if path.contains("/onboarding/") {
        app.onboarding_plan
    } else if path.contains("/events/{id}") {
        app.roskilde_event.get()
    } else if path.contains("/calls/{id}") {
        app.roskilde_call.get()
    } else if path.starts_with("/internships/") || path.starts_with("/api/v1/internships/") {
        app.roskilde_internship.get()
    } else if path.contains("network/meetings/") || path.contains("network-meetings/") {
        app.roskilde_network_meeting.get()
    } else if path.contains("/meetings/{id}") {
        app.roskilde_meeting.get()
    } else if path.contains("/agenda/") {
        app.roskilde_agenda_item.get()
    } else if path.contains("/groups/") {
        app.roskilde_group.get()
    } else if path.contains("/follow-ups/") {
        app.roskilde_follow_up
    } else if path.contains("/tasks/") {
        app.roskilde_task
    } else if path.contains("companies") {
        app.roskilde_company.get()
    } else if path.contains("trials") {
        app.trial.get()
    } else {
        app.roskilde_youth.get()
    };
    path.replace("{id}", &id.to_string())
        .replace("{allocation}", &allocation.to_string())
        .replace("{file}", "spire.css")
        .replace("{trial}", "spire-test")
        .replace("{*path}", "info")
        .replace("{token}", &format!("{}.ics", app.roskilde_feed))
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    payload: &Payload,
    login: &str,
) -> crate::support::Reply {
    let is_api = path.starts_with("/api/");
    if is_api {
        let token = app.token(login).await;
        let body = match payload {
            Payload::Json(text) => Some(serde_json::from_str(text).unwrap()),
            _ => None,
        };
        return app.api(method, path, Some(&token), body, "da").await;
    }
    let browser = app.browser(login).await;
    match (method, payload) {
        ("GET", _) => app.get(path, Some(&browser)).await,
        (_, Payload::Form(fields)) => app.post_form(path, Some(&browser), fields).await,
        (_, Payload::OwnLogin) => {
            app.post_form(
                path,
                None,
                &[("login", login), ("password", crate::support::PASSWORD)],
            )
            .await
        }
        _ => unreachable!("page routes take forms"),
    }
}

#[tokio::test]
async fn every_route_has_a_matrix_entry_and_the_router_enforces_it() {
    let app = TestApp::new().await;
    let matrix = matrix();
    let routes = route_specs();
    for spec in &routes {
        assert!(
            matrix
                .iter()
                .any(|(m, p, _, _)| *m == spec.method.as_str() && *p == spec.path),
            "route {} {} has no entry in the authorisation matrix",
            spec.method,
            spec.path
        );
    }
    assert_eq!(
        matrix.len(),
        routes.len(),
        "the matrix names a route the router does not have"
    );

    let allocation = app.allocate_in_roskilde().await;
    let mut checked = 0;
    for (method, path, allowed, payload) in &matrix {
        let url = concrete(path, &app, allocation);
        for role in Role::ALL {
            // Own municipality (Roskilde), or no municipality for cross-municipal roles.
            let reply = call(&app, method, &url, payload, &login_of(role, "roskilde")).await;
            if allowed.contains(&role) {
                assert!(
                    reply.status < 500
                        && ![401, 403, 404].contains(&reply.status)
                        && (reply.location() != "/login" || *path == "/logout"),
                    "{role} should be able to use {method} {url}, got {} {}",
                    reply.status,
                    reply.location()
                );
            } else {
                assert_eq!(reply.status, 404, "{role} must get 404 from {method} {url}");
            }
            // The same role in another municipality never sees Roskilde's data.
            if role.is_municipal() {
                let foreign = call(&app, method, &url, payload, &login_of(role, "horsens")).await;
                // A trial spans municipalities; youth and companies belong to one.
                if path.contains("{id}") && !path.contains("/trials/")
                    || path.contains("{allocation}")
                {
                    assert_eq!(
                        foreign.status, 404,
                        "Horsens {role} must get 404 from {method} {url}"
                    );
                }
                assert!(
                    !foreign.body.contains(ROSKILDE_YOUTH)
                        && !foreign.body.contains(ROSKILDE_COMPANY),
                    "Horsens {role} saw Roskilde data at {method} {url}"
                );
            }
            checked += 1;
        }
    }
    assert_eq!(checked, routes.len() * Role::ALL.len());
}

#[tokio::test]
async fn without_credentials_pages_send_to_login_and_the_api_answers_401() {
    let app = TestApp::new().await;
    for spec in route_specs() {
        if spec.access == spire_web::Access::Public {
            continue;
        }
        let url = concrete(spec.path, &app, 1);
        let reply = if spec.api {
            app.api(spec.method.as_str(), &url, None, None, "da").await
        } else if spec.method == "GET" {
            app.get(&url, None).await
        } else {
            app.post_form(&url, None, &[]).await
        };
        if spec.api {
            assert_eq!(reply.status, 401, "{} {}", spec.method, spec.path);
            assert_eq!(reply.json()["error"], "unauthorized");
        } else {
            assert_eq!(
                (reply.status, reply.location()),
                (303, "/login"),
                "{} {}",
                spec.method,
                spec.path
            );
        }
    }
}

/// Each role's menu is what the route table admits: every page marked for the
/// menu that the role may open, in table order, and each of them opens (200).
#[tokio::test]
async fn every_menu_follows_the_access_rules() {
    let app = TestApp::new().await;
    let specs = route_specs();
    for role in Role::ALL {
        let browser = app.browser(&login_of(role, "roskilde")).await;
        let home = app.get("/home", Some(&browser)).await;
        assert_eq!(home.status, 200, "{role:?}");
        let nav = home
            .body
            .split("<nav")
            .nth(1)
            .expect("a menu")
            .split("</nav>")
            .next()
            .unwrap();
        let shown: Vec<&str> = nav
            .split("href=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap())
            .collect();
        let expected: Vec<&str> = spire_web::menu_for(&specs, role)
            .iter()
            .map(|l| l.href)
            .collect();
        assert_eq!(shown, expected, "the menu of {role:?}");
        assert!(
            shown.len() >= 2,
            "{role:?} has a home and some work: {shown:?}"
        );
        for href in shown {
            let mut page = app.get(href, Some(&browser)).await;
            // "Min virksomhed" opens the company contact's own company.
            if role == CompanyContact && href == "/companies" {
                assert_eq!(page.status, 303);
                let own = page.location().to_string();
                page = app.get(&own, Some(&browser)).await;
            }
            assert_eq!(page.status, 200, "{role:?} opens {href} from the menu");
        }
    }
    // The company contact's menu calls the company list their own company.
    let contact = app.browser(&login_of(CompanyContact, "roskilde")).await;
    assert!(
        app.get("/home", Some(&contact))
            .await
            .body
            .contains("Min virksomhed")
    );
}

/// Every state-changing form, sent twice with the same one-time token (a
/// reload, a double click): a form that was handled is answered 409 the
/// second time and its handler does not run again; a refused form gives its
/// token back, so sending it again is refused for the same reason, not as
/// "already sent".
#[tokio::test]
async fn every_form_sent_again_is_handled_once() {
    let app = TestApp::new().await;
    let allocation = app.allocate_in_roskilde().await;
    let specs = route_specs();
    let mut handled_then_refused = 0;
    for (method, path, allowed, payload) in &matrix() {
        let (Payload::Form(fields), Some(role)) = (payload, allowed.first()) else {
            continue;
        };
        let spec = specs
            .iter()
            .find(|s| s.method.as_str() == *method && s.path == *path)
            .expect("in the route table");
        if matches!(spec.access, Access::Public | Access::SecondFactor) || *path == "/logout" {
            continue;
        }
        let url = concrete(path, &app, allocation);
        let browser = app.browser(&login_of(*role, "roskilde")).await;
        let once = format!("test-once-{method}-{path}");
        let mut sent: Vec<(&str, &str)> = fields.to_vec();
        sent.push(("once", &once));
        let first = app.post_form(&url, Some(&browser), &sent).await;
        let again = app.post_form(&url, Some(&browser), &sent).await;
        if first.status < 400 {
            assert_eq!(
                again.status, 409,
                "{method} {url} sent again was handled again"
            );
            assert!(again.body.contains("Allerede sendt"), "{}", again.body);
            handled_then_refused += 1;
        } else {
            assert_ne!(
                again.status, 409,
                "{method} {url}: a refused form keeps its token"
            );
        }
    }
    assert!(
        handled_then_refused >= 20,
        "only {handled_then_refused} forms were handled: the test would prove little"
    );
}
