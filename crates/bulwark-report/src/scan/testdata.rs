// A realistic scan report shared by the writers' unit tests and the integration tests in
// `tests/scan_reports.rs` (which `include!` this file). It has no `use` lines on purpose: each
// includer imports the names (`crate::...` inside the crate, `bulwark_report::...` outside).
//
// The image: a Debian 10 (end-of-life) base with OpenSSL, zlib, glibc and tar; the image's own
// layers add curl and sudo with apt, Python packages with pip, and a Rust service (its
// Cargo.lock and the cargo-auditable binary). The facts (versions, fixes, scores) are those of
// the real advisories.

/// The sample report, summarised.
pub fn sample() -> ScanReport {
    let layers = vec![
        LayerInfo {
            index: 0,
            digest: Some(
                "sha256:1d5a4e0f5e6c8b1e5b6d3c2a9f8e7d6c5b4a39281706f5e4d3c2b1a098765432".into(),
            ),
            diff_id: Some(
                "sha256:8a2c0b7e3e7b7d2f6a1e5c4b3a29180f7e6d5c4b3a2918f7e6d5c4b3a2918f7e".into(),
            ),
            created_by: Some(
                "/bin/sh -c #(nop) ADD file:5c2a9b1f0e8d7c6b5a4938271605f4e3d2c1b0a9 in / ".into(),
            ),
            is_base: true,
            ..LayerInfo::default()
        },
        LayerInfo {
            index: 1,
            digest: Some(
                "sha256:2b6e5f1a7d9c3b8e4f0a6d2c8e4b0f6a2d8c4e0b6f2a8d4c0e6b2f8a4d0c6e2b".into(),
            ),
            created_by: Some(
                "RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl sudo # buildkit"
                    .into(),
            ),
            is_base: false,
            ..LayerInfo::default()
        },
        LayerInfo {
            index: 2,
            digest: Some(
                "sha256:3c7f6a2b8e0d4c9f5a1b7e3d9f5c1a7b3e9d5f1c7a3b9e5d1f7c3a9b5e1d7f3c".into(),
            ),
            created_by: Some("RUN /bin/sh -c pip install -r requirements.txt # buildkit".into()),
            is_base: false,
            ..LayerInfo::default()
        },
        LayerInfo {
            index: 3,
            digest: Some(
                "sha256:4d8a7b3c9f1e5d0a6b2c8f4e0a6c2b8d4f0e6a2c8b4d0f6e2a8c4b0d6f2e8a4c".into(),
            ),
            created_by: Some("COPY /src/Cargo.lock /usr/local/bin/app /app/ # buildkit".into()),
            is_base: false,
            ..LayerInfo::default()
        },
    ];
    let dpkg = "/var/lib/dpkg/status";
    let site = "/usr/local/lib/python3.7/site-packages";
    let deb = |name: &str, version: &str, source: Option<&str>, layer: usize| {
        let mut p = Package::new(
            PackageKind::Deb,
            name,
            version,
            format!("pkg:deb/debian/{name}@{version}?arch=amd64&distro=debian-10"),
            dpkg,
        );
        p.arch = Some("amd64".into());
        p.source = source.map(|s| SourcePackage {
            name: s.into(),
            version: None,
        });
        p.layer = Some(layer);
        p
    };
    let py = |name: &str, version: &str, license: &str| {
        let mut p = Package::new(
            PackageKind::Python,
            name,
            version,
            format!("pkg:pypi/{}@{version}", name.to_ascii_lowercase()),
            format!("{site}/{name}-{version}.dist-info/METADATA"),
        );
        p.licenses = vec![license.into()];
        p.layer = Some(2);
        p
    };
    let krate = |name: &str, version: &str, found_in: &str| {
        let mut p = Package::new(
            PackageKind::Cargo,
            name,
            version,
            format!("pkg:cargo/{name}@{version}"),
            found_in,
        );
        p.layer = Some(3);
        p
    };
    let mut base_files = deb("base-files", "10.3+deb10u13", None, 0);
    base_files.licenses = vec!["GPL-2.0-or-later".into()];
    let packages = vec![
        base_files,
        deb("libc6", "2.28-10+deb10u2", Some("glibc"), 0),
        deb("libssl1.1", "1.1.1n-0+deb10u3", Some("openssl"), 0),
        deb("tar", "1.30+dfsg-6", None, 0),
        deb("zlib1g", "1:1.2.11.dfsg-1+deb10u1", Some("zlib"), 0),
        deb("curl", "7.64.0-4+deb10u2", None, 1),
        deb("sudo", "1.8.27-1+deb10u2", None, 1),
        py("certifi", "2023.5.7", "MPL-2.0"),
        py("gnureadline", "8.0.0", "GPL-3.0-only"),
        py("requests", "2.25.1", "Apache-2.0"),
        py("urllib3", "1.26.4", "MIT"),
        krate("serde", "1.0.130", "/app/Cargo.lock"),
        krate("time", "0.1.43", "/app/Cargo.lock"),
        krate("smallvec", "1.6.0", "/usr/local/bin/app"),
    ];
    let pref = |name: &str| {
        let p = packages
            .iter()
            .find(|p| p.name == name)
            .unwrap_or(&packages[0]);
        PackageRef::of(p)
    };
    let layer = |i: usize| Some(LayerRef::of(&layers, i));
    let nvd = |version: &str, vector: &str, score: f64| Cvss {
        source: "nvd".into(),
        version: version.into(),
        vector: vector.into(),
        score: Some(score),
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<String>>();
    let finding = |id: &str, pkg: &str, severity: Severity, status: FixStatus| VulnFinding {
        id: id.into(),
        aliases: vec![],
        package: pref(pkg),
        fixed_versions: vec![],
        status,
        severity,
        severity_source: None,
        cvss: vec![],
        epss: None,
        kev: false,
        title: None,
        description: None,
        references: vec![],
        data_sources: vec![],
        fix_advisories: vec![],
        note: None,
        layer: None,
        origin: Origin::Unknown,
        suppression: None,
    };
    let vulnerabilities = vec![
        VulnFinding {
            fixed_versions: s(&["1:1.2.11.dfsg-1+deb10u2"]),
            severity_source: Some("nvd".into()),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
            )],
            epss: Some(Epss {
                score: 0.00512,
                percentile: 0.76,
            }),
            title: Some("zlib: heap-based buffer over-read and overflow in inflate() via a large gzip header extra field".into()),
            description: Some("zlib through 1.2.12 has a heap-based buffer over-read or buffer overflow in inflate in inflate.c via a large gzip header extra field. NOTE: only applications that call inflateGetHeader are affected.".into()),
            references: s(&[
                "https://security-tracker.debian.org/tracker/CVE-2022-37434",
                "https://github.com/madler/zlib/issues/668",
                "https://nvd.nist.gov/vuln/detail/CVE-2022-37434",
            ]),
            data_sources: s(&["debian-tracker"]),
            fix_advisories: s(&["DLA-3103-1"]),
            layer: layer(0),
            origin: Origin::Base,
            ..finding("CVE-2022-37434", "zlib1g", Severity::Critical, FixStatus::Fixed)
        },
        VulnFinding {
            fixed_versions: s(&["1.1.1n-0+deb10u4"]),
            severity_source: Some("nvd".into()),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:H",
                7.4,
            )],
            epss: Some(Epss {
                score: 0.00265,
                percentile: 0.66,
            }),
            title: Some("openssl: X.400 address type confusion in X.509 GeneralName".into()),
            description: Some("There is a type confusion vulnerability relating to X.400 address processing inside an X.509 GeneralName.".into()),
            references: s(&[
                "https://security-tracker.debian.org/tracker/CVE-2023-0286",
                "https://www.openssl.org/news/secadv/20230207.txt",
            ]),
            data_sources: s(&["debian-tracker"]),
            fix_advisories: s(&["DLA-3325-1"]),
            layer: layer(0),
            origin: Origin::Base,
            ..finding("CVE-2023-0286", "libssl1.1", Severity::High, FixStatus::Fixed)
        },
        VulnFinding {
            severity_source: Some("debian".into()),
            title: Some("glibc: buffer overflow in unix_lookup via a crafted hostname (disputed)".into()),
            references: s(&["https://security-tracker.debian.org/tracker/CVE-2019-1010022"]),
            data_sources: s(&["debian-tracker"]),
            note: Some("unimportant: not a security issue in the usual threat model".into()),
            layer: layer(0),
            origin: Origin::Base,
            ..finding("CVE-2019-1010022", "libc6", Severity::Low, FixStatus::Ignored)
        },
        VulnFinding {
            title: Some("tar: no security impact, tracked as a temporary issue".into()),
            references: s(&["https://security-tracker.debian.org/tracker/TEMP-0290435-0B57B5"]),
            data_sources: s(&["debian-tracker"]),
            layer: layer(0),
            origin: Origin::Base,
            ..finding("TEMP-0290435-0B57B5", "tar", Severity::Unknown, FixStatus::Affected)
        },
        VulnFinding {
            severity_source: Some("nvd".into()),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:N",
                5.9,
            )],
            title: Some("curl: IDN wildcard match may lead to improper certificate validation".into()),
            references: s(&["https://curl.se/docs/CVE-2023-28321.html"]),
            data_sources: s(&["debian-tracker"]),
            note: Some("Minor issue".into()),
            layer: layer(1),
            origin: Origin::Own,
            ..finding("CVE-2023-28321", "curl", Severity::Medium, FixStatus::NoDsa)
        },
        VulnFinding {
            fixed_versions: s(&["1.8.27-1+deb10u3"]),
            severity_source: Some("nvd".into()),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H",
                7.8,
            )],
            epss: Some(Epss {
                score: 0.97,
                percentile: 0.9997,
            }),
            kev: true,
            title: Some("sudo: heap-based buffer overflow in sudoedit (Baron Samedit)".into()),
            references: s(&[
                "https://www.sudo.ws/alerts/unescape_overflow.html",
                "https://security-tracker.debian.org/tracker/CVE-2021-3156",
            ]),
            data_sources: s(&["debian-tracker"]),
            fix_advisories: s(&["DSA-4839-1"]),
            layer: layer(1),
            origin: Origin::Own,
            ..finding("CVE-2021-3156", "sudo", Severity::High, FixStatus::Fixed)
        },
        VulnFinding {
            aliases: s(&["GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"]),
            fixed_versions: s(&["2.31.0"]),
            severity_source: Some("ghsa".into()),
            cvss: vec![Cvss {
                source: "ghsa".into(),
                version: "3.1".into(),
                vector: "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N".into(),
                score: Some(6.1),
            }],
            title: Some("Unintended leak of Proxy-Authorization header in requests".into()),
            references: s(&[
                "https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q",
            ]),
            data_sources: s(&["osv"]),
            layer: layer(2),
            origin: Origin::Own,
            ..finding("CVE-2023-32681", "requests", Severity::Medium, FixStatus::Fixed)
        },
        VulnFinding {
            aliases: s(&["GHSA-q2q7-5pp4-w6pg", "PYSEC-2021-108"]),
            fixed_versions: s(&["1.26.5"]),
            severity_source: Some("ghsa".into()),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
                7.5,
            )],
            title: Some("Catastrophic backtracking in URL authority parser when passed URL containing many @ characters".into()),
            references: s(&["https://github.com/advisories/GHSA-q2q7-5pp4-w6pg"]),
            data_sources: s(&["osv"]),
            layer: layer(2),
            origin: Origin::Own,
            suppression: Some(Suppression {
                kind: "vex".into(),
                reason: "not_affected: vulnerable_code_not_in_execute_path (vex/api.openvex.json)"
                    .into(),
                owner: Some("platform-team".into()),
                expires: None,
            }),
            ..finding("CVE-2021-33503", "urllib3", Severity::High, FixStatus::Fixed)
        },
        VulnFinding {
            aliases: s(&["GHSA-wcg3-cvx6-7396", "RUSTSEC-2020-0071"]),
            fixed_versions: s(&["0.2.23"]),
            severity_source: Some("ghsa".into()),
            cvss: vec![Cvss {
                source: "ghsa".into(),
                version: "3.1".into(),
                vector: "CVSS:3.1/AV:L/AC:H/PR:N/UI:N/S:U/C:N/I:N/A:H".into(),
                score: Some(6.2),
            }],
            title: Some("Potential segfault in the time crate".into()),
            references: s(&["https://rustsec.org/advisories/RUSTSEC-2020-0071.html"]),
            data_sources: s(&["osv", "rustsec"]),
            layer: layer(3),
            origin: Origin::Own,
            ..finding("CVE-2020-26235", "time", Severity::Medium, FixStatus::Fixed)
        },
        VulnFinding {
            aliases: s(&["GHSA-43w2-9j62-hq99", "RUSTSEC-2021-0003"]),
            fixed_versions: s(&["1.6.1"]),
            severity_source: Some("nvd".into()),
            cvss: vec![nvd(
                "3.1",
                "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
                9.8,
            )],
            title: Some("Buffer overflow in SmallVec::insert_many".into()),
            references: s(&["https://rustsec.org/advisories/RUSTSEC-2021-0003.html"]),
            data_sources: s(&["osv", "rustsec"]),
            layer: layer(3),
            origin: Origin::Own,
            ..finding("CVE-2021-25900", "smallvec", Severity::Critical, FixStatus::Fixed)
        },
    ];
    let licenses = vec![LicenseFinding {
        package: pref("gnureadline"),
        license: "GPL-3.0-only".into(),
        verdict: LicenseVerdict::Deny,
        rule: "deny: GPL-3.0-only".into(),
        severity: Severity::High,
        layer: layer(2),
        origin: Origin::Own,
        suppression: None,
    }];
    let mut report = ScanReport {
        schema_version: 1,
        tool: Tool {
            name: "bulwark".into(),
            version: "0.1.0".into(),
            information_uri: Some("https://example.invalid/bulwark".into()),
        },
        created_at: "2024-06-01T12:00:00Z".into(),
        target: ScanTarget {
            name: "registry.example.com/shop/api:1.4".into(),
            source: "docker-archive".into(),
            names: vec!["registry.example.com/shop/api:1.4".into()],
            image_id: Some(
                "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            ),
            manifest_digest: None,
            distro: Some(Distro {
                id: "debian".into(),
                family: "debian".into(),
                version_id: Some("10".into()),
                release: Some("10".into()),
                codename: Some("buster".into()),
                pretty_name: Some("Debian GNU/Linux 10 (buster)".into()),
                eol: Some("2022-09-10".into()),
                found_in: "/etc/os-release".into(),
                ..Distro::default()
            }),
            base_image: Some(BaseImageRef {
                name: Some("debian:buster-slim".into()),
                digest: Some(
                    "sha256:b4ef0ba4b5e8e5bb7e6a4a1d3c9f2e8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e".into(),
                ),
                layers: Some(1),
                evidence: "history".into(),
            }),
            layers,
        },
        database: Some(DatabaseInfo {
            path: "/home/ci/.cache/bulwark/db.sqlite".into(),
            built_at: "2024-05-29T03:00:00Z".into(),
            age_days: 3,
            sources: s(&["debian-tracker:2024-05-29", "osv:PyPI", "osv:crates.io"]),
        }),
        packages,
        vulnerabilities,
        licenses,
        notices: vec![
            Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::EolRelease,
                message: "Debian 10 (buster) reached its end of life on 2022-09-10: it gets no security fixes, so findings may be missing and fixes will not come.".into(),
            },
            Notice {
                level: NoticeLevel::Warning,
                code: NoticeCode::ExpiredException,
                message: ".bulwarkignore.yaml: the exception for CVE-2022-1292 expired on 2024-05-01 and no longer suppresses anything.".into(),
            },
            Notice {
                level: NoticeLevel::Info,
                code: NoticeCode::NoAdvisoriesForEcosystem,
                message: "No advisories for Go in the database; Go modules were not checked.".into(),
            },
        ],
        warnings: vec![Warning {
            cataloger: "python".into(),
            path: "/usr/local/lib/python3.7/site-packages/broken-0.1.dist-info/METADATA".into(),
            message: "no Version field".into(),
        }],
        summary: Summary::default(),
        timings: None,
    };
    report.summarize();
    report
}
