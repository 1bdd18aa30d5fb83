//! Live Docker host audit: the CIS Docker Benchmark v1.6.0 (the version docker-bench-security
//! 1.6.0 implements, numbered the same way), sections 1 to 7, from the Engine API
//! ([`bulwark_engine`]) and the host's files read through a host root.
//!
//! [`audit`] collects a [`Snapshot`] of the engine (info, running containers with inspect and
//! top, images with history, networks, swarm) and evaluates it with [`evaluate`], which is
//! pure and testable on fixtures. Container rules are the ones `bulwark config` applies to
//! Compose files ([`bulwark_config::runtime`]): one rule, one place.
//!
//! Every result carries the CIS id, title, level, automated or manual, an [`Outcome`] (PASS,
//! WARN, INFO, NOTE or SKIP with the reason), evidence (file and mode, daemon.json key and
//! line, container and setting) and the remediation. Checks on host files say SKIP when no
//! host root is available (remote engine) or a file is not readable without root.
//!
//! What it does not do: change anything, walk image layers (setuid files are left to
//! `bulwark inspect`/`scan`), or run `docker exec` in containers (processes come from
//! `/containers/{id}/top`).

#![warn(missing_docs)]

pub mod catalog;
mod checks;
pub mod daemon;
pub mod hostfs;
pub mod snapshot;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

pub use snapshot::Snapshot;

/// The benchmark implemented.
pub const BENCHMARK: &str = "CIS Docker Benchmark v1.6.0";

/// Errors of the host audit.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The Engine API failed.
    #[error(transparent)]
    Engine(#[from] bulwark_engine::Error),
    /// A container named with `--container` does not exist or is not running.
    #[error("no running container `{0}`")]
    NoSuchContainer(String),
}

/// A check result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Outcome {
    /// Meets the recommendation.
    Pass,
    /// Does not.
    Warn,
    /// Facts for a person to judge (manual checks, things that may be intended).
    Info,
    /// Nothing Bulwark can check automatically.
    Note,
    /// Not checked, with the reason.
    Skip,
}

impl Outcome {
    /// Upper-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Pass => "PASS",
            Outcome::Warn => "WARN",
            Outcome::Info => "INFO",
            Outcome::Note => "NOTE",
            Outcome::Skip => "SKIP",
        }
    }
}

/// A container or image a result is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subject {
    /// Name (container name without `/`, or the image's first tag).
    pub name: String,
    /// Full id.
    pub id: String,
}

/// One result of one check (for container and image checks: of one container or image).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// CIS id as docker-bench-security numbers it (`5.11`).
    pub id: String,
    /// Title.
    pub title: String,
    /// CIS level.
    pub level: u8,
    /// Automated (scored) in the benchmark.
    pub automated: bool,
    /// The outcome.
    pub result: Outcome,
    /// Why (for SKIP, INFO and NOTE; a summary for WARN).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What was seen: settings with where they come from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
    /// How to fix a WARN.
    pub remediation: String,
    /// The container, for container checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<Subject>,
    /// The image, for image checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<Subject>,
    /// The `bulwark config` Compose rule that finds the same problem in a file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub config_rule: Option<String>,
}

/// Counts and score.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Results by outcome.
    pub pass: usize,
    /// WARN results.
    pub warn: usize,
    /// INFO results.
    pub info: usize,
    /// NOTE results.
    pub note: usize,
    /// SKIP results.
    pub skip: usize,
    /// docker-bench-security's score: +1 per PASS, -1 per WARN of automated checks.
    pub score: i64,
    /// PASS share of automated PASS+WARN results, in percent (100 when none).
    pub percent: u32,
}

/// The audit's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HostReport {
    /// Benchmark and version.
    pub benchmark: String,
    /// Engine endpoint audited.
    pub endpoint: String,
    /// Host name and engine version as the daemon reports them.
    pub host: String,
    /// Engine version.
    pub engine_version: String,
    /// Host root used for file checks (None: file checks skipped).
    pub host_root: Option<String>,
    /// Every result, in benchmark order.
    pub results: Vec<CheckResult>,
    /// Counts and score.
    pub summary: Summary,
}

/// What to audit.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Where the host's files are (`/`, or a mount of it); None: skip file checks.
    pub host_root: Option<PathBuf>,
    /// Only these sections (1 to 7); empty: all.
    pub sections: Vec<u8>,
    /// Only these checks (`5.4`) or groups (`1.1`); empty: all.
    pub checks: Vec<String>,
    /// Only these containers (name or id prefix) for container checks; empty: all running.
    pub containers: Vec<String>,
    /// Value of `DOCKER_CONTENT_TRUST` for check 4.5 (the caller passes its environment).
    pub content_trust: Option<String>,
}

impl Options {
    /// Whether check `id` is selected.
    pub fn selected(&self, id: &str) -> bool {
        let section_ok = self.sections.is_empty()
            || id
                .split('.')
                .next()
                .and_then(|s| s.parse::<u8>().ok())
                .is_some_and(|s| self.sections.contains(&s));
        let check_ok = self.checks.is_empty()
            || self
                .checks
                .iter()
                .any(|c| id == c || id.starts_with(&format!("{c}.")));
        section_ok && check_ok
    }

    /// Whether any check of section `n` is selected.
    pub fn section(&self, n: u8) -> bool {
        catalog::CHECKS
            .iter()
            .any(|c| c.id.starts_with(&format!("{n}.")) && self.selected(c.id))
    }
}

/// Audit the engine behind `client` and the host files under `opts.host_root`.
pub async fn audit(client: &bulwark_engine::Client, opts: &Options) -> Result<HostReport, Error> {
    let snap = Snapshot::collect(client, opts).await?;
    let fs = opts.host_root.as_ref().map(hostfs::HostFs::new);
    let mut report = evaluate(&snap, fs.as_ref(), opts);
    report.endpoint = client.endpoint().to_string();
    Ok(report)
}

/// Evaluate a snapshot (and the host files, when given) against the benchmark.
pub fn evaluate(snap: &Snapshot, fs: Option<&hostfs::HostFs>, opts: &Options) -> HostReport {
    let results = checks::run(snap, fs, opts);
    let summary = summarise(&results);
    HostReport {
        benchmark: BENCHMARK.to_string(),
        endpoint: String::new(),
        host: snap.info.name.clone(),
        engine_version: snap.info.server_version.clone(),
        host_root: fs.map(|f| f.root().display().to_string()),
        results,
        summary,
    }
}

fn summarise(results: &[CheckResult]) -> Summary {
    let mut s = Summary::default();
    for r in results {
        match r.result {
            Outcome::Pass => s.pass += 1,
            Outcome::Warn => s.warn += 1,
            Outcome::Info => s.info += 1,
            Outcome::Note => s.note += 1,
            Outcome::Skip => s.skip += 1,
        }
        if r.automated {
            match r.result {
                Outcome::Pass => s.score += 1,
                Outcome::Warn => s.score -= 1,
                _ => {}
            }
        }
    }
    let (p, w) = results
        .iter()
        .filter(|r| r.automated)
        .fold((0u64, 0u64), |(p, w), r| match r.result {
            Outcome::Pass => (p + 1, w),
            Outcome::Warn => (p, w + 1),
            _ => (p, w),
        });
    s.percent = (p * 100)
        .checked_div(p + w)
        .and_then(|v| u32::try_from(v).ok())
        .unwrap_or(100);
    s
}

/// Severity of a WARN of check `id`, for the generic report writers.
pub fn severity(id: &str) -> bulwark_report::Severity {
    use bulwark_report::Severity::*;
    match id {
        "5.5" | "5.32" | "2.7" | "3.15" | "3.16" => Critical,
        "5.4" | "5.6" | "5.10" | "5.16" | "5.17" | "5.22" | "5.31" | "2.5" | "2.4" | "3.14"
        | "4.10" | "1.1.2" => High,
        "2.3" | "2.6" | "2.11" | "2.18" | "5.12" | "5.13" | "5.15" | "5.25" | "5.27" | "6.1"
        | "6.2" => Low,
        _ => Medium,
    }
}

/// The WARN results as a generic findings report (rule id `CIS-<id>`), for the table,
/// SARIF and JUnit writers of `bulwark-report`.
pub fn to_report(report: &HostReport, tool_version: &str) -> bulwark_report::Report {
    use std::collections::BTreeMap;
    let mut rules: BTreeMap<String, bulwark_report::Rule> = BTreeMap::new();
    let mut findings = Vec::new();
    let mut targets = vec![report.endpoint.clone()];
    for r in &report.results {
        let where_ = match (&r.container, &r.image) {
            (Some(c), _) => format!("container:{}", c.name),
            (None, Some(i)) => format!("image:{}", i.name),
            _ => format!("host:{}", report.host),
        };
        if !targets.contains(&where_) {
            targets.push(where_.clone());
        }
        if r.result != Outcome::Warn {
            continue;
        }
        let rule_id = format!("CIS-{}", r.id);
        let sev = severity(&r.id);
        rules
            .entry(rule_id.clone())
            .or_insert_with(|| bulwark_report::Rule {
                id: rule_id.clone(),
                title: r.title.clone(),
                severity: sev,
                rationale: format!("{BENCHMARK} {} (level {}).", r.id, r.level),
                remediation: r.remediation.clone(),
                help_uri: None,
                references: vec![format!("{BENCHMARK} {}", r.id)],
            });
        let mut properties = BTreeMap::new();
        properties.insert("cis_id".to_string(), serde_json::json!(r.id));
        if let Some(c) = &r.container {
            properties.insert("container_id".to_string(), serde_json::json!(c.id));
        }
        if let Some(rule) = &r.config_rule {
            properties.insert("config_rule".to_string(), serde_json::json!(rule));
        }
        let message = match (&r.reason, r.evidence.is_empty()) {
            (Some(reason), true) => reason.clone(),
            (Some(reason), false) => format!("{reason}: {}", r.evidence.join("; ")),
            (None, _) => r.evidence.join("; "),
        };
        findings.push(bulwark_report::Finding {
            rule_id,
            severity: sev,
            title: r.title.clone(),
            message,
            location: bulwark_report::Location {
                file: where_,
                logical: Some(r.id.clone()),
                ..Default::default()
            },
            suppression: None,
            properties,
        });
    }
    bulwark_report::Report {
        tool: bulwark_report::Tool {
            name: "bulwark".to_string(),
            version: tool_version.to_string(),
            information_uri: None,
        },
        scan_kind: "host".to_string(),
        targets,
        rules: rules.into_values().collect(),
        findings,
        errors: Vec::new(),
    }
}
