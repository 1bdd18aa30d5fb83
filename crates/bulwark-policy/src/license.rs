//! The license policy (`--license-policy FILE`): allow, deny and warn lists of SPDX ids, globs
//! or categories, applied to every package's normalised licenses.
//!
//! Normalisation, the SPDX list and categories live in `bulwark-license`; they are re-exported
//! here so `bulwark_policy::license::{normalize, category, ...}` keeps working.

use std::path::Path;

use bulwark_catalog::PackageKind;
use bulwark_license::{category_with, normalize_expr, Expr};
use bulwark_model::scan::{LicenseFinding, LicenseVerdict, PackageRef, ScanReport};
use bulwark_model::Severity;
use bulwark_walk::glob::glob_match;
use bulwark_yaml::node::{Node, Value};

pub use bulwark_license::{category, license_ids, normalize, Category};

use crate::PolicyError;

/// What the policy does with a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// Allowed.
    Allow,
    /// Allowed with a warning finding.
    Warn,
    /// Forbidden.
    Deny,
}

impl Action {
    fn parse(text: &str) -> Option<Action> {
        match text.trim().to_ascii_lowercase().as_str() {
            "allow" => Some(Action::Allow),
            "warn" => Some(Action::Warn),
            "deny" => Some(Action::Deny),
            _ => None,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Warn => "warn",
            Action::Deny => "deny",
        }
    }
}

/// One entry of an allow/deny/warn list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// An SPDX id or a glob over ids (`GPL-*`), matched case-insensitively.
    License(String),
    /// Every license of a category.
    Category(Category),
}

impl Rule {
    fn describe(&self, list: Action) -> String {
        match self {
            Rule::License(l) => format!("{}: {l}", list.as_str()),
            Rule::Category(c) => format!("{}: category {}", list.as_str(), c.as_str()),
        }
    }
}

/// A license policy (`--license-policy FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LicensePolicy {
    /// Where it came from.
    pub origin: String,
    /// Allowed licenses. When not empty, licenses on no list are judged by
    /// [`LicensePolicy::unknown`].
    pub allow: Vec<Rule>,
    /// Forbidden licenses.
    pub deny: Vec<Rule>,
    /// Licenses that produce a warning.
    pub warn: Vec<Rule>,
    /// What to do with unrecognised licenses, and with licenses on no list when `allow` is not
    /// empty (default warn).
    pub unknown: Action,
    /// What to do with packages that declare no license (default: as `unknown`).
    pub no_license: Action,
    /// Severity of deny findings (default HIGH).
    pub deny_severity: Severity,
    /// Severity of warn findings (default LOW).
    pub warn_severity: Severity,
    /// Packages not evaluated (purl globs, qualifiers ignored).
    pub ignore_packages: Vec<String>,
}

const POLICY_KEYS: &[&str] = &[
    "allow",
    "deny",
    "warn",
    "unknown",
    "no_license",
    "severity",
    "ignore_packages",
];

impl LicensePolicy {
    /// Read and parse a policy file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = crate::read_file(path, bulwark_input::DocKind::LicensePolicy)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse policy YAML; `origin` names the text in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let mut p = LicensePolicy {
            origin: origin.to_string(),
            allow: Vec::new(),
            deny: Vec::new(),
            warn: Vec::new(),
            unknown: Action::Warn,
            no_license: Action::Warn,
            deny_severity: Severity::High,
            warn_severity: Severity::Low,
            ignore_packages: Vec::new(),
        };
        let Some(doc) = crate::parse_yaml(text, origin)? else {
            return Err(PolicyError::parse(origin, None, "empty license policy"));
        };
        if !doc.is_map() {
            return Err(PolicyError::parse(
                origin,
                Some(doc.span.start.line),
                "a license policy is a mapping (allow, deny, warn, unknown, no_license, severity, ignore_packages)",
            ));
        }
        crate::check_keys(&doc, POLICY_KEYS, origin)?;
        let action = |k: &str| -> Result<Option<Action>, PolicyError> {
            match doc.get(k) {
                None => Ok(None),
                Some(n) => n
                    .scalar()
                    .as_deref()
                    .and_then(Action::parse)
                    .map(Some)
                    .ok_or_else(|| {
                        PolicyError::parse(
                            origin,
                            Some(n.span.start.line),
                            format!("`{k}` must be allow, warn or deny"),
                        )
                    }),
            }
        };
        if let Some(a) = action("unknown")? {
            p.unknown = a;
        }
        p.no_license = action("no_license")?.unwrap_or(p.unknown);
        p.allow = rules(doc.get("allow"), "allow", origin)?;
        p.deny = rules(doc.get("deny"), "deny", origin)?;
        p.warn = rules(doc.get("warn"), "warn", origin)?;
        if let Some(sev) = doc.get("severity") {
            if !sev.is_map() {
                return Err(PolicyError::parse(
                    origin,
                    Some(sev.span.start.line),
                    "`severity` is a mapping: `deny: HIGH`, `warn: LOW`",
                ));
            }
            crate::check_keys(sev, &["deny", "warn"], origin)?;
            for (k, slot) in [
                ("deny", &mut p.deny_severity),
                ("warn", &mut p.warn_severity),
            ] {
                if let Some(n) = sev.get(k) {
                    *slot = n
                        .scalar()
                        .as_deref()
                        .and_then(Severity::parse)
                        .ok_or_else(|| {
                            PolicyError::parse(
                                origin,
                                Some(n.span.start.line),
                                format!(
                                    "`severity.{k}` must be CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN"
                                ),
                            )
                        })?;
                }
            }
        }
        if let Some(list) = doc.get("ignore_packages") {
            for item in seq(list, "ignore_packages", origin)? {
                let Some(s) = item.scalar() else {
                    return Err(PolicyError::parse(
                        origin,
                        Some(item.span.start.line),
                        "`ignore_packages` entries are purl globs",
                    ));
                };
                p.ignore_packages.push(s);
            }
        }
        Ok(p)
    }

    fn severity_of(&self, a: Action) -> Severity {
        match a {
            Action::Deny => self.deny_severity,
            _ => self.warn_severity,
        }
    }

    /// Judge one license (with its exception): the action, the rule that decided, and whether
    /// it was an "unknown" verdict.
    fn judge_leaf(&self, id: &str, exception: Option<&str>) -> (Action, String, bool) {
        let full = match exception {
            Some(e) => format!("{id} WITH {e}"),
            None => id.to_string(),
        };
        let base = id.trim_end_matches('+');
        let lists = [
            (Action::Deny, &self.deny),
            (Action::Warn, &self.warn),
            (Action::Allow, &self.allow),
        ];
        // An explicit license rule beats a category rule (`allow: [LGPL-2.1-only]` with
        // `deny: [category: weak-copyleft]` allows LGPL-2.1-only), and a rule naming the
        // exception beats one naming the bare license.
        let full_l = full.to_ascii_lowercase();
        let id_l = id.to_ascii_lowercase();
        let base_l = base.to_ascii_lowercase();
        for with_rules in [true, false] {
            for (action, list) in lists {
                for r in list.iter() {
                    let Rule::License(pat) = r else { continue };
                    let pat = pat.to_ascii_lowercase();
                    let hit = if with_rules {
                        exception.is_some() && pat.contains(" with ") && glob_match(&pat, &full_l)
                    } else {
                        !pat.contains(" with ")
                            && (glob_match(&pat, &id_l) || glob_match(&pat, &base_l))
                    };
                    if hit {
                        return (action, r.describe(action), false);
                    }
                }
            }
        }
        let cat = category_with(base, exception);
        for (action, list) in lists {
            for r in list.iter() {
                if *r == Rule::Category(cat) {
                    return (action, r.describe(action), false);
                }
            }
        }
        if cat == Category::Unknown {
            return (
                self.unknown,
                format!(
                    "unknown: {} ({full} is not a recognised license)",
                    self.unknown.as_str()
                ),
                true,
            );
        }
        if !self.allow.is_empty() {
            return (
                self.unknown,
                format!(
                    "unknown: {} ({full} is not on the allow list)",
                    self.unknown.as_str()
                ),
                true,
            );
        }
        (Action::Allow, String::new(), false)
    }

    /// Judge an expression: `OR` takes the best branch, `AND` the worst part.
    fn judge(&self, e: &Expr) -> (Action, String, bool) {
        match e {
            Expr::Leaf { id, exception } => self.judge_leaf(id, exception.as_deref()),
            // The first branch wins ties, so the rule reported is the leftmost deciding one.
            Expr::Or(items) => items
                .iter()
                .map(|i| self.judge(i))
                .reduce(|best, x| if x.0 < best.0 { x } else { best })
                .unwrap_or((Action::Allow, String::new(), false)),
            Expr::And(items) => items
                .iter()
                .map(|i| self.judge(i))
                .reduce(|worst, x| if x.0 > worst.0 { x } else { worst })
                .unwrap_or((Action::Allow, String::new(), false)),
        }
    }

    /// Evaluate every package's licenses and push a [`LicenseFinding`] for each package the
    /// policy denies or warns about (unknown licenses as `unknown` says). A package's license
    /// list is read as alternatives for npm and gems (their manifests list dual licenses) and as
    /// all-apply for everything else (a Debian copyright file lists the licenses of different
    /// files).
    pub fn evaluate(&self, report: &mut ScanReport) {
        let mut found = Vec::new();
        for p in &report.packages {
            if self
                .ignore_packages
                .iter()
                .any(|g| crate::purl::purl_glob(g, &p.purl))
            {
                continue;
            }
            let (license, action, rule, unknown) = if p.licenses.is_empty() {
                (
                    "NOASSERTION".to_string(),
                    self.no_license,
                    format!("no_license: {}", self.no_license.as_str()),
                    true,
                )
            } else {
                let items: Vec<Expr> = p.licenses.iter().map(|l| normalize_expr(l)).collect();
                let or = matches!(p.kind, PackageKind::Npm | PackageKind::Gem);
                let e = Expr::combine(or, items);
                let (a, r, u) = self.judge(&e);
                (e.render(), a, r, u)
            };
            if action == Action::Allow {
                continue;
            }
            let (layer, origin) = crate::layer_and_origin(report, p.layer);
            found.push(LicenseFinding {
                package: PackageRef::of(p),
                license,
                verdict: if unknown {
                    LicenseVerdict::Unknown
                } else if action == Action::Deny {
                    LicenseVerdict::Deny
                } else {
                    LicenseVerdict::Warn
                },
                rule,
                severity: self.severity_of(action),
                layer,
                origin,
                suppression: None,
            });
        }
        report.licenses.extend(found);
    }
}

fn seq<'a>(n: &'a Node, k: &str, origin: &str) -> Result<&'a [Node], PolicyError> {
    match &n.value {
        Value::Seq(items) => Ok(items),
        Value::Null => Ok(&[]),
        _ => Err(PolicyError::parse(
            origin,
            Some(n.span.start.line),
            format!("`{k}` must be a list"),
        )),
    }
}

fn rules(n: Option<&Node>, k: &str, origin: &str) -> Result<Vec<Rule>, PolicyError> {
    let Some(n) = n else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in seq(n, k, origin)? {
        let line = Some(item.span.start.line);
        if item.is_map() {
            crate::check_keys(item, &["category"], origin)?;
            let c = item
                .get("category")
                .and_then(Node::scalar)
                .unwrap_or_default();
            let cat = Category::parse(&c).ok_or_else(|| {
                PolicyError::parse(
                    origin,
                    line,
                    format!("unknown category `{c}` (permissive, weak-copyleft, strong-copyleft, network-copyleft, public-domain, proprietary, unknown)"),
                )
            })?;
            out.push(Rule::Category(cat));
            continue;
        }
        let Some(s) = item.scalar() else {
            return Err(PolicyError::parse(
                origin,
                line,
                format!("`{k}` entries are SPDX ids, globs or `category: NAME`"),
            ));
        };
        let s = s.trim().to_string();
        if s.contains(['*', '?']) || s.starts_with("LicenseRef-") {
            out.push(Rule::License(s));
            continue;
        }
        // A plain id must be one we know, so a typo does not silently match nothing.
        let norm = normalize(&s);
        if norm.starts_with("LicenseRef-")
            || norm == "NOASSERTION"
            || norm.contains(" OR ")
            || norm.contains(" AND ")
        {
            return Err(PolicyError::parse(
                origin,
                line,
                format!("`{s}` in `{k}` is not an SPDX license id (use a glob like `GPL-*`, or `LicenseRef-...`)"),
            ));
        }
        out.push(Rule::License(norm));
    }
    Ok(out)
}
