//! Scan notices about the distribution itself: the end-of-life notice per distribution.

#[allow(unused_imports)]
use crate::*;

pub(crate) fn distro_name(d: &bulwark_catalog::Distro) -> String {
    d.pretty_name
        .clone()
        .unwrap_or_else(|| match &d.version_id {
            Some(v) => format!("{} {v}", d.id),
            None => d.id.clone(),
        })
}

/// The `eol-release` notice for a release past `Distro::eol` (the end of *standard* support,
/// see `bulwark_catalog::distro::eol_of`), or `None` when it is not past it. What follows that
/// date differs by distribution: Debian LTS, Ubuntu ESM (Ubuntu Pro), Red Hat ELS and SUSE LTSS
/// keep publishing fixes, to fewer people or for fewer packages; the others stop.
pub(crate) fn eol_message(d: &bulwark_catalog::Distro, now_unix: i64) -> Option<String> {
    let eol = d.eol.as_deref()?;
    let past = |date: &str| date_start_unix(date).is_some_and(|start| start <= now_unix);
    if !past(eol) {
        return None;
    }
    let name = distro_name(d);
    let gone = "it gets no security fixes any more, and the advisories for it are incomplete; \
                move to a supported release";
    let release = d.release.as_deref().unwrap_or_default();
    Some(match d.id.as_str() {
        "debian" => match bulwark_catalog::distro::debian_lts_end(release) {
            Some(lts) if past(lts) => format!(
                "{name}: regular security support ended on {eol} and Debian LTS on {lts}: {gone}"
            ),
            Some(lts) => format!(
                "{name}: regular security support ended on {eol}; until {lts} only Debian LTS \
                 updates follow (volunteer-maintained, not every package); plan the move to a \
                 supported release"
            ),
            None => format!("{name}: regular security support ended on {eol}: {gone}"),
        },
        "ubuntu" => {
            let pro = d
                .markers
                .iter()
                .any(|m| m == "ubuntu-pro" || m == "esm" || m.starts_with("esm-"));
            if pro {
                format!(
                    "{name}: standard support ended on {eol}; only Ubuntu Pro (ESM) updates \
                     follow, and this image receives them; plan the move to a supported release"
                )
            } else {
                format!(
                    "{name}: standard support ended on {eol}; only Ubuntu Pro (ESM) updates \
                     follow, and this image is not attached to Ubuntu Pro: it gets no security \
                     fixes; attach it or move to a supported release"
                )
            }
        }
        "rhel" => format!(
            "{name}: maintenance support ended on {eol}; only Extended Life-cycle Support (ELS) \
             subscribers get security updates; move to a supported release"
        ),
        "sles" => format!(
            "{name}: general support ended on {eol}; only Long Term Service Pack Support \
             (LTSS) subscribers get security updates; move to a supported service pack"
        ),
        _ => format!("{name} reached its end of life on {eol}: {gone}"),
    })
}

/// Unix seconds at the start (00:00 UTC) of an ISO date (`2024-06-30`, or the date part of a
/// longer timestamp); `None` when it is not a calendar date.
pub(crate) fn date_start_unix(s: &str) -> Option<i64> {
    let date: jiff::civil::Date = s.get(..10)?.parse().ok()?;
    jiff::tz::Offset::UTC
        .to_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
        .ok()
        .map(|t| t.as_second())
}
