//! Which browser pages and host names the server answers, as configured
//! (`--cors-allow-origin`, `--allow-host`), and the parsers of those values;
//! the checks are the transport's browser guard (`transport/browser.rs`).

/// The browser settings of `fifowin serve`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BrowserConfig {
    /// Origins (`scheme://host[:port]`, lowercase) whose pages may call the server,
    /// with CORS headers (`--cors-allow-origin`).
    pub cors_allow_origins: Vec<String>,
    /// Host names (lowercase, no port) a loopback server answers to besides
    /// localhost, 127.0.0.1 and `[::1]` (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

/// Checks an origin as `--cors-allow-origin` takes it: `http(s)://host[:port]`,
/// nothing after; returns it lowercased, as browsers send it.
pub fn parse_origin(text: &str) -> Result<String, String> {
    let origin = text.trim().trim_end_matches('/').to_ascii_lowercase();
    let rest = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .ok_or_else(|| format!("{text:?} is not an origin like http://localhost:3000"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!(
            "{text:?} is not an origin like http://localhost:3000 (scheme, host and port only)"
        ));
    }
    Ok(origin)
}

/// Checks a host name as `--allow-host` takes it (no scheme, no port); lowercased.
pub fn parse_host(text: &str) -> Result<String, String> {
    let host = text.trim().to_ascii_lowercase();
    let bracketed = host.starts_with('[') && host.ends_with(']');
    if host.is_empty()
        || host.contains(['/', '?', '#', '@', ' '])
        || (!bracketed && host.contains(':'))
    {
        return Err(format!(
            "{text:?} is not a host name like sqs.local (no scheme, no port; IPv6 in brackets)"
        ));
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_hosts_are_checked_when_given() {
        assert_eq!(
            parse_origin("HTTP://Localhost:3000/").as_deref(),
            Ok("http://localhost:3000")
        );
        assert!(parse_origin("localhost:3000").is_err());
        assert!(parse_origin("http://x/app").is_err());
        assert_eq!(parse_host("SQS.local").as_deref(), Ok("sqs.local"));
        assert_eq!(parse_host("[::1]").as_deref(), Ok("[::1]"));
        assert!(parse_host("sqs.local:9324").is_err());
        assert!(parse_host("http://sqs.local").is_err());
    }
}
