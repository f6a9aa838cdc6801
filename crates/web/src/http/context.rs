//! What a handler knows about its request: the request's id and language, the
//! signed-in user, and typed ids from the path.

use super::access::NavLink;
use super::error::{AppError, ErrorKind};
use crate::i18n::{Lang, Tr};
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use spire_domain::Role;
use spire_store::{Scope, UserRow};
use std::sync::Arc;

/// Facts about the request every handler may need.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub request_id: String,
    pub lang: Lang,
    pub is_api: bool,
}

impl RequestContext {
    /// For a response built outside the layers (they always set one).
    pub fn unknown() -> RequestContext {
        RequestContext {
            request_id: String::new(),
            lang: Lang::Da,
            is_api: false,
        }
    }
}

/// The logged-in user of a request, put there by the guard.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: UserRow,
    /// The session's CSRF token, for forms (empty for API callers).
    pub csrf: String,
    /// The pages of the user's menu, from the route table.
    pub menu: Arc<[NavLink]>,
}

impl CurrentUser {
    pub fn scope(&self, context: &RequestContext) -> Scope {
        Scope::new(
            self.user.id,
            self.user.role(),
            self.user.municipality_code,
            context.request_id.clone(),
        )
    }
}

/// Who is calling, in what language, for which request: the extractor every
/// handler behind a login takes.
#[derive(Debug, Clone)]
pub struct Caller {
    pub context: RequestContext,
    pub user: CurrentUser,
}

impl Caller {
    /// The tenant scope every store read and write goes through.
    pub fn scope(&self) -> Scope {
        self.user.scope(&self.context)
    }

    pub fn tr(&self) -> Tr {
        Tr::new(self.context.lang)
    }

    pub fn role(&self) -> Role {
        self.user.user.role()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let context = parts.extensions.get::<RequestContext>().cloned();
        let user = parts.extensions.get::<CurrentUser>().cloned();
        match (context, user) {
            (Some(context), Some(user)) => Ok(Caller { context, user }),
            // Only a route declared `Public` lacks a user, and its handlers do not ask.
            _ => Err(AppError(ErrorKind::Unauthorized)),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestContext {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<RequestContext>()
            .cloned()
            .unwrap_or_else(RequestContext::unknown))
    }
}

/// The one id in a route's path (`/youth/{id}`), typed: anything but a
/// positive number is simply not found.
#[derive(Debug, Clone, Copy)]
pub struct PathId<T>(pub T);

impl<T: From<i64>, S: Send + Sync> FromRequestParts<S> for PathId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(text) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found())?;
        super::params::path_id(&text).map(|id| PathId(T::from(id)))
    }
}

/// The client's IP address when the server knows it (behind a proxy: the
/// proxy's, so the limit then counts all clients together).
pub struct ClientAddress(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddress(client_address(&parts.extensions)))
    }
}

/// The client's IP address from a request's extensions, or "unknown".
pub fn client_address(extensions: &axum::http::Extensions) -> String {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}
