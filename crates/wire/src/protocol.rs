//! Protocol detection: AWS JSON 1.0 is marked by `X-Amz-Target: AmazonSQS.<Op>`;
//! everything else with an `Action=` parameter is the Query protocol.

/// The two SQS wire protocols.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `application/x-amz-json-1.0`, operation in `X-Amz-Target`.
    AwsJson10,
    /// Form/query-string parameters with `Action=`, XML responses.
    Query,
}

/// The JSON target prefix, `AmazonSQS.`.
pub const TARGET_PREFIX: &str = "AmazonSQS.";

impl Protocol {
    /// Picks the protocol from the `X-Amz-Target` header value, if any.
    pub fn detect(x_amz_target: Option<&str>) -> Protocol {
        match x_amz_target {
            Some(_) => Protocol::AwsJson10,
            None => Protocol::Query,
        }
    }
}
