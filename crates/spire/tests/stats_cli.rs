//! `spire stats` end to end: the real binary on CSV files, checked against the R estimatr fixtures
//! of `crates/stats/tests/oracle`, and every bad-input rule (one stderr line, exit code 2).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../stats/tests/oracle")
        .join(name)
}

/// Runs `spire stats <args>`: (exit code, stdout, stderr).
fn spire_stats(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_spire"))
        .arg("stats")
        .args(args)
        .output()
        .expect("run spire");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn json_of(args: &[&str]) -> Value {
    let (code, stdout, stderr) = spire_stats(args);
    assert_eq!(code, 0, "{args:?}: {stderr}");
    serde_json::from_str(&stdout).unwrap()
}

/// A scratch CSV file unique to this test process and name.
fn write_csv(name: &str, text: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("spire-stats-cli-{}-{name}.csv", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// The R estimatr row for (dataset, call, se, covariates, term).
fn estimatr(
    dataset: &str,
    call: &str,
    se: &str,
    covariates: &str,
    term: &str,
) -> Vec<(String, f64)> {
    let text = std::fs::read_to_string(fixture("expected_estimates.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row = lines
        .map(|l| l.split(',').map(str::trim).collect::<Vec<_>>())
        .find(|r| r[..5] == [dataset, call, se, covariates, term])
        .unwrap_or_else(|| panic!("no estimatr row for {dataset} {call} {se} {covariates} {term}"));
    header
        .iter()
        .zip(&row)
        .skip(5)
        .map(|(h, v)| (h.to_string(), v.parse().unwrap()))
        .collect()
}

fn assert_matches_estimatr(report: &Value, expected: &[(String, f64)]) {
    for (field, value) in expected {
        let actual = report[field.as_str()]
            .as_f64()
            .unwrap_or_else(|| panic!("no field {field} in {report}"));
        assert!(
            (actual - value).abs() <= 1e-8 * value.abs(),
            "{field}: {actual} vs estimatr {value}"
        );
    }
}

#[test]
fn itt_defaults_to_hc2_with_absorbed_strata() {
    let data = fixture("data/unbalanced.csv");
    let report = json_of(&[
        "itt",
        "--data",
        data.to_str().unwrap(),
        "--outcome",
        "y",
        "--treatment",
        "z",
        "--strata",
        "s",
        "--covariates",
        "x1,x2",
    ]);
    assert_matches_estimatr(
        &report,
        &estimatr("unbalanced", "lm_robust_fe", "HC2", "x1+x2", "z"),
    );
    assert_eq!(report["n_dropped"], 35);
    let fields: Vec<&String> = report.as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        [
            "estimate",
            "std_error",
            "df",
            "t_stat",
            "p_value",
            "ci_lower",
            "ci_upper",
            "n",
            "n_dropped"
        ]
    );
}

#[test]
fn itt_options_lin_hc3_and_seeded_randomisation_inference() {
    let data = fixture("data/unbalanced.csv");
    let data = data.to_str().unwrap();
    let base = [
        "itt",
        "--data",
        data,
        "--outcome",
        "y",
        "--treatment",
        "z",
        "--covariates",
        "x1,x2",
    ];
    let lin = json_of(&[&base[..], &["--lin"]].concat());
    assert_matches_estimatr(&lin, &estimatr("unbalanced", "lm_lin", "HC2", "x1+x2", "z"));
    let hc3 = json_of(&[&base[..], &["--strata", "s", "--se", "hc3"]].concat());
    assert_matches_estimatr(
        &hc3,
        &estimatr("unbalanced", "lm_robust_fe", "HC3", "x1+x2", "z"),
    );
    let ri = [&base[..], &["--strata", "s", "--ri", "300", "--seed", "7"]].concat();
    let first = json_of(&ri);
    let p = first["ri_p_value"].as_f64().unwrap();
    assert!(p > 0.0 && p <= 1.0);
    assert_eq!(
        json_of(&ri)["ri_p_value"],
        first["ri_p_value"],
        "same seed, same p-value"
    );
}

#[test]
fn semicolons_and_decimal_commas_give_the_same_numbers() {
    let original = std::fs::read_to_string(fixture("data/small_trial.csv")).unwrap();
    let danish: String = original
        .lines()
        .map(|l| l.replace(',', ";").replace('.', ",") + "\n")
        .collect();
    let path = write_csv("danish", &danish);
    let args = |p: &str| {
        json_of(&[
            "itt",
            "--data",
            p,
            "--outcome",
            "y",
            "--treatment",
            "z",
            "--strata",
            "s",
        ])
    };
    let from_danish = args(path.to_str().unwrap());
    assert_matches_estimatr(
        &from_danish,
        &estimatr("small_trial", "lm_robust_fe", "HC2", "", "z"),
    );
    assert_eq!(
        from_danish,
        args(fixture("data/small_trial.csv").to_str().unwrap())
    );
}

#[test]
fn dim_iv_lee_and_balance() {
    let pairs = fixture("data/pairs.csv");
    let dim = json_of(&[
        "dim",
        "--data",
        pairs.to_str().unwrap(),
        "--outcome",
        "y",
        "--treatment",
        "z",
        "--blocks",
        "s",
    ]);
    assert_matches_estimatr(&dim, &estimatr("pairs", "dim_blocked", "", "", "z"));

    let takeup = fixture("data/takeup.csv");
    let takeup = takeup.to_str().unwrap();
    let iv = json_of(&[
        "iv",
        "--data",
        takeup,
        "--outcome",
        "y",
        "--instrument",
        "z",
        "--takeup",
        "d",
        "--strata",
        "s",
    ]);
    assert_matches_estimatr(&iv, &estimatr("takeup", "iv_fe", "HC2", "", "d"));

    // Treated observed 1..10 (all), control 8 of 10 observed with mean 3: bounds 1.5 and 3.5.
    let mut lee = String::from("y,z,o\n");
    for v in 1..=10 {
        lee += &format!("{v},1,1\n");
    }
    for v in ["1", "2", "3", "4", "5", "2", "3", "4", "", ""] {
        lee += &format!("{v},0,{}\n", if v.is_empty() { 0 } else { 1 });
    }
    let path = write_csv("lee", &lee);
    let bounds = json_of(&[
        "lee",
        "--data",
        path.to_str().unwrap(),
        "--outcome",
        "y",
        "--treatment",
        "z",
        "--observed",
        "o",
    ]);
    assert!((bounds["lower"].as_f64().unwrap() - 1.5).abs() < 1e-12);
    assert!((bounds["upper"].as_f64().unwrap() - 3.5).abs() < 1e-12);

    let balance = json_of(&[
        "balance",
        "--data",
        takeup,
        "--treatment",
        "z",
        "--covariates",
        "x1,x2",
        "--strata",
        "s",
        "--draws",
        "99",
    ]);
    assert_eq!(balance["covariates"].as_array().unwrap().len(), 2);
    assert!(balance["joint_ri_p_value"].as_f64().unwrap() >= 0.01);
}

#[test]
fn mde_adjust_and_romano_wolf() {
    let power = std::fs::read_to_string(fixture("expected_power.csv")).unwrap();
    // First data row: n = 40, P = .5, alpha = .05, power = .8 and pwr's MDE.
    let row: Vec<f64> = power
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(|c| c.trim().parse().unwrap())
        .collect();
    let mde = json_of(&[
        "mde",
        "--n",
        &row[0].to_string(),
        "--alpha",
        &row[2].to_string(),
        "--power",
        &row[3].to_string(),
    ]);
    assert!((mde["mde_sd"].as_f64().unwrap() - row[4]).abs() < 1e-3);
    let n = json_of(&["mde", "--mde", &mde["mde_sd"].as_f64().unwrap().to_string()]);
    assert_eq!(
        n["n"].as_f64().unwrap(),
        row[0],
        "the N for the MDE at N is N"
    );

    let holm = json_of(&["adjust", "--p", "0.01,0.04,0.03", "--method", "holm"]);
    assert_eq!(holm["adjusted"], serde_json::json!([0.03, 0.06, 0.06]));

    let data = fixture("data/unbalanced.csv");
    let rw = json_of(&[
        "romano-wolf",
        "--data",
        data.to_str().unwrap(),
        "--outcomes",
        "y,x1,x2",
        "--treatment",
        "z",
        "--strata",
        "s",
        "--draws",
        "200",
        "--seed",
        "1",
    ]);
    let outcomes = rw["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 3);
    for o in outcomes {
        assert!(o["romano_wolf_p_value"].as_f64().unwrap() >= o["ri_p_value"].as_f64().unwrap());
    }
}

#[test]
fn table_format_lists_the_fields() {
    let data = fixture("data/small_trial.csv");
    let (code, stdout, _) = spire_stats(&[
        "itt",
        "--data",
        data.to_str().unwrap(),
        "--outcome",
        "y",
        "--treatment",
        "z",
        "--format",
        "table",
    ]);
    assert_eq!(code, 0);
    for field in ["estimate", "std_error", "p_value", "n_dropped"] {
        assert!(
            stdout.lines().any(|l| l.starts_with(field)),
            "{field} missing from\n{stdout}"
        );
    }
}

/// Runs itt on `csv` and expects exit code 2 with one stderr line containing `needle`.
fn assert_bad_input(name: &str, csv: &str, extra: &[&str], needle: &str) {
    let path = write_csv(name, csv);
    let args = [
        &[
            "itt",
            "--data",
            path.to_str().unwrap(),
            "--outcome",
            "y",
            "--treatment",
            "z",
        ][..],
        extra,
    ]
    .concat();
    let (code, stdout, stderr) = spire_stats(&args);
    assert_eq!(code, 2, "{name}: {stderr}");
    assert!(stdout.is_empty(), "{name}: {stdout}");
    assert_eq!(stderr.lines().count(), 1, "{name}: {stderr}");
    assert!(
        stderr.contains(needle),
        "{name}: `{stderr}` lacks `{needle}`"
    );
}

#[test]
fn bad_input_gets_one_clear_line_and_exit_code_2() {
    let good = "y,z,x,s\n1,0,1,a\n2,1,2,a\n3,0,2,b\n5,1,4,b\n2,0,3,a\n4,1,1,b\n";
    assert_bad_input(
        "missing-column",
        good,
        &["--strata", "stratum"],
        "column `stratum` not found",
    );
    assert_bad_input(
        "non-numeric",
        "y,z\n1,0\n2,1\nabc,0\n3,1\n",
        &[],
        "non-numeric value `abc` in column `y`, row 3",
    );
    assert_bad_input(
        "not-binary",
        "y,z\n1,0\n2,1\n3,2\n3,1\n",
        &[],
        "treatment must be 0 or 1, found 2 in row 3",
    );
    assert_bad_input(
        "constant",
        "y,z\n1,1\n2,1\n3,1\n",
        &[],
        "treatment is constant",
    );
    let one_arm = "y,z,s\n1,0,a\n2,1,a\n3,0,a\n5,1,b\n2,1,b\n";
    assert_bad_input(
        "one-arm",
        one_arm,
        &["--strata", "s"],
        "stratum `b` has units in only one arm",
    );
    assert_bad_input(
        "short-row-crlf",
        "y,z\r\n1,0\r\n2\r\n3,1\r\n",
        &[],
        "line 3 does not have as many fields as the header",
    );
    // The first problem in the order the columns are named: the outcome's cell before the
    // missing stratum column.
    assert_bad_input(
        "first-problem",
        "y,z\n1,0\nx,1\n",
        &["--strata", "s"],
        "non-numeric value `x` in column `y`, row 2 (line 3",
    );
    let collinear = "y,z,x\n1,0,0\n2,1,2\n3,0,0\n5,1,2\n2,0,0\n4,1,2\n";
    assert_bad_input(
        "singular",
        collinear,
        &["--covariates", "x"],
        "singular design",
    );
}

#[test]
fn danish_excel_files_give_the_same_estimate() {
    let data = fixture("data/unbalanced.csv");
    let args = |path: &str| {
        [
            "itt",
            "--data",
            path,
            "--outcome",
            "y",
            "--treatment",
            "z",
            "--covariates",
            "x1",
            "--strata",
            "s",
        ]
        .map(str::to_string)
    };
    let plain = json_of(&args(data.to_str().unwrap()).each_ref().map(String::as_str));
    // Semicolons, decimal commas, Windows line ends and a byte-order mark, as Danish Excel saves.
    let text = std::fs::read_to_string(&data).unwrap();
    let danish = format!(
        "\u{feff}{}",
        text.lines()
            .map(|line| line.replace(',', ";").replace('.', ","))
            .map(|line| line + "\r\n")
            .collect::<String>()
    );
    let path = write_csv("danish", &danish);
    let read = json_of(&args(path.to_str().unwrap()).each_ref().map(String::as_str));
    assert_eq!(read, plain);
}
