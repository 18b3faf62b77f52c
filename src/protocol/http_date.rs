//! HTTP dates (the IMF-fixdate form of RFC 9110 §5.6.7) as Unix time, with the calendar
//! arithmetic they need.

use super::origin::split_around;

/// `Sun, 06 Nov 1994 08:49:37 GMT` → Unix time in milliseconds.
pub(super) fn parse_imf_fixdate(text: &str) -> Option<u64> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (day_name, rest) = split_around(text, ", ")?;
    if !DAYS.contains(&day_name) {
        return None;
    }
    let mut parts = rest.split(' ');
    let day = fixed_number(parts.next()?, 2)?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|name| *name == month_name)? as u64 + 1;
    let year = fixed_number(parts.next()?, 4)?;
    let mut clock = parts.next()?.split(':');
    let hour = fixed_number(clock.next()?, 2)?;
    let minute = fixed_number(clock.next()?, 2)?;
    let second = fixed_number(clock.next()?, 2)?;
    if clock.next().is_some() || parts.next()? != "GMT" || parts.next().is_some() {
        return None;
    }
    if year < 1970 || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    // 60 allows a leap second.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let days = days_since_epoch(year, month, day);
    let seconds = days * 86_400 + hour * 3600 + minute * 60 + second;
    Some(seconds * 1000)
}

/// A credential's expiry as the admin or the SaaS gives it (SPEC §9.3): a date
/// `2026-05-12` (the end of that day, UTC, as the portal means it) or an instant
/// `2026-05-12T08:30:00Z` → Unix seconds. Anything else, and dates before 1970, are `None`.
pub fn parse_expiry(text: &str) -> Option<u64> {
    let (date, time) = match text.split_once('T') {
        Some((date, time)) => (date, Some(time.strip_suffix('Z')?)),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let year = fixed_number(parts.next()?, 4)?;
    let month = fixed_number(parts.next()?, 2)?;
    let day = fixed_number(parts.next()?, 2)?;
    if parts.next().is_some() || year < 1970 || !(1..=12).contains(&month) {
        return None;
    }
    if day == 0 || day > days_in_month(year, month) {
        return None;
    }
    let seconds_of_day = match time {
        None => 86_399,
        Some(time) => {
            let mut clock = time.split(':');
            let hour = fixed_number(clock.next()?, 2)?;
            let minute = fixed_number(clock.next()?, 2)?;
            let second = fixed_number(clock.next()?, 2)?;
            if clock.next().is_some() || hour > 23 || minute > 59 || second > 59 {
                return None;
            }
            hour * 3600 + minute * 60 + second
        }
    };
    Some(days_since_epoch(year, month, day) * 86_400 + seconds_of_day)
}

/// Exactly `width` ASCII digits.
fn fixed_number(text: &str, width: usize) -> Option<u64> {
    if text.len() != width || !text.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    Some(
        text.bytes()
            .fold(0, |total, byte| total * 10 + u64::from(byte - b'0')),
    )
}

fn is_leap_year(year: u64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap_year(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the given date (year ≥ 1970), by Howard Hinnant's
/// `days_from_civil`.
fn days_since_epoch(year: u64, month: u64, day: u64) -> u64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let shifted_month = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}
