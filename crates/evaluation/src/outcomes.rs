//! Reading an outcome file: CSV keyed by the study pseudonym, one column per
//! planned outcome and horizon. Errors name the line and column but never echo
//! a cell, so a CPR number typed into the wrong file is not shown back.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::ControlFlow;

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
    /// The message id and its arguments; a CPR number in a column name (a
    /// file made from the wrong register) is never shown back.
    pub fn message(&self) -> (&'static str, Vec<(&'static str, String)>) {
        let (id, args) = self.raw_message();
        let args = args
            .into_iter()
            .map(|(name, value)| (name, spire_domain::redact_cpr(&value).into_owned()))
            .collect();
        (id, args)
    }

    fn raw_message(&self) -> (&'static str, Vec<(&'static str, String)>) {
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
    /// English, for the CLI and logs (no cell values, and a CPR number in a
    /// column name redacted, so no personal data).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&spire_domain::redact_cpr(&English(self).to_string()))
    }
}

struct English<'a>(&'a ImportProblem);

impl std::fmt::Display for English<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
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
///
/// The rules are the csv crate's defaults (RFC 4180 quoting: a `"` opens a
/// quoted field only as its first character, `""` inside quotes is one `"`,
/// text after the closing quote is kept; `\n`, `\r\n` and `\r` end a row; blank
/// lines are skipped; a UTF-8 byte-order mark is dropped), every field trimmed,
/// and every row as wide as the header. The rows are read one after the
/// other, each cell a slice of the one text: nothing is allocated or kept per
/// row or cell (fresh memory is much of the time `spire stats` takes).
pub struct CsvText<'a> {
    text: Cow<'a, str>,
    header: Vec<String>,
    /// Where the rows begin.
    after_header: Splitter,
}

impl<'a> CsvText<'a> {
    /// Reads the text's header; the rows are read by [`CsvText::rows`].
    pub fn parse(bytes: &'a [u8]) -> CsvText<'a> {
        CsvText::new(decode(bytes))
    }

    fn new(text: Cow<'a, str>) -> CsvText<'a> {
        let after_bom = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let first_line = after_bom.split('\n').next().unwrap_or_default();
        let count = |mark: u8| first_line.bytes().filter(|&b| b == mark).count();
        let separator = if count(b';') > count(b',') {
            b';'
        } else {
            b','
        };
        // The csv crate drops a second byte-order mark too.
        let mut start = text.len() - after_bom.len();
        if after_bom.starts_with('\u{feff}') {
            start += '\u{feff}'.len_utf8();
        }
        let mut splitter = Splitter::new(&text, start, separator);
        let mut first = Collect::default();
        let mut unquoted = String::new();
        splitter.split(&text, &mut unquoted, &mut first);
        let header = first
            .cells
            .iter()
            .map(|&span| cell(&text, &unquoted, span).to_string())
            .collect();
        CsvText {
            text,
            header,
            after_header: splitter,
        }
    }

    /// The header's trimmed names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The rows after the header, one at a time.
    pub fn rows(&self) -> Rows<'_> {
        Rows {
            text: &self.text,
            splitter: self.after_header,
            width: self.header.len(),
            cells: Vec::with_capacity(self.header.len()),
            unquoted: String::new(),
            index: 0,
        }
    }

    /// The `wanted` columns, read in one pass: `Err(line)` names the first
    /// line that is not a row as wide as the header.
    pub fn columns(&self, wanted: &[Wanted]) -> Result<Vec<Column>, u64> {
        const NONE: u32 = u32::MAX;
        let mut sink = Columns {
            text: &self.text,
            readers_of: vec![(NONE, NONE); self.header.len()],
            numbers: Vec::new(),
            labels: Vec::new(),
            width: self.header.len(),
            rows: 0,
            problem: None,
        };
        // One reader a column and kind, however often it is wanted.
        for &wanted in wanted {
            match wanted {
                Wanted::Numbers(column) if sink.readers_of[column].0 == NONE => {
                    sink.readers_of[column].0 = sink.numbers.len() as u32;
                    sink.numbers.push(Ok(Vec::new()));
                }
                Wanted::Labels(column) if sink.readers_of[column].1 == NONE => {
                    sink.readers_of[column].1 = sink.labels.len() as u32;
                    sink.labels.push((Vec::new(), LabelCoder::default()));
                }
                _ => {}
            }
        }
        let mut splitter = self.after_header;
        splitter.split(&self.text, &mut String::new(), &mut sink);
        if let Some(line) = sink.problem {
            return Err(line);
        }
        let labels: Vec<Column> = sink
            .labels
            .into_iter()
            .map(|(mut codes, coder)| {
                let (rank, labels) = coder.in_label_order();
                for code in codes.iter_mut().flatten() {
                    *code = rank[*code as usize];
                }
                Column::Labels { codes, labels }
            })
            .collect();
        let mut numbers: Vec<Option<Column>> = sink
            .numbers
            .into_iter()
            .map(|n| Some(Column::Numbers(n)))
            .collect();
        let mut labels: Vec<Option<Column>> = labels.into_iter().map(Some).collect();
        let mut read: Vec<Column> = Vec::with_capacity(wanted.len());
        for (i, &this) in wanted.iter().enumerate() {
            let column = match this {
                Wanted::Numbers(column) => numbers[sink.readers_of[column].0 as usize].take(),
                Wanted::Labels(column) => labels[sink.readers_of[column].1 as usize].take(),
            };
            // A column wanted twice the same way: a copy of the first.
            let column = column.unwrap_or_else(|| {
                let first = wanted
                    .iter()
                    .position(|&w| w == this)
                    .expect("wanted before");
                read[first].clone()
            });
            debug_assert!(i == read.len());
            read.push(column);
        }
        Ok(read)
    }
}

impl CsvText<'static> {
    /// [`CsvText::parse`] on bytes it keeps: UTF-8 is not copied.
    pub fn from_vec(bytes: Vec<u8>) -> CsvText<'static> {
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(error) => windows_1252_text(error.as_bytes()),
        };
        CsvText::new(Cow::Owned(text))
    }
}

/// The rows of a [`CsvText`] after the header.
pub struct Rows<'t> {
    text: &'t str,
    splitter: Splitter,
    width: usize,
    cells: Vec<(usize, usize)>,
    unquoted: String,
    index: usize,
}

impl Rows<'_> {
    /// The next row, or `Err(line)` for a row not as wide as the header.
    pub fn next_row(&mut self) -> Option<Result<Row<'_>, u64>> {
        self.cells.clear();
        let mut row = Collect {
            cells: std::mem::take(&mut self.cells),
            row: None,
        };
        self.splitter.split(self.text, &mut self.unquoted, &mut row);
        self.cells = row.cells;
        let line = row.row?;
        if self.cells.len() != self.width {
            return Some(Err(line));
        }
        self.index += 1;
        Some(Ok(Row {
            index: self.index - 1,
            line,
            text: self.text,
            cells: &self.cells,
            unquoted: &self.unquoted,
        }))
    }
}

/// One row: its trimmed cells.
pub struct Row<'r> {
    /// 0 for the first row after the header.
    pub index: usize,
    /// The line the row starts on, counting from 1 (the header's first line is
    /// line 1); a line ends with `\n`, `\r\n` or `\r`.
    pub line: u64,
    text: &'r str,
    cells: &'r [(usize, usize)],
    unquoted: &'r str,
}

impl<'r> Row<'r> {
    pub fn cell(&self, column: usize) -> &'r str {
        cell(self.text, self.unquoted, self.cells[column])
    }

    /// A cell as a number, as [`parse_number`] reads it.
    pub fn number(&self, column: usize) -> Result<Option<f64>, NotANumber> {
        let (from, to) = self.cells[column];
        match self.text.as_bytes().get(from..to).and_then(plain_decimal) {
            Some(value) => Ok(Some(value)),
            None => parse_number(self.cell(column)),
        }
    }
}

/// A cell's text: a byte range below `text.len()` is in the text, from
/// `text.len()` on it is in `unquoted`.
#[inline(always)]
fn cell<'t>(text: &'t str, unquoted: &'t str, (from, to): (usize, usize)) -> &'t str {
    match from.checked_sub(text.len()) {
        None => &text[from..to],
        Some(from) => &unquoted[from..to - text.len()],
    }
}

/// A column to read by [`CsvText::columns`], by position in the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    Numbers(usize),
    Labels(usize),
}

/// A column as read by [`CsvText::columns`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers (missing is NaN), or the first cell that is not a number.
    Numbers(Result<Vec<f64>, BadCell>),
    /// Labels as dense codes in the labels' (byte) order, and the labels; an
    /// empty or `NA` cell has no code.
    Labels {
        codes: Vec<Option<u32>>,
        labels: Vec<String>,
    },
}

/// A cell that is not a number, where it is and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct BadCell {
    /// 0 for the first row after the header.
    pub row: usize,
    pub line: u64,
    pub cell: String,
}

/// A [`Sink`] collecting one row's cells (byte ranges, see [`cell`]) and
/// stopping after it.
#[derive(Default)]
struct Collect {
    cells: Vec<(usize, usize)>,
    /// The line the row started on, once it ended.
    row: Option<u64>,
}

impl Sink for Collect {
    fn cell(&mut self, _: usize, span: (usize, usize), _: &str, _: u64) {
        self.cells.push(span);
    }

    fn end_row(&mut self, _: usize, _: usize, line: u64, _: usize) -> ControlFlow<()> {
        self.row = Some(line);
        ControlFlow::Break(())
    }
}

/// A [`Sink`] reading the wanted columns of every row.
struct Columns<'t> {
    text: &'t str,
    /// The readers of each column (by position) as numbers and as labels
    /// (`u32::MAX`: none).
    readers_of: Vec<(u32, u32)>,
    numbers: Vec<Result<Vec<f64>, BadCell>>,
    labels: Vec<(Vec<Option<u32>>, LabelCoder)>,
    width: usize,
    rows: usize,
    /// The line of a row not as wide as the header.
    problem: Option<u64>,
}

impl Sink for Columns<'_> {
    #[inline(always)]
    fn cell(&mut self, column: usize, (from, to): (usize, usize), unquoted: &str, line: u64) {
        let Some(&(numbers, labels)) = self.readers_of.get(column) else {
            return;
        };
        // Cells in the text are read a word at a time (unquoted ones are rare).
        let in_text = to <= self.text.len();
        if let Some(Ok(values)) = self.numbers.get_mut(numbers as usize) {
            let plain = match in_text {
                true => plain_decimal_at(self.text.as_bytes(), from, to),
                false => None,
            };
            let value = match plain {
                Some(value) => Ok(Some(value)),
                None => parse_number(cell(self.text, unquoted, (from, to))),
            };
            match value {
                Ok(value) => values.push(value.unwrap_or(f64::NAN)),
                Err(NotANumber) => {
                    self.numbers[numbers as usize] = Err(BadCell {
                        row: self.rows,
                        line,
                        cell: cell(self.text, unquoted, (from, to)).to_string(),
                    })
                }
            }
        }
        if let Some((codes, coder)) = self.labels.get_mut(labels as usize) {
            let label = cell(self.text, unquoted, (from, to));
            let short = match in_text {
                true => short_label_at(self.text.as_bytes(), from, to),
                false => short_label(label.as_bytes()),
            };
            codes.push(coder.code(short, label));
        }
    }

    fn end_row(&mut self, start: usize, end: usize, line: u64, cells: usize) -> ControlFlow<()> {
        if cells != self.width {
            self.problem = Some(line);
            return ControlFlow::Break(());
        }
        if self.rows == 0 {
            // Room for as many rows as the first one's length suggests
            // (memory reserved but never used costs nothing).
            let rows = 2 * (self.text.len() - start) / (end - start + 1) + 1;
            for values in self.numbers.iter_mut().flatten() {
                values.reserve(rows);
            }
            for (codes, _) in &mut self.labels {
                codes.reserve(rows);
            }
        }
        self.rows += 1;
        ControlFlow::Continue(())
    }
}

/// Codes labels in order of appearance; short labels (most strata labels)
/// are looked up as one integer.
#[derive(Default)]
struct LabelCoder {
    short: HashMap<u64, u32, BuildHasherDefault<LabelHasher>>,
    long: HashMap<String, u32, BuildHasherDefault<LabelHasher>>,
    labels: Vec<String>,
}

impl LabelCoder {
    /// An empty or `NA` cell has no code. `short` is the label's
    /// [`short_label`] key, if it has one.
    #[inline]
    fn code(&mut self, short: Option<u64>, label: &str) -> Option<u32> {
        let next = self.labels.len() as u32;
        let code = match short {
            Some(key) => {
                // Empty, `NA` in any case.
                let length = key >> 56;
                if length == 0 || (length == 2 && (key & 0xffff) | 0x2020 == 0x616e) {
                    return None;
                }
                *self.short.entry(key).or_insert(next)
            }
            None => match self.long.get(label) {
                Some(&code) => code,
                None => *self.long.entry(label.to_string()).or_insert(next),
            },
        };
        if code == next {
            self.labels.push(label.to_string());
        }
        Some(code)
    }

    /// Code of appearance → rank in label order, and the labels in that order.
    fn in_label_order(self) -> (Vec<u32>, Vec<String>) {
        let mut order: Vec<u32> = (0..self.labels.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.labels[a as usize].cmp(&self.labels[b as usize]));
        let mut rank = vec![0; order.len()];
        for (position, &code) in order.iter().enumerate() {
            rank[code as usize] = position as u32;
        }
        let mut labels: Vec<Option<String>> = self.labels.into_iter().map(Some).collect();
        let sorted = order
            .iter()
            .map(|&code| labels[code as usize].take().expect("each code once"))
            .collect();
        (rank, sorted)
    }
}

/// A quick hash for the labels of one file (FxHash's step, 8 bytes at a
/// time, its bits turned at the end so the table's index bits get some).
#[derive(Default)]
struct LabelHasher(u64);

impl Hasher for LabelHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// A label of at most 7 bytes as one integer: its bytes, and its length in
/// the top byte.
fn short_label(label: &[u8]) -> Option<u64> {
    if label.len() >= 8 {
        return None;
    }
    let mut word = [0; 8];
    word[..label.len()].copy_from_slice(label);
    word[7] = label.len() as u8;
    Some(u64::from_le_bytes(word))
}

/// [`short_label`] of `text[from..to]`, read as the word that ends there.
#[inline(always)]
fn short_label_at(text: &[u8], from: usize, to: usize) -> Option<u64> {
    let length = to - from;
    if length >= 8 || to < 8 {
        return short_label(&text[from..to]);
    }
    let word = u64::from_le_bytes(text[to - 8..to].try_into().expect("eight bytes"));
    // The label's bytes come down to the bottom; what was before it falls out.
    let bytes = word.checked_shr(8 * (8 - length) as u32).unwrap_or(0);
    Some(bytes | (length as u64) << 56)
}

/// The line of a byte position, counting from 1; a line ends with `\n`,
/// `\r\n` or `\r`.
#[cfg(test)]
fn line_at(text: &str, position: usize) -> u64 {
    let bytes = text.as_bytes();
    1 + (0..position)
        .filter(|&i| bytes[i] == b'\n' || (bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .count() as u64
}

/// Splits a text into rows of trimmed cells the way `csv_core` does with its
/// default settings, one row at a time. Separators, line ends and quotes are
/// found eight bytes at a time; a quoted field is read on its own.
#[derive(Clone, Copy)]
struct Splitter {
    separator: u8,
    /// The current eight bytes start here…
    at: usize,
    /// …and these are their marks not yet handled.
    marks: u64,
    field_start: usize,
    /// Where the current row started, once it has a cell.
    row_start: Option<usize>,
    /// A quoted field's cell, read ahead up to its separator or line end.
    quoted_cell: Option<(usize, usize)>,
    /// Line ends so far, and the line of the row being read.
    line_ends: u64,
    row_line: u64,
    /// The current field's position in its row.
    column: usize,
    finished: bool,
}

impl Splitter {
    fn new(text: &str, start: usize, separator: u8) -> Splitter {
        Splitter {
            separator,
            at: start,
            marks: marks(text.as_bytes(), start, separator),
            field_start: start,
            row_start: None,
            quoted_cell: None,
            line_ends: 0,
            row_line: 1,
            column: 0,
            finished: false,
        }
    }

    /// Splits rows, handing their cells and ends to `sink`, until the text
    /// ends or `sink` stops after a row. `unquoted` holds the current row's
    /// unquoted cells.
    fn split(&mut self, text: &str, unquoted: &mut String, sink: &mut impl Sink) {
        let bytes = text.as_bytes();
        let separator = self.separator;
        unquoted.clear();
        let Splitter {
            mut at,
            mut marks,
            mut field_start,
            mut row_start,
            mut quoted_cell,
            mut line_ends,
            mut row_line,
            mut column,
            ..
        } = *self;
        'words: while at < bytes.len() {
            while marks != 0 {
                let position = at + (marks.trailing_zeros() / 8) as usize;
                marks &= marks - 1;
                let byte = bytes[position];
                if byte == b'"' {
                    // A quote opens a quoted field only as its first character.
                    if position == field_start && quoted_cell.is_none() {
                        let (cell, end) = quoted(text, position, separator, unquoted);
                        line_ends += line_ends_in(&bytes[position..end], bytes.get(end));
                        quoted_cell = Some(cell);
                        row_start.get_or_insert(field_start);
                        at = end;
                        marks = self::marks(bytes, at, separator);
                        continue 'words;
                    }
                } else if byte == separator {
                    let span = take_cell(text, &mut quoted_cell, field_start, position);
                    sink.cell(column, span, unquoted, row_line);
                    column += 1;
                    row_start.get_or_insert(field_start);
                    field_start = position + 1;
                } else {
                    if byte == b'\n' || bytes.get(position + 1) != Some(&b'\n') {
                        line_ends += 1;
                    }
                    if row_start.is_none() && position == field_start {
                        // A blank line (or the `\n` of `\r\n`) between rows.
                        field_start = position + 1;
                        row_line = line_ends + 1;
                        continue;
                    }
                    let span = take_cell(text, &mut quoted_cell, field_start, position);
                    sink.cell(column, span, unquoted, row_line);
                    let start = row_start.take().unwrap_or(field_start);
                    let flow = sink.end_row(start, position, row_line, column + 1);
                    column = 0;
                    field_start = position + 1;
                    row_line = line_ends + 1;
                    if flow.is_break() {
                        break 'words;
                    }
                    unquoted.clear();
                }
            }
            at += 8;
            marks = self::marks(bytes, at, separator);
        }
        if at >= bytes.len() && !self.finished {
            // The end of the text ends the last row.
            self.finished = true;
            if row_start.is_some() || field_start < bytes.len() {
                let span = take_cell(text, &mut quoted_cell, field_start, bytes.len());
                sink.cell(column, span, unquoted, row_line);
                let start = row_start.take().unwrap_or(field_start);
                let _ = sink.end_row(start, bytes.len(), row_line, column + 1);
                column = 0;
                field_start = bytes.len();
            }
        }
        *self = Splitter {
            at,
            marks,
            field_start,
            row_start,
            quoted_cell,
            line_ends,
            row_line,
            column,
            ..*self
        };
    }
}

/// The cell from `field_start` to `end`, trimmed, or the quoted one read ahead.
#[inline(always)]
fn take_cell(
    text: &str,
    quoted_cell: &mut Option<(usize, usize)>,
    field_start: usize,
    end: usize,
) -> (usize, usize) {
    quoted_cell
        .take()
        .unwrap_or_else(|| trimmed(text, field_start, end))
}

/// What [`Splitter::split`] hands the cells and the ends of rows to.
trait Sink {
    /// The row's `column`th cell (0 first; trimmed) as a byte range (see
    /// [`cell`]; `unquoted` holds the row's unquoted cells); `line` is where
    /// the row starts.
    fn cell(&mut self, column: usize, span: (usize, usize), unquoted: &str, line: u64);
    /// The row from `start` to `end` (its line end or the text's end) that
    /// starts on `line` had `cells` cells; `Break` stops the splitting.
    fn end_row(&mut self, start: usize, end: usize, line: u64, cells: usize) -> ControlFlow<()>;
}

/// High bits at the separators, line ends and quotes among the eight bytes
/// from `at` (none past the end of the text).
#[inline]
fn marks(bytes: &[u8], at: usize, separator: u8) -> u64 {
    let word = match bytes.get(at..at + 8) {
        Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
        None if at < bytes.len() => {
            let mut tail = [0; 8];
            tail[..bytes.len() - at].copy_from_slice(&bytes[at..]);
            u64::from_le_bytes(tail)
        }
        None => return 0,
    };
    equal_bytes(word, separator)
        | equal_bytes(word, b'\n')
        | equal_bytes(word, b'\r')
        | equal_bytes(word, b'"')
}

/// The line ends in `bytes` (a quoted field), `next` being the byte after it.
fn line_ends_in(bytes: &[u8], next: Option<&u8>) -> u64 {
    let mut count = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let following = bytes.get(i + 1).or(next);
        if b == b'\n' || (b == b'\r' && following != Some(&b'\n')) {
            count += 1;
        }
    }
    count
}

/// A field that starts with the `"` at `open`: its cell and where it ends
/// (at a separator, a line end or the end of the text). The cell is a slice
/// of the text unless the field holds `""` or text after the closing quote;
/// then, as `csv_core` does it, `""` inside quotes is one quote, the text
/// after the closing quote is kept (quotes in it are text), and the cell goes
/// to `unquoted`.
fn quoted(
    text: &str,
    open: usize,
    separator: u8,
    unquoted: &mut String,
) -> ((usize, usize), usize) {
    let bytes = text.as_bytes();
    let ends_field = |b: Option<&u8>| match b {
        None | Some(b'\r' | b'\n') => true,
        Some(&b) => b == separator,
    };
    let field_end = |from: usize| {
        bytes[from..]
            .iter()
            .position(|&b| b == separator || b == b'\n' || b == b'\r')
            .map_or(bytes.len(), |offset| from + offset)
    };
    let open = open + 1;
    let Some(close) = bytes[open..].iter().position(|&b| b == b'"') else {
        // Quoted to the end of the text.
        return (trimmed(text, open, text.len()), text.len());
    };
    let close = open + close;
    if ends_field(bytes.get(close + 1)) {
        return (trimmed(text, open, close), close + 1);
    }
    let mut field = String::new();
    let mut at = open;
    loop {
        match bytes[at..].iter().position(|&b| b == b'"') {
            None => {
                field.push_str(&text[at..]);
                at = text.len();
                break;
            }
            Some(offset) => {
                field.push_str(&text[at..at + offset]);
                at += offset + 1;
            }
        }
        match bytes.get(at) {
            Some(b'"') => {
                field.push('"');
                at += 1;
            }
            next if ends_field(next) => break,
            Some(_) => {
                let end = field_end(at);
                field.push_str(&text[at..end]);
                at = end;
                break;
            }
            None => unreachable!("the end of the text ends a field"),
        }
    }
    let from = text.len() + unquoted.len();
    unquoted.push_str(field.trim());
    ((from, text.len() + unquoted.len()), at)
}

/// The byte range of `text[from..to]` without leading and trailing white space.
#[inline]
fn trimmed(text: &str, from: usize, to: usize) -> (usize, usize) {
    // Printable ASCII at both ends (the common cell) is not white space.
    let printable = |b: Option<&u8>| b.is_some_and(|&b| b > b' ' && b < 0x80);
    let bytes = text.as_bytes();
    if from == to || (printable(bytes.get(from)) && printable(bytes.get(to.wrapping_sub(1)))) {
        return (from, to);
    }
    trimmed_slowly(text, from, to)
}

#[inline(never)]
fn trimmed_slowly(text: &str, from: usize, to: usize) -> (usize, usize) {
    let field = &text[from..to];
    let start = field.trim_start();
    let from = from + (field.len() - start.len());
    (from, from + start.trim_end().len())
}

/// A cell that holds something other than a number.
#[derive(Debug)]
pub struct NotANumber;

/// UTF-8 text, or else Windows-1252, which Danish Excel writes for "CSV (semikolonsepareret)".
fn decode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.into(),
        Err(_) => windows_1252_text(bytes).into(),
    }
}

fn windows_1252_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| windows_1252(b)).collect()
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
    if let Some(value) = plain_decimal(cell.as_bytes()) {
        return Ok(Some(value));
    }
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

/// The common cell, `[+-]digits[(.|,)digits]` with at most 15 digits, without
/// the general parser: the digits as an integer m below 2^53 and k decimals,
/// m / 10^k is one correctly rounded division of two exact doubles, so the
/// same double `str::parse` gives (the "fast path" of Clinger 1990, which
/// `str::parse` takes too). Anything else is `None`, for the general way.
fn plain_decimal(cell: &[u8]) -> Option<f64> {
    const POWERS: [f64; 16] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];
    let (negative, digits) = match cell {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, cell),
    };
    // Fifteen digits and a mark at most (so no overflow below).
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let (mut mantissa, mut mark) = (0u64, None);
    for (i, &b) in digits.iter().enumerate() {
        let digit = b.wrapping_sub(b'0');
        if digit < 10 {
            mantissa = mantissa * 10 + u64::from(digit);
        } else if (b == b'.' || b == b',') && mark.is_none() {
            mark = Some(i);
        } else {
            return None;
        }
    }
    let count = digits.len() - usize::from(mark.is_some());
    // At most 15 digits: the mantissa stays below 2^53 and 10^k is exact.
    if count == 0 || count > 15 {
        return None;
    }
    let decimals = mark.map_or(0, |i| digits.len() - i - 1);
    let value = match decimals {
        0 => mantissa as f64,
        _ => mantissa as f64 / POWERS[decimals],
    };
    Some(if negative { -value } else { value })
}

/// [`plain_decimal`] of `text[from..to]`, the same to the bit, faster for
/// cells of up to eight characters after the sign (most are): their bytes are
/// read as the word that ends at `to`, the mark taken out, and the digits
/// checked and added up eight at a time.
#[inline(always)]
fn plain_decimal_at(text: &[u8], from: usize, to: usize) -> Option<f64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH_NIBBLES: u64 = 0xf0f0_f0f0_f0f0_f0f0;
    let (negative, start) = match text.get(from) {
        Some(b'-') => (true, from + 1),
        Some(b'+') => (false, from + 1),
        _ => (false, from),
    };
    let length = to - start;
    if length == 0 || length > 8 || to < 8 {
        return plain_decimal(&text[from..to]);
    }
    // The cell's bytes are the top `length` bytes of the word; the bytes
    // before it become '0's.
    let word = u64::from_le_bytes(text[to - 8..to].try_into().expect("eight bytes"));
    let cell = u64::MAX << (8 * (8 - length));
    let word = (word & cell) | (ZEROS & !cell);
    let marks = equal_bytes(word, b'.') | equal_bytes(word, b',');
    let (word, decimals) = if marks == 0 {
        (word, 0)
    } else {
        if length == 1 {
            return None;
        }
        // The digits before the (first) mark move up over it; a '0' comes in front.
        let mark = (marks.trailing_zeros() / 8) as usize;
        let before = (1u64 << (8 * mark)) - 1;
        let after = u64::MAX.checked_shl(8 * (mark as u32 + 1)).unwrap_or(0);
        ((word & after) | ((word & before) << 8) | 0x30, 7 - mark)
    };
    // Every byte a digit (a second mark is not).
    if word & HIGH_NIBBLES != ZEROS
        || word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != ZEROS
    {
        return None;
    }
    // Eight digits (the first in the lowest byte) to their number.
    let digits = word - ZEROS;
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    let mantissa = ((pairs & 0x0000_00ff_0000_00ff).wrapping_mul(100 + (1_000_000 << 32))
        + ((pairs >> 16) & 0x0000_00ff_0000_00ff).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    let value = match decimals {
        0 => mantissa as f64,
        _ => mantissa as f64 / [1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7][decimals],
    };
    Some(if negative { -value } else { value })
}

/// A high bit in each byte of `word` that equals `byte` (exactly: no carries
/// between bytes).
#[inline(always)]
fn equal_bytes(word: u64, byte: u8) -> u64 {
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let x = word ^ (0x0101_0101_0101_0101 * u64::from(byte));
    !(((x & LOWS) + LOWS) | x) & !LOWS
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
    let table = CsvText::parse(bytes);
    // Every line is read before the header is judged: a file that is not
    // CSV rows is refused as such first.
    let header = check_header(table.header(), planned_columns);
    let mut rows = table.rows();
    let (mut count, mut first_problem) = (0, None);
    // Ledger index → the line it was first seen on.
    let mut first_line_of: HashMap<i64, u64> = HashMap::new();
    let mut values = Vec::new();
    let mut pseudonym = String::new();
    while let Some(row) = rows.next_row() {
        let row = row.map_err(|line| ImportProblem::Unreadable { line })?;
        count += 1;
        let (Ok((pseudonym_column, columns)), None) = (&header, &first_problem) else {
            continue;
        };
        pseudonym.clear();
        pseudonym.push_str(row.cell(*pseudonym_column));
        pseudonym.make_ascii_lowercase();
        let Some(&ledger_index) = ledger_index_of.get(&pseudonym) else {
            first_problem = Some(ImportProblem::UnknownPseudonym { line: row.line });
            continue;
        };
        if let Some(&first_line) = first_line_of.get(&ledger_index) {
            first_problem = Some(ImportProblem::PseudonymTwice {
                line: row.line,
                first_line,
            });
            continue;
        }
        first_line_of.insert(ledger_index, row.line);
        for (slot, (position, name)) in columns.iter().enumerate() {
            match row.number(*position) {
                Ok(value) => values.push((ledger_index, slot, value)),
                Err(NotANumber) => {
                    first_problem = Some(ImportProblem::NotANumber {
                        line: row.line,
                        column: name.clone(),
                    });
                    break;
                }
            }
        }
    }
    let (_, columns) = header?;
    if count == 0 {
        return Err(ImportProblem::NoRows);
    }
    if let Some(problem) = first_problem {
        return Err(problem);
    }
    Ok(OutcomeFile {
        columns: columns.into_iter().map(|(_, name)| name).collect(),
        values,
        rows: count,
    })
}

/// The pseudonym's column and the outcome columns (position, lower-case
/// name) of a header, checked against the plan's columns.
fn check_header(
    header: &[String],
    planned_columns: &[String],
) -> Result<(usize, Vec<(usize, String)>), ImportProblem> {
    if !header.iter().any(|h| h.eq_ignore_ascii_case("pseudonym")) {
        return Err(ImportProblem::NoPseudonymColumn);
    }
    let mut pseudonym_column = None;
    let mut columns: Vec<(usize, String)> = Vec::new();
    for (position, name) in header.iter().enumerate() {
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
    Ok((pseudonym_column, columns))
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
    fn a_cpr_number_in_a_column_name_is_never_shown_back() {
        let problem = read("pseudonym;150604-4123\nAA01;1\n").unwrap_err();
        assert!(matches!(problem, ImportProblem::UnknownColumn { .. }));
        let (_, args) = problem.message();
        assert!(
            args.iter().all(|(_, v)| !spire_domain::contains_cpr(v)),
            "{args:?}"
        );
        assert!(args.iter().any(|(_, v)| v == "[CPR]"));
        assert!(
            !spire_domain::contains_cpr(&problem.to_string()),
            "{problem}"
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

    /// The reader as it was (the csv crate, every record a `StringRecord`),
    /// with each row's line taken where its first byte is.
    fn csv_crate(bytes: &[u8]) -> Result<(Vec<String>, Vec<(u64, Vec<String>)>), u64> {
        let text = decode(bytes);
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let first_line = text.lines().next().unwrap_or_default();
        let separator = if first_line.matches(';').count() > first_line.matches(',').count() {
            b';'
        } else {
            b','
        };
        let input = text.as_bytes();
        // csv reports where the previous row ended; the row starts after the line breaks.
        let line_at_or_after = |position: &csv::Position| {
            let mut at = position.byte() as usize;
            while matches!(input.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            line_at(text, at)
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .trim(csv::Trim::All)
            .from_reader(input);
        let header = reader
            .headers()
            .unwrap()
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| line_at_or_after(e.position().unwrap()))?;
            rows.push((
                line_at_or_after(record.position().unwrap()),
                record.iter().map(str::to_string).collect(),
            ));
        }
        Ok((header, rows))
    }

    fn ours(bytes: &[u8]) -> Result<(Vec<String>, Vec<(u64, Vec<String>)>), u64> {
        let table = CsvText::parse(bytes);
        let mut rows = table.rows();
        let mut read = Vec::new();
        while let Some(row) = rows.next_row() {
            let row = row?;
            let cells = (0..table.header().len())
                .map(|column| row.cell(column).to_string())
                .collect();
            read.push((row.line, cells));
        }
        Ok((table.header().to_vec(), read))
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4000))]

        /// Every cell, row, line and refusal as the csv crate reads it: quotes,
        /// doubled quotes, text after a closing quote, `\r\n`, `\r`, blank
        /// lines, byte-order marks, Unicode white space, Windows-1252.
        #[test]
        fn reads_as_the_csv_crate_does(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "a", "b7", "1", "2,5", "-3.25", ",", ",", ";", ";", "\"", "\"", "\"\"", " ", "\t",
                "\n", "\n", "\r\n", "\r", "é", "\u{a0}", "\u{feff}", "\u{2003}",
            ]), 0..40),
            latin1 in proptest::bool::ANY,
        ) {
            let mut bytes = pieces.concat().into_bytes();
            if latin1 {
                bytes.push(0xe6);
            }
            proptest::prop_assert_eq!(ours(&bytes), csv_crate(&bytes), "{:?}", String::from_utf8_lossy(&bytes));
        }

        /// The quick way to a number gives the very double the general way does.
        #[test]
        fn plain_decimals_are_parsed_exactly(
            cell in "[+-]?[0-9]{0,17}([.,][0-9]{0,17})?",
        ) {
            let general = cell.replace(',', ".").parse::<f64>().ok();
            match plain_decimal(cell.as_bytes()) {
                Some(value) => proptest::prop_assert_eq!(Some(value.to_bits()), general.map(f64::to_bits)),
                None => proptest::prop_assert!(cell.bytes().filter(u8::is_ascii_digit).count() > 15 || general.is_none()),
            }
        }

        /// Read as the word that ends it, a cell gives what it gives alone.
        #[test]
        fn cells_read_in_place_as_alone(
            before in "[0-9.,;a-]{0,12}",
            cell in "[+-]?[0-9]{0,9}([.,][0-9]{0,9})?|[0-9.,+-]{0,10}|[a-zA-Z]{0,9}",
            after in "[0-9.,;]{0,3}",
        ) {
            let text = format!("{before}{cell}{after}");
            let (from, to) = (before.len(), before.len() + cell.len());
            proptest::prop_assert_eq!(
                plain_decimal_at(text.as_bytes(), from, to).map(f64::to_bits),
                plain_decimal(cell.as_bytes()).map(f64::to_bits)
            );
            proptest::prop_assert_eq!(
                short_label_at(text.as_bytes(), from, to),
                short_label(cell.as_bytes())
            );
        }

        #[test]
        fn printed_doubles_read_back(value in proptest::num::f64::NORMAL, decimals in 0usize..10) {
            for cell in [format!("{value}"), format!("{value:.decimals$}"), format!("{value:e}")] {
                proptest::prop_assert_eq!(
                    parse_number(&cell).unwrap().map(f64::to_bits),
                    Some(cell.parse::<f64>().unwrap().to_bits())
                );
            }
        }
    }

    #[test]
    fn lines_are_where_the_rows_are_also_with_windows_line_ends() {
        // The csv crate named the line before (\r\n) or too early (blank lines).
        let (columns, pseudonyms) = study();
        for (text, line) in [
            ("pseudonym;employed_6m\r\naa01;1\r\nbb02;ja\r\n", 3),
            ("pseudonym;employed_6m\n\naa01;1\n\nbb02;ja\n", 5),
            ("pseudonym;employed_6m\r\naa01;\"1\r\n\"\r\nbb02;ja\r\n", 4),
            ("pseudonym;employed_6m\raa01;1\r\rbb02;ja\r", 4),
        ] {
            assert_eq!(
                read_outcome_file(text.as_bytes(), &columns, &pseudonyms),
                Err(ImportProblem::NotANumber {
                    line,
                    column: "employed_6m".into()
                }),
                "{text:?}"
            );
        }
    }

    #[test]
    fn columns_of_numbers_and_labels_in_one_pass() {
        let text = "y;z;s\n1,5;1;b\nNA;0;a\n2;1;\n3;x;langt stratum\n";
        let table = CsvText::parse(text.as_bytes());
        let columns = table
            .columns(&[Wanted::Numbers(0), Wanted::Numbers(1), Wanted::Labels(2)])
            .unwrap();
        let Column::Numbers(Ok(y)) = &columns[0] else {
            panic!("{:?}", columns[0])
        };
        assert_eq!(y.len(), 4);
        assert!(y[1].is_nan());
        assert_eq!([y[0], y[2], y[3]], [1.5, 2.0, 3.0]);
        assert_eq!(
            columns[1],
            Column::Numbers(Err(BadCell {
                row: 3,
                line: 5,
                cell: "x".into()
            }))
        );
        assert_eq!(
            columns[2],
            Column::Labels {
                codes: vec![Some(1), Some(0), None, Some(2)],
                labels: vec!["a".into(), "b".into(), "langt stratum".into()],
            }
        );
        assert_eq!(
            CsvText::parse(b"y;z\n1;2\n\n3\n").columns(&[Wanted::Numbers(0)]),
            Err(4)
        );
    }

    proptest::proptest! {
        /// Labels get the codes of their rank among the distinct labels.
        #[test]
        fn labels_are_coded_in_label_order(
            cells in proptest::collection::vec(proptest::sample::select(vec![
                "1", "2", "10", "NA", "na", "", "København", "Aarhus Kommune", "aarhus kommune", "z",
            ]), 1..60),
        ) {
            let text: String = std::iter::once("s\n").chain(cells.iter().flat_map(|c| [*c, "\n"])).collect();
            // A blank cell on its own line is a blank line, so it is not a row.
            let kept: Vec<&str> = cells.iter().copied().filter(|c| !c.is_empty()).collect();
            let present = |c: &&str| !c.is_empty() && !c.eq_ignore_ascii_case("na");
            let distinct: std::collections::BTreeSet<&str> = kept.iter().copied().filter(present).collect();
            let distinct: Vec<&str> = distinct.into_iter().collect();
            let expected = Column::Labels {
                codes: kept
                    .iter()
                    .map(|c| distinct.iter().position(|d| d == c).map(|p| p as u32))
                    .collect(),
                labels: distinct.iter().map(|d| d.to_string()).collect(),
            };
            let table = CsvText::parse(text.as_bytes());
            proptest::prop_assert_eq!(table.columns(&[Wanted::Labels(0)]).unwrap(), vec![expected]);
        }
    }
}
