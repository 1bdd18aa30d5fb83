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
        let first = crate::shell::parse(&sc.text)
            .into_iter()
            .find(|c| c.depth == 0)
            .and_then(|c| c.words.first().map(|w| w.text.clone()));
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
        let (flags, rest) = if matches!(kw.as_str(), "RUN" | "COPY" | "ADD" | "FROM") {
            split_flags(args)
        } else {
            (Vec::new(), args.trim_end().to_string())
        };
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
fn strip_continuation(line: &str, escape: char) -> Option<&str> {
    let t = line.trim_end();
    t.strip_suffix(escape)
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

/// Split leading `--flag[=value]` words off an instruction's arguments.
fn split_flags(rest: &str) -> (Vec<Flag>, String) {
    let mut flags = Vec::new();
    let mut s = rest.trim_start();
    while let Some(f) = s.strip_prefix("--") {
        let end = f.find(char::is_whitespace).unwrap_or(f.len());
        let word = f.get(..end).unwrap_or("");
        let (name, value) = match word.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (word.to_string(), None),
        };
        if name.is_empty() {
            break;
        }
        flags.push(Flag { name, value });
        s = f.get(end..).unwrap_or("").trim_start();
    }
    (flags, s.to_string())
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
        let (flags, rest) = if matches!(
            cmd.as_str(),
            "RUN" | "COPY" | "ADD" | "FROM" | "HEALTHCHECK"
        ) {
            split_flags(&args)
        } else {
            (Vec::new(), args)
        };
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
