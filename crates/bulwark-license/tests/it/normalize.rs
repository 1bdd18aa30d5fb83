//! The normaliser against real-world license strings, the SPDX list (through the
//! `license-expression` Python package as an oracle) and the category table.

use bulwark_license::{category, normalize, Category};

/// Real-world license strings (dpkg copyright `License:` fields, PyPI classifiers and
/// `License:` fields, npm `license`, Maven POM `<licenses><license><name>`, gemspecs) and
/// their SPDX expressions.
const LICENSE_TABLE: &[(&str, &str)] = &[
    // dpkg copyright (DEP-5 short names)
    ("GPL-2+", "GPL-2.0-or-later"),
    ("GPL-2", "GPL-2.0-only"),
    ("GPL-3+", "GPL-3.0-or-later"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("LGPL-2.1", "LGPL-2.1-only"),
    ("LGPL-3+", "LGPL-3.0-or-later"),
    ("GFDL-1.2+", "GFDL-1.2-or-later"),
    ("Expat", "MIT"),
    ("BSD-3-clause", "BSD-3-Clause"),
    ("BSD-2-clause", "BSD-2-Clause"),
    ("Artistic", "Artistic-1.0-Perl"),
    (
        "GPL-1+ or Artistic",
        "GPL-1.0-or-later OR Artistic-1.0-Perl",
    ),
    ("Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
    ("Zlib", "Zlib"),
    ("public-domain", "LicenseRef-Public-Domain"),
    ("MIT/X11", "MIT"),
    ("GPL-2+ with OpenSSL exception", "GPL-2.0-or-later"),
    (
        "GPL-3+ with GCC-exception-3.1 exception",
        "GPL-3.0-or-later WITH GCC-exception-3.1",
    ),
    (
        "GPL-3+ with autoconf exception",
        "GPL-3.0-or-later WITH Autoconf-exception-3.0",
    ),
    (
        "GPL-2+ and BSD-3-clause",
        "GPL-2.0-or-later AND BSD-3-Clause",
    ),
    ("PSF-2", "PSF-2.0"),
    ("CC0", "CC0-1.0"),
    ("MPL-2.0", "MPL-2.0"),
    ("Apache-2", "Apache-2.0"),
    ("curl", "curl"),
    ("permissive", "LicenseRef-permissive"),
    // PyPI classifiers and License fields
    ("License :: OSI Approved :: MIT License", "MIT"),
    ("License :: OSI Approved :: BSD License", "BSD-3-Clause"),
    (
        "License :: OSI Approved :: Apache Software License",
        "Apache-2.0",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v2 (GPLv2)",
        "GPL-2.0-only",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v2 or later (GPLv2+)",
        "GPL-2.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU General Public License v3 (GPLv3)",
        "GPL-3.0-only",
    ),
    (
        "License :: OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)",
        "LGPL-3.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Library or Lesser General Public License (LGPL)",
        "LGPL-2.0-or-later",
    ),
    (
        "License :: OSI Approved :: GNU Affero General Public License v3",
        "AGPL-3.0-only",
    ),
    (
        "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
        "MPL-2.0",
    ),
    ("License :: OSI Approved :: ISC License (ISCL)", "ISC"),
    (
        "License :: OSI Approved :: Python Software Foundation License",
        "PSF-2.0",
    ),
    (
        "License :: OSI Approved :: The Unlicense (Unlicense)",
        "Unlicense",
    ),
    (
        "License :: OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)",
        "EPL-2.0",
    ),
    (
        "License :: OSI Approved :: Boost Software License 1.0 (BSL-1.0)",
        "BSL-1.0",
    ),
    ("License :: OSI Approved :: zlib/libpng License", "Zlib"),
    ("License :: Public Domain", "LicenseRef-Public-Domain"),
    (
        "License :: Other/Proprietary License",
        "LicenseRef-Proprietary",
    ),
    ("Apache 2.0", "Apache-2.0"),
    ("Apache License 2.0", "Apache-2.0"),
    ("BSD", "BSD-3-Clause"),
    ("new BSD License", "BSD-3-Clause"),
    ("3-clause BSD", "BSD-3-Clause"),
    ("BSD 3-Clause License", "BSD-3-Clause"),
    ("Simplified BSD", "BSD-2-Clause"),
    ("GPLv3", "GPL-3.0-only"),
    ("GPLv2+", "GPL-2.0-or-later"),
    ("LGPL", "LGPL-2.0-or-later"),
    ("LGPLv2.1+", "LGPL-2.1-or-later"),
    ("LGPL-2.1 or later", "LGPL-2.1-or-later"),
    ("GNU GPL v3 or any later version", "GPL-3.0-or-later"),
    ("PSF", "PSF-2.0"),
    ("ZPL 2.1", "ZPL-2.1"),
    ("MIT License", "MIT"),
    ("The MIT License (MIT)", "MIT"),
    ("UNKNOWN", "NOASSERTION"),
    ("", "NOASSERTION"),
    ("Dual License", "LicenseRef-Dual-License"),
    ("MIT/Apache-2.0", "MIT OR Apache-2.0"),
    ("Apache-2.0 / MIT", "Apache-2.0 OR MIT"),
    // npm package.json
    ("(MIT OR Apache-2.0)", "MIT OR Apache-2.0"),
    ("(MIT AND CC-BY-3.0)", "MIT AND CC-BY-3.0"),
    ("(BSD-3-Clause OR GPL-2.0)", "BSD-3-Clause OR GPL-2.0-only"),
    (
        "MIT OR (Apache-2.0 AND BSD-2-Clause)",
        "MIT OR (Apache-2.0 AND BSD-2-Clause)",
    ),
    ("ISC", "ISC"),
    ("BlueOak-1.0.0", "BlueOak-1.0.0"),
    ("0BSD", "0BSD"),
    ("CC0-1.0", "CC0-1.0"),
    ("WTFPL", "WTFPL"),
    ("Python-2.0", "Python-2.0"),
    ("UNLICENSED", "LicenseRef-Proprietary"),
    (
        "SEE LICENSE IN LICENSE.md",
        "LicenseRef-SEE-LICENSE-IN-LICENSE.md",
    ),
    (
        "Apache-2.0 WITH LLVM-exception",
        "Apache-2.0 WITH LLVM-exception",
    ),
    ("GPL-2.0+", "GPL-2.0-or-later"),
    ("MPL-1.1+", "MPL-1.1"),
    // Maven POMs
    ("The Apache Software License, Version 2.0", "Apache-2.0"),
    ("Apache License, Version 2.0", "Apache-2.0"),
    (
        "http://www.apache.org/licenses/LICENSE-2.0.txt",
        "Apache-2.0",
    ),
    ("https://opensource.org/licenses/MIT", "MIT"),
    ("Eclipse Public License - v 1.0", "EPL-1.0"),
    ("Eclipse Public License v2.0", "EPL-2.0"),
    ("Eclipse Distribution License - v 1.0", "BSD-3-Clause"),
    ("GNU Lesser General Public License", "LGPL-2.0-or-later"),
    (
        "GNU Lesser General Public License, Version 2.1",
        "LGPL-2.1-only",
    ),
    (
        "GNU General Public License, version 2 (GPL2), with the classpath exception",
        "GPL-2.0-only WITH Classpath-exception-2.0",
    ),
    (
        "CDDL + GPLv2 with classpath exception",
        "CDDL-1.0 OR GPL-2.0-only WITH Classpath-exception-2.0",
    ),
    (
        "Common Development and Distribution License (CDDL) v1.0",
        "CDDL-1.0",
    ),
    ("Bouncy Castle Licence", "MIT"),
    ("Public Domain, per Creative Commons CC0", "CC0-1.0"),
    ("Mozilla Public License Version 2.0", "MPL-2.0"),
    ("Go License", "BSD-3-Clause"),
    ("Universal Permissive License, Version 1.0", "UPL-1.0"),
    ("EDL 1.0", "BSD-3-Clause"),
    ("New BSD License", "BSD-3-Clause"),
    // gemspecs
    ("Ruby", "Ruby"),
    ("BSD-2-Clause", "BSD-2-Clause"),
    ("2-clause BSDL", "BSD-2-Clause"),
    ("Artistic-2.0", "Artistic-2.0"),
    ("GPL-2.0", "GPL-2.0-only"),
    // rpm spec License: tags
    ("ASL 2.0", "Apache-2.0"),
    (
        "GPLv3+ and LGPLv3+",
        "GPL-3.0-or-later AND LGPL-3.0-or-later",
    ),
    ("GPLv2 or BSD", "GPL-2.0-only OR BSD-3-Clause"),
    (
        "MIT and ASL 2.0 and BSD",
        "MIT AND Apache-2.0 AND BSD-3-Clause",
    ),
    ("GPL+ AND MIT", "GPL-1.0-or-later AND MIT"),
    (
        "(LGPLv3+ or GPLv2+) and GPLv3+",
        "(LGPL-3.0-or-later OR GPL-2.0-or-later) AND GPL-3.0-or-later",
    ),
    (
        "BSD AND Public Domain AND (ASL 2.0 OR CC0 1.0 OR OpenSSL)",
        "BSD-3-Clause AND LicenseRef-Public-Domain AND (Apache-2.0 OR CC0-1.0 OR OpenSSL)",
    ),
    ("GPLv2+ WITH exceptions", "GPL-2.0-or-later"),
    ("MPLv2.0", "MPL-2.0"),
    ("LGPLv2.1 AND GPLv2", "LGPL-2.1-only AND GPL-2.0-only"),
    // apk (Alpine / openSUSE) license fields
    (
        "GPL-2.0-or-later AND LGPL-2.1-or-later",
        "GPL-2.0-or-later AND LGPL-2.1-or-later",
    ),
    (
        "LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0",
        "LGPL-2.1-or-later AND LGPL-2.1-or-later WITH GCC-exception-2.0",
    ),
    ("SUSE-Public-Domain", "LicenseRef-Public-Domain"),
    ("OpenLDAP", "OLDAP-2.8"),
    ("zlib", "Zlib"),
];

#[test]
fn license_normalisation_table() {
    assert!(LICENSE_TABLE.len() >= 60);
    let mut wrong = Vec::new();
    for (raw, want) in LICENSE_TABLE {
        let got = normalize(raw);
        if got != *want {
            wrong.push(format!("{raw:?}: got {got:?}, want {want:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Normalising an SPDX expression again changes nothing.
    for (_, want) in LICENSE_TABLE {
        assert_eq!(normalize(want), *want, "{want}");
    }
}

/// Every id the normaliser emits is on the SPDX license list, checked with the
/// `license-expression` Python package (which bundles the list) as the oracle.
#[test]
fn normalised_ids_are_spdx_ids() {
    let required = std::env::var("BULWARK_REQUIRE_TOOLS").is_ok_and(|v| v == "1");
    let check = std::process::Command::new("python3")
        .args(["-c", "import license_expression"])
        .output();
    if !check.as_ref().is_ok_and(|o| o.status.success()) {
        assert!(
            !required,
            "python3 with license-expression is required (pip install license-expression)"
        );
        eprintln!(
            "SKIP: python3 -m pip install license-expression to check ids against the SPDX list"
        );
        return;
    }
    let exprs: Vec<String> = LICENSE_TABLE
        .iter()
        .map(|(raw, _)| normalize(raw))
        .filter(|e| e != "NOASSERTION")
        .collect();
    let script = r#"
import json, sys
from license_expression import get_spdx_licensing
lic = get_spdx_licensing()
bad = []
for e in json.load(sys.stdin):
    for err in lic.validate(e, strict=True).errors:
        # LicenseRef- ids are ours to make; everything else must be a listed SPDX id.
        keys = err.split(": ", 1)[1].split(", ") if err.startswith("Unknown license key(s): ") else None
        if keys is None or any(not k.startswith("LicenseRef-") for k in keys):
            bad.append(f"{e}: {err}")
    for sym in lic.license_symbols(e):
        if sym.key.startswith("LicenseRef-scancode"):
            bad.append(f"{e}: {sym.key} is not an SPDX id")
print("\n".join(bad))
"#;
    let mut child = std::process::Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&exprs).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let bad = String::from_utf8_lossy(&out.stdout);
    assert_eq!(bad.trim(), "", "ids not on the SPDX list");
}

#[test]
fn license_categories() {
    let cases = [
        ("MIT", Category::Permissive),
        ("Apache-2.0", Category::Permissive),
        ("BSD-3-Clause", Category::Permissive),
        ("ISC", Category::Permissive),
        ("Zlib", Category::Permissive),
        ("PSF-2.0", Category::Permissive),
        ("Artistic-2.0", Category::Permissive),
        ("LGPL-2.1-or-later", Category::WeakCopyleft),
        ("MPL-2.0", Category::WeakCopyleft),
        ("EPL-2.0", Category::WeakCopyleft),
        ("CDDL-1.0", Category::WeakCopyleft),
        ("GPL-2.0-only", Category::StrongCopyleft),
        ("GPL-3.0-or-later", Category::StrongCopyleft),
        ("EUPL-1.2", Category::StrongCopyleft),
        ("AGPL-3.0-only", Category::NetworkCopyleft),
        ("SSPL-1.0", Category::NetworkCopyleft),
        ("OSL-3.0", Category::NetworkCopyleft),
        ("CC0-1.0", Category::PublicDomain),
        ("Unlicense", Category::PublicDomain),
        ("LicenseRef-Public-Domain", Category::PublicDomain),
        ("LicenseRef-Proprietary", Category::Proprietary),
        ("BUSL-1.1", Category::Proprietary),
        ("CC-BY-NC-4.0", Category::Proprietary),
        ("LicenseRef-Acme", Category::Unknown),
        ("NOASSERTION", Category::Unknown),
    ];
    for (id, c) in cases {
        assert_eq!(category(id), c, "{id}");
    }
    assert_eq!(
        Category::parse("strong_copyleft"),
        Some(Category::StrongCopyleft)
    );
    assert_eq!(Category::parse("copyleft"), None);
}
