//! Fuzzes every Plex response parser with arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    plexdl_core::fuzz_checks::plex_parsers(data);
});
