//! YAML (and JSON) to position-keeping [`Node`] trees: [`bulwark_yaml`], with its error as this
//! crate's [`Error::Parse`].

use crate::node::Node;
use crate::Error;

/// Parse every document of a YAML (or JSON) text.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, Error> {
    bulwark_yaml::parse_documents(text).map_err(|e| Error::Parse(e.0))
}
