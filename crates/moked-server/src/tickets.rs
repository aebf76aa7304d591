//! The ticket service: every ticket write of the server (the HTTP API, the
//! email channel, the SLA runner) goes through [`TicketService`], which
//! saves through the store and, once the change is durable, announces it
//! as a [`LiveEvent::Ticket`] so desktops, the wallboard and the search
//! index follow. Times come from the live center's clock, so a test's
//! manual clock drives tickets and their SLA alike.
//!
//! Escalation rules by category are applied here, when a ticket is opened
//! with or moved to the category; breach rules are the SLA runner's
//! ([`crate::sla`]).

use crate::error::{ApiError, ApiResult};
use crate::sla::OrgSla;
use jiff::Timestamp;
use moked_live::{Live, LiveEvent};
use moked_store::{
    Attachment, CustomerId, EscalationTrigger, InteractionId, MacroActions, Named, NewAttachment,
    NewTicket, OrgId, Store, TeamId, Ticket, TicketActor, TicketChange, TicketId, TicketNote,
    TicketStatus, TicketView, User, UserId,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Saves ticket changes, then announces them.
#[derive(Clone)]
pub struct TicketService {
    store: Arc<dyn Store>,
    live: Live,
}

/// The names a view needs, read once for a batch of tickets.
struct Directory {
    users: HashMap<UserId, User>,
    teams: HashMap<TeamId, String>,
    sla: OrgSla,
}

impl TicketService {
    /// The service over a store and the live center that announces.
    pub fn new(store: Arc<dyn Store>, live: Live) -> TicketService {
        TicketService { store, live }
    }

    /// The live center the service announces through.
    pub fn live(&self) -> &Live {
        &self.live
    }

    /// Now, on the live center's clock.
    pub fn now(&self) -> Timestamp {
        self.live.clock().now()
    }

    /// A change by `user` (`None`: the system) now.
    pub fn actor(&self, user: Option<UserId>) -> TicketActor {
        TicketActor {
            user,
            at: self.now(),
        }
    }

    /// Opens a ticket, applies a category escalation rule, announces it.
    pub async fn create(&self, org: OrgId, new: NewTicket, by: TicketActor) -> ApiResult<Ticket> {
        self.check_refs(org, new.customer, new.assignee, new.team)
            .await?;
        let ticket = self.store.create_ticket(org, &new, by).await?;
        let ticket = self.escalate_by_category(org, ticket).await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// For the channels (email): opens a ticket for an incoming contact and
    /// links its interaction; announced once both are saved.
    pub async fn open_for_contact(
        &self,
        org: OrgId,
        new: NewTicket,
        interaction: InteractionId,
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        self.check_refs(org, new.customer, new.assignee, new.team)
            .await?;
        let ticket = self.store.create_ticket(org, &new, by).await?;
        self.store
            .link_interaction(org, ticket.id, interaction, by)
            .await?;
        let ticket = self.escalate_by_category(org, ticket).await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// Links an interaction (a customer's reply threaded in) and announces.
    pub async fn link(
        &self,
        org: OrgId,
        ticket: TicketId,
        interaction: InteractionId,
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        self.store
            .link_interaction(org, ticket, interaction, by)
            .await?;
        let ticket = self.store.ticket(org, ticket).await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// Applies changes (all or none) and announces the result.
    pub async fn change(
        &self,
        org: OrgId,
        id: TicketId,
        changes: &[TicketChange],
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        let (customer, assignee, team) = referenced(changes);
        self.check_refs(org, customer, assignee, team).await?;
        let changes = self.with_response_status(org, id, changes).await?;
        let ticket = self.store.update_ticket(org, id, &changes, by).await?;
        let recategorised = changes
            .iter()
            .any(|c| matches!(c, TicketChange::Category(Some(_))));
        let ticket = if recategorised {
            self.escalate_by_category(org, ticket).await?
        } else {
            ticket
        };
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// An agent's first answer to the customer (a reply by email, from the
    /// desktop or `POST /tickets/{id}/reply`) also takes a `new` ticket to
    /// `open`: someone is working on it. Later answers, and answers on
    /// tickets already moved on, change no status.
    async fn with_response_status(
        &self,
        org: OrgId,
        id: TicketId,
        changes: &[TicketChange],
    ) -> ApiResult<Vec<TicketChange>> {
        let mut changes = changes.to_vec();
        if changes.contains(&TicketChange::Responded)
            && self.store.ticket(org, id).await?.status == TicketStatus::New
        {
            changes.push(TicketChange::Status(TicketStatus::Open));
        }
        Ok(changes)
    }

    /// Uses a macro on a ticket: its changes (one history row each, all or
    /// none), then its note by the agent using it; announced once.
    pub async fn apply_macro(
        &self,
        org: OrgId,
        id: TicketId,
        actions: &MacroActions,
        author: UserId,
    ) -> ApiResult<Ticket> {
        let by = self.actor(Some(author));
        let ticket = self.store.ticket(org, id).await?;
        let changes = actions.changes(&ticket);
        let (_, assignee, team) = referenced(&changes);
        self.check_refs(org, None, assignee, team).await?;
        let ticket = if changes.is_empty() {
            ticket
        } else {
            self.store.update_ticket(org, id, &changes, by).await?
        };
        let ticket = if actions.category.is_some() {
            self.escalate_by_category(org, ticket).await?
        } else {
            ticket
        };
        self.note_by(org, id, actions.note.as_deref(), by).await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// Adds an internal note and announces the ticket.
    pub async fn note(
        &self,
        org: OrgId,
        id: TicketId,
        body: &str,
        author: UserId,
    ) -> ApiResult<TicketNote> {
        let note = self
            .store
            .add_ticket_note(org, id, body, author, self.now())
            .await?;
        self.announce_id(org, id).await?;
        Ok(note)
    }

    /// Stores an attachment and announces the ticket.
    pub async fn attach(
        &self,
        org: OrgId,
        id: TicketId,
        file: &NewAttachment,
        by: TicketActor,
    ) -> ApiResult<Attachment> {
        let attachment = self.store.add_attachment(org, id, file, by).await?;
        self.announce_id(org, id).await?;
        Ok(attachment)
    }

    /// Merges `source` into `target`; both are announced.
    pub async fn merge(
        &self,
        org: OrgId,
        source: TicketId,
        target: TicketId,
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        if source == target {
            return Err(ApiError::invalid(
                "into",
                "a ticket cannot merge into itself",
            ));
        }
        let merged = self.store.merge_tickets(org, source, target, by).await?;
        self.announce_id(org, source).await?;
        self.announce(org, &merged).await;
        Ok(merged)
    }

    /// Sends a ticket to a back-office team: its front-line assignee
    /// becomes the owner it returns to, and it waits on the team.
    pub async fn escalate(
        &self,
        org: OrgId,
        id: TicketId,
        team: TeamId,
        note: Option<&str>,
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        self.check_team(org, team, "team").await?;
        let ticket = self.store.ticket(org, id).await?;
        let ticket = self.store_escalation(org, &ticket, team, by).await?;
        self.note_by(org, id, note, by).await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// Returns an escalated ticket to its front-line owner.
    pub async fn hand_back(
        &self,
        org: OrgId,
        id: TicketId,
        note: Option<&str>,
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        let ticket = self.store.ticket(org, id).await?;
        if ticket.back_office_team.is_none() {
            return Err(ApiError::conflict(
                "the ticket is not with a back-office team",
            ));
        }
        let changes = [
            TicketChange::BackOfficeTeam(None),
            TicketChange::Assignee(ticket.owner),
            TicketChange::Status(TicketStatus::Open),
        ];
        let ticket = self.store.update_ticket(org, id, &changes, by).await?;
        self.note_by(org, id, note, by).await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    /// Escalates for a rule (the SLA runner's breach rules) and announces.
    pub async fn escalate_by_rule(
        &self,
        org: OrgId,
        ticket: &Ticket,
        team: TeamId,
    ) -> ApiResult<Ticket> {
        let ticket = self
            .store_escalation(org, ticket, team, self.actor(None))
            .await?;
        self.announce(org, &ticket).await;
        Ok(ticket)
    }

    async fn store_escalation(
        &self,
        org: OrgId,
        ticket: &Ticket,
        team: TeamId,
        by: TicketActor,
    ) -> ApiResult<Ticket> {
        // Escalated again from one back-office team to another, the
        // front-line owner stays the one it goes back to.
        let owner = match ticket.back_office_team {
            Some(_) => ticket.owner,
            None => ticket.assignee.or(ticket.owner),
        };
        let changes = [
            TicketChange::Owner(owner),
            TicketChange::Assignee(None),
            TicketChange::BackOfficeTeam(Some(team)),
            TicketChange::Status(TicketStatus::PendingInternal),
        ];
        Ok(self
            .store
            .update_ticket(org, ticket.id, &changes, by)
            .await?)
    }

    async fn note_by(
        &self,
        org: OrgId,
        id: TicketId,
        note: Option<&str>,
        by: TicketActor,
    ) -> ApiResult<()> {
        if let (Some(body), Some(author)) = (note.filter(|n| !n.trim().is_empty()), by.user) {
            self.store
                .add_ticket_note(org, id, body, author, by.at)
                .await?;
        }
        Ok(())
    }

    /// The first category rule matching the ticket sends it to its team
    /// (unless it is already with a back-office team).
    async fn escalate_by_category(&self, org: OrgId, ticket: Ticket) -> ApiResult<Ticket> {
        let Some(category) = ticket.category.as_deref() else {
            return Ok(ticket);
        };
        if ticket.back_office_team.is_some() || ticket.status.is_resolved() {
            return Ok(ticket);
        }
        let rules = self.store.escalation_rules(org).await?;
        let rule = rules.iter().find(
            |rule| matches!(&rule.spec.trigger, EscalationTrigger::Category(c) if c == category),
        );
        match rule {
            Some(rule) => {
                self.store_escalation(org, &ticket, rule.spec.team, self.actor(None))
                    .await
            }
            None => Ok(ticket),
        }
    }

    /// Checks that the customer, agent and team named exist in the
    /// organization, naming the field otherwise.
    async fn check_refs(
        &self,
        org: OrgId,
        customer: Option<CustomerId>,
        assignee: Option<UserId>,
        team: Option<TeamId>,
    ) -> ApiResult<()> {
        if let Some(customer) = customer {
            self.store
                .customer(org, customer)
                .await
                .map_err(|_| ApiError::invalid("customer", "no such customer"))?;
        }
        if let Some(user) = assignee {
            self.store
                .user(org, user)
                .await
                .map_err(|_| ApiError::invalid("assignee", "no such user"))?;
        }
        if let Some(team) = team {
            self.check_team(org, team, "team").await?;
        }
        Ok(())
    }

    async fn check_team(&self, org: OrgId, team: TeamId, field: &str) -> ApiResult<()> {
        let teams = self.store.teams(org).await?;
        if teams.iter().any(|t| t.id == team) {
            Ok(())
        } else {
            Err(ApiError::invalid(field, "no such team"))
        }
    }

    /// The API's view of one ticket.
    pub async fn view(&self, org: OrgId, ticket: &Ticket) -> ApiResult<TicketView> {
        let views = self.views(org, std::slice::from_ref(ticket)).await?;
        views
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::internal(&"a view of one ticket is missing"))
    }

    /// The API's views of tickets, reading names and SLA settings once.
    pub async fn views(&self, org: OrgId, tickets: &[Ticket]) -> ApiResult<Vec<TicketView>> {
        let directory = self.directory(org).await?;
        let now = self.now();
        let mut views = Vec::with_capacity(tickets.len());
        for ticket in tickets {
            views.push(self.view_with(org, &directory, ticket, now).await?);
        }
        Ok(views)
    }

    async fn directory(&self, org: OrgId) -> ApiResult<Directory> {
        let users = self.store.users(org).await?;
        let teams = self.store.teams(org).await?;
        Ok(Directory {
            users: users.into_iter().map(|u| (u.id, u)).collect(),
            teams: teams.into_iter().map(|t| (t.id, t.name)).collect(),
            sla: OrgSla::load(self.store.as_ref(), org).await?,
        })
    }

    async fn view_with(
        &self,
        org: OrgId,
        directory: &Directory,
        ticket: &Ticket,
        now: Timestamp,
    ) -> ApiResult<TicketView> {
        let user = |id: Option<UserId>| {
            id.map(|id| Named {
                id: id.0,
                name: directory
                    .users
                    .get(&id)
                    .map_or_else(String::new, |u| u.display_name.clone()),
            })
        };
        let team = |id: Option<TeamId>| {
            id.map(|id| Named {
                id: id.0,
                name: directory.teams.get(&id).cloned().unwrap_or_default(),
            })
        };
        let customer = match ticket.customer {
            Some(id) => Some(Named {
                id: id.0,
                name: self.store.customer(org, id).await?.details.name,
            }),
            None => None,
        };
        let sla = directory
            .sla
            .summary(self.store.as_ref(), org, ticket, now)
            .await?;
        Ok(TicketView {
            id: ticket.id,
            number: ticket.number,
            display: ticket.number.to_string(),
            subject: ticket.subject.clone(),
            status: ticket.status,
            priority: ticket.priority,
            category: ticket.category.clone(),
            customer,
            assignee: user(ticket.assignee),
            team: team(ticket.team),
            back_office_team: team(ticket.back_office_team),
            owner: user(ticket.owner),
            tags: ticket.tags.clone(),
            created_at: ticket.created_at,
            updated_at: ticket.updated_at,
            first_response_at: ticket.first_response_at,
            solved_at: ticket.solved_at,
            merged_into: ticket.merged_into,
            sla,
        })
    }

    /// The users a ticket concerns: assignee, owner, and the members of its
    /// team and back-office team.
    pub async fn recipients(&self, org: OrgId, ticket: &Ticket) -> ApiResult<Vec<UserId>> {
        let teams = [ticket.team, ticket.back_office_team];
        let mut agents: Vec<UserId> = self
            .store
            .users(org)
            .await?
            .into_iter()
            .filter(|u| u.team.is_some() && teams.contains(&u.team))
            .map(|u| u.id)
            .chain(ticket.assignee)
            .chain(ticket.owner)
            .collect();
        agents.sort();
        agents.dedup();
        Ok(agents)
    }

    async fn announce_id(&self, org: OrgId, id: TicketId) -> ApiResult<()> {
        let ticket = self.store.ticket(org, id).await?;
        self.announce(org, &ticket).await;
        Ok(())
    }

    /// Announces a saved ticket. The change is already durable, so a
    /// failure to build the view is logged, not returned: the caller's
    /// write succeeded.
    pub async fn announce(&self, org: OrgId, ticket: &Ticket) {
        let event = async {
            let view = self.view(org, ticket).await?;
            let agents = self.recipients(org, ticket).await?;
            Ok::<_, ApiError>(LiveEvent::Ticket {
                ticket: Box::new(view),
                agents,
            })
        };
        match event.await {
            Ok(event) => self.live.announce(org, event),
            Err(error) => {
                tracing::warn!(ticket = ticket.id.0, detail = %error.detail, "ticket not announced")
            }
        }
    }
}

/// The customer, assignee and team a list of changes names (the last of
/// each), to check they exist.
fn referenced(changes: &[TicketChange]) -> (Option<CustomerId>, Option<UserId>, Option<TeamId>) {
    let mut found = (None, None, None);
    for change in changes {
        match change {
            TicketChange::Customer(c) => found.0 = *c,
            TicketChange::Assignee(u) => found.1 = *u,
            TicketChange::Team(t) => found.2 = *t,
            _ => {}
        }
    }
    found
}
