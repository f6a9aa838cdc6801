//! The trial's public transparency log: read-only, no login, nothing
//! personal. Anyone (a journal reviewer, the funder, a sceptical
//! municipality) fetches the signed checkpoint and the tiles and checks them
//! with standard transparency-log tools; after the reveal also the design
//! versions (the entries and the trial key go only to a named recipient, see
//! `store/src/trials/public_log.rs`). The layout is the bundle's
//! (`spire trial bundle`), specified in `crates/trial/README.md`.

pub mod pages;
mod tar;

use crate::http::access::{Access::Public, Route};

pub fn routes() -> Vec<Route> {
    vec![
        Route::get("/log", Public, pages::index),
        Route::get("/log/{trial}", Public, pages::trial_log),
        Route::get("/log/{trial}/{*path}", Public, pages::log_file),
    ]
}
