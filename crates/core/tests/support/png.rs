//! Hand-made PNG files for the limit checks: a real header, hardly any data.

/// A PNG claiming `width × height` whose pixel data stops after a few bytes.
pub fn png_header(width: u32, height: u32) -> Vec<u8> {
    let mut bytes = png_signature_and_ihdr(width, height);
    let idat = [b"IDAT".as_slice(), &[0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]].concat();
    bytes.extend(8u32.to_be_bytes());
    bytes.extend(&idat);
    bytes.extend(crc32(&idat).to_be_bytes());
    bytes
}

fn png_signature_and_ihdr(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter, no interlace
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend(13u32.to_be_bytes());
    bytes.extend(&ihdr);
    bytes.extend(crc32(&ihdr).to_be_bytes());
    bytes
}

pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 != 0 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}
