//! Calendar dates as Quire needs them: a day, parsed from front matter, paths or file names.
//!
//! No time zones or times of day: items are sorted and shown by day, and pulling in a date
//! crate for that would be weight without use.

use std::fmt;

use serde::{Serialize, Serializer};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl Date {
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        let valid = (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month);
        valid.then_some(Date { year, month, day })
    }

    /// The day's number in its year, from 1.
    pub fn day_of_year(self) -> u32 {
        (1..self.month)
            .map(|m| u32::from(days_in_month(self.year, m)))
            .sum::<u32>()
            + u32::from(self.day)
    }

    /// The UTC day of a time in seconds since 1970 (browsers keep when a bookmark was added).
    pub fn from_unix_seconds(seconds: i64) -> Option<Date> {
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        Date::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }

    /// Parses the date at the start of `text`: `YYYY-MM-DD`, optionally followed by a time
    /// (`2024-03-01T10:00:00Z`, `2024-03-01 10:00`), which is ignored.
    pub fn parse_prefix(text: &str) -> Option<Date> {
        let b = text.trim().as_bytes();
        if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if b.len() > 10 && b[10].is_ascii_digit() {
            return None;
        }
        Date::new(
            number(&b[0..4])?,
            number(&b[5..7])? as u8,
            number(&b[8..10])? as u8,
        )
    }

    /// Parses a whole string that is only a date (and maybe a time).
    pub fn parse(text: &str) -> Option<Date> {
        let text = text.trim();
        let date = Date::parse_prefix(text)?;
        let rest = &text[10..];
        let time_like = rest.is_empty()
            || rest.starts_with(['T', 't', ' '])
                && rest[1..]
                    .chars()
                    .all(|c| c.is_ascii_digit() || ":.+-Zz ".contains(c));
        time_like.then_some(date)
    }

    /// Finds a `YYYY/MM/DD` run of path segments, as in `/blog/2024/06/30/slug/`.
    pub fn find_in_path(path: &str) -> Option<Date> {
        let parts: Vec<&str> = path.split(['/', '\\']).collect();
        parts.windows(3).find_map(|w| {
            let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
            if digits(w[0], 4) && digits(w[1], 2) && digits(w[2], 2) {
                Date::new(w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?)
            } else {
                None
            }
        })
    }

    /// A `YYYY-MM-DD-` prefix of a file name, as in Jekyll's `2024-03-01-title.md`.
    pub fn from_file_name(name: &str) -> Option<Date> {
        if name.len() > 11 && name.as_bytes()[10] == b'-' {
            Date::parse_prefix(&name[..10])
        } else {
            None
        }
    }
}

fn number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_and_timed_dates() {
        assert_eq!(Date::parse("2024-06-30"), Date::new(2024, 6, 30));
        assert_eq!(Date::parse("2024-06-30T10:20:00Z"), Date::new(2024, 6, 30));
        assert_eq!(Date::parse("2024-06-30 10:20"), Date::new(2024, 6, 30));
        assert_eq!(Date::parse("2024-06-30 and more"), None);
    }

    #[test]
    fn rejects_impossible_days() {
        assert_eq!(Date::parse("2023-02-29"), None);
        assert!(Date::parse("2024-02-29").is_some());
        assert_eq!(Date::parse("2024-13-01"), None);
        assert_eq!(Date::parse("24-01-01"), None);
    }

    #[test]
    fn finds_a_date_in_a_url_path() {
        let path = "/blog/2024/06/30/big-data-engineering/";
        assert_eq!(Date::find_in_path(path), Date::new(2024, 6, 30));
        assert_eq!(Date::find_in_path("/blog/2024/6/30/x"), None);
    }

    #[test]
    fn reads_jekyll_file_name_prefix() {
        assert_eq!(
            Date::from_file_name("2022-09-03-little-endian.md"),
            Date::new(2022, 9, 3)
        );
        assert_eq!(Date::from_file_name("2022-09-03.md"), None);
        assert_eq!(Date::from_file_name("notes.md"), None);
    }

    #[test]
    fn displays_as_iso() {
        assert_eq!(
            Date::new(2022, 9, 3).map(|d| d.to_string()).as_deref(),
            Some("2022-09-03")
        );
    }
}
