//! The channels a contact can arrive on.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A contact's channel. Agents have a separate capacity for each one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// A phone call.
    Voice,
    /// A web chat conversation.
    Chat,
    /// An email.
    Email,
    /// A customer at an in-person service point ("take a number").
    WalkIn,
    /// A call back to a customer who chose not to hold.
    Callback,
    /// An internal task for a back-office team.
    BackOffice,
}

impl Channel {
    /// Every channel, in a fixed order usable as an array index.
    pub const ALL: [Channel; 6] = [
        Channel::Voice,
        Channel::Chat,
        Channel::Email,
        Channel::WalkIn,
        Channel::Callback,
        Channel::BackOffice,
    ];

    /// The channel's position in [`Channel::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The name used in configuration files and APIs.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::Chat => "chat",
            Channel::Email => "email",
            Channel::WalkIn => "walk_in",
            Channel::Callback => "callback",
            Channel::BackOffice => "back_office",
        }
    }

    /// Whether a contact on this channel holds a live customer who may hang up.
    pub fn is_live(self) -> bool {
        matches!(self, Channel::Voice | Channel::Chat | Channel::WalkIn)
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The text did not name a known channel.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown channel {0:?}: expected one of voice, chat, email, walk_in, callback, back_office"
)]
pub struct UnknownChannel(pub String);

impl FromStr for Channel {
    type Err = UnknownChannel;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Channel::ALL
            .into_iter()
            .find(|channel| channel.as_str() == text || channel.as_str().replace('_', "-") == text)
            .ok_or_else(|| UnknownChannel(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for channel in Channel::ALL {
            assert_eq!(channel.as_str().parse::<Channel>(), Ok(channel));
            assert_eq!(Channel::ALL[channel.index()], channel);
        }
        assert_eq!("walk-in".parse::<Channel>(), Ok(Channel::WalkIn));
        assert!("fax".parse::<Channel>().is_err());
    }
}
