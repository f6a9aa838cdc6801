//! Field-level validation results. Messages are keys, translated by the web
//! layer (Fluent), so the domain stays language-free.

/// The longest value, in characters, of the fields people type most: the
/// server refuses longer (`TooLong`), the forms say it before sending
/// (`maxlength`), and the API's schema gives the same `maxLength`.
pub mod limits {
    pub const PERSON_NAME: usize = 100;
    pub const EMAIL: usize = 254;
    pub const PHONE: usize = 20;
    /// A CPR or CVR number as typed, separators and all.
    pub const TYPED_NUMBER: usize = 20;
    pub const COMPANY_NAME: usize = 200;
    pub const INDUSTRY: usize = 100;
    pub const ADDRESS: usize = 300;
    pub const LOGIN: usize = 64;
    pub const DISPLAY_NAME: usize = 100;
    /// A young person's interests or strengths, comma-separated.
    pub const PORTFOLIO: usize = 500;
}

/// Why a value was refused. Each variant maps to one Fluent message id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    Required,
    /// A list of choices where at least one must be ticked.
    ChooseAtLeastOne,
    TooLong,
    CprFormat,
    CprDate,
    CvrFormat,
    CvrChecksum,
    EmailFormat,
    PhoneFormat,
    UnknownMunicipality,
    UnknownRole,
    LoginTaken,
    PasswordTooShort,
    CprAlreadyRegistered,
    /// The CPR number belongs to a young person of another municipality
    /// (registered or randomised there); nothing more is told.
    CprElsewhere,
    /// Too many look-ups that found young people of other municipalities
    /// within a day; the team lead is told.
    CprLookupLimit,
    /// No token of the user's has this id.
    UnknownToken,
    CvrAlreadyRegistered,
    LoginFormat,
    RoleNeedsMunicipality,
    PageNumber,
    UnknownConsultant,
    UnknownBenefit,
    UnknownReadiness,
    UnknownStratumLevel,
    IdempotencyKeyReused,
    TrialClosed,
    TakeUpAlreadyRecorded,
    /// Drawn to the control group of an open trial: no direct way into the
    /// programme (only a crossover the team lead decides and records).
    TrialControlArm,
    /// Drawn to the programme: they enter by accepting the offer.
    TrialProgrammeArm,
    /// A trial is open here: a direct registration says why the young
    /// person is outside its target group.
    OutsideTrialReasonNeeded,
    /// "Outside the age band", but the CPR number's age is inside it.
    InsideTrialAgeBand,
    /// Outside the programme's age band (`age`, `min`, `max`).
    OutsideProgrammeAge,
    /// Already registered in the programme: a draw needs the programme's
    /// decision and its reason.
    AlreadyRegisteredDecisionNeeded,
    /// A crossover is for a control-arm allocation only.
    CrossoverNotControl,
    CrossoverAlreadyRecorded,
    OutcomeName,
    OutcomeHorizon,
    OutcomeTwice,
    UnknownCovariate,
    OutOfRange,
    PlanAlreadyLocked,
    PlanNotLocked,
    TrialIdFormat,
    TrialIdTaken,
    FactorFormat,
    AlphaRange,
    DrawsRange,
    MdeRange,
    WholeNumber,
    NotANumber,
    ConfirmLock,
    DateInFuture,
    DateBeforeAllocation,
    AgeRange,
    TargetRange,
    RatioRange,
    ContainsCpr,
    TransitionNotAllowed,
    HoursOverLimit,
    EndBeforeStart,
    OverLegalLimit,
    OverExtendedLimit,
    ExtensionNotLater,
    DateInvalid,
    OverlapsInternship,
    UnknownCompany,
    UnknownContact,
    CourseAlreadyOpen,
    NoOpenCourse,
    UnknownChoice,
    ProgressAlreadyRecorded,
    OpenInternships,
    SeriesTooLong,
    TimeInvalid,
    AlreadyFirst,
    AlreadyMovedUp,
    NotInGroup,
    AlreadyInGroup,
    MeetingCancelled,
    AlreadyInNetwork,
    UnknownYouth,
    GroupNameTaken,
    NotInNetwork,
    OverlapsMembership,
    MeetingHeld,
    MeetingPast,
    DateInPast,
    EventNotHeld,
    DeadlinePassed,
    NotInvited,
    NotAtEvent,
    NotMet,
    ChosenTwice,
    CallsRecorded,
    NoMatchYet,
    CallRecorded,
    GridCell,
    TooManyCards,
    /// A template line without a quarter K1–K4 first (`line`).
    TemplateQuarter,
    /// A template line without a title (`line`).
    TemplateTitle,
    /// A template line longer than allowed (`line`, `max`).
    TemplateTooLong,
    /// The municipality has an onboarding plan already.
    PlanExists,
    /// Figures across municipalities are for half-years that are over.
    PeriodRunning,
    /// A fidelity scale's first line is not the header (`line`).
    ScaleHeader,
    /// A scale line without its eight columns (`line`, `columns`).
    ScaleColumns,
    /// A scale item's code is missing, not letters and digits, or used twice (`line`).
    ScaleCode,
    /// A scale item's principle is not one of the four (`line`).
    ScalePrinciple,
    /// A scale item without its titles or guides (`line`).
    ScaleText,
    /// A scale item's title or guide is too long (`line`, `max`).
    ScaleTooLong,
    /// A scale item's measure is not one Spire computes (`line`).
    ScaleMeasure,
    /// A computed item's bands are not four intervals, each holding the one before (`line`).
    ScaleBands,
    /// A scale with too few or too many items (`min`, `max`, `count`).
    ScaleItemCount,
    /// The two reviewers must be two different people.
    SameReviewer,
    /// A review of this municipality and half-year exists already.
    ReviewExists,
    /// This reviewer has submitted their scores already.
    AlreadySubmitted,
    /// Reconciling waits until both reviewers have submitted.
    NotBothSubmitted,
    /// Only an item the reviewers scored differently, not yet settled, is reconciled.
    NoDisagreement,
    /// The municipality had not begun the programme in that half-year.
    NoWorkInPeriod,
    /// Teams are for consultants, psychologists and team leads.
    TeamStaffOnly,
    /// The young person's record has a login of its own already.
    RecordHasLogin,
    /// Nobody deactivates their own account.
    OwnAccount,
    /// Only a young person's or a company contact's login opens a record.
    NothingToLink,
    /// An event's deadline for choosing falls before the event.
    DeadlineBeforeEvent,
    /// A record number is a whole number.
    RecordNumber,
    /// No young person of the account's municipality has this record number.
    UnknownRecord,
    /// A full-time share above 0 and at most 1.
    FteRange,
}

impl Problem {
    /// The Fluent message id that explains this problem to a user.
    pub fn message_id(self) -> &'static str {
        match self {
            Problem::Required => "err-required",
            Problem::ChooseAtLeastOne => "err-choose-at-least-one",
            Problem::TooLong => "err-too-long",
            Problem::CprFormat => "err-cpr-format",
            Problem::CprDate => "err-cpr-date",
            Problem::CvrFormat => "err-cvr-format",
            Problem::CvrChecksum => "err-cvr-checksum",
            Problem::EmailFormat => "err-email-format",
            Problem::PhoneFormat => "err-phone-format",
            Problem::UnknownMunicipality => "err-unknown-municipality",
            Problem::UnknownRole => "err-unknown-role",
            Problem::LoginTaken => "err-login-taken",
            Problem::TeamStaffOnly => "err-team-staff-only",
            Problem::RecordHasLogin => "err-record-has-login",
            Problem::OwnAccount => "err-own-account",
            Problem::NothingToLink => "err-nothing-to-link",
            Problem::DeadlineBeforeEvent => "err-deadline-before-event",
            Problem::RecordNumber => "err-record-number",
            Problem::UnknownRecord => "err-unknown-record",
            Problem::FteRange => "err-fte-range",
            Problem::PasswordTooShort => "err-password-too-short",
            Problem::CprAlreadyRegistered => "err-cpr-already-registered",
            Problem::CprElsewhere => "err-cpr-elsewhere",
            Problem::CprLookupLimit => "err-cpr-lookup-limit",
            Problem::UnknownToken => "err-unknown-token",
            Problem::CvrAlreadyRegistered => "err-cvr-already-registered",
            Problem::LoginFormat => "err-login-format",
            Problem::RoleNeedsMunicipality => "err-role-needs-municipality",
            Problem::PageNumber => "err-page-number",
            Problem::UnknownConsultant => "err-unknown-consultant",
            Problem::UnknownBenefit => "err-unknown-benefit",
            Problem::UnknownReadiness => "err-unknown-readiness",
            Problem::UnknownStratumLevel => "err-unknown-stratum-level",
            Problem::IdempotencyKeyReused => "err-idempotency-key-reused",
            Problem::TrialClosed => "err-trial-closed",
            Problem::TakeUpAlreadyRecorded => "err-take-up-already-recorded",
            Problem::TrialControlArm => "err-trial-control-arm",
            Problem::TrialProgrammeArm => "err-trial-programme-arm",
            Problem::OutsideTrialReasonNeeded => "err-outside-trial-reason-needed",
            Problem::InsideTrialAgeBand => "err-inside-trial-age-band",
            Problem::OutsideProgrammeAge => "err-outside-programme-age",
            Problem::AlreadyRegisteredDecisionNeeded => "err-already-registered-decision-needed",
            Problem::CrossoverNotControl => "err-crossover-not-control",
            Problem::CrossoverAlreadyRecorded => "err-crossover-already-recorded",
            Problem::OutcomeName => "err-outcome-name",
            Problem::OutcomeHorizon => "err-outcome-horizon",
            Problem::OutcomeTwice => "err-outcome-twice",
            Problem::UnknownCovariate => "err-unknown-covariate",
            Problem::OutOfRange => "err-out-of-range",
            Problem::PlanAlreadyLocked => "err-plan-already-locked",
            Problem::PlanNotLocked => "err-plan-not-locked",
            Problem::TrialIdFormat => "err-trial-id-format",
            Problem::TrialIdTaken => "err-trial-id-taken",
            Problem::FactorFormat => "err-factor-format",
            Problem::AlphaRange => "err-alpha-range",
            Problem::DrawsRange => "err-draws-range",
            Problem::MdeRange => "err-mde-range",
            Problem::WholeNumber => "err-whole-number",
            Problem::NotANumber => "err-not-a-number",
            Problem::ConfirmLock => "err-confirm-lock",
            Problem::DateInFuture => "err-date-in-future",
            Problem::DateBeforeAllocation => "err-date-before-allocation",
            Problem::AgeRange => "err-age-range",
            Problem::TargetRange => "err-target-range",
            Problem::RatioRange => "err-ratio-range",
            Problem::ContainsCpr => "err-contains-cpr",
            Problem::TransitionNotAllowed => "err-transition-not-allowed",
            Problem::HoursOverLimit => "err-hours-over-limit",
            Problem::EndBeforeStart => "err-end-before-start",
            Problem::OverLegalLimit => "err-over-legal-limit",
            Problem::OverExtendedLimit => "err-over-extended-limit",
            Problem::ExtensionNotLater => "err-extension-not-later",
            Problem::DateInvalid => "err-date-invalid",
            Problem::OverlapsInternship => "err-overlaps-internship",
            Problem::UnknownCompany => "err-unknown-company",
            Problem::UnknownContact => "err-unknown-contact",
            Problem::CourseAlreadyOpen => "err-course-already-open",
            Problem::NoOpenCourse => "err-no-open-course",
            Problem::UnknownChoice => "err-unknown-choice",
            Problem::ProgressAlreadyRecorded => "err-progress-already-recorded",
            Problem::OpenInternships => "err-open-internships",
            Problem::SeriesTooLong => "err-series-too-long",
            Problem::TimeInvalid => "err-time-invalid",
            Problem::AlreadyFirst => "err-already-first",
            Problem::AlreadyMovedUp => "err-already-moved-up",
            Problem::NotInGroup => "err-not-in-group",
            Problem::AlreadyInGroup => "err-already-in-group",
            Problem::MeetingCancelled => "err-meeting-cancelled",
            Problem::AlreadyInNetwork => "err-already-in-network",
            Problem::UnknownYouth => "err-unknown-youth",
            Problem::GroupNameTaken => "err-group-name-taken",
            Problem::NotInNetwork => "err-not-in-network",
            Problem::OverlapsMembership => "err-overlaps-membership",
            Problem::MeetingHeld => "err-meeting-held",
            Problem::MeetingPast => "err-meeting-past",
            Problem::DateInPast => "err-date-in-past",
            Problem::EventNotHeld => "err-event-not-held",
            Problem::DeadlinePassed => "err-deadline-passed",
            Problem::NotInvited => "err-not-invited",
            Problem::NotAtEvent => "err-not-at-event",
            Problem::NotMet => "err-not-met",
            Problem::ChosenTwice => "err-chosen-twice",
            Problem::CallsRecorded => "err-calls-recorded",
            Problem::NoMatchYet => "err-no-match-yet",
            Problem::CallRecorded => "err-call-recorded",
            Problem::GridCell => "err-grid-cell",
            Problem::TooManyCards => "err-too-many-cards",
            Problem::TemplateQuarter => "err-template-quarter",
            Problem::TemplateTitle => "err-template-title",
            Problem::TemplateTooLong => "err-template-too-long",
            Problem::PlanExists => "err-plan-exists",
            Problem::PeriodRunning => "err-period-running",
            Problem::ScaleHeader => "err-scale-header",
            Problem::ScaleColumns => "err-scale-columns",
            Problem::ScaleCode => "err-scale-code",
            Problem::ScalePrinciple => "err-scale-principle",
            Problem::ScaleText => "err-scale-text",
            Problem::ScaleMeasure => "err-scale-measure",
            Problem::ScaleTooLong => "err-scale-too-long",
            Problem::ScaleBands => "err-scale-bands",
            Problem::ScaleItemCount => "err-scale-item-count",
            Problem::SameReviewer => "err-same-reviewer",
            Problem::ReviewExists => "err-review-exists",
            Problem::AlreadySubmitted => "err-already-submitted",
            Problem::NotBothSubmitted => "err-not-both-submitted",
            Problem::NoDisagreement => "err-no-disagreement",
            Problem::NoWorkInPeriod => "err-no-work-in-period",
        }
    }
}

/// A refused field: which field, why, and the numbers the message needs
/// (a limit, the value given), as Fluent arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub problem: Problem,
    pub args: Vec<(&'static str, i64)>,
}

impl FieldError {
    pub fn new(field: &'static str, problem: Problem) -> Self {
        FieldError {
            field,
            problem,
            args: Vec::new(),
        }
    }

    /// A number outside `min..=max`; the message shows both.
    pub fn out_of_range(field: &'static str, min: i64, max: i64) -> Self {
        FieldError::new(field, Problem::OutOfRange)
            .with("min", min)
            .with("max", max)
    }

    /// Adds a number the message shows, e.g. the legal limit in weeks.
    pub fn with(mut self, name: &'static str, value: i64) -> Self {
        self.args.push((name, value));
        self
    }
}

/// A required, trimmed text of at most `max` characters.
pub fn required_text(field: &'static str, value: &str, max: usize) -> Result<String, FieldError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    optional_text(field, value, max).map(|v| v.unwrap_or_default())
}

/// An optional, trimmed text of at most `max` characters; empty means absent.
pub fn optional_text(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(FieldError::new(field, Problem::TooLong));
    }
    Ok((!value.is_empty()).then(|| value.to_string()))
}

/// A comma-separated list of tags (interests, strengths): each trimmed,
/// empty ones dropped, and a tag given twice — in any case — kept once, as
/// first written. The limit is on the list as typed.
pub fn tag_list(
    field: &'static str,
    value: &str,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let Some(text) = optional_text(field, value, max)? else {
        return Ok(None);
    };
    let mut seen: Vec<String> = Vec::new();
    let mut tags: Vec<&str> = Vec::new();
    for tag in text.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        let folded = tag.to_lowercase();
        if !seen.contains(&folded) {
            seen.push(folded);
            tags.push(tag);
        }
    }
    Ok((!tags.is_empty()).then(|| tags.join(", ")))
}

/// An optional e-mail address: one `@` with text on both sides and a dot in the domain.
pub fn optional_email(field: &'static str, value: &str) -> Result<Option<String>, FieldError> {
    let Some(email) = optional_text(field, value, limits::EMAIL)? else {
        return Ok(None);
    };
    let valid = match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
                && !domain.contains('@')
        }
        None => false,
    };
    if valid {
        Ok(Some(email))
    } else {
        Err(FieldError::new(field, Problem::EmailFormat))
    }
}

/// An optional Danish or international phone number: digits, spaces and one leading `+`.
pub fn optional_phone(field: &'static str, value: &str) -> Result<Option<String>, FieldError> {
    let Some(phone) = optional_text(field, value, limits::PHONE)? else {
        return Ok(None);
    };
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    let allowed = phone
        .char_indices()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || (c == '+' && i == 0));
    if allowed && (8..=15).contains(&digits) {
        Ok(Some(phone))
    } else {
        Err(FieldError::new(field, Problem::PhoneFormat))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(required_text("name", "  Ida ", 10).unwrap(), "Ida");
        assert_eq!(
            required_text("name", "   ", 10).unwrap_err().problem,
            Problem::Required
        );
        assert_eq!(
            required_text("name", "abcdefghijk", 10)
                .unwrap_err()
                .problem,
            Problem::TooLong
        );
    }

    #[test]
    fn email_and_phone_shapes() {
        assert!(optional_email("email", "ida@example.dk").unwrap().is_some());
        assert!(optional_email("email", "").unwrap().is_none());
        for bad in ["ida", "ida@", "@x.dk", "ida@dk", "i da@x.dk"] {
            assert_eq!(
                optional_email("email", bad).unwrap_err().problem,
                Problem::EmailFormat,
                "{bad}"
            );
        }
        assert!(
            optional_phone("phone", "+45 20 30 40 50")
                .unwrap()
                .is_some()
        );
        assert_eq!(
            optional_phone("phone", "20-30").unwrap_err().problem,
            Problem::PhoneFormat
        );
    }
}

#[cfg(test)]
mod tag_tests {
    use super::tag_list;

    #[test]
    fn tags_given_twice_in_any_case_are_kept_once() {
        assert_eq!(
            tag_list("interests", " IT, musik,it , Musik,, Tømrer ", 500).unwrap(),
            Some("IT, musik, Tømrer".to_string())
        );
        assert_eq!(tag_list("interests", " , ,", 500).unwrap(), None);
        assert!(tag_list("interests", &"x".repeat(501), 500).is_err());
    }
}
