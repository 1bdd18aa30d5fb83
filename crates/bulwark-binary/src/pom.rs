//! Maven `pom.xml`: the project's coordinates (with the parent's group and version as
//! fallbacks) and its declared dependencies, with `${property}` references resolved from the
//! pom's own `<properties>`, the `project.*`/`parent.*` built-ins, and the
//! `<dependencyManagement>` section for versions left out.
//!
//! What it does not do: fetch parent poms or BOMs from a repository (an image has no Maven
//! repository to ask), so a version that only a remote parent defines stays unresolved and the
//! dependency is reported without a version.

use std::collections::HashMap;

use roxmltree::{Document, Node};

/// A Maven coordinate read from a pom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coordinate {
    /// groupId.
    pub group: String,
    /// artifactId.
    pub artifact: String,
    /// Version; empty when the pom does not say and it cannot be resolved.
    pub version: String,
}

/// One `<dependency>` of a pom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The dependency's coordinate (version resolved where possible).
    pub coordinate: Coordinate,
    /// `<scope>` (`compile` when absent).
    pub scope: String,
    /// `<optional>true</optional>`.
    pub optional: bool,
}

/// What a pom says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pom {
    /// The project itself.
    pub project: Coordinate,
    /// `<parent>`, when present.
    pub parent: Option<Coordinate>,
    /// Declared `<dependencies>` (not those only in `<dependencyManagement>`), versions
    /// resolved from this pom alone.
    pub dependencies: Vec<Dependency>,
    /// `<properties>` and the `project.*` built-ins, as written.
    properties: HashMap<String, String>,
    /// `<dependencyManagement>` versions by (group, artifact), as written.
    managed: HashMap<(String, String), String>,
    /// Declared dependencies as written: (group, artifact, version, scope, optional).
    raw: Vec<(String, String, Option<String>, String, bool)>,
}

impl Pom {
    /// The declared dependencies with properties and managed versions looked up in this pom
    /// and then in its `ancestors` (nearest parent first), as Maven's inheritance does.
    pub fn dependencies_with(&self, ancestors: &[&Pom]) -> Vec<Dependency> {
        let mut props: HashMap<String, String> = HashMap::new();
        let mut managed: HashMap<(String, String), String> = HashMap::new();
        for p in ancestors.iter().rev().copied().chain(std::iter::once(self)) {
            props.extend(p.properties.iter().map(|(k, v)| (k.clone(), v.clone())));
            managed.extend(p.managed.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        // The built-ins always name this project.
        for (k, v) in [
            ("project.groupId", &self.project.group),
            ("project.artifactId", &self.project.artifact),
            ("project.version", &self.project.version),
            ("pom.groupId", &self.project.group),
            ("pom.version", &self.project.version),
        ] {
            props.insert(k.to_string(), v.clone());
        }
        self.raw
            .iter()
            .map(|(g, a, v, scope, optional)| {
                let group = resolve(g, &props);
                let artifact = resolve(a, &props);
                let version = match v {
                    Some(v) => resolve(v, &props),
                    None => managed
                        .get(&(group.clone(), artifact.clone()))
                        .map(|m| resolve(m, &props))
                        .unwrap_or_default(),
                };
                Dependency {
                    coordinate: Coordinate {
                        group,
                        artifact,
                        version: if version.contains("${") {
                            String::new()
                        } else {
                            version
                        },
                    },
                    scope: scope.clone(),
                    optional: *optional,
                }
            })
            .collect()
    }
}

/// Errors reading a pom.
#[derive(Debug, thiserror::Error)]
pub enum PomError {
    /// Not well-formed XML.
    #[error("invalid XML: {0}")]
    Xml(#[from] roxmltree::Error),
    /// The root element is not `<project>`.
    #[error("root element is <{0}>, not <project>")]
    NotAProject(String),
    /// No artifactId.
    #[error("the project has no artifactId")]
    NoArtifact,
}

/// The text of the first child element named `name`.
fn child_text<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
        .and_then(|c| c.text())
        .map(str::trim)
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// Replace `${name}` references from `props`, a few rounds deep (properties may refer to
/// properties); unknown references are left as written.
fn resolve(value: &str, props: &HashMap<String, String>) -> String {
    let mut out = value.to_string();
    for _ in 0..8 {
        let Some(start) = out.find("${") else { break };
        let Some(len) = out.get(start..).and_then(|s| s.find('}')) else {
            break;
        };
        let key = out.get(start + 2..start + len).unwrap_or("").to_string();
        let Some(v) = props.get(&key) else { break };
        out.replace_range(start..start + len + 1, v);
    }
    out
}

/// Parse a pom.
pub fn parse_pom(data: &[u8]) -> Result<Pom, PomError> {
    let text = String::from_utf8_lossy(data);
    let text = text.trim_start_matches('\u{feff}');
    let doc = Document::parse(text)?;
    let root = doc.root_element();
    if root.tag_name().name() != "project" {
        return Err(PomError::NotAProject(root.tag_name().name().to_string()));
    }
    let parent = child(root, "parent").map(|p| Coordinate {
        group: child_text(p, "groupId").unwrap_or("").to_string(),
        artifact: child_text(p, "artifactId").unwrap_or("").to_string(),
        version: child_text(p, "version").unwrap_or("").to_string(),
    });
    let artifact = child_text(root, "artifactId")
        .filter(|a| !a.is_empty())
        .ok_or(PomError::NoArtifact)?;
    let group = child_text(root, "groupId")
        .or(parent.as_ref().map(|p| p.group.as_str()))
        .unwrap_or("");
    let version = child_text(root, "version")
        .or(parent.as_ref().map(|p| p.version.as_str()))
        .unwrap_or("");
    let mut props: HashMap<String, String> = HashMap::new();
    if let Some(ps) = child(root, "properties") {
        for p in ps.children().filter(Node::is_element) {
            props.insert(
                p.tag_name().name().to_string(),
                p.text().unwrap_or("").trim().to_string(),
            );
        }
    }
    for (k, v) in [
        ("project.groupId", group),
        ("project.artifactId", artifact),
        ("project.version", version),
        ("pom.groupId", group),
        ("pom.version", version),
    ] {
        props.insert(k.to_string(), v.to_string());
    }
    if let Some(p) = &parent {
        props.insert("project.parent.groupId".into(), p.group.clone());
        props.insert("project.parent.version".into(), p.version.clone());
        props.insert("parent.version".into(), p.version.clone());
    }
    let project = Coordinate {
        group: resolve(group, &props),
        artifact: resolve(artifact, &props),
        version: resolve(version, &props),
    };
    // Versions the pom manages for its dependencies (keys resolved, versions as written).
    let mut managed: HashMap<(String, String), String> = HashMap::new();
    if let Some(deps) = child(root, "dependencyManagement").and_then(|m| child(m, "dependencies")) {
        for d in deps
            .children()
            .filter(|c| c.tag_name().name() == "dependency")
        {
            let g = resolve(child_text(d, "groupId").unwrap_or(""), &props);
            let a = resolve(child_text(d, "artifactId").unwrap_or(""), &props);
            if let Some(v) = child_text(d, "version") {
                managed.insert((g, a), v.to_string());
            }
        }
    }
    let mut raw = Vec::new();
    if let Some(deps) = child(root, "dependencies") {
        for d in deps
            .children()
            .filter(|c| c.tag_name().name() == "dependency")
        {
            let artifact = child_text(d, "artifactId").unwrap_or("");
            if artifact.is_empty() {
                continue;
            }
            raw.push((
                child_text(d, "groupId").unwrap_or("").to_string(),
                artifact.to_string(),
                child_text(d, "version").map(str::to_string),
                child_text(d, "scope").unwrap_or("compile").to_string(),
                child_text(d, "optional") == Some("true"),
            ));
        }
    }
    let mut pom = Pom {
        project,
        parent,
        dependencies: Vec::new(),
        properties: props,
        managed,
        raw,
    };
    pom.dependencies = pom.dependencies_with(&[]);
    Ok(pom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_parent_and_management() {
        let pom = parse_pom(
            br#"<?xml version="1.0"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <parent><groupId>org.ex</groupId><artifactId>parent</artifactId><version>3.0</version></parent>
  <artifactId>app</artifactId>
  <properties><lib.version>1.2.${minor}</lib.version><minor>5</minor></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>org.m</groupId><artifactId>managed</artifactId><version>9.9</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.l</groupId><artifactId>lib</artifactId><version>${lib.version}</version></dependency>
    <dependency><groupId>${project.groupId}</groupId><artifactId>sibling</artifactId><version>${project.version}</version><scope>test</scope></dependency>
    <dependency><groupId>org.m</groupId><artifactId>managed</artifactId><optional>true</optional></dependency>
    <dependency><groupId>org.u</groupId><artifactId>unknown</artifactId><version>${remote.version}</version></dependency>
  </dependencies>
</project>"#,
        );
        let pom = pom.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            pom.project,
            Coordinate {
                group: "org.ex".into(),
                artifact: "app".into(),
                version: "3.0".into()
            }
        );
        let got: Vec<_> = pom
            .dependencies
            .iter()
            .map(|d| {
                format!(
                    "{}:{}:{} {}{}",
                    d.coordinate.group,
                    d.coordinate.artifact,
                    d.coordinate.version,
                    d.scope,
                    if d.optional { " optional" } else { "" }
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "org.l:lib:1.2.5 compile",
                "org.ex:sibling:3.0 test",
                "org.m:managed:9.9 compile optional",
                "org.u:unknown: compile"
            ]
        );
        assert!(matches!(
            parse_pom(b"<settings/>"),
            Err(PomError::NotAProject(_))
        ));
        assert!(matches!(parse_pom(b"<project"), Err(PomError::Xml(_))));
    }
}
