//! The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text,
//! read line by line into samples: metric names (also the quoted UTF-8 form
//! `{"name", ...}`), labels with `\\`, `\"` and `\n` escapes, values
//! including `+Inf`/`NaN`, and what may follow a value (a timestamp, an
//! OpenMetrics exemplar after `#`), which this reader does not need. `# TYPE`
//! lines are kept; `# HELP`, `# UNIT` and other comments are skipped;
//! OpenMetrics' `# EOF` ends the exposition.
//!
//! Our own parser rather than a crate's: the regex-based parsers on crates.io
//! stop a label value at the first `}` or `,`, drop the line number a user
//! needs to find a bad line, and do not know exemplars or `# EOF`.

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sample {
    pub(crate) name: String,
    /// In the order written.
    pub(crate) labels: Vec<(String, String)>,
    pub(crate) value: f64,
    /// 1-based.
    pub(crate) line: usize,
}

/// A whole exposition: its samples and the `# TYPE` of each family named.
#[derive(Debug, Default)]
pub(crate) struct Exposition {
    pub(crate) samples: Vec<Sample>,
    pub(crate) types: Vec<(String, String)>,
}

/// A problem at a line.
pub(crate) type LineError = (usize, String);

/// Parses an exposition; the first bad line is an error naming it.
pub(crate) fn parse(text: &str) -> Result<Exposition, LineError> {
    let mut out = Exposition::default();
    let mut ended_at: Option<usize> = None;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end_matches('\r').trim();
        if line.is_empty() {
            continue;
        }
        if let Some(eof_line) = ended_at {
            return Err((
                line_no,
                format!("text after `# EOF` (line {eof_line}) ends the exposition"),
            ));
        }
        if let Some(comment) = line.strip_prefix('#') {
            let mut words = comment.split_whitespace();
            match words.next() {
                Some("EOF") if words.next().is_none() => ended_at = Some(line_no),
                Some("TYPE") => {
                    let (Some(name), Some(kind)) = (words.next(), words.next()) else {
                        return Err((line_no, "`# TYPE` needs a metric name and a type".into()));
                    };
                    out.types
                        .push((unquote_name(name), kind.to_ascii_lowercase()));
                }
                _ => {}
            }
            continue;
        }
        let sample = parse_sample(line).map_err(|problem| (line_no, problem))?;
        out.samples.push(Sample {
            line: line_no,
            ..sample
        });
    }
    Ok(out)
}

fn unquote_name(name: &str) -> String {
    name.strip_prefix('"')
        .and_then(|n| n.strip_suffix('"'))
        .unwrap_or(name)
        .to_string()
}

/// `name{labels} value [timestamp] [# exemplar]`.
fn parse_sample(line: &str) -> Result<Sample, String> {
    let mut cur = Cursor { rest: line };
    let mut name = cur.take_while(is_name_char).to_string();
    let mut labels = Vec::new();
    if cur.eat('{') {
        let mut first = true;
        loop {
            cur.skip_spaces();
            if cur.eat('}') {
                break;
            }
            let key = if cur.peek() == Some('"') {
                cur.quoted()?
            } else {
                let key = cur.take_while(is_name_char);
                if key.is_empty() {
                    return Err(format!("expected a label name at `{}`", cur.rest));
                }
                key.to_string()
            };
            cur.skip_spaces();
            if cur.eat('=') {
                cur.skip_spaces();
                if cur.peek() != Some('"') {
                    return Err(format!("label `{key}`: the value must be in double quotes"));
                }
                let value = cur.quoted()?;
                if labels.iter().any(|(k, _)| *k == key) {
                    return Err(format!("label `{key}` appears twice"));
                }
                labels.push((key, value));
            } else if first && name.is_empty() {
                // The quoted UTF-8 form: `{"my.metric", label="v"}`.
                name = key;
            } else {
                return Err(format!("label `{key}` has no `=\"value\"`"));
            }
            first = false;
            cur.skip_spaces();
            if cur.eat(',') {
                continue;
            }
            if cur.eat('}') {
                break;
            }
            return Err(format!(
                "expected `,` or `}}` after label `{}` at `{}`",
                labels.last().map_or(name.as_str(), |(k, _)| k.as_str()),
                cur.rest
            ));
        }
    }
    if name.is_empty() {
        return Err(format!("expected a metric name at `{line}`"));
    }
    if !cur.rest.starts_with([' ', '\t']) {
        return Err(format!("`{name}`: expected a space and a value"));
    }
    cur.skip_spaces();
    let value_text = cur.take_while(|c| c != ' ' && c != '\t');
    let value = parse_value(value_text)
        .ok_or_else(|| format!("`{name}`: value `{value_text}` is not a number"))?;
    // A timestamp, then an exemplar after ` # `, may follow: neither matters here.
    cur.skip_spaces();
    let after = cur.rest;
    if !after.is_empty() && !after.starts_with('#') {
        let ts = after.split_whitespace().next().unwrap_or("");
        if ts.parse::<f64>().is_err() {
            return Err(format!(
                "`{name}`: `{ts}` after the value is not a timestamp"
            ));
        }
    }
    Ok(Sample {
        name,
        labels,
        value,
        line: 0,
    })
}

/// Go's `strconv.ParseFloat` spellings that Prometheus writes, plus Rust's.
pub(crate) fn parse_value(s: &str) -> Option<f64> {
    match s {
        "+Inf" | "Inf" => Some(f64::INFINITY),
        "-Inf" => Some(f64::NEG_INFINITY),
        "NaN" => Some(f64::NAN),
        _ => s.parse::<f64>().ok(),
    }
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

struct Cursor<'a> {
    rest: &'a str,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    fn eat(&mut self, c: char) -> bool {
        match self.rest.strip_prefix(c) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn skip_spaces(&mut self) {
        self.rest = self.rest.trim_start_matches([' ', '\t']);
    }

    fn take_while(&mut self, keep: impl Fn(char) -> bool) -> &'a str {
        let end = self
            .rest
            .char_indices()
            .find(|(_, c)| !keep(*c))
            .map_or(self.rest.len(), |(i, _)| i);
        let (taken, rest) = self.rest.split_at(end);
        self.rest = rest;
        taken
    }

    /// A double-quoted string with `\\`, `\"` and `\n` escapes.
    fn quoted(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let mut chars = self.rest.char_indices();
        chars.next(); // the opening quote
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.rest = &self.rest[i + 1..];
                    return Ok(out);
                }
                '\\' => match chars.next() {
                    Some((_, '\\')) => out.push('\\'),
                    Some((_, '"')) => out.push('"'),
                    Some((_, 'n')) => out.push('\n'),
                    Some((_, other)) => {
                        return Err(format!("unknown escape `\\{other}` in a quoted string"));
                    }
                    None => break,
                },
                c => out.push(c),
            }
        }
        Err("a quoted string is not closed".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Sample {
        parse_sample(line).unwrap()
    }

    #[test]
    fn reads_names_labels_values_and_ignores_what_follows() {
        let s = one(r#"x_bucket{le="+Inf",job="a \"b\" \\ c\nd"} 17 1700000000000"#);
        assert_eq!(s.name, "x_bucket");
        assert_eq!(
            s.labels,
            [
                ("le".to_string(), "+Inf".to_string()),
                ("job".to_string(), "a \"b\" \\ c\nd".to_string())
            ]
        );
        assert_eq!(s.value, 17.0);
        let s = one(r#"x_bucket{le="0.5",} 3.0 # {trace_id="abc"} 0.43 1.7e9"#);
        assert_eq!((s.labels.len(), s.value), (1, 3.0));
        let s = one(r#"{"my.lag", "q.name"="a,b}", le="1"} 2"#);
        assert_eq!(s.name, "my.lag");
        assert_eq!(s.labels[0], ("q.name".to_string(), "a,b}".to_string()));
        assert_eq!(one("x_sum +Inf").value, f64::INFINITY);
        assert!(one("x_sum NaN").value.is_nan());
        assert_eq!(one("x_count\t4").value, 4.0);
    }

    #[test]
    fn bad_lines_say_what_is_wrong() {
        for (line, says) in [
            (r#"x{le="1} 2"#, "not closed"),
            (r#"x{le=1} 2"#, "double quotes"),
            (r#"x{le="1"} two"#, "not a number"),
            (r#"x{le="1",le="2"} 2"#, "twice"),
            (r#"x{le="\t"} 2"#, "unknown escape"),
            (r#"x{le="1"}2"#, "expected a space"),
            (r#"x{le="1"} 2 soon"#, "not a timestamp"),
            (r#"{le="1"} 2"#, "metric name"),
        ] {
            let err = parse_sample(line).unwrap_err();
            assert!(err.contains(says), "{line}: {err}");
        }
    }

    #[test]
    fn eof_ends_the_exposition_and_types_are_kept() {
        let e = parse("# TYPE x histogram\n# HELP x h\nx_count 1\n# EOF\n").unwrap();
        assert_eq!(e.types, [("x".to_string(), "histogram".to_string())]);
        assert_eq!(e.samples.len(), 1);
        assert_eq!(e.samples[0].line, 3);
        let err = parse("x_count 1\n# EOF\nx_sum 2\n").unwrap_err();
        assert_eq!(err.0, 3);
    }
}
