//! How long rejecting an oversized image takes, against decoding a normal one: the limit
//! check must come from the header, before any pixel buffer exists.
//! `cargo run --release -p emotion-core --example bench_decode_limits`

use std::time::Instant;

use emotion_core::{decode::decode_rgb, DecodeLimits};

fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    let mut image = image::RgbImage::new(4, 4);
    image.put_pixel(0, 0, image::Rgb([1, 2, 3]));
    let mut bytes = Vec::new();
    image.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).expect("encodes");
    // Rewrite IHDR's width and height (bytes 16..24) and its CRC (bytes 29..33).
    bytes[16..20].copy_from_slice(&width.to_be_bytes());
    bytes[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&bytes[12..29]);
    bytes[29..33].copy_from_slice(&crc.to_be_bytes());
    bytes
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

fn median_micros(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64() * 1e6
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[runs / 2]
}

fn main() {
    let limits = DecodeLimits::default();
    let huge = png_claiming(20_000, 20_000);
    let rejected = decode_rgb(&huge, &limits).expect_err("over the limit");
    let t = median_micros(1000, || {
        let _ = decode_rgb(&huge, &limits);
    });
    println!("20000x20000 PNG header: {} -> rejected in {t:.1} µs (median of 1000)", rejected.code());

    let frame = image::RgbImage::from_fn(640, 480, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut png = Vec::new();
    frame.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png).expect("encodes");
    let t = median_micros(200, || {
        decode_rgb(&png, &limits).expect("decodes");
    });
    println!("640x480 PNG decoded in {:.2} ms (median of 200)", t / 1000.0);
}
