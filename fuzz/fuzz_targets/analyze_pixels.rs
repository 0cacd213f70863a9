//! `Engine::analyze_rgb` on decoded images of any shape, from 1×1 to 16384×1 and 1×16384:
//! the first four bytes choose the size, the rest (repeated) are the pixels.
#![no_main]

mod common;

use image::RgbImage;
use libfuzzer_sys::fuzz_target;

/// Enough for every odd shape while keeping an execution in the tens of milliseconds.
const MAX_PIXELS: u32 = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((size, pixels)) = data.split_first_chunk::<4>() else { return };
    let mut width = 1 + u32::from(u16::from_le_bytes([size[0], size[1]])) % 16384;
    let mut height = 1 + u32::from(u16::from_le_bytes([size[2], size[3]])) % 16384;
    while width * height > MAX_PIXELS {
        if width > height {
            width /= 2;
        } else {
            height /= 2;
        }
    }
    let raw: Vec<u8> = if pixels.is_empty() {
        vec![0; (width * height * 3) as usize]
    } else {
        pixels.iter().copied().cycle().take((width * height * 3) as usize).collect()
    };
    let image = RgbImage::from_raw(width, height, raw).expect("the buffer has width × height × 3 bytes");
    common::check(common::engine().analyze_rgb(&image), width, height);
});
