//! CycloneDX VEX (`vulnerabilities[].analysis` of a CycloneDX BOM).

#[allow(unused_imports)]
use super::*;

pub(super) fn collect_components(list: &[Value], refs: &mut HashMap<String, Option<String>>) {
    for c in list {
        if let Some(r) = s(c, "bom-ref") {
            refs.insert(r, s(c, "purl"));
        }
        collect_components(arr(c, "components"), refs);
    }
}

pub(super) fn parse_cyclonedx(v: &Value, origin: &str) -> Result<VexDocument, PolicyError> {
    let mut refs: HashMap<String, Option<String>> = HashMap::new();
    collect_components(arr(v, "components"), &mut refs);
    let subject = v.pointer("/metadata/component");
    let subject_ref = subject.and_then(|c| s(c, "bom-ref"));
    if let Some(c) = subject {
        collect_components(std::slice::from_ref(c), &mut refs);
    }
    let author = v
        .pointer("/metadata/authors/0/name")
        .or_else(|| v.pointer("/metadata/manufacturer/name"))
        .or_else(|| v.pointer("/metadata/manufacture/name"))
        .or_else(|| v.pointer("/metadata/supplier/name"))
        .and_then(Value::as_str)
        .map(String::from);
    let doc_time = v
        .pointer("/metadata/timestamp")
        .and_then(Value::as_str)
        .map(String::from);
    let mut statements = Vec::new();
    for (i, vuln) in arr(v, "vulnerabilities").iter().enumerate() {
        let Some(id) = s(vuln, "id") else {
            return Err(PolicyError::parse(
                origin,
                None,
                format!("vulnerabilities[{i}] has no `id`"),
            ));
        };
        let Some(analysis) = vuln.get("analysis") else {
            // A plain vulnerability listing (an SBOM with findings), not a VEX statement.
            continue;
        };
        let state = s(analysis, "state").unwrap_or_default();
        let status = match state.as_str() {
            "not_affected" | "false_positive" => VexStatus::NotAffected,
            "resolved" | "resolved_with_pedigree" => VexStatus::Fixed,
            "exploitable" => VexStatus::Affected,
            "in_triage" => VexStatus::UnderInvestigation,
            "" => continue,
            other => {
                return Err(PolicyError::parse(
                    origin,
                    None,
                    format!("vulnerabilities[{i}] ({id}): unknown analysis.state `{other}`"),
                ))
            }
        };
        let justification = s(analysis, "justification")
            .or_else(|| (state == "false_positive").then(|| "false_positive".to_string()));
        let response: Vec<&str> = arr(analysis, "response")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let aliases: Vec<String> = arr(vuln, "references")
            .iter()
            .filter_map(|r| s(r, "id"))
            .collect();
        let timestamp = s(analysis, "lastUpdated")
            .or_else(|| s(analysis, "firstIssued"))
            .or_else(|| s(vuln, "updated"))
            .or_else(|| s(vuln, "published"))
            .or(doc_time.clone());
        for a in arr(vuln, "affects") {
            let Some(r) = s(a, "ref") else { continue };
            // Standalone VEX points into another BOM with a BOM-Link (`urn:cdx:...#bom-ref`).
            let local = if r.starts_with("urn:cdx:") {
                r.split_once('#')
                    .map(|(_, f)| crate::purl::decode(f))
                    .unwrap_or_else(|| r.clone())
            } else {
                r.clone()
            };
            let is_subject = subject_ref.as_deref() == Some(local.as_str());
            let purl = refs
                .get(&local)
                .cloned()
                .flatten()
                .or_else(|| local.starts_with("pkg:").then(|| local.clone()));
            let listed = arr(a, "versions");
            let versions: Vec<VersionSpec> = listed
                .iter()
                .filter_map(|x| {
                    s(x, "version")
                        .map(VersionSpec::Exact)
                        .or_else(|| s(x, "range").map(VersionSpec::Range))
                })
                .collect();
            if !listed.is_empty() && versions.is_empty() {
                // Entries with neither a version nor a range: nothing to check the installed
                // version against, so the statement is not applied.
                continue;
            }
            statements.push(Statement {
                vulnerability: id.clone(),
                aliases: aliases.clone(),
                products: vec![ProductId {
                    id: local,
                    purl,
                    is_subject,
                }],
                subcomponents: Vec::new(),
                status,
                justification: justification.clone(),
                impact: s(analysis, "detail"),
                notes: (!response.is_empty()).then(|| format!("response: {}", response.join(", "))),
                timestamp: timestamp.clone(),
                rhel_release: None,
                versions: (!versions.is_empty()).then_some(versions),
            });
        }
    }
    Ok(VexDocument {
        origin: origin.to_string(),
        format: VexFormat::CycloneDx,
        author,
        statements,
    })
}
