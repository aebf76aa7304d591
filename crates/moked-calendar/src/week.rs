//! Work weeks: which weekdays are open, and for how long.

use jiff::civil::{Time, Weekday};

/// Opening hours of one day: from `open` (inclusive) to `close` (exclusive),
/// local civil time, within the same day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpeningHours {
    /// The first open instant.
    pub open: Time,
    /// The first closed instant after `open`.
    pub close: Time,
}

/// Why opening hours are not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpeningHoursError {
    /// Closing is not after opening.
    #[error("closing time {close} is not after opening time {open}")]
    CloseNotAfterOpen {
        /// The opening time.
        open: Time,
        /// The closing time.
        close: Time,
    },
}

impl OpeningHours {
    /// Opening hours from `open` to `close`, which must be later the same day.
    pub fn new(open: Time, close: Time) -> Result<OpeningHours, OpeningHoursError> {
        if close <= open {
            return Err(OpeningHoursError::CloseNotAfterOpen { open, close });
        }
        Ok(OpeningHours { open, close })
    }

    /// The length of the open period in seconds.
    pub fn seconds(&self) -> i64 {
        let span = self.close.duration_since(self.open);
        span.as_secs()
    }

    /// Whether `time` is within the opening hours.
    pub fn contains(&self, time: Time) -> bool {
        self.open <= time && time < self.close
    }
}

/// Full and short opening hours for each weekday; `None` means closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkWeek {
    /// Opening hours by weekday, Monday first (index = days from Monday).
    days: [Option<OpeningHours>; 7],
    /// The hours of a short day (the eve of a holiday), when it is otherwise open.
    short_day: OpeningHours,
}

impl WorkWeek {
    /// A week with the given hours per weekday (Monday first) and the hours
    /// of short days (holiday eves).
    pub fn new(days: [Option<OpeningHours>; 7], short_day: OpeningHours) -> WorkWeek {
        WorkWeek { days, short_day }
    }

    /// The Israeli week: Sunday to Thursday `full`, Friday `short`, Saturday closed.
    /// Holiday eves get the `short` hours too.
    pub fn israel(full: OpeningHours, short: OpeningHours) -> WorkWeek {
        let mut days = [Some(full); 7];
        days[Weekday::Friday.to_monday_zero_offset() as usize] = Some(short);
        days[Weekday::Saturday.to_monday_zero_offset() as usize] = None;
        WorkWeek {
            days,
            short_day: short,
        }
    }

    /// Monday to Friday `full`, weekends closed; holiday eves get `short`.
    pub fn monday_to_friday(full: OpeningHours, short: OpeningHours) -> WorkWeek {
        let mut days = [Some(full); 7];
        days[Weekday::Saturday.to_monday_zero_offset() as usize] = None;
        days[Weekday::Sunday.to_monday_zero_offset() as usize] = None;
        WorkWeek {
            days,
            short_day: short,
        }
    }

    /// The regular hours of `weekday`, or `None` when it is a closed day.
    pub fn hours(&self, weekday: Weekday) -> Option<OpeningHours> {
        self.days[weekday.to_monday_zero_offset() as usize]
    }

    /// The hours of a short day.
    pub fn short_day_hours(&self) -> OpeningHours {
        self.short_day
    }

    /// The weekdays that are open, Monday first.
    pub fn open_weekdays(&self) -> Vec<Weekday> {
        let monday = Weekday::Monday;
        (0..7)
            .map(|offset| monday.wrapping_add(offset))
            .filter(|day| self.hours(*day).is_some())
            .collect()
    }
}
