//! One event as each role sees it: staff (invitations, youth, the grid and
//! its moves, choices, the match, overrides, calls), a company contact (the
//! answer, its tables, whom it would welcome) and a youth (their rounds,
//! ranking, result and why). Post/redirect/get; a refused form comes back
//! with what was typed and the message by the field.

use super::actions;
use super::explain::{explanation_text, instability_text};
use super::forms::{
    AnswerForm, EventYouthForm, InviteForm, MoveForm, OVERRIDE_REASON_MAX, OverrideForm,
};
use super::grid::{GridTable, grid_issue_text, grid_table};
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
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use spire_domain::{EventId, Role};
use spire_store::CallRow;

use super::pages::{EventLine, SavedQuery, event_line, saved_message};

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
    pub banner: FormBanner,
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
        banner: messages.banner(),
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
