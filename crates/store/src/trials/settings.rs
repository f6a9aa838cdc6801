//! A trial's settings beyond its design: eligibility, the municipalities taking
//! part, and its own stratification fields.

use super::*;

/// Stratification factors Spire derives itself from the screening.
pub const BUILT_IN_FACTORS: &[&str] =
    &["municipality", "gender", "age_band", "readiness", "benefit"];

/// A trial's eligibility rules and custom stratification fields, stored as
/// JSON beside the design (the design itself is the canonical document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrialSettings {
    pub min_age: i32,
    pub max_age: i32,
    /// Benefit codes covered (`kontanthjaelp`, `uddannelseshjaelp`, `other`).
    pub benefits: Vec<String>,
    pub require_no_qualification: bool,
    /// Participating municipalities; empty means all.
    #[serde(default)]
    pub municipalities: Vec<i64>,
    /// Stratification fields the caseworker fills in (besides the built-in ones).
    #[serde(default)]
    pub custom_factors: Vec<CustomFactor>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomFactor {
    pub name: String,
    pub levels: Vec<String>,
}

impl Default for TrialSettings {
    fn default() -> Self {
        let rules = EligibilityRules::default();
        TrialSettings {
            min_age: rules.min_age,
            max_age: rules.max_age,
            benefits: rules
                .benefits
                .iter()
                .map(|b| b.code().to_string())
                .collect(),
            require_no_qualification: rules.require_no_qualification,
            municipalities: rules.municipalities,
            custom_factors: Vec::new(),
        }
    }
}

/// A trial id, factor name or level: a-z, 0-9, `_` or `-`, at most 64 bytes
/// (names and levels end up in stratum keys stored as `f=l,f=l`).
pub fn is_token(text: &str) -> bool {
    !text.is_empty()
        && text.len() <= 64
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl TrialSettings {
    pub fn eligibility(&self) -> EligibilityRules {
        EligibilityRules {
            min_age: self.min_age,
            max_age: self.max_age,
            benefits: self
                .benefits
                .iter()
                .filter_map(|code| Benefit::from_code(code))
                .collect(),
            require_no_qualification: self.require_no_qualification,
            municipalities: self.municipalities.clone(),
        }
    }

    /// Checks the settings against the design: every design factor is built in
    /// or a custom field, names and levels are plain tokens.
    pub fn validate(&self, design: &Design) -> Result<(), String> {
        if self.min_age > self.max_age || self.min_age < 0 {
            return Err("min_age must be at most max_age".into());
        }
        if let Some(bad) = self
            .benefits
            .iter()
            .find(|b| Benefit::from_code(b).is_none())
        {
            return Err(format!(
                "unknown benefit {bad:?}; expected kontanthjaelp, uddannelseshjaelp or other"
            ));
        }
        for factor in &self.custom_factors {
            if !is_token(&factor.name) || BUILT_IN_FACTORS.contains(&factor.name.as_str()) {
                return Err(format!(
                    "custom factor {:?} must be a new name of a-z, 0-9, '_' or '-'",
                    factor.name
                ));
            }
            if factor.levels.is_empty() || !factor.levels.iter().all(|l| is_token(l)) {
                return Err(format!(
                    "custom factor {:?} needs levels of a-z, 0-9, '_' or '-'",
                    factor.name
                ));
            }
        }
        for factor in &design.factors {
            let known = BUILT_IN_FACTORS.contains(&factor.as_str())
                || self.custom_factors.iter().any(|c| &c.name == factor);
            if !known {
                return Err(format!(
                    "design factor {factor:?} is neither built in ({}) nor a custom factor",
                    BUILT_IN_FACTORS.join(", ")
                ));
            }
        }
        Ok(())
    }
}

pub(super) fn settings_of(json: &str) -> Result<TrialSettings> {
    serde_json::from_str(json).map_err(|e| Error::Corrupt(format!("trial settings: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_must_name_every_design_factor() {
        let design = Design::stratified_blocks("t", &["municipality", "school"]);
        let mut settings = TrialSettings::default();
        assert!(settings.validate(&design).is_err());
        settings.custom_factors.push(CustomFactor {
            name: "school".into(),
            levels: vec!["none".into(), "some".into()],
        });
        assert_eq!(settings.validate(&design), Ok(()));
        settings.custom_factors[0].levels.push("Bad Level".into());
        assert!(settings.validate(&design).is_err());
    }
}
