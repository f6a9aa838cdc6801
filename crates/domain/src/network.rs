//! The networks' rules on plain values: Danish public holidays (Easter-based
//! ones computed), a weekly meeting series that keeps its time on the wall
//! clock in Copenhagen across summer time and skips holidays, the youth-owned
//! agenda's order, and meeting stability.

use crate::{FieldError, Problem};
use time::{Date, Duration, Month, OffsetDateTime, Time, Weekday};

/// The longest texts, the same in the pages, the API and the store.
pub const GROUP_NAME_MAX: usize = 100;
pub const PLACE_MAX: usize = 200;
pub const AGENDA_ITEM_MAX: usize = 300;
pub const MEETING_NOTES_MAX: usize = 4_000;
pub const REASON_MAX: usize = 500;
pub const SLOT_FUNCTION_MAX: usize = 200;
pub const CONTACT_SUMMARY_MAX: usize = 2_000;
/// The longest series generated at once: a year and a bit of weekly meetings.
pub const SERIES_MAX_WEEKS: i64 = 60;
/// Meeting stability looks at this many of the youth's last meetings.
pub const STABILITY_WINDOW: usize = 8;
/// Absences without notice in a row that make a task for the consultant.
pub const ABSENCES_FOR_TASK: usize = 3;

/// Easter Sunday in the Gregorian calendar (the anonymous algorithm of
/// Meeus, Jones and Butcher), for any year this calendar is used.
pub fn easter_sunday(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar_date(
        year,
        Month::try_from(month as u8).expect("3 or 4"),
        day as u8,
    )
    .expect("Easter is a real date")
}

/// A day the network does not meet: the public holidays (helligdage) and the
/// days municipal offices close by agreement (Grundlovsdag, 24 and 31 December).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holiday {
    pub date: Date,
    /// The Danish name, as a calendar prints it ("2. påskedag").
    pub name: &'static str,
}

/// The year's holidays in date order. Store bededag was a public holiday
/// until 2023 (abolished by law from 2024).
pub fn danish_holidays(year: i32) -> Vec<Holiday> {
    let easter = easter_sunday(year);
    let fixed = |month: Month, day: u8| Date::from_calendar_date(year, month, day).expect("fixed");
    let mut days = vec![
        Holiday {
            date: fixed(Month::January, 1),
            name: "Nytårsdag",
        },
        Holiday {
            date: easter - Duration::days(3),
            name: "Skærtorsdag",
        },
        Holiday {
            date: easter - Duration::days(2),
            name: "Langfredag",
        },
        Holiday {
            date: easter,
            name: "Påskedag",
        },
        Holiday {
            date: easter + Duration::days(1),
            name: "2. påskedag",
        },
        Holiday {
            date: easter + Duration::days(39),
            name: "Kristi himmelfartsdag",
        },
        Holiday {
            date: easter + Duration::days(49),
            name: "Pinsedag",
        },
        Holiday {
            date: easter + Duration::days(50),
            name: "2. pinsedag",
        },
        Holiday {
            date: fixed(Month::June, 5),
            name: "Grundlovsdag",
        },
        Holiday {
            date: fixed(Month::December, 24),
            name: "Juleaftensdag",
        },
        Holiday {
            date: fixed(Month::December, 25),
            name: "Juledag",
        },
        Holiday {
            date: fixed(Month::December, 26),
            name: "2. juledag",
        },
        Holiday {
            date: fixed(Month::December, 31),
            name: "Nytårsaftensdag",
        },
    ];
    if year <= 2023 {
        days.push(Holiday {
            date: easter + Duration::days(26),
            name: "Store bededag",
        });
    }
    days.sort_by_key(|h| h.date);
    days
}

/// The holiday on `date`, if any.
pub fn holiday_on(date: Date) -> Option<Holiday> {
    danish_holidays(date.year())
        .into_iter()
        .find(|h| h.date == date)
}

/// A weekly series: the first meeting's date and the time on the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Series {
    pub first: Date,
    pub last: Date,
    pub start: Time,
}

/// What a series generates: the meeting dates, and the weeks skipped for a holiday.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Generated {
    pub dates: Vec<Date>,
    pub skipped: Vec<Holiday>,
}

impl Series {
    /// Checks a series typed in: the last date not before the first and no
    /// more than `SERIES_MAX_WEEKS` weeks of meetings at once.
    pub fn new(first: Date, last: Date, start: Time) -> Result<Series, FieldError> {
        if last < first {
            return Err(FieldError::new("last_date", Problem::EndBeforeStart));
        }
        if (last - first).whole_weeks() >= SERIES_MAX_WEEKS {
            return Err(FieldError::new("last_date", Problem::SeriesTooLong)
                .with("weeks", SERIES_MAX_WEEKS));
        }
        Ok(Series { first, last, start })
    }

    /// The weekday every meeting falls on.
    pub fn weekday(&self) -> Weekday {
        self.first.weekday()
    }

    /// Every week from the first date to the last, on the same weekday, less
    /// the holidays. The time stays the same on the wall clock, so in UTC a
    /// meeting moves by an hour when summer time begins or ends.
    pub fn generate(&self) -> Generated {
        let mut out = Generated::default();
        let mut date = self.first;
        while date <= self.last {
            match holiday_on(date) {
                Some(holiday) => out.skipped.push(holiday),
                None => out.dates.push(date),
            }
            date += Duration::weeks(1);
        }
        out
    }
}

/// A time typed as "16:00" or "16.00".
pub fn parse_time(field: &'static str, text: &str) -> Result<Time, FieldError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(FieldError::new(field, Problem::Required));
    }
    let invalid = || FieldError::new(field, Problem::TimeInvalid);
    let (hour, minute) = text.split_once([':', '.']).ok_or_else(invalid)?;
    let number = |part: &str| -> Result<u8, FieldError> {
        if part.is_empty() || part.len() > 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid());
        }
        part.parse().map_err(|_| invalid())
    };
    Time::from_hms(number(hour)?, number(minute)?, 0).map_err(|_| invalid())
}

/// A meeting's length in whole minutes, 15 to 480; `default` when empty.
pub fn parse_minutes(field: &'static str, text: &str, default: i64) -> Result<i64, FieldError> {
    match text.trim() {
        "" => Ok(default),
        t => {
            let minutes: i64 = t
                .parse()
                .map_err(|_| FieldError::new(field, Problem::WholeNumber))?;
            if (15..=480).contains(&minutes) {
                Ok(minutes)
            } else {
                Err(FieldError::new(field, Problem::OutOfRange)
                    .with("min", 15)
                    .with("max", 480))
            }
        }
    }
}

/// "16:00", as stored and as `<input type=time>` takes it.
pub fn time_text(time: Time) -> String {
    format!("{:02}:{:02}", time.hour(), time.minute())
}

/// A moment on the wall clock in Copenhagen as an instant, by the IANA
/// time-zone database. In the hour that summer time skips, the clock moves
/// on (02:30 on the last Sunday of March is 03:30 summer time); in the hour
/// that repeats in October, the earlier of the two.
pub fn copenhagen_instant(date: Date, time: Time) -> OffsetDateTime {
    let zone = copenhagen_zone();
    let civil = jiff::civil::DateTime::new(
        date.year() as i16,
        date.month() as i8,
        date.day() as i8,
        time.hour() as i8,
        time.minute() as i8,
        0,
        0,
    );
    let seconds = civil
        .and_then(|civil| civil.to_zoned(zone.clone()))
        .map(|zoned| zoned.timestamp().as_second())
        .unwrap_or_else(|_| date.with_time(time).assume_utc().unix_timestamp() - 3600);
    OffsetDateTime::from_unix_timestamp(seconds).expect("a date of this calendar")
}

/// The date on the wall clock in Copenhagen at an instant ("today" for the
/// programme: a meeting at 00:30 local time is today's, not yesterday's).
pub fn copenhagen_date(at: OffsetDateTime) -> Date {
    let offset = jiff::Timestamp::from_second(at.unix_timestamp())
        .map(|moment| copenhagen_zone().to_offset(moment).seconds())
        .unwrap_or(3600);
    time::UtcOffset::from_whole_seconds(offset)
        .map(|offset| at.to_offset(offset).date())
        .unwrap_or(at.date())
}

fn copenhagen_zone() -> &'static jiff::tz::TimeZone {
    static ZONE: std::sync::OnceLock<jiff::tz::TimeZone> = std::sync::OnceLock::new();
    ZONE.get_or_init(|| {
        jiff::tz::TimeZone::get("Europe/Copenhagen").expect("the bundled database has Copenhagen")
    })
}

/// An agenda item's place in the order the group set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AgendaSlot {
    pub item: i64,
    pub position: i64,
}

/// The youth-owned order: each youth may move one item one place up per
/// meeting. Returns the two items whose positions swap (the item and the one
/// above it), or why not: an unknown item, or one already at the top.
pub fn move_up(order: &[AgendaSlot], item: i64) -> Result<(AgendaSlot, AgendaSlot), Problem> {
    let mut sorted = order.to_vec();
    sorted.sort_by_key(|slot| (slot.position, slot.item));
    let index = sorted
        .iter()
        .position(|slot| slot.item == item)
        .ok_or(Problem::UnknownChoice)?;
    if index == 0 {
        return Err(Problem::AlreadyFirst);
    }
    let (above, this) = (sorted[index - 1], sorted[index]);
    Ok((
        AgendaSlot {
            item: this.item,
            position: above.position,
        },
        AgendaSlot {
            item: above.item,
            position: this.position,
        },
    ))
}

/// How a youth was marked at a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Present,
    /// Absent, and said so with a reason.
    AbsentWithReason,
    AbsentWithoutNotice,
}

impl Mark {
    pub const ALL: [Mark; 3] = [
        Mark::Present,
        Mark::AbsentWithReason,
        Mark::AbsentWithoutNotice,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Mark::Present => "present",
            Mark::AbsentWithReason => "absent_reason",
            Mark::AbsentWithoutNotice => "absent_no_notice",
        }
    }

    pub fn from_code(code: &str) -> Option<Mark> {
        Mark::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Meeting stability: the share of the youth's last `STABILITY_WINDOW`
/// registered meetings they attended, newest first in `marks`. `None` before
/// the first registered meeting (nothing to say yet, which is not 0 %).
pub fn stability(marks: &[Mark]) -> Option<f64> {
    let window = &marks[..marks.len().min(STABILITY_WINDOW)];
    if window.is_empty() {
        return None;
    }
    let present = window.iter().filter(|m| **m == Mark::Present).count();
    Some(present as f64 / window.len() as f64)
}

/// How many of the newest marks (newest first) are absences without notice in a row.
pub fn absence_streak(marks: &[Mark]) -> usize {
    marks
        .iter()
        .take_while(|m| **m == Mark::AbsentWithoutNotice)
        .count()
}

/// Whether the mark just recorded makes `ABSENCES_FOR_TASK` absences without
/// notice in a row (and again at 6, 9, …), which makes a task for the
/// consultant: one task per streak of three, not one per absence.
pub fn absences_call_for_task(marks: &[Mark]) -> bool {
    let streak = absence_streak(marks);
    streak > 0 && streak.is_multiple_of(ABSENCES_FOR_TASK)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, time};

    #[test]
    fn easter_matches_the_almanac() {
        // Published Easter Sundays (the Danish almanac, and any church calendar).
        for (year, easter) in [
            (2000, date!(2000 - 04 - 23)),
            (2019, date!(2019 - 04 - 21)),
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2028, date!(2028 - 04 - 16)),
            (2038, date!(2038 - 04 - 25)),
            (2285, date!(2285 - 03 - 22)),
        ] {
            assert_eq!(easter_sunday(year), easter, "{year}");
        }
    }

    #[test]
    fn the_holidays_of_2026_and_2027() {
        let names = |year| -> Vec<(Date, &str)> {
            danish_holidays(year)
                .into_iter()
                .map(|h| (h.date, h.name))
                .collect()
        };
        assert_eq!(
            names(2026),
            vec![
                (date!(2026 - 01 - 01), "Nytårsdag"),
                (date!(2026 - 04 - 02), "Skærtorsdag"),
                (date!(2026 - 04 - 03), "Langfredag"),
                (date!(2026 - 04 - 05), "Påskedag"),
                (date!(2026 - 04 - 06), "2. påskedag"),
                (date!(2026 - 05 - 14), "Kristi himmelfartsdag"),
                (date!(2026 - 05 - 24), "Pinsedag"),
                (date!(2026 - 05 - 25), "2. pinsedag"),
                (date!(2026 - 06 - 05), "Grundlovsdag"),
                (date!(2026 - 12 - 24), "Juleaftensdag"),
                (date!(2026 - 12 - 25), "Juledag"),
                (date!(2026 - 12 - 26), "2. juledag"),
                (date!(2026 - 12 - 31), "Nytårsaftensdag"),
            ]
        );
        let y2027 = names(2027);
        for expected in [
            (date!(2027 - 03 - 25), "Skærtorsdag"),
            (date!(2027 - 03 - 26), "Langfredag"),
            (date!(2027 - 03 - 29), "2. påskedag"),
            (date!(2027 - 05 - 06), "Kristi himmelfartsdag"),
            (date!(2027 - 05 - 17), "2. pinsedag"),
        ] {
            assert!(y2027.contains(&expected), "{expected:?}");
        }
        // Store bededag: the fourth Friday after Easter until 2023, then abolished.
        assert_eq!(
            holiday_on(date!(2023 - 05 - 05)).map(|h| h.name),
            Some("Store bededag")
        );
        assert_eq!(holiday_on(date!(2026 - 05 - 01)), None);
        assert_eq!(holiday_on(date!(2027 - 04 - 23)), None);
    }

    /// Table-driven: a series, the dates it holds and the holidays it skips.
    #[test]
    fn weekly_series_skip_holidays() {
        struct Case {
            first: Date,
            last: Date,
            count: usize,
            skipped: &'static [&'static str],
        }
        let cases = [
            // Mondays through Easter 2026: 2. påskedag (6 April) skipped.
            Case {
                first: date!(2026 - 03 - 23),
                last: date!(2026 - 04 - 20),
                count: 4,
                skipped: &["2. påskedag"],
            },
            // Thursdays through Easter 2026 and Ascension.
            Case {
                first: date!(2026 - 03 - 26),
                last: date!(2026 - 05 - 21),
                count: 7,
                skipped: &["Skærtorsdag", "Kristi himmelfartsdag"],
            },
            // Mondays through Easter 2027 (28 March) and Whit Monday.
            Case {
                first: date!(2027 - 03 - 22),
                last: date!(2027 - 05 - 24),
                count: 8,
                skipped: &["2. påskedag", "2. pinsedag"],
            },
            // Fridays through Easter 2027: Langfredag 26 March.
            Case {
                first: date!(2027 - 03 - 19),
                last: date!(2027 - 04 - 02),
                count: 2,
                skipped: &["Langfredag"],
            },
            // Thursdays over Christmas 2026 (24 and 31 December).
            Case {
                first: date!(2026 - 12 - 17),
                last: date!(2027 - 01 - 07),
                count: 2,
                skipped: &["Juleaftensdag", "Nytårsaftensdag"],
            },
            // Fridays in June 2026: Grundlovsdag 5 June.
            Case {
                first: date!(2026 - 05 - 29),
                last: date!(2026 - 06 - 12),
                count: 2,
                skipped: &["Grundlovsdag"],
            },
            // One meeting, no holiday.
            Case {
                first: date!(2026 - 09 - 07),
                last: date!(2026 - 09 - 07),
                count: 1,
                skipped: &[],
            },
        ];
        for case in cases {
            let series = Series::new(case.first, case.last, time!(16:00)).unwrap();
            let generated = series.generate();
            assert_eq!(generated.dates.len(), case.count, "{:?}", case.first);
            let skipped: Vec<&str> = generated.skipped.iter().map(|h| h.name).collect();
            assert_eq!(skipped, case.skipped, "{:?}", case.first);
            assert!(
                generated
                    .dates
                    .iter()
                    .all(|d| d.weekday() == case.first.weekday())
            );
            assert!(generated.dates.iter().all(|d| holiday_on(*d).is_none()));
        }
    }

    #[test]
    fn series_are_checked() {
        let at = time!(16:00);
        assert_eq!(
            Series::new(date!(2026 - 05 - 04), date!(2026 - 05 - 03), at)
                .unwrap_err()
                .problem,
            Problem::EndBeforeStart
        );
        let too_long = Series::new(date!(2026 - 01 - 05), date!(2027 - 03 - 01), at).unwrap_err();
        assert_eq!(
            (too_long.field, too_long.problem),
            ("last_date", Problem::SeriesTooLong)
        );
        assert!(Series::new(date!(2026 - 01 - 05), date!(2027 - 02 - 15), at).is_ok());
    }

    /// A Monday meeting at 16:00 stays at 16:00 in Copenhagen across both
    /// changes of 2026 (29 March, 25 October) and 2027 (28 March): in UTC it
    /// moves from 15:00 to 14:00 and back.
    #[test]
    fn meetings_keep_the_wall_clock_across_summer_time() {
        let series =
            Series::new(date!(2026 - 03 - 23), date!(2026 - 11 - 02), time!(16:00)).unwrap();
        let dates = series.generate().dates;
        let utc_hour = |d: Date| copenhagen_instant(d, time!(16:00)).hour();
        assert_eq!(utc_hour(date!(2026 - 03 - 23)), 15);
        assert_eq!(utc_hour(date!(2026 - 03 - 30)), 14);
        assert_eq!(utc_hour(date!(2026 - 10 - 19)), 14);
        assert_eq!(utc_hour(date!(2026 - 10 - 26)), 15);
        assert_eq!(utc_hour(date!(2027 - 03 - 22)), 15);
        assert_eq!(utc_hour(date!(2027 - 03 - 29)), 14);
        // Consecutive meetings are a week apart on the wall clock, and 167 or
        // 169 hours apart in real time across a change.
        let gaps: Vec<i64> = dates
            .windows(2)
            .map(|w| {
                (copenhagen_instant(w[1], time!(16:00)) - copenhagen_instant(w[0], time!(16:00)))
                    .whole_hours()
            })
            .collect();
        assert!(gaps.contains(&167) && gaps.contains(&169));
        assert!(
            gaps.iter().all(|g| [167, 168, 169, 336].contains(g)),
            "{gaps:?}"
        );
        // The hour summer time skips and the one that repeats.
        assert_eq!(
            copenhagen_instant(date!(2026 - 03 - 29), time!(02:30)).unix_timestamp(),
            copenhagen_instant(date!(2026 - 03 - 29), time!(03:30)).unix_timestamp()
        );
        assert_eq!(
            copenhagen_instant(date!(2026 - 10 - 25), time!(02:30)).hour(),
            0
        );
    }

    #[test]
    fn today_is_the_copenhagen_date() {
        use time::macros::datetime;
        assert_eq!(
            copenhagen_date(datetime!(2026-12-02 23:30 UTC)),
            date!(2026 - 12 - 03)
        );
        assert_eq!(
            copenhagen_date(datetime!(2026-07-01 21:59 UTC)),
            date!(2026 - 07 - 01)
        );
        assert_eq!(
            copenhagen_date(datetime!(2026-07-01 22:00 UTC)),
            date!(2026 - 07 - 02)
        );
    }

    #[test]
    fn times_are_read_as_typed() {
        assert_eq!(parse_time("t", "16:00").unwrap(), time!(16:00));
        assert_eq!(parse_time("t", "9.30").unwrap(), time!(09:30));
        for bad in ["24:00", "16", "16:60", "a:b", "-1:00", "123:00"] {
            assert_eq!(
                parse_time("t", bad).unwrap_err().problem,
                Problem::TimeInvalid,
                "{bad}"
            );
        }
        assert_eq!(parse_time("t", " ").unwrap_err().problem, Problem::Required);
    }

    #[test]
    fn moving_an_item_up_swaps_it_with_the_one_above() {
        let order = [
            AgendaSlot {
                item: 10,
                position: 1,
            },
            AgendaSlot {
                item: 11,
                position: 2,
            },
            AgendaSlot {
                item: 12,
                position: 3,
            },
        ];
        assert_eq!(
            move_up(&order, 12),
            Ok((
                AgendaSlot {
                    item: 12,
                    position: 2
                },
                AgendaSlot {
                    item: 11,
                    position: 3
                }
            ))
        );
        assert_eq!(move_up(&order, 10), Err(Problem::AlreadyFirst));
        assert_eq!(move_up(&order, 99), Err(Problem::UnknownChoice));
        // Positions with gaps and in any order in the slice.
        let gapped = [
            AgendaSlot {
                item: 3,
                position: 40,
            },
            AgendaSlot {
                item: 1,
                position: 5,
            },
        ];
        assert_eq!(
            move_up(&gapped, 3),
            Ok((
                AgendaSlot {
                    item: 3,
                    position: 5
                },
                AgendaSlot {
                    item: 1,
                    position: 40
                }
            ))
        );
    }

    #[test]
    fn stability_at_its_boundaries() {
        use Mark::*;
        assert_eq!(stability(&[]), None);
        assert_eq!(stability(&[Present]), Some(1.0));
        assert_eq!(stability(&[AbsentWithReason]), Some(0.0));
        // Only the last 8 count: a ninth absence long ago changes nothing.
        let mut marks = vec![Present; 8];
        assert_eq!(stability(&marks), Some(1.0));
        marks.push(AbsentWithoutNotice);
        assert_eq!(stability(&marks), Some(1.0));
        // An absence with a reason is still an absence.
        let seven_of_eight = [
            AbsentWithReason,
            Present,
            Present,
            Present,
            Present,
            Present,
            Present,
            Present,
            AbsentWithoutNotice,
        ];
        assert_eq!(stability(&seven_of_eight), Some(7.0 / 8.0));
        assert_eq!(
            stability(&[Present, AbsentWithoutNotice, Present]),
            Some(2.0 / 3.0)
        );
    }

    #[test]
    fn three_absences_without_notice_in_a_row_call_for_a_task() {
        use Mark::*;
        assert!(absences_call_for_task(&[AbsentWithoutNotice; 3]));
        assert!(absences_call_for_task(&[
            AbsentWithoutNotice,
            AbsentWithoutNotice,
            AbsentWithoutNotice,
            Present
        ]));
        assert!(!absences_call_for_task(&[AbsentWithoutNotice; 2]));
        // The fourth and fifth absence add no task; the sixth does.
        assert!(!absences_call_for_task(&[AbsentWithoutNotice; 4]));
        assert!(!absences_call_for_task(&[AbsentWithoutNotice; 5]));
        assert!(absences_call_for_task(&[AbsentWithoutNotice; 6]));
        assert_eq!(
            absence_streak(&[AbsentWithoutNotice, AbsentWithoutNotice, Present]),
            2
        );
        assert!(!absences_call_for_task(&[
            AbsentWithoutNotice,
            AbsentWithReason,
            AbsentWithoutNotice
        ]));
        assert!(!absences_call_for_task(&[
            Present,
            AbsentWithoutNotice,
            AbsentWithoutNotice,
            AbsentWithoutNotice
        ]));
    }
}
