//! Globs over file paths (`**` crosses directories), the one matcher the exception file
//! (`bulwark-policy`) and configuration suppressions (`bulwark-config`) use.
//!
//! Hand-written: the glob crates compile patterns for repeated use against a directory tree
//! and differ on `**` at the ends; these patterns are matched a few times each, with these
//! exact rules, and must stay bounded on hostile patterns (memoised, size-capped).

/// Glob match: `**` matches anything (slashes included), `*` anything but `/`, `?` one
/// character but `/`.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = path.chars().collect();
    // Iterative matcher with memo over (pi, si) to stay linear-ish on hostile patterns.
    let mut memo = vec![None; (p.len() + 1) * (s.len() + 1)];
    fn go(p: &[char], s: &[char], pi: usize, si: usize, memo: &mut Vec<Option<bool>>) -> bool {
        let key = pi * (s.len() + 1) + si;
        if let Some(Some(v)) = memo.get(key) {
            return *v;
        }
        let r = match p.get(pi) {
            None => si == s.len(),
            Some('*') if p.get(pi + 1) == Some(&'*') => {
                let next = if p.get(pi + 2) == Some(&'/') {
                    pi + 3
                } else {
                    pi + 2
                };
                (si..=s.len()).any(|k| go(p, s, next, k, memo))
                    || (next != pi + 2 && go(p, s, pi + 2, si, memo))
            }
            Some('*') => {
                let mut k = si;
                loop {
                    if go(p, s, pi + 1, k, memo) {
                        break true;
                    }
                    match s.get(k) {
                        Some(c) if *c != '/' => k += 1,
                        _ => break false,
                    }
                }
            }
            Some('?') => s.get(si).is_some_and(|c| *c != '/') && go(p, s, pi + 1, si + 1, memo),
            Some(c) => s.get(si) == Some(c) && go(p, s, pi + 1, si + 1, memo),
        };
        if let Some(slot) = memo.get_mut(key) {
            *slot = Some(r);
        }
        r
    }
    if p.len().saturating_mul(s.len()) > 4_000_000 {
        return false;
    }
    go(&p, &s, 0, 0, &mut memo)
}

/// A path glob against a file path, as the exception file matches them: leading `./` and `/`
/// ignored, a pattern without `/` also matches the file name, and any pattern may match at any
/// depth.
pub fn path_matches(pattern: &str, file: &str) -> bool {
    let pat = pattern.trim_start_matches("./").trim_start_matches('/');
    let file = file.trim_start_matches("./").trim_start_matches('/');
    glob_match(pat, file)
        || (!pat.contains('/') && glob_match(pat, file.rsplit('/').next().unwrap_or(file)))
        || glob_match(&format!("**/{pat}"), file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("**/*.yaml", "a/b/c.yaml"));
        assert!(glob_match("**/*.yaml", "c.yaml"));
        assert!(!glob_match("*.yaml", "a/c.yaml"));
        assert!(glob_match("a/?.yml", "a/b.yml"));
        assert!(path_matches("Dockerfile", "x/y/Dockerfile"));
        assert!(path_matches("./k8s/*.yaml", "k8s/pod.yaml"));
        assert!(!path_matches("k8s/*.yaml", "other/pod.yaml"));
        // Pathological backtracking patterns finish quickly thanks to the memo.
        assert!(!glob_match(&"a*".repeat(60), &"a".repeat(59)));
        assert!(glob_match("****", "a/b/c"));
    }
}
