//! Any bytes through the rpm database readers (format picked from the magic bytes).
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bulwark_os::rpm::read_db(data);
});
