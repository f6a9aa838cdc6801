//! Opening a trial from the browser (the programme office): name, id, target
//! size, method and ratio, stratification factors (built in or custom fields),
//! and eligibility. Opening shows the commitment on the trial page. Block
//! sizes, minimisation weights and its probability keep their defaults here;
//! `spire trial create --design FILE.toml` sets them all.

use crate::http::context::RequestContext;
use crate::http::context::{Caller, CurrentUser};
use crate::http::error::{AppError, AppResult};
use crate::http::state::AppState;
use crate::i18n::Tr;
use crate::ui::fields::FieldMessages;
use crate::ui::page::{PageCtx, render};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::Form;
use spire_domain::{Benefit, FieldError, Problem};
use spire_store::{BUILT_IN_FACTORS, CustomFactor, NewTrial, TrialSettings, is_token};
use spire_trial::{Design, Imbalance, Method, Probability, Ratio};

/// The new-trial form as typed: every field as text, the check boxes as lists
/// (a repeated key), so a refused form comes back exactly as it was sent.
#[derive(Default, serde::Deserialize)]
#[serde(default)]
pub struct TrialForm {
    public_id: String,
    name: String,
    target_size: String,
    ratio_programme: String,
    ratio_control: String,
    min_age: String,
    max_age: String,
    method: String,
    factors: Vec<String>,
    custom_factors: String,
    benefits: Vec<String>,
    municipalities: Vec<String>,
    require_no_qualification: String,
}

impl TrialForm {
    fn trimmed(list: &[String]) -> Vec<String> {
        list.iter().map(|v| v.trim().to_string()).collect()
    }
}

const METHODS: [&str; 3] = ["stratified_blocks", "minimisation", "complete"];

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "trials/new.html")]
pub struct TrialNewView {
    pub ctx: PageCtx,
    pub errors: FieldMessages,
    pub public_id: String,
    pub name: String,
    pub target_size: String,
    pub ratio_programme: String,
    pub ratio_control: String,
    pub min_age: String,
    pub max_age: String,
    pub custom_factors: String,
    pub custom_factors_max: usize,
    pub require_no_qualification: bool,
    pub methods: Vec<Choice>,
    pub factors: Vec<Choice>,
    pub benefits: Vec<Choice>,
    pub municipalities: Vec<Choice>,
}

/// "school: none, started" per line → custom stratification fields.
/// The longest list of the trial's own stratification fields.
pub const CUSTOM_FACTORS_MAX: usize = 2000;

fn parse_custom_factors(text: &str) -> Result<Vec<CustomFactor>, FieldError> {
    if text.chars().count() > CUSTOM_FACTORS_MAX {
        return Err(FieldError::new("custom_factors", Problem::TooLong)
            .with("max", CUSTOM_FACTORS_MAX as i64));
    }
    let refuse = FieldError::new("custom_factors", Problem::FactorFormat);
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(|line| {
            let (name, levels) = line.split_once(':').ok_or(refuse.clone())?;
            let name = name.trim().to_string();
            let levels: Vec<String> = levels
                .split(',')
                .map(|l| l.trim().to_string())
                .filter(|l| !l.is_empty())
                .collect();
            let valid = is_token(&name)
                && !BUILT_IN_FACTORS.contains(&name.as_str())
                && levels.len() >= 2
                && levels.iter().all(|l| is_token(l));
            if valid {
                Ok(CustomFactor { name, levels })
            } else {
                Err(refuse.clone())
            }
        })
        .collect()
}

/// The form → the trial to open; every field's problem at once.
fn parse_trial(
    form: &TrialForm,
    known_municipalities: &[i64],
) -> Result<NewTrial, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut refuse = |field, problem| errors.push(FieldError::new(field, problem));
    let public_id = form.public_id.trim().to_string();
    if public_id.is_empty() {
        refuse("public_id", Problem::Required);
    } else if !is_token(&public_id) {
        refuse("public_id", Problem::TrialIdFormat);
    }
    let name = form.name.trim().to_string();
    if name.is_empty() {
        refuse("name", Problem::Required);
    } else if name.chars().count() > 200 {
        refuse("name", Problem::TooLong);
    }
    let number = |text: &str, range: std::ops::RangeInclusive<i64>| {
        text.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| range.contains(n))
    };
    let target_size = number(&form.target_size, 1..=1_000_000);
    if form.target_size.trim().is_empty() {
        refuse("target_size", Problem::Required);
    } else if target_size.is_none() {
        refuse("target_size", Problem::TargetRange);
    }
    let ratio = (
        number(&form.ratio_programme, 1..=10),
        number(&form.ratio_control, 1..=10),
    );
    if ratio.0.is_none() || ratio.1.is_none() {
        refuse("ratio", Problem::RatioRange);
    }
    let (min_age, max_age) = (
        number(&form.min_age, 15..=40),
        number(&form.max_age, 15..=40),
    );
    if min_age.is_none() || max_age.is_none() || min_age > max_age {
        refuse("age", Problem::AgeRange);
    }
    let benefits = TrialForm::trimmed(&form.benefits);
    if benefits.is_empty() {
        refuse("benefits", Problem::ChooseAtLeastOne);
    } else if benefits.iter().any(|b| Benefit::from_code(b).is_none()) {
        refuse("benefits", Problem::UnknownBenefit);
    }
    let municipalities: Vec<i64> = TrialForm::trimmed(&form.municipalities)
        .iter()
        .filter_map(|m| m.parse().ok())
        .collect();
    if municipalities
        .iter()
        .any(|m| !known_municipalities.contains(m))
    {
        refuse("municipalities", Problem::UnknownMunicipality);
    }
    let custom_factors = parse_custom_factors(form.custom_factors.trim()).unwrap_or_else(|e| {
        refuse(e.field, e.problem);
        Vec::new()
    });
    // Every own field is stratified on, after the chosen built-in factors.
    let mut factors = TrialForm::trimmed(&form.factors);
    factors.extend(custom_factors.iter().map(|c| c.name.clone()));
    let known_factor = |f: &String| {
        BUILT_IN_FACTORS.contains(&f.as_str()) || custom_factors.iter().any(|c| &c.name == f)
    };
    if !factors.iter().all(known_factor) {
        refuse("factors", Problem::UnknownStratumLevel);
    }
    let method = match form.method.trim() {
        "complete" => Some(Method::Complete),
        "stratified_blocks" => Some(Method::StratifiedBlocks {
            block_multiples: vec![1, 2, 3],
        }),
        "minimisation" if factors.is_empty() => {
            refuse("factors", Problem::Required);
            None
        }
        "minimisation" => Some(Method::Minimisation {
            weights: vec![1; factors.len()],
            imbalance: Imbalance::Range,
            preferred_probability: Probability::DEFAULT_PREFERRED,
        }),
        _ => {
            refuse("method", Problem::OutOfRange);
            None
        }
    };
    match (
        errors.is_empty(),
        method,
        target_size,
        ratio,
        min_age,
        max_age,
    ) {
        (
            true,
            Some(method),
            Some(target_size),
            (Some(programme), Some(control)),
            Some(min_age),
            Some(max_age),
        ) => Ok(NewTrial {
            name,
            target_size,
            design: Design {
                trial_id: public_id,
                version: 1,
                ratio: Ratio {
                    programme: programme as u32,
                    control: control as u32,
                },
                factors,
                method,
            },
            settings: TrialSettings {
                min_age: min_age as i32,
                max_age: max_age as i32,
                benefits,
                require_no_qualification: form.require_no_qualification.trim() == "yes",
                municipalities,
                custom_factors,
            },
        }),
        _ => Err(errors),
    }
}

async fn view(
    state: &AppState,
    context: &RequestContext,
    user: &CurrentUser,
    form: Option<&TrialForm>,
    errors: &[FieldError],
) -> AppResult<TrialNewView> {
    let tr = Tr::new(context.lang);
    let defaults = TrialSettings::default();
    let typed = |field: fn(&TrialForm) -> &String, default: String| match form {
        Some(form) => field(form).trim().to_string(),
        None => default,
    };
    let chosen = |field: fn(&TrialForm) -> Vec<String>, default: &[String]| match form {
        Some(form) => field(form),
        None => default.to_vec(),
    };
    let options = |items: Vec<(String, String)>, selected: Vec<String>| {
        items
            .into_iter()
            .map(|(value, label)| Choice {
                selected: selected.contains(&value),
                value,
                label,
            })
            .collect::<Vec<_>>()
    };
    let municipalities = state.db().list_municipalities().await?;
    Ok(TrialNewView {
        ctx: PageCtx::for_user(tr, user, "/trials"),
        errors: FieldMessages::from_errors(tr, errors),
        public_id: typed(|f| &f.public_id, String::new()),
        name: typed(|f| &f.name, String::new()),
        target_size: typed(|f| &f.target_size, "1200".into()),
        ratio_programme: typed(|f| &f.ratio_programme, "1".into()),
        ratio_control: typed(|f| &f.ratio_control, "1".into()),
        min_age: typed(|f| &f.min_age, defaults.min_age.to_string()),
        max_age: typed(|f| &f.max_age, defaults.max_age.to_string()),
        custom_factors: typed(|f| &f.custom_factors, String::new()),
        custom_factors_max: CUSTOM_FACTORS_MAX,
        require_no_qualification: match form {
            Some(form) => form.require_no_qualification.trim() == "yes",
            None => defaults.require_no_qualification,
        },
        methods: options(
            METHODS
                .iter()
                .map(|m| (m.to_string(), tr.t(&format!("trial-method-{m}"))))
                .collect(),
            chosen(
                |f| vec![f.method.trim().to_string()],
                &["stratified_blocks".to_string()],
            ),
        ),
        factors: options(
            BUILT_IN_FACTORS
                .iter()
                .map(|f| (f.to_string(), super::labels::factor_label(tr, f)))
                .collect(),
            chosen(
                |f| TrialForm::trimmed(&f.factors),
                &["municipality".to_string(), "age_band".to_string()],
            ),
        ),
        benefits: options(
            ["kontanthjaelp", "uddannelseshjaelp", "other"]
                .iter()
                .map(|b| (b.to_string(), tr.t(&format!("benefit-{b}"))))
                .collect(),
            chosen(|f| TrialForm::trimmed(&f.benefits), &defaults.benefits),
        ),
        municipalities: options(
            municipalities
                .iter()
                .map(|m| (m.code.to_string(), format!("{} ({})", m.name, m.code)))
                .collect(),
            chosen(|f| TrialForm::trimmed(&f.municipalities), &[]),
        ),
    })
}

pub async fn new_trial_form(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
) -> AppResult<Response> {
    Ok(render(&view(&state, &context, &user, None, &[]).await?))
}

pub async fn create_trial(
    State(state): State<AppState>,
    Caller { context, user }: Caller,
    Form(form): Form<TrialForm>,
) -> AppResult<Response> {
    let known: Vec<i64> = state
        .db()
        .list_municipalities()
        .await?
        .iter()
        .map(|m| m.code)
        .collect();
    let mut errors = match parse_trial(&form, &known) {
        Ok(trial) => {
            let taken = match state
                .db()
                .trial_id_by_public_id(&trial.design.trial_id)
                .await
            {
                Ok(_) => true,
                Err(spire_store::Error::NotFound) => false,
                Err(other) => return Err(other.into()),
            };
            if taken {
                vec![FieldError::new("public_id", Problem::TrialIdTaken)]
            } else {
                match state
                    .db()
                    .create_trial(state.key(), &trial, Some(user.user.id))
                    .await
                {
                    Ok(opened) => {
                        return Ok(Redirect::to(&format!("/trials/{}", opened.id)).into_response());
                    }
                    // The form's checks cover the design rules; anything left is the method's.
                    Err(spire_store::Error::InvalidTrial(reason)) => {
                        tracing::info!(%reason, "trial refused");
                        vec![FieldError::new("method", Problem::OutOfRange)]
                    }
                    Err(other) => return Err(AppError::from(other)),
                }
            }
        }
        Err(errors) => errors,
    };
    errors.dedup();
    let page = view(&state, &context, &user, Some(&form), &errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
}
