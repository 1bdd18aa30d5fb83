//! Dockerfile checks.

use crate::dockerfile::{key_values, split_words, Dockerfile, Instruction, Script};
use crate::node::{Pos, Span};
use crate::shell::{Command as ShellCmd, Word};

use super::{has_vars, image_problems, is_reference, secret_name, secret_value, Ctx};
use crate::catalogue::RuleId;

fn basename(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
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
            let w = split_words(&i.rest, esc);
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
    // The previous instruction, when it was a RUN: (it, whether it runs a single command).
    let mut prev_run: Option<(&Instruction, bool)> = None;
    let mut cmd_seen: Vec<(usize, &str)> = Vec::new();

    for (idx, inst) in insts.iter().enumerate() {
        let lg = logical(inst);
        match inst.cmd.as_str() {
            "FROM" => {
                pipefail_shell = false;
                // Expand word by word: an ARG without a default leaves the image empty
                // (unresolved), it does not make `AS` the image.
                let words: Vec<String> = split_words(&inst.rest, esc)
                    .iter()
                    .map(|w| crate::dockerfile::expand(w, &inst.vars, esc))
                    .collect();
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
                let mut inherited = inherited;
                // Distroless `:nonroot` (and `:debug-nonroot`, `*-nonroot`) images set USER
                // 65532 themselves: the container does not run as root.
                if parent.is_none() && inherited.user.is_none() && known_nonroot(&image) {
                    inherited.user = Some(("65532 (from the base image)".to_string(), idx));
                }
                facts.push(inherited);
                if let Some(p) = inst.flag("platform").and_then(|f| f.value.as_deref()) {
                    if !p.contains('$') {
                        ctx.add(
                            RuleId::Df033,
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
                    image_rules(ctx, &image, at, &lg);
                }
            }
            "USER" => {
                let u = inst.expanded(esc).trim().to_string();
                if let Some(f) = facts.last_mut() {
                    f.user = Some((u, idx));
                }
            }
            "HEALTHCHECK" => {
                if let Some(cmd) = inst.nested() {
                    code_rules(&cmd, ctx, &lg);
                }
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
                variable_rules(inst, ctx, esc, &lg);
            }
            "ADD" => {
                add_rules(inst, ctx, esc, &lg);
            }
            "WORKDIR" => {
                workdir_rules(inst, ctx, esc, &lg);
            }
            "CMD" | "ENTRYPOINT" => {
                code_rules(inst, ctx, &lg);
                if inst.json.is_none() && !inst.rest.trim().is_empty() {
                    ctx.add(
                        RuleId::Df027,
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
                        RuleId::Df031,
                        format!("stage {} has more than one {}", inst.stage, inst.cmd),
                        inst_span(inst),
                        lg.clone(),
                    );
                }
                cmd_seen.push((inst.stage, inst.cmd.as_str()));
            }
            "ONBUILD" => {
                if let Some(trigger) = inst.nested() {
                    match trigger.cmd.as_str() {
                        "RUN" => {
                            check_run(&trigger, ctx, &lg, pipefail_shell, false);
                        }
                        "CMD" | "ENTRYPOINT" => code_rules(&trigger, ctx, &lg),
                        _ => {}
                    }
                }
            }
            "MAINTAINER" => ctx.add(
                RuleId::Df030,
                "MAINTAINER is deprecated".to_string(),
                inst_span(inst),
                lg.clone(),
            ),
            "EXPOSE" => {
                expose_rules(inst, ctx, esc, &lg);
            }
            "COPY" => {
                copy_rules(inst, ctx, esc, &lg, &stage_names);
            }
            "RUN" => {
                for f in inst.flags.iter().filter(|f| f.name == "mount") {
                    let from = f.value.as_deref().unwrap_or("").split(',').find_map(|kv| {
                        kv.strip_prefix("from=")
                            .or_else(|| kv.strip_prefix("source-from="))
                    });
                    if let Some(from) = from {
                        let image = crate::dockerfile::expand(from, &inst.vars, esc);
                        if is_external_image(&image, &stage_names, inst.stage) {
                            image_rules(ctx, &image, span(inst, inst.locate(from)), &lg);
                        }
                    }
                }
                // Each RUN's script is parsed once; its command count feeds DL3059 below.
                let commands = check_run(inst, ctx, &lg, pipefail_shell, inst.stage == last_stage);
                // hadolint's DL3059 semantics: only two consecutive RUNs of one command each
                // (same stage, same flags) are worth joining; a RUN that already chains
                // commands with `&&`, `;`, `||` or `|` is left alone.
                let single = inst.json.is_some() || commands <= 1;
                if let Some((prev, prev_single)) = prev_run {
                    if prev.stage == inst.stage && prev.flags == inst.flags && prev_single && single
                    {
                        ctx.add(
                            RuleId::Df029,
                            "RUN directly follows another RUN".to_string(),
                            inst_span(inst),
                            lg.clone(),
                        );
                    }
                }
                prev_run = Some((inst, single));
                continue;
            }
            _ => {}
        }
        prev_run = None;
    }

    // Final-stage facts.
    if let (Some(f), Some(from)) = (facts.get(last_stage), stages.get(last_stage)) {
        let lg = logical(from);
        match &f.user {
            None => ctx.add(
                RuleId::Df001,
                "the final stage sets no USER, so the container runs as root".to_string(),
                inst_span(from),
                lg.clone(),
            ),
            Some((u, i)) => {
                let name = u.split(':').next().unwrap_or("").trim();
                if name == "root" || name == "0" {
                    if let Some(inst) = insts.get(*i) {
                        ctx.add(
                            RuleId::Df002,
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
            ctx.add(RuleId::Df023, msg.to_string(), inst_span(from), lg);
        }
    }
}

/// Command names whose stdin is run as code when something is piped into them.
const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "ash", "dash", "ksh", "python", "python2", "python3", "perl", "ruby",
    "node", "php",
];

/// Prefix commands that run the rest of their words as a command.
fn strip_wrappers(words: &[Word]) -> &[Word] {
    let mut w = words;
    loop {
        match w.first().map(|x| x.text.as_str()) {
            Some("sudo" | "doas") => {
                let opts = w
                    .get(1..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|x| x.text.starts_with('-'))
                    .count();
                w = w.get(1 + opts..).unwrap_or(&[]);
            }
            Some("exec" | "nohup" | "command" | "time" | "nice") => w = w.get(1..).unwrap_or(&[]),
            Some("env") => {
                let skip = 1 + w
                    .get(1..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|x| x.text.starts_with('-') || x.text.contains('='))
                    .count();
                w = w.get(skip..).unwrap_or(&[]);
            }
            _ => return w,
        }
    }
}

/// The package arguments after the first of `subcommands`: options and the values of the
/// options in `valued` are skipped.
fn packages_after<'a>(
    words: &'a [Word],
    subcommands: &[&str],
    valued: &[&str],
) -> Option<Vec<&'a Word>> {
    let idx = words
        .iter()
        .position(|w| subcommands.contains(&w.text.as_str()))?;
    let mut out = Vec::new();
    let mut skip = false;
    for w in words.get(idx + 1..).unwrap_or(&[]) {
        if skip {
            skip = false;
            continue;
        }
        if valued.contains(&w.text.as_str()) {
            skip = true;
            continue;
        }
        if !w.text.starts_with('-') && !w.text.is_empty() {
            out.push(w);
        }
    }
    Some(out)
}

/// Whether a short-option cluster (`-fsSLk`) or a long option `long` is among the words.
fn has_opt(words: &[Word], short: Option<char>, long: &[&str]) -> Option<usize> {
    words.iter().position(|w| {
        let t = w.text.as_str();
        long.iter()
            .any(|l| t == *l || t.strip_prefix(l).is_some_and(|r| r.starts_with('=')))
            || short.is_some_and(|c| {
                t.starts_with('-')
                    && !t.starts_with("--")
                    && t.len() > 1
                    && t.chars().skip(1).all(|x| x.is_ascii_alphabetic())
                    && t.contains(c)
            })
    })
}

/// Whether an environment assignment turns TLS or signature verification off.
pub fn insecure_env(name: &str, value: &str) -> bool {
    let v = value
        .trim()
        .trim_matches(|c| c == '"' || c == '\'')
        .to_ascii_lowercase();
    let off = matches!(v.as_str(), "0" | "false" | "no" | "off");
    match name.to_ascii_uppercase().as_str() {
        "GIT_SSL_NO_VERIFY" => !v.is_empty() && !off,
        "NODE_TLS_REJECT_UNAUTHORIZED"
        | "PYTHONHTTPSVERIFY"
        | "NPM_CONFIG_STRICT_SSL"
        | "YARN_STRICT_SSL"
        | "CURL_SSL_VERIFY" => off,
        "PIP_TRUSTED_HOST" => !v.is_empty(),
        _ => false,
    }
}

/// If a command turns TLS or signature verification off: (index of the offending word, why).
fn insecure_command(words: &[Word]) -> Option<(usize, String)> {
    let name = words.first().map(|w| basename(&w.text))?;
    let find = |long: &[&str], short: Option<char>| has_opt(words, short, long);
    let text_at = |i: usize| words.get(i).map(|w| w.text.clone()).unwrap_or_default();
    let hit = match name {
        "curl" => find(&["--insecure"], Some('k')),
        "wget" => find(&["--no-check-certificate"], None),
        // Only where packages are installed: `apk index --allow-untrusted` builds an index of
        // local packages (signed afterwards), it does not accept unsigned downloads.
        "apk"
            if words
                .iter()
                .any(|w| matches!(w.text.as_str(), "add" | "upgrade" | "fix")) =>
        {
            find(&["--allow-untrusted"], None)
        }
        "pip" | "pip3" | "python" | "python3" | "uv" | "pipenv" | "poetry" => {
            find(&["--trusted-host"], None)
        }
        "apt-get" | "apt" | "aptitude" => find(
            &[
                "--allow-unauthenticated",
                "--force-yes",
                "--allow-insecure-repositories",
            ],
            None,
        )
        .or_else(|| {
            words.iter().position(|w| {
                let t = w.text.to_ascii_lowercase();
                t.contains("verify-peer=false")
                    || t.contains("verify-host=false")
                    || t.contains("allowunauthenticated=true")
                    || t.contains("allowinsecurerepositories=true")
            })
        }),
        "yum" | "dnf" | "microdnf" | "tdnf" => find(&["--nogpgcheck"], None).or_else(|| {
            words.iter().position(|w| {
                let t = w.text.to_ascii_lowercase().replace(' ', "");
                t.contains("sslverify=false")
                    || t.contains("sslverify=0")
                    || t.contains("gpgcheck=0")
                    || t.contains("gpgcheck=false")
            })
        }),
        "zypper" => find(&["--no-gpg-checks", "--gpg-auto-import-keys"], None),
        "rpm" => find(&["--nosignature", "--nodigest", "--nogpg"], None),
        "npm" | "yarn" | "pnpm" => {
            let set = words.iter().position(|w| w.text == "set");
            let strict = words.iter().position(|w| w.text.contains("strict-ssl"));
            match (set, strict) {
                (Some(_), Some(i)) => {
                    let v = if words.get(i).is_some_and(|w| w.text.contains('=')) {
                        words
                            .get(i)
                            .map(|w| w.text.rsplit('=').next().unwrap_or("").to_string())
                    } else {
                        words.get(i + 1).map(|w| w.text.clone())
                    };
                    v.filter(|v| v == "false").map(|_| i)
                }
                _ => words
                    .iter()
                    .position(|w| w.text == "--strict-ssl=false" || w.text == "--no-strict-ssl"),
            }
        }
        "git" => words
            .iter()
            .position(|w| {
                let t = w.text.to_ascii_lowercase();
                t == "http.sslverify=false" || t.ends_with("sslverify=false")
            })
            .or_else(|| {
                let i = words
                    .iter()
                    .position(|w| w.text.eq_ignore_ascii_case("http.sslVerify"))?;
                words
                    .get(i + 1)
                    .filter(|w| {
                        matches!(w.text.to_ascii_lowercase().as_str(), "false" | "0" | "no")
                    })
                    .map(|_| i)
            }),
        _ => None,
    }?;
    Some((hit, format!("`{name}` runs with `{}`", text_at(hit))))
}

/// What one `RUN` (or a shell-form command) reveals: the parsed script and the findings
/// already raised (one per rule per instruction).
struct Run<'a> {
    inst: &'a Instruction,
    lg: &'a str,
    script: Script,
    cmds: Vec<ShellCmd>,
    flagged: std::collections::HashSet<RuleId>,
}

impl Run<'_> {
    fn add(&mut self, ctx: &mut Ctx<'_>, id: RuleId, msg: String, at: (u32, u32)) {
        if self.flagged.insert(id) {
            ctx.add(id, msg, span(self.inst, at), self.lg.to_string());
        }
    }

    fn pos(&self, w: &Word) -> (u32, u32) {
        if self.inst.json.is_some() {
            // Exec form: the script was rebuilt from the JSON strings; find the word itself.
            return locate_word(self.inst, &w.text);
        }
        self.script.pos(w.start)
    }

    fn has_cache_mount(&self, target: &str) -> bool {
        self.inst.flags.iter().any(|f| {
            f.name == "mount"
                && f.value
                    .as_deref()
                    .is_some_and(|v| v.contains("type=cache") && v.contains(target))
        })
    }

    fn script_has(&self, s: &str) -> bool {
        self.script.text.contains(s)
    }

    /// Whether any command has the name `name` and one of `words`.
    fn any_cmd(&self, name: &str, words: &[&str]) -> bool {
        self.cmds.iter().any(|c| {
            let w = strip_wrappers(&c.words);
            w.first().is_some_and(|f| basename(&f.text) == name)
                && w.iter().any(|x| words.contains(&x.text.as_str()))
        })
    }
}

/// Rules about any shell code (RUN, shell-form CMD/ENTRYPOINT, HEALTHCHECK CMD, ONBUILD):
/// remote code piped into an interpreter, and TLS or signature checks turned off.
fn check_code(run: &mut Run<'_>, ctx: &mut Ctx<'_>) {
    let cmds = run.cmds.clone();
    for c in &cmds {
        let words = strip_wrappers(&c.words);
        let Some(first) = words.first() else {
            for a in &c.assignments {
                if let Some((k, v)) = a.text.split_once('=') {
                    if insecure_env(k, v) {
                        let at = run.pos(a);
                        run.add(
                            ctx,
                            RuleId::Df035,
                            format!("`{}` turns verification off", a.text),
                            at,
                        );
                    }
                }
            }
            continue;
        };
        let name = basename(&first.text);
        // `curl ... | sh` (the pipe target may be wrapped in sudo).
        if matches!(name, "curl" | "wget") {
            if let Some(dst) = c.pipe_to.and_then(|i| cmds.get(i)) {
                let target = strip_wrappers(&dst.words)
                    .first()
                    .map(|w| basename(&w.text).to_string())
                    .unwrap_or_default();
                if INTERPRETERS.contains(&target.as_str()) {
                    let at = run.pos(first);
                    run.add(
                        ctx,
                        RuleId::Df012,
                        format!("output of `{name}` is piped into `{target}`"),
                        at,
                    );
                }
            }
        }
        // `sh -c "$(curl ...)"`, `bash <(wget -O- ...)`: a download run as the script.
        if INTERPRETERS.contains(&name) {
            for w in words.iter().skip(1) {
                // Only a download substituted into the arguments, not `sh -c "curl ..."`.
                let substituted = ["$(", "<(", "`"].iter().any(|m| {
                    w.text.match_indices(m).any(|(i, _)| {
                        let after = w.text.get(i + m.len()..).unwrap_or("").trim_start();
                        let cmd = after.split_whitespace().next().unwrap_or("");
                        matches!(basename(cmd), "curl" | "wget")
                    })
                });
                if !substituted {
                    continue;
                }
                let inner = cmds.iter().find(|d| {
                    d.words.first().is_some_and(|f| {
                        f.start > w.start
                            && f.end <= w.end
                            && matches!(basename(&f.text), "curl" | "wget")
                    })
                });
                if let Some(d) = inner.and_then(|d| d.words.first()) {
                    let at = run.pos(d);
                    let dl = basename(&d.text).to_string();
                    run.add(
                        ctx,
                        RuleId::Df012,
                        format!("output of `{dl}` is run by `{name}`"),
                        at,
                    );
                }
            }
        }
        for a in &c.assignments {
            if let Some((k, v)) = a.text.split_once('=') {
                if insecure_env(k, v) {
                    let at = run.pos(a);
                    run.add(
                        ctx,
                        RuleId::Df035,
                        format!("`{}` turns verification off", a.text),
                        at,
                    );
                }
            }
        }
        if matches!(name, "export" | "env") {
            for a in words.iter().skip(1) {
                if let Some((k, v)) = a.text.split_once('=') {
                    if insecure_env(k, v) {
                        let at = run.pos(a);
                        run.add(
                            ctx,
                            RuleId::Df035,
                            format!("`{}` turns verification off", a.text),
                            at,
                        );
                    }
                }
            }
        }
        if let Some((i, why)) = insecure_command(words) {
            if let Some(w) = words.get(i) {
                let at = run.pos(w);
                run.add(ctx, RuleId::Df035, why, at);
            }
        }
    }
}

/// Whether a base image is known to set a non-root USER itself.
fn known_nonroot(image: &str) -> bool {
    let img = super::parse_image(image);
    let distroless = img.registry == "gcr.io" && img.repo.starts_with("distroless/");
    distroless
        && img
            .tag
            .as_deref()
            .is_some_and(|t| t == "nonroot" || t.ends_with("-nonroot"))
}

/// Whether `--from=` names an image rather than an earlier stage (by name or index).
fn is_external_image(image: &str, stage_names: &[String], stage: usize) -> bool {
    let lower = image.to_ascii_lowercase();
    !image.is_empty()
        && !has_vars(image)
        && !stage_names
            .iter()
            .take(stage + 1)
            .any(|n| !n.is_empty() && *n == lower)
        && image.parse::<usize>().is_err()
}

/// The image rules (tag, `latest`, digest, trusted registry) shared by `FROM`,
/// `COPY --from=IMAGE` and `RUN --mount=from=IMAGE`.
fn image_rules(ctx: &mut Ctx<'_>, image: &str, at: Span, lg: &str) {
    let [tag, digest, untrusted] = image_problems(image, ctx.trusted);
    if let Some(m) = tag {
        let id = if m.contains("latest") {
            RuleId::Df004
        } else {
            RuleId::Df003
        };
        ctx.add(id, m, at, lg.to_string());
    }
    if let Some(m) = digest {
        ctx.add(RuleId::Df005, m, at, lg.to_string());
    }
    if let Some(m) = untrusted {
        ctx.add(RuleId::Df006, m, at, lg.to_string());
    }
}

/// The rules about shell code, on a shell-form (or `sh -c`) command.
fn code_rules(inst: &Instruction, ctx: &mut Ctx<'_>, lg: &str) {
    let script = inst.shell_script();
    let cmds = script.commands();
    let mut run = Run {
        inst,
        lg,
        script,
        cmds,
        flagged: std::collections::HashSet::new(),
    };
    check_code(&mut run, ctx);
}

fn check_run(
    inst: &Instruction,
    ctx: &mut Ctx<'_>,
    lg: &str,
    pipefail_shell: bool,
    final_stage: bool,
) -> usize {
    let script = inst.shell_script();
    let cmds = script.commands();
    let count = cmds.len();
    let mut run = Run {
        inst,
        lg,
        script,
        cmds,
        flagged: std::collections::HashSet::new(),
    };
    check_code(&mut run, ctx);
    let cmds = run.cmds.clone();
    // Pipe without pipefail (a pipe inside `$(...)` is a pipe too).
    let set_pipefail = cmds.iter().any(|c| {
        c.words.first().is_some_and(|w| w.text == "set")
            && c.words.iter().any(|w| w.text.contains("pipefail"))
    });
    let piped = cmds.iter().find(|c| c.pipe_to.is_some());
    if let Some(src) = piped.and_then(|c| c.words.last()) {
        if inst.json.is_none() && !pipefail_shell && !set_pipefail {
            let bar = run
                .script
                .text
                .get(src.end..)
                .and_then(|t| t.find('|'))
                .map(|b| src.end + b)
                .unwrap_or(src.start);
            let at = run.script.pos(bar);
            run.add(
                ctx,
                RuleId::Df028,
                "RUN uses a pipe without `set -o pipefail`".to_string(),
                at,
            );
        }
    }
    for cmd in &cmds {
        let Some(first) = cmd.words.first() else {
            continue;
        };
        if first.text == "sudo" {
            let at = run.pos(first);
            run.add(ctx, RuleId::Df024, "RUN uses sudo".to_string(), at);
        }
        let words = strip_wrappers(&cmd.words);
        let Some(head) = words.first() else {
            continue;
        };
        let name = basename(&head.text);
        // hadolint's DL3003 semantics: `cd` anywhere in the RUN's own script (also inside
        // `$(...)` and compound commands), but not in a script string another shell runs
        // (`su app -c "cd ... && make"`), where WORKDIR cannot stand in.
        if name == "cd" && !cmd.in_string {
            let at = run.pos(head);
            run.add(
                ctx,
                RuleId::Df026,
                "RUN uses `cd`; use WORKDIR".to_string(),
                at,
            );
        }
        let sub = |k: usize| words.get(k).map(|w| w.text.as_str()).unwrap_or("");
        match name {
            "apt" if matches!(sub(1), "install" | "update" | "upgrade" | "remove") => {
                apt_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "apt-get" => {
                apt_get_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "apk" => {
                apk_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "pip" | "pip3" | "python" | "python3" => {
                pip_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "npm" => {
                npm_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "gem" if sub(1) == "install" || sub(1) == "i" => {
                gem_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "go" if sub(1) == "install" => {
                go_rules(&mut run, ctx, cmd, words, final_stage);
            }
            "yum" | "dnf" | "microdnf" | "zypper" | "tdnf" => {
                rpm_family_rules(&mut run, ctx, cmd, words, final_stage);
            }
            _ => {}
        }
    }
    count
}

fn join(items: &[&Word]) -> String {
    items
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rules for `apt` commands of a RUN.
fn apt_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    let Some(head) = words.first() else {
        return;
    };
    let at = run.pos(head);
    run.add(
        ctx,
        RuleId::Df032,
        "use apt-get instead of apt".to_string(),
        at,
    );
}

/// Rules for `apt-get` commands of a RUN.
fn apt_get_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    final_stage: bool,
) {
    let Some(head) = words.first() else {
        return;
    };
    let valued = [
        "-o",
        "--option",
        "-t",
        "--target-release",
        "--default-release",
        "-c",
        "--config-file",
    ];
    // `apt-get install -s` only simulates.
    let simulate = words.iter().any(|w| {
        matches!(
            w.text.as_str(),
            "-s" | "--simulate" | "--dry-run" | "--just-print" | "--recon" | "--no-act"
        )
    });
    let pkgs = packages_after(words, &["install"], &valued).filter(|_| !simulate);
    if let Some(pkgs) = pkgs {
        let unpinned: Vec<&Word> = pkgs
            .iter()
            .copied()
            .filter(|p| {
                !p.text.contains('=')
                    && !p.text.ends_with(".deb")
                    && !p.text.contains('$')
                    && !p.text.contains('/')
            })
            .collect();
        if let Some(p) = unpinned.first() {
            let at = run.pos(p);
            run.add(
                ctx,
                RuleId::Df013,
                format!("apt-get install without a version for: {}", join(&unpinned)),
                at,
            );
        }
        if !words.iter().any(|w| {
            w.text == "--no-install-recommends"
                || w.text.contains("Install-Recommends=false")
                || w.text.contains("Install-Recommends=0")
        }) {
            let at = run.pos(head);
            run.add(
                ctx,
                RuleId::Df015,
                "apt-get install without --no-install-recommends".to_string(),
                at,
            );
        }
        // `apt-get dist-clean` (apt >= 2.7.8) removes the lists too.
        let cleaned = run.script_has("/var/lib/apt/lists")
            || run.any_cmd("apt-get", &["dist-clean"])
            || run.any_cmd("apt", &["dist-clean"])
            || run.has_cache_mount("/var/lib/apt");
        if final_stage && !cleaned {
            let at = run.pos(head);
            run.add(
                ctx,
                RuleId::Df014,
                "apt lists are not removed after apt-get install".to_string(),
                at,
            );
        }
    }
}

/// Rules for `apk` commands of a RUN.
fn apk_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    let Some(head) = words.first() else {
        return;
    };
    // `--virtual NAME` / `-t NAME` names a group of packages, not a package.
    let valued = [
        "--virtual",
        "-t",
        "--repository",
        "-X",
        "--root",
        "-p",
        "--arch",
        "--keys-dir",
        "--repositories-file",
        "--cache-dir",
    ];
    if let Some(pkgs) = packages_after(words, &["add"], &valued) {
        let unpinned: Vec<&Word> = pkgs
            .iter()
            .copied()
            .filter(|p| {
                !p.text.contains(['=', '~', '<', '>'])
                    && !p.text.ends_with(".apk")
                    && !p.text.contains('$')
            })
            .collect();
        if let Some(p) = unpinned.first() {
            let at = run.pos(p);
            run.add(
                ctx,
                RuleId::Df016,
                format!("apk add without a version for: {}", join(&unpinned)),
                at,
            );
        }
        // `--no-network` installs from what is already there: nothing is cached.
        if !words
            .iter()
            .any(|w| w.text == "--no-cache" || w.text == "--no-network")
            && !run.has_cache_mount("/var/cache/apk")
            && !run.script_has("/var/cache/apk")
            && !run.any_cmd("apk", &["clean"])
            && !run.any_cmd("apk", &["--purge"])
        {
            let at = run.pos(head);
            run.add(
                ctx,
                RuleId::Df017,
                "apk add without --no-cache".to_string(),
                at,
            );
        }
    }
}

/// Rules for `pip` commands of a RUN.
fn pip_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    let inst = run.inst;
    let Some(head) = words.first() else {
        return;
    };
    let name = basename(&head.text);
    let words: &[Word] = if name.starts_with("python") {
        match words.iter().position(|w| w.text == "-m") {
            Some(i)
                if words
                    .get(i + 1)
                    .is_some_and(|w| w.text == "pip" || w.text == "pip3") =>
            {
                words.get(i + 1..).unwrap_or(&[])
            }
            _ => return,
        }
    } else {
        words
    };
    let Some(install) = words.iter().position(|w| w.text == "install") else {
        return;
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
        let t = a.text.as_str();
        if matches!(
            t,
            "-r" | "--requirement" | "-c" | "--constraint" | "-e" | "--editable"
        ) {
            from_file = true;
            skip_next = true;
            continue;
        }
        if matches!(
            t,
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
                | "--trusted-host"
                | "--abi"
                | "--implementation"
                | "--only-binary"
                | "--no-binary"
                | "--progress-bar"
                | "--cache-dir"
                | "--src"
                | "--upgrade-strategy"
                | "--global-option"
                | "--install-option"
                | "--config-settings"
        ) {
            skip_next = true;
            continue;
        }
        if t.starts_with('-') {
            continue;
        }
        pkgs.push(a);
    }
    let unpinned: Vec<&Word> = pkgs
        .into_iter()
        .filter(|p| {
            let t = p.text.as_str();
            !["==", ">=", "<=", "~=", "!=", "===", "<", ">", "@"]
                .iter()
                .any(|op| t.contains(op))
                && !t.ends_with(".whl")
                && !t.ends_with(".tar.gz")
                && !t.contains('/')
                && t != "."
                && !t.contains('$')
        })
        .collect();
    if let Some(p) = unpinned.first() {
        let at = run.pos(p);
        run.add(
            ctx,
            RuleId::Df018,
            format!("pip install without a version for: {}", join(&unpinned)),
            at,
        );
    }
    let no_cache = words.iter().any(|w| w.text == "--no-cache-dir")
        || inst
            .vars
            .get("PIP_NO_CACHE_DIR")
            .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
        || cmd.assignments.iter().any(|a| {
            a.text.starts_with("PIP_NO_CACHE_DIR=")
                && !a.text.ends_with("=0")
                && !a.text.ends_with("=false")
        })
        || run.has_cache_mount("/root/.cache");
    if (!unpinned.is_empty() || from_file || !args.is_empty()) && !no_cache {
        let at = words
            .first()
            .map(|w| run.pos(w))
            .unwrap_or((inst.line, inst.col));
        run.add(
            ctx,
            RuleId::Df019,
            "pip install without --no-cache-dir".to_string(),
            at,
        );
    }
}

/// Rules for `npm` commands of a RUN.
fn npm_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    let valued = [
        "--prefix",
        "--registry",
        "-C",
        "--cache",
        "--userconfig",
        "--omit",
        "--include",
        "--tag",
    ];
    if let Some(pkgs) = packages_after(words, &["install", "i", "add"], &valued) {
        let unpinned: Vec<&Word> = pkgs
            .into_iter()
            .filter(|w| {
                let p = w.text.as_str();
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
            let at = run.pos(p);
            run.add(
                ctx,
                RuleId::Df020,
                format!("npm install without a version for: {}", join(&unpinned)),
                at,
            );
        }
    }
}

/// Rules for `gem` commands of a RUN.
fn gem_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    // `gem install name:version` or `-v`/`--version` pins.
    let pinned_all = words
        .iter()
        .any(|w| w.text == "-v" || w.text == "--version" || w.text.starts_with("--version="));
    let valued = [
        "-v",
        "--version",
        "-s",
        "--source",
        "-i",
        "--install-dir",
        "-n",
        "--bindir",
        "--platform",
    ];
    let pkgs = packages_after(words, &["install", "i"], &valued).unwrap_or_default();
    let unpinned: Vec<&Word> = pkgs
        .into_iter()
        .filter(|p| !p.text.contains(':') && !p.text.ends_with(".gem") && !p.text.contains('$'))
        .collect();
    if let (Some(p), false) = (unpinned.first(), pinned_all) {
        let at = run.pos(p);
        run.add(
            ctx,
            RuleId::Df036,
            format!("gem install without a version for: {}", join(&unpinned)),
            at,
        );
    }
}

/// Rules for `go` commands of a RUN.
fn go_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    let pkgs = packages_after(
        words,
        &["install"],
        &[
            "-C", "-o", "-p", "-tags", "-ldflags", "-gcflags", "-mod", "-modfile", "-pkgdir",
            "-overlay",
        ],
    )
    .unwrap_or_default();
    let unpinned: Vec<&Word> = pkgs
        .into_iter()
        .filter(|p| {
            let t = p.text.as_str();
            let remote = t.contains('.') && !t.starts_with('.') && !t.starts_with('/');
            remote && !t.contains('$') && t.rsplit_once('@').is_none_or(|(_, v)| v == "latest")
        })
        .collect();
    if let Some(p) = unpinned.first() {
        let at = run.pos(p);
        run.add(
            ctx,
            RuleId::Df037,
            format!("go install without a version for: {}", join(&unpinned)),
            at,
        );
    }
}

/// Rules for `yum` commands of a RUN.
fn rpm_family_rules(
    run: &mut Run<'_>,
    ctx: &mut Ctx<'_>,
    _cmd: &ShellCmd,
    words: &[Word],
    _final_stage: bool,
) {
    let Some(head) = words.first() else {
        return;
    };
    let name = basename(&head.text);
    let subs: &[&str] = if name == "zypper" {
        &["install", "in"]
    } else {
        &["install"]
    };
    let valued = [
        "--enablerepo",
        "--disablerepo",
        "--repo",
        "--installroot",
        "--releasever",
        "-c",
        "--config",
        "--setopt",
        "-x",
        "--exclude",
        "--repofrompath",
    ];
    if let Some(pkgs) = packages_after(words, subs, &valued) {
        let pinned = |p: &str| {
            if name == "zypper" {
                p.contains(['=', '>', '<']) || p.ends_with(".rpm")
            } else {
                p.ends_with(".rpm")
                    || p.contains("://")
                    || p.split('-')
                        .skip(1)
                        .any(|seg| seg.starts_with(|c: char| c.is_ascii_digit()))
            }
        };
        let unpinned: Vec<&Word> = pkgs
            .into_iter()
            .filter(|p| !pinned(&p.text) && !p.text.contains('$') && !p.text.starts_with('@'))
            .collect();
        if let Some(p) = unpinned.first() {
            let at = run.pos(p);
            run.add(
                ctx,
                RuleId::Df021,
                format!("{name} install without a version for: {}", join(&unpinned)),
                at,
            );
        }
        let cleaned = match name {
            "zypper" => run.any_cmd("zypper", &["clean", "cc"]),
            n => {
                run.any_cmd(n, &["clean"]) && run.cmds.iter().any(|c| c.has("all"))
                    || run.script_has("/var/cache/yum")
                    || run.script_has("/var/cache/dnf")
            }
        };
        if !cleaned && !run.has_cache_mount("/var/cache") {
            let at = run.pos(head);
            run.add(
                ctx,
                RuleId::Df022,
                format!("{name} cache is not cleaned in the same RUN"),
                at,
            );
        }
    }
}

/// ENV, ARG and LABEL: secrets and verification turned off.
fn variable_rules(inst: &Instruction, ctx: &mut Ctx<'_>, esc: char, lg: &str) {
    // BuildKit reads the legacy `ENV key value` and `LABEL key value` forms.
    for (k, v) in key_values(&inst.rest, esc, inst.cmd != "ARG") {
        let at = span(inst, inst.locate(&k));
        // Judge the value as the build sees it: `${X:-literal}` is a literal.
        let raw = v.unwrap_or_default();
        let value = crate::dockerfile::expand(&raw, &inst.vars, esc);
        if inst.cmd != "LABEL" && insecure_env(&k, &value) {
            ctx.add(
                RuleId::Df035,
                format!("{} `{k}={value}` turns verification off", inst.cmd),
                at,
                lg.to_string(),
            );
        }
        // A label is judged by its last dotted segment (`com.example.db-password`), and only
        // with a literal value: labels name things far more often than they hold them.
        let name_is_secret = if inst.cmd == "LABEL" {
            let last = k.rsplit('.').next().unwrap_or(&k).replace('-', "_");
            secret_name(&last) && !value.trim().is_empty()
        } else {
            secret_name(&k)
        };
        if name_is_secret && !is_reference(&value) {
            ctx.add(
                RuleId::Df007,
                format!("{} `{k}` looks like it holds a secret", inst.cmd),
                at,
                lg.to_string(),
            );
        }
        if let Some(what) = secret_value(&value) {
            ctx.add(
                RuleId::Df008,
                format!(
                    "{} `{k}` has a value that looks like a secret ({what})",
                    inst.cmd
                ),
                at,
                lg.to_string(),
            );
        }
    }
}

/// ADD: remote URLs, archives, plain files.
fn add_rules(inst: &Instruction, ctx: &mut Ctx<'_>, esc: char, lg: &str) {
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
            ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst",
        ]
        .iter()
        .any(|e| l.ends_with(e))
    });
    if let Some(u) = remote {
        if inst.flag("checksum").is_none() {
            ctx.add(
                RuleId::Df009,
                format!("ADD downloads `{u}` without a checksum"),
                span(inst, inst.locate(u)),
                lg.to_string(),
            );
        }
    } else if let Some(a) = archive {
        ctx.add(
            RuleId::Df010,
            format!("ADD extracts the archive `{a}`"),
            span(inst, inst.locate(a)),
            lg.to_string(),
        );
    } else if !srcs.is_empty() && inst.heredocs.is_empty() {
        ctx.add(
            RuleId::Df011,
            "ADD copies local files; use COPY".to_string(),
            inst_span(inst),
            lg.to_string(),
        );
    }
}

/// WORKDIR: relative paths.
fn workdir_rules(inst: &Instruction, ctx: &mut Ctx<'_>, esc: char, lg: &str) {
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
            RuleId::Df025,
            format!("WORKDIR `{w}` is relative"),
            inst_span(inst),
            lg.to_string(),
        );
    }
}

/// EXPOSE: the SSH port.
fn expose_rules(inst: &Instruction, ctx: &mut Ctx<'_>, esc: char, lg: &str) {
    for w in split_words(&inst.expanded(esc), esc) {
        let port = w.split('/').next().unwrap_or("");
        if port == "22" {
            ctx.add(
                RuleId::Df034,
                "port 22 (SSH) is exposed".to_string(),
                span(inst, locate_word(inst, &w)),
                lg.to_string(),
            );
        }
    }
}

/// COPY: images named by `--from`.
fn copy_rules(inst: &Instruction, ctx: &mut Ctx<'_>, esc: char, lg: &str, stage_names: &[String]) {
    if let Some(from) = inst.flag("from").and_then(|f| f.value.as_deref()) {
        let image = crate::dockerfile::expand(from, &inst.vars, esc);
        if is_external_image(&image, stage_names, inst.stage) {
            image_rules(ctx, &image, span(inst, inst.locate(from)), lg);
        }
    }
}
