//! Runtimes installed outside any package manager: recognised by file name, versioned by a
//! string the build leaves in the binary (the approach of Syft's binary classifiers), or by the
//! small metadata files runtimes ship (`release` in a Java home, `VERSION` in a Go root).
//!
//! Only a handful of classifiers, each keyed on an exact file name so that the expensive part
//! (a regex over the whole binary) runs on few files.

use std::sync::LazyLock;

use regex::bytes::Regex;

use crate::purl;

/// A runtime found, ready to become a [`bulwark_catalog::PackageKind::Binary`] package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Runtime {
    /// Package name (`node`, `python`, `openjdk`, `go`...).
    pub name: String,
    /// Version as the upstream project spells it.
    pub version: String,
    /// Package URL (`pkg:generic/...`).
    pub purl: String,
    /// CPEs for matching against NVD-style advisories.
    pub cpes: Vec<String>,
    /// Extra facts (`implementor`, `evidence`...).
    pub metadata: Vec<(String, String)>,
}

/// The binaries recognised by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamedBinary {
    /// The Node.js executable.
    Node,
    /// A CPython interpreter or `libpython` whose file name carries `major.minor`.
    Python(String),
    /// BusyBox.
    Busybox,
    /// The OpenSSL command-line tool.
    Openssl,
    /// `redis-server`.
    Redis,
    /// nginx.
    Nginx,
}

/// Which classifier, if any, a file name calls for. Cheap; called from `wants`.
pub fn classify_name(file_name: &str) -> Option<NamedBinary> {
    match file_name {
        "node" | "nodejs" => return Some(NamedBinary::Node),
        "busybox" => return Some(NamedBinary::Busybox),
        "openssl" => return Some(NamedBinary::Openssl),
        "redis-server" => return Some(NamedBinary::Redis),
        "nginx" => return Some(NamedBinary::Nginx),
        _ => {}
    }
    // python3.11, python3.11d; libpython3.11.so, libpython3.11.so.1.0, libpython3.8m.so.1.0
    let rest = file_name
        .strip_prefix("python")
        .or_else(|| file_name.strip_prefix("libpython"))?;
    let is_lib = file_name.starts_with("lib");
    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(rest.len());
    let version = rest.get(..digits_end)?.trim_end_matches('.');
    let suffix = rest.get(version.len()..)?;
    let mut parts = version.split('.');
    let (Some(major), Some(minor)) = (parts.next(), parts.next()) else {
        return None;
    };
    if major.is_empty() || minor.is_empty() || parts.next().is_some() {
        return None;
    }
    let suffix_ok = if is_lib {
        let s = suffix.trim_start_matches(['d', 'm', 'u']);
        s == ".so" || s.starts_with(".so.")
    } else {
        matches!(suffix, "" | "d" | "m")
    };
    suffix_ok.then(|| NamedBinary::Python(version.to_string()))
}

/// Compile one of this file's literal patterns. `None` would be a programming error (the tests
/// check every pattern compiles); it makes the classifier find nothing rather than panic.
fn re(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

static NODE: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?-u)node\.js/v([0-9]+\.[0-9]+\.[0-9]+)"));
static NODE_OLD: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?-u)\x00(?:node )?v((?:0|4|5|6)\.[0-9]+\.[0-9]+)\x00"));
static BUSYBOX: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?-u)BusyBox\s+v([0-9]+\.[0-9]+\.[0-9]+)"));
static OPENSSL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r"(?-u)\x00OpenSSL ([0-9]+\.[0-9]+\.[0-9]+(?:[a-z]+|-alpha[0-9]|-beta[0-9]|-rc[0-9])?)")
});
static REDIS: LazyLock<[Option<Regex>; 3]> = LazyLock::new(|| {
    [
        re(r"(?-u)[^0-9]([0-9]+\.[0-9]+\.[0-9]+)buildkitsandbox-[0-9]+"),
        re(r"(?-u)[^0-9]([0-9]+\.[0-9]+\.[0-9]+)[0-9a-zA-Z_]{12}-[0-9]+"),
        re(r"(?-u)Redis version ([0-9]+\.[0-9]+\.[0-9]+)"),
    ]
});
static NGINX: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?-u)(?:\x00|\?)nginx version: [^/\x00]+/([0-9]+\.[0-9]+\.[0-9]+)"));

fn first_capture(re: &Option<Regex>, data: &[u8]) -> Option<String> {
    let caps = re.as_ref()?.captures(data)?;
    let m = caps.get(1)?;
    Some(String::from_utf8_lossy(m.as_bytes()).into_owned())
}

/// Find the version of a binary recognised by [`classify_name`].
pub fn classify(kind: &NamedBinary, data: &[u8]) -> Option<Runtime> {
    let (name, version, cpes): (&str, String, Vec<(&str, &str)>) = match kind {
        NamedBinary::Node => (
            "node",
            first_capture(&NODE, data).or_else(|| first_capture(&NODE_OLD, data))?,
            vec![("nodejs", "node.js")],
        ),
        NamedBinary::Python(minor) => (
            "python",
            python_version(data, minor)?,
            vec![("python", "python")],
        ),
        NamedBinary::Busybox => (
            "busybox",
            first_capture(&BUSYBOX, data)?,
            vec![("busybox", "busybox")],
        ),
        NamedBinary::Openssl => (
            "openssl",
            first_capture(&OPENSSL, data)?,
            vec![("openssl", "openssl")],
        ),
        NamedBinary::Redis => (
            "redis",
            REDIS.iter().find_map(|r| first_capture(r, data))?,
            vec![("redis", "redis"), ("redislabs", "redis")],
        ),
        NamedBinary::Nginx => (
            "nginx",
            first_capture(&NGINX, data)?,
            vec![("f5", "nginx"), ("nginx", "nginx")],
        ),
    };
    Some(Runtime {
        name: name.to_string(),
        purl: purl::generic(name, &version),
        cpes: cpes
            .into_iter()
            .map(|(vendor, product)| purl::cpe(vendor, product, &version, ""))
            .collect(),
        version,
        metadata: vec![("evidence".into(), "binary-version-string".into())],
    })
}

/// CPython keeps its full version as a NUL-terminated string (`\x003.11.2\x00`) in the
/// interpreter and in `libpython`. Prefer a `major.minor.patch` match over a bare `major.minor`.
fn python_version(data: &[u8], minor: &str) -> Option<String> {
    let mut needle = Vec::with_capacity(minor.len() + 1);
    needle.push(0u8);
    needle.extend_from_slice(minor.as_bytes());
    let mut fallback = None;
    for (n, pos) in memchr::memmem::find_iter(data, &needle).enumerate() {
        if n > 10_000 {
            break;
        }
        let start = pos + 1;
        let tail = data.get(start..)?;
        let Some(len) = tail
            .iter()
            .take(64)
            .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_')))
        else {
            continue;
        };
        if tail.get(len) != Some(&0) {
            continue;
        }
        let candidate = String::from_utf8_lossy(tail.get(..len)?).into_owned();
        let rest = candidate.get(minor.len()..).unwrap_or("");
        if rest.is_empty() {
            fallback.get_or_insert(candidate);
        } else if rest.starts_with('.') && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
            return Some(candidate);
        }
    }
    fallback
}

/// The runtime metadata files recognised by path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuntimeFile {
    /// `release` at the top of a Java home.
    JavaRelease,
    /// `VERSION` at the top of a Go root.
    GoVersion,
}

/// Which runtime metadata file a path is. Cheap; called from `wants`.
pub fn runtime_file(path: &str) -> Option<RuntimeFile> {
    let (dir, name) = path.rsplit_once('/')?;
    let parent = dir.rsplit('/').next().unwrap_or(dir);
    match name {
        "release" => Some(RuntimeFile::JavaRelease),
        "VERSION" if parent == "go" || parent.starts_with("go-") || parent.starts_with("go1") => {
            Some(RuntimeFile::GoVersion)
        }
        _ => None,
    }
}

/// Parse a runtime metadata file.
pub fn parse_runtime_file(kind: RuntimeFile, data: &[u8]) -> Option<Runtime> {
    match kind {
        RuntimeFile::JavaRelease => parse_java_release(data),
        RuntimeFile::GoVersion => parse_go_version_file(data),
    }
}

/// A Java home's `release` file: shell-style `KEY="value"` lines with `JAVA_VERSION`,
/// `JAVA_RUNTIME_VERSION`, `IMPLEMENTOR`, `IMAGE_TYPE`...
pub fn parse_java_release(data: &[u8]) -> Option<Runtime> {
    let text = String::from_utf8_lossy(data);
    let mut fields = std::collections::BTreeMap::new();
    for line in text.lines() {
        if let Some((k, v)) = line.split_once('=') {
            let v = v.trim();
            let v = v
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .unwrap_or(v);
            fields.insert(k.trim().to_string(), v.to_string());
        }
    }
    let version = fields.get("JAVA_VERSION")?.clone();
    if !version.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return None;
    }
    let implementor = fields.get("IMPLEMENTOR").cloned().unwrap_or_default();
    // NVD spells Java 8 updates as `1.8.0` + `update392`.
    let (cpe_version, update) = match version.split_once('_') {
        Some((v, u)) => (v.to_string(), format!("update{u}")),
        None => (version.clone(), String::new()),
    };
    let lower = implementor.to_ascii_lowercase();
    // Oracle's commercial JDK (Java SE): no IMPLEMENTOR (or Oracle) and BUILD_TYPE=commercial.
    // NVD files its advisories under oracle:jdk / oracle:jre / oracle:java_se, never openjdk.
    // Its version is the full runtime version (`JAVA_RUNTIME_VERSION`, `1.8.0_411-b25`) as Syft
    // reports it; the CPE version comes from `JAVA_VERSION` (`1.8.0` + `update411`).
    let commercial = fields.get("BUILD_TYPE").map(String::as_str) == Some("commercial")
        && (implementor.is_empty() || lower.contains("oracle"));
    if commercial {
        let jre = fields.get("IMAGE_TYPE").map(String::as_str) == Some("JRE");
        let name = if jre { "jre" } else { "jdk" };
        let full = fields
            .get("JAVA_RUNTIME_VERSION")
            .filter(|v| !v.is_empty())
            .cloned()
            .unwrap_or_else(|| version.clone());
        let mut metadata = vec![
            ("evidence".to_string(), "java-release-file".to_string()),
            ("vendor".to_string(), "oracle".to_string()),
            ("java_version".to_string(), version.clone()),
        ];
        if let Some(b) = fields.get("BUILD_TYPE") {
            metadata.push(("build_type".to_string(), b.clone()));
        }
        return Some(Runtime {
            name: name.into(),
            purl: with_namespace_generic("oracle", name, &full),
            cpes: vec![
                purl::cpe("oracle", "java_se", &cpe_version, &update),
                purl::cpe("oracle", "jre", &cpe_version, &update),
                purl::cpe("oracle", "jdk", &cpe_version, &update),
            ],
            version: full,
            metadata,
        });
    }
    let mut cpes = vec![purl::cpe("oracle", "openjdk", &cpe_version, &update)];
    let vendor_cpe = if lower.contains("adoptium") || lower.contains("eclipse") {
        Some(("eclipse", "temurin"))
    } else if lower.contains("amazon") {
        Some(("amazon", "corretto"))
    } else if lower.contains("azul") {
        Some(("azul", "zulu"))
    } else {
        None
    };
    if let Some((vendor, product)) = vendor_cpe {
        cpes.push(purl::cpe(vendor, product, &cpe_version, &update));
    }
    let mut metadata = vec![("evidence".to_string(), "java-release-file".to_string())];
    for (key, meta) in [
        ("IMPLEMENTOR", "implementor"),
        ("IMPLEMENTOR_VERSION", "implementor_version"),
        ("JAVA_RUNTIME_VERSION", "runtime_version"),
        ("IMAGE_TYPE", "image_type"),
    ] {
        if let Some(v) = fields.get(key).filter(|v| !v.is_empty()) {
            metadata.push((meta.to_string(), v.clone()));
        }
    }
    Some(Runtime {
        name: "openjdk".into(),
        purl: purl::generic("openjdk", &version),
        version,
        cpes,
        metadata,
    })
}

/// `pkg:generic/<namespace>/<name>@<version>`.
fn with_namespace_generic(namespace: &str, name: &str, version: &str) -> String {
    bulwark_catalog::purl::Purl::new("generic", name)
        .with_namespace(namespace)
        .with_version(version)
        .to_string()
}

/// A Go root's `VERSION` file: `go1.21.5` on the first line (newer releases add a `time` line).
pub fn parse_go_version_file(data: &[u8]) -> Option<Runtime> {
    let text = String::from_utf8_lossy(data.get(..data.len().min(4096))?);
    let first = text.lines().next()?.trim();
    let version = crate::golang::stdlib_version(first)?;
    Some(go_toolchain(&version, "go-version-file"))
}

/// The Go toolchain as a runtime package.
pub fn go_toolchain(version: &str, evidence: &str) -> Runtime {
    Runtime {
        name: "go".into(),
        purl: purl::generic("go", version),
        cpes: vec![purl::cpe("golang", "go", version, "")],
        version: version.to_string(),
        metadata: vec![("evidence".into(), evidence.into())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(classify_name("node"), Some(NamedBinary::Node));
        assert_eq!(
            classify_name("python3.11"),
            Some(NamedBinary::Python("3.11".into()))
        );
        assert_eq!(
            classify_name("libpython3.11.so.1.0"),
            Some(NamedBinary::Python("3.11".into()))
        );
        assert_eq!(
            classify_name("libpython3.8m.so"),
            Some(NamedBinary::Python("3.8".into()))
        );
        assert_eq!(classify_name("python3"), None);
        assert_eq!(classify_name("python3.11-config"), None);
        assert_eq!(classify_name("libpython3.11.a"), None);
        assert_eq!(classify_name("python"), None);
    }

    #[test]
    fn regexes_compile_and_match() {
        assert!(NODE.is_some() && NODE_OLD.is_some() && BUSYBOX.is_some());
        assert!(OPENSSL.is_some() && NGINX.is_some() && REDIS.iter().all(Option::is_some));
        let c = |k, d: &[u8]| classify(&k, d).map(|r| r.version);
        assert_eq!(
            c(NamedBinary::Node, b"xx node.js/v20.11.1 yy"),
            Some("20.11.1".into())
        );
        assert_eq!(
            c(NamedBinary::Node, b"\x00node v0.10.48\x00"),
            Some("0.10.48".into())
        );
        assert_eq!(
            c(NamedBinary::Busybox, b"BusyBox v1.36.1 (2023)"),
            Some("1.36.1".into())
        );
        assert_eq!(
            c(NamedBinary::Openssl, b"\x00OpenSSL 3.0.11 19 Sep 2023"),
            Some("3.0.11".into())
        );
        assert_eq!(
            c(NamedBinary::Openssl, b"\x00OpenSSL 1.1.1w  11 Sep 2023"),
            Some("1.1.1w".into())
        );
        assert_eq!(
            c(
                NamedBinary::Redis,
                b"\x007.0.14buildkitsandbox-1702957741000000000"
            ),
            Some("7.0.14".into())
        );
        assert_eq!(
            c(NamedBinary::Nginx, b"\x00nginx version: nginx/1.25.1\x00"),
            Some("1.25.1".into())
        );
        assert_eq!(c(NamedBinary::Nginx, b"nothing here"), None);
        assert_eq!(
            c(
                NamedBinary::Python("3.11".into()),
                b"\x003.11\x00..\x003.11.2\x00"
            ),
            Some("3.11.2".into())
        );
        assert_eq!(
            c(NamedBinary::Python("3.11".into()), b"\x003.11\x00"),
            Some("3.11".into())
        );
    }

    #[test]
    fn java_release() {
        let rt = parse_java_release(
            b"IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"17.0.9\"\nJAVA_RUNTIME_VERSION=\"17.0.9+9\"\nIMAGE_TYPE=\"JRE\"\n",
        );
        let rt = rt.unwrap_or_else(|| go_toolchain("none", "x"));
        assert_eq!(rt.name, "openjdk");
        assert_eq!(rt.version, "17.0.9");
        assert_eq!(
            rt.cpes,
            vec![
                "cpe:2.3:a:oracle:openjdk:17.0.9:*:*:*:*:*:*:*",
                "cpe:2.3:a:eclipse:temurin:17.0.9:*:*:*:*:*:*:*"
            ]
        );
        let j8 = parse_java_release(b"JAVA_VERSION=\"1.8.0_392\"\n").map(|r| r.cpes);
        assert_eq!(
            j8,
            Some(vec![
                "cpe:2.3:a:oracle:openjdk:1.8.0:update392:*:*:*:*:*:*".to_string()
            ])
        );
        assert_eq!(parse_java_release(b"NAME=\"Debian\"\n"), None);
        // Oracle's commercial JDK 8 `release` (Syft's fixture
        // syft/pkg/cataloger/java/testdata/jvm-installs/oracle-jdk-se-8/.../release).
        let oracle = parse_java_release(
            b"JAVA_VERSION=\"1.8.0_411\"\nJAVA_RUNTIME_VERSION=\"1.8.0_411-b25\"\nOS_NAME=\"Linux\"\nOS_VERSION=\"2.6\"\nOS_ARCH=\"amd64\"\nSOURCE=\".:git:71ec2089cf8c+\"\nBUILD_TYPE=\"commercial\"\n",
        )
        .unwrap_or_else(|| go_toolchain("none", "x"));
        assert_eq!(
            (
                oracle.name.as_str(),
                oracle.version.as_str(),
                oracle.purl.as_str()
            ),
            (
                "jdk",
                "1.8.0_411-b25",
                "pkg:generic/oracle/jdk@1.8.0_411-b25"
            )
        );
        assert_eq!(
            oracle.cpes,
            [
                "cpe:2.3:a:oracle:java_se:1.8.0:update411:*:*:*:*:*:*",
                "cpe:2.3:a:oracle:jre:1.8.0:update411:*:*:*:*:*:*",
                "cpe:2.3:a:oracle:jdk:1.8.0:update411:*:*:*:*:*:*"
            ]
        );
    }

    #[test]
    fn go_version_file() {
        assert_eq!(
            parse_go_version_file(b"go1.21.5\ntime 2023-11-29T21:21:50Z\n").map(|r| r.version),
            Some("1.21.5".into())
        );
        assert_eq!(parse_go_version_file(b"devel +abc\n"), None);
        assert_eq!(
            runtime_file("/usr/local/go/VERSION"),
            Some(RuntimeFile::GoVersion)
        );
        assert_eq!(
            runtime_file("/usr/lib/go-1.21/VERSION"),
            Some(RuntimeFile::GoVersion)
        );
        assert_eq!(runtime_file("/app/VERSION"), None);
        assert_eq!(
            runtime_file("/opt/java/openjdk/release"),
            Some(RuntimeFile::JavaRelease)
        );
    }
}
