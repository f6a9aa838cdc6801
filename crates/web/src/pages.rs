//! HTML page handlers. Each reads through the store with the user's `Scope`,
//! so tenant isolation and the access log come with every read.

use crate::auth::CurrentUser;
use crate::charts::bar_chart;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::{Arg, Lang, Tr};
use crate::middleware::{LANG_COOKIE, RequestContext};
use crate::views::*;
use crate::{AppState, forms};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use spire_domain::Role;
use spire_store::AccessLogQuery;

/// Youth per consultant the programme starts with (15, then 20, then 22).
const CASELOAD_NORM: i64 = 15;
const YOUTH_PER_PAGE: i64 = 25;

type Ctx = Extension<RequestContext>;
type User = Extension<CurrentUser>;

fn page_ctx(context: &RequestContext, user: &CurrentUser, path: &str) -> PageCtx {
    PageCtx::for_user(Tr::new(context.lang), user, path)
}

pub async fn root(State(_): State<AppState>) -> Redirect {
    Redirect::to("/home")
}

pub async fn not_found() -> AppError {
    AppError::not_found()
}

pub async fn static_file(Path(file): Path<String>) -> Response {
    let (body, content_type): (&'static [u8], &str) = match file.as_str() {
        "spire.css" => (
            include_bytes!("../static/spire.css"),
            "text/css; charset=utf-8",
        ),
        "htmx-2.0.11.min.js" => (
            include_bytes!("../static/htmx-2.0.11.min.js"),
            "text/javascript; charset=utf-8",
        ),
        _ => return AppError::not_found().into_response(),
    };
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response()
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
    #[serde(default)]
    back: String,
}

/// Remembers the chosen language in a cookie and returns to the same page.
pub async fn switch_language(Form(form): Form<LanguageForm>) -> Response {
    let lang = Lang::from_code(&form.lang).unwrap_or_default();
    // Only a local path: never an open redirect.
    let back = if form.back.starts_with('/') && !form.back.starts_with("//") {
        form.back
    } else {
        "/home".into()
    };
    let mut response = Redirect::to(&back).into_response();
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000",
        lang.code()
    );
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&cookie).expect("ascii"),
    );
    response
}

pub async fn home(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let scope = user.scope(&context);
    let role = user.user.role();
    let mut view = HomeView {
        ctx: page_ctx(&context, &user, "/home"),
        greeting: tr.t_args(
            "home-greeting",
            &[("name", Arg::Text(user.user.display_name.clone()))],
        ),
        intro: tr.t(&format!("home-intro-{}", role.code().replace('_', "-"))),
        figures: Vec::new(),
        actions: Vec::new(),
        team: Vec::new(),
        chart: None,
        company: None,
    };
    let db = state.db();
    match role {
        Role::Caseworker => {
            let mine = db.search_youth(&scope, state.key(), "", 1, 1).await?;
            view.figures.push(Figure {
                label: tr.t("home-my-registrations"),
                value: mine.total.to_string(),
                href: "/youth",
            });
            view.actions.push(("/youth/new", tr.t("nav-youth-new")));
        }
        Role::Consultant | Role::Psychologist | Role::TeamLead => {
            let youth = db.search_youth(&scope, state.key(), "", 1, 1).await?;
            let companies = db.search_companies(&scope, "", 500).await?;
            let team = db.team_members(&scope).await?;
            let my_caseload = team
                .iter()
                .find(|m| m.user_id == user.user.id)
                .map(|m| m.caseload)
                .unwrap_or(0);
            view.figures.push(Figure {
                label: tr.t("home-youth-in-programme"),
                value: youth.total.to_string(),
                href: "/youth",
            });
            if role != Role::TeamLead {
                view.figures.push(Figure {
                    label: tr.t("home-my-caseload"),
                    value: my_caseload.to_string(),
                    href: "/youth",
                });
            }
            view.figures.push(Figure {
                label: tr.t("home-companies"),
                value: companies.len().to_string(),
                href: "/companies",
            });
            if role == Role::TeamLead {
                let consultants: Vec<_> = team.iter().filter(|m| m.role == "consultant").collect();
                let bars: Vec<(String, f64)> = consultants
                    .iter()
                    .map(|m| (m.display_name.clone(), m.caseload as f64))
                    .collect();
                view.chart = Some(bar_chart(
                    &tr.t("home-caseload-chart"),
                    &bars,
                    Some((
                        CASELOAD_NORM as f64,
                        &tr.count("home-caseload-norm", CASELOAD_NORM),
                    )),
                ));
                view.team = team
                    .iter()
                    .map(|m| TeamLine {
                        name: m.display_name.clone(),
                        role: tr.t(&format!("role-{}", m.role.replace('_', "-"))),
                        fte: format!("{:.1}", m.fte)
                            .replace('.', if context.lang == Lang::Da { "," } else { "." }),
                        caseload: m.caseload,
                    })
                    .collect();
                view.actions.push(("/access-log", tr.t("nav-access-log")));
            }
        }
        Role::CompanyContact => {
            if let Some(company) = db.search_companies(&scope, "", 1).await?.into_iter().next() {
                view.company = Some(db.get_company(&scope, company.id).await?);
            }
        }
        Role::Youth => {
            view.actions.push(("/me", tr.t("nav-my-record")));
            view.actions
                .push(("/me/access-log", tr.t("nav-my-access-log")));
        }
        Role::Researcher | Role::ProgrammeOffice | Role::Admin => {
            let overview = db.municipality_overview().await?;
            let youth: i64 = overview.iter().map(|m| m.youth).sum();
            let companies: i64 = overview.iter().map(|m| m.companies).sum();
            view.figures.push(Figure {
                label: tr.t("home-municipalities"),
                value: overview.len().to_string(),
                href: "/overview",
            });
            view.figures.push(Figure {
                label: tr.t("home-youth-in-programme"),
                value: youth.to_string(),
                href: "/overview",
            });
            view.figures.push(Figure {
                label: tr.t("home-companies"),
                value: companies.to_string(),
                href: "/overview",
            });
            if role == Role::Admin {
                let users = db.list_users().await?;
                view.figures.push(Figure {
                    label: tr.t("home-users"),
                    value: users.len().to_string(),
                    href: "/admin/users",
                });
                view.actions.push(("/admin/users", tr.t("nav-users")));
            }
        }
    }
    Ok(render(&view))
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
}

fn youth_list_view(
    tr: Tr,
    ctx: PageCtx,
    q: &str,
    page: spire_store::YouthPage,
    may_register: bool,
    linkable_query: bool,
) -> YouthListView {
    let pages = (page.total + page.per_page - 1) / page.per_page;
    let link = |n: i64| {
        let query = if linkable_query && !q.is_empty() {
            format!(
                "q={}&",
                serde_urlencoded::to_string([("q", q)])
                    .unwrap_or_default()
                    .trim_start_matches("q=")
            )
        } else {
            String::new()
        };
        format!("/youth?{query}page={n}")
    };
    YouthListView {
        ctx,
        q: if linkable_query {
            q.to_string()
        } else {
            String::new()
        },
        summary: tr.count("youth-count", page.total),
        prev_href: (page.page > 1).then(|| link(page.page - 1)),
        next_href: (page.page < pages).then(|| link(page.page + 1)),
        page_label: tr.t_args(
            "pager-page",
            &[
                ("page", Arg::Number(page.page)),
                ("pages", Arg::Number(pages.max(1))),
            ],
        ),
        rows: page.rows,
        error: None,
        may_register,
    }
}

/// The youth list. A CPR number may not travel in a URL: CPR searches go
/// through the POST form, and a CPR-shaped `q` here is refused.
pub async fn youth_list(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    if spire_domain::Cpr::parse("q", &query.q).is_ok() {
        return Err(AppError::invalid(vec![spire_domain::FieldError::new(
            "q",
            spire_domain::Problem::CprFormat,
        )]));
    }
    let page = forms::page_number(query.page.as_deref())?;
    let scope = user.scope(&context);
    let result = state
        .db()
        .search_youth(&scope, state.key(), &query.q, page, YOUTH_PER_PAGE)
        .await?;
    let view = youth_list_view(
        tr,
        page_ctx(&context, &user, "/youth"),
        &query.q,
        result,
        true,
        true,
    );
    Ok(render(&view))
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
}

pub async fn youth_search(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Form(form): Form<SearchForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let scope = user.scope(&context);
    let is_cpr = spire_domain::Cpr::parse("q", &form.q).is_ok();
    let result = state
        .db()
        .search_youth(&scope, state.key(), &form.q, 1, YOUTH_PER_PAGE)
        .await?;
    // After a CPR search the number is not echoed back into the page.
    let view = youth_list_view(
        tr,
        page_ctx(&context, &user, "/youth"),
        &form.q,
        result,
        true,
        !is_cpr,
    );
    Ok(render(&view))
}

pub async fn youth_page(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = forms::path_id(&id)?;
    let youth = state.db().get_youth(&user.scope(&context), id).await?;
    let access_log_href =
        (user.user.role() == Role::TeamLead).then(|| format!("/youth/{id}/access-log"));
    let portfolio_action = user
        .user
        .role()
        .is_programme_staff()
        .then(|| format!("/youth/{id}/portfolio"));
    let mut view = youth_page_view(
        &context,
        &user,
        youth,
        access_log_href,
        portfolio_action,
        "/youth",
    );
    if user.user.role() == Role::TeamLead {
        let tr = Tr::new(context.lang);
        view.consultants = std::iter::once((String::new(), tr.t("consultant-none")))
            .chain(
                state
                    .db()
                    .consultants(&user.scope(&context))
                    .await?
                    .into_iter()
                    .map(|(id, name)| (id.to_string(), name)),
            )
            .collect();
    }
    Ok(render(&view))
}

#[derive(Deserialize)]
pub struct ConsultantForm {
    #[serde(default)]
    consultant_id: String,
}

/// The team lead gives a youth a consultant (or takes it away).
pub async fn youth_consultant(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
    Form(form): Form<ConsultantForm>,
) -> AppResult<Response> {
    let id = forms::path_id(&id)?;
    let consultant = match form.consultant_id.trim() {
        "" => None,
        text => Some(text.parse::<i64>().map_err(|_| {
            AppError::invalid(vec![spire_domain::FieldError::new(
                "consultant_id",
                spire_domain::Problem::UnknownConsultant,
            )])
        })?),
    };
    state
        .db()
        .assign_consultant(&user.scope(&context), id, consultant)
        .await?;
    Ok(Redirect::to(&format!("/youth/{id}")).into_response())
}

fn youth_page_view(
    context: &RequestContext,
    user: &CurrentUser,
    youth: spire_store::YouthRow,
    access_log_href: Option<String>,
    portfolio_action: Option<String>,
    path: &str,
) -> YouthPageView {
    let tr = Tr::new(context.lang);
    let birth = time::Date::parse(
        &youth.birth_date,
        &time::format_description::well_known::Iso8601::DATE,
    )
    .ok();
    let today = time::OffsetDateTime::now_utc().date();
    YouthPageView {
        ctx: page_ctx(context, user, path),
        age: birth
            .map(|b| spire_domain::cpr::age_on(b, today))
            .unwrap_or(0),
        gender_label: tr.t(&format!("gender-{}", youth.gender)),
        interests: tags(&youth.interests),
        strengths: tags(&youth.strengths),
        youth,
        access_log_href,
        portfolio_action,
        consultants: Vec::new(),
    }
}

pub async fn my_record(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
) -> AppResult<Response> {
    let scope = user.scope(&context);
    let id = state
        .db()
        .own_youth_id(&scope)
        .await?
        .ok_or_else(AppError::not_found)?;
    let youth = state.db().get_youth(&scope, id).await?;
    Ok(render(&youth_page_view(
        &context,
        &user,
        youth,
        Some("/me/access-log".into()),
        Some("/me/portfolio".into()),
        "/me",
    )))
}

async fn save_portfolio(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    id: i64,
    form: &PortfolioForm,
) -> AppResult<()> {
    let (interests, strengths) = forms::parse_portfolio(form).map_err(AppError::invalid)?;
    state
        .db()
        .update_youth_portfolio(&user.scope(context), id, &interests, &strengths)
        .await?;
    Ok(())
}

pub async fn youth_portfolio(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
    Form(form): Form<PortfolioForm>,
) -> AppResult<Response> {
    let id = forms::path_id(&id)?;
    save_portfolio(&state, &context, &user, id, &form).await?;
    Ok(Redirect::to(&format!("/youth/{id}")).into_response())
}

/// A young person edits their own portfolio: what they can do and want.
pub async fn my_portfolio(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Form(form): Form<PortfolioForm>,
) -> AppResult<Response> {
    let scope = user.scope(&context);
    let id = state
        .db()
        .own_youth_id(&scope)
        .await?
        .ok_or_else(AppError::not_found)?;
    save_portfolio(&state, &context, &user, id, &form).await?;
    Ok(Redirect::to("/me").into_response())
}

fn youth_form_fields(tr: Tr, form: &YouthForm, messages: &FieldMessages) -> Vec<FormField> {
    vec![
        // The CPR value is never written back into the page.
        FormField::new(tr, "cpr", "text", "", messages)
            .required()
            .hint(tr.t("hint-cpr")),
        FormField::new(tr, "first_name", "text", &form.first_name, messages)
            .required()
            .autocomplete("given-name"),
        FormField::new(tr, "last_name", "text", &form.last_name, messages)
            .required()
            .autocomplete("family-name"),
        FormField::new(tr, "phone", "tel", &form.phone, messages).autocomplete("tel"),
        FormField::new(tr, "email", "email", &form.email, messages).autocomplete("email"),
        FormField::new(tr, "interests", "text", &form.interests, messages).hint(tr.t("hint-tags")),
        FormField::new(tr, "strengths", "text", &form.strengths, messages).hint(tr.t("hint-tags")),
    ]
}

/// The two pages that create a record share their flow: a form, then either
/// a redirect to the new record or the form again with messages by the fields.
struct CreatePage {
    title_id: &'static str,
    intro_id: Option<&'static str>,
    action: &'static str,
    record_path: &'static str,
}

const NEW_YOUTH: CreatePage = CreatePage {
    title_id: "nav-youth-new",
    intro_id: Some("youth-new-intro"),
    action: "/youth/new",
    record_path: "/youth",
};
const NEW_COMPANY: CreatePage = CreatePage {
    title_id: "company-new-title",
    intro_id: None,
    action: "/companies/new",
    record_path: "/companies",
};

impl CreatePage {
    fn view(
        &self,
        context: &RequestContext,
        user: &CurrentUser,
        fields: Vec<FormField>,
        has_errors: bool,
    ) -> Response {
        let tr = Tr::new(context.lang);
        render(&FormPageView {
            ctx: page_ctx(context, user, self.action),
            title: tr.t(self.title_id),
            intro: self.intro_id.map(|id| tr.t(id)),
            action: self.action,
            fields,
            has_errors,
        })
    }

    /// Redirects to the created record, or shows the form again (422) with
    /// every field's message, built by `fields`.
    fn outcome(
        &self,
        context: &RequestContext,
        user: &CurrentUser,
        result: Result<i64, AppError>,
        fields: impl FnOnce(&FieldMessages) -> Vec<FormField>,
    ) -> AppResult<Response> {
        match result {
            Ok(id) => Ok(Redirect::to(&format!("{}/{id}", self.record_path)).into_response()),
            Err(AppError(ErrorKind::Invalid(errors))) => {
                let messages = FieldMessages::from_errors(Tr::new(context.lang), &errors);
                let page = self.view(context, user, fields(&messages), true);
                Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
            }
            Err(other) => Err(other),
        }
    }
}

pub async fn youth_new_form(Extension(context): Ctx, Extension(user): User) -> Response {
    let fields = youth_form_fields(
        Tr::new(context.lang),
        &YouthForm::default(),
        &FieldMessages::default(),
    );
    NEW_YOUTH.view(&context, &user, fields, false)
}

pub async fn youth_new_submit(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Form(form): Form<YouthForm>,
) -> AppResult<Response> {
    let consultant = (user.user.role() == Role::Consultant).then_some(user.user.id);
    let result = match forms::parse_youth(&form, consultant) {
        Ok(new_youth) => state
            .db()
            .create_youth(&user.scope(&context), state.key(), &new_youth)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    NEW_YOUTH.outcome(&context, &user, result, |messages| {
        youth_form_fields(Tr::new(context.lang), &form, messages)
    })
}

pub async fn youth_access_log(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = forms::path_id(&id)?;
    let scope = user.scope(&context);
    let youth = state.db().get_youth(&scope, id).await?;
    let entries = state.db().access_log_for_youth(&scope, id).await?;
    let tr = Tr::new(context.lang);
    let view = AccessLogView {
        ctx: page_ctx(&context, &user, "/access-log"),
        title: tr.t_args(
            "access-log-extract-title",
            &[(
                "name",
                Arg::Text(format!("{} {}", youth.first_name, youth.last_name)),
            )],
        ),
        intro: tr.t("access-log-extract-intro"),
        entries,
        filters: None,
    };
    Ok(render(&view))
}

pub async fn my_access_log(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
) -> AppResult<Response> {
    let scope = user.scope(&context);
    let id = state
        .db()
        .own_youth_id(&scope)
        .await?
        .ok_or_else(AppError::not_found)?;
    let entries = state.db().access_log_for_youth(&scope, id).await?;
    let tr = Tr::new(context.lang);
    let view = AccessLogView {
        ctx: page_ctx(&context, &user, "/me/access-log"),
        title: tr.t("nav-my-access-log"),
        intro: tr.t("access-log-mine-intro"),
        entries,
        filters: None,
    };
    Ok(render(&view))
}

pub async fn access_log(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Query(filters): Query<AccessLogFilters>,
) -> AppResult<Response> {
    let query = AccessLogQuery {
        user_login: Some(filters.user.trim().to_lowercase()).filter(|u| !u.is_empty()),
        youth_id: None,
        from: forms::date_start("from", &filters.from)?,
        to: forms::date_start("to", &filters.to)?.map(|t| t + 86_400),
        limit: 500,
    };
    let entries = state
        .db()
        .search_access_log(&user.scope(&context), &query)
        .await?;
    let tr = Tr::new(context.lang);
    let view = AccessLogView {
        ctx: page_ctx(&context, &user, "/access-log"),
        title: tr.t("nav-access-log"),
        intro: tr.t("access-log-intro"),
        entries,
        filters: Some(filters),
    };
    Ok(render(&view))
}

pub async fn company_list(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let rows = state
        .db()
        .search_companies(&user.scope(&context), &query.q, 200)
        .await?;
    let view = CompanyListView {
        ctx: page_ctx(&context, &user, "/companies"),
        q: query.q,
        rows,
        may_create: user.user.role().is_programme_staff(),
    };
    Ok(render(&view))
}

pub async fn company_page(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Path(id): Path<String>,
) -> AppResult<Response> {
    let id = forms::path_id(&id)?;
    let (company, contacts) = state.db().get_company(&user.scope(&context), id).await?;
    Ok(render(&CompanyPageView {
        ctx: page_ctx(&context, &user, "/companies"),
        company,
        contacts,
    }))
}

fn company_form_fields(tr: Tr, form: &CompanyForm, messages: &FieldMessages) -> Vec<FormField> {
    vec![
        FormField::new(tr, "cvr", "text", &form.cvr, messages)
            .required()
            .hint(tr.t("hint-cvr")),
        FormField::new(tr, "name", "text", &form.name, messages)
            .required()
            .autocomplete("organization"),
        FormField::new(tr, "industry", "text", &form.industry, messages).required(),
        FormField::new(tr, "address", "text", &form.address, messages)
            .autocomplete("street-address"),
    ]
}

pub async fn company_new_form(Extension(context): Ctx, Extension(user): User) -> Response {
    let fields = company_form_fields(
        Tr::new(context.lang),
        &CompanyForm::default(),
        &FieldMessages::default(),
    );
    NEW_COMPANY.view(&context, &user, fields, false)
}

pub async fn company_new_submit(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Form(form): Form<CompanyForm>,
) -> AppResult<Response> {
    let result = match forms::parse_company(&form) {
        Ok(company) => state
            .db()
            .create_company(&user.scope(&context), &company)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    NEW_COMPANY.outcome(&context, &user, result, |messages| {
        company_form_fields(Tr::new(context.lang), &form, messages)
    })
}

async fn admin_users_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    form: &UserForm,
    messages: &FieldMessages,
    created: Option<String>,
) -> AppResult<AdminUsersView> {
    let tr = Tr::new(context.lang);
    let users = state.db().list_users().await?;
    let municipalities = state.db().list_municipalities().await?;
    let roles = Role::ALL
        .iter()
        .map(|r| {
            (
                r.code().to_string(),
                tr.t(&format!("role-{}", r.code().replace('_', "-"))),
            )
        })
        .collect();
    let municipality_options = std::iter::once((String::new(), tr.t("none-cross-municipal")))
        .chain(
            municipalities
                .iter()
                .map(|m| (m.code.to_string(), format!("{} ({})", m.name, m.code))),
        )
        .collect();
    let fields = vec![
        FormField::new(tr, "login", "text", &form.login, messages)
            .required()
            .hint(tr.t("hint-login")),
        FormField::new(tr, "display_name", "text", &form.display_name, messages).required(),
        FormField::new(tr, "password", "password", "", messages)
            .required()
            .autocomplete("new-password")
            .hint(tr.t("hint-password")),
        FormField::new(tr, "role", "select", &form.role, messages).options(roles),
        FormField::new(
            tr,
            "municipality_code",
            "select",
            &form.municipality_code,
            messages,
        )
        .options(municipality_options),
    ];
    Ok(AdminUsersView {
        ctx: page_ctx(context, user, "/admin/users"),
        users,
        has_errors: !messages.is_empty(),
        fields,
        created,
    })
}

pub async fn admin_users(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
) -> AppResult<Response> {
    Ok(render(
        &admin_users_view(
            &state,
            &context,
            &user,
            &UserForm::default(),
            &FieldMessages::default(),
            None,
        )
        .await?,
    ))
}

pub async fn admin_users_create(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
    Form(form): Form<UserForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let result = match forms::parse_user(&form) {
        Ok(new_user) => state
            .db()
            .create_user(&new_user)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    match result {
        Ok(_) => {
            let created = tr.t_args(
                "user-created",
                &[("login", Arg::Text(form.login.trim().to_string()))],
            );
            Ok(render(
                &admin_users_view(
                    &state,
                    &context,
                    &user,
                    &UserForm::default(),
                    &FieldMessages::default(),
                    Some(created),
                )
                .await?,
            ))
        }
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let messages = FieldMessages::from_errors(tr, &errors);
            let view = admin_users_view(&state, &context, &user, &form, &messages, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other),
    }
}

pub async fn overview(
    State(state): State<AppState>,
    Extension(context): Ctx,
    Extension(user): User,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let rows = state.db().municipality_overview().await?;
    let bars: Vec<(String, f64)> = rows
        .iter()
        .map(|m| (m.name.clone(), m.youth as f64))
        .collect();
    let chart = bar_chart(&tr.t("overview-chart"), &bars, None);
    Ok(render(&OverviewView {
        ctx: page_ctx(&context, &user, "/overview"),
        rows,
        chart,
    }))
}
