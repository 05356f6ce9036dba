//! Keep rules (keep the next unwatched episodes of a show or season downloaded) and the
//! storage limit they respect. engine/keepRules.rs applies them.

use plexdl_protocol::{KeepRule, KeepRuleParams};
use rusqlite::{OptionalExtension, Row, Transaction, params};

use super::ManifestError;

/// The name of the storage limit in `core_settings`.
const BUDGET: &str = "storage_budget_bytes";

const RULE_COLUMNS: &str =
    "id, server_identifier, rating_key, title, keep_next, quality, when_watched, stopped_reason";

fn rule_from_row(row: &Row<'_>) -> Result<KeepRule, rusqlite::Error> {
    Ok(KeepRule {
        id: row.get(0)?,
        server_id: row.get(1)?,
        rating_key: row.get(2)?,
        title: row.get(3)?,
        keep_next: row.get(4)?,
        quality: row.get(5)?,
        when_watched: row.get(6)?,
        stopped_reason: row.get(7)?,
    })
}

/// Adds the rule for a show or season, or gives the one it has the new settings (and lets
/// it queue again). Returns the rule.
pub fn upsert(
    transaction: &Transaction<'_>,
    rule: &KeepRuleParams,
    title: &str,
    now: i64,
) -> Result<KeepRule, ManifestError> {
    transaction.execute(
        "INSERT INTO keep_rules (server_identifier, rating_key, title, keep_next, quality,
            when_watched, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (server_identifier, rating_key) DO UPDATE SET
            title = excluded.title, keep_next = excluded.keep_next, quality = excluded.quality,
            when_watched = excluded.when_watched, stopped_reason = NULL, apply_after = NULL",
        params![
            rule.server_id,
            rule.rating_key,
            title,
            rule.keep_next,
            rule.quality,
            rule.when_watched,
            now
        ],
    )?;
    Ok(transaction.query_row(
        &format!(
            "SELECT {RULE_COLUMNS} FROM keep_rules WHERE server_identifier = ?1 AND rating_key = ?2"
        ),
        params![rule.server_id, rule.rating_key],
        rule_from_row,
    )?)
}

/// Every rule, oldest first.
pub fn list(transaction: &Transaction<'_>) -> Result<Vec<KeepRule>, ManifestError> {
    let mut statement = transaction.prepare_cached(&format!(
        "SELECT {RULE_COLUMNS} FROM keep_rules ORDER BY id"
    ))?;
    let rules = statement
        .query_map([], rule_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rules)
}

/// One rule.
pub fn get(transaction: &Transaction<'_>, id: i64) -> Result<Option<KeepRule>, ManifestError> {
    Ok(transaction
        .query_row(
            &format!("SELECT {RULE_COLUMNS} FROM keep_rules WHERE id = ?1"),
            [id],
            rule_from_row,
        )
        .optional()?)
}

/// Removes a rule. The downloads it queued stay, as the user's own from now on (no rule
/// deletes them). False when there was no such rule.
pub fn remove(transaction: &Transaction<'_>, id: i64) -> Result<bool, ManifestError> {
    transaction.execute(
        "UPDATE downloads SET rule_id = NULL WHERE rule_id = ?1",
        [id],
    )?;
    transaction.execute("DELETE FROM rule_skips WHERE rule_id = ?1", [id])?;
    Ok(transaction.execute("DELETE FROM keep_rules WHERE id = ?1", [id])? > 0)
}

/// Records that a rule was applied: when to apply it again (milliseconds since 1970), and
/// why it stopped queuing, if it did.
pub fn applied(
    transaction: &Transaction<'_>,
    id: i64,
    apply_after: i64,
    stopped_reason: Option<&str>,
) -> Result<(), ManifestError> {
    transaction.execute(
        "UPDATE keep_rules SET apply_after = ?2, stopped_reason = ?3 WHERE id = ?1",
        params![id, apply_after, stopped_reason],
    )?;
    Ok(())
}

/// Each rule's server and when the rule wants to be applied next (milliseconds since
/// 1970; 0 for a rule that wants it now).
pub fn schedule(transaction: &Transaction<'_>) -> Result<Vec<(String, i64)>, ManifestError> {
    let mut statement = transaction
        .prepare_cached("SELECT server_identifier, COALESCE(apply_after, 0) FROM keep_rules")?;
    let schedule = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(schedule)
}

/// The name of the change counter in `core_settings`.
const CHANGES: &str = "rule_inputs_changed";

/// Counts a change that may change what a rule keeps (watched state, a finished or removed
/// download, a rule or the limit), so that the process that runs the downloads applies
/// the rules again. Nothing is written while there are no rules.
pub fn touch(transaction: &Transaction<'_>) -> Result<(), ManifestError> {
    transaction.execute(
        "INSERT INTO core_settings (name, value)
            SELECT ?1, 1 WHERE EXISTS (SELECT 1 FROM keep_rules)
         ON CONFLICT (name) DO UPDATE SET value = value + 1",
        [CHANGES],
    )?;
    Ok(())
}

/// The change counter (see [`touch`]).
pub fn changes(transaction: &Transaction<'_>) -> Result<i64, ManifestError> {
    Ok(transaction
        .query_row(
            "SELECT value FROM core_settings WHERE name = ?1",
            [CHANGES],
            |row| row.get::<_, Option<i64>>(0),
        )
        .optional()?
        .flatten()
        .unwrap_or(0))
}

/// The storage limit for rules, in bytes.
pub fn budget(transaction: &Transaction<'_>) -> Result<Option<u64>, ManifestError> {
    let value: Option<Option<i64>> = transaction
        .query_row(
            "SELECT value FROM core_settings WHERE name = ?1",
            [BUDGET],
            |row| row.get(0),
        )
        .optional()?;
    Ok(value.flatten().map(|bytes| bytes.max(0) as u64))
}

/// Sets the storage limit (or none); every rule may queue again.
pub fn set_budget(transaction: &Transaction<'_>, bytes: Option<u64>) -> Result<(), ManifestError> {
    transaction.execute(
        "INSERT INTO core_settings (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        params![BUDGET, bytes.map(|bytes| bytes.min(i64::MAX as u64) as i64)],
    )?;
    transaction.execute(
        "UPDATE keep_rules SET stopped_reason = NULL, apply_after = NULL",
        [],
    )?;
    Ok(())
}

/// Records that the user deleted the download of `rating_key` that rule `rule_id` queued:
/// the rule passes over that episode from then on, as if it were watched.
pub fn skip(
    transaction: &Transaction<'_>,
    rule_id: i64,
    rating_key: &str,
    now: i64,
) -> Result<(), ManifestError> {
    transaction.execute(
        "INSERT OR IGNORE INTO rule_skips (rule_id, rating_key, skipped_at) VALUES (?1, ?2, ?3)",
        params![rule_id, rating_key, now],
    )?;
    Ok(())
}

/// The episodes rule `rule_id` passes over (see [`skip`]).
pub fn skipped(
    transaction: &Transaction<'_>,
    rule_id: i64,
) -> Result<std::collections::HashSet<String>, ManifestError> {
    let mut statement =
        transaction.prepare_cached("SELECT rating_key FROM rule_skips WHERE rule_id = ?1")?;
    let keys = statement
        .query_map([rule_id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Manifest;
    use plexdl_protocol::WhenWatched;

    fn params(key: &str, keep_next: Option<u32>) -> KeepRuleParams {
        KeepRuleParams {
            server_id: "s".to_string(),
            rating_key: key.to_string(),
            keep_next,
            quality: "original".to_string(),
            when_watched: WhenWatched::DeleteAtOnce,
        }
    }

    #[test]
    fn a_show_has_one_rule_whose_settings_can_change() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        let (first, again, other) = manifest
            .write(|tx| {
                let first = upsert(tx, &params("22", Some(3)), "The 100", 1)?;
                applied(
                    tx,
                    first.id,
                    5,
                    Some("Stopped at the storage limit of 1 GB"),
                )?;
                let again = upsert(tx, &params("22", None), "The 100", 6)?;
                let other = upsert(tx, &params("33", Some(1)), "Season 2", 7)?;
                Ok((first, again, other))
            })
            .expect("written");
        assert_eq!(first.id, again.id);
        assert_eq!(again.keep_next, None);
        assert_eq!(again.stopped_reason, None, "new settings may queue again");
        assert_ne!(other.id, first.id);
        assert_eq!(manifest.read(list).expect("rules").len(), 2);
        assert_eq!(
            manifest.read(schedule).expect("read"),
            [("s".to_string(), 0), ("s".to_string(), 0)]
        );
        let before = manifest.read(changes).expect("read");
        manifest.write(touch).expect("touched");
        assert_eq!(manifest.read(changes).expect("read"), before + 1);
        assert!(manifest.write(|tx| remove(tx, other.id)).expect("removed"));
        assert!(!manifest.write(|tx| remove(tx, other.id)).expect("gone"));
        assert_eq!(manifest.read(|tx| get(tx, other.id)).expect("read"), None);
    }

    #[test]
    fn the_budget_is_kept_and_can_be_taken_away() {
        let manifest = Manifest::open_in_memory().expect("manifest");
        // Without rules a change is not counted (nothing is written).
        manifest.write(touch).expect("touched");
        assert_eq!(manifest.read(changes).expect("read"), 0);
        assert_eq!(manifest.read(budget).expect("read"), None);
        manifest
            .write(|tx| set_budget(tx, Some(20_000_000_000)))
            .expect("set");
        assert_eq!(manifest.read(budget).expect("read"), Some(20_000_000_000));
        manifest.write(|tx| set_budget(tx, None)).expect("set");
        assert_eq!(manifest.read(budget).expect("read"), None);
    }
}
