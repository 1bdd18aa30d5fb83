//! Dockerfile parser that keeps the position of every instruction.
//!
//! Hand-written on purpose: no maintained Rust crate parses the BuildKit syntax (parser
//! directives, `escape`, heredocs, `--mount`/`--platform` flags) *and* keeps line and column
//! information, and a Dockerfile's grammar is small enough that a line-oriented reader is
//! clearer than a generic one. It never panics on hostile input: unknown or malformed
//! instructions are kept as text and simply match no rule.

use std::collections::HashMap;

/// A `--name=value` flag of an instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Name without the dashes (`mount`).
    pub name: String,
    /// Value after `=`, if any.
    pub value: Option<String>,
}

/// A heredoc body (`RUN <<EOF ... EOF`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// Delimiter word.
    pub name: String,
    /// Body, lines joined with `\n`.
    pub body: String,
    /// Line of the first body line.
    pub line: u32,
}

/// One instruction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Keyword in upper case (`RUN`).
    pub cmd: String,
    /// Line of the keyword (1-based).
    pub line: u32,
    /// Column of the keyword (1-based).
    pub col: u32,
    /// Last line (continuations and heredocs included).
    pub end_line: u32,
    /// Column just past the end of the last line.
    pub end_col: u32,
    /// Flags before the arguments.
    pub flags: Vec<Flag>,
    /// Arguments as written (continuations joined, comment lines dropped), flags removed.
    pub rest: String,
    /// The exec-form (JSON array) arguments, when the arguments are one.
    pub json: Option<Vec<String>>,
    /// Heredoc bodies.
    pub heredocs: Vec<Heredoc>,
    /// Index of the build stage (0-based; instructions before the first `FROM` get 0).
    pub stage: usize,
    /// The physical lines of the instruction: (line number, text).
    pub lines: Vec<(u32, String)>,
    /// Variables (`ARG`/`ENV`) in scope when the instruction runs.
    pub vars: HashMap<String, String>,
    /// Where `rest` comes from: (byte offset in `rest`, line, column) at the start of each
    /// physical line's part.
    pub rest_map: Vec<(usize, u32, u32)>,
}

/// The shell code an instruction runs, with the source position of every byte.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Script {
    /// The code: the arguments, then each heredoc body that the shell runs.
    pub text: String,
    /// Byte ranges of `text` that are separate scripts (the line, each body).
    pub pieces: Vec<(usize, usize)>,
    /// (byte offset in `text`, line, column) at the start of each physical line's part.
    map: Vec<(usize, u32, u32)>,
}

impl Script {
    /// Source (line, column) of byte `offset` of `text`.
    pub fn pos(&self, offset: usize) -> (u32, u32) {
        let seg = self
            .map
            .iter()
            .rev()
            .find(|(o, _, _)| *o <= offset)
            .or_else(|| self.map.first());
        match seg {
            Some(&(o, line, col)) => {
                let chars = self
                    .text
                    .get(o.min(offset)..offset)
                    .map(|t| t.chars().count())
                    .unwrap_or(0);
                (line, col + u32::try_from(chars).unwrap_or(0))
            }
            None => (1, 1),
        }
    }

    /// The simple commands of every piece.
    pub fn commands(&self) -> Vec<crate::shell::Command> {
        crate::shell::parse_pieces(&self.text, &self.pieces)
    }
}

const SHELLS: &[&str] = &["sh", "bash", "dash", "ash", "zsh", "ksh"];

impl Instruction {
    /// The flag `name`, if present.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// Position (line, column) of the first occurrence of `needle` in the instruction's text,
    /// or the keyword position.
    pub fn locate(&self, needle: &str) -> (u32, u32) {
        if !needle.is_empty() {
            for (n, text) in &self.lines {
                let skip = if *n == self.line {
                    usize::try_from(self.col).unwrap_or(0)
                } else {
                    0
                };
                let search_from = text
                    .char_indices()
                    .nth(skip.saturating_sub(1))
                    .map(|(b, _)| b)
                    .unwrap_or(0);
                if let Some(tail) = text.get(search_from..) {
                    if let Some(b) = tail.find(needle) {
                        let chars = text.get(..search_from + b).map(|t| t.chars().count());
                        if let Some(c) = chars {
                            return (*n, u32::try_from(c + 1).unwrap_or(1));
                        }
                    }
                }
            }
        }
        (self.line, self.col)
    }

    /// The shell code of a `RUN` (or a shell-form `CMD`/`ENTRYPOINT`/`HEALTHCHECK CMD`):
    /// its arguments, plus the heredoc bodies the shell runs (`RUN <<EOF`, `RUN bash <<EOF`;
    /// not `RUN cat <<EOF >file`, whose body is data).
    pub fn shell_script(&self) -> Script {
        let mut sc = Script::default();
        match &self.json {
            Some(words) => {
                sc.text = words
                    .iter()
                    .map(|w| {
                        if w.contains(char::is_whitespace) || w.is_empty() {
                            format!("'{}'", w.replace('\'', "'\\''"))
                        } else {
                            w.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
                sc.map.push((0, self.line, self.col));
            }
            None => {
                sc.text = self.rest.clone();
                sc.map = self.rest_map.clone();
            }
        }
        sc.pieces.push((0, sc.text.len()));
        // Only a RUN with heredocs needs its first command (parsed here once more).
        let first = if self.heredocs.is_empty() {
            None
        } else {
            crate::shell::parse(&sc.text)
                .into_iter()
                .find(|c| c.depth == 0)
                .and_then(|c| c.words.first().map(|w| w.text.clone()))
        };
        let body_is_shell = match first.as_deref() {
            None => true,
            Some(w) => SHELLS.contains(&w.rsplit('/').next().unwrap_or(w)),
        };
        if self.json.is_none() && body_is_shell {
            for h in &self.heredocs {
                sc.text.push('\n');
                let start = sc.text.len();
                for (k, l) in h.body.split('\n').enumerate() {
                    let line = h.line.saturating_add(u32::try_from(k).unwrap_or(0));
                    sc.map.push((sc.text.len(), line, 1));
                    sc.text.push_str(l);
                    sc.text.push('\n');
                }
                sc.pieces.push((start, sc.text.len()));
            }
        }
        sc
    }

    /// The instruction nested in this one: the trigger of `ONBUILD RUN ...` (keyword
    /// `RUN`), or the command of `HEALTHCHECK [flags] CMD ...` (keyword `CMD`). `None` when
    /// there is none.
    pub fn nested(&self) -> Option<Instruction> {
        let kw_len = self
            .rest
            .find(char::is_whitespace)
            .unwrap_or(self.rest.len());
        let kw = self.rest.get(..kw_len)?.to_ascii_uppercase();
        if kw.is_empty() || self.cmd == "HEALTHCHECK" && kw != "CMD" {
            return None;
        }
        let after = self.rest.get(kw_len..)?;
        let args = after.trim_start();
        let args_start = self.rest.len() - args.len();
        let (flags, rest) = split_flags(args);
        let start = args_start + args.len().saturating_sub(rest.len());
        let rest_map = map_suffix(&self.rest, &self.rest_map, start);
        let (line, col) = self
            .rest_map
            .first()
            .map(|&(_, l, c)| (l, c))
            .unwrap_or((self.line, self.col));
        Some(Instruction {
            cmd: kw,
            line,
            col,
            flags,
            json: parse_json_array(&rest),
            rest,
            rest_map,
            heredocs: self.heredocs.clone(),
            ..self.clone()
        })
    }

    /// The shell script a `RUN` executes: arguments plus heredoc bodies.
    pub fn script(&self) -> String {
        let mut s = match &self.json {
            Some(words) => words.join(" "),
            None => self.rest.clone(),
        };
        for h in &self.heredocs {
            s.push('\n');
            s.push_str(&h.body);
        }
        s
    }

    /// Arguments with `ARG`/`ENV` variables expanded.
    pub fn expanded(&self, escape: char) -> String {
        expand(&self.rest, &self.vars, escape)
    }
}

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dockerfile {
    /// Escape character (`\` unless `# escape=` says otherwise).
    pub escape: char,
    /// Parser directives (`syntax`, `escape`, `check`), lower-cased names.
    pub directives: Vec<(String, String)>,
    /// Instructions in order.
    pub instructions: Vec<Instruction>,
}

fn is_comment(line: &str) -> bool {
    line.trim_start().starts_with('#')
}

/// Remove a trailing escape character (line continuation); `None` when there is none.
/// BuildKit's rule: the escape may be followed by spaces and tabs only, and it is not a
/// continuation when it is itself escaped (`C:\\` ends a line).
fn strip_continuation(line: &str, escape: char) -> Option<&str> {
    let t = line
        .trim_end_matches(['\r', '\n'])
        .trim_end_matches([' ', '\t']);
    let before = t.strip_suffix(escape)?;
    if !before.is_empty() && before.ends_with(escape) {
        return None;
    }
    Some(before)
}

fn char_len(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// Heredoc markers (`<<EOF`, `<<-"EOF"`) in an instruction's arguments: (name, strip tabs).
fn heredoc_markers(rest: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut s = rest;
    while let Some(i) = s.find("<<") {
        let after = s.get(i + 2..).unwrap_or("");
        let (dash, after) = match after.strip_prefix('-') {
            Some(a) => (true, a),
            None => (false, after),
        };
        let (quote, after) = match after.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), after.get(1..).unwrap_or("")),
            _ => (None, after),
        };
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let valid_start = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if valid_start {
            let rest_after = after.get(name.len()..).unwrap_or("");
            let closed = match quote {
                Some(q) => rest_after.starts_with(q),
                None => true,
            };
            if closed {
                out.push((name.clone(), dash));
            }
        }
        s = after.get(name.len()..).unwrap_or("");
    }
    out
}

/// Split leading `--flag[=value]` words off an instruction's arguments, as BuildKit's
/// `extractBuilderFlags` does: quotes and the escape character work inside a flag, `--` ends
/// the flags, and the arguments come back trimmed.
fn split_flags_escaped(rest: &str, escape: char) -> (Vec<Flag>, String) {
    let chars: Vec<(usize, char)> = rest.char_indices().collect();
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    let mut args_from = rest.len();
    'words: loop {
        while chars.get(i).is_some_and(|(_, c)| c.is_whitespace()) {
            i += 1;
        }
        let Some(&(start, c)) = chars.get(i) else {
            break;
        };
        if c != '-' || chars.get(i + 1).map(|x| x.1) != Some('-') {
            args_from = start;
            break;
        }
        let mut word = String::new();
        let mut blank_ok = false;
        let mut quote: Option<char> = None;
        loop {
            let Some(&(at, c)) = chars.get(i) else {
                if word != "--" && (blank_ok || !word.is_empty()) {
                    words.push(word);
                }
                break 'words;
            };
            match quote {
                None if c.is_whitespace() => {
                    if word == "--" {
                        args_from = at;
                        break 'words;
                    }
                    if blank_ok || !word.is_empty() {
                        words.push(word);
                    }
                    break;
                }
                None if c == '\'' || c == '"' => {
                    quote = Some(c);
                    blank_ok = true;
                }
                Some(q) if c == q => quote = None,
                _ if c == escape => {
                    if let Some(&(_, n)) = chars.get(i + 1) {
                        word.push(n);
                        i += 1;
                    } else if quote.is_some() {
                        quote = None;
                    }
                }
                _ => word.push(c),
            }
            i += 1;
        }
    }
    let flags = words
        .into_iter()
        .map(|w| {
            let w = w.strip_prefix("--").unwrap_or(&w).to_string();
            match w.split_once('=') {
                Some((n, v)) => Flag {
                    name: n.to_string(),
                    value: Some(v.to_string()),
                },
                None => Flag {
                    name: w,
                    value: None,
                },
            }
        })
        .collect();
    let args = rest.get(args_from..).unwrap_or("").trim().to_string();
    (flags, args)
}

fn split_flags(rest: &str) -> (Vec<Flag>, String) {
    split_flags_escaped(rest, '\\')
}

/// Parse an exec-form JSON array of strings.
fn parse_json_array(rest: &str) -> Option<Vec<String>> {
    let t = rest.trim();
    if !t.starts_with('[') {
        return None;
    }
    serde_json::from_str::<Vec<String>>(t).ok()
}

/// Split `ARG`/`ENV`/`LABEL` arguments into words, honouring quotes and the escape character.
/// Returns the words with quotes removed.
pub fn split_words(s: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_word = true;
            }
            None if c == escape => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                    in_word = true;
                }
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}

/// `KEY=VALUE` pairs of `ENV`/`LABEL`/`ARG` arguments (legacy `ENV KEY VALUE` too). Values
/// are `None` for `ARG NAME` without a default.
pub fn key_values(rest: &str, escape: char, legacy: bool) -> Vec<(String, Option<String>)> {
    let words = split_words(rest, escape);
    if legacy {
        if let Some(first) = words.first() {
            if !first.contains('=') {
                let value = words.get(1..).map(|w| w.join(" "));
                return vec![(first.clone(), value.filter(|v| !v.is_empty()))];
            }
        }
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (w, None),
        })
        .collect()
}

/// Expand `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`
/// like BuildKit does. Unknown variables expand to nothing; an escaped `$` stays literal.
pub fn expand(s: &str, vars: &HashMap<String, String>, escape: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    let mut quote: Option<char> = None;
    while let Some(&c) = chars.get(i) {
        if c == '\'' && quote.is_none() {
            quote = Some('\'');
        } else if Some(c) == quote && c == '\'' {
            quote = None;
        }
        if c == escape && chars.get(i + 1) == Some(&'$') {
            out.push('$');
            i += 2;
            continue;
        }
        if c != '$' || quote == Some('\'') {
            out.push(c);
            i += 1;
            continue;
        }
        match chars.get(i + 1) {
            Some('{') => {
                let close = chars
                    .get(i + 2..)
                    .and_then(|t| t.iter().position(|&ch| ch == '}'));
                let Some(close) = close else {
                    out.push(c);
                    i += 1;
                    continue;
                };
                let inner: String = chars
                    .get(i + 2..i + 2 + close)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                let name_len = inner
                    .chars()
                    .take_while(|ch| ch.is_ascii_alphanumeric() || *ch == '_')
                    .count();
                let name = inner.get(..name_len).unwrap_or("");
                let op = inner.get(name_len..).unwrap_or("");
                let val = vars.get(name);
                let set_nonempty = val.is_some_and(|v| !v.is_empty());
                let rendered = if let Some(d) = op.strip_prefix(":-") {
                    if set_nonempty {
                        val.cloned().unwrap_or_default()
                    } else {
                        expand(d, vars, escape)
                    }
                } else if let Some(d) = op.strip_prefix('-') {
                    match val {
                        Some(v) => v.clone(),
                        None => expand(d, vars, escape),
                    }
                } else if let Some(a) = op.strip_prefix(":+") {
                    if set_nonempty {
                        expand(a, vars, escape)
                    } else {
                        String::new()
                    }
                } else if let Some(a) = op.strip_prefix('+') {
                    if val.is_some() {
                        expand(a, vars, escape)
                    } else {
                        String::new()
                    }
                } else {
                    val.cloned().unwrap_or_default()
                };
                out.push_str(&rendered);
                i += close + 3;
            }
            Some(n) if n.is_ascii_alphabetic() || *n == '_' => {
                let name: String = chars
                    .get(i + 1..)
                    .unwrap_or(&[])
                    .iter()
                    .take_while(|ch| ch.is_ascii_alphanumeric() || **ch == '_')
                    .collect();
                out.push_str(vars.get(&name).map(String::as_str).unwrap_or(""));
                i += 1 + name.chars().count();
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Shift a (offset, line, column) map of `logical` to one of its suffix starting at `from`.
fn map_suffix(logical: &str, segs: &[(usize, u32, u32)], from: usize) -> Vec<(usize, u32, u32)> {
    let mut out = Vec::new();
    for (k, &(o, line, col)) in segs.iter().enumerate() {
        let next = segs.get(k + 1).map(|s| s.0).unwrap_or(usize::MAX);
        if next <= from {
            continue;
        }
        if o >= from {
            out.push((o - from, line, col));
        } else {
            let skipped = logical.get(o..from).map(|t| t.chars().count()).unwrap_or(0);
            out.push((0, line, col + u32::try_from(skipped).unwrap_or(0)));
        }
    }
    out
}

/// Parse a Dockerfile. Never fails: malformed lines become instructions no rule matches.
pub fn parse(text: &str) -> Dockerfile {
    let lines: Vec<&str> = text.lines().collect();
    let mut df = Dockerfile {
        escape: '\\',
        ..Dockerfile::default()
    };
    let mut i = 0;
    // Parser directives: `# key=value` lines at the very top.
    while let Some(line) = lines.get(i) {
        let t = line.trim();
        let Some(body) = t.strip_prefix('#') else {
            break;
        };
        let Some((k, v)) = body.split_once('=') else {
            break;
        };
        let key = k.trim().to_ascii_lowercase();
        if key.is_empty() || key.contains(char::is_whitespace) {
            break;
        }
        let value = v.trim().to_string();
        if key == "escape" {
            match value.as_str() {
                "`" => df.escape = '`',
                "\\" => df.escape = '\\',
                _ => {}
            }
        }
        df.directives.push((key, value));
        i += 1;
    }
    let escape = df.escape;
    let mut stage: usize = 0;
    let mut seen_from = false;
    let mut global_args: HashMap<String, String> = HashMap::new();
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut stage_vars: Vec<HashMap<String, String>> = Vec::new();
    let mut stage_names: Vec<String> = Vec::new();
    while let Some(first) = lines.get(i) {
        let start_idx = i;
        i += 1;
        if first.trim().is_empty() || is_comment(first) {
            continue;
        }
        let line_no = u32::try_from(start_idx + 1).unwrap_or(u32::MAX);
        let indent = first.chars().take_while(|c| c.is_whitespace()).count();
        let col = u32::try_from(indent + 1).unwrap_or(1);
        let mut phys = vec![(line_no, first.to_string())];
        let mut logical = String::new();
        let mut cur = first.trim_start().to_string();
        let mut segs: Vec<(usize, u32, u32)> = vec![(0, line_no, col)];
        loop {
            match strip_continuation(&cur, escape) {
                Some(stripped) => {
                    logical.push_str(stripped);
                    // Skip comment and empty lines inside a continuation, as BuildKit does.
                    let mut next = None;
                    while let Some(l) = lines.get(i) {
                        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                        i += 1;
                        phys.push((n, l.to_string()));
                        if is_comment(l) || l.trim().is_empty() {
                            continue;
                        }
                        next = Some(l.to_string());
                        break;
                    }
                    match next {
                        Some(n) => {
                            let n_line = u32::try_from(i).unwrap_or(u32::MAX);
                            segs.push((logical.len(), n_line, 1));
                            cur = n;
                        }
                        None => break,
                    }
                }
                None => {
                    logical.push_str(&cur);
                    break;
                }
            }
        }
        let kw_len = logical.find(char::is_whitespace).unwrap_or(logical.len());
        let cmd = logical.get(..kw_len).unwrap_or("").to_ascii_uppercase();
        let args = logical.get(kw_len..).unwrap_or("").trim().to_string();
        let args_start = logical.len() - logical.get(kw_len..).unwrap_or("").trim_start().len();
        let args_len = args.len();
        // BuildKit takes `--flags` off every instruction.
        let (flags, rest) = split_flags_escaped(&args, escape);
        let mut heredocs = Vec::new();
        if matches!(cmd.as_str(), "RUN" | "COPY" | "ADD") {
            for (name, strip_tabs) in heredoc_markers(&rest) {
                let mut body = Vec::new();
                let body_line = u32::try_from(i + 1).unwrap_or(u32::MAX);
                while let Some(l) = lines.get(i) {
                    let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
                    i += 1;
                    phys.push((n, l.to_string()));
                    let cmp = if strip_tabs {
                        l.trim_start_matches('\t')
                    } else {
                        l
                    };
                    if cmp.trim_end() == name {
                        break;
                    }
                    body.push(cmp.to_string());
                }
                heredocs.push(Heredoc {
                    name,
                    body: body.join("\n"),
                    line: body_line,
                });
            }
        }
        // Scope of variables: global ARGs feed FROM; a stage sees its own ARG/ENV.
        if cmd == "FROM" {
            if seen_from {
                stage += 1;
            }
            seen_from = true;
            // Expand word by word: `FROM ${UNSET} AS x` is an empty image named x, not `AS`.
            let words: Vec<String> = split_words(&rest, escape)
                .iter()
                .map(|w| expand(w, &global_args, escape))
                .collect();
            let image = words.first().cloned().unwrap_or_default();
            let name = match (words.get(1), words.get(2)) {
                (Some(a), Some(n)) if a.eq_ignore_ascii_case("as") => n.to_ascii_lowercase(),
                _ => String::new(),
            };
            // A stage built on an earlier stage inherits its ENV.
            let parent = stage_names
                .iter()
                .position(|n| !n.is_empty() && *n == image.to_ascii_lowercase())
                .or_else(|| {
                    image
                        .parse::<usize>()
                        .ok()
                        .filter(|&p| p < stage_names.len())
                });
            vars = parent
                .and_then(|p| stage_vars.get(p).cloned())
                .unwrap_or_default();
            stage_names.push(name);
            stage_vars.push(vars.clone());
        }
        let scope = if seen_from && cmd != "FROM" {
            vars.clone()
        } else {
            global_args.clone()
        };
        let end_line = phys.last().map(|(n, _)| *n).unwrap_or(line_no);
        let end_col = phys
            .last()
            .map(|(_, t)| char_len(t.trim_end()) + 1)
            .unwrap_or(1);
        let json = parse_json_array(&rest);
        // `rest` is a suffix of the trimmed arguments: map its bytes back to the lines.
        let rest_start = args_start + args_len.saturating_sub(rest.len());
        let rest_map = map_suffix(&logical, &segs, rest_start);
        let inst = Instruction {
            cmd: cmd.clone(),
            line: line_no,
            col,
            end_line,
            end_col,
            flags,
            rest: rest.clone(),
            json,
            heredocs,
            stage,
            lines: phys,
            vars: scope,
            rest_map,
        };
        match cmd.as_str() {
            "ARG" => {
                for (k, v) in key_values(&rest, escape, false) {
                    let value = match v {
                        Some(v) => expand(&v, if seen_from { &vars } else { &global_args }, escape),
                        // `ARG NAME` in a stage re-imports the global default.
                        None if seen_from => global_args.get(&k).cloned().unwrap_or_default(),
                        None => String::new(),
                    };
                    if seen_from {
                        vars.insert(k, value);
                    } else {
                        global_args.insert(k, value);
                    }
                }
            }
            "ENV" if seen_from => {
                for (k, v) in key_values(&rest, escape, true) {
                    let value = expand(&v.unwrap_or_default(), &vars, escape);
                    vars.insert(k, value);
                }
            }
            _ => {}
        }
        if let Some(last) = stage_vars.last_mut() {
            *last = vars.clone();
        }
        df.instructions.push(inst);
    }
    df
}

/// A Dockerfile that BuildKit would refuse, with the line it names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct SyntaxError {
    /// Line of the offending instruction (1-based; the last line for an empty file).
    pub line: u32,
    /// BuildKit's reason.
    pub message: String,
}

/// One value of BuildKit's parse tree after the keyword.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeValue {
    /// A plain string node.
    Str(String),
    /// A nested instruction (`ONBUILD RUN ...`): keyword, flags, values.
    Sub(String, Vec<String>, Vec<NodeValue>),
}

/// BuildKit's `reWhitespace` (`[\t\v\f\r ]+`) split.
fn ws_split(s: &str, limit: usize) -> Vec<String> {
    let is_ws = |c: char| matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ');
    let mut out = Vec::new();
    let mut rest = s;
    while out.len() + 1 < limit {
        match rest.find(is_ws) {
            Some(i) => {
                out.push(rest.get(..i).unwrap_or("").to_string());
                rest = rest.get(i..).unwrap_or("").trim_start_matches(is_ws);
            }
            None => break,
        }
    }
    out.push(rest.to_string());
    out
}

/// BuildKit's `parseWords`: split on whitespace, quotes and escapes kept as written.
fn parse_words_raw(rest: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut blank_ok = false;
    let mut quote: Option<char> = None;
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None => {
                if c.is_whitespace() {
                    if in_word && (blank_ok || !cur.is_empty()) {
                        words.push(std::mem::take(&mut cur));
                    }
                    cur.clear();
                    in_word = false;
                    blank_ok = false;
                    continue;
                }
                in_word = true;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                    blank_ok = true;
                }
                if c == escape {
                    if let Some(n) = chars.next() {
                        cur.push(c);
                        cur.push(n);
                    }
                    continue;
                }
                cur.push(c);
            }
            Some(q) => {
                if c == q {
                    quote = None;
                }
                if c == escape && q != '\'' {
                    match chars.next() {
                        Some(n) => {
                            cur.push(c);
                            cur.push(n);
                        }
                        None => quote = None,
                    }
                    continue;
                }
                cur.push(c);
            }
        }
    }
    if in_word && (blank_ok || !cur.is_empty()) {
        words.push(cur);
    }
    words
}

/// BuildKit's `parseJSON`: `Ok(None)` when the text is not a JSON array, an error when it
/// is one with a non-string element.
fn json_strings(rest: &str) -> Result<Option<Vec<String>>, String> {
    let t = rest.trim_start();
    if !t.starts_with('[') {
        return Ok(None);
    }
    match serde_json::from_str::<Vec<serde_json::Value>>(t) {
        Ok(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Ok(s),
                _ => Err(
                    "when using JSON array syntax, arrays must be comprised of strings only"
                        .to_string(),
                ),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Err(_) => Ok(None),
    }
}

/// BuildKit's `parseNameVal` (ENV, LABEL).
fn name_vals(rest: &str, key: &str, escape: char) -> Result<Vec<NodeValue>, String> {
    let words = parse_words_raw(rest, escape);
    let Some(first) = words.first() else {
        return Ok(Vec::new());
    };
    if !first.contains('=') {
        let parts = ws_split(rest, 2);
        let (Some(k), Some(v)) = (parts.first(), parts.get(1)) else {
            return Err(format!("{key} must have two arguments"));
        };
        return Ok(vec![
            NodeValue::Str(k.clone()),
            NodeValue::Str(v.clone()),
            NodeValue::Str(String::new()),
        ]);
    }
    let mut out = Vec::new();
    for w in &words {
        let Some((k, v)) = w.split_once('=') else {
            return Err(format!(
                "Syntax error - can't find = in {w:?}. Must be of the form: name=value"
            ));
        };
        out.push(NodeValue::Str(k.to_string()));
        out.push(NodeValue::Str(v.to_string()));
        out.push(NodeValue::Str("=".to_string()));
    }
    Ok(out)
}

/// The values BuildKit's parser gives an instruction (`cmd` upper case, `rest` after the
/// flags), or the error it stops with.
pub fn node_values(cmd: &str, rest: &str, escape: char) -> Result<Vec<NodeValue>, String> {
    let strs = |v: Vec<String>| v.into_iter().map(NodeValue::Str).collect::<Vec<_>>();
    let maybe_json = |rest: &str| -> Result<Vec<NodeValue>, String> {
        if rest.is_empty() {
            return Ok(Vec::new());
        }
        Ok(match json_strings(rest)? {
            Some(v) => strs(v),
            None => vec![NodeValue::Str(rest.to_string())],
        })
    };
    match cmd {
        "ADD" | "COPY" | "VOLUME" => Ok(match json_strings(rest)? {
            Some(v) => strs(v),
            None if rest.is_empty() => Vec::new(),
            None => strs(ws_split(rest, usize::MAX)),
        }),
        "ARG" => Ok(strs(parse_words_raw(rest, escape))),
        "CMD" | "ENTRYPOINT" | "RUN" | "SHELL" => maybe_json(rest),
        "ENV" | "LABEL" => name_vals(rest, cmd, escape),
        "EXPOSE" | "FROM" => Ok(if rest.is_empty() {
            Vec::new()
        } else {
            strs(ws_split(rest, usize::MAX))
        }),
        "HEALTHCHECK" => {
            let sep = rest.find(char::is_whitespace).unwrap_or(rest.len());
            if sep == 0 {
                return Ok(Vec::new());
            }
            let typ = rest.get(..sep).unwrap_or("").to_string();
            let mut out = vec![NodeValue::Str(typ)];
            out.extend(maybe_json(rest.get(sep..).unwrap_or("").trim_start())?);
            Ok(out)
        }
        "MAINTAINER" | "STOPSIGNAL" | "USER" | "WORKDIR" => Ok(if rest.is_empty() {
            Vec::new()
        } else {
            vec![NodeValue::Str(rest.to_string())]
        }),
        "ONBUILD" => {
            if rest.is_empty() {
                return Ok(Vec::new());
            }
            let t = rest.trim();
            let parts = ws_split(t, 2);
            let kw = parts.first().cloned().unwrap_or_default();
            let (flags, args) =
                split_flags_escaped(parts.get(1).map(String::as_str).unwrap_or(""), escape);
            let values = node_values(&kw.to_ascii_uppercase(), &args, escape)?;
            Ok(vec![NodeValue::Sub(
                kw,
                flags.iter().map(flag_text).collect(),
                values,
            )])
        }
        _ => Ok(vec![NodeValue::Str(String::new())]),
    }
}

fn flag_text(f: &Flag) -> String {
    match &f.value {
        Some(v) => format!("--{}={v}", f.name),
        None => format!("--{}", f.name),
    }
}

/// Go's `strconv.Quote`, for dumps that compare byte for byte with BuildKit's.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn dump_node(cmd: &str, flags: &[String], values: &[NodeValue]) -> String {
    let mut s = cmd.to_ascii_lowercase();
    if !flags.is_empty() {
        let quoted: Vec<String> = flags.iter().map(|f| go_quote(f)).collect();
        s.push_str(&format!(" [{}]", quoted.join(" ")));
    }
    for v in values {
        s.push(' ');
        match v {
            NodeValue::Str(x) => s.push_str(&go_quote(x)),
            NodeValue::Sub(k, f, vals) => {
                s.push('(');
                s.push_str(&dump_node(k, f, vals));
                s.push(')');
            }
        }
    }
    s.trim().to_string()
}

/// The parse tree in BuildKit's `Node.Dump()` format (one `(cmd ...)` per line), the format
/// of BuildKit's parser test `result` files.
pub fn buildkit_dump(df: &Dockerfile) -> Result<String, SyntaxError> {
    let mut out = String::new();
    for inst in &df.instructions {
        let values =
            node_values(&inst.cmd, &inst.rest, df.escape).map_err(|message| SyntaxError {
                line: inst.line,
                message,
            })?;
        let flags: Vec<String> = inst.flags.iter().map(flag_text).collect();
        let keyword = inst
            .lines
            .first()
            .and_then(|(_, t)| t.split_whitespace().next())
            .unwrap_or(&inst.cmd)
            .to_string();
        out.push('(');
        out.push_str(&dump_node(&keyword, &flags, &values));
        out.push_str(")\n");
    }
    Ok(out)
}

/// Parse a Dockerfile and reject what BuildKit rejects (no instructions, `ENV` without a
/// value, a JSON array of non-strings, `name=value` syntax errors), naming the line.
pub fn parse_strict(text: &str) -> Result<Dockerfile, SyntaxError> {
    let df = parse(text);
    if df.instructions.is_empty() {
        return Err(SyntaxError {
            line: u32::try_from(text.lines().count().max(1)).unwrap_or(u32::MAX),
            message: "file with no instructions".to_string(),
        });
    }
    buildkit_dump(&df)?;
    Ok(df)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuations_comments_and_positions() {
        let df = parse(
            "FROM alpine:3.19\n\n  RUN apk add \\\n# comment\n    curl \\\n\n    git\nUSER app\n",
        );
        assert_eq!(df.instructions.len(), 3);
        let run = &df.instructions[1];
        assert_eq!((run.line, run.col, run.end_line), (3, 3, 7));
        assert_eq!(run.rest, "apk add     curl     git");
        assert_eq!(run.locate("git"), (7, 5));
        assert_eq!(df.instructions[2].line, 8);
    }

    #[test]
    fn escape_directive() {
        let df = parse("# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\n");
        assert_eq!(df.escape, '`');
        assert_eq!(df.instructions[1].rest, "dir   c:\\");
        assert_eq!(df.directives, vec![("escape".to_string(), "`".to_string())]);
    }

    #[test]
    fn heredoc_and_flags() {
        let df = parse("FROM debian\nRUN --mount=type=cache,target=/var/cache/apt <<EOF\napt-get update\napt-get install -y curl\nEOF\nCMD [\"sh\"]\n");
        let run = &df.instructions[1];
        assert_eq!(
            run.flag("mount").and_then(|f| f.value.clone()).as_deref(),
            Some("type=cache,target=/var/cache/apt")
        );
        assert_eq!(run.heredocs.len(), 1);
        assert_eq!(
            run.heredocs[0].body,
            "apt-get update\napt-get install -y curl"
        );
        assert_eq!(run.end_line, 5);
        assert_eq!(df.instructions[2].json, Some(vec!["sh".to_string()]));
        assert_eq!(df.instructions[2].line, 6);
    }

    #[test]
    fn expansion_forms() {
        let mut v = HashMap::new();
        v.insert("A".to_string(), "x".to_string());
        v.insert("E".to_string(), String::new());
        assert_eq!(
            expand(
                "$A ${A} ${B:-d} ${E:-d} ${E-d} ${A:+y} ${B:+y} ${E+z} \\$A",
                &v,
                '\\'
            ),
            "x x d d  y  z $A"
        );
    }

    #[test]
    fn args_env_and_stages() {
        let df = parse("ARG TAG=3.19\nFROM alpine:${TAG} AS base\nENV APP=/srv PATH=$APP/bin\nFROM base\nWORKDIR $APP\n");
        let from = &df.instructions[1];
        assert_eq!(from.expanded('\\'), "alpine:3.19 AS base");
        let wd = &df.instructions[4];
        assert_eq!(wd.stage, 1);
        assert_eq!(wd.expanded('\\'), "/srv");
        assert_eq!(df.instructions[2].vars.get("APP"), None);
    }

    #[test]
    fn garbage_does_not_panic() {
        for g in [
            "\\",
            "RUN \\",
            "RUN <<",
            "RUN <<-\"",
            "FROM ${",
            "ENV a=\"",
            "# escape=x\n\u{0}",
            "RUN <<EOF\n",
            "ARG",
            "LABEL =\"\\",
        ] {
            let _ = parse(g);
        }
        assert_eq!(parse("RUN <<EOF\nx").instructions[0].heredocs[0].body, "x");
    }
}
