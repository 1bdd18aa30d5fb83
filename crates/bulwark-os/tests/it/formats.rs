//! Issue 12: OpenWrt opkg status and CBL-Mariner's distroless rpm manifest, against Syft's
//! fixtures, with the exact packages expected.

use bulwark_catalog::{Inventory, PackageKind};

use crate::common::{fixture, run};

fn summary(inv: &Inventory) -> Vec<String> {
    inv.packages
        .iter()
        .map(|p| {
            format!(
                "{} {} {} {} [{}] [{}]",
                p.kind.as_str(),
                p.id(),
                p.purl,
                p.source
                    .as_ref()
                    .map(|s| format!("{}@{}", s.name, s.version.as_deref().unwrap_or("")))
                    .unwrap_or_default(),
                p.licenses.join(","),
                p.depends_on.join(" ")
            )
        })
        .collect()
}

const OPENWRT: &[u8] = b"NAME=\"OpenWrt\"\nVERSION=\"23.05.3\"\nID=\"openwrt\"\nID_LIKE=\"lede openwrt\"\nPRETTY_NAME=\"OpenWrt 23.05.3\"\nVERSION_ID=\"23.05.3\"\n";

#[test]
fn opkg_status() {
    let inv = run(&[
        ("/usr/lib/opkg/status", fixture("opkg/syft/status")),
        ("/etc/os-release", OPENWRT.to_vec()),
        (
            "/usr/lib/opkg/info/dropbear.list",
            b"/usr/sbin/dropbear\n/etc/init.d/dropbear\n".to_vec(),
        ),
    ]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        summary(&inv),
        [
            "opkg busybox@1.36.1-r3 pkg:opkg/openwrt/busybox@1.36.1-r3?arch=x86_64&distro=openwrt-23.05.3  [GPL-2.0-only] []",
            "opkg dropbear@2024.85-r0 pkg:opkg/openwrt/dropbear@2024.85-r0?arch=x86_64&distro=openwrt-23.05.3  [MIT] []",
            "opkg kernel-modules@6.6.0-r0 pkg:opkg/openwrt/kernel-modules@6.6.0-r0?arch=x86_64&distro=openwrt-23.05.3  [GPL-2.0 BSD-3-Clause] []",
        ]
    );
    let dropbear = inv.packages.iter().find(|p| p.name == "dropbear");
    assert_eq!(
        dropbear.map(|p| p.files.clone()),
        Some(vec![
            "/usr/sbin/dropbear".to_string(),
            "/etc/init.d/dropbear".to_string()
        ])
    );
    assert!(inv.packages.iter().all(|p| p.kind.is_os()));
}

const MARINER: &[u8] = b"NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20220527\"\nID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\n";

#[test]
fn mariner_distroless_rpm_manifest() {
    let inv = run(&[
        (
            "/var/lib/rpmmanifest/container-manifest-2",
            fixture("rpmmanifest/syft/container-manifest-2"),
        ),
        ("/etc/os-release", MARINER.to_vec()),
    ]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    assert_eq!(
        summary(&inv),
        [
            "rpm filesystem@1.1-9.cm2 pkg:rpm/mariner/filesystem@1.1-9.cm2?arch=x86_64&distro=mariner-2.0&upstream=filesystem-1.1-9.cm2.src.rpm filesystem@1.1-9.cm2 [] []",
            "rpm glibc@2.35-2.cm2 pkg:rpm/mariner/glibc@2.35-2.cm2?arch=x86_64&distro=mariner-2.0&upstream=glibc-2.35-2.cm2.src.rpm glibc@2.35-2.cm2 [] []",
            "rpm mariner-release@2.0-12.cm2 pkg:rpm/mariner/mariner-release@2.0-12.cm2?arch=noarch&distro=mariner-2.0&upstream=mariner-release-2.0-12.cm2.src.rpm mariner-release@2.0-12.cm2 [] []",
            "rpm openssl-libs@1.1.1k-15.cm2 pkg:rpm/mariner/openssl-libs@1.1.1k-15.cm2?arch=x86_64&distro=mariner-2.0&upstream=openssl-1.1.1k-15.cm2.src.rpm openssl@1.1.1k-15.cm2 [] []",
            "rpm vim@9.0-1.cm2 pkg:rpm/mariner/vim@9.0-1.cm2?arch=x86_64&distro=mariner-2.0&epoch=2&upstream=vim-9.0-1.cm2.src.rpm vim@9.0-1.cm2 [] []",
        ]
    );
    let vim = inv.packages.iter().find(|p| p.name == "vim");
    assert_eq!(vim.and_then(|p| p.epoch), Some(2));
    assert_eq!(
        vim.and_then(|p| p.metadata.get("vendor"))
            .map(String::as_str),
        Some("Microsoft Corporation")
    );
    assert!(inv.packages.iter().all(|p| p.kind == PackageKind::Rpm));
}

#[test]
fn rpm_manifest_line_errors_and_database_precedence() {
    let (entries, warnings) = bulwark_os::rpm::manifest::parse_manifest(
        "ok\t1-1\t0\t0\tV\t(none)\t1\tx86_64\t0\tok-1-1.src.rpm\n\nbroken\n\tx\nbad\t1-1\t0\t0\tV\tX\t1\tx86_64\t0\tbad.src.rpm\n",
    );
    assert_eq!(entries.len(), 1);
    assert_eq!(
        warnings,
        [
            "line 3: no name and version-release",
            "line 4: no name and version-release",
            "line 5: epoch \"X\" is not a number"
        ]
    );
    // With an rpm database in the image, the database is the inventory.
    let inv = run(&[
        (
            "/var/lib/rpmmanifest/container-manifest-2",
            fixture("rpmmanifest/syft/container-manifest-2"),
        ),
        (
            "/var/lib/rpm/rpmdb.sqlite",
            fixture("rpm/sqlite/cbl-mariner-2.0/rpmdb.sqlite.gz"),
        ),
        ("/etc/os-release", MARINER.to_vec()),
    ]);
    assert!(!inv.packages.is_empty());
    assert!(inv
        .packages
        .iter()
        .all(|p| p.found_in == "/var/lib/rpm/rpmdb.sqlite"));
}
