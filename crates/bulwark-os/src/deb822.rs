//! A parser for Debian control-file stanzas (`/var/lib/dpkg/status`, `status.d/*`).
//!
//! Hand-written: dpkg's status format is a simple subset of deb822 and the crates that parse
//! it either pull in heavy dependencies or stop at the first malformed stanza, while a scanner
//! must report a malformed stanza and keep the others.

use std::collections::HashSet;

/// One stanza: its fields in file order and the line it starts on (1-based).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stanza {
    /// `(field name, value)`; continuation lines are joined to the value with `\n`, each with
    /// its leading whitespace removed.
    pub fields: Vec<(String, String)>,
    /// Line number of the stanza's first field.
    pub line: usize,
}

impl Stanza {
    /// The value of a field, compared case-insensitively as dpkg does.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A stanza that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct StanzaError {
    /// Line of the problem (1-based).
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Split `text` into stanzas. A malformed stanza is returned as an error and parsing goes on with
/// the next one.
pub fn parse(text: &str) -> Vec<Result<Stanza, StanzaError>> {
    let mut out = Vec::new();
    let mut current = Stanza::default();
    // Field names seen in the current stanza, lower-cased: a set, so a hostile stanza with
    // millions of fields stays linear.
    let mut seen: HashSet<String> = HashSet::new();
    let mut error: Option<StanzaError> = None;
    let mut flush = |current: &mut Stanza, error: &mut Option<StanzaError>| {
        let st = std::mem::take(current);
        if let Some(e) = error.take() {
            out.push(Err(e));
        } else if !st.fields.is_empty() {
            out.push(Ok(st));
        }
    };
    for (idx, raw) in text.lines().enumerate() {
        let lineno = idx.saturating_add(1);
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            flush(&mut current, &mut error);
            seen.clear();
            continue;
        }
        if error.is_some() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            match current.fields.last_mut() {
                Some((_, v)) => {
                    v.push('\n');
                    v.push_str(line.trim());
                }
                None => {
                    error = Some(StanzaError {
                        line: lineno,
                        message: "continuation line before any field".into(),
                    })
                }
            }
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once(':') else {
            error = Some(StanzaError {
                line: lineno,
                message: format!("not a field: {:?}", truncate(line)),
            });
            continue;
        };
        let name = name.trim();
        if name.is_empty() || name.contains(char::is_whitespace) {
            error = Some(StanzaError {
                line: lineno,
                message: format!("bad field name: {:?}", truncate(line)),
            });
            continue;
        }
        if !seen.insert(name.to_ascii_lowercase()) {
            error = Some(StanzaError {
                line: lineno,
                message: format!("duplicate field {name}"),
            });
            continue;
        }
        if current.fields.is_empty() {
            current.line = lineno;
        }
        current
            .fields
            .push((name.to_string(), value.trim().to_string()));
    }
    flush(&mut current, &mut error);
    out
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stanzas_and_errors() {
        let text = "Package: a\nDescription: x\n more\n\n\nPackage: b\nPackage: c\n\nbroken line\n\nPackage: d\r\n";
        let got = parse(text);
        assert_eq!(got.len(), 4);
        let a = got[0].as_ref().unwrap();
        assert_eq!(a.get("description"), Some("x\nmore"));
        assert_eq!(a.line, 1);
        assert_eq!(got[1].as_ref().unwrap_err().line, 7);
        assert_eq!(got[2].as_ref().unwrap_err().line, 9);
        assert_eq!(got[3].as_ref().unwrap().get("Package"), Some("d"));
    }
}
