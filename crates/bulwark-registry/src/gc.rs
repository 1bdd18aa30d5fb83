//! Governance: online garbage collection, per-project quotas, immutable tags and retention.
//!
//! Garbage collection runs while the registry serves. Roots are the manifests of every
//! repository and what they refer to; a blob link nothing refers to is collected only when it
//! is older than a grace period (an upload whose manifest has not arrived yet is young), and a
//! file is deleted only when no repository links it any more. Commits of uploads, mounts and
//! manifest pushes hold the shared side of one lock from their existence checks to their
//! database write, and collection holds the exclusive side, so a manifest can never be
//! accepted over a blob that collection is deleting. After `kill -9` mid-collection a file may
//! remain without links; the next run deletes it (it was unreferenced before).

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::error::RegistryError;
use crate::meta::now;
use crate::names::Digest;
use crate::server::AppState;

/// What a collection did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct GcReport {
    /// Nothing was changed.
    pub dry_run: bool,
    /// Blob links removed: `repository@digest`.
    pub unlinked: Vec<String>,
    /// Blob files deleted.
    pub deleted: Vec<String>,
    /// Bytes freed on disk.
    pub freed_bytes: u64,
    /// Upload sessions abandoned for longer than [`STALE_UPLOAD_SECONDS`], removed.
    pub stale_uploads: Vec<String>,
}

/// Upload sessions untouched for this long (seven days) are abandoned; collection removes them.
pub const STALE_UPLOAD_SECONDS: i64 = 7 * 86_400;

/// Collect garbage older than `grace_seconds`.
pub async fn collect(
    st: &AppState,
    grace_seconds: i64,
    dry_run: bool,
) -> Result<GcReport, RegistryError> {
    let _exclusive = st.gc_lock.write().await;
    let cutoff = now() - grace_seconds;
    let candidates = st.meta.unreferenced_links(cutoff)?;
    let mut report = GcReport {
        dry_run,
        ..GcReport::default()
    };
    let mut per_digest: BTreeMap<String, usize> = BTreeMap::new();
    for (repo, digest, _) in &candidates {
        report.unlinked.push(format!("{repo}@{digest}"));
        *per_digest.entry(digest.clone()).or_default() += 1;
        if !dry_run {
            if let Some(d) = Digest::parse(digest) {
                st.meta.unlink_blob(repo, &d)?;
            }
        }
    }
    let mut doomed: BTreeSet<String> = BTreeSet::new();
    for (digest, n) in per_digest {
        let still = if dry_run {
            st.meta.link_count(&digest)? > n
        } else {
            st.meta.blob_linked_anywhere(&digest)?
        };
        if !still {
            doomed.insert(digest);
        }
    }
    // Files no repository links at all (left by an interrupted collection or by deletes).
    for d in st.store.list_blobs().await {
        if doomed.contains(d.as_str()) || st.meta.blob_linked_anywhere(d.as_str())? {
            continue;
        }
        let old = st.store.modified(&d).await.is_some_and(|t| t < cutoff);
        if old {
            doomed.insert(d.to_string());
        }
    }
    for id in st
        .meta
        .stale_uploads(now() - STALE_UPLOAD_SECONDS.max(grace_seconds))?
    {
        if !dry_run {
            st.meta.delete_upload(&id)?;
            st.store.remove_upload(&id).await;
        }
        report.stale_uploads.push(id);
    }
    for digest in doomed {
        let Some(d) = Digest::parse(&digest) else {
            continue;
        };
        report.freed_bytes += st.store.stat(&d).await.unwrap_or(0);
        if !dry_run {
            st.store.delete_blob(&d).await?;
        }
        report.deleted.push(digest);
    }
    Ok(report)
}

/// Whether `tag` matches a pattern where `*` stands for any run of characters.
pub fn glob_match(pattern: &str, tag: &str) -> bool {
    // Tiny wildcard matcher: the only syntax is `*`, which no crate in the workspace offers
    // without pulling in a full glob or regex translation.
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == tag;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !tag.starts_with(first) || tag.len() < first.len() + last.len() || !tag.ends_with(last) {
        return false;
    }
    let mut rest = &tag[first.len()..tag.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

/// Whether `tag` in `repo` is protected by its project's immutable tag rules.
pub fn is_immutable(st: &AppState, repo: &str, tag: &str) -> Result<bool, RegistryError> {
    let patterns = st.meta.immutable_patterns(crate::names::project_of(repo))?;
    Ok(patterns.iter().any(|p| glob_match(p, tag)))
}

/// Whether adding `size` bytes of blob `d` to `repo` stays within its project's quota (a blob
/// already stored in the project costs nothing).
pub fn within_quota(st: &AppState, repo: &str, d: &str, size: u64) -> Result<bool, RegistryError> {
    let project = crate::names::project_of(repo);
    let (quota, used) = st.meta.project_usage(project)?;
    let Some(quota) = quota else { return Ok(true) };
    if st.meta.linked_in_project(project, d)? {
        return Ok(true);
    }
    Ok(used + size <= quota)
}

/// One tag a retention run removes (or would remove).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expired {
    /// Repository.
    pub repo: String,
    /// Tag.
    pub tag: String,
    /// Digest it pointed at.
    pub digest: String,
}

/// Apply retention to a project: per repository keep the `keep_last` most recently pushed tags
/// and every tag pushed within `keep_days`; immutable tags are always kept. Returns the tags
/// removed (or, with `dry_run`, that would be).
pub fn retention(
    st: &AppState,
    project: &str,
    keep_last: Option<usize>,
    keep_days: Option<i64>,
    dry_run: bool,
) -> Result<Vec<Expired>, RegistryError> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let t = now();
    for (repo, tag, digest, updated) in st.meta.all_tags(project)? {
        let rank = seen.entry(repo.clone()).or_default();
        *rank += 1;
        let by_count = keep_last.is_some_and(|n| *rank <= n);
        let by_age = keep_days.is_some_and(|d| updated >= t - d * 86_400);
        if by_count
            || by_age
            || (keep_last.is_none() && keep_days.is_none())
            || is_immutable(st, &repo, &tag)?
        {
            continue;
        }
        if !dry_run {
            st.meta.delete_tag(&repo, &tag)?;
        }
        out.push(Expired { repo, tag, digest });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("v*", "v1.2"));
        assert!(glob_match("*", "anything"));
        assert!(glob_match("release-*-final", "release-2-final"));
        assert!(glob_match("latest", "latest"));
        assert!(!glob_match("v*", "latest"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(!glob_match("ab*ba", "aba"));
    }
}
