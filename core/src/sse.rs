//! The one Server-Sent-Events decoder: a model provider's stream and a remote
//! ChatKit back end's both go through it. Bytes go in as they arrive; each
//! complete event's data comes out. Only `data:` fields matter to either
//! reader, so other fields and comments are skipped.
//!
//! Bytes are kept until a line is complete and only then decoded, so a UTF-8
//! character split across two TCP chunks comes out whole (line ends are ASCII
//! and never fall inside a character). Lines end with LF, CRLF or a bare CR,
//! also when the CR and the LF of one CRLF arrive in different chunks.

/// The largest line or event accepted. Real events are a few hundred bytes; a
/// bigger one ends the stream instead of growing a buffer without bound.
pub const EVENT_LIMIT: usize = 1 << 20;

/// Why the decoder stopped reading: the stream broke [`EVENT_LIMIT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("a line larger than {} MiB", EVENT_LIMIT >> 20)]
    LineTooLarge,
    #[error("an event larger than {} MiB", EVENT_LIMIT >> 20)]
    EventTooLarge,
}

impl SseError {
    /// What was too large, to finish a sentence: "sent {what} larger than…".
    pub fn what(self) -> &'static str {
        match self {
            Self::LineTooLarge => "a line",
            Self::EventTooLarge => "an event",
        }
    }
}

/// The decoder's state between chunks; feed it with [`push`](Self::push), end
/// with [`finish`](Self::finish).
#[derive(Debug, Default)]
pub struct SseDecoder {
    partial: Vec<u8>,
    /// How much of `partial` is known to hold no line end, so a long line
    /// arriving in small pieces is scanned once, not once per piece.
    scanned: usize,
    /// The last chunk ended in a CR: an LF starting the next one belongs to it.
    after_cr: bool,
    data: String,
    has_data: bool,
    saw_bytes: bool,
}

impl SseDecoder {
    /// The data of each event these bytes complete, in order, ending at the
    /// first error if any; the decoder is not to be used after an error.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Result<String, SseError>> {
        if bytes.is_empty() {
            return Vec::new();
        }
        self.saw_bytes = true;
        let bytes = if std::mem::take(&mut self.after_cr) {
            bytes.strip_prefix(b"\n").unwrap_or(bytes)
        } else {
            bytes
        };
        self.partial.extend_from_slice(bytes);
        let mut events = Vec::new();
        let mut start = 0;
        while let Some(offset) = self.partial[start + self.scanned..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
        {
            let end = start + self.scanned + offset;
            self.scanned = 0;
            let next = match self.partial.get(end..end + 2) {
                Some(b"\r\n") => end + 2,
                None if self.partial[end] == b'\r' => {
                    self.after_cr = true;
                    end + 1
                }
                _ => end + 1,
            };
            let line = &self.partial[start..end];
            let event = if line.len() > EVENT_LIMIT {
                Some(Err(SseError::LineTooLarge))
            } else {
                let line = String::from_utf8_lossy(line).into_owned();
                self.line(&line).transpose()
            };
            start = next;
            match event {
                Some(Err(error)) => return self.failed(events, error),
                Some(event) => events.push(event),
                None => {}
            }
        }
        self.partial.drain(..start);
        self.scanned = self.partial.len();
        if self.partial.len() > EVENT_LIMIT {
            return self.failed(events, SseError::LineTooLarge);
        }
        events
    }

    /// The events before an error, then the error; what was buffered is dropped.
    fn failed(&mut self, mut events: Vec<Result<String, SseError>>, error: SseError) -> Vec<Result<String, SseError>> {
        *self = Self {
            saw_bytes: self.saw_bytes,
            ..Self::default()
        };
        events.push(Err(error));
        events
    }

    fn line(&mut self, line: &str) -> Result<Option<String>, SseError> {
        if line.is_empty() {
            if !self.has_data {
                return Ok(None);
            }
            self.has_data = false;
            return Ok(Some(std::mem::take(&mut self.data)));
        }
        if line.starts_with(':') {
            return Ok(None);
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        if field == "data" {
            if self.data.len() + value.len() + 1 > EVENT_LIMIT {
                return Err(SseError::EventTooLarge);
            }
            if self.has_data {
                self.data.push('\n');
            }
            self.data.push_str(value);
            self.has_data = true;
        }
        Ok(None)
    }

    /// At the end of the body: the last event if its lines were complete but
    /// the blank line that ends it never came. A half line is dropped, as the
    /// SSE specification says.
    pub fn finish(&mut self) -> Option<String> {
        if self.partial.is_empty() && self.has_data {
            self.has_data = false;
            Some(std::mem::take(&mut self.data))
        } else {
            None
        }
    }

    /// Whether any byte came at all: an empty body and a body that is not an
    /// event stream are told apart by it.
    pub fn saw_bytes(&self) -> bool {
        self.saw_bytes
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn decode(pieces: &[&[u8]]) -> Vec<String> {
        let mut sse = SseDecoder::default();
        let mut events = Vec::new();
        for piece in pieces {
            events.extend(
                sse.push(piece)
                    .into_iter()
                    .map(|e| e.unwrap_or_else(|f| panic!("{f:?}"))),
            );
        }
        events.extend(sse.finish());
        events
    }

    #[test]
    fn sse_lines_split_anywhere_crlf_comments_and_other_fields() {
        let whole: &[u8] = ": keep-alive\r\nevent: message\r\nid: 7\r\ndata: {\"a\":\"é\"}\r\n\r\ndata: one\ndata: two\n\nretry: 10\n\ndata:[DONE]\n\n".as_bytes();
        let expected = ["{\"a\":\"é\"}", "one\ntwo", "[DONE]"];
        assert_eq!(decode(&[whole]), expected);
        // Every split point, including inside "\r\n" and inside the two bytes of é.
        for cut in 0..whole.len() {
            assert_eq!(decode(&[&whole[..cut], &whole[cut..]]), expected, "split at {cut}");
        }
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        assert_eq!(decode(&bytes), expected);
    }

    #[test]
    fn a_bare_cr_ends_a_line_and_a_crlf_split_across_chunks_ends_one() {
        assert_eq!(decode(&[b"data: one\r\rdata: two\r\r"]), ["one", "two"]);
        assert_eq!(
            decode(&[b"data: one\r", b"\n", b"\r", b"\ndata: two\n\n"]),
            ["one", "two"]
        );
        assert_eq!(decode(&[b"data: one\r", b"", b"\n\r\n"]), ["one"]);
    }

    #[test]
    fn sse_long_line_in_tiny_pieces_takes_linear_time() {
        // Found by the provider_sse fuzz target: each piece rescanned the
        // whole unfinished line for its end, so a line trickled in byte by
        // byte cost its length squared (about 2 * 10^9 steps here).
        let line = format!("data: {}\n\n", "x".repeat(64 * 1024));
        let started = std::time::Instant::now();
        let events = decode(&line.as_bytes().chunks(1).collect::<Vec<_>>());
        assert_eq!(events.len(), 1);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "took {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn sse_last_event_without_blank_line_counts_but_half_line_does_not() {
        assert_eq!(decode(&[b"data: [DONE]\n"]), ["[DONE]"]);
        assert_eq!(decode(&[b"data: [DONE]\r\n"]), ["[DONE]"]);
        assert!(decode(&[b"data: {\"choi"]).is_empty());
    }

    #[test]
    fn a_long_line_in_one_byte_pieces_is_scanned_once() {
        let line = format!("data: {}\n\n", "x".repeat(256 * 1024));
        let started = std::time::Instant::now();
        let pieces: Vec<&[u8]> = line.as_bytes().chunks(1).collect();
        assert_eq!(decode(&pieces).first().map(String::len), Some(256 * 1024));
        // Rescanning the whole buffer for each byte took minutes.
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
    }

    #[test]
    fn lines_and_events_over_the_limit_are_refused_after_the_events_before_them() {
        let mut sse = SseDecoder::default();
        assert_eq!(sse.push(&vec![b'x'; EVENT_LIMIT + 1]), [Err(SseError::LineTooLarge)]);
        let mut sse = SseDecoder::default();
        let long = format!("data: a\n\ndata: {}\n\n", "x".repeat(EVENT_LIMIT));
        assert_eq!(
            sse.push(long.as_bytes()),
            [Ok("a".to_owned()), Err(SseError::LineTooLarge)]
        );
        let mut sse = SseDecoder::default();
        let half = format!("data: {}\n", "x".repeat(EVENT_LIMIT / 2));
        assert_eq!(sse.push(half.as_bytes()), []);
        assert_eq!(sse.push(half.as_bytes()), [Err(SseError::EventTooLarge)]);
    }
}
