//! The psychologist's notes page: the notes, newest first, and a form.

use super::NOTE_MAX;
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use serde::Deserialize;
use spire_domain::YouthId;
use spire_domain::validation::required_text;
use spire_store::NoteRow;

#[derive(Template)]
#[template(path = "psychology/notes.html")]
pub struct NotesView {
    pub ctx: PageCtx,
    pub name: String,
    pub course_href: String,
    pub notes: Vec<(NoteRow, String)>,
    pub saved: bool,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

#[derive(Deserialize, Default)]
pub struct NoteForm {
    #[serde(default)]
    pub note: String,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

async fn view(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    typed: &str,
    messages: &FieldMessages,
    saved: bool,
) -> AppResult<NotesView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let notes = state.db().psychologist_notes(&scope, youth).await?;
    let person = state.db().get_youth(&scope, youth).await?;
    Ok(NotesView {
        ctx: caller.page(&format!("/youth/{youth}/psychologist-notes")),
        name: format!("{} {}", person.first_name, person.last_name),
        course_href: format!("/youth/{youth}/course"),
        notes: notes
            .into_iter()
            .map(|n| {
                let when = tr.datetime(n.written_at);
                (n, when)
            })
            .collect(),
        saved,
        banner: messages.banner(),
        forms: vec![(
            ActionForm {
                id: "note",
                title: tr.t("psychology-new-note"),
                action: format!("/youth/{youth}/psychologist-notes"),
                button: tr.t("save"),
                open: true,
            },
            vec![
                FormField::new(tr, "note", "textarea", typed, messages)
                    .required()
                    .max_length(NOTE_MAX),
            ],
        )],
    })
}

pub async fn notes_page(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let saved = query.saved.as_deref() == Some("note");
    Ok(render(
        &view(&state, &caller, youth, "", &FieldMessages::default(), saved).await?,
    ))
}

pub async fn notes_add(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Form(form): Form<NoteForm>,
) -> AppResult<Response> {
    let result = match required_text("note", &form.note, NOTE_MAX) {
        Ok(note) => state
            .db()
            .add_psychologist_note(&caller.scope(), youth, &note)
            .await
            .map_err(AppError::from),
        Err(error) => Err(AppError::invalid(vec![error])),
    };
    after_form(
        caller.tr(),
        result,
        |()| format!("/youth/{youth}/psychologist-notes?saved=note"),
        |messages| async move {
            Ok(render(
                &view(&state, &caller, youth, &form.note, &messages, false).await?,
            ))
        },
    )
    .await
}
