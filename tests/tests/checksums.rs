//! MD5OfMessageBody, MD5OfMessageAttributes and MD5OfMessageSystemAttributes
//! against every AWS test vector of sqs-spec.md §5.1, each also checked against an
//! independent computation in the test, on send and on receive (where the MD5
//! covers the returned subset of attributes).

use std::collections::HashMap;

use aws_sdk_sqs::types::{
    MessageAttributeValue, MessageSystemAttributeNameForSends, MessageSystemAttributeValue,
};
use fifowin_e2e::{
    TestServer, binary_attr, md5_hex, md5_of_attributes, string_attr, sys_attr, typed_attr,
};

const TRACE: &str = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";

fn attrs(list: &[(&str, MessageAttributeValue)]) -> HashMap<String, MessageAttributeValue> {
    list.iter()
        .map(|(k, v)| ((*k).to_string(), v.clone()))
        .collect()
}

/// The §5.1 vectors: attributes and the MD5 AWS returned for them.
fn vectors() -> Vec<(HashMap<String, MessageAttributeValue>, &'static str)> {
    vec![
        (
            attrs(&[
                ("Help.Me", string_attr("Me")),
                ("Hello", string_attr("There")),
                ("General", string_attr("Kenobi")),
            ]),
            "4c360f3fdafd970e05fae2f149d997f5",
        ),
        (
            attrs(&[("Hello", string_attr("There"))]),
            "a311262e065454b75da111d535b8dacd",
        ),
        (
            attrs(&[
                ("Hello", string_attr("There")),
                ("Help.Me", string_attr("Me")),
            ]),
            "83fee93c1bcd8b9a5a923ffacdc636c7",
        ),
        (
            attrs(&[("Foo", string_attr("Bar"))]),
            "ae7155c6026991b6d54b11589678bf9c",
        ),
        (
            attrs(&[("timestamp", typed_attr("Number", "1493147359900"))]),
            "235c5c510d26fb653d073faed50ae77c",
        ),
        (
            attrs(&[("MyAttribute", string_attr("foobar"))]),
            "adb59cd4678ea5a855436b949cd07ab6",
        ),
        (
            attrs(&[(
                "attr1",
                binary_attr(
                    b"traceparent\x1e00-774062d6c37081a5a0b9b5b88e30627c-2d2482211f6489da-01",
                ),
            )]),
            "8cbe4db156db8a94db8b801b7addb984",
        ),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn body_md5_matches_the_vector() {
    let server = TestServer::start().await;
    let url = server.standard_queue("body", &[]).await;
    let sent = server.send(&url, "msg").await;
    assert_eq!(
        sent.md5_of_message_body(),
        Some("6e2baaf3b97dbeef01c0043275f9a0e7")
    );
    let body = "ünïcødé \u{1F600}";
    let sent = server.send(&url, body).await;
    assert_eq!(
        sent.md5_of_message_body(),
        Some(md5_hex(body.as_bytes()).as_str())
    );
    let got = server.receive(&url, 10).await;
    assert_eq!(
        got[0].md5_of_body(),
        Some("6e2baaf3b97dbeef01c0043275f9a0e7")
    );
    assert_eq!(
        got[1].md5_of_body(),
        Some(md5_hex(body.as_bytes()).as_str())
    );
    // No attributes sent: no attribute MD5s, neither on send nor on receive.
    assert_eq!(sent.md5_of_message_attributes(), None);
    assert_eq!(sent.md5_of_message_system_attributes(), None);
    assert_eq!(got[0].md5_of_message_attributes(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attribute_md5s_match_every_vector_on_send_and_receive() {
    let server = TestServer::start().await;
    let url = server.standard_queue("vectors", &[]).await;
    for (i, (attributes, expected)) in vectors().into_iter().enumerate() {
        assert_eq!(
            md5_of_attributes(&attributes),
            expected,
            "independent, vector {i}"
        );
        let sent = server
            .sqs
            .send_message()
            .queue_url(&url)
            .message_body(format!("vector {i}"))
            .set_message_attributes(Some(attributes.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(
            sent.md5_of_message_attributes(),
            Some(expected),
            "send, vector {i}"
        );
        // System attributes were not sent, so there is no MD5 of them.
        assert_eq!(sent.md5_of_message_system_attributes(), None);

        let got = server.receive(&url, 1).await;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].body(), Some(format!("vector {i}").as_str()));
        assert_eq!(
            got[0].md5_of_message_attributes(),
            Some(expected),
            "receive, vector {i}"
        );
        assert_eq!(got[0].message_attributes(), Some(&attributes));
        server.delete(&url, got[0].receipt_handle().unwrap()).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn system_attribute_md5_matches_the_trace_header_vector() {
    let server = TestServer::start().await;
    let url = server.standard_queue("system", &[]).await;
    let independent = md5_of_attributes(&attrs(&[("AWSTraceHeader", string_attr(TRACE))]));
    assert_eq!(independent, "5ae4d5d7636402d80f4eb6d213245a88");
    let trace = MessageSystemAttributeValue::builder()
        .data_type("String")
        .string_value(TRACE)
        .build()
        .unwrap();
    let sent = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("traced")
        .message_system_attributes(
            MessageSystemAttributeNameForSends::AwsTraceHeader,
            trace.clone(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.md5_of_message_system_attributes(),
        Some("5ae4d5d7636402d80f4eb6d213245a88")
    );
    // System attributes never affect MD5OfMessageAttributes.
    assert_eq!(sent.md5_of_message_attributes(), None);

    let sent = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("both")
        .message_attributes("Foo", string_attr("Bar"))
        .message_system_attributes(MessageSystemAttributeNameForSends::AwsTraceHeader, trace)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.md5_of_message_attributes(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
    assert_eq!(
        sent.md5_of_message_system_attributes(),
        Some("5ae4d5d7636402d80f4eb6d213245a88")
    );
    let got = server.receive(&url, 10).await;
    assert_eq!(got.len(), 2);
    for m in &got {
        assert_eq!(sys_attr(m, "AWSTraceHeader").as_deref(), Some(TRACE));
    }
    assert_eq!(got[0].md5_of_message_attributes(), None);
    assert_eq!(
        got[1].md5_of_message_attributes(),
        Some("ae7155c6026991b6d54b11589678bf9c")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receive_md5_covers_only_the_returned_attributes() {
    let server = TestServer::start().await;
    let url = server.standard_queue("subset", &[]).await;
    let (all, all_md5) = vectors().remove(0);
    // (filters, names expected back, MD5 expected)
    let cases: [(&[&str], &[&str], Option<&str>); 9] = [
        (&["All"], &["General", "Hello", "Help.Me"], Some(all_md5)),
        (&["*"], &["General", "Hello", "Help.Me"], Some(all_md5)),
        (&[".*"], &["General", "Hello", "Help.Me"], Some(all_md5)),
        (
            &["Hel.*"],
            &["Hello", "Help.Me"],
            Some("83fee93c1bcd8b9a5a923ffacdc636c7"),
        ),
        (
            &["Hello"],
            &["Hello"],
            Some("a311262e065454b75da111d535b8dacd"),
        ),
        (
            &["Hello", "Help.Me"],
            &["Hello", "Help.Me"],
            Some("83fee93c1bcd8b9a5a923ffacdc636c7"),
        ),
        (&["Nope"], &[], None),
        (&["..foo"], &[], None),
        (&[], &[], None),
    ];
    server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("kenobi")
        .set_message_attributes(Some(all.clone()))
        .send()
        .await
        .unwrap();
    for (filters, names, md5) in cases {
        let got = server
            .sqs
            .receive_message()
            .queue_url(&url)
            .set_message_attribute_names(Some(filters.iter().map(|f| f.to_string()).collect()))
            .visibility_timeout(0)
            .send()
            .await
            .unwrap();
        let m = &got.messages()[0];
        let returned = m.message_attributes().cloned().unwrap_or_default();
        let mut returned_names: Vec<&str> = returned.keys().map(String::as_str).collect();
        returned_names.sort_unstable();
        assert_eq!(returned_names, names, "filters {filters:?}");
        assert_eq!(m.md5_of_message_attributes(), md5, "filters {filters:?}");
        if !returned.is_empty() {
            assert_eq!(
                m.md5_of_message_attributes(),
                Some(md5_of_attributes(&returned).as_str())
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_type_labels_are_kept_and_hashed() {
    let server = TestServer::start().await;
    let url = server.standard_queue("labels", &[]).await;
    let attributes = attrs(&[
        ("price", typed_attr("Number.euro", "-12.5e3")),
        ("kind", typed_attr("String.enum", "gold")),
        ("blob", binary_attr(&[0, 1, 2, 255])),
    ]);
    let sent = server
        .sqs
        .send_message()
        .queue_url(&url)
        .message_body("labelled")
        .set_message_attributes(Some(attributes.clone()))
        .send()
        .await
        .unwrap();
    let expected = md5_of_attributes(&attributes);
    assert_eq!(sent.md5_of_message_attributes(), Some(expected.as_str()));
    let got = server.receive(&url, 1).await;
    assert_eq!(got[0].message_attributes(), Some(&attributes));
    assert_eq!(got[0].md5_of_message_attributes(), Some(expected.as_str()));
}
