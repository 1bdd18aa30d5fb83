//! YAML (and JSON, which YAML 1.2 contains) to [`Node`] trees with positions, built from
//! `yaml-rust2`'s event parser: its events carry a marker (line, column) for every scalar and
//! collection start, which is exactly what findings need. Anchors, aliases and `<<` merge keys
//! are resolved here; a node budget stops alias bombs.

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::node::{Node, Pos, Span, Value};
use crate::Error;

/// Most nodes (after alias expansion) one file may produce.
const MAX_NODES: usize = 2_000_000;
/// Deepest nesting accepted (keeps later recursive walks safe).
const MAX_DEPTH: usize = 200;

enum Frame {
    Seq(Span, usize, Vec<Node>),
    Map(Span, usize, Vec<(Node, Node)>, Option<Node>),
}

struct Builder {
    docs: Vec<Node>,
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Node>,
    nodes: usize,
    error: Option<String>,
}

fn pos(m: &Marker) -> Pos {
    Pos {
        line: u32::try_from(m.line()).unwrap_or(u32::MAX),
        col: u32::try_from(m.col()).unwrap_or(u32::MAX).saturating_add(1),
    }
}

fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = s.parse::<i64>() {
        return Value::Int(i);
    }
    if let Some(hex) = s.strip_prefix("0x") {
        if let Ok(i) = i64::from_str_radix(hex, 16) {
            return Value::Int(i);
        }
    }
    if let Some(oct) = s.strip_prefix("0o") {
        if let Ok(i) = i64::from_str_radix(oct, 8) {
            return Value::Int(i);
        }
    }
    let looks_float = s
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && s.chars().any(|c| c.is_ascii_digit());
    if looks_float && s.parse::<f64>().is_ok() {
        return Value::Float(s.to_string());
    }
    Value::Str(s.to_string())
}

impl Builder {
    fn push_value(&mut self, node: Node) {
        match self.stack.last_mut() {
            None => self.docs.push(node),
            Some(Frame::Seq(_, _, items)) => items.push(node),
            Some(Frame::Map(_, _, entries, key)) => match key.take() {
                None => *key = Some(node),
                Some(k) => entries.push((k, node)),
            },
        }
    }

    fn count(&mut self, n: usize) -> bool {
        self.nodes = self.nodes.saturating_add(n);
        if self.nodes > MAX_NODES {
            self.error = Some("document too large (alias expansion limit)".to_string());
            return false;
        }
        true
    }
}

fn node_count(n: &Node) -> usize {
    match &n.value {
        Value::Seq(items) => 1 + items.iter().map(node_count).sum::<usize>(),
        Value::Map(e) => {
            1 + e
                .iter()
                .map(|(k, v)| node_count(k) + node_count(v))
                .sum::<usize>()
        }
        _ => 1,
    }
}

/// Apply `<<` merge keys: entries of the merged mapping(s) that the map does not set itself.
fn merge_keys(entries: Vec<(Node, Node)>) -> Vec<(Node, Node)> {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<")) {
        return entries;
    }
    let mut own = Vec::new();
    let mut merged = Vec::new();
    for (k, v) in entries {
        if k.as_str() == Some("<<") {
            let sources: Vec<Node> = match v.value {
                Value::Seq(items) => items,
                _ => vec![v],
            };
            for s in sources {
                if let Value::Map(e) = s.value {
                    merged.extend(e);
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for (k, v) in merged {
        let key = k.scalar();
        if !own.iter().any(|(ok, _)| ok.scalar() == key) {
            own.push((k, v));
        }
    }
    own
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        let p = pos(&mark);
        match ev {
            Event::Scalar(text, style, anchor, _tag) => {
                if !self.count(1) {
                    return;
                }
                let value = if style == TScalarStyle::Plain {
                    resolve_plain(&text)
                } else {
                    Value::Str(text.clone())
                };
                let end = if style == TScalarStyle::Plain && !text.contains('\n') {
                    Some(Pos {
                        line: p.line,
                        col: p
                            .col
                            .saturating_add(u32::try_from(text.chars().count()).unwrap_or(0)),
                    })
                } else {
                    None
                };
                let node = Node {
                    span: Span { start: p, end },
                    value,
                };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push_value(node);
            }
            Event::Alias(id) => match self.anchors.get(&id).cloned() {
                Some(mut node) => {
                    if !self.count(node_count(&node)) {
                        return;
                    }
                    // Findings on aliased content point at the alias use.
                    node.span.start = p;
                    self.push_value(node);
                }
                None => self.error = Some(format!("unknown alias at line {}", p.line)),
            },
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                if self.stack.len() >= MAX_DEPTH {
                    self.error = Some(format!("nesting deeper than {MAX_DEPTH} levels"));
                    return;
                }
                if !self.count(1) {
                    return;
                }
                let span = Span {
                    start: p,
                    end: None,
                };
                if matches!(ev, Event::SequenceStart(..)) {
                    self.stack.push(Frame::Seq(span, anchor, Vec::new()));
                } else {
                    self.stack.push(Frame::Map(span, anchor, Vec::new(), None));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (mut span, anchor, value) = match self.stack.pop() {
                    Some(Frame::Seq(s, a, items)) => (s, a, Value::Seq(items)),
                    Some(Frame::Map(s, a, entries, _)) => (s, a, Value::Map(merge_keys(entries))),
                    None => return,
                };
                span.end = Some(p);
                // yaml-rust2 marks a block mapping at its first `:`; findings should point at
                // the first key instead, so take whichever comes first.
                let first_key = match &value {
                    Value::Map(e) => e.first().map(|(k, _)| k.span.start),
                    _ => None,
                };
                if let Some(k) = first_key {
                    if k < span.start {
                        span.start = k;
                    }
                }
                let node = Node { span, value };
                if anchor > 0 {
                    self.anchors.insert(anchor, node.clone());
                }
                self.push_value(node);
            }
            Event::Nothing
            | Event::DocumentEnd
            | Event::StreamStart
            | Event::StreamEnd
            | Event::DocumentStart => {}
        }
    }
}

/// Parse every document of a YAML (or JSON) text.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, Error> {
    let mut builder = Builder {
        docs: Vec::new(),
        stack: Vec::new(),
        anchors: std::collections::HashMap::new(),
        nodes: 0,
        error: None,
    };
    let mut parser = Parser::new_from_str(text);
    // Pull events one by one rather than `Parser::load`, which recurses once per nesting level
    // and overflows the stack on a deep block sequence (`- - - ... x`, 20 000 deep) before our
    // MAX_DEPTH check could stop it; this loop is flat and stops at the first error.
    loop {
        let (ev, mark) = parser.next_token().map_err(|e| Error(e.to_string()))?;
        let end = ev == Event::StreamEnd;
        builder.on_event(ev, mark);
        if end || builder.error.is_some() {
            break;
        }
    }
    if let Some(e) = builder.error {
        return Err(Error(e));
    }
    Ok(builder.docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_types() {
        let docs = parse_documents("a: 1\nb:\n  - x\n  - \"y\"\nc: true\n---\nd: ~\n").unwrap();
        assert_eq!(docs.len(), 2);
        let a = docs[0].get("a").unwrap();
        assert_eq!(a.value, Value::Int(1));
        assert_eq!(a.span.start, Pos { line: 1, col: 4 });
        let b1 = &docs[0].get("b").unwrap().items()[1];
        assert_eq!(b1.as_str(), Some("y"));
        assert_eq!(b1.span.start, Pos { line: 4, col: 5 });
        assert_eq!(docs[0].get("c").unwrap().as_bool(), Some(true));
        assert_eq!(docs[1].get("d").unwrap().value, Value::Null);
        let (k, _) = docs[0].entry("c").unwrap();
        assert_eq!(k.span.start, Pos { line: 5, col: 1 });
    }

    #[test]
    fn merge_and_alias() {
        let docs = parse_documents("x: &base\n  a: 1\n  b: 2\ny:\n  <<: *base\n  b: 3\n").unwrap();
        let y = docs[0].get("y").unwrap();
        assert_eq!(y.get("a").unwrap().value, Value::Int(1));
        assert_eq!(y.get("b").unwrap().value, Value::Int(3));
    }

    #[test]
    fn alias_bomb_is_an_error() {
        let mut s = String::from("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='k' {
            s.push_str(&format!(
                "{c}: &{c} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
            prev = c;
        }
        assert!(parse_documents(&s).is_err());
    }

    #[test]
    fn deep_block_nesting_is_an_error_not_a_stack_overflow() {
        let text = format!("{}x\n", "- ".repeat(20_000));
        let e = parse_documents(&text).unwrap_err();
        assert_eq!(e.0, "nesting deeper than 200 levels");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for g in ["a: [", "{", "- a\n b: c: d", "\t- x", "a: *nope"] {
            let _ = parse_documents(g);
        }
        assert!(parse_documents("a: [").is_err());
        assert!(parse_documents("a: *nope").is_err());
    }

    #[test]
    fn json_positions() {
        let docs = parse_documents("{\n  \"icc\": true,\n  \"hosts\": [\"tcp://0.0.0.0:2375\"]\n}")
            .unwrap();
        let h = &docs[0].get("hosts").unwrap().items()[0];
        assert_eq!(h.span.start, Pos { line: 3, col: 13 });
    }
}
