//! The trial's evaluation (researchers and the programme office): the locked
//! pre-analysis plan, outcome imports keyed by study pseudonym, and the report
//! — recruitment against the target with the MDE, CONSORT, balance, the ITT
//! table with a forest plot, randomisation-inference and Romano–Wolf p-values,
//! the effect of participation, Lee bounds and subgroups. Printable as HTML
//! and downloadable as JSON; the JSON API serves the same report.

use super::plan_form::*;
use super::report::*;
use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind, Refusal};
use crate::http::multipart;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::error_page::refused;
use crate::ui::fields::FieldMessages;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{RawQuery, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use spire_domain::TrialId;
use spire_domain::{FieldError, Problem};
use spire_evaluation::outcomes::ImportProblem;
use spire_evaluation::plan::AnalysisPlan;
use spire_store::TrialOverview;

fn import_message(tr: Tr, problem: &ImportProblem) -> String {
    let (message_id, args) = problem.message();
    refused(
        tr,
        &Refusal {
            field: "file",
            message_id,
            args,
        },
    )
}

#[derive(Template)]
#[template(path = "evaluation/page.html")]
pub struct EvaluationView {
    pub ctx: PageCtx,
    /// Researchers lock the plan and import outcomes; the programme office reads.
    pub may_write: bool,
    pub generated: String,
    pub trial: TrialOverview,
    pub flow: String,
    pub plan: Option<PlanSummary>,
    pub plan_form: PlanForm,
    pub explore_form: PlanForm,
    pub errors: FieldMessages,
    pub notice: Option<(bool, String)>,
    pub imports: Vec<ImportLine>,
    pub report: Option<ReportView>,
}

struct PageInput<'a> {
    query: Option<&'a str>,
    errors: Vec<FieldError>,
    typed: Option<&'a Pairs>,
    notice: Option<(bool, String)>,
}

async fn page_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    trial_id: TrialId,
    input: PageInput<'_>,
) -> AppResult<EvaluationView> {
    let tr = Tr::new(context.lang);
    let scope = user.scope(context);
    let trial = state.db().trial_overview(trial_id).await?;
    let consort = state.db().trial_report(trial_id).await?.consort;
    let locked = state.db().evaluation_plan(&scope, trial_id).await?;
    let raw_imports = state.db().outcome_imports(&scope, trial_id).await?;
    let replaced = replaced_columns(tr, &raw_imports);
    let imported_notice = imported_id(input.query).and_then(|id| {
        raw_imports.iter().find(|i| i.id == id).map(|import| {
            (
                false,
                tr.t_args(
                    "evaluation-imported",
                    &[
                        ("rows", Arg::Number(import.row_count)),
                        ("columns", Arg::Text(import.columns.replace(',', ", "))),
                    ],
                ),
            )
        })
    });
    let imports = raw_imports
        .into_iter()
        .map(|i| ImportLine {
            sha256: i.file_sha256(),
            file_name: i.file_name,
            rows: i.row_count,
            columns: i.columns.replace(',', ", "),
            by: i.imported_by,
            at: tr.datetime(i.imported_at),
        })
        .collect();
    let (report, explore_form) = match &locked {
        Some(locked) => {
            let analysis = analysis_from_query(&locked.plan, input.query)?;
            let report = compute_report(state, &scope, trial_id, locked, analysis.clone()).await?;
            let mut view = report_view(tr, trial_id, &report, input.query);
            view.replaced = replaced;
            (Some(view), PlanForm::of(tr, &analysis))
        }
        None => (None, PlanForm::of(tr, &AnalysisPlan::suggested())),
    };
    Ok(EvaluationView {
        ctx: PageCtx::for_user(tr, user, &format!("/trials/{trial_id}/evaluation")),
        may_write: user.user.role() == spire_domain::Role::Researcher,
        generated: tr.datetime(time::OffsetDateTime::now_utc().unix_timestamp()),
        flow: crate::trials::consort::consort_svg(tr, &consort),
        plan: locked.as_ref().map(|l| plan_summary(tr, l)),
        plan_form: match input.typed {
            Some(pairs) => PlanForm::typed(tr, pairs),
            // The study name suggested is the trial's own, never another trial's.
            None => PlanForm::of(
                tr,
                &AnalysisPlan {
                    study: format!("{}-evaluation", trial.public_id),
                    ..AnalysisPlan::suggested()
                },
            ),
        },
        explore_form,
        errors: FieldMessages::from_errors(tr, &input.errors),
        notice: input.notice.or(imported_notice),
        imports,
        report,
        trial,
    })
}

pub async fn evaluation_page(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let input = PageInput {
        query: query.as_deref(),
        errors: Vec::new(),
        typed: None,
        notice: None,
    };
    Ok(render(
        &page_view(&state, &context, &user, id, input).await?,
    ))
}

pub async fn lock_plan(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(pairs): Form<Pairs>,
) -> AppResult<Response> {
    let locked = match parse_plan(&pairs) {
        Ok(plan) => state
            .db()
            .lock_evaluation_plan(&user.scope(&context), id, &plan)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    match locked {
        Ok(_) => Ok(Redirect::to(&format!("/trials/{id}/evaluation")).into_response()),
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let input = PageInput {
                query: None,
                errors,
                typed: Some(&pairs),
                notice: None,
            };
            let view = page_view(&state, &context, &user, id, input).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other),
    }
}

/// The uploaded file's name and bytes from a multipart body.
async fn uploaded_file(content_type: Option<&str>, body: Bytes) -> Option<(String, Bytes)> {
    let boundary = multipart::boundary(content_type?)?;
    multipart::parts(body, &boundary)
        .await?
        .into_iter()
        .find(|part| part.name == "file")
        .map(|part| {
            (
                part.file_name.unwrap_or_else(|| "outcomes.csv".into()),
                part.data,
            )
        })
}

pub async fn import_outcomes(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    request: Request,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let content_type = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(request.into_body(), multipart::MAX_UPLOAD_BYTES)
        .await
        .map_err(|_| AppError(ErrorKind::BadRequest))?;
    let imported = match uploaded_file(content_type.as_deref(), body).await {
        Some((file_name, bytes)) => {
            state
                .db()
                .import_outcomes(&user.scope(&context), state.key(), id, &file_name, &bytes)
                .await
        }
        None => Err(spire_store::Error::Invalid(FieldError::new(
            "file",
            Problem::Required,
        ))),
    };
    let (status, notice) = match imported {
        // Post/redirect/get: a reload does not import the file again.
        Ok(import) => {
            return Ok(
                Redirect::to(&format!("/trials/{id}/evaluation?imported={}", import.id))
                    .into_response(),
            );
        }
        Err(spire_store::Error::Import(problem)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, import_message(tr, &problem)),
        ),
        Err(spire_store::Error::Invalid(error)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, tr.field_error(&error)),
        ),
        Err(other) => return Err(other.into()),
    };
    let input = PageInput {
        query: None,
        errors: Vec::new(),
        typed: None,
        notice: Some(notice),
    };
    let view = page_view(&state, &context, &user, id, input).await?;
    Ok((status, render(&view)).into_response())
}

/// The report as a JSON file to keep with the analysis.
pub async fn evaluation_json(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<TrialId>,
    RawQuery(query): RawQuery,
) -> AppResult<Response> {
    let document = document(&state, &caller.scope(), id, query.as_deref()).await?;
    let file_name = format!("evaluation-{}.json", document.trial);
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{file_name}\""),
        )],
        Json(document),
    )
        .into_response())
}
