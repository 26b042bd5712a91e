"""Party facts from an article's text: who held which role, which Party documents are cited, how many members.

Hospital Party news is written to a formula ("đồng chí Mã Quốc Thiện - Bí thư Đảng bộ, Giám đốc Bệnh viện",
"74 đồng chí đại diện cho 278 đảng viên (chính thức 228, dự bị 13)", "Kết luận số 21-KL/TW"), so a few precise
patterns find most facts; where a pattern is unsure it leaves the fact out (precision over recall).
Measured against the mirrors' hand-made labels in tests/test_facts.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from scraper.extract.text import clean_text, fold

EVENT_TYPES = (
    "hội nghị sơ kết",
    "hội nghị tổng kết",
    "đại hội",
    "kết nạp đảng viên",
    "học tập nghị quyết",
    "trao huy hiệu",
    "sinh hoạt chuyên đề",
    "kiểm tra giám sát",
    "other",
)
COUNT_FIELDS = ("total", "chinh_thuc", "du_bi", "nu", "dan_toc", "delegates")

# Common Vietnamese family names (and Khmer ones used in the Mekong delta): a name must start with one.
_SURNAMES_TEXT = """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Mã Trương Lâm Tô Quách Tạ
Diệp Lưu Trịnh Châu Thạch Đinh Sơn Cao Đoàn Tăng Mai Hà Triệu Khúc Chu La Lương Thái Từ Kiều Kha Lữ
Lục Mạc Ninh Ông Quan Tiêu Tôn Văn Vương Thân Nghiêm Âu Đàm Đào Giang Hứa Kim Khổng Lạc Liêu Mạch
Nông Phùng Quang Tống Danh Kiên Chau Néang Trà
"""
SURNAMES = frozenset(_SURNAMES_TEXT.split())
# Words a role starts with, as written after the name ("- Bí thư Đảng bộ", ", điều dưỡng Khoa Nhi").
ROLE_HEADS = (
    "Bí thư",
    "Phó Bí thư",
    "Giám đốc",
    "Phó Giám đốc",
    "Trưởng",
    "Phó Trưởng",
    "Phó khoa",
    "Phó phòng",
    "Ủy viên",
    "Uỷ viên",
    "Đảng ủy viên",
    "Chủ nhiệm",
    "Phó Chủ nhiệm",
    "Chủ tịch",
    "Phó Chủ tịch",
    "đảng viên",
    "điều dưỡng",
    "bác sĩ",
    "dược sĩ",
    "kỹ thuật viên",
    "hộ sinh",
    "hộ lý",
    "nguyên",
    "Điều dưỡng trưởng",
    "Thư ký",
)
# Words that end a role: the sentence goes on with a verb or another person.
_ROLE_STOPS = (
    r"cùng|và|được|giữ chức|tiếp tục|tái đắc cử|làm trưởng đoàn|chủ trì|đồng chủ trì|đã|thông qua|trình bày|"
    r"yêu cầu|biểu dương|chia sẻ|nêu|báo cáo|đề nghị|phát biểu|nhấn mạnh|cho biết|người|chúc mừng|trao|"
    r"công bố|quán triệt|bày tỏ|ghi nhận|đánh giá|kết luận|tặng|nhận|về|tại|trong|với|thay mặt|hứa|tiếp thu|"
    r"nhắc nhở|xúc động|cảm ơn|vinh dự|thông tin|khẳng định|giới thiệu|điều hành|nhiệm kỳ|đọc|trực tiếp|"
    r"truyền đạt|làm"
)
_ROLE_END = re.compile(rf"\s(?:{_ROLE_STOPS})(?=[\s,.;:]|$)|[.;:()“”\"]|,\s(?=đồng chí\s)|\s-\s(?=[a-zđ])|,?$")


def _by_first_letter(words: str) -> str:
    """ "cùng|chủ trì|và" → "c(?:ùng|hủ trì)|v(?:à)": the same words, but the regex engine compares one first
    letter per group, not every word in turn at every space of a role (a role's end is found ~1.4x faster)."""
    groups: dict[str, list[str]] = {}
    for word in words.split("|"):
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(f"{letter}(?:{'|'.join(rests)})" for letter, rests in groups.items())


# Where ``_ROLE_END`` matches, less its ",?$": that alternative can start anywhere (an empty comma, then the
# end), so the regex engine tries it at every character. Without it, the first character is from one set
# and lookbehinds tell the alternatives apart (as in _NAME_TRIGGER below): it skips to the spaces and stops at
# C speed. ",?$" only matches in the last three characters; ``_role_after`` checks there with _ROLE_END.
_ROLE_STOP = re.compile(
    r"[\s.;:()“”\",](?:(?<=[.;:()“”\"])|(?<=,)\s(?=đồng chí\s)|(?<=\s)-\s(?=[a-zđ])"
    rf"|(?<=\s)(?:{_by_first_letter(_ROLE_STOPS)})(?=[\s,.;:]|$))"
)
# The trigger words, each written as its first letter, then "no word character before it", then the rest of
# the word: the same matches as \b(?:đồng chí|quần chúng|...), but a pattern that starts with a character set
# lets the regex engine skip most positions at C speed (2x faster on an article).
_NAME_TRIGGER = re.compile(
    r"[đqBbĐAC](?<!\w[đqBbĐAC])"
    r"(?:(?<=đ)ồng chí|(?<=q)uần chúng|(?<=[Bb])ác sĩ(?: chuyên khoa (?:I|II))?|(?<=Đ)ồng chí|(?<=A)nh|(?<=C)hị)\s+"
)
# What every _NAME_TRIGGER match holds, with how far before it the match starts ("ồng chí" after "đ" or "Đ").
_TRIGGER_WORDS = (("ồng chí", 1), ("quần chúng", 0), ("ác sĩ", 1), ("Anh", 0), ("Chị", 0))
# A name: up to five words apart by single spaces (``_name_at`` keeps the capitalised ones).
_NAME_WORDS = re.compile(r"\s*([^\W\d_]+(?: [^\W\d_]+){0,4})")
# "... - Giám đốc Bệnh viện được tín nhiệm bầu giữ chức Bí thư Đảng ủy": the office elected to, right after.
_ELECTED = re.compile(
    r"\s*(?:tiếp tục )?(?:được (?:tín nhiệm )?bầu |đã được bầu )?(?:tiếp tục )?(?:giữ chức|tái đắc cử)"
    r" (?P<role>[^,.;]*?)"
    r"(?=\s(?:nhiệm kỳ|và|tại|cùng)\s|[,.;]|$)"
)

# The number's first digit, then "no [\w/-] before it" (a lookbehind over that digit), then up to three more:
# the same matches as (?<![\w/-])(\d{1,4}), but a pattern that starts with a character set lets the regex
# engine skip to the digits at C speed (1.6x faster on an article than a lookahead (?=\d) first). The hint
# (what every identifier contains) tells ``_document_matches`` where to search: only for speed too.
_DOCUMENT = re.compile(r"(\d(?<![\w/-]\d)\d{0,3})\s?-\s?([A-ZĐ][A-Za-zĐđ]{0,4})\s?/\s?([A-ZĐ]{2,6})(?![\w/])")
_DOCUMENT_HINT = re.compile(r"/\s?[A-ZĐ]{2}")
_ROLE_START = re.compile(r"\s?(?:-|–|,)\s")


def _count_regex(pattern: str) -> re.Pattern:
    r"""The pattern, case-insensitive; a leading "(\d+)" compiled as "(\d\d*)", the same matches: a pattern
    that starts with a character set lets the regex engine skip to the digits at C speed (~1.4x faster)."""
    if pattern.startswith(r"(\d+)"):
        pattern = r"(\d\d*)" + pattern.removeprefix(r"(\d+)")
    return re.compile(pattern, re.IGNORECASE)


# Each pattern with the fields it fills and a few words (lower case) that every sentence it matches contains:
# a sentence without one of them is never searched with it. The patterns run on every sentence of every
# article written to the archive, and that plain ``in`` test is what keeps ingest fast (python -m bench ingest).
_COUNT_PATTERNS: tuple[tuple[re.Pattern, tuple[str, ...], tuple[str, ...]], ...] = tuple(
    (_count_regex(pattern), names, needs)
    for pattern, names, needs in (
        # "74 đồng chí đại diện cho 278 đảng viên", "120 đại biểu đại diện cho 245 đảng viên"
        (
            r"(\d+) (?:đồng chí|đại biểu|đảng viên)\b[^.;()]{0,160}?đại diện cho (\d+) đảng viên",
            ("delegates", "total"),
            ("đại diện cho",),
        ),
        # "31/33 đảng viên", "35/38 đảng viên"
        (r"(\d+)/(\d+) đảng viên", ("delegates", "total"), ("/",)),
        # "Chi bộ hiện có 33 đảng viên", "Đảng bộ có 176 đảng viên", "09 chi bộ trực thuộc với 278 đảng viên"
        (
            r"(?:hiện có|bộ có|trực thuộc với|tổng số|chi bộ với) (\d+) đảng viên",
            ("total",),
            ("hiện có", "bộ có", "trực thuộc với", "tổng số", "chi bộ với"),
        ),
        # "Tổng số đảng viên 181 (chính thức ...", "Tổng số đảng viên đến cuối năm là 184 ("
        (r"tổng số đảng viên (?:[^\d.;,]{0,25}? )?(\d+) \(", ("total",), ("tổng số đảng viên",)),
        # "Hội nghị có 165 đảng viên tham dự", "52 đảng viên tham dự"
        (r"(\d+) đảng viên tham dự", ("delegates",), ("đảng viên tham dự",)),
        # "tham dự Đại hội có 29 đồng chí", "có mặt tại Đại hội 35 đồng chí", "Tham dự buổi sinh hoạt có 58 đồng chí"
        (
            r"(?:tham dự(?: [^\d.;,]{0,30}?)?(?: có)?|có mặt tại [^.;,]{0,20}?) (\d+) (?:đồng chí|đảng viên)"
            r"|(?:tổng số|tổng cộng) (\d+) đồng chí",
            ("delegates",),
            ("tham dự", "có mặt tại", "tổng số", "tổng cộng"),
        ),
        # "cùng 246 đảng viên thuộc 09 chi bộ", "và 36 đảng viên trong Chi bộ"
        (r"(?:cùng|và) (\d+) đảng viên (?:thuộc|trong|của)", ("delegates",), ("cùng", "và")),
        # "Dự hội nghị có đồng chí ... và 210 đảng viên." (attendance, not "kiểm tra ... và 12 đảng viên")
        (r"\bdự\b[^.;]{0,120}?(?:cùng|và) (\d+) đảng viên(?:[.;]|$)", ("delegates",), ("dự",)),
        # "Tham dự có ... cùng 55 đảng viên là cấp ủy viên"
        (r"cùng (\d+) đảng viên là", ("delegates",), ("đảng viên là",)),
        # "179 đảng viên (trong đó chính thức 170, ...)" written without a verb before it
        (r"(\d+) đảng viên \((?:trong đó )?chính thức", ("total",), ("chính thức",)),
        (r"đại diện cho (\d+) đảng viên", ("total",), ("đại diện cho",)),
        (r"chính thức (\d+)", ("chinh_thuc",), ("chính thức",)),
        (r"dự bị (\d+)|(\d+) đảng viên dự bị", ("du_bi",), ("dự bị",)),
        (r"\bnữ (\d+)|(\d+) đảng viên nữ", ("nu",), ("nữ",)),
        (r"dân tộc [^\d,;)]{0,25}?(\d+)|(\d+) đảng viên là người dân tộc", ("dan_toc",), ("dân tộc",)),
    )
)
_BREAKDOWN_FIELDS = ("chinh_thuc", "du_bi", "nu", "dan_toc")
# Sentences end where a white space follows a full stop. Split at "\.\s" matches, not with re.split on
# (?<=\.)\s: a pattern that starts with a lookbehind makes the regex engine try every character (2.5x slower).
_FULL_STOP = re.compile(r"\.\s")
_DIGIT = re.compile(r"\d")  # every count pattern needs one
# ``_COUNT_PATTERNS`` with what ``_counts_in`` tests before a search worked out once: the first and the last
# field a pattern fills, and whether it is a breakdown (searched only where "đảng viên" is written).
_COUNT_RULES = tuple(
    (pattern, names, names[0], names[-1], names[0] in _BREAKDOWN_FIELDS, needs)
    for pattern, names, needs in _COUNT_PATTERNS
)

# Checked in order on the folded title, then on the lead sentence: the first that occurs decides.
_EVENT_RULES: tuple[tuple[str, str], ...] = (
    ("cong tac kiem tra", "kiểm tra giám sát"),  # a review of the inspection work is about inspection
    ("sinh hoat chuyen de", "sinh hoạt chuyên đề"),  # "Sinh hoạt chuyên đề học tập và làm theo ..." is a themed meeting
    ("hoc tap", "học tập nghị quyết"),  # "học tập Nghị quyết Đại hội" is study, not a congress
    ("quan triet", "học tập nghị quyết"),
    ("so ket", "hội nghị sơ kết"),
    ("tong ket", "hội nghị tổng kết"),
    ("ket nap", "kết nạp đảng viên"),
    ("huy hieu", "trao huy hiệu"),
    ("kiem tra", "kiểm tra giám sát"),
    ("giam sat", "kiểm tra giám sát"),
    ("chuyen de", "sinh hoạt chuyên đề"),
    ("dai hoi", "đại hội"),
)


@dataclass
class Person:
    name: str
    role: str | None


@dataclass
class Facts:
    event_type: str
    people: list[Person] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    member_counts: dict[str, int | None] = field(default_factory=dict)
    level: str = "đảng bộ"

    def to_dict(self) -> dict:
        return asdict(self)


def extract_facts(title: str | None, body: str, party: bool = True, captions: list[str] | None = None) -> Facts:
    """Every fact the article (its title, body and photo captions) states, as far as the patterns can tell."""
    # The body's paragraphs joined by a space: clean_text returns an already clean body as it is, cheaply.
    title, text = clean_text(title), clean_text(body.replace("\n\n", " "))
    folded_title = fold(title)  # once: the event type and the level both read it
    return Facts(
        event_type=_event_type(folded_title, body, party),
        people=people(body, captions),
        documents=documents(" ".join([title, text, *(captions or [])])),
        member_counts=member_counts(body),
        level="chi bộ" if "chi bo" in folded_title else "đảng bộ",
    )


# -- event type --------------------------------------------------------------------------------------------


def event_type(title: str, body: str, party: bool = True) -> str:
    """The kind of Party event the article reports, from its title first, then from its lead sentence."""
    return _event_type(fold(title), body, party)


def _event_type(folded_title: str, body: str, party: bool) -> str:
    """``event_type`` given the title already folded; the lead is cut out and folded only when the title
    decides nothing (fold is a per-character translate: the costliest step here)."""
    kind = _event_in(folded_title)
    if kind is None and party and body:
        kind = _event_in(fold(body.split("\n\n", 1)[0].split(". ", 1)[0]))
    return kind or "other"


def _event_in(folded: str) -> str | None:
    """The kind of the first rule whose words are in ``folded``."""
    for needle, kind in _EVENT_RULES:
        if needle in folded:
            return kind
    return None


# -- documents ---------------------------------------------------------------------------------------------


def normalise_document(number: str, kind: str, issuer: str) -> str:
    """ "21 - KL/ TW" → "21-KL/TW"; the kind keeps its case as the Party writes it ("QĐi")."""
    return f"{number}-{kind}/{issuer.upper()}"


def documents(text: str) -> list[str]:
    """Party document identifiers ("21-KL/TW", "05-CT/TW", "144-QĐ/TW", "08-KH/UBKT"), in order, once each."""
    found: dict[str, None] = {}
    for match in _document_matches(text):
        found.setdefault(normalise_document(*match.groups()), None)
    return list(found)


def _document_matches(text: str) -> Iterator[re.Match]:
    r"""``_DOCUMENT.finditer(text)``, searching only from a little before each hint.

    Finding the digits is what costs (the regex engine tests each character for \d at ~10 ns), and most
    digits are dates. Every identifier has a hint at its "/", at most 13 characters after its start
    ("1234 - QĐi /"), so the next match from ``pos`` starts at or after the first hint from ``pos``, less 13:
    searching from there finds it, and with no hint left there is none. The lookbehind still sees the text
    before the search start, so each match is the one finditer would give.
    """
    pos = 0
    while hint := _DOCUMENT_HINT.search(text, pos):
        match = _DOCUMENT.search(text, max(pos, hint.start() - 13))
        if not match:
            return
        yield match
        pos = match.end()


# -- member counts -----------------------------------------------------------------------------------------


def member_counts(body: str) -> dict[str, int | None]:
    """Total members, breakdowns and delegates present; the first statement of each wins."""
    counts: dict[str, int | None] = dict.fromkeys(COUNT_FIELDS)
    for paragraph in body.split("\n\n"):
        if not _DIGIT.search(paragraph):
            continue  # a C-speed test first: half the paragraphs have no figure at all
        lowered = paragraph.lower()
        if "đảng viên" in lowered or "đồng chí" in lowered:
            sentences = _sentences(paragraph)
            if len(sentences) == 1:  # most paragraphs: the sentence is the paragraph, lowered already
                _counts_in(paragraph, lowered, counts)
                continue
            for sentence in sentences:
                if _DIGIT.search(sentence):  # as for paragraphs: no figure, no count (and no lower())
                    _counts_in(sentence, sentence.lower(), counts)
    return counts


def _sentences(paragraph: str) -> list[str]:
    r"""``re.split(r"(?<=\.)\s", paragraph)``: each sentence keeps its full stop, the space after it goes."""
    sentences, start = [], 0
    for stop in _FULL_STOP.finditer(paragraph):
        sentences.append(paragraph[start : stop.start() + 1])
        start = stop.end()
    sentences.append(paragraph[start:])
    return sentences


def _counts_in(sentence: str, lowered: str, counts: dict[str, int | None]) -> None:
    """Counts stated in one sentence (``lowered`` is ``sentence.lower()``) into the fields still empty."""
    if "đảng viên" in lowered:
        breakdown_ok = True
    elif "đồng chí" in lowered:
        breakdown_ok = False
    else:
        return
    # The tests cheapest first: two dict look-ups, a flag, then the ``in`` scans of the sentence.
    for pattern, names, first, last, breakdown, needs in _COUNT_RULES:
        if counts[first] is not None and counts[last] is not None:
            continue  # it could only fill fields already filled
        if breakdown and not breakdown_ok:
            continue
        for word in needs:  # a loop, not any(): this runs some 15 times a sentence
            if word in lowered:
                break
        else:
            continue  # it cannot match
        match = pattern.search(sentence)
        if not match:
            continue
        values = [int(v) for v in match.groups() if v is not None]
        for name, value in zip(names, values, strict=False):
            if counts[name] is None:
                counts[name] = value


# -- people ------------------------------------------------------------------------------------------------


def _name_at(text: str, start: int) -> str | None:
    """The personal name starting at ``start``: a known family name and 1–4 more capitalised syllables."""
    match = _NAME_WORDS.match(text, start)
    if not match:
        return None
    words = match.group(1).split(" ")
    # Tested first, to stop early after "các đồng chí trong ...": the same answer as testing names[0] last, since
    # a family name is capitalised and never a role word.
    if words[0] not in SURNAMES:
        return None
    names = []
    for word in words:
        if not word[0].isupper():
            break
        names.append(word)
    # A role word ("Bí thư", "Trưởng", "Giám đốc") is never part of a name.
    while names and names[-1] in _ROLE_WORDS:
        names.pop()
    if len(names) < 2:
        return None
    return " ".join(names)


_ROLE_WORDS = frozenset(("Bí", "Phó", "Giám", "Trưởng", "Chủ", "Ủy", "Uỷ", "Bác"))


def _role_after(text: str, pos: int) -> tuple[list[str], int]:
    """Role parts written right after a name, at ``pos`` ("- Bí thư Đảng bộ, Giám đốc Bệnh viện", ", điều
    dưỡng Khoa Nhi"), and where they end. Positions, not ``text[pos:]``: a slice would copy the rest of the
    article for every name (the patterns have no lookbehind, so matching from ``pos`` finds the same)."""
    match = _ROLE_START.match(text, pos)
    if not match or not text.startswith(ROLE_HEADS, match.end()):
        return [], pos
    start = match.end()
    end = _ROLE_STOP.search(text, start)
    if end is None or end.start() >= len(text) - 2:
        end = _ROLE_END.search(text, start)  # where ",?$" may match first
    role = text[start : end.start()] if end else text[start:]
    kept, used = [], 0
    for part in role.split(", "):
        if not part.strip() or not part.startswith(ROLE_HEADS):
            break
        kept.append(part.strip(" ,"))
        used += len(part) + 2
    return kept, start + min(used, len(role))


def _trigger_ends(text: str) -> list[int]:
    """Where each ``_NAME_TRIGGER.finditer(text)`` match ends, found faster: str.find skips to the trigger words
    at C speed, where the regex engine stops at every "đ", "b", "C"... of the text (~1.7x faster on an article),
    then the regex decides there as before. No match can start inside another (no trigger word holds one of
    [đqBbĐAC] after its first letter), so the places where it matches are all that finditer reports."""
    starts = []
    for word, before in _TRIGGER_WORDS:
        found = text.find(word, before)
        while found >= 0:
            starts.append(found - before)
            found = text.find(word, found + 1)
    ends = []
    for start in sorted(set(starts)):
        match = _NAME_TRIGGER.match(text, start)  # the lookbehinds still see the text before ``start``
        if match:
            ends.append(match.end())
    return ends


def people(body: str, captions: list[str] | None = None) -> list[Person]:
    """People named in the article (and its photo captions) with the role written beside them, merged."""
    found: dict[str, list[str]] = {}
    text = " \n ".join([body.replace("\n\n", " \n "), *(captions or [])])
    for trigger_end in _trigger_ends(text):
        name = _name_at(text, trigger_end)
        if not name:
            continue
        parts, role_end = _role_after(text, trigger_end + len(name))
        elected = _ELECTED.match(text, role_end)  # no lookbehind either
        if elected and elected["role"].startswith(ROLE_HEADS):
            parts = [elected["role"].strip(), *parts]
        known = found.setdefault(name, [])
        for part in parts:
            if not any(part in have for have in known):
                known[:] = [have for have in known if have not in part]
                known.append(part)
    _order_roles(found)
    return [Person(name, ", ".join(parts) or None) for name, parts in found.items()]


_PARTY_OFFICES = (
    "bi thu",
    "pho bi thu",
    "uy vien",
    "dang uy vien",
    "chu nhiem uy ban kiem tra",
    "pho chu nhiem uy ban kiem tra",
)


# fold() translates character by character (~1 µs a role), and the same roles come back in article after
# article of a hospital ("Bí thư Đảng ủy", "Giám đốc Bệnh viện"): remembered, a role is folded once.
_fold_role = functools.lru_cache(maxsize=1024)(fold)


def is_party_office(role: str | None) -> bool:
    """Whether a role includes a Party office (secretary, committee member, inspection chair), not only a post
    in the hospital; "Bí thư Đoàn" is the Youth Union's secretary, not the Party's."""
    for part in (role or "").split(", "):
        folded = _fold_role(part)
        if folded.startswith(_PARTY_OFFICES) and not folded.startswith(("bi thu doan", "pho bi thu doan")):
            return True
    return False


def _order_roles(found: dict[str, list[str]]) -> None:
    """Party office first, then the post in the hospital, as the articles themselves write it."""

    def rank(part: str) -> int:
        folded = _fold_role(part)
        if folded.startswith(("bi thu", "pho bi thu", "chu nhiem", "uy vien", "dang uy vien")):
            return 0
        return 1

    for name, parts in found.items():
        if len(parts) > 1:  # sorted() would fold a lone part too
            found[name] = sorted(parts, key=rank)
