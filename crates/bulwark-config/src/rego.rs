//! Custom policies in Rego, evaluated with `regorus`, following Conftest's conventions: every
//! package found under the policy directories is evaluated, and its rules named `deny`,
//! `violation` or `warn` (optionally with a `_suffix`) produce findings. A result may be a
//! string (the message) or an object with `msg` and optional `id`, `severity`, `title`,
//! `line`, `column` and `path` (a YAML path such as `spec.containers[0].image`).

use std::path::{Path, PathBuf};

use crate::Error;

/// One result of a custom policy.
#[derive(Debug, Clone, PartialEq)]
pub struct RegoHit {
    /// Package (`main`).
    pub package: String,
    /// Rule name (`deny`, `warn_images`...).
    pub rule: String,
    /// Message.
    pub msg: String,
    /// The result object (or `null` for string results).
    pub details: serde_json::Value,
}

/// Loaded policies and data.
#[derive(Clone)]
pub struct Policies {
    engine: regorus::Engine,
    packages: Vec<String>,
}

impl std::fmt::Debug for Policies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policies")
            .field("packages", &self.packages)
            .finish_non_exhaustive()
    }
}

fn files_with_ext(
    dir: &Path,
    exts: &[&str],
    out: &mut Vec<PathBuf>,
    depth: usize,
) -> Result<(), Error> {
    if depth > 32 {
        return Ok(());
    }
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    let rd = std::fs::read_dir(dir).map_err(|e| Error::Io(dir.display().to_string(), e))?;
    let mut entries: Vec<_> = rd.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let p = e.path();
        let ft = e
            .file_type()
            .map_err(|err| Error::Io(p.display().to_string(), err))?;
        if ft.is_dir() {
            files_with_ext(&p, exts, out, depth + 1)?;
        } else if ft.is_file()
            && p.extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x))
        {
            out.push(p);
        }
    }
    Ok(())
}

impl Policies {
    /// Load every `.rego` file under `policy_dirs` (tests, `*_test.rego`, are skipped) and every
    /// JSON/YAML file under `data_dirs` as `data`.
    pub fn load(policy_dirs: &[PathBuf], data_dirs: &[PathBuf]) -> Result<Policies, Error> {
        let mut engine = regorus::Engine::new();
        let mut files = Vec::new();
        for d in policy_dirs {
            files_with_ext(d, &["rego"], &mut files, 0)?;
        }
        for f in files
            .iter()
            .filter(|f| !f.to_string_lossy().ends_with("_test.rego"))
        {
            let text = bulwark_input::read_text(f, bulwark_input::DocKind::Rego)?;
            let name = f.display().to_string();
            // Policies in the wild are written in both Rego v1 and the older v0 syntax: try v1
            // first (what OPA 1.x and Conftest now default to), then v0.
            engine.set_rego_v0(false);
            if let Err(v1_err) = engine.add_policy(name.clone(), text.clone()) {
                engine.set_rego_v0(true);
                engine
                    .add_policy(name.clone(), text)
                    .map_err(|e| Error::Policy(format!("{name}: {e} (as Rego v1: {v1_err})")))?;
            }
        }
        let mut data_files = Vec::new();
        for d in data_dirs {
            files_with_ext(d, &["json", "yaml", "yml"], &mut data_files, 0)?;
        }
        for f in data_files {
            let text = bulwark_input::read_text(&f, bulwark_input::DocKind::RegoData)?;
            for doc in crate::yaml::parse_documents(&text)? {
                let json = doc.to_json().to_string();
                let v = regorus::Value::from_json_str(&json)
                    .map_err(|e| Error::Policy(format!("{}: {e}", f.display())))?;
                engine
                    .add_data(v)
                    .map_err(|e| Error::Policy(format!("{}: {e}", f.display())))?;
            }
        }
        let mut packages: Vec<String> = engine
            .get_packages()
            .map_err(|e| Error::Policy(e.to_string()))?
            .into_iter()
            .map(|p| p.trim_start_matches("data.").to_string())
            .collect();
        packages.sort();
        packages.dedup();
        Ok(Policies { engine, packages })
    }

    /// Packages found.
    pub fn packages(&self) -> &[String] {
        &self.packages
    }

    /// Evaluate every package against one input document.
    pub fn evaluate(&self, input: &serde_json::Value) -> Result<Vec<RegoHit>, Error> {
        let mut engine = self.engine.clone();
        let v = regorus::Value::from_json_str(&input.to_string())
            .map_err(|e| Error::Policy(e.to_string()))?;
        engine.set_input(v);
        let mut hits = Vec::new();
        for pkg in &self.packages {
            // The whole package as one object: every rule evaluated, helpers included.
            let results = engine
                .eval_query(format!("data.{pkg}"), false)
                .map_err(|e| Error::Policy(format!("evaluating package {pkg}: {e}")))?;
            let Some(value) = results
                .result
                .first()
                .and_then(|r| r.expressions.first())
                .map(|e| e.value.clone())
            else {
                continue;
            };
            let json: serde_json::Value = serde_json::from_str(
                &value
                    .to_json_str()
                    .map_err(|e| Error::Policy(e.to_string()))?,
            )
            .map_err(|e| Error::Policy(e.to_string()))?;
            let Some(obj) = json.as_object() else {
                continue;
            };
            for (rule, results) in obj {
                let base = rule.split('_').next().unwrap_or("");
                if !matches!(base, "deny" | "violation" | "warn") {
                    continue;
                }
                let items: Vec<serde_json::Value> = match results {
                    serde_json::Value::Array(a) => a.clone(),
                    serde_json::Value::Object(o) if o.contains_key("set!") => o
                        .get("set!")
                        .and_then(|s| s.as_array())
                        .cloned()
                        .unwrap_or_default(),
                    serde_json::Value::String(_) => vec![results.clone()],
                    _ => continue,
                };
                for item in items {
                    let (msg, details) = match &item {
                        serde_json::Value::String(s) => (s.clone(), serde_json::Value::Null),
                        serde_json::Value::Object(o) => (
                            o.get("msg")
                                .or_else(|| o.get("message"))
                                .and_then(|m| m.as_str())
                                .unwrap_or("policy violation")
                                .to_string(),
                            item.clone(),
                        ),
                        other => (other.to_string(), serde_json::Value::Null),
                    };
                    hits.push(RegoHit {
                        package: pkg.clone(),
                        rule: rule.clone(),
                        msg,
                        details,
                    });
                }
            }
        }
        Ok(hits)
    }
}
