//! The authorisation matrix's table: who may use each route on their own
//! municipality's data (everyone else must get 404, as if the route did not
//! exist). The checks that run it are in `matrix.rs`.

use spire_domain::Role;
use spire_domain::Role::*;

pub const ALL: &[Role] = &Role::ALL;
pub(crate) const YOUTH_READERS: &[Role] = &[Caseworker, Consultant, Psychologist, TeamLead];
pub(crate) const STAFF: &[Role] = &[Consultant, Psychologist, TeamLead];
pub(crate) const COMPANY_READERS: &[Role] = &[Consultant, Psychologist, TeamLead, CompanyContact];
pub(crate) const DASHBOARD: &[Role] = &[TeamLead, ProgrammeOffice, Researcher, Admin];
pub(crate) const YOUTH_AND_STAFF: &[Role] = &[Consultant, Psychologist, TeamLead, Youth];
pub(crate) const INTERNSHIP_READERS: &[Role] =
    &[Consultant, Psychologist, TeamLead, CompanyContact, Youth];
pub(crate) const CALENDAR_USERS: &[Role] = INTERNSHIP_READERS;
pub(crate) const FIDELITY: &[Role] = &[TeamLead, ProgrammeOffice];
pub(crate) const API_USERS: &[Role] = &[
    Caseworker,
    Consultant,
    Psychologist,
    TeamLead,
    Researcher,
    ProgrammeOffice,
    Admin,
];

pub enum Payload {
    None,
    Form(&'static [(&'static str, &'static str)]),
    /// The user's own login form (for POST /login).
    OwnLogin,
    Json(&'static str),
}

/// Who may use each route on their own municipality's data. Everyone else
/// must get 404, as if the route did not exist.
pub fn matrix() -> Vec<(&'static str, &'static str, &'static [Role], Payload)> {
    use Payload::*;
    [
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
        ("POST", "/account/two-factor/start", ALL, Form(&[])),
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
        ("GET", "/admin/users/{id}", &[Admin], None),
        (
            "POST",
            "/admin/users/{id}/name",
            &[Admin],
            Form(&[("display_name", "Administrator")]),
        ),
        (
            "POST",
            "/admin/users/{id}/team",
            &[Admin],
            Form(&[("team_name", "Team"), ("fte", "1")]),
        ),
        (
            "POST",
            "/admin/users/{id}/link",
            &[Admin],
            Form(&[("company_id", "1")]),
        ),
        ("POST", "/admin/users/{id}/deactivate", &[Admin], Form(&[])),
        ("POST", "/admin/users/{id}/reactivate", &[Admin], Form(&[])),
        (
            "POST",
            "/api/v1/users/{id}/deactivate",
            &[Admin],
            Json("{}"),
        ),
        (
            "POST",
            "/api/v1/users/{id}/reactivate",
            &[Admin],
            Json("{}"),
        ),
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
        ("GET", "/admin/log", &[TeamLead, Admin], None),
        ("GET", "/account/tokens", API_USERS, None),
        (
            "POST",
            "/account/tokens",
            API_USERS,
            Form(&[("label", "matrix"), ("days", "1"), ("nonce", "matrix")]),
        ),
        (
            "POST",
            "/account/tokens/revoke",
            API_USERS,
            Form(&[("id", "0000000000000000")]),
        ),
        ("GET", "/api/v1/tokens", API_USERS, None),
        (
            "POST",
            "/api/v1/tokens/revoke",
            API_USERS,
            Json(r#"{"id":"0000000000000000"}"#),
        ),
        (
            "POST",
            "/admin/log/unblock",
            &[TeamLead, Admin],
            Form(&[("login", "consultant.roskilde")]),
        ),
        (
            "POST",
            "/admin/log/approve",
            &[TeamLead],
            Form(&[("login", "consultant.roskilde")]),
        ),
        (
            "POST",
            "/api/v1/admin-log/approve",
            &[TeamLead],
            Json(r#"{"login":"consultant.roskilde"}"#),
        ),
        ("GET", "/api/v1/admin-log", &[TeamLead, Admin], None),
        (
            "POST",
            "/api/v1/admin-log/unblock",
            &[TeamLead, Admin],
            Json(r#"{"login":"consultant.roskilde"}"#),
        ),
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
        ("GET", "/crossovers", &[TeamLead], None),
        ("POST", "/crossovers", &[TeamLead], Form(&[])),
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
        (
            "POST",
            "/api/v1/trials/{id}/crossovers",
            &[TeamLead],
            Json("{}"),
        ),
        ("GET", "/api/v1/openapi.json", ALL, None),
        ("GET", "/log", ALL, None),
        ("GET", "/log/{trial}", ALL, None),
        ("GET", "/log/{trial}/{*path}", ALL, None),
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
    ]
    .into_iter()
    .chain(crate::matrix_table_programme::programme_rows())
    .collect()
}
