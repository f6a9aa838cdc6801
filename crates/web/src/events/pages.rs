//! The events list (staff plan one there) and the municipality's deck of
//! conversation cards; one event is in `event.rs`, printing in `print.rs`,
//! the calls in `calls.rs`, one-time codes in `codes.rs`. Post/redirect/get;
//! a refused form comes back with what was typed and the message by the field.

use super::actions;
use super::forms::{EventForm, PLACE_MAX, TITLE_MAX};
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
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
use spire_domain::Role;
use spire_store::EventRow;

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

pub(super) fn event_line(tr: Tr, row: &EventRow) -> EventLine {
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
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub(super) saved: Option<String>,
}

pub(super) fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
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
    if caller.role() == Role::Youth && state.db().own_youth_id(&scope).await?.is_none() {
        return Err(AppError::not_linked());
    }
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
                    .labelled(tr.t("event-field-title"))
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
        banner: messages.banner(),
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

#[derive(Deserialize, Default)]
pub struct DeckForm {
    #[serde(default)]
    cards: String,
}

/// How many cards the default deck has (`print-card-1` …).
pub const DECK_SIZE: i64 = 18;

/// The municipality's deck, or the default deck in the reader's language.
pub(super) fn deck(tr: Tr, own: Option<Vec<String>>) -> Vec<String> {
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
