//! Message move tasks (DLQ redrive) and permissions through aws-sdk-sqs: a task
//! moves messages back to their source or to a destination at most
//! `MaxNumberOfMessagesPerSecond` per second of server time (driven here by the
//! manual clock), reports its status and counts, and can be cancelled; the errors
//! are AWS's. AddPermission/RemovePermission build the policy as AWS does.

use aws_sdk_sqs::types::ListMessageMoveTasksResultEntry;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use fifowin_e2e::{TestServer, assert_sqs_error, error_code, error_message};
use serde_json::{Value, json};

fn arn(name: &str) -> String {
    format!("arn:aws:sqs:us-east-1:000000000000:{name}")
}

/// A source queue redriving into `<name>-dlq` after one receive, with `n`
/// messages already moved into the DLQ. Returns (source url, dlq url).
async fn dead_letters(server: &TestServer, name: &str, n: usize) -> (String, String) {
    let dlq = server.standard_queue(&format!("{name}-dlq"), &[]).await;
    let policy =
        json!({ "deadLetterTargetArn": arn(&format!("{name}-dlq")), "maxReceiveCount": 1 })
            .to_string();
    let source = server
        .standard_queue(name, &[("RedrivePolicy", &policy)])
        .await;
    for i in 0..n {
        server.send(&source, &format!("m{i}")).await;
    }
    // First receives hand the messages out; the next ones move them to the DLQ.
    for _ in 0..2 {
        while !server
            .sqs
            .receive_message()
            .queue_url(&source)
            .max_number_of_messages(10)
            .visibility_timeout(0)
            .send()
            .await
            .unwrap()
            .messages()
            .is_empty()
        {}
    }
    assert_eq!(
        server
            .queue_attribute(&dlq, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some(n.to_string().as_str())
    );
    (source, dlq)
}

async fn latest_task(server: &TestServer, source_arn: &str) -> ListMessageMoveTasksResultEntry {
    let out = server
        .sqs
        .list_message_move_tasks()
        .source_arn(source_arn)
        .send()
        .await
        .unwrap();
    out.results().first().cloned().expect("a task")
}

/// Polls until the latest task satisfies `done` (the runner is asynchronous; how
/// long it takes is not asserted, only what it reaches).
async fn wait_for(
    server: &TestServer,
    source_arn: &str,
    done: impl Fn(&ListMessageMoveTasksResultEntry) -> bool,
) -> ListMessageMoveTasksResultEntry {
    for _ in 0..2000 {
        let task = latest_task(server, source_arn).await;
        if done(&task) {
            return task;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    panic!(
        "task never reached the expected state: {:?}",
        latest_task(server, source_arn).await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_task_honours_its_rate_on_the_server_clock() {
    let server = TestServer::start().await;
    let (source, dlq) = dead_letters(&server, "rated", 5).await;
    let dlq_arn = arn("rated-dlq");
    let started = server
        .sqs
        .start_message_move_task()
        .source_arn(&dlq_arn)
        .max_number_of_messages_per_second(2)
        .send()
        .await
        .unwrap();
    let handle = started.task_handle().unwrap().to_string();
    let task = wait_for(&server, &dlq_arn, |t| {
        t.approximate_number_of_messages_moved() == 2
    })
    .await;
    assert_eq!(task.status(), Some("RUNNING"));
    assert_eq!(task.task_handle(), Some(handle.as_str()));
    assert_eq!(task.approximate_number_of_messages_to_move(), Some(5));
    assert_eq!(task.max_number_of_messages_per_second(), Some(2));
    // The manual clock has not moved: the first second's two are all it may move.
    assert_eq!(
        server
            .queue_attribute(&dlq, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some("3")
    );

    server.advance(1_000).await;
    wait_for(&server, &dlq_arn, |t| {
        t.approximate_number_of_messages_moved() == 4
    })
    .await;
    assert_eq!(
        server
            .queue_attribute(&dlq, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some("1")
    );
    server.advance(1_000).await;
    let task = wait_for(&server, &dlq_arn, |t| t.status() == Some("COMPLETED")).await;
    assert_eq!(task.approximate_number_of_messages_moved(), 5);
    assert_eq!(
        task.task_handle(),
        None,
        "only running tasks show their handle"
    );

    // Back in the source, without the dead-letter mark, receivable again.
    let mut bodies = server.receive_bodies(&source, 10).await;
    bodies.sort();
    assert_eq!(bodies, ["m0", "m1", "m2", "m3", "m4"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_move_task_can_target_a_destination_and_be_cancelled() {
    let server = TestServer::start().await;
    let (_source, dlq) = dead_letters(&server, "cancel", 3).await;
    let elsewhere = server.standard_queue("elsewhere", &[]).await;
    let dlq_arn = arn("cancel-dlq");
    let handle = server
        .sqs
        .start_message_move_task()
        .source_arn(&dlq_arn)
        .destination_arn(arn("elsewhere"))
        .max_number_of_messages_per_second(1)
        .send()
        .await
        .unwrap()
        .task_handle()
        .unwrap()
        .to_string();
    wait_for(&server, &dlq_arn, |t| {
        t.approximate_number_of_messages_moved() == 1
    })
    .await;
    let err = server
        .sqs
        .start_message_move_task()
        .source_arn(&dlq_arn)
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
    );
    let cancelled = server
        .sqs
        .cancel_message_move_task()
        .task_handle(&handle)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.approximate_number_of_messages_moved(), 1);
    wait_for(&server, &dlq_arn, |t| t.status() == Some("CANCELLED")).await;
    server.advance(10_000).await;
    assert_eq!(server.receive_bodies(&elsewhere, 10).await.len(), 1);
    assert_eq!(
        server
            .queue_attribute(&dlq, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some("2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_whose_destination_is_deleted_fails() {
    let server = TestServer::start().await;
    let (_source, dlq) = dead_letters(&server, "doomed", 3).await;
    let target = server.standard_queue("target", &[]).await;
    let dlq_arn = arn("doomed-dlq");
    server
        .sqs
        .start_message_move_task()
        .source_arn(&dlq_arn)
        .destination_arn(arn("target"))
        .max_number_of_messages_per_second(1)
        .send()
        .await
        .unwrap();
    wait_for(&server, &dlq_arn, |t| {
        t.approximate_number_of_messages_moved() == 1
    })
    .await;
    server
        .sqs
        .delete_queue()
        .queue_url(&target)
        .send()
        .await
        .unwrap();
    server.advance(1_000).await;
    let task = wait_for(&server, &dlq_arn, |t| t.status() == Some("FAILED")).await;
    assert_eq!(
        task.failure_reason(),
        Some("AWS.SimpleQueueService.NonExistentQueue")
    );
    assert_eq!(task.approximate_number_of_messages_moved(), 1);
    // The message it could not deliver is back in the DLQ.
    assert_eq!(
        server
            .queue_attribute(&dlq, "ApproximateNumberOfMessages")
            .await
            .as_deref(),
        Some("2")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn move_task_errors_are_aws_errors() {
    let server = TestServer::start().await;
    server.standard_queue("plain", &[]).await;
    let err = server
        .sqs
        .start_message_move_task()
        .source_arn(arn("plain"))
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "InvalidParameterValue",
        "Source queue must be configured as a Dead Letter Queue.",
    );
    let err = server
        .sqs
        .start_message_move_task()
        .source_arn(arn("nope"))
        .send()
        .await
        .unwrap_err();
    assert_sqs_error(
        &err,
        "ResourceNotFoundException",
        "The resource that you specified for the SourceArn parameter doesn't exist.",
    );
    assert!(err.into_service_error().is_resource_not_found_exception());
    dead_letters(&server, "src", 0).await;
    let err = server
        .sqs
        .start_message_move_task()
        .source_arn(arn("src-dlq"))
        .destination_arn(arn("gone"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        "The resource that you specified for the DestinationArn parameter doesn't exist."
    );
    let cancel = |handle: String| async {
        let err = server
            .sqs
            .cancel_message_move_task()
            .task_handle(handle)
            .send()
            .await
            .unwrap_err();
        (error_code(&err), error_message(&err))
    };
    assert_eq!(
        cancel("not base64!".into()).await,
        (
            "InvalidParameterValue".into(),
            "Value for parameter TaskHandle is invalid.".into()
        )
    );
    // A well-formed handle: the source queue is looked up before the task.
    let handle = |source: &str| {
        STANDARD.encode(json!({ "taskId": "nope", "sourceArn": source }).to_string())
    };
    assert_eq!(
        cancel(handle(&arn("src-dlq"))).await,
        (
            "ResourceNotFoundException".into(),
            "Task does not exist.".into()
        )
    );
    assert_eq!(
        cancel(handle(&arn("no-such-queue"))).await,
        (
            "ResourceNotFoundException".into(),
            "The resource that you specified for the SourceArn parameter doesn't exist.".into()
        )
    );
    let raw = server
        .json(
            "CancelMessageMoveTask",
            json!({ "TaskHandle": handle(&arn("no-such-queue")) }),
        )
        .await;
    assert_eq!(raw.status, 404);
    assert_eq!(
        raw.header("x-amzn-query-error"),
        Some("ResourceNotFoundException;Sender")
    );
    // An empty DLQ: the task completes at once, having moved nothing.
    server
        .sqs
        .start_message_move_task()
        .source_arn(arn("src-dlq"))
        .send()
        .await
        .unwrap();
    let task = wait_for(&server, &arn("src-dlq"), |t| {
        t.status() == Some("COMPLETED")
    })
    .await;
    assert_eq!(task.approximate_number_of_messages_moved(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn permissions_build_the_policy_aws_builds() {
    let server = TestServer::start().await;
    let url = server.standard_queue("perm", &[]).await;
    let add = |label: &str, accounts: &[&str], actions: &[&str]| {
        let mut req = server.sqs.add_permission().queue_url(&url).label(label);
        for a in accounts {
            req = req.aws_account_ids(*a);
        }
        for a in actions {
            req = req.actions(*a);
        }
        req.send()
    };
    add("one", &["111111111111"], &["SendMessage"])
        .await
        .unwrap();
    add(
        "two",
        &["222222222222", "333333333333"],
        &["ReceiveMessage", "DeleteMessage"],
    )
    .await
    .unwrap();
    let policy: Value =
        serde_json::from_str(&server.queue_attribute(&url, "Policy").await.unwrap()).unwrap();
    assert_eq!(
        policy,
        json!({
            "Version": "2008-10-17",
            "Id": format!("{}/SQSDefaultPolicy", arn("perm")),
            "Statement": [
                {"Sid": "one", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                 "Action": "SQS:SendMessage", "Resource": arn("perm")},
                {"Sid": "two", "Effect": "Allow",
                 "Principal": {"AWS": ["arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"]},
                 "Action": ["SQS:ReceiveMessage", "SQS:DeleteMessage"], "Resource": arn("perm")}
            ]
        })
    );
    let err = add("one", &["111111111111"], &["SendMessage"])
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        "Value one for parameter Label is invalid. Reason: Already exists."
    );
    let err = add("x", &["111111111111"], &["RemovePermission"])
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        "Value SQS:RemovePermission for parameter ActionName is invalid. Reason: Only the queue owner is allowed to invoke this action."
    );
    let eight = ["SendMessage"; 8];
    let err = add("x", &["111111111111"], &eight).await.unwrap_err();
    assert_eq!(
        (error_code(&err).as_str(), error_message(&err).as_str()),
        ("OverLimit", "8 Actions were found, maximum allowed is 7.")
    );

    server
        .sqs
        .remove_permission()
        .queue_url(&url)
        .label("one")
        .send()
        .await
        .unwrap();
    server
        .sqs
        .remove_permission()
        .queue_url(&url)
        .label("two")
        .send()
        .await
        .unwrap();
    assert_eq!(
        server.queue_attribute(&url, "Policy").await,
        None,
        "the last statement takes the policy with it"
    );
    let err = server
        .sqs
        .remove_permission()
        .queue_url(&url)
        .label("two")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error_message(&err),
        "Value two for parameter Label is invalid. Reason: can't find label."
    );
}
