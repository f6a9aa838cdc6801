//! The events' pages: the list (staff plan one there), one event as each
//! role sees it (staff: invitations, youth, grid, choices, match, calls; a
//! company contact: the answer, its tables, whom it would welcome; a youth:
//! their rounds, their ranking, their result and why), the print-ready
//! pages, and the company's calls. Post/redirect/get; a refused form comes
//! back with what was typed and the message by the field.

use super::actions;
use super::explain::{explanation_text, instability_text};
use super::forms::CodeForm;
use super::forms::{
    AnswerForm, CALL_NOTE_MAX, CallForm, EventForm, EventYouthForm, FUNCTION_MAX, InviteForm,
    MoveForm, OVERRIDE_REASON_MAX, OverrideForm, PLACE_MAX, TITLE_MAX,
};
use crate::http::context::{Caller, PathId, RequestContext};
use crate::http::error::{AppError, AppResult};
use crate::http::session::{cookie, session_cookie_name, with_session_cookie};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use spire_domain::event::CallOutcome;
use spire_domain::{CallId, EventId, Role, YouthId};
use spire_store::{CallRow, EventDetail, EventRow, GridIssue, LoginCodeOutcome};
use std::net::SocketAddr;

pub struct EventLine {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub place: String,
    pub deadline: String,
    pub companies: i64,
    pub youth: i64,
    pub matched: bool,
}

fn event_line(tr: Tr, row: &EventRow) -> EventLine {
    EventLine {
        id: row.id,
        title: row.title.clone(),
        when: crate::networks::pages::when(tr, &row.event_date, &row.start_time),
        place: row.place.clone(),
        deadline: tr.iso_date(&row.ranking_deadline),
        companies: row.companies,
        youth: row.youth,
        matched: row.matched,
    }
}

#[derive(Template)]
#[template(path = "events/list.html")]
pub struct EventsView {
    pub ctx: PageCtx,
    pub intro: String,
    pub events: Vec<EventLine>,
    pub saved: Option<String>,
    pub has_errors: bool,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    [
        "created", "invited", "answered", "youth", "grid", "moved", "ranking", "marks", "match",
        "override", "call", "deck",
    ]
    .contains(&kind)
    .then(|| tr.t(&format!("event-saved-{kind}")))
}

async fn events_view(
    state: &AppState,
    caller: &Caller,
    typed: &EventsTyped,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    saved: Option<String>,
) -> AppResult<EventsView> {
    let cards_typed = &typed.cards;
    let typed = &typed.event;
    let tr = caller.tr();
    let scope = caller.scope();
    let rows = state.db().events(&scope).await?;
    let mut forms = Vec::new();
    if caller.role().is_programme_staff() {
        let field = |name: &'static str, kind: &'static str, value: &str| {
            FormField::new(tr, name, kind, value, messages)
        };
        let mut staff = vec![(String::new(), tr.t("choose"))];
        staff.extend(
            state
                .db()
                .staff_of_municipality(&scope)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
        );
        let facilitator = if failed == Some("event") {
            typed.facilitator_id.clone()
        } else {
            caller.user.user.id.to_string()
        };
        forms.push((
            ActionForm {
                id: "event",
                title: tr.t("event-form-create"),
                action: "/events".into(),
                button: tr.t("save"),
                open: failed == Some("event") || rows.is_empty(),
            },
            vec![
                field("title", "text", &typed.title)
                    .required()
                    .max_length(TITLE_MAX),
                field("date", "date", &typed.date).required(),
                field("start_time", "time", &typed.start_time).required(),
                field("place", "text", &typed.place).max_length(PLACE_MAX),
                field("rounds", "integer", &typed.rounds)
                    .required()
                    .hint(tr.t("hint-event-rounds")),
                field("meetings_per_youth", "integer", &typed.meetings_per_youth)
                    .required()
                    .hint(tr.t("hint-event-meetings")),
                field("ranking_deadline", "date", &typed.ranking_deadline)
                    .required()
                    .hint(tr.t("hint-event-deadline")),
                field("facilitator_id", "select", &facilitator).options(staff),
            ],
        ));
        let cards = match (failed, cards_typed) {
            (Some("deck"), Some(text)) => text.clone(),
            _ => deck(tr, state.db().conversation_deck(&scope).await?).join("\n"),
        };
        forms.push((
            ActionForm {
                id: "deck",
                title: tr.t("event-form-deck"),
                action: "/events/deck".into(),
                button: tr.t("save"),
                open: failed == Some("deck"),
            },
            vec![
                FormField::new(tr, "cards", "textarea", &cards, messages)
                    .max_length(
                        spire_domain::event::DECK_MAX_CARDS * (spire_domain::event::CARD_MAX + 1),
                    )
                    .hint(tr.t("hint-deck")),
            ],
        ));
    }
    Ok(EventsView {
        ctx: caller.page("/events"),
        intro: tr.t(match caller.role() {
            Role::CompanyContact => "events-intro-contact",
            Role::Youth => "events-intro-youth",
            _ => "events-intro",
        }),
        events: rows.iter().map(|r| event_line(tr, r)).collect(),
        saved,
        has_errors: !messages.is_empty(),
        forms,
    })
}

pub async fn events_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = events_view(
        &state,
        &caller,
        &EventsTyped::default(),
        &FieldMessages::default(),
        None,
        saved,
    )
    .await?;
    Ok(render(&view))
}

pub async fn event_create(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<EventForm>,
) -> AppResult<Response> {
    let result = actions::create(&state, &caller, &form).await;
    after_form(
        caller.tr(),
        result,
        |id| format!("/events/{id}?saved=created"),
        |messages| async move {
            let typed = EventsTyped {
                event: form,
                cards: None,
            };
            let view = events_view(&state, &caller, &typed, &messages, Some("event"), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

/// What was typed into the events page's forms.
#[derive(Default)]
pub struct EventsTyped {
    event: EventForm,
    cards: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::moved;

    fn tap(direction: &str, id: &str) -> Vec<(String, String)> {
        vec![(direction.to_string(), id.to_string())]
    }

    #[test]
    fn a_tap_moves_one_item_one_place() {
        assert_eq!(moved(vec![1, 2, 3], &tap("up", "3")), [1, 3, 2]);
        assert_eq!(moved(vec![1, 2, 3], &tap("down", "1")), [2, 1, 3]);
        assert_eq!(
            moved(vec![1, 2, 3], &tap("up", "1")),
            [1, 2, 3],
            "the first stays first"
        );
        assert_eq!(moved(vec![1, 2, 3], &tap("down", "3")), [1, 2, 3]);
        assert_eq!(
            moved(vec![1], &tap("up", "7")),
            [1, 7],
            "an item not chosen is added last"
        );
        assert_eq!(moved(vec![1, 2], &[]), [1, 2]);
    }
}

#[derive(Deserialize, Default)]
pub struct DeckForm {
    #[serde(default)]
    cards: String,
}

/// The municipality's deck, or the default deck in the reader's language.
fn deck(tr: Tr, own: Option<Vec<String>>) -> Vec<String> {
    own.unwrap_or_else(|| {
        (1..=DECK_SIZE)
            .map(|n| tr.t(&format!("print-card-{n}")))
            .collect()
    })
}

pub async fn deck_save(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<DeckForm>,
) -> AppResult<Response> {
    let result = state
        .db()
        .set_conversation_deck(&caller.scope(), &form.cards)
        .await
        .map_err(AppError::from);
    after_form(
        caller.tr(),
        result,
        |_| "/events?saved=deck".to_string(),
        |messages| async move {
            let typed = EventsTyped {
                event: EventForm::default(),
                cards: Some(form.cards),
            };
            let view = events_view(&state, &caller, &typed, &messages, Some("deck"), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

// ---- one event ---------------------------------------------------------------

pub struct CompanyLine {
    pub id: i64,
    pub name: String,
    pub industry: String,
    pub status: String,
    pub tables: i64,
    pub places: String,
}

pub struct YouthLine {
    pub id: i64,
    pub name: String,
    pub host: bool,
}

/// The grid as a table: a column per company table, a row per round.
pub struct GridTable {
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

/// One item to put in order: its id, name and the number given now ("" none).
pub struct OrderItem {
    pub id: i64,
    pub name: String,
    pub rank: String,
    pub up_label: String,
    pub down_label: String,
}

pub struct ResultLine {
    pub youth: String,
    pub company: String,
    pub why: String,
    pub overridden: Option<String>,
}

pub struct MatchSection {
    pub run_at: String,
    pub stable: bool,
    pub instability: Option<String>,
    pub digest: String,
    pub lines: Vec<ResultLine>,
}

#[derive(Template)]
#[template(path = "events/event.html")]
pub struct EventView {
    pub ctx: PageCtx,
    pub event: EventLine,
    pub facilitators: String,
    pub is_staff: bool,
    pub is_contact: bool,
    pub is_youth: bool,
    pub companies: Vec<CompanyLine>,
    pub youth: Vec<YouthLine>,
    pub grid: GridTable,
    pub grid_issues: Vec<String>,
    /// The move just refused, and what it would break.
    pub breaks: Vec<String>,
    pub grid_log: Vec<String>,
    /// For a youth or a contact: their own order, open while `choosing_open`.
    pub order: Vec<OrderItem>,
    /// The numbers an item can get: ("1", "1. valg") …
    pub rank_options: Vec<(String, String)>,
    pub choosing_open: bool,
    pub places: String,
    pub choices_summary: String,
    pub matching: Option<MatchSection>,
    pub calls: Vec<CallRow>,
    pub saved: Option<String>,
    pub has_errors: bool,
    pub order_error: Option<String>,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

/// Which of the event page's forms was sent, with what was typed.
#[derive(Default)]
pub struct EventTyped {
    invite: InviteForm,
    answer: AnswerForm,
    youth: EventYouthForm,
    seat: MoveForm,
    change: OverrideForm,
    order: Vec<(String, String)>,
}

pub(crate) fn grid_issue_text(tr: Tr, issue: &GridIssue) -> String {
    let text = |v: &Option<String>| Arg::Text(v.clone().unwrap_or_default());
    let number = |v: Option<i64>| Arg::Number(v.unwrap_or(0));
    tr.t_args(
        &format!("grid-{}", issue.kind.replace('_', "-")),
        &[
            ("youth", text(&issue.youth)),
            ("company", text(&issue.company)),
            ("round", number(issue.round)),
            ("table", number(issue.table)),
            ("planned", number(issue.planned)),
            ("requested", number(issue.requested)),
        ],
    )
}

fn grid_table(tr: Tr, detail: &EventDetail, rounds: i64) -> GridTable {
    let mut seats: Vec<(i64, String, i64)> = detail
        .grid
        .iter()
        .map(|s| (s.company_id, s.company_name.clone(), s.table_no))
        .collect();
    // Every table of the companies coming, also one nobody sits at yet.
    if !seats.is_empty() {
        for c in detail.companies.iter().filter(|c| c.status == "accepted") {
            seats.extend((0..c.tables).map(|t| (c.company_id, c.name.clone(), t)));
        }
    }
    seats.sort_by(|a, b| (&a.1, a.0, a.2).cmp(&(&b.1, b.0, b.2)));
    seats.dedup();
    let columns = seats
        .iter()
        .map(|(_, name, table)| {
            tr.t_args(
                "grid-table",
                &[
                    ("company", Arg::Text(name.clone())),
                    ("table", Arg::Number(table + 1)),
                ],
            )
        })
        .collect();
    let rows = (0..rounds)
        .map(|round| {
            let cells = seats
                .iter()
                .map(|(company, _, table)| {
                    detail
                        .grid
                        .iter()
                        .find(|s| {
                            s.round == round && s.company_id == *company && s.table_no == *table
                        })
                        .map(|s| match s.initial.as_str() {
                            "" => s.youth_name.clone(),
                            initial => format!("{} {initial}.", s.youth_name),
                        })
                        .unwrap_or_default()
                })
                .collect();
            (tr.count("grid-round", round + 1), cells)
        })
        .collect();
    GridTable { columns, rows }
}

/// The items to order: those chosen first, in their order, then the rest
/// as met.
fn order_items(tr: Tr, met: &[(i64, String)], chosen: &[i64]) -> Vec<OrderItem> {
    let mut seen = Vec::new();
    let mut items: Vec<(usize, OrderItem)> = met
        .iter()
        .filter(|(id, _)| {
            let first = !seen.contains(id);
            seen.push(*id);
            first
        })
        .map(|(id, name)| {
            let position = chosen.iter().position(|c| c == id);
            let label = |key: &str| tr.t_args(key, &[("name", Arg::Text(name.clone()))]);
            (
                position.unwrap_or(usize::MAX),
                OrderItem {
                    id: *id,
                    name: name.clone(),
                    rank: position.map(|p| (p + 1).to_string()).unwrap_or_default(),
                    up_label: label("event-move-up"),
                    down_label: label("event-move-down"),
                },
            )
        })
        .collect();
    items.sort_by_key(|(position, _)| *position);
    items.into_iter().map(|(_, item)| item).collect()
}

/// A tap on ▲ or ▼ beside an item: the order as typed, with that item one
/// place up or down (an item not yet chosen is added last, then moved).
fn moved(mut order: Vec<i64>, pairs: &[(String, String)]) -> Vec<i64> {
    let tap = pairs
        .iter()
        .find(|(name, _)| name == "up" || name == "down")
        .and_then(|(name, value)| Some((name.as_str(), value.parse::<i64>().ok()?)));
    let Some((direction, id)) = tap else {
        return order;
    };
    let at = match order.iter().position(|x| *x == id) {
        Some(at) => at,
        None => {
            order.push(id);
            return order;
        }
    };
    match direction {
        "up" if at > 0 => order.swap(at, at - 1),
        "down" if at + 1 < order.len() => order.swap(at, at + 1),
        _ => {}
    }
    order
}

#[allow(clippy::too_many_arguments)]
async fn event_view(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    typed: &EventTyped,
    messages: &FieldMessages,
    failed: Option<&'static str>,
    breaks: Vec<String>,
    saved: Option<String>,
) -> AppResult<EventView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let db = state.db();
    let detail = db.event(&scope, id).await?;
    let role = caller.role();
    let is_staff = role.is_programme_staff();
    let is_contact = role == Role::CompanyContact;
    let is_youth = role == Role::Youth;
    let field = |name: &'static str, kind: &'static str, value: &str| {
        FormField::new(tr, name, kind, value, messages)
    };
    let form = |form_id: &'static str, path: &str, button: &str| ActionForm {
        id: form_id,
        title: tr.t(&format!("event-form-{form_id}")),
        action: format!("/events/{id}/{path}"),
        button: tr.t(button),
        open: failed == Some(form_id),
    };
    let today = crate::i18n::today_in_copenhagen().to_string();
    let held = detail.event.event_date <= today;
    let companies: Vec<CompanyLine> = detail
        .companies
        .iter()
        .map(|c| CompanyLine {
            id: c.company_id,
            name: c.name.clone(),
            industry: c.industry.clone(),
            status: tr.t(&format!("invitation-{}", c.status)),
            tables: c.tables,
            places: c
                .places
                .map(|p| p.to_string())
                .unwrap_or_else(|| "–".into()),
        })
        .collect();
    let youth: Vec<YouthLine> = detail
        .youth
        .iter()
        .map(|y| YouthLine {
            id: y.youth_id,
            name: format!("{} {}", y.first_name, y.last_name)
                .trim()
                .to_string(),
            host: y.host,
        })
        .collect();
    let mut forms = Vec::new();
    let mut order = Vec::new();
    let mut choosing_open = false;
    let mut places = String::new();
    let mut choices_summary = String::new();
    let mut calls = Vec::new();
    let matching = if is_contact {
        None
    } else {
        db.match_result(&scope, id).await?
    };
    if is_staff {
        let mut outside = vec![(String::new(), tr.t("choose"))];
        outside.extend(
            db.network_overview(&scope)
                .await?
                .members
                .into_iter()
                .filter(|m| m.left_on.is_none() && !companies.iter().any(|c| c.id == m.company_id))
                .map(|m| (m.company_id.to_string(), m.name)),
        );
        let invite = &typed.invite;
        forms.push((
            form("invite", "invite", "event-invite"),
            vec![
                field("company_id", "select", &invite.company_id)
                    .required()
                    .options(outside),
                field(
                    "tables",
                    "integer",
                    if failed == Some("invite") {
                        &invite.tables
                    } else {
                        "1"
                    },
                )
                .required()
                .hint(tr.t("hint-event-tables")),
            ],
        ));
        let mut invited = vec![(String::new(), tr.t("choose"))];
        invited.extend(companies.iter().map(|c| (c.id.to_string(), c.name.clone())));
        let answer = &typed.answer;
        forms.push((
            form("answer", "answer", "save"),
            vec![
                field("company_id", "select", &answer.company_id)
                    .required()
                    .options(invited.clone()),
                field("accept", "select", &answer.accept)
                    .required()
                    .options(yes_no_options(tr, "event-accept-yes", "event-accept-no")),
                field("tables", "integer", &answer.tables),
            ],
        ));
        let mut candidates = vec![(String::new(), tr.t("choose"))];
        candidates.extend(
            db.event_candidates(&scope, id)
                .await?
                .into_iter()
                .filter(|(yid, _)| !youth.iter().any(|y| y.id == *yid))
                .map(|(yid, name)| (yid.to_string(), name)),
        );
        let add = &typed.youth;
        forms.push((
            form("youth", "youth", "event-add-youth"),
            vec![
                field("youth_id", "select", &add.youth_id)
                    .required()
                    .options(candidates),
                field(
                    "host",
                    "select",
                    if add.host.is_empty() { "no" } else { &add.host },
                )
                .options(yes_no_options(tr, "event-host-yes", "event-host-no")),
            ],
        ));
        if !detail.grid.is_empty() {
            let mut at_event = vec![(String::new(), tr.t("choose"))];
            at_event.extend(youth.iter().map(|y| (y.id.to_string(), y.name.clone())));
            let accepted: Vec<(String, String)> = detail
                .companies
                .iter()
                .filter(|c| c.status == "accepted")
                .map(|c| (c.company_id.to_string(), c.name.clone()))
                .collect();
            let seat = &typed.seat;
            let accept_field = if breaks.is_empty() {
                None
            } else {
                Some(
                    field("accept_breaks", "select", "no").options(yes_no_options(
                        tr,
                        "event-accept-breaks-yes",
                        "event-accept-breaks-no",
                    )),
                )
            };
            let mut fields = vec![
                field("youth_id", "select", &seat.youth_id)
                    .required()
                    .options(at_event.clone()),
                field("round", "integer", &seat.round).required(),
                field("company_id", "select", &seat.company_id)
                    .required()
                    .options([vec![(String::new(), tr.t("choose"))], accepted].concat()),
                field(
                    "table",
                    "integer",
                    if seat.table.is_empty() {
                        "1"
                    } else {
                        &seat.table
                    },
                )
                .required(),
            ];
            fields.extend(accept_field);
            forms.push((
                ActionForm {
                    open: failed == Some("move") || !breaks.is_empty(),
                    ..form("move", "grid/move", "event-move")
                },
                fields,
            ));
            if matching.is_some() {
                let mut given = vec![(String::new(), tr.t("event-no-company"))];
                given.extend(companies.iter().map(|c| (c.id.to_string(), c.name.clone())));
                let change = &typed.change;
                forms.push((
                    form("override", "override", "event-override"),
                    vec![
                        field("youth_id", "select", &change.youth_id)
                            .required()
                            .options(at_event),
                        field("company_id", "select", &change.company_id).options(given),
                        field("reason", "textarea", &change.reason)
                            .required()
                            .max_length(OVERRIDE_REASON_MAX)
                            .hint(tr.t("hint-override-reason")),
                    ],
                ));
            }
        }
        let ranked = db.event_choice_counts(&scope, id).await?;
        choices_summary = tr.t_args(
            "event-choices-summary",
            &[
                ("ranked", Arg::Number(ranked.0)),
                ("youth", Arg::Number(youth.len() as i64)),
                ("marked", Arg::Number(ranked.1)),
                ("companies", Arg::Number(detail.event.companies)),
            ],
        );
        calls = db.calls(&scope, Some(id)).await?;
    } else if is_contact {
        if !held {
            let answer = &typed.answer;
            let tables = detail
                .companies
                .first()
                .map(|c| c.tables.to_string())
                .unwrap_or_default();
            forms.push((
                ActionForm {
                    open: true,
                    ..form("answer", "answer", "save")
                },
                vec![
                    field("accept", "select", &answer.accept)
                        .required()
                        .options(yes_no_options(tr, "event-accept-yes", "event-accept-no")),
                    field(
                        "tables",
                        "integer",
                        if failed == Some("answer") {
                            &answer.tables
                        } else {
                            &tables
                        },
                    )
                    .hint(tr.t("hint-event-tables")),
                ],
            ));
        }
        let choices = db.company_choices(&scope, id, None).await?;
        choosing_open = choices.open;
        places = choices.places.map(|p| p.to_string()).unwrap_or_default();
        order = order_items(tr, &choices.met, &choices.chosen);
    } else if is_youth {
        let choices = db.youth_choices(&scope, id, None).await?;
        choosing_open = choices.open;
        order = order_items(tr, &choices.met, &choices.chosen);
    }
    if failed == Some("order") {
        for item in &mut order {
            item.rank = typed
                .order
                .iter()
                .find(|(name, _)| *name == format!("rank_{}", item.id))
                .map(|(_, v)| v.clone())
                .unwrap_or_default();
        }
        if let Some((_, p)) = typed.order.iter().find(|(n, _)| n == "places") {
            places = p.clone();
        }
    }
    let matching = matching.map(|m| MatchSection {
        run_at: tr.datetime(m.run_at),
        stable: m.stable,
        instability: m
            .instability
            .as_ref()
            .map(|i| instability_text(tr, i, &m.youth_names, &m.company_names)),
        digest: m.input_digest.chars().take(16).collect(),
        lines: m
            .lines
            .iter()
            .map(|l| ResultLine {
                youth: l.youth_name.clone(),
                company: l.company_name.clone().unwrap_or_else(|| "–".into()),
                why: l
                    .explanation
                    .as_ref()
                    .map(|e| explanation_text(tr, e, &m.company_names))
                    .unwrap_or_default(),
                overridden: l.override_reason.as_ref().map(|reason| {
                    tr.t_args(
                        "event-overridden",
                        &[
                            (
                                "engine",
                                Arg::Text(
                                    l.engine_company_name.clone().unwrap_or_else(|| "–".into()),
                                ),
                            ),
                            ("reason", Arg::Text(reason.clone())),
                        ],
                    )
                }),
            })
            .collect(),
    });
    Ok(EventView {
        ctx: caller.page(&format!("/events/{id}")),
        event: event_line(tr, &detail.event),
        facilitators: detail.facilitators.join(", "),
        is_staff,
        is_contact,
        is_youth,
        grid: grid_table(tr, &detail, detail.event.rounds),
        grid_issues: detail
            .grid_issues
            .iter()
            .map(|i| grid_issue_text(tr, i))
            .collect(),
        breaks,
        grid_log: detail
            .grid_log
            .iter()
            .map(|l| {
                format!(
                    "{} · {} · {}",
                    tr.datetime(l.changed_at),
                    l.changed_by,
                    l.change
                )
            })
            .collect(),
        companies,
        youth,
        rank_options: (1..=order.len() as i64)
            .map(|n| (n.to_string(), tr.count("event-choice-number", n)))
            .collect(),
        order,
        choosing_open,
        places,
        choices_summary,
        matching,
        calls,
        saved,
        has_errors: !messages.is_empty(),
        order_error: messages
            .get("companies")
            .or(messages.get("youth"))
            .or(messages.get("choices"))
            .cloned(),
        forms,
    })
}

fn yes_no_options(tr: Tr, yes: &str, no: &str) -> Vec<(String, String)> {
    vec![
        (String::new(), tr.t("choose")),
        ("yes".into(), tr.t(yes)),
        ("no".into(), tr.t(no)),
    ]
}

pub async fn event_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = event_view(
        &state,
        &caller,
        id,
        &EventTyped::default(),
        &FieldMessages::default(),
        None,
        Vec::new(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

async fn event_outcome<T>(
    state: &AppState,
    caller: &Caller,
    id: EventId,
    which: &'static str,
    typed: EventTyped,
    result: AppResult<T>,
    saved: &str,
) -> AppResult<Response> {
    after_form(
        caller.tr(),
        result,
        // After a choice the page opens at the list again (on a phone, one tap per move).
        |_| match which {
            "order" => format!("/events/{id}?saved={saved}#choices"),
            _ => format!("/events/{id}?saved={saved}"),
        },
        |messages| async move {
            let view = event_view(
                state,
                caller,
                id,
                &typed,
                &messages,
                Some(which),
                Vec::new(),
                None,
            )
            .await?;
            Ok(render(&view))
        },
    )
    .await
}

pub async fn event_invite(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Form(form): Form<InviteForm>,
) -> AppResult<Response> {
    let result = actions::invite(&state, &caller, id, &form).await;
    let typed = EventTyped {
        invite: form,
        ..EventTyped::default()
    };
    event_outcome(&state, &caller, id, "invite", typed, result, "invited").await
}

pub async fn event_answer(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Form(form): Form<AnswerForm>,
) -> AppResult<Response> {
    let result = actions::answer(&state, &caller, id, &form).await;
    let typed = EventTyped {
        answer: form,
        ..EventTyped::default()
    };
    event_outcome(&state, &caller, id, "answer", typed, result, "answered").await
}

pub async fn event_youth(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Form(form): Form<EventYouthForm>,
) -> AppResult<Response> {
    let result = actions::add_youth(&state, &caller, id, &form).await;
    let typed = EventTyped {
        youth: form,
        ..EventTyped::default()
    };
    event_outcome(&state, &caller, id, "youth", typed, result, "youth").await
}

pub async fn event_grid(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Response> {
    let result = actions::generate_grid(&state, &caller, id).await;
    event_outcome(
        &state,
        &caller,
        id,
        "grid",
        EventTyped::default(),
        result,
        "grid",
    )
    .await
}

pub async fn event_move(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    match actions::move_seat(&state, &caller, id, &form).await {
        // The check found problems: the page says what the move breaks and
        // asks whether to save it anyway; nothing was saved.
        Ok(breaks) if !breaks.is_empty() => {
            let tr = caller.tr();
            let breaks = breaks.iter().map(|b| grid_issue_text(tr, b)).collect();
            let typed = EventTyped {
                seat: form,
                ..EventTyped::default()
            };
            let view = event_view(
                &state,
                &caller,
                id,
                &typed,
                &FieldMessages::default(),
                Some("move"),
                breaks,
                None,
            )
            .await?;
            Ok((StatusCode::CONFLICT, render(&view)).into_response())
        }
        result => {
            let typed = EventTyped {
                seat: form,
                ..EventTyped::default()
            };
            event_outcome(&state, &caller, id, "move", typed, result, "moved").await
        }
    }
}

/// A youth's ranking or a company's marks: one number per item.
pub async fn event_order(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    state
        .db()
        .require_event_visible(&caller.scope(), id)
        .await?;
    let is_contact = caller.role() == Role::CompanyContact;
    let field = if is_contact { "youth" } else { "companies" };
    let result = match super::forms::parse_order(field, &pairs).map(|order| moved(order, &pairs)) {
        Err(errors) => Err(AppError::invalid(errors)),
        Ok(order) if is_contact => match super::forms::parse_places(&pairs) {
            Err(errors) => Err(AppError::invalid(errors)),
            Ok(places) => actions::mark(&state, &caller, id, None, &order, places).await,
        },
        Ok(order) => actions::rank(&state, &caller, id, None, &order).await,
    };
    let typed = EventTyped {
        order: pairs,
        ..EventTyped::default()
    };
    let saved = if is_contact { "marks" } else { "ranking" };
    event_outcome(&state, &caller, id, "order", typed, result, saved).await
}

pub async fn event_match(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Response> {
    let result = actions::run_match(&state, &caller, id).await;
    event_outcome(
        &state,
        &caller,
        id,
        "match",
        EventTyped::default(),
        result,
        "match",
    )
    .await
}

pub async fn event_override(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
    Form(form): Form<OverrideForm>,
) -> AppResult<Response> {
    let result = actions::override_match(&state, &caller, id, &form).await;
    let typed = EventTyped {
        change: form,
        ..EventTyped::default()
    };
    event_outcome(&state, &caller, id, "override", typed, result, "override").await
}

// ---- printing ------------------------------------------------------------------

#[derive(Template)]
#[template(path = "events/print.html")]
pub struct PrintView {
    pub ctx: PageCtx,
    pub event: EventLine,
    pub grid: GridTable,
    /// Name cards: the name and what it says below it (host, company).
    pub cards: Vec<(String, String)>,
    pub rules: Vec<String>,
    pub deck: Vec<String>,
}

/// The default deck of conversation cards, in the reader's language.
pub const DECK_SIZE: i64 = 18;
pub const RULES: i64 = 5;

pub async fn event_print(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<EventId>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let detail = state.db().event(&caller.scope(), id).await?;
    let mut cards: Vec<(String, String)> = detail
        .youth
        .iter()
        .map(|y| {
            (
                y.first_name.clone(),
                tr.t(if y.host {
                    "print-card-host"
                } else {
                    "print-card-youth"
                }),
            )
        })
        .collect();
    for company in detail.companies.iter().filter(|c| c.status == "accepted") {
        for table in 1..=company.tables {
            cards.push((
                company.name.clone(),
                tr.t_args("grid-table-number", &[("table", Arg::Number(table))]),
            ));
        }
    }
    Ok(render(&PrintView {
        ctx: caller.page(&format!("/events/{id}/print")),
        event: event_line(tr, &detail.event),
        grid: grid_table(tr, &detail, detail.event.rounds),
        cards,
        rules: (1..=RULES)
            .map(|n| tr.t(&format!("print-rule-{n}")))
            .collect(),
        deck: (1..=DECK_SIZE)
            .map(|n| tr.t(&format!("print-card-{n}")))
            .collect(),
    }))
}

// ---- calls ---------------------------------------------------------------------

pub struct CallLine {
    pub row: CallRow,
    pub other_errors: Vec<String>,
    pub status: String,
    pub open: bool,
    pub fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "events/calls.html")]
pub struct CallsView {
    pub ctx: PageCtx,
    pub intro: String,
    pub calls: Vec<CallLine>,
    pub saved: Option<String>,
    pub has_errors: bool,
}

async fn calls_view(
    state: &AppState,
    caller: &Caller,
    failed: Option<(i64, &CallForm, &FieldMessages)>,
    saved: Option<String>,
) -> AppResult<CallsView> {
    let tr = caller.tr();
    let rows = state.db().calls(&caller.scope(), None).await?;
    let none = FieldMessages::default();
    let blank = CallForm::default();
    let mut outcomes = vec![(String::new(), tr.t("choose"))];
    outcomes.extend(CallOutcome::ALL.iter().map(|o| {
        (
            o.code().to_string(),
            tr.t(&format!("call-{}", o.code().replace('_', "-"))),
        )
    }));
    let calls = rows
        .into_iter()
        .map(|row| {
            let (typed, messages) = match failed {
                Some((call, typed, messages)) if call == row.id => (typed, messages),
                _ => (&blank, &none),
            };
            let prefix = format!("call-{}", row.id);
            let field = |name: &'static str, kind: &'static str, value: &str| {
                FormField::new(tr, name, kind, value, messages).within(&prefix)
            };
            let fields = vec![
                field("outcome", "select", &typed.outcome)
                    .required()
                    .options(outcomes.clone()),
                field("note", "textarea", &typed.note).max_length(CALL_NOTE_MAX),
                field("function", "text", &typed.function)
                    .max_length(FUNCTION_MAX)
                    .hint(tr.t("hint-call-agreed")),
                field("start_date", "date", &typed.start_date),
                field("end_date", "date", &typed.end_date),
                field("hours_per_week", "number", &typed.hours_per_week),
            ];
            // A problem with no field on this form (the youth has no open
            // course, say) is shown above it, in words.
            let other_errors = messages
                .0
                .iter()
                .filter(|(name, _)| !fields.iter().any(|f| f.name == **name))
                .map(|(_, message)| message.clone())
                .collect();
            CallLine {
                other_errors,
                status: tr.t(&format!("call-{}", row.status.replace('_', "-"))),
                open: row.status != "agreed",
                fields,
                row,
            }
        })
        .collect();
    Ok(CallsView {
        ctx: caller.page("/calls"),
        intro: tr.t(if caller.role() == Role::CompanyContact {
            "calls-intro-contact"
        } else {
            "calls-intro"
        }),
        calls,
        saved,
        has_errors: failed.is_some(),
    })
}

pub async fn calls_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    Ok(render(&calls_view(&state, &caller, None, saved).await?))
}

pub async fn call_record(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CallId>,
    Form(form): Form<CallForm>,
) -> AppResult<Response> {
    let result = actions::record_call(&state, &caller, id, &form).await;
    after_form(
        caller.tr(),
        result,
        |_| "/calls?saved=call".to_string(),
        |messages| async move {
            let view =
                calls_view(&state, &caller, Some((id.get(), &form, &messages)), None).await?;
            Ok(render(&view))
        },
    )
    .await
}

// ---- one-time codes ---------------------------------------------------------------

#[derive(Template)]
#[template(path = "events/code_given.html")]
pub struct CodeGivenView {
    pub ctx: PageCtx,
    pub youth_id: i64,
    pub code: String,
    pub expires: String,
}

/// Staff make a log-in code for a youth; it is shown once, here.
pub async fn youth_login_code(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let code = state.db().create_login_code(&caller.scope(), youth).await?;
    Ok(render(&CodeGivenView {
        ctx: caller.page(&format!("/youth/{youth}")),
        youth_id: youth.get(),
        code: code.code,
        expires: tr.datetime(code.expires_at),
    }))
}

/// The client's IP address when the server knows it (behind a proxy: the
/// proxy's, so the limit then counts all clients together).
pub struct ClientAddress(String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

#[derive(Template)]
#[template(path = "events/code_login.html")]
pub struct CodeLoginView {
    pub ctx: PageCtx,
    pub error: Option<String>,
}

pub async fn code_login_page(context: RequestContext) -> Response {
    render(&CodeLoginView {
        ctx: PageCtx::anonymous(Tr::new(context.lang)),
        error: None,
    })
}

/// Logs a youth in with the code their consultant gave them: once, before
/// it expires; a client that guesses is made to wait.
pub async fn code_login_submit(
    State(state): State<AppState>,
    context: RequestContext,
    headers: HeaderMap,
    ClientAddress(client): ClientAddress,
    Form(form): Form<CodeForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);

    let failed = |status: StatusCode, message: &str| {
        let view = CodeLoginView {
            ctx: PageCtx::anonymous(tr),
            error: Some(tr.t(message)),
        };
        Ok((status, render(&view)).into_response())
    };
    match state
        .db()
        .redeem_login_code(&form.code, &client, &context.request_id)
        .await?
    {
        LoginCodeOutcome::Success(user) => {
            let previous = cookie(&headers, session_cookie_name(&state));
            let secret = state
                .db()
                .create_session(user.id, previous.as_deref())
                .await?;
            Ok(with_session_cookie(&state, &secret.token, "/events"))
        }
        // The typed code is wrong input, like a wrong field: 422.
        LoginCodeOutcome::Wrong => failed(StatusCode::UNPROCESSABLE_ENTITY, "code-login-wrong"),
        LoginCodeOutcome::Blocked => failed(StatusCode::TOO_MANY_REQUESTS, "code-login-blocked"),
    }
}
