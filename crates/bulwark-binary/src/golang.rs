//! Go build information embedded in executables (what `go version -m` prints).
//!
//! The Go linker writes a 32-byte header starting with `\xff Go buildinf:` into the
//! `.go.buildinfo` section (ELF, Mach-O `__go_buildinfo`) or the start of the data section (PE).
//! Two layouts exist:
//! - Go 1.18 and later (flag bit 2 set): the toolchain version and the module information follow
//!   the header inline, each as a uvarint length and bytes;
//! - before 1.18: the header holds two pointers to Go string headers `(data pointer, length)`,
//!   which are virtual addresses resolved through the segment table.
//!
//! The module information is the text `runtime/debug.BuildInfo` formats (`path`, `mod`, `dep`,
//! `=>` and `build` lines), wrapped in 16-byte sentinels.
//!
//! Hand-written because the format is small, there is no maintained Rust crate for it, and every
//! length and pointer here comes from hostile input and must be checked.

use thiserror::Error;

use crate::exe::{slice, Exe, Format};

/// The magic at the start of the build info header.
const MAGIC: &[u8] = b"\xff Go buildinf:";
/// Size of the header.
const HEADER_LEN: usize = 32;
/// Longest version or module-info string accepted (real ones are a few KiB; Kubernetes-size
/// programs stay well under 100 KiB).
const MAX_STRING: u64 = 8 << 20;
/// How many magic hits a raw scan tries before giving up (the Go toolchain itself carries the
/// magic as a string constant, so the first hit is not always the header).
const MAX_SCAN_HITS: usize = 16;

/// Why build info could not be read.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum GoError {
    /// The header or a string runs past the end of the file.
    #[error("build info truncated: {0}")]
    Truncated(&'static str),
    /// A pointer-size byte other than 4 or 8.
    #[error("build info has pointer size {0} (expected 4 or 8)")]
    PointerSize(u8),
    /// A length over [`MAX_STRING`] or an overlong varint.
    #[error("build info string length {0} is over the limit")]
    TooLong(u64),
    /// A pointer that no segment maps.
    #[error("build info pointer {0:#x} is outside the file's segments")]
    BadPointer(u64),
    /// Old-format build info in a file whose headers could not be parsed.
    #[error("pointer-format build info but the executable headers are unreadable")]
    NoSegments,
}

/// One module line (`mod`, `dep` or `=>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Module {
    /// Module path.
    pub path: String,
    /// Version (`v1.2.3`, `(devel)`, empty for a local replacement).
    pub version: String,
    /// `h1:` checksum, when recorded.
    pub sum: String,
    /// The module that replaced this one (`=>` line).
    pub replace: Option<Box<Module>>,
}

/// Everything `go version -m` prints for a binary.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// The toolchain version string (`go1.21.5`, `go1.25-20250209-RC00 cl/1 X:boringcrypto`).
    pub go_version: String,
    /// Package path of the main package (`path` line).
    pub path: String,
    /// The main module (`mod` line), absent for binaries built outside module mode.
    pub main: Option<Module>,
    /// Dependencies (`dep` lines) with their replacements.
    pub deps: Vec<Module>,
    /// Build settings (`build` lines), as key and unquoted value, in order.
    pub settings: Vec<(String, String)>,
    /// Lines of the module information that could not be understood.
    pub malformed_lines: usize,
}

impl BuildInfo {
    /// The value of a build setting.
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Find and decode the build info in a file's bytes. `Ok(None)` when the file is not an ELF, PE
/// or Mach-O executable, or was not built by Go.
pub fn build_info(data: &[u8]) -> Result<Option<BuildInfo>, GoError> {
    match Exe::parse(data) {
        Some(exe) => read_build_info(&exe),
        None => Ok(None),
    }
}

/// Find and decode the build info of a parsed executable. `Ok(None)` means "not a Go binary".
pub(crate) fn read_build_info(exe: &Exe<'_>) -> Result<Option<BuildInfo>, GoError> {
    if let Some(offset) = exe.section_offset(&[".go.buildinfo", "__go_buildinfo"]) {
        let offset = usize::try_from(offset).map_err(|_| GoError::Truncated("section offset"))?;
        return decode_at(exe, offset).map(Some);
    }
    // ELF files with a section table always carry `.go.buildinfo` when Go linked them; only
    // section-less ELF files, PE (no dedicated section) and Mach-O need the slower scan.
    if exe.format == Format::Elf && exe.has_sections() {
        return Ok(None);
    }
    let mut first_error = None;
    for (hits, offset) in memchr::memmem::find_iter(exe.data, MAGIC).enumerate() {
        if hits >= MAX_SCAN_HITS {
            break;
        }
        // The linker aligns the header to 16 bytes; sections start page- or 512-aligned in the
        // file, so the alignment survives in file offsets.
        if offset % 16 != 0 {
            continue;
        }
        match decode_at(exe, offset) {
            Ok(info) if looks_like_go_version(&info.go_version) => return Ok(Some(info)),
            Ok(_) => {}
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(None),
    }
}

fn looks_like_go_version(v: &str) -> bool {
    v.starts_with("go") || v.starts_with("devel")
}

/// Decode the header at `offset` and the strings it leads to.
fn decode_at(exe: &Exe<'_>, offset: usize) -> Result<BuildInfo, GoError> {
    let data = exe.data;
    let header = offset
        .checked_add(HEADER_LEN)
        .and_then(|end| data.get(offset..end))
        .ok_or(GoError::Truncated("header"))?;
    if header.get(..MAGIC.len()) != Some(MAGIC) {
        return Err(GoError::Truncated("magic"));
    }
    let ptr_size = header.get(14).copied().unwrap_or(0);
    let flags = header.get(15).copied().unwrap_or(0);
    let (version, modinfo) = if flags & 2 != 0 {
        let mut pos = offset + HEADER_LEN;
        let version = read_varint_string(data, &mut pos)?;
        let modinfo = read_varint_string(data, &mut pos)?;
        (version, modinfo)
    } else {
        if ptr_size != 4 && ptr_size != 8 {
            return Err(GoError::PointerSize(ptr_size));
        }
        if exe.file.is_none() {
            return Err(GoError::NoSegments);
        }
        let big_endian = flags & 1 != 0;
        let ps = usize::from(ptr_size);
        let word = |at: usize| -> Result<u64, GoError> {
            let bytes = header
                .get(at..at + ps)
                .ok_or(GoError::Truncated("pointer"))?;
            Ok(read_uint(bytes, big_endian))
        };
        let version_ptr = word(16)?;
        let modinfo_ptr = word(16 + ps)?;
        (
            read_go_string(exe, version_ptr, ptr_size, big_endian)?,
            read_go_string(exe, modinfo_ptr, ptr_size, big_endian)?,
        )
    };
    let mut info = parse_modinfo(strip_sentinels(modinfo));
    info.go_version = String::from_utf8_lossy(version).into_owned();
    Ok(info)
}

/// Read an unsigned integer of 4 or 8 bytes in the given byte order.
fn read_uint(bytes: &[u8], big_endian: bool) -> u64 {
    let mut value = 0u64;
    if big_endian {
        for &b in bytes {
            value = (value << 8) | u64::from(b);
        }
    } else {
        for &b in bytes.iter().rev() {
            value = (value << 8) | u64::from(b);
        }
    }
    value
}

/// A Go string header `(pointer, length)` at virtual address `addr`, and the bytes it points to.
fn read_go_string<'a>(
    exe: &Exe<'a>,
    addr: u64,
    ptr_size: u8,
    big_endian: bool,
) -> Result<&'a [u8], GoError> {
    let ps = u64::from(ptr_size);
    let header = exe
        .read_at_address(addr, ps.saturating_mul(2))
        .ok_or(GoError::BadPointer(addr))?;
    let (ptr, len) = header.split_at(usize::from(ptr_size));
    let data_ptr = read_uint(ptr, big_endian);
    let len = read_uint(len, big_endian);
    if len > MAX_STRING {
        return Err(GoError::TooLong(len));
    }
    if len == 0 {
        return Ok(&[]);
    }
    exe.read_at_address(data_ptr, len)
        .ok_or(GoError::BadPointer(data_ptr))
}

/// A uvarint-length-prefixed string at `*pos`; advances `*pos` past it.
fn read_varint_string<'a>(data: &'a [u8], pos: &mut usize) -> Result<&'a [u8], GoError> {
    let mut len: u64 = 0;
    let mut shift = 0u32;
    loop {
        let byte = *data.get(*pos).ok_or(GoError::Truncated("varint"))?;
        *pos += 1;
        if shift >= 63 && byte > 1 {
            return Err(GoError::TooLong(u64::MAX));
        }
        len |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 63 {
            return Err(GoError::TooLong(u64::MAX));
        }
    }
    if len > MAX_STRING {
        return Err(GoError::TooLong(len));
    }
    let bytes = slice(data, *pos as u64, len).ok_or(GoError::Truncated("string"))?;
    *pos += bytes.len();
    Ok(bytes)
}

/// The module text is framed by 16 bytes on each side; Go accepts it only when the byte before
/// the closing frame is a newline.
fn strip_sentinels(modinfo: &[u8]) -> &[u8] {
    let n = modinfo.len();
    if n >= 33 && modinfo.get(n - 17) == Some(&b'\n') {
        modinfo.get(16..n - 16).unwrap_or(&[])
    } else {
        &[]
    }
}

/// Parse the module information text (the format of `runtime/debug.BuildInfo.String`).
/// Lenient: lines it does not understand are counted, not fatal.
pub fn parse_modinfo(text: &[u8]) -> BuildInfo {
    let text = String::from_utf8_lossy(text);
    let mut info = BuildInfo::default();
    // Where the last `mod`/`dep` went, for a following `=>` line.
    enum Last {
        None,
        Main,
        Dep,
    }
    let mut last = Last::None;
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        let (kind, rest) = line.split_once('\t').unwrap_or((line, ""));
        match kind {
            "path" => info.path = rest.to_string(),
            "go" => {}
            "mod" | "dep" | "=>" => {
                let fields: Vec<&str> = rest.split('\t').collect();
                let (path, version, sum) = match fields.as_slice() {
                    [p] => (*p, "", ""),
                    [p, v] => (*p, *v, ""),
                    [p, v, s] => (*p, *v, *s),
                    _ => {
                        info.malformed_lines += 1;
                        continue;
                    }
                };
                if path.is_empty() {
                    info.malformed_lines += 1;
                    continue;
                }
                let module = Module {
                    path: path.to_string(),
                    version: version.to_string(),
                    sum: sum.to_string(),
                    replace: None,
                };
                match kind {
                    "mod" => {
                        info.main = Some(module);
                        last = Last::Main;
                    }
                    "dep" => {
                        info.deps.push(module);
                        last = Last::Dep;
                    }
                    _ => {
                        let target = match last {
                            Last::Main => info.main.as_mut(),
                            Last::Dep => info.deps.last_mut(),
                            Last::None => None,
                        };
                        match target {
                            Some(m) if m.replace.is_none() => m.replace = Some(Box::new(module)),
                            _ => info.malformed_lines += 1,
                        }
                        last = Last::None;
                    }
                }
            }
            "build" => match parse_setting(rest) {
                Some(kv) => info.settings.push(kv),
                None => info.malformed_lines += 1,
            },
            _ => info.malformed_lines += 1,
        }
    }
    info
}

/// `key=value`, where either side may be a Go-quoted string.
fn parse_setting(rest: &str) -> Option<(String, String)> {
    let (key, after) = if rest.starts_with('"') {
        let (key, used) = unquote_prefix(rest)?;
        (key, rest.get(used..)?.strip_prefix('=')?)
    } else {
        let (k, v) = rest.split_once('=')?;
        (k.to_string(), v)
    };
    if key.is_empty() {
        return None;
    }
    let value = if after.starts_with('"') {
        match unquote_prefix(after) {
            Some((v, used)) if used == after.len() => v,
            _ => after.to_string(),
        }
    } else {
        after.to_string()
    };
    Some((key, value))
}

/// Unquote a Go double-quoted string at the start of `s`; returns the value and the number of
/// bytes consumed. Handles the escapes `strconv.Quote` produces.
fn unquote_prefix(s: &str) -> Option<(String, usize)> {
    let mut chars = s.char_indices();
    if chars.next()?.1 != '"' {
        return None;
    }
    let mut out = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, i + 1)),
            '\\' => {
                let (_, e) = chars.next()?;
                match e {
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\u{7}'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'v' => out.push('\u{b}'),
                    '\\' | '"' | '\'' => out.push(e),
                    'x' | 'u' | 'U' => {
                        let digits = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let mut value = 0u32;
                        for _ in 0..digits {
                            let d = chars.next()?.1.to_digit(16)?;
                            value = value.checked_mul(16)?.checked_add(d)?;
                        }
                        out.push(char::from_u32(value).unwrap_or('\u{fffd}'));
                    }
                    _ => return None,
                }
            }
            c => out.push(c),
        }
    }
    None
}

/// Split a linker flag string the way the go command's `quoted.Split` does: on spaces, with
/// single or double quotes grouping.
fn split_flags(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_token = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                in_token = true;
            }
            None if c.is_whitespace() => {
                if in_token {
                    out.push(std::mem::take(&mut cur));
                    in_token = false;
                }
            }
            None => {
                cur.push(c);
                in_token = true;
            }
        }
    }
    if in_token {
        out.push(cur);
    }
    out
}

/// The version a binary was stamped with through `-ldflags -X <pkg>.version=...`, the way Syft
/// and Trivy guess it: a `-X` whose symbol is `main.version`/`main.Version` or
/// `<...>/version.Version` (and friends) and whose value looks like a version. Returned with a
/// `v` prefix, as Go module versions are spelled.
pub fn ldflags_version(ldflags: &str) -> Option<String> {
    let tokens = split_flags(ldflags);
    let mut iter = tokens.iter();
    while let Some(token) = iter.next() {
        let assignment = if token == "-X" || token == "--X" {
            match iter.next() {
                Some(next) => next.as_str(),
                None => break,
            }
        } else if let Some(rest) = token
            .strip_prefix("-X=")
            .or_else(|| token.strip_prefix("--X="))
        {
            rest
        } else {
            continue;
        };
        let Some((symbol, value)) = assignment.split_once('=') else {
            continue;
        };
        if is_version_symbol(symbol) && looks_like_version(value) {
            let value = value.trim();
            return Some(if value.starts_with('v') {
                value.to_string()
            } else {
                format!("v{value}")
            });
        }
    }
    None
}

fn is_version_symbol(symbol: &str) -> bool {
    let last = symbol.rsplit('/').next().unwrap_or(symbol);
    let Some((pkg, var)) = last.split_once('.') else {
        return false;
    };
    let var_ok = matches!(
        var,
        "version" | "Version" | "gitVersion" | "GitVersion" | "appVersion" | "AppVersion"
    );
    var_ok && (pkg == "main" || pkg == "version" || pkg == "cmd" || pkg == "build")
}

fn looks_like_version(v: &str) -> bool {
    let v = v.trim().strip_prefix('v').unwrap_or(v.trim());
    let mut parts = v.splitn(2, '.');
    let major = parts.next().unwrap_or("");
    !major.is_empty()
        && major.bytes().all(|b| b.is_ascii_digit())
        && parts
            .next()
            .is_some_and(|r| r.bytes().next().is_some_and(|b| b.is_ascii_digit()))
}

/// A pseudo-version built from the VCS stamp (`vcs.revision`, `vcs.time`), the way Syft does for
/// `(devel)` main modules: `v0.0.0-20231005123456-abcdef123456`.
pub fn vcs_pseudo_version(info: &BuildInfo) -> Option<String> {
    let revision = info.setting("vcs.revision")?;
    let time = info.setting("vcs.time")?;
    let digits: String = time
        .chars()
        .take_while(|&c| c != 'Z' && c != '+')
        .filter(|c| c.is_ascii_digit())
        .collect();
    if digits.len() != 14 || revision.len() < 12 {
        return None;
    }
    let rev = revision.get(..12)?;
    if !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("v0.0.0-{digits}-{rev}"))
}

/// The toolchain version as the `stdlib` package version: `go1.21.5` -> `1.21.5`,
/// `go1.25-20250209-RC00 cl/1 X:boringcrypto` -> `1.25-20250209-RC00`, `devel ...` -> `None`.
pub fn stdlib_version(go_version: &str) -> Option<String> {
    let first = go_version.split_whitespace().next()?;
    let v = first.strip_prefix("go")?;
    if v.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        Some(v.to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(text: &str) -> Vec<u8> {
        let mut v = vec![b'0'; 16];
        v.extend_from_slice(text.as_bytes());
        v.extend_from_slice(&[b'1'; 16]);
        v
    }

    #[test]
    fn modinfo_lines() {
        let text = "path\texample.com/app\nmod\texample.com/app\t(devel)\t\ndep\tgolang.org/x/sys\tv0.1.0\th1:abc=\ndep\texample.com/lib\tv0.0.0-00010101000000-000000000000\n=>\t./lib\t\t\nbuild\t-ldflags=\"-X main.version=1.2.3\"\nbuild\tCGO_ENABLED=0\n";
        let info = parse_modinfo(strip_sentinels(&framed(text)));
        assert_eq!(info.path, "example.com/app");
        assert_eq!(
            info.main.as_ref().map(|m| m.version.as_str()),
            Some("(devel)")
        );
        assert_eq!(info.deps.len(), 2);
        assert_eq!(info.deps[0].sum, "h1:abc=");
        let rep = info.deps[1].replace.as_deref().map(|r| r.path.as_str());
        assert_eq!(rep, Some("./lib"));
        assert_eq!(info.setting("-ldflags"), Some("-X main.version=1.2.3"));
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        assert_eq!(info.malformed_lines, 0);
    }

    #[test]
    fn sentinels_are_required() {
        assert_eq!(strip_sentinels(b"path\tx\n"), b"");
    }

    #[test]
    fn ldflags_heuristic() {
        assert_eq!(
            ldflags_version("-X main.version=1.2.3"),
            Some("v1.2.3".into())
        );
        assert_eq!(
            ldflags_version(
                r#" -X "github.com/docker/cli/cli/version.GitCommit=e6534b4" -X "github.com/docker/cli/cli/version.Version=28.2.2" -extldflags -static"#
            ),
            Some("v28.2.2".into())
        );
        assert_eq!(
            ldflags_version("-s -w -X=main.Version=v0.9.1-rc1"),
            Some("v0.9.1-rc1".into())
        );
        assert_eq!(ldflags_version("-X main.version=dev"), None);
        assert_eq!(ldflags_version("-X main.commit=1.2.3"), None);
        assert_eq!(ldflags_version("-X"), None);
    }

    #[test]
    fn stdlib_versions() {
        assert_eq!(stdlib_version("go1.21.5"), Some("1.21.5".into()));
        assert_eq!(
            stdlib_version("go1.23.1 X:nocoverageredesign"),
            Some("1.23.1".into())
        );
        assert_eq!(stdlib_version("devel go1.22-abc"), None);
    }

    #[test]
    fn pseudo_version_from_vcs() {
        let info = BuildInfo {
            settings: vec![
                ("vcs.revision".into(), "0123456789abcdef0123".into()),
                ("vcs.time".into(), "2023-10-05T12:34:56Z".into()),
            ],
            ..BuildInfo::default()
        };
        assert_eq!(
            vcs_pseudo_version(&info),
            Some("v0.0.0-20231005123456-0123456789ab".into())
        );
    }

    #[test]
    fn quoted_settings() {
        assert_eq!(
            parse_setting(r#""we\"ird"=v"#),
            Some(("we\"ird".into(), "v".into()))
        );
        assert_eq!(parse_setting("=x"), None);
        assert_eq!(parse_setting("novalue"), None);
    }

    #[test]
    fn varint_bounds() {
        let mut pos = 0;
        assert_eq!(
            read_varint_string(&[0xff; 12], &mut pos),
            Err(GoError::TooLong(u64::MAX))
        );
        let mut pos = 0;
        assert_eq!(
            read_varint_string(&[5, b'a'], &mut pos),
            Err(GoError::Truncated("string"))
        );
        let mut pos = 0;
        assert_eq!(read_varint_string(&[1, b'a'], &mut pos), Ok(&b"a"[..]));
    }
}
