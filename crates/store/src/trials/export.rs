//! The pseudonymised research export.

use super::*;
use spire_domain::TrialId;

/// One youth in a research export: no name, no CPR number, a per-study pseudonym.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportRow {
    pub pseudonym: String,
    pub municipality_code: i64,
    pub stratum: String,
    pub arm: String,
    pub allocated_on: String,
    /// The frozen baseline's covariates, as (name, value) in a fixed order.
    pub covariates: Vec<(&'static str, String)>,
    /// accepted | declined | empty (control arm, or not answered yet)
    pub take_up: String,
    pub annotated: bool,
}

#[derive(sqlx::FromRow)]
struct ExportSource {
    subject: Vec<u8>,
    municipality_code: Option<i64>,
    stratum: String,
    arm: String,
    unix_seconds: i64,
    baseline: String,
    accepted: Option<bool>,
    annotations: i64,
}

/// The baseline covariates exported, in column order.
pub const EXPORT_COVARIATES: &[&str] = &[
    "age",
    "gender",
    "benefit",
    "readiness",
    "has_qualification",
    "intake_date",
];

impl Db {
    /// The pseudonymised export for one study, logged with recipient and
    /// purpose in the same transaction.
    pub async fn export_trial(
        &self,
        key: &ServerKey,
        trial: TrialId,
        study: &str,
        recipient: &str,
        purpose: &str,
    ) -> Result<Vec<ExportRow>> {
        let trial_id = trial.get();
        let required = |field: &'static str, text: &str| {
            spire_domain::validation::required_text(field, text, 200).map_err(Error::Invalid)
        };
        let (study, recipient, purpose) = (
            required("study", study)?,
            required("recipient", recipient)?,
            required("purpose", purpose)?,
        );
        let rows: Vec<ExportSource> = on_db!(self, |pool| {
            // The research file covers every municipality, pseudonymised.
            let mut tx = pool.begin_write_across().await?;
            let rows: Vec<ExportSource> =
                    sqlx::query_as(
                        "SELECT l.subject, l.municipality_code, l.stratum, l.arm, l.unix_seconds, b.baseline, t.accepted, \
                         (SELECT COUNT(*) FROM trial_ledger a WHERE a.trial_id = l.trial_id AND a.kind = 'annotation' \
                          AND a.annotated_index = l.ledger_index) AS annotations \
                         FROM trial_ledger l JOIN trial_baselines b ON b.ledger_id = l.id \
                         LEFT JOIN trial_take_up t ON t.trial_id = l.trial_id AND t.ledger_index = l.ledger_index \
                         WHERE l.trial_id = $1 AND l.kind = 'allocation' ORDER BY l.ledger_index",
                    )
                    .bind(trial_id)
                    .fetch_all(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO trial_exports (trial_id, study, recipient, purpose, row_count, at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(trial_id)
            .bind(&study)
            .bind(&recipient)
            .bind(&purpose)
            .bind(rows.len() as i64)
            .bind(crate::now())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            rows
        });
        rows.into_iter()
            .map(
                |ExportSource {
                     subject,
                     municipality_code,
                     stratum,
                     arm,
                     unix_seconds,
                     baseline,
                     accepted,
                     annotations,
                 }| {
                    let baseline: serde_json::Value = serde_json::from_str(&baseline)
                        .map_err(|e| Error::Corrupt(format!("a baseline: {e}")))?;
                    let covariates = EXPORT_COVARIATES
                        .iter()
                        .map(|&name| {
                            let value = match &baseline[name] {
                                serde_json::Value::String(text) => text.clone(),
                                serde_json::Value::Null => String::new(),
                                other => other.to_string(),
                            };
                            (name, value)
                        })
                        .collect();
                    Ok(ExportRow {
                        pseudonym: key.study_pseudonym(&study, &subject),
                        municipality_code: municipality_code.unwrap_or_default(),
                        stratum,
                        arm,
                        allocated_on: time::OffsetDateTime::from_unix_timestamp(unix_seconds)
                            .map(|t| t.date().to_string())
                            .unwrap_or_default(),
                        covariates,
                        take_up: match accepted {
                            Some(true) => "accepted".into(),
                            Some(false) => "declined".into(),
                            None => String::new(),
                        },
                        annotated: annotations > 0,
                    })
                },
            )
            .collect()
    }
}
