//! The trial list, and the programme office's trial page: commitment,
//! CONSORT table and flow diagram, balance by arm and stratum,
//! predictability, annotations — never the sequence, the block structure or
//! the key. Intake is `intake.rs`, take-up `take_up.rs`.

use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::Role;
use spire_domain::{AllocationId, TrialId};
use spire_store::{Consort, TrialOverview, TrialReport, TrialSummary};

use super::consort::*;
use super::labels::*;

#[derive(Template)]
#[template(path = "trials/list.html")]
pub struct TrialListView {
    pub ctx: PageCtx,
    /// Each trial with its status in the user's language.
    pub trials: Vec<(TrialSummary, String)>,
    pub intake: bool,
    /// The programme office opens trials.
    pub may_open: bool,
}

pub async fn trial_list(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let mut trials = Vec::new();
    for t in state.db().list_trials().await? {
        // A caseworker sees the trials their municipality takes part in.
        if let Some(code) = user
            .user
            .municipality_code
            .filter(|_| user.user.role() == Role::Caseworker)
        {
            let settings = state
                .db()
                .trial_overview(TrialId::new(t.id))
                .await?
                .settings;
            if !settings.municipalities.is_empty() && !settings.municipalities.contains(&code) {
                continue;
            }
        }
        let status = tr.t(&format!("trial-status-{}", t.status));
        trials.push((t, status));
    }
    Ok(render(&TrialListView {
        ctx: page_ctx(&context, &user, "/trials"),
        trials,
        intake: user.user.role() == Role::Caseworker,
        may_open: user.user.role() == Role::ProgrammeOffice,
    }))
}

/// A balance row as shown: labels translated, the share in programme.
pub struct BalanceLine {
    pub label: String,
    pub programme: i64,
    pub control: i64,
    pub difference: i64,
}

#[derive(Template)]
#[template(path = "trials/page.html")]
pub struct TrialPageView {
    pub ctx: PageCtx,
    pub trial: TrialOverview,
    pub factors_label: String,
    /// Annotations and amendments in the ledger: (entry, what, reason, when, text matches the ledger).
    pub notes: Vec<(i64, String, String, String, bool)>,
    pub status_label: String,
    pub method_label: String,
    pub consort: Consort,
    pub reasons: Vec<(String, i64)>,
    pub flow: String,
    pub by_stratum: Vec<BalanceLine>,
    pub by_municipality: Vec<BalanceLine>,
    pub predictability: String,
    pub may_annotate: bool,
    pub notice: Notice,
}

fn balance_lines(
    rows: &[spire_store::ArmBalance],
    label: impl Fn(&str) -> String,
) -> Vec<BalanceLine> {
    rows.iter()
        .map(|row| BalanceLine {
            label: label(&row.label),
            programme: row.programme,
            control: row.control,
            difference: row.programme - row.control,
        })
        .collect()
}

fn percent(tr: Tr, share: f64) -> String {
    format!("{} %", tr.number(share * 100.0, 1))
}

/// `?annotated=N`: the ledger index of the annotation just written (post,
/// redirect, get).
#[derive(Deserialize)]
pub struct TrialPageQuery {
    #[serde(default)]
    annotated: Option<i64>,
}

pub async fn trial_page(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Query(query): Query<TrialPageQuery>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let notice = query.annotated.map(|index| {
        (
            false,
            tr.t_args("annotation-recorded", &[("index", Arg::Number(index))]),
        )
    });
    Ok(render(
        &trial_page_view(&state, &context, &user, id, notice).await?,
    ))
}

/// Outcome of an annotation, shown above the trial page: (is it an error, text).
type Notice = Option<(bool, String)>;

async fn trial_page_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    id: TrialId,
    notice: Notice,
) -> AppResult<TrialPageView> {
    let tr = Tr::new(context.lang);
    let trial = state.db().trial_overview(id).await?;
    let TrialReport {
        consort,
        by_stratum,
        by_municipality,
        predictability_share,
        predictability_chance,
    } = state.db().trial_report(id).await?;
    let names: std::collections::HashMap<String, String> = state
        .db()
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m.name))
        .collect();
    Ok(TrialPageView {
        ctx: page_ctx(context, user, &format!("/trials/{id}")),
        notes: state
            .db()
            .trial_ledger_notes(id)
            .await?
            .into_iter()
            .map(|note| {
                let what = match note.annotated_index {
                    Some(index) => {
                        tr.t_args("ledger-note-annotation", &[("index", Arg::Number(index))])
                    }
                    None => tr.t_args(
                        "ledger-note-amendment",
                        &[("version", Arg::Number(note.design_version))],
                    ),
                };
                (
                    note.ledger_index,
                    what,
                    note.reason,
                    tr.datetime(note.unix_seconds),
                    note.matches_ledger,
                )
            })
            .collect(),
        factors_label: trial
            .factors
            .iter()
            .map(|f| factor_label(tr, f))
            .collect::<Vec<_>>()
            .join(", "),
        may_annotate: user.user.role() == Role::ProgrammeOffice,
        notice,
        reasons: consort
            .excluded_by_reason
            .iter()
            .map(|(code, n)| (tr.t(&format!("consort-reason-{code}")), *n))
            .collect(),
        flow: consort_svg(tr, &consort),
        by_stratum: balance_lines(&by_stratum, |s| stratum_label(tr, s, &names)),
        by_municipality: balance_lines(&by_municipality, |code| {
            names
                .get(code)
                .map(|name| format!("{name} ({code})"))
                .unwrap_or_else(|| code.to_string())
        }),
        predictability: if consort.randomised == 0 {
            tr.t("trial-predictability-none")
        } else {
            tr.t_args(
                "trial-predictability-text",
                &[
                    ("share", Arg::Text(percent(tr, predictability_share))),
                    ("chance", Arg::Text(percent(tr, predictability_chance))),
                ],
            )
        },
        status_label: tr.t(&format!("trial-status-{}", trial.status)),
        method_label: tr.t(&format!("trial-method-{}", trial.method)),
        consort,
        trial,
    })
}

#[derive(Deserialize)]
pub struct AnnotationForm {
    #[serde(default)]
    allocation_id: String,
    #[serde(default)]
    reason: String,
}

/// "Allocated in error": the programme office adds an annotation entry to the
/// ledger. The allocation stays, its slot is never reused.
pub async fn annotate(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(form): Form<AnnotationForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let field_error =
        |field, problem| AppError::invalid(vec![spire_domain::FieldError::new(field, problem)]);
    // The reason goes into the permanent ledger: never a CPR number.
    let annotated = match form.allocation_id.trim().parse::<i64>() {
        _ if form.allocation_id.trim().is_empty() => Err(field_error(
            "allocation_id",
            spire_domain::Problem::Required,
        )),
        _ if spire_domain::contains_cpr(&form.reason) => {
            Err(field_error("reason", spire_domain::Problem::ContainsCpr))
        }
        Ok(allocation_id) => state
            .db()
            .annotate_allocation(
                &user.scope(&context),
                state.key(),
                id,
                AllocationId::new(allocation_id),
                &form.reason,
            )
            .await
            .map_err(AppError::from),
        Err(_) => Err(AppError::not_found()),
    };
    let (status, notice) = match annotated {
        Ok(index) => {
            return Ok(Redirect::to(&format!("/trials/{id}?annotated={index}")).into_response());
        }
        Err(AppError(ErrorKind::NotFound)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, tr.t("annotation-no-allocation")),
        ),
        Err(AppError(ErrorKind::Invalid(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, tr.field_error(&errors[0])),
        ),
        Err(other) => return Err(other),
    };
    let view = trial_page_view(&state, &context, &user, id, Some(notice)).await?;
    Ok((status, render(&view)).into_response())
}
