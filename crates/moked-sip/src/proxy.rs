//! What a stateful proxy does to the messages it passes on (RFC 3261 §16):
//! its own Via on the way out and off the way back, Max-Forwards counted
//! down, its Record-Route so the dialog's later requests come through it,
//! its own Route taken off them, and loops noticed.

use rsipstack::sip::prelude::HeadersExt;
use rsipstack::sip::typed::Route;
use rsipstack::sip::{Header, HostWithPort, Param, Request, Response, SipMessage, Uri};
use rsipstack::transaction::endpoint::EndpointInner;
use rsipstack::transport::SipAddr;

/// Max-Forwards when a request carries none (RFC 3261 §8.1.1.6).
const DEFAULT_MAX_FORWARDS: u32 = 70;

/// Why a request cannot be passed on.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ForwardError {
    /// Max-Forwards ran out (483).
    #[error("Max-Forwards reached zero")]
    TooManyHops,
    /// The request already went through this server (482).
    #[error("the request already passed through this server")]
    Loop,
    /// A header the forwarding needs is unreadable (400).
    #[error("unreadable {0} header")]
    Malformed(&'static str),
    /// The SIP stack refused (500).
    #[error(transparent)]
    Stack(Box<rsipstack::Error>),
}

impl From<rsipstack::Error> for ForwardError {
    fn from(error: rsipstack::Error) -> ForwardError {
        ForwardError::Stack(Box::new(error))
    }
}

/// This server's own addresses, to recognise its Via and Route entries.
#[derive(Debug, Clone)]
pub(crate) struct Own {
    addrs: Vec<HostWithPort>,
}

impl Own {
    pub(crate) fn new(addrs: Vec<SipAddr>) -> Own {
        Own {
            addrs: addrs.into_iter().map(|addr| addr.addr).collect(),
        }
    }

    pub(crate) fn is_own(&self, target: &HostWithPort) -> bool {
        let port = |hp: &HostWithPort| hp.port.as_ref().map_or(5060, |p| p.value());
        self.addrs
            .iter()
            .any(|own| own.host == target.host && port(own) == port(target))
    }

    /// Whether one of the request's Via entries is this server's: a request
    /// sent back to itself.
    pub(crate) fn looped(&self, request: &Request) -> bool {
        request.headers.iter().any(|header| match header {
            Header::Via(via) => via_values(via).iter().any(|value| {
                rsipstack::sip::typed::Via::parse(value)
                    .is_ok_and(|via| self.is_own(&via.uri.host_with_port))
            }),
            _ => false,
        })
    }

    /// Whether this server's entry tops the request's Route set: the
    /// request follows a dialog this server record-routed (the ACK of a
    /// final refusal is hop by hop and carries none).
    pub(crate) fn routes_here(&self, request: &Request) -> bool {
        request
            .headers
            .iter()
            .find_map(|h| match h {
                Header::Route(route) => Route::parse_header_list(route.value()).ok(),
                _ => None,
            })
            .and_then(|routes| routes.into_iter().next())
            .is_some_and(|first| self.is_own(&first.uri.host_with_port))
    }

    /// Takes this server's entry off the top of the Route set, as the
    /// Record-Route it put in the dialog brings it back (loose routing).
    pub(crate) fn strip_route(&self, request: &mut Request) {
        let Some(index) = request
            .headers
            .iter()
            .position(|h| matches!(h, Header::Route(_)))
        else {
            return;
        };
        let Header::Route(route) = &request.headers.0[index] else {
            return;
        };
        let Ok(mut routes) = Route::parse_header_list(route.value()) else {
            return;
        };
        if routes
            .first()
            .is_some_and(|first| self.is_own(&first.uri.host_with_port))
        {
            routes.remove(0);
            if routes.is_empty() {
                request.headers.0.remove(index);
            } else {
                let rest: Vec<String> = routes.iter().map(ToString::to_string).collect();
                request.headers.0[index] = Header::Route(rest.join(", ").into());
            }
        }
    }
}

/// The request to send on: Max-Forwards less one, this server's Via on top
/// and, for a dialog-creating request, its Record-Route carrying `mark`
/// (see module `dialog`).
pub(crate) fn forward(
    request: &Request,
    endpoint: &EndpointInner,
    record_route: Option<Param>,
) -> Result<Request, ForwardError> {
    let mut out = request.clone();
    let hops = match out.max_forwards_header() {
        Ok(header) => header
            .value()
            .trim()
            .parse::<u32>()
            .map_err(|_| ForwardError::Malformed("Max-Forwards"))?,
        Err(_) => DEFAULT_MAX_FORWARDS,
    };
    if hops == 0 {
        return Err(ForwardError::TooManyHops);
    }
    out.headers.retain(|h| !matches!(h, Header::MaxForwards(_)));
    out.headers.push(Header::MaxForwards((hops - 1).into()));
    if let Some(mark) = record_route {
        let mut record_route = endpoint.get_record_route()?;
        record_route.uri.params.push(mark);
        out.headers.push_front(record_route.into());
    }
    out.headers.push_front(endpoint.get_via(None, None)?.into());
    Ok(out)
}

/// A response as it goes back: without this server's Via, the first value
/// of the first Via header (a header may list several, comma-separated).
pub(crate) fn backward(mut response: Response) -> Response {
    let top = response
        .headers
        .iter()
        .position(|h| matches!(h, Header::Via(_)));
    let Some(index) = top else {
        return response;
    };
    let Header::Via(via) = &response.headers.0[index] else {
        return response;
    };
    let rest = via_values(via).split_off(1);
    if rest.is_empty() {
        response.headers.0.remove(index);
    } else {
        response.headers.0[index] = Header::Via(rest.join(", ").into());
    }
    response
}

/// The values of a Via header, in order.
fn via_values(via: &rsipstack::sip::Via) -> Vec<String> {
    let mut values = Vec::new();
    let mut rest = via.value().trim().to_owned();
    while !rest.is_empty() {
        let Ok(first) = rsipstack::sip::Via::new(rest.as_str()).first_value() else {
            break;
        };
        let first = first.value().to_owned();
        rest = rest[first.len()..]
            .trim_start()
            .trim_start_matches(',')
            .trim_start()
            .to_owned();
        values.push(first);
    }
    values
}

/// Where a request goes next: its first Route, else its Request-URI.
pub(crate) fn next_hop(request: &Request) -> Result<SipAddr, ForwardError> {
    let uri: Uri = request.destination();
    SipAddr::try_from(&uri).map_err(|_| ForwardError::Malformed("Route or Request-URI"))
}

/// Sends a message outside any transaction: the ACK of a 2xx, which is
/// end to end and gets no answer, or a repeated 2xx (RFC 3261 §16.7
/// step 10, §17.1.1.3).
pub(crate) async fn send_stateless(
    endpoint: &EndpointInner,
    message: SipMessage,
    to: &SipAddr,
) -> Result<(), ForwardError> {
    let (connection, resolved) = endpoint.transport_layer.lookup(to, None).await?;
    connection.send(message, Some(&resolved)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_via_list_loses_only_its_first_value() {
        let via = rsipstack::sip::Via::new(
            "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa;rport, SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bKb",
        );
        assert_eq!(
            via_values(&via),
            vec![
                "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKa;rport",
                "SIP/2.0/UDP 10.0.0.7:5070;branch=z9hG4bKb"
            ]
        );
    }
}
