//! Choosing the SLA policy of a ticket: the most specific one wins.
//!
//! A policy covers a priority, a category, both, or neither (the default).
//! A policy naming both beats one naming only the category, which beats one
//! naming only the priority, which beats the default: a category is chosen
//! by the organization for special handling ("legal", "outage"), so it is
//! the stronger signal. Among equally specific policies the first given
//! wins, so the caller's order (for example by id) decides ties.

use moked_domain::TicketPriority;

/// What a policy covers; `None` means any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyScope<'a> {
    /// The priority it covers.
    pub priority: Option<TicketPriority>,
    /// The category it covers.
    pub category: Option<&'a str>,
}

impl PolicyScope<'_> {
    /// How specific the scope is when it covers the ticket, or `None` when
    /// it does not cover it.
    fn rank(&self, priority: TicketPriority, category: Option<&str>) -> Option<u8> {
        let priority_fits = self.priority.is_none_or(|p| p == priority);
        let category_fits = self.category.is_none_or(|c| Some(c) == category);
        (priority_fits && category_fits)
            .then(|| u8::from(self.category.is_some()) * 2 + u8::from(self.priority.is_some()))
    }
}

/// The policy among `policies` that applies to a ticket of `priority` and
/// `category`, reading each policy's scope with `scope`.
pub fn choose_policy<'p, P>(
    policies: &'p [P],
    scope: impl Fn(&P) -> PolicyScope<'_>,
    priority: TicketPriority,
    category: Option<&str>,
) -> Option<&'p P> {
    let mut best: Option<(u8, &P)> = None;
    for policy in policies {
        if let Some(rank) = scope(policy).rank(priority, category)
            && best.is_none_or(|(top, _)| rank > top)
        {
            best = Some((rank, policy));
        }
    }
    best.map(|(_, policy)| policy)
}

#[cfg(test)]
mod tests {
    use super::*;
    use TicketPriority::*;

    type Policy = (&'static str, Option<TicketPriority>, Option<&'static str>);

    const POLICIES: [Policy; 5] = [
        ("ברירת מחדל", None, None),
        ("דחוף", Some(Urgent), None),
        ("חיובים", None, Some("חיובים")),
        ("חיובים דחוף", Some(Urgent), Some("חיובים")),
        ("דחוף כפול", Some(Urgent), None),
    ];

    fn chosen(priority: TicketPriority, category: Option<&str>) -> Option<&'static str> {
        choose_policy(
            &POLICIES,
            |p| PolicyScope {
                priority: p.1,
                category: p.2,
            },
            priority,
            category,
        )
        .map(|p| p.0)
    }

    #[test]
    fn the_most_specific_policy_wins() {
        assert_eq!(chosen(Urgent, Some("חיובים")), Some("חיובים דחוף"));
        assert_eq!(chosen(Low, Some("חיובים")), Some("חיובים"));
        assert_eq!(
            chosen(Urgent, Some("תמיכה")),
            Some("דחוף"),
            "first of equals"
        );
        assert_eq!(chosen(Normal, None), Some("ברירת מחדל"));
    }

    #[test]
    fn no_policy_covers_a_ticket_when_none_fits() {
        let only_urgent = [("דחוף", Some(Urgent), None::<&str>)];
        let found = choose_policy(
            &only_urgent,
            |p| PolicyScope {
                priority: p.1,
                category: p.2,
            },
            Normal,
            Some("חיובים"),
        );
        assert_eq!(found, None);
    }
}
