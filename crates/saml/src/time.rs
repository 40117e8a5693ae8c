//! SAML time values: `xs:dateTime` in UTC (SAML core 1.3.3).
//!
//! SAML core 1.3.3 says all time values "MUST be expressed in UTC form, with no
//! time zone component". We always emit that form (`2026-11-23T10:00:00Z`) and,
//! being liberal only where it is unambiguous, accept on input the `Z` suffix or
//! an explicit `+00:00` offset, with optional fractional seconds. Anything else —
//! a missing zone (local time of an unknown place), a non-zero offset, `24:00:00`,
//! leap seconds, out-of-range fields — is refused with an error that says why.
//!
//! Nothing here reads the clock: callers pass unix seconds in.

use std::fmt;
use std::str::FromStr;

/// The section every error here cites.
const SECTION: &str = "SAML core 1.3.3";

/// A point in time, UTC, with nanosecond precision (what a parsed value may carry;
/// built values are whole seconds). Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// Why a string is not a SAML time value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TimeError {
    /// The text does not have the `YYYY-MM-DDThh:mm:ss[.s+](Z|+00:00)` shape.
    #[error(
        "\"{value}\" is not an xs:dateTime of the form YYYY-MM-DDThh:mm:ss[.fraction]Z \
         ({SECTION}): {problem}"
    )]
    Malformed {
        /// The text as received.
        value: String,
        /// What was wrong with it.
        problem: &'static str,
    },
    /// A field is outside its range (month 13, February 30, hour 24, ...).
    #[error("\"{value}\" is not a valid date and time: {field} is out of range ({SECTION})")]
    OutOfRange {
        /// The text as received.
        value: String,
        /// The field that is out of range.
        field: &'static str,
    },
    /// The value is not in UTC: it has no time zone, or a non-zero offset.
    #[error(
        "\"{value}\" is not in UTC: SAML core 1.3.3 requires UTC time values, written with \
         a trailing Z (+00:00 is accepted too)"
    )]
    NotUtc {
        /// The text as received.
        value: String,
    },
}

impl DateTime {
    /// The time `secs` seconds after 1970-01-01T00:00:00Z.
    pub const fn from_unix(secs: i64) -> Self {
        DateTime { secs, nanos: 0 }
    }

    /// Whole seconds since 1970-01-01T00:00:00Z, rounded down (towards the past).
    pub const fn unix_seconds(self) -> i64 {
        self.secs
    }

    /// The fraction of a second, in nanoseconds (0 for built values).
    pub const fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// This time plus `secs` seconds (negative goes back), saturating at the
    /// ends of the `i64` range rather than overflowing.
    #[must_use]
    pub const fn saturating_add_secs(self, secs: i64) -> Self {
        DateTime {
            secs: self.secs.saturating_add(secs),
            nanos: self.nanos,
        }
    }

    /// Parses a SAML time value; see the module documentation for what is accepted.
    ///
    /// # Errors
    ///
    /// [`TimeError`] naming what is wrong with `value`.
    pub fn parse(value: &str) -> Result<Self, TimeError> {
        let malformed = |problem| TimeError::Malformed {
            value: value.to_owned(),
            problem,
        };
        let out_of_range = |field| TimeError::OutOfRange {
            value: value.to_owned(),
            field,
        };
        let bytes = value.as_bytes();
        // The fixed-width prefix `YYYY-MM-DDThh:mm:ss`: positions of digits and separators.
        if bytes.len() < 19 {
            return Err(malformed("too short"));
        }
        let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
        if let Some(&(_, expected)) = separators.iter().find(|&&(i, c)| bytes[i] != c) {
            return Err(malformed(match expected {
                b'T' => "the date and time must be separated by 'T'",
                b'-' => "the date must be YYYY-MM-DD with a four-digit year",
                _ => "the time must be hh:mm:ss",
            }));
        }
        let number = |range: std::ops::Range<usize>| -> Result<u32, TimeError> {
            bytes[range].iter().try_fold(0u32, |acc, &b| {
                if b.is_ascii_digit() {
                    Ok(acc * 10 + u32::from(b - b'0'))
                } else {
                    Err(malformed("a date or time field holds a non-digit"))
                }
            })
        };
        let year = number(0..4)?;
        let month = number(5..7)?;
        let day = number(8..10)?;
        let hour = number(11..13)?;
        let minute = number(14..16)?;
        let second = number(17..19)?;

        let mut rest = &bytes[19..];
        let mut nanos = 0u32;
        if let Some(fraction) = rest.strip_prefix(b".") {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return Err(malformed(
                    "a '.' must be followed by fractional-second digits",
                ));
            }
            // Digits beyond nanoseconds are dropped (rounding towards the past).
            let mut scale = 100_000_000u32;
            for &b in fraction.iter().take(digits.min(9)) {
                nanos += u32::from(b - b'0') * scale;
                scale /= 10;
            }
            rest = &fraction[digits..];
        }
        match rest {
            b"Z" | b"+00:00" => {}
            b"" => {
                return Err(TimeError::NotUtc {
                    value: value.into(),
                });
            }
            [b'+' | b'-', ..] if rest.len() == 6 => {
                return Err(TimeError::NotUtc {
                    value: value.into(),
                });
            }
            _ => return Err(malformed("unexpected text after the seconds")),
        }

        if year == 0 {
            return Err(out_of_range(
                "the year (0000 does not exist in xs:dateTime)",
            ));
        }
        if !(1..=12).contains(&month) {
            return Err(out_of_range("the month"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(out_of_range("the day of the month"));
        }
        // xs:dateTime allows 24:00:00 for the end of a day, and leap seconds never
        // appear in UTC timestamps SAML peers emit; both would only be ambiguity.
        if hour > 23 {
            return Err(out_of_range("the hour"));
        }
        if minute > 59 {
            return Err(out_of_range("the minute"));
        }
        if second > 59 {
            return Err(out_of_range("the second"));
        }
        let days = days_from_civil(i64::from(year), month, day);
        let secs =
            days * 86_400 + i64::from(hour) * 3_600 + i64::from(minute) * 60 + i64::from(second);
        Ok(DateTime { secs, nanos })
    }
}

impl FromStr for DateTime {
    type Err = TimeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse(s)
    }
}

impl fmt::Display for DateTime {
    /// `YYYY-MM-DDThh:mm:ssZ`, with a fraction (trailing zeros trimmed) only when
    /// the value has one. Years outside 1..=9999 use xs:dateTime's extended form
    /// (more digits, or a leading `-`), so formatting never fails.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let second_of_day = self.secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        if (1..=9999).contains(&year) && self.nanos == 0 {
            // The times samlsim writes (four-digit years, whole seconds): digits
            // into a buffer rather than `write!`'s padding machinery; a flow
            // writes a few dozen of them.
            let mut text = *b"0000-00-00T00:00:00Z";
            let mut put = |at: usize, value: u32, digits: usize| {
                let mut rest = value;
                for slot in text[at..at + digits].iter_mut().rev() {
                    *slot = b'0' + (rest % 10) as u8;
                    rest /= 10;
                }
            };
            put(0, year as u32, 4);
            put(5, month, 2);
            put(8, day, 2);
            put(11, (second_of_day / 3_600) as u32, 2);
            put(14, (second_of_day % 3_600 / 60) as u32, 2);
            put(17, (second_of_day % 60) as u32, 2);
            return f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?);
        }
        if year < 0 {
            write!(f, "-{:04}", -year)?;
        } else {
            write!(f, "{year:04}")?;
        }
        write!(
            f,
            "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3_600,
            second_of_day % 3_600 / 60,
            second_of_day % 60
        )?;
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`, <https://howardhinnant.github.io/date_algorithms.html>).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month = i64::from(month);
    let day_of_year =
        (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]: (year, month, day) of a day number.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    // Both are small by construction (1..=31 and 1..=12).
    let day = (day_of_year - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<DateTime, TimeError> {
        DateTime::parse(s)
    }

    #[test]
    fn formats_utc_with_z() {
        assert_eq!(DateTime::from_unix(0).to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(
            DateTime::from_unix(1_795_428_000).to_string(),
            "2026-11-23T10:00:00Z"
        );
        assert_eq!(
            DateTime::from_unix(951_782_400).to_string(),
            "2000-02-29T00:00:00Z"
        );
        assert_eq!(DateTime::from_unix(-1).to_string(), "1969-12-31T23:59:59Z");
        // The edges of four-digit years, and either side of them.
        assert_eq!(
            DateTime::from_unix(-62_135_596_800).to_string(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(
            DateTime::from_unix(-62_135_596_801).to_string(),
            "0000-12-31T23:59:59Z"
        );
        assert_eq!(
            DateTime::from_unix(253_402_300_799).to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            DateTime::from_unix(253_402_300_800).to_string(),
            "10000-01-01T00:00:00Z"
        );
    }

    #[test]
    fn round_trips_across_four_centuries() {
        // Every 97 days and a few seconds from 1900 to 2300, through leap days.
        let mut secs = -2_208_988_800; // 1900-01-01
        while secs < 10_413_792_000 {
            let t = DateTime::from_unix(secs);
            assert_eq!(parse(&t.to_string()), Ok(t), "{t}");
            secs += 97 * 86_400 + 3_601;
        }
    }

    #[test]
    fn accepts_offset_zero_and_fractions() {
        let t = DateTime::from_unix(1_795_428_000);
        assert_eq!(parse("2026-11-23T10:00:00+00:00"), Ok(t));
        let fractional = parse("2026-11-23T10:00:00.250Z").unwrap();
        assert_eq!(fractional.unix_seconds(), t.unix_seconds());
        assert_eq!(fractional.subsec_nanos(), 250_000_000);
        assert_eq!(fractional.to_string(), "2026-11-23T10:00:00.25Z");
        assert!(fractional > t);
        // More than nanosecond precision is truncated, not refused.
        let fine = parse("2026-11-23T10:00:00.1234567899Z").unwrap();
        assert_eq!(fine.subsec_nanos(), 123_456_789);
    }

    #[test]
    fn refuses_what_is_not_utc_xs_datetime() {
        for (value, expected) in [
            ("2026-11-23T10:00:00", "not in UTC"),
            ("2026-11-23T10:00:00+01:00", "not in UTC"),
            ("2026-11-23T10:00:00-05:00", "not in UTC"),
            ("2026-11-23 10:00:00Z", "separated by 'T'"),
            ("2026-11-23T10:00Z", "too short"),
            ("226-11-23T10:00:00Z", "four-digit year"),
            ("12026-11-23T10:00:00Z", "four-digit year"),
            ("2026-11-23T10:00:00.Z", "fractional-second digits"),
            ("2026-11-23T10:00:00ZZ", "unexpected text"),
            ("2026-11-23T10:00:00z", "unexpected text"),
            ("2026-1a-23T10:00:00Z", "non-digit"),
            ("2026-13-01T10:00:00Z", "the month"),
            ("2026-02-29T10:00:00Z", "the day of the month"),
            ("2026-11-23T24:00:00Z", "the hour"),
            ("2026-11-23T10:60:00Z", "the minute"),
            ("2016-12-31T23:59:60Z", "the second"),
            ("0000-01-01T00:00:00Z", "the year"),
            ("", "too short"),
            (" 2026-11-23T10:00:00Z", "four-digit year"),
        ] {
            let error = parse(value).expect_err(value).to_string();
            assert!(error.contains(expected), "{value}: {error}");
            assert!(error.contains("1.3.3"), "{value}: {error}");
        }
        assert!(parse("2024-02-29T00:00:00Z").is_ok());
    }

    #[test]
    fn never_panics_on_extreme_values() {
        for secs in [i64::MIN, i64::MIN / 86_400, i64::MAX, -62_135_596_800 - 1] {
            let _ = DateTime::from_unix(secs).to_string();
        }
        assert_eq!(
            DateTime::from_unix(i64::MAX).saturating_add_secs(1),
            DateTime::from_unix(i64::MAX)
        );
    }
}
