//! A doorbell between the processes of one data folder, so that the runner sleeps until
//! something changes instead of looking at the manifest every few seconds.
//!
//! The data folder's runner (the holder of `runner.lock`) binds a Unix datagram socket at
//! `<data folder>/wake.sock` and waits on it in a thread of its own, blocked in `recv`:
//! while nothing happens it is never woken. Another process on the same folder (`plexdl
//! download` beside a `plexdl ui`, a pause from `plexdl pause`) rings the bell after it
//! changed the manifest: it sends one empty datagram, and the runner's thread raises the
//! core's wake signal, so the runner's queue run looks at the manifest at once.
//!
//! What a datagram says is never read: any datagram only makes the runner look, which
//! reads the manifest and nothing else, so a neighbour that rings too often costs a few
//! reads. The socket file has the data folder's permissions (private to the user on every
//! host).
//!
//! A ring that reaches nobody (no runner, a runner that was killed and left its socket
//! file, a host without Unix sockets) is not an error: the next runner looks at the
//! manifest when it starts. A runner that cannot bind the socket (a data folder whose path
//! is longer than a socket address allows, about 100 bytes) says so in the log, and its
//! host keeps looking at the manifest every 2 seconds instead
//! ([`DownloadCore::hears_other_processes`](super::DownloadCore::hears_other_processes)).
//!
//! Only the runner binds, and it removes a leftover file first: the runner lock makes it
//! the only process doing so. The bell is dropped before the lock, so a runner that ends
//! removes its own file and never the next runner's.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::signals::WakeSignal;

/// The socket's file name inside the data folder.
pub const SOCKET_FILE: &str = "wake.sock";

/// The bound doorbell of the runner; dropping it ends its thread and removes the file.
#[derive(Debug)]
pub struct Doorbell {
    path: PathBuf,
    #[cfg(unix)]
    closing: Arc<std::sync::atomic::AtomicBool>,
}

impl Doorbell {
    /// Binds the doorbell of `data_dir` and raises `wake` on every ring.
    #[cfg(unix)]
    pub fn listen(data_dir: &Path, wake: Arc<WakeSignal>) -> std::io::Result<Doorbell> {
        use std::os::unix::net::UnixDatagram;
        use std::sync::atomic::{AtomicBool, Ordering};

        let path = data_dir.join(SOCKET_FILE);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                tracing::debug!(socket = %path.display(), "removed a doorbell left by an earlier runner")
            }
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => return Err(error),
        }
        let socket = UnixDatagram::bind(&path)?;
        let closing = Arc::new(AtomicBool::new(false));
        let thread_closing = closing.clone();
        std::thread::Builder::new()
            .name("plexdl-doorbell".to_string())
            .spawn(move || {
                let mut buffer = [0u8; 16];
                loop {
                    let received = socket.recv(&mut buffer);
                    if thread_closing.load(Ordering::Acquire) {
                        return;
                    }
                    match received {
                        Ok(_) => {
                            tracing::debug!("another process rang the doorbell");
                            wake.raise();
                        }
                        Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(error) => {
                            tracing::warn!(%error, "the doorbell stopped; other processes' changes are seen at the next look");
                            return;
                        }
                    }
                }
            })?;
        tracing::info!(socket = %path.display(), "doorbell for other processes listening");
        Ok(Doorbell { path, closing })
    }

    /// Hosts without Unix sockets have no doorbell.
    #[cfg(not(unix))]
    pub fn listen(_data_dir: &Path, _wake: Arc<WakeSignal>) -> std::io::Result<Doorbell> {
        Err(std::io::Error::new(
            std::io::ErrorKind::Unsupported,
            "this system has no Unix sockets",
        ))
    }

    /// Rings the doorbell of `data_dir`'s runner, if one listens.
    pub fn ring(data_dir: &Path) {
        #[cfg(unix)]
        {
            let path = data_dir.join(SOCKET_FILE);
            let sent = std::os::unix::net::UnixDatagram::unbound()
                .and_then(|socket| socket.send_to(&[], &path));
            match sent {
                Ok(_) => tracing::debug!("rang the runner's doorbell"),
                // No runner, or one that was killed: it looks when it starts.
                Err(error) => tracing::debug!(%error, "no runner heard the doorbell"),
            }
        }
        #[cfg(not(unix))]
        let _ = data_dir;
    }

    /// The socket file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(unix)]
impl Drop for Doorbell {
    fn drop(&mut self) {
        self.closing
            .store(true, std::sync::atomic::Ordering::Release);
        // One last ring wakes the thread, which sees `closing` and ends.
        Doorbell::ring(self.path.parent().unwrap_or(Path::new(".")));
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::time::Duration;

    async fn rung(wake: &WakeSignal) -> bool {
        tokio::time::timeout(Duration::from_secs(5), wake.raised())
            .await
            .is_ok()
    }

    #[tokio::test]
    async fn a_ring_from_anywhere_raises_the_wake_and_a_dropped_bell_hears_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A file left by a runner that was killed is replaced.
        std::fs::write(dir.path().join(SOCKET_FILE), b"left over").expect("leftover");
        let wake = Arc::new(WakeSignal::default());
        let bell = Doorbell::listen(dir.path(), wake.clone()).expect("bound");
        assert!(!wake.host_should_start_run(), "nothing rang yet");
        Doorbell::ring(dir.path());
        assert!(rung(&wake).await, "the ring reached the wake signal");
        Doorbell::ring(dir.path());
        assert!(rung(&wake).await, "a second ring too");
        drop(bell);
        assert!(
            !dir.path().join(SOCKET_FILE).exists(),
            "the file is removed"
        );
        // The last ring of the drop may have raised it once more while closing.
        let _ = wake.host_should_start_run();
        Doorbell::ring(dir.path());
        assert!(
            !wake.host_should_start_run(),
            "a ring after the drop reaches nobody and is not an error"
        );
    }

    #[test]
    fn a_folder_too_long_for_a_socket_address_is_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        let long = dir.path().join("a".repeat(120));
        std::fs::create_dir_all(&long).expect("long folder");
        let wake = Arc::new(WakeSignal::default());
        assert!(Doorbell::listen(&long, wake).is_err());
        // Ringing such a folder is quiet as well.
        Doorbell::ring(&long);
    }
}
