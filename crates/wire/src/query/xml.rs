//! The escaping XML writer behind every Query response. Text is escaped as AWS
//! escapes it (`&amp; &lt; &gt; &quot;`, carriage returns as `&#xD;`), and
//! characters XML 1.0 cannot carry at all (control characters other than tab,
//! newline and carriage return; U+FFFE, U+FFFF) become U+FFFD, so the document
//! always parses: AWS itself returns unparseable XML there (sqs-spec.md §1.3).

/// The 2012-11-05 namespace of every Query response.
pub const NAMESPACE: &str = "http://queue.amazonaws.com/doc/2012-11-05/";

/// Appends `text` to `out`, escaped for an XML 1.0 text node.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
}

/// A forward-only writer of one document.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// A document starting with the XML declaration.
    pub fn new() -> Self {
        Self {
            out: String::from("<?xml version=\"1.0\"?>"),
        }
    }

    /// `<name xmlns="http://queue.amazonaws.com/doc/2012-11-05/">`.
    pub fn open_root(&mut self, name: &str) {
        self.open_root_in(name, NAMESPACE);
    }

    /// `<name xmlns="namespace">`.
    pub fn open_root_in(&mut self, name: &str, namespace: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str(" xmlns=\"");
        self.out.push_str(namespace);
        self.out.push_str("\">");
    }

    /// `<name>`.
    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `</name>`.
    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name/>`.
    pub fn empty(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push_str("/>");
    }

    /// `<name>text</name>`, text escaped.
    pub fn leaf(&mut self, name: &str, text: &str) {
        self.open(name);
        escape_into(&mut self.out, text);
        self.close(name);
    }

    /// A leaf only when there is a value.
    pub fn opt(&mut self, name: &str, text: Option<&str>) {
        if let Some(text) = text {
            self.leaf(name, text);
        }
    }

    /// `<name>` ... `</name>` around what `body` writes, or `<name/>` when it writes nothing.
    pub fn element(&mut self, name: &str, body: impl FnOnce(&mut Writer)) {
        let start = self.out.len();
        self.open(name);
        let inner = self.out.len();
        body(self);
        if self.out.len() == inner {
            self.out.truncate(start);
            self.empty(name);
        } else {
            self.close(name);
        }
    }

    /// The finished document.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_carriage_returns() {
        let mut out = String::new();
        escape_into(&mut out, "a<b>&\"c\"\r\n\t'");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&quot;&#xD;\n\t'");
    }

    #[test]
    fn replaces_characters_xml_cannot_carry() {
        let mut out = String::new();
        escape_into(&mut out, "a\u{0}b\u{7}c\u{1b}d\u{FFFF}e\u{10000}");
        assert_eq!(out, "a\u{FFFD}b\u{FFFD}c\u{FFFD}d\u{FFFD}e\u{10000}");
    }

    #[test]
    fn empty_elements_self_close() {
        let mut w = Writer::new();
        w.element("A", |w| w.element("B", |_| {}));
        assert_eq!(
            String::from_utf8(w.finish()).unwrap(),
            "<?xml version=\"1.0\"?><A><B/></A>"
        );
    }
}
