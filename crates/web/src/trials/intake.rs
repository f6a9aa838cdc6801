//! Intake for caseworkers: the screening form, eligibility with reasons,
//! the confirmation (the screening sealed, never the CPR number in the
//! page), the draw and its receipt, and the receipt again later.

use super::api::{IntakeFields, parse_intake};
use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::params;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::fields::{FieldMessages, FormBanner, FormField, person_fields};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use spire_domain::{AllocationId, TrialId};
use spire_domain::{Benefit, Readiness};
use spire_store::{Randomisation, Receipt, TrialOverview};

use super::labels::*;

/// A confirmation form carries the screening sealed under the server key, so
/// the CPR number is never written into the page, and expires after this long.
pub(super) const CONFIRMATION_SECONDS: i64 = 30 * 60;

pub(super) const CONFIRMATION_AAD: &[u8] = b"spire/intake-confirmation/v1";

/// The screening as the caseworker typed it, from the form.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct IntakeForm {
    #[serde(default)]
    pub cpr: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    #[serde(default)]
    pub benefit: String,
    #[serde(default)]
    pub readiness: String,
    #[serde(default)]
    pub has_qualification: String,
}

/// What the confirmation form carries, sealed.
#[derive(Serialize, Deserialize)]
pub(super) struct SealedIntake {
    pub(super) user_id: i64,
    pub(super) trial_id: i64,
    pub(super) expires_at: i64,
    pub(super) form: IntakeForm,
    pub(super) strata: Vec<(String, String)>,
}

/// The outcome shown under the form.
pub enum ScreeningResult {
    NotEligible(Vec<String>),
    Eligible {
        stratum: String,
        token: String,
        /// What will be randomised, read-only: name, age, benefit, readiness, qualification.
        summary: Vec<(String, String)>,
        /// Other trials the youth is already randomised in.
        other_trials: Vec<String>,
        /// Already registered in the programme: the draw needs the
        /// programme's decision and its reason.
        already_registered: bool,
        /// A benefit and readiness category Danish law does not combine
        /// (uddannelseshjælp and jobparat): most likely a typing mistake.
        unusual_combination: bool,
    },
    /// The original allocation and its arm in the user's language.
    /// With the stored name when the youth belongs to the caseworker's
    /// municipality (then the receipt can be opened), else `None`.
    AlreadyRandomised(Receipt, String, Option<String>),
    /// Randomised before in another municipality: only that is told.
    Elsewhere,
}

impl TrialIntakeView {
    /// Eligible and waiting for confirmation: the form is not offered again,
    /// so what is confirmed is what was screened.
    pub fn eligible(&self) -> bool {
        matches!(self.result, Some(ScreeningResult::Eligible { .. }))
    }
}

#[derive(Template)]
#[template(path = "trials/intake.html")]
pub struct TrialIntakeView {
    pub ctx: PageCtx,
    pub trial: TrialOverview,
    pub fields: Vec<FormField>,
    pub banner: FormBanner,
    pub result: Option<ScreeningResult>,
}

#[derive(Template)]
#[template(path = "trials/receipt.html")]
pub struct TrialReceiptView {
    pub ctx: PageCtx,
    pub trial: TrialOverview,
    pub receipt: Receipt,
    pub arm_label: String,
    pub stratum_label: String,
    pub youth_name: String,
    /// Shown again for a youth randomised before: not a new allocation.
    pub original: bool,
    /// Opened again later (from the take-up list), not just made.
    pub reprint: bool,
    /// The young person's answer to the programme offer, once recorded.
    pub take_up: Option<bool>,
}

pub(super) fn options(tr: Tr, codes: &[&str], prefix: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), tr.t("choose")))
        .chain(codes.iter().map(|code| {
            (
                code.to_string(),
                tr.t(&format!("{prefix}{}", code.replace('_', "-"))),
            )
        }))
        .collect()
}

pub(super) fn intake_fields(
    tr: Tr,
    trial: &TrialOverview,
    form: &IntakeForm,
    strata: &[(String, String)],
    messages: &FieldMessages,
) -> Vec<FormField> {
    let benefits: Vec<&str> = Benefit::ALL.iter().map(|b| b.code()).collect();
    let readiness: Vec<&str> = Readiness::ALL.iter().map(|r| r.code()).collect();
    let mut fields = Vec::from(person_fields(
        tr,
        &form.first_name,
        &form.last_name,
        messages,
    ));
    fields.extend([
        FormField::new(tr, "benefit", "select", &form.benefit, messages)
            .required()
            .options(options(tr, &benefits, "benefit-")),
        FormField::new(tr, "readiness", "select", &form.readiness, messages)
            .required()
            .options(options(tr, &readiness, "readiness-")),
        FormField::new(
            tr,
            "has_qualification",
            "select",
            &form.has_qualification,
            messages,
        )
        .required()
        .options(vec![
            (String::new(), tr.t("choose")),
            ("no".into(), tr.t("answer-no")),
            ("yes".into(), tr.t("answer-yes")),
        ]),
    ]);
    // The trial's own stratification fields; their values are plain tokens.
    for custom in &trial.settings.custom_factors {
        let mut field = FormField::new(tr, "strata", "select", "", messages);
        field.name = "strata";
        field.label = custom.name.replace(['_', '-'], " ");
        field.value = strata
            .iter()
            .find(|(name, _)| *name == custom.name)
            .map(|(_, level)| level.clone())
            .unwrap_or_default();
        field.options = std::iter::once((String::new(), tr.t("choose")))
            .chain(
                custom
                    .levels
                    .iter()
                    .map(|level| (format!("{}={level}", custom.name), level.clone())),
            )
            .collect();
        field.value = format!("{}={}", custom.name, field.value);
        fields.push(field);
    }
    fields
}

/// Reads the form's fields; custom strata arrive as repeated `strata=name=level`.
pub(super) fn read_form(pairs: &[(String, String)]) -> (IntakeForm, Vec<(String, String)>) {
    let mut form = IntakeForm::default();
    let mut strata = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "cpr" => form.cpr = value.clone(),
            "first_name" => form.first_name = value.clone(),
            "last_name" => form.last_name = value.clone(),
            "benefit" => form.benefit = value.clone(),
            "readiness" => form.readiness = value.clone(),
            "has_qualification" => form.has_qualification = value.clone(),
            "strata" => {
                if let Some((factor, level)) = value.split_once('=') {
                    strata.push((factor.to_string(), level.to_string()));
                }
            }
            _ => {}
        }
    }
    (form, strata)
}

pub(super) fn intake_fields_for_api(
    form: &IntakeForm,
    strata: &[(String, String)],
    municipality_code: Option<i64>,
) -> IntakeFields {
    IntakeFields {
        cpr: form.cpr.clone(),
        first_name: form.first_name.clone(),
        last_name: form.last_name.clone(),
        municipality_code,
        benefit: form.benefit.clone(),
        readiness: form.readiness.clone(),
        has_qualification: match form.has_qualification.as_str() {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        },
        strata: strata.iter().cloned().collect(),
        already_registered_decision: String::new(),
    }
}

pub async fn intake_form(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
) -> AppResult<Response> {
    intake_page(&state, &context, &user, id, &IntakeForm::default(), &[]).await
}

/// The intake form with these values and no result yet.
pub(super) async fn intake_page(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    id: TrialId,
    form: &IntakeForm,
    strata: &[(String, String)],
) -> AppResult<Response> {
    let trial = state.db().trial_overview(id).await?;
    let tr = Tr::new(context.lang);
    Ok(render(&TrialIntakeView {
        ctx: page_ctx(context, user, &format!("/trials/{id}/intake")),
        fields: intake_fields(tr, &trial, form, strata, &FieldMessages::default()),
        trial,
        banner: FormBanner::default(),
        result: None,
    }))
}

/// The screening sealed into the confirmation form, if it is this user's,
/// for this trial, and not expired.
pub(super) fn unseal(
    state: &AppState,
    user: &CurrentUser,
    trial_id: TrialId,
    token: &str,
) -> AppResult<SealedIntake> {
    hex::decode(token.trim())
        .ok()
        .and_then(|bytes| state.key().decrypt(CONFIRMATION_AAD, &bytes).ok())
        .and_then(|plain| serde_json::from_slice(&plain).ok())
        .filter(|s: &SealedIntake| {
            s.user_id == user.user.id
                && s.trial_id == trial_id.get()
                && s.expires_at >= spire_store::now()
        })
        .ok_or(AppError(ErrorKind::BadRequest))
}

/// Back from the confirmation to the form, filled in as screened, except the
/// CPR number, which is never written back into a page.
pub async fn intake_edit(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(confirm): Form<ConfirmForm>,
) -> AppResult<Response> {
    let sealed = unseal(&state, &user, id, &confirm.token)?;
    let form = IntakeForm {
        cpr: String::new(),
        ..sealed.form
    };
    intake_page(&state, &context, &user, id, &form, &sealed.strata).await
}

pub async fn intake_screen(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let trial = state.db().trial_overview(id).await?;
    let tr = Tr::new(context.lang);
    let (form, strata) = read_form(&pairs);
    let fields = intake_fields_for_api(&form, &strata, user.user.municipality_code);
    let screened = match parse_intake(&fields) {
        Ok(intake) => state
            .db()
            .screen_for_trial(&user.scope(&context), state.key(), id, &intake)
            .await
            .map_err(AppError::from),
        Err(errors) => Err(AppError::invalid(errors)),
    };
    let (status, messages, result) = match screened {
        Ok(screening) => {
            let result = if screening.elsewhere {
                ScreeningResult::Elsewhere
            } else if let Some(original) = screening.existing {
                let arm = tr.t(&format!("arm-{}", original.arm));
                // The stored name, so a mistyped CPR number of someone else
                // shows; only for the caseworker's own municipality.
                let stored_name = match state
                    .db()
                    .trial_receipt_in_scope(
                        &user.scope(&context),
                        id,
                        AllocationId::new(original.allocation_id),
                    )
                    .await
                {
                    Ok((_, name)) => Some(name),
                    Err(spire_store::Error::NotFound) => None,
                    Err(other) => return Err(other.into()),
                };
                ScreeningResult::AlreadyRandomised(original, arm, stored_name)
            } else if !screening.reasons.is_empty() {
                ScreeningResult::NotEligible(
                    screening
                        .reasons
                        .iter()
                        .map(|r| tr.t(r.message_id()))
                        .collect(),
                )
            } else {
                let sealed = SealedIntake {
                    user_id: user.user.id,
                    trial_id: id.get(),
                    expires_at: spire_store::now() + CONFIRMATION_SECONDS,
                    form: form.clone(),
                    strata: strata.clone(),
                };
                let bytes = serde_json::to_vec(&sealed).expect("the screening serialises");
                let names = municipality_names(&state).await?;
                // Age and birth date, so a mistyped CPR number shows before the draw.
                let age = parse_intake(&fields)
                    .map(|intake| {
                        let born = intake.cpr.birth_date();
                        tr.t_args(
                            "trial-age-born",
                            &[
                                (
                                    "age",
                                    Arg::Number(intake.cpr.age_on(intake.intake_date).into()),
                                ),
                                (
                                    "born",
                                    Arg::Text(tr.iso_date(&format!(
                                        "{}-{:02}-{:02}",
                                        born.year(),
                                        born.month() as u8,
                                        born.day()
                                    ))),
                                ),
                            ],
                        )
                    })
                    .unwrap_or_default();
                ScreeningResult::Eligible {
                    other_trials: screening.other_trials.clone(),
                    already_registered: screening.already_registered,
                    unusual_combination: parse_intake(&fields)
                        .is_ok_and(|intake| !intake.benefit.admits(intake.readiness)),
                    stratum: stratum_label(tr, &screening.stratum, &names),
                    token: hex::encode(state.key().encrypt(CONFIRMATION_AAD, &bytes)),
                    summary: vec![
                        (
                            tr.t("col-name"),
                            format!("{} {}", form.first_name.trim(), form.last_name.trim()),
                        ),
                        (tr.t("field-age"), age),
                        (
                            tr.t("field-benefit"),
                            tr.t(&format!("benefit-{}", form.benefit.replace('_', "-"))),
                        ),
                        (
                            tr.t("field-readiness"),
                            tr.t(&format!("readiness-{}", form.readiness.replace('_', "-"))),
                        ),
                        (
                            tr.t("field-has-qualification"),
                            tr.t(if form.has_qualification == "yes" {
                                "answer-yes"
                            } else {
                                "answer-no"
                            }),
                        ),
                    ],
                }
            };
            (StatusCode::OK, FieldMessages::default(), Some(result))
        }
        Err(AppError(ErrorKind::Invalid(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            FieldMessages::from_errors(tr, &errors),
            None,
        ),
        Err(other) => return Err(other),
    };
    let view = TrialIntakeView {
        ctx: page_ctx(&context, &user, &format!("/trials/{id}/intake")),
        fields: intake_fields(tr, &trial, &form, &strata, &messages),
        banner: messages.banner(),
        trial,
        result,
    };
    Ok((status, render(&view)).into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
    /// For a young person already registered in the programme.
    #[serde(default)]
    already_registered_decision: String,
}

pub async fn intake_confirm(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(confirm): Form<ConfirmForm>,
) -> AppResult<Response> {
    let sealed = unseal(&state, &user, id, &confirm.token)?;
    let mut fields =
        intake_fields_for_api(&sealed.form, &sealed.strata, user.user.municipality_code);
    fields.already_registered_decision = confirm.already_registered_decision.clone();
    let intake = parse_intake(&fields).map_err(AppError::invalid)?;
    // The same confirmation submitted twice is one request: the token is its key.
    let idempotency_key = format!(
        "form-{}",
        &spire_store::crypto::token_hash(confirm.token.trim())[..32]
    );
    let outcome = state
        .db()
        .randomise(
            &user.scope(&context),
            state.key(),
            id,
            &intake,
            Some(&idempotency_key),
        )
        .await?;
    let trial = state.db().trial_overview(id).await?;
    let tr = Tr::new(context.lang);
    let (receipt, original) = match outcome {
        Randomisation::Allocated(receipt) | Randomisation::Replayed(receipt) => (receipt, false),
        Randomisation::AlreadyRandomised(receipt) => (receipt, true),
        refused @ (Randomisation::NotEligible(_) | Randomisation::RandomisedElsewhere) => {
            let (status, result) = match refused {
                Randomisation::NotEligible(reasons) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    ScreeningResult::NotEligible(
                        reasons.iter().map(|r| tr.t(r.message_id())).collect(),
                    ),
                ),
                _ => (StatusCode::CONFLICT, ScreeningResult::Elsewhere),
            };
            let view = TrialIntakeView {
                ctx: page_ctx(&context, &user, &format!("/trials/{id}/intake")),
                fields: intake_fields(
                    tr,
                    &trial,
                    &sealed.form,
                    &sealed.strata,
                    &FieldMessages::default(),
                ),
                banner: FormBanner::default(),
                trial,
                result: Some(result),
            };
            return Ok((status, render(&view)).into_response());
        }
    };
    if !original {
        // Post, redirect, get: a reload shows the receipt again, it does
        // not send the confirmation again.
        return Ok(Redirect::to(&format!(
            "/trials/{id}/allocations/{}?new=1",
            receipt.allocation_id
        ))
        .into_response());
    }
    Ok((
        StatusCode::CONFLICT,
        render(&TrialReceiptView {
            ctx: page_ctx(
                &context,
                &user,
                &format!("/trials/{id}/allocations/{}", receipt.allocation_id),
            ),
            arm_label: tr.t(&format!("arm-{}", receipt.arm)),
            stratum_label: stratum_label(tr, &receipt.stratum, &municipality_names(&state).await?),
            youth_name: format!(
                "{} {}",
                sealed.form.first_name.trim(),
                sealed.form.last_name.trim()
            ),
            take_up: state.db().take_up_answer(id, receipt.ledger_index).await?,
            trial,
            receipt,
            original,
            reprint: false,
        }),
    )
        .into_response())
}

/// `?new=1`: the receipt right after the draw, not opened again later.
#[derive(Default, Deserialize)]
pub struct ReceiptQuery {
    new: Option<String>,
}

/// An allocation's receipt: right after the draw (`?new=1`) or again, to
/// print it later; for the caseworker who made it (anyone else: 404).
pub async fn receipt_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, allocation)): Path<(String, String)>,
    Query(query): Query<ReceiptQuery>,
) -> AppResult<Response> {
    let id = TrialId::new(params::path_id(&id)?);
    let allocation_id = AllocationId::new(params::path_id(&allocation)?);
    let (receipt, youth_name) = state
        .db()
        .trial_receipt_in_scope(&caller.scope(), id, allocation_id)
        .await?;
    let trial = state.db().trial_overview(id).await?;
    let tr = caller.tr();
    let take_up = state.db().take_up_answer(id, receipt.ledger_index).await?;
    Ok(render(&TrialReceiptView {
        ctx: caller.page(&format!("/trials/{id}/allocations/{allocation_id}")),
        arm_label: tr.t(&format!("arm-{}", receipt.arm)),
        stratum_label: stratum_label(tr, &receipt.stratum, &municipality_names(&state).await?),
        youth_name,
        trial,
        receipt,
        original: false,
        reprint: query.new.is_none(),
        take_up,
    })
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_reads_custom_strata() {
        let pairs = vec![
            ("first_name".to_string(), "Ida".to_string()),
            ("strata".to_string(), "school=none".to_string()),
            ("has_qualification".to_string(), "no".to_string()),
        ];
        let (form, strata) = read_form(&pairs);
        assert_eq!(form.first_name, "Ida");
        assert_eq!(strata, vec![("school".to_string(), "none".to_string())]);
        let fields = intake_fields_for_api(&form, &strata, Some(265));
        assert_eq!(fields.has_qualification, Some(false));
        assert_eq!(
            fields.strata.get("school").map(String::as_str),
            Some("none")
        );
    }
}
