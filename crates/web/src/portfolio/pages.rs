//! The CV page (print-ready, or downloaded as a file) and adding an entry.

use super::ENTRY_MAX;
use crate::http::context::{Caller, PathId};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::{Lang, Tr};
use crate::internships::pages::date_range;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use spire_domain::validation::required_text;
use spire_domain::{FieldError, Problem, YouthId};

/// One line of the CV: what, where, when.
pub struct CvLine {
    pub title: String,
    pub place: String,
    pub when: String,
}

#[derive(Template)]
#[template(path = "portfolio/cv.html")]
pub struct CvView {
    pub ctx: PageCtx,
    pub name: String,
    pub contact: String,
    pub about: String,
    pub experience: Vec<CvLine>,
    pub skills: Vec<String>,
    pub references: Vec<CvLine>,
    pub download_href: String,
    pub back_href: String,
}

#[derive(Deserialize, Default)]
pub struct CvQuery {
    download: Option<String>,
}

/// The CV of a youth: always in Danish (it goes to Danish employers).
async fn cv(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    base: &str,
    back: &str,
    download: bool,
) -> AppResult<Response> {
    let tr = Tr::new(Lang::Da);
    let scope = caller.scope();
    let person = state.db().get_youth(&scope, youth).await?;
    let internships = state.db().youth_internships(&scope, youth).await?;
    let entries = state.db().portfolio_entries(&scope, youth).await?;
    let mut experience: Vec<CvLine> = internships
        .iter()
        .filter(|i| i.status != "planned")
        .map(|i| CvLine {
            title: format!("{} ({})", i.function, tr.t("cv-internship")),
            place: i.company_name.clone(),
            when: date_range(tr, &i.start_date, &i.end_date),
        })
        .collect();
    experience.extend(
        entries
            .iter()
            .filter(|e| e.kind == "experience")
            .map(|e| CvLine {
                title: e.text.clone(),
                place: String::new(),
                when: tr.date(e.written_at),
            }),
    );
    let skills = entries
        .iter()
        .filter(|e| e.kind == "skill")
        .map(|e| e.text.clone())
        .collect();
    let references = entries
        .iter()
        .filter(|e| e.kind == "reference")
        .map(|e| CvLine {
            title: e.text.clone(),
            place: format!(
                "{}, {}",
                e.written_by_name,
                e.company_name.clone().unwrap_or_default()
            ),
            when: tr.date(e.written_at),
        })
        .collect();
    let about = [
        ("cv-interests", &person.interests),
        ("cv-strengths", &person.strengths),
    ]
    .iter()
    .filter(|(_, text)| !text.trim().is_empty())
    .map(|(id, text)| format!("{}: {}", tr.t(id), text.trim()))
    .collect::<Vec<_>>()
    .join(". ");
    let contact = [person.phone.clone(), person.email.clone()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    let mut ctx = caller.page(base);
    ctx.tr = tr;
    let view = CvView {
        ctx,
        name: format!("{} {}", person.first_name, person.last_name),
        contact,
        about,
        experience,
        skills,
        references,
        download_href: format!("{base}?download=1"),
        back_href: back.to_string(),
    };
    let page = render(&view);
    if !download {
        return Ok(page);
    }
    let filename = format!(
        "cv-{}-{}.html",
        ascii(&person.first_name),
        ascii(&person.last_name)
    );
    Ok((
        [(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{filename}\""),
        )],
        page,
    )
        .into_response())
}

/// A file name part: letters and digits only (æ, ø, å spelled out).
fn ascii(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            'æ' | 'Æ' => "ae".chars().collect::<Vec<_>>(),
            'ø' | 'Ø' => "oe".chars().collect(),
            'å' | 'Å' => "aa".chars().collect(),
            c if c.is_ascii_alphanumeric() => vec![c.to_ascii_lowercase()],
            _ => Vec::new(),
        })
        .collect()
}

pub async fn my_cv(
    State(state): State<AppState>,
    caller: Caller,
    Query(query): Query<CvQuery>,
) -> AppResult<Response> {
    let youth = state
        .db()
        .own_youth_id(&caller.scope())
        .await?
        .ok_or_else(AppError::not_linked)?;
    cv(
        &state,
        &caller,
        youth,
        "/me/cv",
        "/me",
        query.download.is_some(),
    )
    .await
}

pub async fn youth_cv(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Query(query): Query<CvQuery>,
) -> AppResult<Response> {
    cv(
        &state,
        &caller,
        youth,
        &format!("/youth/{youth}/cv"),
        &format!("/youth/{youth}"),
        query.download.is_some(),
    )
    .await
}

/// A skill or an experience for the portfolio.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[schema(as = PortfolioEntry)]
pub struct EntryForm {
    /// `skill` or `experience`.
    #[serde(default)]
    #[schema(required = true)]
    pub kind: String,
    #[serde(default)]
    #[schema(required = true, max_length = 500)]
    pub text: String,
}

pub async fn add_entry(
    state: &AppState,
    caller: &Caller,
    youth: YouthId,
    form: &EntryForm,
) -> AppResult<()> {
    state
        .db()
        .require_youth_visible(&caller.scope(), youth)
        .await?;
    let mut errors = Vec::new();
    if !["skill", "experience"].contains(&form.kind.as_str()) {
        errors.push(FieldError::new("kind", Problem::UnknownChoice));
    }
    let text = required_text("text", &form.text, ENTRY_MAX)
        .map_err(|e| errors.push(e))
        .ok();
    let Some(text) = text.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    Ok(state
        .db()
        .add_portfolio_entry(&caller.scope(), youth, &form.kind, &text)
        .await?)
}

/// The youth adds a skill or an experience to their own portfolio.
pub async fn my_entry(
    State(state): State<AppState>,
    caller: Caller,
    Form(form): Form<EntryForm>,
) -> AppResult<Response> {
    let youth = state
        .db()
        .own_youth_id(&caller.scope())
        .await?
        .ok_or_else(AppError::not_linked)?;
    add_entry(&state, &caller, youth, &form).await?;
    Ok(Redirect::to("/me?saved=portfolio").into_response())
}

pub async fn youth_entry(
    State(state): State<AppState>,
    caller: Caller,
    PathId(youth): PathId<YouthId>,
    Form(form): Form<EntryForm>,
) -> AppResult<Response> {
    add_entry(&state, &caller, youth, &form).await?;
    Ok(Redirect::to(&format!("/youth/{youth}?saved=portfolio")).into_response())
}
