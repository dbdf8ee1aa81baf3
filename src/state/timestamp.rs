//! Wall-clock times in milliseconds since the Unix epoch, shown as RFC 3339 in UTC.
//!
//! Milliseconds, because two processes marking the same item must still be ordered; UTC,
//! because the state file is shared across time zones and read by people.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::content::date::{civil_from_days, days_from_civil};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    pub fn now() -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        Timestamp(millis)
    }

    /// From a TOML datetime (offsets are honoured; a local time or a bare date counts as UTC).
    pub fn from_toml(dt: &toml::value::Datetime) -> Option<Timestamp> {
        let date = dt.date?;
        let days = days_from_civil(
            i64::from(date.year),
            u32::from(date.month),
            u32::from(date.day),
        );
        let (mut seconds, mut millis) = (days * 86_400, 0i64);
        if let Some(time) = dt.time {
            seconds += i64::from(time.hour) * 3600
                + i64::from(time.minute) * 60
                + i64::from(time.second.unwrap_or(0));
            millis = i64::from(time.nanosecond.unwrap_or(0) / 1_000_000);
        }
        if let Some(toml::value::Offset::Custom { minutes }) = dt.offset {
            seconds -= i64::from(minutes) * 60;
        }
        let total = seconds.checked_mul(1000)?.checked_add(millis)?;
        u64::try_from(total).ok().map(Timestamp)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let millis = self.0 % 1000;
        let seconds = self.0 / 1000;
        let days = (seconds / 86_400) as i64;
        let rest = seconds % 86_400;
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{millis:03}Z",
            rest / 3600,
            rest / 60 % 60,
            rest % 60
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_as_rfc3339_utc_with_millis() {
        assert_eq!(Timestamp(0).to_string(), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            Timestamp(1_763_754_483_123).to_string(),
            "2025-11-21T19:48:03.123Z"
        );
    }

    #[test]
    fn round_trips_through_toml() {
        for t in [0, 951_782_400_000, 1_763_754_483_123, 4_102_444_800_999] {
            let text = Timestamp(t).to_string();
            let dt: toml::value::Datetime = text.parse().expect("valid datetime");
            assert_eq!(Timestamp::from_toml(&dt), Some(Timestamp(t)), "{text}");
        }
    }

    #[test]
    fn honours_offsets() {
        let dt: toml::value::Datetime = "1970-01-01T01:00:00+01:00".parse().expect("valid");
        assert_eq!(Timestamp::from_toml(&dt), Some(Timestamp(0)));
    }
}
