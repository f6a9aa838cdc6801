//! Shared by the golden tests: reading the oracle's CSV files and comparing numbers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

pub fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oracle")
}

/// A CSV table of the fixtures: header → column of trimmed strings.
pub struct Table {
    pub columns: HashMap<String, Vec<String>>,
    pub rows: usize,
}

impl Table {
    pub fn read(path: PathBuf) -> Table {
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut lines = text.lines();
        let header: Vec<String> = lines
            .next()
            .unwrap()
            .split(',')
            .map(|h| h.trim().to_string())
            .collect();
        let mut columns: HashMap<String, Vec<String>> =
            header.iter().map(|h| (h.clone(), Vec::new())).collect();
        let mut rows = 0;
        for line in lines.filter(|l| !l.is_empty()) {
            for (name, cell) in header.iter().zip(line.split(',')) {
                columns.get_mut(name).unwrap().push(cell.trim().to_string());
            }
            rows += 1;
        }
        Table { columns, rows }
    }

    pub fn has(&self, name: &str) -> bool {
        self.columns.contains_key(name)
    }

    pub fn text(&self, name: &str) -> &[String] {
        &self.columns[name]
    }

    pub fn numbers(&self, name: &str) -> Vec<f64> {
        self.columns[name]
            .iter()
            .map(|c| {
                if c.is_empty() || c == "NA" {
                    f64::NAN
                } else {
                    c.parse().unwrap()
                }
            })
            .collect()
    }

    pub fn strata(&self) -> Vec<Option<u32>> {
        self.columns["s"].iter().map(|c| c.parse().ok()).collect()
    }
}

pub fn assert_close(what: &str, actual: f64, expected: f64, relative: f64) {
    let scale = expected.abs().max(1e-300);
    assert!(
        (actual - expected).abs() <= relative * scale,
        "{what}: got {actual:e}, expected {expected:e} (relative error {:e})",
        (actual - expected).abs() / scale
    );
}
