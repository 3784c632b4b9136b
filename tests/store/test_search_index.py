"""The full-text index stays in step with the tables, and can be rebuilt from them."""

from __future__ import annotations

from collections.abc import Callable

from journal.domain.service import JournalService
from journal.model import Contact, ContactMethod, ConversationDraft, MethodKind
from journal.store import search as search_store


def _found(service: JournalService, text: str) -> set[tuple[str, int | None]]:
    """(source, id) of every hit: contacts by contact id, conversations by conversation id."""
    return {(h.source, h.conversation_id if h.source == "conversation" else h.contact_id)
            for h in service.search(text)}


def test_a_word_only_in_a_conversations_details_is_found(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith")
    talk = service.log_conversation(ConversationDraft(
        anna.id, "Popped in", details="She wants the kilimanjaro roast next time"))
    assert _found(service, "kilimanjaro") == {("conversation", talk.id)}
    assert service.list_contact_ids(query="kilimanjaro") == [anna.id]


def test_after_editing_details_the_old_word_is_gone(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith")
    talk = service.log_conversation(ConversationDraft(anna.id, "Visit", details="kilimanjaro"))
    service.update_conversation(talk.id, ConversationDraft(anna.id, "Visit",
                                                           details="sidamo instead"))
    assert _found(service, "kilimanjaro") == set()
    assert service.list_contact_ids(query="kilimanjaro") == []
    assert _found(service, "sidamo") == {("conversation", talk.id)}
    service.update_conversation(talk.id, ConversationDraft(anna.id, "Tasting day"))
    assert _found(service, "visit") == set()
    assert _found(service, "tasting") == {("conversation", talk.id)}


def test_contact_field_edits_are_searchable(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", company="Acme Florists", notes="loves peonies")
    assert _found(service, "florists") == {("contact", anna.id)}
    draft = anna.to_draft()
    draft.company, draft.notes, draft.display_name = "Bloom Ltd", "loves tulips", "Anna Jones"
    service.update_contact(anna.id, draft)
    for old in ("florists", "peonies", "smith"):
        assert _found(service, old) == set(), old
    for new in ("bloom", "tulips", "jones"):
        assert _found(service, new) == {("contact", anna.id)}, new


def test_tag_and_email_changes_are_searchable(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", tags=["wholesale"], methods=[
        ContactMethod(MethodKind.EMAIL, "anna@oldshop.example")])
    assert _found(service, "wholesale") == {("contact", anna.id)}
    assert _found(service, "oldshop") == {("contact", anna.id)}
    draft = service.contact(anna.id).to_draft()
    draft.tags = ["retail"]
    draft.methods = [ContactMethod(MethodKind.EMAIL, "anna@newshop.example")]
    service.update_contact(anna.id, draft)
    assert _found(service, "wholesale") == set()
    assert _found(service, "oldshop") == set()
    assert _found(service, "retail") == {("contact", anna.id)}
    assert _found(service, "newshop") == {("contact", anna.id)}
    assert service.list_contact_ids(query="newshop") == [anna.id]


def test_soft_deleted_records_are_not_found(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", notes="zanzibar")
    bob = add_contact("Bob Brown")
    talk = service.log_conversation(ConversationDraft(bob.id, "Asked about zanzibar"))
    anna_talk = service.log_conversation(ConversationDraft(anna.id, "Mentioned quokka"))
    assert _found(service, "zanzibar") == {("contact", anna.id), ("conversation", talk.id)}

    service.delete_conversation(talk.id)
    service.delete_contact(anna.id)
    assert _found(service, "zanzibar") == set()
    assert _found(service, "quokka") == set()  # a conversation of a contact in the trash
    assert service.list_contact_ids(query="zanzibar") == []

    service.restore_contact(anna.id)
    service.restore_conversation(talk.id)
    assert _found(service, "zanzibar") == {("contact", anna.id), ("conversation", talk.id)}
    assert _found(service, "quokka") == {("conversation", anna_talk.id)}


def test_purged_records_leave_the_index(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", notes="zanzibar")
    service.log_conversation(ConversationDraft(anna.id, "About quokka"))
    service.delete_contact(anna.id)
    service.purge_contact(anna.id)
    db = service.db
    assert db.scalar("SELECT count(*) FROM contacts_fts WHERE contacts_fts MATCH 'zanzibar'") == 0
    assert db.scalar(
        "SELECT count(*) FROM conversations_fts WHERE conversations_fts MATCH 'quokka'") == 0
    db.conn.execute("INSERT INTO contacts_fts(contacts_fts) VALUES ('integrity-check')")
    db.conn.execute(
        "INSERT INTO conversations_fts(conversations_fts) VALUES ('integrity-check')")


def test_rebuild_restores_an_emptied_index(
        service: JournalService, add_contact: Callable[..., Contact]) -> None:
    anna = add_contact("Anna Smith", tags=["wholesale"], methods=[
        ContactMethod(MethodKind.PHONE, "+44 20 7946 0018")])
    talk = service.log_conversation(ConversationDraft(anna.id, "Tasting",
                                                      details="kilimanjaro"))
    gone = service.log_conversation(ConversationDraft(anna.id, "Old", details="kilimanjaro"))
    service.delete_conversation(gone.id)
    with service.db.atomic() as conn:
        conn.execute("DELETE FROM contacts_fts")
        conn.execute("INSERT INTO conversations_fts(conversations_fts) VALUES ('delete-all')")
    assert service.search("anna") == [] and service.search("kilimanjaro") == []

    service.rebuild_search()
    for table in ("contacts_fts", "conversations_fts"):  # rebuilt as one segment each
        assert service.db.scalar(f"SELECT count(DISTINCT segid) FROM {table}_idx") == 1
    assert _found(service, "anna") == {("contact", anna.id)}
    assert _found(service, "wholesale") == {("contact", anna.id)}
    assert _found(service, "7946") == {("contact", anna.id)}
    assert _found(service, "kilimanjaro") == {("conversation", talk.id)}
    # Edits after the rebuild still keep the index right.
    service.update_conversation(talk.id, ConversationDraft(anna.id, "Tasting", details="x"))
    assert _found(service, "kilimanjaro") == set()
    service.db.conn.execute(
        "INSERT INTO conversations_fts(conversations_fts) VALUES ('integrity-check')")


def test_fts_query_quotes_every_word_as_a_prefix() -> None:
    assert search_store.fts_query('  "kili* AND (roast) -decaf ') == (
        '"kili"* "AND"* "roast"* "decaf"*')
    assert search_store.fts_query('"*()- ') is None
