//! The web layer's error: handlers return it, `render_errors` turns it into a
//! page or a JSON body in the user's language. Internals never reach the client.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use spire_domain::FieldError;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Debug, Clone)]
pub enum ErrorKind {
    NotFound,
    Unauthorized,
    Invalid(Vec<FieldError>),
    /// A field (an uploaded file, say) was refused with a message that has
    /// arguments: which line or column, and why.
    Refused(Refusal),
    BadRequest,
    /// The body is larger than the route takes.
    TooLarge,
    /// The database cannot store or answer right now (disk full, I/O): 503,
    /// nothing was stored, try again.
    Unavailable,
    /// The client sent more requests than the server takes from one address
    /// (`rate_limit.rs`): 429, try again after the seconds given.
    TooManyRequests(u64),
    /// The same form was sent before (`once.rs`): 409, nothing written again.
    AlreadySent,
    /// A young person's login not yet linked to their record: 404, said
    /// in words that tell them what to do.
    NotLinked,
    Internal,
}

impl ErrorKind {
    pub fn code(&self) -> &'static str {
        match self {
            ErrorKind::NotFound => "not_found",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Invalid(_) | ErrorKind::Refused(_) => "invalid",
            ErrorKind::BadRequest => "bad_request",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::Unavailable => "unavailable",
            ErrorKind::TooManyRequests(_) => "too_many_requests",
            ErrorKind::AlreadySent => "already_sent",
            ErrorKind::NotLinked => "not_linked",
            ErrorKind::Internal => "internal",
        }
    }

    pub fn title_id(&self) -> &'static str {
        match self {
            ErrorKind::NotFound => "error-not-found-title",
            ErrorKind::Unauthorized => "error-unauthorized-title",
            ErrorKind::Invalid(_)
            | ErrorKind::Refused(_)
            | ErrorKind::BadRequest
            | ErrorKind::TooLarge => "error-invalid-title",
            ErrorKind::Unavailable => "error-unavailable-title",
            ErrorKind::TooManyRequests(_) => "error-too-many-requests-title",
            ErrorKind::AlreadySent => "error-already-sent-title",
            ErrorKind::NotLinked => "me-unlinked-title",
            ErrorKind::Internal => "error-internal-title",
        }
    }

    pub fn message_id(&self) -> &'static str {
        match self {
            ErrorKind::NotFound => "error-not-found",
            ErrorKind::Unauthorized => "error-unauthorized",
            ErrorKind::Invalid(_) | ErrorKind::Refused(_) => "error-invalid",
            ErrorKind::BadRequest => "error-bad-request",
            ErrorKind::TooLarge => "error-too-large",
            ErrorKind::Unavailable => "error-unavailable",
            ErrorKind::TooManyRequests(_) => "error-too-many-requests",
            ErrorKind::AlreadySent => "error-already-sent",
            ErrorKind::NotLinked => "me-unlinked-body",
            ErrorKind::Internal => "error-internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            ErrorKind::NotFound | ErrorKind::NotLinked => StatusCode::NOT_FOUND,
            ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorKind::Invalid(_) | ErrorKind::Refused(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
            ErrorKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ErrorKind::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ErrorKind::AlreadySent => StatusCode::CONFLICT,
            ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

/// A refused field with a Fluent message and its text arguments, translated
/// where the error is rendered.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub field: &'static str,
    pub message_id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

#[derive(Debug)]
pub struct AppError(pub ErrorKind);

impl AppError {
    pub fn not_found() -> AppError {
        AppError(ErrorKind::NotFound)
    }

    /// The caller's login opens no young person's record yet.
    pub fn not_linked() -> AppError {
        AppError(ErrorKind::NotLinked)
    }

    pub fn invalid(errors: Vec<FieldError>) -> AppError {
        AppError(ErrorKind::Invalid(errors))
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut response = self.0.status().into_response();
        response.extensions_mut().insert(self.0);
        response
    }
}

impl From<spire_store::Error> for AppError {
    fn from(err: spire_store::Error) -> AppError {
        match err {
            spire_store::Error::NotFound => AppError(ErrorKind::NotFound),
            spire_store::Error::Invalid(field) => AppError(ErrorKind::Invalid(vec![field])),
            spire_store::Error::InvalidFields(fields) => AppError(ErrorKind::Invalid(fields)),
            spire_store::Error::Import(problem) => {
                let (message_id, args) = problem.message();
                AppError(ErrorKind::Refused(Refusal {
                    field: "file",
                    message_id,
                    args,
                }))
            }
            unavailable if unavailable.is_unavailable() => {
                tracing::error!(error = %unavailable, "the database is unavailable");
                AppError(ErrorKind::Unavailable)
            }
            other => {
                tracing::error!(error = %other, "store error");
                AppError(ErrorKind::Internal)
            }
        }
    }
}

/// A body an extractor could not read: too large (413) or malformed (400).
fn unreadable(status: StatusCode) -> AppError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        AppError(ErrorKind::TooLarge)
    } else {
        AppError(ErrorKind::BadRequest)
    }
}

impl From<axum::extract::rejection::FormRejection> for AppError {
    fn from(rejection: axum::extract::rejection::FormRejection) -> AppError {
        unreadable(rejection.status())
    }
}

impl From<axum::extract::rejection::JsonRejection> for AppError {
    fn from(rejection: axum::extract::rejection::JsonRejection) -> AppError {
        unreadable(rejection.status())
    }
}

/// Whether reading a body failed because it was longer than the limit
/// (rather than the client going away or sending a broken body).
pub fn over_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = source {
        if error.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = error.source();
    }
    false
}

pub type AppResult<T> = Result<T, AppError>;

/// The body of an API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// `not_found`, `unauthorized`, `bad_request`, `unavailable`, `too_many_requests` or `internal`.
    pub error: &'static str,
    /// What went wrong, in the caller's language.
    pub message: String,
    /// The request's id, also in the `x-request-id` header and the server log.
    pub request_id: String,
}

/// The body of a refused request: each field's problem in the caller's language.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidBody {
    /// Always `invalid`.
    #[schema(value_type = String, pattern = "^invalid$")]
    pub error: &'static str,
    pub fields: BTreeMap<String, String>,
    pub request_id: String,
}
