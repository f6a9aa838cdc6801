//! Young people: the list and search, a young person's page and portfolio,
//! registering one, assigning a consultant; and the young person's own page.

pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::{STAFF, TEAM_LEAD, YOUTH, YOUTH_READERS};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/youth", Roles(YOUTH_READERS), pages::youth_list).menu("nav-youth"),
        Route::post("/youth/search", Roles(YOUTH_READERS), pages::youth_search),
        Route::get("/youth/new", Roles(YOUTH_READERS), pages::youth_new_form).menu("nav-youth-new"),
        Route::post("/youth/new", Roles(YOUTH_READERS), pages::youth_new_submit),
        Route::get("/youth/{id}", Roles(YOUTH_READERS), pages::youth_page),
        Route::post(
            "/youth/{id}/portfolio",
            Roles(STAFF),
            pages::youth_portfolio,
        ),
        Route::post(
            "/youth/{id}/consultant",
            Roles(TEAM_LEAD),
            pages::youth_consultant,
        ),
        Route::get("/me", Roles(YOUTH), pages::my_record).menu("nav-my-record"),
        Route::post("/me/portfolio", Roles(YOUTH), pages::my_portfolio),
        Route::api_get("/api/v1/youth", Roles(YOUTH_READERS), api::youth_list),
        Route::api_post("/api/v1/youth", Roles(YOUTH_READERS), api::youth_create),
        Route::api_post(
            "/api/v1/youth/search",
            Roles(YOUTH_READERS),
            api::youth_search,
        ),
        Route::api_get("/api/v1/youth/{id}", Roles(YOUTH_READERS), api::youth_get),
        Route::api_put(
            "/api/v1/youth/{id}/portfolio",
            Roles(STAFF),
            api::youth_portfolio,
        ),
    ]
}
