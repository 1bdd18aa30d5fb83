//! Bulwark's matcher: an inventory (a [`ScanReport`]'s packages) against the advisory database,
//! giving vulnerability findings.
//!
//! # What it does
//!
//! [`match_report`] fills [`ScanReport::vulnerabilities`], [`ScanReport::database`] and adds
//! [`Notice`]s. Per package:
//!
//! - **Debian/Ubuntu**: looked up by *source* package in the release's ecosystem
//!   (`Debian:12`, `Ubuntu:22.04:LTS`, `Ubuntu:Pro:...` when the image is attached to Ubuntu
//!   Pro/ESM), compared as the *source* version with dpkg ordering (a binNMU binary
//!   `1.2-3+b1` is the source `1.2-3`, as Trivy and Grype do). The tracker's status per release
//!   becomes the finding's [`FixStatus`]: a fixed version above the installed one gives `fixed`,
//!   `open` gives `affected`, `no-dsa`/`ignored`/`end-of-life` are kept; `not-affected` and
//!   fixed-at-or-below give nothing.
//! - **Alpine/Wolfi**: the origin package against `Alpine:vX.Y` (or `Wolfi`) secdb entries.
//!   Packages pinned to a tagged repository (`/etc/apk/world` `name@tag`, recorded by
//!   `bulwark-os` as the `repository_tag` and `repository` metadata) are third-party and not
//!   matched, unless the tag's repository is the release's own branch (`.../v3.18/main` or
//!   `.../v3.18/community` on Alpine 3.18, on any mirror; `packages.wolfi.dev` on Wolfi): `@edge`,
//!   `@testing` and other vendors' repositories are not covered by the release's secdb. They are
//!   counted in the same notice as third-party rpms. Dependencies apk pulled in from a tagged
//!   repository for a pinned package are not known (apk does not record them) and are matched.
//! - **RPM distributions**: binary and source rpm names against the release's feeds (AlmaLinux
//!   and Rocky OSV, Red Hat CSAF VEX under every `Red Hat:enterprise_linux:N...` stream),
//!   `epoch:version-release` compared with rpm ordering. Packages whose rpm `Vendor` is not the
//!   distribution's are third-party and not matched (counted in a notice).
//! - **Language packages**: OSV ranges (and explicit version lists) in the ecosystem's ordering,
//!   names compared as the store folds them (`bulwark_vulndb::store::canonical_name`: PEP 503
//!   for PyPI, lower case for Packagist and NuGet). Go's
//!   `stdlib` and the `go` toolchain binary against govulndb's `stdlib`/`toolchain`.
//!
//! Advisories that alias each other (GHSA = CVE = PYSEC = distro id) become one finding whose
//! id is the CVE when there is one. Distribution advisories that bundle several CVEs (DSA, DLA,
//! RHSA, ALSA, RLSA, USN) never merge distinct CVEs: they are expanded to one finding per CVE,
//! or only name the fix ([`VulnFinding::fix_advisories`]) when a per-CVE record already covers
//! the CVE. Withdrawn advisories and RustSec informational notices (unmaintained, unsound) are
//! not findings.
//!
//! Severity: the vendor's word first (distribution tracker / Red Hat impact / Ubuntu priority /
//! GHSA), then NVD's CVSS, then any CVSS score or vector (v2 and v3 scores are computed from the
//! vector when the feed gives none; v4 only when scored); the source is recorded.
//!
//! # What it does not do
//!
//! No CPE matching (runtimes found outside package managers other than Go have no feed in the
//! store), no GIT-range evaluation, no reachability (Go symbol-level) analysis, no policy
//! (filters and exceptions are `bulwark-policy`'s).

#![warn(missing_docs)]

mod apk;
mod cvss;
mod evaluate;
mod merge;
mod notices;
mod severity;
mod target;

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;

use bulwark_catalog::{Package, PackageKind, Warning};
use bulwark_model::scan::{
    Cvss, DatabaseInfo, Epss, FixStatus, LayerRef, Notice, NoticeCode, NoticeLevel, Origin,
    PackageRef, ScanReport, VulnFinding,
};
use bulwark_model::Severity;
use bulwark_version::{OsvRange, RangeType, Scheme};
use bulwark_vulndb::{
    AdvisoryId, Affected, AffectedRecord, Db, Enrichment, Event, IdKind, SeverityKind, Status,
    StoreError,
};

pub use cvss::{base_score as cvss_base_score, rating as cvss_rating};

use apk::*;
use evaluate::*;
use merge::*;
use notices::*;
use target::{Plan, Query, Skip};

/// Options of one matching run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchOptions {
    /// "Now" as Unix seconds: the reference for the database's age and end-of-life dates.
    pub now_unix: i64,
    /// A database older than this many days gets a `stale-database` warning.
    pub max_db_age_days: i64,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            now_unix: bulwark_vulndb::store::now_unix(),
            max_db_age_days: 7,
        }
    }
}

/// Matching errors. Version strings that do not parse are not errors: the package or record is
/// skipped and a [`Warning`] says so.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    /// The advisory database could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn is_bundle(id: &str) -> bool {
    AdvisoryId::parse(id).is_bundle()
}

fn is_cve(id: &str) -> bool {
    AdvisoryId::parse(id).is_cve()
}

/// Ids that name the same vulnerability implicitly (`UBUNTU-CVE-2021-3782` is
/// `CVE-2021-3782`).
fn implicit_alias(id: &str) -> Option<String> {
    AdvisoryId::parse(id).implicit_alias().map(str::to_string)
}

/// Fill `report.vulnerabilities` (sorted by severity, highest first, then package name, then
/// id), `report.database` and the scan notices from `db`.
pub fn match_report(
    report: &mut ScanReport,
    db: &Db,
    opts: &MatchOptions,
) -> Result<(), MatchError> {
    let (built_at, db_sources) = db.provenance()?;
    let age_days = (opts.now_unix - built_at).max(0).div_euclid(86_400);
    let mut sources: Vec<String> = db_sources
        .iter()
        .map(|s| format!("{}:{}", s.kind, s.name))
        .collect();
    sources.sort();
    report.database = Some(DatabaseInfo {
        path: db.path().display().to_string(),
        built_at: bulwark_vulndb::store::format_unix(built_at),
        age_days,
        sources,
    });
    let mut notices = Vec::new();
    if age_days > opts.max_db_age_days {
        notices.push(Notice {
            level: NoticeLevel::Warning,
            code: NoticeCode::StaleDatabase,
            message: format!(
                "the advisory database is {age_days} days old (built {}; the bound is {} days): \
                 vulnerabilities published since are missing; run `bulwark db update`",
                bulwark_vulndb::store::format_unix(built_at),
                opts.max_db_age_days
            ),
        });
    }

    let has_os = report.packages.iter().any(|p| p.kind.is_os());
    // Distinct ecosystems in the store: needed to find Red Hat's per-stream ecosystems and to
    // tell "no advisories for this release" from "nothing affects it".
    let ecosystems: Vec<String> = db.ecosystems()?;
    let distro = report.target.distro.clone();
    let distro_ecos = distro.as_ref().map(target::distro_ecosystems);
    if let Some(d) = &distro {
        if let Some(message) = eol_message(d, opts.now_unix) {
            notices.push(Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::EolRelease,
                message,
            });
        }
    }
    if has_os {
        match (&distro, &distro_ecos) {
            (None, _) => notices.push(Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::UnsupportedDistro,
                message: "no operating system release was detected: OS packages were not \
                          matched against any distribution's advisories"
                    .into(),
            }),
            (Some(d), Some(e)) if e.scheme.is_none() => notices.push(Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::UnsupportedDistro,
                message: format!(
                    "{} is not a distribution Bulwark has advisories for: its OS packages were \
                     not matched",
                    distro_name(d)
                ),
            }),
            (Some(d), Some(e)) if !ecosystems.iter().any(|x| target::ecosystem_applies(e, x)) => {
                notices.push(Notice {
                    level: NoticeLevel::Warning,
                    code: NoticeCode::NoAdvisoriesForDistro,
                    message: format!(
                        "the advisory database has no advisories for {} ({}): its OS \
                             packages could not be checked; add the distribution's feed",
                        distro_name(d),
                        e.exact
                            .iter()
                            .chain(e.prefixes.iter())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                });
            }
            _ => {}
        }
    }

    let mut m = Matcher {
        db,
        cache: HashMap::new(),
        enrichment: HashMap::new(),
    };
    let base_layers = report.target.base_image.as_ref().and_then(|b| b.layers);
    let mut findings = Vec::new();
    let mut third_party = 0usize;
    let mut warnings = Vec::new();
    let mut missing_ecosystems: BTreeMap<&'static str, usize> = BTreeMap::new();
    for p in &report.packages {
        let plan = match target::plan(p, distro_ecos.as_ref(), &ecosystems) {
            Ok(_) if apk_from_other_repository(p, distro.as_ref()) => {
                third_party += 1;
                continue;
            }
            Ok(plan) => plan,
            Err(Skip::ThirdParty) => {
                third_party += 1;
                continue;
            }
            Err(Skip::Unsupported | Skip::NotInstalled) => continue,
        };
        if let Some(eco) = p.kind.osv_ecosystem() {
            if !ecosystems.iter().any(|e| e == eco) {
                *missing_ecosystems.entry(eco).or_default() += 1;
            }
        }
        let layer = p.layer.map(|i| LayerRef::of(&report.target.layers, i));
        let origin = Origin::of_layer(p.layer, base_layers);
        let mut out = m.match_package(p, &plan, &mut warnings)?;
        for f in &mut out {
            f.layer = layer.clone();
            f.origin = origin;
        }
        findings.extend(out);
    }
    if third_party > 0 {
        notices.push(Notice {
            level: NoticeLevel::Info,
            code: NoticeCode::ThirdPartyPackages,
            message: format!(
                "{third_party} OS package(s) come from third-party repositories (rpm vendor not \
                 the distribution's, or apk pinned to a tagged repository outside the release's \
                 branch) and were not matched against the distribution's advisories"
            ),
        });
    }
    for (eco, n) in missing_ecosystems {
        notices.push(Notice {
            level: NoticeLevel::Info,
            code: NoticeCode::NoAdvisoriesForEcosystem,
            message: format!(
                "the advisory database has no {eco} advisories: {n} {eco} package(s) could not \
                 be checked"
            ),
        });
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.package.name.cmp(&b.package.name))
            .then_with(|| a.id.cmp(&b.id))
            .then_with(|| a.package.version.cmp(&b.package.version))
            .then_with(|| a.package.found_in.cmp(&b.package.found_in))
    });
    report.vulnerabilities = findings;
    report.notices.extend(notices);
    report.warnings.extend(warnings);
    Ok(())
}

/// One advisory's verdict on one package, before alias merging.
#[derive(Debug, Clone)]
struct Candidate {
    keys: BTreeSet<String>,
    source: String,
    status: FixStatus,
    fixed: Vec<String>,
    fix_advisories: Vec<String>,
    note: Option<String>,
    summary: Option<String>,
    vendor: Option<(String, Severity)>,
    cvss: Vec<Cvss>,
}

struct Matcher<'a> {
    db: &'a Db,
    cache: HashMap<(String, String), Rc<Vec<AffectedRecord>>>,
    enrichment: HashMap<String, Option<Rc<Enrichment>>>,
}

/// RustSec informational advisories (unmaintained, unsound, notice) are warnings, not
/// vulnerabilities (cargo-audit reports them apart).
fn is_informational(rec: &AffectedRecord) -> bool {
    rec.affected
        .database_specific
        .as_ref()
        .and_then(|d| d.get("informational"))
        .is_some_and(|v| !v.is_null())
}

fn sort_versions(scheme: Scheme, v: &mut [String]) {
    v.sort_by(|a, b| scheme.compare(a, b).unwrap_or_else(|_| a.cmp(b)));
}

const VENDOR_ORDER: [&str; 5] = ["debian", "ubuntu", "redhat", "alpine", "ghsa"];

fn vendor_rank(source: &str) -> usize {
    VENDOR_ORDER
        .iter()
        .position(|v| *v == source)
        .unwrap_or(VENDOR_ORDER.len())
}

fn status_rank(s: FixStatus) -> usize {
    match s {
        FixStatus::Fixed => 0,
        FixStatus::NoDsa => 1,
        FixStatus::Deferred => 2,
        FixStatus::WillNotFix => 3,
        FixStatus::Ignored => 4,
        FixStatus::EndOfLife => 5,
        FixStatus::Affected => 6,
        FixStatus::Unknown => 7,
    }
}

fn reference_for(id: &str, debian: bool) -> Option<String> {
    AdvisoryId::parse(id).reference_url(debian)
}

impl Matcher<'_> {
    fn lookup(&mut self, q: &Query) -> Result<Rc<Vec<AffectedRecord>>, StoreError> {
        let key = (q.ecosystem.clone(), q.name.clone());
        if let Some(r) = self.cache.get(&key) {
            return Ok(r.clone());
        }
        let recs = Rc::new(self.db.affected(&q.ecosystem, &q.name)?);
        self.cache.insert(key, recs.clone());
        Ok(recs)
    }

    /// CVEs a bundle advisory fixes: its aliases, else its `related` ids (AlmaLinux and Rocky
    /// OSV list the CVEs there). Both come with the record, sorted and distinct.
    fn bundle_cves(rec: &AffectedRecord) -> Vec<&String> {
        let from_aliases: Vec<&String> = rec.aliases.iter().filter(|a| is_cve(a)).collect();
        if !from_aliases.is_empty() {
            return from_aliases;
        }
        rec.related.iter().filter(|r| is_cve(r)).collect()
    }

    fn enrichment(&mut self, cve: &str) -> Result<Option<Rc<Enrichment>>, StoreError> {
        if let Some(e) = self.enrichment.get(cve) {
            return Ok(e.clone());
        }
        let e = self.db.enrichment(cve)?.map(Rc::new);
        self.enrichment.insert(cve.to_string(), e.clone());
        Ok(e)
    }

    fn candidate(
        rec: &AffectedRecord,
        keys: BTreeSet<String>,
        status: FixStatus,
        fixed: Vec<String>,
    ) -> Candidate {
        let mut vendor = None;
        if let (Some(word), Some(v)) = (
            rec.affected.severity.as_deref(),
            severity::feed_vendor(&rec.source),
        ) {
            if let Some(s) = severity::vendor_word(v, word) {
                vendor = Some((v.to_string(), s));
            }
        }
        if vendor.is_none() {
            let mut best: Option<(String, Severity)> = None;
            for s in rec
                .severities
                .iter()
                .filter(|s| s.kind == SeverityKind::Vendor)
            {
                if let Some(sev) = severity::vendor_word(&s.source, &s.value) {
                    if best
                        .as_ref()
                        .is_none_or(|(b, _)| vendor_rank(&s.source) < vendor_rank(b))
                    {
                        best = Some((s.source.clone(), sev));
                    }
                }
            }
            vendor = best;
        }
        Candidate {
            keys,
            source: rec.source.clone(),
            status,
            fixed,
            fix_advisories: rec.affected.fix_advisory.iter().cloned().collect(),
            note: rec.affected.note.clone(),
            summary: rec.summary.clone(),
            vendor,
            cvss: rec
                .severities
                .iter()
                .filter_map(severity::to_cvss)
                .collect(),
        }
    }

    fn match_package(
        &mut self,
        p: &Package,
        plan: &Plan,
        warnings: &mut Vec<Warning>,
    ) -> Result<Vec<VulnFinding>, StoreError> {
        if plan.queries.is_empty() {
            return Ok(Vec::new());
        }
        if let Err(e) = plan.scheme.validate(&plan.version) {
            // `(devel)` Go main modules and similar carry no comparable version: not an error.
            if p.version != "(devel)" {
                warnings.push(Warning {
                    cataloger: "matcher".into(),
                    path: p.found_in.clone(),
                    message: format!("{} {}: not matched: {e}", p.name, p.version),
                });
            }
            return Ok(Vec::new());
        }
        let mut records: Vec<Rc<Vec<AffectedRecord>>> = Vec::new();
        for q in &plan.queries {
            records.push(self.lookup(q)?);
        }
        let mut memo = VersionMemo::new(&plan.version);
        let mut candidates: Vec<Candidate> = Vec::new();
        let mut covered: HashSet<String> = HashSet::new();
        let mut per_vuln = false;
        let mut bundles: Vec<&AffectedRecord> = Vec::new();
        let mut bad_records = 0usize;
        // Duplicate answers (one advisory under the binary and the source name, or several
        // streams) need no dedup here: they share their ids and merge below.
        for rec in records.iter().flat_map(|r| r.iter()) {
            if rec.withdrawn.is_some() || is_informational(rec) {
                continue;
            }
            if is_bundle(&rec.advisory) {
                bundles.push(rec);
                continue;
            }
            per_vuln = true;
            let mut keys: BTreeSet<String> = BTreeSet::new();
            keys.insert(rec.advisory.clone());
            keys.extend(implicit_alias(&rec.advisory));
            for a in &rec.aliases {
                if !is_bundle(a) {
                    keys.insert(a.clone());
                    keys.extend(implicit_alias(a));
                }
            }
            covered.extend(keys.iter().cloned());
            match evaluate(&rec.affected, plan.scheme, &plan.version, &mut memo) {
                Ok(Some((status, fixed))) => {
                    let mut c = Self::candidate(rec, keys, status, fixed);
                    c.fix_advisories
                        .extend(rec.aliases.iter().filter(|a| is_bundle(a)).cloned());
                    candidates.push(c);
                }
                Ok(None) => {}
                Err(_) => bad_records += 1,
            }
        }
        // Bundles: expanded per CVE, or only naming the fix when a per-CVE record covers it.
        let mut attach: Vec<(String, String, String)> = Vec::new();
        for rec in bundles {
            let cves = Self::bundle_cves(rec);
            let verdict = match evaluate(&rec.affected, plan.scheme, &plan.version, &mut memo) {
                Ok(v) => v,
                Err(_) => {
                    bad_records += 1;
                    continue;
                }
            };
            let fix_id = rec
                .affected
                .fix_advisory
                .clone()
                .unwrap_or_else(|| rec.advisory.clone());
            if cves.is_empty() {
                if AdvisoryId::parse(&rec.advisory).is_non_security() || per_vuln {
                    continue;
                }
                if let Some((status, fixed)) = verdict {
                    let mut c =
                        Self::candidate(rec, BTreeSet::from([rec.advisory.clone()]), status, fixed);
                    c.fix_advisories = vec![fix_id];
                    candidates.push(c);
                }
                continue;
            }
            for cve in cves {
                if covered.contains(cve) {
                    if !rec.affected.fixed.is_empty() {
                        attach.push((cve.clone(), fix_id.clone(), rec.source.clone()));
                    }
                    continue;
                }
                if let Some((status, fixed)) = &verdict {
                    let mut c =
                        Self::candidate(rec, BTreeSet::from([cve.clone()]), *status, fixed.clone());
                    c.fix_advisories = vec![fix_id.clone()];
                    // A bundle's summary is about the whole update, not this CVE.
                    c.summary = None;
                    candidates.push(c);
                }
            }
        }
        if bad_records > 0 {
            warnings.push(Warning {
                cataloger: "matcher".into(),
                path: p.found_in.clone(),
                message: format!(
                    "{} {}: {bad_records} advisory record(s) skipped: their versions do not \
                     parse as {}",
                    p.name, p.version, plan.scheme
                ),
            });
        }
        let groups = merge(candidates);
        let mut out = Vec::new();
        for g in groups {
            out.push(self.finding(p, plan, g, &attach)?);
        }
        Ok(out)
    }

    fn finding(
        &mut self,
        p: &Package,
        plan: &Plan,
        group: Vec<Candidate>,
        attach: &[(String, String, String)],
    ) -> Result<VulnFinding, StoreError> {
        let mut ids: BTreeSet<String> = BTreeSet::new();
        for c in &group {
            ids.extend(c.keys.iter().cloned());
        }
        let mut cves: Vec<AdvisoryId> = ids
            .iter()
            .map(|i| AdvisoryId::parse(i))
            .filter(AdvisoryId::is_cve)
            .collect();
        cves.sort();
        let primary = cves
            .first()
            .map(|c| c.to_string())
            .or_else(|| {
                ids.iter()
                    .find(|i| AdvisoryId::parse(i).kind == IdKind::Ghsa)
                    .cloned()
            })
            .or_else(|| ids.iter().next().cloned())
            .unwrap_or_default();
        let cve_list: Vec<String> = cves.iter().map(|c| c.to_string()).collect();
        let aliases: Vec<String> = ids.iter().filter(|i| **i != primary).cloned().collect();

        let status = group
            .iter()
            .map(|c| c.status)
            .min_by_key(|s| status_rank(*s))
            .unwrap_or(FixStatus::Unknown);
        let mut fixed: Vec<String> = Vec::new();
        if status == FixStatus::Fixed {
            for c in group.iter().filter(|c| c.status == FixStatus::Fixed) {
                for f in &c.fixed {
                    if !fixed.contains(f) {
                        fixed.push(f.clone());
                    }
                }
            }
            sort_versions(plan.scheme, &mut fixed);
        }
        let mut data_sources: Vec<String> = group
            .iter()
            .map(|c| c.source.clone())
            .chain(
                attach
                    .iter()
                    .filter(|(cve, _, _)| ids.contains(cve))
                    .map(|(_, _, s)| s.clone()),
            )
            .collect();
        data_sources.sort();
        data_sources.dedup();
        let mut fix_advisories: Vec<String> = group
            .iter()
            .flat_map(|c| c.fix_advisories.iter().cloned())
            .chain(
                attach
                    .iter()
                    .filter(|(cve, _, _)| ids.contains(cve))
                    .map(|(_, a, _)| a.clone()),
            )
            .collect();
        fix_advisories.sort();
        fix_advisories.dedup();
        let note = group.iter().find_map(|c| c.note.clone());
        // Titles: the ecosystem advisories' summaries read best; distribution feeds come last.
        let title = group
            .iter()
            .filter(|c| c.summary.is_some())
            .min_by_key(|c| match c.source.as_str() {
                "osv" | "rustsec" => 0,
                "redhat-vex" => 1,
                _ => 2,
            })
            .and_then(|c| c.summary.clone());

        let mut cvss: Vec<Cvss> = Vec::new();
        for c in &group {
            for x in &c.cvss {
                if !cvss
                    .iter()
                    .any(|y| y.source == x.source && y.vector == x.vector)
                {
                    cvss.push(x.clone());
                }
            }
        }
        let mut epss: Option<Epss> = None;
        let mut kev = false;
        let mut description = None;
        let mut nvd: Vec<Cvss> = Vec::new();
        for cve in &cve_list {
            let Some(e) = self.enrichment(cve)? else {
                continue;
            };
            kev |= e.kev;
            if let Some(score) = e.epss {
                if epss.is_none_or(|x| score > x.score) {
                    epss = Some(Epss {
                        score,
                        percentile: e.epss_percentile.unwrap_or(0.0),
                    });
                }
            }
            if description.is_none() {
                description = e.description.clone();
            }
            for s in &e.severities {
                if let Some(x) = severity::to_cvss(s) {
                    if !nvd
                        .iter()
                        .any(|y| y.source == x.source && y.vector == x.vector)
                    {
                        nvd.push(x);
                    }
                }
            }
        }
        // Vendor first, then NVD's own (primary) assessment, then any CVSS at all.
        let vendor = group
            .iter()
            .filter_map(|c| c.vendor.clone())
            .min_by_key(|(s, _)| vendor_rank(s));
        let nvd_primary: Vec<Cvss> = nvd.iter().filter(|c| c.source == "nvd").cloned().collect();
        let (sev, sev_source) = if let Some((src, s)) = vendor {
            (s, Some(src))
        } else if let Some((s, _)) = severity::best_cvss(&nvd_primary) {
            (s, Some("nvd".to_string()))
        } else if let Some((s, c)) = severity::best_cvss(&nvd) {
            (s, Some(c.source.clone()))
        } else if let Some((s, c)) = severity::best_cvss(&cvss) {
            (s, Some(format!("cvss:{}", c.source)))
        } else {
            (Severity::Unknown, None)
        };
        for x in nvd {
            if !cvss
                .iter()
                .any(|y| y.source == x.source && y.vector == x.vector)
            {
                cvss.push(x);
            }
        }
        let debian = p.kind == PackageKind::Deb;
        let mut references: Vec<String> = Vec::new();
        for id in std::iter::once(&primary).chain(aliases.iter()) {
            if let Some(r) = reference_for(id, debian) {
                if !references.contains(&r) {
                    references.push(r);
                }
            }
        }
        Ok(VulnFinding {
            id: primary,
            aliases,
            package: PackageRef::of(p),
            fixed_versions: fixed,
            status,
            severity: sev,
            severity_source: sev_source,
            cvss,
            epss,
            kev,
            title,
            description,
            references,
            data_sources,
            fix_advisories,
            note,
            layer: None,
            origin: Origin::Unknown,
            suppression: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date_start_unix("1970-01-01"), Some(0));
        assert_eq!(date_start_unix("2024-06-30"), Some(19_904 * 86_400));
        assert_eq!(date_start_unix("2000-02-29"), Some(11_016 * 86_400));
        assert_eq!(date_start_unix("2023-02-29"), None);
        assert_eq!(date_start_unix("nonsense"), None);
    }

    fn distro(id: &str, release: &str, eol: &str, markers: &[&str]) -> bulwark_catalog::Distro {
        bulwark_catalog::Distro {
            id: id.into(),
            release: Some(release.into()),
            version_id: Some(release.into()),
            eol: Some(eol.into()),
            markers: markers.iter().map(|m| m.to_string()).collect(),
            ..bulwark_catalog::Distro::default()
        }
    }

    #[test]
    fn eol_messages_per_distribution() {
        let day = |d: &str| date_start_unix(d).unwrap();
        let bookworm = bulwark_catalog::Distro {
            pretty_name: Some("Debian GNU/Linux 12 (bookworm)".into()),
            ..distro("debian", "12", "2026-06-10", &[])
        };
        assert_eq!(eol_message(&bookworm, day("2026-06-09")), None);
        assert_eq!(
            eol_message(&bookworm, day("2026-06-10")).as_deref(),
            Some(
                "Debian GNU/Linux 12 (bookworm): regular security support ended on 2026-06-10; \
                 until 2028-06-30 only Debian LTS updates follow (volunteer-maintained, not \
                 every package); plan the move to a supported release"
            )
        );
        assert_eq!(
            eol_message(&bookworm, day("2028-07-01")).as_deref(),
            Some(
                "Debian GNU/Linux 12 (bookworm): regular security support ended on 2026-06-10 \
                 and Debian LTS on 2028-06-30: it gets no security fixes any more, and the \
                 advisories for it are incomplete; move to a supported release"
            )
        );
        let now = day("2026-01-01");
        assert_eq!(
            eol_message(&distro("ubuntu", "20.04", "2025-05-29", &[]), now).as_deref(),
            Some(
                "ubuntu 20.04: standard support ended on 2025-05-29; only Ubuntu Pro (ESM) \
                 updates follow, and this image is not attached to Ubuntu Pro: it gets no \
                 security fixes; attach it or move to a supported release"
            )
        );
        assert!(eol_message(
            &distro("ubuntu", "20.04", "2025-05-29", &["esm-infra"]),
            now
        )
        .is_some_and(|m| m.contains("and this image receives them")));
        assert_eq!(
            eol_message(&distro("alpine", "3.18", "2025-05-09", &[]), now).as_deref(),
            Some(
                "alpine 3.18 reached its end of life on 2025-05-09: it gets no security fixes \
                 any more, and the advisories for it are incomplete; move to a supported release"
            )
        );
        assert!(eol_message(&distro("rhel", "7", "2024-06-30", &[]), now)
            .is_some_and(|m| m.contains("only Extended Life-cycle Support (ELS)")));
        assert!(eol_message(&distro("sles", "15.4", "2023-12-31", &[]), now)
            .is_some_and(|m| m.contains("(LTSS)")));
        // A date that does not parse gives no notice rather than a wrong one.
        assert_eq!(
            eol_message(&distro("debian", "12", "someday", &[]), now),
            None
        );
    }

    /// `quick_affects`, where it answers, agrees with `OsvRange::affects` on every range of up
    /// to three events over a few versions (and answers for the common shapes).
    #[test]
    fn quick_affects_agrees_with_osv_evaluation() {
        let bounds = ["1.0", "2.0", "2.0.0", "3.0", "4.0rc1", "4.0", "bad version"];
        let mut kinds: Vec<Event> = vec![Event::Introduced("0".into())];
        for b in bounds {
            kinds.push(Event::Introduced(b.into()));
            kinds.push(Event::Fixed(b.into()));
            kinds.push(Event::LastAffected(b.into()));
        }
        kinds.push(Event::Limit("3.0".into()));
        let mut ranges: Vec<Vec<Event>> = vec![vec![]];
        for a in &kinds {
            ranges.push(vec![a.clone()]);
            for b in &kinds {
                ranges.push(vec![a.clone(), b.clone()]);
                for c in &kinds {
                    ranges.push(vec![a.clone(), b.clone(), c.clone()]);
                }
            }
        }
        let (mut answered, mut checked) = (0usize, 0usize);
        for installed in [
            "0.5", "1.0", "1.5", "2", "2.0.0", "2.5", "3.0", "4.0rc1", "5",
        ] {
            let mut memo = VersionMemo::new(installed);
            for events in &ranges {
                let exact = OsvRange {
                    kind: RangeType::Ecosystem,
                    events: events
                        .iter()
                        .map(|e| match e {
                            Event::Introduced(v) => bulwark_version::Event::Introduced(v.clone()),
                            Event::Fixed(v) => bulwark_version::Event::Fixed(v.clone()),
                            Event::LastAffected(v) => {
                                bulwark_version::Event::LastAffected(v.clone())
                            }
                            Event::Limit(v) => bulwark_version::Event::Limit(v.clone()),
                        })
                        .collect(),
                }
                .affects(Scheme::Pep440, installed);
                checked += 1;
                if let Some(quick) = quick_affects(events, Scheme::Pep440, &mut memo) {
                    answered += 1;
                    assert_eq!(Ok(quick), exact, "{installed} in {events:?}");
                }
            }
        }
        // The usual shapes are answered without the exact walk.
        let mut memo = VersionMemo::new("2.5");
        let iv = |i: &str, f: &str| vec![Event::Introduced(i.into()), Event::Fixed(f.into())];
        assert_eq!(
            quick_affects(&iv("0", "3.0"), Scheme::Pep440, &mut memo),
            Some(true)
        );
        assert_eq!(
            quick_affects(&iv("0", "2.0"), Scheme::Pep440, &mut memo),
            Some(false)
        );
        assert_eq!(
            quick_affects(&iv("3.0", "4.0"), Scheme::Pep440, &mut memo),
            Some(false)
        );
        assert_eq!(
            quick_affects(&iv("1.0", "3.0"), Scheme::Pep440, &mut memo),
            Some(true)
        );
        // Every answer was checked; about a third of this (deliberately awkward) space is
        // answered quickly, the rest (two firing events, limits, bad bounds) the exact way.
        assert!(
            answered > 0 && answered < checked,
            "{answered} of {checked}"
        );
    }

    #[test]
    fn apk_repositories_of_the_release() {
        let alpine = distro("alpine", "3.18", "2025-05-09", &[]);
        let own = |d: &bulwark_catalog::Distro, r: &str| apk_own_repository(d, r);
        assert!(own(
            &alpine,
            "https://dl-cdn.alpinelinux.org/alpine/v3.18/main"
        ));
        assert!(own(
            &alpine,
            "http://mirror.example/alpine/v3.18/community/"
        ));
        assert!(own(&alpine, "/media/cdrom/apks/v3.18/main"));
        assert!(!own(
            &alpine,
            "https://dl-cdn.alpinelinux.org/alpine/v3.17/main"
        ));
        assert!(!own(
            &alpine,
            "https://dl-cdn.alpinelinux.org/alpine/v3.18/testing"
        ));
        assert!(!own(
            &alpine,
            "https://dl-cdn.alpinelinux.org/alpine/edge/main"
        ));
        assert!(!own(&alpine, "https://apk.example.com/v3.18"));
        let edge = distro("alpine", "edge", "2099-01-01", &[]);
        assert!(own(
            &edge,
            "https://dl-cdn.alpinelinux.org/alpine/edge/community"
        ));
        assert!(!own(
            &edge,
            "https://dl-cdn.alpinelinux.org/alpine/edge/testing"
        ));
        let wolfi = distro("wolfi", "20230201", "2099-01-01", &[]);
        assert!(own(&wolfi, "https://packages.wolfi.dev/os"));
        assert!(own(&wolfi, "https://user:pw@packages.wolfi.dev:443/os"));
        assert!(!own(&wolfi, "https://packages.wolfi.dev.evil.example/os"));
        assert!(!own(&distro("debian", "12", "2026-06-10", &[]), "x"));

        let mut p = Package::new(PackageKind::Apk, "zlib", "1.2.13-r1", "", "");
        assert!(!apk_from_other_repository(&p, Some(&alpine)));
        p.metadata.insert("repository_tag".into(), "edge".into());
        // Tagged, repository unknown: another repository.
        assert!(apk_from_other_repository(&p, Some(&alpine)));
        p.metadata.insert(
            "repository".into(),
            "https://dl-cdn.alpinelinux.org/alpine/v3.18/main".into(),
        );
        assert!(!apk_from_other_repository(&p, Some(&alpine)));
        assert!(apk_from_other_repository(&p, Some(&edge)));
    }
}
