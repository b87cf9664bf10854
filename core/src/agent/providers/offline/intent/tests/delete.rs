//! Deleting tasks.

use super::super::delete::{ASK_WHICH_TO_DELETE, NO_BULK_DELETE};
use super::*;

#[test]
fn deletes_by_number_or_title() {
    check(&[
        ("delete task 3", Intent::Delete(by_ids(&[3]))),
        ("remove 3", Intent::Delete(by_ids(&[3]))),
        ("delete #5", Intent::Delete(by_ids(&[5]))),
        ("erase task 5", Intent::Delete(by_ids(&[5]))),
        ("delete tasks 3, 4 and 5", Intent::Delete(by_ids(&[3, 4, 5]))),
        ("delete buy milk", Intent::Delete(by_title("buy milk"))),
        ("get rid of buy milk", Intent::Delete(by_title("buy milk"))),
        ("forget about buy milk", Intent::Delete(by_title("buy milk"))),
        ("remove buy milk from my list", Intent::Delete(by_title("buy milk"))),
        ("take buy milk off my list", Intent::Delete(by_title("buy milk"))),
        ("delete all completed tasks", Intent::Ask(NO_BULK_DELETE)),
        ("clear my list", Intent::Ask(NO_BULK_DELETE)),
        ("delete it", Intent::Ask(ASK_WHICH_TO_DELETE)),
        ("delete", Intent::Ask(ASK_WHICH_TO_DELETE)),
    ]);
}

#[test]
fn rarer_ways_to_delete() {
    check(&[
        ("scratch 3", Intent::Delete(by_ids(&[3]))),
        ("nuke buy milk", Intent::Delete(by_title("buy milk"))),
        ("forget buy milk", Intent::Delete(by_title("buy milk"))),
        ("I don't need to buy milk anymore", Intent::Delete(by_title("buy milk"))),
        ("dump task 3", Intent::Delete(by_ids(&[3]))),
    ]);
}
