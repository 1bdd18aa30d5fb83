//! License categories: what a license asks of those who ship it.

/// What a license asks of those who ship it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Attribution only (MIT, BSD, Apache-2.0, ISC...).
    Permissive,
    /// Copyleft limited to the licensed files or library (LGPL, MPL, EPL, CDDL...).
    WeakCopyleft,
    /// Copyleft over the whole program that includes it (GPL...).
    StrongCopyleft,
    /// Copyleft that also triggers on network use (AGPL, SSPL, OSL-3.0...).
    NetworkCopyleft,
    /// No conditions (CC0, Unlicense, public domain).
    PublicDomain,
    /// Not an open source license (proprietary, non-commercial, source-available).
    Proprietary,
    /// Not recognised.
    Unknown,
}

impl Category {
    /// The policy-file spelling (`strong-copyleft`).
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Permissive => "permissive",
            Category::WeakCopyleft => "weak-copyleft",
            Category::StrongCopyleft => "strong-copyleft",
            Category::NetworkCopyleft => "network-copyleft",
            Category::PublicDomain => "public-domain",
            Category::Proprietary => "proprietary",
            Category::Unknown => "unknown",
        }
    }

    /// Parse the policy-file spelling (`_` and spaces accepted for `-`).
    pub fn parse(text: &str) -> Option<Category> {
        let t = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        [
            Category::Permissive,
            Category::WeakCopyleft,
            Category::StrongCopyleft,
            Category::NetworkCopyleft,
            Category::PublicDomain,
            Category::Proprietary,
            Category::Unknown,
        ]
        .into_iter()
        .find(|c| c.as_str() == t)
    }
}

/// The category of one SPDX license id (`GPL-2.0-or-later`, `MIT`, `LicenseRef-...`). The
/// classification follows the usual one (OSI/FSF descriptions, Google's license types):
/// see `docs/policy.md` for the table.
pub fn category(spdx_id: &str) -> Category {
    let id = spdx_id.trim().trim_end_matches('+');
    let lower = id.to_ascii_lowercase();
    let starts = |p: &str| lower.starts_with(p);
    if starts("agpl-") || starts("sspl-") || starts("osl-3") || starts("cpal-") || starts("rpl-") {
        return Category::NetworkCopyleft;
    }
    if starts("lgpl-")
        || starts("mpl-")
        || starts("epl-")
        || starts("cddl-")
        || starts("cpl-")
        || starts("ofl-")
        || starts("ms-rl")
        || starts("ms-pl")
        || starts("apsl-")
        || starts("cecill-c")
        || starts("artistic-1")
        || starts("erlpl-")
        || starts("ipl-")
        || starts("lppl-")
    {
        return Category::WeakCopyleft;
    }
    if starts("gpl-")
        || starts("gfdl-")
        || starts("eupl-")
        || starts("osl-")
        || starts("cecill-2")
        || starts("cc-by-sa-")
        || lower == "sleepycat"
        || starts("qpl-")
    {
        return Category::StrongCopyleft;
    }
    if starts("cc-by-nc")
        || starts("cc-by-nd")
        || starts("busl-")
        || starts("elastic-")
        || lower == "json"
        || lower == "licenseref-proprietary"
        || lower == "licenseref-commercial"
    {
        return Category::Proprietary;
    }
    if matches!(
        lower.as_str(),
        "cc0-1.0" | "unlicense" | "cc-pddc" | "pddl-1.0" | "licenseref-public-domain"
    ) {
        return Category::PublicDomain;
    }
    let permissive_prefixes = [
        "mit",
        "bsd-",
        "0bsd",
        "apache-",
        "isc",
        "zlib",
        "x11",
        "curl",
        "psf-",
        "python-",
        "bsl-",
        "unicode-",
        "openssl",
        "ssleay",
        "libpng",
        "ncsa",
        "postgresql",
        "artistic-2",
        "w3c",
        "zpl-",
        "afl-",
        "blueoak-",
        "upl-",
        "hpnd",
        "icu",
        "wtfpl",
        "beerware",
        "vim",
        "ruby",
        "cc-by-",
        "ecl-",
        "efl-",
        "bzip2-",
        "cal-",
        "ftl",
        "ijg",
        "imlib2",
        "info-zip",
        "libtiff",
        "mulanpsl-",
        "net-snmp",
        "ntp",
        "oldap-",
        "php-",
        "sgi-b-",
        "smlnj",
        "tcl",
        "xfree86-",
        "fsfap",
        "fsful",
        "miros",
        "aal",
        "cecill-b",
        "ipa",
        "lpl-",
    ];
    if permissive_prefixes.iter().any(|p| starts(p)) {
        return Category::Permissive;
    }
    Category::Unknown
}

/// The category of a license with an exception: GPL with a linking exception (Classpath, GCC
/// runtime, LLVM...) lets non-GPL code link to it, which makes it weak copyleft.
pub fn category_with(id: &str, exception: Option<&str>) -> Category {
    let c = category(id);
    match (c, exception) {
        (Category::StrongCopyleft, Some(e))
            if [
                "Classpath-exception-2.0",
                "GCC-exception-2.0",
                "GCC-exception-3.1",
                "LLVM-exception",
                "Libtool-exception",
                "Linux-syscall-note",
                "Autoconf-exception-2.0",
                "Autoconf-exception-3.0",
                "Bison-exception-2.2",
                "Font-exception-2.0",
                "WxWindows-exception-3.1",
                "Universal-FOSS-exception-1.0",
                "eCos-exception-2.0",
            ]
            .contains(&e) =>
        {
            Category::WeakCopyleft
        }
        (c, _) => c,
    }
}
