//! Corpus tests: every file under `tests/corpus/` is audited and its built-in findings are
//! compared with the exact `(rule, line:column)` list in `tests/expected/<same path>.txt` (`S`
//! marks a suppressed finding). `BLESS=1` rewrites the lists (review the diff!).

use std::path::{Path, PathBuf};

use bulwark_config::{audit, catalogue, Options};

fn corpus() -> PathBuf {
    PathBuf::from("tests/corpus")
}

fn opts() -> Options {
    Options {
        trusted_registries: vec![
            "docker.io".to_string(),
            "ghcr.io/example".to_string(),
            "gcr.io/distroless".to_string(),
            "mcr.microsoft.com".to_string(),
        ],
        ignore_file: Some(PathBuf::from("tests/corpus/empty.bulwarkignore.yaml")),
        today: Some(jiff::civil::date(2026, 6, 1)),
        ..Options::default()
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".md") && !name.contains("bulwarkignore") {
                out.push(p);
            }
        }
    }
}

fn rendered(path: &Path) -> String {
    let a = audit(&[path.to_path_buf()], &opts()).unwrap();
    assert!(
        a.report.errors.is_empty(),
        "{}: {:?}",
        path.display(),
        a.report.errors
    );
    let mut out = String::new();
    for f in &a.report.findings {
        out.push_str(&format!(
            "{} {}:{}{}\n",
            f.rule_id,
            f.location.line.unwrap_or(0),
            f.location.column.unwrap_or(0),
            if f.suppression.is_some() { " S" } else { "" }
        ));
    }
    out
}

#[test]
fn corpus_exact_locations() {
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    assert!(all.len() >= 15, "corpus too small: {}", all.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for f in &all {
        let got = rendered(f);
        let rel = f.strip_prefix(corpus()).unwrap();
        let exp_path = PathBuf::from(format!("tests/expected/{}.txt", rel.display()));
        if bless {
            std::fs::create_dir_all(exp_path.parent().unwrap()).unwrap();
        }
        if bless {
            std::fs::write(&exp_path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&exp_path)
            .unwrap_or_else(|_| panic!("missing {}", exp_path.display()));
        if got != want {
            failures.push(format!("{}:\n--- want\n{want}--- got\n{got}", f.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every rule fires somewhere in the corpus, and every kind has a clean file that triggers
/// nothing (the "both ways" coverage).
#[test]
fn every_rule_both_ways() {
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    let mut fired = std::collections::BTreeSet::new();
    for f in &all {
        let a = audit(std::slice::from_ref(f), &opts()).unwrap();
        for x in a.report.findings {
            fired.insert(x.rule_id);
        }
    }
    let missing: Vec<&str> = catalogue::RULES
        .iter()
        .map(|r| r.id)
        .filter(|id| !fired.contains(*id))
        .collect();
    assert!(
        missing.is_empty(),
        "rules never triggered by the corpus: {missing:?}"
    );
    for clean in [
        "dockerfile/good/Dockerfile",
        "compose/good/compose.yaml",
        "kubernetes/good/deployment.yaml",
        "daemon/good/daemon.json",
        "image-config/good/config.json",
        "ecs/good/task-definition.json",
    ] {
        let a = audit(&[corpus().join(clean)], &opts()).unwrap();
        let ids: Vec<&str> = a
            .report
            .findings
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect();
        assert!(ids.is_empty(), "{clean} should be clean, got {ids:?}");
        assert_eq!(a.report.targets.len(), 1, "{clean} not recognised");
    }
}

#[test]
fn directory_walk_detects_kinds() {
    let a = audit(&[corpus()], &opts()).unwrap();
    assert!(a.report.errors.is_empty(), "{:?}", a.report.errors);
    let mut kinds = std::collections::BTreeMap::new();
    for f in &a.report.findings {
        let k = f
            .properties
            .get("kind")
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        kinds
            .entry(k)
            .or_insert_with(std::collections::BTreeSet::new)
            .insert(f.location.file.clone());
    }
    let names: Vec<&String> = kinds.keys().collect();
    assert_eq!(
        names,
        [
            "compose",
            "daemon",
            "dockerfile",
            "ecs",
            "image-config",
            "kubernetes"
        ]
    );
    // Every corpus file (minus docs and sidecars) is a target.
    let mut all = Vec::new();
    files(&corpus(), &mut all);
    assert_eq!(a.report.targets.len(), all.len());
}

#[test]
fn suppression_file_and_expiry() {
    let dir = corpus().join("dockerfile/bad-basic");
    let mut o = opts();
    o.ignore_file = Some(corpus().join("test.bulwarkignore.yaml"));
    let a = audit(&[dir], &o).unwrap();
    let sup: Vec<(&str, &str)> = a
        .report
        .findings
        .iter()
        .filter_map(|f| {
            f.suppression
                .as_ref()
                .map(|s| (f.rule_id.as_str(), s.reason.as_str()))
        })
        .collect();
    assert_eq!(sup, vec![("BW-DF-030", "legacy file, tracked in SEC-12")]);
    // The expired BW-DF-003 entry does not suppress and warns once.
    assert!(a
        .report
        .findings
        .iter()
        .any(|f| f.rule_id == "BW-DF-003" && f.suppression.is_none()));
    assert_eq!(a.warnings.len(), 1, "{:?}", a.warnings);
    assert!(a.warnings[0].contains("BW-DF-003") && a.warnings[0].contains("2025-01-31"));
}

#[test]
fn kind_override_and_unknown_files() {
    let mut o = opts();
    o.kind = Some(bulwark_config::Kind::Dockerfile);
    let a = audit(&[corpus().join("dockerfile/bad-basic/Dockerfile")], &o).unwrap();
    assert!(!a.report.findings.is_empty());
    let a = audit(&[PathBuf::from("Cargo.toml")], &opts()).unwrap();
    assert_eq!(a.report.errors.len(), 1);
    assert!(a.report.errors[0].message.contains("--kind"));
}

#[test]
fn hostile_inputs_do_not_panic() {
    let dir = std::env::temp_dir().join(format!("bw-config-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: &[(&str, &str)] = &[
        ("Dockerfile", "FROM\nRUN \\\n\\\nUSER\nADD\nENV =\nARG ${\nFROM ${A:-${B:-x}}\nRUN <<-\nHEALTHCHECK\nCMD ["),
        ("a.yaml", "apiVersion: v1\nkind: Pod\nspec: [1, 2]\n"),
        ("b.yaml", "apiVersion: v1\nkind: Pod\nspec:\n  containers: {a: b}\n  volumes: 3\n"),
        ("docker-compose.yml", "services: [1]\n"),
        ("compose.yaml", "services:\n  a:\n    ports: [{published: x}, '::::', '99999999999:1']\n    volumes: [{}, 3]\n    environment: 7\n"),
        ("daemon.json", "[1,2]"),
        ("c.json", "{\"config\": {\"User\": [], \"Env\": {}, \"ExposedPorts\": []}}"),
        ("deep.yaml", &"[".repeat(5000)),
    ];
    for (name, text) in cases {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        let _ = audit(&[p], &opts()).unwrap();
    }
    let a = audit(&[dir.join("deep.yaml")], &opts()).unwrap();
    assert_eq!(a.report.errors.len(), 1);
    std::fs::remove_dir_all(&dir).unwrap();
}
