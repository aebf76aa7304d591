//! Wallboard and agent figures, checked exactly on a scripted morning.

mod common;

use common::center;
use moked_live::{AgentActivity, NotReadyReason, PresenceRequest};

#[tokio::test]
async fn the_wallboard_counts_a_scripted_morning_exactly() {
    let c = center().await;
    // t = 0 (10:00 in Jerusalem): Dana logs in, A arrives and rings at her.
    c.available(c.dana).await;
    let a = c.open(c.billing, "אהרון").await;
    c.advance(5);
    c.live.accept(c.org, c.dana, a).await.unwrap(); // answered after 5 s
    let break_ = PresenceRequest::NotReady {
        reason: NotReadyReason::Break,
    };
    c.live.set_presence(c.org, c.dana, break_).await.unwrap();
    let b = c.open(c.billing, "בלהה").await; // t = 5, waits
    c.advance(5);
    let late = c.open(c.billing, "כרמל").await; // t = 10, waits
    c.advance(30);
    c.live.customer_end(c.org, late).await.unwrap(); // t = 40: abandoned after 30 s
    let board = c.live.wallboard(c.org).await.unwrap();
    let billing = &board.queues[0];
    assert_eq!((billing.waiting, billing.longest_wait_s), (1, 35));
    c.advance(10);
    c.available(c.dana).await; // t = 50: B rings at Dana
    c.advance(2);
    c.live.accept(c.org, c.dana, b).await.unwrap(); // answered after 47 s
    c.advance(8);
    let d = c.open(c.billing, "דבורה").await; // t = 60, rings at once
    c.advance(2);
    c.live.customer_end(c.org, d).await.unwrap(); // abandoned after 2 s, while ringing

    let board = c.live.wallboard(c.org).await.unwrap();
    assert_eq!(board.time_zone, "Asia/Jerusalem");
    let billing = board.queues.iter().find(|q| q.queue == c.billing).unwrap();
    assert_eq!(billing.name, "חיובים");
    assert_eq!((billing.waiting, billing.longest_wait_s), (0, 0));
    assert_eq!(
        (billing.offered, billing.answered, billing.abandoned),
        (4, 2, 2)
    );
    // In time: A only; counted: A, B and C (D left within the threshold).
    assert_eq!(billing.service_level, Some(1.0 / 3.0));
    assert_eq!(billing.service_level_30m, Some(1.0 / 3.0));
    assert_eq!(billing.asa_s, Some(26.0));
    // 10:00–10:30 is the 21st interval of the day.
    assert_eq!(billing.intervals.len(), 21);
    let now = billing.intervals.last().unwrap();
    assert_eq!((now.offered, now.answered, now.abandoned), (4, 2, 2));
    assert_eq!(now.start, common::morning());
    assert!(billing.intervals[..20].iter().all(|i| i.offered == 0));
    assert_eq!(board.intervals.last().unwrap().offered, 4);
    let tech = board.queues.iter().find(|q| q.queue == c.tech).unwrap();
    assert_eq!(
        (tech.offered, tech.service_level, tech.asa_s),
        (0, None, None)
    );
    let dana = board.agents.iter().find(|a| a.agent == c.dana).unwrap();
    assert_eq!((dana.state, dana.active_chats), (AgentActivity::Busy, 2));
    let rina = board.agents.iter().find(|a| a.agent == c.rina).unwrap();
    assert_eq!(rina.state, AgentActivity::Offline);

    // t = 100: A ends, t = 110: wrapped up: handled from 5 to 110.
    c.advance(38);
    c.live.end(c.org, c.dana, a).await.unwrap();
    c.advance(10);
    c.live.wrap_up(c.org, c.dana, a, c.refund).await.unwrap();
    let detail = c.live.agent_detail(c.org, c.dana).await.unwrap();
    assert_eq!(detail.handled_today, 1);
    assert_eq!(detail.average_handle_s, Some(105.0));
    assert_eq!(detail.chats.len(), 1);
    assert_eq!(detail.state, AgentActivity::Busy);
    let total: f64 = detail.time_in_state.iter().map(|s| s.seconds).sum();
    assert_eq!(total, 110.0);
    let on_break = detail
        .time_in_state
        .iter()
        .find(|s| s.state == AgentActivity::NotReady)
        .unwrap();
    assert_eq!(on_break.seconds, 45.0);

    // Half an hour later the recent service level has nothing to measure.
    c.advance(31 * 60);
    let board = c.live.wallboard(c.org).await.unwrap();
    let billing = board.queues.iter().find(|q| q.queue == c.billing).unwrap();
    assert_eq!(billing.service_level_30m, None);
    assert_eq!(billing.service_level, Some(1.0 / 3.0));
    // 10:32:50: the 22nd interval has begun.
    assert_eq!(billing.intervals.len(), 22);
}
