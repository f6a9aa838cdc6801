//! Every SQL text in `store` serves SQLite and PostgreSQL alike only if its
//! `$N` placeholders first appear in numeric order ($1, then $2, …): SQLite
//! binds `$N` by position of first appearance, PostgreSQL by number. This
//! reads every string literal of the crate's source and checks each one.

use std::path::{Path, PathBuf};

/// The string literals of a Rust source, with the line each starts on.
fn string_literals(source: &str) -> Vec<(usize, String)> {
    let chars: Vec<char> = source.chars().collect();
    let (mut i, mut line, mut found) = (0, 1, Vec::new());
    while i < chars.len() {
        match chars[i] {
            '\n' => line += 1,
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '\'' => {
                // A char literal ('"', '\'', 'x'); a lifetime has no closing quote.
                if chars.get(i + 1) == Some(&'\\') {
                    if let Some(end) = chars[i + 2..].iter().position(|c| *c == '\'') {
                        i += end + 3;
                        continue;
                    }
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                    continue;
                }
            }
            'r' if chars.get(i + 1) == Some(&'#')
                || (chars.get(i + 1) == Some(&'"')
                    && (i == 0 || !chars[i - 1].is_alphanumeric())) =>
            {
                let hashes = chars[i + 1..].iter().take_while(|c| **c == '#').count();
                if chars.get(i + 1 + hashes) == Some(&'"') {
                    let start = i + 2 + hashes;
                    let closing: String = std::iter::once('"')
                        .chain(std::iter::repeat_n('#', hashes))
                        .collect();
                    let rest: String = chars[start..].iter().collect();
                    let end = rest.find(&closing).expect("raw string closes");
                    let text: String = rest[..end].to_string();
                    found.push((line, text.clone()));
                    line += text.matches('\n').count();
                    i = start + rest[..end].chars().count() + closing.chars().count();
                    continue;
                }
            }
            '"' => {
                let (start_line, mut text) = (line, String::new());
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        // A line continuation joins the next line without its indentation.
                        if chars.get(i + 1) == Some(&'\n') {
                            line += 1;
                            i += 2;
                            while i < chars.len() && chars[i].is_whitespace() {
                                if chars[i] == '\n' {
                                    line += 1;
                                }
                                i += 1;
                            }
                            continue;
                        }
                        text.push(chars[i]);
                        i += 1;
                    } else if chars[i] == '\n' {
                        line += 1;
                    }
                    text.push(chars[i]);
                    i += 1;
                }
                found.push((start_line, text));
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// The placeholder numbers of a text in order of appearance.
fn placeholders(text: &str) -> Vec<u32> {
    let bytes = text.as_bytes();
    let mut numbers = Vec::new();
    for (at, _) in text.match_indices('$') {
        let digits: String = bytes[at + 1..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .map(|b| *b as char)
            .collect();
        if let Ok(n) = digits.parse() {
            numbers.push(n);
        }
    }
    numbers
}

/// `None` when the first appearances run 1, 2, 3, …; else what is wrong. A
/// fragment that a macro appends to a base text (`youth_sql!("… $3")`)
/// starts at its lowest number instead of 1.
fn out_of_order(numbers: &[u32]) -> Option<String> {
    let mut next = numbers.iter().copied().min().unwrap_or(1);
    for n in numbers {
        if *n == next {
            next += 1;
        } else if *n > next {
            return Some(format!("${n} appears before ${next}"));
        }
    }
    None
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

#[test]
fn every_sql_text_numbers_its_placeholders_in_order_of_appearance() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let (mut checked, mut problems) = (0, Vec::new());
    for file in &files {
        let source = std::fs::read_to_string(file).expect("source");
        for (line, text) in string_literals(&source) {
            let numbers = placeholders(&text);
            if numbers.is_empty() {
                continue;
            }
            checked += 1;
            if let Some(problem) = out_of_order(&numbers) {
                problems.push(format!("{}:{line}: {problem}", file.display()));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "placeholders out of order:\n{}",
        problems.join("\n")
    );
    // The store has well over a hundred SQL texts with parameters.
    assert!(
        checked > 100,
        "only {checked} SQL texts found: the reader is broken"
    );
}

#[test]
fn the_order_check_catches_a_swapped_pair() {
    assert_eq!(out_of_order(&placeholders("SELECT $1, $2, $1, $3")), None);
    assert!(out_of_order(&placeholders("UPDATE t SET a = $2 WHERE id = $1")).is_some());
    assert_eq!(out_of_order(&placeholders("AND c.id = $3 LIMIT $4")), None);
    assert!(out_of_order(&placeholders("AND c.id = $4 LIMIT $3")).is_some());
    // A gap leaves a number unbound on SQLite.
    assert!(out_of_order(&placeholders("a = $1 AND b = $3")).is_some());
    let literals = string_literals(
        "let q = \"SELECT a \\\n    FROM t WHERE b = $2 AND c = $1\"; // \"$9\"\nlet c = '\"';",
    );
    assert_eq!(
        literals,
        vec![(1, "SELECT a FROM t WHERE b = $2 AND c = $1".to_string())]
    );
}
