//! The youth network's pages: the groups, one group (members, meetings, the
//! series), one meeting (the youth-owned agenda, the one-tap register, the
//! shared notes, moving or cancelling it) and the youth's own network page,
//! which is their next meeting. Every change answers with a redirect and a
//! message (post/redirect/get); a refused one shows the page again with
//! what was typed and the message by the field.

use super::actions;
use super::forms::{
    AGENDA_ITEM_MAX, AgendaForm, AttendanceForm, ChangeForm, GROUP_NAME_MAX, GroupForm,
    MEETING_NOTES_MAX, MemberForm, NotesForm, PLACE_MAX, REASON_MAX, SeriesForm,
};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::network::Mark;
use spire_domain::{AgendaItemId, GroupId, MeetingId, Role};
use spire_store::{GroupRow, MeetingDetail, MeetingRow};

/// A meeting in a list: when, its state, and the link to it.
pub struct MeetingLine {
    pub href: String,
    pub when: String,
    pub state: String,
    pub cancelled: bool,
    /// "3 punkter · 7 registreret", for staff.
    pub counts: String,
    /// Held already (before today): listed apart, folded.
    pub past: bool,
}

pub struct MemberLine {
    pub name: String,
    pub joined: String,
    pub left: String,
    pub stability: String,
}

#[derive(Template)]
#[template(path = "networks/groups.html")]
pub struct GroupsView {
    pub ctx: PageCtx,
    pub groups: Vec<(GroupRow, String)>,
    pub saved: Option<String>,
    pub has_errors: bool,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Template)]
#[template(path = "networks/group.html")]
pub struct GroupView {
    pub ctx: PageCtx,
    pub group: GroupRow,
    pub members: Vec<MemberLine>,
    pub meetings: Vec<MeetingLine>,
    pub saved: Option<String>,
    pub has_errors: bool,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
    pub is_staff: bool,
}

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
    pub has_errors: bool,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
    pub is_staff: bool,
    /// On the youth's own page: the group's other meetings.
    pub others: Vec<MeetingLine>,
    pub no_group: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
    /// After a series: the ISO dates skipped for a holiday, comma-separated.
    skipped: Option<String>,
}

/// "Sprunget over: 2. påskedag (29.03.2027), 2. pinsedag (17.05.2027)."
fn skipped_holidays(tr: Tr, skipped: &str) -> String {
    let days: Vec<String> = skipped
        .split(',')
        .filter_map(|d| spire_domain::internship::parse_date("date", d).ok())
        .filter_map(spire_domain::network::holiday_on)
        .map(|h| format!("{} ({})", h.name, tr.iso_date(&h.date.to_string())))
        .collect();
    if days.is_empty() {
        tr.t("network-saved-series-no-holidays")
    } else {
        tr.t_args(
            "network-saved-series-holidays",
            &[("days", Arg::Text(days.join(", ")))],
        )
    }
}

const SAVED: [&str; 9] = [
    "created", "joined", "left", "series", "changed", "proposed", "moved", "marked", "notes",
];

/// The message after a save (`?saved=joined`); an unknown word shows nothing.
fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    SAVED
        .contains(&kind)
        .then(|| tr.t(&format!("network-saved-{kind}")))
}

/// "man. 23.03.2026 kl. 16:00".
pub fn when(tr: Tr, date: &str, time: &str) -> String {
    let weekday = spire_domain::internship::parse_date("date", date)
        .map(|d| tr.t(&format!("weekday-{}", d.weekday().number_from_monday())))
        .unwrap_or_default();
    tr.t_args(
        "network-when",
        &[
            ("weekday", Arg::Text(weekday)),
            ("date", Arg::Text(tr.iso_date(date))),
            ("time", Arg::Text(time.to_string())),
        ],
    )
}

fn meeting_line(tr: Tr, row: &MeetingRow) -> MeetingLine {
    let state = if row.cancelled {
        tr.t("meeting-cancelled")
    } else if let Some(from) = &row.moved_from {
        tr.t_args(
            "meeting-moved-from",
            &[("date", Arg::Text(tr.iso_date(from)))],
        )
    } else {
        String::new()
    };
    MeetingLine {
        href: format!("/meetings/{}", row.id),
        when: when(tr, &row.date, &row.start_time),
        state,
        cancelled: row.cancelled,
        past: row.date < today(),
        counts: format!(
            "{} · {}",
            tr.count("meeting-agenda-count", row.agenda_items),
            tr.count("meeting-registered-count", row.registered)
        ),
    }
}

fn today() -> String {
    crate::i18n::today_in_copenhagen().to_string()
}

// ---- the groups -------------------------------------------------------------

async fn groups_view(
    state: &AppState,
    caller: &Caller,
    typed: &GroupForm,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<GroupsView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let groups = state.db().groups(&scope).await?;
    let mut facilitators = vec![(String::new(), tr.t("choose"))];
    facilitators.extend(
        state
            .db()
            .staff_of_municipality(&scope)
            .await?
            .into_iter()
            .map(|(id, name)| (id.to_string(), name)),
    );
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let forms = vec![(
        ActionForm {
            id: "new-group",
            title: tr.t("group-new"),
            action: "/groups".into(),
            button: tr.t("save"),
            open: !messages.is_empty() || groups.is_empty(),
        },
        vec![
            field("name", "text", &typed.name)
                .required()
                .max_length(GROUP_NAME_MAX),
            field("facilitator_id", "select", &typed.facilitator_id).options(facilitators),
            field("place", "text", &typed.place).max_length(PLACE_MAX),
            field("start_time", "time", &typed.start_time).required(),
            field("duration_minutes", "integer", &typed.duration_minutes)
                .hint(tr.t("hint-duration")),
        ],
    )];
    Ok(GroupsView {
        ctx: caller.page("/groups"),
        groups: groups
            .into_iter()
            .map(|g| {
                let next = g
                    .next_meeting
                    .as_deref()
                    .map(|d| when(tr, d, &g.start_time))
                    .unwrap_or_else(|| "–".into());
                (g, next)
            })
            .collect(),
        saved,
        has_errors: !messages.is_empty(),
        forms,
    })
}

pub async fn groups_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = groups_view(
        &state,
        &caller,
        &GroupForm::default(),
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

pub async fn group_create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<GroupForm>,
) -> AppResult<Response> {
    let result = match super::forms::parse_group(&form) {
        Ok(group) => state
            .db()
            .create_group(&caller.scope(), &group)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    after_form(
        caller.tr(),
        result,
        |id| format!("/groups/{id}?saved=created"),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move {
                let view = groups_view(state, caller, form, &messages, None).await?;
                Ok(render(&view))
            }
        },
    )
    .await
}

// ---- one group ----------------------------------------------------------------

/// What was typed into one of the group page's forms.
#[derive(Default)]
pub struct GroupTyped {
    member: MemberForm,
    series: SeriesForm,
}

async fn group_view(
    state: &AppState,
    caller: &Caller,
    id: GroupId,
    typed: &GroupTyped,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
) -> AppResult<GroupView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let detail = state.db().group(&scope, id).await?;
    let is_staff = caller.role().is_programme_staff();
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let form = |form_id: &'static str, path: &str, button: &str| ActionForm {
        id: form_id,
        title: tr.t(&format!("group-form-{form_id}")),
        action: format!("/groups/{id}/{path}"),
        button: tr.t(button),
        open: failed == Some(form_id),
    };
    let mut forms = Vec::new();
    if is_staff {
        let mut joiners = vec![(String::new(), tr.t("choose"))];
        joiners.extend(
            state
                .db()
                .youth_without_group(&scope)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        );
        let mut current = vec![(String::new(), tr.t("choose"))];
        current.extend(
            detail
                .members
                .iter()
                .filter(|m| m.left_on.is_none())
                .map(|m| (m.youth_id.to_string(), m.name.clone())),
        );
        let member_value = |form_id| {
            if failed == Some(form_id) {
                typed.member.clone()
            } else {
                MemberForm {
                    date: today(),
                    ..MemberForm::default()
                }
            }
        };
        let join = member_value("join");
        let leave = member_value("leave");
        forms.push((
            form("join", "members", "group-join"),
            vec![
                field("youth_id", "select", &join.youth_id)
                    .required()
                    .options(joiners),
                field("date", "date", &join.date).required(),
            ],
        ));
        forms.push((
            form("leave", "leave", "group-leave"),
            vec![
                field("youth_id", "select", &leave.youth_id)
                    .required()
                    .options(current),
                field("date", "date", &leave.date).required(),
            ],
        ));
        let series = if failed == Some("series") {
            typed.series.clone()
        } else {
            SeriesForm {
                start_time: detail.group.start_time.clone(),
                ..SeriesForm::default()
            }
        };
        forms.push((
            form("series", "meetings", "group-generate"),
            vec![
                field("first_date", "date", &series.first_date)
                    .required()
                    .hint(tr.t("hint-first-date")),
                field("last_date", "date", &series.last_date).required(),
                field("start_time", "time", &series.start_time).required(),
            ],
        ));
    }
    Ok(GroupView {
        ctx: caller.page(&format!("/groups/{id}")),
        members: detail
            .members
            .iter()
            .map(|m| MemberLine {
                name: m.name.clone(),
                joined: tr.iso_date(&m.joined_on),
                left: m
                    .left_on
                    .as_deref()
                    .map(|d| tr.iso_date(d))
                    .unwrap_or_default(),
                stability: tr.percent(m.stability),
            })
            .collect(),
        meetings: detail
            .meetings
            .iter()
            .map(|m| meeting_line(tr, m))
            .collect(),
        group: detail.group,
        saved,
        has_errors: !messages.is_empty(),
        forms,
        is_staff,
    })
}

pub async fn group_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = query.saved.as_deref();
    let mut message = saved_message(caller.tr(), saved);
    // The series' outcome names the holidays it skipped.
    if saved == Some("series") {
        let skipped = skipped_holidays(caller.tr(), query.skipped.as_deref().unwrap_or(""));
        message = message.map(|m| format!("{m} {skipped}"));
    }
    let view = group_view(
        &state,
        &caller,
        id,
        &GroupTyped::default(),
        &FieldMessages::default(),
        None,
        message,
    )
    .await?;
    Ok(render(&view))
}

async fn group_outcome<T>(
    state: &AppState,
    caller: &Caller,
    id: GroupId,
    which: &'static str,
    typed: GroupTyped,
    result: AppResult<T>,
    target: impl FnOnce(T) -> String,
) -> AppResult<Response> {
    after_form(caller.tr(), result, target, |messages| async move {
        let view = group_view(state, caller, id, &typed, &messages, Some(which), None).await?;
        Ok(render(&view))
    })
    .await
}

pub async fn group_join(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let result = actions::join(&state, &caller, id, &form).await;
    let typed = GroupTyped {
        member: form,
        ..GroupTyped::default()
    };
    let target = |()| format!("/groups/{id}?saved=joined");
    group_outcome(&state, &caller, id, "join", typed, result, target).await
}

pub async fn group_leave(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let result = actions::leave(&state, &caller, id, &form).await;
    let typed = GroupTyped {
        member: form,
        ..GroupTyped::default()
    };
    let target = |()| format!("/groups/{id}?saved=left");
    group_outcome(&state, &caller, id, "leave", typed, result, target).await
}

pub async fn group_series(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<GroupId>,
    Form(form): Form<SeriesForm>,
) -> AppResult<Response> {
    let result = actions::generate(&state, &caller, id, &form).await;
    let typed = GroupTyped {
        series: form,
        ..GroupTyped::default()
    };
    let target = |outcome: spire_store::SeriesOutcome| {
        let skipped: Vec<String> = outcome.skipped.into_iter().map(|(date, _)| date).collect();
        format!("/groups/{id}?saved=series&skipped={}", skipped.join(","))
    };
    group_outcome(&state, &caller, id, "series", typed, result, target).await
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
        has_errors: !messages.is_empty(),
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
            has_errors: false,
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
