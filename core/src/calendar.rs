//! The user's time zone and clock: what "today", "tomorrow 17:00" and
//! "overdue" mean. Tasks store instants in UTC; everything a person reads or
//! types is wall time in this zone.
//!
//! The zone is an IANA name looked up in the database compiled into
//! `chrono-tz`, so a server gives every user the same answer whatever the
//! machine's files say, and tests can pin any zone.

use std::fmt;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::tasks::{self, Due};
use crate::timestamp::Timestamp;
use crate::when::{self, REMINDER_TIME_FOR_A_DATE, When};

/// The longest date or date-time text parsed; ISO 8601 needs 25 characters.
const ISO_MAX_CHARS: usize = 40;
/// Years outside this range are refused: they are typing mistakes, and
/// SQLite compares the stored ISO text, which sorts right for 4-digit years only.
pub const YEARS: std::ops::RangeInclusive<i32> = 1000..=9999;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Clock {
    System,
    Fixed(DateTime<Utc>),
}

/// A time zone and a clock. Cheap to clone.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Calendar {
    zone: Tz,
    clock: Clock,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("zone", &self.zone.name())
            .field("clock", &self.clock)
            .finish()
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Self::system()
    }
}

impl Calendar {
    /// The machine's zone (`TZ` when it names an IANA zone, else the
    /// system's setting) and the real clock. UTC, with a warning, when
    /// neither names a zone this build knows.
    pub fn system() -> Self {
        let from_env = std::env::var("TZ")
            .ok()
            .and_then(|tz| tz.trim_start_matches(':').parse::<Tz>().ok());
        let zone = from_env
            .or_else(|| iana_time_zone::get_timezone().ok().and_then(|name| name.parse().ok()))
            .unwrap_or_else(|| {
                tracing::warn!("the machine's time zone could not be determined; using UTC");
                Tz::UTC
            });
        Self {
            zone,
            clock: Clock::System,
        }
    }

    /// An IANA zone by name (`Europe/Paris`, `UTC`), with the real clock.
    pub fn named(zone: &str) -> Result<Self, String> {
        let zone = zone
            .trim()
            .parse::<Tz>()
            .map_err(|_| format!("Unknown time zone {zone:?}: use an IANA name such as Europe/Paris or UTC."))?;
        Ok(Self {
            zone,
            clock: Clock::System,
        })
    }

    /// A clock frozen at `now`, in `zone` (for tests; panics on an unknown zone).
    pub fn fixed(now: DateTime<Utc>, zone: &str) -> Self {
        let named = Self::named(zone).unwrap_or_else(|e| panic!("{e}"));
        Self {
            clock: Clock::Fixed(now),
            ..named
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self.clock {
            Clock::System => Utc::now(),
            Clock::Fixed(now) => now,
        }
    }

    /// Wall time in the zone.
    pub fn local_now(&self) -> NaiveDateTime {
        self.to_local(self.now())
    }

    pub fn today(&self) -> NaiveDate {
        self.local_now().date()
    }

    pub fn zone_name(&self) -> String {
        self.zone.name().to_owned()
    }

    /// The wall time of `instant` in the zone.
    pub fn to_local(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        instant.with_timezone(&self.zone).naive_local()
    }

    /// The instant of a wall time in the zone. A time the clocks skip (spring
    /// forward) is read as the same time an hour later; one they repeat
    /// (fall back), as its first occurrence.
    pub fn from_local(&self, wall: NaiveDateTime) -> DateTime<Utc> {
        match self.zone.from_local_datetime(&wall) {
            LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
            LocalResult::None => match self.zone.from_local_datetime(&(wall + Duration::hours(1))) {
                LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
                // No zone skips two hours in a row; UTC is the last resort.
                LocalResult::None => wall.and_utc(),
            },
        }
    }

    /// The first instant of `date` in the zone.
    pub fn start_of_day(&self, date: NaiveDate) -> DateTime<Utc> {
        self.from_local(date.and_time(NaiveTime::MIN))
    }

    /// A `due` as the tools take it: an ISO 8601 date (`2026-12-24`), or a
    /// date-time (`2026-12-24T17:00`, seconds and an offset optional; no
    /// offset is wall time in the zone).
    pub fn parse_due(&self, text: &str) -> tasks::Result<Due> {
        match parse_iso(text) {
            Some(Iso::Date(date)) => Ok(Due::Date(date)),
            Some(Iso::Local(wall)) => Ok(Due::At(self.from_local(wall).into())),
            Some(Iso::Instant(at)) => Ok(Due::At(at.into())),
            None => Err(invalid("A due date", text)),
        }
    }

    /// A `remind_at` as the tools take it: the forms of [`Calendar::parse_due`];
    /// a date alone means 09:00 that day.
    pub fn parse_reminder(&self, text: &str) -> tasks::Result<Timestamp> {
        match parse_iso(text) {
            Some(Iso::Date(date)) => Ok(self.from_local(date.and_time(REMINDER_TIME_FOR_A_DATE)).into()),
            Some(Iso::Local(wall)) => Ok(self.from_local(wall).into()),
            Some(Iso::Instant(at)) => Ok(at.into()),
            None => Err(invalid("A reminder time", text)),
        }
    }

    /// A due typed by a person (the CLI's `--due`): ISO 8601 as
    /// [`Calendar::parse_due`], else plain English such as "tomorrow at 5pm"
    /// or "next friday" (see [`crate::when`]).
    pub fn read_due(&self, text: &str) -> tasks::Result<Due> {
        self.parse_due(text)
            .or_else(|iso| match when::parse(text, self.local_now()) {
                Some(When::Date(date)) => Ok(Due::Date(date)),
                Some(When::At(wall)) => Ok(Due::At(self.from_local(wall).into())),
                None => Err(with_words(iso)),
            })
    }

    /// A reminder time typed by a person: as [`Calendar::read_due`]; a date
    /// alone means 09:00 that day.
    pub fn read_reminder(&self, text: &str) -> tasks::Result<Timestamp> {
        self.parse_reminder(text)
            .or_else(|iso| match when::parse(text, self.local_now()) {
                Some(when) => Ok(self.from_local(when.reminder_time()).into()),
                None => Err(with_words(iso)),
            })
    }

    /// A due as a person (or the model) reads it: `2026-12-24` for a date,
    /// `2026-12-24T17:00` in the zone for an instant.
    pub fn format_due(&self, due: Due) -> String {
        match due {
            Due::Date(date) => When::Date(date).iso(),
            Due::At(at) => self.format_local(at),
        }
    }

    /// An instant as wall time in the zone, `2026-12-24T17:00`.
    pub fn format_local(&self, at: Timestamp) -> String {
        When::At(self.to_local(at.as_datetime())).iso()
    }
}

fn invalid(what: &str, text: &str) -> tasks::Error {
    let shown: String = text.chars().take(ISO_MAX_CHARS).collect();
    tasks::Error::InvalidRequest(format!(
        "{what} must be an ISO 8601 date such as 2026-12-24 or a date-time such as 2026-12-24T17:00 \
         (seconds and an offset such as Z or +01:00 are optional; without one it is local time), \
         in the years {}-{}; got {shown:?}.",
        YEARS.start(),
        YEARS.end()
    ))
}

/// The ISO refusal, saying that words are read too.
fn with_words(iso: tasks::Error) -> tasks::Error {
    tasks::Error::InvalidRequest(format!(
        "{iso} Words such as \"tomorrow at 5pm\" or \"next friday\" work too."
    ))
}

/// What an ISO 8601 text names.
enum Iso {
    Date(NaiveDate),
    /// Wall time, zone unsaid.
    Local(NaiveDateTime),
    Instant(DateTime<Utc>),
}

fn parse_iso(text: &str) -> Option<Iso> {
    let text = text.trim();
    if text.len() > ISO_MAX_CHARS {
        return None;
    }
    let parsed = if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        Iso::Date(date)
    } else if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        Iso::Instant(at.with_timezone(&Utc))
    } else if let Some(at) = ["%Y-%m-%dT%H:%M%:z", "%Y-%m-%dT%H:%M%#z"]
        .iter()
        .find_map(|format| DateTime::parse_from_str(text, format).ok())
    {
        Iso::Instant(at.with_timezone(&Utc))
    } else {
        let wall = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%.f"]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())?;
        Iso::Local(wall)
    };
    let year = match &parsed {
        Iso::Date(date) => date.year(),
        Iso::Local(wall) => wall.year(),
        Iso::Instant(at) => at.year(),
    };
    YEARS.contains(&year).then_some(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(iso: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(iso)
            .unwrap_or_else(|e| panic!("{iso}: {e}"))
            .with_timezone(&Utc)
    }

    fn date(iso: &str) -> NaiveDate {
        NaiveDate::parse_from_str(iso, "%Y-%m-%d").unwrap_or_else(|e| panic!("{iso}: {e}"))
    }

    #[test]
    fn today_is_the_date_in_the_zone_not_in_utc() {
        let late_evening_in_new_york = at("2026-12-02T03:30:00Z");
        assert_eq!(
            Calendar::fixed(late_evening_in_new_york, "America/New_York").today(),
            date("2026-12-01")
        );
        assert_eq!(
            Calendar::fixed(late_evening_in_new_york, "Europe/Paris").today(),
            date("2026-12-02")
        );
    }

    #[test]
    fn a_due_without_an_offset_is_local_time_and_with_one_an_instant() {
        let paris = Calendar::fixed(at("2026-12-01T12:00:00Z"), "Europe/Paris");
        for (text, instant) in [
            ("2026-12-24T17:00", "2026-12-24T16:00:00Z"),
            (" 2026-12-24T17:00:30 ", "2026-12-24T16:00:30Z"),
            ("2026-12-24T17:00Z", "2026-12-24T17:00:00Z"),
            ("2026-12-24T17:00:00-05:00", "2026-12-24T22:00:00Z"),
            ("2026-12-24T17:00+0100", "2026-12-24T16:00:00Z"),
        ] {
            let parsed = paris.parse_due(text).map_err(|e| e.to_string());
            assert_eq!(parsed, Ok(Due::At(at(instant).into())), "{text}");
        }
        assert_eq!(
            paris.parse_due("2026-12-24").map_err(|e| e.to_string()),
            Ok(Due::Date(date("2026-12-24")))
        );
        assert_eq!(
            paris
                .parse_reminder("2026-12-24")
                .map(|t| t.as_datetime())
                .map_err(|e| e.to_string()),
            Ok(at("2026-12-24T08:00:00Z")),
            "a date alone reminds at 09:00 local"
        );
    }

    #[test]
    fn bad_dues_are_refused_with_what_is_accepted() {
        let calendar = Calendar::fixed(at("2026-12-01T12:00:00Z"), "UTC");
        for bad in [
            "tomorrow",
            "2026-02-30",
            "24/12/2026",
            "2026-12-24T25:00",
            "0999-01-01",
            "",
            &"9".repeat(5000),
        ] {
            let err = calendar.parse_due(bad).err().map(|e| (e.code(), e.to_string()));
            let (code, message) = err.unwrap_or_else(|| panic!("{bad:?} was accepted"));
            assert_eq!(code, "INVALID_REQUEST");
            assert!(message.contains("2026-12-24T17:00") && message.len() < 400, "{message}");
        }
    }

    #[test]
    fn skipped_and_repeated_wall_times_resolve_to_one_instant() {
        let paris = Calendar::fixed(at("2026-03-01T12:00:00Z"), "Europe/Paris");
        let skipped = date("2026-03-29").and_hms_opt(2, 30, 0).unwrap_or_default();
        assert_eq!(
            paris.from_local(skipped),
            at("2026-03-29T01:30:00Z"),
            "read as 03:30 CEST"
        );
        let repeated = date("2026-10-25").and_hms_opt(2, 30, 0).unwrap_or_default();
        assert_eq!(
            paris.from_local(repeated),
            at("2026-10-25T00:30:00Z"),
            "the first 02:30, CEST"
        );
    }

    #[test]
    fn typed_dues_are_iso_or_plain_words_in_the_zone() {
        // Monday 30 November, 22:00 in Los Angeles.
        let la = Calendar::fixed(at("2026-12-01T06:00:00Z"), "America/Los_Angeles");
        assert_eq!(
            la.read_due("tomorrow").map_err(|e| e.to_string()),
            Ok(Due::Date(date("2026-12-01")))
        );
        assert_eq!(
            la.read_due("tomorrow at 5pm").map_err(|e| e.to_string()),
            Ok(Due::At(at("2026-12-02T01:00:00Z").into()))
        );
        assert_eq!(
            la.read_due("2026-12-24").map_err(|e| e.to_string()),
            Ok(Due::Date(date("2026-12-24")))
        );
        assert_eq!(
            la.read_reminder("tomorrow")
                .map(|t| t.as_datetime())
                .map_err(|e| e.to_string()),
            Ok(at("2026-12-01T17:00:00Z"))
        );
        let refused = la.read_due("whenever").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            refused.contains("2026-12-24T17:00") && refused.contains("tomorrow at 5pm"),
            "{refused}"
        );
    }

    #[test]
    fn dues_are_shown_as_local_iso() {
        let tokyo = Calendar::fixed(at("2026-12-01T12:00:00Z"), "Asia/Tokyo");
        assert_eq!(
            tokyo.format_due(Due::At(at("2026-12-24T08:00:00Z").into())),
            "2026-12-24T17:00"
        );
        assert_eq!(tokyo.format_due(Due::Date(date("2026-12-24"))), "2026-12-24");
        assert_eq!(tokyo.zone_name(), "Asia/Tokyo");
        assert!(Calendar::named("Mars/Olympus").is_err());
    }
}
