//! Help, greetings, thanks, goodbyes and acknowledgements: messages that are no command.

use super::kinds::Intent;
use super::phrases::each_word;

pub(super) fn small_talk(text: &str) -> Option<Intent> {
    const HELP: &[&str] = &[
        "help",
        "help me",
        "commands",
        "what are the commands",
        "what can you do",
        "what can i do",
        "what can i say",
        "what should i say",
        "what do you do",
        "what can you help with",
        "what can you help me with",
        "how can you help",
        "how can you help me",
        "how does this work",
        "how does it work",
        "how do you work",
        "how do i use this",
        "how do i use you",
        "who are you",
        "what are you",
        "what is this",
        "instructions",
        "usage",
        "options",
        "menu",
    ];
    const GREETINGS: &[&str] = &[
        "hi",
        "hello",
        "hey",
        "hiya",
        "howdy",
        "yo",
        "greetings",
        "hi there",
        "hello there",
        "hey there",
        "good morning",
        "good afternoon",
        "good evening",
        "morning",
        "sup",
        "what's up",
        "whats up",
        "how are you",
        "how are you doing",
        "how's it going",
        "hows it going",
    ];
    const THANKS: &[&str] = &[
        "thanks",
        "thank you",
        "thanks a lot",
        "thanks so much",
        "thank you so much",
        "thank you very much",
        "thanks again",
        "many thanks",
        "thx",
        "ty",
        "cheers",
        "much appreciated",
        "appreciate it",
        "ok thanks",
        "ok thank you",
        "great thanks",
        "perfect thanks",
    ];
    const GOODBYES: &[&str] = &[
        "bye",
        "bye bye",
        "goodbye",
        "good bye",
        "see you",
        "see ya",
        "see you later",
        "later",
        "cya",
        "good night",
        "goodnight",
    ];
    const ACKNOWLEDGEMENTS: &[&str] = &[
        "ok",
        "okay",
        "k",
        "great",
        "cool",
        "nice",
        "perfect",
        "awesome",
        "good",
        "fine",
        "got it",
        "alright",
        "all right",
        "sounds good",
        "sure",
        "yes",
        "yep",
        "yeah",
        "no",
        "nope",
        "no thanks",
        "done",
        "all done",
        "i'm done",
        "im done",
        "that's all",
        "thats all",
        "that's it",
        "thats it",
        "nothing",
        "never mind",
        "nevermind",
        "forget it",
        "cancel",
        "cancel that",
        "wow",
        "lol",
        "good job",
        "well done",
    ];
    // Every phrase above has at most this many words: a longer message is
    // none of them, and only its first words are read.
    const MOST_WORDS: usize = 6;
    let words: Vec<String> = each_word(text).take(MOST_WORDS + 1).collect();
    if words.is_empty() {
        return Some(Intent::Help);
    }
    let joined = words.join(" ");
    let is = |set: &[&str]| set.contains(&joined.as_str());
    let how_to = ["how do i", "how can i", "how to", "how should i"]
        .iter()
        .any(|p| joined.starts_with(&format!("{p} ")));
    if is(HELP) || how_to {
        Some(Intent::Help)
    } else if is(GREETINGS) {
        Some(Intent::Greeting)
    } else if is(THANKS) {
        Some(Intent::Thanks)
    } else if is(GOODBYES) {
        Some(Intent::Goodbye)
    } else if is(ACKNOWLEDGEMENTS) {
        Some(Intent::Acknowledgement)
    } else {
        None
    }
}
