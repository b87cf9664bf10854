//! Dates, reminders and priorities: in new tasks and as changes.

use super::super::dates::ASK_WHEN;
use super::*;

fn change(target: Target, change: Change) -> Intent {
    Intent::Edit(vec![Edit { target, change }])
}

fn due_on(iso: &str) -> Change {
    Change::Due(Some(iso.into()))
}

#[test]
fn new_tasks_lose_their_date_and_priority_words_to_the_fields() {
    let reminded = |title: &str, when: When| {
        Intent::Add(vec![NewTask {
            due: Some(when),
            remind: true,
            ..task(title)
        }])
    };
    let urgent = |title: &str, when: Option<When>| {
        Intent::Add(vec![NewTask {
            due: when,
            priority: Some("high"),
            ..task(title)
        }])
    };
    check(&[
        (
            "remind me to call mom tomorrow at 5pm",
            reminded("call mom", at(3, 17, 0)),
        ),
        (
            "set a reminder to call the dentist on friday",
            reminded("call the dentist", day(4)),
        ),
        (
            "add a high priority task to pay rent by the 1st",
            Intent::Add(vec![NewTask {
                due: Some(When::Date(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap_or_default())),
                priority: Some("high"),
                ..task("pay rent")
            }]),
        ),
        ("add call the bank tomorrow", due("call the bank", day(3))),
        ("add submit report due friday", due("submit report", day(4))),
        ("add dentist on Dec 24", due("dentist", day(24))),
        ("add book flights (next week)", due("book flights", day(7))),
        ("add call mom tonight", due("call mom", at(2, 20, 0))),
        ("urgent: call the bank", urgent("call the bank", None)),
        ("add call the bank asap", urgent("call the bank", None)),
        (
            "add an urgent task to file taxes by friday",
            urgent("file taxes", Some(day(4))),
        ),
        ("add pay rent tomorrow, it's urgent", urgent("pay rent", Some(day(3)))),
        (
            "add learn guitar someday",
            Intent::Add(vec![NewTask {
                priority: Some("low"),
                ..task("learn guitar")
            }]),
        ),
        // Quoted words are the title, dates and all.
        ("add 'call mom tomorrow'", add("call mom tomorrow")),
        ("add 'call mom' tomorrow", due("call mom", day(3))),
        ("add important documents", add("important documents")),
        ("add buy 1/2 kg flour", add("buy 1/2 kg flour")),
    ]);
}

#[test]
fn several_tasks_in_one_message_when_each_part_is_a_task() {
    check(&[
        (
            "add buy milk, call mom and water the plants",
            Intent::Add(vec![task("buy milk"), task("call mom"), task("water the plants")]),
        ),
        (
            "add pick up the kids at 5pm and buy milk tomorrow",
            Intent::Add(vec![
                NewTask {
                    due: Some(at(2, 17, 0)),
                    ..task("pick up the kids")
                },
                NewTask {
                    due: Some(day(3)),
                    ..task("buy milk")
                },
            ]),
        ),
        ("add buy salt and pepper", add("buy salt and pepper")),
        ("add research flights and hotels", add("research flights and hotels")),
        ("add fix the door and the window", add("fix the door and the window")),
    ]);
}

#[test]
fn due_dates_reminders_and_priorities_change_by_title_or_number() {
    check(&[
        (
            "move pay rent to next monday",
            change(by_title("pay rent"), due_on("2026-12-07")),
        ),
        ("postpone 3 until friday", change(by_ids(&[3]), due_on("2026-12-04"))),
        (
            "push buy milk to tomorrow at 9am",
            change(by_title("buy milk"), due_on("2026-12-03T09:00")),
        ),
        (
            "reschedule 3 for the 24th of December",
            change(by_ids(&[3]), due_on("2026-12-24")),
        ),
        ("move 3 tomorrow", change(by_ids(&[3]), due_on("2026-12-03"))),
        (
            "pay rent is due friday",
            change(by_title("pay rent"), due_on("2026-12-04")),
        ),
        ("add tomorrow", add("tomorrow")),
        ("make 3 due in 3 days", change(by_ids(&[3]), due_on("2026-12-05"))),
        (
            "set the due date of pay rent to the 1st",
            change(by_title("pay rent"), due_on("2027-01-01")),
        ),
        (
            "remove the due date from pay rent",
            change(by_title("pay rent"), Change::Due(None)),
        ),
        ("clear the deadline of 3", change(by_ids(&[3]), Change::Due(None))),
        (
            "remind me about pay rent at 5pm",
            change(
                by_title("pay rent"),
                Change::Remind {
                    at: "2026-12-02T17:00".into(),
                    due: "2026-12-02T17:00".into(),
                },
            ),
        ),
        (
            "remind me of 3 on friday",
            change(
                by_ids(&[3]),
                Change::Remind {
                    at: "2026-12-04T09:00".into(),
                    due: "2026-12-04".into(),
                },
            ),
        ),
        ("remove the reminder from 3", change(by_ids(&[3]), Change::NoReminder)),
        (
            "make 3 high priority",
            change(by_ids(&[3]), Change::Priority("high".into())),
        ),
        (
            "mark pay rent as urgent",
            change(by_title("pay rent"), Change::Priority("high".into())),
        ),
        (
            "set buy milk to low priority",
            change(by_title("buy milk"), Change::Priority("low".into())),
        ),
        (
            "set the priority of 3 to medium",
            change(by_ids(&[3]), Change::Priority("medium".into())),
        ),
        (
            "prioritize pay rent",
            change(by_title("pay rent"), Change::Priority("high".into())),
        ),
        (
            "pay rent is urgent",
            change(by_title("pay rent"), Change::Priority("high".into())),
        ),
        ("make 3 say buy oat milk", rename(by_ids(&[3]), "buy oat milk")),
        (
            "make buy milk say buy oat milk",
            rename(by_title("buy milk"), "buy oat milk"),
        ),
        ("postpone pay rent", Intent::Ask(ASK_WHEN)),
        // Still new tasks and questions.
        ("make a task to call mom at noon", due("call mom", at(2, 12, 0))),
        ("remind me about the dentist", add("the dentist")),
    ]);
}
