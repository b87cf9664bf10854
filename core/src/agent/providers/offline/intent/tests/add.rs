//! Adding tasks.

use super::super::add::ASK_WHAT_TO_ADD;
use super::*;

#[test]
fn adds_take_the_natural_task_text_as_title() {
    check(&[
        ("add a task to buy milk", add("buy milk")),
        ("add buy milk", add("buy milk")),
        ("Add buy milk.", add("buy milk")),
        ("add  buy   milk ", add("buy milk")),
        ("add 'call mom' to my list", add("call mom")),
        ("Could you add 'Call Mom' to the list, please?", add("Call Mom")),
        ("Please add \"buy milk.\"", add("buy milk")),
        ("can you add eggs?", add("eggs")),
        ("add to my list: buy milk", add("buy milk")),
        ("remind me to call mom", add("call mom")),
        ("Remind me that I need to renew my passport", add("renew my passport")),
        ("I need to buy eggs", add("buy eggs")),
        ("I have to call the bank tomorrow", due("call the bank", day(3))),
        ("Don't forget to pay rent", add("pay rent")),
        ("don\u{2019}t forget to pay rent!", add("pay rent")),
        ("I'd like to buy a bike", add("buy a bike")),
        ("new task: water the plants", add("water the plants")),
        ("new todo - pay rent", add("pay rent")),
        ("todo: call Anna", add("call Anna")),
        ("create a task called Call Mom", add("Call Mom")),
        (
            "Add a new task called \u{201c}Renew passport\u{201d}",
            add("Renew passport"),
        ),
        ("make a task to renew insurance", add("renew insurance")),
        ("put buy milk on my list", add("buy milk")),
        ("set a reminder to call the dentist", add("call the dentist")),
        ("hi, add buy milk please", add("buy milk")),
        ("ADD BUY MILK", add("BUY MILK")),
        ("add buy milk and eggs", add("buy milk and eggs")),
        // Keywords only count as whole words.
        ("add address book cleanup", add("address book cleanup")),
    ]);
}

#[test]
fn a_description_follows_the_title_after_a_colon_dash_with_or_brackets() {
    check(&[
        (
            "add buy milk with description 2 litres",
            add_with("buy milk", "2 litres"),
        ),
        (
            "add a task to buy milk: 2 litres, oat",
            add_with("buy milk", "2 litres, oat"),
        ),
        ("add buy milk - 2 litres", add_with("buy milk", "2 litres")),
        ("add buy milk (2 litres)", add_with("buy milk", "2 litres")),
        (
            "Add task: book flights with note: window seat",
            add_with("book flights", "window seat"),
        ),
        (
            "add buy milk with a note saying 'oat, not soy'",
            add_with("buy milk", "oat, not soy"),
        ),
        (
            "add 'call mom' to my list: ask about Sunday",
            add_with("call mom", "ask about Sunday"),
        ),
        // Quotes keep a colon or dash in the title.
        (
            "add 'meeting: plan Q3' - bring slides",
            add_with("meeting: plan Q3", "bring slides"),
        ),
        // A time is not a description: it is when the task is due.
        ("add call mom at 10:30", due("call mom", at(2, 10, 30))),
        ("add pick up 2023-24 tax forms", add("pick up 2023-24 tax forms")),
    ]);
}

#[test]
fn an_add_without_a_title_asks_for_one() {
    check(&[
        ("add", Intent::Ask(ASK_WHAT_TO_ADD)),
        ("add a task", Intent::Ask(ASK_WHAT_TO_ADD)),
        ("create a new task", Intent::Ask(ASK_WHAT_TO_ADD)),
    ]);
}
