//! Property test: random sequences of customer, agent and clock actions,
//! with crashes and restarts in between, never lose a chat or let two
//! agents hold one.

mod common;

use common::{Center, center};
use moked_live::{
    AgentActivity, ChatStatus, LiveError, NotReadyReason, PresenceRequest, TransferTarget,
};
use moked_store::{InteractionId, UserId};
use proptest::prelude::*;
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Op {
    Open {
        tech: bool,
    },
    Presence {
        agent: usize,
        kind: u8,
    },
    Accept {
        agent: usize,
        chat: usize,
    },
    Reject {
        agent: usize,
        chat: usize,
    },
    Message {
        chat: usize,
    },
    End {
        agent: usize,
        chat: usize,
    },
    CustomerEnd {
        chat: usize,
    },
    WrapUp {
        agent: usize,
        chat: usize,
    },
    Transfer {
        agent: usize,
        chat: usize,
        to: usize,
    },
    Advance {
        seconds: i64,
    },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    let agent = 0..3usize;
    let chat = 0..12usize;
    prop_oneof![
        3 => any::<bool>().prop_map(|tech| Op::Open { tech }),
        2 => (agent.clone(), 0..3u8).prop_map(|(agent, kind)| Op::Presence { agent, kind }),
        3 => (agent.clone(), chat.clone()).prop_map(|(agent, chat)| Op::Accept { agent, chat }),
        1 => (agent.clone(), chat.clone()).prop_map(|(agent, chat)| Op::Reject { agent, chat }),
        1 => chat.clone().prop_map(|chat| Op::Message { chat }),
        2 => (agent.clone(), chat.clone()).prop_map(|(agent, chat)| Op::End { agent, chat }),
        1 => chat.clone().prop_map(|chat| Op::CustomerEnd { chat }),
        2 => (agent.clone(), chat.clone()).prop_map(|(agent, chat)| Op::WrapUp { agent, chat }),
        1 => (agent.clone(), chat, 0..4usize).prop_map(|(agent, chat, to)| Op::Transfer { agent, chat, to }),
        2 => (1..45i64).prop_map(|seconds| Op::Advance { seconds }),
        1 => Just(Op::Restart),
    ]
}

/// Runs one action; refusals are fine, a store failure or a stop is not.
async fn apply(c: &mut Center, chats: &mut Vec<InteractionId>, op: &Op) -> Result<(), String> {
    let agents = [c.dana, c.yossi, c.rina];
    let chat = |i: usize| chats.get(i % chats.len().max(1)).copied();
    let result: Result<(), LiveError> = match *op {
        Op::Open { tech } => {
            let queue = if tech { c.tech } else { c.billing };
            chats.push(c.open(queue, "לקוח בדיקה").await);
            Ok(())
        }
        Op::Presence { agent, kind } => {
            let request = match kind {
                0 => PresenceRequest::Available,
                1 => PresenceRequest::NotReady {
                    reason: NotReadyReason::Training,
                },
                _ => PresenceRequest::Offline,
            };
            c.live.set_presence(c.org, agents[agent], request).await
        }
        Op::Restart => {
            c.restart().await;
            Ok(())
        }
        Op::Advance { seconds } => {
            c.advance(seconds);
            Ok(())
        }
        _ if chats.is_empty() => Ok(()),
        Op::Accept { agent, chat: i } => {
            c.live.accept(c.org, agents[agent], chat(i).unwrap()).await
        }
        Op::Reject { agent, chat: i } => {
            c.live.reject(c.org, agents[agent], chat(i).unwrap()).await
        }
        Op::Message { chat: i } => c
            .live
            .customer_message(
                c.org,
                chat(i).unwrap(),
                "שלום".into(),
                format!("k-{}", chats.len()),
            )
            .await
            .map(|_| ()),
        Op::End { agent, chat: i } => c.live.end(c.org, agents[agent], chat(i).unwrap()).await,
        Op::CustomerEnd { chat: i } => c.live.customer_end(c.org, chat(i).unwrap()).await,
        Op::WrapUp { agent, chat: i } => {
            c.live
                .wrap_up(c.org, agents[agent], chat(i).unwrap(), c.refund)
                .await
        }
        Op::Transfer { agent, chat: i, to } => {
            let target = match to {
                0 => TransferTarget::Queue(c.billing),
                1 => TransferTarget::Queue(c.tech),
                n => TransferTarget::Agent(agents[n - 1]),
            };
            c.live
                .transfer(c.org, agents[agent], chat(i).unwrap(), target)
                .await
        }
    };
    match result {
        Err(LiveError::Store(error)) => Err(format!("{op:?}: store error {error}")),
        Err(LiveError::Stopped) => Err(format!("{op:?}: stopped")),
        _ => Ok(()),
    }
}

/// Every acknowledged chat is accounted for exactly once.
async fn check(c: &Center, chats: &[InteractionId]) -> Result<(), String> {
    let mut holders: HashMap<InteractionId, Vec<(UserId, &'static str)>> = HashMap::new();
    for user in [c.dana, c.yossi, c.rina] {
        let desk = c
            .live
            .agent_desk(c.org, user)
            .await
            .map_err(|e| e.to_string())?;
        for offer in &desk.offers {
            holders.entry(offer.chat).or_default().push((user, "offer"));
        }
        for held in &desk.chats {
            let kind = if held.state == AgentActivity::WrapUp {
                "wrap_up"
            } else {
                "chat"
            };
            holders.entry(held.chat).or_default().push((user, kind));
        }
    }
    let mut queued = 0;
    for &chat in chats {
        let status = c
            .live
            .chat_status(c.org, chat)
            .await
            .map_err(|e| format!("{chat} lost: {e}"))?;
        let held = holders.remove(&chat).unwrap_or_default();
        if held.len() > 1 {
            return Err(format!("{chat} held twice: {held:?}"));
        }
        let kind = held.first().map(|(_, kind)| *kind);
        let consistent = match &status {
            ChatStatus::Queued { .. } => {
                queued += 1;
                kind.is_none()
            }
            ChatStatus::Offered => kind == Some("offer"),
            ChatStatus::Connected { .. } => kind == Some("chat"),
            ChatStatus::Ended { wrapped_up: false } => kind.is_none() || kind == Some("wrap_up"),
            ChatStatus::Ended { wrapped_up: true } => kind.is_none(),
        };
        if !consistent {
            return Err(format!("{chat} is {status:?} but held as {held:?}"));
        }
        let ended = c
            .store
            .interaction(c.org, chat)
            .await
            .map_err(|e| e.to_string())?
            .ended_at;
        if ended.is_some() != matches!(status, ChatStatus::Ended { .. }) {
            return Err(format!(
                "{chat} is {status:?} but its end in the store is {ended:?}"
            ));
        }
    }
    if !holders.is_empty() {
        return Err(format!("desks show unknown chats: {holders:?}"));
    }
    let board = c.live.wallboard(c.org).await.map_err(|e| e.to_string())?;
    let waiting: u32 = board.queues.iter().map(|q| q.waiting).sum();
    if waiting != queued {
        return Err(format!(
            "wallboard says {waiting} waiting, chats say {queued}"
        ));
    }
    Ok(())
}

async fn run(ops: Vec<Op>) -> Result<(), String> {
    let mut c = center().await;
    let mut chats = Vec::new();
    for op in &ops {
        apply(&mut c, &mut chats, op).await?;
        check(&c, &chats)
            .await
            .map_err(|e| format!("after {op:?}: {e}"))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn no_chat_is_lost_or_held_twice(ops in prop::collection::vec(op(), 1..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let outcome = runtime.block_on(run(ops));
        prop_assert!(outcome.is_ok(), "{}", outcome.unwrap_err());
    }
}
