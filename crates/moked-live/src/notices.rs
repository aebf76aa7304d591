//! The system messages Moked writes into a customer's chat, in the chat's
//! language: one table, so a new language is one column and no text hides
//! in the actor's logic.
//!
//! A chat's language lives only in memory (the store has no column for
//! it): a chat rebuilt after a restart or an admin change writes its
//! notices in Hebrew, the default.

use crate::api::Lang;

/// A notice the customer reads in the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Notice {
    /// The agent moved the chat to a queue.
    TransferredToQueue,
    /// The agent handed the chat to a colleague.
    TransferredToAgent,
}

/// Every notice with its Hebrew and English text.
const TABLE: [(Notice, &str, &str); 2] = [
    (
        Notice::TransferredToQueue,
        "השיחה הועברה לצוות אחר. נא להמתין, נחזור אליך בהקדם.",
        "Your chat has been transferred to another team. Please wait, we will be with you shortly.",
    ),
    (
        Notice::TransferredToAgent,
        "השיחה הועברה לנציג אחר. נא להמתין, נחזור אליך בהקדם.",
        "Your chat has been transferred to another agent. Please wait, we will be with you shortly.",
    ),
];

impl Notice {
    /// The notice's text in `lang`.
    pub(crate) fn text(self, lang: Lang) -> &'static str {
        let (_, he, en) = TABLE
            .iter()
            .find(|(notice, _, _)| *notice == self)
            .copied()
            // Every variant has a row; the test below keeps it so.
            .unwrap_or(TABLE[0]);
        match lang {
            Lang::He => he,
            Lang::En => en,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_notice_has_its_own_text_in_each_language() {
        let all = [Notice::TransferredToQueue, Notice::TransferredToAgent];
        for notice in all {
            assert_eq!(TABLE.iter().filter(|row| row.0 == notice).count(), 1);
            let he = notice.text(Lang::He);
            let en = notice.text(Lang::En);
            assert!(he.chars().any(|c| ('\u{05d0}'..='\u{05ea}').contains(&c)));
            assert!(en.is_ascii() && !en.is_empty());
        }
        assert_ne!(
            Notice::TransferredToQueue.text(Lang::He),
            Notice::TransferredToAgent.text(Lang::He)
        );
        assert!(
            Notice::TransferredToAgent
                .text(Lang::He)
                .contains("לנציג אחר")
        );
    }
}
