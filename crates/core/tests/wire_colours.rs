//! The annotator's colours are the wire contract's (packages/core/src/wire.ts, `EMOTION_COLOURS`),
//! so a file annotated by the CLI and the page's boxes look alike: read from the TypeScript
//! source, since that module is the one place the colours are written for every client.

use emotion_core::stages::emotion_colour;
use emotion_core::Emotion;

const WIRE: &str = include_str!("../../../packages/core/src/wire.ts");

fn wire_colour(label: &str) -> [u8; 3] {
    let needle = format!("  {label}: '#");
    let start = WIRE.find(&needle).unwrap_or_else(|| panic!("wire.ts names no colour for {label}")) + needle.len();
    let hex = &WIRE[start..start + 6];
    let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).expect("a hex colour");
    [byte(0), byte(2), byte(4)]
}

#[test]
fn every_emotion_is_drawn_in_the_wire_contracts_colour() {
    for emotion in Emotion::ALL {
        assert_eq!(emotion_colour(emotion).0, wire_colour(emotion.as_str()), "{}", emotion.as_str());
    }
}
