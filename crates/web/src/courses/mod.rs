//! Courses (forløb) and the consultant's work around them: a youth's course
//! page (start outside the trial, exit, follow-ups, internships, 6-week
//! progress conversations), the youth's own progress, the consultant's week,
//! tasks, and the team lead's team with caseloads against the norm.

pub mod actions;
pub mod api;
pub mod forms;
pub mod pages;

use crate::http::access::roles::{STAFF, TEAM_LEAD, YOUTH, YOUTH_AND_STAFF};
use crate::http::access::{Access::*, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/week", Roles(STAFF), pages::week_page).menu("nav-week"),
        Route::get("/team", Roles(TEAM_LEAD), pages::team_page).menu("nav-team"),
        Route::post("/team/assign", Roles(TEAM_LEAD), pages::team_assign),
        Route::get("/me/progress", Roles(YOUTH), pages::my_progress).menu("nav-my-progress"),
        Route::post("/me/progress", Roles(YOUTH), pages::my_progress_submit),
        Route::get("/youth/{id}/course", Roles(STAFF), pages::course_page),
        Route::post("/youth/{id}/course", Roles(STAFF), pages::course_open),
        Route::post("/youth/{id}/exit", Roles(STAFF), pages::course_exit),
        Route::post("/youth/{id}/progress", Roles(STAFF), pages::course_progress),
        Route::post("/follow-ups/{id}", Roles(STAFF), pages::follow_up_answer),
        Route::post("/tasks/{id}/done", Roles(STAFF), pages::task_done),
        Route::api_get("/api/v1/week", Roles(STAFF), api::week),
        Route::api_get("/api/v1/team", Roles(TEAM_LEAD), api::team),
        Route::api_post("/api/v1/team/assign", Roles(TEAM_LEAD), api::team_assign),
        Route::api_get("/api/v1/youth/{id}/course", Roles(STAFF), api::course_get),
        Route::api_post("/api/v1/youth/{id}/course", Roles(STAFF), api::course_open),
        Route::api_post(
            "/api/v1/youth/{id}/course/exit",
            Roles(STAFF),
            api::course_exit,
        ),
        Route::api_get(
            "/api/v1/youth/{id}/progress",
            Roles(YOUTH_AND_STAFF),
            api::progress_get,
        ),
        Route::api_post(
            "/api/v1/youth/{id}/progress",
            Roles(YOUTH_AND_STAFF),
            api::progress_record,
        ),
        Route::api_post(
            "/api/v1/follow-ups/{id}",
            Roles(STAFF),
            api::follow_up_answer,
        ),
        Route::api_post("/api/v1/tasks/{id}/done", Roles(STAFF), api::task_done),
    ]
}
