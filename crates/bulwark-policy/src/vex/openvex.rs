//! OpenVEX documents (<https://github.com/openvex/spec>).

#[allow(unused_imports)]
use super::*;

pub(super) fn openvex_product(v: &Value) -> ProductId {
    match v {
        Value::String(id) => ProductId {
            id: id.clone(),
            purl: id.starts_with("pkg:").then(|| id.clone()),
            is_subject: false,
        },
        _ => {
            let id = s(v, "@id").unwrap_or_default();
            let purl = v
                .pointer("/identifiers/purl")
                .and_then(Value::as_str)
                .map(String::from)
                .or_else(|| id.starts_with("pkg:").then(|| id.clone()));
            ProductId {
                id,
                purl,
                is_subject: false,
            }
        }
    }
}

pub(super) fn parse_openvex(v: &Value, origin: &str) -> Result<VexDocument, PolicyError> {
    let doc_time = s(v, "timestamp");
    let mut statements = Vec::new();
    for (i, st) in arr(v, "statements").iter().enumerate() {
        let at = |m: String| PolicyError::parse(origin, None, format!("statement {}: {m}", i + 1));
        let (vulnerability, aliases) = match st.get("vulnerability") {
            Some(Value::String(id)) => (id.clone(), Vec::new()),
            Some(obj @ Value::Object(_)) => {
                let name = s(obj, "name").or_else(|| s(obj, "@id"));
                let aliases = arr(obj, "aliases")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect();
                (
                    name.ok_or_else(|| at("vulnerability has no `name`".into()))?,
                    aliases,
                )
            }
            _ => return Err(at("no `vulnerability`".into())),
        };
        let status = match s(st, "status").as_deref() {
            Some("not_affected") => VexStatus::NotAffected,
            Some("affected") => VexStatus::Affected,
            Some("fixed") => VexStatus::Fixed,
            Some("under_investigation") => VexStatus::UnderInvestigation,
            other => {
                return Err(at(format!(
                    "status must be not_affected, affected, fixed or under_investigation, got {}",
                    other.unwrap_or("nothing")
                )))
            }
        };
        let notes = s(st, "status_notes").or_else(|| s(st, "action_statement"));
        let base = Statement {
            vulnerability,
            aliases,
            products: Vec::new(),
            subcomponents: arr(st, "subcomponents")
                .iter()
                .map(openvex_product)
                .collect(),
            status,
            justification: s(st, "justification"),
            impact: s(st, "impact_statement"),
            notes,
            timestamp: s(st, "timestamp").or(doc_time.clone()),
            rhel_release: None,
            versions: None,
        };
        let mut plain = Vec::new();
        for p in arr(st, "products") {
            let subs: Vec<ProductId> = arr(p, "subcomponents")
                .iter()
                .map(openvex_product)
                .collect();
            if subs.is_empty() {
                plain.push(openvex_product(p));
            } else {
                statements.push(Statement {
                    products: vec![openvex_product(p)],
                    subcomponents: subs,
                    ..base.clone()
                });
            }
        }
        if !plain.is_empty() {
            statements.push(Statement {
                products: plain,
                ..base
            });
        }
    }
    Ok(VexDocument {
        origin: origin.to_string(),
        format: VexFormat::OpenVex,
        author: s(v, "author"),
        statements,
    })
}
