//! ARNs: building topic and subscription ARNs, and reading the parts of the ones
//! requests carry, with AWS's errors for malformed ones (sns-spec.md §2.3, §2.4, §6).

use crate::error::SnsError;

/// The caller's region and account: where CreateTopic puts a topic and which
/// topics the list operations show.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub region: String,
    pub account: String,
}

impl Scope {
    pub fn new(region: impl Into<String>, account: impl Into<String>) -> Self {
        Self {
            region: region.into(),
            account: account.into(),
        }
    }

    /// `arn:aws:sns:<region>:<account>:<name>`.
    pub fn topic_arn(&self, name: &str) -> String {
        format!("arn:aws:sns:{}:{}:{name}", self.region, self.account)
    }
}

/// The six parts of `arn:<partition>:<service>:<region>:<account>:<resource>`;
/// a subscription ARN has a seventh, its id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
    /// The subscription id (the part after the topic name), if any.
    pub id: Option<&'a str>,
}

/// Splits an ARN; `member` names the parameter in AWS's error
/// ("Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1").
pub fn parse<'a>(arn: &'a str, member: &str) -> Result<Arn<'a>, SnsError> {
    let parts: Vec<&str> = arn.split(':').collect();
    if parts.len() < 6 {
        return Err(SnsError::invalid(format!(
            "{member} Reason: An ARN must have at least 6 elements, not {}",
            parts.len()
        )));
    }
    if parts[0] != "arn" {
        return Err(SnsError::invalid(member));
    }
    Ok(Arn {
        service: parts[2],
        region: parts[3],
        account: parts[4],
        resource: parts[5],
        id: (parts.len() > 6).then(|| &arn[arn.rfind(':').map_or(arn.len(), |i| i + 1)..]),
    })
}

/// The topic ARN a subscription ARN (`<topicArn>:<id>`) belongs to.
pub fn topic_of_subscription(subscription_arn: &str) -> Option<&str> {
    subscription_arn.rsplit_once(':').map(|(topic, _)| topic)
}

/// A queue ARN an `sqs` subscription delivers to: `arn:aws:sqs:<region>:<account>:<name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueArn<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub name: &'a str,
}

impl QueueArn<'_> {
    /// SQS requires FIFO queue names to end in `.fifo`, so the ARN tells the queue type.
    pub fn is_fifo(&self) -> bool {
        self.name.ends_with(".fifo")
    }
}

/// Reads an SQS queue ARN; `None` for anything else (a queue URL, another service).
pub fn queue_arn(arn: &str) -> Option<QueueArn<'_>> {
    let mut parts = arn.split(':');
    let (Some("arn"), Some(_partition), Some("sqs"), Some(region), Some(account), Some(name)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if parts.next().is_some() || region.is_empty() || account.is_empty() || name.is_empty() {
        return None;
    }
    Some(QueueArn {
        region,
        account,
        name,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_arns_are_counted_as_aws_counts_them() {
        let err = parse("randomstring", "SubscriptionArn").unwrap_err();
        assert_eq!(
            err.message,
            "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"
        );
        let err = parse("", "TopicArn").unwrap_err();
        assert_eq!(
            err.message,
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"
        );
        let err = parse("arn:aws:sns:us-east-1:1", "TopicArn").unwrap_err();
        assert!(err.message.ends_with("not 5"), "{}", err.message);
    }

    #[test]
    fn subscription_arns_carry_their_id_and_topic() {
        let arn = "arn:aws:sns:us-east-1:000000000000:t.fifo:5c1e9a70-0d7e";
        let parts = parse(arn, "SubscriptionArn").unwrap();
        assert_eq!(parts.resource, "t.fifo");
        assert_eq!(parts.id, Some("5c1e9a70-0d7e"));
        assert_eq!(
            topic_of_subscription(arn),
            Some("arn:aws:sns:us-east-1:000000000000:t.fifo")
        );
        assert_eq!(parse("arn:aws:sns:r:a:t", "TopicArn").unwrap().id, None);
    }

    #[test]
    fn queue_arns_are_sqs_arns_with_six_parts() {
        let q = queue_arn("arn:aws:sqs:eu-west-1:123456789012:orders.fifo").unwrap();
        assert_eq!(
            (q.region, q.account, q.name),
            ("eu-west-1", "123456789012", "orders.fifo")
        );
        assert!(q.is_fifo());
        assert!(queue_arn("http://localhost:9324/000000000000/q").is_none());
        assert!(queue_arn("arn:aws:sns:us-east-1:0:q").is_none());
        assert!(queue_arn("arn:aws:sqs:us-east-1:0:q:extra").is_none());
    }
}
