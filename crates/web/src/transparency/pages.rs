//! The log's pages (what it is, how to check it) and its files.

use crate::http::context::RequestContext;
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use spire_store::{LogLookup, PublicLog};

/// A file's cache life: full tiles and revealed material never change; the
/// checkpoint and lists move with every allocation.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const MOVING: &str = "public, max-age=5";

/// One trial in the list of public logs.
pub struct LogSummary {
    pub public_id: String,
    pub name: String,
    /// "12 poster"
    pub entries: String,
    pub status: String,
}

#[derive(Template)]
#[template(path = "transparency/index.html")]
pub struct IndexView {
    pub ctx: PageCtx,
    pub logs: Vec<LogSummary>,
}

#[derive(Template)]
#[template(path = "transparency/log.html")]
pub struct LogView {
    pub ctx: PageCtx,
    pub public_id: String,
    pub origin: String,
    pub key: String,
    pub commitment: String,
    pub log_version: i64,
    pub size: u64,
    pub revealed: bool,
    /// (witness name, time) of each cosignature of the latest checkpoint.
    pub witnesses: Vec<(String, String)>,
    pub first_tile: Option<String>,
}

fn public_ctx(context: &RequestContext, path: String) -> PageCtx {
    let mut ctx = PageCtx::anonymous(Tr::new(context.lang));
    ctx.path = path;
    ctx
}

pub async fn index(State(state): State<AppState>, context: RequestContext) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let mut logs = Vec::new();
    for trial in state.db().list_trials().await? {
        let log = PublicLog::open(state.db(), state.key(), &trial.public_id).await?;
        let size = i64::try_from(log.size()).unwrap_or(i64::MAX);
        logs.push(LogSummary {
            public_id: trial.public_id,
            name: trial.name,
            entries: tr.t_args("log-entries", &[("count", Arg::Number(size))]),
            status: tr.t(if log.trial.revealed {
                "log-revealed"
            } else {
                "log-concealed-short"
            }),
        });
    }
    Ok(render(&IndexView {
        ctx: public_ctx(&context, "/log".into()),
        logs,
    }))
}

pub async fn trial_log(
    State(state): State<AppState>,
    context: RequestContext,
    Path(public_id): Path<String>,
) -> AppResult<Response> {
    let log = PublicLog::open(state.db(), state.key(), &public_id).await?;
    let tr = Tr::new(context.lang);
    let cosignatures = state.db().trial_cosignatures(log.trial.id).await?;
    let witnesses = cosignatures
        .iter()
        .filter(|c| c.size == log.size())
        .map(|c| {
            let at = i64::try_from(c.cosignature.time).unwrap_or(i64::MAX);
            (c.witness.name.clone(), tr.datetime(at))
        })
        .collect();
    let first_tile = spire_trial::tiles::tiles_of(log.size())
        .into_iter()
        .find(|tile| tile.level == Some(0))
        .map(|tile| tile.path());
    let view = LogView {
        ctx: public_ctx(&context, format!("/log/{public_id}")),
        origin: spire_trial::note::origin(&log.trial.public_id),
        key: spire_trial::note::log_key(&log.trial.public_id, log.trial.head_public_key)
            .to_string(),
        commitment: hex::encode(log.trial.commitment),
        log_version: log.trial.log_version,
        size: log.size(),
        revealed: log.trial.revealed,
        witnesses,
        first_tile,
        public_id: log.trial.public_id,
    };
    Ok(render(&view))
}

pub async fn log_file(
    State(state): State<AppState>,
    context: RequestContext,
    Path((public_id, path)): Path<(String, String)>,
) -> AppResult<Response> {
    let mut log = PublicLog::open(state.db(), state.key(), &public_id).await?;
    // What reads the whole ledger is made once per head and one at a time.
    let whole_ledger = matches!(path.as_str(), "heads" | "bundle.tar")
        || spire_trial::tiles::Tile::parse(&path).is_some_and(|t| t.level.is_some_and(|l| l >= 2));
    let (bytes, cache, content_type) = match path.as_str() {
        _ if whole_ledger => {
            let bytes = whole_log_file(&state, &mut log, &path).await?;
            let content_type = match path.as_str() {
                "heads" => "text/plain; charset=utf-8",
                "bundle.tar" => "application/x-tar",
                _ => "application/octet-stream",
            };
            (bytes, MOVING, content_type)
        }
        _ => match log.file(&path).await? {
            LogLookup::Found(file) => {
                let binary = path.starts_with("tile/") || path.starts_with("design/");
                let content_type = if binary {
                    "application/octet-stream"
                } else {
                    "text/plain; charset=utf-8"
                };
                let cache = if file.immutable { IMMUTABLE } else { MOVING };
                (Bytes::from(file.bytes), cache, content_type)
            }
            LogLookup::Missing => return Err(AppError::not_found()),
            hidden @ (LogLookup::Concealed | LogLookup::Withheld) => {
                let why = match hidden {
                    LogLookup::Concealed => "log-concealed",
                    _ => "log-entries-withheld",
                };
                let text = Tr::new(context.lang).t(why);
                return Ok((
                    StatusCode::FORBIDDEN,
                    [
                        (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                        (header::CACHE_CONTROL, MOVING),
                        (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                        (header::VARY, "Accept-Language, Cookie"),
                    ],
                    format!("{text}\n"),
                )
                    .into_response());
            }
        },
    };
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, cache),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        bytes,
    )
        .into_response())
}

/// `heads`, `bundle.tar` or a high tile: from the cache while the log has not grown.
async fn whole_log_file(state: &AppState, log: &mut PublicLog<'_>, path: &str) -> AppResult<Bytes> {
    let key = (log.trial.public_id.clone(), path.to_string());
    let mut cache = state.log_files().lock().await;
    if let Some((size, revealed, bytes)) = cache.get(&key)
        && *size == log.size()
        && *revealed == log.trial.revealed
    {
        return Ok(bytes.clone());
    }
    let bytes = match path {
        "bundle.tar" => bundle(log).await?,
        _ => match log.file(path).await? {
            LogLookup::Found(file) => file.bytes,
            _ => return Err(AppError::not_found()),
        },
    };
    let bytes = Bytes::from(bytes);
    cache.insert(key, (log.size(), log.trial.revealed, bytes.clone()));
    Ok(bytes)
}

/// Every file of the log in one archive: what `spire trial bundle` writes.
async fn bundle(log: &mut PublicLog<'_>) -> AppResult<Vec<u8>> {
    log.read_tree().await?;
    let mut files = Vec::new();
    for path in log.paths() {
        if let LogLookup::Found(file) = log.file(&path).await? {
            files.push((path, file.bytes));
        }
    }
    super::tar::archive(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())))
        .ok_or(AppError(ErrorKind::Internal))
}
