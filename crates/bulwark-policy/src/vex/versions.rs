//! Version comparisons VEX statements need: fixed-at-or-after in the ecosystem's order and
//! CycloneDX `vers:` ranges.

#[allow(unused_imports)]
use super::*;

/// An rpm version with its epoch (`E:V-R`) when the purl gives the epoch as a qualifier;
/// other types carry the epoch in the version itself.
pub(super) fn with_epoch(ty: &str, version: &str, epoch: Option<&str>) -> String {
    match epoch {
        Some(e) if ty == "rpm" && !version.contains(':') => format!("{e}:{version}"),
        _ => version.to_string(),
    }
}

/// Whether `installed` is `fixed` or later in the purl type's version order. When the type
/// has no known order or either version does not parse, only the exact same text counts.
pub(super) fn at_or_after(ty: &str, installed: &str, fixed: &str) -> bool {
    match Scheme::for_purl_type(ty).map(|s| s.compare(installed, fixed)) {
        Some(Ok(o)) => o != Ordering::Less,
        _ => installed == fixed,
    }
}

/// A comparator of a `vers:` constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed `vers:` range (purl-spec VERSION-RANGE-SPEC): `*`, or constraints sorted by version.
#[derive(Debug)]
pub(super) struct VersRange {
    pub(super) scheme: Scheme,
    /// `None`: `*`, every version.
    constraints: Option<Vec<(Cmp, String)>>,
}

impl VersRange {
    /// Parse `vers:<scheme>/<constraint>|...`. The scheme is a purl type (`deb`, `pypi`,
    /// `npm`...) or `semver`; every constraint's version must parse under it.
    pub(super) fn parse(text: &str) -> Result<VersRange, String> {
        // Spaces are not significant in a vers.
        let text: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let rest = text
            .strip_prefix("vers:")
            .ok_or_else(|| "not a `vers:` range".to_string())?;
        let (scheme_name, spec) = rest
            .split_once('/')
            .ok_or_else(|| "no `/` after the versioning scheme".to_string())?;
        let scheme_name = scheme_name.to_ascii_lowercase();
        let scheme = match scheme_name.as_str() {
            "semver" => Some(Scheme::Semver),
            other => Scheme::for_purl_type(other),
        }
        .ok_or_else(|| format!("unknown versioning scheme `{scheme_name}`"))?;
        if spec == "*" {
            return Ok(VersRange {
                scheme,
                constraints: None,
            });
        }
        let mut constraints = Vec::new();
        for c in spec.split('|') {
            let (cmp, v) = [
                (">=", Cmp::Ge),
                ("<=", Cmp::Le),
                ("!=", Cmp::Ne),
                ("<", Cmp::Lt),
                (">", Cmp::Gt),
                ("=", Cmp::Eq),
            ]
            .into_iter()
            .find_map(|(op, cmp)| c.strip_prefix(op).map(|v| (cmp, v)))
            .unwrap_or((Cmp::Eq, c));
            let v = crate::purl::decode(v);
            if v.is_empty() || v == "*" {
                return Err(format!("bad constraint `{c}`"));
            }
            scheme
                .validate(&v)
                .map_err(|e| format!("`{v}` is not a {scheme} version: {e}"))?;
            constraints.push((cmp, v));
        }
        // The evaluation below walks the constraints in version order.
        constraints.sort_by(|a, b| scheme.compare(&a.1, &b.1).unwrap_or(Ordering::Equal));
        Ok(VersRange {
            scheme,
            constraints: Some(constraints),
        })
    }

    /// Whether `version` is in the range, by the spec's algorithm. An installed version the
    /// scheme cannot parse is an error.
    pub(super) fn contains(&self, version: &str) -> Result<bool, String> {
        let Some(constraints) = &self.constraints else {
            return Ok(true);
        };
        let cmp = |v: &str| {
            self.scheme.compare(version, v).map_err(|e| {
                format!(
                    "installed `{version}` is not a {} version: {e}",
                    self.scheme
                )
            })
        };
        for (c, v) in constraints {
            if matches!(c, Cmp::Eq | Cmp::Le | Cmp::Ge) && cmp(v)? == Ordering::Equal {
                return Ok(true);
            }
        }
        for (c, v) in constraints {
            if *c == Cmp::Ne && cmp(v)? == Ordering::Equal {
                return Ok(false);
            }
        }
        let bounds: Vec<&(Cmp, String)> = constraints
            .iter()
            .filter(|(c, _)| !matches!(c, Cmp::Eq | Cmp::Ne))
            .collect();
        let lower = |c: Cmp| matches!(c, Cmp::Gt | Cmp::Ge);
        let upper = |c: Cmp| matches!(c, Cmp::Lt | Cmp::Le);
        // Equality with a bound was handled above, so only strict order matters here.
        match bounds.as_slice() {
            [] => return Ok(false),
            [(c, v)] => {
                let o = cmp(v)?;
                return Ok(
                    (upper(*c) && o == Ordering::Less) || (lower(*c) && o == Ordering::Greater)
                );
            }
            _ => {}
        }
        let last = bounds.len() - 2;
        for (i, pair) in bounds.windows(2).enumerate() {
            let [(cur_c, cur_v), (next_c, next_v)] = pair else {
                continue;
            };
            if i == 0 && upper(*cur_c) && cmp(cur_v)? == Ordering::Less {
                return Ok(true);
            }
            if i == last && lower(*next_c) && cmp(next_v)? == Ordering::Greater {
                return Ok(true);
            }
            if lower(*cur_c)
                && upper(*next_c)
                && cmp(cur_v)? == Ordering::Greater
                && cmp(next_v)? == Ordering::Less
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
