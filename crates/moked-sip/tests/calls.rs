//! Calls through the real SIP server, played by sipp: agents' phones
//! register with digest authentication and answer; callers are queued
//! (100, 182), rung through (180, 200) and hang up, abandon, or are turned
//! away; an offer lost in a flood of live events still rings the phone.

mod common;

use common::center;
use moked_live::{AgentActivity, NotReadyReason, OpenCall};
use moked_store::{Interaction, TimelineStep, UserId};
use std::time::Duration;

fn offered_to(call: &Interaction) -> Vec<UserId> {
    call.timeline
        .iter()
        .filter_map(|entry| match entry.step {
            TimelineStep::Offered { agent } => Some(agent),
            _ => None,
        })
        .collect()
}

fn accepted_by(call: &Interaction) -> Option<UserId> {
    call.timeline.iter().find_map(|entry| match entry.step {
        TimelineStep::Accepted { agent } => Some(agent),
        _ => None,
    })
}

fn ended(call: &Interaction) -> bool {
    call.ended_at.is_some()
        && call
            .timeline
            .iter()
            .any(|entry| entry.step == TimelineStep::Ended)
}

#[tokio::test]
async fn a_call_is_answered_and_the_caller_hangs_up() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer.xml");
    assert!(!c.board(c.dana).await.phone);
    c.register("1001", port).await;
    assert!(c.board(c.dana).await.phone, "the wallboard shows the phone");
    c.available(c.dana).await;

    c.caller("call.xml", "billing").passes().await;
    phone.passes().await;

    let calls = c.calls().await;
    assert_eq!(calls.len(), 1);
    let call = &calls[0];
    assert_eq!(call.channel, moked_domain::Channel::Voice);
    assert_eq!(offered_to(call), vec![c.dana]);
    assert_eq!(accepted_by(call), Some(c.dana));
    assert!(ended(call), "the caller's BYE ended the call: {call:?}");
    let dana = c.board(c.dana).await;
    assert_eq!(dana.state, AgentActivity::WrapUp);
    let queue = c.queue().await;
    assert_eq!((queue.offered, queue.answered, queue.abandoned), (1, 1, 0));
}

#[tokio::test]
async fn the_agent_hangs_up() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer_hang_up.xml");
    c.register("1002", port).await;
    c.available(c.yossi).await;

    c.caller("call_agent_hangs_up.xml", "billing")
        .passes()
        .await;
    phone.passes().await;

    let calls = c.calls().await;
    assert_eq!(accepted_by(&calls[0]), Some(c.yossi));
    assert!(ended(&calls[0]), "the agent's BYE ended the call");
    c.until_agent(c.yossi, |a| a.state == AgentActivity::WrapUp)
        .await;
}

#[tokio::test]
async fn a_caller_who_gives_up_is_an_abandoned_call() {
    let c = center(100).await;
    // Available but with no phone registered: never offered the call.
    c.available(c.dana).await;

    c.caller("call_abandon.xml", "billing").passes().await;

    let calls = c.calls().await;
    assert_eq!(calls.len(), 1);
    assert!(offered_to(&calls[0]).is_empty());
    assert!(calls[0].ended_at.is_some());
    let queue = c.until_queue(|q| q.abandoned == 1).await;
    assert_eq!((queue.offered, queue.answered, queue.waiting), (1, 0, 0));
}

#[tokio::test]
async fn a_phone_that_rings_out_passes_the_call_to_the_next_agent() {
    let c = center(100).await;
    let (silent, silent_port) = c.phone("no_answer.xml");
    let (answering, answering_port) = c.phone("answer.xml");
    c.register("1001", silent_port).await;
    c.register("1002", answering_port).await;
    c.available(c.dana).await;

    let caller = c.caller("call.xml", "billing");
    // The queue's 3 s offer timeout CANCELs דנה's phone.
    silent.passes().await;
    let dana = c
        .until_agent(c.dana, |a| a.state == AgentActivity::NotReady)
        .await;
    assert_eq!(dana.reason, Some(NotReadyReason::NoAnswer));
    c.available(c.yossi).await;
    caller.passes().await;
    answering.passes().await;

    let calls = c.calls().await;
    assert_eq!(offered_to(&calls[0]), vec![c.dana, c.yossi]);
    assert_eq!(accepted_by(&calls[0]), Some(c.yossi));
}

/// More waiting callers than the live broadcast keeps events for.
const FLOOD: usize = 4_200;

#[tokio::test]
async fn an_offer_lost_in_a_flood_of_live_events_still_rings_the_phone() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer.xml");
    c.register("1001", port).await;
    let caller = c.caller("call.xml", "billing");
    c.until_queue(|q| q.waiting == 1).await;
    for n in 0..FLOOD {
        let behind = OpenCall {
            queue: c.billing,
            caller: None,
            name: format!("ממתין {n}"),
        };
        c.live.open_call(c.org, behind).await.unwrap();
    }
    // Places go out at most every 2 s per queue: past the last round of
    // the arrivals' (up to 2 s after them) and 2 s more, the offer to דנה
    // and every waiting caller's new place go out in one burst, and the
    // SIP server's subscription falls behind and loses the offer.
    tokio::time::sleep(Duration::from_millis(4_500)).await;
    c.available(c.dana).await;

    caller.passes().await;
    phone.passes().await;
    let calls = c.calls().await;
    assert_eq!(accepted_by(&calls[0]), Some(c.dana));
    assert!(ended(&calls[0]));
}

#[tokio::test]
async fn over_capacity_a_caller_gets_503_and_unknown_addresses_404() {
    let c = center(1).await;
    let (phone, port) = c.phone("answer.xml");
    c.register("1001", port).await;

    let waiting = c.caller("call.xml", "billing");
    c.until_queue(|q| q.waiting == 1).await;
    c.caller("call_busy.xml", "billing").passes().await;
    c.caller("call_unknown.xml", "nobody-here").passes().await;

    c.available(c.dana).await;
    waiting.passes().await;
    phone.passes().await;
    let calls = c.calls().await;
    assert_eq!(calls.len(), 1, "the refused calls never entered the queue");
    assert_eq!(accepted_by(&calls[0]), Some(c.dana));
}

#[tokio::test]
async fn a_wrong_password_registers_nothing() {
    let c = center(100).await;
    let port = common::free_port().to_string();
    common::sipp(
        "register_refused.xml",
        &[
            &c.target(),
            "-s",
            "1001",
            "-au",
            "1001",
            "-ap",
            "סיסמה-שגויה",
            "-key",
            "phone_port",
            &port,
        ],
    )
    .passes()
    .await;
    assert!(!c.board(c.dana).await.phone);
}
