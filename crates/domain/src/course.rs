//! A youth's course (forløb) in the programme: how it ends, and when the
//! durability follow-ups fall due.

use time::{Date, Month};

/// The longest texts, the same in the pages, the API and the store: an exit
/// or conversation note, a portfolio entry, a psychologist's note.
pub const COURSE_NOTE_MAX: usize = 1_000;
pub const ENTRY_MAX: usize = 500;
pub const PSYCHOLOGIST_NOTE_MAX: usize = 5_000;

/// Why a course ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitReason {
    Job,
    Education,
    Apprenticeship,
    WageSubsidy,
    OtherHelp,
    Moved,
    DroppedOut,
    Other,
}

impl ExitReason {
    pub const ALL: [ExitReason; 8] = [
        ExitReason::Job,
        ExitReason::Education,
        ExitReason::Apprenticeship,
        ExitReason::WageSubsidy,
        ExitReason::OtherHelp,
        ExitReason::Moved,
        ExitReason::DroppedOut,
        ExitReason::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExitReason::Job => "job",
            ExitReason::Education => "education",
            ExitReason::Apprenticeship => "apprenticeship",
            ExitReason::WageSubsidy => "wage_subsidy",
            ExitReason::OtherHelp => "other_help",
            ExitReason::Moved => "moved",
            ExitReason::DroppedOut => "dropped_out",
            ExitReason::Other => "other",
        }
    }

    pub fn from_code(code: &str) -> Option<ExitReason> {
        ExitReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// An exit to a job or an education (an apprenticeship is one) is
    /// followed up for durability.
    pub fn is_job_or_education(self) -> bool {
        matches!(
            self,
            ExitReason::Job | ExitReason::Education | ExitReason::Apprenticeship
        )
    }
}

/// The follow-ups after an exit: months after, and the due date.
pub const FOLLOW_UP_MONTHS: [u8; 3] = [3, 6, 12];

/// `date` plus `months` calendar months; a day the month lacks becomes its
/// last day (30 November + 3 months is 28 or 29 February).
pub fn add_months(date: Date, months: u8) -> Date {
    let index = date.month() as i32 - 1 + i32::from(months);
    let year = date.year() + index / 12;
    let month = Month::try_from((index % 12 + 1) as u8).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// The due dates of the durability follow-ups after an exit on `exit`.
pub fn follow_up_dates(exit: Date) -> [(u8, Date); 3] {
    FOLLOW_UP_MONTHS.map(|months| (months, add_months(exit, months)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn follow_ups_fall_3_6_and_12_months_after_the_exit() {
        assert_eq!(
            follow_up_dates(date!(2026 - 11 - 30)),
            [
                (3, date!(2027 - 02 - 28)),
                (6, date!(2027 - 05 - 30)),
                (12, date!(2027 - 11 - 30))
            ]
        );
        assert_eq!(add_months(date!(2027 - 11 - 30), 3), date!(2028 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 01 - 15), 12), date!(2027 - 01 - 15));
    }

    #[test]
    fn only_job_and_education_exits_are_followed_up() {
        let followed: Vec<_> = ExitReason::ALL
            .into_iter()
            .filter(|r| r.is_job_or_education())
            .map(ExitReason::code)
            .collect();
        assert_eq!(followed, ["job", "education", "apprenticeship"]);
        for reason in ExitReason::ALL {
            assert_eq!(ExitReason::from_code(reason.code()), Some(reason));
        }
    }
}
