//! One review: the computed items with their values, the reviewer's own
//! form (the other's scores hidden until both have submitted), the
//! disagreements with a form to reconcile each; the printable report; and a
//! municipality's trend.

use super::forms::{EVIDENCE_MAX, RatingsBody, ReconcileForm};
use super::pages::{SavedQuery, mean_text, saved_message, status_text};
use super::text::{bands_text, measure_name, value_text};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use crate::ui::charts::{Series, line_chart};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use spire_domain::fidelity::{Principle, mean_score};
use spire_domain::{FieldError, Role};
use spire_store::{ItemResult, ReviewDetail, ReviewSummary, Trend, TrendPoint};
use std::collections::BTreeMap;

/// An item as a page shows it.
pub struct ItemLine {
    pub result: ItemResult,
    pub number: usize,
    pub title: String,
    pub guide: String,
    pub value: String,
    /// A computed item's measure and bands in words.
    pub basis: String,
    /// What the reviewer typed (kept when the form comes back).
    pub typed_score: String,
    pub typed_evidence: String,
    pub score_error: Option<String>,
    pub evidence_error: Option<String>,
    /// Earlier reviews' scores of this item, oldest first, then this one.
    pub history: Vec<String>,
    /// The reconcile form that came back: the score and reason typed, the message.
    pub again: Option<(String, String, String)>,
}

pub struct PrincipleBlock {
    pub title: String,
    pub mean: String,
    pub items: Vec<ItemLine>,
}

#[derive(Template)]
#[template(path = "fidelity/review.html")]
pub struct ReviewView {
    pub ctx: PageCtx,
    pub summary: ReviewSummary,
    pub status: String,
    pub mean: String,
    pub computed: Vec<ItemLine>,
    pub reviewed: Vec<ItemLine>,
    pub show_form: bool,
    pub you_submitted: bool,
    pub may_reconcile: bool,
    pub saved: Option<String>,
    pub has_errors: bool,
    /// Messages not about one item (submitted already, the other has not).
    pub general_errors: Vec<String>,
    /// The item a refused reconciliation was about (a link to it).
    pub error_item: Option<String>,
}

fn lines(
    tr: Tr,
    english: bool,
    detail: &ReviewDetail,
    typed: Option<&RatingsBody>,
    errors: &[FieldError],
) -> (Vec<ItemLine>, Vec<ItemLine>) {
    let mut computed = Vec::new();
    let mut reviewed = Vec::new();
    for result in &detail.items {
        let is_computed = result.item.measure.is_some();
        let number = if is_computed {
            computed.len() + 1
        } else {
            reviewed.len() + 1
        };
        let message = |field: &str| {
            errors
                .iter()
                .find(|e| {
                    e.field == field && !is_computed && e.args.contains(&("item", number as i64))
                })
                .map(|e| tr.problem(e))
        };
        let (typed_score, typed_evidence) = typed
            .map(|t| t.typed(&result.item.code))
            .unwrap_or_default();
        let history = detail
            .earlier
            .iter()
            .map(|p| score_text(p.scores.get(&result.item.code).copied().flatten()))
            .chain(std::iter::once(score_text(result.score)))
            .collect();
        let line = ItemLine {
            number,
            title: result.item.title(english).to_string(),
            guide: result.item.guide(english).to_string(),
            value: value_text(tr, result),
            basis: match (&result.item.measure, &result.item.bands) {
                (Some(m), Some(b)) => format!("{} · {}", measure_name(tr, m), bands_text(tr, m, b)),
                _ => String::new(),
            },
            typed_score,
            typed_evidence,
            score_error: message("score"),
            evidence_error: message("evidence"),
            history,
            again: None,
            result: result.clone(),
        };
        if is_computed {
            computed.push(line);
        } else {
            reviewed.push(line);
        }
    }
    (computed, reviewed)
}

fn score_text(score: Option<i64>) -> String {
    score.map_or("–".into(), |s| s.to_string())
}

async fn review_view(
    state: &AppState,
    caller: &Caller,
    id: i64,
    typed: Option<&RatingsBody>,
    errors: &[FieldError],
    saved: Option<String>,
) -> AppResult<ReviewView> {
    let tr = caller.tr();
    let detail = state.db().fidelity_review(&caller.scope(), id).await?;
    let english = caller.context.lang == Lang::En;
    let (computed, reviewed) = lines(tr, english, &detail, typed, errors);
    let office = caller.role() == Role::ProgrammeOffice;
    Ok(ReviewView {
        ctx: caller.page(&format!("/fidelity/reviews/{id}")),
        status: status_text(tr, &detail.summary),
        mean: mean_text(tr, detail.summary.mean, detail.summary.rating),
        computed,
        reviewed,
        show_form: office && detail.you_review && !detail.you_submitted,
        you_submitted: detail.you_submitted,
        may_reconcile: office && detail.summary.submitted_a && detail.summary.submitted_b,
        saved,
        has_errors: !errors.is_empty(),
        general_errors: errors
            .iter()
            .filter(|e| !e.args.iter().any(|(name, _)| *name == "item"))
            .map(|e| tr.problem(e))
            .collect(),
        error_item: None,
        summary: detail.summary,
    })
}

pub async fn review_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    Ok(render(
        &review_view(&state, &caller, id, None, &[], saved).await?,
    ))
}

pub async fn submit_ratings(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let body = RatingsBody::from_form(&fields);
    match submit(&state, &caller, id, &body).await {
        Ok(()) => {
            Ok(Redirect::to(&format!("/fidelity/reviews/{id}?saved=ratings")).into_response())
        }
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let view = review_view(&state, &caller, id, Some(&body), &errors, None).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other),
    }
}

pub async fn submit(
    state: &AppState,
    caller: &Caller,
    id: i64,
    body: &RatingsBody,
) -> AppResult<()> {
    let too_long = body
        .ratings
        .iter()
        .any(|r| r.evidence.chars().count() > EVIDENCE_MAX * 2);
    if too_long {
        // Far beyond the limit: refused before the store counts it.
        return Err(AppError::invalid(vec![FieldError::new(
            "evidence",
            spire_domain::Problem::TooLong,
        )]));
    }
    Ok(state
        .db()
        .submit_fidelity_ratings(&caller.scope(), id, &body.rows())
        .await?)
}

pub async fn settle(
    state: &AppState,
    caller: &Caller,
    id: i64,
    form: &ReconcileForm,
) -> AppResult<()> {
    let score = form.score().map_err(AppError::invalid)?;
    Ok(state
        .db()
        .reconcile_fidelity_item(&caller.scope(), id, form.item.trim(), score, &form.reason)
        .await?)
}

pub async fn reconcile(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Form(form): Form<ReconcileForm>,
) -> AppResult<Response> {
    match settle(&state, &caller, id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!(
            "/fidelity/reviews/{id}?saved=reconciled#item-{}",
            form.item
        ))
        .into_response()),
        Err(AppError(ErrorKind::Invalid(errors))) => {
            let mut view = review_view(&state, &caller, id, None, &[], None).await?;
            let tr = caller.tr();
            let message = errors
                .iter()
                .map(|e| tr.problem(e))
                .collect::<Vec<_>>()
                .join(" ");
            let line = view
                .reviewed
                .iter_mut()
                .find(|l| l.result.item.code == form.item.trim());
            match line {
                Some(line) => line.again = Some((form.score.clone(), form.reason.clone(), message)),
                None => return Err(AppError::invalid(errors)),
            }
            view.has_errors = true;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response())
        }
        Err(other) => Err(other),
    }
}

#[derive(Template)]
#[template(path = "fidelity/report.html")]
pub struct ReportView {
    pub ctx: PageCtx,
    pub summary: ReviewSummary,
    pub status: String,
    pub mean: String,
    pub principles: Vec<PrincipleBlock>,
    /// The earlier reviews' half-years, then this one (the history columns).
    pub periods: Vec<String>,
}

pub async fn report_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let detail = state.db().fidelity_review(&caller.scope(), id).await?;
    let english = caller.context.lang == Lang::En;
    let (computed, reviewed) = lines(tr, english, &detail, None, &[]);
    let mut all: Vec<ItemLine> = computed.into_iter().chain(reviewed).collect();
    let principles = Principle::ALL
        .iter()
        .filter_map(|p| {
            let items: Vec<ItemLine> = {
                let (of, rest): (Vec<ItemLine>, Vec<ItemLine>) = std::mem::take(&mut all)
                    .into_iter()
                    .partition(|l| l.result.item.principle == p.code());
                all = rest;
                of
            };
            if items.is_empty() {
                return None;
            }
            // Until the review is finished a principle's mean would count the
            // computed items only: none is shown.
            let mean = mean_score(&items.iter().map(|l| l.result.score).collect::<Vec<_>>())
                .filter(|_| detail.summary.finished);
            Some(PrincipleBlock {
                title: tr.t(&format!("fidelity-principle-{}", p.code())),
                mean: mean.map_or("–".into(), |m| tr.number(m, 1)),
                items,
            })
        })
        .collect();
    let periods = detail
        .earlier
        .iter()
        .map(|p| p.period.clone())
        .chain(std::iter::once(detail.summary.period.clone()))
        .collect();
    Ok(render(&ReportView {
        ctx: caller.page(&format!("/fidelity/reviews/{id}/report")),
        status: status_text(tr, &detail.summary),
        mean: mean_text(tr, detail.summary.mean, detail.summary.rating),
        summary: detail.summary,
        principles,
        periods,
    }))
}

/// One item's scores over the reviews.
pub struct TrendRow {
    pub code: String,
    pub title: String,
    pub scores: Vec<String>,
}

#[derive(Template)]
#[template(path = "fidelity/trend.html")]
pub struct TrendView {
    pub ctx: PageCtx,
    pub trend: Trend,
    pub chart: Option<String>,
    pub means: Vec<String>,
    pub rows: Vec<TrendRow>,
}

pub async fn trend_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(code): PathId<i64>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let trend = state.db().fidelity_trend(&caller.scope(), code).await?;
    let english = caller.context.lang == Lang::En;
    let labels: Vec<String> = trend.points.iter().map(|p| p.period.clone()).collect();
    let title = tr.t_args(
        "fidelity-trend-chart",
        &[(
            "municipality",
            crate::i18n::Arg::Text(trend.municipality.clone()),
        )],
    );
    let chart = (!trend.points.is_empty()).then(|| {
        line_chart(
            "fidelity-trend",
            &title,
            &labels,
            &[Series {
                name: &tr.t("fidelity-col-mean"),
                colour: "#2f6f8f",
                values: trend.points.iter().map(|p| p.mean).collect(),
            }],
            1.0,
            5.0,
        )
    });
    // Every item any review used, in the newest scale's order first.
    let mut titles: BTreeMap<String, String> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    if let Some(last) = trend.points.last() {
        let detail = state
            .db()
            .fidelity_review(&caller.scope(), last.review_id)
            .await?;
        for item in detail.items {
            order.push(item.item.code.clone());
            titles.insert(item.item.code.clone(), item.item.title(english).to_string());
        }
    }
    for point in &trend.points {
        for code in point.scores.keys() {
            if !order.contains(code) {
                order.push(code.clone());
            }
        }
    }
    let rows = order
        .into_iter()
        .map(|code| TrendRow {
            title: titles.get(&code).cloned().unwrap_or_default(),
            scores: trend
                .points
                .iter()
                .map(|p: &TrendPoint| score_text(p.scores.get(&code).copied().flatten()))
                .collect(),
            code,
        })
        .collect();
    Ok(render(&TrendView {
        ctx: caller.page(&format!("/fidelity/municipalities/{code}")),
        means: trend
            .points
            .iter()
            .map(|p| mean_text(tr, p.mean, p.rating))
            .collect(),
        chart,
        rows,
        trend,
    }))
}
