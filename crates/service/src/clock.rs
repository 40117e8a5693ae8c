//! The virtual clock every service reads time from.
//!
//! Expiry is the heart of half the scenarios (12-hour Connect sessions, an
//! assertion's `NotOnOrAfter`, a 5-minute Cognito sign-in window), and it must be
//! testable by moving time rather than by sleeping. So no logic reads the wall
//! clock: it asks a [`Clock`]. The emulator runs a [`VirtualClock`] that follows
//! real time plus an offset the admin API can move forward or set outright; tests
//! freeze it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Unix time in seconds.
pub type UnixTime = i64;

/// A source of the current time.
pub trait Clock: Send + Sync {
    fn now(&self) -> UnixTime;
}

/// The earliest time the clock can be moved to: the Unix epoch.
pub const EARLIEST: UnixTime = 0;

/// The latest time the clock can be moved to: 9990-01-01T00:00:00Z. SAML and JWT
/// times are `xs:dateTime` with four-digit years, so nothing after
/// 9999-12-31T23:59:59Z can be written; the ten years left over are the longest
/// lifetime anything here issues (a Cognito refresh token), so every expiry the
/// emulator computes is still a date every party accepts.
pub const LATEST: UnixTime = 253_086_768_000;

/// Why the clock refused to move.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the virtual clock stays between 1970-01-01T00:00:00Z and 9990-01-01T00:00:00Z (Unix {EARLIEST}..={LATEST}); moving it to Unix {target} is outside"
)]
pub struct ClockRangeError {
    /// Where the move would have put the clock (saturated at the `i64` range).
    pub target: i128,
}

/// Real time shifted by an adjustable offset, or frozen time.
#[derive(Debug)]
pub struct VirtualClock {
    /// `None`: follow the system clock. `Some(t)`: frozen at `t` (plus the offset).
    frozen_at: Option<UnixTime>,
    offset: AtomicI64,
}

impl VirtualClock {
    /// Follows the system clock until moved.
    pub fn system() -> Self {
        VirtualClock {
            frozen_at: None,
            offset: AtomicI64::new(0),
        }
    }

    /// Stands still at `at` until moved: for tests and reproducible scenarios.
    pub fn frozen(at: UnixTime) -> Self {
        VirtualClock {
            frozen_at: Some(at),
            offset: AtomicI64::new(0),
        }
    }

    /// Moves time forward (or back, with a negative amount) by `seconds`: for
    /// tests, which move it by amounts they know to be in range (an amount that
    /// is not leaves the clock where it was). Input from outside goes through
    /// [`VirtualClock::try_advance`].
    pub fn advance(&self, seconds: i64) {
        // Ignoring the range error is the documented contract of this method.
        let _ = self.try_advance(seconds);
    }

    /// Moves time by `seconds`, unless that leaves [`EARLIEST`]..=[`LATEST`].
    pub fn try_advance(&self, seconds: i64) -> Result<(), ClockRangeError> {
        let target = i128::from(self.now()) + i128::from(seconds);
        Self::check(target)?;
        self.offset.fetch_add(seconds, Ordering::SeqCst);
        Ok(())
    }

    /// Makes `now()` return `at`, then go on from there (tests; see
    /// [`VirtualClock::try_set`]).
    pub fn set(&self, at: UnixTime) {
        // As for `advance`: out-of-range moves are documented to do nothing.
        let _ = self.try_set(at);
    }

    /// Makes `now()` return `at`, unless it is outside [`EARLIEST`]..=[`LATEST`].
    pub fn try_set(&self, at: UnixTime) -> Result<(), ClockRangeError> {
        Self::check(i128::from(at))?;
        self.offset.store(at - self.base(), Ordering::SeqCst);
        Ok(())
    }

    /// Back to the time the clock follows (wall time, or the frozen instant).
    pub fn reset(&self) {
        self.offset.store(0, Ordering::SeqCst);
    }

    fn check(target: i128) -> Result<(), ClockRangeError> {
        if (i128::from(EARLIEST)..=i128::from(LATEST)).contains(&target) {
            Ok(())
        } else {
            Err(ClockRangeError { target })
        }
    }

    /// Whether the clock stands still.
    pub fn is_frozen(&self) -> bool {
        self.frozen_at.is_some()
    }

    /// How far the clock is from the time it follows, in seconds.
    pub fn offset(&self) -> i64 {
        self.offset.load(Ordering::SeqCst)
    }

    fn base(&self) -> UnixTime {
        self.frozen_at.unwrap_or_else(system_now)
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> UnixTime {
        self.base() + self.offset.load(Ordering::SeqCst)
    }
}

/// The one place the wall clock is read.
fn system_now() -> UnixTime {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// Why a duration did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{input}\" is not a duration: use a number followed by d, h, m or s, e.g. 12h1s or 90m")]
pub struct DurationError {
    pub input: String,
}

/// Parses `12h1s`, `90m`, `1d2h`, `30s`, `-5m` into seconds. A bare number is seconds.
pub fn parse_duration(input: &str) -> Result<i64, DurationError> {
    let error = || DurationError {
        input: input.to_owned(),
    };
    let text = input.trim();
    let (sign, text) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    if text.is_empty() {
        return Err(error());
    }
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(sign * seconds);
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'd' => 86_400,
            'h' => 3_600,
            'm' => 60,
            's' => 1,
            _ => return Err(error()),
        };
        let value: i64 = number.parse().map_err(|_| error())?;
        total = value
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(error)?;
        number.clear();
    }
    if !number.is_empty() {
        return Err(error());
    }
    Ok(sign * total)
}

/// `12h0m1s`-style rendering, for messages.
pub fn format_duration(seconds: i64) -> String {
    let sign = if seconds < 0 { "-" } else { "" };
    let mut rest = seconds.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, name) in [(86_400, 'd'), (3_600, 'h'), (60, 'm')] {
        if rest >= unit {
            out.push_str(&format!("{}{name}", rest / unit));
            rest %= unit;
        }
    }
    if rest > 0 || out.len() == sign.len() {
        out.push_str(&format!("{rest}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("12h1s"), Ok(43_201));
        assert_eq!(parse_duration("90m"), Ok(5_400));
        assert_eq!(parse_duration("1d2h"), Ok(93_600));
        assert_eq!(parse_duration("45"), Ok(45));
        assert_eq!(parse_duration("-5m"), Ok(-300));
        for bad in ["", "h", "12x", "12h1", "1.5h", "99999999999999999999d"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert_eq!(format_duration(43_201), "12h1s");
        assert_eq!(format_duration(0), "0s");
    }

    #[test]
    fn a_frozen_clock_moves_only_when_told() {
        let clock = VirtualClock::frozen(1_000);
        assert_eq!(clock.now(), 1_000);
        clock.advance(43_201);
        assert_eq!(clock.now(), 44_201);
        clock.set(5);
        assert_eq!(clock.now(), 5);
    }

    #[test]
    fn hostile_clock_stays_within_years_1970_to_9990() {
        let clock = VirtualClock::frozen(1_000);
        let err = clock.try_advance(i64::MAX).unwrap_err();
        assert!(err.to_string().contains("stays between 1970"), "{err}");
        assert_eq!(clock.now(), 1_000, "a refused move leaves the clock");
        assert!(clock.try_advance(-1_001).is_err());
        assert!(clock.try_set(LATEST + 1).is_err());
        clock.try_set(LATEST).unwrap();
        assert_eq!(clock.now(), LATEST);
        clock.advance(i64::MAX);
        assert_eq!(clock.now(), LATEST, "no wrap to year -292277022601");
        clock.reset();
        assert_eq!(clock.now(), 1_000);
    }

    #[test]
    fn a_system_clock_keeps_its_offset() {
        let clock = VirtualClock::system();
        let before = clock.now();
        clock.advance(3_600);
        assert!(clock.now() >= before + 3_600);
    }
}
