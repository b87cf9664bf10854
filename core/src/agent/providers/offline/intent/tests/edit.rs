//! Renames and descriptions.

use super::super::edit::{ASK_DESCRIPTION, ASK_NEW_TITLE, ASK_WHICH_TO_EDIT, ONE_EDIT_AT_A_TIME};
use super::super::phrases::MAX_READINGS;
use super::*;

#[test]
fn renames_and_descriptions() {
    check(&[
        ("rename 3 to buy oat milk", rename(by_ids(&[3]), "buy oat milk")),
        ("rename task 3 as call dad", rename(by_ids(&[3]), "call dad")),
        ("change task 3 to X", rename(by_ids(&[3]), "X")),
        ("update 3 to buy bread", rename(by_ids(&[3]), "buy bread")),
        ("change the title of 3 to buy bread", rename(by_ids(&[3]), "buy bread")),
        ("change task 3's title to call dad", rename(by_ids(&[3]), "call dad")),
        (
            "rename buy milk to buy oat milk",
            rename(by_title("buy milk"), "buy oat milk"),
        ),
        (
            "rename 'buy milk' to 'buy oat milk'",
            rename(by_title("buy milk"), "buy oat milk"),
        ),
        // A number wins over other readings of "to".
        ("rename 3 to go to the gym", rename(by_ids(&[3]), "go to the gym")),
        ("set the description of 3 to Y", describe(by_ids(&[3]), "Y")),
        (
            "set task 3's description to 2 litres",
            describe(by_ids(&[3]), "2 litres"),
        ),
        ("describe 3 as Y", describe(by_ids(&[3]), "Y")),
        ("add a note to 3: Y", describe(by_ids(&[3]), "Y")),
        (
            "add a description to buy milk saying 2 litres",
            describe(by_title("buy milk"), "2 litres"),
        ),
        (
            "change buy milk's description to 2 litres",
            describe(by_title("buy milk"), "2 litres"),
        ),
        ("clear the description of 3", describe(by_ids(&[3]), "")),
        ("remove the note from 3", describe(by_ids(&[3]), "")),
    ]);
}

#[test]
fn a_title_containing_to_gives_every_reading_for_the_list_to_settle() {
    assert_eq!(
        parse("rename go to gym to go swimming", now()),
        Intent::Edit(vec![
            Edit {
                target: by_title("go"),
                change: Change::Title("gym to go swimming".into()),
            },
            Edit {
                target: by_title("go to gym"),
                change: Change::Title("go swimming".into()),
            },
        ])
    );
}

#[test]
fn incomplete_edits_ask_for_what_is_missing() {
    check(&[
        ("rename 3", Intent::Ask(ASK_NEW_TITLE)),
        ("edit 3", Intent::Ask(ASK_NEW_TITLE)),
        ("rename 3 and 4 to x", Intent::Ask(ONE_EDIT_AT_A_TIME)),
        ("add a note to 3", Intent::Ask(ASK_DESCRIPTION)),
        ("rename it to x", Intent::Ask(ASK_WHICH_TO_EDIT)),
    ]);
}

#[test]
fn an_edit_has_a_bounded_number_of_readings() {
    // Each "to" is a place the old title may end; a message full of them must
    // not make a reading (and a search of the list) per word.
    let message = format!("rename milk{}", " to".repeat(5000));
    match parse(&message, now()) {
        Intent::Edit(edits) => {
            assert_eq!(edits.len(), MAX_READINGS);
            assert_eq!(edits[0].target, by_title("milk"));
        }
        other => panic!("{other:?}"),
    }
    // Deeply nested wishes are read as one, without recursing per phrase.
    let wishes = format!("{}buy milk", "i want to ".repeat(2000));
    assert_eq!(parse(&wishes, now()), add("buy milk"));
}
