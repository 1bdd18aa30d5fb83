//! Reader for rpm's SQLite backend (`rpmdb.sqlite`, rpm >= 4.16: Fedora, RHEL 9, Mariner).
//!
//! The file is loaded into an in-memory SQLite database with `sqlite3_deserialize`: nothing is
//! written to disk. Headers are the `blob` column of the `Packages` table.

use rusqlite::{Connection, DatabaseName, OpenFlags};

use super::{Blobs, RpmDbError};

const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// Whether `data` starts like an SQLite database.
pub fn looks_like(data: &[u8]) -> bool {
    data.starts_with(SQLITE_MAGIC)
}

/// Every `Packages.blob`.
// The workspace's one allowed `unsafe` (the lint is denied everywhere else): rusqlite's safe
// `deserialize` API takes ownership of a buffer only SQLite's allocator may hand out.
#[allow(unsafe_code)]
pub fn read(data: &[u8]) -> Result<Blobs, RpmDbError> {
    if !looks_like(data) || data.len() < 100 {
        return Err(RpmDbError::Format("not an SQLite database".into()));
    }
    let err = |e: rusqlite::Error| RpmDbError::Sqlite(e.to_string());
    let mut conn = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(err)?;
    let len = data.len();
    // SAFETY: sqlite3_malloc64 returns either null (checked) or a buffer of `len` bytes that
    // SQLite owns. We fill exactly `len` bytes and hand ownership to SQLite through OwnedData,
    // which frees it with sqlite3_free; the mutable slice does not outlive this block.
    let owned = unsafe {
        let ptr = rusqlite::ffi::sqlite3_malloc64(len as u64).cast::<u8>();
        let Some(nn) = std::ptr::NonNull::new(ptr) else {
            return Err(RpmDbError::Sqlite("out of memory".into()));
        };
        let buf = std::slice::from_raw_parts_mut(nn.as_ptr(), len);
        buf.copy_from_slice(data);
        // A database left in WAL mode (bytes 18/19 = 2) cannot be deserialized; its -wal file
        // is a separate file anyway, so read it as a rollback-journal database.
        for b in buf.iter_mut().skip(18).take(2) {
            if *b == 2 {
                *b = 1;
            }
        }
        rusqlite::serialize::OwnedData::from_raw_nonnull(nn, len)
    };
    conn.deserialize(DatabaseName::Main, owned, true)
        .map_err(err)?;
    // A hostile file could define `Packages` as a view over an endless recursive query: read
    // only a real table, and never more rows than a database of this size can hold.
    let kind: Option<String> = conn
        .query_row(
            "SELECT type FROM sqlite_master WHERE name = 'Packages'",
            [],
            |r| r.get(0),
        )
        .map_err(err)
        .ok();
    if kind.as_deref() != Some("table") {
        return Err(RpmDbError::Format("no Packages table".into()));
    }
    // Each row needs at least a few bytes of the file.
    let max_rows = len / 8;
    let mut stmt = conn
        .prepare("SELECT blob FROM Packages ORDER BY hnum")
        .map_err(err)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, Vec<u8>>(0))
        .map_err(err)?;
    let mut out = Blobs::default();
    for row in rows.take(max_rows) {
        match row {
            Ok(b) => out.blobs.push(b),
            Err(e) => out.warnings.push(format!("unreadable row: {e}")),
        }
    }
    Ok(out)
}
