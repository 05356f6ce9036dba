//! The SHA-256 of every finished file, so that `verify --deep` can tell a file that changed
//! on disk after it was downloaded (another app, a failing card, a copy gone wrong) from the
//! one plexdl wrote. Plex gives no checksum of its files, so the hash is of the bytes as they
//! were written.
//!
//! It is computed while the file is written, on a thread of its own: the transfer hands each
//! chunk over (a `Bytes` handle, no copy) and goes on, so the hash costs the transfer no
//! time while another core is free. A resumed transfer first hashes the bytes already in the
//! partial file, on the same thread, then the new ones. At most [`QUEUED_CHUNKS`] chunks wait
//! for the hash; a transfer that outruns it waits, so memory stays bounded.

use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// Chunks that may wait for the hashing thread. Each chunk may hold on to the connection's
/// read buffer it came from, so few are kept: 64 raised the peak memory of one download from
/// 11 to 38 MiB.
pub const QUEUED_CHUNKS: usize = 4;

/// A hash being computed beside a transfer.
#[derive(Debug)]
pub struct ContentHasher {
    sender: Option<SyncSender<Bytes>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<String>>>,
}

impl ContentHasher {
    /// Starts a hash of the first `prefix` bytes of the file at `path` (bytes kept from
    /// before a resume), followed by every chunk given to [`ContentHasher::feed`].
    pub fn start(path: &Path, prefix: u64) -> ContentHasher {
        let (sender, receiver) = sync_channel(QUEUED_CHUNKS);
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("plexdl-hash".to_string())
            .spawn(move || hash_prefix_then_chunks(&path, prefix, &receiver))
            .ok();
        ContentHasher {
            sender: Some(sender),
            thread,
        }
    }

    /// Adds the next chunk of the file.
    pub fn feed(&self, chunk: &Bytes) {
        if let Some(sender) = &self.sender {
            // A thread that ended (an error reading the prefix) is reported by `finish`.
            let _ = sender.send(chunk.clone());
        }
    }

    /// The hash of everything given, as lowercase hex.
    pub fn finish(mut self) -> std::io::Result<String> {
        drop(self.sender.take());
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the hashing thread panicked"))),
            None => Err(std::io::Error::other("the hashing thread did not start")),
        }
    }
}

fn hash_prefix_then_chunks(
    path: &Path,
    prefix: u64,
    chunks: &Receiver<Bytes>,
) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    if prefix > 0 {
        let file = std::fs::File::open(path)?;
        let copied = std::io::copy(&mut file.take(prefix), &mut HashWriter(&mut hasher))?;
        if copied != prefix {
            return Err(std::io::Error::other(format!(
                "the partial file holds {copied} bytes, not the {prefix} recorded"
            )));
        }
    }
    for chunk in chunks {
        hasher.update(&chunk);
    }
    Ok(hex(&hasher.finalize()))
}

/// The SHA-256 of a whole file, read in pieces (for `verify --deep` and for files finished
/// before hashes were recorded).
pub fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    std::io::copy(
        &mut std::fs::File::open(path)?,
        &mut HashWriter(&mut hasher),
    )?;
    Ok(hex(&hasher.finalize()))
}

struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resumed_hash_equals_the_hash_of_the_whole_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.part");
        let whole: Vec<u8> = (0..300_000u32).map(|n| (n * 7 % 251) as u8).collect();
        std::fs::write(&path, &whole[..120_000]).expect("first part");
        let hasher = ContentHasher::start(&path, 100_000);
        for piece in whole[100_000..].chunks(7_000) {
            hasher.feed(&Bytes::copy_from_slice(piece));
        }
        let resumed = hasher.finish().expect("hash");
        std::fs::write(&path, &whole).expect("whole");
        assert_eq!(resumed, hash_file(&path).expect("hash"));
        assert_eq!(
            hash_file(&path).expect("hash"),
            hex(&Sha256::digest(&whole)),
            "the same as hashing the bytes at once"
        );
        let short = ContentHasher::start(&dir.path().join("missing.part"), 10);
        assert!(short.finish().is_err(), "a missing prefix is an error");
    }
}
