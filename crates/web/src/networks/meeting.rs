//! One meeting's page (the youth-owned agenda, the one-tap register, the
//! shared notes, moving or cancelling it) and the youth's own network page,
//! which is their next meeting. Post/redirect/get; a refused form comes back
//! with what was typed.

use super::actions;
use super::forms::{
    AGENDA_ITEM_MAX, AgendaForm, AttendanceForm, ChangeForm, MEETING_NOTES_MAX, NotesForm,
    REASON_MAX,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::network::Mark;
use spire_domain::{AgendaItemId, MeetingId, Role};
use spire_store::MeetingDetail;

use super::pages::{MeetingLine, SavedQuery, meeting_line, saved_message, today, when};

pub struct AgendaLine {
    pub id: i64,
    pub text: String,
    /// Whose item: the youth's first name, or "the facilitator (name)".
    pub proposer: String,
    pub can_move_up: bool,
    pub move_label: String,
    pub moved: bool,
}

/// One button of the register: a mark for one youth.
pub struct Tap {
    pub code: &'static str,
    pub label: String,
    pub pressed: bool,
}

pub struct RegisterLine {
    pub youth_id: i64,
    pub name: String,
    pub mark_label: String,
    pub taps: Vec<Tap>,
}

#[derive(Template)]
#[template(path = "networks/meeting.html")]
pub struct MeetingView {
    pub ctx: PageCtx,
    pub title: String,
    pub group_href: String,
    pub when: String,
    pub place: String,
    pub change_note: Option<String>,
    pub cancelled: bool,
    pub agenda: Vec<AgendaLine>,
    pub agenda_rule: String,
    pub propose_action: String,
    /// The proposal's one field (`fields.html` reads `fields`).
    pub fields: Vec<FormField>,
    pub can_propose: bool,
    pub register: Vec<RegisterLine>,
    pub register_action: String,
    /// The confirmation of a tap, shown by the register (where the thumb is).
    pub register_notice: Option<String>,
    pub notes: String,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
    pub is_staff: bool,
    /// On the youth's own page: the group's other meetings.
    pub others: Vec<MeetingLine>,
    pub no_group: bool,
}

// ---- one meeting ----------------------------------------------------------------

#[derive(Default)]
pub struct MeetingTyped {
    agenda: AgendaForm,
    change: ChangeForm,
    notes: Option<NotesForm>,
}

fn mark_label(tr: Tr, mark: Option<&str>) -> String {
    match mark {
        Some(mark) => tr.t(&format!("mark-{}", mark.replace('_', "-"))),
        None => tr.t("mark-none"),
    }
}

fn meeting_view(
    caller: &Caller,
    detail: MeetingDetail,
    typed: &MeetingTyped,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
    path: &str,
) -> MeetingView {
    let tr = caller.tr();
    let is_staff = caller.role().is_programme_staff();
    let meeting = &detail.meeting;
    let id = meeting.id;
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let form = |form_id: &'static str, button: &str| ActionForm {
        id: form_id,
        title: tr.t(&format!("meeting-form-{form_id}")),
        action: format!("/meetings/{id}/{form_id}"),
        button: tr.t(button),
        open: failed == Some(form_id),
    };
    // Once the notes are written the meeting is held and its agenda closed.
    let agenda_open = !meeting.cancelled && meeting.notes.is_empty();
    let youth_may_move = caller.role() == Role::Youth && detail.moved_up.is_none() && agenda_open;
    let agenda = detail
        .agenda
        .iter()
        .enumerate()
        .map(|(index, item)| AgendaLine {
            id: item.id,
            text: item.text.clone(),
            proposer: if item.youth_id.is_some() {
                item.proposer.clone()
            } else {
                tr.t_args(
                    "agenda-by-facilitator",
                    &[("name", Arg::Text(item.proposer.clone()))],
                )
            },
            can_move_up: youth_may_move && index > 0,
            move_label: tr.t_args(
                "agenda-move-up-label",
                &[("item", Arg::Text(item.text.clone()))],
            ),
            moved: detail.moved_up == Some(item.id),
        })
        .collect();
    let mut forms = Vec::new();
    if is_staff && !meeting.cancelled {
        let notes = typed
            .notes
            .as_ref()
            .map(|n| n.notes.clone())
            .unwrap_or_else(|| meeting.notes.clone());
        forms.push((
            form("notes", "save"),
            vec![
                field("notes", "textarea", &notes)
                    .max_length(MEETING_NOTES_MAX)
                    .hint(tr.t("hint-meeting-notes")),
            ],
        ));
        let change = if failed == Some("change") {
            typed.change.clone()
        } else {
            ChangeForm {
                date: meeting.date.clone(),
                start_time: meeting.start_time.clone(),
                ..ChangeForm::default()
            }
        };
        forms.push((
            form("change", "save"),
            vec![
                field("action", "select", &change.action)
                    .required()
                    .options(vec![
                        (String::new(), tr.t("choose")),
                        ("move".into(), tr.t("meeting-move")),
                        ("cancel".into(), tr.t("meeting-cancel")),
                    ]),
                field("date", "date", &change.date).hint(tr.t("hint-move-only")),
                field("start_time", "time", &change.start_time),
                field("reason", "textarea", &change.reason)
                    .required()
                    .max_length(REASON_MAX),
            ],
        ));
    }
    let change_note = meeting.change_reason.as_ref().map(|reason| {
        if meeting.cancelled {
            tr.t_args(
                "meeting-cancelled-because",
                &[("reason", Arg::Text(reason.clone()))],
            )
        } else {
            tr.t_args(
                "meeting-moved-because",
                &[
                    (
                        "date",
                        Arg::Text(
                            meeting
                                .moved_from
                                .as_deref()
                                .map(|d| tr.iso_date(d))
                                .unwrap_or_default(),
                        ),
                    ),
                    ("reason", Arg::Text(reason.clone())),
                ],
            )
        }
    });
    MeetingView {
        ctx: caller.page(path),
        title: detail.group_name.clone(),
        group_href: format!("/groups/{}", meeting.group_id),
        when: when(tr, &meeting.date, &meeting.start_time),
        place: meeting.place.clone(),
        change_note,
        cancelled: meeting.cancelled,
        agenda,
        agenda_rule: tr.t(if is_staff {
            "agenda-rule-staff"
        } else {
            "agenda-rule"
        }),
        propose_action: format!("/meetings/{id}/agenda"),
        fields: vec![FormField {
            label: tr.t("agenda-item-label"),
            ..field("text", "text", &typed.agenda.text)
                .required()
                .max_length(AGENDA_ITEM_MAX)
        }],
        can_propose: agenda_open,
        register: detail
            .attendance
            .iter()
            .map(|a| RegisterLine {
                youth_id: a.youth_id,
                name: a.name.clone(),
                mark_label: mark_label(tr, a.mark.as_deref()),
                taps: Mark::ALL
                    .iter()
                    .map(|mark| Tap {
                        code: mark.code(),
                        label: mark_label(tr, Some(mark.code())),
                        pressed: a.mark.as_deref() == Some(mark.code()),
                    })
                    .collect(),
            })
            .collect(),
        register_action: format!("/meetings/{id}/attendance"),
        register_notice: None,
        notes: meeting.notes.clone(),
        saved,
        banner: messages.banner(),
        forms,
        is_staff,
        others: Vec::new(),
        no_group: false,
    }
}

pub async fn meeting_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let detail = state.db().meeting(&caller.scope(), id).await?;
    let marked = query.saved.as_deref() == Some("marked");
    let mut view = meeting_view(
        &caller,
        detail,
        &MeetingTyped::default(),
        &FieldMessages::default(),
        None,
        if marked { None } else { saved.clone() },
        &format!("/meetings/{id}"),
    );
    if marked {
        view.register_notice = saved;
    }
    Ok(render(&view))
}

/// Where a change on a meeting returns: the youth's own page if they came
/// from it, else the meeting's page.
#[derive(Deserialize, Default)]
pub struct BackQuery {
    back: Option<String>,
}

fn back_to(id: MeetingId, back: &BackQuery, saved: &str) -> String {
    match back.back.as_deref() {
        Some("me") => format!("/me/network?saved={saved}"),
        _ => format!("/meetings/{id}?saved={saved}#{saved}"),
    }
}

async fn meeting_outcome<T>(
    state: &AppState,
    caller: &Caller,
    id: MeetingId,
    which: &'static str,
    typed: MeetingTyped,
    result: AppResult<T>,
    target: String,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        |_| target,
        |messages| async move {
            let detail = state.db().meeting(&caller.scope(), id).await?;
            let view = meeting_view(
                caller,
                detail,
                &typed,
                &messages,
                Some(which),
                None,
                &format!("/meetings/{id}"),
            );
            Ok(render(&view))
        },
    )
    .await
}

pub async fn meeting_propose(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    Query(back): Query<BackQuery>,
    Form(form): Form<AgendaForm>,
) -> AppResult<Response> {
    let result = actions::propose(&state, &caller, id, &form).await;
    let typed = MeetingTyped {
        agenda: form,
        ..MeetingTyped::default()
    };
    let target = back_to(id, &back, "proposed");
    meeting_outcome(&state, &caller, id, "agenda", typed, result, target).await
}

pub async fn meeting_change(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    Form(form): Form<ChangeForm>,
) -> AppResult<Response> {
    let result = actions::change(&state, &caller, id, &form).await;
    let typed = MeetingTyped {
        change: form,
        ..MeetingTyped::default()
    };
    let target = format!("/meetings/{id}?saved=changed");
    meeting_outcome(&state, &caller, id, "change", typed, result, target).await
}

pub async fn meeting_notes(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    Form(form): Form<NotesForm>,
) -> AppResult<Response> {
    let result = actions::notes(&state, &caller, id, &form).await;
    let typed = MeetingTyped {
        notes: Some(form),
        ..MeetingTyped::default()
    };
    let target = format!("/meetings/{id}?saved=notes");
    meeting_outcome(&state, &caller, id, "notes", typed, result, target).await
}

/// One tap per youth: the mark, and back to the register.
pub async fn meeting_attendance(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<MeetingId>,
    Form(form): Form<AttendanceForm>,
) -> AppResult<Response> {
    let result = actions::attend(&state, &caller, id, &form).await;
    let target = format!("/meetings/{id}?saved=marked#register");
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

/// A youth moves an item one place up (once per meeting).
pub async fn agenda_move_up(
    State(state): State<AppState>,
    caller: Caller,
    PathId(item): PathId<AgendaItemId>,
    Query(back): Query<BackQuery>,
) -> AppResult<Response> {
    let scope = caller.scope();
    let meeting = state.db().agenda_item_meeting(&scope, item).await?;
    let result = state
        .db()
        .move_agenda_item_up(&scope, item)
        .await
        .map_err(AppError::from);
    let target = back_to(meeting, &back, "moved");
    meeting_outcome(
        &state,
        &caller,
        meeting,
        "agenda",
        MeetingTyped::default(),
        result,
        target,
    )
    .await
}

/// The youth's own network: their next meeting, to propose and move items,
/// and the group's other meetings with their notes.
pub async fn my_network(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let scope = caller.scope();
    let saved = saved_message(tr, query.saved.as_deref());
    let Some(group) = state.db().own_group(&scope).await? else {
        return Ok(render(&MeetingView {
            ctx: caller.page("/me/network"),
            title: tr.t("nav-my-network"),
            group_href: String::new(),
            when: String::new(),
            place: String::new(),
            change_note: None,
            cancelled: false,
            agenda: Vec::new(),
            agenda_rule: tr.t("agenda-rule"),
            propose_action: String::new(),
            fields: Vec::new(),
            can_propose: false,
            register: Vec::new(),
            register_action: String::new(),
            register_notice: None,
            notes: String::new(),
            saved,
            banner: FormBanner::default(),
            forms: Vec::new(),
            is_staff: false,
            others: Vec::new(),
            no_group: true,
        }));
    };
    let detail = state.db().group(&scope, group).await?;
    let today = today();
    let next = detail
        .meetings
        .iter()
        .find(|m| m.date >= today && !m.cancelled)
        .or(detail.meetings.last())
        .map(|m| MeetingId::new(m.id));
    let others = detail
        .meetings
        .iter()
        .filter(|m| Some(MeetingId::new(m.id)) != next)
        .map(|m| meeting_line(tr, m))
        .collect();
    let Some(next) = next else {
        return Ok(Redirect::to(&format!("/groups/{group}")).into_response());
    };
    let meeting = state.db().meeting(&scope, next).await?;
    let mut view = meeting_view(
        &caller,
        meeting,
        &MeetingTyped::default(),
        &FieldMessages::default(),
        None,
        saved,
        "/me/network",
    );
    view.propose_action = format!("/meetings/{next}/agenda?back=me");
    view.others = others;
    Ok(render(&view))
}
