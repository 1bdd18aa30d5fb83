//! `NugetVersion` against NuGet.Client's own test vectors and its ordering rules (there is no
//! .NET on the test machines, so these vectors replace a differential run; see
//! fixtures/PROVENANCE.md).

use std::cmp::Ordering;

use bulwark_version::NugetVersion;

#[test]
fn nuget_vectors() {
    let data = include_str!("../fixtures/nuget-vectors.txt");
    let (mut ordered, mut invalid) = (0, 0);
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        if let Some(bad) = line.strip_prefix('!') {
            let bad = bad.strip_prefix(' ').unwrap_or(bad);
            assert!(
                NugetVersion::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
            invalid += 1;
            continue;
        }
        let (a, op, b) = split(line);
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            other => panic!("bad operator {other:?} in {line:?}"),
        };
        let x = NugetVersion::parse(a).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        let y = NugetVersion::parse(b).unwrap_or_else(|e| panic!("{line:?}: {e}"));
        assert_eq!(x.cmp(&y), want, "{line:?}");
        assert_eq!(y.cmp(&x), want.reverse(), "{line:?} reversed");
        ordered += 1;
    }
    println!("NuGet vectors: {ordered} ordered pairs, {invalid} invalid strings, 0 disagreements");
    assert_eq!((ordered, invalid), (75, 33));
}

/// Splits `a OP b` at the operator surrounded by spaces (versions may have leading spaces).
fn split(line: &str) -> (&str, &str, &str) {
    for op in [" < ", " = ", " > "] {
        if let Some((a, b)) = line.split_once(op) {
            return (a, op.trim(), b);
        }
    }
    panic!("no operator in {line:?}");
}

#[test]
fn normalised_form() {
    let n = |s: &str| NugetVersion::parse(s).unwrap().normalized();
    assert_eq!(n("1"), "1.0.0");
    assert_eq!(n("1.0.01.0"), "1.0.1");
    assert_eq!(n("1.2.3.4-Beta.1+meta"), "1.2.3.4-Beta.1");
}
