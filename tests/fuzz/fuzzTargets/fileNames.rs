//! Fuzzes the file name rules with arbitrary titles.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    plexdl_core::fuzz_checks::file_names(data);
});
