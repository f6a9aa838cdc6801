//! Who may enter the randomised trial, and in which stratum. Pure rules on
//! plain values: the store applies them inside the allocation transaction.

use crate::cpr::Cpr;
use time::Date;

/// The public benefit a young person receives at intake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Benefit {
    Kontanthjaelp,
    Uddannelseshjaelp,
    Other,
}

impl Benefit {
    pub const ALL: [Benefit; 3] = [
        Benefit::Kontanthjaelp,
        Benefit::Uddannelseshjaelp,
        Benefit::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Benefit::Kontanthjaelp => "kontanthjaelp",
            Benefit::Uddannelseshjaelp => "uddannelseshjaelp",
            Benefit::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<Benefit> {
        Benefit::ALL.into_iter().find(|b| b.code() == code)
    }

    /// Whether Danish law knows this readiness category on this benefit:
    /// kontanthjælp is visited as job- or activity-ready, uddannelseshjælp
    /// (under 30) as obviously education-ready, education-ready or
    /// activity-ready. Another combination is most likely a typing mistake.
    pub fn admits(self, readiness: Readiness) -> bool {
        match self {
            Benefit::Kontanthjaelp => {
                matches!(readiness, Readiness::Jobparat | Readiness::Aktivitetsparat)
            }
            Benefit::Uddannelseshjaelp => readiness != Readiness::Jobparat,
            Benefit::Other => true,
        }
    }
}

/// Why a young person registered directly, while a trial is open in the
/// municipality, is outside its target group (the trial's way in is the
/// intake and the draw; this is the only other door, and it is recorded).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutsideTrial {
    /// Outside the trial's age band (checked against the CPR number).
    Age,
    /// Not on a benefit the trial covers.
    Benefit,
    /// Has a qualifying education.
    Qualification,
    /// Another reason, written out.
    Other(String),
}

impl OutsideTrial {
    pub const CODES: [&'static str; 4] = ["age", "benefit", "qualification", "other"];
    /// The longest written reason.
    pub const NOTE_MAX: usize = 500;

    /// From the form's choice and note (`outside_trial`, `outside_trial_note`);
    /// an empty choice is `None`.
    pub fn parse(code: &str, note: &str) -> Result<Option<OutsideTrial>, crate::FieldError> {
        let unknown = || crate::FieldError::new("outside_trial", crate::Problem::Required);
        Ok(Some(match code.trim() {
            "" => return Ok(None),
            "age" => OutsideTrial::Age,
            "benefit" => OutsideTrial::Benefit,
            "qualification" => OutsideTrial::Qualification,
            "other" => OutsideTrial::Other(crate::validation::required_text(
                "outside_trial_note",
                note,
                OutsideTrial::NOTE_MAX,
            )?),
            _ => return Err(unknown()),
        }))
    }

    /// As stored: the code, and for `other` the note after it.
    pub fn stored(&self) -> String {
        match self {
            OutsideTrial::Age => "age".into(),
            OutsideTrial::Benefit => "benefit".into(),
            OutsideTrial::Qualification => "qualification".into(),
            OutsideTrial::Other(note) => format!("other: {note}"),
        }
    }
}

/// The job centre's readiness category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Jobparat,
    AabenlystUddannelsesparat,
    Uddannelsesparat,
    Aktivitetsparat,
}

impl Readiness {
    pub const ALL: [Readiness; 4] = [
        Readiness::Jobparat,
        Readiness::AabenlystUddannelsesparat,
        Readiness::Uddannelsesparat,
        Readiness::Aktivitetsparat,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Readiness::Jobparat => "jobparat",
            Readiness::AabenlystUddannelsesparat => "aabenlyst_uddannelsesparat",
            Readiness::Uddannelsesparat => "uddannelsesparat",
            Readiness::Aktivitetsparat => "aktivitetsparat",
        }
    }

    pub fn from_code(code: &str) -> Option<Readiness> {
        Readiness::ALL.into_iter().find(|r| r.code() == code)
    }
}

/// What a caseworker enters at screening, already parsed.
#[derive(Debug, Clone)]
pub struct Candidate<'a> {
    pub cpr: &'a Cpr,
    pub municipality_code: i64,
    pub benefit: Benefit,
    pub readiness: Readiness,
    pub has_qualification: bool,
    pub intake_date: Date,
}

/// Why a candidate may not be randomised. Each reason has a stable code (API)
/// and a Fluent message id (pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ineligibility {
    TooYoung,
    TooOld,
    BenefitNotCovered,
    HasQualification,
    MunicipalityNotParticipating,
}

impl Ineligibility {
    pub const ALL: [Ineligibility; 5] = [
        Ineligibility::TooYoung,
        Ineligibility::TooOld,
        Ineligibility::BenefitNotCovered,
        Ineligibility::HasQualification,
        Ineligibility::MunicipalityNotParticipating,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Ineligibility::TooYoung => "too_young",
            Ineligibility::TooOld => "too_old",
            Ineligibility::BenefitNotCovered => "benefit_not_covered",
            Ineligibility::HasQualification => "has_qualification",
            Ineligibility::MunicipalityNotParticipating => "municipality_not_participating",
        }
    }

    pub fn from_code(code: &str) -> Option<Ineligibility> {
        Ineligibility::ALL.into_iter().find(|r| r.code() == code)
    }

    pub fn message_id(self) -> &'static str {
        match self {
            Ineligibility::TooYoung => "trial-reason-too-young",
            Ineligibility::TooOld => "trial-reason-too-old",
            Ineligibility::BenefitNotCovered => "trial-reason-benefit-not-covered",
            Ineligibility::HasQualification => "trial-reason-has-qualification",
            Ineligibility::MunicipalityNotParticipating => {
                "trial-reason-municipality-not-participating"
            }
        }
    }
}

/// A trial's eligibility rules. The default is the programme's target group:
/// 18–29 on the intake date, on social assistance, without a
/// labour-market-relevant qualification, in any participating municipality.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EligibilityRules {
    pub min_age: i32,
    pub max_age: i32,
    pub benefits: Vec<Benefit>,
    pub require_no_qualification: bool,
    /// Participating municipalities; empty means every municipality in Spire.
    pub municipalities: Vec<i64>,
}

impl Default for EligibilityRules {
    fn default() -> Self {
        EligibilityRules {
            min_age: 18,
            max_age: 29,
            benefits: vec![Benefit::Kontanthjaelp, Benefit::Uddannelseshjaelp],
            require_no_qualification: true,
            municipalities: Vec::new(),
        }
    }
}

impl EligibilityRules {
    /// Every reason the candidate is not eligible; empty when eligible.
    pub fn check(&self, candidate: &Candidate<'_>) -> Vec<Ineligibility> {
        let age = candidate.cpr.age_on(candidate.intake_date);
        let mut reasons = Vec::new();
        if age < self.min_age {
            reasons.push(Ineligibility::TooYoung);
        }
        if age > self.max_age {
            reasons.push(Ineligibility::TooOld);
        }
        if !self.benefits.contains(&candidate.benefit) {
            reasons.push(Ineligibility::BenefitNotCovered);
        }
        if self.require_no_qualification && candidate.has_qualification {
            reasons.push(Ineligibility::HasQualification);
        }
        if !self.municipalities.is_empty()
            && !self.municipalities.contains(&candidate.municipality_code)
        {
            reasons.push(Ineligibility::MunicipalityNotParticipating);
        }
        reasons
    }
}

/// The age band stratification uses: 18–24 or 25–29 (other ages only outside the default rules).
pub fn age_band(age: i32) -> &'static str {
    match age {
        ..=17 => "under-18",
        18..=24 => "18-24",
        25..=29 => "25-29",
        _ => "30-plus",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn candidate(cpr: &Cpr) -> Candidate<'_> {
        Candidate {
            cpr,
            municipality_code: 265,
            benefit: Benefit::Kontanthjaelp,
            readiness: Readiness::Aktivitetsparat,
            has_qualification: false,
            intake_date: date!(2026 - 11 - 29),
        }
    }

    #[test]
    fn the_target_group_is_eligible_and_every_reason_is_reported() {
        let rules = EligibilityRules::default();
        let young_adult = Cpr::parse("cpr", "010203-4000").unwrap(); // born 2003: 23
        assert!(rules.check(&candidate(&young_adult)).is_empty());
        let older = Cpr::parse("cpr", "010190-1234").unwrap(); // born 1990: 36
        let mut someone = candidate(&older);
        someone.benefit = Benefit::Other;
        someone.has_qualification = true;
        assert_eq!(
            rules.check(&someone),
            vec![
                Ineligibility::TooOld,
                Ineligibility::BenefitNotCovered,
                Ineligibility::HasQualification
            ]
        );
        let restricted = EligibilityRules {
            municipalities: vec![101],
            ..EligibilityRules::default()
        };
        assert_eq!(
            restricted.check(&candidate(&young_adult)),
            vec![Ineligibility::MunicipalityNotParticipating]
        );
    }

    #[test]
    fn age_is_taken_on_the_intake_date() {
        // Turns 18 on 2026-11-30: one day too young on the 29th.
        let cpr = Cpr::parse("cpr", "301108-4000").unwrap();
        let rules = EligibilityRules::default();
        assert_eq!(rules.check(&candidate(&cpr)), vec![Ineligibility::TooYoung]);
        let mut next_day = candidate(&cpr);
        next_day.intake_date = date!(2026 - 11 - 30);
        assert!(rules.check(&next_day).is_empty());
        assert_eq!(age_band(24), "18-24");
        assert_eq!(age_band(25), "25-29");
    }

    #[test]
    fn codes_round_trip() {
        for b in Benefit::ALL {
            assert_eq!(Benefit::from_code(b.code()), Some(b));
        }
        for r in Readiness::ALL {
            assert_eq!(Readiness::from_code(r.code()), Some(r));
        }
        for i in Ineligibility::ALL {
            assert_eq!(Ineligibility::from_code(i.code()), Some(i));
        }
    }
}

#[cfg(test)]
mod benefit_readiness_tests {
    use super::*;

    #[test]
    fn only_the_combinations_danish_law_knows() {
        let known: Vec<(Benefit, Readiness)> = Benefit::ALL
            .into_iter()
            .flat_map(|b| Readiness::ALL.into_iter().map(move |r| (b, r)))
            .filter(|(b, r)| b.admits(*r))
            .collect();
        assert!(!Benefit::Uddannelseshjaelp.admits(Readiness::Jobparat));
        assert!(!Benefit::Kontanthjaelp.admits(Readiness::Uddannelsesparat));
        assert!(!Benefit::Kontanthjaelp.admits(Readiness::AabenlystUddannelsesparat));
        assert!(Benefit::Uddannelseshjaelp.admits(Readiness::Aktivitetsparat));
        assert_eq!(known.len(), 2 + 3 + 4);
    }
}
