//! What an answered call's dialog carries and what this server keeps of it.
//!
//! - **The mark**: the Record-Route this server puts in a call names the
//!   organization, the interaction, the agent and (hashed) the caller's
//!   From tag in a `moked` URI parameter. Every later request of the dialog
//!   brings it back in its Route, so a BYE ends the right interaction and
//!   tells the caller's hang-up from the agent's with no memory of the
//!   dialog: calls survive a restart of the server.
//! - **The dialog's ends** ([`Ends`]): both parties' tags, targets and
//!   route sets and the highest CSeq seen from each side, kept in memory
//!   for the requests this server sends itself inside a call (the REFER of
//!   a transfer and the BYE to the agent's phone that follows).

use crate::proxy::Own;
use moked_store::{InteractionId, OrgId, UserId};
use rsipstack::sip::prelude::{HeadersExt, ToTypedHeader};
use rsipstack::sip::typed::{RecordRoute, Route};
use rsipstack::sip::uri::{OtherParam, OtherParamValue};
use rsipstack::sip::{Header, Param, Request, Response, Uri};
use tokio::time::Instant;

/// The Record-Route URI parameter carrying the mark.
const MARK_PARAM: &str = "moked";

/// A call's identity as its Record-Route carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    pub org: OrgId,
    pub call: InteractionId,
    pub agent: UserId,
    /// FNV-1a hash of the caller's From tag: which end sent a request.
    pub caller: u32,
}

impl Mark {
    pub(crate) fn new(org: OrgId, call: InteractionId, agent: UserId, caller_tag: &str) -> Mark {
        Mark {
            org,
            call,
            agent,
            caller: fnv(caller_tag),
        }
    }

    /// The URI parameter to add to the Record-Route.
    pub(crate) fn param(&self) -> Param {
        let value = format!(
            "{}.{}.{}.{:08x}",
            self.org, self.call, self.agent, self.caller
        );
        Param::Other(
            OtherParam::new(MARK_PARAM),
            Some(OtherParamValue::new(value)),
        )
    }

    fn parse(value: &str) -> Option<Mark> {
        let mut parts = value.split('.');
        let mut number = || parts.next()?.parse::<i64>().ok();
        let (org, call, agent) = (number()?, number()?, number()?);
        let caller = u32::from_str_radix(parts.next()?, 16).ok()?;
        parts.next().is_none().then_some(Mark {
            org: OrgId(org),
            call: InteractionId(call),
            agent: UserId(agent),
            caller,
        })
    }

    /// The mark of this server's entry on top of the request's Route set.
    pub(crate) fn of_request(request: &Request, own: &Own) -> Option<Mark> {
        let route = request.headers.iter().find_map(|h| match h {
            Header::Route(route) => Some(route),
            _ => None,
        })?;
        let first = Route::parse_header_list(route.value())
            .ok()?
            .into_iter()
            .next()?;
        if !own.is_own(&first.uri.host_with_port) {
            return None;
        }
        first.uri.params.iter().find_map(|param| match param {
            Param::Other(name, Some(value)) if name.value().eq_ignore_ascii_case(MARK_PARAM) => {
                Mark::parse(value.value())
            }
            _ => None,
        })
    }

    /// Whether the request comes from the caller's end.
    pub(crate) fn sent_by_caller(&self, request: &Request) -> bool {
        from_tag(request).is_some_and(|tag| fnv(&tag) == self.caller)
    }
}

/// 32-bit FNV-1a: short, stable, and enough to tell two tags apart.
fn fnv(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

pub(crate) fn from_tag(request: &Request) -> Option<String> {
    let from = request.from_header().ok()?;
    from.tag().ok().flatten().map(|tag| tag.to_string())
}

/// An answered call's two ends, for requests this server sends in it.
#[derive(Debug, Clone)]
pub(crate) struct Ends {
    pub mark: Mark,
    pub call_id: String,
    /// The caller's From header value (with its tag).
    pub caller: String,
    /// The To header value of the phone's answer (with the phone's tag).
    pub agent: String,
    pub caller_target: Uri,
    pub agent_target: Uri,
    /// Route set from this server towards the caller, and towards the phone.
    pub caller_routes: Vec<String>,
    pub agent_routes: Vec<String>,
    /// Highest CSeq seen from each end.
    pub caller_cseq: u32,
    pub agent_cseq: u32,
    pub since: Instant,
    /// The caller has acknowledged the answer: until then a request of
    /// this server could reach the caller before the 2xx it is waiting for.
    pub confirmed: bool,
}

impl Ends {
    /// The ends of a dialog from the caller's INVITE and the phone's 2xx.
    pub(crate) fn new(invite: &Request, answer: &Response, mark: Mark, own: &Own) -> Option<Ends> {
        let call_id = answer.call_id_header().ok()?.value().to_owned();
        let caller_target = invite.contact_header().ok()?.typed().ok()?.uri;
        let agent_target = answer.contact_header().ok()?.typed().ok()?.uri;
        let entries: Vec<RecordRoute> = answer
            .record_route_headers()
            .iter()
            .filter_map(|header| RecordRoute::parse_header_list(header.value()).ok())
            .flatten()
            .collect();
        // Record-Route lists the phone's side above this server's entry
        // and the caller's side below it (RFC 3261 §12.1.1, §16.6).
        let ours = entries
            .iter()
            .position(|entry| own.is_own(&entry.uri.host_with_port))?;
        let caller_routes = entries[ours + 1..]
            .iter()
            .map(ToString::to_string)
            .collect();
        let agent_routes = entries[..ours]
            .iter()
            .rev()
            .map(ToString::to_string)
            .collect();
        Some(Ends {
            mark,
            call_id,
            caller: invite.from_header().ok()?.value().to_owned(),
            agent: answer.to_header().ok()?.value().to_owned(),
            caller_target,
            agent_target,
            caller_routes,
            agent_routes,
            caller_cseq: invite.cseq_header().ok()?.seq().ok()?,
            agent_cseq: 0,
            since: Instant::now(),
            confirmed: false,
        })
    }

    /// Notes the CSeq of a request passing in the dialog.
    pub(crate) fn saw(&mut self, request: &Request) {
        let Ok(seq) = request.cseq_header().and_then(|c| c.seq()) else {
            return;
        };
        if self.mark.sent_by_caller(request) {
            self.caller_cseq = self.caller_cseq.max(seq);
        } else {
            self.agent_cseq = self.agent_cseq.max(seq);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_reads_back_what_it_wrote() {
        let mark = Mark::new(OrgId(7), InteractionId(123_456), UserId(42), "תג-מתקשר");
        let Param::Other(_, Some(value)) = mark.param() else {
            panic!("the mark is a valued parameter");
        };
        assert_eq!(Mark::parse(value.value()), Some(mark));
        assert_ne!(mark.caller, fnv("תג-אחר"));
    }

    #[test]
    fn a_forged_mark_is_no_mark() {
        for bad in [
            "",
            "7.1.2",
            "7.1.2.zz",
            "a.1.2.0000abcd",
            "7.1.2.0000abcd.9",
        ] {
            assert_eq!(Mark::parse(bad), None, "{bad}");
        }
    }
}
