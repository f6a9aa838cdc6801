//! Reading an outcome file: CSV keyed by the study pseudonym, one column per
//! planned outcome and horizon. Errors name the line and column but never echo
//! a cell, so a CPR number typed into the wrong file is not shown back.

use std::collections::HashMap;

/// Why an outcome file was refused. Lines count from 1, the header being line 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    Empty,
    NotText,
    NoRows,
    Unreadable { line: u64 },
    NoPseudonymColumn,
    UnknownColumn { column: String, expected: String },
    ColumnTwice { column: String },
    NoOutcomeColumns,
    NotANumber { line: u64, column: String },
    UnknownPseudonym { line: u64 },
    PseudonymTwice { line: u64, first_line: u64 },
}

impl ImportProblem {
    /// The Fluent message id and its arguments.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        match self {
            ImportProblem::Empty => ("import-empty", vec![]),
            ImportProblem::NotText => ("import-not-text", vec![]),
            ImportProblem::NoRows => ("import-no-rows", vec![]),
            ImportProblem::Unreadable { line } => {
                ("import-unreadable", vec![("line", line.to_string())])
            }
            ImportProblem::NoPseudonymColumn => ("import-no-pseudonym-column", vec![]),
            ImportProblem::UnknownColumn { column, expected } => (
                "import-unknown-column",
                vec![("column", column.clone()), ("expected", expected.clone())],
            ),
            ImportProblem::ColumnTwice { column } => {
                ("import-column-twice", vec![("column", column.clone())])
            }
            ImportProblem::NoOutcomeColumns => ("import-no-outcome-columns", vec![]),
            ImportProblem::NotANumber { line, column } => (
                "import-not-a-number",
                vec![("line", line.to_string()), ("column", column.clone())],
            ),
            ImportProblem::UnknownPseudonym { line } => {
                ("import-unknown-pseudonym", vec![("line", line.to_string())])
            }
            ImportProblem::PseudonymTwice { line, first_line } => (
                "import-pseudonym-twice",
                vec![
                    ("line", line.to_string()),
                    ("first_line", first_line.to_string()),
                ],
            ),
        }
    }
}

impl std::fmt::Display for ImportProblem {
    /// English, for the CLI and logs (no cell values, so no personal data).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportProblem::Empty => write!(f, "the file has no header line"),
            ImportProblem::NotText => write!(
                f,
                "the file is not CSV text (save it as CSV, e.g. \"CSV UTF-8\" in Excel)"
            ),
            ImportProblem::NoRows => write!(f, "the file has a header but no rows"),
            ImportProblem::Unreadable { line } => {
                write!(
                    f,
                    "line {line}: not a CSV row with as many fields as the header"
                )
            }
            ImportProblem::NoPseudonymColumn => write!(f, "the file has no `pseudonym` column"),
            ImportProblem::UnknownColumn { column, expected } => write!(
                f,
                "column `{column}` is not an outcome and horizon of the locked plan (expected: {expected})"
            ),
            ImportProblem::ColumnTwice { column } => write!(f, "column `{column}` appears twice"),
            ImportProblem::NoOutcomeColumns => {
                write!(f, "the file has no outcome column of the locked plan")
            }
            ImportProblem::NotANumber { line, column } => {
                write!(f, "line {line}, column `{column}`: not a number")
            }
            ImportProblem::UnknownPseudonym { line } => write!(
                f,
                "line {line}: the pseudonym is not one of this study's allocations"
            ),
            ImportProblem::PseudonymTwice { line, first_line } => write!(
                f,
                "line {line}: the pseudonym was already on line {first_line}"
            ),
        }
    }
}

/// A CSV text's header and rows, with the separator detected: Danish Excel
/// writes `;` between fields (and decimal commas); otherwise `,` is expected.
pub struct CsvText {
    pub header: Vec<String>,
    pub rows: Vec<csv::StringRecord>,
}

impl CsvText {
    /// Reads the text; `Err(line)` names the first line that is not a CSV row
    /// with as many fields as the header.
    pub fn parse(bytes: &[u8]) -> Result<CsvText, u64> {
        let text = decode(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let first_line = text.lines().next().unwrap_or_default();
        let separator = if first_line.matches(';').count() > first_line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let line_of = |e: &csv::Error| e.position().map_or(1, |p| p.line());
        let header = reader
            .headers()
            .map_err(|e| line_of(&e))?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| line_of(&e))?;
        Ok(CsvText { header, rows })
    }
}

/// A cell that holds something other than a number.
#[derive(Debug)]
pub struct NotANumber;

/// UTF-8 text, or else Windows-1252, which Danish Excel writes for "CSV (semikolonsepareret)".
fn decode(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => bytes
            .iter()
            .map(|&b| windows_1252(b))
            .collect::<String>()
            .into(),
    }
}

fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9f => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

/// Whether the bytes look like a binary file (a spreadsheet, a picture) rather than text.
fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(4096).any(|&b| b == 0)
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&[0xd0, 0xcf, 0x11, 0xe0])
}

/// A cell as a number: empty or `NA` is missing (`Ok(None)`); a decimal comma
/// is accepted, and with both marks the last one is the decimal mark
/// (1.234,5 and 1,234.5 are both 1234.5).
pub fn parse_number(cell: &str) -> Result<Option<f64>, NotANumber> {
    if cell.is_empty() || cell.eq_ignore_ascii_case("na") {
        return Ok(None);
    }
    let normalised = match (cell.rfind(','), cell.rfind('.')) {
        (Some(comma), Some(point)) if comma > point => cell.replace('.', "").replace(',', "."),
        (Some(_), Some(_)) => cell.replace(',', ""),
        _ => cell.replace(',', "."),
    };
    normalised
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or(NotANumber)
}

/// A validated outcome file: the outcome columns it holds and one value (or
/// missing) per allocation and column.
#[derive(Debug, Clone, PartialEq)]
pub struct OutcomeFile {
    pub columns: Vec<String>,
    /// (ledger index, column position in `columns`, value)
    pub values: Vec<(i64, usize, Option<f64>)>,
    pub rows: usize,
}

/// Checks an outcome file against the plan's columns and the study's
/// pseudonyms (pseudonym → ledger index).
pub fn read_outcome_file(
    bytes: &[u8],
    planned_columns: &[String],
    ledger_index_of: &HashMap<String, i64>,
) -> Result<OutcomeFile, ImportProblem> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ImportProblem::Empty);
    }
    if is_binary(bytes) {
        return Err(ImportProblem::NotText);
    }
    let table = CsvText::parse(bytes).map_err(|line| ImportProblem::Unreadable { line })?;
    if !table
        .header
        .iter()
        .any(|h| h.eq_ignore_ascii_case("pseudonym"))
    {
        return Err(ImportProblem::NoPseudonymColumn);
    }
    let mut pseudonym_column = None;
    let mut columns: Vec<(usize, String)> = Vec::new();
    for (position, name) in table.header.iter().enumerate() {
        let name = name.to_ascii_lowercase();
        if name == "pseudonym" {
            if pseudonym_column.replace(position).is_some() {
                return Err(ImportProblem::ColumnTwice { column: name });
            }
        } else if !planned_columns.contains(&name) {
            return Err(ImportProblem::UnknownColumn {
                column: name,
                expected: planned_columns.join(", "),
            });
        } else if columns.iter().any(|(_, seen)| *seen == name) {
            return Err(ImportProblem::ColumnTwice { column: name });
        } else {
            columns.push((position, name));
        }
    }
    let pseudonym_column = pseudonym_column.ok_or(ImportProblem::NoPseudonymColumn)?;
    if columns.is_empty() {
        return Err(ImportProblem::NoOutcomeColumns);
    }
    if table.rows.is_empty() {
        return Err(ImportProblem::NoRows);
    }
    let mut first_line_of: HashMap<i64, u64> = HashMap::new();
    let mut values = Vec::with_capacity(table.rows.len() * columns.len());
    for (row_number, row) in table.rows.iter().enumerate() {
        let line = row.position().map_or(row_number as u64 + 2, |p| p.line());
        let pseudonym = row
            .get(pseudonym_column)
            .unwrap_or_default()
            .to_ascii_lowercase();
        let &ledger_index = ledger_index_of
            .get(&pseudonym)
            .ok_or(ImportProblem::UnknownPseudonym { line })?;
        if let Some(&first_line) = first_line_of.get(&ledger_index) {
            return Err(ImportProblem::PseudonymTwice { line, first_line });
        }
        first_line_of.insert(ledger_index, line);
        for (slot, (position, name)) in columns.iter().enumerate() {
            let value =
                parse_number(row.get(*position).unwrap_or_default()).map_err(|NotANumber| {
                    ImportProblem::NotANumber {
                        line,
                        column: name.clone(),
                    }
                })?;
            values.push((ledger_index, slot, value));
        }
    }
    Ok(OutcomeFile {
        columns: columns.into_iter().map(|(_, name)| name).collect(),
        values,
        rows: table.rows.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn study() -> (Vec<String>, HashMap<String, i64>) {
        let columns = vec!["employed_6m".to_string(), "employed_12m".to_string()];
        let pseudonyms = [("aa01", 0), ("bb02", 1), ("cc03", 3)]
            .into_iter()
            .map(|(p, i)| (p.to_string(), i))
            .collect();
        (columns, pseudonyms)
    }

    fn read(text: &str) -> Result<OutcomeFile, ImportProblem> {
        let (columns, pseudonyms) = study();
        read_outcome_file(text.as_bytes(), &columns, &pseudonyms)
    }

    #[test]
    fn danish_excel_files_with_missing_cells_are_read() {
        let file = read("\u{feff}pseudonym;employed_12m\nAA01;1\nbb02;\ncc03;0,5\n").unwrap();
        assert_eq!(file.columns, ["employed_12m"]);
        assert_eq!(
            file.values,
            [(0, 0, Some(1.0)), (1, 0, None), (3, 0, Some(0.5))]
        );
    }

    #[test]
    fn each_bad_file_names_the_line_and_column() {
        let cases = [
            ("", ImportProblem::Empty),
            ("id,employed_6m\naa01,1\n", ImportProblem::NoPseudonymColumn),
            (
                "pseudonym,salary_6m\naa01,1\n",
                ImportProblem::UnknownColumn {
                    column: "salary_6m".into(),
                    expected: "employed_6m, employed_12m".into(),
                },
            ),
            ("pseudonym;employed_6m\n", ImportProblem::NoRows),
            ("PK\u{3}\u{4}binary", ImportProblem::NotText),
            (
                "pseudonym,employed_6m,employed_6m\n",
                ImportProblem::ColumnTwice {
                    column: "employed_6m".into(),
                },
            ),
            ("pseudonym\naa01\n", ImportProblem::NoOutcomeColumns),
            (
                "pseudonym,employed_6m\naa01,1\nbb02,yes\n",
                ImportProblem::NotANumber {
                    line: 3,
                    column: "employed_6m".into(),
                },
            ),
            (
                "pseudonym,employed_6m\n0101901234,1\n",
                ImportProblem::UnknownPseudonym { line: 2 },
            ),
            (
                "pseudonym,employed_6m\naa01,1\nbb02,1\naa01,0\n",
                ImportProblem::PseudonymTwice {
                    line: 4,
                    first_line: 2,
                },
            ),
            (
                "pseudonym,employed_6m\naa01,1,7\n",
                ImportProblem::Unreadable { line: 2 },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(read(text), Err(expected), "{text:?}");
        }
    }

    #[test]
    fn numbers_as_people_type_them_and_windows_1252_files() {
        for (cell, value) in [
            ("1.234,5", 1234.5),
            ("1,234.5", 1234.5),
            ("0,25", 0.25),
            ("-3", -3.0),
        ] {
            assert_eq!(parse_number(cell).unwrap(), Some(value), "{cell}");
        }
        assert!(parse_number("12 uger").is_err());
        // "bemærkning" in Windows-1252: the æ survives, so the unknown column is named legibly.
        let mut file = b"pseudonym;bem".to_vec();
        file.push(0xe6);
        file.extend_from_slice(b"rkning\naa01;1\n");
        let (columns, pseudonyms) = study();
        match read_outcome_file(&file, &columns, &pseudonyms) {
            Err(ImportProblem::UnknownColumn { column, .. }) => assert_eq!(column, "bemærkning"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_never_echo_a_cell() {
        let cpr = "0101901234";
        for text in [
            format!("pseudonym,employed_6m\n{cpr},1\n"),
            format!("pseudonym,employed_6m\naa01,{cpr}x\n"),
        ] {
            let problem = read(&text).unwrap_err();
            assert!(!problem.to_string().contains(cpr));
            assert!(!format!("{:?}", problem.message()).contains(cpr));
        }
    }
}
