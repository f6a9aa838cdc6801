//! The rotation grid in words and as a table: what a grid breaks, as the
//! reader reads it, and the grid with a column per company table.

use crate::i18n::{Arg, Tr};
use spire_store::{EventDetail, GridIssue};

/// The grid as a table: a column per company table, a row per round.
pub struct GridTable {
    pub columns: Vec<String>,
    pub rows: Vec<(String, Vec<String>)>,
}

pub(crate) fn grid_issue_text(tr: Tr, issue: &GridIssue) -> String {
    let text = |v: &Option<String>| Arg::Text(v.clone().unwrap_or_default());
    let number = |v: Option<i64>| Arg::Number(v.unwrap_or(0));
    tr.t_args(
        &format!("grid-{}", issue.kind.replace('_', "-")),
        &[
            ("youth", text(&issue.youth)),
            ("company", text(&issue.company)),
            ("round", number(issue.round)),
            ("table", number(issue.table)),
            ("planned", number(issue.planned)),
            ("requested", number(issue.requested)),
        ],
    )
}

pub(super) fn grid_table(tr: Tr, detail: &EventDetail, rounds: i64) -> GridTable {
    let mut seats: Vec<(i64, String, i64)> = detail
        .grid
        .iter()
        .map(|s| (s.company_id, s.company_name.clone(), s.table_no))
        .collect();
    // Every table of the companies coming, also one nobody sits at yet.
    if !seats.is_empty() {
        for c in detail.companies.iter().filter(|c| c.status == "accepted") {
            seats.extend((0..c.tables).map(|t| (c.company_id, c.name.clone(), t)));
        }
    }
    seats.sort_by(|a, b| (&a.1, a.0, a.2).cmp(&(&b.1, b.0, b.2)));
    seats.dedup();
    let columns = seats
        .iter()
        .map(|(_, name, table)| {
            tr.t_args(
                "grid-table",
                &[
                    ("company", Arg::Text(name.clone())),
                    ("table", Arg::Number(table + 1)),
                ],
            )
        })
        .collect();
    let rows = (0..rounds)
        .map(|round| {
            let cells = seats
                .iter()
                .map(|(company, _, table)| {
                    detail
                        .grid
                        .iter()
                        .find(|s| {
                            s.round == round && s.company_id == *company && s.table_no == *table
                        })
                        .map(|s| match s.initial.as_str() {
                            "" => s.youth_name.clone(),
                            initial => format!("{} {initial}.", s.youth_name),
                        })
                        .unwrap_or_default()
                })
                .collect();
            (tr.count("grid-round", round + 1), cells)
        })
        .collect();
    GridTable { columns, rows }
}
