//! The route table: every capability's routes, assembled in one place. It is
//! the single source of truth for the router, the guard, the menus, the
//! authorisation-matrix test and the OpenAPI check. Deny by default.

use crate::http::access::{Route, RouteSpec, menu_for};
use crate::http::guard::{GuardState, guard};
use crate::http::layers::{request_context, security_headers};
use crate::http::state::AppState;
use crate::ui::error_page::render_errors;
use crate::{access_log, account, admin, companies, evaluation, programme, site, trials, youth};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use spire_domain::Role;
use std::sync::Arc;

/// Every route, by capability. The menu follows this order.
fn table() -> Vec<Route> {
    [
        site::routes(),
        account::routes(),
        youth::routes(),
        companies::routes(),
        access_log::routes(),
        admin::routes(),
        programme::routes(),
        trials::routes(),
        evaluation::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Every route of the application, for tests and the OpenAPI check.
pub fn route_specs() -> Vec<RouteSpec> {
    table().into_iter().map(|route| route.spec).collect()
}

pub(crate) fn build(state: AppState) -> Router {
    let specs = route_specs();
    let menus: Arc<[_]> = Role::ALL
        .iter()
        .map(|role| (*role, Arc::from(menu_for(&specs, *role))))
        .collect();
    let mut router = Router::new();
    for Route { spec, handler } in table() {
        let path = spec.path;
        // Extractors (JSON, forms) read no more than the route takes either.
        let handler = handler.layer(DefaultBodyLimit::max(spec.body_limit));
        let guarded = handler.route_layer(axum::middleware::from_fn_with_state(
            GuardState {
                app: state.clone(),
                spec,
                menus: menus.clone(),
            },
            guard,
        ));
        router = router.route(path, guarded);
    }
    router
        .fallback(site::not_found)
        .layer(axum::middleware::from_fn(render_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.config().tls,
            security_headers,
        ))
        .layer(axum::middleware::from_fn(request_context))
        .with_state(state)
}
