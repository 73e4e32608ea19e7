//! FIFO groups take turns: groups are served in the order their heads became
//! visible, so a group a receive delivered from comes back behind the groups
//! waiting, while one receive still fills from each group before the next (the
//! cases recorded against AWS, DESIGN.md).

use super::*;

/// Content-based dedup, bodies name their group: `g1-m2` is in `g1`.
fn fifo_cbd(visibility: &str) -> Queue {
    fifo(&[
        ("ContentBasedDeduplication", "true"),
        ("VisibilityTimeout", visibility),
    ])
}

fn send_all(q: &mut Queue, bodies: &[&str], now: Timestamp) {
    for body in bodies {
        let group = body.split('-').next().expect("group prefix");
        let mut req = msg(body, group, "");
        req.dedup_id = None;
        send(q, req, now);
    }
}

fn receive_vis(q: &mut Queue, max: i64, vis: Option<i64>, now: Timestamp) -> Vec<ReceivedMessage> {
    q.receive(
        &ReceiveRequest {
            visibility_timeout: vis,
            ..receive_req(max)
        },
        now,
    )
    .expect("receive accepted")
    .messages
}

#[test]
fn groups_received_from_go_behind_the_waiting_ones() {
    let mut q = fifo_cbd("30");
    send_all(
        &mut q,
        &["g1-m1", "g2-m1", "g2-m2", "g3-m1", "g1-m2"],
        at(0),
    );
    assert_eq!(
        bodies(&receive_vis(&mut q, 3, Some(0), at(1))),
        ["g1-m1", "g1-m2", "g2-m1"]
    );
    assert_eq!(
        bodies(&receive_vis(&mut q, 10, Some(0), at(2))),
        ["g3-m1", "g1-m1", "g1-m2", "g2-m1", "g2-m2"]
    );
}

#[test]
fn a_group_keeps_its_turn_while_it_is_locked() {
    let mut q = fifo_cbd("1");
    send_all(
        &mut q,
        &["g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1", "g3-m1"],
        at(0),
    );
    assert_eq!(
        bodies(&receive_vis(&mut q, 2, None, at(1))),
        ["g1-m1", "g1-m2"]
    );
    assert_eq!(bodies(&receive_vis(&mut q, 1, None, at(2))), ["g2-m1"]);
    assert_eq!(
        bodies(&receive_vis(&mut q, 10, Some(0), at(1_500))),
        ["g3-m1", "g1-m1", "g1-m2", "g1-m3", "g1-m4", "g2-m1"]
    );
}

#[test]
fn a_head_made_visible_again_waits_for_its_groups_turn() {
    for (change_to, receive_at) in [(0, 11), (1, 1_010)] {
        let mut q = fifo_cbd("30");
        send_all(&mut q, &["g1-m1", "g1-m2", "g2-m1"], at(0));
        let got = receive_vis(&mut q, 2, None, at(1));
        assert_eq!(bodies(&got), ["g1-m1", "g1-m2"]);
        q.change_visibility(&got[0].receipt_handle, change_to, at(10))
            .unwrap();
        assert_eq!(
            bodies(&receive_vis(&mut q, 3, None, at(receive_at))),
            ["g2-m1", "g1-m1"],
            "g1-m2 is still in flight (visibility changed to {change_to})"
        );
    }
}

#[test]
fn deleting_a_groups_in_flight_messages_gives_it_its_next_heads_turn() {
    let mut q = fifo_cbd("30");
    send_all(
        &mut q,
        &[
            "g1-m1", "g2-m1", "g1-m2", "g2-m2", "g1-m3", "g1-m4", "g3-m1",
        ],
        at(0),
    );
    let got = receive_vis(&mut q, 2, None, at(1));
    assert_eq!(bodies(&got), ["g1-m1", "g1-m2"]);
    for m in &got {
        q.delete(&m.receipt_handle, at(2)).unwrap();
    }
    assert_eq!(
        bodies(&receive_vis(&mut q, 10, None, at(3))),
        ["g2-m1", "g2-m2", "g1-m3", "g1-m4", "g3-m1"],
        "g1-m3 has been visible since it was sent, before g3-m1"
    );
}

#[test]
fn a_new_group_joins_the_back_and_an_emptied_group_rejoins_there() {
    let mut q = fifo_cbd("30");
    send_all(&mut q, &["a-1", "b-1"], at(0));
    let got = receive_vis(&mut q, 1, None, at(1));
    assert_eq!(bodies(&got), ["a-1"]);
    q.delete(&got[0].receipt_handle, at(2)).unwrap();
    // `a` is empty and forgotten; `c` is new: both queue up behind `b`.
    send_all(&mut q, &["c-1", "a-2"], at(3));
    assert_eq!(
        bodies(&receive_vis(&mut q, 10, Some(0), at(4))),
        ["b-1", "c-1", "a-2"]
    );
}

#[test]
fn an_attempt_id_retry_does_not_turn_the_groups_again() {
    let mut q = fifo_cbd("30");
    send_all(&mut q, &["g1-m1", "g2-m1", "g3-m1"], at(0));
    let req = ReceiveRequest {
        attempt_id: Some("try-1".into()),
        ..receive_req(1)
    };
    assert_eq!(bodies(&q.receive(&req, at(1)).unwrap().messages), ["g1-m1"]);
    assert_eq!(bodies(&q.receive(&req, at(2)).unwrap().messages), ["g1-m1"]);
    assert_eq!(
        bodies(&receive_vis(&mut q, 10, Some(0), at(3))),
        ["g2-m1", "g3-m1"],
        "g1 is locked; the retry left g2 and g3 in their order"
    );
}
