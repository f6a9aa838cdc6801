//! How fidelity's measures, bands and values read: names in the reader's
//! language, shares as percentages, bands as "5: ≥ 50 %, …".

use crate::i18n::{Arg, Tr};
use spire_store::ItemResult;

/// Measures that are shares (shown as percentages).
pub fn is_share(measure: &str) -> bool {
    measure.starts_with("share_")
        || measure.ends_with("_rate")
        || measure.starts_with("durability_")
        || matches!(measure, "meeting_stability" | "network_weeks_held")
}

/// A measure's name in the reader's language: a dashboard figure's own
/// name, or one of fidelity's measures.
pub fn measure_name(tr: Tr, measure: &str) -> String {
    if spire_store::Metric::ALL.iter().any(|m| m.code() == measure) {
        tr.t(&format!("dash-metric-{measure}"))
    } else {
        tr.t(&format!("fidelity-measure-{measure}"))
    }
}

/// A computed item's bands as people read them: "Score 5: ≥ 50 %, 4: ≥ 40 %,
/// …, ellers 1".
pub fn bands_text(tr: Tr, measure: &str, bands: &str) -> String {
    let Some(bands) = spire_domain::fidelity::Bands::parse(bands) else {
        return bands.to_string();
    };
    let number = |v: f64| {
        if is_share(measure) {
            tr.percent(Some(v))
        } else if v.fract() == 0.0 {
            tr.number(v, 0)
        } else {
            tr.number(v, 2)
        }
    };
    let parts: Vec<String> = bands
        .0
        .iter()
        .zip([5, 4, 3, 2])
        .map(|(interval, score)| {
            let range = match (interval.low, interval.high) {
                (Some(low), Some(high)) => format!("{}–{}", number(low), number(high)),
                (Some(low), None) => format!("≥ {}", number(low)),
                (None, Some(high)) => format!("≤ {}", number(high)),
                (None, None) => String::new(),
            };
            format!("{score}: {range}")
        })
        .collect();
    tr.t_args("fidelity-bands", &[("bands", Arg::Text(parts.join(", ")))])
}

/// A computed item's value as people read it, or why there is none.
pub fn value_text(tr: Tr, result: &ItemResult) -> String {
    match (result.value, result.item.measure.as_deref()) {
        (Some(v), Some(m)) if is_share(m) => tr.percent(Some(v)),
        (Some(v), _) if v.fract() == 0.0 => tr.number(v, 0),
        (Some(v), _) if v.abs() < 10.0 => tr.number(v, 2),
        (Some(v), _) => tr.number(v, 1),
        (None, _) => tr.t(&format!("fidelity-value-{}", result.reason)),
    }
}

#[cfg(test)]
mod tests {
    use super::is_share;

    #[test]
    fn shares_are_told_from_numbers_by_their_measure() {
        for share in [
            "share_in_internship",
            "interruption_rate",
            "durability_6",
            "meeting_stability",
            "network_weeks_held",
        ] {
            assert!(is_share(share), "{share}");
        }
        for number in [
            "days_to_first_internship",
            "events_held",
            "caseload_to_norm",
            "psychologist_fte",
        ] {
            assert!(!is_share(number), "{number}");
        }
    }
}
