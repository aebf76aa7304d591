//! Tickets (cases): their number as people see it, their status with the
//! moves allowed between statuses, and their priority.
//!
//! A ticket's status is a small state machine. Work goes back and forth
//! between open and the two waiting states; solved can be reopened (the
//! customer answers the solution), closed is final. No ticket becomes
//! `new` again: `new` means nobody has looked at it yet.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A ticket's record id in the store (not shown to people: they see the
/// [`TicketNumber`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketId(pub i64);

impl fmt::Display for TicketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why a ticket value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TicketParseError {
    /// Not one of the statuses.
    #[error("unknown ticket status {0:?}")]
    UnknownStatus(String),
    /// Not one of the priorities.
    #[error("unknown ticket priority {0:?}")]
    UnknownPriority(String),
    /// Not a positive number, with or without a leading `#`.
    #[error("{0:?} is not a ticket number such as #1042")]
    BadNumber(String),
}

/// A ticket's number in its organization: 1, 2, 3… in order of creation,
/// shown as `#1042`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TicketNumber(u64);

impl TicketNumber {
    /// The first number of an organization.
    pub const FIRST: TicketNumber = TicketNumber(1);

    /// The number `n`, which must be at least 1.
    pub fn new(n: u64) -> Result<TicketNumber, TicketParseError> {
        if n == 0 {
            return Err(TicketParseError::BadNumber(n.to_string()));
        }
        Ok(TicketNumber(n))
    }

    /// The number as an integer.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for TicketNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.0)
    }
}

impl FromStr for TicketNumber {
    type Err = TicketParseError;

    /// Reads `#1042` or `1042` (what people type in a search box or a
    /// subject line).
    fn from_str(text: &str) -> Result<TicketNumber, TicketParseError> {
        let trimmed = text.trim();
        let digits = trimmed.strip_prefix('#').unwrap_or(trimmed);
        let bad = || TicketParseError::BadNumber(text.to_owned());
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n = digits.parse().map_err(|_| bad())?;
        TicketNumber::new(n).map_err(|_| bad())
    }
}

/// Where a ticket stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketStatus {
    /// Nobody has worked on it yet.
    New,
    /// Being worked on.
    Open,
    /// Waiting for the customer's answer (SLA clocks pause).
    PendingCustomer,
    /// Waiting for another team or a supplier.
    PendingInternal,
    /// A solution was given; the customer may still reopen it.
    Solved,
    /// Finished for good.
    Closed,
}

impl TicketStatus {
    /// Every status, in the order of a ticket's life.
    pub const ALL: [TicketStatus; 6] = [
        TicketStatus::New,
        TicketStatus::Open,
        TicketStatus::PendingCustomer,
        TicketStatus::PendingInternal,
        TicketStatus::Solved,
        TicketStatus::Closed,
    ];

    /// The name stored and used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketStatus::New => "new",
            TicketStatus::Open => "open",
            TicketStatus::PendingCustomer => "pending_customer",
            TicketStatus::PendingInternal => "pending_internal",
            TicketStatus::Solved => "solved",
            TicketStatus::Closed => "closed",
        }
    }

    /// Whether a ticket in this status may move to `next`. Staying in the
    /// same status is no move.
    pub fn can_become(self, next: TicketStatus) -> bool {
        use TicketStatus::*;
        match self {
            _ if next == self => false,
            _ if next == New => false,
            New | Open | PendingCustomer | PendingInternal => true,
            Solved => matches!(next, Open | Closed),
            Closed => false,
        }
    }

    /// Solved or closed: the work is done.
    pub fn is_resolved(self) -> bool {
        matches!(self, TicketStatus::Solved | TicketStatus::Closed)
    }
}

impl fmt::Display for TicketStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketStatus {
    type Err = TicketParseError;

    fn from_str(name: &str) -> Result<TicketStatus, TicketParseError> {
        TicketStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == name)
            .ok_or_else(|| TicketParseError::UnknownStatus(name.to_owned()))
    }
}

/// How urgent a ticket is, from low to urgent (the order compares).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TicketPriority {
    /// Can wait.
    Low,
    /// Most tickets.
    Normal,
    /// Before the normal ones.
    High,
    /// Now.
    Urgent,
}

impl TicketPriority {
    /// Every priority, lowest first.
    pub const ALL: [TicketPriority; 4] = [
        TicketPriority::Low,
        TicketPriority::Normal,
        TicketPriority::High,
        TicketPriority::Urgent,
    ];

    /// The name stored and used in APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            TicketPriority::Low => "low",
            TicketPriority::Normal => "normal",
            TicketPriority::High => "high",
            TicketPriority::Urgent => "urgent",
        }
    }
}

impl fmt::Display for TicketPriority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TicketPriority {
    type Err = TicketParseError;

    fn from_str(name: &str) -> Result<TicketPriority, TicketParseError> {
        TicketPriority::ALL
            .into_iter()
            .find(|priority| priority.as_str() == name)
            .ok_or_else(|| TicketParseError::UnknownPriority(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn numbers_read_with_or_without_a_hash() {
        assert_eq!("#1042".parse(), Ok(TicketNumber(1042)));
        assert_eq!(" 7 ".parse(), Ok(TicketNumber(7)));
        assert_eq!(TicketNumber(1042).to_string(), "#1042");
        for bad in [
            "",
            "#",
            "#0",
            "-3",
            "#12a",
            "פנייה 12",
            "99999999999999999999999",
        ] {
            assert_eq!(
                bad.parse::<TicketNumber>(),
                Err(TicketParseError::BadNumber(bad.into()))
            );
        }
    }

    #[test]
    fn work_moves_between_open_and_waiting_and_closed_is_final() {
        use TicketStatus::*;
        assert!(New.can_become(Open));
        assert!(Open.can_become(PendingCustomer));
        assert!(PendingCustomer.can_become(Open));
        assert!(PendingInternal.can_become(Solved));
        assert!(Solved.can_become(Open), "a customer may reopen");
        assert!(Solved.can_become(Closed));
        assert!(!Solved.can_become(PendingCustomer));
        assert!(!Open.can_become(Open));
        assert!(TicketStatus::ALL.iter().all(|s| !s.can_become(New)));
        assert!(TicketStatus::ALL.iter().all(|s| !Closed.can_become(*s)));
    }

    #[test]
    fn names_round_trip_and_unknown_ones_are_errors() {
        for status in TicketStatus::ALL {
            assert_eq!(status.as_str().parse(), Ok(status));
        }
        for priority in TicketPriority::ALL {
            assert_eq!(priority.as_str().parse(), Ok(priority));
        }
        assert_eq!(
            "דחוף".parse::<TicketPriority>(),
            Err(TicketParseError::UnknownPriority("דחוף".into()))
        );
        assert_eq!(
            "pending".parse::<TicketStatus>(),
            Err(TicketParseError::UnknownStatus("pending".into()))
        );
        assert!(TicketPriority::Urgent > TicketPriority::High);
    }

    proptest! {
        #[test]
        fn any_text_parses_or_errors_without_panic(text in "\\PC{0,12}") {
            let _ = text.parse::<TicketNumber>();
            let _ = text.parse::<TicketStatus>();
        }

        #[test]
        fn every_reachable_status_can_still_end_closed(start in 0usize..6) {
            let status = TicketStatus::ALL[start];
            prop_assert!(status == TicketStatus::Closed || status.can_become(TicketStatus::Closed));
        }
    }
}
