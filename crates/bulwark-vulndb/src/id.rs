//! Advisory ids, typed: which database or vendor issued an id (from its prefix) and, for ids
//! that carry them, the year and sequence number. The one place that knows the prefixes, so
//! the importers and the matcher do not each keep a table of them.

use std::cmp::Ordering;
use std::fmt;

/// Who issued an advisory id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdKind {
    /// `CVE-2024-1234`.
    Cve,
    /// GitHub `GHSA-xxxx-xxxx-xxxx`.
    Ghsa,
    /// RustSec `RUSTSEC-2024-0001`.
    RustSec,
    /// Go vulnerability database `GO-2024-0001`.
    Go,
    /// PyPA `PYSEC-2024-1`.
    PySec,
    /// Ubuntu's per-CVE record `UBUNTU-CVE-2024-1234` (names the same vulnerability as the CVE).
    UbuntuCve,
    /// A distribution advisory that bundles fixes for several vulnerabilities (DSA, DLA, RHSA,
    /// USN, ALAS...); `security` is false for bug-fix and enhancement advisories (RHBA, RHEA
    /// and their AlmaLinux/Rocky twins), which without a CVE are not about a vulnerability.
    Bundle {
        /// The vendor's prefix without the trailing `-` (`DSA`, `RHSA`, `SUSE-SU`).
        prefix: &'static str,
        /// Whether it is a security advisory.
        security: bool,
    },
    /// Anything else (`OSV-...`, vendor ids Bulwark has no rule for).
    Other,
}

/// Bundle prefixes, `(prefix, is a security advisory)`. `ALAS` (Amazon) has no `-`: its ids are
/// `ALAS-2024-...` and `ALAS2-2024-...`, `ALAS2023-...`.
const BUNDLES: [(&str, bool); 17] = [
    ("DSA-", true),
    ("DLA-", true),
    ("DTSA-", true),
    ("RHSA-", true),
    ("RHBA-", false),
    ("RHEA-", false),
    ("ALSA-", true),
    ("ALBA-", false),
    ("ALEA-", false),
    ("RLSA-", true),
    ("RLBA-", false),
    ("RLEA-", false),
    ("USN-", true),
    ("ELSA-", true),
    ("ALAS", true),
    ("SUSE-SU-", true),
    ("openSUSE-SU-", true),
];

/// A parsed advisory id. Ordering: CVEs by year then number (numerically), before every other
/// id, which sort by text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AdvisoryId<'a> {
    /// Who issued it.
    pub kind: IdKind,
    /// The year, for ids that carry one (`CVE-2024-...`, `RUSTSEC-2024-...`, `GO-2024-...`).
    pub year: Option<u32>,
    /// The sequence number after the year.
    pub number: Option<u64>,
    /// The id as written.
    pub text: &'a str,
}

impl<'a> AdvisoryId<'a> {
    /// Read an id; never fails (an id Bulwark has no rule for is [`IdKind::Other`]).
    pub fn parse(text: &'a str) -> AdvisoryId<'a> {
        let kind = if text.starts_with("CVE-") {
            IdKind::Cve
        } else if text.starts_with("GHSA-") {
            IdKind::Ghsa
        } else if text.starts_with("RUSTSEC-") {
            IdKind::RustSec
        } else if text.starts_with("GO-") {
            IdKind::Go
        } else if text.starts_with("PYSEC-") {
            IdKind::PySec
        } else if text
            .strip_prefix("UBUNTU-")
            .is_some_and(|rest| rest.starts_with("CVE-"))
        {
            IdKind::UbuntuCve
        } else if let Some((prefix, security)) = BUNDLES.iter().find(|(p, _)| text.starts_with(p)) {
            IdKind::Bundle {
                prefix: prefix.trim_end_matches('-'),
                security: *security,
            }
        } else {
            IdKind::Other
        };
        let (year, number) = match kind {
            IdKind::Cve | IdKind::RustSec | IdKind::Go | IdKind::PySec => {
                let mut parts = text.splitn(3, '-').skip(1);
                (
                    parts.next().and_then(|y| y.parse().ok()),
                    parts.next().and_then(|n| n.parse().ok()),
                )
            }
            _ => (None, None),
        };
        AdvisoryId {
            kind,
            year,
            number,
            text,
        }
    }

    /// Whether it is a CVE id.
    pub fn is_cve(&self) -> bool {
        self.kind == IdKind::Cve
    }

    /// Whether it is a well-formed CVE id (`CVE-<year>-<number>`), as the enrichment feeds
    /// (NVD, KEV, EPSS) key on.
    pub fn is_valid_cve(&self) -> bool {
        self.is_cve() && self.year.is_some() && self.number.is_some()
    }

    /// Whether it is a distribution advisory bundling several vulnerabilities.
    pub fn is_bundle(&self) -> bool {
        matches!(self.kind, IdKind::Bundle { .. })
    }

    /// Whether it is a bug-fix or enhancement advisory (not a security one).
    pub fn is_non_security(&self) -> bool {
        matches!(
            self.kind,
            IdKind::Bundle {
                security: false,
                ..
            }
        )
    }

    /// The id this one names implicitly (`UBUNTU-CVE-2021-3782` is `CVE-2021-3782`).
    pub fn implicit_alias(&self) -> Option<&'a str> {
        match self.kind {
            IdKind::UbuntuCve => self.text.strip_prefix("UBUNTU-"),
            _ => None,
        }
    }

    /// A page describing the id: the Debian tracker (when `debian`) or NVD for CVEs, the
    /// issuing database for GHSA, RustSec and Go ids, osv.dev for PYSEC, UBUNTU and ALSA ids;
    /// `None` for others.
    pub fn reference_url(&self, debian: bool) -> Option<String> {
        let id = self.text;
        Some(match self.kind {
            IdKind::Cve if debian => format!("https://security-tracker.debian.org/tracker/{id}"),
            IdKind::Cve => format!("https://nvd.nist.gov/vuln/detail/{id}"),
            IdKind::Ghsa => format!("https://github.com/advisories/{id}"),
            IdKind::RustSec => format!("https://rustsec.org/advisories/{id}.html"),
            IdKind::Go => format!("https://pkg.go.dev/vuln/{id}"),
            IdKind::PySec | IdKind::UbuntuCve => format!("https://osv.dev/vulnerability/{id}"),
            IdKind::Bundle { prefix: "ALSA", .. } => format!("https://osv.dev/vulnerability/{id}"),
            _ if id.starts_with("UBUNTU-") => format!("https://osv.dev/vulnerability/{id}"),
            _ => return None,
        })
    }

    /// The sort key CVEs are ordered by: year then number, numerically (malformed parts last).
    fn cve_key(&self) -> (u32, u64) {
        (
            self.year.unwrap_or(u32::MAX),
            self.number.unwrap_or(u64::MAX),
        )
    }
}

impl Ord for AdvisoryId<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        match (self.is_cve(), other.is_cve()) {
            (true, true) => self
                .cve_key()
                .cmp(&other.cve_key())
                .then_with(|| self.text.cmp(other.text)),
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (false, false) => self.text.cmp(other.text),
        }
    }
}

impl PartialOrd for AdvisoryId<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for AdvisoryId<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_years_and_numbers() {
        let c = AdvisoryId::parse("CVE-2023-10000");
        assert_eq!(
            (c.kind, c.year, c.number),
            (IdKind::Cve, Some(2023), Some(10000))
        );
        assert!(c.is_valid_cve());
        assert!(!AdvisoryId::parse("CVE-").is_valid_cve());
        assert_eq!(AdvisoryId::parse("GHSA-35jh-r3h4-6jhm").kind, IdKind::Ghsa);
        let r = AdvisoryId::parse("RUSTSEC-2024-0001");
        assert_eq!(
            (r.kind, r.year, r.number),
            (IdKind::RustSec, Some(2024), Some(1))
        );
        let rhba = AdvisoryId::parse("RHBA-2024:0001");
        assert!(rhba.is_bundle() && rhba.is_non_security());
        let rhsa = AdvisoryId::parse("RHSA-2024:0010");
        assert!(rhsa.is_bundle() && !rhsa.is_non_security());
        assert!(AdvisoryId::parse("ALAS2-2024-001").is_bundle());
        assert!(AdvisoryId::parse("openSUSE-SU-2024:0001-1").is_bundle());
        assert!(!AdvisoryId::parse("OSV-2024-1").is_bundle());
        assert_eq!(
            AdvisoryId::parse("UBUNTU-CVE-2021-3782").implicit_alias(),
            Some("CVE-2021-3782")
        );
        assert_eq!(AdvisoryId::parse("UBUNTU-2021-1").implicit_alias(), None);
    }

    #[test]
    fn cves_sort_numerically_and_first() {
        let mut v: Vec<AdvisoryId> = ["GHSA-x", "CVE-2023-10000", "CVE-2023-9999", "CVE-2021-1"]
            .into_iter()
            .map(AdvisoryId::parse)
            .collect();
        v.sort();
        let texts: Vec<&str> = v.iter().map(|i| i.text).collect();
        assert_eq!(
            texts,
            ["CVE-2021-1", "CVE-2023-9999", "CVE-2023-10000", "GHSA-x"]
        );
    }

    #[test]
    fn reference_urls() {
        let url = |id: &str, debian| AdvisoryId::parse(id).reference_url(debian);
        assert_eq!(
            url("CVE-2024-1", true).as_deref(),
            Some("https://security-tracker.debian.org/tracker/CVE-2024-1")
        );
        assert_eq!(
            url("CVE-2024-1", false).as_deref(),
            Some("https://nvd.nist.gov/vuln/detail/CVE-2024-1")
        );
        assert_eq!(
            url("UBUNTU-2024-1", false).as_deref(),
            Some("https://osv.dev/vulnerability/UBUNTU-2024-1")
        );
        assert_eq!(url("DSA-5000-1", true), None);
    }
}
