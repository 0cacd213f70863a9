//! Untrusted bytes through `decode_rgb` with the engine's default limits: any outcome but a
//! typed input error or an image within the limits is a finding.
#![no_main]

mod common;

use emotion_core::{stages::decode_rgb, DecodeLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    common::tolerate_known_panics();
    let limits = DecodeLimits::default();
    match decode_rgb(bytes, &limits) {
        Ok(image) => {
            let pixels = u64::from(image.width()) * u64::from(image.height());
            assert!(pixels > 0 && pixels <= limits.max_pixels, "{}x{}", image.width(), image.height());
        }
        Err(error) => assert!(error.is_input_error(), "not an input error: {error}"),
    }
});
