//! Canned responses: `{{name}}` placeholders filled in with the ticket's
//! customer, agent and number.
//!
//! Spaces inside the braces are allowed (`{{ agent.name }}`). A name
//! outside [`PLACEHOLDERS`] is an error naming it, both when a template is
//! saved ([`check_template`]) and when it is used ([`render`]), so an agent
//! never sends a customer a raw `{{...}}`.

use moked_domain::TicketNumber;

/// Every placeholder a template may use.
pub const PLACEHOLDERS: [&str; 3] = ["customer.first_name", "agent.name", "ticket.number"];

/// Why a template cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlaceholderError {
    /// `{{name}}` with a name that is not in [`PLACEHOLDERS`].
    #[error("unknown placeholder {{{{{0}}}}}")]
    Unknown(String),
    /// A known placeholder with no value for this ticket (a customer
    /// without a name, a ticket without a number yet).
    #[error("no value for placeholder {{{{{0}}}}}")]
    Missing(&'static str),
    /// `{{` without its closing `}}`, at this byte offset.
    #[error("placeholder opened at byte {0} is not closed")]
    Unclosed(usize),
}

/// The values of the placeholders for one use of a template.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Values {
    /// The customer's first name.
    pub customer_first_name: Option<String>,
    /// The agent's display name.
    pub agent_name: Option<String>,
    /// The ticket's number, written `#1042`.
    pub ticket_number: Option<TicketNumber>,
}

impl Values {
    fn get(&self, name: &str) -> Result<String, PlaceholderError> {
        let (known, value) = match name {
            "customer.first_name" => ("customer.first_name", self.customer_first_name.clone()),
            "agent.name" => ("agent.name", self.agent_name.clone()),
            "ticket.number" => ("ticket.number", self.ticket_number.map(|n| n.to_string())),
            _ => return Err(PlaceholderError::Unknown(name.to_owned())),
        };
        value.ok_or(PlaceholderError::Missing(known))
    }
}

/// A template cut into literal text and placeholder names.
enum Piece<'a> {
    Text(&'a str),
    Placeholder(&'a str),
}

fn pieces(template: &str) -> Result<Vec<Piece<'_>>, PlaceholderError> {
    let mut pieces = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let offset = template.len() - rest.len() + open;
        pieces.push(Piece::Text(&rest[..open]));
        let inner = &rest[open + 2..];
        let close = inner.find("}}").ok_or(PlaceholderError::Unclosed(offset))?;
        pieces.push(Piece::Placeholder(inner[..close].trim()));
        rest = &inner[close + 2..];
    }
    pieces.push(Piece::Text(rest));
    Ok(pieces)
}

/// Checks a template when it is saved: every placeholder is known and
/// closed. Returns the placeholders it uses, in order.
pub fn check_template(template: &str) -> Result<Vec<&str>, PlaceholderError> {
    pieces(template)?
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Placeholder(name) => Some(name),
            Piece::Text(_) => None,
        })
        .map(|name| {
            if PLACEHOLDERS.contains(&name) {
                Ok(name)
            } else {
                Err(PlaceholderError::Unknown(name.to_owned()))
            }
        })
        .collect()
}

/// The template with every placeholder replaced by its value. Values are
/// inserted as they are: a value containing `{{` is not expanded again.
pub fn render(template: &str, values: &Values) -> Result<String, PlaceholderError> {
    let mut out = String::with_capacity(template.len());
    for piece in pieces(template)? {
        match piece {
            Piece::Text(text) => out.push_str(text),
            Piece::Placeholder(name) => out.push_str(&values.get(name)?),
        }
    }
    Ok(out)
}

/// The first word of a full name ("דנה" of "דנה לוי"): what
/// `{{customer.first_name}}` greets.
pub fn first_name(full_name: &str) -> Option<&str> {
    full_name.split_whitespace().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn values() -> Values {
        Values {
            customer_first_name: first_name("  דנה לוי ").map(str::to_owned),
            agent_name: Some("יוֹסֵף כֹּהֵן".into()),
            ticket_number: TicketNumber::new(1042).ok(),
        }
    }

    #[test]
    fn fills_hebrew_and_english_templates() {
        let hebrew =
            "שלום {{customer.first_name}}, כאן {{ agent.name }}. פנייתך {{ticket.number}} טופלה.";
        assert_eq!(
            render(hebrew, &values()),
            Ok("שלום דנה, כאן יוֹסֵף כֹּהֵן. פנייתך #1042 טופלה.".into())
        );
        assert_eq!(
            render(
                "Hi {{customer.first_name}}, re {{ticket.number}}",
                &values()
            ),
            Ok("Hi דנה, re #1042".into())
        );
        assert_eq!(
            render("אין כאן כלום { } }}", &values()),
            Ok("אין כאן כלום { } }}".into())
        );
    }

    #[test]
    fn an_unknown_placeholder_is_named() {
        let template = "שלום {{customer.last_name}}";
        let error = PlaceholderError::Unknown("customer.last_name".into());
        assert_eq!(render(template, &values()), Err(error.clone()));
        assert_eq!(check_template(template), Err(error.clone()));
        assert_eq!(
            error.to_string(),
            "unknown placeholder {{customer.last_name}}"
        );
    }

    #[test]
    fn missing_values_and_unclosed_braces_are_errors() {
        let no_agent = Values {
            agent_name: None,
            ..values()
        };
        assert_eq!(
            render("{{agent.name}}", &no_agent),
            Err(PlaceholderError::Missing("agent.name"))
        );
        assert_eq!(
            check_template("שלום {{customer.first_name"),
            Err(PlaceholderError::Unclosed("שלום ".len()))
        );
        assert_eq!(
            check_template("{{ticket.number}} {{agent.name}}"),
            Ok(vec!["ticket.number", "agent.name"])
        );
    }

    #[test]
    fn values_are_not_expanded_again() {
        let sly = Values {
            customer_first_name: Some("{{agent.name}}".into()),
            ..values()
        };
        assert_eq!(
            render("{{customer.first_name}}", &sly),
            Ok("{{agent.name}}".into())
        );
    }

    proptest! {
        #[test]
        fn any_template_renders_or_errors_without_panic(template in "\\PC{0,40}") {
            let _ = render(&template, &values());
        }

        #[test]
        fn text_without_braces_is_unchanged(text in "[^{}]{0,40}") {
            prop_assert_eq!(render(&text, &values()), Ok(text.clone()));
        }
    }
}
