//! The onboarding pages: every plan with its progress and a form to start
//! one; one plan by quarter with a form per milestone; the template.

use super::forms::{ItemForm, NOTES_MAX, StartForm, TITLE_MAX, TemplateForm};
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr, today_in_copenhagen};
use crate::ui::create_form::after_form;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use spire_domain::onboarding::{Status, parse_template, template_text};
use spire_store::{PlanItem, PlanSummary};

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn saved_message(tr: Tr, saved: Option<&str>) -> Option<String> {
    let kind = saved?;
    ["started", "item", "template"]
        .contains(&kind)
        .then(|| tr.t(&format!("onboarding-saved-{kind}")))
}

/// A plan's progress in words and as a bar (done, under way, the rest).
pub struct PlanLine {
    pub plan: PlanSummary,
    pub progress: String,
    pub bar: String,
}

fn progress_bar(tr: Tr, plan: &PlanSummary) -> String {
    let width = 240.0;
    let per = width / plan.milestones.max(1) as f64;
    let done = per * plan.done as f64;
    let doing = per * plan.doing as f64;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"progress\" role=\"img\" viewBox=\"0 0 {width} 14\" width=\"{width}\" height=\"14\" aria-label=\"{label}\">\
         <rect x=\"0\" y=\"0\" width=\"{width}\" height=\"14\" rx=\"3\" fill=\"#e3e8ec\"/>\
         <rect x=\"0\" y=\"0\" width=\"{done:.1}\" height=\"14\" rx=\"3\" fill=\"#2f6f8f\"/>\
         <rect x=\"{done:.1}\" y=\"0\" width=\"{doing:.1}\" height=\"14\" fill=\"#8fb8cc\"/></svg>",
        label = progress_text(tr, plan),
    )
}

fn progress_text(tr: Tr, plan: &PlanSummary) -> String {
    tr.t_args(
        "onboarding-progress",
        &[
            ("done", Arg::Number(plan.done)),
            ("doing", Arg::Number(plan.doing)),
            ("total", Arg::Number(plan.milestones)),
            ("late", Arg::Number(plan.late)),
        ],
    )
}

#[derive(Template)]
#[template(path = "onboarding/plans.html")]
pub struct PlansView {
    pub ctx: PageCtx,
    pub plans: Vec<PlanLine>,
    pub saved: Option<String>,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
    pub may_start: bool,
}

async fn plans_view(
    state: &AppState,
    caller: &Caller,
    form: &StartForm,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<PlansView> {
    let tr = caller.tr();
    let plans = state
        .db()
        .onboarding_plans(&caller.scope(), today_in_copenhagen())
        .await?;
    let without_plan: Vec<(String, String)> = state
        .db()
        .list_municipalities()
        .await?
        .into_iter()
        .filter(|m| !plans.iter().any(|p| p.municipality_code == m.code))
        .map(|m| (m.code.to_string(), format!("{} ({})", m.name, m.code)))
        .collect();
    let start_date = if form.start_date.is_empty() {
        today_in_copenhagen().to_string()
    } else {
        form.start_date.clone()
    };
    Ok(PlansView {
        ctx: caller.page("/onboarding"),
        may_start: !without_plan.is_empty(),
        fields: vec![
            FormField::new(
                tr,
                "municipality_code",
                "select",
                &form.municipality_code,
                messages,
            )
            .options(without_plan)
            .required(),
            FormField::new(tr, "start_date", "date", &start_date, messages).required(),
        ],
        banner: messages.banner(),
        plans: plans
            .into_iter()
            .map(|plan| PlanLine {
                progress: progress_text(tr, &plan),
                bar: progress_bar(tr, &plan),
                plan,
            })
            .collect(),
        saved,
    })
}

pub async fn plans(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    let view = plans_view(
        &state,
        &caller,
        &StartForm::default(),
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

pub async fn start(state: &AppState, caller: &Caller, form: &StartForm) -> AppResult<i64> {
    let (code, start) = form.parse().map_err(AppError::invalid)?;
    Ok(state
        .db()
        .start_onboarding(&caller.scope(), code, start)
        .await?)
}

pub async fn start_plan(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<StartForm>,
) -> AppResult<Response> {
    let result = start(&state, &caller, &form).await;
    after_form(
        caller.tr(),
        result,
        |id| format!("/onboarding/{id}?saved=started"),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move {
                Ok(render(
                    &plans_view(state, caller, form, &messages, None).await?,
                ))
            }
        },
    )
    .await
}

/// A milestone with its form.
pub struct ItemLine {
    pub item: PlanItem,
    pub status: String,
    pub fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "onboarding/plan.html")]
pub struct PlanView {
    pub ctx: PageCtx,
    pub plan: PlanSummary,
    pub progress: String,
    pub bar: String,
    /// Quarter 1–4 and its milestones.
    pub quarters: Vec<(i64, String, Vec<ItemLine>)>,
    pub saved: Option<String>,
    pub banner: FormBanner,
}

async fn plan_view(
    state: &AppState,
    caller: &Caller,
    id: i64,
    edited: Option<(i64, &ItemForm, &FieldMessages)>,
    saved: Option<String>,
) -> AppResult<PlanView> {
    let tr = caller.tr();
    let detail = state
        .db()
        .onboarding_plan(&caller.scope(), id, today_in_copenhagen())
        .await?;
    let statuses: Vec<(String, String)> = Status::ALL
        .iter()
        .map(|s| {
            (
                s.code().to_string(),
                tr.t(&format!("onboarding-status-{}", s.code())),
            )
        })
        .collect();
    let empty = FieldMessages::default();
    let line = |item: PlanItem| {
        let (form, messages) = match edited {
            Some((edited_id, form, messages)) if edited_id == item.id => (form.clone(), messages),
            _ => (
                ItemForm {
                    status: item.status.clone(),
                    owner: item.owner.clone(),
                    notes: item.notes.clone(),
                },
                &empty,
            ),
        };
        let prefix = format!("item-{}", item.id);
        ItemLine {
            status: tr.t(&format!("onboarding-status-{}", item.status)),
            fields: vec![
                FormField::new(tr, "status", "select", &form.status, messages)
                    .options(statuses.clone())
                    .within(&prefix),
                FormField::new(tr, "owner", "text", &form.owner, messages)
                    .max_length(TITLE_MAX)
                    .within(&prefix),
                FormField {
                    label: tr.t("onboarding-field-notes"),
                    ..FormField::new(tr, "notes", "textarea", &form.notes, messages)
                        .max_length(NOTES_MAX)
                        .within(&prefix)
                },
            ],
            item,
        }
    };
    let mut quarters: Vec<(i64, String, Vec<ItemLine>)> = (1..=4)
        .map(|q| {
            (
                q,
                tr.t_args("onboarding-quarter", &[("quarter", Arg::Number(q))]),
                Vec::new(),
            )
        })
        .collect();
    for item in detail.items {
        let q = (item.quarter.clamp(1, 4) - 1) as usize;
        quarters[q].2.push(line(item));
    }
    Ok(PlanView {
        ctx: caller.page("/onboarding"),
        progress: progress_text(tr, &detail.summary),
        bar: progress_bar(tr, &detail.summary),
        plan: detail.summary,
        quarters,
        saved,
        banner: edited.map(|(_, _, m)| m.banner()).unwrap_or_default(),
    })
}

pub async fn plan_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<i64>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    Ok(render(&plan_view(&state, &caller, id, None, saved).await?))
}

pub async fn update(
    state: &AppState,
    caller: &Caller,
    item: i64,
    form: &ItemForm,
) -> AppResult<i64> {
    let status = form.status().map_err(AppError::invalid)?;
    Ok(state
        .db()
        .update_onboarding_item(&caller.scope(), item, status, &form.owner, &form.notes)
        .await?)
}

pub async fn item_update(
    State(state): State<AppState>,
    caller: Caller,
    PathId(item): PathId<i64>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let result = update(&state, &caller, item, &form).await;
    // A refused form comes back on its plan's page with what was typed.
    let plan = match &result {
        Ok(plan) => *plan,
        Err(_) => {
            state
                .db()
                .onboarding_item_plan(&caller.scope(), item)
                .await?
        }
    };
    after_form(
        caller.tr(),
        result,
        |plan| format!("/onboarding/{plan}?saved=item#item-{item}"),
        |messages| {
            let (state, caller, form) = (&state, &caller, &form);
            async move {
                let view =
                    plan_view(state, caller, plan, Some((item, form, &messages)), None).await?;
                Ok(render(&view))
            }
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "onboarding/template.html")]
pub struct TemplateView {
    pub ctx: PageCtx,
    /// The template's one field.
    pub fields: Vec<FormField>,
    pub saved: Option<String>,
    pub banner: FormBanner,
}

pub async fn template_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let text = template_text(&state.db().onboarding_template().await?);
    Ok(render(&TemplateView {
        ctx: caller.page("/onboarding"),
        fields: vec![template_field(tr, &text, &FieldMessages::default())],
        saved: saved_message(tr, query.saved.as_deref()),
        banner: FormBanner::default(),
    }))
}

fn template_field(tr: Tr, text: &str, messages: &FieldMessages) -> FormField {
    FormField::new(tr, "template", "textarea", text, messages)
        .required()
        .max_length(spire_domain::onboarding::TEMPLATE_MAX_LINES * (2 * TITLE_MAX + 12))
        .hint(tr.t("onboarding-template-hint"))
}

pub async fn template_save(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<TemplateForm>,
) -> AppResult<Response> {
    let result = async {
        let milestones = parse_template(&form.template).map_err(|e| AppError::invalid(vec![e]))?;
        state
            .db()
            .set_onboarding_template(&caller.scope(), &milestones)
            .await?;
        Ok::<_, AppError>(())
    }
    .await;
    after_form(
        caller.tr(),
        result,
        |_| "/onboarding/template?saved=template".to_string(),
        |messages| {
            let (caller, form) = (&caller, &form);
            async move {
                let tr = caller.tr();
                Ok(render(&TemplateView {
                    ctx: caller.page("/onboarding"),
                    fields: vec![template_field(tr, &form.template, &messages)],
                    saved: None,
                    banner: messages.banner(),
                }))
            }
        },
    )
    .await
}
