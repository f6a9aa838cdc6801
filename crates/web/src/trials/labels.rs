//! Strata, factors and municipalities in words, for the trial's pages.

use crate::http::error::AppResult;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};

/// A stratum key as stored (`municipality=265,age_band=18-24,…`) in words:
/// "Roskilde · 18–24 år · Åbenlyst uddannelsesparat". Own fields keep their levels.
pub fn stratum_label(
    tr: Tr,
    stratum: &str,
    municipalities: &std::collections::HashMap<String, String>,
) -> String {
    stratum
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| match part.split_once('=') {
            Some(("municipality", code)) => municipalities
                .get(code)
                .cloned()
                .unwrap_or_else(|| code.to_string()),
            Some(("age_band", band)) => tr.t_args(
                "stratum-age-band",
                &[("band", Arg::Text(band.replace('-', "–")))],
            ),
            Some(("readiness", code)) => tr.t(&format!("readiness-{}", code.replace('_', "-"))),
            Some(("benefit", code)) => tr.t(&format!("benefit-{}", code.replace('_', "-"))),
            Some(("gender", code)) => tr.t(&format!("gender-{code}")),
            Some((name, level)) => format!("{}: {level}", name.replace(['_', '-'], " ")),
            None => part.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// A stratification factor in words: the built-in ones translated, a trial's
/// own fields by the name the programme office gave them.
pub fn factor_label(tr: Tr, factor: &str) -> String {
    if spire_store::BUILT_IN_FACTORS.contains(&factor) {
        tr.t(&format!("factor-{}", factor.replace('_', "-")))
    } else {
        factor.to_string()
    }
}

/// Municipality names by code, for labels.
pub(super) async fn municipality_names(
    state: &AppState,
) -> AppResult<std::collections::HashMap<String, String>> {
    Ok(state
        .db()
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m.name))
        .collect())
}
