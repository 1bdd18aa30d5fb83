//! Configuration audit: finds security misconfigurations in Dockerfiles, Compose files,
//! Kubernetes manifests, Docker `daemon.json` and image config JSON, with the exact line and
//! column of each finding.
//!
//! Entry point: [`audit`] over paths (files or directories) with [`Options`], returning a
//! [`bulwark_model::Report`] that any `bulwark-report` writer can render. Built-in rules are
//! listed in [`catalogue::RULES`]; custom Rego policies (Conftest conventions) run through
//! [`rego::Policies`]; exceptions come from inline `bulwark:ignore=` comments and a
//! `.bulwarkignore.yaml` file ([`suppress`]).
//!
//! What it does not do: pull or unpack images (image configs are read from JSON files),
//! evaluate Helm charts or Kustomize overlays (render them first), or fix anything.

#![warn(missing_docs)]

pub mod catalogue;
pub mod checks;
pub mod dockerfile;
pub use bulwark_yaml::node;
pub mod rego;
pub mod runtime;
pub mod shell;
pub mod suppress;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use bulwark_model::{Finding, Location, Report, ReportError, Rule, Severity, Tool};

use crate::node::Node;

/// Largest file read (bigger files are reported as errors, not read).
pub const MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// Errors of the configuration audit.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read.
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    /// A file was refused before parsing (not a regular file, too large, not UTF-8).
    #[error(transparent)]
    Input(#[from] bulwark_input::InputError),
    /// Input could not be parsed.
    #[error("parse error: {0}")]
    Parse(String),
    /// A Rego policy could not be loaded or evaluated.
    #[error("policy error: {0}")]
    Policy(String),
}

/// The kinds of file audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// Dockerfile / Containerfile.
    Dockerfile,
    /// Compose file.
    Compose,
    /// Kubernetes manifests.
    Kubernetes,
    /// Docker `daemon.json`.
    Daemon,
    /// Image config JSON.
    ImageConfig,
    /// Amazon ECS task definition (JSON or YAML).
    Ecs,
}

impl Kind {
    /// Lower-case name as used on the command line (`image-config`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Dockerfile => "dockerfile",
            Kind::Compose => "compose",
            Kind::Kubernetes => "kubernetes",
            Kind::Daemon => "daemon",
            Kind::ImageConfig => "image-config",
            Kind::Ecs => "ecs",
        }
    }

    /// Parse a command-line kind name.
    pub fn parse(s: &str) -> Option<Kind> {
        match s.to_ascii_lowercase().as_str() {
            "dockerfile" => Some(Kind::Dockerfile),
            "compose" => Some(Kind::Compose),
            "kubernetes" | "k8s" => Some(Kind::Kubernetes),
            "daemon" => Some(Kind::Daemon),
            "image-config" | "image" => Some(Kind::ImageConfig),
            "ecs" => Some(Kind::Ecs),
            _ => None,
        }
    }
}

/// Audit options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Registries (host, or host/path prefix) images may come from; empty: all trusted.
    pub trusted_registries: Vec<String>,
    /// Directories (or files) of Rego policies.
    pub policy_dirs: Vec<PathBuf>,
    /// Directories (or files) of JSON/YAML data for the policies.
    pub data_dirs: Vec<PathBuf>,
    /// Suppression file; `None` uses `.bulwarkignore.yaml` in the current directory if present.
    pub ignore_file: Option<PathBuf>,
    /// Force (for explicit files) or restrict (for directories) the file kind.
    pub kind: Option<Kind>,
    /// Date used for suppression expiry (default: today, UTC).
    pub today: Option<jiff::civil::Date>,
}

/// The outcome of [`audit`].
#[derive(Debug, Clone)]
pub struct Audit {
    /// The report (all findings, suppressed ones marked).
    pub report: Report,
    /// Warnings for people (expired suppressions and the like).
    pub warnings: Vec<String>,
}

fn file_name_kind(path: &Path) -> Option<Kind> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.starts_with("containerfile.")
        || name.ends_with(".dockerfile")
        || name.ends_with(".containerfile")
    {
        return Some(Kind::Dockerfile);
    }
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    if yaml
        && (name.starts_with("docker-compose")
            || name.starts_with("compose.")
            || name.starts_with("compose-"))
    {
        return Some(Kind::Compose);
    }
    if name == "daemon.json" {
        return Some(Kind::Daemon);
    }
    None
}

/// Guess the kind of a file from its name and (for YAML/JSON) its content.
pub fn detect_kind(path: &Path, text: &str, docs: Option<&[Node]>) -> Option<Kind> {
    if let Some(k) = file_name_kind(path) {
        return Some(k);
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    if matches!(ext.as_str(), "yml" | "yaml" | "json") {
        let docs = docs?;
        if docs.iter().any(checks::k8s::is_k8s) {
            return Some(Kind::Kubernetes);
        }
        if docs.first().is_some_and(checks::ecs::is_ecs) {
            return Some(Kind::Ecs);
        }
        if ext != "json"
            && docs
                .first()
                .is_some_and(|d| d.get("services").is_some_and(Node::is_map))
        {
            return Some(Kind::Compose);
        }
        if ext == "json" && docs.first().is_some_and(checks::daemon::is_image_config) {
            return Some(Kind::ImageConfig);
        }
        return None;
    }
    if ext.is_empty() {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))?;
        let kw = first.split_whitespace().next()?.to_ascii_uppercase();
        if kw == "FROM"
            || kw == "ARG"
                && text
                    .lines()
                    .any(|l| l.trim_start().to_ascii_uppercase().starts_with("FROM "))
        {
            return Some(Kind::Dockerfile);
        }
    }
    None
}

/// Conftest-compatible Rego input for a Dockerfile: an array of instruction objects
/// (`Cmd` lower-case, `Flags`, `Value`, `Original`, `JSON`, `Stage`, `SubCmd`, plus Bulwark's
/// `StartLine`/`EndLine`).
pub fn dockerfile_input(df: &dockerfile::Dockerfile) -> serde_json::Value {
    let items: Vec<serde_json::Value> = df
        .instructions
        .iter()
        .map(|i| {
            let value: Vec<String> = match (&i.json, i.cmd.as_str()) {
                (Some(words), _) => words.clone(),
                (None, "RUN" | "CMD" | "ENTRYPOINT" | "SHELL") => {
                    let mut s = i.rest.clone();
                    for h in &i.heredocs {
                        s.push('\n');
                        s.push_str(&h.body);
                    }
                    vec![s]
                }
                (None, "ENV" | "LABEL") => {
                    dockerfile::key_values(&i.rest, df.escape, i.cmd == "ENV")
                        .into_iter()
                        .flat_map(|(k, v)| [k, v.unwrap_or_default()])
                        .collect()
                }
                (None, _) => dockerfile::split_words(&i.rest, df.escape),
            };
            let flags: Vec<String> = i
                .flags
                .iter()
                .map(|f| match &f.value {
                    Some(v) => format!("--{}={}", f.name, v),
                    None => format!("--{}", f.name),
                })
                .collect();
            let original = i
                .lines
                .first()
                .map(|(_, t)| t.trim().to_string())
                .unwrap_or_default();
            serde_json::json!({
                "Cmd": i.cmd.to_ascii_lowercase(),
                "Flags": flags,
                "Value": value,
                "Original": original,
                "JSON": i.json.is_some(),
                "Stage": i.stage,
                "SubCmd": "",
                "StartLine": i.line,
                "EndLine": i.end_line,
            })
        })
        .collect();
    serde_json::Value::Array(items)
}

/// Everything needed to audit one file.
struct Checked {
    findings: Vec<Finding>,
}

fn rego_findings(
    hits: Vec<rego::RegoHit>,
    file: &str,
    doc: Option<&Node>,
    doc_line: u32,
    rules: &mut BTreeMap<String, Rule>,
) -> Vec<Finding> {
    hits.into_iter()
        .map(|h| {
            let d = &h.details;
            let get_s = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
            let id = get_s("id")
                .or_else(|| get_s("rule_id"))
                .unwrap_or_else(|| format!("rego:{}.{}", h.package, h.rule));
            let default_sev = if h.rule.starts_with("warn") {
                Severity::Medium
            } else {
                Severity::High
            };
            let severity = get_s("severity")
                .and_then(|s| Severity::parse(&s))
                .unwrap_or(default_sev);
            let title =
                get_s("title").unwrap_or_else(|| format!("Custom policy {}.{}", h.package, h.rule));
            let path = get_s("path");
            let node = path.as_deref().and_then(|p| doc.and_then(|n| n.at_path(p)));
            let line = d
                .get("line")
                .or_else(|| d.get("startline"))
                .or_else(|| d.get("StartLine"))
                .and_then(|v| v.as_u64())
                .and_then(|v| u32::try_from(v).ok())
                .filter(|v| *v > 0);
            let (line, col, end) = match (node, line) {
                (_, Some(l)) => (
                    l,
                    d.get("column")
                        .and_then(|v| v.as_u64())
                        .and_then(|v| u32::try_from(v).ok())
                        .unwrap_or(1),
                    None,
                ),
                (Some(n), None) => (n.span.start.line, n.span.start.col, n.span.end),
                (None, None) => (doc_line, 1, None),
            };
            rules.entry(id.clone()).or_insert_with(|| Rule {
                id: id.clone(),
                title: title.clone(),
                severity,
                rationale: format!("Custom Rego policy `{}` rule `{}`.", h.package, h.rule),
                remediation: "See the policy's documentation.".to_string(),
                help_uri: None,
                references: Vec::new(),
            });
            let mut properties = BTreeMap::new();
            properties.insert("source".to_string(), serde_json::json!("rego"));
            properties.insert("rego_package".to_string(), serde_json::json!(h.package));
            properties.insert("rego_rule".to_string(), serde_json::json!(h.rule));
            Finding {
                rule_id: id,
                severity,
                title,
                message: h.msg,
                location: Location {
                    file: file.to_string(),
                    line: Some(line),
                    column: Some(col),
                    end_line: end.map(|e| e.line),
                    end_column: end.map(|e| e.col),
                    logical: path,
                },
                suppression: None,
                properties,
            }
        })
        .collect()
}

fn check_file(
    display: &str,
    text: &str,
    kind: Kind,
    docs: Option<Vec<Node>>,
    opts: &Options,
    policies: Option<&rego::Policies>,
    rules: &mut BTreeMap<String, Rule>,
) -> Result<Checked, Error> {
    let mut ctx = checks::Ctx::new(display, &opts.trusted_registries);
    let mut extra = Vec::new();
    match kind {
        Kind::Dockerfile => {
            // A file BuildKit would refuse is an error in the report, never a silent pass.
            let df = dockerfile::parse_strict(text).map_err(|e| Error::Parse(e.to_string()))?;
            checks::docker::check(&df, &mut ctx);
            if let Some(p) = policies {
                let hits = p.evaluate(&dockerfile_input(&df))?;
                extra.extend(rego_findings(hits, display, None, 1, rules));
            }
        }
        _ => {
            let docs = match docs {
                Some(d) => d,
                None => yaml::parse_documents(text)?,
            };
            for doc in &docs {
                match kind {
                    Kind::Compose => checks::compose::check(doc, &mut ctx),
                    Kind::Kubernetes => checks::k8s::check(doc, &mut ctx),
                    Kind::Daemon => checks::daemon::check_daemon(doc, &mut ctx),
                    Kind::ImageConfig => checks::daemon::check_image_config(doc, &mut ctx),
                    Kind::Ecs => checks::ecs::check(doc, &mut ctx),
                    Kind::Dockerfile => {}
                }
                if let Some(p) = policies {
                    let hits = p.evaluate(&doc.to_json())?;
                    extra.extend(rego_findings(
                        hits,
                        display,
                        Some(doc),
                        doc.span.start.line.max(1),
                        rules,
                    ));
                }
            }
        }
    }
    let mut findings = ctx.findings;
    findings.extend(extra);
    for f in &mut findings {
        f.properties
            .insert("kind".to_string(), serde_json::json!(kind.as_str()));
    }
    Ok(Checked { findings })
}

/// Collect candidate files: explicit files as given, directories recursed (hidden directories,
/// `node_modules` and `vendor` skipped; symlinks not followed).
fn collect(
    path: &Path,
    explicit: bool,
    out: &mut Vec<(PathBuf, bool)>,
    errors: &mut Vec<ReportError>,
    depth: usize,
    charts: &mut Vec<PathBuf>,
) {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) => {
            errors.push(ReportError {
                file: path.display().to_string(),
                message: e.to_string(),
            });
            return;
        }
    };
    if meta.is_file() || (explicit && !meta.is_dir()) {
        out.push((path.to_path_buf(), explicit));
        return;
    }
    if !meta.is_dir() || depth > 64 {
        return;
    }
    // A Helm chart: its templates are not YAML until rendered; the chart is audited as a
    // whole (rendered with its default values) instead of file by file.
    if path.join("Chart.yaml").is_file() {
        charts.push(path.to_path_buf());
        return;
    }
    let rd = match std::fs::read_dir(path) {
        Ok(r) => r,
        Err(e) => {
            errors.push(ReportError {
                file: path.display().to_string(),
                message: e.to_string(),
            });
            return;
        }
    };
    let mut entries: Vec<PathBuf> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let is_dir = std::fs::symlink_metadata(&p)
            .map(|m| m.is_dir())
            .unwrap_or(false);
        if is_dir && (name.starts_with('.') || name == "node_modules" || name == "vendor") {
            continue;
        }
        collect(&p, false, out, errors, depth + 1, charts);
    }
}

/// The outcome of rendering a Helm chart.
enum ChartRender {
    /// `helm template` output.
    Rendered(String),
    /// No `helm` on the PATH.
    NoHelm,
    /// `helm` ran and failed.
    Failed(String),
}

/// Render a chart with its default values (`helm template`), when `helm` is on the PATH.
fn render_chart(chart: &Path) -> ChartRender {
    let out = std::process::Command::new("helm")
        .arg("template")
        .arg("bulwark-audit")
        .arg(chart)
        .stdin(std::process::Stdio::null())
        .output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => ChartRender::NoHelm,
        Err(e) => ChartRender::Failed(e.to_string()),
        Ok(o) if !o.status.success() => {
            ChartRender::Failed(String::from_utf8_lossy(&o.stderr).trim().to_string())
        }
        Ok(o) => ChartRender::Rendered(String::from_utf8_lossy(&o.stdout).into_owned()),
    }
}

/// Audit `paths` (files or directories).
///
/// Fails only when the run as a whole cannot proceed (unreadable suppression file, broken
/// policies); problems with single files are recorded in [`Report::errors`].
pub fn audit(paths: &[PathBuf], opts: &Options) -> Result<Audit, Error> {
    let policies = if opts.policy_dirs.is_empty() {
        None
    } else {
        Some(rego::Policies::load(&opts.policy_dirs, &opts.data_dirs)?)
    };
    let ignore_path = match &opts.ignore_file {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from(".bulwarkignore.yaml")).filter(|p| p.is_file()),
    };
    let ignores = match &ignore_path {
        Some(p) => {
            let text = bulwark_input::read_text(p, bulwark_input::DocKind::IgnoreFile)?;
            suppress::parse_ignore_file(&text)
                .map_err(|e| Error::Parse(format!("{}: {e}", p.display())))?
        }
        None => Vec::new(),
    };
    let mut errors = Vec::new();
    let mut files = Vec::new();
    let mut charts = Vec::new();
    for p in paths {
        collect(p, true, &mut files, &mut errors, 0, &mut charts);
    }
    let mut targets = Vec::new();
    let mut findings = Vec::new();
    let mut rules: BTreeMap<String, Rule> = BTreeMap::new();
    let mut warnings = Vec::new();
    for chart in &charts {
        let display = chart.display().to_string();
        match render_chart(chart) {
            ChartRender::Rendered(text) => {
                let display = format!("{display} (helm template)");
                let checked = yaml::parse_documents(&text).and_then(|docs| {
                    check_file(&display, &text, Kind::Kubernetes, Some(docs), opts, policies.as_ref(), &mut rules)
                });
                match checked {
                    Ok(c) => {
                        targets.push(display);
                        findings.extend(c.findings);
                    }
                    Err(e) => errors.push(ReportError {
                        file: display,
                        message: e.to_string(),
                    }),
                }
            }
            ChartRender::NoHelm => warnings.push(format!(
                "{display}: Helm chart templates skipped: `helm` is not on the PATH (install it, or audit the output of `helm template`)"
            )),
            ChartRender::Failed(message) => errors.push(ReportError {
                file: display,
                message: format!("helm template failed: {message}"),
            }),
        }
    }
    for (path, explicit) in files {
        let display = path.display().to_string();
        let display = display.strip_prefix("./").unwrap_or(&display).to_string();
        // Cheap name-based filter before reading: directories hold many unrelated files.
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        let by_name = file_name_kind(&path);
        let candidate = explicit
            || by_name.is_some()
            || matches!(ext.as_str(), "yml" | "yaml" | "json")
            || ext.is_empty();
        if !candidate {
            continue;
        }
        // Regular files within the size bound only (bulwark-input): `/dev/zero` or a FIFO
        // given on the command line must be refused, not read forever.
        let bytes = match bulwark_input::read(&path, bulwark_input::DocKind::Config) {
            Ok(b) => b,
            Err(e) => {
                errors.push(ReportError {
                    file: display,
                    message: e.reason(),
                });
                continue;
            }
        };
        let text = match bulwark_input::to_text(bytes) {
            Ok(t) => t,
            Err(problem) => {
                if explicit || by_name.is_some() || !ext.is_empty() {
                    errors.push(ReportError {
                        file: display,
                        message: problem.to_string(),
                    });
                }
                continue;
            }
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
        // Decide the kind; YAML/JSON content is parsed once and reused.
        let needs_docs = by_name.is_none() && matches!(ext.as_str(), "yml" | "yaml" | "json");
        let mut docs = None;
        let kind = match (explicit, opts.kind) {
            (true, Some(k)) => Some(k),
            _ => {
                if needs_docs {
                    match yaml::parse_documents(&text) {
                        Ok(d) => docs = Some(d),
                        Err(e) => {
                            // Given or found: a YAML/JSON file that does not parse is an error.
                            errors.push(ReportError {
                                file: display.clone(),
                                message: e.to_string(),
                            });
                            continue;
                        }
                    }
                }
                detect_kind(&path, &text, docs.as_deref())
                    .filter(|k| opts.kind.is_none_or(|want| want == *k))
            }
        };
        let Some(kind) = kind else {
            if explicit {
                errors.push(ReportError {
                    file: display,
                    message: "could not tell what kind of file this is (use --kind)".to_string(),
                });
            }
            continue;
        };
        match check_file(
            &display,
            &text,
            kind,
            docs,
            opts,
            policies.as_ref(),
            &mut rules,
        ) {
            Ok(mut c) => {
                suppress::apply_inline(&mut c.findings, &text);
                targets.push(display);
                findings.extend(c.findings);
            }
            Err(e) => errors.push(ReportError {
                file: display,
                message: e.to_string(),
            }),
        }
    }
    let today = opts.today.unwrap_or_else(suppress::today);
    suppress::apply_file(&mut findings, &ignores, today, &mut warnings);
    findings.sort_by(|a, b| {
        (
            a.location.file.as_str(),
            a.location.line,
            a.location.column,
            a.rule_id.as_str(),
        )
            .cmp(&(
                b.location.file.as_str(),
                b.location.line,
                b.location.column,
                b.rule_id.as_str(),
            ))
    });
    let used: BTreeSet<&str> = findings.iter().map(|f| f.rule_id.as_str()).collect();
    let mut report_rules: Vec<Rule> = catalogue::RULES
        .iter()
        .filter(|r| used.contains(r.id))
        .map(catalogue::to_rule)
        .collect();
    report_rules.extend(rules.into_values().filter(|r| used.contains(r.id.as_str())));
    Ok(Audit {
        report: Report {
            tool: Tool {
                name: "bulwark".to_string(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                information_uri: Some("https://example.invalid/bulwark".to_string()),
            },
            scan_kind: "config".to_string(),
            targets,
            rules: report_rules,
            findings,
            errors,
        },
        warnings,
    })
}
