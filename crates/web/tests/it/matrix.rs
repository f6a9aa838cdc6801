//! The authorisation matrix: every route of the router × every role × own and
//! foreign municipality. A route added without an entry here fails the test.

use crate::support::{ROSKILDE_COMPANY, ROSKILDE_YOUTH, TestApp, login_of};
use spire_domain::Role;
use spire_domain::Role::*;
use spire_web::route_specs;

const ALL: &[Role] = &Role::ALL;
const YOUTH_READERS: &[Role] = &[Caseworker, Consultant, Psychologist, TeamLead];
const STAFF: &[Role] = &[Consultant, Psychologist, TeamLead];
const COMPANY_READERS: &[Role] = &[Consultant, Psychologist, TeamLead, CompanyContact];
const DASHBOARD: &[Role] = &[TeamLead, ProgrammeOffice, Researcher, Admin];
const YOUTH_AND_STAFF: &[Role] = &[Consultant, Psychologist, TeamLead, Youth];
const INTERNSHIP_READERS: &[Role] = &[Consultant, Psychologist, TeamLead, CompanyContact, Youth];
const CALENDAR_USERS: &[Role] = INTERNSHIP_READERS;
const FIDELITY: &[Role] = &[TeamLead, ProgrammeOffice];

enum Payload {
    None,
    Form(&'static [(&'static str, &'static str)]),
    /// The user's own login form (for POST /login).
    OwnLogin,
    Json(&'static str),
}

/// Who may use each route on their own municipality's data. Everyone else
/// must get 404, as if the route did not exist.
fn matrix() -> Vec<(&'static str, &'static str, &'static [Role], Payload)> {
    use Payload::*;
    vec![
        ("GET", "/", ALL, None),
        ("GET", "/login", ALL, None),
        ("POST", "/login", ALL, OwnLogin),
        ("POST", "/logout", ALL, Form(&[])),
        (
            "POST",
            "/lang",
            ALL,
            Form(&[("lang", "en"), ("back", "/home")]),
        ),
        ("GET", "/static/{file}", ALL, None),
        // A complete session is sent on from the code page (to /home); the
        // half-done sessions it serves are tested in two_factor.rs.
        ("GET", "/login/code", ALL, None),
        ("POST", "/login/code", ALL, Form(&[("code", "000000")])),
        ("GET", "/account/two-factor", ALL, None),
        (
            "POST",
            "/account/two-factor",
            ALL,
            Form(&[("code", "000000")]),
        ),
        ("GET", "/home", ALL, None),
        ("GET", "/youth", YOUTH_READERS, None),
        ("POST", "/youth/search", YOUTH_READERS, Form(&[("q", "")])),
        ("GET", "/youth/new", YOUTH_READERS, None),
        (
            "POST",
            "/youth/new",
            YOUTH_READERS,
            Form(&[("first_name", "")]),
        ),
        ("GET", "/youth/{id}", YOUTH_READERS, None),
        ("GET", "/youth/{id}/access-log", &[TeamLead], None),
        (
            "POST",
            "/youth/{id}/consultant",
            &[TeamLead],
            Form(&[("consultant_id", "")]),
        ),
        (
            "POST",
            "/youth/{id}/portfolio",
            STAFF,
            Form(&[("interests", "IT"), ("strengths", "")]),
        ),
        ("GET", "/me", &[Youth], None),
        ("GET", "/me/access-log", &[Youth], None),
        (
            "POST",
            "/me/portfolio",
            &[Youth],
            Form(&[("interests", "IT"), ("strengths", "")]),
        ),
        ("GET", "/companies", COMPANY_READERS, None),
        ("GET", "/companies/new", STAFF, None),
        ("POST", "/companies/new", STAFF, Form(&[("name", "")])),
        ("GET", "/companies/{id}", COMPANY_READERS, None),
        ("GET", "/access-log", &[TeamLead], None),
        ("GET", "/admin/users", &[Admin], None),
        ("POST", "/admin/users", &[Admin], Form(&[("login", "")])),
        ("GET", "/dashboard", DASHBOARD, None),
        ("GET", "/onboarding", &[ProgrammeOffice], None),
        (
            "POST",
            "/onboarding",
            &[ProgrammeOffice],
            Form(&[("municipality_code", "615"), ("start_date", "1.3.2027")]),
        ),
        ("GET", "/onboarding/template", &[ProgrammeOffice], None),
        (
            "POST",
            "/onboarding/template",
            &[ProgrammeOffice],
            Form(&[("template", "K1 | Samarbejdsaftale | Kommunen")]),
        ),
        ("GET", "/onboarding/{id}", &[ProgrammeOffice], None),
        (
            "POST",
            "/onboarding/items/{id}",
            &[ProgrammeOffice],
            Form(&[("status", "doing"), ("owner", ""), ("notes", "")]),
        ),
        ("GET", "/fidelity", FIDELITY, None),
        ("POST", "/fidelity", &[ProgrammeOffice], Form(&[])),
        ("GET", "/fidelity/scale", FIDELITY, None),
        (
            "POST",
            "/fidelity/scale",
            &[ProgrammeOffice],
            Form(&[("note", "")]),
        ),
        ("GET", "/fidelity/municipalities/{id}", FIDELITY, None),
        ("GET", "/fidelity/reviews/{id}", FIDELITY, None),
        ("GET", "/fidelity/reviews/{id}/report", FIDELITY, None),
        (
            "POST",
            "/fidelity/reviews/{id}/ratings",
            &[ProgrammeOffice],
            Form(&[]),
        ),
        (
            "POST",
            "/fidelity/reviews/{id}/reconcile",
            &[ProgrammeOffice],
            Form(&[("item", "T7")]),
        ),
        ("GET", "/api/v1/fidelity/reviews", FIDELITY, None),
        (
            "POST",
            "/api/v1/fidelity/reviews",
            &[ProgrammeOffice],
            Json("{}"),
        ),
        ("GET", "/api/v1/fidelity/reviews/{id}", FIDELITY, None),
        (
            "POST",
            "/api/v1/fidelity/reviews/{id}/ratings",
            &[ProgrammeOffice],
            Json("{\"ratings\": []}"),
        ),
        (
            "POST",
            "/api/v1/fidelity/reviews/{id}/reconcile",
            &[ProgrammeOffice],
            Json("{}"),
        ),
        ("GET", "/api/v1/fidelity/schedule", &[ProgrammeOffice], None),
        (
            "GET",
            "/api/v1/fidelity/municipalities/{id}",
            FIDELITY,
            None,
        ),
        ("GET", "/api/v1/fidelity/scales", FIDELITY, None),
        (
            "POST",
            "/api/v1/fidelity/scales",
            &[ProgrammeOffice],
            Json("{}"),
        ),
        ("GET", "/admin/municipalities", &[Admin], None),
        (
            "POST",
            "/admin/municipalities",
            &[Admin],
            Form(&[("municipality_code", "370")]),
        ),
        ("GET", "/dashboard.csv", DASHBOARD, None),
        ("GET", "/forecast", DASHBOARD, None),
        (
            "GET",
            "/trials",
            &[Caseworker, ProgrammeOffice, Researcher],
            None,
        ),
        ("GET", "/trials/new", &[ProgrammeOffice], None),
        (
            "POST",
            "/trials/new",
            &[ProgrammeOffice],
            Form(&[("name", "")]),
        ),
        ("GET", "/trials/{id}", &[ProgrammeOffice, Researcher], None),
        (
            "POST",
            "/trials/{id}/annotations",
            &[ProgrammeOffice],
            Form(&[]),
        ),
        (
            "GET",
            "/trials/{id}/evaluation",
            &[ProgrammeOffice, Researcher],
            None,
        ),
        (
            "GET",
            "/trials/{id}/evaluation.json",
            &[ProgrammeOffice, Researcher],
            None,
        ),
        (
            "POST",
            "/trials/{id}/evaluation/plan",
            &[Researcher],
            Form(&[("study", "")]),
        ),
        (
            "POST",
            "/trials/{id}/evaluation/outcomes",
            &[Researcher],
            Form(&[]),
        ),
        (
            "GET",
            "/api/v1/trials/{id}/evaluation",
            &[ProgrammeOffice, Researcher],
            None,
        ),
        (
            "POST",
            "/api/v1/trials/{id}/evaluation/plan",
            &[Researcher],
            Json("{}"),
        ),
        (
            "POST",
            "/api/v1/trials/{id}/evaluation/outcomes",
            &[Researcher],
            Json("{}"),
        ),
        ("GET", "/trials/{id}/intake", &[Caseworker], None),
        ("POST", "/trials/{id}/intake", &[Caseworker], Form(&[])),
        (
            "POST",
            "/trials/{id}/intake/confirm",
            &[Caseworker],
            Form(&[]),
        ),
        (
            "POST",
            "/trials/{id}/intake/edit",
            &[Caseworker],
            Form(&[("token", "00")]),
        ),
        ("GET", "/trials/{id}/take-up", &[Caseworker], None),
        (
            "GET",
            "/trials/{id}/allocations/{allocation}",
            &[Caseworker],
            None,
        ),
        ("POST", "/trials/{id}/take-up", &[Caseworker], Form(&[])),
        (
            "GET",
            "/api/v1/trials",
            &[Caseworker, ProgrammeOffice, Researcher],
            None,
        ),
        (
            "POST",
            "/api/v1/trials/{id}/randomizations",
            &[Caseworker],
            Json("{}"),
        ),
        ("GET", "/api/v1/openapi.json", ALL, None),
        ("GET", "/api/v1/me", ALL, None),
        ("GET", "/api/v1/youth", YOUTH_READERS, None),
        ("POST", "/api/v1/youth", YOUTH_READERS, Json("{}")),
        (
            "POST",
            "/api/v1/youth/search",
            YOUTH_READERS,
            Json(r#"{"cpr": "010203-4002"}"#),
        ),
        ("GET", "/api/v1/youth/{id}", YOUTH_READERS, None),
        ("GET", "/api/v1/youth/{id}/access-log", &[TeamLead], None),
        (
            "PUT",
            "/api/v1/youth/{id}/portfolio",
            STAFF,
            Json(r#"{"interests": "IT", "strengths": ""}"#),
        ),
        ("GET", "/api/v1/companies", COMPANY_READERS, None),
        ("POST", "/api/v1/companies", STAFF, Json("{}")),
        ("GET", "/api/v1/companies/{id}", COMPANY_READERS, None),
        ("GET", "/api/v1/access-log", &[TeamLead], None),
        ("GET", "/api/v1/users", &[Admin], None),
        ("GET", "/api/v1/dashboard", DASHBOARD, None),
        ("GET", "/api/v1/forecast", DASHBOARD, None),
        ("GET", "/api/v1/onboarding", &[ProgrammeOffice], None),
        (
            "POST",
            "/api/v1/onboarding",
            &[ProgrammeOffice],
            Json(r#"{"municipality_code": "615", "start_date": "2027-03-01"}"#),
        ),
        ("GET", "/api/v1/onboarding/{id}", &[ProgrammeOffice], None),
        (
            "POST",
            "/api/v1/onboarding/items/{id}",
            &[ProgrammeOffice],
            Json(r#"{"status": "done"}"#),
        ),
        (
            "POST",
            "/api/v1/municipalities",
            &[Admin],
            Json(r#"{"municipality_code": "370"}"#),
        ),
        // Running the programme: the week, the team, courses, internships.
        ("GET", "/week", STAFF, None),
        ("GET", "/team", &[TeamLead], None),
        ("POST", "/team/assign", &[TeamLead], Form(&[])),
        ("GET", "/me/progress", &[Youth], None),
        ("POST", "/me/progress", &[Youth], Form(&[])),
        ("GET", "/youth/{id}/course", STAFF, None),
        ("POST", "/youth/{id}/course", STAFF, Form(&[])),
        ("POST", "/youth/{id}/exit", STAFF, Form(&[])),
        ("POST", "/youth/{id}/progress", STAFF, Form(&[])),
        (
            "POST",
            "/follow-ups/{id}",
            STAFF,
            Form(&[("answer", "yes")]),
        ),
        ("POST", "/tasks/{id}/done", STAFF, Form(&[])),
        ("GET", "/api/v1/week", STAFF, None),
        ("GET", "/api/v1/team", &[TeamLead], None),
        ("POST", "/api/v1/team/assign", &[TeamLead], Json("{}")),
        ("GET", "/api/v1/youth/{id}/course", STAFF, None),
        ("POST", "/api/v1/youth/{id}/course", STAFF, Json("{}")),
        ("POST", "/api/v1/youth/{id}/course/exit", STAFF, Json("{}")),
        ("GET", "/api/v1/youth/{id}/progress", YOUTH_AND_STAFF, None),
        (
            "POST",
            "/api/v1/youth/{id}/progress",
            YOUTH_AND_STAFF,
            Json("{}"),
        ),
        (
            "POST",
            "/api/v1/follow-ups/{id}",
            STAFF,
            Json(r#"{"answer": "unknown"}"#),
        ),
        ("POST", "/api/v1/tasks/{id}/done", STAFF, None),
        // A company contact sees only their company's internships; the youth only their own.
        ("GET", "/internships", &[CompanyContact], None),
        ("GET", "/me/internships", &[Youth], None),
        ("GET", "/youth/{id}/internships/new", STAFF, None),
        ("POST", "/youth/{id}/internships/new", STAFF, Form(&[])),
        ("GET", "/internships/{id}", INTERNSHIP_READERS, None),
        ("POST", "/internships/{id}/status", STAFF, Form(&[])),
        ("POST", "/internships/{id}/extend", STAFF, Form(&[])),
        ("POST", "/internships/{id}/function", STAFF, Form(&[])),
        ("POST", "/internships/{id}/check-in", STAFF, Form(&[])),
        ("POST", "/internships/{id}/end", &[Youth], Form(&[])),
        (
            "POST",
            "/internships/{id}/reference",
            &[CompanyContact],
            Form(&[]),
        ),
        (
            "GET",
            "/api/v1/youth/{id}/internships",
            YOUTH_AND_STAFF,
            None,
        ),
        ("POST", "/api/v1/youth/{id}/internships", STAFF, Json("{}")),
        ("GET", "/api/v1/internships", COMPANY_READERS, None),
        ("GET", "/api/v1/internships/{id}", INTERNSHIP_READERS, None),
        ("POST", "/api/v1/internships/{id}/status", STAFF, Json("{}")),
        (
            "POST",
            "/api/v1/internships/{id}/extension",
            STAFF,
            Json("{}"),
        ),
        (
            "POST",
            "/api/v1/internships/{id}/function",
            STAFF,
            Json("{}"),
        ),
        (
            "POST",
            "/api/v1/internships/{id}/check-in",
            STAFF,
            Json("{}"),
        ),
        ("POST", "/api/v1/internships/{id}/end", &[Youth], Json("{}")),
        // The portfolio and the CV: the youth their own, staff the municipality's.
        ("GET", "/me/cv", &[Youth], None),
        (
            "POST",
            "/me/portfolio/entries",
            &[Youth],
            Form(&[("kind", "skill"), ("text", "Truckcertifikat")]),
        ),
        ("GET", "/youth/{id}/cv", STAFF, None),
        (
            "POST",
            "/youth/{id}/portfolio/entries",
            STAFF,
            Form(&[("kind", "skill"), ("text", "Kassesystem")]),
        ),
        (
            "GET",
            "/api/v1/youth/{id}/portfolio/entries",
            YOUTH_AND_STAFF,
            None,
        ),
        (
            "POST",
            "/api/v1/youth/{id}/portfolio/entries",
            YOUTH_AND_STAFF,
            Json(r#"{"kind": "experience", "text": "Frivillig i klub"}"#),
        ),
        // The youth network: staff run it; a youth sees their own group.
        ("GET", "/groups", STAFF, None),
        ("POST", "/groups", STAFF, Form(&[("name", "")])),
        ("GET", "/me/network", &[Youth], None),
        ("GET", "/groups/{id}", YOUTH_AND_STAFF, None),
        (
            "POST",
            "/groups/{id}/members",
            STAFF,
            Form(&[("youth_id", "")]),
        ),
        (
            "POST",
            "/groups/{id}/leave",
            STAFF,
            Form(&[("youth_id", "")]),
        ),
        (
            "POST",
            "/groups/{id}/meetings",
            STAFF,
            Form(&[("first_date", "")]),
        ),
        ("GET", "/meetings/{id}", YOUTH_AND_STAFF, None),
        (
            "POST",
            "/meetings/{id}/agenda",
            YOUTH_AND_STAFF,
            Form(&[("text", "Hvordan går praktikken?")]),
        ),
        ("POST", "/agenda/{id}/up", &[Youth], Form(&[])),
        (
            "POST",
            "/meetings/{id}/attendance",
            STAFF,
            Form(&[("youth_id", "")]),
        ),
        (
            "POST",
            "/meetings/{id}/notes",
            STAFF,
            Form(&[("notes", "Godt møde.")]),
        ),
        (
            "POST",
            "/meetings/{id}/change",
            STAFF,
            Form(&[("action", "")]),
        ),
        ("GET", "/api/v1/groups", YOUTH_AND_STAFF, None),
        ("POST", "/api/v1/groups", STAFF, Json(r#"{"name": ""}"#)),
        ("GET", "/api/v1/groups/{id}", YOUTH_AND_STAFF, None),
        (
            "POST",
            "/api/v1/groups/{id}/members",
            STAFF,
            Json(r#"{"youth_id": ""}"#),
        ),
        (
            "POST",
            "/api/v1/groups/{id}/leave",
            STAFF,
            Json(r#"{"youth_id": ""}"#),
        ),
        (
            "POST",
            "/api/v1/groups/{id}/meetings",
            STAFF,
            Json(r#"{"first_date": ""}"#),
        ),
        ("GET", "/api/v1/meetings/{id}", YOUTH_AND_STAFF, None),
        (
            "POST",
            "/api/v1/meetings/{id}/change",
            STAFF,
            Json(r#"{"action": ""}"#),
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/agenda",
            YOUTH_AND_STAFF,
            Json(r#"{"text": "Løn under praktik?"}"#),
        ),
        ("POST", "/api/v1/agenda/{id}/up", &[Youth], None),
        (
            "POST",
            "/api/v1/meetings/{id}/attendance",
            STAFF,
            Json(r#"{"youth_id": ""}"#),
        ),
        (
            "POST",
            "/api/v1/meetings/{id}/notes",
            STAFF,
            Json(r#"{"notes": "Referat"}"#),
        ),
        // The company network: staff run it; a company contact sees their own company.
        ("GET", "/network", COMPANY_READERS, None),
        (
            "POST",
            "/network/members",
            STAFF,
            Form(&[("company_id", "")]),
        ),
        ("POST", "/network/leave", STAFF, Form(&[("company_id", "")])),
        (
            "POST",
            "/network/slots",
            COMPANY_READERS,
            Form(&[("function", "")]),
        ),
        ("POST", "/network/meetings", STAFF, Form(&[("topic", "")])),
        ("GET", "/network/meetings/{id}", COMPANY_READERS, None),
        (
            "POST",
            "/network/meetings/{id}/signup",
            &[CompanyContact],
            Form(&[("attend", "yes")]),
        ),
        (
            "POST",
            "/network/meetings/{id}/attendance",
            STAFF,
            Form(&[("contact_id", "")]),
        ),
        (
            "POST",
            "/network/meetings/{id}/notes",
            STAFF,
            Form(&[("notes", "Fint møde")]),
        ),
        (
            "POST",
            "/network/meetings/{id}/cancel",
            STAFF,
            Form(&[("reason", "")]),
        ),
        ("GET", "/companies/{id}/contact-log", STAFF, None),
        (
            "POST",
            "/companies/{id}/contact-log",
            STAFF,
            Form(&[("kind", "")]),
        ),
        ("GET", "/api/v1/company-network", COMPANY_READERS, None),
        (
            "POST",
            "/api/v1/company-network/members",
            STAFF,
            Json(r#"{"company_id": ""}"#),
        ),
        (
            "POST",
            "/api/v1/company-network/leave",
            STAFF,
            Json(r#"{"company_id": ""}"#),
        ),
        (
            "POST",
            "/api/v1/company-network/slots",
            COMPANY_READERS,
            Json(r#"{"function": ""}"#),
        ),
        ("GET", "/api/v1/companies/{id}/slots", COMPANY_READERS, None),
        (
            "POST",
            "/api/v1/company-network/meetings",
            STAFF,
            Json(r#"{"topic": ""}"#),
        ),
        (
            "GET",
            "/api/v1/network-meetings/{id}",
            COMPANY_READERS,
            None,
        ),
        (
            "POST",
            "/api/v1/network-meetings/{id}/signup",
            &[CompanyContact],
            Json(r#"{"attend": "yes"}"#),
        ),
        (
            "POST",
            "/api/v1/network-meetings/{id}/attendance",
            STAFF,
            Json(r#"{"contact_id": ""}"#),
        ),
        (
            "POST",
            "/api/v1/network-meetings/{id}/notes",
            STAFF,
            Json(r#"{"notes": "x"}"#),
        ),
        (
            "POST",
            "/api/v1/network-meetings/{id}/cancel",
            STAFF,
            Json(r#"{"reason": ""}"#),
        ),
        ("GET", "/api/v1/companies/{id}/contact-log", STAFF, None),
        (
            "POST",
            "/api/v1/companies/{id}/contact-log",
            STAFF,
            Json(r#"{"kind": ""}"#),
        ),
        // Calendar feeds: a secret address per person; the feed itself is public by it.
        ("GET", "/calendar", CALENDAR_USERS, None),
        ("POST", "/calendar", CALENDAR_USERS, Form(&[("kind", "")])),
        (
            "POST",
            "/calendar/revoke",
            CALENDAR_USERS,
            Form(&[("feed_id", "")]),
        ),
        ("GET", "/feeds/{token}", ALL, None),
        // Events: staff run them; the invited company's contact and the
        // youth at the event see their part.
        ("GET", "/events", INTERNSHIP_READERS, None),
        ("POST", "/events", STAFF, Form(&[("title", "")])),
        (
            "POST",
            "/events/deck",
            STAFF,
            Form(&[("cards", "Hvad laver du om mandagen?")]),
        ),
        ("GET", "/events/{id}", INTERNSHIP_READERS, None),
        ("GET", "/events/{id}/print", STAFF, None),
        (
            "POST",
            "/events/{id}/invite",
            STAFF,
            Form(&[("company_id", "")]),
        ),
        (
            "POST",
            "/events/{id}/answer",
            COMPANY_READERS,
            Form(&[("accept", "")]),
        ),
        (
            "POST",
            "/events/{id}/youth",
            STAFF,
            Form(&[("youth_id", "")]),
        ),
        ("POST", "/events/{id}/grid", STAFF, Form(&[])),
        (
            "POST",
            "/events/{id}/grid/move",
            STAFF,
            Form(&[("youth_id", "")]),
        ),
        (
            "POST",
            "/events/{id}/choices",
            &[CompanyContact, Youth],
            Form(&[]),
        ),
        ("POST", "/events/{id}/match", STAFF, Form(&[])),
        (
            "POST",
            "/events/{id}/override",
            STAFF,
            Form(&[("reason", "")]),
        ),
        ("GET", "/calls", COMPANY_READERS, None),
        (
            "POST",
            "/calls/{id}",
            COMPANY_READERS,
            Form(&[("outcome", "")]),
        ),
        ("POST", "/youth/{id}/login-code", STAFF, Form(&[])),
        ("GET", "/login/youth-code", ALL, None),
        (
            "POST",
            "/login/youth-code",
            ALL,
            Form(&[("code", "00000-00000")]),
        ),
        ("GET", "/api/v1/events", INTERNSHIP_READERS, None),
        ("POST", "/api/v1/events", STAFF, Json("{}")),
        ("GET", "/api/v1/events/{id}", INTERNSHIP_READERS, None),
        ("POST", "/api/v1/events/{id}/invitations", STAFF, Json("{}")),
        (
            "POST",
            "/api/v1/events/{id}/answer",
            COMPANY_READERS,
            Json("{}"),
        ),
        ("POST", "/api/v1/events/{id}/youth", STAFF, Json("{}")),
        ("POST", "/api/v1/events/{id}/grid", STAFF, Json("{}")),
        ("POST", "/api/v1/events/{id}/grid/move", STAFF, Json("{}")),
        (
            "POST",
            "/api/v1/events/{id}/ranking",
            YOUTH_AND_STAFF,
            Json("{}"),
        ),
        (
            "POST",
            "/api/v1/events/{id}/marks",
            COMPANY_READERS,
            Json("{}"),
        ),
        ("GET", "/api/v1/events/{id}/preferences", STAFF, None),
        ("GET", "/api/v1/events/{id}/match", YOUTH_AND_STAFF, None),
        ("POST", "/api/v1/events/{id}/match", STAFF, Json("{}")),
        ("POST", "/api/v1/events/{id}/override", STAFF, Json("{}")),
        ("GET", "/api/v1/calls", COMPANY_READERS, None),
        ("POST", "/api/v1/calls/{id}", COMPANY_READERS, Json("{}")),
        // Psychologist notes: psychologists only, by page and by API.
        (
            "GET",
            "/youth/{id}/psychologist-notes",
            &[Psychologist],
            None,
        ),
        (
            "POST",
            "/youth/{id}/psychologist-notes",
            &[Psychologist],
            Form(&[]),
        ),
        (
            "GET",
            "/api/v1/youth/{id}/psychologist-notes",
            &[Psychologist],
            None,
        ),
        (
            "POST",
            "/api/v1/youth/{id}/psychologist-notes",
            &[Psychologist],
            Json("{}"),
        ),
    ]
}

fn concrete(path: &str, app: &TestApp, allocation: i64) -> String {
    let id = if path.contains("/fidelity/municipalities/") {
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
            let page = app.get(href, Some(&browser)).await;
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
