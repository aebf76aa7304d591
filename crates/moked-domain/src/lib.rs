//! Domain vocabulary shared by every Moked crate: validated newtypes that
//! carry no IO and no clock.
//!
//! Everything here parses untrusted text into a value that is valid by
//! construction, and reports what was wrong with a typed error.

pub mod channel;
pub mod duration;
pub mod email;
pub mod israeli_id;
pub mod phone;
pub mod ticket;

pub use channel::Channel;
pub use duration::{DurationParseError, Seconds};
pub use email::{EmailAddress, EmailParseError};
pub use israeli_id::{IsraeliId, IsraeliIdError};
pub use phone::{PhoneE164, PhoneParseError};
pub use ticket::{TicketId, TicketNumber, TicketParseError, TicketPriority, TicketStatus};
