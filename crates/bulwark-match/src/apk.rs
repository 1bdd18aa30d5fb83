//! Alpine repository rules: packages pinned to a repository outside the release's branch are
//! not matched against the release's secdb.

#[allow(unused_imports)]
use crate::*;

/// Whether an apk package is pinned (`/etc/apk/world` `name@tag`) to a repository other than
/// the release's own branch, whose secdb therefore does not describe it. A tag whose repository
/// is unknown counts as another repository: the untagged repositories are apk's defaults, and a
/// tag exists to reach past them.
pub(crate) fn apk_from_other_repository(
    p: &Package,
    distro: Option<&bulwark_catalog::Distro>,
) -> bool {
    if p.kind != PackageKind::Apk || !p.metadata.contains_key("repository_tag") {
        return false;
    }
    let (Some(repo), Some(d)) = (p.metadata.get("repository"), distro) else {
        return true;
    };
    !apk_own_repository(d, repo)
}

/// Whether an apk repository (URL or path as written in `/etc/apk/repositories`) is one of the
/// release's own: on Alpine, a `v<release>/main` or `v<release>/community` path (`edge/...` on
/// edge) on any mirror; on Wolfi and Chainguard, their package hosts.
pub(crate) fn apk_own_repository(d: &bulwark_catalog::Distro, repo: &str) -> bool {
    match d.id.as_str() {
        "alpine" => {
            let Some(release) = d.release.as_deref().filter(|r| !r.is_empty()) else {
                return false;
            };
            let branch = if release == "edge" {
                "edge".to_string()
            } else {
                format!("v{release}")
            };
            let parts: Vec<&str> = repo
                .split(|c: char| c == '/' || c.is_whitespace())
                .filter(|s| !s.is_empty())
                .collect();
            parts
                .windows(2)
                .any(|w| w[0] == branch && (w[1] == "main" || w[1] == "community"))
        }
        "wolfi" => repo_host(repo) == Some("packages.wolfi.dev"),
        "chainguard" => repo_host(repo) == Some("packages.cgr.dev"),
        _ => false,
    }
}

/// The host of an `http(s)://` URL (credentials and port left out).
pub(crate) fn repo_host(repo: &str) -> Option<&str> {
    let rest = repo
        .strip_prefix("https://")
        .or_else(|| repo.strip_prefix("http://"))?;
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    host.split(':').next()
}
