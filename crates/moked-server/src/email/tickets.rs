//! The ticket writes the email channel makes (open a ticket for a contact,
//! link a contact, reopen, first response), each with the live center's
//! clock and the system or the agent as the actor, and announced like every
//! ticket change (desktops, the wallboard and the search index follow).
//! They answer store errors, which the SMTP listener turns into 451.

use crate::tickets::TicketService;
use moked_live::Live;
use moked_store::{
    InteractionId, NewTicket, OrgId, Store, StoreResult, Ticket, TicketActor, TicketChange,
    TicketId, UserId,
};
use std::sync::Arc;

/// Ticket writes over the store, timed by the live center's clock.
#[derive(Clone)]
pub struct MailTickets {
    store: Arc<dyn Store>,
    live: Live,
    announcer: TicketService,
}

impl MailTickets {
    /// Over the server's store and live center.
    pub fn new(store: Arc<dyn Store>, live: Live) -> MailTickets {
        let announcer = TicketService::new(store.clone(), live.clone());
        MailTickets {
            store,
            live,
            announcer,
        }
    }

    /// Now, on the live center's clock (a test's manual clock included).
    pub fn now(&self) -> jiff::Timestamp {
        self.live.clock().now()
    }

    /// A change by `user` (`None`: the mail intake) now.
    pub fn actor(&self, user: Option<UserId>) -> TicketActor {
        TicketActor {
            user,
            at: self.now(),
        }
    }

    /// Opens a ticket for a contact and links the contact to it.
    pub async fn open_for_contact(
        &self,
        org: OrgId,
        new: NewTicket,
        interaction: InteractionId,
        by: TicketActor,
    ) -> StoreResult<Ticket> {
        let ticket = self.store.create_ticket(org, &new, by).await?;
        self.store
            .link_interaction(org, ticket.id, interaction, by)
            .await?;
        self.announcer.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// Links another contact (a threaded mail) to a ticket.
    pub async fn link(
        &self,
        org: OrgId,
        ticket: TicketId,
        interaction: InteractionId,
        by: TicketActor,
    ) -> StoreResult<()> {
        self.store
            .link_interaction(org, ticket, interaction, by)
            .await?;
        let ticket = self.store.ticket(org, ticket).await?;
        self.announcer.announce(org, &ticket).await;
        Ok(())
    }

    /// Applies changes, all or none.
    pub async fn change(
        &self,
        org: OrgId,
        id: TicketId,
        changes: &[TicketChange],
        by: TicketActor,
    ) -> StoreResult<Ticket> {
        let ticket = self.store.update_ticket(org, id, changes, by).await?;
        self.announcer.announce(org, &ticket).await;
        Ok(ticket)
    }
}
