//! Any bytes through the apk installed-database and os-release parsers.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = bulwark_os::apk::parse_installed(&text);
    let _ = bulwark_os::distro::parse_os_release(&text);
});
