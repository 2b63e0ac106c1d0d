//! The audit chain's canonical form and hash (SPEC §2 `audit_event`).
//!
//! Each event is serialised as JSON with keys sorted at every depth and no insignificant
//! white space; that text is stored exactly as hashed. The hash is
//! `sha256(prev_hash ‖ "\n" ‖ canonical)` in lowercase hex; the first event's `prev_hash` is
//! [`GENESIS_HASH`]. Editing, deleting or reordering any row breaks the recomputation.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of one event that the hash covers.
#[derive(Debug, Clone, PartialEq)]
pub struct ChainEvent {
    /// The event's place in the chain, from 1 without gaps.
    pub seq: i64,
    /// RFC 3339 in UTC with microseconds, e.g. `2026-11-29T02:10:22.123456Z`.
    pub at: String,
    /// Who made the change (a user's id as text), none for the system.
    pub actor_user_id: Option<String>,
    /// What was done, e.g. `create`, `publish`, `pay`.
    pub action: String,
    /// What kind of record changed, e.g. `contract`.
    pub entity_type: String,
    /// Which record changed (its id as text).
    pub entity_id: String,
    /// The record's API form before the change, none for a creation.
    pub before: Option<Value>,
    /// The record's API form after the change, none for a deletion.
    pub after: Option<Value>,
    /// The hash of the event before it ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
}

impl ChainEvent {
    /// The canonical JSON text of the event (sorted keys, compact).
    pub fn canonical(&self) -> String {
        let mut m = Map::new();
        m.insert("seq".into(), Value::from(self.seq));
        m.insert("at".into(), Value::from(self.at.clone()));
        m.insert(
            "actor_user_id".into(),
            self.actor_user_id.clone().map_or(Value::Null, Value::from),
        );
        m.insert("action".into(), Value::from(self.action.clone()));
        m.insert("entity_type".into(), Value::from(self.entity_type.clone()));
        m.insert("entity_id".into(), Value::from(self.entity_id.clone()));
        m.insert("before".into(), self.before.clone().unwrap_or(Value::Null));
        m.insert("after".into(), self.after.clone().unwrap_or(Value::Null));
        m.insert("prev_hash".into(), Value::from(self.prev_hash.clone()));
        canonical_json(&Value::Object(m))
    }
}

/// JSON text with object keys sorted at every depth, independent of serde_json's map order.
pub fn canonical_json(v: &Value) -> String {
    let mut out = String::new();
    write_canonical(v, &mut out);
    out
}

fn write_canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::from(k.as_str()).to_string());
                out.push(':');
                write_canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(x, out);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// The hash of an event given its canonical text and the previous hash.
pub fn chain_hash(prev_hash: &str, canonical: &str) -> String {
    let mut h = Sha256::new();
    h.update(prev_hash.as_bytes());
    h.update(b"\n");
    h.update(canonical.as_bytes());
    hex::encode(h.finalize())
}

/// A stored event as `verify` reads it back.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    /// The event's fields.
    pub event: ChainEvent,
    /// The canonical text stored when it was sealed.
    pub canonical: String,
    /// The hash stored when it was sealed.
    pub hash: String,
}

/// What is wrong with the chain at one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainBreak {
    /// The `seq` of the first bad event (or, for a gap, the first missing `seq`).
    pub seq: i64,
    /// What is wrong there, in words.
    pub reason: String,
}

/// Walks events in `seq` order, carrying the state between batches.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    /// How many events were checked.
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS_HASH.into(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    /// Checks the next event; the first error is final.
    pub fn check(&mut self, e: &StoredEvent) -> Result<(), ChainBreak> {
        let seq = e.event.seq;
        let fail = |reason: &str| {
            Err(ChainBreak {
                seq,
                reason: reason.to_string(),
            })
        };
        if seq != self.expected_seq {
            return Err(ChainBreak {
                seq: self.expected_seq,
                reason: format!(
                    "event {} is missing (next stored event is {seq})",
                    self.expected_seq
                ),
            });
        }
        if e.event.prev_hash != self.prev_hash {
            return fail(
                "prev_hash does not match the previous event's hash (deleted or reordered)",
            );
        }
        if e.event.canonical() != e.canonical {
            return fail("stored columns differ from the hashed event (edited)");
        }
        if chain_hash(&e.event.prev_hash, &e.canonical) != e.hash {
            return fail("hash does not match the event's content (edited)");
        }
        self.expected_seq += 1;
        self.prev_hash = e.hash.clone();
        self.checked += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(seq: i64, prev: &str) -> StoredEvent {
        let event = ChainEvent {
            seq,
            at: "2026-11-29T02:10:22.123456Z".into(),
            actor_user_id: None,
            action: "create".into(),
            entity_type: "purchaser".into(),
            entity_id: "x".into(),
            before: None,
            after: Some(json!({"name": "民政局", "a": [1, {"z": 1, "b": 2}]})),
            prev_hash: prev.into(),
        };
        let canonical = event.canonical();
        let hash = chain_hash(prev, &canonical);
        StoredEvent {
            event,
            canonical,
            hash,
        }
    }

    #[test]
    fn canonical_sorts_keys_at_every_depth() {
        let v = json!({"b": 1, "a": {"d": [ {"y": 1, "x": 2} ], "c": null}});
        assert_eq!(
            canonical_json(&v),
            r#"{"a":{"c":null,"d":[{"x":2,"y":1}]},"b":1}"#
        );
    }

    #[test]
    fn verifier_accepts_a_chain_and_names_the_first_break() {
        let e1 = event(1, GENESIS_HASH);
        let e2 = event(2, &e1.hash);
        let mut v = ChainVerifier::default();
        v.check(&e1).unwrap();
        v.check(&e2).unwrap();

        let mut edited = event(2, &e1.hash);
        edited.event.action = "delete".into();
        let mut v = ChainVerifier::default();
        v.check(&e1).unwrap();
        assert_eq!(v.check(&edited).unwrap_err().seq, 2);

        let mut v = ChainVerifier::default();
        assert_eq!(v.check(&e2).unwrap_err().seq, 1);
    }
}
