//! The outcome file reader, fed arbitrary bytes and text shaped like a CSV
//! file (separators, quotes, decimal commas, line endings, a BOM): it reads
//! the file or says what is wrong with it, and never panics.

use proptest::prelude::*;
use spire_evaluation::outcomes::read_outcome_file;
use std::collections::HashMap;

fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let cell =
        proptest::string::string_regex("[a-zA-Z0-9æøå ,.;\"\\-]{0,12}").expect("a valid pattern");
    let row = prop::collection::vec(cell, 0..6);
    (
        any::<bool>(),
        prop::sample::select(vec![";", ",", "\t"]),
        prop::sample::select(vec!["\n", "\r\n", "\r"]),
        prop::collection::vec(row, 0..8),
    )
        .prop_map(|(bom, separator, newline, rows)| {
            let mut text = String::from(if bom { "\u{feff}" } else { "" });
            text.push_str(&format!(
                "pseudonym{separator}employed{separator}income{newline}"
            ));
            for row in rows {
                text.push_str(&row.join(separator));
                text.push_str(newline);
            }
            text.into_bytes()
        })
}

proptest! {
    #[test]
    fn never_panics(bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..400), csv_like()]) {
        let planned = vec!["employed".to_string(), "income".to_string()];
        let known: HashMap<String, i64> = [("p1".to_string(), 0), ("p2".to_string(), 1)].into();
        let _ = read_outcome_file(&bytes, &planned, &known);
    }
}
