//! The times the log and the transcript show: this machine's local time.

use chrono::{DateTime, Local, Timelike};

/// Now, in local time.
pub fn now() -> DateTime<Local> {
    Local::now()
}

/// `2026-11-26T14:05:09.123+09:00`: ISO 8601 with milliseconds and the offset from UTC,
/// in front of each transcript line, so that a saved transcript lines up with a packet
/// capture.
pub fn transcript_time(at: &DateTime<Local>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3f%:z").to_string()
}

/// Seconds since local midnight: what a log row keeps of its time (4 bytes).
pub fn seconds_of_day(at: &DateTime<Local>) -> u32 {
    at.num_seconds_from_midnight()
}

/// `14:05:09`: the time in front of a log line when Times is on.
pub fn log_time(seconds_of_day: u32) -> String {
    let s = seconds_of_day % 86_400;
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// A log line as shown: after its time (`14:05:09 [rcv] hello`) when `times` is on.
/// The one place both front ends put the time in front of a line.
pub fn shown_line(line: &str, seconds_of_day: u32, times: bool) -> String {
    if times {
        format!("{} {line}", log_time(seconds_of_day))
    } else {
        line.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_transcript_time_is_iso_8601_with_milliseconds_and_the_offset() {
        let offset = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
        let at = offset
            .with_ymd_and_hms(2026, 11, 26, 14, 5, 9)
            .unwrap()
            .with_timezone(&Local);
        let text = transcript_time(&at);
        // Local time: the fields are this machine's, the shape is fixed.
        let parsed = DateTime::parse_from_rfc3339(&text).unwrap();
        assert_eq!(parsed, at);
        assert_eq!(text.len(), "2026-11-26T14:05:09.000+09:00".len(), "{text}");
        assert_eq!(&text[19..23], ".000");
    }

    #[test]
    fn the_log_time_is_hours_minutes_seconds() {
        assert_eq!(log_time(0), "00:00:00");
        assert_eq!(log_time(14 * 3600 + 5 * 60 + 9), "14:05:09");
        assert_eq!(log_time(86_399), "23:59:59");
    }

    #[test]
    fn a_line_is_shown_after_its_time_only_with_times_on() {
        let at = 14 * 3600 + 5 * 60 + 9;
        assert_eq!(shown_line("[rcv] 안녕", at, true), "14:05:09 [rcv] 안녕");
        assert_eq!(shown_line("[rcv] 안녕", at, false), "[rcv] 안녕");
    }
}
