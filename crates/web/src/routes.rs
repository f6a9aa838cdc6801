//! The route table: every route with the roles allowed to use it. Deny by
//! default: a route is reachable only by the roles it names.

use crate::{
    AppState, api, auth, evaluation_pages, middleware, pages, trial_api, trial_pages, trial_setup,
    two_factor,
};
use axum::Router;
use axum::http::Method;
use axum::routing::{MethodRouter, get, post, put};
use spire_domain::Role;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, logged in or not (log-in page, static files, the API document).
    Public,
    /// Any logged-in user.
    AnyUser,
    /// Only these roles; everyone else gets 404, as if the route did not exist.
    Roles(&'static [Role]),
    /// A session whose password was right and whose one-time code is still to
    /// come (the code page); no other route takes such a session.
    SecondFactor,
}

/// Where a staff member without two-factor log-in is sent when it is required.
pub const TWO_FACTOR_PAGE: &str = "/account/two-factor";

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::AnyUser | Access::SecondFactor => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// JSON API routes authenticate with a bearer token; pages with a session.
    pub api: bool,
}

const STAFF: &[Role] = &[Role::Consultant, Role::Psychologist, Role::TeamLead];
const YOUTH_READERS: &[Role] = &[
    Role::Caseworker,
    Role::Consultant,
    Role::Psychologist,
    Role::TeamLead,
];
const COMPANY_READERS: &[Role] = &[
    Role::Consultant,
    Role::Psychologist,
    Role::TeamLead,
    Role::CompanyContact,
];
const TEAM_LEAD: &[Role] = &[Role::TeamLead];
const YOUTH: &[Role] = &[Role::Youth];
const ADMIN: &[Role] = &[Role::Admin];
const AGGREGATES: &[Role] = &[Role::ProgrammeOffice, Role::Researcher, Role::Admin];
/// Caseworkers screen and randomise at intake; nobody else allocates.
const INTAKE: &[Role] = &[Role::Caseworker];
/// The trial's figures (commitment, CONSORT, balance), never the sequence.
const TRIAL_OFFICE: &[Role] = &[Role::ProgrammeOffice, Role::Researcher];
/// Only the programme office annotates allocations ("allocated in error").
const PROGRAMME_OFFICE: &[Role] = &[Role::ProgrammeOffice];
/// Locking an analysis plan and importing outcomes are the researchers' acts.
const RESEARCHER: &[Role] = &[Role::Researcher];
const TRIAL_LIST: &[Role] = &[Role::Caseworker, Role::ProgrammeOffice, Role::Researcher];

type Handler = MethodRouter<AppState>;

fn table() -> Vec<(RouteSpec, Handler)> {
    use Access::*;
    let page = |method: Method, path, access, handler| {
        (
            RouteSpec {
                method,
                path,
                access,
                api: false,
            },
            handler,
        )
    };
    let api = |method: Method, path, access, handler| {
        (
            RouteSpec {
                method,
                path,
                access,
                api: true,
            },
            handler,
        )
    };
    vec![
        page(Method::GET, "/", Public, get(pages::root)),
        page(Method::GET, "/login", Public, get(auth::login_page)),
        page(Method::POST, "/login", Public, post(auth::login_submit)),
        page(Method::POST, "/logout", AnyUser, post(auth::logout)),
        page(
            Method::GET,
            "/login/code",
            SecondFactor,
            get(two_factor::code_page),
        ),
        page(
            Method::POST,
            "/login/code",
            SecondFactor,
            post(two_factor::code_submit),
        ),
        page(
            Method::GET,
            TWO_FACTOR_PAGE,
            AnyUser,
            get(two_factor::enrolment_page),
        ),
        page(
            Method::POST,
            TWO_FACTOR_PAGE,
            AnyUser,
            post(two_factor::enrolment_submit),
        ),
        page(Method::POST, "/lang", Public, post(pages::switch_language)),
        page(
            Method::GET,
            "/static/{file}",
            Public,
            get(pages::static_file),
        ),
        page(Method::GET, "/home", AnyUser, get(pages::home)),
        page(
            Method::GET,
            "/youth",
            Roles(YOUTH_READERS),
            get(pages::youth_list),
        ),
        page(
            Method::POST,
            "/youth/search",
            Roles(YOUTH_READERS),
            post(pages::youth_search),
        ),
        page(
            Method::GET,
            "/youth/new",
            Roles(YOUTH_READERS),
            get(pages::youth_new_form),
        ),
        page(
            Method::POST,
            "/youth/new",
            Roles(YOUTH_READERS),
            post(pages::youth_new_submit),
        ),
        page(
            Method::GET,
            "/youth/{id}",
            Roles(YOUTH_READERS),
            get(pages::youth_page),
        ),
        page(
            Method::GET,
            "/youth/{id}/access-log",
            Roles(TEAM_LEAD),
            get(pages::youth_access_log),
        ),
        page(
            Method::POST,
            "/youth/{id}/portfolio",
            Roles(STAFF),
            post(pages::youth_portfolio),
        ),
        page(
            Method::POST,
            "/youth/{id}/consultant",
            Roles(TEAM_LEAD),
            post(pages::youth_consultant),
        ),
        page(Method::GET, "/me", Roles(YOUTH), get(pages::my_record)),
        page(
            Method::GET,
            "/me/access-log",
            Roles(YOUTH),
            get(pages::my_access_log),
        ),
        page(
            Method::POST,
            "/me/portfolio",
            Roles(YOUTH),
            post(pages::my_portfolio),
        ),
        page(
            Method::GET,
            "/companies",
            Roles(COMPANY_READERS),
            get(pages::company_list),
        ),
        page(
            Method::GET,
            "/companies/new",
            Roles(STAFF),
            get(pages::company_new_form),
        ),
        page(
            Method::POST,
            "/companies/new",
            Roles(STAFF),
            post(pages::company_new_submit),
        ),
        page(
            Method::GET,
            "/companies/{id}",
            Roles(COMPANY_READERS),
            get(pages::company_page),
        ),
        page(
            Method::GET,
            "/access-log",
            Roles(TEAM_LEAD),
            get(pages::access_log),
        ),
        page(
            Method::GET,
            "/admin/users",
            Roles(ADMIN),
            get(pages::admin_users),
        ),
        page(
            Method::POST,
            "/admin/users",
            Roles(ADMIN),
            post(pages::admin_users_create),
        ),
        page(
            Method::GET,
            "/overview",
            Roles(AGGREGATES),
            get(pages::overview),
        ),
        page(
            Method::GET,
            "/trials",
            Roles(TRIAL_LIST),
            get(trial_pages::trial_list),
        ),
        page(
            Method::GET,
            "/trials/new",
            Roles(PROGRAMME_OFFICE),
            get(trial_setup::new_trial_form),
        ),
        page(
            Method::POST,
            "/trials/new",
            Roles(PROGRAMME_OFFICE),
            post(trial_setup::create_trial),
        ),
        page(
            Method::GET,
            "/trials/{id}",
            Roles(TRIAL_OFFICE),
            get(trial_pages::trial_page),
        ),
        page(
            Method::GET,
            "/trials/{id}/evaluation",
            Roles(TRIAL_OFFICE),
            get(evaluation_pages::evaluation_page),
        ),
        page(
            Method::GET,
            "/trials/{id}/evaluation.json",
            Roles(TRIAL_OFFICE),
            get(evaluation_pages::evaluation_json),
        ),
        page(
            Method::POST,
            "/trials/{id}/evaluation/plan",
            Roles(RESEARCHER),
            post(evaluation_pages::lock_plan),
        ),
        page(
            Method::POST,
            "/trials/{id}/evaluation/outcomes",
            Roles(RESEARCHER),
            post(evaluation_pages::import_outcomes),
        ),
        page(
            Method::POST,
            "/trials/{id}/annotations",
            Roles(PROGRAMME_OFFICE),
            post(trial_pages::annotate),
        ),
        page(
            Method::GET,
            "/trials/{id}/intake",
            Roles(INTAKE),
            get(trial_pages::intake_form),
        ),
        page(
            Method::POST,
            "/trials/{id}/intake",
            Roles(INTAKE),
            post(trial_pages::intake_screen),
        ),
        page(
            Method::POST,
            "/trials/{id}/intake/confirm",
            Roles(INTAKE),
            post(trial_pages::intake_confirm),
        ),
        page(
            Method::POST,
            "/trials/{id}/intake/edit",
            Roles(INTAKE),
            post(trial_pages::intake_edit),
        ),
        page(
            Method::GET,
            "/trials/{id}/allocations/{allocation}",
            Roles(INTAKE),
            get(trial_pages::receipt_page),
        ),
        page(
            Method::GET,
            "/trials/{id}/take-up",
            Roles(INTAKE),
            get(trial_pages::take_up_list),
        ),
        page(
            Method::POST,
            "/trials/{id}/take-up",
            Roles(INTAKE),
            post(trial_pages::take_up_record),
        ),
        api(
            Method::GET,
            "/api/v1/openapi.json",
            Public,
            get(api::openapi_document),
        ),
        api(Method::GET, "/api/v1/me", AnyUser, get(api::me)),
        api(
            Method::GET,
            "/api/v1/youth",
            Roles(YOUTH_READERS),
            get(api::youth_list),
        ),
        api(
            Method::POST,
            "/api/v1/youth",
            Roles(YOUTH_READERS),
            post(api::youth_create),
        ),
        api(
            Method::POST,
            "/api/v1/youth/search",
            Roles(YOUTH_READERS),
            post(api::youth_search),
        ),
        api(
            Method::GET,
            "/api/v1/youth/{id}",
            Roles(YOUTH_READERS),
            get(api::youth_get),
        ),
        api(
            Method::GET,
            "/api/v1/youth/{id}/access-log",
            Roles(TEAM_LEAD),
            get(api::youth_access_log),
        ),
        api(
            Method::PUT,
            "/api/v1/youth/{id}/portfolio",
            Roles(STAFF),
            put(api::youth_portfolio),
        ),
        api(
            Method::GET,
            "/api/v1/companies",
            Roles(COMPANY_READERS),
            get(api::company_list),
        ),
        api(
            Method::POST,
            "/api/v1/companies",
            Roles(STAFF),
            post(api::company_create),
        ),
        api(
            Method::GET,
            "/api/v1/companies/{id}",
            Roles(COMPANY_READERS),
            get(api::company_get),
        ),
        api(
            Method::GET,
            "/api/v1/access-log",
            Roles(TEAM_LEAD),
            get(api::access_log),
        ),
        api(Method::GET, "/api/v1/users", Roles(ADMIN), get(api::users)),
        api(
            Method::GET,
            "/api/v1/overview",
            Roles(AGGREGATES),
            get(api::overview),
        ),
        api(
            Method::GET,
            "/api/v1/trials",
            Roles(TRIAL_LIST),
            get(trial_api::trials),
        ),
        api(
            Method::POST,
            "/api/v1/trials/{id}/randomizations",
            Roles(INTAKE),
            post(trial_api::randomise),
        ),
        api(
            Method::GET,
            "/api/v1/trials/{id}/evaluation",
            Roles(TRIAL_OFFICE),
            get(evaluation_pages::api_evaluation),
        ),
        api(
            Method::POST,
            "/api/v1/trials/{id}/evaluation/plan",
            Roles(RESEARCHER),
            post(evaluation_pages::api_lock_plan),
        ),
        api(
            Method::POST,
            "/api/v1/trials/{id}/evaluation/outcomes",
            Roles(RESEARCHER),
            post(evaluation_pages::api_import_outcomes),
        ),
    ]
}

/// Every route of the application, for tests and the OpenAPI check.
pub fn route_specs() -> Vec<RouteSpec> {
    table().into_iter().map(|(spec, _)| spec).collect()
}

pub(crate) fn build(state: AppState) -> Router {
    let mut router = Router::new();
    for (spec, handler) in table() {
        let guarded = handler.route_layer(axum::middleware::from_fn_with_state(
            (state.clone(), spec.clone()),
            auth::guard,
        ));
        router = router.route(spec.path, guarded);
    }
    router
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn(middleware::render_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.config().tls,
            middleware::security_headers,
        ))
        .layer(axum::middleware::from_fn(middleware::request_context))
        .with_state(state)
}
