//! The youth pages: the list and search, a young person's page, registering
//! one, the portfolio (staff and the young person themselves), assigning a
//! consultant. Every read goes through the store with the caller's `Scope`.

use super::forms::{self, PortfolioForm, YouthForm};
use crate::http::context::{Caller, CurrentUser, PathId, RequestContext};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::params;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::create_form::CreatePage;
use crate::ui::fields::{FieldMessages, FormBanner, FormField, person_fields};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::eligibility::OutsideTrial;
use spire_domain::validation::limits;
use spire_domain::{Role, YouthId};
use spire_store::YouthRow;

const YOUTH_PER_PAGE: i64 = 25;

#[derive(Template)]
#[template(path = "youth/list.html")]
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
    /// For a consultant: whether the list shows only their own youth, with
    /// the link to the other view.
    pub own_filter: Option<(bool, &'static str)>,
}

#[derive(Template)]
#[template(path = "youth/page.html")]
pub struct YouthPageView {
    pub ctx: PageCtx,
    /// What the last save did ("Gemt."), after its redirect.
    pub notice: Option<String>,
    pub youth: YouthRow,
    pub age: i32,
    pub gender_label: String,
    pub interests: Vec<String>,
    pub strengths: Vec<String>,
    pub access_log_href: Option<String>,
    /// Where the portfolio form posts, for those who may edit it.
    pub portfolio_action: Option<String>,
    /// Interests and strengths: as stored, or as typed when refused.
    pub portfolio_fields: Vec<FormField>,
    /// Open when the form came back refused.
    pub portfolio_open: bool,
    /// The young person's own record (`/me`): the page speaks to them.
    pub is_own: bool,
    /// For the team lead: who the youth can be assigned to (id, name).
    pub consultants: Vec<(String, String)>,
    /// For programme staff: the course, internships and conversations.
    pub course_href: Option<String>,
    /// Skills, experiences and references (staff and the youth themselves).
    pub entries: Vec<spire_store::PortfolioEntry>,
    /// Where a new entry is posted, and the CV, for those who may.
    pub entry_action: Option<String>,
    pub cv_href: Option<String>,
    pub entry_kinds: Vec<(String, String)>,
    /// The 6-week conversations: one SVG chart per measure.
    pub progress_charts: Vec<String>,
    /// Meeting stability in the youth network ("75 %"), for staff and the youth.
    pub meeting_stability: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    page: Option<String>,
    /// A consultant asks for every youth of the municipality, not only theirs.
    all: Option<String>,
}

fn youth_list_view(
    tr: Tr,
    ctx: PageCtx,
    q: &str,
    page: spire_store::YouthPage,
    may_register: bool,
    linkable_query: bool,
    all_youth: bool,
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
        let all = if all_youth { "all=1&" } else { "" };
        format!("/youth?{query}{all}page={n}")
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
        own_filter: None,
    }
}

/// The youth list. A CPR number may not travel in a URL: CPR searches go
/// through the POST form, and a CPR-shaped `q` here is refused.
pub async fn youth_list(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<ListQuery>,
) -> AppResult<Response> {
    let tr = caller.tr();
    if spire_domain::Cpr::parse("q", &query.q).is_ok() {
        return Err(AppError::invalid(vec![spire_domain::FieldError::new(
            "q",
            spire_domain::Problem::CprFormat,
        )]));
    }
    let page = params::page_number(query.page.as_deref())?;
    let scope = caller.scope();
    // A consultant's list starts with their own youth; all are one click away.
    let is_consultant = caller.role() == Role::Consultant;
    let own_only = is_consultant && query.all.is_none();
    let result = state
        .db()
        .search_youth_of(
            &scope,
            state.key(),
            &query.q,
            page,
            YOUTH_PER_PAGE,
            own_only.then_some(caller.user.user.id),
        )
        .await?;
    let mut view = youth_list_view(
        tr,
        caller.page("/youth"),
        &query.q,
        result,
        true,
        true,
        !own_only,
    );
    view.own_filter =
        is_consultant.then_some((own_only, if own_only { "/youth?all=1" } else { "/youth" }));
    Ok(render(&view))
}

#[derive(Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
}

pub async fn youth_search(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<SearchForm>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let scope = caller.scope();
    let is_cpr = spire_domain::Cpr::parse("q", &form.q).is_ok();
    let result = state
        .db()
        .search_youth(&scope, state.key(), &form.q, 1, YOUTH_PER_PAGE)
        .await?;
    // After a CPR search the number is not echoed back into the page.
    let view = youth_list_view(
        tr,
        caller.page("/youth"),
        &form.q,
        result,
        true,
        !is_cpr,
        true,
    );
    Ok(render(&view))
}

/// `?saved=…` after a save on the youth's page.
#[derive(Default, serde::Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

impl SavedQuery {
    fn notice(&self, tr: Tr) -> Option<String> {
        match self.saved.as_deref()? {
            "portfolio" => Some(tr.t("youth-saved-portfolio")),
            "consultant" => Some(tr.t("youth-saved-consultant")),
            _ => None,
        }
    }
}

pub async fn youth_page(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<YouthId>,
    Query(saved): Query<SavedQuery>,
) -> AppResult<Response> {
    let mut view = staff_youth_view(&state, &context, &user, id).await?;
    view.notice = saved.notice(Tr::new(context.lang));
    Ok(render(&view))
}

/// The youth's page for staff (the team lead with the consultant picker).
async fn staff_youth_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    id: YouthId,
) -> AppResult<YouthPageView> {
    let youth = state.db().get_youth(&user.scope(context), id).await?;
    let access_log_href =
        (user.user.role() == Role::TeamLead).then(|| format!("/youth/{id}/access-log"));
    let portfolio_action = user
        .user
        .role()
        .is_programme_staff()
        .then(|| format!("/youth/{id}/portfolio"));
    let mut view = youth_page_view(
        context,
        user,
        youth,
        access_log_href,
        portfolio_action,
        "/youth",
    );
    if user.user.role().is_programme_staff() {
        view.entries = state
            .db()
            .portfolio_entries(&user.scope(context), id)
            .await?;
        view.entry_action = Some(format!("/youth/{id}/portfolio/entries"));
        view.cv_href = Some(format!("/youth/{id}/cv"));
        let scores = state.db().progress_scores(&user.scope(context), id).await?;
        view.progress_charts =
            crate::courses::pages::progress_charts(Tr::new(context.lang), &scores, false);
        let stability = state
            .db()
            .youth_meeting_stability(&user.scope(context), id)
            .await?;
        view.meeting_stability = Some(Tr::new(context.lang).percent(stability));
    }
    if user.user.role() == Role::TeamLead {
        let tr = Tr::new(context.lang);
        view.consultants = std::iter::once((String::new(), tr.t("consultant-none")))
            .chain(
                state
                    .db()
                    .consultants(&user.scope(context))
                    .await?
                    .into_iter()
                    .map(|(id, name)| (id.to_string(), name)),
            )
            .collect();
    }
    Ok(view)
}

#[derive(Deserialize)]
pub struct ConsultantForm {
    #[serde(default)]
    consultant_id: String,
}

/// The team lead gives a youth a consultant (or takes it away).
pub async fn youth_consultant(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<YouthId>,
    Form(form): Form<ConsultantForm>,
) -> AppResult<Response> {
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
        .assign_consultant(&caller.scope(), id, consultant)
        .await?;
    Ok(Redirect::to(&format!("/youth/{id}?saved=consultant")).into_response())
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
    let youth_id = youth.id;
    YouthPageView {
        notice: None,
        ctx: page_ctx(context, user, path),
        age: birth
            .map(|b| spire_domain::cpr::age_on(b, today))
            .unwrap_or(0),
        gender_label: tr.t(&format!("gender-{}", youth.gender)),
        interests: tags(&youth.interests),
        strengths: tags(&youth.strengths),
        portfolio_fields: portfolio_fields(
            tr,
            &youth.interests,
            &youth.strengths,
            &FieldMessages::default(),
        ),
        portfolio_open: false,
        is_own: path == "/me",
        youth,
        course_href: user
            .user
            .role()
            .is_programme_staff()
            .then(|| format!("/youth/{youth_id}/course")),
        access_log_href,
        portfolio_action,
        consultants: Vec::new(),
        entries: Vec::new(),
        entry_action: None,
        cv_href: None,
        entry_kinds: ["skill", "experience"]
            .iter()
            .map(|k| (k.to_string(), tr.t(&format!("portfolio-kind-{k}"))))
            .collect(),
        progress_charts: Vec::new(),
        meeting_stability: None,
    }
}

/// Said to a young person whose login is not yet linked to their record.
#[derive(Template)]
#[template(path = "youth/unlinked.html")]
struct UnlinkedView {
    ctx: PageCtx,
}

pub async fn my_record(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Query(saved): Query<SavedQuery>,
) -> AppResult<Response> {
    if state
        .db()
        .own_youth_id(&user.scope(&context))
        .await?
        .is_none()
    {
        return Ok(render(&UnlinkedView {
            ctx: page_ctx(&context, &user, "/me"),
        }));
    }
    let mut view = own_youth_view(&state, &context, &user).await?.1;
    view.notice = saved.notice(Tr::new(context.lang));
    Ok(render(&view))
}

/// The young person's own record, and its id.
async fn own_youth_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
) -> AppResult<(YouthId, YouthPageView)> {
    let scope = user.scope(context);
    let id = state
        .db()
        .own_youth_id(&scope)
        .await?
        .ok_or_else(AppError::not_linked)?;
    let youth = state.db().get_youth(&scope, id).await?;
    let mut view = youth_page_view(
        context,
        user,
        youth,
        Some("/me/access-log".into()),
        Some("/me/portfolio".into()),
        "/me",
    );
    view.entries = state.db().portfolio_entries(&scope, id).await?;
    view.entry_action = Some("/me/portfolio/entries".into());
    view.cv_href = Some("/me/cv".into());
    let scores = state.db().progress_scores(&scope, id).await?;
    view.progress_charts =
        crate::courses::pages::progress_charts(Tr::new(context.lang), &scores, true);
    let stability = state.db().youth_meeting_stability(&scope, id).await?;
    view.meeting_stability = Some(Tr::new(context.lang).percent(stability));
    Ok((id, view))
}

/// The portfolio form again, with what was typed and why it was refused.
fn refused_portfolio(
    context: &RequestContext,
    mut view: YouthPageView,
    form: &PortfolioForm,
    errors: &[spire_domain::FieldError],
) -> Response {
    let tr = Tr::new(context.lang);
    let messages = FieldMessages::from_errors(tr, errors);
    view.portfolio_fields = portfolio_fields(tr, &form.interests, &form.strengths, &messages);
    view.portfolio_open = true;
    (axum::http::StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response()
}

/// Interests and strengths, comma-separated tags, each list at most
/// `forms::PORTFOLIO_MAX` characters.
fn portfolio_fields(
    tr: Tr,
    interests: &str,
    strengths: &str,
    messages: &FieldMessages,
) -> Vec<FormField> {
    vec![
        FormField::new(tr, "interests", "text", interests, messages)
            .max_length(forms::PORTFOLIO_MAX)
            .hint(tr.t("hint-tags")),
        FormField::new(tr, "strengths", "text", strengths, messages)
            .max_length(forms::PORTFOLIO_MAX)
            .hint(tr.t("hint-tags")),
    ]
}

async fn save_portfolio(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    id: YouthId,
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
    Caller { context, user }: Caller,
    PathId(id): PathId<YouthId>,
    Form(form): Form<PortfolioForm>,
) -> AppResult<Response> {
    match save_portfolio(&state, &context, &user, id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/youth/{id}?saved=portfolio")).into_response()),
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let view = staff_youth_view(&state, &context, &user, id).await?;
            Ok(refused_portfolio(&context, view, &form, &errors))
        }
        Err(other) => Err(other),
    }
}

/// A young person edits their own portfolio: what they can do and want.
pub async fn my_portfolio(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Form(form): Form<PortfolioForm>,
) -> AppResult<Response> {
    let (id, view) = own_youth_view(&state, &context, &user).await?;
    match save_portfolio(&state, &context, &user, id, &form).await {
        Ok(()) => Ok(Redirect::to("/me?saved=portfolio").into_response()),
        Err(AppError(ErrorKind::Invalid(errors))) => {
            Ok(refused_portfolio(&context, view, &form, &errors))
        }
        Err(other) => Err(other),
    }
}

/// The registration form; while a trial is open here (its age band given),
/// it asks why the young person is outside the trial's target group.
fn youth_form_fields(
    tr: Tr,
    form: &YouthForm,
    messages: &FieldMessages,
    open_trial: Option<(i32, i32)>,
) -> Vec<FormField> {
    let mut fields = Vec::from(person_fields(
        tr,
        &form.first_name,
        &form.last_name,
        messages,
    ));
    if let Some((min, max)) = open_trial {
        let reason = |code: &str| match code {
            "age" => tr.t_args(
                "outside-trial-age",
                &[
                    ("min", Arg::Number(min.into())),
                    ("max", Arg::Number(max.into())),
                ],
            ),
            other => tr.t(&format!("outside-trial-{other}")),
        };
        let options = std::iter::once((String::new(), tr.t("outside-trial-choose")))
            .chain(
                OutsideTrial::CODES
                    .iter()
                    .map(|code| (code.to_string(), reason(code))),
            )
            .collect();
        fields.extend([
            FormField::new(tr, "outside_trial", "select", &form.outside_trial, messages)
                .required()
                .options(options)
                .hint(tr.t("hint-outside-trial")),
            FormField::new(
                tr,
                "outside_trial_note",
                "textarea",
                &form.outside_trial_note,
                messages,
            )
            .max_length(OutsideTrial::NOTE_MAX),
        ]);
    }
    fields.extend([
        FormField::new(tr, "phone", "tel", &form.phone, messages)
            .autocomplete("tel")
            .max_length(limits::PHONE),
        FormField::new(tr, "email", "email", &form.email, messages)
            .autocomplete("email")
            .max_length(limits::EMAIL),
        FormField::new(tr, "interests", "text", &form.interests, messages)
            .hint(tr.t("hint-tags"))
            .max_length(forms::PORTFOLIO_MAX),
        FormField::new(tr, "strengths", "text", &form.strengths, messages)
            .hint(tr.t("hint-tags"))
            .max_length(forms::PORTFOLIO_MAX),
    ]);
    fields
}

const NEW_YOUTH: CreatePage = CreatePage {
    title_id: "nav-youth-new",
    intro_id: Some("youth-new-intro"),
    action: "/youth/new",
    record_path: "/youth",
};

pub async fn youth_new_form(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    let open_trial = state
        .db()
        .open_trial_age_band(&user.scope(&context))
        .await?;
    let fields = youth_form_fields(
        Tr::new(context.lang),
        &YouthForm::default(),
        &FieldMessages::default(),
        open_trial,
    );
    Ok(NEW_YOUTH.view(&context, &user, fields, FormBanner::default()))
}

pub async fn youth_new_submit(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Form(form): Form<YouthForm>,
) -> AppResult<Response> {
    let consultant = (user.user.role() == Role::Consultant).then_some(user.user.id);
    let open_trial = state
        .db()
        .open_trial_age_band(&user.scope(&context))
        .await?;
    let result = match forms::parse_youth(&form, consultant) {
        Ok(new_youth) => state
            .db()
            .create_youth(&user.scope(&context), state.key(), &new_youth)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    NEW_YOUTH.outcome(&context, &user, result, |messages| {
        youth_form_fields(Tr::new(context.lang), &form, messages, open_trial)
    })
}

/// Splits a comma-separated list for display as tags.
pub fn tags(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}
