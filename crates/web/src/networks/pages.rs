//! The youth network's pages: the groups and one group (members, meetings,
//! the series); one meeting and the youth's own page are in `meeting.rs`.
//! Every change answers with a redirect and a message (post/redirect/get); a
//! refused one shows the page again with what was typed and the message by
//! the field.

use super::actions;
use super::forms::{GROUP_NAME_MAX, GroupForm, MemberForm, PLACE_MAX, SeriesForm};
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
use axum::response::Response;
use serde::Deserialize;
use spire_domain::GroupId;
use spire_store::{GroupRow, MeetingRow};

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
    pub banner: FormBanner,
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
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
    pub is_staff: bool,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub(super) saved: Option<String>,
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
pub(super) fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
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

pub(super) fn meeting_line(tr: Tr, row: &MeetingRow) -> MeetingLine {
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

pub(super) fn today() -> String {
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
        banner: messages.banner(),
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
        banner: messages.banner(),
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
