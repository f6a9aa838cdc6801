//! Calendar feeds as RFC 5545 iCalendar text: events at a time on the wall
//! clock in Copenhagen (`TZID` with its `VTIMEZONE`), cancelled ones kept
//! with `STATUS:CANCELLED` and a higher `SEQUENCE` so phones remove them,
//! text escaped and lines folded at 75 octets.

use time::{Date, OffsetDateTime, Time};

/// One event of a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable across feeds and edits (`meeting-12@spire`), so an edit replaces the event.
    pub uid: String,
    pub when: When,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub cancelled: bool,
    /// Raised at each change of the event (RFC 5545 3.8.7.4).
    pub sequence: i64,
}

/// When an event happens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// At a time on the wall clock in Copenhagen, for some minutes.
    At {
        date: Date,
        time: Time,
        minutes: u32,
    },
    /// Whole days, the first to the last (an internship's days).
    Days { first: Date, last: Date },
}

/// The zone every timed event refers to: the EU rules since 1996, which
/// Denmark follows.
const VTIMEZONE: &str = "BEGIN:VTIMEZONE\r\n\
TZID:Europe/Copenhagen\r\n\
BEGIN:DAYLIGHT\r\n\
TZOFFSETFROM:+0100\r\n\
TZOFFSETTO:+0200\r\n\
TZNAME:CEST\r\n\
DTSTART:19700329T020000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n\
END:DAYLIGHT\r\n\
BEGIN:STANDARD\r\n\
TZOFFSETFROM:+0200\r\n\
TZOFFSETTO:+0100\r\n\
TZNAME:CET\r\n\
DTSTART:19701025T030000\r\n\
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n\
END:STANDARD\r\n\
END:VTIMEZONE\r\n";

/// A whole feed: `name` is the calendar's title in the app that subscribes.
pub fn feed(name: &str, events: &[Event], now: OffsetDateTime) -> String {
    let mut out = String::with_capacity(512 + events.len() * 400);
    out.push_str(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Spire//NExTWORK//DA\r\nCALSCALE:GREGORIAN\r\n",
    );
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    out.push_str("X-WR-TIMEZONE:Europe/Copenhagen\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n");
    out.push_str(VTIMEZONE);
    let stamp = utc_stamp(now);
    for event in events {
        out.push_str("BEGIN:VEVENT\r\n");
        line(&mut out, &format!("UID:{}", escape(&event.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        match event.when {
            When::At {
                date,
                time,
                minutes,
            } => {
                let end = date.with_time(time) + time::Duration::minutes(minutes.into());
                line(
                    &mut out,
                    &format!("DTSTART;TZID=Europe/Copenhagen:{}", local(date, time)),
                );
                line(
                    &mut out,
                    &format!(
                        "DTEND;TZID=Europe/Copenhagen:{}",
                        local(end.date(), end.time())
                    ),
                );
            }
            When::Days { first, last } => {
                // DTEND of a date is exclusive: the day after the last.
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day(first)));
                line(
                    &mut out,
                    &format!("DTEND;VALUE=DATE:{}", day(last.next_day().unwrap_or(last))),
                );
            }
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&event.summary)));
        if !event.location.is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(&event.location)));
        }
        if !event.description.is_empty() {
            line(
                &mut out,
                &format!("DESCRIPTION:{}", escape(&event.description)),
            );
        }
        line(&mut out, &format!("SEQUENCE:{}", event.sequence.max(0)));
        out.push_str(if event.cancelled {
            "STATUS:CANCELLED\r\n"
        } else {
            "STATUS:CONFIRMED\r\n"
        });
        out.push_str("END:VEVENT\r\n");
    }
    out.push_str("END:VCALENDAR\r\n");
    out
}

fn day(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        date.month() as u8,
        date.day()
    )
}

fn local(date: Date, time: Time) -> String {
    format!("{}T{:02}{:02}00", day(date), time.hour(), time.minute())
}

fn utc_stamp(now: OffsetDateTime) -> String {
    let utc = now.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}{:02}{:02}Z",
        day(utc.date()),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// TEXT values escape backslash, semicolon, comma and new lines (RFC 5545 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line folded at 75 octets, never inside a UTF-8 character (RFC 5545 3.1).
fn line(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime, time};

    fn meeting(cancelled: bool) -> Event {
        Event {
            uid: "meeting-7@spire".into(),
            when: When::At {
                date: date!(2026 - 03 - 30),
                time: time!(16:00),
                minutes: 90,
            },
            summary: "Ungenetværk; Gruppe A, Roskilde".into(),
            location: "Ungehuset".into(),
            description: "Første linje\nanden linje".into(),
            cancelled,
            sequence: if cancelled { 1 } else { 0 },
        }
    }

    #[test]
    fn a_feed_has_the_zone_and_local_times() {
        let text = feed(
            "Gruppe A",
            &[meeting(false)],
            datetime!(2026-03-01 10:05:07 UTC),
        );
        assert!(text.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        assert!(text.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Copenhagen\r\n"));
        assert!(text.contains("DTSTART;TZID=Europe/Copenhagen:20260330T160000\r\n"));
        assert!(text.contains("DTEND;TZID=Europe/Copenhagen:20260330T173000\r\n"));
        assert!(text.contains("DTSTAMP:20260301T100507Z\r\n"));
        assert!(text.contains("SUMMARY:Ungenetværk\\; Gruppe A\\, Roskilde\r\n"));
        assert!(text.contains("DESCRIPTION:Første linje\\nanden linje\r\n"));
        assert!(text.contains("STATUS:CONFIRMED\r\n"));
        // Every line ends in CRLF; no bare LF.
        assert!(!text.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn a_cancelled_meeting_stays_in_the_feed_as_cancelled() {
        let text = feed(
            "Gruppe A",
            &[meeting(true)],
            datetime!(2026-03-01 10:00 UTC),
        );
        assert!(text.contains("STATUS:CANCELLED\r\nEND:VEVENT"));
        assert!(text.contains("SEQUENCE:1\r\n"));
    }

    #[test]
    fn all_day_events_and_long_lines() {
        let mut day_event = meeting(false);
        day_event.when = When::Days {
            first: date!(2026 - 03 - 30),
            last: date!(2026 - 04 - 10),
        };
        day_event.description = "æøå ".repeat(40);
        let text = feed("x", &[day_event], datetime!(2026-03-01 10:00 UTC));
        assert!(text.contains("DTSTART;VALUE=DATE:20260330\r\nDTEND;VALUE=DATE:20260411\r\n"));
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        // Unfolding gives back the text.
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", "æøå ".repeat(40))));
    }
}
