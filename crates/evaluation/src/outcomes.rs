//! Reading an outcome file: CSV keyed by the study pseudonym, one column per
//! planned outcome and horizon. Errors name the line and column but never echo
//! a cell, so a CPR number typed into the wrong file is not shown back.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

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
///
/// The rules are the csv crate's defaults (RFC 4180 quoting: a `"` opens a
/// quoted field only as its first character, `""` inside quotes is one `"`,
/// text after the closing quote is kept; `\n`, `\r\n` and `\r` end a row; blank
/// lines are skipped; a UTF-8 byte-order mark is dropped), every field trimmed,
/// and every row as wide as the header. The cells are slices of the one text:
/// reading allocates nothing per row or cell.
pub struct CsvText<'a> {
    text: Cow<'a, str>,
    header: Vec<String>,
    /// The rows' cells and starts; 32-bit offsets unless the text is huge
    /// (the index takes as much memory as the text, and fresh memory is
    /// much of the time `spire stats` takes).
    index: Index,
}

enum Index {
    Narrow(Split<u32>),
    Wide(Split<usize>),
}

/// Applies `$body` to the index's split, whichever its offset type.
macro_rules! with_split {
    ($index:expr, |$split:ident| $body:expr) => {
        match $index {
            Index::Narrow($split) => $body,
            Index::Wide($split) => $body,
        }
    };
}

/// A byte offset into the text or, past its end, into the unquoted cells.
trait Offset: Copy {
    fn new(at: usize) -> Self;
    fn get(self) -> usize;
}

impl Offset for u32 {
    fn new(at: usize) -> u32 {
        at as u32
    }
    fn get(self) -> usize {
        self as usize
    }
}

impl Offset for usize {
    fn new(at: usize) -> usize {
        at
    }
    fn get(self) -> usize {
        self
    }
}

impl<'a> CsvText<'a> {
    /// Reads the text; `Err(line)` names the first line that is not a CSV row
    /// with as many fields as the header.
    pub fn parse(bytes: &'a [u8]) -> Result<CsvText<'a>, u64> {
        CsvText::index(decode(bytes))
    }

    fn index(text: Cow<'a, str>) -> Result<CsvText<'a>, u64> {
        // Unquoted cells are never longer than their fields, so every
        // offset is below twice the text's length.
        let wide = text.len() >= (u32::MAX / 2) as usize;
        CsvText::index_with(text, wide)
    }

    fn index_with(text: Cow<'a, str>, wide: bool) -> Result<CsvText<'a>, u64> {
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
        let index = if wide {
            Index::Wide(split(&text, start, separator)?)
        } else {
            Index::Narrow(split(&text, start, separator)?)
        };
        let header = with_split!(&index, |split| split
            .header
            .iter()
            .map(|&span| split.slice(&text, span).to_string())
            .collect());
        Ok(CsvText {
            text,
            header,
            index,
        })
    }

    /// The header's trimmed names, in file order.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The number of rows after the header.
    pub fn len(&self) -> usize {
        with_split!(&self.index, |split| split.row_starts.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The trimmed cell of `row` (0 is the first row after the header) in `column`.
    pub fn cell(&self, row: usize, column: usize) -> &str {
        let width = self.header.len();
        with_split!(&self.index, |split| split
            .slice(&self.text, split.cells[row * width + column]))
    }

    /// A column's cells, row by row.
    pub fn column(&self, column: usize) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(move |row| self.cell(row, column))
    }

    /// The line `row` starts on, counting from 1 (the header's first line is line 1).
    pub fn line(&self, row: usize) -> u64 {
        let start = with_split!(&self.index, |split| split.row_starts[row].get());
        line_at(&self.text, start)
    }

    /// A column as numbers ([`parse_number`]; missing is NaN), or the first
    /// row (0 is the first after the header) whose cell is not a number.
    pub fn numbers(&self, column: usize) -> Result<Vec<f64>, usize> {
        with_split!(&self.index, |split| split.numbers(
            &self.text,
            self.header.len(),
            column
        ))
    }

    /// A column of labels as dense codes in the labels' (byte) order, and the
    /// labels; an empty or `NA` cell has no code.
    pub fn labels(&self, column: usize) -> (Vec<Option<u32>>, Vec<String>) {
        // Codes in order of appearance first, then renumbered in label order.
        let mut seen: HashMap<&str, u32, BuildHasherDefault<LabelHasher>> = HashMap::default();
        let mut labels: Vec<&str> = Vec::new();
        let mut last: Option<(&str, u32)> = None;
        let mut codes: Vec<Option<u32>> = self
            .column(column)
            .map(|cell| {
                if cell.is_empty() || cell.eq_ignore_ascii_case("na") {
                    return None;
                }
                if let Some((label, code)) = last
                    && label == cell
                {
                    return Some(code);
                }
                let code = *seen.entry(cell).or_insert_with(|| {
                    labels.push(cell);
                    labels.len() as u32 - 1
                });
                last = Some((cell, code));
                Some(code)
            })
            .collect();
        let mut order: Vec<u32> = (0..labels.len() as u32).collect();
        order.sort_unstable_by_key(|&code| labels[code as usize]);
        let mut rank = vec![0; labels.len()];
        for (position, &code) in order.iter().enumerate() {
            rank[code as usize] = position as u32;
        }
        for code in codes.iter_mut().flatten() {
            *code = rank[*code as usize];
        }
        let sorted = order
            .iter()
            .map(|&code| labels[code as usize].to_string())
            .collect();
        (codes, sorted)
    }
}

/// A quick hash for the labels of one file (FxHash's step, 8 bytes at a
/// time): `spire stats` codes 50,000 strata labels in well under a millisecond.
#[derive(Default)]
struct LabelHasher(u64);

impl Hasher for LabelHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl CsvText<'static> {
    /// [`CsvText::parse`] on bytes it keeps: UTF-8 is not copied.
    pub fn from_vec(bytes: Vec<u8>) -> Result<CsvText<'static>, u64> {
        let text = match String::from_utf8(bytes) {
            Ok(text) => Cow::Owned(text),
            Err(error) => Cow::Owned(windows_1252_text(error.as_bytes())),
        };
        CsvText::index(text)
    }
}

/// The line of a byte position, counting from 1; a line ends with `\n`,
/// `\r\n` or `\r`.
fn line_at(text: &str, position: usize) -> u64 {
    let before = &text.as_bytes()[..position];
    let ends = before
        .iter()
        .zip(
            before
                .iter()
                .skip(1)
                .map(Some)
                .chain([text.as_bytes().get(position)]),
        )
        .filter(|&(&b, next)| b == b'\n' || (b == b'\r' && next != Some(&b'\n')))
        .count();
    1 + ends as u64
}

/// A text split into rows of cells, as byte ranges (see [`CsvText`]).
struct Split<O> {
    header: Vec<(O, O)>,
    /// `header.len()` cells a row, as byte ranges: below `text.len()` into
    /// the text, from `text.len()` on into `unquoted`.
    cells: Vec<(O, O)>,
    /// Where each row starts in the text (for its line number).
    row_starts: Vec<O>,
    /// Cells that are not a slice of the text (a quoted field with `""` or
    /// with text after its closing quote), back to back.
    unquoted: String,
}

impl<O: Offset> Split<O> {
    /// The row from `row_start` to `row_end` has all its cells: the first
    /// row is the header, every later one must be as wide.
    fn end_row(&mut self, text: &str, row_start: usize, row_end: usize) -> Result<(), u64> {
        if self.header.is_empty() {
            self.header = std::mem::take(&mut self.cells);
            // Room for as many rows as the header's length suggests (memory
            // reserved but not used costs nothing) saves growing the buffers.
            let width = self.header.len();
            let rows = (text.len() / (row_end - row_start + 1)).min(text.len() / width);
            self.cells.reserve(rows * width);
            self.row_starts.reserve(rows);
            return Ok(());
        }
        self.row_starts.push(O::new(row_start));
        if self.cells.len() == self.row_starts.len() * self.header.len() {
            Ok(())
        } else {
            Err(line_at(text, row_start))
        }
    }

    fn slice<'s>(&'s self, text: &'s str, (from, to): (O, O)) -> &'s str {
        let (from, to) = (from.get(), to.get());
        match from.checked_sub(text.len()) {
            None => &text[from..to],
            Some(from) => &self.unquoted[from..to - text.len()],
        }
    }

    fn numbers(&self, text: &str, width: usize, column: usize) -> Result<Vec<f64>, usize> {
        let mut numbers = Vec::with_capacity(self.row_starts.len());
        for (row, cells) in self.cells.chunks_exact(width.max(1)).enumerate() {
            let (from, to) = (cells[column].0.get(), cells[column].1.get());
            let plain = text.as_bytes().get(from..to).and_then(plain_decimal);
            numbers.push(match plain {
                Some(value) => value,
                None => match parse_number(self.slice(text, cells[column])) {
                    Ok(value) => value.unwrap_or(f64::NAN),
                    Err(NotANumber) => return Err(row),
                },
            });
        }
        Ok(numbers)
    }
}

/// Splits `text[start..]` into rows of trimmed cells the way `csv_core` does
/// with its default settings. The separators, line ends and quotes are found
/// eight bytes at a time; a quoted field is read on its own.
fn split<O: Offset>(text: &str, start: usize, separator: u8) -> Result<Split<O>, u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOWS: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    // A high bit in each byte of `word` that equals `byte` (exactly: no carries between bytes).
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        !(((x & LOWS) + LOWS) | x) & !LOWS
    };
    let bytes = text.as_bytes();
    let mut split = Split {
        header: Vec::new(),
        cells: Vec::new(),
        row_starts: Vec::new(),
        unquoted: String::new(),
    };
    let mut field_start = start;
    // Where the current row started, once it has a cell.
    let mut row_start: Option<usize> = None;
    // A quoted field's cell, read ahead up to its separator or line end.
    let mut quoted_cell: Option<(usize, usize)> = None;
    let mut at = start;
    'words: while at < bytes.len() {
        let word = match bytes.get(at..at + 8) {
            Some(chunk) => u64::from_le_bytes(chunk.try_into().expect("eight bytes")),
            None => {
                let mut tail = [0; 8];
                tail[..bytes.len() - at].copy_from_slice(&bytes[at..]);
                u64::from_le_bytes(tail)
            }
        };
        let mut marks =
            equal(word, separator) | equal(word, b'\n') | equal(word, b'\r') | equal(word, b'"');
        while marks != 0 {
            let position = at + (marks.trailing_zeros() / 8) as usize;
            marks &= marks - 1;
            let byte = bytes[position];
            if byte == b'"' {
                // A quote opens a quoted field only as its first character.
                if position == field_start && quoted_cell.is_none() {
                    let (cell, end) = quoted(text, position, separator, &mut split.unquoted);
                    quoted_cell = Some(cell);
                    row_start.get_or_insert(field_start);
                    at = end;
                    continue 'words;
                }
            } else if byte == separator {
                let (from, to) = quoted_cell
                    .take()
                    .unwrap_or_else(|| trimmed(text, field_start, position));
                split.cells.push((O::new(from), O::new(to)));
                row_start.get_or_insert(field_start);
                field_start = position + 1;
            } else if row_start.is_none() && position == field_start {
                // A blank line (or the `\n` of `\r\n`) between rows.
                field_start = position + 1;
            } else {
                let (from, to) = quoted_cell
                    .take()
                    .unwrap_or_else(|| trimmed(text, field_start, position));
                split.cells.push((O::new(from), O::new(to)));
                let started = row_start.take().unwrap_or(field_start);
                split.end_row(text, started, position)?;
                field_start = position + 1;
            }
        }
        at += 8;
    }
    if row_start.is_some() || field_start < bytes.len() {
        let (from, to) = quoted_cell
            .take()
            .unwrap_or_else(|| trimmed(text, field_start, bytes.len()));
        split.cells.push((O::new(from), O::new(to)));
        let started = row_start.unwrap_or(field_start);
        split.end_row(text, started, bytes.len())?;
    }
    Ok(split)
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
    let value = mantissa as f64 / POWERS[decimals];
    Some(if negative { -value } else { value })
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
        .header()
        .iter()
        .any(|h| h.eq_ignore_ascii_case("pseudonym"))
    {
        return Err(ImportProblem::NoPseudonymColumn);
    }
    let mut pseudonym_column = None;
    let mut columns: Vec<(usize, String)> = Vec::new();
    for (position, name) in table.header().iter().enumerate() {
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
    if table.is_empty() {
        return Err(ImportProblem::NoRows);
    }
    // Ledger index → the row it was first seen on.
    let mut first_row_of: HashMap<i64, usize> = HashMap::with_capacity(table.len());
    let mut values = Vec::with_capacity(table.len() * columns.len());
    let mut pseudonym = String::new();
    for row in 0..table.len() {
        pseudonym.clear();
        pseudonym.push_str(table.cell(row, pseudonym_column));
        pseudonym.make_ascii_lowercase();
        let &ledger_index =
            ledger_index_of
                .get(&pseudonym)
                .ok_or_else(|| ImportProblem::UnknownPseudonym {
                    line: table.line(row),
                })?;
        if let Some(&first_row) = first_row_of.get(&ledger_index) {
            return Err(ImportProblem::PseudonymTwice {
                line: table.line(row),
                first_line: table.line(first_row),
            });
        }
        first_row_of.insert(ledger_index, row);
        for (slot, (position, name)) in columns.iter().enumerate() {
            let value = parse_number(table.cell(row, *position)).map_err(|NotANumber| {
                ImportProblem::NotANumber {
                    line: table.line(row),
                    column: name.clone(),
                }
            })?;
            values.push((ledger_index, slot, value));
        }
    }
    Ok(OutcomeFile {
        columns: columns.into_iter().map(|(_, name)| name).collect(),
        values,
        rows: table.len(),
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

    fn ours(bytes: &[u8], wide: bool) -> Result<(Vec<String>, Vec<(u64, Vec<String>)>), u64> {
        let table = CsvText::index_with(decode(bytes), wide)?;
        let rows = (0..table.len())
            .map(|row| {
                let cells = (0..table.header().len())
                    .map(|column| table.cell(row, column).to_string())
                    .collect();
                (table.line(row), cells)
            })
            .collect();
        Ok((table.header().to_vec(), rows))
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
            let expected = csv_crate(&bytes);
            for wide in [false, true] {
                proptest::prop_assert_eq!(ours(&bytes, wide), expected.clone(), "{:?}", String::from_utf8_lossy(&bytes));
            }
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
}
