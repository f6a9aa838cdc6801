//! Strata: a youth's stratum under a design, and its text form.

use super::*;

/// The stratum key of an intake under the design: built-in factors derived,
/// custom ones taken from the form (a level outside the list is a field error).
pub(super) fn stratum_for(
    design: &Design,
    settings: &TrialSettings,
    intake: &Intake,
) -> Result<StratumKey, FieldError> {
    let age = intake.cpr.age_on(intake.intake_date);
    let levels = design
        .factors
        .iter()
        .map(|factor| {
            let level = match factor.as_str() {
                "municipality" => intake.municipality_code.to_string(),
                "gender" => intake.cpr.gender().code().to_string(),
                "age_band" => spire_domain::eligibility::age_band(age).to_string(),
                "readiness" => intake.readiness.code().to_string(),
                "benefit" => intake.benefit.code().to_string(),
                custom => {
                    let allowed = settings
                        .custom_factors
                        .iter()
                        .find(|c| c.name == custom)
                        .map(|c| c.levels.as_slice())
                        .unwrap_or_default();
                    match intake.strata.get(custom) {
                        None => return Err(FieldError::new("strata", Problem::Required)),
                        Some(level) if allowed.contains(level) => level.clone(),
                        Some(_) => {
                            return Err(FieldError::new("strata", Problem::UnknownStratumLevel));
                        }
                    }
                }
            };
            Ok((factor.clone(), level))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(StratumKey::new(levels))
}

/// The stored form of a stratum key, `factor=level,…` (tokens only, so unambiguous).
pub(super) fn parse_stratum(text: &str) -> Option<StratumKey> {
    if text.is_empty() {
        return Some(StratumKey::new(Vec::<(String, String)>::new()));
    }
    text.split(',')
        .map(|pair| {
            pair.split_once('=')
                .map(|(f, l)| (f.to_string(), l.to_string()))
        })
        .collect::<Option<Vec<_>>>()
        .map(StratumKey::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratum_text_round_trips() {
        let key = StratumKey::new([("municipality", "265"), ("age_band", "18-24")]);
        assert_eq!(parse_stratum(&key.to_string()), Some(key));
        assert_eq!(parse_stratum("municipality"), None);
    }
}
