//! The programme office: figures across municipalities (aggregates only).

pub mod overview;

use crate::http::access::roles::AGGREGATES;
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/overview", Roles(AGGREGATES), overview::overview).menu("nav-overview"),
        Route::api_get(
            "/api/v1/overview",
            Roles(AGGREGATES),
            overview::overview_api,
        ),
    ]
}
