//! The events' forms (the same fields in the API) and their parsing: every
//! problem of a form at once, each at its field.

use crate::http::params::{collect, required_id, whole_number};
use serde::Deserialize;
use spire_domain::event::{CallOutcome, PLACES_MAX, ROUNDS_MAX, TABLES_MAX};
use spire_domain::internship::{parse_date, parse_hours};
use spire_domain::network::parse_time;
use spire_domain::{CompanyId, FieldError, Problem, YouthId};
use spire_store::{CallUpdate, NewEvent, NewInternship, SeatMove};
use utoipa::ToSchema;

pub use spire_domain::event::{CALL_NOTE_MAX, OVERRIDE_REASON_MAX, PLACE_MAX, TITLE_MAX};
pub use spire_domain::internship::FUNCTION_MAX;

/// An event as planned.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = NewEvent)]
pub struct EventForm {
    #[serde(default)]
    #[schema(required = true, max_length = 120)]
    pub title: String,
    #[serde(default)]
    #[schema(required = true)]
    pub date: String,
    /// "13:00", on the wall clock in Copenhagen.
    #[serde(default)]
    #[schema(required = true)]
    pub start_time: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub place: String,
    /// 1 to 12.
    #[serde(default)]
    #[schema(required = true)]
    pub rounds: String,
    /// How many companies each youth meets, at most the rounds.
    #[serde(default)]
    #[schema(required = true)]
    pub meetings_per_youth: String,
    /// The last day youth rank and companies mark; on or after the event.
    #[serde(default)]
    #[schema(required = true)]
    pub ranking_deadline: String,
    /// A staff member of the municipality who facilitates (may be empty).
    #[serde(default)]
    pub facilitator_id: String,
}

/// A company invited, with the representatives (tables) asked for.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = EventInvitation)]
pub struct InviteForm {
    #[serde(default)]
    #[schema(required = true)]
    pub company_id: String,
    /// 1 to 5.
    #[serde(default)]
    #[schema(required = true)]
    pub tables: String,
}

/// A company's answer: `yes` with its tables, or `no`. Staff give the company.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = EventAnswer)]
pub struct AnswerForm {
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    #[schema(required = true)]
    pub accept: String,
    #[serde(default)]
    pub tables: String,
}

/// A youth at the event, hosting (`yes`) or not.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = EventYouth)]
pub struct EventYouthForm {
    #[serde(default)]
    #[schema(required = true)]
    pub youth_id: String,
    #[serde(default)]
    pub host: String,
}

/// A seat moved by hand: the youth sits at the company's table in the round
/// (rounds and tables count from 1). `accept_breaks` = `yes` saves a move
/// the check found problems with.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = SeatMove)]
pub struct MoveForm {
    #[serde(default)]
    #[schema(required = true)]
    pub youth_id: String,
    #[serde(default)]
    #[schema(required = true)]
    pub round: String,
    #[serde(default)]
    #[schema(required = true)]
    pub company_id: String,
    #[serde(default)]
    #[schema(required = true)]
    pub table: String,
    #[serde(default)]
    pub accept_breaks: String,
}

/// A result given by hand: another company (empty: none), always with a reason.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = MatchOverride)]
pub struct OverrideForm {
    #[serde(default)]
    #[schema(required = true)]
    pub youth_id: String,
    #[serde(default)]
    pub company_id: String,
    #[serde(default)]
    #[schema(required = true, max_length = 500)]
    pub reason: String,
}

/// A youth's order of the companies they met, best first (API).
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = EventRanking)]
pub struct RankingBody {
    /// Staff entering a youth's ranking; a youth leaves it out.
    #[serde(default)]
    pub youth_id: Option<i64>,
    #[serde(default)]
    pub companies: Vec<i64>,
}

/// Whom a company would welcome, best first, and its places (API).
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = EventMarks)]
pub struct MarksBody {
    /// Staff entering a company's marks; a contact leaves it out.
    #[serde(default)]
    pub company_id: Option<i64>,
    #[serde(default)]
    pub youth: Vec<i64>,
    /// 0 to 20.
    #[serde(default)]
    pub places: i64,
}

/// What came of a call; `agreed` plans the internship from the other fields.
#[derive(Default, Clone, Deserialize, ToSchema)]
#[schema(as = CallRecord)]
pub struct CallForm {
    /// `reached`, `not_reached` or `agreed`.
    #[serde(default)]
    #[schema(required = true)]
    pub outcome: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub note: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub function: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub hours_per_week: String,
}

/// Logging in with a one-time code.
#[derive(Default, Clone, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
}

fn optional_id(
    field: &'static str,
    text: &str,
    problem: Problem,
) -> Result<Option<i64>, FieldError> {
    if text.trim().is_empty() {
        Ok(None)
    } else {
        required_id(field, text, problem).map(Some)
    }
}

pub fn yes_no(field: &'static str, text: &str) -> Result<bool, FieldError> {
    crate::company_network::forms::yes_no(field, text)
}

pub fn parse_event(form: &EventForm) -> Result<NewEvent, Vec<FieldError>> {
    let mut errors = Vec::new();
    let date = collect(&mut errors, parse_date("date", &form.date));
    let time = collect(&mut errors, parse_time("start_time", &form.start_time));
    let rounds = collect(
        &mut errors,
        whole_number("rounds", &form.rounds, 1, ROUNDS_MAX),
    );
    let meetings = collect(
        &mut errors,
        whole_number(
            "meetings_per_youth",
            &form.meetings_per_youth,
            1,
            ROUNDS_MAX,
        ),
    );
    let deadline = collect(
        &mut errors,
        parse_date("ranking_deadline", &form.ranking_deadline),
    );
    let facilitator = collect(
        &mut errors,
        optional_id(
            "facilitator_id",
            &form.facilitator_id,
            Problem::UnknownConsultant,
        ),
    );
    if form.title.trim().is_empty() {
        errors.push(FieldError::new("title", Problem::Required));
    }
    match (date, time, rounds, meetings, deadline, facilitator) {
        (Some(date), Some(time), Some(rounds), Some(meetings), Some(deadline), Some(f))
            if errors.is_empty() =>
        {
            Ok(NewEvent {
                title: form.title.clone(),
                date,
                time,
                place: form.place.clone(),
                rounds,
                meetings_per_youth: meetings,
                ranking_deadline: deadline,
                facilitators: f.into_iter().collect(),
            })
        }
        _ => Err(errors),
    }
}

pub fn parse_invite(form: &InviteForm) -> Result<(CompanyId, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let company = collect(
        &mut errors,
        required_id("company_id", &form.company_id, Problem::UnknownCompany),
    );
    let tables = collect(
        &mut errors,
        whole_number("tables", &form.tables, 1, TABLES_MAX),
    );
    match (company, tables) {
        (Some(c), Some(t)) => Ok((CompanyId::new(c), t)),
        _ => Err(errors),
    }
}

/// (company for staff, accept, tables)
pub fn parse_answer(form: &AnswerForm) -> Result<(Option<CompanyId>, bool, i64), Vec<FieldError>> {
    let mut errors = Vec::new();
    let company = collect(
        &mut errors,
        optional_id("company_id", &form.company_id, Problem::UnknownCompany),
    );
    let accept = collect(&mut errors, yes_no("accept", &form.accept));
    let tables = if accept == Some(true) {
        collect(
            &mut errors,
            whole_number("tables", &form.tables, 1, TABLES_MAX),
        )
    } else {
        Some(1)
    };
    match (company, accept, tables) {
        (Some(c), Some(a), Some(t)) => Ok((c.map(CompanyId::new), a, t)),
        _ => Err(errors),
    }
}

pub fn parse_event_youth(form: &EventYouthForm) -> Result<(YouthId, bool), Vec<FieldError>> {
    let mut errors = Vec::new();
    let youth = collect(
        &mut errors,
        required_id("youth_id", &form.youth_id, Problem::UnknownYouth),
    );
    let host = if form.host.trim().is_empty() {
        Some(false)
    } else {
        collect(&mut errors, yes_no("host", &form.host))
    };
    match (youth, host) {
        (Some(y), Some(h)) => Ok((YouthId::new(y), h)),
        _ => Err(errors),
    }
}

pub fn parse_move(form: &MoveForm) -> Result<(SeatMove, bool), Vec<FieldError>> {
    let mut errors = Vec::new();
    let youth = collect(
        &mut errors,
        required_id("youth_id", &form.youth_id, Problem::UnknownYouth),
    );
    let round = collect(
        &mut errors,
        whole_number("round", &form.round, 1, ROUNDS_MAX),
    );
    let company = collect(
        &mut errors,
        required_id("company_id", &form.company_id, Problem::UnknownCompany),
    );
    let table = collect(
        &mut errors,
        whole_number("table", &form.table, 1, TABLES_MAX),
    );
    let accept = form.accept_breaks.trim() == "yes";
    match (youth, round, company, table) {
        (Some(y), Some(r), Some(c), Some(t)) => Ok((
            SeatMove {
                youth: YouthId::new(y),
                round: r,
                company: CompanyId::new(c),
                table: t,
            },
            accept,
        )),
        _ => Err(errors),
    }
}

pub fn parse_override(
    form: &OverrideForm,
) -> Result<(YouthId, Option<CompanyId>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let youth = collect(
        &mut errors,
        required_id("youth_id", &form.youth_id, Problem::UnknownYouth),
    );
    let company = collect(
        &mut errors,
        optional_id("company_id", &form.company_id, Problem::UnknownCompany),
    );
    if form.reason.trim().is_empty() {
        errors.push(FieldError::new("reason", Problem::Required));
    }
    match (youth, company) {
        (Some(y), Some(c)) if errors.is_empty() => Ok((YouthId::new(y), c.map(CompanyId::new))),
        _ => Err(errors),
    }
}

/// An order typed as one number per item: fields `rank_<id>` = "1", "2"…;
/// empty leaves the item out. Two items with one number is refused.
pub fn parse_order(
    field: &'static str,
    pairs: &[(String, String)],
) -> Result<Vec<i64>, Vec<FieldError>> {
    let mut ranked: Vec<(i64, i64)> = Vec::new();
    for (name, value) in pairs {
        let Some(id) = name.strip_prefix("rank_") else {
            continue;
        };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let (Ok(id), Ok(rank)) = (id.parse::<i64>(), value.parse::<i64>()) else {
            return Err(vec![FieldError::new(field, Problem::WholeNumber)]);
        };
        if ranked.iter().any(|(_, r)| *r == rank) {
            return Err(vec![FieldError::new(field, Problem::ChosenTwice)]);
        }
        ranked.push((id, rank));
    }
    ranked.sort_by_key(|(_, rank)| *rank);
    Ok(ranked.into_iter().map(|(id, _)| id).collect())
}

pub fn parse_places(pairs: &[(String, String)]) -> Result<i64, Vec<FieldError>> {
    let text = pairs
        .iter()
        .find(|(name, _)| name == "places")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    whole_number("places", text, 0, PLACES_MAX).map_err(|e| vec![e])
}

pub fn parse_call(form: &CallForm) -> Result<CallUpdate, Vec<FieldError>> {
    let mut errors = Vec::new();
    let outcome = match form.outcome.trim() {
        "" => {
            errors.push(FieldError::new("outcome", Problem::Required));
            None
        }
        code => {
            let outcome = CallOutcome::parse(code);
            if outcome.is_none() {
                errors.push(FieldError::new("outcome", Problem::UnknownChoice));
            }
            outcome
        }
    };
    let internship = if outcome == Some(CallOutcome::Agreed) {
        let start = collect(&mut errors, parse_date("start_date", &form.start_date));
        let end = collect(&mut errors, parse_date("end_date", &form.end_date));
        let hours = collect(
            &mut errors,
            parse_hours("hours_per_week", &form.hours_per_week),
        );
        if form.function.trim().is_empty() {
            errors.push(FieldError::new("function", Problem::Required));
        }
        match (start, end, hours) {
            (Some(start), Some(end), Some(hours)) => Some(NewInternship {
                youth: YouthId::new(1),
                company: CompanyId::new(1),
                contact_id: None,
                function: form.function.trim().to_string(),
                start,
                end,
                hours_per_week: hours,
                schedule: String::new(),
            }),
            _ => None,
        }
    } else {
        None
    };
    match outcome {
        Some(outcome) if errors.is_empty() => Ok(CallUpdate {
            outcome,
            note: form.note.clone(),
            internship,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_is_read_from_one_number_per_item() {
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            parse_order(
                "companies",
                &pairs(&[
                    ("rank_7", "2"),
                    ("rank_3", "1"),
                    ("rank_9", ""),
                    ("csrf", "x")
                ])
            ),
            Ok(vec![3, 7])
        );
        let twice =
            parse_order("companies", &pairs(&[("rank_7", "1"), ("rank_3", "1")])).unwrap_err();
        assert_eq!(twice[0].problem, Problem::ChosenTwice);
        let word = parse_order("companies", &pairs(&[("rank_7", "first")])).unwrap_err();
        assert_eq!(word[0].problem, Problem::WholeNumber);
    }

    #[test]
    fn an_agreed_call_needs_the_internship_and_says_every_missing_field() {
        let form = CallForm {
            outcome: "agreed".into(),
            ..CallForm::default()
        };
        let fields: Vec<_> = parse_call(&form)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            ["start_date", "end_date", "hours_per_week", "function"]
        );
        let reached = CallForm {
            outcome: "reached".into(),
            ..CallForm::default()
        };
        assert!(parse_call(&reached).unwrap().internship.is_none());
        let unknown = CallForm {
            outcome: "maybe".into(),
            ..CallForm::default()
        };
        assert_eq!(
            parse_call(&unknown).unwrap_err()[0].problem,
            Problem::UnknownChoice
        );
    }
}
