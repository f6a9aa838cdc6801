//! Page models: one askama template per page, all on `base.html`.

use crate::auth::CurrentUser;
use crate::i18n::Tr;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use spire_domain::Role;
use spire_store::{
    AccessLogEntry, CompanyContactRow, CompanyRow, MunicipalityOverview, UserRow, YouthRow,
};
use std::collections::BTreeMap;

pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

/// What every page needs: the translator, the user, the CSRF token, the menu.
pub struct PageCtx {
    pub tr: Tr,
    pub user: Option<UserRow>,
    pub role_label: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub path: String,
}

impl PageCtx {
    pub fn anonymous(tr: Tr) -> PageCtx {
        PageCtx {
            tr,
            user: None,
            role_label: String::new(),
            csrf: String::new(),
            nav: Vec::new(),
            path: "/login".into(),
        }
    }

    pub fn for_user(tr: Tr, current: &CurrentUser, path: &str) -> PageCtx {
        let role = current.user.role();
        let items: &[(&'static str, &str)] = match role {
            Role::Caseworker => &[
                ("/home", "nav-home"),
                ("/youth", "nav-youth"),
                ("/youth/new", "nav-youth-new"),
                ("/trials", "nav-trials"),
            ],
            Role::Consultant | Role::Psychologist => &[
                ("/home", "nav-home"),
                ("/youth", "nav-youth"),
                ("/companies", "nav-companies"),
            ],
            Role::TeamLead => &[
                ("/home", "nav-home"),
                ("/youth", "nav-youth"),
                ("/companies", "nav-companies"),
                ("/access-log", "nav-access-log"),
            ],
            Role::CompanyContact => &[("/home", "nav-home"), ("/companies", "nav-my-company")],
            Role::Youth => &[
                ("/home", "nav-home"),
                ("/me", "nav-my-record"),
                ("/me/access-log", "nav-my-access-log"),
            ],
            Role::Researcher | Role::ProgrammeOffice => &[
                ("/home", "nav-home"),
                ("/overview", "nav-overview"),
                ("/trials", "nav-trials"),
            ],
            Role::Admin => &[
                ("/home", "nav-home"),
                ("/admin/users", "nav-users"),
                ("/overview", "nav-overview"),
            ],
        };
        let nav = items
            .iter()
            .map(|(href, label)| NavItem {
                href,
                label: tr.t(label),
                active: path == *href
                    || (*href != "/home" && path.starts_with(&format!("{href}/"))),
            })
            .collect();
        PageCtx {
            tr,
            role_label: tr.t(&format!("role-{}", role.code().replace('_', "-"))),
            user: Some(current.user.clone()),
            csrf: current.csrf.clone(),
            nav,
            path: path.into(),
        }
    }
}

/// One input of a form, with its label, value and message in the user's language.
pub struct FormField {
    pub name: &'static str,
    pub label: String,
    /// `text`, `email`, `tel`, `password` or `select`.
    pub kind: &'static str,
    pub autocomplete: &'static str,
    pub value: String,
    pub required: bool,
    pub hint: Option<String>,
    pub error: Option<String>,
    pub options: Vec<(String, String)>,
}

impl FormField {
    /// A field whose label is the Fluent message `field-<name>`.
    pub fn new(
        tr: Tr,
        name: &'static str,
        kind: &'static str,
        value: &str,
        messages: &FieldMessages,
    ) -> FormField {
        FormField {
            name,
            label: tr.t(&format!("field-{}", name.replace('_', "-"))),
            kind,
            autocomplete: "off",
            value: value.to_string(),
            required: false,
            hint: None,
            error: messages.get(name).cloned(),
            options: Vec::new(),
        }
    }

    pub fn required(mut self) -> FormField {
        self.required = true;
        self
    }

    pub fn autocomplete(mut self, value: &'static str) -> FormField {
        self.autocomplete = value;
        self
    }

    pub fn hint(mut self, hint: String) -> FormField {
        self.hint = Some(hint);
        self
    }

    pub fn options(mut self, options: Vec<(String, String)>) -> FormField {
        self.options = options;
        self
    }
}

/// Messages beside form fields, already translated.
#[derive(Default)]
pub struct FieldMessages(pub BTreeMap<&'static str, String>);

impl FieldMessages {
    pub fn from_errors(tr: Tr, errors: &[spire_domain::FieldError]) -> FieldMessages {
        let mut map = BTreeMap::new();
        for error in errors {
            map.entry(error.field)
                .or_insert_with(|| tr.t(error.problem.message_id()));
        }
        FieldMessages(map)
    }

    pub fn get(&self, field: &str) -> Option<&String> {
        self.0.get(field)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginView {
    pub ctx: PageCtx,
    pub error: Option<String>,
    pub login: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorView {
    pub ctx: PageCtx,
    pub title: String,
    pub message: String,
    pub details: Vec<String>,
    pub request_id: String,
}

/// A figure on a home page: a number with its label and where it leads.
pub struct Figure {
    pub label: String,
    pub value: String,
    pub href: &'static str,
}

/// A member of the team as the team lead sees them.
pub struct TeamLine {
    pub name: String,
    pub role: String,
    pub fte: String,
    pub caseload: i64,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomeView {
    pub ctx: PageCtx,
    pub greeting: String,
    pub intro: String,
    pub figures: Vec<Figure>,
    pub actions: Vec<(&'static str, String)>,
    pub team: Vec<TeamLine>,
    pub chart: Option<String>,
    pub company: Option<(CompanyRow, Vec<CompanyContactRow>)>,
}

#[derive(Template)]
#[template(path = "youth_list.html")]
pub struct YouthListView {
    pub ctx: PageCtx,
    pub q: String,
    pub rows: Vec<YouthRow>,
    pub summary: String,
    /// "Side 2 af 3".
    pub page_label: String,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    pub error: Option<String>,
    pub may_register: bool,
}

#[derive(Template)]
#[template(path = "youth_page.html")]
pub struct YouthPageView {
    pub ctx: PageCtx,
    pub youth: YouthRow,
    pub age: i32,
    pub gender_label: String,
    pub interests: Vec<String>,
    pub strengths: Vec<String>,
    pub access_log_href: Option<String>,
    /// Where the portfolio form posts, for those who may edit it.
    pub portfolio_action: Option<String>,
    /// For the team lead: who the youth can be assigned to (id, name).
    pub consultants: Vec<(String, String)>,
}

#[derive(Default, serde::Deserialize)]
pub struct PortfolioForm {
    #[serde(default)]
    pub interests: String,
    #[serde(default)]
    pub strengths: String,
}

#[derive(Default, serde::Deserialize)]
pub struct YouthForm {
    #[serde(default)]
    pub cpr: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub interests: String,
    #[serde(default)]
    pub strengths: String,
}

/// A page with one form that creates something (a youth, a company).
#[derive(Template)]
#[template(path = "form_page.html")]
pub struct FormPageView {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: Option<String>,
    pub action: &'static str,
    pub fields: Vec<FormField>,
    pub has_errors: bool,
}

#[derive(Template)]
#[template(path = "company_list.html")]
pub struct CompanyListView {
    pub ctx: PageCtx,
    pub q: String,
    pub rows: Vec<CompanyRow>,
    pub may_create: bool,
}

#[derive(Template)]
#[template(path = "company_page.html")]
pub struct CompanyPageView {
    pub ctx: PageCtx,
    pub company: CompanyRow,
    pub contacts: Vec<CompanyContactRow>,
}

#[derive(Default, serde::Deserialize)]
pub struct CompanyForm {
    #[serde(default)]
    pub cvr: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub industry: String,
    #[serde(default)]
    pub address: String,
}

#[derive(Template)]
#[template(path = "access_log.html")]
pub struct AccessLogView {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: String,
    pub entries: Vec<AccessLogEntry>,
    /// The search form (team lead's log) or none (a person's extract).
    pub filters: Option<AccessLogFilters>,
}

#[derive(Default, serde::Deserialize)]
pub struct AccessLogFilters {
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Default, serde::Deserialize)]
pub struct UserForm {
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub municipality_code: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
pub struct AdminUsersView {
    pub ctx: PageCtx,
    pub users: Vec<UserRow>,
    pub fields: Vec<FormField>,
    pub has_errors: bool,
    pub created: Option<String>,
}

#[derive(Template)]
#[template(path = "overview.html")]
pub struct OverviewView {
    pub ctx: PageCtx,
    pub rows: Vec<MunicipalityOverview>,
    pub chart: String,
}

/// Splits a comma-separated list for display as tags.
pub fn tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}
