//! Shared UI parts: the page context and rendering, form fields, the create
//! form flow, SVG charts, and the error page. Imports no capability.

pub mod charts;
pub mod create_form;
pub mod error_page;
pub mod fields;
pub mod page;
