//! `ApkVersion` against apk-tools' own comparison vectors (`test/version.data`; there is no
//! apk on Debian, so these replace a differential run).

use std::cmp::Ordering;

use bulwark_version::ApkVersion;

/// Lines whose versions apk-tools' grammar rejects: apk orders them by a raw-string fallback
/// (the file's own comment says "invalid. do string sort"); `ApkVersion` refuses them so a
/// scanner never guesses.
const INVALID_IN_UPSTREAM_VECTORS: [&str; 2] = ["23_foo", "1.0bc"];

#[test]
fn apk_tools_version_data() {
    let data = include_str!("../fixtures/apk-version.data");
    let (mut agreed, mut refused) = (0, 0);
    for raw in data.lines() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split_whitespace().collect();
        let [a, op, b] = f.as_slice() else {
            panic!("bad line {raw:?}")
        };
        if INVALID_IN_UPSTREAM_VECTORS.contains(a) || INVALID_IN_UPSTREAM_VECTORS.contains(b) {
            assert!(
                ApkVersion::parse(a).is_err() || ApkVersion::parse(b).is_err(),
                "{raw:?}"
            );
            refused += 1;
            continue;
        }
        let want = match *op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            other => panic!("bad operator {other:?}"),
        };
        let x = ApkVersion::parse(a).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
        let y = ApkVersion::parse(b).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
        assert_eq!(x.cmp(&y), want, "{raw:?}");
        assert_eq!(y.cmp(&x), want.reverse(), "{raw:?} reversed");
        agreed += 1;
    }
    println!("apk (apk-tools test/version.data): {agreed} pairs agree, {refused} invalid-version lines refused, 0 disagreements");
    assert_eq!((agreed, refused), (731, 2));
}

/// Rules of the newer tokenizer that the vectors above do not cover (`~hash` commit tokens,
/// string comparison of digits with a leading zero), from apk-tools' `src/version.c`.
#[test]
fn commit_hash_and_leading_zero_rules() {
    let v = |s: &str| ApkVersion::parse(s).unwrap();
    assert!(v("1.0_git20240101~abc123-r0") > v("1.0_git20240101-r0"));
    assert!(v("1.0~abc-r1") < v("1.0~abd-r0"));
    assert!(v("1.0~abc") < v("1.0_p1")); // at the same position, a hash ranks below a suffix
    assert!(v("1.01") < v("1.1"));
    assert!(v("1.010") > v("1.01"));
    assert!(ApkVersion::parse("1.0~xyz").is_err());
    assert!(ApkVersion::parse("1.0-r1~abc").is_err());
}
