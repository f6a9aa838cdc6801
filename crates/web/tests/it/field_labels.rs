//! Every field a refusal can name has a label in both languages, so an error
//! page or the API's message reads "Facilitator: …", never "field-grid: …".
//! Found by reading the sources for each way a `FieldError` is made.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The functions whose first argument is the refused field's name.
const MAKERS: &[&str] = &[
    "FieldError::new(",
    "FieldError::out_of_range(",
    "one(",
    "invalid(",
    "field_error(",
    "required_id(",
    "parse_date(",
    "parse_time(",
    "parse_hours(",
    "parse_minutes(",
    "parse_id(",
    "parse_order(",
    "parse_stratum(",
    "optional_phone(",
];

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The string literal each maker is called with first, e.g. `one("grid", …)`.
fn named_fields(text: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for maker in MAKERS {
        for (at, _) in text.match_indices(maker) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = text[at + maker.len()..].trim_start();
            let Some(literal) = rest.strip_prefix('"') else {
                continue;
            };
            let name = &literal[..literal.find('"').unwrap_or(0)];
            if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                names.insert(name.to_string());
            }
        }
    }
    names
}

fn message_ids(lang: &str) -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(lang);
    let mut ids = BTreeSet::new();
    for entry in std::fs::read_dir(dir).expect("locale folder") {
        let text = std::fs::read_to_string(entry.expect("entry").path()).expect("ftl");
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" =") {
                ids.insert(id.trim().to_string());
            }
        }
    }
    ids
}

#[test]
fn every_refused_field_has_a_label_in_both_languages() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["domain", "store", "web", "trial"] {
        rust_files(&crates.join(krate).join("src"), &mut files);
    }
    let mut fields = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source");
        // Unit tests name made-up fields ("d", "t").
        let shipped = text.split("#[cfg(test)]").next().unwrap_or_default();
        fields.extend(named_fields(shipped));
    }
    // `date_range` parses stored dates to count days and shows no refusal.
    for not_a_refusal in ["start", "end"] {
        fields.remove(not_a_refusal);
    }
    assert!(
        fields.contains("cpr") && fields.contains("facilitator_id"),
        "the scan finds the fields refusals name: {fields:?}"
    );
    for lang in ["da", "en"] {
        let ids = message_ids(lang);
        let missing: Vec<&String> = fields
            .iter()
            .filter(|f| !ids.contains(&format!("field-{}", f.replace('_', "-"))))
            .collect();
        assert!(
            missing.is_empty(),
            "no field-… label in {lang} for {missing:?}"
        );
    }
}

/// Every criterion the store writes to the access log next to an
/// `AccessAction` reads in words in both languages ("tilbud der venter på
/// svar", not "trial take-up pending").
#[test]
fn every_access_log_criterion_reads_in_both_languages() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src");
    let mut files = Vec::new();
    rust_files(&store, &mut files);
    let mut criteria = BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source");
        let lines: Vec<&str> = text.lines().collect();
        for (at, line) in lines.iter().enumerate() {
            if !line.contains("AccessAction::") {
                continue;
            }
            let window = lines[at..(at + 4).min(lines.len())].join("\n");
            for part in window.split("Some(\"").skip(1) {
                if let Some((criterion, _)) = part.split_once("\")") {
                    criteria.insert(criterion.to_string());
                }
            }
            // Criteria gathered as a tuple's text (`"trial allocation",`),
            // and those that end with a record's number (`format!("… {id}")`).
            for row in window.lines().map(str::trim) {
                if let Some(text) = row.strip_prefix('"').and_then(|r| r.strip_suffix("\",")) {
                    criteria.insert(text.to_string());
                }
            }
            for part in window.split("Some(format!(\"").skip(1) {
                if let Some((head, _)) = part.split_once(" {") {
                    criteria.insert(head.to_string());
                }
            }
        }
    }
    for known in [
        "trial take-up pending",
        "trial allocation",
        "trial receipt, allocation",
    ] {
        assert!(criteria.contains(known), "{known} in {criteria:?}");
    }
    for lang in ["da", "en"] {
        let ids = message_ids(lang);
        let missing: Vec<&String> = criteria
            .iter()
            .filter(|c| !ids.contains(&spire_web::i18n::criterion_id(c)))
            .collect();
        assert!(
            missing.is_empty(),
            "no criterion text in {lang} for {missing:?}"
        );
    }
}
