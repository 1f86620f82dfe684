"""Personal data out of a text that becomes an article (a draft from a solved ticket):
the client's name (as registered), e-mail addresses, phone numbers, identity numbers and
account or card numbers are replaced by what they were, in the article's language."""

from __future__ import annotations

import re
from collections.abc import Iterable

PLACEHOLDERS = {
    "zh-CN": {
        "name": "[客户姓名]",
        "email": "[电子邮箱]",
        "phone": "[电话号码]",
        "id": "[证件号码]",
        "account": "[账号]",
    },
    "en": {
        "name": "[client name]",
        "email": "[e-mail]",
        "phone": "[phone number]",
        "id": "[identity number]",
        "account": "[account number]",
    },
}
# Order matters: an identity number is a run of digits too, an e-mail may hold digits.
PATTERNS = (
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    ("id", re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])|(?<!\d)\d{15}(?!\d)")),
    ("phone", re.compile(r"(?:\+?86[\s-]?)?(?<!\d)1[3-9]\d(?:[\s-]?\d{4}){2}(?!\d)")),
    ("phone", re.compile(r"(?<!\d)0\d{2,3}[\s-]?\d{7,8}(?!\d)|\+\d[\d\s-]{7,}\d")),
    ("account", re.compile(r"(?<!\d)\d(?:[\s-]?\d){7,}(?!\d)")),
)
CJK = re.compile("[\u4e00-\u9fff]")


def language_of(text: str) -> str:
    """zh-CN when the text holds Chinese, else en."""
    return "zh-CN" if CJK.search(text) else "en"


def redact(text: str, names: Iterable[str], language: str) -> str:
    """The text with the names and every e-mail, phone, identity and account number
    replaced."""
    words = PLACEHOLDERS[language]
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, words["name"])
    for kind, pattern in PATTERNS:
        text = pattern.sub(words[kind], text)
    return text
