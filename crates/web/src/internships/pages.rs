//! The internship pages: creating one for a youth, its page with the history
//! and the forms that change it (staff: status, extension, function,
//! check-in; the youth: ending it; the company contact: a reference), the
//! youth's own list and the list of a company contact. A change answers with
//! a redirect to the page and a message (post/redirect/get); a refused change
//! shows the page again with what was typed and the message by the field.

use super::forms::{
    self, ChangeForm, FUNCTION_MAX, InternshipForm, NOTE_MAX, REASON_MAX, SCHEDULE_MAX, TRANSITIONS,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::create_form::{after_form, form_page};
use crate::ui::fields::{ActionForm, FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use spire_domain::internship::Status;
use spire_domain::{InternshipId, Role, YouthId};
use spire_store::{InternshipEvent, InternshipRow};

pub struct HistoryLine {
    pub when: String,
    pub what: String,
    pub detail: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "internships/page.html")]
pub struct InternshipPageView {
    pub ctx: PageCtx,
    pub row: InternshipRow,
    pub status_label: String,
    pub dates: String,
    pub hours: String,
    pub history: Vec<HistoryLine>,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
    pub youth_href: Option<String>,
}

#[derive(Template)]
#[template(path = "internships/list.html")]
pub struct InternshipListView {
    pub ctx: PageCtx,
    pub title: String,
    pub intro: String,
    pub rows: Vec<(InternshipRow, String, String)>,
    /// Staff and companies see whose internship it is; the young person
    /// reads only their own.
    pub show_youth: bool,
}

/// A status in words ("Aktiv", "Afbrudt af den unge").
pub fn status_label(tr: Tr, row: &InternshipRow) -> String {
    match (row.ended_by.as_deref(), row.converted_to.as_deref()) {
        (Some(by), _) => tr.t(&format!("internship-status-interrupted-{by}")),
        (_, Some(to)) => tr.t(&format!(
            "internship-status-converted-{}",
            to.replace('_', "-")
        )),
        _ => tr.t(&format!("internship-status-{}", row.status)),
    }
}

/// "02.03.2026 – 29.03.2026 (28 dage)".
pub fn date_range(tr: Tr, start: &str, end: &str) -> String {
    let days = match (
        spire_domain::internship::parse_date("start", start),
        spire_domain::internship::parse_date("end", end),
    ) {
        (Ok(s), Ok(e)) => spire_domain::internship::length_days(s, e),
        _ => 0,
    };
    format!(
        "{} – {} ({})",
        tr.iso_date(start),
        tr.iso_date(end),
        tr.count("internship-days", days)
    )
}

fn history_line(tr: Tr, event: &InternshipEvent) -> HistoryLine {
    let date = |d: &Option<String>| d.as_deref().map(|d| tr.iso_date(d)).unwrap_or_default();
    let (what, detail) = match event.kind.as_str() {
        "created" => (
            tr.t("internship-event-created"),
            format!("{} ({})", event.detail, date(&event.effective_date)),
        ),
        "function" => (
            tr.t("internship-event-function"),
            tr.t_args(
                "internship-event-function-detail",
                &[
                    (
                        "from",
                        Arg::Text(event.previous.clone().unwrap_or_default()),
                    ),
                    ("to", Arg::Text(event.detail.clone())),
                    ("date", Arg::Text(date(&event.effective_date))),
                ],
            ),
        ),
        "extension" => (
            tr.t("internship-event-extension"),
            tr.t_args(
                "internship-event-extension-detail",
                &[
                    ("from", Arg::Text(date(&event.previous))),
                    ("to", Arg::Text(date(&event.effective_date))),
                    (
                        "reason",
                        Arg::Text(event.reason.clone().unwrap_or_default()),
                    ),
                    (
                        "decided",
                        Arg::Text(event.decided_by.clone().unwrap_or_default()),
                    ),
                ],
            ),
        ),
        "status" => {
            let (status, qualifier) = event
                .detail
                .split_once(':')
                .unwrap_or((event.detail.as_str(), ""));
            let label = match (status, qualifier) {
                ("interrupted", by) if !by.is_empty() => {
                    tr.t(&format!("internship-status-interrupted-{by}"))
                }
                ("converted", to) if !to.is_empty() => tr.t(&format!(
                    "internship-status-converted-{}",
                    to.replace('_', "-")
                )),
                (status, _) => tr.t(&format!("internship-status-{status}")),
            };
            let reason = event
                .reason
                .as_deref()
                .map(|r| format!(": {r}"))
                .unwrap_or_default();
            (tr.t("internship-event-status"), format!("{label}{reason}"))
        }
        _ => (tr.t("internship-event-check-in"), event.detail.clone()),
    };
    HistoryLine {
        when: tr.datetime(event.recorded_at),
        what,
        detail,
        by: event.recorded_by_name.clone(),
    }
}

/// The transitions allowed from the current status, as (code, label).
fn allowed_transitions(tr: Tr, status: &str) -> Vec<(String, String)> {
    let Some(status) = Status::from_code(status) else {
        return Vec::new();
    };
    TRANSITIONS
        .iter()
        .filter(|code| {
            forms::parse_transition(code)
                .ok()
                .is_some_and(|t| status.after(t).is_ok())
        })
        .map(|code| {
            (
                code.to_string(),
                tr.t(&format!("internship-do-{}", code.replace('_', "-"))),
            )
        })
        .collect()
}

/// The page of one internship, with the forms the caller's role may use
/// (`failed` names the form that was refused, to open it with its messages).
async fn page_view(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    typed: &ChangeForm,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
) -> AppResult<InternshipPageView> {
    let tr = caller.tr();
    let (row, events) = state.db().internship(&caller.scope(), id).await?;
    let role = caller.role();
    let open = row.status == "planned" || row.status == "active";
    let form = |id: &'static str, button: &str| ActionForm {
        id,
        title: tr.t(&format!("internship-form-{}", id.replace('_', "-"))),
        action: format!("/internships/{}/{}", row.id, id.replace('_', "-")),
        button: tr.t(button),
        open: failed == Some(id),
    };
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let mut action_forms = Vec::new();
    if role.is_programme_staff() && open {
        let mut transitions = vec![(String::new(), tr.t("choose"))];
        transitions.extend(allowed_transitions(tr, &row.status));
        action_forms.push((
            form("status", "save"),
            vec![
                field("transition", "select", &typed.transition)
                    .required()
                    .options(transitions),
                field("reason", "textarea", &typed.reason)
                    .max_length(REASON_MAX)
                    .hint(tr.t("hint-reason-interruption")),
            ],
        ));
        action_forms.push((
            form("extend", "internship-extend"),
            vec![
                field("new_end_date", "date", &typed.new_end_date).required(),
                field("reason", "textarea", &typed.reason)
                    .required()
                    .max_length(REASON_MAX),
                field("decided_by", "text", &typed.decided_by)
                    .required()
                    .max_length(forms::DECIDED_BY_MAX),
            ],
        ));
        action_forms.push((
            form("function", "save"),
            vec![
                field("function", "text", &typed.function)
                    .required()
                    .max_length(FUNCTION_MAX),
                field("from_date", "date", &typed.from_date).required(),
            ],
        ));
    }
    if role.is_programme_staff() {
        action_forms.push((
            form("check_in", "save"),
            vec![
                field("note", "textarea", &typed.note)
                    .required()
                    .max_length(NOTE_MAX),
            ],
        ));
    }
    if role == Role::Youth && open {
        action_forms.push((
            form("end", "internship-end"),
            vec![
                field("reason", "textarea", &typed.reason)
                    .required()
                    .max_length(REASON_MAX)
                    .hint(tr.t("hint-end-own")),
            ],
        ));
    }
    if role == Role::CompanyContact {
        action_forms.push((
            form("reference", "save"),
            vec![
                field("note", "textarea", &typed.note)
                    .required()
                    .max_length(NOTE_MAX)
                    .hint(tr.t("hint-reference")),
            ],
        ));
    }
    let path = format!("/internships/{id}");
    Ok(InternshipPageView {
        ctx: caller.page(&path),
        status_label: status_label(tr, &row),
        dates: date_range(tr, &row.start_date, &row.end_date),
        hours: tr.number(
            row.hours_per_week,
            if row.hours_per_week.fract() == 0.0 {
                0
            } else {
                1
            },
        ),
        history: events.iter().map(|e| history_line(tr, e)).collect(),
        saved,
        banner: messages.banner(),
        forms: action_forms,
        youth_href: role
            .is_programme_staff()
            .then(|| format!("/youth/{}/course", row.youth_id)),
        row,
    })
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// The success message after a change (`?saved=extend`); an unknown word shows nothing.
fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    [
        "created",
        "status",
        "extend",
        "function",
        "check-in",
        "end",
        "reference",
    ]
    .contains(&kind)
    .then(|| tr.t(&format!("internship-saved-{kind}")))
}

pub async fn internship_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = page_view(
        &state,
        &caller,
        id,
        &ChangeForm::default(),
        &FieldMessages::default(),
        None,
        saved,
    )
    .await?;
    Ok(render(&view))
}

/// A change's outcome: to the page with a message, or the page again (422)
/// with what was typed and the messages by the fields of form `which`.
async fn change_outcome(
    state: &AppState,
    caller: &Caller,
    id: InternshipId,
    which: &'static str,
    form: &ChangeForm,
    result: AppResult<()>,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        |()| format!("/internships/{id}?saved={}", which.replace('_', "-")),
        |messages| async move {
            let view = page_view(state, caller, id, form, &messages, Some(which), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

pub async fn internship_status(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = super::actions::apply_status(&state, &caller, id, &form).await;
    change_outcome(&state, &caller, id, "status", &form, result).await
}

pub async fn internship_extend(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = super::actions::apply_extension(&state, &caller, id, &form).await;
    change_outcome(&state, &caller, id, "extend", &form, result).await
}

pub async fn internship_function(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = super::actions::apply_function(&state, &caller, id, &form).await;
    change_outcome(&state, &caller, id, "function", &form, result).await
}

pub async fn internship_check_in(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = super::actions::apply_check_in(&state, &caller, id, &form).await;
    change_outcome(&state, &caller, id, "check_in", &form, result).await
}

/// The youth ends their own internship (power shift), with a reason.
pub async fn internship_end(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = super::actions::apply_end(&state, &caller, id, &form).await;
    change_outcome(&state, &caller, id, "end", &form, result).await
}

/// A company contact writes a reference for the youth's portfolio.
pub async fn internship_reference(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<InternshipId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = match forms::text("note", &form.note, NOTE_MAX) {
        Ok(text) => state
            .db()
            .write_reference(&caller.scope(), id, &text)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    change_outcome(&state, &caller, id, "reference", &form, result).await
}

fn new_internship_fields(
    tr: Tr,
    form: &InternshipForm,
    messages: &FieldMessages,
    companies: Vec<(String, String)>,
    contacts: Vec<(String, String)>,
    limit_hint: String,
) -> Vec<FormField> {
    vec![
        FormField::new(tr, "company_id", "select", &form.company_id, messages)
            .required()
            .options(companies),
        FormField::new(tr, "contact_id", "select", &form.contact_id, messages).options(contacts),
        FormField::new(tr, "function", "text", &form.function, messages)
            .required()
            .max_length(FUNCTION_MAX),
        FormField::new(tr, "start_date", "date", &form.start_date, messages).required(),
        FormField::new(tr, "end_date", "date", &form.end_date, messages)
            .required()
            .hint(limit_hint),
        FormField::new(
            tr,
            "hours_per_week",
            "number",
            &form.hours_per_week,
            messages,
        )
        .required()
        .hint(tr.t("hint-hours")),
        FormField::new(tr, "schedule", "text", &form.schedule, messages)
            .max_length(SCHEDULE_MAX)
            .hint(tr.t("hint-schedule")),
    ]
}

async fn new_internship_page(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    form: &InternshipForm,
    messages: FieldMessages,
) -> AppResult<Response> {
    let messages = &messages;
    let tr = caller.tr();
    let scope = caller.scope();
    let person = state.db().get_youth(&scope, youth).await?;
    let rules = state.db().programme_rules().await?.internship;
    let mut companies = vec![(String::new(), tr.t("choose"))];
    companies.extend(
        state
            .db()
            .search_companies(&scope, "", 500)
            .await?
            .into_iter()
            .map(|c| (c.id.to_string(), format!("{} ({})", c.name, c.industry))),
    );
    let mut contacts = vec![(String::new(), tr.t("contact-none"))];
    contacts.extend(
        state
            .db()
            .company_contacts(&scope)
            .await?
            .into_iter()
            .map(|(id, _, company, name)| (id.to_string(), format!("{company}: {name}"))),
    );
    let hint = tr.t_args(
        "hint-internship-limit",
        &[
            ("job", Arg::Number(rules.job_ready_weeks)),
            ("activity", Arg::Number(rules.activity_ready_weeks)),
            (
                "hours",
                Arg::Number(rules.max_hours_per_week.floor() as i64),
            ),
        ],
    );
    let fields = new_internship_fields(tr, form, messages, companies, contacts, hint);
    let page = form_page(
        &caller.context,
        &caller.user,
        tr.t_args(
            "internship-new-title",
            &[(
                "name",
                Arg::Text(format!("{} {}", person.first_name, person.last_name)),
            )],
        ),
        Some(tr.t("internship-new-intro")),
        format!("/youth/{youth}/internships/new"),
        fields,
        messages.banner(),
    );
    Ok(page)
}

pub async fn internship_new_form(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Response> {
    new_internship_page(
        &state,
        &caller,
        youth,
        &InternshipForm::default(),
        FieldMessages::default(),
    )
    .await
}

pub async fn internship_new_submit(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Form(form): Form<InternshipForm>,
) -> AppResult<Response> {
    let result = match forms::parse_internship(youth, &form) {
        Ok(new) => state
            .db()
            .create_internship(&caller.scope(), &new)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    after_form(
        caller.tr(),
        result,
        |id| format!("/internships/{id}?saved=created"),
        |messages| new_internship_page(&state, &caller, youth, &form, messages),
    )
    .await
}

fn list_rows(tr: Tr, rows: Vec<InternshipRow>) -> Vec<(InternshipRow, String, String)> {
    rows.into_iter()
        .map(|row| {
            let status = status_label(tr, &row);
            let dates = date_range(tr, &row.start_date, &row.end_date);
            (row, status, dates)
        })
        .collect()
}

/// The youth's own internships; each opens its page, where they can end it.
pub async fn my_internships(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    let tr = caller.tr();
    let scope = caller.scope();
    // A login not yet linked to its record has no internships yet.
    let rows = match state.db().own_youth_id(&scope).await? {
        Some(youth) => state.db().youth_internships(&scope, youth).await?,
        None => Vec::new(),
    };
    Ok(render(&InternshipListView {
        ctx: caller.page("/me/internships"),
        title: tr.t("nav-my-internships"),
        intro: tr.t("my-internships-intro"),
        rows: list_rows(tr, rows),
        show_youth: false,
    }))
}

/// The internships at the company contact's company (for staff: the
/// municipality's latest).
pub async fn internship_list(State(state): State<AppState>, caller: Caller) -> AppResult<Response> {
    let tr = caller.tr();
    let rows = state.db().visible_internships(&caller.scope()).await?;
    Ok(render(&InternshipListView {
        ctx: caller.page("/internships"),
        title: tr.t_args(
            "nav-internships",
            &[("role", Arg::Text(caller.role().code().into()))],
        ),
        intro: tr.t("internships-intro"),
        rows: list_rows(tr, rows),
        show_youth: true,
    }))
}
