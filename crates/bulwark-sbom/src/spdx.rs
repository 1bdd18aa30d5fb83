//! SPDX 2.3 JSON (<https://spdx.github.io/spdx-spec/v2.3/>): the writer, and the readers for
//! SPDX 2.2/2.3 JSON and tag-value written by any tool.
//!
//! The document DESCRIBES one package for the image (purpose `CONTAINER`), which CONTAINS one
//! package per inventory package and one for the operating system (purpose
//! `OPERATING-SYSTEM`); dependency edges are DEPENDS_ON. Bulwark's layer facts, which SPDX has
//! no field for, are in the package `comment` as `bulwark:layer=<i>; bulwark:layer-digest=...;
//! bulwark:origin=base|own`, and the file a package came from in `sourceInfo`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use bulwark_catalog::{Package, PackageKind};
use bulwark_model::scan::ScanReport;
use serde_json::{json, Map, Value};

use crate::licenses::{self, Extracted};
use crate::util::{oci_purl, uuid_from, Draft};
use crate::SbomError;

const IMAGE_ID: &str = "SPDXRef-Image";
const OS_ID: &str = "SPDXRef-OperatingSystem";
const SOURCE_INFO: &str = "acquired package info from: ";

/// An SPDXID idstring: letters, digits, `.` and `-` only.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Unique SPDXIDs for the packages: `SPDXRef-Package-<kind>-<name>-<version>`, `-2`, `-3`...
/// on repeats.
fn spdx_ids(packages: &[Package]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    packages
        .iter()
        .map(|p| {
            let base = format!(
                "SPDXRef-Package-{}-{}-{}",
                sanitize(&crate::util::kind_name(p.kind)),
                sanitize(&p.name),
                sanitize(&p.version)
            );
            let base = base.trim_end_matches('-').to_string();
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base}-{n}")
            }
        })
        .collect()
}

/// Write `report` as an SPDX 2.3 JSON document.
pub fn write(report: &ScanReport) -> String {
    let t = &report.target;
    let ids = spdx_ids(&report.packages);
    let mut extracted: Vec<Extracted> = Vec::new();
    let mut packages = Vec::new();

    // The image.
    let mut image = Map::new();
    image.insert("SPDXID".into(), json!(IMAGE_ID));
    image.insert(
        "name".into(),
        json!(t.names.first().cloned().unwrap_or_else(|| t.name.clone())),
    );
    if let Some(v) = t.image_id.as_ref().or(t.manifest_digest.as_ref()) {
        image.insert("versionInfo".into(), json!(v));
    }
    image.insert("downloadLocation".into(), json!("NOASSERTION"));
    image.insert("filesAnalyzed".into(), json!(false));
    image.insert("licenseConcluded".into(), json!("NOASSERTION"));
    image.insert("licenseDeclared".into(), json!("NOASSERTION"));
    image.insert("copyrightText".into(), json!("NOASSERTION"));
    if let Some(p) = oci_purl(
        &t.names,
        t.manifest_digest.as_deref().or(t.image_id.as_deref()),
    ) {
        image.insert(
            "externalRefs".into(),
            json!([{
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p,
            }]),
        );
    }
    let source_kind = t.source.as_str();
    image.insert(
        "primaryPackagePurpose".into(),
        json!(match source_kind {
            "docker-archive" | "oci" | "docker" | "registry" | "oci-archive" => "CONTAINER",
            _ => "SOURCE",
        }),
    );
    let mut comment = format!(
        "bulwark:target={}; bulwark:target-source={}",
        t.name, t.source
    );
    if let Some(b) = &t.base_image {
        if let Some(n) = &b.name {
            comment.push_str(&format!("; bulwark:base-image={n}"));
        }
        if let Some(l) = b.layers {
            comment.push_str(&format!("; bulwark:base-image-layers={l}"));
        }
    }
    image.insert("comment".into(), json!(comment));
    packages.push(Value::Object(image));

    // The operating system.
    if let Some(d) = &t.distro {
        let mut os = Map::new();
        os.insert("SPDXID".into(), json!(OS_ID));
        os.insert("name".into(), json!(d.id));
        if let Some(v) = &d.version_id {
            os.insert("versionInfo".into(), json!(v));
        }
        os.insert("downloadLocation".into(), json!("NOASSERTION"));
        os.insert("filesAnalyzed".into(), json!(false));
        os.insert("licenseConcluded".into(), json!("NOASSERTION"));
        os.insert("licenseDeclared".into(), json!("NOASSERTION"));
        os.insert("copyrightText".into(), json!("NOASSERTION"));
        if let Some(p) = &d.pretty_name {
            os.insert("description".into(), json!(p));
        }
        let mut c = String::new();
        if let Some(code) = &d.codename {
            c.push_str(&format!("bulwark:codename={code}"));
        }
        if !c.is_empty() {
            os.insert("comment".into(), json!(c));
        }
        os.insert("primaryPackagePurpose".into(), json!("OPERATING-SYSTEM"));
        packages.push(Value::Object(os));
    }

    for (p, id) in report.packages.iter().zip(&ids) {
        let mut o = Map::new();
        o.insert("SPDXID".into(), json!(id));
        o.insert("name".into(), json!(p.name));
        if !p.version.is_empty() {
            o.insert("versionInfo".into(), json!(p.version));
        }
        o.insert("downloadLocation".into(), json!("NOASSERTION"));
        o.insert("filesAnalyzed".into(), json!(false));
        if !p.found_in.is_empty() {
            o.insert(
                "sourceInfo".into(),
                json!(format!("{SOURCE_INFO}{}", p.found_in)),
            );
        }
        o.insert("licenseConcluded".into(), json!("NOASSERTION"));
        o.insert(
            "licenseDeclared".into(),
            json!(licenses::spdx_declared(&p.licenses, &mut extracted)),
        );
        o.insert("copyrightText".into(), json!("NOASSERTION"));
        let mut refs = Vec::new();
        for cpe in &p.cpes {
            let ty = if cpe.starts_with("cpe:2.3:") {
                "cpe23Type"
            } else {
                "cpe22Type"
            };
            refs.push(json!({
                "referenceCategory": "SECURITY",
                "referenceType": ty,
                "referenceLocator": cpe,
            }));
        }
        if !p.purl.is_empty() {
            refs.push(json!({
                "referenceCategory": "PACKAGE-MANAGER",
                "referenceType": "purl",
                "referenceLocator": p.purl,
            }));
        }
        if !refs.is_empty() {
            o.insert("externalRefs".into(), Value::Array(refs));
        }
        let mut notes = Vec::new();
        if let Some(i) = p.layer {
            notes.push(format!("bulwark:layer={i}"));
            if let Some(l) = t.layers.get(i) {
                if let Some(d) = l.digest.as_ref().or(l.diff_id.as_ref()) {
                    notes.push(format!("bulwark:layer-digest={d}"));
                }
                if t.base_image.is_some() {
                    notes.push(format!(
                        "bulwark:origin={}",
                        if l.is_base { "base" } else { "own" }
                    ));
                }
            }
        }
        if let Some(s) = &p.source {
            notes.push(match &s.version {
                Some(v) => format!("bulwark:source-package={}@{}", s.name, v),
                None => format!("bulwark:source-package={}", s.name),
            });
        }
        if !notes.is_empty() {
            o.insert("comment".into(), json!(notes.join("; ")));
        }
        o.insert(
            "primaryPackagePurpose".into(),
            json!(if p.kind == PackageKind::Binary {
                "APPLICATION"
            } else {
                "LIBRARY"
            }),
        );
        packages.push(Value::Object(o));
    }

    // Relationships.
    let mut relationships = vec![json!({
        "spdxElementId": "SPDXRef-DOCUMENT",
        "relationshipType": "DESCRIBES",
        "relatedSpdxElement": IMAGE_ID,
    })];
    if t.distro.is_some() {
        relationships.push(json!({
            "spdxElementId": IMAGE_ID,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": OS_ID,
        }));
    }
    for id in &ids {
        relationships.push(json!({
            "spdxElementId": IMAGE_ID,
            "relationshipType": "CONTAINS",
            "relatedSpdxElement": id,
        }));
    }
    let mut by_pkg_id: HashMap<String, &str> = HashMap::new();
    for (p, id) in report.packages.iter().zip(&ids) {
        by_pkg_id.entry(p.id()).or_insert(id);
    }
    for (p, id) in report.packages.iter().zip(&ids) {
        let deps: BTreeSet<&str> = p
            .depends_on
            .iter()
            .filter_map(|d| by_pkg_id.get(d).copied())
            .filter(|d| d != id)
            .collect();
        for d in deps {
            relationships.push(json!({
                "spdxElementId": id,
                "relationshipType": "DEPENDS_ON",
                "relatedSpdxElement": d,
            }));
        }
    }

    let mut doc = Map::new();
    doc.insert("spdxVersion".into(), json!("SPDX-2.3"));
    doc.insert("dataLicense".into(), json!("CC0-1.0"));
    doc.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    doc.insert("name".into(), json!(t.name));
    doc.insert("documentNamespace".into(), json!("")); // filled below
    doc.insert(
        "creationInfo".into(),
        json!({
            "created": report.created_at,
            "creators": [format!("Tool: {}-{}", report.tool.name, report.tool.version)],
        }),
    );
    doc.insert("packages".into(), Value::Array(packages));
    doc.insert("relationships".into(), Value::Array(relationships));
    if !extracted.is_empty() {
        doc.insert(
            "hasExtractedLicensingInfos".into(),
            Value::Array(
                extracted
                    .iter()
                    .map(|e| {
                        json!({
                            "licenseId": e.id,
                            "extractedText": e.text,
                            "name": e.text,
                        })
                    })
                    .collect(),
            ),
        );
    }
    let body = serde_json::to_string(&doc).unwrap_or_default();
    let uuid = uuid_from(&[&t.name, &report.created_at, &body]);
    let slug = sanitize(&t.name);
    doc.insert(
        "documentNamespace".into(),
        json!(format!(
            "https://bulwark.invalid/spdx/{}-{uuid}",
            if slug.is_empty() { "target" } else { &slug }
        )),
    );
    let mut out = serde_json::to_string_pretty(&Value::Object(doc)).unwrap_or_default();
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// Readers

fn str_of<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Value::as_str)
}

/// `key=value` pairs from a Bulwark comment (`bulwark:layer=0; bulwark:origin=base`).
fn comment_fields(comment: &str) -> BTreeMap<&str, &str> {
    comment
        .split(';')
        .filter_map(|f| f.trim().split_once('='))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

/// Read an SPDX 2.2/2.3 JSON document into an inventory-only report.
pub(crate) fn read_json(v: &Value, origin: &str) -> Result<ScanReport, SbomError> {
    let version = str_of(v, "spdxVersion").unwrap_or("");
    if !matches!(version, "SPDX-2.2" | "SPDX-2.3") {
        return Err(SbomError::Invalid {
            origin: origin.to_string(),
            format: "SPDX",
            reason: format!("spdxVersion {version:?} is not SPDX-2.2 or SPDX-2.3"),
        });
    }
    let mut report = crate::empty_report(origin);
    if let Some(c) = v.get("creationInfo").and_then(|c| str_of(c, "created")) {
        report.created_at = c.to_string();
    }
    let extracted: Vec<(String, String)> = v
        .get("hasExtractedLicensingInfos")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let id = str_of(e, "licenseId")?;
            let text = str_of(e, "name")
                .filter(|n| !n.is_empty() && *n != "NOASSERTION")
                .or_else(|| str_of(e, "extractedText"))?;
            Some((id.to_string(), text.to_string()))
        })
        .collect();
    let relationships: Vec<(&str, &str, &str)> = v
        .get("relationships")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some((
                str_of(r, "spdxElementId")?,
                str_of(r, "relationshipType")?,
                str_of(r, "relatedSpdxElement")?,
            ))
        })
        .collect();
    let mut described: BTreeSet<&str> = relationships
        .iter()
        .filter(|(a, t, _)| *a == "SPDXRef-DOCUMENT" && *t == "DESCRIBES")
        .map(|(_, _, b)| *b)
        .collect();
    described.extend(
        v.get("documentDescribes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str),
    );

    let mut by_id: HashMap<String, usize> = HashMap::new();
    for p in v
        .get("packages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let spdx_id = str_of(p, "SPDXID").unwrap_or("");
        let purpose = str_of(p, "primaryPackagePurpose").unwrap_or("");
        let name = str_of(p, "name").unwrap_or("");
        let comment = str_of(p, "comment").unwrap_or("");
        let fields = comment_fields(comment);
        let mut purl = String::new();
        let mut cpes = Vec::new();
        for r in p
            .get("externalRefs")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let locator = str_of(r, "referenceLocator").unwrap_or("");
            match str_of(r, "referenceType").unwrap_or("") {
                "purl" if purl.is_empty() => purl = locator.to_string(),
                "cpe23Type" | "cpe22Type" => cpes.push(locator.to_string()),
                _ => {}
            }
        }
        if purpose == "OPERATING-SYSTEM" {
            if report.target.distro.is_none() {
                report.target.distro = crate::distro::from_fields(
                    name,
                    str_of(p, "versionInfo"),
                    fields.get("bulwark:codename").copied(),
                    str_of(p, "description"),
                    &[],
                    origin,
                );
            }
            continue;
        }
        let is_subject = purpose == "CONTAINER"
            || spdx_id.starts_with("SPDXRef-DocumentRoot")
            || purl.starts_with("pkg:oci/")
            || purl.starts_with("pkg:docker/")
            || (described.contains(spdx_id) && purl.is_empty());
        if is_subject {
            if purpose == "CONTAINER" || purl.starts_with("pkg:oci/") {
                if !name.is_empty() {
                    report.target.names.push(name.to_string());
                }
                if let Some(ver) = str_of(p, "versionInfo").filter(|s| s.starts_with("sha256:")) {
                    report.target.image_id = Some(ver.to_string());
                }
            }
            continue;
        }
        if matches!(
            purpose,
            "FILE" | "SOURCE" | "ARCHIVE" | "INSTALL" | "DEVICE"
        ) && purl.is_empty()
        {
            continue;
        }
        let found_in = str_of(p, "sourceInfo").and_then(|s| {
            // Bulwark: "acquired package info from: PATH"; Syft: "acquired package info from
            // DPKG DB: PATH" (several paths joined by ", ").
            s.split_once(": ")
                .map(|(_, path)| path.split(", ").next().unwrap_or(path).trim().to_string())
        });
        let source = fields
            .get("bulwark:source-package")
            .map(|s| match s.split_once('@') {
                Some((n, v)) => (n.to_string(), Some(v.to_string())),
                None => (s.to_string(), None),
            });
        let mut lic = licenses::from_spdx(str_of(p, "licenseDeclared"), &extracted);
        if lic.is_empty() {
            lic = licenses::from_spdx(str_of(p, "licenseConcluded"), &extracted);
        }
        let pkg = Draft {
            name: name.to_string(),
            group: None,
            version: str_of(p, "versionInfo").unwrap_or("").to_string(),
            purl,
            licenses: lic,
            cpes,
            found_in,
            layer: fields.get("bulwark:layer").and_then(|l| l.parse().ok()),
            source,
            type_hint: None,
            epoch: None,
        }
        .into_package(origin);
        by_id.insert(spdx_id.to_string(), report.packages.len());
        report.packages.push(pkg);
    }

    let mut deps: BTreeMap<usize, BTreeSet<String>> = BTreeMap::new();
    for (a, ty, b) in &relationships {
        // DEPENDS_ON: a depends on b; DEPENDENCY_OF: a is a dependency of b.
        let (from, to) = match *ty {
            "DEPENDS_ON" => (a, b),
            "DEPENDENCY_OF" => (b, a),
            _ => continue,
        };
        if let (Some(&f), Some(&t)) = (by_id.get(*from), by_id.get(*to)) {
            if f != t {
                deps.entry(f).or_default().insert(report.packages[t].id());
            }
        }
    }
    for (i, ids) in deps {
        report.packages[i].depends_on = ids.into_iter().collect();
    }
    crate::finish_report(&mut report);
    Ok(report)
}

/// Read an SPDX tag-value document: its packages and relationships are turned into the JSON
/// form and read by [`read_json`].
pub(crate) fn read_tag_value(text: &str, origin: &str) -> Result<ScanReport, SbomError> {
    let mut doc = Map::new();
    let mut packages: Vec<Map<String, Value>> = Vec::new();
    let mut relationships = Vec::new();
    let mut extracted: Vec<Map<String, Value>> = Vec::new();
    let mut in_package = false;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim();
        let mut value = value.trim().to_string();
        // Multi-line values are wrapped in <text>...</text>.
        if let Some(rest) = value.strip_prefix("<text>") {
            let mut acc = rest.to_string();
            while !acc.contains("</text>") {
                match lines.next() {
                    Some(l) => {
                        acc.push('\n');
                        acc.push_str(l);
                    }
                    None => break,
                }
            }
            value = acc.split("</text>").next().unwrap_or("").to_string();
        }
        match key {
            "SPDXVersion" => {
                doc.insert("spdxVersion".into(), json!(value));
            }
            "Created" => {
                doc.insert("creationInfo".into(), json!({ "created": value }));
            }
            "PackageName" => {
                in_package = true;
                let mut m = Map::new();
                m.insert("name".into(), json!(value));
                packages.push(m);
            }
            "FileName" | "SnippetSPDXID" => in_package = false,
            "LicenseID" => {
                in_package = false;
                let mut m = Map::new();
                m.insert("licenseId".into(), json!(value));
                extracted.push(m);
            }
            "ExtractedText" => {
                if let Some(m) = extracted.last_mut() {
                    m.insert("extractedText".into(), json!(value));
                }
            }
            "LicenseName" => {
                if let Some(m) = extracted.last_mut() {
                    m.insert("name".into(), json!(value));
                }
            }
            "Relationship" => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                if let [a, ty, b] = parts.as_slice() {
                    relationships.push(json!({
                        "spdxElementId": a,
                        "relationshipType": ty,
                        "relatedSpdxElement": b,
                    }));
                }
            }
            _ if in_package => {
                let Some(p) = packages.last_mut() else {
                    continue;
                };
                let field = match key {
                    "SPDXID" => "SPDXID",
                    "PackageVersion" => "versionInfo",
                    "PackageSourceInfo" => "sourceInfo",
                    "PackageLicenseDeclared" => "licenseDeclared",
                    "PackageLicenseConcluded" => "licenseConcluded",
                    "PrimaryPackagePurpose" => "primaryPackagePurpose",
                    "PackageComment" => "comment",
                    "PackageDescription" => "description",
                    "ExternalRef" => {
                        let mut it = value.splitn(3, ' ');
                        if let (Some(c), Some(t), Some(l)) = (it.next(), it.next(), it.next()) {
                            let refs = p
                                .entry("externalRefs")
                                .or_insert_with(|| Value::Array(Vec::new()));
                            if let Some(a) = refs.as_array_mut() {
                                a.push(json!({
                                    "referenceCategory": c,
                                    "referenceType": t,
                                    "referenceLocator": l.trim(),
                                }));
                            }
                        }
                        continue;
                    }
                    _ => continue,
                };
                p.insert(field.into(), json!(value));
            }
            _ => {}
        }
    }
    if doc.get("spdxVersion").is_none() {
        return Err(SbomError::Invalid {
            origin: origin.to_string(),
            format: "SPDX tag-value",
            reason: "no SPDXVersion line".into(),
        });
    }
    doc.insert(
        "packages".into(),
        Value::Array(packages.into_iter().map(Value::Object).collect()),
    );
    doc.insert("relationships".into(), Value::Array(relationships));
    doc.insert(
        "hasExtractedLicensingInfos".into(),
        Value::Array(extracted.into_iter().map(Value::Object).collect()),
    );
    read_json(&Value::Object(doc), origin)
}
