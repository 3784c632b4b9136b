"""The sample shop: a realistic journal a new user can explore, and large journals to measure.

Everything is generated from a seed and relative to "today", so the agenda always has
something due, a few birthdays this week, open complaints and promised follow-ups.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from journal.errors import ValidationError
from journal.store import bulk
from journal.store import contacts as contact_store
from journal.store import settings as settings_store
from journal.store.codec import stamp
from journal.store.connection import Database

# (given, family, preferred, pronunciation) from many cultures
PEOPLE = [
    ("Margaret", "O'Brien", "Peggy", ""), ("Siobhan", "Kelly", "", "shiv-AWN"),
    ("Oluwaseun", "Adeyemi", "Seun", "SHAY-oon"), ("Nguyễn", "Thị Lan", "Lan", "lahn"),
    ("Giuseppe", "Rossi", "Beppe", "BEP-peh"), ("Aoife", "Murphy", "", "EE-fa"),
    ("Rajesh", "Krishnamurthy", "Raj", ""), ("Zhang", "Wei", "Wei", "way"),
    ("Ingrid", "Johansson", "", ""), ("José", "García López", "Pepe", ""),
    ("Elizabeth", "Bennett", "Liz", ""), ("Mohammed", "Al-Sayed", "Mo", ""),
    ("Søren", "Kierkegaard", "", "SUR-en"), ("Yuki", "Tanaka", "", ""),
    ("Catherine", "Dubois", "Cathy", ""), ("Wojciech", "Nowak", "Wojtek", "VOY-tek"),
    ("Anastasia", "Petrova", "Nastya", ""), ("Thandiwe", "Nkosi", "Thandi", "tan-DEE-weh"),
    ("Robert", "MacLeod", "Bob", "mac-LOWD"), ("Priya", "Sharma", "", ""),
    ("Fatima", "Zahra", "", ""), ("Diego", "Fernández", "", ""), ("Hannah", "Schmidt", "", ""),
    ("Kwame", "Mensah", "", "KWAH-may"), ("Ayşe", "Yılmaz", "", "AY-sheh"),
    ("William", "Thompson", "Bill", ""), ("Mei", "Lin", "", ""), ("Lars", "Andersen", "", ""),
    ("Chiara", "Bianchi", "", "KYAH-rah"), ("Tomás", "Ó Súilleabháin", "Tom", "oh-SULL-ih-van"),
    ("Amara", "Okafor", "", ""), ("Jacques", "Lefèvre", "", "zhahk"),
    ("Ananya", "Iyer", "Annie", ""), ("Kenji", "Watanabe", "", ""),
    ("Isabella", "Costa", "Bella", ""), ("Alexander", "Ivanov", "Sasha", ""),
    ("Grace", "Wanjiru", "", ""), ("Olivia", "Brown", "Liv", ""), ("Ahmed", "Hassan", "", ""),
    ("Sophie", "Martin", "", ""), ("Emeka", "Eze", "", "eh-MEH-ka"), ("Lucía", "Romero", "", ""),
    ("Henrik", "Larsen", "", ""), ("Ji-woo", "Park", "", "jee-woo"),
    ("Patricia", "Walsh", "Trish", ""), ("Dmitri", "Sokolov", "Dima", ""),
    ("Nadia", "Haddad", "", ""), ("Benjamin", "Cohen", "Ben", ""), ("Leilani", "Kahale", "", ""),
    ("Finn", "O'Connor", "", ""), ("Rosa", "Martínez", "", ""), ("Arjun", "Mehta", "", ""),
    ("Élodie", "Rousseau", "", "ay-loh-DEE"), ("Samuel", "Osei", "Sam", ""),
    ("Hiroshi", "Sato", "", ""), ("Maria", "Papadopoulou", "", ""),
    ("Connor", "Fitzgerald", "", ""), ("Zainab", "Bello", "", ""),
    ("Theodore", "Whitfield", "Teddy", ""), ("Astrid", "Lindqvist", "", ""),
]
FAMILY_NAMES = [p[1] for p in PEOPLE]
GIVEN_NAMES = [p[0] for p in PEOPLE]
COMPANIES = ["", "", "", "Bloom & Co", "Harbour Café", "St Mary's School", "Riverside Dental",
             "The Old Mill B&B", "Greenfield Estates", "City Library", "Town Council"]
TITLES = ["", "", "Owner", "Manager", "Teacher", "Nurse", "Chef", "Architect", "Retired"]
TAGS = ["regulars", "wholesale", "weddings", "VIP", "newsletter", "neighbours", "corporate"]
HOW_MET = ["Walked in during the spring fair", "Recommended by a regular",
           "Found us on Instagram", "Ordered wedding flowers", "Neighbour from across the street",
           "Came to the Christmas wreath workshop", ""]
LIKES = ["loves yellow tulips", "allergic to lilies", "prefers wrapping in brown paper",
         "has two spaniels, Biscuit and Pepper", "grows tomatoes on the balcony",
         "daughter Emma started university", "collects blue glass vases",
         "always asks about our seasonal peonies", "runs marathons", "plays cello in a quartet"]
CHANNELS = ["in_person", "in_person", "in_person", "phone", "email", "text", "video", "social",
            "letter", "other"]
TOPICS = [
    ("Picked up the weekly bouquet", "Chatted about the garden; {like}."),
    ("Asked about wedding arrangements", "Wants a quote for 12 table centrepieces."),
    ("Birthday bouquet for a friend", "Chose sunflowers and eucalyptus; {like}."),
    ("Thanked us for the funeral wreath", "Very touched by the white roses."),
    ("Questions about plant care", "Orchid dropping buds: suggested less water, more light."),
    ("Ordered a standing order", "Fresh flowers for the reception every Monday."),
    ("Feedback on the new website", "Found the online order form confusing on her phone."),
    ("Caught up at the farmers' market", "Talked about the autumn dahlias; {like}."),
]
COMPLAINTS = [
    ("Bouquet wilted after two days", "Roses drooped quickly; offered a replacement."),
    ("Delivery arrived late", "The anniversary delivery came after 6 pm instead of noon."),
    ("Wrong colour ribbon", "Asked for ivory, got white; wedding is next month."),
]
PRODUCTS = [("Seasonal bouquet", 3500), ("Wedding centrepiece", 8500), ("Potted orchid", 2900),
            ("Funeral wreath", 12000), ("Weekly standing order", 4500),
            ("Wreath workshop ticket", 5500), ("Gift card", 2500), ("Succulent trio", 1800)]


# The first customers get birthdays and anniversaries in the coming week, so the sample shop's
# agenda shows some; beyond them dates fall through the year like real ones (about one
# customer in 60 has a birthday in a given week, not one in 9).
SHOWCASE_DATES = 500


@dataclass
class DemoSize:
    contacts: int = 60
    conversations: int | None = None  # None: a varied history per contact
    seed: int = 7


def fill(db: Database, now: dt.datetime, size: DemoSize | None = None) -> int:
    """Fill an empty journal with the sample shop; returns the number of customers added."""
    size = size or DemoSize()
    if contact_store.count(db) > 0:
        raise ValidationError(
            "This journal already holds customers; the sample shop only goes into an empty "
            "journal (use --data-dir with a new folder).")
    if size.contacts <= 0:
        raise ValidationError("The sample shop needs at least one customer.")
    generator = _Generator(random.Random(size.seed), now)
    contacts, methods, tags = generator.people(size.contacts)
    conversations = generator.conversations(size.contacts, size.conversations)
    purchases = generator.purchases(size.contacts)
    bulk.insert_all(db, contacts=contacts, methods=methods, tags=tags,
                    conversations=conversations, purchases=purchases, now_stamp=stamp(now),
                    large=size.contacts >= 5000)
    if not settings_store.read_all(db):
        settings_store.write(db, {"business_name": "The Corner Florist",
                                  "owner_name": "Robin", "signature": "Warmly,\nRobin",
                                  "default_currency": "EUR", "default_country": "IE"}, now)
    return size.contacts


class _Generator:
    def __init__(self, rng: random.Random, now: dt.datetime) -> None:
        self.rng = rng
        self.now = now
        self.today = now.date()
        self.stamp = stamp(now)
        self.offset = now.strftime("%z")
        self.offset = f"{self.offset[:3]}:{self.offset[3:]}" if self.offset else "+00:00"
        # uuid4-shaped prefix (random per seed) + a counter
        head = uuid.UUID(int=rng.getrandbits(128), version=4).hex
        self._uid_prefix = f"{head[:8]}-{head[8:12]}-{head[12:16]}-{head[16:20]}-"
        self._uid_counter = 0
        self._moments: dict[tuple[int, int, int], tuple[str, str]] = {}

    def _uid(self) -> str:
        """Unique and increasing: sample rows go into the uid index in order (fast at scale)."""
        self._uid_counter += 1
        return f"{self._uid_prefix}{self._uid_counter:012x}"

    def _person(self, i: int) -> tuple[str, str, str, str]:
        if i < len(PEOPLE):
            return PEOPLE[i]
        return (self.rng.choice(GIVEN_NAMES), self.rng.choice(FAMILY_NAMES), "", "")

    def people(self, count: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]],
                                          list[tuple[int, str]]]:
        rng, contacts, methods, tags = self.rng, [], [], []
        for cid in range(1, count + 1):
            given, family, preferred, pronunciation = self._person(cid - 1)
            created = self.today - dt.timedelta(days=rng.randint(20, 900))
            birthday = self._birthday(cid)
            cadence = rng.choice([7, 14, 14, 30, 30, 30, 60, 90, None])
            notes = rng.choice(LIKES).capitalize() + "."
            contacts.append((
                cid, self._uid(), given, family, f"{given} {family}", preferred, pronunciation,
                rng.choice(COMPANIES), rng.choice(TITLES), birthday,
                self._anniversary(cid), created.isoformat(), rng.choice(HOW_MET), notes,
                cadence, f"{created.isoformat()}T10:00:00.000000Z", self.stamp))
            slug = "".join(ch for ch in f"{given}.{family}".lower() if ch.isascii()
                           and (ch.isalnum() or ch == "."))
            methods.append((self._uid(), cid, "email", "home", f"{slug}{cid}@example.com", 1, 0,
                            self.stamp))
            methods.append((self._uid(), cid, "phone", "mobile",
                            f"+353 87 {rng.randint(100, 999)} {rng.randint(1000, 9999)}", 1, 1,
                            self.stamp))
            if rng.random() < 0.3:
                methods.append((self._uid(), cid, "address", "home",
                                f"{rng.randint(1, 120)} Main Street, Kinsale", 1, 2, self.stamp))
            for tag in rng.sample(TAGS, rng.choice([0, 1, 1, 2])):
                tags.append((cid, tag))
        return contacts, methods, tags

    def _birthday(self, cid: int) -> str | None:
        rng = self.rng
        if cid % 9 == 1 and cid <= SHOWCASE_DATES:  # a few this week, for the agenda to show
            day = self.today + dt.timedelta(days=cid % 7)
        elif rng.random() < 0.6:
            day = dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 365))
        else:
            return None
        if cid % 4 == 0:
            return f"--{day.month:02d}-{day.day:02d}"
        year = rng.randint(1945, 2004)
        if day.month == 2 and day.day == 29:
            year = 1996
        return f"{year}-{day.month:02d}-{day.day:02d}"

    def _anniversary(self, cid: int) -> str | None:
        if cid % 15 != 3:
            return None
        if cid <= SHOWCASE_DATES:
            day = self.today + dt.timedelta(days=cid % 5)
        else:
            day = dt.date(2001, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))
        return f"{self.rng.randint(1980, 2020)}-{day.month:02d}-{day.day:02d}"

    def _moment(self, days_ago: int) -> tuple[str, str]:
        rng = self.rng
        key = (days_ago, 9 + int(rng.random() * 10), int(rng.random() * 6))
        cached = self._moments.get(key)
        if cached is None:
            day = self.today - dt.timedelta(days=days_ago)
            minute = (0, 10, 15, 30, 45, 50)[key[2]]
            if days_ago == 0 and (key[1], minute) > (self.now.hour, self.now.minute):
                day -= dt.timedelta(days=1)  # no conversation later today: it has not happened
            local = f"{day.isoformat()}T{key[1]:02d}:{minute:02d}:00{self.offset}"
            utc = dt.datetime.fromisoformat(local).astimezone(dt.UTC).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            cached = self._moments[key] = (local, utc)
        return cached

    def conversations(self, contacts: int, total: int | None) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        if total is None:
            plan = [(cid, rng.choice([0, 1, 2, 3, 4, 6, 8])) for cid in range(1, contacts + 1)]
        else:
            plan = [(1 + int(rng.random() * contacts), 1) for _ in range(total)]
        # a shop-sized journal shows a handful of promised follow-ups; a huge one, a few dozen
        follow_up_rate = 0.03 if total is None else min(0.03, 60 / max(total, 1))
        complaints_left = 3 if total is None else max(3, total // 2000)
        random_ = rng.random
        details_cache: dict[tuple[int, int], str] = {}
        for cid, count in plan:
            for n in range(count):
                days_ago = 1 + int(random_() * 400) if n else int(random_() * 121)
                local, utc = self._moment(days_ago)
                kind, follow_up, resolved, resolution = "conversation", None, None, ""
                topic, like = int(random_() * len(TOPICS)), int(random_() * len(LIKES))
                summary, details = TOPICS[topic]
                if (topic, like) not in details_cache:
                    details_cache[topic, like] = details.format(like=LIKES[like])
                if complaints_left and cid % 13 == 5 and n == 0:
                    summary, details = COMPLAINTS[complaints_left % len(COMPLAINTS)]
                    kind, complaints_left = "complaint", complaints_left - 1
                else:
                    details = details_cache[topic, like]
                roll = random_()
                if kind != "conversation":
                    pass
                elif roll < 0.05:
                    kind = "feedback"
                elif roll < 0.05 + follow_up_rate:
                    follow_up = (self.today - dt.timedelta(days=rng.randint(-3, 4))).isoformat()
                if kind == "complaint" and rng.random() < 0.2:
                    resolved, resolution = self.today.isoformat(), "Replaced free of charge."
                yield (self._uid(), cid, local, utc, CHANNELS[int(random_() * len(CHANNELS))],
                       "in" if random_() < 0.5 else "out", kind, summary, details, follow_up,
                       0, resolved, resolution, self.stamp, self.stamp)

    def purchases(self, contacts: int) -> Iterator[tuple[Any, ...]]:
        rng = self.rng
        for cid in range(1, contacts + 1):
            for _ in range(rng.choice([0, 1, 2, 3, 5])):
                product, price = rng.choice(PRODUCTS)
                day = self.today - dt.timedelta(days=rng.randint(0, 500))
                yield (self._uid(), cid, day.isoformat(), product,
                       price + rng.choice([0, 0, 250, 500, -300]), "EUR",
                       f"INV-{rng.randint(1000, 9999)}", "", self.stamp, self.stamp)
