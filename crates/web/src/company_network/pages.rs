//! The company network's pages: the network (members, places offered,
//! meetings; a company contact sees their own company and signs up), one
//! network meeting (sign-ups, attendance, notes, cancelling) and a
//! company's contact log. Post/redirect/get; a refused form comes back with
//! what was typed and the message by the field.

use super::actions;
use super::forms::{
    AttendanceForm, CONTACT_SUMMARY_MAX, ContactLogForm, MEETING_NOTES_MAX, MeetingForm,
    MemberForm, PLACE_MAX, REASON_MAX, SLOT_FUNCTION_MAX, SignupForm, SlotForm, TextForm,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use spire_domain::{CompanyId, NetworkMeetingId, Role};
use spire_store::{ContactLogRow, NetworkMeetingRow, NetworkMemberRow, SignupRow, SlotRow};

pub struct NetworkMeetingLine {
    pub id: i64,
    pub when: String,
    pub topic: String,
    pub place: String,
    pub cancelled: bool,
    pub signups: i64,
    pub signed_up: bool,
    /// Held already: no more signing up or withdrawing.
    pub past: bool,
}

#[derive(Template)]
#[template(path = "company_network/network.html")]
pub struct NetworkView {
    pub ctx: PageCtx,
    pub intro: String,
    pub members: Vec<(NetworkMemberRow, String, String)>,
    pub slots: Vec<(SlotRow, String)>,
    pub meetings: Vec<NetworkMeetingLine>,
    pub is_staff: bool,
    pub is_contact: bool,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Template)]
#[template(path = "company_network/meeting.html")]
pub struct NetworkMeetingView {
    pub ctx: PageCtx,
    pub meeting: NetworkMeetingLine,
    pub change_reason: Option<String>,
    pub notes: String,
    pub signups: Vec<SignupRow>,
    pub is_staff: bool,
    pub is_contact: bool,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Template)]
#[template(path = "company_network/contact_log.html")]
pub struct ContactLogView {
    pub ctx: PageCtx,
    pub company_id: i64,
    pub company_name: String,
    pub log: Vec<(ContactLogRow, String, String)>,
    pub slots: Vec<(SlotRow, String)>,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    [
        "joined",
        "left",
        "slot",
        "meeting",
        "signup",
        "withdrawn",
        "attendance",
        "notes",
        "cancelled",
        "logged",
    ]
    .contains(&kind)
    .then(|| tr.t(&format!("company-network-saved-{kind}")))
}

fn meeting_line(tr: Tr, row: &NetworkMeetingRow) -> NetworkMeetingLine {
    NetworkMeetingLine {
        id: row.id,
        when: crate::networks::pages::when(tr, &row.date, &row.start_time),
        topic: row.topic.clone(),
        place: row.place.clone(),
        cancelled: row.cancelled,
        signups: row.signups,
        signed_up: row.signed_up,
        past: row.date < crate::i18n::today_in_copenhagen().to_string(),
    }
}

fn slot_line(tr: Tr, slot: SlotRow) -> (SlotRow, String) {
    let period = format!(
        "{} – {}",
        tr.iso_date(&slot.from_date),
        tr.iso_date(&slot.to_date)
    );
    (slot, period)
}

/// Which of the network page's forms was sent, with what was typed.
#[derive(Default)]
pub struct NetworkTyped {
    member: MemberForm,
    slot: SlotForm,
    meeting: MeetingForm,
}

async fn network_view(
    state: &AppState,
    caller: &Caller,
    typed: &NetworkTyped,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
) -> AppResult<NetworkView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let overview = state.db().network_overview(&scope).await?;
    let is_staff = caller.role().is_programme_staff();
    let is_contact = caller.role() == Role::CompanyContact;
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let form = |id: &'static str, path: &str, button: &str| ActionForm {
        id,
        title: tr.t(&format!("company-network-form-{id}")),
        action: format!("/network/{path}"),
        button: tr.t(button),
        open: failed == Some(id),
    };
    let today = crate::i18n::today_in_copenhagen().to_string();
    let typed_or = |id: &'static str, typed: &MemberForm| {
        if failed == Some(id) {
            typed.clone()
        } else {
            MemberForm {
                date: today.clone(),
                ..MemberForm::default()
            }
        }
    };
    let mut forms = Vec::new();
    let open_members: Vec<(String, String)> = overview
        .members
        .iter()
        .filter(|m| m.left_on.is_none())
        .map(|m| (m.company_id.to_string(), m.name.clone()))
        .collect();
    if is_staff {
        let mut outside = vec![(String::new(), tr.t("choose"))];
        outside.extend(
            state
                .db()
                .search_companies(&scope, "", 500)
                .await?
                .into_iter()
                .filter(|c| !open_members.iter().any(|(id, _)| *id == c.id.to_string()))
                .map(|c| (c.id.to_string(), c.name)),
        );
        let join = typed_or("join", &typed.member);
        forms.push((
            form("join", "members", "company-network-join"),
            vec![
                field("company_id", "select", &join.company_id)
                    .required()
                    .options(outside),
                field("date", "date", &join.date).required(),
            ],
        ));
        let mut members = vec![(String::new(), tr.t("choose"))];
        members.extend(open_members.iter().cloned());
        let leave = typed_or("leave", &typed.member);
        forms.push((
            form("leave", "leave", "company-network-leave"),
            vec![
                field("company_id", "select", &leave.company_id)
                    .required()
                    .options(members),
                field("date", "date", &leave.date).required(),
            ],
        ));
        let meeting = &typed.meeting;
        forms.push((
            form("meeting", "meetings", "save"),
            vec![
                field("topic", "text", &meeting.topic)
                    .required()
                    .max_length(SLOT_FUNCTION_MAX),
                field("date", "date", &meeting.date).required(),
                field("start_time", "time", &meeting.start_time).required(),
                field("duration_minutes", "integer", &meeting.duration_minutes)
                    .hint(tr.t("hint-duration-network")),
                field("place", "text", &meeting.place).max_length(PLACE_MAX),
            ],
        ));
    }
    let slot = &typed.slot;
    let mut slot_fields = Vec::new();
    if is_staff {
        let mut members = vec![(String::new(), tr.t("choose"))];
        members.extend(open_members.iter().cloned());
        slot_fields.push(
            field("company_id", "select", &slot.company_id)
                .required()
                .options(members),
        );
    }
    slot_fields.extend([
        field("function", "text", &slot.function)
            .required()
            .max_length(SLOT_FUNCTION_MAX),
        field("places", "integer", &slot.places).required(),
        field("from_date", "date", &slot.from_date).required(),
        field("to_date", "date", &slot.to_date).required(),
    ]);
    forms.push((form("slot", "slots", "save"), slot_fields));
    Ok(NetworkView {
        ctx: caller.page("/network"),
        intro: tr.t(if is_contact {
            "company-network-intro-contact"
        } else {
            "company-network-intro"
        }),
        members: overview
            .members
            .into_iter()
            .map(|m| {
                let since = tr.iso_date(&m.joined_on);
                let last = m
                    .last_contact
                    .as_deref()
                    .map(|d| tr.iso_date(d))
                    .unwrap_or_else(|| "–".into());
                (m, since, last)
            })
            .collect(),
        slots: overview
            .slots
            .into_iter()
            .map(|s| slot_line(tr, s))
            .collect(),
        meetings: overview
            .meetings
            .iter()
            .map(|m| meeting_line(tr, m))
            .collect(),
        is_staff,
        is_contact,
        saved,
        banner: messages.banner(),
        forms,
    })
}

pub async fn network_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = network_view(
        &state,
        &caller,
        &NetworkTyped::default(),
        &FieldMessages::default(),
        None,
        saved,
    )
    .await?;
    Ok(render(&view))
}

async fn network_outcome<T>(
    state: &AppState,
    caller: &Caller,
    which: &'static str,
    typed: NetworkTyped,
    result: AppResult<T>,
    saved: &str,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        |_| format!("/network?saved={saved}"),
        |messages| async move {
            let view = network_view(state, caller, &typed, &messages, Some(which), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

pub async fn network_join(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let result = actions::join(&state, &caller, &form).await;
    let typed = NetworkTyped {
        member: form,
        ..NetworkTyped::default()
    };
    network_outcome(&state, &caller, "join", typed, result, "joined").await
}

pub async fn network_leave(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let result = actions::leave(&state, &caller, &form).await;
    let typed = NetworkTyped {
        member: form,
        ..NetworkTyped::default()
    };
    network_outcome(&state, &caller, "leave", typed, result, "left").await
}

pub async fn network_slot(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<SlotForm>,
) -> AppResult<Response> {
    let result = actions::add_slot(&state, &caller, &form).await;
    let typed = NetworkTyped {
        slot: form,
        ..NetworkTyped::default()
    };
    network_outcome(&state, &caller, "slot", typed, result, "slot").await
}

pub async fn network_meeting_create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<MeetingForm>,
) -> AppResult<Response> {
    let result = actions::create_meeting(&state, &caller, &form).await;
    let typed = NetworkTyped {
        meeting: form,
        ..NetworkTyped::default()
    };
    network_outcome(&state, &caller, "meeting", typed, result, "meeting").await
}

// ---- one network meeting ------------------------------------------------------

#[derive(Default)]
pub struct MeetingTyped {
    text: TextForm,
}

async fn meeting_view(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
    typed: &MeetingTyped,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
) -> AppResult<NetworkMeetingView> {
    let tr = caller.tr();
    let detail = state.db().network_meeting(&caller.scope(), id).await?;
    let is_staff = caller.role().is_programme_staff();
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let form = |form_id: &'static str, button: &str| ActionForm {
        id: form_id,
        title: tr.t(&format!("company-network-form-{form_id}")),
        action: format!("/network/meetings/{id}/{form_id}"),
        button: tr.t(button),
        open: failed == Some(form_id),
    };
    let mut forms = Vec::new();
    if is_staff && !detail.meeting.cancelled {
        let notes = if failed == Some("notes") {
            typed.text.notes.clone()
        } else {
            detail.meeting.notes.clone()
        };
        forms.push((
            form("notes", "save"),
            vec![
                field("notes", "textarea", &notes)
                    .max_length(MEETING_NOTES_MAX)
                    .hint(tr.t("hint-network-notes")),
            ],
        ));
        forms.push((
            form("cancel", "meeting-cancel"),
            vec![
                field("reason", "textarea", &typed.text.reason)
                    .required()
                    .max_length(REASON_MAX),
            ],
        ));
    }
    Ok(NetworkMeetingView {
        ctx: caller.page(&format!("/network/meetings/{id}")),
        meeting: meeting_line(tr, &detail.meeting),
        change_reason: detail.meeting.change_reason.clone(),
        notes: detail.meeting.notes.clone(),
        signups: detail.signups,
        is_staff,
        is_contact: caller.role() == Role::CompanyContact,
        saved,
        banner: messages.banner(),
        forms,
    })
}

pub async fn network_meeting_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = meeting_view(
        &state,
        &caller,
        id,
        &MeetingTyped::default(),
        &FieldMessages::default(),
        None,
        saved,
    )
    .await?;
    Ok(render(&view))
}

async fn meeting_outcome(
    state: &AppState,
    caller: &Caller,
    id: NetworkMeetingId,
    which: &'static str,
    typed: MeetingTyped,
    result: AppResult<()>,
    target: String,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        |()| target,
        |messages| async move {
            let view =
                meeting_view(state, caller, id, &typed, &messages, Some(which), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

pub async fn network_signup(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    Form(form): Form<SignupForm>,
) -> AppResult<Response> {
    let result = actions::sign_up(&state, &caller, id, &form).await;
    let word = if form.attend == "no" {
        "withdrawn"
    } else {
        "signup"
    };
    let target = format!("/network/meetings/{id}?saved={word}");
    meeting_outcome(
        &state,
        &caller,
        id,
        "signup",
        MeetingTyped::default(),
        result,
        target,
    )
    .await
}

pub async fn network_attendance(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    Form(form): Form<AttendanceForm>,
) -> AppResult<Response> {
    let result = actions::attendance(&state, &caller, id, &form).await;
    let target = format!("/network/meetings/{id}?saved=attendance");
    meeting_outcome(
        &state,
        &caller,
        id,
        "attendance",
        MeetingTyped::default(),
        result,
        target,
    )
    .await
}

pub async fn network_notes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    Form(form): Form<TextForm>,
) -> AppResult<Response> {
    let result = actions::notes(&state, &caller, id, &form).await;
    let target = format!("/network/meetings/{id}?saved=notes");
    meeting_outcome(
        &state,
        &caller,
        id,
        "notes",
        MeetingTyped { text: form },
        result,
        target,
    )
    .await
}

pub async fn network_cancel(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<NetworkMeetingId>,
    Form(form): Form<TextForm>,
) -> AppResult<Response> {
    let result = actions::cancel(&state, &caller, id, &form).await;
    let target = format!("/network/meetings/{id}?saved=cancelled");
    meeting_outcome(
        &state,
        &caller,
        id,
        "cancel",
        MeetingTyped { text: form },
        result,
        target,
    )
    .await
}

// ---- a company's contact log ----------------------------------------------------

async fn contact_log_view(
    state: &AppState,
    caller: &Caller,
    company: CompanyId,
    typed: &ContactLogForm,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<ContactLogView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let (row, contacts) = state.db().get_company(&scope, company).await?;
    let log = state.db().contact_log(&scope, company).await?;
    let slots = state.db().company_slots(&scope, company).await?;
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let mut people = vec![(String::new(), tr.t("contact-none"))];
    people.extend(contacts.into_iter().map(|c| (c.id.to_string(), c.name)));
    let kinds = std::iter::once((String::new(), tr.t("choose")))
        .chain(
            spire_store::CONTACT_KINDS
                .iter()
                .map(|k| (k.to_string(), tr.t(&format!("contact-kind-{k}")))),
        )
        .collect();
    let happened = if typed.happened_on.is_empty() {
        crate::i18n::today_in_copenhagen().to_string()
    } else {
        typed.happened_on.clone()
    };
    let forms = vec![(
        ActionForm {
            id: "log",
            title: tr.t("company-network-form-log"),
            action: format!("/companies/{company}/contact-log"),
            button: tr.t("save"),
            open: true,
        },
        vec![
            FormField {
                label: tr.t("contact-kind-label"),
                ..field("kind", "select", &typed.kind)
                    .required()
                    .options(kinds)
            },
            field("contact_id", "select", &typed.contact_id).options(people),
            field("happened_on", "date", &happened).required(),
            field("summary", "textarea", &typed.summary)
                .required()
                .max_length(CONTACT_SUMMARY_MAX)
                .hint(tr.t("hint-contact-summary")),
        ],
    )];
    Ok(ContactLogView {
        ctx: caller.page(&format!("/companies/{company}/contact-log")),
        company_id: row.id,
        company_name: row.name,
        log: log
            .into_iter()
            .map(|l| {
                let kind = tr.t(&format!("contact-kind-{}", l.kind));
                let day = tr.iso_date(&l.happened_on);
                (l, kind, day)
            })
            .collect(),
        slots: slots.into_iter().map(|s| slot_line(tr, s)).collect(),
        saved,
        banner: messages.banner(),
        forms,
    })
}

pub async fn contact_log_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(company): PathId<CompanyId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = contact_log_view(
        &state,
        &caller,
        company,
        &ContactLogForm::default(),
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

pub async fn contact_log_add(
    State(state): State<AppState>,
    caller: Caller,
    PathId(company): PathId<CompanyId>,
    Form(form): Form<ContactLogForm>,
) -> AppResult<Response> {
    let result = actions::log_contact(&state, &caller, company, &form).await;
    after_form(
        caller.tr(),
        result,
        |_| format!("/companies/{company}/contact-log?saved=logged"),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move {
                let view = contact_log_view(state, caller, company, form, &messages, None).await?;
                Ok(render(&view))
            }
        },
    )
    .await
}
