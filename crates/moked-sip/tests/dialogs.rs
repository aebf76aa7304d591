//! Answered calls' dialogs through the real SIP server, played by sipp: a
//! transfer from the agent's desktop that the caller's phone carries out
//! and one it refuses, a call kept across a restart of the server, a
//! phone that never answers the BYE, an answer the caller never
//! acknowledges, and one acknowledged that outlives its transaction.

mod common;

use common::center;
use moked_live::{AgentActivity, LiveError, TransferTarget};
use moked_store::{Interaction, TimelineStep, UserId};

fn accepted_by(call: &Interaction) -> Vec<UserId> {
    call.timeline
        .iter()
        .filter_map(|entry| match entry.step {
            TimelineStep::Accepted { agent } => Some(agent),
            _ => None,
        })
        .collect()
}

fn times_ended(call: &Interaction) -> usize {
    call.timeline
        .iter()
        .filter(|entry| entry.step == TimelineStep::Ended)
        .count()
}

/// The one call of the caller, once it is connected.
/// A caller to billing who hangs up `millis` after the answer.
fn held_caller(c: &common::Center, millis: &str) -> common::Sipp {
    let target = c.target();
    common::sipp(
        "call_held.xml",
        &[
            &target,
            "-s",
            "billing",
            "-d",
            millis,
            "-key",
            "caller_number",
            common::CALLER,
            "-key",
            "caller_name",
            common::CALLER_NAME,
        ],
    )
}

async fn connected_call(c: &common::Center, agent: UserId) -> Interaction {
    c.until_agent(agent, |a| a.state == AgentActivity::Busy)
        .await;
    let calls = c.calls().await;
    assert_eq!(calls.len(), 1);
    calls.into_iter().next().unwrap()
}

#[tokio::test]
async fn a_transferred_call_reaches_the_next_agent_as_the_same_interaction() {
    let c = center(100).await;
    let (dana_phone, dana_port) = c.phone("answer.xml");
    let (yossi_phone, yossi_port) = c.phone("answer.xml");
    c.register("1001", dana_port).await;
    c.register("1002", yossi_port).await;
    c.available(c.dana).await;

    let caller = c.caller("call_transferred.xml", "billing");
    let call = connected_call(&c, c.dana).await;
    // יוסי is free only now, so the first offer went to דנה.
    c.available(c.yossi).await;
    c.live
        .transfer(c.org, c.dana, call.id, TransferTarget::Agent(c.yossi))
        .await
        .expect("the caller's phone accepts the transfer");
    // The phone server hung up דנה's phone; she wraps up the call she handed on.
    dana_phone.passes().await;
    let dana = c.board(c.dana).await;
    assert_eq!(dana.state, AgentActivity::WrapUp, "{dana:?}");
    caller.passes().await;
    yossi_phone.passes().await;

    let calls = c.calls().await;
    assert_eq!(calls.len(), 1, "the transfer is the same interaction");
    let call = &calls[0];
    assert_eq!(accepted_by(call), vec![c.dana, c.yossi]);
    assert!(call.timeline.iter().any(|entry| entry.step
        == TimelineStep::Transferred {
            to_queue: None,
            to_agent: Some(c.yossi),
        }));
    assert_eq!(times_ended(call), 1, "{:?}", call.timeline);
    assert!(call.ended_at.is_some());
    c.until_agent(c.yossi, |a| a.state == AgentActivity::WrapUp)
        .await;
}

#[tokio::test]
async fn a_caller_phone_that_refuses_the_transfer_keeps_the_agent() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer.xml");
    c.register("1001", port).await;
    c.available(c.dana).await;

    let caller = c.caller("call_refuses_transfer.xml", "billing");
    let call = connected_call(&c, c.dana).await;
    let refused = c
        .live
        .transfer(c.org, c.dana, call.id, TransferTarget::Queue(c.billing))
        .await;
    match refused {
        Err(LiveError::Conflict { detail }) => assert!(detail.contains("603"), "{detail}"),
        other => panic!("the desktop must get the refusal: {other:?}"),
    }
    assert_eq!(c.board(c.dana).await.state, AgentActivity::Busy);
    caller.passes().await;
    phone.passes().await;

    let calls = c.calls().await;
    let call = &calls[0];
    assert_eq!(accepted_by(call), vec![c.dana]);
    assert!(
        !call
            .timeline
            .iter()
            .any(|entry| matches!(entry.step, TimelineStep::Transferred { .. }))
    );
    assert_eq!(times_ended(call), 1);
}

#[tokio::test]
async fn a_call_survives_a_restart_of_the_server() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer.xml");
    c.register("1001", port).await;
    c.available(c.dana).await;
    // The caller hangs up 2.5 s after the answer, through the new process.
    let caller = held_caller(&c, "2500");
    let answered = connected_call(&c, c.dana).await;
    // A second caller is still waiting when the server stops.
    let waiting = c.caller("call_abandon.xml", "billing");
    c.until_queue(|q| q.waiting == 1).await;

    let c = c.restart().await;
    drop(waiting);
    // The caller's BYE passes through the new process to the phone.
    caller.passes().await;
    phone.passes().await;

    let calls = c.calls().await;
    assert_eq!(calls.len(), 2);
    let call = calls.iter().find(|call| call.id == answered.id).unwrap();
    assert_eq!(
        times_ended(call),
        1,
        "the caller's BYE through the new process ends the call once: {:?}",
        call.timeline
    );
    let left = calls.iter().find(|call| call.id != answered.id).unwrap();
    assert!(
        left.ended_at.is_some(),
        "the call left waiting by the old process is over"
    );
    assert_eq!(c.queue().await.waiting, 0);
}

#[tokio::test]
async fn a_phone_that_never_answers_the_bye_does_not_keep_the_call() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer_silent.xml");
    c.register("1001", port).await;
    c.available(c.dana).await;

    let caller = c.caller("call_bye_unanswered.xml", "billing");
    phone.passes().await;
    // The call ends at the BYE, whatever the phone does with it.
    c.until_agent(c.dana, |a| a.state == AgentActivity::WrapUp)
        .await;
    // The BYE's transaction times out and the caller hears 408.
    caller.passes().await;
    let calls = c.calls().await;
    assert_eq!(times_ended(&calls[0]), 1);
}

#[tokio::test]
async fn an_answer_the_caller_never_acknowledges_ends_the_call() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer_unacknowledged.xml");
    c.register("1001", port).await;
    c.available(c.dana).await;

    let caller = c.caller("call_never_acknowledges.xml", "billing");
    // Once the answer's transaction is over (32 s), both ends get BYE.
    phone.passes().await;
    caller.passes().await;
    let calls = c.calls().await;
    assert_eq!(accepted_by(&calls[0]), vec![c.dana]);
    assert_eq!(times_ended(&calls[0]), 1, "{:?}", calls[0]);
    c.until_agent(c.dana, |a| a.state != AgentActivity::Busy)
        .await;
}

#[tokio::test]
async fn an_acknowledged_call_outlives_its_answers_transaction() {
    let c = center(100).await;
    let (phone, port) = c.phone("answer.xml");
    c.register("1001", port).await;
    c.available(c.dana).await;
    // Longer than the answer's transaction (32 s): only the BYE ends it.
    let caller = held_caller(&c, "35000");
    caller.passes().await;
    phone.passes().await;

    let calls = c.calls().await;
    assert_eq!(times_ended(&calls[0]), 1);
    let at = |wanted: fn(&TimelineStep) -> bool| {
        calls[0]
            .timeline
            .iter()
            .find(|entry| wanted(&entry.step))
            .map(|entry| entry.at)
            .unwrap()
    };
    let talked = at(|step| *step == TimelineStep::Ended)
        .duration_since(at(|step| matches!(step, TimelineStep::Accepted { .. })));
    assert!(
        talked.as_secs() >= 34,
        "the call ended at the caller's BYE, not before: {talked:?}"
    );
}
