//! The company's calls after the match: the youth's first name and phone,
//! and what came of the call (an agreed call plans the internship).

use super::actions;
use super::forms::{CALL_NOTE_MAX, CallForm, FUNCTION_MAX};
use crate::http::context::{Caller, PathId};
use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::ui::create_form::after_form;
use crate::ui::fields::{FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use spire_domain::event::CallOutcome;
use spire_domain::{CallId, Role};
use spire_store::CallRow;

use super::pages::{SavedQuery, saved_message};

pub struct CallLine {
    pub row: CallRow,
    pub other_errors: Vec<String>,
    pub status: String,
    pub open: bool,
    pub fields: Vec<FormField>,
}

#[derive(Template)]
#[template(path = "events/calls.html")]
pub struct CallsView {
    pub ctx: PageCtx,
    pub intro: String,
    pub calls: Vec<CallLine>,
    pub saved: Option<String>,
    pub banner: FormBanner,
}

async fn calls_view(
    state: &AppState,
    caller: &Caller,
    failed: Option<(i64, &CallForm, &FieldMessages)>,
    saved: Option<String>,
) -> AppResult<CallsView> {
    let tr = caller.tr();
    let rows = state.db().calls(&caller.scope(), None).await?;
    let none = FieldMessages::default();
    let blank = CallForm::default();
    let mut outcomes = vec![(String::new(), tr.t("choose"))];
    outcomes.extend(CallOutcome::ALL.iter().map(|o| {
        (
            o.code().to_string(),
            tr.t(&format!("call-{}", o.code().replace('_', "-"))),
        )
    }));
    let calls = rows
        .into_iter()
        .map(|row| {
            let (typed, messages) = match failed {
                Some((call, typed, messages)) if call == row.id => (typed, messages),
                _ => (&blank, &none),
            };
            let prefix = format!("call-{}", row.id);
            let field = |name: &'static str, kind: &'static str, value: &str| {
                FormField::new(tr, name, kind, value, messages).within(&prefix)
            };
            let fields = vec![
                field("outcome", "select", &typed.outcome)
                    .required()
                    .options(outcomes.clone()),
                field("note", "textarea", &typed.note).max_length(CALL_NOTE_MAX),
                field("function", "text", &typed.function)
                    .max_length(FUNCTION_MAX)
                    .hint(tr.t("hint-call-agreed")),
                field("start_date", "date", &typed.start_date),
                field("end_date", "date", &typed.end_date),
                field("hours_per_week", "number", &typed.hours_per_week),
            ];
            // A problem with no field on this form (the youth has no open
            // course, say) is shown above it, in words.
            let other_errors = messages.not_on(&fields);
            CallLine {
                other_errors,
                status: tr.t(&format!("call-{}", row.status.replace('_', "-"))),
                open: row.status != "agreed",
                fields,
                row,
            }
        })
        .collect();
    Ok(CallsView {
        ctx: caller.page("/calls"),
        intro: tr.t(if caller.role() == Role::CompanyContact {
            "calls-intro-contact"
        } else {
            "calls-intro"
        }),
        calls,
        saved,
        banner: failed.map(|(_, _, m)| m.banner()).unwrap_or_default(),
    })
}

pub async fn calls_page(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = saved_message(caller.tr(), query.saved.as_deref());
    Ok(render(&calls_view(&state, &caller, None, saved).await?))
}

pub async fn call_record(
    State(state): State<AppState>,
    caller: Caller,
    PathId(id): PathId<CallId>,
    Form(form): Form<CallForm>,
) -> AppResult<Response> {
    let result = actions::record_call(&state, &caller, id, &form).await;
    after_form(
        caller.tr(),
        result,
        |_| "/calls?saved=call".to_string(),
        |messages| async move {
            let view =
                calls_view(&state, &caller, Some((id.get(), &form, &messages)), None).await?;
            Ok(render(&view))
        },
    )
    .await
}
