//! A POSIX shell parser for the scripts a Dockerfile runs (`RUN`, heredoc bodies, `ONBUILD`
//! triggers, `HEALTHCHECK CMD`, shell-form `CMD`/`ENTRYPOINT`).
//!
//! It finds every simple command of a script, wherever the grammar puts it: after `&&`, `||`,
//! `;`, `&`, `!`, `time`, `then`, `else`, `do`; inside `{ }`, `( )`, `if`/`while`/`until`/
//! `for`/`case` bodies, `$(...)`, backticks, `<(...)`/`>(...)` and the string of `sh -c`/`eval`.
//! `case` patterns (`a|b)`) are patterns, not pipes; a pipe inside `$(...)` is a pipe. Every
//! word keeps its byte range in the script, so a finding can point at the offending token.
//! It does not expand anything and never fails: unbalanced input ends the construct at the end
//! of the script.
//!
//! Hand-written recursive descent over the POSIX grammar (XCU 2.10), on purpose. Candidates
//! we weighed: `conch-parser` (unmaintained since 2018), `shell-words` (a word splitter only),
//! `yash-syntax` (a complete shell front end with an async, whole-shell API and its own
//! source/alias machinery: far more than a linter needs), `brush-parser` (maintained, bash
//! grammar via the `peg` proc macro, but words stay raw strings with quotes, command
//! substitutions must be re-parsed from those strings with offsets relative to the word, and
//! its AST is renamed between 0.x releases). Auditing needs exactly three things: every
//! command, its unquoted words with their source offsets, and which command pipes into which.
//! That is ~500 lines here, builds in no time on the two shared CI cores, and its behaviour on
//! odd input (never an error, bounded nesting) is ours to define.

/// One word of a command: its text with quotes and escapes removed (substitutions stay as
/// written) and its byte range in the script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Unquoted text.
    pub text: String,
    /// Byte offset of the first character in the script.
    pub start: usize,
    /// Byte offset just past the word.
    pub end: usize,
    /// No quote or escape was used (only such words can be reserved words).
    plain: bool,
}

/// One simple command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Command {
    /// Words (leading `NAME=value` assignments and redirections removed).
    pub words: Vec<Word>,
    /// Leading `NAME=value` assignments.
    pub assignments: Vec<Word>,
    /// Index (in the parse result) of the command this one's output is piped into.
    pub pipe_to: Option<usize>,
    /// Nesting depth: 0 at top level, +1 per `$(...)`, backticks, `<(...)` or `sh -c` string.
    pub depth: u32,
    /// Inside the script string of `sh -c`, `su -c` or `eval` (run by another shell).
    pub in_string: bool,
}

impl Command {
    /// The words' texts.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|w| w.text.as_str())
    }

    /// Whether any word's text is `s`.
    pub fn has(&self, s: &str) -> bool {
        self.texts().any(|w| w == s)
    }
}

/// Maximum nesting of substitutions and `sh -c` strings followed.
const MAX_DEPTH: u32 = 32;

/// Parse a script into its simple commands (in the order their slots were opened).
pub fn parse(script: &str) -> Vec<Command> {
    parse_pieces(script, &[(0, script.len())])
}

/// Parse several independent scripts held in one string (byte ranges of `src`), e.g. a
/// `RUN` line and its heredoc bodies; word offsets stay offsets into `src`.
pub fn parse_pieces(src: &str, ranges: &[(usize, usize)]) -> Vec<Command> {
    let mut out = Vec::new();
    for &(start, end) in ranges {
        let mut p = Parser::new(src, start, end, &mut out, 0);
        p.program();
    }
    // Drop empty slots (assignments only, function names) and renumber the pipe targets.
    let mut map = vec![None; out.len()];
    let mut kept = Vec::with_capacity(out.len());
    for (i, c) in out.iter().enumerate() {
        if !c.words.is_empty() || !c.assignments.is_empty() {
            map[i] = Some(kept.len());
            kept.push(i);
        }
    }
    let mut result: Vec<Command> = Vec::with_capacity(kept.len());
    for i in kept {
        if let Some(c) = out.get(i) {
            let mut c = c.clone();
            c.pipe_to = c.pipe_to.and_then(|t| map.get(t).copied().flatten());
            result.push(c);
        }
    }
    result
}

/// Parse and keep empty slots (indices stay valid for `pipe_to`).
fn parse_range(
    src: &str,
    (start, end): (usize, usize),
    out: &mut Vec<Command>,
    depth: u32,
    in_string: bool,
) {
    if depth > MAX_DEPTH || start >= end {
        return;
    }
    let mut p = Parser::new(src, start, end, out, depth);
    p.in_string = in_string;
    p.program();
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(Word),
    Op(&'static str, usize),
    Newline,
    Eof,
}

const OPS: &[&str] = &[
    ";;&", "<<<", "<<-", "&>>", "&&", "||", ";;", ";&", "|&", "<<", ">>", "<&", ">&", "<>", ">|",
    "&>", "|", ";", "&", "(", ")", "<", ">",
];

const RESERVED_END: &[&str] = &[
    "then", "else", "elif", "fi", "do", "done", "esac", "}", "in",
];

struct Parser<'a, 'o> {
    src: &'a str,
    pos: usize,
    end: usize,
    out: &'o mut Vec<Command>,
    depth: u32,
    peeked: Option<Tok>,
    /// Heredoc delimiters waiting for the next newline: (delimiter, strip tabs).
    heredocs: Vec<(String, bool)>,
    /// The next word is a heredoc delimiter (after `<<` / `<<-`).
    want_delim: Option<bool>,
    /// Parsing the script string of `sh -c` and the like.
    in_string: bool,
}

impl<'a, 'o> Parser<'a, 'o> {
    fn new(src: &'a str, start: usize, end: usize, out: &'o mut Vec<Command>, depth: u32) -> Self {
        Parser {
            src,
            pos: start,
            end: end.min(src.len()),
            out,
            depth,
            peeked: None,
            heredocs: Vec::new(),
            want_delim: None,
            in_string: false,
        }
    }

    fn ch(&self, i: usize) -> Option<char> {
        if i >= self.end {
            return None;
        }
        self.src.get(i..self.end).and_then(|s| s.chars().next())
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..self.end).unwrap_or("")
    }

    // ------------------------------------------------------------------ lexer

    fn lex(&mut self) -> Tok {
        loop {
            match self.ch(self.pos) {
                None => return Tok::Eof,
                Some(' ' | '\t' | '\r') => self.pos += 1,
                Some('\\') if self.ch(self.pos + 1) == Some('\n') => self.pos += 2,
                Some('#') => {
                    while let Some(c) = self.ch(self.pos) {
                        if c == '\n' {
                            break;
                        }
                        self.pos += c.len_utf8();
                    }
                }
                Some('\n') => {
                    self.pos += 1;
                    self.skip_heredoc_bodies();
                    return Tok::Newline;
                }
                Some('<' | '>') if self.ch(self.pos + 1) == Some('(') => {
                    return Tok::Word(self.word());
                }
                Some(_) => {
                    let rest = self.rest();
                    if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
                        let at = self.pos;
                        self.pos += op.len();
                        if *op == "<<" || *op == "<<-" {
                            self.want_delim = Some(*op == "<<-");
                        }
                        return Tok::Op(op, at);
                    }
                    let w = self.word();
                    if let Some(strip) = self.want_delim.take() {
                        self.heredocs.push((w.text.clone(), strip));
                    }
                    return Tok::Word(w);
                }
            }
        }
    }

    fn skip_heredoc_bodies(&mut self) {
        for (delim, strip) in std::mem::take(&mut self.heredocs) {
            loop {
                let rest = self.rest();
                if rest.is_empty() {
                    return;
                }
                let (line, len) = match rest.find('\n') {
                    Some(i) => (rest.get(..i).unwrap_or(""), i + 1),
                    None => (rest, rest.len()),
                };
                self.pos += len;
                let l = if strip {
                    line.trim_start_matches('\t')
                } else {
                    line
                };
                if l.trim_end() == delim {
                    break;
                }
            }
        }
    }

    /// Index of the `close` that balances an opening just before `from`, skipping quotes and
    /// escapes; `None` when unbalanced.
    fn find_close(&self, from: usize, open: char, close: char) -> Option<usize> {
        let mut depth = 1usize;
        let mut i = from;
        while let Some(c) = self.ch(i) {
            match c {
                '\\' => {
                    i += 1;
                    if let Some(n) = self.ch(i) {
                        i += n.len_utf8();
                    }
                    continue;
                }
                '\'' if open != '{' => {
                    i += 1;
                    while let Some(n) = self.ch(i) {
                        i += n.len_utf8();
                        if n == '\'' {
                            break;
                        }
                    }
                    continue;
                }
                '"' => {
                    i += 1;
                    while let Some(n) = self.ch(i) {
                        if n == '\\' {
                            i += 1 + self.ch(i + 1).map(char::len_utf8).unwrap_or(0);
                            continue;
                        }
                        i += n.len_utf8();
                        if n == '"' {
                            break;
                        }
                    }
                    continue;
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
            i += c.len_utf8();
        }
        None
    }

    /// Lex a substitution starting at `self.pos` (`$(`, `` ` ``, `<(`, `>(`, `${`, `$((`),
    /// parse any commands in it, and return its raw text.
    fn substitution(&mut self) -> String {
        let start = self.pos;
        let c0 = self.ch(start);
        let c1 = self.ch(start + 1);
        let c2 = self.ch(start + 2);
        let end = match (c0, c1) {
            (Some('$'), Some('(')) if c2 == Some('(') => {
                // Arithmetic: no commands, but `$(...)` inside would be; rare, skipped.
                match self.find_close(start + 3, '(', ')') {
                    Some(i) if self.ch(i + 1) == Some(')') => i + 2,
                    Some(i) => i + 1,
                    None => self.end,
                }
            }
            (Some('$' | '<' | '>'), Some('(')) => match self.find_close(start + 2, '(', ')') {
                Some(i) => {
                    parse_range(
                        self.src,
                        (start + 2, i),
                        self.out,
                        self.depth + 1,
                        self.in_string,
                    );
                    i + 1
                }
                None => {
                    parse_range(
                        self.src,
                        (start + 2, self.end),
                        self.out,
                        self.depth + 1,
                        self.in_string,
                    );
                    self.end
                }
            },
            (Some('$'), Some('{')) => self
                .find_close(start + 2, '{', '}')
                .map(|i| i + 1)
                .unwrap_or(self.end),
            (Some('`'), _) => {
                let mut i = start + 1;
                let mut close = None;
                while let Some(c) = self.ch(i) {
                    if c == '\\' {
                        i += 1 + self.ch(i + 1).map(char::len_utf8).unwrap_or(0);
                        continue;
                    }
                    if c == '`' {
                        close = Some(i);
                        break;
                    }
                    i += c.len_utf8();
                }
                let inner_end = close.unwrap_or(self.end);
                parse_range(
                    self.src,
                    (start + 1, inner_end),
                    self.out,
                    self.depth + 1,
                    self.in_string,
                );
                close.map(|c| c + 1).unwrap_or(self.end)
            }
            _ => start + c0.map(char::len_utf8).unwrap_or(1),
        };
        let end = end.min(self.end).max(start + 1);
        self.pos = end;
        self.src.get(start..end).unwrap_or("").to_string()
    }

    fn word(&mut self) -> Word {
        let start = self.pos;
        let mut text = String::new();
        let mut plain = true;
        while let Some(c) = self.ch(self.pos) {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | ')' => break,
                '(' if self.pos > start => break,
                '<' | '>' => {
                    if self.ch(self.pos + 1) == Some('(') {
                        let s = self.substitution();
                        text.push_str(&s);
                        continue;
                    }
                    break;
                }
                '\\' => {
                    plain = false;
                    self.pos += 1;
                    match self.ch(self.pos) {
                        Some('\n') => self.pos += 1,
                        Some(n) => {
                            text.push(n);
                            self.pos += n.len_utf8();
                        }
                        None => {}
                    }
                }
                '\'' => {
                    plain = false;
                    self.pos += 1;
                    while let Some(n) = self.ch(self.pos) {
                        self.pos += n.len_utf8();
                        if n == '\'' {
                            break;
                        }
                        text.push(n);
                    }
                }
                '"' => {
                    plain = false;
                    self.pos += 1;
                    while let Some(n) = self.ch(self.pos) {
                        match n {
                            '"' => {
                                self.pos += 1;
                                break;
                            }
                            '\\' => {
                                let e = self.ch(self.pos + 1);
                                match e {
                                    Some(e @ ('$' | '`' | '"' | '\\')) => {
                                        text.push(e);
                                        self.pos += 2;
                                    }
                                    Some('\n') => self.pos += 2,
                                    _ => {
                                        text.push('\\');
                                        self.pos += 1;
                                    }
                                }
                            }
                            '$' if matches!(self.ch(self.pos + 1), Some('(' | '{')) => {
                                let s = self.substitution();
                                text.push_str(&s);
                            }
                            '`' => {
                                let s = self.substitution();
                                text.push_str(&s);
                            }
                            n => {
                                text.push(n);
                                self.pos += n.len_utf8();
                            }
                        }
                    }
                }
                '$' if matches!(self.ch(self.pos + 1), Some('(' | '{')) => {
                    let s = self.substitution();
                    text.push_str(&s);
                }
                '`' => {
                    let s = self.substitution();
                    text.push_str(&s);
                }
                '(' => {
                    // A `(` opening a word is an operator; handled by the caller.
                    break;
                }
                c => {
                    text.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        if self.pos == start {
            // Never stall on an unexpected character.
            if let Some(c) = self.ch(self.pos) {
                text.push(c);
                self.pos += c.len_utf8();
            }
        }
        Word {
            text,
            start,
            end: self.pos,
            plain,
        }
    }

    // ------------------------------------------------------------------ parser

    fn peek(&mut self) -> &Tok {
        if self.peeked.is_none() {
            let t = self.lex();
            self.peeked = Some(t);
        }
        self.peeked.as_ref().unwrap_or(&Tok::Eof)
    }

    fn next(&mut self) -> Tok {
        match self.peeked.take() {
            Some(t) => t,
            None => self.lex(),
        }
    }

    fn peek_reserved(&mut self) -> Option<String> {
        match self.peek() {
            Tok::Word(w) if w.plain => Some(w.text.clone()),
            _ => None,
        }
    }

    fn peek_op(&mut self) -> Option<&'static str> {
        match self.peek() {
            Tok::Op(op, _) => Some(op),
            _ => None,
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.next();
        }
    }

    fn expect_word(&mut self, w: &str) {
        if self.peek_reserved().as_deref() == Some(w) {
            self.next();
        }
    }

    fn program(&mut self) {
        loop {
            self.list(&[]);
            match self.peek() {
                Tok::Eof => break,
                // A stray closer at top level: skip it and go on.
                _ => {
                    self.next();
                }
            }
        }
    }

    /// A compound list, ending before one of `stop` (reserved words, or the operators `)`
    /// and `;;`). Returns (first, last) command slots parsed.
    fn list(&mut self, stop: &[&str]) -> Option<(usize, usize)> {
        let mut span: Option<(usize, usize)> = None;
        loop {
            match self.peek().clone() {
                Tok::Eof => return span,
                Tok::Newline => {
                    self.next();
                }
                Tok::Op(";" | "&", _) => {
                    self.next();
                }
                // The end of a subshell or case item (or a stray closer the caller skips).
                Tok::Op(")" | ";;" | ";&" | ";;&", _) => return span,
                Tok::Word(w) if w.plain && stop.contains(&w.text.as_str()) => return span,
                Tok::Word(w) if w.plain && RESERVED_END.contains(&w.text.as_str()) => {
                    // A closer that belongs to an outer construct, or stray: stop here.
                    return span;
                }
                _ => {
                    let before = self.pos;
                    let before_peek = self.peeked.clone();
                    if let Some((f, l)) = self.and_or() {
                        span = Some((span.map(|s| s.0).unwrap_or(f), l));
                    }
                    if self.pos == before && self.peeked == before_peek {
                        // No progress: drop a token so the loop ends.
                        self.next();
                    }
                }
            }
        }
    }

    fn and_or(&mut self) -> Option<(usize, usize)> {
        let mut span = self.pipeline();
        while matches!(self.peek_op(), Some("&&" | "||")) {
            self.next();
            self.skip_newlines();
            if let Some((f, l)) = self.pipeline() {
                span = Some((span.map(|s| s.0).unwrap_or(f), l));
            }
        }
        span
    }

    fn pipeline(&mut self) -> Option<(usize, usize)> {
        loop {
            match self.peek_reserved().as_deref() {
                Some("!") => {
                    self.next();
                }
                Some("time") => {
                    self.next();
                    if self.peek_reserved().as_deref() == Some("-p") {
                        self.next();
                    }
                }
                _ => break,
            }
        }
        let mut span = self.command();
        while matches!(self.peek_op(), Some("|" | "|&")) {
            self.next();
            self.skip_newlines();
            let next = self.command();
            if let (Some((_, src)), Some((dst, _))) = (span, next) {
                if let Some(c) = self.out.get_mut(src) {
                    c.pipe_to = Some(dst);
                }
            }
            if let Some((f, l)) = next {
                span = Some((span.map(|s| s.0).unwrap_or(f), l));
            }
        }
        span
    }

    fn command(&mut self) -> Option<(usize, usize)> {
        let span = match (self.peek().clone(), self.peek_reserved()) {
            (Tok::Op("(", _), _) => {
                self.next();
                let s = self.list(&[")"]);
                if self.peek_op() == Some(")") {
                    self.next();
                }
                s
            }
            (_, Some(w)) => match w.as_str() {
                "{" => {
                    self.next();
                    let s = self.list(&["}"]);
                    self.expect_word("}");
                    s
                }
                "if" => {
                    self.next();
                    let mut s = self.list(&["then"]);
                    self.expect_word("then");
                    s = join(s, self.list(&["elif", "else", "fi"]));
                    while self.peek_reserved().as_deref() == Some("elif") {
                        self.next();
                        s = join(s, self.list(&["then"]));
                        self.expect_word("then");
                        s = join(s, self.list(&["elif", "else", "fi"]));
                    }
                    if self.peek_reserved().as_deref() == Some("else") {
                        self.next();
                        s = join(s, self.list(&["fi"]));
                    }
                    self.expect_word("fi");
                    s
                }
                "while" | "until" => {
                    self.next();
                    let s = self.list(&["do"]);
                    self.expect_word("do");
                    let s = join(s, self.list(&["done"]));
                    self.expect_word("done");
                    s
                }
                "for" | "select" => {
                    self.next();
                    // Loop variable, then `in words` up to a separator.
                    if matches!(self.peek(), Tok::Word(_)) {
                        self.next();
                    }
                    self.skip_newlines();
                    if self.peek_reserved().as_deref() == Some("in") {
                        self.next();
                        while matches!(self.peek(), Tok::Word(_)) {
                            self.next();
                        }
                    }
                    while matches!(self.peek(), Tok::Newline) || self.peek_op() == Some(";") {
                        self.next();
                    }
                    if self.peek_reserved().as_deref() == Some("{") {
                        self.next();
                        let s = self.list(&["}"]);
                        self.expect_word("}");
                        s
                    } else {
                        self.expect_word("do");
                        let s = self.list(&["done"]);
                        self.expect_word("done");
                        s
                    }
                }
                "case" => {
                    self.next();
                    if matches!(self.peek(), Tok::Word(_)) {
                        self.next();
                    }
                    self.skip_newlines();
                    self.expect_word("in");
                    let mut s = None;
                    loop {
                        self.skip_newlines();
                        match self.peek().clone() {
                            Tok::Eof => break,
                            Tok::Word(w) if w.plain && w.text == "esac" => {
                                self.next();
                                break;
                            }
                            _ => {}
                        }
                        // Pattern list: words separated by `|`, up to `)`.
                        if self.peek_op() == Some("(") {
                            self.next();
                        }
                        loop {
                            match self.next() {
                                Tok::Op(")", _) | Tok::Eof => break,
                                _ => {}
                            }
                        }
                        s = join(s, self.list(&[";;", "esac"]));
                        if matches!(self.peek_op(), Some(";;" | ";&" | ";;&")) {
                            self.next();
                        }
                    }
                    s
                }
                "function" => {
                    self.next();
                    if matches!(self.peek(), Tok::Word(_)) {
                        self.next();
                    }
                    if self.peek_op() == Some("(") {
                        self.next();
                        if self.peek_op() == Some(")") {
                            self.next();
                        }
                    }
                    self.skip_newlines();
                    self.command()
                }
                "[[" => {
                    self.next();
                    while let Tok::Word(w) = self.peek().clone() {
                        self.next();
                        if w.plain && w.text == "]]" {
                            break;
                        }
                    }
                    None
                }
                r if RESERVED_END.contains(&r) => None,
                _ => self.simple(),
            },
            (Tok::Word(_), None) => self.simple(),
            (Tok::Op(op, _), _) if is_redirect(op) => self.simple(),
            _ => None,
        };
        // Trailing redirections of a compound command.
        while let Some(op) = self.peek_op() {
            if !is_redirect(op) {
                break;
            }
            self.next();
            if matches!(self.peek(), Tok::Word(_)) {
                self.next();
            }
        }
        span
    }

    fn simple(&mut self) -> Option<(usize, usize)> {
        let slot = self.out.len();
        self.out.push(Command {
            depth: self.depth,
            in_string: self.in_string,
            ..Command::default()
        });
        let mut words: Vec<Word> = Vec::new();
        let mut assignments: Vec<Word> = Vec::new();
        loop {
            match self.peek().clone() {
                Tok::Word(w) => {
                    self.next();
                    let assignment = words.is_empty()
                        && w.text.split_once('=').is_some_and(|(k, _)| {
                            !k.is_empty()
                                && !k.starts_with(|c: char| c.is_ascii_digit())
                                && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                        });
                    if assignment {
                        assignments.push(w);
                        continue;
                    }
                    // Function definition `name() compound`.
                    if words.is_empty() && self.peek_op() == Some("(") {
                        let save = self.pos;
                        self.next();
                        if self.peek_op() == Some(")") {
                            self.next();
                            self.skip_newlines();
                            let body = self.command();
                            return join(Some((slot, slot)), body);
                        }
                        // Not a function: `(` ends the command (syntax error in sh).
                        let _ = save;
                        break;
                    }
                    words.push(w);
                }
                Tok::Op(op, at) if is_redirect(op) => {
                    self.next();
                    // `2>` : the digits before the operator are an fd, not an argument.
                    if words.last().is_some_and(|w| {
                        w.end == at && w.plain && w.text.chars().all(|c| c.is_ascii_digit())
                    }) {
                        words.pop();
                    }
                    if matches!(self.peek(), Tok::Word(_)) {
                        self.next();
                    }
                }
                _ => break,
            }
        }
        self.shell_string(&words);
        if let Some(c) = self.out.get_mut(slot) {
            c.words = words;
            c.assignments = assignments;
        }
        Some((slot, slot))
    }

    /// `sh -c 'script'`, `bash -ec "..."`, `su -c ...`, `eval ...`: parse the string too.
    fn shell_string(&mut self, words: &[Word]) {
        let name = words
            .iter()
            .map(|w| w.text.as_str())
            .find(|w| !matches!(*w, "sudo" | "exec" | "nohup" | "command" | "env"))
            .map(|w| w.rsplit('/').next().unwrap_or(w))
            .unwrap_or("");
        let script_word = match name {
            "sh" | "bash" | "dash" | "ash" | "zsh" | "ksh" | "su" => words
                .iter()
                .position(|w| {
                    w.text.starts_with('-') && !w.text.starts_with("--") && w.text.ends_with('c')
                })
                .and_then(|i| words.get(i + 1)),
            "eval" => words.get(1),
            _ => None,
        };
        if let Some(w) = script_word {
            let raw = self.src.get(w.start..w.end).unwrap_or("");
            let (s, e) = match raw.chars().next() {
                Some(q @ ('\'' | '"')) if raw.len() >= 2 && raw.ends_with(q) => {
                    (w.start + 1, w.end - 1)
                }
                _ => (w.start, w.end),
            };
            parse_range(self.src, (s, e), self.out, self.depth + 1, true);
        }
    }
}

fn is_redirect(op: &str) -> bool {
    matches!(
        op,
        "<" | ">" | ">>" | "<<" | "<<-" | "<<<" | "<&" | ">&" | "<>" | ">|" | "&>" | "&>>"
    )
}

fn join(a: Option<(usize, usize)>, b: Option<(usize, usize)>) -> Option<(usize, usize)> {
    match (a, b) {
        (Some((f, _)), Some((_, l))) => Some((f, l)),
        (a, None) => a,
        (None, b) => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(s: &str) -> Vec<Vec<String>> {
        parse(s)
            .into_iter()
            .filter(|c| !c.words.is_empty())
            .map(|c| c.words.into_iter().map(|w| w.text).collect())
            .collect()
    }

    fn pipes(s: &str) -> Vec<(String, String)> {
        let p = parse(s);
        p.iter()
            .filter_map(|c| {
                let to = p.get(c.pipe_to?)?;
                Some((
                    c.words.first()?.text.clone(),
                    to.words.first()?.text.clone(),
                ))
            })
            .collect()
    }

    #[test]
    fn lists_and_reserved_words() {
        assert_eq!(
            cmds("if true; then curl -s x | sh; else wget y; fi; ! time -p ls && A=1 B=2 env"),
            vec![
                vec!["true"],
                vec!["curl", "-s", "x"],
                vec!["sh"],
                vec!["wget", "y"],
                vec!["ls"],
                vec!["env"]
            ]
        );
        assert_eq!(
            pipes("if true; then curl -s x | sh; fi"),
            vec![("curl".into(), "sh".into())]
        );
        assert_eq!(
            cmds("for p in a b; do apk add $p; done\nwhile read l; do echo $l; done"),
            vec![
                vec!["apk", "add", "$p"],
                vec!["read", "l"],
                vec!["echo", "$l"]
            ]
        );
    }

    #[test]
    fn case_patterns_are_not_pipes() {
        let s = "case \"$arch\" in amd64|x86_64) a=1 ;; arm64|aarch64) curl x | bash ;; *) exit 1 ;; esac";
        assert_eq!(
            cmds(s),
            vec![vec!["curl", "x"], vec!["bash"], vec!["exit", "1"]]
        );
        assert_eq!(pipes(s), vec![("curl".into(), "bash".into())]);
    }

    #[test]
    fn substitutions() {
        let s = "v=$(curl -fsSL u | sh) && echo `wget -O- y | bash` && diff <(sort a) b && echo \"$(id -u)\"";
        assert_eq!(
            cmds(s),
            vec![
                vec!["curl", "-fsSL", "u"],
                vec!["sh"],
                vec!["echo", "`wget -O- y | bash`"],
                vec!["wget", "-O-", "y"],
                vec!["bash"],
                vec!["diff", "<(sort a)", "b"],
                vec!["sort", "a"],
                vec!["echo", "$(id -u)"],
                vec!["id", "-u"],
            ]
        );
        assert_eq!(
            pipes(s),
            vec![("curl".into(), "sh".into()), ("wget".into(), "bash".into())]
        );
        let p = parse(s);
        assert_eq!(p[0].depth, 1);
        assert!(!p[0].in_string);
        assert!(parse("su app -c 'cd /x'")[1].in_string);
        assert_eq!((p[0].words[0].start, p[0].words[0].end), (4, 8));
    }

    #[test]
    fn quotes_redirects_heredocs_functions_sh_c() {
        assert_eq!(
            cmds("echo 'a|b' \"c;d\" 2>&1 >/dev/null; f() { apt-get update; }; cat <<EOF > x\nrm -rf /\nEOF\nsh -c 'curl u | sh'"),
            vec![
                vec!["echo", "a|b", "c;d"],
                vec!["apt-get", "update"],
                vec!["cat"],
                vec!["sh", "-c", "curl u | sh"],
                vec!["curl", "u"],
                vec!["sh"],
            ]
        );
        assert_eq!(
            cmds("echo \\\n  x # comment | sh\nls"),
            vec![vec!["echo", "x"], vec!["ls"]]
        );
    }

    #[test]
    fn hostile_input_terminates() {
        for s in [
            "$(", "`", "((", "case", "if", "for", "\"", "'", "<(", "${", "f()", ")", ";;", "esac",
            "fi done", "$(((", "a <<", "<<EOF\n", "{ (", "x | | y",
        ] {
            let _ = parse(s);
        }
        let deep = "$(".repeat(200);
        let _ = parse(&deep);
    }
}
