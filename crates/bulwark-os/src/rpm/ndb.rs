//! Reader for rpm's NDB backend (`Packages.db`, SUSE since rpm 4.16).
//!
//! Layout from rpm's `lib/backend/ndb/rpmpkg.c` (as also read by go-rpmdb `pkg/ndb.go`), all
//! little-endian: a 32-byte header (`RpmP` magic, version 0, generation, number of slot
//! pages), then slot entries of 16 bytes (`Slot` magic, package index, block offset, block
//! count) filling the slot pages; each used slot points at a blob (16-byte `BlbS` header with
//! package index, checksum and length, then the header bytes) at `block offset * 16`.

use super::{Blobs, RpmDbError};

const HEADER_MAGIC: u32 = u32::from_le_bytes(*b"RpmP");
const SLOT_MAGIC: u32 = u32::from_le_bytes(*b"Slot");
const BLOB_MAGIC: u32 = u32::from_le_bytes(*b"BlbS");
const PAGE_SIZE: usize = 4096;
const SLOT_SIZE: usize = 16;
const BLOCK_SIZE: usize = 16;
const BLOB_HEAD: usize = 16;

fn le32(b: &[u8], at: usize) -> Option<u32> {
    let s = b.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// Whether `data` starts like an NDB package database.
pub fn looks_like(data: &[u8]) -> bool {
    le32(data, 0) == Some(HEADER_MAGIC)
}

/// Every package blob, with per-slot problems.
pub fn read(data: &[u8]) -> Result<Blobs, RpmDbError> {
    if le32(data, 0) != Some(HEADER_MAGIC) {
        return Err(RpmDbError::Format("not an NDB package database".into()));
    }
    if le32(data, 4) != Some(0) {
        return Err(RpmDbError::Format("unsupported NDB version".into()));
    }
    let slot_pages =
        le32(data, 12).ok_or_else(|| RpmDbError::Format("truncated NDB header".into()))? as usize;
    if slot_pages == 0 {
        return Err(RpmDbError::Format(
            "NDB header declares no slot pages".into(),
        ));
    }
    let slots_end = slot_pages
        .checked_mul(PAGE_SIZE)
        .filter(|e| *e <= data.len())
        .ok_or_else(|| RpmDbError::Format(format!("{slot_pages} slot pages exceed the file")))?;
    let mut out = Blobs::default();
    // The first two slot-sized cells of page 0 hold the database header.
    let mut at = 2 * SLOT_SIZE;
    while at.saturating_add(SLOT_SIZE) <= slots_end {
        let slot = at;
        at += SLOT_SIZE;
        let (Some(magic), Some(pkg), Some(blk_off), Some(_blk_cnt)) = (
            le32(data, slot),
            le32(data, slot + 4),
            le32(data, slot + 8),
            le32(data, slot + 12),
        ) else {
            break;
        };
        if magic != SLOT_MAGIC {
            return Err(RpmDbError::Format(format!(
                "bad slot magic at offset {slot}"
            )));
        }
        if pkg == 0 {
            continue;
        }
        let Some(start) = (blk_off as usize).checked_mul(BLOCK_SIZE) else {
            out.warnings
                .push(format!("package {pkg}: blob offset overflows"));
            continue;
        };
        let (Some(bmagic), Some(bpkg), Some(blen)) = (
            le32(data, start),
            le32(data, start.saturating_add(4)),
            le32(data, start.saturating_add(12)),
        ) else {
            out.warnings
                .push(format!("package {pkg}: blob at {start} beyond the file"));
            continue;
        };
        if bmagic != BLOB_MAGIC || bpkg != pkg {
            out.warnings
                .push(format!("package {pkg}: bad blob header at {start}"));
            continue;
        }
        let body = start
            .checked_add(BLOB_HEAD)
            .and_then(|s| Some((s, s.checked_add(blen as usize)?)))
            .and_then(|(s, e)| data.get(s..e));
        match body {
            Some(b) => out.blobs.push(b.to_vec()),
            None => out.warnings.push(format!(
                "package {pkg}: blob of {blen} bytes overruns the file"
            )),
        }
    }
    Ok(out)
}
