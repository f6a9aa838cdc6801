//! The trial's pages. Caseworkers: screening form → eligibility with reasons
//! → confirmation → receipt. Programme office: commitment, CONSORT table and
//! flow diagram, balance by arm and stratum, predictability — never the
//! sequence, the block structure or the key.

use super::api::{IntakeFields, parse_intake};
use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser, PathId};
use crate::http::error::{AppError, AppResult, ErrorKind};
use crate::http::params;
use crate::http::state::AppState;
use crate::i18n::{Arg, Tr};
use crate::ui::fields::{FieldMessages, FormField};
use crate::ui::page::{PageCtx, page_ctx, render};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use spire_domain::{AllocationId, TrialId};
use spire_domain::{Benefit, Readiness, Role};
use spire_store::{
    Consort, PendingTakeUp, Randomisation, Receipt, TrialOverview, TrialReport, TrialSummary,
};

/// A confirmation form carries the screening sealed under the server key, so
/// the CPR number is never written into the page, and expires after this long.
const CONFIRMATION_SECONDS: i64 = 30 * 60;
const CONFIRMATION_AAD: &[u8] = b"spire/intake-confirmation/v1";

#[derive(Template)]
#[template(path = "trials/list.html")]
pub struct TrialListView {
    pub ctx: PageCtx,
    /// Each trial with its status in the user's language.
    pub trials: Vec<(TrialSummary, String)>,
    pub intake: bool,
    /// The programme office opens trials.
    pub may_open: bool,
}

pub async fn trial_list(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let mut trials = Vec::new();
    for t in state.db().list_trials().await? {
        // A caseworker sees the trials their municipality takes part in.
        if let Some(code) = user
            .user
            .municipality_code
            .filter(|_| user.user.role() == Role::Caseworker)
        {
            let settings = state
                .db()
                .trial_overview(TrialId::new(t.id))
                .await?
                .settings;
            if !settings.municipalities.is_empty() && !settings.municipalities.contains(&code) {
                continue;
            }
        }
        let status = tr.t(&format!("trial-status-{}", t.status));
        trials.push((t, status));
    }
    Ok(render(&TrialListView {
        ctx: page_ctx(&context, &user, "/trials"),
        trials,
        intake: user.user.role() == Role::Caseworker,
        may_open: user.user.role() == Role::ProgrammeOffice,
    }))
}

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
async fn municipality_names(
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

/// One box of the CONSORT flow diagram.
struct FlowBox {
    x: f64,
    y: f64,
    lines: Vec<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The CONSORT flow as an accessible SVG: assessed → excluded (by reason) →
/// randomised → each arm → take-up of the programme offer.
pub fn consort_svg(tr: Tr, consort: &Consort) -> String {
    let (width, box_width, box_height) = (640.0, 230.0, 64.0_f64);
    let count = |id: &str, n: i64| tr.t_args(id, &[("n", Arg::Number(n))]);
    let mut excluded = vec![count("consort-excluded", consort.excluded)];
    excluded.extend(
        consort
            .excluded_by_reason
            .iter()
            .map(|(code, n)| format!("· {}: {n}", tr.t(&format!("consort-reason-{code}")))),
    );
    let boxes = [
        FlowBox {
            x: 205.0,
            y: 10.0,
            lines: vec![
                count("consort-assessed", consort.assessed),
                count("consort-eligible-waiting", consort.eligible_not_randomised),
            ],
        },
        FlowBox {
            x: 400.0,
            y: 90.0,
            lines: excluded,
        },
        FlowBox {
            x: 205.0,
            y: 190.0,
            lines: vec![count("consort-randomised", consort.randomised)],
        },
        FlowBox {
            x: 40.0,
            y: 290.0,
            lines: vec![
                count("consort-programme", consort.programme),
                count("consort-took-up", consort.took_up),
                count("consort-declined", consort.declined),
                count(
                    "consort-no-answer",
                    consort.programme - consort.took_up - consort.declined,
                ),
            ],
        },
        FlowBox {
            x: 370.0,
            y: 290.0,
            lines: vec![count("consort-control", consort.control)],
        },
    ];
    let title = tr.t("consort-title");
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart consort\" role=\"img\" viewBox=\"0 0 {width} 390\" \
         aria-labelledby=\"consort-title\"><title id=\"consort-title\">{}</title>\
         <defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">\
         <path d=\"M0,0 L10,5 L0,10 z\" fill=\"#1d2b36\"/></marker></defs>",
        escape(&title)
    );
    let arrows = [
        (320.0, 74.0, 320.0, 190.0),
        (320.0, 122.0, 400.0, 122.0),
        (320.0, 254.0, 155.0, 290.0),
        (320.0, 254.0, 485.0, 290.0),
    ];
    for (x1, y1, x2, y2) in arrows {
        svg.push_str(&format!(
            "<line x1=\"{x1}\" y1=\"{y1}\" x2=\"{x2}\" y2=\"{y2}\" stroke=\"#1d2b36\" stroke-width=\"1.5\" marker-end=\"url(#arrow)\"/>"
        ));
    }
    for flow_box in &boxes {
        let height = box_height.max(22.0 + 18.0 * flow_box.lines.len() as f64);
        svg.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{box_width}\" height=\"{height}\" rx=\"4\" fill=\"#f4f7f9\" stroke=\"#2f6f8f\"/>",
            flow_box.x, flow_box.y
        ));
        for (i, line) in flow_box.lines.iter().enumerate() {
            svg.push_str(&format!(
                "<text x=\"{}\" y=\"{}\" font-size=\"13\" fill=\"#1d2b36\"{}>{}</text>",
                flow_box.x + 10.0,
                flow_box.y + 24.0 + 18.0 * i as f64,
                if i == 0 { " font-weight=\"bold\"" } else { "" },
                escape(line)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A balance row as shown: labels translated, the share in programme.
pub struct BalanceLine {
    pub label: String,
    pub programme: i64,
    pub control: i64,
    pub difference: i64,
}

#[derive(Template)]
#[template(path = "trials/page.html")]
pub struct TrialPageView {
    pub ctx: PageCtx,
    pub trial: TrialOverview,
    pub factors_label: String,
    /// Annotations and amendments in the ledger: (entry, what, reason, when, text matches the ledger).
    pub notes: Vec<(i64, String, String, String, bool)>,
    pub status_label: String,
    pub method_label: String,
    pub consort: Consort,
    pub reasons: Vec<(String, i64)>,
    pub flow: String,
    pub by_stratum: Vec<BalanceLine>,
    pub by_municipality: Vec<BalanceLine>,
    pub predictability: String,
    pub may_annotate: bool,
    pub notice: Notice,
}

fn balance_lines(
    rows: &[spire_store::ArmBalance],
    label: impl Fn(&str) -> String,
) -> Vec<BalanceLine> {
    rows.iter()
        .map(|row| BalanceLine {
            label: label(&row.label),
            programme: row.programme,
            control: row.control,
            difference: row.programme - row.control,
        })
        .collect()
}

fn percent(tr: Tr, share: f64) -> String {
    format!("{} %", tr.number(share * 100.0, 1))
}

pub async fn trial_page(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
) -> AppResult<Response> {
    Ok(render(
        &trial_page_view(&state, &context, &user, id, None).await?,
    ))
}

/// Outcome of an annotation, shown above the trial page: (is it an error, text).
type Notice = Option<(bool, String)>;

async fn trial_page_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    id: TrialId,
    notice: Notice,
) -> AppResult<TrialPageView> {
    let tr = Tr::new(context.lang);
    let trial = state.db().trial_overview(id).await?;
    let TrialReport {
        consort,
        by_stratum,
        by_municipality,
        predictability_share,
        predictability_chance,
    } = state.db().trial_report(id).await?;
    let names: std::collections::HashMap<String, String> = state
        .db()
        .list_municipalities()
        .await?
        .into_iter()
        .map(|m| (m.code.to_string(), m.name))
        .collect();
    Ok(TrialPageView {
        ctx: page_ctx(context, user, &format!("/trials/{id}")),
        notes: state
            .db()
            .trial_ledger_notes(id)
            .await?
            .into_iter()
            .map(|note| {
                let what = match note.annotated_index {
                    Some(index) => {
                        tr.t_args("ledger-note-annotation", &[("index", Arg::Number(index))])
                    }
                    None => tr.t_args(
                        "ledger-note-amendment",
                        &[("version", Arg::Number(note.design_version))],
                    ),
                };
                (
                    note.ledger_index,
                    what,
                    note.reason,
                    tr.datetime(note.unix_seconds),
                    note.matches_ledger,
                )
            })
            .collect(),
        factors_label: trial
            .factors
            .iter()
            .map(|f| factor_label(tr, f))
            .collect::<Vec<_>>()
            .join(", "),
        may_annotate: user.user.role() == Role::ProgrammeOffice,
        notice,
        reasons: consort
            .excluded_by_reason
            .iter()
            .map(|(code, n)| (tr.t(&format!("consort-reason-{code}")), *n))
            .collect(),
        flow: consort_svg(tr, &consort),
        by_stratum: balance_lines(&by_stratum, |s| stratum_label(tr, s, &names)),
        by_municipality: balance_lines(&by_municipality, |code| {
            names
                .get(code)
                .map(|name| format!("{name} ({code})"))
                .unwrap_or_else(|| code.to_string())
        }),
        predictability: if consort.randomised == 0 {
            tr.t("trial-predictability-none")
        } else {
            tr.t_args(
                "trial-predictability-text",
                &[
                    ("share", Arg::Text(percent(tr, predictability_share))),
                    ("chance", Arg::Text(percent(tr, predictability_chance))),
                ],
            )
        },
        status_label: tr.t(&format!("trial-status-{}", trial.status)),
        method_label: tr.t(&format!("trial-method-{}", trial.method)),
        consort,
        trial,
    })
}

#[derive(Deserialize)]
pub struct AnnotationForm {
    #[serde(default)]
    allocation_id: String,
    #[serde(default)]
    reason: String,
}

/// "Allocated in error": the programme office adds an annotation entry to the
/// ledger. The allocation stays, its slot is never reused.
pub async fn annotate(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(form): Form<AnnotationForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let field_error =
        |field, problem| AppError::invalid(vec![spire_domain::FieldError::new(field, problem)]);
    // The reason goes into the permanent ledger: never a CPR number.
    let annotated = match form.allocation_id.trim().parse::<i64>() {
        _ if form.allocation_id.trim().is_empty() => Err(field_error(
            "allocation_id",
            spire_domain::Problem::Required,
        )),
        _ if spire_domain::contains_cpr(&form.reason) => {
            Err(field_error("reason", spire_domain::Problem::ContainsCpr))
        }
        Ok(allocation_id) => state
            .db()
            .annotate_allocation(
                &user.scope(&context),
                state.key(),
                id,
                AllocationId::new(allocation_id),
                &form.reason,
            )
            .await
            .map_err(AppError::from),
        Err(_) => Err(AppError::not_found()),
    };
    let (status, notice) = match annotated {
        Ok(index) => (
            StatusCode::OK,
            (
                false,
                tr.t_args("annotation-recorded", &[("index", Arg::Number(index))]),
            ),
        ),
        Err(AppError(ErrorKind::NotFound)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, tr.t("annotation-no-allocation")),
        ),
        Err(AppError(ErrorKind::Invalid(errors))) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (true, tr.field_error(&errors[0])),
        ),
        Err(other) => return Err(other),
    };
    let view = trial_page_view(&state, &context, &user, id, Some(notice)).await?;
    Ok((status, render(&view)).into_response())
}

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
struct SealedIntake {
    user_id: i64,
    trial_id: i64,
    expires_at: i64,
    form: IntakeForm,
    strata: Vec<(String, String)>,
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
    },
    /// The original allocation and its arm in the user's language.
    /// With the stored name when the youth belongs to the caseworker's
    /// municipality (then the receipt can be opened), else `None`.
    AlreadyRandomised(Receipt, String, Option<String>),
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
    pub has_errors: bool,
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
}

fn options(tr: Tr, codes: &[&str], prefix: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), tr.t("choose")))
        .chain(codes.iter().map(|code| {
            (
                code.to_string(),
                tr.t(&format!("{prefix}{}", code.replace('_', "-"))),
            )
        }))
        .collect()
}

fn intake_fields(
    tr: Tr,
    trial: &TrialOverview,
    form: &IntakeForm,
    strata: &[(String, String)],
    messages: &FieldMessages,
) -> Vec<FormField> {
    let benefits: Vec<&str> = Benefit::ALL.iter().map(|b| b.code()).collect();
    let readiness: Vec<&str> = Readiness::ALL.iter().map(|r| r.code()).collect();
    let mut fields = vec![
        // The CPR value is never written back into the page.
        FormField::new(tr, "cpr", "text", "", messages)
            .required()
            .hint(tr.t("hint-cpr")),
        FormField::new(tr, "first_name", "text", &form.first_name, messages)
            .required()
            .autocomplete("given-name"),
        FormField::new(tr, "last_name", "text", &form.last_name, messages)
            .required()
            .autocomplete("family-name"),
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
    ];
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
fn read_form(pairs: &[(String, String)]) -> (IntakeForm, Vec<(String, String)>) {
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

fn intake_fields_for_api(
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
async fn intake_page(
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
        has_errors: false,
        result: None,
    }))
}

/// The screening sealed into the confirmation form, if it is this user's,
/// for this trial, and not expired.
fn unseal(
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
            let result = if let Some(original) = screening.existing {
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
        has_errors: !messages.is_empty(),
        trial,
        result,
    };
    Ok((status, render(&view)).into_response())
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    token: String,
}

pub async fn intake_confirm(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(confirm): Form<ConfirmForm>,
) -> AppResult<Response> {
    let sealed = unseal(&state, &user, id, &confirm.token)?;
    let fields = intake_fields_for_api(&sealed.form, &sealed.strata, user.user.municipality_code);
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
        Randomisation::NotEligible(reasons) => {
            let view = TrialIntakeView {
                ctx: page_ctx(&context, &user, &format!("/trials/{id}/intake")),
                fields: intake_fields(
                    tr,
                    &trial,
                    &sealed.form,
                    &sealed.strata,
                    &FieldMessages::default(),
                ),
                has_errors: false,
                trial,
                result: Some(ScreeningResult::NotEligible(
                    reasons.iter().map(|r| tr.t(r.message_id())).collect(),
                )),
            };
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
        }
    };
    let status = if original {
        StatusCode::CONFLICT
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
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
            trial,
            receipt,
            original,
            reprint: false,
        }),
    )
        .into_response())
}

/// An allocation's receipt again, to print it later: for caseworkers of the
/// youth's municipality (anyone else: 404).
pub async fn receipt_page(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, allocation)): Path<(String, String)>,
) -> AppResult<Response> {
    let id = TrialId::new(params::path_id(&id)?);
    let allocation_id = AllocationId::new(params::path_id(&allocation)?);
    let (receipt, youth_name) = state
        .db()
        .trial_receipt_in_scope(&caller.scope(), id, allocation_id)
        .await?;
    let trial = state.db().trial_overview(id).await?;
    let tr = caller.tr();
    Ok(render(&TrialReceiptView {
        ctx: caller.page(&format!("/trials/{id}/allocations/{allocation_id}")),
        arm_label: tr.t(&format!("arm-{}", receipt.arm)),
        stratum_label: stratum_label(tr, &receipt.stratum, &municipality_names(&state).await?),
        youth_name,
        trial,
        receipt,
        original: false,
        reprint: true,
    })
    .into_response())
}

#[derive(Template)]
#[template(path = "trials/take_up.html")]
pub struct TrialTakeUpView {
    pub ctx: PageCtx,
    pub trial: TrialOverview,
    pub pending: Vec<PendingTakeUp>,
    pub today: String,
    pub message: Option<String>,
    pub error: Option<String>,
    /// The offer whose answer was refused, with the date as typed: the error
    /// is shown on that row and the date kept.
    pub refused: Option<(i64, String)>,
}

impl TrialTakeUpView {
    fn date_for(&self, allocation_id: &i64) -> &str {
        match &self.refused {
            Some((id, typed)) if id == allocation_id => typed,
            _ => &self.today,
        }
    }

    fn is_refused(&self, allocation_id: &i64) -> bool {
        self.refused
            .as_ref()
            .is_some_and(|(id, _)| id == allocation_id)
    }
}

async fn take_up_view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    trial_id: TrialId,
    message: Option<String>,
    error: Option<String>,
) -> AppResult<TrialTakeUpView> {
    let trial = state.db().trial_overview(trial_id).await?;
    let pending = state
        .db()
        .pending_take_up(&user.scope(context), trial_id)
        .await?;
    Ok(TrialTakeUpView {
        ctx: page_ctx(context, user, &format!("/trials/{trial_id}/take-up")),
        trial,
        pending,
        today: time::OffsetDateTime::now_utc().date().to_string(),
        message,
        error,
        refused: None,
    })
}

/// The programme offers of the caseworker's municipality awaiting an answer.
pub async fn take_up_list(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
) -> AppResult<Response> {
    Ok(render(
        &take_up_view(&state, &context, &user, id, None, None).await?,
    ))
}

#[derive(Deserialize)]
pub struct TakeUpForm {
    #[serde(default)]
    allocation_id: String,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    decided_on: String,
}

pub async fn take_up_record(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    PathId(id): PathId<TrialId>,
    Form(form): Form<TakeUpForm>,
) -> AppResult<Response> {
    let tr = Tr::new(context.lang);
    let allocation_id = form.allocation_id.trim().parse::<i64>().map_err(|_| {
        AppError::invalid(vec![spire_domain::FieldError::new(
            "allocation_id",
            spire_domain::Problem::Required,
        )])
    })?;
    let accepted = match form.answer.as_str() {
        "accepted" => true,
        "declined" => false,
        _ => {
            return Err(AppError::invalid(vec![spire_domain::FieldError::new(
                "answer",
                spire_domain::Problem::Required,
            )]));
        }
    };
    let decided_on = time::Date::parse(
        form.decided_on.trim(),
        &time::format_description::well_known::Iso8601::DATE,
    );
    // The answer is given on or after the allocation, and not in the future.
    let pending = state
        .db()
        .pending_take_up(&user.scope(&context), id)
        .await?;
    let offer = pending.iter().find(|p| p.allocation_id == allocation_id);
    let today = time::OffsetDateTime::now_utc().date();
    let allocated_on = offer.and_then(|p| {
        time::OffsetDateTime::from_unix_timestamp(p.allocated_at)
            .ok()
            .map(|t| t.date())
    });
    let date_problem = match decided_on {
        Err(_) => Some(spire_domain::Problem::Required),
        Ok(date) if date > today => Some(spire_domain::Problem::DateInFuture),
        Ok(date) if allocated_on.is_some_and(|allocated| date < allocated) => {
            Some(spire_domain::Problem::DateBeforeAllocation)
        }
        Ok(_) => None,
    };
    let who = offer
        .map(|p| format!("{} {}", p.first_name, p.last_name))
        .unwrap_or_default();
    let decided_on = match (decided_on, date_problem) {
        (Ok(date), None) => date,
        (_, problem) => {
            let problem = problem.unwrap_or(spire_domain::Problem::Required);
            let mut view = take_up_view(
                &state,
                &context,
                &user,
                id,
                None,
                Some(format!("{who}: {}", tr.t(problem.message_id()))),
            )
            .await?;
            view.refused = Some((allocation_id, form.decided_on.trim().to_string()));
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&view)).into_response());
        }
    };
    let recorded = state
        .db()
        .record_take_up(
            &user.scope(&context),
            state.key(),
            id,
            AllocationId::new(allocation_id),
            accepted,
            decided_on,
        )
        .await;
    let (status, message, error) = match recorded {
        Ok(_) => (
            StatusCode::OK,
            Some(tr.t_args(
                if accepted {
                    "take-up-recorded-accepted"
                } else {
                    "take-up-recorded-declined"
                },
                &[("name", Arg::Text(who))],
            )),
            None,
        ),
        Err(spire_store::Error::Invalid(field)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            None,
            Some(tr.t(field.problem.message_id())),
        ),
        Err(other) => return Err(other.into()),
    };
    let view = take_up_view(&state, &context, &user, id, message, error).await?;
    Ok((status, render(&view)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn the_flow_diagram_shows_every_count_and_escapes_text() {
        let consort = Consort {
            assessed: 120,
            excluded: 20,
            excluded_by_reason: vec![("too_old".into(), 12), ("has_qualification".into(), 9)],
            eligible_not_randomised: 0,
            randomised: 100,
            programme: 51,
            control: 49,
            took_up: 40,
            declined: 6,
        };
        let svg = consort_svg(Tr::new(Lang::En), &consort);
        for figure in ["120", "20", "12", "9", "100", "51", "49", "40", "6"] {
            assert!(svg.contains(figure), "{figure} missing");
        }
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"consort-title\">"));
        assert!(!svg.contains("consort-reason-"), "every reason has a text");
    }

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
