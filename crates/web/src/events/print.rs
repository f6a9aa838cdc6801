//! The print-ready pages of an event: the grid, the game's rules, name
//! cards and the municipality's conversation deck.

use crate::http::context::{Caller, PathId};
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::Arg;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use spire_domain::EventId;

use super::grid::{GridTable, grid_table};
use super::pages::{EventLine, deck, event_line};

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
        deck: deck(tr, state.db().conversation_deck(&caller.scope()).await?),
    }))
}
