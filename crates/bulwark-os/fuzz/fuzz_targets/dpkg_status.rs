//! Any bytes through the dpkg status and copyright parsers.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = bulwark_os::dpkg::parse_status(&text);
    let _ = bulwark_os::license::from_copyright(&text);
});
