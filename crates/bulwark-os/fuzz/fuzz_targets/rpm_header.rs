//! Any bytes through the rpm header decoder.
#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = bulwark_os::rpm::decode_header(data);
});
