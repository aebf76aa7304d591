//! The OpenAPI 3.1 document served at `/api/v1/openapi.json`, written as
//! data: one row per operation ([`OPERATIONS`]) and the schemas of the
//! bodies. A test checks that every route the router registers has a row
//! here and every row a route, so the document cannot drift from the code.

use axum::Json;
use serde_json::{Map, Value, json};
use std::sync::LazyLock;

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone (login, widget config, the document itself).
    Public,
    /// A customer holding the chat's token.
    ChatToken,
    /// Any logged-in staff member or API token.
    Staff,
    /// Agents and above.
    Agent,
    /// Supervisors and admins.
    Supervisor,
    /// Admins only.
    Admin,
}

impl Access {
    fn describe(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::ChatToken => "chat token (Authorization: Bearer, or ?token= for the WebSocket)",
            Access::Staff => "any staff session or API token",
            Access::Agent => "role agent or above",
            Access::Supervisor => "role supervisor or admin",
            Access::Admin => "role admin",
        }
    }
}

/// One operation: method, path under `/api/v1`, summary, access, request
/// schema, success status and response schema (schema names refer to
/// `components.schemas`; `None` means no body).
pub struct Operation {
    /// HTTP method.
    pub method: &'static str,
    /// Path under `/api/v1`, with `{param}` patterns.
    pub path: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// Request body schema.
    pub request: Option<&'static str>,
    /// Success status.
    pub status: u16,
    /// Success body schema.
    pub response: Option<&'static str>,
}

const fn op(
    method: &'static str,
    path: &'static str,
    summary: &'static str,
    access: Access,
    request: Option<&'static str>,
    status: u16,
    response: Option<&'static str>,
) -> Operation {
    Operation {
        method,
        path,
        summary,
        access,
        request,
        status,
        response,
    }
}

use Access::*;

/// Every operation of the API.
pub const OPERATIONS: &[Operation] = &[
    op(
        "POST",
        "/login",
        "Log in; sets the moked_session cookie",
        Public,
        Some("LoginRequest"),
        200,
        Some("Session"),
    ),
    op("POST", "/logout", "End the session", Staff, None, 204, None),
    op(
        "GET",
        "/session",
        "The current session and its CSRF token",
        Staff,
        None,
        200,
        Some("Session"),
    ),
    op(
        "PUT",
        "/me/lang",
        "Set the user's screen language",
        Staff,
        Some("LangRequest"),
        204,
        None,
    ),
    op(
        "GET",
        "/openapi.json",
        "This document",
        Public,
        None,
        200,
        None,
    ),
    op(
        "GET",
        "/queues",
        "List queues (agents read them to transfer chats)",
        Agent,
        None,
        200,
        Some("QueueList"),
    ),
    op(
        "POST",
        "/queues",
        "Create a queue",
        Admin,
        Some("QueueRequest"),
        201,
        Some("Queue"),
    ),
    op(
        "GET",
        "/queues/{id}",
        "A queue",
        Agent,
        None,
        200,
        Some("Queue"),
    ),
    op(
        "PUT",
        "/queues/{id}",
        "Replace a queue's definition",
        Admin,
        Some("QueueRequest"),
        200,
        Some("Queue"),
    ),
    op(
        "GET",
        "/skills",
        "List skills",
        Supervisor,
        None,
        200,
        Some("NamedList"),
    ),
    op(
        "POST",
        "/skills",
        "Create a skill",
        Admin,
        Some("NameRequest"),
        201,
        Some("Named"),
    ),
    op(
        "PUT",
        "/skills/{id}",
        "Rename a skill",
        Admin,
        Some("NameRequest"),
        200,
        Some("Named"),
    ),
    op(
        "GET",
        "/teams",
        "List teams",
        Agent,
        None,
        200,
        Some("NamedList"),
    ),
    op(
        "POST",
        "/teams",
        "Create a team",
        Admin,
        Some("NameRequest"),
        201,
        Some("Named"),
    ),
    op(
        "PUT",
        "/teams/{id}",
        "Rename a team",
        Admin,
        Some("NameRequest"),
        200,
        Some("Named"),
    ),
    op(
        "GET",
        "/users",
        "List users",
        Supervisor,
        None,
        200,
        Some("UserList"),
    ),
    op(
        "POST",
        "/users",
        "Create a user",
        Admin,
        Some("NewUserRequest"),
        201,
        Some("User"),
    ),
    op(
        "GET",
        "/users/{id}",
        "A user with skills and capacities",
        Supervisor,
        None,
        200,
        Some("User"),
    ),
    op(
        "PUT",
        "/users/{id}",
        "Change a user (password optional)",
        Admin,
        Some("UserUpdateRequest"),
        200,
        Some("User"),
    ),
    op(
        "PUT",
        "/users/{id}/skills",
        "Replace an agent's skills",
        Admin,
        Some("SkillLevels"),
        200,
        Some("SkillLevels"),
    ),
    op(
        "PUT",
        "/users/{id}/capacities",
        "Set an agent's capacities per channel",
        Admin,
        Some("Capacities"),
        200,
        Some("Capacities"),
    ),
    op(
        "GET",
        "/wrap-up-codes",
        "List wrap-up codes",
        Agent,
        None,
        200,
        Some("WrapUpCodeList"),
    ),
    op(
        "POST",
        "/wrap-up-codes",
        "Create a wrap-up code",
        Admin,
        Some("WrapUpCodeRequest"),
        201,
        Some("WrapUpCode"),
    ),
    op(
        "PUT",
        "/wrap-up-codes/{id}",
        "Change a wrap-up code",
        Admin,
        Some("WrapUpCodeRequest"),
        200,
        Some("WrapUpCode"),
    ),
    op(
        "GET",
        "/business-hours",
        "List business-hours schedules",
        Supervisor,
        None,
        200,
        Some("BusinessHoursList"),
    ),
    op(
        "POST",
        "/business-hours",
        "Create a schedule",
        Admin,
        Some("BusinessHoursRequest"),
        201,
        Some("BusinessHours"),
    ),
    op(
        "GET",
        "/business-hours/{id}",
        "A schedule",
        Supervisor,
        None,
        200,
        Some("BusinessHours"),
    ),
    op(
        "PUT",
        "/business-hours/{id}",
        "Replace a schedule",
        Admin,
        Some("BusinessHoursRequest"),
        200,
        Some("BusinessHours"),
    ),
    op(
        "GET",
        "/sip/accounts",
        "Agents' SIP accounts with their phones' registration",
        Supervisor,
        None,
        200,
        Some("SipAccountList"),
    ),
    op(
        "PUT",
        "/sip/accounts/{user}",
        "Give an agent a SIP account (replaces the previous one)",
        Admin,
        Some("SipAccountRequest"),
        200,
        Some("SipAccount"),
    ),
    op(
        "DELETE",
        "/sip/accounts/{user}",
        "Remove an agent's SIP account",
        Admin,
        None,
        204,
        None,
    ),
    op(
        "GET",
        "/sip/routes",
        "SIP addresses and the voice queues they reach",
        Supervisor,
        None,
        200,
        Some("SipRouteList"),
    ),
    op(
        "PUT",
        "/sip/routes/{address}",
        "Route a SIP address (sip:ADDRESS@host) to a voice queue",
        Admin,
        Some("SipRouteRequest"),
        200,
        Some("SipRoute"),
    ),
    op(
        "DELETE",
        "/sip/routes/{address}",
        "Remove a SIP address",
        Admin,
        None,
        204,
        None,
    ),
    op(
        "GET",
        "/mail/addresses",
        "The organization's receiving email addresses and their email queues",
        Supervisor,
        None,
        200,
        Some("MailAddressList"),
    ),
    op(
        "POST",
        "/mail/addresses",
        "Receive mail at an address into an email queue, or change its queue and name (409 if another organization has it)",
        Admin,
        Some("MailAddressRequest"),
        200,
        Some("MailAddress"),
    ),
    op(
        "DELETE",
        "/mail/addresses",
        "Stop receiving mail at an address (?address=)",
        Admin,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/tickets/{id}/reply",
        "Answer the ticket's customer by email, threaded under their last email (202: queued for the relay)",
        Agent,
        Some("ReplyRequest"),
        202,
        Some("Message"),
    ),
    op(
        "GET",
        "/customers",
        "Search customers (?q=&limit=&after=)",
        Agent,
        None,
        200,
        Some("CustomerList"),
    ),
    op(
        "POST",
        "/customers",
        "Create a customer",
        Agent,
        Some("CustomerRequest"),
        201,
        Some("Customer"),
    ),
    op(
        "GET",
        "/customers/{id}",
        "A customer",
        Agent,
        None,
        200,
        Some("Customer"),
    ),
    op(
        "PUT",
        "/customers/{id}",
        "Replace a customer's details",
        Agent,
        Some("CustomerRequest"),
        200,
        Some("Customer"),
    ),
    op(
        "GET",
        "/customers/{id}/interactions",
        "A customer's interactions, oldest first",
        Agent,
        None,
        200,
        Some("InteractionList"),
    ),
    op(
        "GET",
        "/interactions/{id}",
        "An interaction with timeline, messages and notes",
        Agent,
        None,
        200,
        Some("InteractionView"),
    ),
    op(
        "GET",
        "/search",
        "Search customers, conversations and tickets, Hebrew and English (?q=&status=&queue=&team=&agent=&from=&until=&limit=)",
        Agent,
        None,
        200,
        Some("SearchResults"),
    ),
    op(
        "GET",
        "/agents",
        "The agents who take chats, with their state now (transfer targets)",
        Agent,
        None,
        200,
        Some("AgentList"),
    ),
    op(
        "GET",
        "/agent/desk",
        "The agent's presence, offers and chats",
        Agent,
        None,
        200,
        Some("AgentDesk"),
    ),
    op(
        "PUT",
        "/agent/presence",
        "Set the agent's presence",
        Agent,
        Some("PresenceRequest"),
        204,
        None,
    ),
    op(
        "POST",
        "/interactions/{id}/accept",
        "Accept an offered chat",
        Agent,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/interactions/{id}/reject",
        "Reject an offered chat",
        Agent,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/interactions/{id}/end",
        "End a chat",
        Agent,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/interactions/{id}/messages",
        "Send a message to the customer",
        Agent,
        Some("MessageRequest"),
        201,
        Some("Message"),
    ),
    op(
        "POST",
        "/interactions/{id}/typing",
        "Tell the customer the agent is typing",
        Agent,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/interactions/{id}/notes",
        "Add an internal note",
        Agent,
        Some("NoteRequest"),
        201,
        Some("Message"),
    ),
    op(
        "POST",
        "/interactions/{id}/transfer",
        "Transfer to a queue or an agent",
        Agent,
        Some("TransferRequest"),
        204,
        None,
    ),
    op(
        "POST",
        "/interactions/{id}/wrap-up",
        "Wrap up with a code",
        Agent,
        Some("WrapUpRequest"),
        204,
        None,
    ),
    op(
        "GET",
        "/wallboard",
        "Queues and agents now and today",
        Supervisor,
        None,
        200,
        Some("Wallboard"),
    ),
    op(
        "GET",
        "/wallboard/agents/{id}",
        "One agent in detail",
        Supervisor,
        None,
        200,
        Some("AgentDetail"),
    ),
    op(
        "GET",
        "/ws",
        "WebSocket of live events, filtered by role (101)",
        Staff,
        None,
        101,
        None,
    ),
    op(
        "GET",
        "/tickets",
        "Tickets, newest-updated first (filters: status, assignee=me|id, team, back_office_team, customer; limit, before)",
        Agent,
        None,
        200,
        Some("TicketPage"),
    ),
    op(
        "POST",
        "/tickets",
        "Open a ticket",
        Agent,
        Some("TicketRequest"),
        201,
        Some("Ticket"),
    ),
    op(
        "GET",
        "/tickets/{id}",
        "A ticket with its links, notes, attachments and history",
        Agent,
        None,
        200,
        Some("TicketDetail"),
    ),
    op(
        "PATCH",
        "/tickets/{id}",
        "Change a ticket's fields (null clears category, assignee, team)",
        Agent,
        Some("TicketPatch"),
        200,
        Some("Ticket"),
    ),
    op(
        "GET",
        "/tickets/by-number/{n}",
        "A ticket by its number",
        Agent,
        None,
        200,
        Some("TicketDetail"),
    ),
    op(
        "GET",
        "/tickets/{id}/messages",
        "The conversation over all the ticket's interactions, oldest first",
        Agent,
        None,
        200,
        Some("ConversationList"),
    ),
    op(
        "POST",
        "/tickets/{id}/notes",
        "Add an internal note",
        Agent,
        Some("NoteRequest"),
        201,
        Some("TicketNote"),
    ),
    op(
        "POST",
        "/tickets/{id}/attachments",
        "Attach a file (raw body with its Content-Type, ?file_name=; 10 MiB; images, PDF, text, office documents)",
        Agent,
        None,
        201,
        Some("Attachment"),
    ),
    op(
        "GET",
        "/tickets/{id}/attachments/{aid}",
        "An attachment's bytes (Content-Disposition: attachment)",
        Agent,
        None,
        200,
        None,
    ),
    op(
        "POST",
        "/tickets/{id}/escalate",
        "Send the ticket to a back-office team (the assignee becomes its owner)",
        Agent,
        Some("EscalateRequest"),
        200,
        Some("Ticket"),
    ),
    op(
        "POST",
        "/tickets/{id}/hand-back",
        "Return an escalated ticket to its owner",
        Agent,
        Some("HandBackRequest"),
        200,
        Some("Ticket"),
    ),
    op(
        "POST",
        "/tickets/{id}/merge",
        "Merge the ticket into another (answers the target)",
        Agent,
        Some("MergeRequest"),
        200,
        Some("Ticket"),
    ),
    op(
        "GET",
        "/tickets/{id}/canned-responses/{cid}",
        "A canned response rendered for the ticket",
        Agent,
        None,
        200,
        Some("RenderedCanned"),
    ),
    op(
        "POST",
        "/tickets/{id}/canned-responses/{cid}/apply",
        "Use a canned response or macro: its text for the composer, its actions applied",
        Agent,
        None,
        200,
        Some("AppliedMacro"),
    ),
    op(
        "GET",
        "/canned-responses",
        "Canned responses (?lang=he|en)",
        Agent,
        None,
        200,
        Some("CannedList"),
    ),
    op(
        "POST",
        "/canned-responses",
        "Create a canned response",
        Supervisor,
        Some("CannedRequest"),
        201,
        Some("Canned"),
    ),
    op(
        "PUT",
        "/canned-responses/{id}",
        "Replace a canned response",
        Supervisor,
        Some("CannedRequest"),
        200,
        Some("Canned"),
    ),
    op(
        "DELETE",
        "/canned-responses/{id}",
        "Delete a canned response",
        Supervisor,
        None,
        204,
        None,
    ),
    op(
        "GET",
        "/admin/sla-policies",
        "SLA policies",
        Admin,
        None,
        200,
        Some("SlaPolicyList"),
    ),
    op(
        "POST",
        "/admin/sla-policies",
        "Create an SLA policy",
        Admin,
        Some("SlaPolicyRequest"),
        201,
        Some("SlaPolicy"),
    ),
    op(
        "PUT",
        "/admin/sla-policies/{id}",
        "Replace an SLA policy",
        Admin,
        Some("SlaPolicyRequest"),
        200,
        Some("SlaPolicy"),
    ),
    op(
        "DELETE",
        "/admin/sla-policies/{id}",
        "Delete an SLA policy",
        Admin,
        None,
        204,
        None,
    ),
    op(
        "GET",
        "/admin/escalation-rules",
        "Escalation rules",
        Admin,
        None,
        200,
        Some("EscalationRuleList"),
    ),
    op(
        "POST",
        "/admin/escalation-rules",
        "Create an escalation rule",
        Admin,
        Some("EscalationRuleRequest"),
        201,
        Some("EscalationRule"),
    ),
    op(
        "PUT",
        "/admin/escalation-rules/{id}",
        "Replace an escalation rule",
        Admin,
        Some("EscalationRuleRequest"),
        200,
        Some("EscalationRule"),
    ),
    op(
        "DELETE",
        "/admin/escalation-rules/{id}",
        "Delete an escalation rule",
        Admin,
        None,
        204,
        None,
    ),
    op(
        "GET",
        "/widget/{org}/config",
        "The widget's settings for an organization",
        Public,
        None,
        200,
        Some("WidgetConfig"),
    ),
    op(
        "POST",
        "/widget/{org}/chats",
        "Open a chat (rate-limited)",
        Public,
        Some("OpenChatRequest"),
        201,
        Some("ChatCreated"),
    ),
    op(
        "GET",
        "/widget/chats/{id}",
        "The chat's status and messages (no notes)",
        ChatToken,
        None,
        200,
        Some("ChatView"),
    ),
    op(
        "POST",
        "/widget/chats/{id}/messages",
        "Send a message (rate-limited)",
        ChatToken,
        Some("MessageRequest"),
        201,
        Some("Message"),
    ),
    op(
        "POST",
        "/widget/chats/{id}/typing",
        "Tell the agent the customer is typing",
        ChatToken,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/widget/chats/{id}/end",
        "End the chat",
        ChatToken,
        None,
        204,
        None,
    ),
    op(
        "POST",
        "/widget/chats/{id}/rating",
        "Rate the conversation 1 to 5",
        ChatToken,
        Some("RatingRequest"),
        204,
        None,
    ),
    op(
        "GET",
        "/widget/chats/{id}/ws",
        "WebSocket of the chat's events (?token=) (101)",
        ChatToken,
        None,
        101,
        None,
    ),
];

fn string() -> Value {
    json!({"type": "string"})
}

fn integer() -> Value {
    json!({"type": "integer"})
}

fn nullable(schema: Value) -> Value {
    json!({"oneOf": [schema, {"type": "null"}]})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn array_of(name: &str) -> Value {
    json!({"type": "array", "items": reference(name)})
}

fn object(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "properties": properties, "additionalProperties": false})
}

fn schemas() -> Value {
    let role = json!({"type": "string", "enum": ["admin", "supervisor", "agent"]});
    let lang = json!({"type": "string", "enum": ["he", "en"]});
    let channel = json!({"type": "string", "enum": ["voice", "chat", "email", "walk_in", "callback", "back_office"]});
    let queue_props = json!({
        "name": string(), "channel": channel, "skill": nullable(integer()),
        "service_level_seconds": integer(), "auto_accept": {"type": "boolean"},
        "business_hours": nullable(integer()), "priority": integer(),
        "wrap_up_seconds": integer(), "offer_timeout_seconds": integer()
    });
    let mut queue = queue_props.clone();
    queue["id"] = integer();
    let customer_props = json!({
        "name": string(),
        "phones": {"type": "array", "items": {"type": "string", "description": "any Israeli or E.164 form; answered in E.164"}},
        "emails": {"type": "array", "items": string()},
        "israeli_id": nullable(json!({"type": "string", "description": "nine digits, check digit verified; answered masked (*****6789) to agents, whole to supervisors and admins; a masked number written back unchanged keeps the stored one"})),
        "tier": {"type": "string", "enum": ["standard", "premium", "vip"]},
        "notes": string()
    });
    let mut customer = customer_props.clone();
    customer["id"] = integer();
    let message = object(
        &[
            "id",
            "interaction",
            "sender",
            "body",
            "idempotency_key",
            "sent_at",
        ],
        json!({
            "id": integer(), "interaction": integer(),
            "sender": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["customer", "agent", "system", "note"]}, "user": integer()}},
            "body": {"type": "string", "maxLength": 4000}, "idempotency_key": string(),
            "sent_at": {"type": "string", "format": "date-time"}
        }),
    );
    let interval = object(
        &["weekday", "opens_minute", "closes_minute"],
        json!({
            "weekday": {"type": "integer", "minimum": 0, "maximum": 6},
            "opens_minute": integer(), "closes_minute": {"type": "integer", "maximum": 1440}
        }),
    );
    let hours_props = json!({"name": string(), "time_zone": string(), "intervals": {"type": "array", "items": interval}});
    let mut hours = hours_props.clone();
    hours["id"] = integer();
    let user_props = json!({
        "id": integer(), "login": string(), "display_name": string(), "role": role,
        "team": nullable(integer()), "lang": lang,
        "skills": reference("SkillLevels"), "capacities": reference("Capacities")
    });
    json!({
        "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
            "type": string(), "title": string(), "status": integer(), "detail": string(),
            "field": {"type": "string", "description": "the request field at fault"}}},
        "LoginRequest": object(&["org", "login", "password"], json!({"org": string(), "login": string(), "password": string()})),
        "Session": {"type": "object", "properties": {
            "user": nullable(json!({"type": "object", "properties": {"id": integer(), "login": string(), "display_name": string(), "role": role}})),
            "org": {"type": "object", "properties": {"id": integer(), "slug": string(), "name": string(), "time_zone": string()}},
            "role": role, "csrf_token": nullable(string()), "lang": lang}},
        "LangRequest": object(&["lang"], json!({"lang": lang})),
        "QueueRequest": object(&["name"], queue_props),
        "Queue": {"type": "object", "properties": queue},
        "QueueList": array_of("Queue"),
        "NameRequest": object(&["name"], json!({"name": string()})),
        "Named": {"type": "object", "properties": {"id": integer(), "name": string()}},
        "NamedList": array_of("Named"),
        "NewUserRequest": object(&["login", "display_name", "role", "password"], json!({
            "login": string(), "display_name": string(), "role": role, "team": nullable(integer()),
            "lang": lang, "password": {"type": "string", "minLength": 8, "writeOnly": true}})),
        "UserUpdateRequest": object(&["display_name", "role"], json!({
            "display_name": string(), "role": role, "team": nullable(integer()), "lang": lang,
            "password": {"type": "string", "minLength": 8, "writeOnly": true}})),
        "User": {"type": "object", "properties": user_props},
        "UserList": array_of("User"),
        "SkillLevels": {"type": "array", "items": object(&["skill", "level"], json!({"skill": integer(), "level": {"type": "integer", "minimum": 1, "maximum": 10}}))},
        "Capacities": {"type": "array", "items": object(&["channel", "max_concurrent"], json!({"channel": channel, "max_concurrent": integer()}))},
        "WrapUpCodeRequest": object(&["code", "label"], json!({"code": string(), "label": string()})),
        "WrapUpCode": {"type": "object", "properties": {"id": integer(), "code": string(), "label": string()}},
        "WrapUpCodeList": array_of("WrapUpCode"),
        "BusinessHoursRequest": object(&["name", "intervals"], hours_props),
        "BusinessHours": {"type": "object", "properties": hours},
        "BusinessHoursList": array_of("BusinessHours"),
        "SipAccountRequest": object(&["username", "password"], json!({
            "username": {"type": "string", "pattern": "^[A-Za-z0-9._-]{1,64}$"},
            "password": {"type": "string", "minLength": 8, "maxLength": 128, "writeOnly": true}})),
        "SipAccount": {"type": "object", "properties": {"user": integer(), "username": string(), "realm": string(), "registered": {"type": "boolean"}}},
        "SipAccountList": array_of("SipAccount"),
        "SipRouteRequest": object(&["queue"], json!({"queue": integer()})),
        "SipRoute": {"type": "object", "properties": {"address": string(), "queue": integer()}},
        "SipRouteList": array_of("SipRoute"),
        "MailAddressRequest": object(&["address", "queue", "display_name"], json!({"address": string(), "queue": integer(), "display_name": {"type": "string", "minLength": 1, "maxLength": 200}})),
        "MailAddress": {"type": "object", "properties": {"address": string(), "queue": integer(), "display_name": string()}},
        "MailAddressList": array_of("MailAddress"),
        "ReplyRequest": object(&["body"], json!({"body": {"type": "string", "minLength": 1, "maxLength": 4000}})),
        "CustomerRequest": object(&["name"], customer_props),
        "Customer": {"type": "object", "properties": customer},
        "CustomerList": array_of("Customer"),
        "SearchResults": {"type": "object", "properties": {"results": {"type": "array", "items": {
            "type": "object", "properties": {
                "kind": {"type": "string", "enum": ["customer", "message", "ticket"]},
                "id": integer(), "title": string(),
                "snippet": {"type": "string", "description": "HTML-escaped, matched words in <mark>"},
                "score": {"type": "number"}}}}}},
        "Interaction": {"type": "object", "properties": {
            "id": integer(), "channel": channel, "queue": integer(), "customer": nullable(integer()),
            "created_at": {"type": "string", "format": "date-time"},
            "ended_at": nullable(json!({"type": "string", "format": "date-time"})),
            "timeline": {"type": "array", "items": {"type": "object", "properties": {"at": string(), "step": {"type": "object"}}}}}},
        "StaffNames": {"type": "array", "description": "every agent the timeline or messages name", "items": {"type": "object", "properties": {"id": integer(), "name": string()}}},
        "HistoryItem": {"allOf": [reference("Interaction"), {"type": "object", "properties": {"agents": reference("StaffNames")}}]},
        "InteractionList": array_of("HistoryItem"),
        "InteractionView": {"allOf": [reference("Interaction"), {"type": "object", "properties": {
            "messages": {"type": "array", "items": {"allOf": [reference("Message"), {"type": "object", "properties": {"sender_name": {"type": "string", "description": "the staff writer's display name (agent messages and notes)"}}}]}},
            "agents": reference("StaffNames"),
            "ticket": nullable(json!({"type": "object", "properties": {"id": integer(), "number": integer()}}))}}]},
        "Message": message,
        "MessageRequest": object(&["body", "idempotency_key"], json!({"body": {"type": "string", "minLength": 1, "maxLength": 4000}, "idempotency_key": {"type": "string", "maxLength": 200}})),
        "NoteRequest": object(&["body"], json!({"body": {"type": "string", "minLength": 1, "maxLength": 4000}})),
        "TransferRequest": {"oneOf": [object(&["queue"], json!({"queue": integer()})), object(&["agent"], json!({"agent": integer()}))]},
        "WrapUpRequest": object(&["code"], json!({"code": integer()})),
        "PresenceRequest": object(&["state"], json!({
            "state": {"type": "string", "enum": ["available", "not_ready", "offline"]},
            "reason": {"type": "string", "enum": ["break", "meal", "training", "meeting", "coaching", "personal"]}})),
        "AgentDesk": {"type": "object", "description": "presence, reason, since, capacity (chat slots; 0 and offline for a user who takes no chats), offers and chats, as moked-live reports them, and phone (whether the agent's phone is registered)"},
        "AgentList": {"type": "array", "items": {"type": "object", "properties": {
            "id": integer(), "name": string(),
            "state": {"type": "string", "enum": ["offline", "available", "offered", "busy", "wrap_up", "not_ready"]},
            "reason": nullable(string()), "since": {"type": "string", "format": "date-time"},
            "phone": {"type": "boolean", "description": "whether the agent's phone is registered"}}}},
        "Wallboard": {"type": "object", "description": "queues (with service_level_seconds and service_level_target, a fraction such as 0.8) and agents, as moked-live reports them"},
        "AgentDetail": {"type": "object", "description": "one agent, as moked-live reports it"},
        "WidgetConfig": {"type": "object", "properties": {
            "org_name": string(), "time_zone": string(), "lang": lang,
            "queues": {"type": "array", "items": {"type": "object", "properties": {"id": integer(), "name": string()}}},
            "prechat": {"type": "array", "items": {"type": "object", "properties": {"field": string(), "required": {"type": "boolean"}}}}}},
        "OpenChatRequest": object(&["name"], json!({"name": string(), "phone": nullable(string()), "queue": nullable(integer()), "lang": lang})),
        "ChatStatus": {"type": "object", "description": "queued (position, estimated_wait), offered, connected (agent_name) or ended", "properties": {"state": string()}},
        "ChatCreated": {"type": "object", "properties": {"chat": integer(), "token": {"type": "string", "description": "shown once; send as Authorization: Bearer"}, "status": reference("ChatStatus")}},
        "ChatView": {"type": "object", "properties": {"status": reference("ChatStatus"), "messages": array_of("Message")}},
        "TicketRequest": object(&["subject"], json!({"subject": string(), "priority": {"enum": ["low", "normal", "high", "urgent"]}, "category": string(), "customer": integer(), "assignee": integer(), "team": integer(), "tags": {"type": "array", "items": string()}})),
        "TicketPatch": {"type": "object", "properties": {"subject": string(), "status": {"enum": ["new", "open", "pending_customer", "pending_internal", "solved", "closed"]}, "priority": {"enum": ["low", "normal", "high", "urgent"]}, "category": nullable(string()), "assignee": nullable(integer()), "team": nullable(integer()), "tags": {"type": "array", "items": string()}}},
        "Named": {"type": "object", "properties": {"id": integer(), "name": string()}},
        "Ticket": {"type": "object", "properties": {"id": integer(), "number": integer(), "display": string(), "subject": string(), "status": string(), "priority": string(), "category": nullable(string()), "customer": nullable(reference("Named")), "assignee": nullable(reference("Named")), "team": nullable(reference("Named")), "back_office_team": nullable(reference("Named")), "owner": nullable(reference("Named")), "tags": {"type": "array", "items": string()}, "created_at": string(), "updated_at": string(), "first_response_at": nullable(string()), "solved_at": nullable(string()), "merged_into": nullable(integer()), "sla": nullable(json!({"type": "object", "properties": {"policy": string(), "first_response_due": nullable(string()), "resolution_due": nullable(string()), "state": {"enum": ["ok", "warning", "breached", "paused", "met"]}}}))}},
        "TicketPage": {"type": "object", "properties": {"tickets": array_of("Ticket"), "next": nullable(integer())}},
        "TicketNote": {"type": "object", "properties": {"id": integer(), "author": reference("Named"), "body": string(), "created_at": string()}},
        "Attachment": {"type": "object", "properties": {"id": integer(), "file_name": string(), "content_type": string(), "size": integer(), "sha256": string()}},
        "TicketDetail": {"type": "object", "properties": {"ticket": reference("Ticket"), "links": {"type": "array", "items": {"type": "object", "properties": {"interaction": integer(), "channel": string(), "created_at": string()}}}, "notes": array_of("TicketNote"), "attachments": array_of("Attachment"), "history": {"type": "array", "items": {"type": "object", "properties": {"at": string(), "actor": {"type": "object"}, "field": string(), "old": {}, "new": {}}}}}},
        "ConversationList": {"type": "array", "items": {"type": "object", "properties": {"id": integer(), "interaction": integer(), "channel": string(), "party": {"enum": ["customer", "agent", "system", "note"]}, "author_name": nullable(string()), "body": string(), "at": string(), "email": {"type": ["object", "null"]}}}},
        "NoteRequest": object(&["body"], json!({"body": {"type": "string", "maxLength": 4000}})),
        "EscalateRequest": object(&["team"], json!({"team": integer(), "note": string()})),
        "HandBackRequest": {"type": "object", "properties": {"note": string()}},
        "MergeRequest": object(&["into"], json!({"into": integer()})),
        "CannedRequest": object(&["name", "lang", "body"], json!({"name": string(), "lang": {"enum": ["he", "en"]}, "body": string(), "actions": reference("MacroActions")})),
        "Canned": {"type": "object", "properties": {"id": integer(), "name": string(), "lang": string(), "body": string(), "actions": reference("MacroActions")}},
        "MacroActions": {"type": "object", "additionalProperties": false, "properties": {"status": nullable(string()), "priority": nullable(string()), "category": nullable(string()), "add_tags": {"type": "array", "items": string()}, "remove_tags": {"type": "array", "items": string()}, "team": nullable(integer()), "assignee": nullable(integer()), "note": nullable(string())}},
        "AppliedMacro": {"type": "object", "properties": {"body": string(), "ticket": reference("Ticket")}},
        "CannedList": array_of("Canned"),
        "RenderedCanned": {"type": "object", "properties": {"body": string()}},
        "SlaPolicyRequest": object(&["name", "first_response_minutes", "resolution_minutes"], json!({"name": string(), "priority": nullable(string()), "category": nullable(string()), "first_response_minutes": integer(), "resolution_minutes": integer()})),
        "SlaPolicy": {"type": "object", "properties": {"id": integer(), "name": string(), "priority": nullable(string()), "category": nullable(string()), "first_response_minutes": integer(), "resolution_minutes": integer()}},
        "SlaPolicyList": array_of("SlaPolicy"),
        "EscalationRuleRequest": object(&["name", "trigger", "team"], json!({"name": string(), "trigger": {"type": "object", "properties": {"kind": {"enum": ["breach", "category"]}, "category": string()}}, "team": integer()})),
        "EscalationRule": {"type": "object", "properties": {"id": integer(), "name": string(), "trigger": {"type": "object"}, "team": integer()}},
        "EscalationRuleList": array_of("EscalationRule"),
        "RatingRequest": object(&["score"], json!({"score": {"type": "integer", "minimum": 1, "maximum": 5}, "comment": {"type": "string", "maxLength": 4000}}))
    })
}

fn operation(op: &Operation) -> Value {
    let mut value = json!({
        "summary": op.summary,
        "description": format!("Access: {}.", op.access.describe()),
        "responses": {
            op.status.to_string(): match op.response {
                Some(name) => json!({"description": "success", "content": {"application/json": {"schema": reference(name)}}}),
                None => json!({"description": "success"}),
            },
            "default": {"description": "an error", "content": {"application/problem+json": {"schema": reference("Problem")}}}
        }
    });
    if let Some(name) = op.request {
        value["requestBody"] =
            json!({"required": true, "content": {"application/json": {"schema": reference(name)}}});
    }
    let params: Vec<Value> = op
        .path
        .split('/')
        .filter_map(|part| part.strip_prefix('{')?.strip_suffix('}'))
        .map(|name| {
            let schema = if name == "org" { string() } else { integer() };
            json!({"name": name, "in": "path", "required": true, "schema": schema})
        })
        .collect();
    if !params.is_empty() {
        value["parameters"] = Value::Array(params);
    }
    if !matches!(op.access, Access::Public) {
        value["security"] = json!([{"cookie": []}, {"bearer": []}]);
    }
    value
}

static DOCUMENT: LazyLock<Value> = LazyLock::new(|| {
    let mut paths = Map::new();
    for op in OPERATIONS {
        let entry = paths
            .entry(op.path.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        entry[op.method.to_ascii_lowercase()] = operation(op);
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Moked API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The Moked contact-center API. Errors are RFC 9457 problem details naming the field. \
                            Cookie-authenticated writes need the X-CSRF-Token header."
        },
        "servers": [{"url": "/api/v1"}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "cookie": {"type": "apiKey", "in": "cookie", "name": "moked_session"},
                "bearer": {"type": "http", "scheme": "bearer"}
            }
        }
    })
});

/// The document.
pub fn document_value() -> &'static Value {
    &DOCUMENT
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(DOCUMENT.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn every_route_is_documented_and_every_documented_route_exists() {
        let routed: BTreeSet<(String, String)> = crate::api::routes()
            .table()
            .iter()
            .map(|(method, path)| {
                let path = path.strip_prefix(crate::api::PREFIX).unwrap_or(path);
                (method.to_string(), path.to_owned())
            })
            .collect();
        let documented: BTreeSet<(String, String)> = OPERATIONS
            .iter()
            .map(|op| (op.method.to_owned(), op.path.to_owned()))
            .collect();
        assert_eq!(routed, documented);
        let paths = document_value()["paths"].as_object().unwrap();
        for op in OPERATIONS {
            assert!(paths[op.path][op.method.to_ascii_lowercase()].is_object());
        }
    }

    #[test]
    fn every_schema_reference_resolves() {
        let text = document_value().to_string();
        let schemas = document_value()["components"]["schemas"]
            .as_object()
            .unwrap();
        for piece in text.split("#/components/schemas/").skip(1) {
            let name: String = piece.chars().take_while(|c| c.is_alphanumeric()).collect();
            assert!(
                schemas.contains_key(&name),
                "{name} is referenced but not defined"
            );
        }
        assert_eq!(document_value()["openapi"], "3.1.0");
    }
}
