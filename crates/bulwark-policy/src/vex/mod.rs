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

mod csaf;
mod cyclonedx;
mod openvex;
mod versions;

use csaf::*;
use cyclonedx::*;
use openvex::*;
use versions::*;

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
        let text = crate::read_file(path, bulwark_input::DocKind::Vex)?;
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
