//! The SARIF 2.1.0 object model both SARIF writers (configuration audit and scan) fill: the
//! subset of the OASIS schema Bulwark emits, typed, so the envelope (log, run, tool, driver) and
//! the shapes of rules, results, locations and suppressions are written once. Property bags
//! stay open maps, as the standard defines them.
//!
//! Rendered through `serde_json::Value`, whose maps are ordered by key: the output is stable
//! whatever order the fields are declared in.

use std::collections::BTreeMap;
use std::io;

use serde::Serialize;
use serde_json::{Map, Value};

/// The `$schema` of every log Bulwark writes.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A property bag (`properties`).
pub type Properties = Map<String, Value>;

/// A SARIF log: one run per report.
#[derive(Debug, Clone, Serialize)]
pub struct Log {
    /// The schema URI ([`SCHEMA_URI`]).
    #[serde(rename = "$schema")]
    pub schema: &'static str,
    /// Always `2.1.0`.
    pub version: &'static str,
    /// The runs.
    pub runs: Vec<Run>,
}

impl Log {
    /// A log of one run.
    pub fn single(run: Run) -> Self {
        Log {
            schema: SCHEMA_URI,
            version: "2.1.0",
            runs: vec![run],
        }
    }

    /// Pretty-printed JSON, keys in order.
    pub fn to_pretty(&self) -> String {
        serde_json::to_value(self)
            .and_then(|v| serde_json::to_string_pretty(&v))
            .unwrap_or_default()
    }

    /// Write [`Log::to_pretty`] to `out`.
    pub fn write_to(&self, out: &mut dyn io::Write) -> io::Result<()> {
        let value = serde_json::to_value(self).map_err(io::Error::other)?;
        serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)
    }
}

/// One run of one tool.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Run {
    /// The tool.
    pub tool: Tool,
    /// The results, in report order.
    pub results: Vec<SarifResult>,
    /// How columns are counted, when results carry columns.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column_kind: Option<&'static str>,
    /// Facts about the run as a whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Properties>,
}

/// The tool of a run.
#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    /// Its driver.
    pub driver: Driver,
}

/// The tool's driver: name, version and rules.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Driver {
    /// Tool name.
    pub name: String,
    /// Tool version.
    pub version: String,
    /// The version again, when it is a semantic version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic_version: Option<String>,
    /// Project home page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub information_uri: Option<String>,
    /// The rules results refer to by index.
    pub rules: Vec<Rule>,
}

/// A rule (`reportingDescriptor`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// One-line description.
    pub short_description: Message,
    /// Full description.
    pub full_description: Message,
    /// Help text (and Markdown).
    pub help: Help,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help_uri: Option<String>,
    /// Default level.
    pub default_configuration: Configuration,
    /// Tags, severity and the like.
    pub properties: Properties,
}

/// A plain-text message.
#[derive(Debug, Clone, Serialize)]
pub struct Message {
    /// The text.
    pub text: String,
}

impl Message {
    /// A message of `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Message { text: text.into() }
    }
}

/// A rule's help, as text and optionally Markdown.
#[derive(Debug, Clone, Serialize)]
pub struct Help {
    /// Plain text.
    pub text: String,
    /// Markdown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub markdown: Option<String>,
}

/// A rule's default configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Configuration {
    /// `error`, `warning` or `note`.
    pub level: &'static str,
}

/// One result.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SarifResult {
    /// The rule's id.
    pub rule_id: String,
    /// The rule's index in the driver's rules.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule_index: Option<usize>,
    /// `error`, `warning` or `note`.
    pub level: &'static str,
    /// What is wrong.
    pub message: Message,
    /// Where.
    pub locations: Vec<Location>,
    /// Fingerprints dashboards track alerts by across runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partial_fingerprints: Option<BTreeMap<String, String>>,
    /// Why it is suppressed, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressions: Option<Vec<Suppression>>,
    /// Severity and finding details.
    pub properties: Properties,
}

/// A location: a file region and optionally logical names.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    /// The file and region.
    pub physical_location: PhysicalLocation,
    /// Logical names (a Dockerfile instruction, a package URL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logical_locations: Option<Vec<LogicalLocation>>,
}

/// A file and a region in it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PhysicalLocation {
    /// The file.
    pub artifact_location: ArtifactLocation,
    /// The region, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Region>,
}

/// A file by URI.
#[derive(Debug, Clone, Serialize)]
pub struct ArtifactLocation {
    /// Relative, URI-escaped path.
    pub uri: String,
}

/// Lines and columns, 1-based.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Region {
    /// First line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_line: Option<u32>,
    /// First column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_column: Option<u32>,
    /// Last line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    /// Last column.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
}

/// A logical location.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogicalLocation {
    /// Short name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Fully qualified name.
    pub fully_qualified_name: String,
    /// Kind (`package`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// A suppression of a result.
#[derive(Debug, Clone, Serialize)]
pub struct Suppression {
    /// `inSource` or `external`.
    pub kind: &'static str,
    /// `accepted`, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// Why.
    pub justification: String,
    /// Source, owner, expiry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub properties: Option<Properties>,
}

/// The SARIF suppression kind of a Bulwark suppression kind (`inline` comments are in source).
pub fn suppression_kind(kind: &str) -> &'static str {
    if kind == "inline" {
        "inSource"
    } else {
        "external"
    }
}
