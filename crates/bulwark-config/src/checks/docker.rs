//! Dockerfile checks.

use crate::dockerfile::{key_values, split_words, Dockerfile, Instruction};
use crate::node::{Pos, Span};

use super::{has_vars, image_problems, is_reference, secret_name, secret_value, Ctx};

/// One simple shell command of a RUN script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCmd {
    /// Words, quotes removed, leading `VAR=value` assignments dropped.
    pub words: Vec<String>,
    /// Whether the command's output is piped (`|`) into the next one.
    pub piped: bool,
}

/// Split a shell script into simple commands. A rough POSIX tokenizer: quotes, backslash
/// escapes, comments and the operators `&& || | ; & ( ) \n`. Good enough for finding command
/// names and their arguments; not an evaluator.
pub fn shell_commands(script: &str) -> Vec<SimpleCmd> {
    let mut cmds = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let flush_word = |cur: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(cur));
            *in_word = false;
        }
    };
    let finish = |words: &mut Vec<String>, piped: bool, cmds: &mut Vec<SimpleCmd>| {
        let w: Vec<String> = std::mem::take(words)
            .into_iter()
            .skip_while(|w| {
                w.split_once('=').is_some_and(|(k, _)| {
                    !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            })
            .collect();
        if !w.is_empty() {
            cmds.push(SimpleCmd { words: w, piped });
        } else if piped {
            if let Some(last) = cmds.last_mut() {
                last.piped = true;
            }
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                for n in chars.by_ref() {
                    if n == '\'' {
                        break;
                    }
                    cur.push(n);
                }
            }
            '"' => {
                in_word = true;
                while let Some(n) = chars.next() {
                    match n {
                        '"' => break,
                        '\\' => {
                            if let Some(e) = chars.next() {
                                cur.push(e);
                            }
                        }
                        _ => cur.push(n),
                    }
                }
            }
            '\\' => {
                if let Some(n) = chars.next() {
                    if n != '\n' {
                        cur.push(n);
                        in_word = true;
                    }
                }
            }
            '#' if !in_word => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                flush_word(&mut cur, &mut in_word, &mut words);
                finish(&mut words, false, &mut cmds);
            }
            '|' => {
                flush_word(&mut cur, &mut in_word, &mut words);
                if chars.peek() == Some(&'|') {
                    chars.next();
                    finish(&mut words, false, &mut cmds);
                } else {
                    finish(&mut words, true, &mut cmds);
                }
            }
            '&' | ';' | '\n' | '(' | ')' | '`' => {
                flush_word(&mut cur, &mut in_word, &mut words);
                if c == '&' && chars.peek() == Some(&'&') {
                    chars.next();
                }
                finish(&mut words, false, &mut cmds);
            }
            '{' | '}' if !in_word => {
                flush_word(&mut cur, &mut in_word, &mut words);
            }
            c if c.is_whitespace() => flush_word(&mut cur, &mut in_word, &mut words),
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    flush_word(&mut cur, &mut in_word, &mut words);
    finish(&mut words, false, &mut cmds);
    cmds
}

/// Words of a command with a leading `sudo` (and its options) removed.
fn strip_sudo(words: &[String]) -> &[String] {
    match words.first().map(String::as_str) {
        Some("sudo") => {
            let skip = 1 + words
                .get(1..)
                .unwrap_or(&[])
                .iter()
                .take_while(|w| w.starts_with('-'))
                .count();
            words.get(skip..).unwrap_or(&[])
        }
        _ => words,
    }
}

fn basename(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// The package arguments after the first of `subcommands` (skipping options).
fn packages_after<'a>(words: &'a [String], subcommands: &[&str]) -> Option<Vec<&'a String>> {
    let idx = words
        .iter()
        .position(|w| subcommands.contains(&w.as_str()))?;
    Some(
        words
            .get(idx + 1..)
            .unwrap_or(&[])
            .iter()
            .filter(|w| !w.starts_with('-'))
            .collect(),
    )
}

fn span(inst: &Instruction, (line, col): (u32, u32)) -> Span {
    Span {
        start: Pos { line, col },
        end: Some(Pos {
            line: inst.end_line,
            col: inst.end_col,
        }),
    }
}

fn inst_span(inst: &Instruction) -> Span {
    span(inst, (inst.line, inst.col))
}

fn logical(inst: &Instruction) -> String {
    let first = inst.lines.first().map(|(_, t)| t.trim()).unwrap_or("");
    let short: String = first.chars().take(80).collect();
    format!("stage {} {}: {}", inst.stage, inst.cmd, short)
}

/// Position of a word in an instruction, matched on word boundaries.
fn locate_word(inst: &Instruction, word: &str) -> (u32, u32) {
    locate_word_nth(inst, word, 0)
}

/// Position of the `nth` (0-based) occurrence of a word, or of the first one when there are
/// fewer.
fn locate_word_nth(inst: &Instruction, word: &str, nth: usize) -> (u32, u32) {
    let mut seen = 0;
    let mut first = None;
    for (n, text) in &inst.lines {
        let mut from = 0;
        while let Some(b) = text.get(from..).and_then(|t| t.find(word)) {
            let start = from + b;
            let end = start + word.len();
            let before = text.get(..start).and_then(|t| t.chars().last());
            let after = text.get(end..).and_then(|t| t.chars().next());
            let boundary =
                |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || "\"'=;&|()`".contains(c));
            let in_keyword = *n == inst.line
                && start
                    < usize::try_from(inst.col).unwrap_or(1).saturating_sub(1) + inst.cmd.len();
            if boundary(before) && boundary(after) && !in_keyword {
                let col = text.get(..start).map(|t| t.chars().count()).unwrap_or(0);
                let pos = (*n, u32::try_from(col + 1).unwrap_or(1));
                if seen == nth {
                    return pos;
                }
                seen += 1;
                first.get_or_insert(pos);
            }
            from = end;
        }
    }
    first.unwrap_or_else(|| inst.locate(word))
}

/// Run every Dockerfile check.
pub fn check(df: &Dockerfile, ctx: &mut Ctx<'_>) {
    let esc = df.escape;
    let insts = &df.instructions;
    let stages: Vec<&Instruction> = insts.iter().filter(|i| i.cmd == "FROM").collect();
    let stage_names: Vec<String> = stages
        .iter()
        .map(|i| {
            let w = split_words(&i.expanded(esc), esc);
            match (w.get(1), w.get(2)) {
                (Some(a), Some(n)) if a.eq_ignore_ascii_case("as") => n.to_ascii_lowercase(),
                _ => String::new(),
            }
        })
        .collect();
    let last_stage = stages.len().saturating_sub(1);

    // Per-stage facts, with inheritance from a parent stage (`FROM builder`).
    #[derive(Clone, Default)]
    struct StageFacts {
        user: Option<(String, usize)>,
        healthcheck: Option<bool>,
    }
    let mut facts: Vec<StageFacts> = Vec::new();
    let mut pipefail_shell = false;
    let mut prev_run: Option<&Instruction> = None;
    let mut cmd_seen: Vec<(usize, &str)> = Vec::new();

    for (idx, inst) in insts.iter().enumerate() {
        let lg = logical(inst);
        match inst.cmd.as_str() {
            "FROM" => {
                pipefail_shell = false;
                let expanded = inst.expanded(esc);
                let words = split_words(&expanded, esc);
                let image = words.first().cloned().unwrap_or_default();
                let lower = image.to_ascii_lowercase();
                let parent = stage_names
                    .iter()
                    .take(facts.len())
                    .position(|n| !n.is_empty() && *n == lower)
                    .or_else(|| image.parse::<usize>().ok().filter(|p| *p < facts.len()));
                let inherited = parent
                    .and_then(|p| facts.get(p).cloned())
                    .unwrap_or_default();
                facts.push(inherited);
                if let Some(p) = inst.flag("platform").and_then(|f| f.value.as_deref()) {
                    if !p.contains('$') {
                        ctx.add(
                            "BW-DF-033",
                            format!("FROM uses the constant platform `{p}`"),
                            span(inst, inst.locate("--platform")),
                            lg.clone(),
                        );
                    }
                }
                if parent.is_none() && lower != "scratch" && !image.is_empty() && !has_vars(&image)
                {
                    let raw_first = split_words(&inst.rest, esc)
                        .into_iter()
                        .next()
                        .unwrap_or_default();
                    let at = span(inst, inst.locate(&raw_first));
                    let [tag, digest, untrusted] = image_problems(&image, ctx.trusted);
                    if let Some(m) = tag {
                        let id = if m.contains("latest") {
                            "BW-DF-004"
                        } else {
                            "BW-DF-003"
                        };
                        ctx.add(id, m, at, lg.clone());
                    }
                    if let Some(m) = digest {
                        ctx.add("BW-DF-005", m, at, lg.clone());
                    }
                    if let Some(m) = untrusted {
                        ctx.add("BW-DF-006", m, at, lg.clone());
                    }
                }
            }
            "USER" => {
                let u = inst.expanded(esc).trim().to_string();
                if let Some(f) = facts.last_mut() {
                    f.user = Some((u, idx));
                }
            }
            "HEALTHCHECK" => {
                let none = inst.rest.trim().eq_ignore_ascii_case("none");
                if let Some(f) = facts.last_mut() {
                    f.healthcheck = Some(!none);
                }
            }
            "SHELL" => {
                pipefail_shell = inst.json.as_ref().is_some_and(|w| {
                    w.iter().any(|x| x == "pipefail")
                        || w.first().is_some_and(|s| {
                            let b = basename(s).to_ascii_lowercase();
                            b.starts_with("pwsh")
                                || b.starts_with("powershell")
                                || b == "cmd"
                                || b == "cmd.exe"
                        })
                });
            }
            "ENV" | "ARG" | "LABEL" => {
                for (k, v) in key_values(&inst.rest, esc, inst.cmd == "ENV") {
                    let at = span(inst, inst.locate(&k));
                    // Judge the value as the build sees it: `${X:-literal}` is a literal.
                    let raw = v.unwrap_or_default();
                    let value = crate::dockerfile::expand(&raw, &inst.vars, esc);
                    if inst.cmd != "LABEL" && secret_name(&k) && !is_reference(&value) {
                        ctx.add(
                            "BW-DF-007",
                            format!("{} `{k}` looks like it holds a secret", inst.cmd),
                            at,
                            lg.clone(),
                        );
                    }
                    if let Some(what) = secret_value(&value) {
                        ctx.add(
                            "BW-DF-008",
                            format!("{} `{k}` has a value that looks like a {what}", inst.cmd),
                            at,
                            lg.clone(),
                        );
                    }
                }
            }
            "ADD" => {
                let words = match &inst.json {
                    Some(w) => w.clone(),
                    None => split_words(&inst.rest, esc),
                };
                let srcs = words.get(..words.len().saturating_sub(1)).unwrap_or(&[]);
                let remote = srcs
                    .iter()
                    .find(|s| s.contains("://") || s.starts_with("git@"));
                let archive = srcs.iter().find(|s| {
                    let l = s.to_ascii_lowercase();
                    [
                        ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz",
                        ".tar.zst",
                    ]
                    .iter()
                    .any(|e| l.ends_with(e))
                });
                if let Some(u) = remote {
                    if inst.flag("checksum").is_none() {
                        ctx.add(
                            "BW-DF-009",
                            format!("ADD downloads `{u}` without a checksum"),
                            span(inst, inst.locate(u)),
                            lg.clone(),
                        );
                    }
                } else if let Some(a) = archive {
                    ctx.add(
                        "BW-DF-010",
                        format!("ADD extracts the archive `{a}`"),
                        span(inst, inst.locate(a)),
                        lg.clone(),
                    );
                } else if !srcs.is_empty() && inst.heredocs.is_empty() {
                    ctx.add(
                        "BW-DF-011",
                        "ADD copies local files; use COPY".to_string(),
                        inst_span(inst),
                        lg.clone(),
                    );
                }
            }
            "WORKDIR" => {
                let w = inst.expanded(esc);
                let w = w.trim().trim_matches('"');
                let windows = w.get(1..3).is_some_and(|s| s.starts_with(':'));
                if !w.is_empty()
                    && !w.starts_with('/')
                    && !w.starts_with('$')
                    && !windows
                    && !w.starts_with('\\')
                {
                    ctx.add(
                        "BW-DF-025",
                        format!("WORKDIR `{w}` is relative"),
                        inst_span(inst),
                        lg.clone(),
                    );
                }
            }
            "CMD" | "ENTRYPOINT" => {
                if inst.json.is_none() && !inst.rest.trim().is_empty() {
                    ctx.add(
                        "BW-DF-027",
                        format!("{} uses the shell form", inst.cmd),
                        inst_span(inst),
                        lg.clone(),
                    );
                }
                if cmd_seen
                    .iter()
                    .any(|(s, c)| *s == inst.stage && *c == inst.cmd)
                {
                    ctx.add(
                        "BW-DF-031",
                        format!("stage {} has more than one {}", inst.stage, inst.cmd),
                        inst_span(inst),
                        lg.clone(),
                    );
                }
                cmd_seen.push((inst.stage, inst.cmd.as_str()));
            }
            "MAINTAINER" => ctx.add(
                "BW-DF-030",
                "MAINTAINER is deprecated".to_string(),
                inst_span(inst),
                lg.clone(),
            ),
            "EXPOSE" => {
                for w in split_words(&inst.expanded(esc), esc) {
                    let port = w.split('/').next().unwrap_or("");
                    if port == "22" {
                        ctx.add(
                            "BW-DF-034",
                            "port 22 (SSH) is exposed".to_string(),
                            span(inst, locate_word(inst, &w)),
                            lg.clone(),
                        );
                    }
                }
            }
            "RUN" => {
                if let Some(prev) = prev_run {
                    if prev.stage == inst.stage && prev.flags == inst.flags {
                        ctx.add(
                            "BW-DF-029",
                            "RUN directly follows another RUN".to_string(),
                            inst_span(inst),
                            lg.clone(),
                        );
                    }
                }
                check_run(inst, ctx, &lg, pipefail_shell, inst.stage == last_stage);
            }
            _ => {}
        }
        prev_run = (inst.cmd == "RUN").then_some(inst);
    }

    // Final-stage facts.
    if let (Some(f), Some(from)) = (facts.get(last_stage), stages.get(last_stage)) {
        let lg = logical(from);
        match &f.user {
            None => ctx.add(
                "BW-DF-001",
                "the final stage sets no USER, so the container runs as root".to_string(),
                inst_span(from),
                lg.clone(),
            ),
            Some((u, i)) => {
                let name = u.split(':').next().unwrap_or("").trim();
                if name == "root" || name == "0" {
                    if let Some(inst) = insts.get(*i) {
                        ctx.add(
                            "BW-DF-002",
                            format!("the last USER is `{u}`"),
                            inst_span(inst),
                            logical(inst),
                        );
                    }
                }
            }
        }
        if f.healthcheck != Some(true) {
            let msg = if f.healthcheck == Some(false) {
                "HEALTHCHECK NONE disables the health check"
            } else {
                "the final stage has no HEALTHCHECK"
            };
            ctx.add("BW-DF-023", msg.to_string(), inst_span(from), lg);
        }
    }
}

fn check_run(
    inst: &Instruction,
    ctx: &mut Ctx<'_>,
    lg: &str,
    pipefail_shell: bool,
    final_stage: bool,
) {
    let script = inst.script();
    let cmds = shell_commands(&script);
    let has_cache_mount = |target: &str| {
        inst.flags.iter().any(|f| {
            f.name == "mount"
                && f.value
                    .as_deref()
                    .is_some_and(|v| v.contains("type=cache") && v.contains(target))
        })
    };
    let mut flagged: std::collections::HashSet<&'static str> = std::collections::HashSet::new();
    let add_once = |ctx: &mut Ctx<'_>,
                    flagged: &mut std::collections::HashSet<&'static str>,
                    id: &'static str,
                    msg: String,
                    at: (u32, u32)| {
        if flagged.insert(id) {
            ctx.add(id, msg, span(inst, at), lg.to_string());
        }
    };
    let script_has = |s: &str| script.contains(s);
    // Pipe without pipefail.
    let has_pipe = cmds.iter().any(|c| c.piped);
    let set_pipefail = cmds.iter().any(|c| {
        c.words.first().is_some_and(|w| w == "set")
            && c.words.iter().any(|w| {
                w == "pipefail" || w.contains("o") && w.starts_with('-') && w.contains("pipefail")
            })
    });
    if inst.json.is_none() && has_pipe && !pipefail_shell && !set_pipefail {
        add_once(
            ctx,
            &mut flagged,
            "BW-DF-028",
            "RUN uses a pipe without `set -o pipefail`".to_string(),
            locate_word(inst, "|"),
        );
    }
    for (ci, cmd) in cmds.iter().enumerate() {
        let Some(first) = cmd.words.first() else {
            continue;
        };
        if first == "sudo" {
            add_once(
                ctx,
                &mut flagged,
                "BW-DF-024",
                "RUN uses sudo".to_string(),
                locate_word(inst, "sudo"),
            );
        }
        let words = strip_sudo(&cmd.words);
        let Some(name) = words.first().map(|w| basename(w)) else {
            continue;
        };
        if name == "cd" {
            add_once(
                ctx,
                &mut flagged,
                "BW-DF-026",
                "RUN uses `cd`; use WORKDIR".to_string(),
                locate_word(inst, "cd"),
            );
        }
        if (name == "curl" || name == "wget") && cmd.piped {
            if let Some(next) = cmds.get(ci + 1) {
                let nw = strip_sudo(&next.words);
                let shell = nw.first().map(|w| basename(w)).unwrap_or("");
                if matches!(
                    shell,
                    "sh" | "bash"
                        | "zsh"
                        | "ash"
                        | "dash"
                        | "ksh"
                        | "python"
                        | "python3"
                        | "perl"
                        | "ruby"
                ) {
                    // Occurrences of the word in earlier commands tell which one in the text is this one.
                    let nth = cmds
                        .iter()
                        .take(ci)
                        .map(|c| c.words.iter().filter(|w| w.as_str() == name).count())
                        .sum();
                    add_once(
                        ctx,
                        &mut flagged,
                        "BW-DF-012",
                        format!("output of `{name}` is piped into `{shell}`"),
                        locate_word_nth(inst, name, nth),
                    );
                }
            }
        }
        match name {
            "apt"
                if words.get(1).is_some_and(|w| {
                    matches!(w.as_str(), "install" | "update" | "upgrade" | "remove")
                }) =>
            {
                add_once(
                    ctx,
                    &mut flagged,
                    "BW-DF-032",
                    "use apt-get instead of apt".to_string(),
                    locate_word(inst, "apt"),
                );
            }
            "apt-get" => {
                if let Some(pkgs) = packages_after(words, &["install"]) {
                    let unpinned: Vec<&String> = pkgs
                        .iter()
                        .copied()
                        .filter(|p| !p.contains('=') && !p.ends_with(".deb") && !p.contains('$'))
                        .collect();
                    if let Some(p) = unpinned.first() {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-013",
                            format!("apt-get install without a version for: {}", join(&unpinned)),
                            locate_word(inst, p),
                        );
                    }
                    if !words.iter().any(|w| {
                        w == "--no-install-recommends"
                            || w.contains("Install-Recommends=false")
                            || w.contains("Install-Recommends=0")
                    }) {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-015",
                            "apt-get install without --no-install-recommends".to_string(),
                            locate_word(inst, "apt-get"),
                        );
                    }
                    if final_stage
                        && !script_has("/var/lib/apt/lists")
                        && !has_cache_mount("/var/lib/apt")
                    {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-014",
                            "apt lists are not removed after apt-get install".to_string(),
                            locate_word(inst, "apt-get"),
                        );
                    }
                }
            }
            "apk" => {
                if let Some(pkgs) = packages_after(words, &["add"]) {
                    let unpinned: Vec<&String> = pkgs
                        .iter()
                        .copied()
                        .filter(|p| !p.contains('=') && !p.ends_with(".apk") && !p.contains('$'))
                        .collect();
                    if let Some(p) = unpinned.first() {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-016",
                            format!("apk add without a version for: {}", join(&unpinned)),
                            locate_word(inst, p),
                        );
                    }
                    if !words.iter().any(|w| w == "--no-cache")
                        && !has_cache_mount("/var/cache/apk")
                        && !script_has("/var/cache/apk")
                    {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-017",
                            "apk add without --no-cache".to_string(),
                            locate_word(inst, "apk"),
                        );
                    }
                }
            }
            "pip" | "pip3" | "python" | "python3" => {
                let words: &[String] = if name.starts_with("python") {
                    match words.iter().position(|w| w == "-m") {
                        Some(i) if words.get(i + 1).is_some_and(|w| w == "pip" || w == "pip3") => {
                            words.get(i + 1..).unwrap_or(&[])
                        }
                        _ => continue,
                    }
                } else {
                    words
                };
                let Some(install) = words.iter().position(|w| w == "install") else {
                    continue;
                };
                let args = words.get(install + 1..).unwrap_or(&[]);
                let mut pkgs = Vec::new();
                let mut skip_next = false;
                let mut from_file = false;
                for a in args {
                    if skip_next {
                        skip_next = false;
                        continue;
                    }
                    if matches!(
                        a.as_str(),
                        "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
                    ) {
                        from_file = true;
                        skip_next = true;
                        continue;
                    }
                    if matches!(
                        a.as_str(),
                        "-i" | "--index-url"
                            | "--extra-index-url"
                            | "-f"
                            | "--find-links"
                            | "--target"
                            | "-t"
                            | "--prefix"
                            | "--root"
                            | "--platform"
                            | "--python-version"
                    ) {
                        skip_next = true;
                        continue;
                    }
                    if a.starts_with('-') {
                        continue;
                    }
                    pkgs.push(a);
                }
                let unpinned: Vec<&String> = pkgs
                    .into_iter()
                    .filter(|p| {
                        !["==", ">=", "<=", "~=", "!=", "===", "<", ">", "@"]
                            .iter()
                            .any(|op| p.contains(op))
                            && !p.ends_with(".whl")
                            && !p.ends_with(".tar.gz")
                            && !p.contains('/')
                            && *p != "."
                            && !p.contains('$')
                    })
                    .collect();
                if let Some(p) = unpinned.first() {
                    add_once(
                        ctx,
                        &mut flagged,
                        "BW-DF-018",
                        format!("pip install without a version for: {}", join(&unpinned)),
                        locate_word(inst, p),
                    );
                }
                let no_cache = words.iter().any(|w| w == "--no-cache-dir")
                    || inst
                        .vars
                        .get("PIP_NO_CACHE_DIR")
                        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
                    || has_cache_mount("/root/.cache");
                if (!unpinned.is_empty() || from_file || !args.is_empty()) && !no_cache {
                    add_once(
                        ctx,
                        &mut flagged,
                        "BW-DF-019",
                        "pip install without --no-cache-dir".to_string(),
                        locate_word(inst, words.first().map(String::as_str).unwrap_or("pip")),
                    );
                }
            }
            "npm" => {
                if let Some(pkgs) = packages_after(words, &["install", "i", "add"]) {
                    let unpinned: Vec<&String> = pkgs
                        .into_iter()
                        .filter(|p| {
                            let name = p
                                .strip_prefix('@')
                                .map(|r| r.split_once('/').map(|(_, n)| n).unwrap_or(r))
                                .unwrap_or(p);
                            !name.contains('@')
                                && !p.contains("://")
                                && !p.starts_with('.')
                                && !p.starts_with('/')
                                && !p.ends_with(".tgz")
                                && !p.contains('$')
                                && !p.starts_with("git")
                        })
                        .collect();
                    if let Some(p) = unpinned.first() {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-020",
                            format!("npm install without a version for: {}", join(&unpinned)),
                            locate_word(inst, p),
                        );
                    }
                }
            }
            "yum" | "dnf" | "microdnf" | "zypper" => {
                let subs: &[&str] = if name == "zypper" {
                    &["install", "in"]
                } else {
                    &["install"]
                };
                if let Some(pkgs) = packages_after(words, subs) {
                    let pinned = |p: &str| {
                        if name == "zypper" {
                            p.contains('=')
                                || p.contains('>')
                                || p.contains('<')
                                || p.ends_with(".rpm")
                        } else {
                            p.ends_with(".rpm")
                                || p.split('-')
                                    .skip(1)
                                    .any(|seg| seg.starts_with(|c: char| c.is_ascii_digit()))
                        }
                    };
                    let unpinned: Vec<&String> = pkgs
                        .into_iter()
                        .filter(|p| !pinned(p) && !p.contains('$') && !p.starts_with('@'))
                        .collect();
                    if let Some(p) = unpinned.first() {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-021",
                            format!("{name} install without a version for: {}", join(&unpinned)),
                            locate_word(inst, p),
                        );
                    }
                    let cleaned = match name {
                        "zypper" => cmds.iter().any(|c| {
                            c.words.iter().any(|w| w == "zypper")
                                && c.words.iter().any(|w| w == "clean" || w == "cc")
                        }),
                        n => {
                            cmds.iter().any(|c| {
                                c.words.iter().any(|w| w == n)
                                    && c.words.iter().any(|w| w == "clean")
                                    && c.words.iter().any(|w| w == "all")
                            }) || script_has("/var/cache/yum")
                                || script_has("/var/cache/dnf")
                        }
                    };
                    if !cleaned && !has_cache_mount("/var/cache") {
                        add_once(
                            ctx,
                            &mut flagged,
                            "BW-DF-022",
                            format!("{name} cache is not cleaned in the same RUN"),
                            locate_word(inst, name),
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn join(items: &[&String]) -> String {
    items
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer() {
        let c = shell_commands(
            "A=1 apt-get install -y 'a b' && curl -s x | sudo bash; echo \"q\\\"\" # c\nls",
        );
        let w: Vec<Vec<&str>> = c
            .iter()
            .map(|c| c.words.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            w,
            vec![
                vec!["apt-get", "install", "-y", "a b"],
                vec!["curl", "-s", "x"],
                vec!["sudo", "bash"],
                vec!["echo", "q\""],
                vec!["ls"]
            ]
        );
        assert!(c[1].piped);
        assert!(!c[0].piped);
    }
}
