//! The fidelity overview (the schedule, the caller's tasks, every review and
//! a form to plan one) and the scale's page (the items by principle, the
//! versions, and publishing a new one).

use super::forms::{ReviewForm, SCALE_SOURCE_MAX, ScaleForm};
use crate::dashboards::pages::FRESH_SECONDS;
use crate::http::context::Caller;
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr, today_in_copenhagen};
use crate::ui::charts::{Bar, comparison_chart};
use crate::ui::create_form::after_form;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use spire_domain::Role;
use spire_domain::dashboard::HalfYear;
use spire_domain::fidelity::Principle;
use spire_store::{ItemDefinition, ReviewSummary, ScaleVersion, ScheduleRow};
use time::Duration;

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    pub saved: Option<String>,
    pub version: Option<String>,
}

pub fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    ["created", "ratings", "reconciled", "scale"]
        .contains(&kind)
        .then(|| tr.t(&format!("fidelity-saved-{kind}")))
}

/// A mean item score as people read it: "3,4 af 5 (rimelig)".
pub fn mean_text(tr: Tr, mean: Option<f64>, rating: Option<&str>) -> String {
    match (mean, rating) {
        (Some(mean), Some(rating)) => tr.t_args(
            "fidelity-mean",
            &[
                ("mean", Arg::Text(tr.number(mean, 1))),
                (
                    "rating",
                    Arg::Text(tr.t(&format!("fidelity-rating-{rating}"))),
                ),
            ],
        ),
        _ => "–".into(),
    }
}

/// A review's state in words.
pub fn status_text(tr: Tr, review: &ReviewSummary) -> String {
    if review.finished {
        tr.t("fidelity-status-finished")
    } else if review.submitted_a && review.submitted_b {
        tr.t_args(
            "fidelity-status-disagreements",
            &[("count", Arg::Number(review.open_disagreements))],
        )
    } else {
        let submitted = i64::from(review.submitted_a) + i64::from(review.submitted_b);
        tr.t_args(
            "fidelity-status-scoring",
            &[("submitted", Arg::Number(submitted))],
        )
    }
}

pub struct ReviewLine {
    pub review: ReviewSummary,
    pub status: String,
    pub mean: String,
}

pub struct ScheduleLine {
    pub row: ScheduleRow,
    pub last: String,
}

/// Something the caller should do: a review and what.
pub struct Task {
    pub review_id: i64,
    pub text: String,
    pub due_date: String,
    pub overdue: bool,
}

#[derive(Template)]
#[template(path = "fidelity/overview.html")]
pub struct OverviewView {
    pub ctx: PageCtx,
    pub office: bool,
    pub saved: Option<String>,
    pub tasks: Vec<Task>,
    pub schedule: Vec<ScheduleLine>,
    pub reviews: Vec<ReviewLine>,
    pub chart: Option<String>,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
    /// The team lead's municipality, for the link to its trend.
    pub own_municipality: Option<i64>,
}

/// The last four half-years that are over, newest first.
fn closed_periods() -> Vec<HalfYear> {
    let mut period = HalfYear::containing(today_in_copenhagen()).previous();
    let mut periods = Vec::new();
    for _ in 0..4 {
        periods.push(period);
        period = period.previous();
    }
    periods
}

async fn overview_view(
    state: &AppState,
    caller: &Caller,
    form: &ReviewForm,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<OverviewView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let office = caller.role() == Role::ProgrammeOffice;
    let reviews = state.db().fidelity_reviews(&scope).await?;
    let me = caller.user.user.id;
    let tasks = reviews
        .iter()
        .filter_map(|r| {
            let mine =
                r.reviewer_a_id == me && !r.submitted_a || r.reviewer_b_id == me && !r.submitted_b;
            let text = if mine {
                tr.t("fidelity-task-score")
            } else if r.open_disagreements > 0 && r.submitted_a && r.submitted_b {
                tr.t_args(
                    "fidelity-task-reconcile",
                    &[("count", Arg::Number(r.open_disagreements))],
                )
            } else {
                return None;
            };
            Some(Task {
                review_id: r.id,
                text: format!("{} {}: {text}", r.municipality, r.period),
                overdue: r.due_date < today_in_copenhagen().to_string(),
                due_date: r.due_date.clone(),
            })
        })
        .filter(|_| office)
        .collect();
    let schedule: Vec<ScheduleLine> = if office {
        state
            .db()
            .fidelity_schedule(&scope, today_in_copenhagen())
            .await?
            .into_iter()
            .map(|row| ScheduleLine {
                last: mean_text(tr, row.last_mean, row.last_rating),
                row,
            })
            .collect()
    } else {
        Vec::new()
    };
    let bars: Vec<Bar> = schedule
        .iter()
        .filter(|s| s.row.last_mean.is_some())
        .map(|s| Bar {
            label: s.row.municipality.clone(),
            value: s.row.last_mean,
            text: tr.number(s.row.last_mean.unwrap_or(0.0), 1),
        })
        .collect();
    let chart = (!bars.is_empty()).then(|| {
        comparison_chart(
            "fidelity-latest",
            &tr.t("fidelity-chart-latest"),
            &bars,
            Some((4.0, &tr.t("fidelity-rating-good"))),
        )
    });
    let fields = if office {
        create_fields(state, caller, form, messages).await?
    } else {
        Vec::new()
    };
    Ok(OverviewView {
        ctx: caller.page("/fidelity"),
        office,
        saved,
        tasks,
        schedule,
        chart,
        reviews: reviews
            .into_iter()
            .map(|review| ReviewLine {
                status: status_text(tr, &review),
                mean: mean_text(tr, review.mean, review.rating),
                review,
            })
            .collect(),
        fields,
        banner: messages.banner(),
        own_municipality: (!office)
            .then_some(caller.user.user.municipality_code)
            .flatten(),
    })
}

async fn create_fields(
    state: &AppState,
    caller: &Caller,
    form: &ReviewForm,
    messages: &FieldMessages,
) -> AppResult<Vec<FormField>> {
    let tr = caller.tr();
    let municipalities: Vec<(String, String)> = state
        .db()
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m.name))
        .collect();
    let periods = closed_periods();
    let reviewers: Vec<(String, String)> =
        std::iter::once((String::new(), tr.t("fidelity-choose")))
            .chain(
                state
                    .db()
                    .list_users()
                    .await?
                    .into_iter()
                    .filter(|u| u.role == Role::ProgrammeOffice.code())
                    .map(|u| (u.id.to_string(), u.display_name)),
            )
            .collect();
    let period = if form.period.is_empty() {
        periods[0].code()
    } else {
        form.period.clone()
    };
    let due = if form.due_date.is_empty() {
        let default = HalfYear::parse(&period).unwrap_or(periods[0]).last_day()
            + Duration::days(spire_store::DAYS_TO_REVIEW);
        default
            .max(today_in_copenhagen() + Duration::days(30))
            .to_string()
    } else {
        form.due_date.clone()
    };
    Ok(vec![
        FormField::new(
            tr,
            "municipality_code",
            "select",
            &form.municipality_code,
            messages,
        )
        .options(municipalities)
        .required(),
        FormField::new(tr, "period", "select", &period, messages)
            .options(periods.iter().map(|p| (p.code(), p.code())).collect())
            .required(),
        FormField::new(tr, "reviewer_a", "select", &form.reviewer_a, messages)
            .options(reviewers.clone())
            .required(),
        FormField::new(tr, "reviewer_b", "select", &form.reviewer_b, messages)
            .options(reviewers)
            .required(),
        FormField::new(tr, "due_date", "date", &due, messages).required(),
    ])
}

pub async fn overview(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = overview_view(
        &state,
        &caller,
        &ReviewForm::default(),
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

/// Plans a review; its computed items are measured from the dashboard's
/// counts of the half-year (kept for five minutes, like the dashboard's).
pub async fn create(state: &AppState, caller: &Caller, form: &ReviewForm) -> AppResult<i64> {
    let new = form.parse().map_err(AppError::invalid)?;
    let today = today_in_copenhagen();
    let data = state
        .dashboard_data(new.period, today, FRESH_SECONDS)
        .await?;
    Ok(state
        .db()
        .create_fidelity_review(&caller.scope(), &new, &data, today)
        .await?)
}

pub async fn create_review(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let result = create(&state, &caller, &form).await;
    after_form(
        caller.tr(),
        result,
        |id| format!("/fidelity/reviews/{id}?saved=created"),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move {
                Ok(render(
                    &overview_view(state, caller, form, &messages, None).await?,
                ))
            }
        },
    )
    .await
}

/// An item with its title, guide and (computed) basis in the reader's language.
pub struct ItemText {
    pub item: ItemDefinition,
    pub title: String,
    pub guide: String,
    pub basis: Option<String>,
}

/// The items of one principle.
pub struct PrincipleItems {
    pub title: String,
    pub items: Vec<ItemText>,
}

pub fn by_principle(tr: Tr, english: bool, items: &[ItemDefinition]) -> Vec<PrincipleItems> {
    Principle::ALL
        .iter()
        .map(|p| PrincipleItems {
            title: tr.t(&format!("fidelity-principle-{}", p.code())),
            items: items
                .iter()
                .filter(|i| i.principle == p.code())
                .map(|i| ItemText {
                    title: i.title(english).to_string(),
                    guide: i.guide(english).to_string(),
                    basis: match (&i.measure, &i.bands) {
                        (Some(m), Some(b)) => Some(format!(
                            "{} · {}",
                            super::text::measure_name(tr, m),
                            super::text::bands_text(tr, m, b)
                        )),
                        _ => None,
                    },
                    item: i.clone(),
                })
                .collect(),
        })
        .filter(|p| !p.items.is_empty())
        .collect()
}

#[derive(Template)]
#[template(path = "fidelity/scale.html")]
pub struct ScaleView {
    pub ctx: PageCtx,
    pub shown: ScaleVersion,
    pub principles: Vec<PrincipleItems>,
    pub versions: Vec<ScaleVersion>,
    pub office: bool,
    pub saved: Option<String>,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
}

async fn scale_view(
    state: &AppState,
    caller: &Caller,
    version: Option<i64>,
    form: Option<&ScaleForm>,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<ScaleView> {
    let tr = caller.tr();
    let versions = state.db().fidelity_scales(&caller.scope()).await?;
    let shown = match version {
        Some(v) => versions.iter().find(|s| s.version == v),
        None => versions.first(),
    }
    .cloned()
    .ok_or_else(AppError::not_found)?;
    let source = form.map_or(versions[0].source.clone(), |f| f.source.clone());
    let note = form.map(|f| f.note.clone()).unwrap_or_default();
    Ok(ScaleView {
        ctx: caller.page("/fidelity/scale"),
        principles: by_principle(
            tr,
            caller.context.lang == crate::i18n::Lang::En,
            &shown.items,
        ),
        office: caller.role() == Role::ProgrammeOffice,
        fields: vec![
            FormField {
                label: tr.t("fidelity-field-note"),
                ..FormField::new(tr, "note", "text", &note, messages)
                    .max_length(200)
                    .required()
            },
            FormField {
                hint: Some(tr.t("fidelity-source-hint")),
                ..FormField::new(tr, "source", "textarea", &source, messages)
                    .max_length(SCALE_SOURCE_MAX)
                    .required()
            },
        ],
        banner: messages.banner(),
        shown,
        versions,
        saved,
    })
}

pub async fn scale_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let version = match query.version.as_deref() {
        None | Some("") => None,
        Some(v) => Some(v.parse::<i64>().map_err(|_| AppError::not_found())?),
    };
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = scale_view(
        &state,
        &caller,
        version,
        None,
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

pub async fn publish(state: &AppState, caller: &Caller, form: &ScaleForm) -> AppResult<i64> {
    Ok(state
        .db()
        .publish_fidelity_scale(&caller.scope(), &form.source, &form.note)
        .await?)
}

pub async fn publish_scale(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<ScaleForm>,
) -> AppResult<Response> {
    let result = publish(&state, &caller, &form).await;
    after_form(
        caller.tr(),
        result,
        |version| format!("/fidelity/scale?version={version}&saved=scale"),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move {
                Ok(render(
                    &scale_view(state, caller, None, Some(form), &messages, None).await?,
                ))
            }
        },
    )
    .await
}
