//! What every page shares: the page context (user, menu, CSRF token,
//! translator) and rendering an askama template.

use crate::http::context::{Caller, CurrentUser, RequestContext};
use crate::i18n::{Arg, Tr};
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use spire_store::UserRow;

pub fn render<T: Template>(template: &T) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(error = %err, "template failed to render");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub active: bool,
}

/// What every page needs: the translator, the user, the CSRF token, the menu.
pub struct PageCtx {
    pub tr: Tr,
    pub user: Option<UserRow>,
    pub role_label: String,
    pub csrf: String,
    pub nav: Vec<NavItem>,
    pub path: String,
}

impl PageCtx {
    /// A fresh one-time token for a form of this page (`http/once.rs`).
    pub fn once(&self) -> String {
        crate::http::once::new_once()
    }

    pub fn anonymous(tr: Tr) -> PageCtx {
        PageCtx {
            tr,
            user: None,
            role_label: String::new(),
            csrf: String::new(),
            nav: Vec::new(),
            path: "/login".into(),
        }
    }

    pub fn for_user(tr: Tr, current: &CurrentUser, path: &str) -> PageCtx {
        let role = current.user.role();
        let under =
            |href: &str| path == href || (href != "/home" && path.starts_with(&format!("{href}/")));
        // The most specific link is the current page: /me/network, not /me too.
        let current_href = current
            .menu
            .iter()
            .map(|link| link.href)
            .filter(|href| under(href))
            .max_by_key(|href| href.len());
        let nav = current
            .menu
            .iter()
            .map(|link| NavItem {
                href: link.href,
                label: tr.t_args(link.label_id, &[("role", Arg::Text(role.code().into()))]),
                active: Some(link.href) == current_href,
            })
            .collect();
        PageCtx {
            tr,
            role_label: tr.t(&format!("role-{}", role.code().replace('_', "-"))),
            user: Some(current.user.clone()),
            csrf: current.csrf.clone(),
            nav,
            path: path.into(),
        }
    }
}

/// The page context of a signed-in user's page at `path`.
pub fn page_ctx(context: &RequestContext, user: &CurrentUser, path: &str) -> PageCtx {
    PageCtx::for_user(Tr::new(context.lang), user, path)
}

impl Caller {
    /// The page context of this caller's page at `path`.
    pub fn page(&self, path: &str) -> PageCtx {
        page_ctx(&self.context, &self.user, path)
    }
}
