//! How values are stored: compressed text, line lists, range events and references as
//! compact text, JSON kept from feeds.

#[allow(unused_imports)]
use super::*;

/// Text longer than this is stored compressed when that is smaller.
pub(super) const COMPRESS_OVER: usize = 256;

/// Store text, compressed when long and compressible.
pub(super) fn pack_text(text: &str) -> SqlValue {
    if text.len() > COMPRESS_OVER {
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        if enc.write_all(text.as_bytes()).is_ok() {
            if let Ok(bytes) = enc.finish() {
                if bytes.len() < text.len() {
                    return SqlValue::Blob(bytes);
                }
            }
        }
    }
    SqlValue::Text(text.to_string())
}

pub(super) fn pack_opt(text: Option<&str>) -> SqlValue {
    text.map(pack_text).unwrap_or(SqlValue::Null)
}

/// Largest decompressed value accepted (guards against a hostile database file).
pub(super) const MAX_UNPACKED: u64 = 64 * 1024 * 1024;

pub(super) fn unpack_text(v: ValueRef<'_>) -> Result<Option<String>, StoreError> {
    match v {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) => Ok(Some(String::from_utf8_lossy(t).into_owned())),
        ValueRef::Blob(b) => {
            let mut out = String::new();
            flate2::read::ZlibDecoder::new(b)
                .take(MAX_UNPACKED)
                .read_to_string(&mut out)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok(Some(out))
        }
        other => Err(StoreError::Corrupt(format!(
            "unexpected value type {:?}",
            other.data_type()
        ))),
    }
}

pub(super) fn join_lines(items: &[String]) -> Option<String> {
    if items.is_empty() {
        None
    } else {
        // Versions never contain newlines; replace them so the encoding stays unambiguous.
        Some(
            items
                .iter()
                .map(|s| s.replace('\n', " "))
                .collect::<Vec<_>>()
                .join("\n"),
        )
    }
}

pub(super) fn split_lines(s: Option<String>) -> Vec<String> {
    s.map(|s| s.split('\n').map(str::to_string).collect())
        .unwrap_or_default()
}

pub(super) fn encode_events(events: &[Event]) -> String {
    let mut out = String::new();
    for (i, e) in events.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push(match e {
            Event::Introduced(_) => 'I',
            Event::Fixed(_) => 'F',
            Event::LastAffected(_) => 'L',
            Event::Limit(_) => 'X',
        });
        out.push_str(&e.version().replace('\n', " "));
    }
    out
}

pub(super) fn decode_events(s: &str) -> Result<Vec<Event>, StoreError> {
    if s.is_empty() {
        return Ok(Vec::new());
    }
    s.split('\n')
        .map(|line| {
            let mut chars = line.chars();
            let tag = chars.next();
            let v = chars.as_str().to_string();
            match tag {
                Some('I') => Ok(Event::Introduced(v)),
                Some('F') => Ok(Event::Fixed(v)),
                Some('L') => Ok(Event::LastAffected(v)),
                Some('X') => Ok(Event::Limit(v)),
                _ => Err(StoreError::Corrupt(format!("range event `{line}`"))),
            }
        })
        .collect()
}

/// References as `TYPE url` lines (one compressible value per advisory instead of a row per
/// link: links are the largest part of OSV records).
pub(super) fn encode_refs(refs: &[Reference]) -> Option<String> {
    let lines: Vec<String> = refs
        .iter()
        .map(|r| {
            format!(
                "{} {}",
                r.kind.replace([' ', '\n'], "_"),
                r.url.replace('\n', " ")
            )
        })
        .collect();
    join_lines(&lines)
}

pub(super) fn decode_refs(s: Option<String>) -> Vec<Reference> {
    split_lines(s)
        .into_iter()
        .filter_map(|l| {
            let (kind, url) = l.split_once(' ')?;
            Some(Reference {
                kind: kind.to_string(),
                url: url.to_string(),
            })
        })
        .collect()
}

pub(super) fn json_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref()
        .filter(|v| !v.is_null())
        .and_then(|v| serde_json::to_string(v).ok())
}

pub(super) fn parse_json_opt(s: Option<String>) -> Result<Option<serde_json::Value>, StoreError> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string())))
        .transpose()
}
