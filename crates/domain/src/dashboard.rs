//! The programme office's figures on plain values: the half-year periods they
//! cover, and small-cell suppression of counts of young people.
//!
//! Suppression works on one table of counts: a row per municipality, then the
//! total row (the column sums), and per row the additive relations between
//! columns (e.g. interruptions = by the youth + by the company). A count from 1
//! to 4 is hidden (primary suppression). Then, as long as some relation would
//! let a reader solve a hidden cell from the shown ones (one unknown in a
//! relation, or a combination of relations, checked by elimination), the
//! smallest shown count in such a relation is hidden too (secondary
//! suppression). The periods are fixed half-years that do not overlap, so two
//! periods cannot be subtracted to recover a small count either.

use time::{Date, Month};

/// Counts of young people below this are shown as "<5".
pub const MIN_SHOWN: i64 = 5;

/// A calendar half-year: the dashboards' period. Fixed, non-overlapping
/// periods: figures of nested periods could be subtracted from each other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct HalfYear {
    pub year: i32,
    /// 1 (January–June) or 2 (July–December).
    pub half: u8,
}

impl HalfYear {
    pub fn containing(date: Date) -> HalfYear {
        HalfYear {
            year: date.year(),
            half: if (date.month() as u8) <= 6 { 1 } else { 2 },
        }
    }

    /// Parses the code `2026-H2`.
    pub fn parse(code: &str) -> Option<HalfYear> {
        let (year, half) = code.trim().split_once("-H")?;
        let year: i32 = year.parse().ok()?;
        let half: u8 = half.parse().ok()?;
        ((2000..=2100).contains(&year) && (half == 1 || half == 2))
            .then_some(HalfYear { year, half })
    }

    pub fn code(self) -> String {
        format!("{}-H{}", self.year, self.half)
    }

    pub fn first_day(self) -> Date {
        let month = if self.half == 1 {
            Month::January
        } else {
            Month::July
        };
        Date::from_calendar_date(self.year, month, 1).expect("the first of a month exists")
    }

    pub fn last_day(self) -> Date {
        let (month, day) = if self.half == 1 {
            (Month::June, 30)
        } else {
            (Month::December, 31)
        };
        Date::from_calendar_date(self.year, month, day).expect("30 June and 31 December exist")
    }

    pub fn previous(self) -> HalfYear {
        if self.half == 2 {
            HalfYear { half: 1, ..self }
        } else {
            HalfYear {
                year: self.year - 1,
                half: 2,
            }
        }
    }

    pub fn next(self) -> HalfYear {
        if self.half == 1 {
            HalfYear { half: 2, ..self }
        } else {
            HalfYear {
                year: self.year + 1,
                half: 1,
            }
        }
    }

    /// The day a "now" figure is taken: the period's last day, or today
    /// while the period runs.
    pub fn reference_day(self, today: Date) -> Date {
        self.last_day().min(today)
    }
}

/// The median of whole numbers (the mean of the middle two when even).
pub fn median(values: &mut [i64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] + values[mid]) as f64 / 2.0
    })
}

/// Within every row, column `total` is the sum of columns `parts`.
#[derive(Debug, Clone)]
pub struct Relation {
    pub total: usize,
    pub parts: Vec<usize>,
}

/// A table of counts after suppression: `rows` as given, then the total row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppressed {
    pub values: Vec<Vec<i64>>,
    pub hidden: Vec<Vec<bool>>,
}

impl Suppressed {
    /// The total row (column sums of all given rows).
    pub fn total_row(&self) -> usize {
        self.values.len() - 1
    }

    pub fn shown(&self, row: usize, col: usize) -> Option<i64> {
        (!self.hidden[row][col]).then_some(self.values[row][col])
    }
}

type Cell = (usize, usize);

/// Every linear relation of the published table: a total and its parts.
fn relations(rows: usize, cols: usize, within_row: &[Relation]) -> Vec<(Cell, Vec<Cell>)> {
    let total_row = rows;
    let mut all: Vec<(Cell, Vec<Cell>)> = (0..cols)
        .map(|c| ((total_row, c), (0..rows).map(|r| (r, c)).collect()))
        .collect();
    for r in 0..=rows {
        for rel in within_row {
            all.push(((r, rel.total), rel.parts.iter().map(|&p| (r, p)).collect()));
        }
    }
    all
}

/// Hides counts from 1 to 4, and then enough other counts that none of them
/// can be worked out from the totals. Zero is shown: it identifies no one.
pub fn suppress(rows: &[Vec<i64>], within_row: &[Relation]) -> Suppressed {
    let cols = rows.first().map_or(0, Vec::len);
    let mut values = rows.to_vec();
    values.push((0..cols).map(|c| rows.iter().map(|r| r[c]).sum()).collect());
    let mut hidden: Vec<Vec<bool>> = values
        .iter()
        .map(|row| row.iter().map(|&v| (1..MIN_SHOWN).contains(&v)).collect())
        .collect();
    let relations = relations(rows.len(), cols, within_row);
    let total_row = rows.len();
    loop {
        let is_hidden = |&(r, c): &Cell| hidden[r][c];
        // A relation with exactly one hidden member gives it away directly;
        // otherwise several relations together may still solve one.
        let exposing: Vec<&(Cell, Vec<Cell>)> = match relations.iter().find(|(total, parts)| {
            std::iter::once(total)
                .chain(parts)
                .filter(|c| is_hidden(c))
                .count()
                == 1
        }) {
            Some(relation) => vec![relation],
            None => match determined_cell(&values, &hidden, &relations) {
                Some(cell) => relations
                    .iter()
                    .filter(|(total, parts)| *total == cell || parts.contains(&cell))
                    .collect(),
                // Or a relation pins one by what every reader knows of a
                // hidden count: "<5" is 1 to 4, any other hidden one is 5 or more.
                None => match relations
                    .iter()
                    .find(|relation| pinned_by_bounds(&values, &hidden, relation))
                {
                    Some(relation) => vec![relation],
                    None => break,
                },
            },
        };
        // Hide the smallest shown count there (a municipality's before a total).
        let smallest = exposing
            .iter()
            .flat_map(|(total, parts)| std::iter::once(total).chain(parts))
            .filter(|&&(r, c)| !hidden[r][c] && values[r][c] > 0)
            .min_by_key(|&&(r, c)| (values[r][c], r == total_row))
            .copied()
            // Only zeros beside it: widen to every relation with a hidden member.
            .or_else(|| {
                relations
                    .iter()
                    .filter(|(total, parts)| std::iter::once(total).chain(parts).any(is_hidden))
                    .flat_map(|(total, parts)| std::iter::once(*total).chain(parts.iter().copied()))
                    .filter(|&(r, c)| !hidden[r][c] && values[r][c] > 0)
                    .min_by_key(|&(r, c)| (values[r][c], r == total_row))
            });
        match smallest {
            Some((r, c)) => hidden[r][c] = true,
            None => break,
        }
    }
    Suppressed { values, hidden }
}

/// What a reader knows of a hidden count: a small one (1–4, shown "<5") or
/// another (at least 5).
fn bounds(value: i64) -> (i64, i64) {
    if (1..MIN_SHOWN).contains(&value) {
        (1, MIN_SHOWN - 1)
    } else {
        (MIN_SHOWN, i64::MAX / 4)
    }
}

/// Whether a relation with its total shown leaves one of its hidden parts a
/// single possible value, given the others' bounds: e.g. two "<5" that add
/// up to 2 are both 1.
fn pinned_by_bounds(
    values: &[Vec<i64>],
    hidden: &[Vec<bool>],
    (total, parts): &(Cell, Vec<Cell>),
) -> bool {
    if hidden[total.0][total.1] {
        return false;
    }
    let unknown: Vec<(i64, i64)> = parts
        .iter()
        .filter(|&&(r, c)| hidden[r][c])
        .map(|&(r, c)| bounds(values[r][c]))
        .collect();
    if unknown.len() < 2 {
        return false; // none, or one (the direct case, handled before)
    }
    let known: i64 = parts
        .iter()
        .filter(|&&(r, c)| !hidden[r][c])
        .map(|&(r, c)| values[r][c])
        .sum();
    let sum = values[total.0][total.1] - known;
    let (all_low, all_high): (i64, i64) = unknown
        .iter()
        .fold((0, 0), |(l, h), (lo, hi)| (l + lo, h.saturating_add(*hi)));
    unknown.iter().any(|&(lo, hi)| {
        let low = lo.max(sum - (all_high - hi));
        let high = hi.min(sum - (all_low - lo));
        low >= high
    })
}

/// A hidden cell whose value follows from the shown cells and the relations,
/// found by Gaussian elimination over the hidden cells: a hidden cell is
/// determined when every solution of the homogeneous system gives it 0.
fn determined_cell(
    values: &[Vec<i64>],
    hidden: &[Vec<bool>],
    relations: &[(Cell, Vec<Cell>)],
) -> Option<Cell> {
    let unknowns: Vec<Cell> = values
        .iter()
        .enumerate()
        .flat_map(|(r, row)| (0..row.len()).map(move |c| (r, c)))
        .filter(|&(r, c)| hidden[r][c])
        .collect();
    let index = |cell: Cell| unknowns.iter().position(|&u| u == cell);
    let mut matrix: Vec<Vec<f64>> = relations
        .iter()
        .filter_map(|(total, parts)| {
            let mut row = vec![0.0; unknowns.len()];
            if let Some(i) = index(*total) {
                row[i] += 1.0;
            }
            for &part in parts {
                if let Some(i) = index(part) {
                    row[i] -= 1.0;
                }
            }
            row.iter().any(|v| *v != 0.0).then_some(row)
        })
        .collect();
    let pivots = reduce(&mut matrix, unknowns.len());
    let is_pivot = |col: usize| pivots.iter().any(|&(_, c)| c == col);
    pivots.iter().find_map(|&(row, col)| {
        let free_entries = (0..unknowns.len())
            .filter(|&c| !is_pivot(c))
            .any(|c| matrix[row][c].abs() > 1e-9);
        (!free_entries).then_some(unknowns[col])
    })
}

/// Reduced row echelon form in place; returns the (row, column) pivots.
fn reduce(matrix: &mut [Vec<f64>], cols: usize) -> Vec<(usize, usize)> {
    let mut pivots = Vec::new();
    let mut row = 0;
    for col in 0..cols {
        let Some(best) = (row..matrix.len())
            .filter(|&r| matrix[r][col].abs() > 1e-9)
            .max_by(|&a, &b| matrix[a][col].abs().total_cmp(&matrix[b][col].abs()))
        else {
            continue;
        };
        matrix.swap(row, best);
        let pivot = matrix[row][col];
        for v in matrix[row].iter_mut() {
            *v /= pivot;
        }
        let pivot_row = matrix[row].clone();
        for (r, other) in matrix.iter_mut().enumerate() {
            let factor = other[col];
            if r != row && factor.abs() > 1e-9 {
                for (v, p) in other.iter_mut().zip(&pivot_row) {
                    *v -= factor * p;
                }
            }
        }
        pivots.push((row, col));
        row += 1;
        if row == matrix.len() {
            break;
        }
    }
    pivots
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::date;

    #[test]
    fn half_years() {
        let h = HalfYear::containing(date!(2026 - 12 - 03));
        assert_eq!(h.code(), "2026-H2");
        assert_eq!(h.first_day(), date!(2026 - 07 - 01));
        assert_eq!(h.last_day(), date!(2026 - 12 - 31));
        assert_eq!(h.previous().code(), "2026-H1");
        assert_eq!(h.previous().previous().code(), "2025-H2");
        assert_eq!(HalfYear::parse("2026-H1"), Some(h.previous()));
        for bad in ["2026-H3", "2026", "H1", "1999-H1", "2026-H0", ""] {
            assert_eq!(HalfYear::parse(bad), None, "{bad}");
        }
        assert_eq!(
            HalfYear::containing(date!(2026 - 06 - 30)).last_day(),
            date!(2026 - 06 - 30)
        );
        assert_eq!(
            h.reference_day(date!(2026 - 12 - 03)),
            date!(2026 - 12 - 03)
        );
        assert_eq!(
            h.previous().reference_day(date!(2026 - 12 - 03)),
            date!(2026 - 06 - 30)
        );
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [7]), Some(7.0));
        assert_eq!(median(&mut [30, 10, 20]), Some(20.0));
        assert_eq!(median(&mut [40, 10, 20, 30]), Some(25.0));
    }

    #[test]
    fn small_counts_are_hidden_and_zero_is_shown() {
        let s = suppress(&[vec![0, 4, 5], vec![10, 20, 30]], &[]);
        assert_eq!(s.shown(0, 0), Some(0));
        assert_eq!(s.shown(0, 1), None);
        // Column 1's total would give the 4 away: the smallest other count goes too.
        assert_eq!(s.shown(1, 1), None);
        assert_eq!(s.shown(0, 2), Some(5));
        assert_eq!(s.shown(2, 2), Some(35));
    }

    #[test]
    fn a_part_is_not_given_away_by_its_total() {
        // interrupted (0) = by youth (1) + by company (2)
        let rel = [Relation {
            total: 0,
            parts: vec![1, 2],
        }];
        let s = suppress(&[vec![12, 3, 9], vec![20, 10, 10]], &rel);
        assert!(s.hidden[0][1]);
        assert!(s.hidden[0][2], "12 - 9 would give the 3 away");
    }

    #[test]
    fn two_small_counts_that_add_up_to_two_are_not_left_alone() {
        // Column: 1, 1, 30 → total 32: the two hidden add up to 2, so both are 1.
        let s = suppress(&[vec![1], vec![1], vec![30]], &[]);
        assert!(
            s.hidden[2][0] || s.hidden[3][0],
            "a third cell (or the total) hides with them"
        );
    }

    /// An attacker's attempt: solve every relation with one unknown left,
    /// again and again, and see whether any hidden count comes out.
    fn recover(s: &Suppressed, within_row: &[Relation]) -> Vec<Cell> {
        let rows = s.values.len() - 1;
        let cols = s.values[0].len();
        let mut known: Vec<Vec<bool>> = s
            .hidden
            .iter()
            .map(|r| r.iter().map(|h| !h).collect())
            .collect();
        let mut found = Vec::new();
        loop {
            let mut progress = false;
            for (total, parts) in relations(rows, cols, within_row) {
                let members: Vec<Cell> = std::iter::once(total).chain(parts).collect();
                let unknown: Vec<&Cell> = members.iter().filter(|&&(r, c)| !known[r][c]).collect();
                if let [&(r, c)] = unknown[..] {
                    known[r][c] = true;
                    found.push((r, c));
                    progress = true;
                }
            }
            if !progress {
                return found;
            }
        }
    }

    proptest! {
        #[test]
        fn no_hidden_count_can_be_recovered(
            rows in proptest::collection::vec(proptest::collection::vec(0i64..12, 3), 1..8)
        ) {
            // column 0 = column 1 + column 2 in every row
            let rows: Vec<Vec<i64>> = rows.into_iter().map(|r| vec![r[1] + r[2], r[1], r[2]]).collect();
            let rel = [Relation { total: 0, parts: vec![1, 2] }];
            let s = suppress(&rows, &rel);
            for (r, row) in s.values.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    prop_assert!(s.hidden[r][c] || !(1..MIN_SHOWN).contains(v));
                }
            }
            prop_assert_eq!(recover(&s, &rel), Vec::<Cell>::new());
            let all = relations(rows.len(), 3, &rel);
            prop_assert_eq!(determined_cell(&s.values, &s.hidden, &all), None);
            prop_assert!(!all.iter().any(|r| pinned_by_bounds(&s.values, &s.hidden, r)));
        }
    }
}
