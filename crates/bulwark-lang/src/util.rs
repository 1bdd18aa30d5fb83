//! Helpers shared by the parsers: package URLs, license names, text decoding.

use std::borrow::Cow;

use bulwark_catalog::{Package, PackageKind};

/// The package URL for a language package (<https://github.com/package-url/purl-spec>),
/// built and encoded by [`bulwark_catalog::purl::Purl`].
///
/// `name` is the ecosystem's name: for npm a `@scope/name`, for Composer `vendor/name`, for Go
/// the module path; PyPI names are normalised per PEP 503. An empty version gives a purl
/// without `@version`.
pub fn purl(kind: PackageKind, name: &str, version: &str) -> String {
    use bulwark_catalog::purl::Purl;
    // npm and Composer: the part before the first `/` is the namespace (`@babel`, `psr`).
    let scoped = |ty: &str| match name.split_once('/') {
        Some((ns, n)) => Purl::new(ty, n).with_namespace(ns),
        None => Purl::new(ty, name),
    };
    let purl = match kind {
        PackageKind::Python => Purl::new("pypi", crate::pep503_normalize(name)),
        PackageKind::Npm => scoped("npm"),
        PackageKind::Go => Purl::from_path("golang", name),
        PackageKind::Cargo => Purl::new("cargo", name),
        PackageKind::Gem => Purl::new("gem", name),
        PackageKind::Composer => scoped("composer"),
        PackageKind::Nuget => Purl::new("nuget", name),
        PackageKind::Maven => Purl::from_path("maven", name),
        _ => Purl::new("generic", name),
    };
    purl.with_version(version).to_string()
}

/// A new package of `kind` with its purl filled in.
pub(crate) fn pkg(kind: PackageKind, name: &str, version: &str) -> Package {
    Package::new(kind, name, version, purl(kind, name, version), "")
}

/// Normalise a declared license to its SPDX identifier when the mapping is unambiguous (common
/// spellings of MIT, Apache-2.0, BSD-2/3-Clause, ISC, MPL-2.0, EPL-2.0, GPL/LGPL with version);
/// anything else is returned trimmed, as declared.
pub fn normalize_license(raw: &str) -> String {
    let t = raw.trim();
    let key: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-' && *c != '_' && *c != ',')
        .collect::<String>()
        .to_ascii_lowercase();
    let mapped = match key.as_str() {
        "mit" | "mitlicense" | "themitlicense" | "expat" => "MIT",
        "apache2.0"
        | "apache2"
        | "apachelicense2.0"
        | "apachelicenseversion2.0"
        | "apachesoftwarelicense2.0"
        | "asl2.0"
        | "apachev2"
        | "apachelicensev2.0" => "Apache-2.0",
        "bsd2clause" | "simplifiedbsd" | "bsd2" | "freebsd" => "BSD-2-Clause",
        "bsd3clause" | "newbsd" | "bsd3" | "modifiedbsd" | "revisedbsd" => "BSD-3-Clause",
        "isc" | "isclicense" => "ISC",
        "mpl2.0" | "mozillapubliclicense2.0" | "mozillapubliclicense2.0(mpl2.0)" => "MPL-2.0",
        "epl2.0" | "eclipsepubliclicensev2.0" | "eclipsepubliclicense2.0" => "EPL-2.0",
        "epl1.0" | "eclipsepubliclicensev1.0" | "eclipsepubliclicense1.0" => "EPL-1.0",
        "gplv2" | "gpl2" | "gpl2.0" | "gnugplv2" => "GPL-2.0-only",
        "gplv3" | "gpl3" | "gpl3.0" | "gnugplv3" => "GPL-3.0-only",
        "gplv2+" | "gpl2.0+" => "GPL-2.0-or-later",
        "gplv3+" | "gpl3.0+" => "GPL-3.0-or-later",
        "lgplv2.1" | "lgpl2.1" => "LGPL-2.1-only",
        "lgplv3" | "lgpl3.0" | "lgpl3" => "LGPL-3.0-only",
        "unlicense" | "theunlicense" => "Unlicense",
        "0bsd" => "0BSD",
        "cc01.0" => "CC0-1.0",
        "zlib" => "Zlib",
        "psf" | "psfl" | "psf2.0" | "python2.0" => return t.to_string(),
        _ => return t.to_string(),
    };
    mapped.to_string()
}

/// Decode text leniently: invalid UTF-8 is replaced rather than rejected, so one bad byte in a
/// description does not lose the package. A leading BOM is dropped.
pub(crate) fn text(data: &[u8]) -> Cow<'_, str> {
    let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    String::from_utf8_lossy(data)
}

/// JSONC (JSON with `//` and `/* */` comments and trailing commas, as `bun.lock` is written)
/// turned into JSON. Hand-written: it is a single pass over the bytes that only has to know
/// where strings are, and a JSON5 parser would accept far more than the format allows.
pub(crate) fn jsonc_to_json(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    let mut in_str = false;
    while let Some(&b) = data.get(i) {
        if in_str {
            out.push(b);
            if b == b'\\' {
                if let Some(&n) = data.get(i + 1) {
                    out.push(n);
                    i += 1;
                }
            } else if b == b'"' {
                in_str = false;
            }
            i += 1;
            continue;
        }
        match (b, data.get(i + 1)) {
            (b'"', _) => {
                in_str = true;
                out.push(b);
            }
            (b'/', Some(b'/')) => {
                while data.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                continue;
            }
            (b'/', Some(b'*')) => {
                i += 2;
                while i < data.len()
                    && !(data.get(i) == Some(&b'*') && data.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                i += 2;
                continue;
            }
            (b'}' | b']', _) => {
                // Drop a trailing comma (and the whitespace after it) before the closer.
                let mut end = out.len();
                while end > 0 && out.get(end - 1).is_some_and(|c| c.is_ascii_whitespace()) {
                    end -= 1;
                }
                if end > 0 && out.get(end - 1) == Some(&b',') {
                    out.truncate(end - 1);
                }
                out.push(b);
            }
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

/// Sort and deduplicate dependency ids.
pub(crate) fn tidy(mut ids: Vec<String>) -> Vec<String> {
    ids.sort();
    ids.dedup();
    ids
}

/// A JSON string field, if present and a string.
pub(crate) fn jstr<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key).and_then(|x| x.as_str())
}

/// Licenses from a JSON `license` (string, `{type}` object, or array) or legacy `licenses`
/// (array of strings or `{type}` objects) field, normalised.
pub(crate) fn json_licenses(v: &serde_json::Value) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["license", "licenses"] {
        let Some(l) = v.get(key) else { continue };
        collect_license(l, &mut out);
    }
    out.retain(|l| !l.is_empty());
    out
}

fn collect_license(l: &serde_json::Value, out: &mut Vec<String>) {
    match l {
        serde_json::Value::String(s) => out.push(normalize_license(s)),
        serde_json::Value::Object(_) => {
            if let Some(s) = jstr(l, "type") {
                out.push(normalize_license(s));
            }
        }
        serde_json::Value::Array(items) => {
            for i in items.iter().take(64) {
                if !i.is_array() {
                    collect_license(i, out);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purls() {
        assert_eq!(
            purl(PackageKind::Npm, "@babel/core", "7.0.0"),
            "pkg:npm/%40babel/core@7.0.0"
        );
        assert_eq!(
            purl(PackageKind::Python, "Foo_Bar.baz", "1.0+local"),
            "pkg:pypi/foo-bar-baz@1.0%2Blocal"
        );
        assert_eq!(
            purl(PackageKind::Go, "github.com/a/b", "v1.0.0"),
            "pkg:golang/github.com/a/b@v1.0.0"
        );
        assert_eq!(
            purl(PackageKind::Composer, "psr/log", "1.0"),
            "pkg:composer/psr/log@1.0"
        );
        assert_eq!(purl(PackageKind::Npm, "x", ""), "pkg:npm/x");
    }

    #[test]
    fn jsonc() {
        let j = jsonc_to_json(b"{\"a\": [1, 2,], // c\n /* x */ \"b\": \"//not,}\",\n}");
        let v: serde_json::Value = serde_json::from_slice(&j).unwrap_or_default();
        assert_eq!(v, serde_json::json!({"a": [1, 2], "b": "//not,}"}));
    }

    #[test]
    fn licenses() {
        assert_eq!(normalize_license("Apache 2.0"), "Apache-2.0");
        assert_eq!(normalize_license(" MIT License "), "MIT");
        assert_eq!(normalize_license("Eclipse Public License v2.0"), "EPL-2.0");
        assert_eq!(normalize_license("BSD License"), "BSD License");
        assert_eq!(normalize_license("Ruby"), "Ruby");
    }
}
