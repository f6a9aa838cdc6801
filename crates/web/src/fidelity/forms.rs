//! The fidelity forms (the same fields in the API) and their parsing.

use crate::http::params::{collect, required_id};
use serde::Deserialize;
use spire_domain::dashboard::HalfYear;
use spire_domain::internship::parse_date;
use spire_domain::{FieldError, Problem};
use spire_store::NewReview;
use utoipa::ToSchema;

pub use spire_domain::fidelity::{EVIDENCE_MAX, SCALE_SOURCE_MAX};

/// Planning a review of a municipality's half-year.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewFidelityReview)]
pub struct ReviewForm {
    #[serde(default)]
    #[schema(required = true)]
    pub municipality_code: String,
    /// A half-year that is over: `2026-H1`.
    #[serde(default)]
    #[schema(required = true)]
    pub period: String,
    /// Two different users of the programme office (their ids).
    #[serde(default)]
    #[schema(required = true)]
    pub reviewer_a: String,
    #[serde(default)]
    #[schema(required = true)]
    pub reviewer_b: String,
    /// The day the review should be done by.
    #[serde(default)]
    #[schema(required = true)]
    pub due_date: String,
}

impl ReviewForm {
    pub fn parse(&self) -> Result<NewReview, Vec<FieldError>> {
        let mut errors = Vec::new();
        let municipality = collect(
            &mut errors,
            required_id(
                "municipality_code",
                &self.municipality_code,
                Problem::UnknownMunicipality,
            ),
        );
        let period = collect(
            &mut errors,
            HalfYear::parse(&self.period).ok_or_else(|| {
                FieldError::new(
                    "period",
                    if self.period.trim().is_empty() {
                        Problem::Required
                    } else {
                        Problem::UnknownChoice
                    },
                )
            }),
        );
        let reviewer_a = collect(
            &mut errors,
            required_id("reviewer_a", &self.reviewer_a, Problem::UnknownChoice),
        );
        let reviewer_b = collect(
            &mut errors,
            required_id("reviewer_b", &self.reviewer_b, Problem::UnknownChoice),
        );
        let due = collect(&mut errors, parse_date("due_date", &self.due_date));
        match (municipality, period, reviewer_a, reviewer_b, due) {
            (Some(municipality), Some(period), Some(reviewer_a), Some(reviewer_b), Some(due))
                if errors.is_empty() =>
            {
                Ok(NewReview {
                    municipality,
                    period,
                    reviewer_a,
                    reviewer_b,
                    due,
                })
            }
            _ => Err(errors),
        }
    }
}

/// One reviewer's score of one item, with the evidence for it.
#[derive(Clone, Deserialize, ToSchema)]
#[schema(as = FidelityRating)]
pub struct RatingInput {
    /// The item's code, e.g. `P3`.
    pub item: String,
    /// 1 to 5.
    pub score: Option<i64>,
    #[schema(max_length = 2000)]
    #[serde(default)]
    pub evidence: String,
}

/// A reviewer's scores of every item the reviewers score, submitted once.
#[derive(Clone, Deserialize, ToSchema)]
#[schema(as = FidelityRatings)]
pub struct RatingsBody {
    pub ratings: Vec<RatingInput>,
}

impl RatingsBody {
    pub fn rows(&self) -> Vec<(String, Option<i64>, String)> {
        self.ratings
            .iter()
            .map(|r| (r.item.clone(), r.score, r.evidence.clone()))
            .collect()
    }

    /// The page's form: `score-<code>` and `evidence-<code>` per item.
    pub fn from_form(fields: &[(String, String)]) -> RatingsBody {
        let mut ratings: Vec<RatingInput> = Vec::new();
        for (name, value) in fields {
            let (kind, code) = match name.split_once('-') {
                Some(split) => split,
                None => continue,
            };
            let index = match ratings.iter().position(|r| r.item == code) {
                Some(i) => i,
                None => {
                    ratings.push(RatingInput {
                        item: code.to_string(),
                        score: None,
                        evidence: String::new(),
                    });
                    ratings.len() - 1
                }
            };
            match kind {
                // A score that is not a whole number counts as none given.
                "score" => ratings[index].score = value.trim().parse().ok(),
                "evidence" => ratings[index].evidence = value.clone(),
                _ => {}
            }
        }
        RatingsBody { ratings }
    }

    pub fn typed(&self, code: &str) -> (String, String) {
        self.ratings
            .iter()
            .find(|r| r.item == code)
            .map(|r| {
                (
                    r.score.map(|s| s.to_string()).unwrap_or_default(),
                    r.evidence.clone(),
                )
            })
            .unwrap_or_default()
    }
}

/// Settling an item the two reviewers scored differently.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = FidelityReconciliation)]
pub struct ReconcileForm {
    #[serde(default)]
    #[schema(required = true)]
    pub item: String,
    /// 1 to 5.
    #[serde(default)]
    #[schema(required = true)]
    pub score: String,
    /// Why; kept in the review's log.
    #[serde(default)]
    #[schema(required = true, max_length = 2000)]
    pub reason: String,
}

impl ReconcileForm {
    pub fn score(&self) -> Result<Option<i64>, Vec<FieldError>> {
        let text = self.score.trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|_| vec![FieldError::out_of_range("score", 1, 5)])
    }
}

/// A new version of the scale: its text and what changed.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewFidelityScale)]
pub struct ScaleForm {
    /// `;`-separated with the header line
    /// `code;principle;title_da;title_en;measure;bands;guide_da;guide_en`.
    #[serde(default)]
    #[schema(required = true, max_length = 40000)]
    pub source: String,
    #[serde(default)]
    #[schema(required = true, max_length = 200)]
    pub note: String,
}
