//! A provider stream's decoding without the network, for the fuzz targets in
//! fuzz/: the decoder and the assembler every streamed answer goes through.

use super::stream::AnswerAssembler;
use crate::agent::provider::ModelEvent;
use crate::sse::SseDecoder;

/// The data of each event of a body that arrives in `pieces`, including a
/// last event the body ends without its blank line; or the decoder's fault,
/// after which it reads nothing more.
pub fn sse_events<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Result<Vec<String>, String> {
    let mut decoder = SseDecoder::default();
    let mut events = Vec::new();
    for piece in pieces {
        for event in decoder.push(piece) {
            events.push(event.map_err(|fault| format!("{fault:?}"))?);
        }
    }
    events.extend(decoder.finish());
    Ok(events)
}

/// What the events' data assemble to: the model events up to `Finished`, or
/// why the stream would be refused (also when it ends before the finish).
pub fn assemble(events: &[String]) -> Result<Vec<ModelEvent>, String> {
    let mut assembler = AnswerAssembler::default();
    let mut assembled = Vec::new();
    for data in events {
        let more = assembler.on_data(data).map_err(|fault| format!("{fault:?}"))?;
        assembled.extend(more.events);
        if more.finished {
            return Ok(assembled);
        }
    }
    Err("the stream ended before the answer finished".to_owned())
}
