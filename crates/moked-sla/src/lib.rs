//! SLA maths for tickets, pure: no IO, no clock (the caller passes `now`),
//! no time-zone database (the caller passes the organization's zone).
//!
//! - [`clock`]: a ticket's first-response and resolution clocks counted in
//!   business time of a [`moked_calendar::BusinessCalendar`], paused while
//!   the ticket waits for the customer and stopped once answered or solved;
//!   the elapsed business time, the 80% warning instant and the due
//!   (breach) instant.
//! - [`policy`]: which SLA policy applies to a ticket (the most specific).
//! - [`placeholder`]: canned responses with `{{customer.first_name}}`,
//!   `{{agent.name}}` and `{{ticket.number}}`.
//!
//! Definitions. A clock *runs* while the ticket is neither waiting for the
//! customer (`pending_customer`) nor solved or closed; only business time
//! while it runs counts. The first-response clock also stops for good at
//! the first response. The *due* instant is when the counted time reaches
//! the target; the *warning* instant when it reaches 80% of it (rounded
//! down to the second). While a clock is paused or stopped before reaching
//! them, those instants are unknown (`None`): pausing moves them later,
//! never earlier.

pub mod clock;
pub mod placeholder;
pub mod policy;

pub use clock::{Clock, ClockKind, SlaError, SlaStatus, StatusChange, TicketTimes, sla_status};
pub use placeholder::{PLACEHOLDERS, PlaceholderError, Values, check_template, first_name, render};
pub use policy::{PolicyScope, choose_policy};
