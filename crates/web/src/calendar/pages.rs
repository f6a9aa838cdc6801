//! The calendar page (make, copy and revoke one's feed addresses) and the
//! feed itself: public by its secret address, `text/calendar`, times in
//! Europe/Copenhagen, cancelled meetings kept as cancelled.

use crate::http::context::{Caller, RequestContext};
use crate::http::error::{AppError, AppResult};
use crate::http::params::required_id;
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::create_form::after_form;
use crate::ui::fields::{ActionForm, FieldMessages, FormBanner, FormField};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use spire_domain::{FieldError, Problem};
use spire_store::{FeedKind, FeedSubject};

pub struct FeedLine {
    pub id: i64,
    pub title: String,
    pub https: String,
    pub webcal: String,
    pub created: String,
}

#[derive(Template)]
#[template(path = "calendar/feeds.html")]
pub struct CalendarView {
    pub ctx: PageCtx,
    pub feeds: Vec<FeedLine>,
    pub saved: Option<String>,
    pub banner: FormBanner,
    pub forms: Vec<(ActionForm, Vec<FormField>)>,
}

/// Which calendar to make an address for.
#[derive(Default, Clone, Deserialize)]
pub struct FeedForm {
    #[serde(default)]
    pub kind: String,
    /// For a group's calendar.
    #[serde(default)]
    pub group_id: String,
}

#[derive(Default, Clone, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    pub feed_id: String,
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn feed_title(tr: Tr, kind: &str, subject: Option<&str>) -> String {
    match (kind, subject) {
        ("group", Some(name)) => format!("{}: {name}", tr.t("feed-kind-group")),
        _ => tr.t(&format!("feed-kind-{}", kind.replace('_', "-"))),
    }
}

/// The address of a feed at this server, as the browser reached it.
fn feed_address(headers: &HeaderMap, tls: bool, token: &str) -> (String, String) {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("localhost");
    let scheme = if tls { "https" } else { "http" };
    (
        format!("{scheme}://{host}/feeds/{token}.ics"),
        format!("webcal://{host}/feeds/{token}.ics"),
    )
}

async fn calendar_view(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    typed: &FeedForm,
    messages: &FieldMessages,
    saved: Option<String>,
) -> AppResult<CalendarView> {
    let tr = caller.tr();
    let scope = caller.scope();
    let role = caller.role();
    let feeds = state.db().feeds(&scope, state.key()).await?;
    let tls = state.config().tls;
    let mut kinds = vec![(String::new(), tr.t("choose"))];
    kinds.extend(
        FeedKind::ALL
            .into_iter()
            .filter(|k| k.allowed_for(role))
            .map(|k| {
                (
                    k.code().to_string(),
                    tr.t(&format!("feed-kind-{}", k.code().replace('_', "-"))),
                )
            }),
    );
    // With one calendar to choose, it is chosen.
    let only = (kinds.len() == 2).then(|| kinds[1].0.clone());
    let kind = only
        .as_deref()
        .filter(|_| typed.kind.is_empty())
        .unwrap_or(&typed.kind);
    let mut fields = vec![
        FormField::new(tr, "kind", "select", kind, messages)
            .required()
            .options(kinds),
    ];
    if FeedKind::Group.allowed_for(role) {
        let mut groups = vec![(String::new(), tr.t("choose"))];
        groups.extend(
            state
                .db()
                .groups(&scope)
                .await?
                .into_iter()
                .map(|g| (g.id.to_string(), g.name)),
        );
        fields.push(
            FormField::new(tr, "group_id", "select", &typed.group_id, messages)
                .options(groups)
                .hint(tr.t("hint-feed-group")),
        );
    }
    Ok(CalendarView {
        ctx: caller.page("/calendar"),
        feeds: feeds
            .into_iter()
            .map(|f| {
                let (https, webcal) = feed_address(headers, tls, &f.token);
                FeedLine {
                    id: f.id,
                    title: feed_title(tr, &f.kind, f.subject_name.as_deref()),
                    https,
                    webcal,
                    created: tr.datetime(f.created_at),
                }
            })
            .collect(),
        saved,
        banner: messages.banner(),
        forms: vec![(
            ActionForm {
                id: "new-feed",
                title: tr.t("feed-new"),
                action: "/calendar".into(),
                button: tr.t("feed-create"),
                open: true,
            },
            fields,
        )],
    })
}

pub async fn calendar_page(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Query(query): Query<SavedQuery>,
) -> AppResult<Response> {
    let tr = caller.tr();
    let saved = query
        .saved
        .as_deref()
        .filter(|s| ["created", "revoked"].contains(s))
        .map(|s| tr.t(&format!("feed-saved-{s}")));
    let view = calendar_view(
        &state,
        &caller,
        &headers,
        &FeedForm::default(),
        &FieldMessages::default(),
        saved,
    )
    .await?;
    Ok(render(&view))
}

fn parse_feed(form: &FeedForm) -> Result<FeedSubject, Vec<FieldError>> {
    let kind = match form.kind.trim() {
        "" => return Err(vec![FieldError::new("kind", Problem::Required)]),
        code => FeedKind::from_code(code)
            .ok_or_else(|| vec![FieldError::new("kind", Problem::UnknownChoice)])?,
    };
    let group = match kind {
        FeedKind::Group => Some(
            required_id("group_id", &form.group_id, Problem::UnknownChoice).map_err(|e| vec![e])?,
        ),
        _ => None,
    };
    Ok(FeedSubject { kind, group })
}

pub async fn calendar_create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(form): Form<FeedForm>,
) -> AppResult<Response> {
    let result = match parse_feed(&form) {
        Ok(subject) if subject.kind.allowed_for(caller.role()) => state
            .db()
            .create_feed(&caller.scope(), state.key(), subject)
            .await
            .map_err(|e| match e {
                // An unknown or another municipality's group: a field to fix.
                spire_store::Error::NotFound => {
                    AppError::invalid(vec![FieldError::new("group_id", Problem::UnknownChoice)])
                }
                other => other.into(),
            }),
        Ok(_) => Err(AppError::invalid(vec![FieldError::new(
            "kind",
            Problem::UnknownChoice,
        )])),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    after_form(
        caller.tr(),
        result,
        |_| "/calendar?saved=created".to_string(),
        |messages| {
            let (state, caller, headers, form) = (&state, &caller, &headers, &form);
            async move {
                let view = calendar_view(state, caller, headers, form, &messages, None).await?;
                Ok(render(&view))
            }
        },
    )
    .await
}

pub async fn calendar_revoke(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(form): Form<RevokeForm>,
) -> AppResult<Response> {
    let result = match required_id("feed_id", &form.feed_id, Problem::UnknownChoice) {
        // Another person's feed is not found, as if it did not exist.
        Ok(id) => state
            .db()
            .revoke_feed(&caller.scope(), id)
            .await
            .map_err(AppError::from),
        Err(error) => Err(AppError::invalid(vec![error])),
    };
    after_form(
        caller.tr(),
        result,
        |()| "/calendar?saved=revoked".to_string(),
        |messages| {
            let (state, caller, headers) = (&state, &caller, &headers);
            async move {
                let view = calendar_view(
                    state,
                    caller,
                    headers,
                    &FeedForm::default(),
                    &messages,
                    None,
                )
                .await?;
                Ok(render(&view))
            }
        },
    )
    .await
}

/// The feed: `/feeds/<token>.ics`. Anything but a live token is not found.
pub async fn feed(
    State(state): State<AppState>,
    context: RequestContext,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let token = file.strip_suffix(".ics").unwrap_or(&file);
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::not_found());
    }
    let today = crate::i18n::today_in_copenhagen();
    let (title, events) = state
        .db()
        .calendar_feed(token, today, &context.request_id)
        .await?;
    let body = spire_domain::calendar::feed(&title, &events, time::OffsetDateTime::now_utc());
    Ok((
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=300"),
            (
                header::CONTENT_DISPOSITION,
                "inline; filename=\"spire.ics\"",
            ),
        ],
        body,
    )
        .into_response())
}
