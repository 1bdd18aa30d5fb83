//! CycloneDX 1.6 JSON (<https://cyclonedx.org/docs/1.6/json/>): the writer, and the reader for
//! CycloneDX JSON 1.2 to 1.6 written by any tool.
//!
//! Bulwark's own facts travel as component properties in the `bulwark:` namespace:
//! `bulwark:found-in`, `bulwark:layer`, `bulwark:layer-digest`, `bulwark:origin` (`base`/`own`),
//! `bulwark:source-package` (`name` or `name@version`), `bulwark:cpe` (CPEs after the first);
//! the image's layers and base image are `bulwark:layer:<i>:*` and `bulwark:base-image:*`
//! properties of `metadata`. The reader turns them back into the inventory, and understands
//! Syft's `syft:location:0:path`, `syft:metadata:source*` and `syft:distro:*` properties too.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bulwark_catalog::{LayerInfo, Package, PackageKind};
use bulwark_model::scan::{BaseImageRef, Cvss, ScanReport, VulnFinding};
use bulwark_model::Severity;
use serde_json::{json, Map, Value};

use crate::util::{oci_purl, uuid_from, Draft};
use crate::{licenses, SbomError};

const IMAGE_REF: &str = "bulwark:image";

/// Sources that are image formats (their SBOM subject is a container).
fn is_image_source(source: &str) -> bool {
    matches!(
        source,
        "docker-archive" | "oci" | "docker" | "registry" | "oci-archive"
    )
}

/// Unique bom-refs, one per package: the purl, or a Bulwark id without one; repeats get `#2`,
/// `#3`...
pub(crate) fn bom_refs(packages: &[Package]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    packages
        .iter()
        .map(|p| {
            let base = if p.purl.is_empty() {
                format!(
                    "bulwark:pkg:{}/{}@{}",
                    crate::util::kind_name(p.kind),
                    p.name,
                    p.version
                )
            } else {
                p.purl.clone()
            };
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base}#{n}")
            }
        })
        .collect()
}

fn prop(name: &str, value: impl Into<String>) -> Value {
    json!({ "name": name, "value": value.into() })
}

fn os_ref(report: &ScanReport) -> Option<String> {
    let d = report.target.distro.as_ref()?;
    Some(format!(
        "os:{}@{}",
        d.id,
        d.version_id
            .clone()
            .or_else(|| d.codename.clone())
            .unwrap_or_default()
    ))
}

/// Write `report` as a CycloneDX 1.6 JSON BOM: the image as `metadata.component`, one
/// component per package plus the operating system, the dependency graph, and (with
/// `with_vulnerabilities`) the findings with their ratings, affected components and, for
/// suppressed findings, the analysis.
pub fn write(report: &ScanReport, with_vulnerabilities: bool) -> String {
    let refs = bom_refs(&report.packages);
    let t = &report.target;

    // metadata
    let mut image = Map::new();
    image.insert("bom-ref".into(), json!(IMAGE_REF));
    image.insert(
        "type".into(),
        json!(if is_image_source(&t.source) {
            "container"
        } else {
            "file"
        }),
    );
    image.insert(
        "name".into(),
        json!(t.names.first().cloned().unwrap_or_else(|| t.name.clone())),
    );
    if let Some(v) = t.image_id.as_ref().or(t.manifest_digest.as_ref()) {
        image.insert("version".into(), json!(v));
    }
    if let Some(p) = oci_purl(
        &t.names,
        t.manifest_digest.as_deref().or(t.image_id.as_deref()),
    ) {
        image.insert("purl".into(), json!(p));
    }
    let mut meta_props = vec![
        prop("bulwark:target", t.name.clone()),
        prop("bulwark:target-source", t.source.clone()),
    ];
    for n in t.names.iter().skip(1) {
        meta_props.push(prop("bulwark:image-name", n.clone()));
    }
    if let Some(m) = &t.manifest_digest {
        meta_props.push(prop("bulwark:manifest-digest", m.clone()));
    }
    for l in &t.layers {
        let i = l.index;
        if let Some(d) = &l.digest {
            meta_props.push(prop(&format!("bulwark:layer:{i}:digest"), d.clone()));
        }
        if let Some(d) = &l.diff_id {
            meta_props.push(prop(&format!("bulwark:layer:{i}:diff-id"), d.clone()));
        }
        if let Some(c) = &l.created_by {
            meta_props.push(prop(&format!("bulwark:layer:{i}:created-by"), c.clone()));
        }
        meta_props.push(prop(
            &format!("bulwark:layer:{i}:base"),
            if l.is_base { "true" } else { "false" },
        ));
    }
    if let Some(b) = &t.base_image {
        if let Some(n) = &b.name {
            meta_props.push(prop("bulwark:base-image:name", n.clone()));
        }
        if let Some(d) = &b.digest {
            meta_props.push(prop("bulwark:base-image:digest", d.clone()));
        }
        if let Some(l) = b.layers {
            meta_props.push(prop("bulwark:base-image:layers", l.to_string()));
        }
        meta_props.push(prop("bulwark:base-image:evidence", b.evidence.clone()));
    }
    let metadata = json!({
        "timestamp": report.created_at,
        "tools": { "components": [{
            "type": "application",
            "name": report.tool.name,
            "version": report.tool.version,
        }]},
        "component": Value::Object(image),
        "properties": meta_props,
    });

    // components
    let mut components: Vec<Value> = report
        .packages
        .iter()
        .zip(&refs)
        .map(|(p, r)| component(report, p, r))
        .collect();
    if let (Some(d), Some(r)) = (&t.distro, os_ref(report)) {
        let mut c = Map::new();
        c.insert("bom-ref".into(), json!(r));
        c.insert("type".into(), json!("operating-system"));
        c.insert("name".into(), json!(d.id));
        if let Some(v) = &d.version_id {
            c.insert("version".into(), json!(v));
        }
        if let Some(p) = &d.pretty_name {
            c.insert("description".into(), json!(p));
        }
        let mut props = vec![prop("bulwark:distro:family", d.family.clone())];
        if let Some(c) = &d.codename {
            props.push(prop("bulwark:distro:codename", c.clone()));
        }
        if let Some(r) = &d.release {
            props.push(prop("bulwark:distro:release", r.clone()));
        }
        if !d.id_like.is_empty() {
            props.push(prop("bulwark:distro:id-like", d.id_like.join(" ")));
        }
        if let Some(e) = &d.eol {
            props.push(prop("bulwark:distro:eol", e.clone()));
        }
        props.push(prop("bulwark:found-in", d.found_in.clone()));
        c.insert("properties".into(), Value::Array(props));
        components.push(Value::Object(c));
    }

    // dependencies
    let mut by_id: HashMap<String, &str> = HashMap::new();
    for (p, r) in report.packages.iter().zip(&refs) {
        by_id.entry(p.id()).or_insert(r);
    }
    let mut dependencies = Vec::new();
    for (p, r) in report.packages.iter().zip(&refs) {
        let deps: BTreeSet<&str> = p
            .depends_on
            .iter()
            .filter_map(|id| by_id.get(id).copied())
            .filter(|d| *d != r.as_str())
            .collect();
        if !deps.is_empty() {
            dependencies.push(json!({ "ref": r, "dependsOn": deps }));
        }
    }

    let mut bom = Map::new();
    bom.insert(
        "$schema".into(),
        json!("http://cyclonedx.org/schema/bom-1.6.schema.json"),
    );
    bom.insert("bomFormat".into(), json!("CycloneDX"));
    bom.insert("specVersion".into(), json!("1.6"));
    bom.insert("serialNumber".into(), json!("")); // filled below
    bom.insert("version".into(), json!(1));
    bom.insert("metadata".into(), metadata);
    bom.insert("components".into(), Value::Array(components));
    if !dependencies.is_empty() {
        bom.insert("dependencies".into(), Value::Array(dependencies));
    }
    if with_vulnerabilities && !report.vulnerabilities.is_empty() {
        let vulns: Vec<Value> = report
            .vulnerabilities
            .iter()
            .map(|v| vulnerability(report, v, &refs))
            .collect();
        bom.insert("vulnerabilities".into(), Value::Array(vulns));
    }
    // The serial number hashes the target, the time and the content, so the same report always
    // gives the same document and different content never shares a serial.
    let body = serde_json::to_string(&bom).unwrap_or_default();
    let serial = format!(
        "urn:uuid:{}",
        uuid_from(&[&t.name, &report.created_at, &body])
    );
    bom.insert("serialNumber".into(), json!(serial));
    let mut out = serde_json::to_string_pretty(&Value::Object(bom)).unwrap_or_default();
    out.push('\n');
    out
}

fn component(report: &ScanReport, p: &Package, bom_ref: &str) -> Value {
    let mut c = Map::new();
    c.insert("bom-ref".into(), json!(bom_ref));
    c.insert(
        "type".into(),
        json!(if p.kind == PackageKind::Binary {
            "application"
        } else {
            "library"
        }),
    );
    // Maven and scoped npm names split into CycloneDX's group and name, as other tools write
    // them.
    let (group, name) = match p.kind {
        PackageKind::Maven => match p.name.split_once(':') {
            Some((g, a)) => (Some(g), a),
            None => (None, p.name.as_str()),
        },
        PackageKind::Npm if p.name.starts_with('@') => match p.name.split_once('/') {
            Some((g, a)) => (Some(g), a),
            None => (None, p.name.as_str()),
        },
        _ => (None, p.name.as_str()),
    };
    if let Some(g) = group {
        c.insert("group".into(), json!(g));
    }
    c.insert("name".into(), json!(name));
    if !p.version.is_empty() {
        c.insert("version".into(), json!(p.version));
    }
    if let Some(l) = licenses::cyclonedx(&p.licenses) {
        c.insert("licenses".into(), l);
    }
    if let Some(cpe) = p.cpes.first() {
        c.insert("cpe".into(), json!(cpe));
    }
    if !p.purl.is_empty() {
        c.insert("purl".into(), json!(p.purl));
    }
    let mut props = Vec::new();
    if !p.found_in.is_empty() {
        props.push(prop("bulwark:found-in", p.found_in.clone()));
    }
    if let Some(i) = p.layer {
        props.push(prop("bulwark:layer", i.to_string()));
        if let Some(l) = report.target.layers.get(i) {
            if let Some(d) = l.digest.as_ref().or(l.diff_id.as_ref()) {
                props.push(prop("bulwark:layer-digest", d.clone()));
            }
            if report.target.base_image.is_some() {
                props.push(prop(
                    "bulwark:origin",
                    if l.is_base { "base" } else { "own" },
                ));
            }
        }
    }
    if let Some(s) = &p.source {
        let text = match &s.version {
            Some(v) => format!("{}@{}", s.name, v),
            None => s.name.clone(),
        };
        props.push(prop("bulwark:source-package", text));
    }
    for cpe in p.cpes.iter().skip(1) {
        props.push(prop("bulwark:cpe", cpe.clone()));
    }
    if p.dev {
        props.push(prop("bulwark:dev", "true"));
    }
    if !props.is_empty() {
        c.insert("properties".into(), Value::Array(props));
    }
    Value::Object(c)
}

/// The CycloneDX name of a severity.
fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "critical",
        Severity::High => "high",
        Severity::Medium => "medium",
        Severity::Low => "low",
        Severity::Unknown => "unknown",
    }
}

/// Qualitative severity of a CVSS base score (v3/v4 bands; v2 has no critical).
fn score_severity(version: &str, score: f64) -> &'static str {
    if version.starts_with('2') {
        return match score {
            s if s < 4.0 => "low",
            s if s < 7.0 => "medium",
            _ => "high",
        };
    }
    match score {
        s if s <= 0.0 => "none",
        s if s < 4.0 => "low",
        s if s < 7.0 => "medium",
        s if s < 9.0 => "high",
        _ => "critical",
    }
}

fn rating(c: &Cvss) -> Value {
    let method = match c.version.as_str() {
        "2.0" | "2" => "CVSSv2",
        "3.0" | "3" => "CVSSv3",
        "3.1" => "CVSSv31",
        "4.0" | "4" => "CVSSv4",
        _ => "other",
    };
    let mut r = Map::new();
    r.insert("source".into(), json!({ "name": c.source }));
    if let Some(s) = c.score {
        r.insert("score".into(), json!(s));
        r.insert("severity".into(), json!(score_severity(&c.version, s)));
    }
    r.insert("method".into(), json!(method));
    r.insert("vector".into(), json!(c.vector));
    Value::Object(r)
}

/// The database an advisory id belongs to, from its prefix.
fn id_source(id: &str, fallback: Option<&str>) -> Value {
    let (name, url) = if id.starts_with("CVE-") {
        (
            "NVD",
            Some(format!("https://nvd.nist.gov/vuln/detail/{id}")),
        )
    } else if id.starts_with("GHSA-") {
        (
            "GitHub",
            Some(format!("https://github.com/advisories/{id}")),
        )
    } else if id.starts_with("RUSTSEC-") {
        (
            "RustSec",
            Some(format!("https://rustsec.org/advisories/{id}.html")),
        )
    } else if id.starts_with("GO-") {
        ("Go", Some(format!("https://pkg.go.dev/vuln/{id}")))
    } else if id.starts_with("PYSEC-") {
        ("PyPA", None)
    } else if id.starts_with("DSA-") || id.starts_with("DLA-") || id.starts_with("DEBIAN-") {
        ("Debian", None)
    } else if id.starts_with("RHSA-") || id.starts_with("RHBA-") || id.starts_with("RHEA-") {
        ("Red Hat", None)
    } else if id.starts_with("ALSA-") || id.starts_with("ALAS") {
        ("Amazon/Alma", None)
    } else {
        (fallback.unwrap_or("unknown"), None)
    };
    match url {
        Some(u) => json!({ "name": name, "url": u }),
        None => json!({ "name": name }),
    }
}

/// CycloneDX analysis justifications, from the VEX vocabulary a suppression reason may use
/// (OpenVEX and CSAF names map to the nearest CycloneDX one).
fn justification(text: &str) -> Option<&'static str> {
    let t = text.to_ascii_lowercase();
    let table: &[(&str, &str)] = &[
        ("component_not_present", "code_not_present"),
        ("vulnerable_code_not_present", "code_not_present"),
        ("code_not_present", "code_not_present"),
        ("vulnerable_code_not_in_execute_path", "code_not_reachable"),
        ("code_not_reachable", "code_not_reachable"),
        (
            "vulnerable_code_cannot_be_controlled_by_adversary",
            "requires_environment",
        ),
        (
            "inline_mitigations_already_exist",
            "protected_by_mitigating_control",
        ),
        ("requires_configuration", "requires_configuration"),
        ("requires_dependency", "requires_dependency"),
        ("requires_environment", "requires_environment"),
        ("protected_by_compiler", "protected_by_compiler"),
        ("protected_at_runtime", "protected_at_runtime"),
        ("protected_at_perimeter", "protected_at_perimeter"),
        (
            "protected_by_mitigating_control",
            "protected_by_mitigating_control",
        ),
    ];
    table.iter().find(|(k, _)| t.contains(k)).map(|(_, v)| *v)
}

/// The `analysis` of a suppressed finding. VEX suppressions (kind starting with `vex`) carry
/// the VEX status in the kind (`vex:not_affected`) or the reason; `fixed`/`resolved` become
/// `resolved`, anything else `not_affected`. Other suppressions (the ignore file) keep no
/// state, only the detail.
fn analysis(s: &bulwark_model::Suppression) -> Value {
    let mut a = Map::new();
    let both = format!("{} {}", s.kind, s.reason).to_ascii_lowercase();
    let mut detail = s.reason.clone();
    if s.kind.starts_with("vex") {
        let state = if both.contains("fixed") || both.contains("resolved") {
            "resolved"
        } else {
            "not_affected"
        };
        a.insert("state".into(), json!(state));
        if state == "not_affected" {
            if let Some(j) = justification(&both) {
                a.insert("justification".into(), json!(j));
            }
        }
    } else {
        detail = format!("suppressed by {}: {}", s.kind, s.reason);
    }
    if let Some(o) = &s.owner {
        detail.push_str(&format!(" (owner: {o})"));
    }
    if let Some(e) = &s.expires {
        detail.push_str(&format!(" (expires: {e})"));
    }
    a.insert("detail".into(), json!(detail));
    Value::Object(a)
}

fn vulnerability(report: &ScanReport, v: &VulnFinding, refs: &[String]) -> Value {
    let mut out = Map::new();
    out.insert("id".into(), json!(v.id));
    out.insert(
        "source".into(),
        id_source(&v.id, v.data_sources.first().map(String::as_str)),
    );
    let mut seen_refs = BTreeSet::new();
    let mut references = Vec::new();
    for a in v.aliases.iter().chain(&v.fix_advisories) {
        if a != &v.id && seen_refs.insert(a.clone()) {
            references.push(json!({
                "id": a,
                "source": id_source(a, v.data_sources.first().map(String::as_str)),
            }));
        }
    }
    if !references.is_empty() {
        out.insert("references".into(), Value::Array(references));
    }
    let mut ratings = vec![{
        let mut r = Map::new();
        if let Some(s) = &v.severity_source {
            r.insert("source".into(), json!({ "name": s }));
        }
        r.insert("severity".into(), json!(severity_name(v.severity)));
        Value::Object(r)
    }];
    ratings.extend(v.cvss.iter().map(rating));
    out.insert("ratings".into(), Value::Array(ratings));
    if let Some(d) = v.description.as_ref().or(v.title.as_ref()) {
        out.insert("description".into(), json!(d));
    }
    if let Some(f) = v.fixed_versions.first() {
        out.insert(
            "recommendation".into(),
            json!(format!("Upgrade {} to {f} or later", v.package.name)),
        );
    }
    let advisories: Vec<Value> = v
        .references
        .iter()
        .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|u| json!({ "url": u }))
        .collect();
    if !advisories.is_empty() {
        out.insert("advisories".into(), Value::Array(advisories));
    }
    if let Some(s) = &v.suppression {
        out.insert("analysis".into(), analysis(s));
    }
    // The component: same purl and location, else same purl.
    let idx = report
        .packages
        .iter()
        .position(|p| p.purl == v.package.purl && p.found_in == v.package.found_in)
        .or_else(|| {
            report.packages.iter().position(|p| {
                p.purl == v.package.purl
                    && p.name == v.package.name
                    && p.version == v.package.version
            })
        });
    if let Some(r) = idx.and_then(|i| refs.get(i)) {
        let mut versions = vec![json!({ "version": v.package.version, "status": "affected" })];
        for f in &v.fixed_versions {
            if f != &v.package.version {
                versions.push(json!({ "version": f, "status": "unaffected" }));
            }
        }
        out.insert(
            "affects".into(),
            json!([{ "ref": r, "versions": versions }]),
        );
    }
    let mut props = vec![
        prop("bulwark:fix-status", v.status.as_str()),
        prop(
            "bulwark:origin",
            match v.origin {
                bulwark_model::scan::Origin::Base => "base",
                bulwark_model::scan::Origin::Own => "own",
                bulwark_model::scan::Origin::Unknown => "unknown",
            },
        ),
    ];
    if let Some(t) = &v.title {
        props.push(prop("bulwark:title", t.clone()));
    }
    if let Some(l) = &v.layer {
        props.push(prop("bulwark:layer", l.index.to_string()));
        if let Some(d) = l.digest.as_ref().or(l.diff_id.as_ref()) {
            props.push(prop("bulwark:layer-digest", d.clone()));
        }
    }
    if let Some(e) = &v.epss {
        props.push(prop("bulwark:epss-score", e.score.to_string()));
        props.push(prop("bulwark:epss-percentile", e.percentile.to_string()));
    }
    if v.kev {
        props.push(prop("bulwark:kev", "true"));
    }
    if let Some(n) = &v.note {
        props.push(prop("bulwark:note", n.clone()));
    }
    for d in &v.data_sources {
        props.push(prop("bulwark:data-source", d.clone()));
    }
    out.insert("properties".into(), Value::Array(props));
    Value::Object(out)
}

// ---------------------------------------------------------------------------------------------
// Reader

/// Property lookup over a CycloneDX `properties` array.
struct Props<'a>(Vec<(&'a str, &'a str)>);

impl<'a> Props<'a> {
    fn of(v: &'a Value) -> Self {
        Props(
            v.get("properties")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|p| {
                    Some((
                        p.get("name")?.as_str()?,
                        p.get("value").and_then(Value::as_str).unwrap_or(""),
                    ))
                })
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&'a str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }

    fn all(&self, name: &str) -> Vec<&'a str> {
        self.0
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, v)| *v)
            .collect()
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// Read a CycloneDX JSON BOM (1.2 to 1.6) into an inventory-only report.
pub(crate) fn read_json(v: &Value, origin: &str) -> Result<ScanReport, SbomError> {
    let spec = str_of(v, "specVersion").unwrap_or("");
    if !matches!(spec, "1.2" | "1.3" | "1.4" | "1.5" | "1.6" | "1.7") {
        return Err(SbomError::Invalid {
            origin: origin.to_string(),
            format: "CycloneDX",
            reason: format!("specVersion {spec:?} is not 1.2 to 1.6"),
        });
    }
    let mut report = crate::empty_report(origin);
    let metadata = v.get("metadata");
    if let Some(ts) = metadata.and_then(|m| str_of(m, "timestamp")) {
        report.created_at = ts.to_string();
    }
    let meta_props = metadata.map(Props::of).unwrap_or(Props(Vec::new()));
    if let Some(c) = metadata.and_then(|m| m.get("component")) {
        if str_of(c, "type") == Some("container") {
            if let Some(n) = str_of(c, "name") {
                report.target.names.push(n.to_string());
            }
            if let Some(ver) = str_of(c, "version").filter(|s| s.starts_with("sha256:")) {
                report.target.image_id = Some(ver.to_string());
            }
        }
    }
    report.target.names.extend(
        meta_props
            .all("bulwark:image-name")
            .into_iter()
            .map(String::from),
    );
    report.target.manifest_digest = meta_props.get("bulwark:manifest-digest").map(String::from);
    report.target.layers = layers_from(&meta_props);
    if let Some(evidence) = meta_props.get("bulwark:base-image:evidence") {
        report.target.base_image = Some(BaseImageRef {
            name: meta_props.get("bulwark:base-image:name").map(String::from),
            digest: meta_props
                .get("bulwark:base-image:digest")
                .map(String::from),
            layers: meta_props
                .get("bulwark:base-image:layers")
                .and_then(|l| l.parse().ok()),
            evidence: evidence.to_string(),
        });
    }

    // Components, nested ones included.
    let mut stack: Vec<&Value> = v
        .get("components")
        .and_then(Value::as_array)
        .map(|a| a.iter().rev().collect())
        .unwrap_or_default();
    let mut by_ref: HashMap<String, usize> = HashMap::new();
    // Syft records the layer a package came from as the layer's diff id.
    let layer_index: HashMap<String, usize> = report
        .target
        .layers
        .iter()
        .flat_map(|l| {
            l.diff_id
                .iter()
                .chain(l.digest.iter())
                .map(move |d| (d.clone(), l.index))
        })
        .collect();
    while let Some(c) = stack.pop() {
        if let Some(children) = c.get("components").and_then(Value::as_array) {
            stack.extend(children.iter().rev());
        }
        let ty = str_of(c, "type").unwrap_or("library");
        let props = Props::of(c);
        if ty == "operating-system" {
            if report.target.distro.is_none() {
                let id_like: Vec<String> = props
                    .get("syft:distro:idLike")
                    .or_else(|| props.get("bulwark:distro:id-like"))
                    .map(|s| {
                        s.split([' ', ','])
                            .filter(|x| !x.is_empty())
                            .map(String::from)
                            .collect()
                    })
                    .unwrap_or_default();
                report.target.distro = crate::distro::from_fields(
                    props
                        .get("syft:distro:id")
                        .or_else(|| str_of(c, "name"))
                        .unwrap_or(""),
                    props
                        .get("syft:distro:versionID")
                        .or_else(|| str_of(c, "version")),
                    props
                        .get("syft:distro:versionCodename")
                        .or_else(|| props.get("bulwark:distro:codename")),
                    props
                        .get("syft:distro:prettyName")
                        .or_else(|| str_of(c, "description")),
                    &id_like,
                    props.get("bulwark:found-in").unwrap_or(origin),
                );
            }
            continue;
        }
        if matches!(
            ty,
            "container" | "file" | "data" | "machine-learning-model" | "cryptographic-asset"
        ) {
            continue;
        }
        let Some(name) = str_of(c, "name") else {
            continue;
        };
        let mut cpes: Vec<String> = str_of(c, "cpe").map(String::from).into_iter().collect();
        cpes.extend(props.all("bulwark:cpe").into_iter().map(String::from));
        let layer = props
            .get("bulwark:layer")
            .and_then(|l| l.parse().ok())
            .or_else(|| {
                props
                    .get("syft:location:0:layerID")
                    .and_then(|d| layer_index.get(d).copied())
            });
        let source = props
            .get("bulwark:source-package")
            .map(|s| match s.split_once('@') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (s.to_string(), None),
            })
            .or_else(|| {
                props
                    .get("syft:metadata:source")
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        (
                            s.to_string(),
                            props
                                .get("syft:metadata:sourceVersion")
                                .filter(|v| !v.is_empty())
                                .map(String::from),
                        )
                    })
            })
            .or_else(|| {
                props
                    .get("syft:metadata:sourceRpm")
                    .filter(|s| !s.is_empty())
                    .map(crate::util::srpm)
            })
            .or_else(|| {
                props
                    .get("syft:metadata:originPackage")
                    .filter(|s| !s.is_empty())
                    .map(|s| (s.to_string(), None))
            });
        let mut pkg = Draft {
            name: name.to_string(),
            group: str_of(c, "group").map(String::from),
            version: str_of(c, "version").unwrap_or("").to_string(),
            purl: str_of(c, "purl").unwrap_or("").to_string(),
            licenses: licenses::from_cyclonedx(c.get("licenses")),
            cpes,
            found_in: props
                .get("bulwark:found-in")
                .or_else(|| props.get("syft:location:0:path"))
                .map(String::from),
            layer,
            source,
            type_hint: props.get("syft:package:type").map(String::from),
            epoch: props
                .get("syft:metadata:epoch")
                .and_then(|e| e.parse().ok()),
        }
        .into_package(origin);
        if props.get("bulwark:dev") == Some("true") {
            pkg.dev = true;
        }
        if let Some(r) = str_of(c, "bom-ref") {
            by_ref.insert(r.to_string(), report.packages.len());
        }
        report.packages.push(pkg);
    }

    // Dependencies: bom-refs become `name@version` ids.
    let mut deps: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for d in v
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(&from) = str_of(d, "ref").and_then(|r| by_ref.get(r)) else {
            continue;
        };
        for to in d
            .get("dependsOn")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(&i) = to.as_str().and_then(|r| by_ref.get(r)) {
                if i != from {
                    deps.entry(from)
                        .or_default()
                        .insert(report.packages[i].id());
                }
            }
        }
    }
    for (i, ids) in deps {
        report.packages[i].depends_on = ids.into_iter().collect();
    }
    crate::finish_report(&mut report);
    Ok(report)
}

/// The image's layers from Bulwark's `bulwark:layer:<i>:*` metadata properties.
fn layers_from(props: &Props<'_>) -> Vec<LayerInfo> {
    let mut layers: BTreeMap<usize, LayerInfo> = BTreeMap::new();
    for (name, value) in &props.0 {
        let Some(rest) = name.strip_prefix("bulwark:layer:") else {
            continue;
        };
        let Some((i, field)) = rest.split_once(':') else {
            continue;
        };
        let Ok(i) = i.parse::<usize>() else {
            continue;
        };
        let l = layers.entry(i).or_insert_with(|| LayerInfo {
            index: i,
            ..LayerInfo::default()
        });
        match field {
            "digest" => l.digest = Some(value.to_string()),
            "diff-id" => l.diff_id = Some(value.to_string()),
            "created-by" => l.created_by = Some(value.to_string()),
            "base" => l.is_base = *value == "true",
            _ => {}
        }
    }
    layers.into_values().collect()
}
