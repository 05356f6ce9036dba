//! What a host that runs the queue in the background needs from the app, decided here so
//! that the host only shows it: the queue's one notification (title, text, progress), its
//! Pause all and Cancel buttons, and what the Downloads screen says about how downloads run
//! (slower because Android limits the app, a downloads folder that is not there).

use plexdl_protocol::{BackgroundLimit, BackgroundState, QueueProgress};

use super::{App, AppError};

impl App {
    /// The queue as its one notification shows it.
    pub fn queue_progress(&self) -> Result<QueueProgress, AppError> {
        let rows = self.core.summaries()?;
        let moving_now = self.core.transferring_now();
        let active: Vec<_> = rows
            .iter()
            .filter(|row| row.download_status.needs_work())
            .collect();
        let moving: Vec<&str> = active
            .iter()
            .filter(|row| moving_now.contains(&row.id))
            .map(|row| row.title.as_str())
            .collect();
        let title = match active.len() {
            0 => "Downloads are done".to_string(),
            1 => "1 download to go".to_string(),
            count => format!("{count} downloads to go"),
        };
        let text = if !moving.is_empty() {
            moving.join(", ")
        } else if let Some(first) = active.first() {
            format!(
                "{}: {}",
                first.title,
                first.download_status.phase_with(first.bytes_done)
            )
        } else {
            String::new()
        };
        let known: Vec<_> = active
            .iter()
            .filter(|row| row.bytes_total.is_some())
            .collect();
        Ok(QueueProgress {
            active: active.len() as u32,
            title,
            text,
            bytes_done: known.iter().map(|row| row.bytes_done).sum(),
            bytes_total: known.iter().filter_map(|row| row.bytes_total).sum(),
            slower: self.background_state().slower,
        })
    }

    /// Pauses every download that wants work (the notification's Pause all). Returns how
    /// many were paused.
    pub fn pause_all(&self) -> Result<usize, AppError> {
        let mut paused = 0;
        for row in self.core.summaries()? {
            if row.download_status.needs_work() {
                match self.core.pause(row.id) {
                    Ok(_) => paused += 1,
                    Err(error) => {
                        tracing::warn!(download_id = row.id, error = %plexdl_redact::redact_text(&error.to_string()), "could not pause")
                    }
                }
            }
        }
        tracing::info!(paused, "paused every download");
        Ok(paused)
    }

    /// Cancels the downloads that move bytes now, the ones the notification names (its
    /// Cancel). Downloads that wait stay queued. Returns how many were cancelled.
    pub fn cancel_moving(&self) -> Result<usize, AppError> {
        let mut cancelled = 0;
        for id in self.core.transferring_now() {
            match self.core.cancel(id) {
                Ok(_) => cancelled += 1,
                Err(error) => {
                    tracing::warn!(download_id = id, error = %plexdl_redact::redact_text(&error.to_string()), "could not cancel")
                }
            }
        }
        tracing::info!(cancelled, "cancelled the downloads that were moving");
        Ok(cancelled)
    }

    /// What the host says limits the downloads now (none: they run as fast as they can).
    /// A refused foreground start after the daily limit was reported keeps the daily limit:
    /// it is the reason, and opening the app is what helps.
    pub fn set_background_limit(&self, limit: Option<BackgroundLimit>) {
        let mut current = self
            .background_limit
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if limit == Some(BackgroundLimit::ForegroundRefused)
            && *current == Some(BackgroundLimit::DataSyncTimeLimit)
        {
            return;
        }
        if *current != limit {
            tracing::info!(
                limit = limit.map(BackgroundLimit::name),
                "how downloads run changed"
            );
        }
        *current = limit;
    }

    /// What the Downloads screen says about how downloads run now.
    pub fn background_state(&self) -> BackgroundState {
        let limit = *self
            .background_limit
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        BackgroundState {
            slower: limit.map(|limit| limit.sentence().to_string()),
            storage_missing: (!self.core.download_folder_present()).then(|| {
                crate::engine::download_folder_missing(
                    &self.core.settings().download_dir.display().to_string(),
                )
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::AppSettings;

    fn app(dir: &std::path::Path) -> App {
        App::open(AppSettings::new(dir)).expect("opens")
    }

    #[test]
    fn an_empty_queue_has_nothing_to_show_or_pause() {
        let folder = tempfile::tempdir().expect("dir");
        let app = app(folder.path());
        let progress = app.queue_progress().expect("progress");
        assert_eq!(progress.active, 0);
        assert_eq!(progress.title, "Downloads are done");
        assert_eq!(app.pause_all().expect("paused"), 0);
        assert_eq!(app.cancel_moving().expect("cancelled"), 0);
    }

    #[test]
    fn a_limit_the_host_reports_is_said_on_the_screen_until_it_is_lifted() {
        let folder = tempfile::tempdir().expect("dir");
        let app = app(folder.path());
        assert_eq!(app.background_state(), BackgroundState::default());
        app.set_background_limit(Some(BackgroundLimit::DataSyncTimeLimit));
        let said = app.background_state().slower.expect("said");
        assert!(said.contains("6 hours a day"), "{said}");
        app.set_background_limit(Some(BackgroundLimit::ForegroundRefused));
        assert_eq!(
            app.background_state().slower.as_deref(),
            Some(BackgroundLimit::DataSyncTimeLimit.sentence()),
            "the daily limit stays the reason"
        );
        assert!(BackgroundLimit::ALL.iter().all(|limit| {
            BackgroundLimit::from_name(limit.name()) == Some(*limit)
                && limit.sentence().to_lowercase().contains("opening the app")
        }));
        app.set_background_limit(None);
        assert_eq!(app.background_state().slower, None);
    }

    #[test]
    fn a_downloads_folder_that_is_not_there_is_said_and_nothing_is_judged_lost() {
        let folder = tempfile::tempdir().expect("dir");
        let card = folder.path().join("card");
        std::fs::create_dir_all(&card).expect("card");
        let mut settings = AppSettings::new(folder.path().join("data"));
        settings.download_dir = Some(card.join("downloads"));
        let app = App::open(settings.clone()).expect("opens");
        assert_eq!(app.background_state().storage_missing, None);
        drop(app);
        // The card is taken out: its folder is gone and cannot be made again (a file
        // stands where the card's folder was).
        std::fs::remove_dir_all(&card).expect("card out");
        std::fs::write(&card, b"not a folder").expect("blocked");
        let app = App::open(settings).expect("the app still opens");
        let missing = app.background_state().storage_missing.expect("said");
        assert!(missing.contains("storage card"), "{missing}");
        let refused = app.core().verify().expect_err("nothing is judged");
        assert_eq!(refused.public().kind, plexdl_protocol::FailureKind::Storage);
    }
}
