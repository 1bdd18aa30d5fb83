//! Evaluating one affected entry (OSV ranges, explicit versions, distribution statuses) for
//! the installed version, with memoised comparisons.

#[allow(unused_imports)]
use crate::*;

/// The installed version's standing under one affected entry: `None` = not affected.
pub(crate) fn evaluate(
    aff: &Affected,
    scheme: Scheme,
    version: &str,
    memo: &mut VersionMemo,
) -> Result<Option<(FixStatus, Vec<String>)>, bulwark_version::VersionError> {
    if aff.status == Status::NotAffected {
        return Ok(None);
    }
    let mut hit = false;
    let mut evaluable = !aff.versions.is_empty();
    let mut fixes: Vec<(Scheme, String)> = Vec::new();
    for r in &aff.ranges {
        let kind = r.kind;
        if kind == RangeType::Git {
            continue;
        }
        evaluable = true;
        let range_scheme = if kind == RangeType::Semver {
            Scheme::Semver
        } else {
            scheme
        };
        let affects = match quick_affects(&r.events, range_scheme, memo) {
            Some(a) => a,
            None => OsvRange {
                kind,
                events: r.events.clone(),
            }
            .affects(scheme, version)?,
        };
        if affects {
            hit = true;
        }
        for e in &r.events {
            if let Event::Fixed(f) = e {
                fixes.push((range_scheme, f.clone()));
            }
        }
    }
    // Explicit versions only matter when no range already said "affected" (PyPA lists every
    // affected release: hundreds of strings per record).
    if !hit {
        hit = aff
            .versions
            .iter()
            .any(|v| v == version || memo.compare(scheme, v) == Some(Ordering::Equal));
    }
    if !evaluable || !hit {
        return Ok(None);
    }
    for f in &aff.fixed {
        fixes.push((scheme, f.clone()));
    }
    let mut fixed: Vec<String> = Vec::new();
    for (s, f) in fixes {
        if memo.compare(s, &f) == Some(Ordering::Greater) && !fixed.contains(&f) {
            fixed.push(f);
        }
    }
    let status = match aff.status {
        Status::Affected | Status::Fixed | Status::Open => {
            if fixed.is_empty() {
                FixStatus::Affected
            } else {
                FixStatus::Fixed
            }
        }
        Status::NoDsa => FixStatus::NoDsa,
        Status::Ignored => FixStatus::Ignored,
        Status::EndOfLife => FixStatus::EndOfLife,
        Status::WillNotFix => FixStatus::WillNotFix,
        Status::Deferred => FixStatus::Deferred,
        Status::NotAffected => return Ok(None),
        Status::Unknown => FixStatus::Unknown,
    };
    // Only a `fixed` status carries fixed versions: a no-dsa entry has none by definition.
    if status != FixStatus::Fixed {
        fixed.clear();
    }
    Ok(Some((status, fixed)))
}

/// [`OsvRange::affects`] for the common ranges, from memoised comparisons with the installed
/// version only; `None` (use `OsvRange::affects`) when that does not decide it.
///
/// OSV's walk over the sorted events ends in the state set by the last event that "fires":
/// `introduced` at or below the version, `fixed` at or below it, `last_affected` strictly
/// below it. `introduced: "0"` sorts first and always fires. So when at most one other event
/// fires, its kind is the answer without ordering the events among themselves (which is what
/// costs: `affects` parses every bound once per comparison of its sort). Two or more firing
/// events, `limit` events, or a bound that does not parse go the exact way.
pub(crate) fn quick_affects(
    events: &[Event],
    scheme: Scheme,
    memo: &mut VersionMemo,
) -> Option<bool> {
    if events.is_empty() {
        return None;
    }
    let mut zero = false;
    let mut fired: Option<bool> = None;
    for e in events {
        let (v, sets, fires_on): (&str, bool, &[Ordering]) = match e {
            Event::Introduced(v) if v == "0" => {
                zero = true;
                continue;
            }
            Event::Introduced(v) => (v, true, &[Ordering::Less, Ordering::Equal]),
            Event::Fixed(v) => (v, false, &[Ordering::Less, Ordering::Equal]),
            Event::LastAffected(v) => (v, false, &[Ordering::Less]),
            Event::Limit(_) => return None,
        };
        // `memo.compare` is the bound against the installed version.
        let o = memo.compare(scheme, v)?;
        if fires_on.contains(&o) {
            if fired.is_some() {
                return None;
            }
            fired = Some(sets);
        }
    }
    Some(fired.unwrap_or(zero))
}

/// Orderings of version strings against one package's installed version, memoised: the
/// records of one package repeat the same versions again and again (PyPA's explicit version
/// lists, the same fixed version in every stream), and parsing them dominated matching.
pub(crate) struct VersionMemo<'v> {
    version: &'v str,
    memo: HashMap<Scheme, HashMap<String, Option<Ordering>>>,
}

impl<'v> VersionMemo<'v> {
    pub(crate) fn new(version: &'v str) -> Self {
        VersionMemo {
            version,
            memo: HashMap::new(),
        }
    }

    /// `v` compared with the installed version under `scheme`; `None` when either does not
    /// parse.
    fn compare(&mut self, scheme: Scheme, v: &str) -> Option<Ordering> {
        let per_scheme = self.memo.entry(scheme).or_default();
        if let Some(o) = per_scheme.get(v) {
            return *o;
        }
        let o = scheme.compare(v, self.version).ok();
        per_scheme.insert(v.to_string(), o);
        o
    }
}
