//! Reader for the Berkeley DB hash database rpm used until 4.16 (`/var/lib/rpm/Packages`).
//!
//! Only what rpm's `Packages` file needs: the hash metadata page (page 0), hash pages
//! (`P_HASH`, `P_HASH_UNSORTED`) holding key/value item pairs, and chains of overflow pages
//! (`P_OVERFLOW`) that hold values too big for a hash page, which rpm headers almost always
//! are. Layout from Berkeley DB's `db_page.h`, as also read by go-rpmdb (`pkg/bdb`). Every page
//! number, item offset and length is checked against the file; overflow chains are bounded by
//! the page count so a cycle cannot loop forever.

use super::{Blobs, RpmDbError};

const HASH_MAGIC: u32 = 0x0006_1561;
const PAGE_HEADER: usize = 26;
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASHMETA: u8 = 8;
const P_HASH: u8 = 13;
const H_KEYDATA: u8 = 1;
const H_OFFPAGE: u8 = 3;

/// Byte order of the file (Berkeley DB writes the host's).
#[derive(Clone, Copy)]
struct Order {
    big: bool,
}

impl Order {
    fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let a: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if self.big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        })
    }
    fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let a: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if self.big {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        })
    }
}

/// Whether `data` starts like a Berkeley DB hash database.
pub fn looks_like(data: &[u8]) -> bool {
    let le = Order { big: false };
    let be = Order { big: true };
    le.u32(data, 12) == Some(HASH_MAGIC) || be.u32(data, 12) == Some(HASH_MAGIC)
}

/// Every value stored in the database (rpm header blobs), with per-record problems.
pub fn read(data: &[u8]) -> Result<Blobs, RpmDbError> {
    let order = if (Order { big: false }).u32(data, 12) == Some(HASH_MAGIC) {
        Order { big: false }
    } else if (Order { big: true }).u32(data, 12) == Some(HASH_MAGIC) {
        Order { big: true }
    } else {
        return Err(RpmDbError::Format("not a Berkeley DB hash database".into()));
    };
    let page_size = order
        .u32(data, 20)
        .ok_or_else(|| RpmDbError::Format("truncated metadata page".into()))?
        as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(RpmDbError::Format(format!("bad page size {page_size}")));
    }
    if data.get(25) != Some(&P_HASHMETA) {
        return Err(RpmDbError::Format(
            "page 0 is not a hash metadata page".into(),
        ));
    }
    let last_page = order
        .u32(data, 32)
        .ok_or_else(|| RpmDbError::Format("truncated metadata page".into()))?;
    let pages_in_file = data.len() / page_size;
    let mut out = Blobs::default();
    if (last_page as usize) >= pages_in_file {
        out.warnings.push(format!(
            "metadata says {} pages, file holds {pages_in_file}",
            u64::from(last_page) + 1
        ));
    }
    let last = (last_page as usize).min(pages_in_file.saturating_sub(1));
    for pageno in 1..=last {
        let Some(page) = page(data, pageno, page_size) else {
            break;
        };
        let ty = page.get(25).copied().unwrap_or(0);
        if ty != P_HASH && ty != P_HASH_UNSORTED {
            continue;
        }
        let entries = order.u16(page, 20).unwrap_or(0) as usize;
        if !entries.is_multiple_of(2) {
            out.warnings
                .push(format!("page {pageno}: odd number of items ({entries})"));
        }
        let offset_of = |i: usize| -> Option<usize> {
            order
                .u16(page, PAGE_HEADER.checked_add(i.checked_mul(2)?)?)
                .map(usize::from)
        };
        // Items are pairs (key, value), packed from the end of the page downward; sorted
        // pages reorder the index but not the items, so an inline item ends where the next
        // item above it starts (or at the page end).
        let mut starts: Vec<usize> = (0..entries).filter_map(offset_of).collect();
        starts.sort_unstable();
        let item_end = |off: usize| -> usize {
            starts
                .iter()
                .copied()
                .find(|s| *s > off)
                .unwrap_or(page_size)
        };
        let mut pair: usize = 0;
        while pair.saturating_add(1) < entries {
            let key_i = pair;
            let val_i = pair + 1;
            pair += 2;
            let (Some(key_off), Some(val_off)) = (offset_of(key_i), offset_of(val_i)) else {
                out.warnings
                    .push(format!("page {pageno}: item index beyond the page"));
                break;
            };
            // rpm keeps a bookkeeping record under key 0 (a 4-byte integer): skip it.
            if page.get(key_off) == Some(&H_KEYDATA) {
                let key = page.get(key_off.saturating_add(1)..item_end(key_off));
                if key.is_some_and(|k| k.len() == 4 && k.iter().all(|&b| b == 0)) {
                    continue;
                }
            }
            match page.get(val_off).copied() {
                Some(H_OFFPAGE) => {
                    let (Some(pgno), Some(len)) = (
                        order.u32(page, val_off.saturating_add(4)),
                        order.u32(page, val_off.saturating_add(8)),
                    ) else {
                        out.warnings
                            .push(format!("page {pageno}: truncated overflow item"));
                        continue;
                    };
                    match overflow(data, order, page_size, pgno, len, last) {
                        Ok(v) => out.blobs.push(v),
                        Err(e) => out.warnings.push(format!("page {pageno}: {e}")),
                    }
                }
                Some(H_KEYDATA) => match page.get(val_off.saturating_add(1)..item_end(val_off)) {
                    Some(v) => out.blobs.push(v.to_vec()),
                    _ => out
                        .warnings
                        .push(format!("page {pageno}: inline item out of bounds")),
                },
                _ => out
                    .warnings
                    .push(format!("page {pageno}: unsupported item type")),
            }
        }
    }
    Ok(out)
}

fn page(data: &[u8], pageno: usize, page_size: usize) -> Option<&[u8]> {
    let start = pageno.checked_mul(page_size)?;
    data.get(start..start.checked_add(page_size)?)
}

/// Concatenate an overflow chain starting at `pgno`; its total must be `len` bytes.
fn overflow(
    data: &[u8],
    order: Order,
    page_size: usize,
    mut pgno: u32,
    len: u32,
    last: usize,
) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity((len as usize).min(data.len()));
    let mut hops = 0usize;
    while pgno != 0 {
        hops += 1;
        if hops > last.saturating_add(1) {
            return Err("overflow chain loops".into());
        }
        let p = page(data, pgno as usize, page_size)
            .ok_or_else(|| format!("overflow page {pgno} beyond the file"))?;
        if p.get(25) != Some(&P_OVERFLOW) {
            return Err(format!(
                "page {pgno} in an overflow chain is not an overflow page"
            ));
        }
        // In overflow pages the "free area offset" field holds the bytes used on the page.
        let used = order.u16(p, 22).map(usize::from).unwrap_or(0);
        let chunk = p
            .get(PAGE_HEADER..PAGE_HEADER.saturating_add(used))
            .ok_or_else(|| format!("overflow page {pgno} claims {used} bytes"))?;
        out.extend_from_slice(chunk);
        if out.len() > len as usize {
            return Err(format!(
                "overflow chain longer than its declared {len} bytes"
            ));
        }
        pgno = order.u32(p, 16).unwrap_or(0);
    }
    if out.len() != len as usize {
        return Err(format!(
            "overflow chain holds {} bytes, item declares {len}",
            out.len()
        ));
    }
    Ok(out)
}
