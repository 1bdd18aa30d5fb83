//! Java archives (`.jar`, `.war`, `.ear`, `.par`, `.jpi`, `.hpi`) and Gradle lockfiles.
//!
//! An archive yields one package per `META-INF/maven/**/pom.properties` (shaded jars carry
//! several), or per embedded `META-INF/maven/<group>/<artifact>/pom.xml` where no
//! `pom.properties` sits beside it; without any, the main `META-INF/MANIFEST.MF` section names
//! it (a Jenkins plugin, `.hpi`/`.jpi`, by its `Group-Id`, `Short-Name` and `Plugin-Version`);
//! without a usable manifest, a `name-1.2.3.jar` file name does. Instrumentation jars whose
//! manifest only lists classes to weave (`Weave-Classes`, New Relic's agent modules) are not
//! packages. Archives inside archives (`WEB-INF/lib/*.jar`,
//! Spring Boot `BOOT-INF/lib/*.jar`, ears holding wars) are opened recursively.
//!
//! Hostile archives are bounded by [`Limits`]: nesting depth, total inflated bytes per top-level
//! file, entries per top-level file, the size of any one inflated entry and the compression
//! ratio of big entries (zip bombs). Every limit hit becomes a warning and the rest of the archive
//! is still read.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Bounds for reading one top-level archive (and everything nested in it).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting opened (the top-level archive is depth 0).
    pub max_depth: usize,
    /// Total bytes inflated from entries (nested archives and metadata files).
    pub max_total_bytes: u64,
    /// Largest single nested archive inflated into memory.
    pub max_entry_bytes: u64,
    /// Total zip entries across the top-level archive and its nested archives.
    pub max_entries: u64,
    /// Largest inflated/compressed ratio accepted for entries over 1 MiB.
    pub max_ratio: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 8,
            max_total_bytes: 512 << 20,
            max_entry_bytes: 128 << 20,
            max_entries: 1_000_000,
            max_ratio: 100,
        }
    }
}

/// Largest `pom.properties` or `MANIFEST.MF` read.
const MAX_META_BYTES: u64 = 1 << 20;

/// Where a package's identity came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// A `pom.properties` file.
    PomProperties,
    /// An embedded `pom.xml` (no `pom.properties` beside it).
    PomXml,
    /// The manifest's main section.
    Manifest,
    /// The archive's file name.
    FileName,
}

impl Evidence {
    /// Stable name for metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::PomProperties => "pom.properties",
            Evidence::PomXml => "pom.xml",
            Evidence::Manifest => "manifest",
            Evidence::FileName => "file-name",
        }
    }
}

/// One Java package found in an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JavaPackage {
    /// Maven groupId, when known.
    pub group: Option<String>,
    /// Maven artifactId (or the best name available).
    pub artifact: String,
    /// Version.
    pub version: String,
    /// Path inside the top-level archive of the archive this package was found in: empty for the
    /// top-level archive itself, else `!/WEB-INF/lib/inner.jar` (chained for deeper nesting).
    pub nested: String,
    /// What identified it.
    pub evidence: Evidence,
    /// The `pom.properties` path inside its archive, for pom-identified packages.
    pub pom_path: Option<String>,
}

impl JavaPackage {
    /// `group:artifact`, or the artifact alone when the group is unknown (the OSV Maven name).
    pub fn name(&self) -> String {
        match &self.group {
            Some(g) => format!("{g}:{}", self.artifact),
            None => self.artifact.clone(),
        }
    }
}

/// What reading one archive produced.
#[derive(Debug, Default)]
pub struct ArchiveScan {
    /// Packages, outer archive first.
    pub packages: Vec<JavaPackage>,
    /// Problems (with the nested path they concern).
    pub warnings: Vec<String>,
}

/// Whether a file name is a Java archive this module opens.
pub fn is_java_archive_name(name: &str) -> bool {
    let Some((_, ext)) = name.rsplit_once('.') else {
        return false;
    };
    ["jar", "war", "ear", "par", "jpi", "hpi"]
        .iter()
        .any(|e| ext.eq_ignore_ascii_case(e))
}

/// Read a Java archive and everything nested in it, within `limits`.
pub fn scan_archive(file_name: &str, data: &[u8], limits: Limits) -> ArchiveScan {
    let mut scanner = Scanner {
        limits,
        bytes_left: limits.max_total_bytes,
        entries_left: limits.max_entries,
        out: ArchiveScan::default(),
    };
    scanner.scan(file_name, "", data, 0);
    scanner.out
}

struct Scanner {
    limits: Limits,
    bytes_left: u64,
    entries_left: u64,
    out: ArchiveScan,
}

impl Scanner {
    fn warn(&mut self, nested: &str, message: String) {
        if nested.is_empty() {
            self.out.warnings.push(message);
        } else {
            self.out.warnings.push(format!("{nested}: {message}"));
        }
    }

    fn scan(&mut self, file_name: &str, nested: &str, data: &[u8], depth: usize) {
        if let Some(count) = declared_entry_count(data) {
            if count > self.entries_left {
                self.warn(
                    nested,
                    format!(
                        "archive declares {count} entries, over the remaining entry budget ({}); skipped",
                        self.entries_left
                    ),
                );
                return;
            }
        }
        let mut archive = match zip::ZipArchive::new(Cursor::new(data)) {
            Ok(a) => a,
            Err(e) => {
                self.warn(nested, format!("not a readable zip archive: {e}"));
                return;
            }
        };
        let count = archive.len() as u64;
        if count > self.entries_left {
            self.warn(
                nested,
                format!("{count} entries exceed the remaining entry budget; skipped"),
            );
            return;
        }
        self.entries_left -= count;

        let mut poms: Vec<(String, BTreeMap<String, String>)> = Vec::new();
        let mut pom_xmls: Vec<(String, crate::pom::Coordinate)> = Vec::new();
        let mut manifest: Option<BTreeMap<String, String>> = None;
        let mut bad_entries = 0usize;
        let mut first_bad = String::new();
        // Pick the interesting entries by name first: opening an entry sets up its decompressor,
        // which for the thousands of classes in a jar costs more than everything else.
        let interesting: Vec<(usize, String)> = archive
            .file_names_raw()
            .enumerate()
            .filter_map(|(index, raw)| {
                let name = String::from_utf8_lossy(raw);
                let wanted = is_pom_properties(&name)
                    || is_pom_xml(&name)
                    || name.eq_ignore_ascii_case("META-INF/MANIFEST.MF")
                    || is_java_archive_name(&name);
                wanted.then(|| (index, name.into_owned()))
            })
            .collect();
        for (index, name) in interesting {
            let mut entry = match archive.by_index(index) {
                Ok(e) => e,
                Err(e) => {
                    if bad_entries == 0 {
                        first_bad = format!("{name}: {e}");
                    }
                    bad_entries += 1;
                    continue;
                }
            };
            if entry.is_dir() {
                continue;
            }
            if is_pom_properties(&name) {
                match self.read_entry(&mut entry, MAX_META_BYTES) {
                    Ok(bytes) => poms.push((name, parse_properties(&bytes))),
                    Err(e) => self.warn(nested, format!("{name}: {e}")),
                }
            } else if is_pom_xml(&name) {
                match self.read_entry(&mut entry, MAX_META_BYTES) {
                    Ok(bytes) => match crate::pom::parse_pom(&bytes) {
                        Ok(pom) => pom_xmls.push((name, pom.project)),
                        Err(e) => self.warn(nested, format!("{name}: {e}")),
                    },
                    Err(e) => self.warn(nested, format!("{name}: {e}")),
                }
            } else if name.eq_ignore_ascii_case("META-INF/MANIFEST.MF") {
                match self.read_entry(&mut entry, MAX_META_BYTES) {
                    Ok(bytes) => manifest = Some(parse_manifest(&bytes)),
                    Err(e) => self.warn(nested, format!("{name}: {e}")),
                }
            } else if is_java_archive_name(&name) {
                let inner_nested = format!("{nested}!/{name}");
                if depth + 1 > self.limits.max_depth {
                    self.warn(
                        &inner_nested,
                        format!(
                            "nested deeper than {} archives; not opened",
                            self.limits.max_depth
                        ),
                    );
                    continue;
                }
                match self.read_entry(&mut entry, self.limits.max_entry_bytes) {
                    Ok(bytes) => {
                        drop(entry);
                        // Opened right away so at most one inflated buffer per depth is alive.
                        let inner_name = name.rsplit('/').next().unwrap_or(&name);
                        self.scan(inner_name, &inner_nested, &bytes, depth + 1);
                    }
                    Err(e) => self.warn(&inner_nested, e),
                }
            }
        }
        if bad_entries > 0 {
            self.warn(
                nested,
                format!("{bad_entries} unreadable entries (first: {first_bad})"),
            );
        }
        self.identify(file_name, nested, poms, pom_xmls, manifest);
    }

    /// Inflate one entry, bounded by `cap`, the remaining byte budget and the ratio guard.
    fn read_entry<R: Read>(
        &mut self,
        entry: &mut zip::read::ZipFile<'_, R>,
        cap: u64,
    ) -> Result<Vec<u8>, String> {
        let declared = entry.size();
        let compressed = entry.compressed_size();
        let cap = cap.min(self.bytes_left);
        if declared > cap {
            return Err(format!(
                "{declared} bytes inflated is over the limit ({cap} bytes left); not read"
            ));
        }
        let ratio_ok = |size: u64| {
            size <= 1 << 20
                || (compressed > 0 && size / compressed <= self.limits.max_ratio)
                || compressed == size
        };
        if !ratio_ok(declared) {
            return Err(format!(
                "compression ratio {declared}:{compressed} looks like a zip bomb; not read"
            ));
        }
        let mut buf = Vec::with_capacity(usize::try_from(declared.min(1 << 20)).unwrap_or(0));
        let read = entry.take(cap.saturating_add(1)).read_to_end(&mut buf);
        let got = buf.len() as u64;
        self.bytes_left = self.bytes_left.saturating_sub(got);
        if let Err(e) = read {
            return Err(format!("cannot inflate: {e}"));
        }
        if got > cap {
            return Err(format!(
                "inflates past the limit ({cap} bytes; declared {declared}); not read"
            ));
        }
        if !ratio_ok(got) {
            return Err(format!(
                "compression ratio {got}:{compressed} looks like a zip bomb; not read"
            ));
        }
        Ok(buf)
    }

    /// Name the packages of one archive from what was collected in it.
    fn identify(
        &mut self,
        file_name: &str,
        nested: &str,
        poms: Vec<(String, BTreeMap<String, String>)>,
        pom_xmls: Vec<(String, crate::pom::Coordinate)>,
        manifest: Option<BTreeMap<String, String>>,
    ) {
        let mut found = false;
        if let Some(plugin) = manifest
            .as_ref()
            .and_then(|m| jenkins_plugin(file_name, m, nested))
        {
            self.out.packages.push(plugin);
            found = true;
        }
        // pom.xml only where no pom.properties (the build's own record) sits beside it.
        let with_properties: Vec<&str> = poms
            .iter()
            .filter_map(|(p, _)| p.strip_suffix("pom.properties"))
            .collect();
        let mut from_xml = Vec::new();
        for (path, c) in pom_xmls {
            let dir = path.strip_suffix("pom.xml").unwrap_or(&path);
            if with_properties.contains(&dir) {
                continue;
            }
            if c.group.is_empty() || c.version.is_empty() || c.version.contains("${") {
                self.warn(nested, format!("{path}: no resolvable groupId or version"));
                continue;
            }
            from_xml.push(JavaPackage {
                group: Some(c.group),
                artifact: c.artifact,
                version: c.version,
                nested: nested.to_string(),
                evidence: Evidence::PomXml,
                pom_path: Some(path),
            });
        }
        for (path, props) in poms {
            let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
            let (Some(group), Some(artifact), Some(version)) =
                (get("groupId"), get("artifactId"), get("version"))
            else {
                self.warn(
                    nested,
                    format!("{path}: missing groupId, artifactId or version"),
                );
                continue;
            };
            let pkg = JavaPackage {
                group: Some(group.to_string()),
                artifact: artifact.to_string(),
                version: version.to_string(),
                nested: nested.to_string(),
                evidence: Evidence::PomProperties,
                pom_path: Some(path.clone()),
            };
            if !self.out.packages.contains(&pkg) {
                self.out.packages.push(pkg);
            }
            found = true;
        }
        for pkg in from_xml {
            if !self.out.packages.contains(&pkg) {
                self.out.packages.push(pkg);
            }
            found = true;
        }
        if found {
            return;
        }
        // Instrumentation modules only weave classes into other libraries: not packages.
        if manifest
            .as_ref()
            .is_some_and(|m| m.contains_key("Weave-Classes"))
        {
            return;
        }
        let from_name = split_file_name(file_name);
        if let Some(m) = manifest {
            if let Some(pkg) = from_manifest(&m, from_name.as_ref(), nested) {
                self.out.packages.push(pkg);
                return;
            }
        }
        if let Some((artifact, Some(version))) = from_name {
            self.out.packages.push(JavaPackage {
                group: None,
                artifact,
                version,
                nested: nested.to_string(),
                evidence: Evidence::FileName,
                pom_path: None,
            });
        }
    }
}

/// The entry count an archive's end-of-central-directory record declares, read before the zip
/// crate allocates its per-entry index.
fn declared_entry_count(data: &[u8]) -> Option<u64> {
    const EOCD: &[u8] = b"PK\x05\x06";
    let search_from = data.len().saturating_sub(22 + 65_535);
    let tail = data.get(search_from..)?;
    let pos = search_from + memchr::memmem::rfind(tail, EOCD)?;
    let total = u16::from_le_bytes(data.get(pos + 10..pos + 12)?.try_into().ok()?);
    if total != 0xffff {
        return Some(u64::from(total));
    }
    // Zip64: the locator (20 bytes) sits right before the EOCD and points at the zip64 record.
    let loc = pos.checked_sub(20)?;
    if data.get(loc..loc + 4)? != b"PK\x06\x07" {
        return None;
    }
    let rec = usize::try_from(u64::from_le_bytes(
        data.get(loc + 8..loc + 16)?.try_into().ok()?,
    ))
    .ok()?;
    if data.get(rec..rec.checked_add(4)?)? != b"PK\x06\x06" {
        return None;
    }
    Some(u64::from_le_bytes(
        data.get(rec + 32..rec + 40)?.try_into().ok()?,
    ))
}

fn is_pom_properties(name: &str) -> bool {
    name.starts_with("META-INF/maven/") && name.ends_with("/pom.properties")
}

/// `META-INF/maven/<group>/<artifact>/pom.xml`.
fn is_pom_xml(name: &str) -> bool {
    name.starts_with("META-INF/maven/")
        && name.ends_with("/pom.xml")
        && name.matches('/').count() == 4
}

/// A Jenkins plugin archive (`.hpi`, `.jpi`) named by its manifest.
fn jenkins_plugin(
    file_name: &str,
    m: &BTreeMap<String, String>,
    nested: &str,
) -> Option<JavaPackage> {
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase());
    if !matches!(ext.as_deref(), Some("hpi" | "jpi")) {
        return None;
    }
    let get = |k: &str| m.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    Some(JavaPackage {
        group: get("Group-Id").map(str::to_string),
        artifact: get("Short-Name")
            .or_else(|| get("Extension-Name"))?
            .to_string(),
        version: get("Plugin-Version")?.to_string(),
        nested: nested.to_string(),
        evidence: Evidence::Manifest,
        pom_path: None,
    })
}

/// Java `.properties` (the subset Maven writes): `key=value` or `key: value`, `#`/`!` comments.
pub fn parse_properties(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_start();
        if line.is_empty() || line.starts_with('#') || line.starts_with('!') {
            continue;
        }
        let Some(split) = line.find(['=', ':']) else {
            continue;
        };
        let (k, v) = line.split_at(split);
        let v = v.get(1..).unwrap_or("");
        out.insert(k.trim().to_string(), unescape_property(v.trim()));
    }
    out
}

fn unescape_property(v: &str) -> String {
    if !v.contains('\\') {
        return v.to_string();
    }
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The main section of a JAR manifest: `Name: value` lines, continuation lines starting with one
/// space, ending at the first blank line.
pub fn parse_manifest(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = BTreeMap::new();
    let mut last: Option<String> = None;
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            break;
        }
        if let Some(cont) = line.strip_prefix(' ') {
            if let Some(value) = last.as_ref().and_then(|k| out.get_mut(k)) {
                let value: &mut String = value;
                value.push_str(cont);
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            let key = k.trim().to_string();
            out.insert(key.clone(), v.trim_start().to_string());
            last = Some(key);
        }
    }
    out
}

/// `commons-io-2.11.0.jar` -> (`commons-io`, `2.11.0`); `guava.jar` -> (`guava`, none).
pub fn split_file_name(file_name: &str) -> Option<(String, Option<String>)> {
    let stem = file_name
        .rsplit_once('.')
        .map(|(s, _)| s)
        .unwrap_or(file_name);
    if stem.is_empty() {
        return None;
    }
    let bytes = stem.as_bytes();
    for (i, w) in bytes.windows(2).enumerate() {
        if w[0] == b'-' && w[1].is_ascii_digit() && i > 0 {
            let (name, version) = (stem.get(..i)?, stem.get(i + 1..)?);
            return Some((name.to_string(), Some(version.to_string())));
        }
    }
    Some((stem.to_string(), None))
}

fn from_manifest(
    m: &BTreeMap<String, String>,
    from_name: Option<&(String, Option<String>)>,
    nested: &str,
) -> Option<JavaPackage> {
    let get = |k: &str| m.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let version = get("Implementation-Version")
        .or_else(|| get("Bundle-Version"))
        .or_else(|| get("Specification-Version"))
        .or_else(|| from_name.and_then(|(_, v)| v.as_deref()))?;
    let symbolic = get("Bundle-SymbolicName").map(|s| s.split(';').next().unwrap_or(s).trim());
    let artifact = from_name
        .map(|(n, _)| n.as_str())
        .or_else(|| get("Implementation-Title"))
        .or(symbolic)
        .or_else(|| get("Specification-Title"))?
        .to_string();
    let group = get("Implementation-Vendor-Id")
        .map(str::to_string)
        .or_else(|| {
            symbolic.and_then(|s| {
                s.strip_suffix(&format!(".{artifact}"))
                    .map(str::to_string)
                    .filter(|g| !g.is_empty())
            })
        });
    Some(JavaPackage {
        group,
        artifact,
        version: version.to_string(),
        nested: nested.to_string(),
        evidence: Evidence::Manifest,
        pom_path: None,
    })
}

/// One line of a `gradle.lockfile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradleLock {
    /// groupId.
    pub group: String,
    /// artifactId.
    pub artifact: String,
    /// Version.
    pub version: String,
    /// The configurations that resolved it (`compileClasspath`, `testRuntimeClasspath`...).
    pub configurations: Vec<String>,
}

/// Parse a `gradle.lockfile`: `group:artifact:version=conf1,conf2` lines, `#` comments and an
/// `empty=...` line listing configurations with no dependencies. Returns the entries and the
/// number of lines that did not parse.
pub fn parse_gradle_lockfile(bytes: &[u8]) -> (Vec<GradleLock>, usize) {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Vec::new();
    let mut bad = 0;
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with("empty=") {
            continue;
        }
        let (coords, confs) = line.split_once('=').unwrap_or((line, ""));
        let parts: Vec<&str> = coords.split(':').collect();
        match parts.as_slice() {
            [g, a, v] if !g.is_empty() && !a.is_empty() && !v.is_empty() => out.push(GradleLock {
                group: g.to_string(),
                artifact: a.to_string(),
                version: v.to_string(),
                configurations: confs
                    .split(',')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect(),
            }),
            _ => bad += 1,
        }
    }
    (out, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names() {
        assert_eq!(
            split_file_name("commons-io-2.11.0.jar"),
            Some(("commons-io".into(), Some("2.11.0".into())))
        );
        assert_eq!(
            split_file_name("guava-31.1-jre.jar"),
            Some(("guava".into(), Some("31.1-jre".into())))
        );
        assert_eq!(split_file_name("guava.jar"), Some(("guava".into(), None)));
        assert_eq!(split_file_name("-1.jar"), Some(("-1".into(), None)));
        assert_eq!(split_file_name(".jar"), None);
    }

    #[test]
    fn manifest_continuations_and_sections() {
        let m = parse_manifest(
            b"Manifest-Version: 1.0\r\nImplementation-Title: very-long-na\r\n me\r\nImplementation-Version: 1.0\r\n\r\nName: x\r\nImplementation-Version: 9\r\n",
        );
        assert_eq!(
            m.get("Implementation-Title").map(String::as_str),
            Some("very-long-name")
        );
        assert_eq!(
            m.get("Implementation-Version").map(String::as_str),
            Some("1.0")
        );
    }

    #[test]
    fn manifest_identity() {
        let m = parse_manifest(
            b"Bundle-SymbolicName: org.example.widget;singleton:=true\nBundle-Version: 3.1.0\n",
        );
        let pkg = from_manifest(&m, Some(&("widget".to_string(), None)), "");
        assert_eq!(
            pkg.map(|p| (p.name(), p.version)),
            Some(("org.example:widget".into(), "3.1.0".into()))
        );
        assert_eq!(from_manifest(&BTreeMap::new(), None, ""), None);
    }

    #[test]
    fn properties() {
        let p = parse_properties(b"#c\n! c\ngroupId=g\nartifactId : a\nversion=1\\:2\n");
        assert_eq!(p.get("groupId").map(String::as_str), Some("g"));
        assert_eq!(p.get("artifactId").map(String::as_str), Some("a"));
        assert_eq!(p.get("version").map(String::as_str), Some("1:2"));
    }

    #[test]
    fn gradle_lockfile() {
        let (locks, bad) = parse_gradle_lockfile(
            b"# This is a Gradle generated file\ncom.google.guava:guava:31.1-jre=compileClasspath,runtimeClasspath\njunit:junit:4.13.2=testCompileClasspath\nbroken-line\nempty=annotationProcessor\n",
        );
        assert_eq!(bad, 1);
        assert_eq!(locks.len(), 2);
        assert_eq!(locks[0].artifact, "guava");
        assert_eq!(
            locks[0].configurations,
            vec!["compileClasspath", "runtimeClasspath"]
        );
    }

    #[test]
    fn not_a_zip() {
        let scan = scan_archive("x.jar", b"PK\x03\x04 garbage", Limits::default());
        assert!(scan.packages.is_empty());
        assert_eq!(scan.warnings.len(), 1);
        assert!(scan.warnings[0].starts_with("not a readable zip archive"));
    }

    #[test]
    fn archive_names() {
        assert!(is_java_archive_name("a.JAR"));
        assert!(is_java_archive_name("x/y.hpi"));
        assert!(!is_java_archive_name("a.zip"));
        assert!(!is_java_archive_name("jar"));
    }
}
