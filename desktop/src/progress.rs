//! What `plexdl run` shows: on a terminal, a progress bar per running download with speed
//! and time left; otherwise (a log file, a pipe) one plain line each time a download's state
//! or progress changes.

use std::collections::HashMap;
use std::io::IsTerminal;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use plexdl_core::app::App;

/// The progress display.
#[derive(Debug)]
pub enum Display {
    Plain {
        last: HashMap<i64, String>,
    },
    Bars {
        multi: MultiProgress,
        bars: HashMap<i64, ProgressBar>,
    },
}

impl Display {
    /// Bars on a terminal, plain lines otherwise.
    pub fn new() -> Display {
        if std::io::stdout().is_terminal() {
            Display::Bars {
                multi: MultiProgress::new(),
                bars: HashMap::new(),
            }
        } else {
            Display::Plain {
                last: HashMap::new(),
            }
        }
    }

    /// Reports a download after a step.
    pub fn step_done(&mut self, app: &App, id: i64) {
        match self {
            Display::Plain { last } => {
                let line = describe(app, id);
                if last.get(&id) != Some(&line) {
                    crate::say!("{line}");
                    last.insert(id, line);
                }
            }
            Display::Bars { multi, bars } => {
                let Ok(row) = app.core().get(id) else { return };
                let finished = !row.download_status.needs_work();
                if finished {
                    if let Some(bar) = bars.remove(&id) {
                        bar.finish_and_clear();
                        multi.remove(&bar);
                    }
                    let _ = multi.println(describe(app, id));
                } else {
                    self.refresh(app, &[id]);
                }
            }
        }
    }

    /// Updates the bars of running downloads from the manifest.
    pub fn refresh(&mut self, app: &App, ids: &[i64]) {
        let Display::Bars { multi, bars } = self else {
            return;
        };
        for id in ids {
            let Ok(row) = app.core().get(*id) else {
                continue;
            };
            let bar = bars.entry(*id).or_insert_with(|| {
                let bar = multi.add(ProgressBar::new(row.bytes_total.unwrap_or(0)));
                let style = ProgressStyle::with_template(
                    "{msg:40!} {bar:25} {bytes}/{total_bytes} {bytes_per_sec} {eta} left",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar());
                bar.set_style(style);
                bar
            });
            if let Some(total) = row.bytes_total {
                bar.set_length(total);
            }
            bar.set_position(row.bytes_done);
            bar.set_message(crate::terminal::clean(&format!(
                "{}: {}",
                row.title,
                row.download_status.phase_with(row.bytes_done)
            )));
        }
    }
}

/// One plain line about a download.
pub fn describe(app: &App, id: i64) -> String {
    match app.core().get(id) {
        Ok(row) => {
            let progress = match row.bytes_total {
                Some(total) if total > 0 && row.bytes_done > 0 => format!(
                    " {}% ({:.1} of {:.1} MB)",
                    row.bytes_done * 100 / total,
                    row.bytes_done as f64 / 1e6,
                    total as f64 / 1e6
                ),
                _ if row.bytes_done > 0 => format!(" ({:.1} MB)", row.bytes_done as f64 / 1e6),
                _ => String::new(),
            };
            let error = row
                .error_message
                .map(|message| format!(": {message}"))
                .unwrap_or_default();
            format!(
                "download {id} \"{}\": {}{progress}{error}",
                row.title,
                row.download_status.phase_with(row.bytes_done)
            )
        }
        Err(error) => format!("download {id}: {error}"),
    }
}
