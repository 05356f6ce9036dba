//! What the server is doing now, from /status/sessions: playback sessions and running
//! transcodes, summarised for the busy check before a transcode is requested.

use serde::Serialize;

use super::error::PlexError;
use super::servers::PlexServer;

/// One playback session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionSummary {
    pub title: String,
    pub user: Option<String>,
    pub player: Option<String>,
    pub state: Option<String>,
    /// The video is being converted (not played directly or copied).
    pub transcoding: bool,
    /// Transcode speed (1.0 is real time), when transcoding.
    pub speed: Option<f64>,
}

/// The server's current load.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServerActivity {
    pub playing: usize,
    pub transcoding: usize,
    pub sessions: Vec<SessionSummary>,
}

impl ServerActivity {
    /// Whether a new transcode would compete with running ones.
    pub fn is_busy(&self) -> bool {
        self.transcoding > 0
    }

    /// A plain sentence for the busy warning.
    pub fn describe(&self) -> String {
        match (self.playing, self.transcoding) {
            (0, _) => "The server is idle.".to_string(),
            (playing, 0) => {
                format!("The server is playing {playing} stream(s) but converting none.")
            }
            (playing, transcoding) => format!(
                "The server is playing {playing} stream(s) and converting {transcoding} of them; a download that needs converting will compete with them."
            ),
        }
    }
}

impl PlexServer {
    /// Playback sessions and running transcodes.
    pub async fn activity(&self) -> Result<ServerActivity, PlexError> {
        let container = self.container("/status/sessions", Vec::new()).await?;
        let sessions: Vec<SessionSummary> = container
            .metadata
            .iter()
            .map(|item| {
                let transcode = item.transcode_session.as_ref();
                let transcoding = transcode
                    .is_some_and(|t| t.video_decision.as_deref() == Some("transcode"))
                    || item
                        .parts()
                        .any(|part| part.decision.as_deref() == Some("transcode"));
                let title = match &item.grandparent_title {
                    Some(show) => format!("{show}: {}", item.title()),
                    None => item.title().to_string(),
                };
                SessionSummary {
                    title,
                    user: item.user.as_ref().and_then(|user| user.title.clone()),
                    player: item.player.as_ref().and_then(|player| player.title.clone()),
                    state: item.player.as_ref().and_then(|player| player.state.clone()),
                    transcoding,
                    speed: transcode.and_then(|t| t.speed),
                }
            })
            .collect();
        let transcoding = sessions
            .iter()
            .filter(|session| session.transcoding)
            .count();
        Ok(ServerActivity {
            playing: sessions.len(),
            transcoding,
            sessions,
        })
    }
}
