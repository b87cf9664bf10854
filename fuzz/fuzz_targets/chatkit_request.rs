//! The ChatKit request parser on any body: it never panics, decides the same
//! way every time, accepts only JSON whose type is a string, and streams
//! exactly the streaming types. (serde also reads a struct from an array,
//! so `["threads.list", {}]` is accepted like its object form.)
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tasktalk_core::chatkit::{Error, parse_request};

/// The request types answered with a stream of events.
const STREAMING: &[&str] = &[
    "threads.create",
    "threads.add_user_message",
    "threads.add_client_tool_output",
    "threads.add_structured_input",
    "threads.retry_after_item",
    "threads.custom_action",
];

fuzz_target!(|body: &[u8]| {
    let parsed = parse_request(body);
    let shown = format!("{parsed:?}");
    assert_eq!(
        shown,
        format!("{:?}", parse_request(body)),
        "two parses of one body differ"
    );
    match parsed {
        Ok(request) => {
            let value: Value = serde_json::from_slice(body).expect("an accepted body is JSON");
            let kind = value.get("type").unwrap_or(&value[0]);
            let kind = kind.as_str().expect("an accepted body has a string type");
            let unsupported = shown.starts_with("Ok(Unsupported(");
            assert_eq!(
                request.is_streaming(),
                !unsupported && STREAMING.contains(&kind),
                "streaming-ness of {kind}"
            );
        }
        Err(Error::BadRequest(message)) => assert!(!message.is_empty(), "an empty refusal"),
        Err(other) => panic!("the parser refused with {other:?}, not a bad request"),
    }
});
