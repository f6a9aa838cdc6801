//! Take-up: the caseworker records each offer's answer.

use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use spire_domain::{AllocationId, TrialId};
use spire_store::{PendingTakeUp, TrialOverview};

#[derive(Template)]
#[template(path = "trials/take_up.html")]
pub struct TrialTakeUpView {
    pub ctx: PageCtx,
    pub trial: TrialOverview,
    pub pending: Vec<PendingTakeUp>,
    pub today: String,
    pub message: Option<String>,
    pub error: Option<String>,
    /// The offer whose answer was refused, with the date as typed: the error
    /// is shown on that row and the date kept.
    pub refused: Option<(i64, String)>,
}

impl TrialTakeUpView {
    fn date_for(&self, allocation_id: &i64) -> &str {
        match &self.refused {
            Some((id, typed)) if id == allocation_id => typed,
            _ => &self.today,
        }
    }

    fn is_refused(&self, allocation_id: &i64) -> bool {
        self.refused
            .as_ref()
            .is_some_and(|(id, _)| id == allocation_id)
    }
}

pub(super) async fn take_up_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    trial_id: TrialId,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<TrialTakeUpView> {
    let trial = state.db().trial_overview(trial_id).await?;
    let pending = state
        .db()
        .pending_take_up(&user.scope(context), trial_id)
        .await?;
    Ok(TrialTakeUpView {
        ctx: page_ctx(context, user, &format!("/trials/{trial_id}/take-up")),
        trial,
        pending,
        today: time::OffsetDateTime::now_utc().date().to_string(),
        message,
        error,
        refused: None,
    })
}

/// The programme offers of the caseworker's municipality awaiting an answer.
pub async fn take_up_list(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
) -> AppResult<Response> {
    Ok(render(
        &take_up_view(&state, &context, &user, id, None, None).await?,
    ))
}

#[derive(Deserialize)]
pub struct TakeUpForm {
    #[serde(default)]
    allocation_id: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    decided_on: String,
}

pub async fn take_up_record(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(form): Form<TakeUpForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let allocation_id = form.allocation_id.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(vec![spire_domain::FieldError::new(
            "allocation_id",
            spire_domain::Problem::Required,
        )])
    })?;
    let accepted = match form.answer.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => {
            return Err(AppError::invalid(vec![spire_domain::FieldError::new(
                "answer",
                spire_domain::Problem::Required,
            )]));
        }
    };
    let decided_on = time::Date::parse(
        form.decided_on.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    );
    // The answer is given on or after the allocation, and not in the future.
    let pending = state
        .db()
        .pending_take_up(&user.scope(&context), id)
        .await?;
    let offer = pending.iter().find(|p| p.allocation_id == allocation_id);
    let today = time::OffsetDateTime::now_utc().date();
    let allocated_on = offer.and_then(|p| {
        time::OffsetDateTime::from_unix_timestamp(p.allocated_at)
            .ok()
            .map(|t| t.date())
    });
    let date_problem = match decided_on {
        Err(_) => Some(spire_domain::Problem::Required),
        Ok(date) if date > today => Some(spire_domain::Problem::DateInFuture),
        Ok(date) if allocated_on.is_some_and(|allocated| date < allocated) => {
            Some(spire_domain::Problem::DateBeforeAllocation)
        }
        Ok(_) => None,
    };
    let who = offer
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .unwrap_or_default();
    let decided_on = match (decided_on, date_problem) {
        (Ok(date), None) => date,
        (_, problem) => {
            let problem = problem.unwrap_or(spire_domain::Problem::Required);
            let mut view = take_up_view(
                &state,
                &context,
                &user,
                id,
                None,
                Some(format!("{who}: {}", tr.t(problem.message_id()))),
            )
            .await?;
            view.refused = Some((allocation_id, form.decided_on.trim().to_string()));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
        }
    };
    let recorded = state
        .db()
        .record_take_up(
            &user.scope(&context),
            state.key(),
            id,
            AllocationId::new(allocation_id),
            accepted,
            decided_on,
        )
        .await;
    let (status, message, error) = match recorded {
        Ok(_) => (
            StatusCode::OK,
            Some(tr.t_args(
                if accepted {
                    "take-up-recorded-accepted"
                } else {
                    "take-up-recorded-declined"
                },
                &[("name", Arg::Text(who))],
            )),
            None,
        ),
        Err(spire_store::Error::Invalid(field)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(tr.problem(&field)),
        ),
        Err(other) => return Err(other.into()),
    };
    let view = take_up_view(&state, &context, &user, id, message, error).await?;
    Ok((status, render(&view)).into_response())
}
