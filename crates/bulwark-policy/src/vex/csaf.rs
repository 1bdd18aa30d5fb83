//! CSAF 2.0 VEX profile documents (Red Hat's and others').

#[allow(unused_imports)]
use super::*;

#[derive(Default, Clone)]
pub(super) struct CsafProduct {
    name: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
}

pub(super) fn csaf_helper(p: &Value) -> CsafProduct {
    CsafProduct {
        name: s(p, "name"),
        purl: p
            .pointer("/product_identification_helper/purl")
            .and_then(Value::as_str)
            .map(String::from),
        cpe: p
            .pointer("/product_identification_helper/cpe")
            .and_then(Value::as_str)
            .map(String::from),
    }
}

pub(super) fn csaf_branches(list: &[Value], out: &mut HashMap<String, CsafProduct>) {
    for b in list {
        if let Some(p) = b.get("product") {
            if let Some(id) = s(p, "product_id") {
                out.insert(id, csaf_helper(p));
            }
        }
        csaf_branches(arr(b, "branches"), out);
    }
}

/// `cpe:/o:redhat:enterprise_linux:8`, `cpe:/a:redhat:rhel_eus:8.6::baseos` -> `8`.
pub(super) fn rhel_release(cpe: &str) -> Option<String> {
    let parts: Vec<&str> = cpe.trim_start_matches("cpe:/").split(':').collect();
    let (vendor, product, version) = (parts.get(1)?, parts.get(2)?, parts.get(3)?);
    if *vendor != "redhat"
        || !matches!(
            *product,
            "enterprise_linux" | "rhel_eus" | "rhel_e4s" | "rhel_aus" | "rhel_tus"
        )
    {
        return None;
    }
    let major = version.split('.').next()?;
    (!major.is_empty() && major.chars().all(|c| c.is_ascii_digit())).then(|| major.to_string())
}

pub(super) fn parse_csaf(v: &Value, origin: &str) -> Result<VexDocument, PolicyError> {
    let mut products: HashMap<String, CsafProduct> = HashMap::new();
    csaf_branches(
        arr(v.get("product_tree").unwrap_or(&Value::Null), "branches"),
        &mut products,
    );
    for p in arr(
        v.get("product_tree").unwrap_or(&Value::Null),
        "full_product_names",
    ) {
        if let Some(id) = s(p, "product_id") {
            products.insert(id, csaf_helper(p));
        }
    }
    // Relationship product id -> (component, platform).
    let mut rels: HashMap<String, (String, String)> = HashMap::new();
    for r in arr(
        v.get("product_tree").unwrap_or(&Value::Null),
        "relationships",
    ) {
        if let (Some(id), Some(c), Some(p)) = (
            r.pointer("/full_product_name/product_id")
                .and_then(Value::as_str),
            s(r, "product_reference"),
            s(r, "relates_to_product_reference"),
        ) {
            rels.insert(id.to_string(), (c, p));
        }
    }
    let mut groups: HashMap<String, Vec<String>> = HashMap::new();
    for g in arr(
        v.get("product_tree").unwrap_or(&Value::Null),
        "product_groups",
    ) {
        if let Some(id) = s(g, "group_id") {
            groups.insert(
                id,
                arr(g, "product_ids")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect(),
            );
        }
    }
    let ids_of = |x: &Value| -> Vec<String> {
        let mut out: Vec<String> = arr(x, "product_ids")
            .iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect();
        for g in arr(x, "group_ids").iter().filter_map(Value::as_str) {
            out.extend(groups.get(g).cloned().unwrap_or_default());
        }
        out
    };
    let author = v
        .pointer("/document/publisher/name")
        .and_then(Value::as_str)
        .map(String::from);
    let doc_time = v
        .pointer("/document/tracking/current_release_date")
        .and_then(Value::as_str)
        .map(String::from);
    let mut statements = Vec::new();
    for (i, vuln) in arr(v, "vulnerabilities").iter().enumerate() {
        let mut ids: Vec<String> = Vec::new();
        if let Some(c) = s(vuln, "cve") {
            ids.push(c);
        }
        ids.extend(arr(vuln, "ids").iter().filter_map(|x| s(x, "text")));
        let Some(vulnerability) = ids.first().cloned() else {
            return Err(PolicyError::parse(
                origin,
                None,
                format!("vulnerabilities[{i}] has neither `cve` nor `ids`"),
            ));
        };
        let aliases: Vec<String> = ids.iter().skip(1).cloned().collect();
        let mut justification: HashMap<String, String> = HashMap::new();
        for f in arr(vuln, "flags") {
            if let Some(label) = s(f, "label") {
                for p in ids_of(f) {
                    justification.entry(p).or_insert_with(|| label.clone());
                }
            }
        }
        let mut impact: HashMap<String, String> = HashMap::new();
        for t in arr(vuln, "threats") {
            let Some(details) = s(t, "details") else {
                continue;
            };
            // Red Hat puts its severity word in the impact threat; that is not a statement
            // of why a product is not affected.
            if s(t, "category").as_deref() != Some("impact")
                || ["low", "moderate", "important", "critical"]
                    .contains(&details.to_ascii_lowercase().as_str())
            {
                continue;
            }
            for p in ids_of(t) {
                impact.entry(p).or_insert_with(|| details.clone());
            }
        }
        let mut remediation: HashMap<String, String> = HashMap::new();
        for r in arr(vuln, "remediations") {
            let text = match (s(r, "details"), s(r, "url")) {
                (Some(d), Some(u)) => format!("{d} {u}"),
                (Some(d), None) => d,
                (None, Some(u)) => u,
                (None, None) => continue,
            };
            for p in ids_of(r) {
                remediation.entry(p).or_insert_with(|| text.clone());
            }
        }
        let status_lists = [
            ("known_not_affected", VexStatus::NotAffected),
            ("fixed", VexStatus::Fixed),
            ("first_fixed", VexStatus::Fixed),
            ("known_affected", VexStatus::Affected),
            ("first_affected", VexStatus::Affected),
            ("last_affected", VexStatus::Affected),
            ("under_investigation", VexStatus::UnderInvestigation),
        ];
        let ps = vuln.get("product_status").unwrap_or(&Value::Null);
        for (key, status) in status_lists {
            for pid in arr(ps, key).iter().filter_map(Value::as_str) {
                let (component_id, platform) = match rels.get(pid) {
                    Some((c, p)) => (c.clone(), products.get(p).cloned()),
                    None => (pid.to_string(), None),
                };
                let comp = products.get(&component_id).cloned().unwrap_or_default();
                statements.push(Statement {
                    vulnerability: vulnerability.clone(),
                    aliases: aliases.clone(),
                    products: vec![ProductId {
                        id: comp.name.clone().unwrap_or(component_id),
                        purl: comp.purl.clone(),
                        is_subject: false,
                    }],
                    subcomponents: Vec::new(),
                    status,
                    justification: justification.get(pid).cloned(),
                    impact: impact.get(pid).cloned(),
                    notes: remediation.get(pid).cloned(),
                    timestamp: doc_time.clone(),
                    rhel_release: platform.and_then(|p| p.cpe).and_then(|c| rhel_release(&c)),
                    versions: None,
                });
            }
        }
    }
    Ok(VexDocument {
        origin: origin.to_string(),
        format: VexFormat::Csaf,
        author,
        statements,
    })
}
