//! VEX: statements from a supplier about whether a vulnerability affects a product, read from
//! OpenVEX (v0.2.0 and the earlier v0.0.x shape), CycloneDX (1.4-1.6 `vulnerabilities[]` with
//! `analysis`) and CSAF 2.0 (`product_status` with `flags` / `threats`), normalised to one
//! statement model and applied to scan findings.

use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use bulwark_version::Scheme;

use bulwark_model::scan::{Notice, NoticeCode, NoticeLevel, ScanReport, VulnFinding};
use bulwark_model::Suppression;
use serde_json::Value;

use crate::purl::{covers, Purl};
use crate::PolicyError;

/// The document format a [`VexDocument`] was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexFormat {
    /// OpenVEX JSON.
    OpenVex,
    /// CycloneDX JSON (BOM or standalone VEX).
    CycloneDx,
    /// CSAF 2.0 JSON.
    Csaf,
}

/// A VEX status, in OpenVEX's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VexStatus {
    /// The product is not affected (needs a justification or impact statement to count).
    NotAffected,
    /// The product is affected.
    Affected,
    /// The product contains a fix.
    Fixed,
    /// Not known yet.
    UnderInvestigation,
}

impl VexStatus {
    /// OpenVEX spelling (`not_affected`).
    pub fn as_str(self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::Affected => "affected",
            VexStatus::Fixed => "fixed",
            VexStatus::UnderInvestigation => "under_investigation",
        }
    }
}

/// A product or component a statement names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductId {
    /// Identifier as written (`@id`, bom-ref, CSAF product id, name).
    pub id: String,
    /// Package URL, when the document gives one.
    pub purl: Option<String>,
    /// Set when the document says this is the described product itself (CycloneDX
    /// `metadata.component`): the statement then covers the whole image.
    pub is_subject: bool,
}

/// One normalised statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Vulnerability id (CVE, GHSA...).
    pub vulnerability: String,
    /// Other ids of the vulnerability.
    pub aliases: Vec<String>,
    /// The products the statement is about.
    pub products: Vec<ProductId>,
    /// Components of the products the statement narrows to (empty: the products themselves).
    pub subcomponents: Vec<ProductId>,
    /// Status.
    pub status: VexStatus,
    /// Machine-readable justification (`vulnerable_code_not_present`, `code_not_reachable`...).
    pub justification: Option<String>,
    /// Free-text impact statement (why not affected).
    pub impact: Option<String>,
    /// Other notes (status notes, action statement, remediation).
    pub notes: Option<String>,
    /// When the statement was made (RFC 3339), used to let the newest statement win.
    pub timestamp: Option<String>,
    /// Red Hat platform major release the statement is limited to (from the CSAF platform's
    /// CPE, `cpe:/o:redhat:enterprise_linux:8`).
    pub rhel_release: Option<String>,
    /// Versions the statement is limited to (CycloneDX `affects[].versions`): the finding's
    /// package must be one of them (or, for `fixed`, at or after an exact one) or inside a range.
    pub versions: Option<Vec<VersionSpec>>,
}

/// One entry of a statement's version list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    /// An exact version (CycloneDX `version`).
    Exact(String),
    /// A `vers:` range as written (CycloneDX `range`), evaluated when the statement is applied.
    Range(String),
}

/// How a statement relates to one finding.
enum Verdict {
    /// The statement applies.
    Applies,
    /// It does not.
    No,
    /// It names the finding's vulnerability and package, but its only version limits are
    /// ranges that could not be evaluated (the message says which and why).
    RangeNotEvaluated(String),
}

/// A parsed VEX document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDocument {
    /// Where it came from.
    pub origin: String,
    /// Format it was read from.
    pub format: VexFormat,
    /// Author / publisher, used as the suppression's owner.
    pub author: Option<String>,
    /// Statements in document order.
    pub statements: Vec<Statement>,
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
}

fn arr<'a>(v: &'a Value, k: &str) -> &'a [Value] {
    v.get(k)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

impl VexDocument {
    /// Read and parse a VEX file (format detected from the content).
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let text = crate::read_file(path)?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parse VEX JSON; `origin` names the text in errors and suppression reasons.
    pub fn parse(text: &str, origin: &str) -> Result<Self, PolicyError> {
        let trimmed = text.trim_start();
        if trimmed.starts_with('<') {
            return Err(PolicyError::UnknownVexFormat {
                origin: origin.to_string(),
                reason: "XML (CycloneDX XML is not supported; use the JSON form)".to_string(),
            });
        }
        let v: Value = serde_json::from_str(text).map_err(|e| {
            PolicyError::parse(
                origin,
                u32::try_from(e.line()).ok(),
                format!("invalid JSON: {e}"),
            )
        })?;
        if v.get("@context")
            .and_then(Value::as_str)
            .is_some_and(|c| c.contains("openvex"))
            || (v.get("statements").is_some() && v.get("@id").is_some())
        {
            return parse_openvex(&v, origin);
        }
        if v.get("bomFormat").and_then(Value::as_str) == Some("CycloneDX") {
            return parse_cyclonedx(&v, origin);
        }
        if v.pointer("/document/csaf_version").is_some() {
            return parse_csaf(&v, origin);
        }
        Err(PolicyError::UnknownVexFormat {
            origin: origin.to_string(),
            reason: "JSON without an OpenVEX `@context`, a CycloneDX `bomFormat` or a CSAF `document.csaf_version`".to_string(),
        })
    }

    /// Apply the statements to the report's vulnerability findings. `not_affected` (with a
    /// justification or impact statement) and `fixed` suppress (kind `vex`);
    /// `under_investigation` leaves the finding active with a note; `affected` changes nothing.
    /// When several statements match one finding the newest wins (document order breaks ties).
    pub fn apply(&self, report: &mut ScanReport) {
        let target = TargetIds::of(report);
        let sources: HashMap<(String, String), Option<String>> = report
            .packages
            .iter()
            .filter_map(|p| {
                p.source
                    .as_ref()
                    .map(|s| ((p.purl.clone(), p.found_in.clone()), s.version.clone()))
            })
            .collect();
        let rhel = report.target.distro.as_ref().and_then(|d| {
            (d.family == "redhat")
                .then(|| d.release.clone().or(d.version_id.clone()))
                .flatten()
                .map(|r| r.split('.').next().unwrap_or("").to_string())
        });
        let (mut suppressed, mut investigating, mut unjustified) = (0usize, 0usize, Vec::new());
        let mut unevaluated: BTreeSet<String> = BTreeSet::new();
        for f in report.vulnerabilities.iter_mut() {
            let src_version = sources
                .get(&(f.package.purl.clone(), f.package.found_in.clone()))
                .cloned()
                .flatten();
            let mut best: Option<&Statement> = None;
            for st in &self.statements {
                match st.matches(f, &target, src_version.as_deref(), rhel.as_deref()) {
                    Verdict::Applies => {}
                    Verdict::No => continue,
                    Verdict::RangeNotEvaluated(why) => {
                        unevaluated.insert(format!(
                            "{} in {} {}: {why}",
                            f.id, f.package.name, f.package.version
                        ));
                        continue;
                    }
                }
                let newer = match (&best, &st.timestamp) {
                    (None, _) => true,
                    (Some(b), Some(t)) => b.timestamp.as_deref().is_none_or(|bt| t.as_str() >= bt),
                    (Some(b), None) => b.timestamp.is_none(),
                };
                if newer {
                    best = Some(st);
                }
            }
            let Some(st) = best else { continue };
            match st.status {
                VexStatus::NotAffected | VexStatus::Fixed => {
                    let why: Vec<&str> = [&st.justification, &st.impact, &st.notes]
                        .into_iter()
                        .filter_map(|x| x.as_deref())
                        .take(if st.status == VexStatus::Fixed { 3 } else { 2 })
                        .collect();
                    if st.status == VexStatus::NotAffected && why.is_empty() {
                        unjustified.push(format!("{} in {}", f.id, f.package.name));
                        continue;
                    }
                    if f.suppression.is_some() {
                        continue;
                    }
                    let reason = if why.is_empty() {
                        format!("{} ({})", st.status.as_str(), self.origin)
                    } else {
                        format!(
                            "{}: {} ({})",
                            st.status.as_str(),
                            why.join("; "),
                            self.origin
                        )
                    };
                    f.suppression = Some(Suppression {
                        kind: "vex".to_string(),
                        reason,
                        owner: self.author.clone(),
                        expires: None,
                    });
                    suppressed += 1;
                }
                VexStatus::UnderInvestigation => {
                    let n = format!("VEX ({}): under investigation", self.origin);
                    f.note = Some(match f.note.take() {
                        Some(old) if !old.is_empty() => format!("{old}; {n}"),
                        _ => n,
                    });
                    investigating += 1;
                }
                VexStatus::Affected => {}
            }
        }
        if suppressed > 0 || investigating > 0 {
            report.notices.push(Notice {
                level: NoticeLevel::Info,
                code: NoticeCode::VexApplied,
                message: format!(
                    "{}: {suppressed} finding(s) marked not affected or fixed, {investigating} under investigation",
                    self.origin
                ),
            });
        }
        if !unevaluated.is_empty() {
            report.notices.push(Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::VexRangeNotEvaluated,
                message: format!(
                    "{}: statement(s) limited to version ranges that could not be evaluated are not applied ({})",
                    self.origin,
                    unevaluated.into_iter().collect::<Vec<_>>().join(", ")
                ),
            });
        }
        if !unjustified.is_empty() {
            report.notices.push(Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::VexMissingJustification,
                message: format!(
                    "{}: not_affected without a justification or impact statement is not applied ({})",
                    self.origin,
                    unjustified.join(", ")
                ),
            });
        }
    }
}

/// What identifies the scanned image.
struct TargetIds {
    names: Vec<String>,
    digests: Vec<String>,
    /// Lower-case names of the image's distribution release as purl `distro` qualifiers spell
    /// them (`jammy`, `ubuntu-22.04`, `debian-12`, `bookworm`, `rhel-9.3`...).
    distro: Vec<String>,
}

impl TargetIds {
    fn of(report: &ScanReport) -> Self {
        let t = &report.target;
        let mut names = vec![t.name.clone()];
        names.extend(t.names.iter().cloned());
        let digests = [&t.image_id, &t.manifest_digest]
            .into_iter()
            .flatten()
            .map(|d| d.to_ascii_lowercase())
            .collect();
        let mut distro = Vec::new();
        if let Some(d) = &t.distro {
            let id = d.id.to_ascii_lowercase();
            for v in [&d.version_id, &d.release].into_iter().flatten() {
                distro.push(format!("{id}-{}", v.to_ascii_lowercase()));
                distro.push(v.to_ascii_lowercase());
            }
            if let Some(c) = &d.codename {
                distro.push(c.to_ascii_lowercase());
            }
        }
        TargetIds {
            names,
            digests,
            distro,
        }
    }

    /// Whether a statement's `distro` qualifier names the release of the installed package
    /// (its own `distro` qualifier) or of the scanned image. `esm-infra-legacy/trusty` is read
    /// as `trusty`.
    fn same_release(&self, statement_distro: &str, package_distro: Option<&str>) -> bool {
        let want = statement_distro.to_ascii_lowercase();
        let want = want.rsplit('/').next().unwrap_or(&want);
        package_distro.is_some_and(|p| p.eq_ignore_ascii_case(want))
            || self.distro.iter().any(|d| d == want)
    }

    fn has_digest(&self, d: &str) -> bool {
        let d = d.to_ascii_lowercase();
        let d = if d.contains(':') {
            d
        } else {
            format!("sha256:{d}")
        };
        self.digests.contains(&d)
    }

    /// Whether `p` names the scanned image: `Some(true)` yes, `Some(false)` it names an image
    /// but another one, `None` it does not name an image (a package, a platform...).
    fn identifies(&self, p: &ProductId) -> Option<bool> {
        if p.is_subject {
            return Some(true);
        }
        let candidates = p.purl.iter().chain(std::iter::once(&p.id));
        let mut image_like = false;
        for c in candidates {
            if let Some(purl) = Purl::parse(c) {
                if purl.ty != "oci" && purl.ty != "docker" {
                    continue;
                }
                image_like = true;
                if let Some(v) = &purl.version {
                    if v.contains("sha256:") && self.has_digest(v) {
                        return Some(true);
                    }
                }
                let repo = if purl.namespace.is_empty() {
                    purl.name.clone()
                } else {
                    format!("{}/{}", purl.namespace, purl.name)
                };
                let hit = self.names.iter().any(|n| {
                    let (path, tag) = split_ref(n);
                    let name_ok = path == repo || path.ends_with(&format!("/{repo}"));
                    let version_ok = match &purl.version {
                        None => true,
                        Some(v) if v.contains("sha256:") => false,
                        Some(v) => tag.as_deref() == Some(v.as_str()),
                    };
                    name_ok && version_ok
                });
                if hit {
                    return Some(true);
                }
            } else if !c.starts_with("pkg:") && !c.starts_with("cpe:") {
                if self.names.iter().any(|n| n == c) {
                    return Some(true);
                }
                if let Some(i) = c.find("sha256:") {
                    image_like = true;
                    if self.has_digest(c.get(i..).unwrap_or("")) {
                        return Some(true);
                    }
                }
            }
        }
        image_like.then_some(false)
    }
}

/// `registry/path/name:tag@digest` to (`registry/path/name`, tag).
fn split_ref(r: &str) -> (String, Option<String>) {
    let r = r.split('@').next().unwrap_or(r);
    let last_slash = r.rfind('/').map(|i| i + 1).unwrap_or(0);
    match r.get(last_slash..).and_then(|t| t.rfind(':')) {
        Some(c) => (
            r.get(..last_slash + c).unwrap_or(r).to_string(),
            r.get(last_slash + c + 1..).map(String::from),
        ),
        None => (r.to_string(), None),
    }
}

impl Statement {
    fn names_vuln(&self, f: &VulnFinding) -> bool {
        let ids: Vec<&String> = std::iter::once(&self.vulnerability)
            .chain(&self.aliases)
            .collect();
        std::iter::once(&f.id)
            .chain(&f.aliases)
            .any(|fid| ids.iter().any(|i| i.eq_ignore_ascii_case(fid)))
    }

    fn covers_package(
        &self,
        p: &ProductId,
        f: &VulnFinding,
        src_version: Option<&str>,
        target: &TargetIds,
    ) -> bool {
        let raw = p.purl.as_deref().unwrap_or(p.id.as_str());
        let Some(pattern) = Purl::parse(raw) else {
            return false;
        };
        let Some(pkg) = Purl::parse(&f.package.purl) else {
            return false;
        };
        let source = f.package.source_name.as_deref().map(|n| (n, src_version));
        if covers(&pattern, &pkg, source) {
            return true;
        }
        // `fixed` at version X also covers later versions of the same package line. A
        // statement naming another release of the distribution (`distro=` qualifier) is not
        // about this line: Ubuntu's fix in bionic says nothing about jammy's older package.
        let Some(want) = pattern.version.as_deref() else {
            return false;
        };
        if self.status != VexStatus::Fixed {
            return false;
        }
        if let Some(d) = pattern.qualifier("distro") {
            if !target.same_release(d, pkg.qualifier("distro")) {
                return false;
            }
        }
        let mut bare = pattern.clone();
        bare.version = None;
        if !covers(&bare, &pkg, source) {
            return false;
        }
        // Which installed version the identity matched: the binary's own, or (for a source
        // package pattern) the source package's.
        let mut installed = Vec::new();
        if pattern.name == pkg.name {
            installed.extend(pkg.version.as_deref());
        }
        if pattern.is_source() && source.is_some_and(|(n, _)| n == pattern.name) {
            installed.extend(src_version.or(pkg.version.as_deref()));
        }
        let installed_epoch = pkg.qualifier("epoch");
        let want_epoch = pattern.qualifier("epoch").or(installed_epoch);
        installed.into_iter().any(|have| {
            at_or_after(
                &pattern.ty,
                &with_epoch(&pattern.ty, have, installed_epoch),
                &with_epoch(&pattern.ty, want, want_epoch),
            )
        })
    }

    /// Whether the finding's installed version is in the statement's version list.
    fn version_listed(&self, f: &VulnFinding, versions: &[VersionSpec]) -> Verdict {
        let pkg = Purl::parse(&f.package.purl);
        let ty = pkg.as_ref().map(|p| p.ty.clone()).unwrap_or_default();
        let epoch = pkg
            .as_ref()
            .and_then(|p| p.qualifier("epoch"))
            .map(String::from);
        let installed = with_epoch(&ty, &f.package.version, epoch.as_deref());
        let mut unevaluated = Vec::new();
        for v in versions {
            match v {
                VersionSpec::Exact(x) => {
                    let x = with_epoch(&ty, x, epoch.as_deref());
                    let hit = x == installed
                        || (self.status == VexStatus::Fixed && at_or_after(&ty, &installed, &x));
                    if hit {
                        return Verdict::Applies;
                    }
                }
                VersionSpec::Range(r) => {
                    match VersRange::parse(r).and_then(|range| match Scheme::for_purl_type(&ty) {
                        Some(s) if s != range.scheme => Err(format!(
                            "its scheme orders versions as {}, the package as {s}",
                            range.scheme
                        )),
                        _ => range.contains(&installed),
                    }) {
                        Ok(true) => return Verdict::Applies,
                        Ok(false) => {}
                        Err(e) => unevaluated.push(format!("`{r}` ({e})")),
                    }
                }
            }
        }
        if unevaluated.is_empty() {
            Verdict::No
        } else {
            Verdict::RangeNotEvaluated(unevaluated.join("; "))
        }
    }

    fn matches(
        &self,
        f: &VulnFinding,
        target: &TargetIds,
        src_version: Option<&str>,
        rhel: Option<&str>,
    ) -> Verdict {
        if !self.names_vuln(f) {
            return Verdict::No;
        }
        if let (Some(want), Some(have)) = (&self.rhel_release, rhel) {
            if want != have {
                return Verdict::No;
            }
        }
        if !self.covers_finding(f, target, src_version) {
            return Verdict::No;
        }
        match &self.versions {
            Some(versions) => self.version_listed(f, versions),
            None => Verdict::Applies,
        }
    }

    fn covers_finding(
        &self,
        f: &VulnFinding,
        target: &TargetIds,
        src_version: Option<&str>,
    ) -> bool {
        if self.subcomponents.is_empty() {
            self.products.iter().any(|p| {
                self.covers_package(p, f, src_version, target) || target.identifies(p) == Some(true)
            })
        } else {
            let product_ok = self.products.is_empty()
                || self
                    .products
                    .iter()
                    .any(|p| target.identifies(p) != Some(false));
            product_ok
                && self
                    .subcomponents
                    .iter()
                    .any(|c| self.covers_package(c, f, src_version, target))
        }
    }
}

// ---------------------------------------------------------------- versions

/// An rpm version with its epoch (`E:V-R`) when the purl gives the epoch as a qualifier;
/// other types carry the epoch in the version itself.
fn with_epoch(ty: &str, version: &str, epoch: Option<&str>) -> String {
    match epoch {
        Some(e) if ty == "rpm" && !version.contains(':') => format!("{e}:{version}"),
        _ => version.to_string(),
    }
}

/// Whether `installed` is `fixed` or later in the purl type's version order. When the type
/// has no known order or either version does not parse, only the exact same text counts.
fn at_or_after(ty: &str, installed: &str, fixed: &str) -> bool {
    match Scheme::for_purl_type(ty).map(|s| s.compare(installed, fixed)) {
        Some(Ok(o)) => o != Ordering::Less,
        _ => installed == fixed,
    }
}

/// A comparator of a `vers:` constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A parsed `vers:` range (purl-spec VERSION-RANGE-SPEC): `*`, or constraints sorted by version.
#[derive(Debug)]
struct VersRange {
    scheme: Scheme,
    /// `None`: `*`, every version.
    constraints: Option<Vec<(Cmp, String)>>,
}

impl VersRange {
    /// Parse `vers:<scheme>/<constraint>|...`. The scheme is a purl type (`deb`, `pypi`,
    /// `npm`...) or `semver`; every constraint's version must parse under it.
    fn parse(text: &str) -> Result<VersRange, String> {
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
    fn contains(&self, version: &str) -> Result<bool, String> {
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

// ---------------------------------------------------------------- OpenVEX

fn openvex_product(v: &Value) -> ProductId {
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

fn parse_openvex(v: &Value, origin: &str) -> Result<VexDocument, PolicyError> {
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

// ---------------------------------------------------------------- CycloneDX

fn collect_components(list: &[Value], refs: &mut HashMap<String, Option<String>>) {
    for c in list {
        if let Some(r) = s(c, "bom-ref") {
            refs.insert(r, s(c, "purl"));
        }
        collect_components(arr(c, "components"), refs);
    }
}

fn parse_cyclonedx(v: &Value, origin: &str) -> Result<VexDocument, PolicyError> {
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

// ---------------------------------------------------------------- CSAF

#[derive(Default, Clone)]
struct CsafProduct {
    name: Option<String>,
    purl: Option<String>,
    cpe: Option<String>,
}

fn csaf_helper(p: &Value) -> CsafProduct {
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

fn csaf_branches(list: &[Value], out: &mut HashMap<String, CsafProduct>) {
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
fn rhel_release(cpe: &str) -> Option<String> {
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

fn parse_csaf(v: &Value, origin: &str) -> Result<VexDocument, PolicyError> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_cpes() {
        assert_eq!(
            split_ref("ghcr.io/acme/app:1.2@sha256:ab"),
            ("ghcr.io/acme/app".to_string(), Some("1.2".to_string()))
        );
        assert_eq!(
            split_ref("localhost:5000/app"),
            ("localhost:5000/app".to_string(), None)
        );
        assert_eq!(
            rhel_release("cpe:/o:redhat:enterprise_linux:8").as_deref(),
            Some("8")
        );
        assert_eq!(
            rhel_release("cpe:/a:redhat:rhel_eus:8.6::baseos").as_deref(),
            Some("8")
        );
        assert_eq!(rhel_release("cpe:/a:redhat:openshift:4.16::el9"), None);
    }
}
