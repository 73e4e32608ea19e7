//! What a `QueueUrl` value names: the queue's name (its last path segment, so
//! any host, scheme or path layout and a bare name resolve) and, when the URL
//! says, its region: an AWS regional host (`sqs.<region>.amazonaws.com`,
//! `<region>.queue.amazonaws.com`, LocalStack's `sqs.<region>.localhost…`) or
//! LocalStack's path layout `/queue/<region>/<account>/<name>`.

/// A queue as a `QueueUrl` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct QueueAddress<'a> {
    /// The region the URL names, if any; otherwise the request's applies.
    pub region: Option<&'a str>,
    pub name: &'a str,
}

/// Parses a `QueueUrl` value.
pub(crate) fn parse(url: &str) -> QueueAddress<'_> {
    // Byte searches (memchr, short loops): this runs on every request, twice, and
    // the generic `&str`-pattern searchers cost more than the rest of the lookup.
    let bytes = url.as_bytes();
    let (authority, path) = match bytes.windows(3).position(|w| w == b"://") {
        Some(i) => match memchr_from(bytes, i + 3, b'/') {
            Some(j) => (&url[i + 3..j], &url[j..]),
            None => (&url[i + 3..], ""),
        },
        None => ("", url),
    };
    let end = path
        .bytes()
        .position(|b| b == b'?' || b == b'#')
        .unwrap_or(path.len());
    let path = path[..end].trim_end_matches('/');
    let name = path.rfind('/').map_or(path, |i| &path[i + 1..]);
    let region = region_of_host(authority).or_else(|| region_of_path(path));
    QueueAddress { region, name }
}

/// The region an AWS-style SQS host names: `sqs.<region>.<domain>` or
/// `<region>.queue.amazonaws.com` (a port is ignored). Other hosts name none.
pub(crate) fn region_of_host(host: &str) -> Option<&str> {
    let host = host.rsplit('@').next().unwrap_or(host);
    let name = match host.rfind(':') {
        Some(i) if !host.ends_with(']') => &host[..i],
        _ => host,
    };
    let mut labels = name.split('.');
    let (first, second) = (labels.next()?, labels.next()?);
    let region = if first.eq_ignore_ascii_case("sqs") {
        second
    } else if second.eq_ignore_ascii_case("queue") {
        first
    } else {
        return None;
    };
    looks_like_region(region).then_some(region)
}

/// `/queue/<region>/<account>/<name>` (LocalStack's path layout).
fn region_of_path(path: &str) -> Option<&str> {
    let mut segments = path.trim_start_matches('/').split('/');
    if segments.next()? != "queue" {
        return None;
    }
    let region = segments.next()?;
    (segments.count() == 2 && looks_like_region(region)).then_some(region)
}

/// An AWS region name: `us-east-1`, `eu-north-1`, `us-gov-west-1`, `cn-north-1`...
/// Hosts carry many other labels, so only this shape is read as a region there.
fn looks_like_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The index of the first `byte` at or after `from`.
fn memchr_from(bytes: &[u8], from: usize, byte: u8) -> Option<usize> {
    bytes[from..]
        .iter()
        .position(|&b| b == byte)
        .map(|i| from + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(url: &str) -> &str {
        parse(url).name
    }

    fn region(url: &str) -> Option<&str> {
        parse(url).region
    }

    #[test]
    fn queue_names_resolve_from_any_url_shape() {
        assert_eq!(name("http://localhost:9324/000000000000/q1"), "q1");
        assert_eq!(
            name("https://sqs.us-east-1.amazonaws.com/1/q.fifo"),
            "q.fifo"
        );
        assert_eq!(name("http://h:1/queue/us-east-1/000000000000/q"), "q");
        assert_eq!(name("bare-name"), "bare-name");
        assert_eq!(name("http://localhost:9324"), "");
    }

    #[test]
    fn regions_come_from_regional_hosts_and_the_path_layout() {
        assert_eq!(
            region("https://sqs.eu-north-1.amazonaws.com/1/q"),
            Some("eu-north-1")
        );
        assert_eq!(
            region("https://us-west-1.queue.amazonaws.com/1/q"),
            Some("us-west-1")
        );
        assert_eq!(
            region("http://sqs.ap-southeast-2.localhost.localstack.cloud:4566/1/q"),
            Some("ap-southeast-2")
        );
        assert_eq!(
            region("http://localhost:4566/queue/us-gov-west-1/000000000000/q"),
            Some("us-gov-west-1")
        );
        assert_eq!(region("http://localhost:9324/000000000000/q"), None);
        assert_eq!(region("https://queue.amazonaws.com/1/q"), None);
        assert_eq!(region("http://sqs.localhost:9324/1/q"), None);
        assert_eq!(region("http://localhost/queue/q"), None);
        assert_eq!(region("q"), None);
        assert_eq!(
            region_of_host("sqs.eu-west-3.amazonaws.com:443"),
            Some("eu-west-3")
        );
        assert_eq!(region_of_host("[::1]:9324"), None);
    }
}
