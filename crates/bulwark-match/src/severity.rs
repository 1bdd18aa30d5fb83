//! Severity: vendor words mapped to Bulwark's scale, and the precedence between vendor, NVD and
//! CVSS scores.

use bulwark_model::scan::Cvss;
use bulwark_model::Severity;
use bulwark_vulndb::{Severity as DbSeverity, SeverityKind};

use crate::cvss;

/// A vendor's word on Bulwark's scale. `source` says whose vocabulary it is (`debian`,
/// `redhat`, `ubuntu`, `ghsa`...). `None` for words that are not a severity (Debian's
/// `not yet assigned`, `end-of-life`).
pub fn vendor_word(source: &str, word: &str) -> Option<Severity> {
    // Debian marks urgencies it guessed with `*` / `**` (`high**`).
    let w = word
        .trim()
        .trim_end_matches('*')
        .trim()
        .to_ascii_lowercase();
    let s = match (source, w.as_str()) {
        ("debian", "unimportant") => Severity::Low,
        ("ubuntu", "negligible") => Severity::Low,
        (_, "low") => Severity::Low,
        (_, "medium" | "moderate") => Severity::Medium,
        (_, "high" | "important") => Severity::High,
        (_, "critical") => Severity::Critical,
        _ => return None,
    };
    Some(s)
}

/// Whose vocabulary a feed's per-package severity is in.
pub fn feed_vendor(feed: &str) -> Option<&'static str> {
    match feed {
        "debian-tracker" | "debian-dsa" => Some("debian"),
        "redhat-vex" => Some("redhat"),
        _ => None,
    }
}

/// One CVSS assessment as a report entry, with the score computed when the feed gave none.
pub fn to_cvss(s: &DbSeverity) -> Option<Cvss> {
    if !matches!(
        s.kind,
        SeverityKind::CvssV2 | SeverityKind::CvssV3 | SeverityKind::CvssV4
    ) {
        return None;
    }
    let version = match s.kind {
        SeverityKind::CvssV4 => "4.0",
        SeverityKind::CvssV2 => "2.0",
        _ => cvss::version_of(&s.value),
    };
    let score = s.score.or_else(|| cvss::base_score(&s.value));
    Some(Cvss {
        source: s.source.clone(),
        version: version.to_string(),
        vector: s.value.clone(),
        score,
    })
}

/// The best CVSS-derived severity among `list`: v3 before v4 before v2 (NVD's own order of
/// preference), first scored entry of that version.
pub fn best_cvss(list: &[Cvss]) -> Option<(Severity, &Cvss)> {
    for want in ["3.1", "3.0", "4.0", "2.0"] {
        if let Some(c) = list.iter().find(|c| c.version == want && c.score.is_some()) {
            let score = c.score?;
            return Some((cvss::rating(&c.version, score), c));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vendor_words() {
        assert_eq!(vendor_word("debian", "high**"), Some(Severity::High));
        assert_eq!(vendor_word("debian", "unimportant"), Some(Severity::Low));
        assert_eq!(vendor_word("debian", "not yet assigned"), None);
        assert_eq!(vendor_word("debian", "end-of-life"), None);
        assert_eq!(vendor_word("redhat", "Important"), Some(Severity::High));
        assert_eq!(vendor_word("redhat", "Moderate"), Some(Severity::Medium));
        assert_eq!(vendor_word("ghsa", "MODERATE"), Some(Severity::Medium));
        assert_eq!(vendor_word("ubuntu", "negligible"), Some(Severity::Low));
        assert_eq!(vendor_word("ghsa", "CRITICAL"), Some(Severity::Critical));
    }
}
