//! `application/x-www-form-urlencoded` parsing (POST bodies and GET query strings)
//! into unique `(name, value)` parameters, with every malformed input reported as
//! an [`SqsError`] instead of a panic or a silent guess.

use std::collections::BTreeMap;

use crate::error::{ErrorCode, SqsError};

/// Decoded parameters by name. A `BTreeMap` so list and map members can be found
/// by prefix with a range scan instead of a search of every key.
pub type Params = BTreeMap<String, String>;

/// `MalformedQueryString`: a percent escape that is cut short or not hex.
fn malformed() -> SqsError {
    SqsError::new(
        ErrorCode::MalformedQueryString,
        "The query string contains a syntax error.",
    )
}

/// Percent-decodes one component (`+` is a space) and checks it is UTF-8.
fn decode_component(raw: &[u8]) -> Result<Vec<u8>, SqsError> {
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match raw[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = raw.get(i + 1..i + 3).ok_or_else(malformed)?;
                let text = std::str::from_utf8(hex).map_err(|_| malformed())?;
                out.push(u8::from_str_radix(text, 16).map_err(|_| malformed())?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    Ok(out)
}

fn utf8(bytes: Vec<u8>, name: &str) -> Result<String, SqsError> {
    String::from_utf8(bytes).map_err(|_| {
        SqsError::new(
            ErrorCode::InvalidParameterValue,
            format!("Value for parameter {name} is invalid. Reason: it is not valid UTF-8."),
        )
    })
}

/// Adds the pairs of one urlencoded string to `params`. Empty segments (`a=1&&b=2`)
/// are skipped; a name without `=` has an empty value. A name given twice is an
/// error: AWS documents no precedence, and taking either copy would hide a client bug.
pub fn parse_into(params: &mut Params, input: &[u8]) -> Result<(), SqsError> {
    for pair in input.split(|b| *b == b'&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = match pair.iter().position(|b| *b == b'=') {
            Some(eq) => (&pair[..eq], &pair[eq + 1..]),
            None => (pair, &b""[..]),
        };
        let name = decode_component(raw_name)?;
        let name = utf8(name, &String::from_utf8_lossy(raw_name))?;
        let value = utf8(decode_component(raw_value)?, &name)?;
        if params.contains_key(&name) {
            return Err(SqsError::new(
                ErrorCode::InvalidParameterValue,
                format!(
                    "Value {value} for parameter {name} is invalid. Reason: The parameter was given more than once."
                ),
            ));
        }
        params.insert(name, value);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(input: &str) -> Result<Params, SqsError> {
        let mut params = Params::new();
        parse_into(&mut params, input.as_bytes()).map(|()| params)
    }

    #[test]
    fn decodes_plus_and_percent_escapes() {
        let p = parse("Action=SendMessage&MessageBody=a+b%26c%3D%F0%9F%98%80&&Flag").unwrap();
        assert_eq!(p["MessageBody"], "a b&c=😀");
        assert_eq!(p["Flag"], "");
        assert_eq!(p.len(), 3);
    }

    #[test]
    fn malformed_escapes_are_malformed_query_strings() {
        for input in ["a=%", "a=%4", "a=%ZZ", "a%=1", "a=%%"] {
            let err = parse(input).unwrap_err();
            assert_eq!(err.code, ErrorCode::MalformedQueryString, "{input}");
        }
    }

    #[test]
    fn invalid_utf8_and_repeated_names_are_invalid_parameter_values() {
        let err = parse("MessageBody=%FF%FE").unwrap_err();
        assert_eq!(err.code, ErrorCode::InvalidParameterValue);
        assert_eq!(
            err.message,
            "Value for parameter MessageBody is invalid. Reason: it is not valid UTF-8."
        );
        let err = parse("QueueName=a&QueueName=b").unwrap_err();
        assert_eq!(
            err.message,
            "Value b for parameter QueueName is invalid. Reason: The parameter was given more than once."
        );
    }
}
