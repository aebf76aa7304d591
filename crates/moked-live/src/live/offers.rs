//! The phone calls ringing agents now, for a phone channel that has missed
//! live events: a subscriber that falls behind the broadcast loses the
//! oldest ones, an `Offer` among them, and a call whose offer never reached
//! the phone channel rings no phone. Reading the offers ringing right now
//! makes up for it.

use super::Live;
use crate::actor::{Org, Phase};
use crate::api::LiveEvent;
use crate::error::LiveError;
use moked_domain::Channel;
use moked_store::OrgId;

impl Live {
    /// The [`LiveEvent::Offer`] of every phone call ringing an agent now,
    /// as it was broadcast.
    pub async fn call_offers(&self, org: OrgId) -> Result<Vec<LiveEvent>, LiveError> {
        self.call(org, |o: &mut Org| {
            Box::pin(async move { Ok(o.call_offers()) })
        })
        .await
    }
}

impl Org {
    fn call_offers(&self) -> Vec<LiveEvent> {
        self.chats
            .values()
            .filter(|chat| {
                self.queue_index
                    .get(&chat.queue)
                    .is_some_and(|index| self.queues[index.index()].channel == Channel::Voice)
            })
            .filter_map(|chat| match chat.phase {
                Phase::Offered { agent, expires_at } => Some(LiveEvent::Offer {
                    chat: chat.id,
                    queue: chat.queue,
                    customer: chat.customer,
                    customer_name: chat.customer_name.clone(),
                    agent: self.agents[agent.index()].user,
                    expires_at,
                }),
                _ => None,
            })
            .collect()
    }
}
