"""The knowledge base's view: each article as readers and editors find it, every published
version, and a search index of terms (``tokens.py``) ranked by BM25 in SQL, so both stores
find and order the same articles.

The index holds the text readers see (the latest published version), or the draft of an
article never published (editors find drafts too)."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from adapters.shared.sql import Tx, ViewDatabase
from domain.knowledge import Article, Content, Macro
from domain.service_desk import Status, Ticket
from projections.knowledge.tokens import query_terms, terms
from projections.shared.base import View, rows_by_id, utc_text
from projections.shared.paging import decode, encode

TITLE_WEIGHT = 3  # a term in the title counts as three in the body
TRIGRAM_WEIGHT = 0.35  # a character trigram (a near-miss) against a whole word
K1, B = 1.2, 0.75  # BM25
NEAR_MISS_BELOW = 3  # whole-word matches under which near-miss terms join the query
PAGE = 500  # keys a statement
ARTICLE_EVENTS = (
    Article.Drafted, Article.Edited, Article.Submitted, Article.ChangesRequested,
    Article.Published, Article.Archived, Article.Restored,
)  # fmt: skip
ARTICLE_COLUMNS = (
    "id", "stage", "archived", "published_version", "title", "language", "audience",
    "ticket_types", "tags", "body", "draft", "translation_of", "authors", "length",
    "created_by", "created_at", "updated_at", "published_at", "version", "doc",
)  # fmt: skip
# A new article's row before its first text is shown.
BLANK: dict[str, Any] = dict.fromkeys(ARTICLE_COLUMNS) | {
    "stage": "draft", "archived": 0, "published_version": 0, "title": "", "language": "",
    "audience": "", "ticket_types": "[]", "tags": "[]", "body": "", "length": 0,
}  # fmt: skip


@dataclass(frozen=True)
class Filters:
    type: str | None = None
    tag: str | None = None
    language: str | None = None
    audience: str | None = None
    status: str | None = "published"  # published, draft, in_review, archived, any


class KnowledgeView(View):
    name = "knowledge"
    personal = False  # it reads no personal field
    schema_version = 2  # 2: the index by article number (doc), with its length and totals
    tables: ClassVar[dict[str, list[str]]] = {
        "view_kb_articles": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, stage TEXT NOT NULL, "
            "archived INTEGER NOT NULL, published_version INTEGER NOT NULL, "
            "title TEXT NOT NULL, language TEXT NOT NULL, audience TEXT NOT NULL, "
            "ticket_types TEXT NOT NULL, tags TEXT NOT NULL, body TEXT NOT NULL, "
            "draft TEXT, translation_of TEXT, authors TEXT NOT NULL, length INTEGER NOT NULL, "
            "created_by TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, "
            "published_at TEXT, version INTEGER NOT NULL, doc BIGINT NOT NULL)",
            "CREATE INDEX {ix}_updated ON {t} (updated_at, id)",
            # What a search filters and orders its matches by, read from the index alone
            # (an article's row, its text with it, is wide).
            "CREATE UNIQUE INDEX {ix}_found ON {t} (doc, published_version, archived, stage, "
            "language, audience, id)",
            "CREATE INDEX {ix}_translation ON {t} (translation_of)",
        ],
        "view_kb_versions": [
            "CREATE TABLE {t} (article_id TEXT NOT NULL, number INTEGER NOT NULL, "
            "content TEXT NOT NULL, published_at TEXT NOT NULL, published_by TEXT NOT NULL, "
            "PRIMARY KEY (article_id, number))",
        ],
        # The inverted index: each term's articles (by number, ``doc``: the position of
        # the article's first event) with the term's weight there and the article's
        # length, all read from one index, a term's rows side by side.
        "view_kb_terms": [
            "CREATE TABLE {t} (term TEXT NOT NULL, doc BIGINT NOT NULL, "
            "weight INTEGER NOT NULL, length INTEGER NOT NULL)",
            "CREATE UNIQUE INDEX {ix}_postings ON {t} (term, doc, weight, length)",
            "CREATE INDEX {ix}_doc ON {t} (doc)",
        ],
        # How many articles the index holds and their lengths' sum (for BM25).
        "view_kb_totals": [
            "CREATE TABLE {t} (id INTEGER PRIMARY KEY, articles INTEGER NOT NULL, "
            "length BIGINT NOT NULL)",
            "INSERT INTO {t} (id, articles, length) VALUES (1, 0, 0)",
        ],
        # Each article linked to a ticket, and whether the ticket was resolved since and
        # never reopened (how often an article settles a ticket).
        "view_kb_links": [
            "CREATE TABLE {t} (ticket_id TEXT NOT NULL, article_id TEXT NOT NULL, "
            "linked_at TEXT NOT NULL, resolved INTEGER NOT NULL, reopened INTEGER NOT NULL, "
            "PRIMARY KEY (ticket_id, article_id))",
            "CREATE INDEX {ix}_article ON {t} (article_id)",
        ],
        "view_kb_macros": [
            "CREATE TABLE {t} (id TEXT PRIMARY KEY, name TEXT NOT NULL, body TEXT NOT NULL, "
            "public INTEGER NOT NULL, actions TEXT NOT NULL, retired INTEGER NOT NULL, "
            "updated_at TEXT NOT NULL, version INTEGER NOT NULL)",
        ],
        "view_kb_labels": [  # an article's ticket types (type:…) and tags (tag:…)
            "CREATE TABLE {t} (label TEXT NOT NULL, article_id TEXT NOT NULL, "
            "PRIMARY KEY (label, article_id))",
            "CREATE INDEX {ix}_article ON {t} (article_id)",
        ],
    }
    handlers: ClassVar[dict[type[Any], str]] = {
        Article.Drafted: "drafted",
        Article.Edited: "edited",
        Article.Submitted: "staged",
        Article.ChangesRequested: "staged",
        Article.Published: "published",
        Article.Archived: "archived",
        Article.Restored: "archived",
        Macro.Saved: "macro_saved",
        Macro.Changed: "macro_saved",
        Macro.Retired: "macro_retired",
        Ticket.ArticleLinked: "linked",
        Ticket.StatusChanged: "ticket_moved",
        Ticket.Reopened: "ticket_reopened",
    }

    # -- writes ---------------------------------------------------------------------

    def drafted(self, tx: Tx, e: Article.Drafted, position: int) -> None:
        self.apply(tx, [(e, position)])

    def edited(self, tx: Tx, e: Article.Edited, position: int) -> None:
        self.apply(tx, [(e, position)])

    def staged(
        self, tx: Tx, e: Article.Submitted | Article.ChangesRequested, position: int
    ) -> None:
        self.apply(tx, [(e, position)])

    def published(self, tx: Tx, e: Article.Published, position: int) -> None:
        self.apply(tx, [(e, position)])

    def archived(self, tx: Tx, e: Article.Archived | Article.Restored, position: int) -> None:
        self.apply(tx, [(e, position)])

    def _articles(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """A batch's article events in memory: the rows they touch read in one query, each
        written once, with each shown article's terms and labels (those of the last text
        it shows) and the totals in a statement each."""
        events = [(e, p) for e, p in batch if isinstance(e, ARTICLE_EVENTS)]
        if not events:
            return
        table = self.t("view_kb_articles")
        rows = rows_by_id(tx, table, sorted({str(e.originator_id) for e, _ in events}))
        old_docs = [row["doc"] for row in rows.values()]
        shown: dict[str, Content] = {}
        versions: list[tuple[Any, ...]] = []
        added = 0
        for e, position in events:
            article, at = str(e.originator_id), utc_text(e.timestamp)
            if isinstance(e, Article.Drafted):
                added += 1
                rows[article] = dict(
                    BLANK, id=article, draft=_json(e.content), authors=json.dumps([e.meta.actor]),
                    translation_of=str(e.translation_of) if e.translation_of else None,
                    created_by=e.meta.actor, created_at=at, doc=position,
                )  # fmt: skip
                shown[article] = e.content
            row = rows[article]
            row.update(updated_at=at, version=e.originator_version)
            if isinstance(e, Article.Edited):
                authors = json.loads(row["authors"])
                if e.meta.actor not in authors:
                    authors.append(e.meta.actor)
                row.update(stage="draft", draft=_json(e.content), authors=json.dumps(authors))
                if not row["published_version"]:  # never published: the draft is found
                    shown[article] = e.content
            elif isinstance(e, Article.Submitted | Article.ChangesRequested):
                row["stage"] = "in_review" if isinstance(e, Article.Submitted) else "draft"
            elif isinstance(e, Article.Published):
                versions.append((article, e.number, _json(e.content), at, e.meta.actor))
                if row["published_version"]:  # a first version is the draft shown
                    shown[article] = e.content
                row.update(
                    stage="none", draft=None, authors="[]", published_version=e.number,
                    published_at=at,
                )  # fmt: skip
            elif isinstance(e, Article.Archived | Article.Restored):
                row["archived"] = int(isinstance(e, Article.Archived))
        before = sum(rows[a]["length"] for a in shown)
        terms = {article: self._show(rows[article], content) for article, content in shown.items()}
        self._write_articles(tx, rows, old_docs, terms, versions)
        tx.execute(
            f"UPDATE {self.t('view_kb_totals')} SET articles = articles + ?, length = length + ?",
            (added, sum(rows[a]["length"] for a in shown) - before),
        )

    def _show(self, row: dict[str, Any], content: Content) -> Counter[str]:
        """What the article shows (its row's fields) and is found by (its terms)."""
        found: Counter[str] = Counter()
        for term, n in terms(content.title).items():
            found[term] += n * TITLE_WEIGHT
        for term, n in terms(content.body).items():
            found[term] += n
        row.update(
            title=content.title, language=content.language, audience=content.audience.value,
            ticket_types=json.dumps([t.value for t in content.ticket_types]),
            tags=json.dumps(list(content.tags)), body=content.body,
            length=int(sum(found.values())),
        )  # fmt: skip
        return found

    def _write_articles(
        self,
        tx: Tx,
        rows: dict[str, dict[str, Any]],
        old_docs: list[int],
        shown: dict[str, Counter[str]],
        versions: list[tuple[Any, ...]],
    ) -> None:
        tx.insert(
            self.t("view_kb_articles"),
            ARTICLE_COLUMNS,
            [tuple(row[c] for c in ARTICLE_COLUMNS) for _, row in sorted(rows.items())],
            then="ON CONFLICT (id) DO UPDATE SET "
            + ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS[1:]),
        )
        tx.insert(
            self.t("view_kb_versions"),
            ("article_id", "number", "content", "published_at", "published_by"),
            versions,
        )
        docs = sorted({rows[a]["doc"] for a in shown} & set(old_docs))
        articles = sorted(shown)
        for start in range(0, max(len(docs), len(articles)), PAGE):
            if part := docs[start : start + PAGE]:
                tx.execute(
                    f"DELETE FROM {self.t('view_kb_terms')} "
                    f"WHERE doc IN ({', '.join('?' * len(part))})",
                    part,
                )
            if part := articles[start : start + PAGE]:
                tx.execute(
                    f"DELETE FROM {self.t('view_kb_labels')} "
                    f"WHERE article_id IN ({', '.join('?' * len(part))})",
                    part,
                )
        tx.insert(
            self.t("view_kb_terms"),
            ("term", "doc", "weight", "length"),
            [
                (term, rows[a]["doc"], weight, rows[a]["length"])
                for a in articles
                for term, weight in shown[a].items()
            ],
        )
        tx.insert(
            self.t("view_kb_labels"),
            ("label", "article_id"),
            [
                (label, a)
                for a in articles
                for label in [
                    *(f"type:{t}" for t in json.loads(rows[a]["ticket_types"])),
                    *(f"tag:{t}" for t in json.loads(rows[a]["tags"])),
                ]
            ],
        )

    def macro_saved(self, tx: Tx, e: Macro.Saved | Macro.Changed, _: int) -> None:
        text, macro = e.text, str(e.originator_id)
        tx.execute(f"DELETE FROM {self.t('view_kb_macros')} WHERE id = ?", (macro,))
        tx.execute(
            f"INSERT INTO {self.t('view_kb_macros')} (id, name, body, public, actions, "
            "retired, updated_at, version) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
            (
                macro,
                text.name,
                text.body,
                int(text.public),
                text.actions.model_dump_json(exclude_none=True),
                utc_text(e.timestamp),
                e.originator_version,
            ),
        )

    def macro_retired(self, tx: Tx, e: Macro.Retired, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_kb_macros')} SET retired = 1, updated_at = ?, version = ? "
            "WHERE id = ?",
            (utc_text(e.timestamp), e.originator_version, str(e.originator_id)),
        )

    def macros(self, db: ViewDatabase, retired: bool = False) -> list[dict[str, Any]]:
        """The macros in use (or the retired ones too), by name."""
        where = "" if retired else "WHERE retired = 0"
        with db.read() as tx:
            rows = tx.query(f"SELECT * FROM {self.t('view_kb_macros')} {where} ORDER BY name, id")
        return [
            {**r, "public": bool(r["public"]), "retired": bool(r["retired"]),
             "actions": json.loads(r["actions"])}
            for r in rows
        ]  # fmt: skip

    def linked(self, tx: Tx, e: Ticket.ArticleLinked, _: int) -> None:
        tx.execute(
            f"INSERT INTO {self.t('view_kb_links')} (ticket_id, article_id, linked_at, "
            "resolved, reopened) VALUES (?, ?, ?, 0, 0)",
            (str(e.originator_id), str(e.article_id), utc_text(e.timestamp)),
        )

    def apply(self, tx: Tx, batch: Sequence[tuple[Any, int]]) -> None:
        """The batch's article events first, in memory (they write only the articles'
        tables, which no other event reads). Then runs of tickets' status changes (most of
        the stream) settle their links in a statement a page; only a link made or a ticket
        reopened ends a run."""

        def write(t: Tx, run: list[tuple[Any, int]]) -> None:
            resolved = sorted({str(e.originator_id) for e, _ in run if e.status is Status.RESOLVED})
            for start in range(0, len(resolved), PAGE):
                page = resolved[start : start + PAGE]
                t.execute(
                    f"UPDATE {self.t('view_kb_links')} SET resolved = 1 "
                    f"WHERE ticket_id IN ({', '.join('?' * len(page))})",
                    page,
                )

        self._articles(tx, batch)
        rest = [(e, p) for e, p in batch if not isinstance(e, ARTICLE_EVENTS)]
        ends = (Ticket.ArticleLinked, Ticket.Reopened)
        commutes = tuple(kind for kind in self.handlers if kind not in ends)
        self.apply_runs(tx, rest, Ticket.StatusChanged, write, commutes)

    def ticket_moved(self, tx: Tx, e: Ticket.StatusChanged, position: int) -> None:
        self.apply(tx, [(e, position)])

    def ticket_reopened(self, tx: Tx, e: Ticket.Reopened, _: int) -> None:
        tx.execute(
            f"UPDATE {self.t('view_kb_links')} SET reopened = 1 WHERE ticket_id = ?",
            (str(e.originator_id),),
        )

    # -- reads ----------------------------------------------------------------------

    def get(self, db: ViewDatabase, article_id: str) -> dict[str, Any] | None:
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_kb_articles')} WHERE id = ?", (article_id,)
            )
        return _article(rows[0]) if rows else None

    def usage(self, db: ViewDatabase, article_id: str) -> dict[str, int]:
        """How often the article was linked to a ticket, and how many of those tickets
        were then resolved and never reopened."""
        with db.read() as tx:
            [row] = tx.query(
                "SELECT COUNT(*) AS linked, COALESCE(SUM(CASE WHEN resolved = 1 AND "
                "reopened = 0 THEN 1 ELSE 0 END), 0) AS settled "
                f"FROM {self.t('view_kb_links')} WHERE article_id = ?",
                (article_id,),
            )
        return {"linked": int(row["linked"]), "settled": int(row["settled"])}

    def linked_to(self, db: ViewDatabase, ticket_id: str) -> list[dict[str, Any]]:
        """The articles linked to a ticket, the first linked first."""
        with db.read() as tx:
            return tx.query(
                f"SELECT a.id, a.title, a.language, l.linked_at FROM {self.t('view_kb_links')} l "
                f"JOIN {self.t('view_kb_articles')} a ON a.id = l.article_id "
                "WHERE l.ticket_id = ? ORDER BY l.linked_at, a.id",
                (ticket_id,),
            )

    def version(self, db: ViewDatabase, article_id: str, number: int) -> dict[str, Any] | None:
        """One published version as it was published (None: no such version)."""
        with db.read() as tx:
            rows = tx.query(
                f"SELECT * FROM {self.t('view_kb_versions')} WHERE article_id = ? AND number = ?",
                (article_id, number),
            )
        if not rows:
            return None
        return {**rows[0], "content": json.loads(rows[0]["content"])}

    def translations(
        self, db: ViewDatabase, article_id: str, of: str | None
    ) -> list[dict[str, Any]]:
        """The other articles of the same family: the original and its translations."""
        root = of or article_id
        with db.read() as tx:
            return tx.query(
                f"SELECT id, language, title, published_version FROM "
                f"{self.t('view_kb_articles')} WHERE (id = ? OR translation_of = ?) AND id <> ? "
                "ORDER BY language, id",
                (root, root, article_id),
            )

    def search(
        self,
        db: ViewDatabase,
        q: str | None,
        filters: Filters,
        limit: int,
        cursor: str | None,
        prefer_language: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """Articles matching the filters: by relevance to ``q`` (the reader's language
        first when given), else the latest changed first; a page at a time."""
        where, params = self._filters(filters)
        wanted = query_terms(q) if q and q.strip() else []
        if q and q.strip() and not wanted:
            return [], None
        with db.read() as tx:
            if not wanted:
                return self._latest(tx, where, params, limit, cursor)
            return self._ranked(tx, wanted, where, params, limit, cursor, prefer_language)

    def _filters(self, f: Filters) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        if f.status == "published":
            where.append("a.published_version > 0 AND a.archived = 0")
        elif f.status in ("draft", "in_review"):
            where.append("a.stage = ? AND a.archived = 0")
            params.append(f.status)
        elif f.status == "archived":
            where.append("a.archived = 1")
        for column, value in (("language", f.language), ("audience", f.audience)):
            if value is not None:
                where.append(f"a.{column} = ?")
                params.append(value)
        for kind, value in (("type", f.type), ("tag", f.tag)):
            if value is not None:
                where.append(
                    f"EXISTS (SELECT 1 FROM {self.t('view_kb_labels')} l "
                    "WHERE l.article_id = a.id AND l.label = ?)"
                )
                params.append(f"{kind}:{value.lower() if kind == 'tag' else value}")
        return where, params

    def _latest(
        self, tx: Tx, where: list[str], params: list[Any], limit: int, cursor: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        if cursor is not None:
            updated, last = decode(cursor, 2)
            where = [*where, "(a.updated_at < ? OR (a.updated_at = ? AND a.id < ?))"]
            params = [*params, updated, updated, last]
        rows = tx.query(
            f"SELECT a.* FROM {self.t('view_kb_articles')} a WHERE {_all(where)} "
            "ORDER BY a.updated_at DESC, a.id DESC LIMIT ?",
            (*params, limit + 1),
        )
        page = [_article(r) for r in rows[:limit]]
        more = len(rows) > limit
        return page, encode([page[-1]["updated_at"], page[-1]["id"]]) if more else None

    def _ranked(
        self,
        tx: Tx,
        wanted: list[str],
        where: list[str],
        params: list[Any],
        limit: int,
        cursor: str | None,
        prefer: str | None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """BM25 over the index: each term's weight by how rare it is among the articles
        (a near-miss term's less), its count in the article against the article's length.

        Near-miss terms (trigrams, single characters) join only when the query's whole
        words and bigrams are rare (a typo, a variant character): they are the longest
        lists, and an ordinary query needs none of them. Terms in more than half the
        articles carry almost no weight and are left out while rarer ones remain."""
        marks = ", ".join("?" for _ in wanted)
        terms_table, articles = self.t("view_kb_terms"), self.t("view_kb_articles")
        [totals] = tx.query(f"SELECT articles, length FROM {self.t('view_kb_totals')}")
        n = int(totals["articles"])
        mean = int(totals["length"]) / n if n and totals["length"] else 1.0
        counts = tx.query(
            f"SELECT term, COUNT(*) AS df FROM {terms_table} WHERE term IN ({marks}) GROUP BY term",
            wanted,
        )
        df = {r["term"]: int(r["df"]) for r in counts}
        whole = {t: d for t, d in df.items() if t.startswith("w:")}
        if sum(whole.values()) >= NEAR_MISS_BELOW:
            df = whole
        rare = {t: d for t, d in df.items() if d <= n / 2}
        df = rare or df
        # BM25 with (k1 + 1) folded into each term's weight:
        # idf * (k1 + 1) * tf / (tf + k1 * (1 - b) + k1 * b * length / mean)
        idf = {
            term: math.log(1 + (n - d + 0.5) / (d + 0.5))
            * (TRIGRAM_WEIGHT if term.startswith("t:") else 1.0)
            * (K1 + 1)
            for term, d in df.items()
        }
        if not idf:
            return [], None
        cases = " ".join("WHEN ? THEN ?" for _ in idf)
        weights = [v for term, w in idf.items() for v in (term, w)]
        offset = int(decode(cursor, 1)[0]) if cursor else 0
        first = "CASE WHEN a.language = ? THEN 0 ELSE 1 END, " if prefer else ""
        # The scores from the index alone, then the matches filtered and ordered by the
        # articles' index; only the page's rows are read whole.
        found = tx.query(
            f"WITH s AS (SELECT doc, SUM(CASE term {cases} END * weight "
            f"/ (weight + ? + ? * length)) AS score FROM {terms_table} "
            f"WHERE term IN ({', '.join('?' for _ in idf)}) GROUP BY doc) "
            f"SELECT a.id, s.score FROM s JOIN {articles} a ON a.doc = s.doc "
            f"WHERE {_all(where)} ORDER BY {first}s.score DESC, a.id LIMIT ? OFFSET ?",
            (
                *weights,
                K1 * (1 - B),
                K1 * B / mean,
                *idf,
                *params,
                *([prefer] if prefer else []),
                limit + 1,
                offset,
            ),
        )
        scores = {r["id"]: float(r["score"]) for r in found[:limit]}
        rows = rows_by_id(tx, articles, list(scores))
        page = [{**_article(rows[i]), "score": round(score, 4)} for i, score in scores.items()]
        return page, encode([offset + limit]) if len(found) > limit else None


def _all(where: list[str]) -> str:
    return " AND ".join(where) if where else "1 = 1"


def _json(content: Content) -> str:
    return content.model_dump_json()


def _article(row: dict[str, Any]) -> dict[str, Any]:
    found = dict(row)
    for key in ("ticket_types", "tags", "authors"):
        found[key] = json.loads(found[key])
    found["draft"] = json.loads(found["draft"]) if found.get("draft") else None
    found["archived"] = bool(found["archived"])
    return found
