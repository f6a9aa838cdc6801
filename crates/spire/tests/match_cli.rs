//! `spire match` and `spire match plan` as a user runs them: the real binary, real files.

use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Command, Output};

fn file(name: &str, contents: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("match_cli-{name}"));
    std::fs::write(&path, contents).unwrap();
    path
}

fn spire(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spire"))
        .args(args)
        .output()
        .expect("spire runs")
}

fn stdout_json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

/// The oracle's `hr_small.py` instance plus a youth with an empty list.
const HR_SMALL: &str = r#"{
  "youth": [
    {"id": "y1", "prefs": ["acme", "bolt", "core"]}, {"id": "y2", "prefs": ["acme", "core"]},
    {"id": "y3", "prefs": ["bolt", "acme", "core"]}, {"id": "y4", "prefs": ["acme", "bolt"]},
    {"id": "y5", "prefs": ["core", "acme"]}, {"id": "y6", "prefs": []}
  ],
  "companies": [
    {"id": "acme", "capacity": 2, "prefs": ["y4", "y2", "y1", "y3", "y5"]},
    {"id": "bolt", "capacity": 1, "prefs": ["y1", "y3", "y4"]},
    {"id": "core", "capacity": 1, "prefs": ["y5", "y3", "y2", "y1"]}
  ]
}"#;

#[test]
fn matches_and_explains_in_danish_by_default() {
    let input = file("hr_small.json", HR_SMALL);
    let result = stdout_json(&spire(&["match", "--input", input.to_str().unwrap()]));
    assert_eq!(
        result["matches"],
        json!([
            {"youth": "y1", "company": "bolt"}, {"youth": "y2", "company": "acme"},
            {"youth": "y4", "company": "acme"}, {"youth": "y5", "company": "core"}
        ])
    );
    assert_eq!(result["unmatched_youth"], json!(["y3", "y6"]));
    assert_eq!(result["stable"], json!(true));
    assert_eq!(
        result["explanations"]["y1"],
        "Du fik dit 2. valg (bolt). Dit 1. valg (acme) fyldte sine 2 pladser med unge, som den havde sat \
         højere end dig."
    );
    let explained: Vec<&String> = result["explanations"].as_object().unwrap().keys().collect();
    assert_eq!(
        explained,
        ["y1", "y2", "y3", "y4", "y5", "y6"],
        "every youth, in input order"
    );
}

#[test]
fn company_proposing_in_english_to_a_file() {
    let input = file("hr_small_en.json", HR_SMALL);
    let output = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("match_cli-out.json");
    let run = spire(&[
        "match",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
        "--proposing",
        "companies",
        "--lang",
        "en",
    ]);
    assert!(run.status.success());
    assert!(run.stdout.is_empty());
    let result: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    // hr_small has a single stable matching, so both sides agree (as `matching` 1.4.3 says).
    assert_eq!(result["unmatched_youth"], json!(["y3", "y6"]));
    assert_eq!(
        result["explanations"]["y6"],
        "You did not rank any companies, so you were not matched."
    );
    assert_eq!(
        result["explanations"]["y2"],
        "You got your 1st choice (acme)."
    );
}

/// Bad input: exit code 2 and one line on stderr that names the problem.
fn assert_rejected(args: &[&str], name: &str, contents: &str, expected_message: &str) {
    let input = file(name, contents);
    let mut full_args = args.to_vec();
    full_args.extend(["--input", input.to_str().unwrap()]);
    let run = spire(&full_args);
    assert_eq!(run.status.code(), Some(2), "{name}");
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
    assert!(stderr.contains(expected_message), "{name}: {stderr}");
    assert!(run.stdout.is_empty());
}

#[test]
fn rejects_bad_match_input_naming_the_problem() {
    let cases = [
        (
            "unknown.json",
            r#"{"youth": [{"id": "y1", "prefs": ["c9"]}], "companies": []}"#,
            r#"youth "y1" lists unknown company "c9""#,
        ),
        (
            "unknown_youth.json",
            r#"{"youth": [], "companies": [{"id": "c1", "capacity": 1, "prefs": ["y7"]}]}"#,
            r#"company "c1" lists unknown youth "y7""#,
        ),
        (
            "duplicate.json",
            r#"{"youth": [{"id": "y1", "prefs": []}, {"id": "y1", "prefs": []}], "companies": []}"#,
            r#"youth id "y1" appears more than once"#,
        ),
        (
            "twice.json",
            r#"{"youth": [{"id": "y1", "prefs": []}], "companies": [{"id": "c1", "capacity": 1, "prefs": ["y1", "y1"]}]}"#,
            r#"company "c1" lists youth "y1" more than once"#,
        ),
        (
            "negative.json",
            r#"{"youth": [], "companies": [{"id": "c1", "capacity": -2, "prefs": []}]}"#,
            r#"company "c1" has a negative capacity (-2)"#,
        ),
        (
            "malformed.json",
            r#"{"youth": [{"id": "y1", "prefs": [}"#,
            "is not valid input: expected value at line 1",
        ),
        (
            "typo.json",
            r#"{"youth": [{"id": "y1", "pref": []}], "companies": []}"#,
            "unknown field `pref`",
        ),
    ];
    for (name, contents, message) in cases {
        assert_rejected(&["match"], name, contents, message);
    }
    let missing = spire(&["match", "--input", "/nonexistent/rankings.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        String::from_utf8(missing.stderr)
            .unwrap()
            .starts_with("error: cannot read /nonexistent/rankings.json")
    );
}

const EVENT: &str = r#"{
  "rounds": 2,
  "youth": [
    {"id": "Ali", "interests": ["it", "retail"]}, {"id": "Bo", "interests": ["construction"]},
    {"id": "Cia", "interests": ["it"]}
  ],
  "companies": [
    {"id": "Netcompany", "industries": ["it"], "tables": 1},
    {"id": "Coop", "industries": ["retail"], "tables": 1},
    {"id": "MT Højgaard", "industries": ["construction"], "tables": 2},
    {"id": "Salling", "industries": ["retail", "it"], "tables": 1}
  ]
}"#;

#[test]
fn plans_an_event_and_reports_what_cannot_be_met() {
    let input = file("event.json", EVENT);
    let run = spire(&[
        "match",
        "plan",
        "--input",
        input.to_str().unwrap(),
        "--lang",
        "en",
    ]);
    let plan = stdout_json(&run);
    assert_eq!(plan["feasible"], json!(false));
    // Bo fits only MT Højgaard, so gets 1 of 2 meetings; Ali and Cia get both rounds.
    assert_eq!(
        plan["shortfalls"],
        json!([{"youth": "Bo", "requested": 2, "planned": 1,
                "reason": "only 1 company at the event shares an interest with them"}])
    );
    let ali: Vec<&str> = plan["youth"]["Ali"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(ali.len(), 2);
    assert_ne!(ali[0], ali[1], "no company twice");
    let meetings: usize = plan["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meetings"].as_array().unwrap().len())
        .sum();
    assert_eq!(meetings, 5);
    // With the JSON on stdout, the readable table goes to stderr.
    let table = String::from_utf8(run.stderr).unwrap();
    assert!(table.starts_with("youth | round 1"), "{table}");
    assert!(
        table.contains(
            "Bo: 1 of 2 meetings, because only 1 company at the event shares an interest"
        )
    );
}

#[test]
fn plan_prints_a_danish_table_when_json_goes_to_a_file() {
    let input = file(
        "event_da.json",
        &EVENT.replace(r#""rounds": 2"#, r#""rounds": 2, "meetings_per_youth": 1"#),
    );
    let output = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("match_cli-plan.json");
    let run = spire(&[
        "match",
        "plan",
        "--input",
        input.to_str().unwrap(),
        "--output",
        output.to_str().unwrap(),
    ]);
    assert!(run.status.success());
    let table = String::from_utf8(run.stdout).unwrap();
    assert!(table.starts_with("ung | runde 1"), "{table}");
    assert!(
        table.ends_with("Alle unge får det ønskede antal møder.\n"),
        "{table}"
    );
    let plan: Value = serde_json::from_str(&std::fs::read_to_string(&output).unwrap()).unwrap();
    assert_eq!(plan["feasible"], json!(true));
}

#[test]
fn rejects_bad_event_input() {
    let cases = [
        (
            "event_negative_tables.json",
            EVENT.replace(r#""tables": 2"#, r#""tables": -1"#),
            "tables of company \"MT Højgaard\" must be between 0 and 1000 (got -1)",
        ),
        (
            "event_twice.json",
            EVENT.replace(r#"["it", "retail"]"#, r#"["it", "it"]"#),
            "youth \"Ali\" lists interest \"it\" more than once",
        ),
        (
            "event_duplicate.json",
            EVENT.replace(r#""id": "Coop""#, r#""id": "Salling""#),
            "company id \"Salling\" appears more than once",
        ),
        (
            "event_rounds.json",
            EVENT.replace(r#""rounds": 2"#, r#""rounds": 5000"#),
            "rounds must be between 0 and 1000 (got 5000)",
        ),
    ];
    for (name, contents, message) in cases {
        assert_rejected(&["match", "plan"], name, &contents, message);
    }
}

#[test]
fn reads_companies_before_youth_and_escaped_ids() {
    // The same market as HR_SMALL, companies first, one id written with a JSON escape.
    let reordered = r#"{
      "companies": [
        {"prefs": ["y4", "y2", "y1", "y3", "y5"], "capacity": 2, "id": "acme"},
        {"id": "bolt", "capacity": 1, "prefs": ["y1", "y3", "y4"]},
        {"id": "core", "capacity": 1, "prefs": ["y5", "y3", "y2", "y1"]}
      ],
      "youth": [
        {"id": "y1", "prefs": ["acme", "bolt", "core"]}, {"id": "y2", "prefs": ["acme", "core"]},
        {"id": "y3", "prefs": ["bolt", "acme", "core"]}, {"id": "y4", "prefs": ["\u0061cme", "bolt"]},
        {"id": "y5", "prefs": ["core", "acme"]}, {"id": "y6", "prefs": []}
      ]
    }"#;
    let original = stdout_json(&spire(&[
        "match",
        "--input",
        file("original.json", HR_SMALL).to_str().unwrap(),
    ]));
    let reordered = stdout_json(&spire(&[
        "match",
        "--input",
        file("reordered.json", reordered).to_str().unwrap(),
    ]));
    assert_eq!(original, reordered);
}

#[test]
fn rejects_missing_and_misplaced_fields() {
    let cases = [
        (
            "no_capacity.json",
            r#"{"youth": [], "companies": [{"id": "c1", "prefs": []}]}"#,
            "missing field `capacity`",
        ),
        (
            "youth_capacity.json",
            r#"{"youth": [{"id": "y1", "capacity": 1, "prefs": []}], "companies": []}"#,
            "unknown field `capacity`",
        ),
        (
            "no_companies.json",
            r#"{"youth": []}"#,
            "missing field `companies`",
        ),
        (
            "twice_youth.json",
            r#"{"youth": [], "youth": [], "companies": []}"#,
            "duplicate field `youth`",
        ),
        (
            "trailing.json",
            r#"{"youth": [], "companies": []} []"#,
            "trailing characters",
        ),
        (
            "number_id.json",
            r#"{"youth": [{"id": 7, "prefs": []}], "companies": []}"#,
            "expected a string id",
        ),
    ];
    for (name, contents, message) in cases {
        assert_rejected(&["match"], name, contents, message);
    }
}
