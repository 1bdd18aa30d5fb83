//! YAML (and JSON, which YAML 1.2 contains) read into [`Node`] trees that keep the line and
//! column of every node, for inputs whose findings must point at a line: configuration files
//! (`bulwark-config`), the exception file and the license policy (`bulwark-policy`).
//!
//! It does: anchors, aliases and `<<` merge keys, with a node budget against alias bombs.
//! It does not: deserialize into typed structs (callers walk the tree and report unknown keys
//! with their positions), or write YAML.

pub mod node;
mod parse;

pub use node::{Node, Pos, Span, Value};
pub use parse::parse_documents;

/// A text that is not YAML (or exceeds the node budget); the message names the line and column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("parse error: {0}")]
pub struct Error(pub String);
