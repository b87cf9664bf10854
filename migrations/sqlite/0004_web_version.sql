-- Finds the messages that have no item here yet (see the chat store).
create index if not exists ix_tasktalk_chat_items_message on tasktalk_chat_items (message_id);
