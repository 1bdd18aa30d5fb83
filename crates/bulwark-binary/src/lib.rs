//! Packages hidden inside binaries and archives, and runtimes no package manager knows about.
//!
//! - Go executables (ELF, PE, Mach-O): the build information `go version -m` prints: the main
//!   module, every dependency (replacements applied), the toolchain as the `stdlib` package, the
//!   build settings, and a `-ldflags -X main.version=...` version for `(devel)` main modules.
//! - Rust executables built with `cargo auditable`: the crates in the `.dep-v0` section.
//! - Java archives (`.jar`, `.war`, `.ear`, `.par`, `.jpi`, `.hpi`), nested to any depth within
//!   limits: `pom.properties`, else the manifest, else the file name; and `gradle.lockfile`.
//! - Maven `pom.xml` files: the project as the root component and its declared dependencies
//!   (properties, parents found in the same image and `dependencyManagement` resolved), marked
//!   declared rather than installed.
//! - Bitnami images' component SBOMs (`/opt/bitnami/**/.spdx-*.spdx`), as
//!   [`PackageKind::Bitnami`] packages.
//! - Runtimes outside package managers, as [`PackageKind::Binary`] packages with a purl and CPEs:
//!   `node`, CPython (`python3.X`, `libpython3.X.so*`), a JDK/JRE `release` file, a Go root's
//!   `VERSION` file, the `go` command itself, and busybox/openssl/redis/nginx version strings.
//!
//! What it does not do: lockfiles and installed metadata of language package managers (that is
//! `bulwark-lang`), OS packages (`bulwark-os`), or reading images (`bulwark-walk`).
//!
//! Everything is read from hostile input: sizes, pointers, varints, compression ratios and nesting
//! are bounded; problems become warnings naming the file and the cause, never panics.
//!
//! Entry point: [`catalogers`], to add to the scan's [`bulwark_catalog::CatalogSet`].

pub mod bitnami;
mod exe;
pub mod golang;
pub mod java;
pub mod pom;
mod purl;
pub mod runtime;
pub mod rust_audit;

use bulwark_catalog::{
    CatalogContext, Cataloger, EntryMeta, NodeKind, Package, PackageKind, Parsed, Relationship,
    Stage,
};

pub use exe::{detect as detect_executable, Format};

/// Largest executable or shared library read (bigger ones are reported in a warning and
/// skipped: they would be buffered whole in memory).
pub const MAX_BINARY_SIZE: u64 = 256 << 20;
/// Smallest file considered as a possible Go/Rust executable: anything smaller is a script or a
/// stub, never a Go or Rust program.
pub const MIN_BINARY_SIZE: u64 = 4 << 10;
/// Largest Java archive read.
pub const MAX_ARCHIVE_SIZE: u64 = 256 << 20;
/// Largest `pom.xml` read.
const MAX_POM_SIZE: u64 = 4 << 20;
/// Largest `gradle.lockfile`, JDK `release` or Go `VERSION` file read.
const MAX_TEXT_SIZE: u64 = 16 << 20;

/// The catalogers of this crate, all [`Stage::Language`].
pub fn catalogers() -> Vec<Box<dyn Cataloger>> {
    vec![
        Box::new(BinaryCataloger),
        Box::new(JavaArchiveCataloger {
            limits: java::Limits::default(),
        }),
        Box::new(GradleLockCataloger),
        Box::new(MavenPomCataloger),
        Box::new(BitnamiCataloger),
        Box::new(RuntimeFileCataloger),
    ]
}

/// What `read` hands to `finish`: packages with `found_in` already set (the layer is added in
/// `finish`), and warnings to record if the file turns out to be visible.
#[derive(Debug, Default)]
pub struct Found {
    /// Packages found in the file.
    pub packages: Vec<Package>,
    /// Problems met while reading it.
    pub warnings: Vec<String>,
}

/// Record the visible hits' packages and warnings. Runtime packages (`Binary`) of files an OS
/// package owns are dropped: the OS package already reports them. Packages found inside
/// OS-owned files (Go modules, crates, jars) are kept and marked `os_owned`, since they are
/// code the OS package's advisories do not cover.
fn record(name: &str, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
    for hit in hits {
        if !hit.visible {
            continue;
        }
        let Ok(found) = hit.parsed.downcast::<Found>() else {
            continue;
        };
        let owned = ctx.is_os_owned(&hit.path);
        for message in found.warnings {
            ctx.warn(name, &hit.path, message);
        }
        for mut pkg in found.packages {
            if owned {
                if pkg.kind == PackageKind::Binary {
                    continue;
                }
                pkg.metadata.insert("os_owned".into(), "true".into());
            }
            pkg.layer = Some(hit.layer);
            ctx.packages.push(pkg);
        }
    }
}

/// Warn about files the cataloger would have read but that are over its size limit (they were
/// never handed to `read`).
fn warn_oversized(
    name: &str,
    ctx: &mut CatalogContext<'_>,
    limit: u64,
    wanted: impl Fn(&str, u32) -> bool,
) {
    let over: Vec<(String, u64)> = ctx
        .view
        .iter()
        .filter(|(path, node)| {
            matches!(node.kind, NodeKind::File) && node.size > limit && wanted(path, node.mode)
        })
        .map(|(path, node)| (path.to_string(), node.size))
        .collect();
    for (path, size) in over {
        ctx.warn(
            name,
            &path,
            format!("not read: {size} bytes is over the {limit}-byte limit"),
        );
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Shared-library and Windows executable names (read even without an execute bit).
fn is_library_name(name: &str) -> bool {
    name.ends_with(".so")
        || name.contains(".so.")
        || name.ends_with(".dylib")
        || name.rsplit_once('.').is_some_and(|(_, ext)| {
            ext.eq_ignore_ascii_case("exe") || ext.eq_ignore_ascii_case("dll")
        })
}

fn binary_wanted_by_name(path: &str, mode: u32) -> bool {
    let name = file_name(path);
    mode & 0o111 != 0 || is_library_name(name) || runtime::classify_name(name).is_some()
}

/// Go and Rust executables, and runtimes recognised by their binary's name.
pub struct BinaryCataloger;

impl Cataloger for BinaryCataloger {
    fn name(&self) -> &'static str {
        "binary"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        (MIN_BINARY_SIZE..=MAX_BINARY_SIZE).contains(&entry.size)
            && binary_wanted_by_name(entry.path, entry.mode)
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        Box::new(read_binary(entry.path, data))
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
        record(self.name(), ctx, hits);
        warn_oversized(self.name(), ctx, MAX_BINARY_SIZE, binary_wanted_by_name);
    }
}

/// Run a parse that goes through a third-party format crate (`object`, `zip`) and turn a panic
/// in it, should one ever escape on hostile input, into a warning for this file instead of
/// taking the layer thread down. Our own code never panics; this guards the code we do not own.
fn guarded(what: &str, parse: impl FnOnce() -> Found) -> Found {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse)) {
        Ok(found) => found,
        Err(_) => Found {
            packages: Vec::new(),
            warnings: vec![format!("internal error while parsing the {what}; skipped")],
        },
    }
}

/// Everything this crate finds in one executable or shared library (`path` becomes `found_in`).
/// Files that are not ELF, PE or Mach-O give nothing, quickly.
pub fn read_binary(path: &str, data: &[u8]) -> Found {
    guarded("executable", || read_binary_unguarded(path, data))
}

fn read_binary_unguarded(path: &str, data: &[u8]) -> Found {
    let mut found = Found::default();
    let Some(exe) = exe::Exe::parse(data) else {
        return found;
    };
    if let Some(e) = &exe.parse_error {
        found
            .warnings
            .push(format!("corrupt {:?} headers: {e}", exe.format));
    }
    match golang::read_build_info(&exe) {
        Ok(Some(info)) => go_packages(path, &info, &mut found.packages),
        Ok(None) => {}
        Err(e) => found.warnings.push(format!("Go {e}")),
    }
    match rust_audit::read_audit_data(&exe) {
        Ok(Some(crates)) => cargo_packages(path, &crates, &mut found.packages),
        Ok(None) => {}
        Err(e) => found.warnings.push(e.to_string()),
    }
    if let Some(kind) = runtime::classify_name(file_name(path)) {
        if let Some(rt) = runtime::classify(&kind, data) {
            found.packages.push(runtime_package(path, rt));
        }
    }
    found
}

fn runtime_package(path: &str, rt: runtime::Runtime) -> Package {
    let mut pkg = Package::new(PackageKind::Binary, rt.name, rt.version, rt.purl, path);
    pkg.cpes = rt.cpes;
    pkg.metadata.extend(rt.metadata);
    pkg
}

fn is_local_path(p: &str) -> bool {
    p.starts_with('.') || p.starts_with('/') || p.contains('\\') || p.get(1..2) == Some(":")
}

/// The packages of one Go binary's build info.
pub fn go_packages(path: &str, info: &golang::BuildInfo, out: &mut Vec<Package>) {
    let go_version = info.go_version.clone();
    if let Some(main) = &info.main {
        let (mut version, mut source) = (main.version.clone(), "buildinfo");
        if version.is_empty() || version == "(devel)" {
            if let Some(v) = info.setting("-ldflags").and_then(golang::ldflags_version) {
                (version, source) = (v, "ldflags");
            } else if let Some(v) = golang::vcs_pseudo_version(info) {
                (version, source) = (v, "vcs");
            } else {
                version = "(devel)".into();
            }
        }
        let purl_version = if version == "(devel)" { "" } else { &version };
        let mut pkg = Package::new(
            PackageKind::Go,
            &main.path,
            &version,
            purl::golang(&main.path, purl_version),
            path,
        );
        pkg.relationship = Some(Relationship::Root);
        pkg.metadata
            .insert("version_source".into(), source.to_string());
        if !info.path.is_empty() {
            pkg.metadata
                .insert("main_package".into(), info.path.clone());
        }
        for (k, v) in &info.settings {
            pkg.metadata.insert(format!("build:{k}"), v.clone());
        }
        if !main.sum.is_empty() {
            pkg.metadata.insert("checksum".into(), main.sum.clone());
        }
        pkg.metadata.insert("go_version".into(), go_version.clone());
        pkg.depends_on = info
            .deps
            .iter()
            .map(|d| match &d.replace {
                Some(r) if !is_local_path(&r.path) => format!("{}@{}", r.path, r.version),
                _ => format!("{}@{}", d.path, d.version),
            })
            .collect();
        out.push(pkg);
    }
    if let Some(v) = golang::stdlib_version(&go_version) {
        let mut pkg = Package::new(
            PackageKind::Go,
            "stdlib",
            &v,
            purl::golang("stdlib", &v),
            path,
        );
        pkg.metadata.insert("go_version".into(), go_version.clone());
        out.push(pkg);
        if info.path == "cmd/go" {
            out.push(runtime_package(
                path,
                runtime::go_toolchain(&v, "go-command-build-info"),
            ));
        }
    }
    for dep in &info.deps {
        let mut metadata = Vec::new();
        let (name, version, sum) = match &dep.replace {
            Some(r) if !is_local_path(&r.path) => {
                metadata.push((
                    "replaces".to_string(),
                    format!("{}@{}", dep.path, dep.version),
                ));
                (&r.path, &r.version, &r.sum)
            }
            Some(r) => {
                metadata.push(("replaced_by".to_string(), r.path.clone()));
                (&dep.path, &dep.version, &dep.sum)
            }
            None => (&dep.path, &dep.version, &dep.sum),
        };
        let mut pkg = Package::new(
            PackageKind::Go,
            name,
            version,
            purl::golang(name, version),
            path,
        );
        if !sum.is_empty() {
            metadata.push(("checksum".into(), sum.clone()));
        }
        pkg.metadata.extend(metadata);
        out.push(pkg);
    }
}

/// The packages of a cargo-auditable dependency list: the root crate (relationship `Root`) and
/// every crates.io crate, as `cargo audit bin` checks them; local path and git crates other than
/// the root have no advisories to match and are left out.
pub fn cargo_packages(path: &str, crates: &[rust_audit::AuditPackage], out: &mut Vec<Package>) {
    let reported = |p: &rust_audit::AuditPackage| p.root || p.source == "crates.io";
    let mut seen = std::collections::HashSet::new();
    for p in crates {
        if !reported(p) || !seen.insert((&p.name, &p.version)) {
            continue;
        }
        let mut pkg = Package::new(
            PackageKind::Cargo,
            &p.name,
            &p.version,
            purl::cargo(&p.name, &p.version),
            path,
        );
        if p.root {
            pkg.relationship = Some(Relationship::Root);
        }
        pkg.metadata.insert("source".into(), p.source.clone());
        if p.kind != "runtime" {
            pkg.metadata.insert("kind".into(), p.kind.clone());
        }
        let mut deps: Vec<String> = p
            .dependencies
            .iter()
            .filter_map(|&i| crates.get(i))
            .filter(|d| reported(d))
            .map(|d| format!("{}@{}", d.name, d.version))
            .collect();
        deps.sort();
        deps.dedup();
        pkg.depends_on = deps;
        out.push(pkg);
    }
}

/// Java archives, nested archives included.
pub struct JavaArchiveCataloger {
    /// Bounds for each top-level archive.
    pub limits: java::Limits,
}

impl Cataloger for JavaArchiveCataloger {
    fn name(&self) -> &'static str {
        "java-archive"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        (1..=MAX_ARCHIVE_SIZE).contains(&entry.size)
            && java::is_java_archive_name(entry.file_name())
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        Box::new(read_java_archive(entry.path, data, self.limits))
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
        record(self.name(), ctx, hits);
        warn_oversized(self.name(), ctx, MAX_ARCHIVE_SIZE, |p, _| {
            java::is_java_archive_name(file_name(p))
        });
    }
}

/// The packages of one Java archive at `path` (nested ones found in as `path!/inner.jar`).
pub fn read_java_archive(path: &str, data: &[u8], limits: java::Limits) -> Found {
    guarded("archive", || {
        read_java_archive_unguarded(path, data, limits)
    })
}

fn read_java_archive_unguarded(path: &str, data: &[u8], limits: java::Limits) -> Found {
    let scan = java::scan_archive(file_name(path), data, limits);
    let packages = scan
        .packages
        .into_iter()
        .map(|j| {
            let mut pkg = Package::new(
                PackageKind::Maven,
                j.name(),
                &j.version,
                purl::maven(j.group.as_deref(), &j.artifact, &j.version),
                format!("{path}{}", j.nested),
            );
            pkg.metadata
                .insert("evidence".into(), j.evidence.as_str().to_string());
            if let Some(p) = j.pom_path {
                let key = if j.evidence == java::Evidence::PomXml {
                    "pom_xml"
                } else {
                    "pom_properties"
                };
                pkg.metadata.insert(key.into(), p);
            }
            pkg
        })
        .collect();
    Found {
        packages,
        warnings: scan.warnings,
    }
}

/// `gradle.lockfile`.
pub struct GradleLockCataloger;

impl Cataloger for GradleLockCataloger {
    fn name(&self) -> &'static str {
        "gradle-lockfile"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.size <= MAX_TEXT_SIZE && entry.file_name() == "gradle.lockfile"
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let (locks, bad) = java::parse_gradle_lockfile(data);
        let mut found = Found::default();
        if bad > 0 {
            found.warnings.push(format!(
                "{bad} lines are not group:artifact:version=configurations"
            ));
        }
        for l in locks {
            let mut pkg = Package::new(
                PackageKind::Maven,
                format!("{}:{}", l.group, l.artifact),
                &l.version,
                purl::maven(Some(&l.group), &l.artifact, &l.version),
                entry.path,
            );
            if !l.configurations.is_empty() {
                pkg.metadata
                    .insert("configurations".into(), l.configurations.join(","));
            }
            found.packages.push(pkg);
        }
        Box::new(found)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
        record(self.name(), ctx, hits);
    }
}

/// JDK/JRE `release` files and Go root `VERSION` files.
pub struct RuntimeFileCataloger;

impl Cataloger for RuntimeFileCataloger {
    fn name(&self) -> &'static str {
        "runtime-file"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.size <= 64 << 10 && runtime::runtime_file(entry.path).is_some()
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let mut found = Found::default();
        if let Some(kind) = runtime::runtime_file(entry.path) {
            if let Some(rt) = runtime::parse_runtime_file(kind, data) {
                found.packages.push(runtime_package(entry.path, rt));
            }
        }
        Box::new(found)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
        record(self.name(), ctx, hits);
    }
}

/// Maven `pom.xml` files outside a local repository (`.m2/repository` holds the poms of
/// downloaded artifacts, not projects): the project is the root component, its declared
/// dependencies are direct and `declared` (a manifest asks for them; nothing says they are
/// installed), `test`/`provided` scopes are dev. Versions come from the pom's properties, its
/// `dependencyManagement`, and those of parent poms present in the same image (matched by
/// coordinate); a version nothing resolves is left empty.
pub struct MavenPomCataloger;

/// A pom as read, or why it could not be.
type PomRead = Result<pom::Pom, String>;

impl Cataloger for MavenPomCataloger {
    fn name(&self) -> &'static str {
        "maven-pom"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        entry.file_name() == "pom.xml"
            && !entry.path.contains("/.m2/repository/")
            && !entry.path.contains("/META-INF/maven/")
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let size = entry.size.max(data.len() as u64);
        let out: PomRead = if size > MAX_POM_SIZE {
            Err(format!(
                "not read: {size} bytes is over the {MAX_POM_SIZE}-byte limit"
            ))
        } else {
            pom::parse_pom(data).map_err(|e| e.to_string())
        };
        Box::new(out)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
        let mut poms: Vec<(String, usize, pom::Pom)> = Vec::new();
        for hit in hits {
            if !hit.visible || ctx.is_os_owned(&hit.path) {
                continue;
            }
            let Ok(read) = hit.parsed.downcast::<PomRead>() else {
                continue;
            };
            match *read {
                Ok(p) => poms.push((hit.path, hit.layer, p)),
                Err(e) => ctx.warn(self.name(), &hit.path, e),
            }
        }
        let by_coordinate: std::collections::HashMap<(String, String, String), usize> = poms
            .iter()
            .enumerate()
            .map(|(i, (_, _, p))| {
                let c = &p.project;
                ((c.group.clone(), c.artifact.clone(), c.version.clone()), i)
            })
            .collect();
        for (path, layer, p) in &poms {
            // Parents present in the image, nearest first (bounded: parent chains are short,
            // and a cycle must not loop).
            let mut ancestors: Vec<&pom::Pom> = Vec::new();
            let mut next = p.parent.as_ref();
            while let Some(c) = next {
                if ancestors.len() >= 16 {
                    break;
                }
                let key = (c.group.clone(), c.artifact.clone(), c.version.clone());
                let Some(parent) = by_coordinate.get(&key).and_then(|&i| poms.get(i)) else {
                    break;
                };
                ancestors.push(&parent.2);
                next = parent.2.parent.as_ref();
            }
            let deps = p.dependencies_with(&ancestors);
            let c = &p.project;
            let mut root = Package::new(
                PackageKind::Maven,
                format!("{}:{}", c.group, c.artifact),
                &c.version,
                purl::maven(Some(&c.group), &c.artifact, &c.version),
                path.as_str(),
            );
            root.relationship = Some(Relationship::Root);
            root.declared = true;
            root.layer = Some(*layer);
            let mut ids = Vec::new();
            let mut packages = Vec::new();
            for d in deps {
                let dc = &d.coordinate;
                let mut pkg = Package::new(
                    PackageKind::Maven,
                    format!("{}:{}", dc.group, dc.artifact),
                    &dc.version,
                    purl::maven(Some(&dc.group), &dc.artifact, &dc.version),
                    path.as_str(),
                );
                pkg.relationship = Some(Relationship::Direct);
                pkg.declared = true;
                pkg.dev = matches!(d.scope.as_str(), "test" | "provided");
                pkg.layer = Some(*layer);
                pkg.metadata.insert("scope".into(), d.scope.clone());
                if d.optional {
                    pkg.metadata.insert("optional".into(), "true".into());
                }
                ids.push(pkg.id());
                packages.push(pkg);
            }
            ids.sort();
            ids.dedup();
            root.depends_on = ids;
            ctx.packages.push(root);
            ctx.packages.extend(packages);
        }
    }
}

/// Bitnami component SBOMs: see [`bitnami`].
pub struct BitnamiCataloger;

impl Cataloger for BitnamiCataloger {
    fn name(&self) -> &'static str {
        "bitnami"
    }

    fn stage(&self) -> Stage {
        Stage::Language
    }

    fn wants(&self, entry: &EntryMeta<'_>) -> bool {
        bitnami::is_bitnami_spdx(entry.path)
    }

    fn read(&self, entry: &EntryMeta<'_>, data: &[u8]) -> Parsed {
        let size = entry.size.max(data.len() as u64);
        let mut found = Found::default();
        if size > MAX_TEXT_SIZE {
            found.warnings.push(format!(
                "not read: {size} bytes is over the {MAX_TEXT_SIZE}-byte limit"
            ));
        } else {
            match bitnami::parse_bitnami_spdx(entry.path, data) {
                Ok(p) => found.packages = p,
                Err(e) => found.warnings.push(e),
            }
        }
        Box::new(found)
    }

    fn finish(&self, ctx: &mut CatalogContext<'_>, hits: Vec<bulwark_catalog::Hit>) {
        record(self.name(), ctx, hits);
    }
}
