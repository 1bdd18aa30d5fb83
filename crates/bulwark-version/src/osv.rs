//! Evaluation of OSV `affected[].ranges[]` of type `ECOSYSTEM` and `SEMVER`, following the
//! algorithm in the OSV schema's "Evaluation" section.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};

use crate::{Scheme, VersionError};

/// The `type` of an OSV range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RangeType {
    /// Versions ordered by the ecosystem's own rules.
    Ecosystem,
    /// SemVer 2.0.0 versions (no `v` prefix in OSV data; a `v` in the package version is
    /// accepted).
    Semver,
    /// Git commits: not orderable without the repository, so never evaluated here.
    Git,
}

/// One OSV range event.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    /// The first affected version (`"0"`: every version before the next fix).
    Introduced(String),
    /// The first version that is no longer affected.
    Fixed(String),
    /// The last affected version.
    LastAffected(String),
    /// An upper bound on the versions the range describes (`"*"`: none).
    Limit(String),
}

impl RangeType {
    /// OSV's spelling (`ECOSYSTEM`, `SEMVER`, `GIT`).
    pub fn as_str(self) -> &'static str {
        match self {
            RangeType::Ecosystem => "ECOSYSTEM",
            RangeType::Semver => "SEMVER",
            RangeType::Git => "GIT",
        }
    }

    /// Parse OSV's spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ECOSYSTEM" => Some(RangeType::Ecosystem),
            "SEMVER" => Some(RangeType::Semver),
            "GIT" => Some(RangeType::Git),
            _ => None,
        }
    }
}

impl Event {
    /// OSV's key for the event (`introduced`, `fixed`, `last_affected`, `limit`).
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Introduced(_) => "introduced",
            Event::Fixed(_) => "fixed",
            Event::LastAffected(_) => "last_affected",
            Event::Limit(_) => "limit",
        }
    }

    /// The event's version.
    pub fn version(&self) -> &str {
        match self {
            Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) | Event::Limit(v) => v,
        }
    }

    /// Build from OSV's key and a version; `None` for an unknown key.
    pub fn from_kind(kind: &str, version: String) -> Option<Self> {
        match kind {
            "introduced" => Some(Event::Introduced(version)),
            "fixed" => Some(Event::Fixed(version)),
            "last_affected" => Some(Event::LastAffected(version)),
            "limit" => Some(Event::Limit(version)),
            _ => None,
        }
    }
}

/// An OSV range: its type and events, as in the `ranges` array of an advisory.
///
/// ```
/// use bulwark_version::{Event, OsvRange, RangeType, Scheme};
/// let range = OsvRange {
///     kind: RangeType::Ecosystem,
///     events: vec![
///         Event::Introduced("0".into()),
///         Event::Fixed("2.31.0".into()),
///         Event::Introduced("3.0.0".into()),
///         Event::LastAffected("3.0.2".into()),
///     ],
/// };
/// assert!(range.affects(Scheme::Pep440, "2.30.1").unwrap());
/// assert!(!range.affects(Scheme::Pep440, "2.31.0").unwrap());
/// assert!(range.affects(Scheme::Pep440, "3.0.2").unwrap());
/// assert!(!range.affects(Scheme::Pep440, "3.0.3").unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsvRange {
    /// The range type.
    #[serde(rename = "type")]
    pub kind: RangeType,
    /// The events, in any order.
    pub events: Vec<Event>,
}

/// A version bound in an event: `"0"` for `introduced` is below every version, `"*"` for
/// `limit` is above every version.
enum Bound<'a> {
    Zero,
    Infinite,
    Version(&'a str),
}

impl OsvRange {
    /// Whether `version` falls in the range, comparing with `scheme` (which
    /// [`Scheme::for_ecosystem`] gives for the advisory's ecosystem; `SEMVER` ranges always use
    /// [`Scheme::Semver`]).
    ///
    /// The evaluation is the OSV schema's: events are sorted by version; walking them, an
    /// `introduced` at or below the version sets "affected", a `fixed` at or below it clears it,
    /// a `last_affected` strictly below it clears it. When `limit` events exist, the version must
    /// also be below one of them.
    pub fn affects(&self, scheme: Scheme, version: &str) -> Result<bool, VersionError> {
        let scheme = match self.kind {
            RangeType::Ecosystem => scheme,
            RangeType::Semver => Scheme::Semver,
            RangeType::Git => {
                return Err(VersionError::InvalidRange("GIT ranges need the repository"))
            }
        };
        if self.events.is_empty() {
            return Err(VersionError::InvalidRange("range has no events"));
        }
        let cmp = |a: &str, b: &str| scheme.compare(a, b);
        // Validate the version once so a bad package version is reported as such.
        scheme.validate(version)?;

        let limits: Vec<&str> = self
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Limit(l) => Some(l.as_str()),
                _ => None,
            })
            .collect();
        if !limits.is_empty() {
            let mut below_any = false;
            for l in limits {
                if l == "*" || cmp(version, l)? == Ordering::Less {
                    below_any = true;
                }
            }
            if !below_any {
                return Ok(false);
            }
        }

        let mut events: Vec<(Bound<'_>, &Event)> = self
            .events
            .iter()
            .filter(|e| !matches!(e, Event::Limit(_)))
            .map(|e| {
                let bound = match e {
                    Event::Introduced(v) if v == "0" => Bound::Zero,
                    Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) => {
                        Bound::Version(v)
                    }
                    Event::Limit(_) => Bound::Infinite,
                };
                (bound, e)
            })
            .collect();
        // Check every bound parses before sorting (sort comparators cannot fail).
        for (b, _) in &events {
            if let Bound::Version(v) = b {
                scheme.validate(v)?;
            }
        }
        events.sort_by(|(a, _), (b, _)| match (a, b) {
            (Bound::Zero, Bound::Zero) | (Bound::Infinite, Bound::Infinite) => Ordering::Equal,
            (Bound::Zero, _) | (_, Bound::Infinite) => Ordering::Less,
            (_, Bound::Zero) | (Bound::Infinite, _) => Ordering::Greater,
            (Bound::Version(x), Bound::Version(y)) => cmp(x, y).unwrap_or(Ordering::Equal),
        });

        let mut affected = false;
        for (bound, event) in events {
            let at_or_below = |v: &str| cmp(version, v).map(|o| o != Ordering::Less);
            match (event, bound) {
                (Event::Introduced(_), Bound::Zero) => affected = true,
                (Event::Introduced(v), _) => {
                    if at_or_below(v)? {
                        affected = true;
                    }
                }
                (Event::Fixed(v), _) => {
                    if at_or_below(v)? {
                        affected = false;
                    }
                }
                (Event::LastAffected(v), _) => {
                    if cmp(version, v)? == Ordering::Greater {
                        affected = false;
                    }
                }
                (Event::Limit(_), _) => {}
            }
        }
        Ok(affected)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(kind: RangeType, events: Vec<Event>) -> OsvRange {
        OsvRange { kind, events }
    }

    #[test]
    fn introduced_fixed() {
        let r = range(
            RangeType::Ecosystem,
            vec![Event::Introduced("1.0".into()), Event::Fixed("1.5".into())],
        );
        let got: Vec<bool> = ["0.9", "1.0", "1.4.9", "1.5", "2.0"]
            .iter()
            .map(|v| r.affects(Scheme::Pep440, v).unwrap())
            .collect();
        assert_eq!(got, [false, true, true, false, false]);
    }

    #[test]
    fn unsorted_events_and_limit() {
        let r = range(
            RangeType::Ecosystem,
            vec![
                Event::Fixed("1:2.0-1".into()),
                Event::Introduced("0".into()),
                Event::Limit("1:3.0".into()),
                Event::Introduced("1:2.5".into()),
            ],
        );
        let got: Vec<bool> = ["1.0", "1:1.9", "1:2.0-1", "1:2.6", "1:3.0"]
            .iter()
            .map(|v| r.affects(Scheme::Dpkg, v).unwrap())
            .collect();
        assert_eq!(got, [true, true, false, true, false]);
    }

    #[test]
    fn semver_ranges_accept_v_prefix() {
        let r = range(
            RangeType::Semver,
            vec![Event::Introduced("0".into()), Event::Fixed("1.2.3".into())],
        );
        assert!(r.affects(Scheme::Go, "v1.2.2").unwrap());
        assert!(!r.affects(Scheme::Go, "v1.2.3").unwrap());
        assert!(r.affects(Scheme::Go, "v1.2.3-rc.1").unwrap());
    }

    #[test]
    fn errors_are_values() {
        let r = range(RangeType::Ecosystem, vec![Event::Introduced("0".into())]);
        assert!(r.affects(Scheme::Semver, "not a version").is_err());
        assert!(range(RangeType::Git, vec![])
            .affects(Scheme::Semver, "1.0.0")
            .is_err());
        assert!(range(RangeType::Ecosystem, vec![])
            .affects(Scheme::Semver, "1.0.0")
            .is_err());
        let bad = range(RangeType::Ecosystem, vec![Event::Fixed("x.y".into())]);
        assert!(bad.affects(Scheme::Semver, "1.0.0").is_err());
    }

    #[test]
    fn deserialises_osv_json() {
        let r: OsvRange = serde_json::from_str(
            r#"{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"4.1"}]}"#,
        )
        .unwrap();
        assert!(r.affects(Scheme::Maven, "4.1").unwrap());
        assert!(!r.affects(Scheme::Maven, "4.1.1").unwrap());
    }
}
