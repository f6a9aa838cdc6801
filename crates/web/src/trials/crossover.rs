//! Crossover: the team lead gives a control-arm young person the programme
//! after all — decided with a reason, recorded for good, counted in CONSORT
//! and as participation in the analysis. The one way into the programme
//! around the draw, and it is seen.

use crate::http::context::{Caller, CurrentUser, RequestContext};
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::{AllocationId, FieldError, Problem, TrialId};
use spire_store::{ControlAllocation, DECISION_REASON_MAX};

#[derive(Template)]
#[template(path = "trials/crossover.html")]
pub struct CrossoverView {
    pub ctx: PageCtx,
    pub rows: Vec<ControlAllocation>,
    pub today: String,
    pub reason_max: usize,
    pub message: Option<String>,
    /// The row refused, what was typed there, and why.
    pub refused: Option<(i64, CrossoverForm, String)>,
}

impl CrossoverView {
    fn typed(&self, allocation_id: &i64) -> Option<&CrossoverForm> {
        self.refused
            .as_ref()
            .filter(|(id, ..)| id == allocation_id)
            .map(|(_, form, _)| form)
    }

    /// A refusal for a row that shows no form (its crossover is recorded, or
    /// it is gone): said at the top of the page.
    fn general_error(&self) -> Option<&str> {
        let (id, _, error) = self.refused.as_ref()?;
        let has_form = self
            .rows
            .iter()
            .any(|r| r.allocation_id == *id && r.crossover_reason.is_none());
        (!has_form).then_some(error.as_str())
    }

    fn error_for(&self, allocation_id: &i64) -> Option<&str> {
        self.refused
            .as_ref()
            .filter(|(id, ..)| id == allocation_id)
            .map(|(.., error)| error.as_str())
    }
}

#[derive(Clone, Default, Deserialize)]
pub struct CrossoverForm {
    #[serde(default)]
    pub trial_id: String,
    #[serde(default)]
    pub allocation_id: String,
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub start_date: String,
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    message: Option<String>,
    refused: Option<(i64, CrossoverForm, String)>,
) -> AppResult<CrossoverView> {
    Ok(CrossoverView {
        ctx: page_ctx(context, user, "/crossovers"),
        rows: state.db().control_allocations(&user.scope(context)).await?,
        today: time::OffsetDateTime::now_utc().date().to_string(),
        reason_max: DECISION_REASON_MAX,
        message,
        refused,
    })
}

/// `?recorded=N`: the allocation whose crossover was just recorded (post,
/// redirect, get).
#[derive(Deserialize)]
pub struct CrossoverQuery {
    #[serde(default)]
    recorded: Option<i64>,
}

pub async fn crossover_list(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Query(query): Query<CrossoverQuery>,
) -> AppResult<Response> {
    let mut page = view(&state, &context, &user, None, None).await?;
    if let Some(allocation_id) = query.recorded {
        let name = page
            .rows
            .iter()
            .find(|r| r.allocation_id == allocation_id)
            .map(|r| format!("{} {}", r.first_name, r.last_name))
            .unwrap_or_default();
        let tr = Tr::new(context.lang);
        page.message = Some(tr.t_args("crossover-recorded", &[("name", Arg::Text(name))]));
    }
    Ok(render(&page))
}

pub async fn crossover_record(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Form(form): Form<CrossoverForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let number = |text: &str| text.trim().parse::<i64>().ok().filter(|n| *n > 0);
    let (Some(trial_id), Some(allocation_id)) =
        (number(&form.trial_id), number(&form.allocation_id))
    else {
        return Err(crate::http::error::AppError::invalid(vec![
            FieldError::new("allocation_id", Problem::Required),
        ]));
    };
    let start = spire_domain::internship::parse_date("start_date", &form.start_date);
    let recorded = match start {
        Ok(start) => state
            .db()
            .record_crossover(
                &user.scope(&context),
                state.key(),
                TrialId::new(trial_id),
                AllocationId::new(allocation_id),
                &form.reason,
                start,
            )
            .await
            .map_err(|e| match e {
                spire_store::Error::Invalid(field) => Ok(field),
                other => Err(other),
            }),
        Err(field) => Err(Ok(field)),
    };
    match recorded {
        Ok(_) => Ok(Redirect::to(&format!("/crossovers?recorded={allocation_id}")).into_response()),
        Err(Ok(field)) => {
            let refused = Some((allocation_id, form, tr.problem(&field)));
            let view = view(&state, &context, &user, None, refused).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(Err(other)) => Err(other.into()),
    }
}
