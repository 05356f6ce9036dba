//! plexdl-bench: measures what the project claims and prints a table.
//!
//! Build the program under test first, then run the benchmarks (both in release mode):
//!
//!     cargo build --release -p plexdl-desktop -p plexdl-replay && cargo run --release -p plexdl-bench
//!
//! Every figure comes from a real run against the replay server on this machine: the engine
//! and curl download the same 1 GiB file in alternation; `plexdl run` is a child process
//! whose peak resident memory is read from /proc; kills are SIGKILL at seeded moments; the
//! manifest has 10,000 real rows; polls and idle requests are counted by the server.

#[path = "bigShow.rs"]
mod big_show;
#[path = "bridgeLatency.rs"]
mod bridge_latency;
#[path = "firstRender.rs"]
mod first_render;
mod measures;
#[path = "wakeUps.rs"]
mod wake_ups;

use std::path::PathBuf;

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Figure {
    pub name: String,
    pub value: String,
    pub goal: String,
    pub met: bool,
}

fn plexdl_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let candidate = exe.parent()?.join("plexdl");
    candidate.is_file().then_some(candidate)
}

fn main() -> std::process::ExitCode {
    let Some(plexdl) = plexdl_binary() else {
        eprintln!(
            "plexdl-bench: build the programs first: cargo build --release -p plexdl-desktop -p plexdl-replay"
        );
        return std::process::ExitCode::from(2);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let figures = match runtime.block_on(measures::all(&plexdl)) {
        Ok(figures) => figures,
        Err(message) => {
            eprintln!("plexdl-bench: {message}");
            return std::process::ExitCode::from(1);
        }
    };
    println!("| measure | today | goal | met |");
    println!("|---|---|---|---|");
    for figure in &figures {
        println!(
            "| {} | {} | {} | {} |",
            figure.name,
            figure.value,
            figure.goal,
            if figure.met { "yes" } else { "no" }
        );
    }
    if figures.iter().all(|figure| figure.met) {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(5)
    }
}
