//! Package-name folding: the one place that knows which ecosystems compare names case- and
//! separator-insensitively, so the catalogers, the advisory store and the policy (VEX,
//! exceptions) all meet on the same key.

use std::borrow::Cow;

use crate::Scheme;

/// PEP 503 name normalisation (<https://peps.python.org/pep-0503/#normalized-names>): lower
/// case, every run of `-`, `_` and `.` becomes one `-` (`Foo__Bar.baz` → `foo-bar-baz`).
/// Surrounding blanks and leading or trailing separators are dropped.
///
/// ```
/// assert_eq!(bulwark_version::name::pep503("Foo__Bar"), "foo-bar");
/// assert_eq!(bulwark_version::name::pep503("zope.interface"), "zope-interface");
/// ```
pub fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.extend(c.to_lowercase());
    }
    out
}

impl Scheme {
    /// The key a package name of this ecosystem is stored and compared under. Ecosystems whose
    /// names are case- and separator-insensitive by rule are folded: PyPI by PEP 503 ([`pep503`]),
    /// NuGet and Packagist to lower case; every other name is kept as written.
    ///
    /// ```
    /// use bulwark_version::Scheme;
    /// assert_eq!(Scheme::Pep440.fold_name("Jinja2"), "jinja2");
    /// assert_eq!(Scheme::NuGet.fold_name("Newtonsoft.Json"), "newtonsoft.json");
    /// assert_eq!(Scheme::Semver.fold_name("JSONStream"), "JSONStream");
    /// ```
    pub fn fold_name(self, name: &str) -> Cow<'_, str> {
        match self {
            Scheme::Pep440 => Cow::Owned(pep503(name)),
            Scheme::NuGet | Scheme::Composer if name.chars().any(char::is_uppercase) => {
                Cow::Owned(name.to_lowercase())
            }
            _ => Cow::Borrowed(name),
        }
    }
}

/// The key a package name is stored and looked up under for an OSV ecosystem (`PyPI`,
/// `NuGet`, `Debian:12`...): [`Scheme::fold_name`] of the ecosystem's scheme, the name as
/// written for ecosystems without one.
pub fn canonical_name<'a>(ecosystem: &str, name: &'a str) -> Cow<'a, str> {
    match Scheme::for_ecosystem(ecosystem) {
        Some(scheme) => scheme.fold_name(name),
        None => Cow::Borrowed(name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pep503_runs_of_separators_become_one_dash() {
        assert_eq!(pep503("Django"), "django");
        assert_eq!(pep503("jw.util"), "jw-util");
        assert_eq!(pep503("Foo__Bar-.baz"), "foo-bar-baz");
        assert_eq!(pep503("Foo__Bar"), "foo-bar");
        assert_eq!(pep503(" A "), "a");
    }

    #[test]
    fn folding_per_ecosystem() {
        assert_eq!(canonical_name("PyPI", "Jinja2"), "jinja2");
        assert_eq!(
            canonical_name("NuGet", "Newtonsoft.Json"),
            "newtonsoft.json"
        );
        assert_eq!(canonical_name("Packagist", "Symfony/Yaml"), "symfony/yaml");
        assert_eq!(canonical_name("npm", "JSONStream"), "JSONStream");
        assert_eq!(canonical_name("Debian:12", "Foo_Bar"), "Foo_Bar");
        assert_eq!(canonical_name("Nonsense", "Foo_Bar"), "Foo_Bar");
    }
}
