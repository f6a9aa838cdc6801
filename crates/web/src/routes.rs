//! The route table: every capability's routes, assembled in one place. It is
//! the single source of truth for the router, the guard, the menus, the
//! authorisation-matrix test and the OpenAPI check. Deny by default. Below
//! it, the OpenAPI document of `/api/v1`, assembled the same way from each
//! capability's API types and handlers (utoipa).

use crate::http::access::{Route, RouteSpec, menu_for};
use crate::http::error::ErrorBody;
use crate::http::guard::{GuardState, guard};
use crate::http::layers::{request_context, request_timeout, security_headers};
use crate::http::rate_limit::{Limiter, rate_limit};
use crate::http::state::AppState;
use crate::ui::error_page::render_errors;
use crate::{
    access_log, account, admin, calendar, companies, company_network, courses, dashboards,
    evaluation, events, fidelity, internships, networks, onboarding, portfolio, psychology, site,
    transparency, trials, youth,
};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use spire_domain::Role;
use std::sync::Arc;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref};
use utoipa::{Modify, OpenApi};

/// Every route, by capability. The menu follows this order.
fn table() -> Vec<Route> {
    [
        site::routes(),
        account::routes(),
        courses::routes(),
        youth::routes(),
        internships::routes(),
        networks::routes(),
        psychology::routes(),
        portfolio::routes(),
        companies::routes(),
        company_network::routes(),
        events::routes(),
        calendar::routes(),
        access_log::routes(),
        admin::routes(),
        dashboards::routes(),
        onboarding::routes(),
        fidelity::routes(),
        trials::routes(),
        evaluation::routes(),
        transparency::routes(),
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
        .layer(axum::middleware::from_fn_with_state(
            state.config().request_timeout_secs,
            request_timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            (state.config().rate_limit_per_second > 0)
                .then(|| Limiter::new(state.config().rate_limit_per_second)),
            rate_limit,
        ))
        .layer(axum::middleware::from_fn(render_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.config().tls,
            security_headers,
        ))
        .layer(axum::middleware::from_fn(request_context))
        .with_state(state)
}

// ------------------------------------------------------------ the API document

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Spire API",
        version = "1",
        description = "The JSON API of Spire. Authenticate with `Authorization: Bearer <token>` \
            (create one with `spire token create --user LOGIN`). Every read of a young person's data \
            is written to the access log. CPR numbers are never accepted in a URL: search by CPR \
            with POST /api/v1/youth/search. Errors carry a message in the caller's language \
            (Accept-Language: da or en).",
        license(name = "AGPL-3.0-or-later"),
    ),
    servers((url = "/")),
    security(("bearer" = [])),
    components(schemas(ErrorBody)),
    modifiers(&Shared),
)]
struct Spire;

/// The generated document.
pub fn document() -> Document {
    let mut document = Spire::openapi();
    for part in [
        site::Api::openapi(),
        account::api::Api::openapi(),
        youth::api::Api::openapi(),
        courses::api::Api::openapi(),
        internships::api::Api::openapi(),
        networks::api::Api::openapi(),
        psychology::api::Api::openapi(),
        portfolio::api::Api::openapi(),
        companies::api::Api::openapi(),
        company_network::api::Api::openapi(),
        events::api::Api::openapi(),
        access_log::api::Api::openapi(),
        admin::api::Api::openapi(),
        dashboards::api::Api::openapi(),
        dashboards::forecast::Api::openapi(),
        onboarding::api::Api::openapi(),
        fidelity::api::Api::openapi(),
        admin::municipalities::Api::openapi(),
        admin::log::Api::openapi(),
        account::tokens::Api::openapi(),
        trials::api::Api::openapi(),
        evaluation::api::Api::openapi(),
    ] {
        document.merge(part);
    }
    Shared.modify(&mut document);
    document
}

/// The generated document as it is committed: pretty JSON and a newline.
pub fn document_json() -> String {
    document()
        .to_pretty_json()
        .expect("the document serialises")
        + "\n"
}

/// The bearer scheme, and the answers the guard and the store give on any route.
struct Shared;

impl Modify for Shared {
    fn modify(&self, document: &mut Document) {
        let components = document.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        let error = |description: &str| -> Response {
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/json",
                    Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                )
                .build()
        };
        for item in document.paths.paths.values_mut() {
            let operations: [&mut Option<Operation>; 4] = [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
            ];
            for operation in operations.into_iter().flatten() {
                let public = operation.security.as_ref().is_some_and(|s| {
                    serde_json::to_value(s).is_ok_and(|v| v == serde_json::json!([{}]))
                });
                let has_body = operation.request_body.is_some();
                let has_query = operation.parameters.as_ref().is_some_and(|ps| {
                    ps.iter().any(|p| {
                        matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)
                    })
                });
                let responses = &mut operation.responses.responses;
                if has_query {
                    // The guard refuses a CPR number in any query string.
                    responses.entry("422".into()).or_insert_with(|| {
                        ResponseBuilder::new()
                            .description("A field is invalid; or the query string holds a CPR number (never sent in an address)")
                            .content(
                                "application/json",
                                Content::new(Some(Ref::from_schema_name("InvalidBody"))),
                            )
                            .build()
                            .into()
                    });
                }
                if !public {
                    responses
                        .entry("401".into())
                        .or_insert_with(|| error("No or unknown bearer token").into());
                    responses.entry("404".into()).or_insert_with(|| {
                        error("Not found, or not visible to this user (another municipality, or a role that may not use this route)").into()
                    });
                }
                if has_body {
                    responses.entry("413".into()).or_insert_with(|| {
                        error("The body is larger than this route takes").into()
                    });
                }
                responses.entry("429".into()).or_insert_with(|| {
                    error("Too many requests from this address (Retry-After); the server's limit, `--rate-limit`").into()
                });
                responses.entry("503".into()).or_insert_with(|| {
                    error("The database cannot store or answer right now (Retry-After); a retry with the same details is safe").into()
                });
            }
        }
    }
}
