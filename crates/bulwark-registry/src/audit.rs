//! The tamper-evident audit log: every login, push, pull, delete and permission change, each
//! entry hash-chained to the one before (`hash = sha256(prev_hash || entry_json)`), so an edited
//! entry breaks its own hash and a removed one breaks the next entry's link or the sequence.
//! The head (last sequence and hash) is also kept in the settings table, which catches removal
//! of the newest entries unless the attacker rewrites that too; anchoring the head outside the
//! database (an external witness) is not done here.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::error::RegistryError;
use crate::meta::{now, Meta};

/// One audited event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Sequence number.
    pub seq: i64,
    /// Unix seconds.
    pub time: i64,
    /// Who (user, robot, or `anonymous`).
    pub actor: String,
    /// From where (client address).
    pub addr: String,
    /// What: `login`, `login-failed`, `push`, `pull`, `delete`, `project-create`, `user-create`,
    /// `member-add`, `robot-create`, `mount`.
    pub action: String,
    /// Repository or project or user concerned.
    pub resource: String,
    /// Tag or other detail.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reference: Option<String>,
    /// Digest concerned.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub digest: Option<String>,
}

/// An event before it gets its sequence number and time.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Who.
    pub actor: &'a str,
    /// From where.
    pub addr: &'a str,
    /// What.
    pub action: &'a str,
    /// On what.
    pub resource: &'a str,
    /// Tag or detail.
    pub reference: Option<&'a str>,
    /// Digest.
    pub digest: Option<&'a str>,
}

fn chain_hash(prev: &str, entry_json: &str) -> String {
    hex::encode(
        Sha256::new()
            .chain_update(prev.as_bytes())
            .chain_update([b'\n'])
            .chain_update(entry_json.as_bytes())
            .finalize(),
    )
}

/// Append an event; returns its sequence number.
pub fn record(meta: &Meta, ev: &Event<'_>) -> Result<i64, RegistryError> {
    meta.audit_append(|seq, prev| {
        let e = Entry {
            seq,
            time: now(),
            actor: ev.actor.to_string(),
            addr: ev.addr.to_string(),
            action: ev.action.to_string(),
            resource: ev.resource.to_string(),
            reference: ev.reference.map(str::to_string),
            digest: ev.digest.map(str::to_string),
        };
        // Serialising a struct of strings and integers cannot fail.
        let json = serde_json::to_string(&e).unwrap_or_default();
        let hash = chain_hash(prev, &json);
        (json, hash)
    })
}

/// Entries after `after`, at most `limit`, oldest first.
pub fn entries(meta: &Meta, after: i64, limit: Option<usize>) -> Result<Vec<Entry>, RegistryError> {
    meta.audit_rows(after, limit)?
        .into_iter()
        .map(|r| {
            serde_json::from_str(&r.entry)
                .map_err(|e| RegistryError::Audit(format!("entry {}: {e}", r.seq)))
        })
        .collect()
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// Entries checked.
    pub entries: i64,
    /// Problems found, each naming the sequence number; empty when intact.
    pub problems: Vec<String>,
}

/// Recompute the whole chain and compare it with the stored head.
pub fn verify(meta: &Meta) -> Result<Verdict, RegistryError> {
    let mut problems = Vec::new();
    let mut prev = String::new();
    let mut expect_seq = 1;
    let mut count = 0;
    let mut after = 0;
    loop {
        let rows = meta.audit_rows(after, Some(10_000))?;
        if rows.is_empty() {
            break;
        }
        for r in rows {
            after = r.seq;
            count += 1;
            if r.seq != expect_seq {
                problems.push(format!("entries {expect_seq}..{} are missing", r.seq - 1));
            }
            if r.prev != prev {
                problems.push(format!(
                    "entry {}: link to the previous entry is broken",
                    r.seq
                ));
            }
            if chain_hash(&r.prev, &r.entry) != r.hash {
                problems.push(format!(
                    "entry {}: content does not match its hash (edited)",
                    r.seq
                ));
            }
            match serde_json::from_str::<Entry>(&r.entry) {
                Ok(e) if e.seq == r.seq => {}
                _ => problems.push(format!(
                    "entry {}: sequence number inside the entry differs",
                    r.seq
                )),
            }
            prev = r.hash;
            expect_seq = r.seq + 1;
        }
    }
    if let Some(head) = meta.setting("audit_head")? {
        let want = format!("{}:{}", expect_seq - 1, prev);
        if head != want {
            problems.push(format!(
                "head is {head} but the log ends at {want} (newest entries removed?)"
            ));
        }
    } else if count > 0 {
        problems.push("head record is missing".to_string());
    }
    Ok(Verdict {
        entries: count,
        problems,
    })
}
