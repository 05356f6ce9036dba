//! Moving a damaged manifest aside: the database and its WAL file go to
//! `manifest.damaged-<date>-<time>.sqlite` (and `...-wal`), so what was in them stays there
//! for a closer look, and a new database can start at the old name. Used by `plexdl doctor`
//! before it opens anything, and by [`super::Manifest::replace_with_new`] for the
//! Diagnostics screen's rebuild inside a running app.

use std::path::{Path, PathBuf};

use super::ManifestError;

/// Moves the database at `database` (and its WAL file) aside; the shared-memory file is
/// removed, SQLite makes it again. Returns where the database went, or `None` when there
/// was none. The database must not be open in this process.
pub fn set_aside(database: &Path) -> Result<Option<PathBuf>, ManifestError> {
    if !database.exists() {
        return Ok(None);
    }
    let name = format!("manifest.damaged-{}.sqlite", stamp(super::now_ms()));
    let kept = database.with_file_name(name);
    let moved = |from: &Path, to: &Path| {
        std::fs::rename(from, to).map_err(|source| ManifestError::SetAside {
            path: from.display().to_string(),
            source,
        })
    };
    moved(database, &kept)?;
    let wal = PathBuf::from(format!("{}-wal", database.display()));
    if wal.exists() {
        moved(&wal, &PathBuf::from(format!("{}-wal", kept.display())))?;
    }
    let _ = std::fs::remove_file(format!("{}-shm", database.display()));
    Ok(Some(kept))
}

/// `2026-12-01-143512` for a time in milliseconds since 1970 (UTC).
fn stamp(ms: i64) -> String {
    let seconds = ms.div_euclid(1000);
    let (days, of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    // Days since 1970-01-01 to a civil date (the algorithm of H. Hinnant's chrono notes).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}-{:02}{:02}{:02}",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

#[cfg(test)]
mod tests {
    use super::{set_aside, stamp};

    #[test]
    fn stamps_are_civil_dates() {
        assert_eq!(stamp(0), "1970-01-01-000000");
        assert_eq!(stamp(951_782_400_000), "2000-02-29-000000");
        assert_eq!(stamp(1_796_135_712_000), "2026-12-01-143512");
    }

    #[test]
    fn the_database_and_its_wal_move_and_nothing_is_left_at_the_old_name() {
        let dir = tempfile::tempdir().expect("temp dir");
        let database = dir.path().join("manifest.sqlite");
        assert_eq!(set_aside(&database).expect("nothing to move"), None);
        std::fs::write(&database, b"pages").expect("database");
        std::fs::write(dir.path().join("manifest.sqlite-wal"), b"log").expect("wal");
        std::fs::write(dir.path().join("manifest.sqlite-shm"), b"shared").expect("shm");
        let kept = set_aside(&database).expect("moved").expect("a new name");
        assert!(!database.exists());
        assert!(!dir.path().join("manifest.sqlite-wal").exists());
        assert!(!dir.path().join("manifest.sqlite-shm").exists());
        assert_eq!(std::fs::read(&kept).expect("kept"), b"pages");
        assert_eq!(
            std::fs::read(format!("{}-wal", kept.display())).expect("kept wal"),
            b"log"
        );
    }
}
