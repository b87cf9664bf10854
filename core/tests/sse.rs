//! The SSE decoder against the byte-split fixtures it shares with the UI's
//! TypeScript decoder (tests/fixtures/sse): the same events at every split.

use std::path::PathBuf;

use serde_json::Value;
use tasktalk_core::sse::SseDecoder;

fn fixtures() -> Vec<(String, Vec<u8>, Vec<String>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/sse");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let fixture: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let stream = fixture["stream"].as_str().unwrap_or_default().as_bytes().to_vec();
            let events = fixture["events"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e.as_str().unwrap_or_default().to_owned())
                .collect();
            (path.display().to_string(), stream, events)
        })
        .collect()
}

fn decode<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Vec<String> {
    let mut decoder = SseDecoder::default();
    let mut events = Vec::new();
    for piece in pieces {
        for event in decoder.push(piece) {
            events.push(event.unwrap_or_else(|e| panic!("{e}")));
        }
    }
    events.extend(decoder.finish());
    events
}

#[test]
fn every_fixture_decodes_to_its_events_at_every_split_point() {
    let fixtures = fixtures();
    assert!(fixtures.len() >= 5, "fixtures missing: {}", fixtures.len());
    for (name, stream, expected) in fixtures {
        assert_eq!(decode([stream.as_slice()]), expected, "{name} in one piece");
        for cut in 0..=stream.len() {
            let (first, second) = stream.split_at(cut);
            assert_eq!(decode([first, second]), expected, "{name} split at byte {cut}");
        }
        assert_eq!(decode(stream.chunks(1)), expected, "{name} one byte at a time");
    }
}
