//! How long rejecting an oversized image takes, against decoding a normal one: the limit
//! check must come from the header, before any pixel buffer exists.
//! `cargo run --release -p emotion-core --example bench_decode_limits`

use std::time::Instant;

use emotion_core::stages::decode_rgb;
use emotion_core::DecodeLimits;

#[path = "../tests/support/png.rs"]
mod png;

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
    let huge = png::png_header(20_000, 20_000);
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
