//! Access rules and the route type each capability declares its routes with.
//! Deny by default: a route is reachable only by the roles it names.

use super::state::AppState;
use axum::handler::Handler;
use axum::http::Method;
use axum::routing::{self, MethodRouter};
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

impl Access {
    pub fn allows(self, role: Role) -> bool {
        match self {
            Access::Public | Access::AnyUser | Access::SecondFactor => true,
            Access::Roles(roles) => roles.contains(&role),
        }
    }
}

/// Where a staff member without two-factor log-in is sent when it is required.
pub const TWO_FACTOR_PAGE: &str = "/account/two-factor";
/// Starting the set-up: makes the secret the page shows.
pub const TWO_FACTOR_START: &str = "/account/two-factor/start";

/// The groups of roles the routes name.
pub mod roles {
    use spire_domain::Role;

    pub const STAFF: &[Role] = &[Role::Consultant, Role::Psychologist, Role::TeamLead];
    pub const YOUTH_READERS: &[Role] = &[
        Role::Caseworker,
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
    ];
    pub const COMPANY_READERS: &[Role] = &[
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
        Role::CompanyContact,
    ];
    pub const TEAM_LEAD: &[Role] = &[Role::TeamLead];
    pub const PSYCHOLOGIST: &[Role] = &[Role::Psychologist];
    pub const COMPANY_CONTACT: &[Role] = &[Role::CompanyContact];
    /// An internship's page: staff, the youth, the company's contact.
    pub const INTERNSHIP_READERS: &[Role] = &[
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
        Role::CompanyContact,
        Role::Youth,
    ];
    /// A youth's internships and progress: staff and the youth.
    pub const YOUTH_AND_STAFF: &[Role] = &[
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
        Role::Youth,
    ];
    pub const YOUTH: &[Role] = &[Role::Youth];
    /// Who has a calendar to subscribe to: the youth, programme staff, company contacts.
    pub const CALENDAR_USERS: &[Role] = &[
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
        Role::CompanyContact,
        Role::Youth,
    ];
    pub const ADMIN: &[Role] = &[Role::Admin];
    /// Who may have API tokens: everyone but young people and company contacts.
    pub const API_USERS: &[Role] = &[
        Role::Caseworker,
        Role::Consultant,
        Role::Psychologist,
        Role::TeamLead,
        Role::Researcher,
        Role::ProgrammeOffice,
        Role::Admin,
    ];
    /// Who sees the administration log and lifts log-in waits.
    pub const ACCOUNT_STEWARDS: &[Role] = &[Role::TeamLead, Role::Admin];
    /// The dashboards: a team lead's own municipality, aggregates across them.
    pub const DASHBOARD: &[Role] = &[
        Role::TeamLead,
        Role::ProgrammeOffice,
        Role::Researcher,
        Role::Admin,
    ];
    /// Fidelity reviews: the programme office; a team lead reads their own.
    pub const FIDELITY: &[Role] = &[Role::TeamLead, Role::ProgrammeOffice];
    /// Caseworkers screen and randomise at intake; nobody else allocates.
    pub const INTAKE: &[Role] = &[Role::Caseworker];
    /// The trial's figures (commitment, CONSORT, balance), never the sequence.
    pub const TRIAL_OFFICE: &[Role] = &[Role::ProgrammeOffice, Role::Researcher];
    /// Only the programme office opens trials and annotates allocations.
    pub const PROGRAMME_OFFICE: &[Role] = &[Role::ProgrammeOffice];
    /// Locking an analysis plan and importing outcomes are the researchers' acts.
    pub const RESEARCHER: &[Role] = &[Role::Researcher];
    pub const TRIAL_LIST: &[Role] = &[Role::Caseworker, Role::ProgrammeOffice, Role::Researcher];
}

/// A route as the guard and the tests see it.
#[derive(Debug, Clone)]
pub struct RouteSpec {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    /// JSON API routes authenticate with a bearer token; pages with a session.
    pub api: bool,
    /// The Fluent id of its menu entry, when the page is in the menu of every
    /// role the access rule admits.
    pub menu: Option<&'static str>,
    /// The largest request body the guard reads for it (the CSRF token is in
    /// the body); anything larger is refused with 413 before the handler.
    pub body_limit: usize,
}

/// The body limit of every form route that is not an upload.
pub const FORM_BODY_LIMIT: usize = 256 * 1024;

/// One route of a capability: its spec and its handler.
pub struct Route {
    pub spec: RouteSpec,
    pub handler: MethodRouter<AppState>,
}

impl Route {
    fn new(
        method: Method,
        path: &'static str,
        access: Access,
        api: bool,
        handler: MethodRouter<AppState>,
    ) -> Route {
        Route {
            spec: RouteSpec {
                method,
                path,
                access,
                api,
                menu: None,
                body_limit: FORM_BODY_LIMIT,
            },
            handler,
        }
    }

    /// A page read.
    pub fn get<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Route {
        Route::new(Method::GET, path, access, false, routing::get(handler))
    }

    /// A form post (CSRF-checked by the guard).
    pub fn post<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Route {
        Route::new(Method::POST, path, access, false, routing::post(handler))
    }

    /// An API read (bearer token).
    pub fn api_get<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Route {
        Route::new(Method::GET, path, access, true, routing::get(handler))
    }

    pub fn api_post<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Route {
        Route::new(Method::POST, path, access, true, routing::post(handler))
    }

    pub fn api_put<H: Handler<T, AppState>, T: 'static>(
        path: &'static str,
        access: Access,
        handler: H,
    ) -> Route {
        Route::new(Method::PUT, path, access, true, routing::put(handler))
    }

    /// A form that uploads a file: its body may be up to `limit` bytes.
    pub fn upload(mut self, limit: usize) -> Route {
        self.spec.body_limit = limit;
        self
    }

    /// Shows this page in the menu of every role that may open it.
    pub fn menu(mut self, label_id: &'static str) -> Route {
        self.spec.menu = Some(label_id);
        self
    }
}

/// An entry of the menu: a page and the Fluent id of its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavLink {
    pub href: &'static str,
    pub label_id: &'static str,
}

/// The menu of a role, in route-table order: every page marked for the menu
/// whose access rule admits the role. The menu cannot offer a page the role
/// would get 404 from, nor leave one out.
pub fn menu_for(specs: &[RouteSpec], role: Role) -> Vec<NavLink> {
    specs
        .iter()
        .filter(|spec| spec.method == Method::GET && !spec.api)
        .filter(|spec| matches!(spec.access, Access::AnyUser | Access::Roles(_)))
        .filter(|spec| spec.access.allows(role))
        .filter_map(|spec| {
            spec.menu.map(|label_id| NavLink {
                href: spec.path,
                label_id,
            })
        })
        .collect()
}
