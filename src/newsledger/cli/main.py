"""The ``newsledger`` command line.

Start-up stays fast: heavy modules (spaCy, trafilatura, pyarrow) are only
imported inside the commands that need them. Every error a user can cause
ends in one line on stderr that says how to fix it, and a non-zero exit.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import json
import os
import sys
from datetime import date, datetime
from typing import Any, Iterable, Optional

import click

from ..schema import ANNOTATION_TYPES, MODALITIES
from ..store.timestamps import SINCE_HELP, UNTIL_HELP

DEFAULT_DB = "newsledger.db"
DB_ENV = "NEWSLEDGER_DB"

# Commands other packages provide, imported only when used: name -> (module, attribute).
LAZY_COMMANDS = {
    "serve": ("newsledger.api.cli", "serve"),
    "stories": ("newsledger.stories.cli", "stories"),
    "provenance": ("newsledger.stories.cli", "provenance"),
    "sources": ("newsledger.watch.cli", "sources"),
    "watch": ("newsledger.watch.cli", "watch"),
    "alerts": ("newsledger.watch.cli", "alerts"),
}


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _known_errors() -> tuple[tuple[type, int], ...]:
    """The project's error classes and their exit codes (2: the request itself is invalid)."""
    from ..extract import ExtractError
    from ..ingest.base import InputError
    from ..run import PipelineError
    from ..store.errors import QueryError, StoreError

    return ((QueryError, 2), (StoreError, 1), (InputError, 1), (PipelineError, 1), (ExtractError, 1))


class NewsledgerGroup(click.Group):
    """Adds lazily imported commands and turns errors into one-line messages."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        lazy = [n for n, (mod, _) in LAZY_COMMANDS.items() if _module_exists(mod)]
        return sorted(set(super().list_commands(ctx)) | set(lazy))

    def get_command(self, ctx: click.Context, name: str) -> Optional[click.Command]:
        cmd = super().get_command(ctx, name)
        if cmd is not None or name not in LAZY_COMMANDS:
            return cmd
        module, attr = LAZY_COMMANDS[name]
        if not _module_exists(module):
            return None
        try:
            return getattr(importlib.import_module(module), attr)
        except Exception as e:  # e.g. the web extras are not installed
            reason = _one_line(f"{type(e).__name__}: {e}")

            @click.command(name, context_settings={"ignore_unknown_options": True}, add_help_option=False)
            @click.argument("args", nargs=-1, type=click.UNPROCESSED)
            def unavailable(args: tuple[str, ...]) -> None:
                raise click.ClickException(f"`newsledger {name}` is unavailable ({reason}): run `make setup`")

            return unavailable

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Run the CLI; errors print one line, never a traceback (set NEWSLEDGER_DEBUG=1 for it)."""
        try:
            rv = super().main(args, prog_name or "newsledger", complete_var, standalone_mode=False, **extra)
        except click.UsageError as e:
            hint = f" Try '{e.ctx.command_path} --help'." if e.ctx else ""
            _fail(_one_line(e.format_message()).rstrip(".") + "." + hint, e.exit_code)
        except click.ClickException as e:
            _fail(_one_line(e.format_message()), e.exit_code)
        except (click.Abort, KeyboardInterrupt):
            _fail("interrupted", 130)
        except BrokenPipeError:
            # Output piped into `head` and the reader left: not an error.
            sys.stderr = open(os.devnull, "w")
            sys.exit(0)
        except Exception as e:
            for cls, code in _known_errors():
                if isinstance(e, cls):
                    _fail(_one_line(str(e)) or type(e).__name__, code)
            if isinstance(e, OSError) and e.filename:
                _fail(f"cannot use {e.filename}: {e.strerror or e}", 1)
            if os.environ.get("NEWSLEDGER_DEBUG"):
                raise
            _fail(
                f"internal error ({type(e).__name__}: {_one_line(str(e))[:300]}); "
                "rerun with NEWSLEDGER_DEBUG=1 for the traceback and report it",
                1,
            )
        sys.exit(rv if isinstance(rv, int) else 0)


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


class DateParam(click.ParamType):
    """An ISO 8601 date (YYYY-MM-DD) or date-time; passed on as text."""

    name = "DATE"

    def convert(self, value: Any, param, ctx) -> str:
        if isinstance(value, (date, datetime)):
            return value.isoformat()
        text = str(value).strip()
        try:
            if len(text) == 10:
                date.fromisoformat(text)
            else:
                datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2025-03-01", param, ctx)
        return text


DATE = DateParam()


class LazyChoice(click.Choice):
    """A choice among names known only when the option is used (a registry's: plugins load then, not at start-up)."""

    def __init__(self, names, case_sensitive: bool = True):
        self._names = names
        super().__init__((), case_sensitive=case_sensitive)

    @property
    def choices(self) -> tuple:
        return tuple(self._names())

    @choices.setter
    def choices(self, _value) -> None:
        pass


def _export_formats() -> tuple[str, ...]:
    from .. import exporters

    return exporters.names()


def _export_kinds() -> tuple[str, ...]:
    from ..store import EXPORT_KINDS

    return EXPORT_KINDS


def _review_kinds() -> tuple[str, ...]:
    from ..store.reviews import KINDS

    return tuple(KINDS)


def _roles() -> tuple[str, ...]:
    from ..store.migrations import ROLE_COLUMNS

    return tuple(ROLE_COLUMNS)


def db_option(f):
    return click.option(
        "--db", "db", envvar=DB_ENV, default=DEFAULT_DB, show_default=True, metavar="FILE",
        help=f"Database file (or set {DB_ENV}).",
    )(f)


def json_option(f):
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(f)


def _executor(kind: str, workers: Optional[int], scheduler: Optional[str]):
    from ..executors import make_executor

    try:
        return make_executor(kind, workers=workers, scheduler=scheduler)
    except (OSError, RuntimeError, TimeoutError) as e:
        raise click.ClickException(f"cannot start the {kind} executor: {e}") from None


def _open(db: str, create: bool = False):
    from ..store import open_store

    return open_store(db, create=create)


def _stdout():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _fetch_options(allow_private: bool, follow_links: Optional[bool] = None):
    from ..ingest.fetch import FetchOptions

    return FetchOptions(allow_private=allow_private, follow_links=follow_links)


def _print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- the group


@click.group(
    "newsledger",
    cls=NewsledgerGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    epilog="""\b
Examples:
  newsledger extract page.html                 # one article as JSON
  newsledger ingest dumps/ feed.xml --db news.db
  newsledger search '"peace talks" AND Kyiv' --since 2025-01-01
  newsledger quotes --speaker Kovalenko        # a speaker in the bundled examples
  newsledger compare --place Siversk           # per outlet: since when, which words, claims by modality
  newsledger stories                           # one event across outlets; then `provenance --claim ID`
  newsledger review claim 8 --confirm --by "Ana Lyst"
  newsledger sources add https://example.org/rss.xml --db news.db && newsledger watch --db news.db
  newsledger export --format parquet --kind claims --out claims.parquet
Every command has --help with examples.
""",
)
@click.version_option(package_name="newsledger", prog_name="newsledger")
def cli() -> None:
    """Turn news pages into a record of who claims what, where, when and according to whom.

    Inputs are page dumps, HTML files, WARC archives, RSS/Atom feeds, sitemaps,
    JSONL exports, plain text, or http(s) URLs; directories are read recursively.
    """


# ---------------------------------------------------------------- stateless stages


FORMAT_JSON = click.option(
    "--format", "fmt", type=click.Choice(["json", "jsonl"]), default="json", show_default=True,
    help="json: one object for one article, an array for several; jsonl: one object per line.",
)
ALLOW_PRIVATE = click.option(
    "--allow-private", is_flag=True, help="Allow URLs on private/loopback networks (refused by default)."
)


def _emit(records: Iterable[dict], fmt: str) -> int:
    """Print records as they come (jsonl) or all at the end (json); returns how many."""
    if fmt == "jsonl":
        n = 0
        for rec in records:
            click.echo(json.dumps(rec, ensure_ascii=False))
            n += 1
        return n
    out = list(records)
    if out:
        _print_json(out[0] if len(out) == 1 else out)
    return len(out)


def _good(items: Iterable, bad: list) -> Iterable:
    """Pass articles through; keep BadInputs aside for ``_report_bad``."""
    from ..schema import BadInput

    for item in items:
        if isinstance(item, BadInput):
            bad.append(item)
        else:
            yield item


def _report_bad(bad: list, produced: int, what: str) -> None:
    """Warn about skipped inputs, or fail in one line when nothing came out."""
    if produced:
        for b in bad:
            click.echo(f"skipped {b.origin.label()}: {_one_line(b.reason)}", err=True)
        return
    if not bad:
        raise click.ClickException("the input holds no documents")
    first = f"{bad[0].origin.label()}: {_one_line(bad[0].reason)}"
    if len(bad) == 1:
        raise click.ClickException(f"no article {what} from {first}")
    raise click.ClickException(f"no article {what} from {len(bad)} inputs (first: {first})")


@cli.command(epilog="""\b
Examples:
  newsledger extract article.html
  newsledger extract dump.txt --format jsonl > articles.jsonl
  newsledger extract https://example.org/news/story
""")
@click.argument("paths", nargs=-1, required=True, metavar="PATH|URL...")
@FORMAT_JSON
@ALLOW_PRIVATE
def extract(paths: tuple[str, ...], fmt: str, allow_private: bool) -> None:
    """Extract articles (title, date, authors, body...) and print them as JSON. Stores nothing.

    Inputs that hold no article are reported on stderr and skipped.
    """
    from ..run import extract_only
    from ..schema import to_dict

    bad: list = []
    items = extract_only(paths, fetch_options=_fetch_options(allow_private))
    n = _emit((to_dict(a) for a in _good(items, bad)), fmt)
    _report_bad(bad, n, "could be extracted")


@cli.command(epilog="""\b
Examples:
  newsledger analyze article.html
  newsledger analyze dumps/ --format jsonl > analyses.jsonl
""")
@click.argument("paths", nargs=-1, required=True, metavar="PATH|URL...")
@FORMAT_JSON
@ALLOW_PRIVATE
def analyze(paths: tuple[str, ...], fmt: str, allow_private: bool) -> None:
    """Extract and analyse articles (entities, quotes, places, claims, framing); print JSON.

    Stores nothing; use `ingest` to build a database.
    """
    from ..ingest import ReadStats, count_inputs
    from ..run import analyze_only, load_analyzer

    analyzer = load_analyzer()
    stats = ReadStats()
    total = count_inputs(list(paths))
    bad: list = []
    items = analyze_only(paths, fetch_options=_fetch_options(allow_private), stats=stats, analyzer=analyzer)
    console = _stderr()
    show = console.is_terminal and (total is None or total > 1)
    with _progress(console, disable=not show) as bar:
        task = bar.add_task("analysing", total=total, info="")

        def records():
            for i, a in enumerate(_good(items, bad), 1):
                bar.update(task, completed=stats.files, info=f"{i} articles")
                yield a.to_dict()

        n = _emit(records(), fmt)
    _report_bad(bad, n, "could be analysed")


def _existing_inputs(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The inputs that exist; each missing one is reported and left out, so one typo
    does not abort the batch. None left: fail before any database is created."""
    from ..ingest import is_url

    missing = [p for p in paths if not is_url(p) and not os.path.exists(p)]
    if missing and len(missing) < len(paths):
        for p in missing:
            click.echo(f"skipped {p}: no such file or directory", err=True)
    if missing and len(missing) == len(paths):
        raise click.ClickException(
            f"no such file or directory: {missing[0]}" if len(missing) == 1
            else f"none of the {len(missing)} inputs exists (first: {missing[0]})")
    return tuple(p for p in paths if p not in missing)


def _plural(n: int, word: str, plural: Optional[str] = None) -> str:
    return f"{n} {word if n == 1 else plural or word + 's'}"


def _progress(console, disable: bool):
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    return Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("files"), TextColumn("{task.fields[info]}"), TimeElapsedColumn(),
        console=console, transient=True, disable=disable,
    )


# ---------------------------------------------------------------- database


@cli.command(epilog="""\b
Examples:
  newsledger ingest dumps/ archive.warc.gz --db news.db
  newsledger ingest https://example.org/feed.xml
  newsledger ingest pages/ --no-analyze        # store articles only, fast
  newsledger ingest --resume --db news.db      # continue a run that was killed
  newsledger ingest big/ --executor processes --workers 4
  newsledger ingest big/ --executor dask --scheduler tcp://10.0.0.5:8786 --db postgresql://nl@db/news
Ingesting the same input again adds nothing: unchanged articles are skipped.
""")
@click.argument("paths", nargs=-1, metavar="PATH|URL...")
@db_option
@click.option("--no-analyze", is_flag=True, help="Store extracted articles without analysing them.")
@click.option("--force", is_flag=True, help="Re-analyse articles even when they are stored unchanged.")
@click.option("--resume", is_flag=True,
              help="Continue the last unfinished run (same inputs and options), skipping documents it finished.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=32, show_default=True,
              help="Articles analysed and stored per transaction.")
@click.option("--executor", type=click.Choice(["local", "processes", "dask"]), default=None,
              help="Where to extract and analyse: this process (default), worker processes, or Dask.")
@click.option("--workers", type=click.IntRange(1, 1024), default=None,
              help="Worker processes for --executor processes|dask (default: CPU count).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler to use (e.g. tcp://host:8786; implies --executor dask); "
                   "default: a local cluster of --workers processes.")
@ALLOW_PRIVATE
@click.option("--follow-links/--no-follow-links", default=None,
              help="Fetch the pages that feed and sitemap items link to. Default: only for feeds and sitemaps "
                   "given as URLs; a local feed or sitemap file is read without touching the network.")
@json_option
def ingest(paths: tuple[str, ...], db: str, no_analyze: bool, force: bool, resume: bool, batch_size: int,
           executor: Optional[str], workers: Optional[int], scheduler: Optional[str],
           allow_private: bool, follow_links: Optional[bool], as_json: bool) -> None:
    """Read, extract, analyse and store articles in the database.

    Unreadable inputs are quarantined (see `stats`), never fatal.
    """
    from ..run import ingest as run_ingest
    from ..run import load_analyzer

    if resume and (paths or no_analyze or force):
        raise click.UsageError("--resume takes no PATHs, --no-analyze or --force: it reuses the interrupted run's")
    if not resume and not paths:
        raise click.UsageError("give at least one PATH or URL to ingest (or --resume)")
    paths = _existing_inputs(paths)
    on_server = db.startswith(("postgresql://", "postgres://"))
    if resume and not on_server and not os.path.exists(db):
        raise click.ClickException(f"nothing to resume: no database at {db}")
    if scheduler:
        executor = executor or "dask"
        if executor != "dask":
            raise click.UsageError("--scheduler is a Dask scheduler's address: use it with --executor dask")
    remote = executor in ("processes", "dask")
    # A first run always analyses: load the models before creating the database, so a
    # broken setup leaves no empty file behind. Later runs load them only when needed
    # (with worker executors, each worker loads its own).
    analyzer = None if no_analyze or remote or on_server or os.path.exists(db) else load_analyzer()
    console = _stderr()
    with contextlib.ExitStack() as stack:
        pool = stack.enter_context(_executor(executor, workers, scheduler)) if remote else None
        store = stack.enter_context(_open(db, create=True))
        bar = stack.enter_context(_progress(console, disable=not console.is_terminal))
        task = bar.add_task("ingesting", total=None, info="")

        def progress(s) -> None:
            bar.update(task, completed=s.files, total=s.total_files,
                       info=f"{s.read} docs, {s.new} new, {sum(s.quarantined.values())} quarantined")

        common = dict(progress=progress, fetch_options=_fetch_options(allow_private, follow_links), batch_size=batch_size,
                      executor=pool)
        if resume:
            from ..run import resume as resume_run

            summary = resume_run(store, **common)
        else:
            summary = run_ingest(paths, store, analyze=not no_analyze, analyzer=analyzer, force=force, **common)
    if as_json:
        _print_json(summary.to_dict())
        return
    from rich.table import Table

    table = Table(title=f"ingest run {summary.run_id} → {db}", show_header=True)
    table.add_column("result")
    table.add_column("documents", justify="right")
    for label, n in (("read", summary.read), ("new", summary.new), ("updated", summary.updated),
                     ("unchanged", summary.unchanged), ("duplicates", summary.duplicates)):
        table.add_row(label, str(n))
    table.add_row("quarantined", str(sum(summary.quarantined.values())))
    for reason, n in summary.quarantined.most_common():
        table.add_row(f"  {reason}", str(n))
    for kind, n in sorted(summary.skipped.items()):
        table.add_row(f"skipped ({kind})", str(n))
    _stdout().print(table)
    rate = summary.read / summary.elapsed if summary.elapsed else 0
    click.echo(f"{_plural(summary.read, 'document')} in {summary.elapsed:.1f}s ({rate:.1f}/s)", err=True)


SOURCE = click.option("--source", metavar="DOMAIN", help="Only this outlet (domain such as example.org, or name).")
SINCE = click.option("--since", type=DATE, help=f"Published {SINCE_HELP}.")
UNTIL = click.option("--until", type=DATE, help=f"Published {UNTIL_HELP}.")
LIMIT = click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True, help="Rows to show.")
OFFSET = click.option("--offset", type=click.IntRange(0), default=0, help="Rows to skip (paging).")


@cli.command(epilog="""\b
Query syntax (the same on SQLite and PostgreSQL):
  ceasefire                 a word (stemmed: also ceasefires)
  "peace talks"             a phrase
  Kyiv AND (talks OR summit)
  drone NOT exercise        NOT excludes; it needs a word to exclude from
  escal*                    a prefix of the stemmed word (escalate, escalation)
  title:Kharkiv             only in titles (text: only in the body)
Examples:
  newsledger search "Seversk" --since 2025-01-01 --limit 5
  newsledger search 'drone NOT exercise' --source example.org
""")
@click.argument("query")
@SOURCE
@SINCE
@UNTIL
@click.option("--lang", metavar="CODE", help="Only articles in this language (ISO 639-1, e.g. en).")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True,
              help="Order of the hits; newest/oldest are the same on SQLite and PostgreSQL, relevance scores differ.")
@LIMIT
@OFFSET
@db_option
@json_option
def search(query: str, source, since, until, lang, sort: str, limit: int, offset: int, db: str, as_json: bool) -> None:
    """Full-text search over titles and article text, best matches first (see --sort)."""
    from rich.text import Text

    from ..store.expand import expand_query

    start, end = "\x02", "\x03"  # control characters, which extracted article text practically never holds
    with _open(db) as store:
        query, expanded = expand_query(store._read, query)
        for word, variants in expanded.items():
            click.echo(f"also searching {', '.join(variants)}: the same place as {word} (GeoNames)", err=True)
        hits = store.search(query, source=source, since=since, until=until, lang=lang, limit=limit, offset=offset,
                            markers=(start, end) if not as_json else ("[", "]"), sort=sort)
    if as_json:
        _print_json([h.to_dict() for h in hits])
        return
    console = _stdout()
    if not hits:
        console.print("no matches")
        return
    for i, h in enumerate(hits, offset + 1):
        head = Text(f"{i}. ", style="bold")
        head.append(h.title or "(untitled)", style="bold")
        console.print(head)
        meta = " · ".join(x for x in (h.source, (h.published or "")[:10], h.id[:10]) if x)
        if h.duplicate_of:
            meta += f" · copy of {h.duplicate_of[:10]}"
        console.print(Text(meta, style="dim"))
        console.print(_highlight(h.snippet, start, end))
        console.print()


def _highlight(snippet: str, start: str, end: str):
    from rich.text import Text

    out = Text()
    for i, part in enumerate(snippet.replace(end, start).split(start)):
        out.append(" ".join(part.split("\n")), style="bold yellow" if i % 2 else None)
    return out


@cli.command(epilog="""\b
Examples:
  newsledger show 3f9a1c          # an id prefix is enough
  newsledger show 3f9a1c --json   # the full analysis
""")
@click.argument("article_id", metavar="ID")
@db_option
@json_option
def show(article_id: str, db: str, as_json: bool) -> None:
    """Show one stored article with its annotations."""
    with _open(db) as store:
        analysis = store.get(article_id)
        if analysis is None:
            raise click.ClickException(f"no article with id {article_id!r}: find ids with `newsledger search WORDS`")
        meta = store.article_meta(analysis.article.id)
    if as_json:
        _print_json({**analysis.to_dict(), "store": meta})
        return
    from rich.table import Table
    from rich.text import Text

    art = analysis.article
    console = _stdout()
    console.print(Text(art.title or "(untitled)", style="bold"))
    fields = [("id", art.id), ("url", art.url), ("source", art.source.name or art.source.domain),
              ("published", art.published), ("language", art.language), ("authors", ", ".join(art.authors)),
              ("duplicate of", meta["duplicate_of"]), ("copies", ", ".join(c[:10] for c in meta["copies"]))]
    for name, value in fields:
        if value:
            console.print(Text(f"{name:>12}: ", style="dim") + Text(str(value)))
    console.print()
    console.print(Text(art.text[:1500] + ("…" if len(art.text) > 1500 else "")))
    if analysis.quotes:
        t = Table(title="quotes")
        for col in ("speaker", "kind", "quote"):
            t.add_column(col)
        for qt in analysis.quotes:
            t.add_row(Text(qt.speaker or "?"), qt.kind, Text(qt.text))
        console.print(t)
    if analysis.claims:
        t = Table(title="claims")
        for col in ("type", "actor", "place", "date", "modality", "according to"):
            t.add_column(col)
        def inferred(value: str, basis: Optional[str]) -> str:
            return f"{value} (inferred)" if value and basis and basis != "text" else value

        for c in analysis.claims:
            by = ", ".join(a.name if a.role == "asserts" else f"{a.name} ({a.role})" for a in c.attributions or [])
            t.add_row(c.type, Text(inferred(c.actor.text, c.actor.basis) if c.actor else ""),
                      Text(inferred(c.place.name or c.place.text, c.place.basis) if c.place else ""),
                      c.date or "", c.modality, Text(by))
        console.print(t)
    counts = {k: len(getattr(analysis, k)) for k in ANNOTATION_TYPES}
    console.print(Text(" · ".join(f"{n} {k}" for k, n in counts.items()), style="dim"))


@cli.command(epilog="""\b
Examples:
  newsledger export --format parquet --out articles.parquet
  newsledger export --format csv --kind quotes --out quotes.csv
  newsledger export --kind claims > claims.jsonl
  newsledger export --kind reviews --out reviews.csv     # every analyst review
""")
@click.option("--format", "fmt", type=LazyChoice(_export_formats),
              help="Output format (default: from --out's extension, else jsonl).")
@click.option("--kind", type=LazyChoice(_export_kinds), default="articles", show_default=True, help="What to export.")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), help="Output file (default: stdout).")
@db_option
def export(fmt: Optional[str], kind: str, out: Optional[str], db: str) -> None:
    """Export a table of the database as Parquet, CSV or JSON lines."""
    from .. import exporters
    from ..registry import spoken

    if fmt is None:
        ext = os.path.splitext(out or "")[1].lower().lstrip(".")
        found = exporters.for_extension(ext or "jsonl")
        if found is None:
            # Writing JSON lines into x.xlsx would hand a spreadsheet program a file it cannot open.
            raise click.UsageError(
                f"cannot write .{ext} files: supported formats are {spoken(exporters.names())} "
                f"(name the file {spoken(['.' + n for n in exporters.names()], 'or')}, "
                "or pass --format; spreadsheets open .csv)")
        fmt = found.name
    binary = exporters.get(fmt).binary
    if binary and not out and sys.stdout.isatty():
        raise click.UsageError(f"{fmt} is binary: write it to a file with --out FILE.{fmt}")
    with _open(db) as store:
        if out:
            n = store.export(fmt, out, kind=kind)
        elif binary:
            n = store.export(fmt, sys.stdout.buffer, kind=kind)
        else:
            n = store.export(fmt, sys.stdout, kind=kind)
    click.echo(f"exported {n} rows of {kind}" + (f" to {out}" if out else ""), err=True)


@cli.command(epilog="Example:\n\n  newsledger stats --db news.db --json")
@db_option
@json_option
def stats(db: str, as_json: bool) -> None:
    """Counts of articles, sources, languages, annotations, runs and quarantined inputs."""
    with _open(db) as store:
        s = store.stats()
    if as_json:
        _print_json(s)
        return
    from rich.table import Table
    from rich.text import Text

    t = Table(title=f"newsledger database {db}", show_header=False)
    t.add_column("what")
    t.add_column("count", justify="right")
    for key in ("articles", "analysed", "duplicates", "sources", "runs"):
        t.add_row(key, str(s[key]))
    if s["published_min"]:
        t.add_row("published", f"{s['published_min'][:10]} … {s['published_max'][:10]}")
    for lang, n in s["languages"].items():
        t.add_row(f"language {lang}", str(n))
    for kind, n in s["annotations"].items():
        t.add_row(kind, str(n))
    t.add_row("quarantined", str(sum(s["quarantined"].values())))
    for reason, n in s["quarantined"].items():
        t.add_row(Text(f"  {reason}"), str(n))
    _stdout().print(t)


@cli.command(epilog="""\b
Examples:
  newsledger backup news-2025-03-01.db --db news.db
  newsledger backup nightly.dump --db postgresql://user@host/news    # uses pg_dump
The database may be in use: the backup is a consistent snapshot.
""")
@click.argument("out", metavar="OUT")
@db_option
@click.option("--force", is_flag=True, help="Overwrite OUT if it exists.")
def backup(out: str, db: str, force: bool) -> None:
    """Copy the database to the file OUT (SQLite online backup, or pg_dump)."""
    from ..store.backup import backup as run_backup

    done = run_backup(db, out, force=force)
    click.echo(f"backed up {db} to {done['path']} ({done['bytes']} bytes)", err=True)


@cli.command(epilog="""\b
Examples:
  newsledger restore news-2025-03-01.db --db news.db --force
The backup is checked (integrity, schema version) before anything is replaced.
""")
@click.argument("backup_file", metavar="BACKUP")
@db_option
@click.option("--force", is_flag=True, help="Replace the database if it exists.")
def restore(backup_file: str, db: str, force: bool) -> None:
    """Replace the database by a backup made with `newsledger backup`."""
    from ..store.backup import restore as run_restore

    done = run_restore(backup_file, db, force=force)
    click.echo(f"restored {backup_file} into {done['path']}", err=True)


@cli.command(epilog="""\b
Example:
  newsledger plugins --json
Plugins register through the entry point groups shown (see the README's "Plug points").
""")
@json_option
def plugins(as_json: bool) -> None:
    """List the readers, extractors, analysis components and export formats, and plugins that failed to load."""
    from ..registry import all_registries

    found = {what: {"group": reg.group, "names": list(reg.names()), "broken": dict(reg.broken)}
             for what, reg in all_registries().items()}
    if as_json:
        _print_json(found)
        return
    for what, info in found.items():
        click.echo(f"{what}s ({info['group']}): {', '.join(info['names'])}")
        for plugin, why in info["broken"].items():
            click.echo(f"  not loaded: {plugin}: {why}")


# Column layouts: names stay narrow; long text gets the room that is left.
SHORT: dict = {"no_wrap": True}
FOLD: dict = {"overflow": "fold"}
NAME = {"max_width": 16, "overflow": "fold"}
LONG: dict = {}
LONG_TEXT = 140  # characters of a quote or sentence shown in a table cell


def _table(rows: list[dict], columns: list[tuple[str, str, dict]], title: str, as_json: bool) -> None:
    if as_json:
        _print_json(rows)
        return
    from rich.table import Table
    from rich.text import Text

    console = _stdout()
    if not rows:
        console.print(f"no {title}")
        return
    t = Table(title=title)
    for _, header, opts in columns:
        t.add_column(header, **opts)
    for r in rows:
        cells = []
        for key, _, opts in columns:
            value = "" if r.get(key) is None else " ".join(str(r.get(key)).split())
            if opts is LONG and len(value) > LONG_TEXT:
                value = value[: LONG_TEXT - 1] + "…"
            cells.append(Text(value))
        t.add_row(*cells)
    console.print(t)


HIDE_REJECTED = click.option("--hide-rejected", is_flag=True, help="Leave out items an analyst rejected.")
REVIEWED = click.option("--reviewed", type=click.Choice(["yes", "no"]), default=None,
                        help="Only reviewed (yes) or only unreviewed (no) items.")


def _review_args(hide_rejected: bool, reviewed: Optional[str]) -> dict:
    return {"hide_rejected": hide_rejected, "reviewed": None if reviewed is None else reviewed == "yes"}


def _verdicts(rows: list[dict]) -> None:
    """A short review column for tables (JSON keeps the whole ``review`` record)."""
    for r in rows:
        mark = r.get("review")
        r["reviewed"] = mark.get("verdict") if mark else ""


# Below this many columns a table of short fields plus a long text cell squeezes the
# text to a word or two per line: each row is printed as a heading line plus its text.
WIDE_TABLE = 140


def _stacked(rows: list[dict], columns: list[tuple[str, str, dict]], long_key: str, title: str) -> None:
    import textwrap

    from rich.text import Text

    console = _stdout()
    width = max(40, console.width)
    console.print(Text(title, style="bold"))
    for r in rows:
        fields = [f"{header}: {' '.join(str(r.get(key)).split())}" for key, header, _ in columns
                  if r.get(key) not in (None, "")]
        # Lines break between fields, so a name or a date is never split.
        lines, line = [], ""
        for f in fields:
            if line and len(line) + 3 + len(f) > width:
                lines.append(line)
                line = f
            else:
                line = f"{line} · {f}" if line else f
        lines.append(line)
        for ln in lines:
            console.print(Text(ln, style="bold"))
        body = " ".join(str(r.get(long_key) or "").split())
        console.print(Text(textwrap.fill(body, width=width, initial_indent="    ", subsequent_indent="    ")))
        console.print()


def _claim_types(store) -> list[str]:
    """Claim types a --type filter can name: the trigger lexicon's and the database's."""
    from importlib import resources

    data = json.loads(resources.files("newsledger.data").joinpath("triggers.json").read_text(encoding="utf-8"))
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("type"), str):
                found.add(node["type"].upper())
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(data)
    found |= {"TAKE_CONTROL", "LOSE_CONTROL", "CONTESTED"}
    from ..store.reviews import claim_types

    found |= set(claim_types(store))
    return sorted(found)


@cli.command(epilog="""\b
Examples:
  newsledger quotes --speaker Kovalenko --since 2025-12-01
  newsledger quotes --source example.org --json
  newsledger quotes --all-kinds          # with book titles, slogans, scare quotes
""")
@click.option("--speaker", help="Part of the speaker's name (case-insensitive).")
@click.option("--all-kinds", is_flag=True,
              help="Also list quoted titles, terms and scare quotes (kinds title, term, scare), left out by default.")
@SOURCE
@SINCE
@UNTIL
@LIMIT
@OFFSET
@db_option
@json_option
@HIDE_REJECTED
@REVIEWED
def quotes(speaker, all_kinds, source, since, until, limit, offset, db, as_json, hide_rejected, reviewed) -> None:
    """Quotes and who said them, newest first. Reviewed quotes show the analyst's values."""
    with _open(db) as store:
        kw = {"kinds": None} if all_kinds else {}
        rows = store.quotes(speaker=speaker, source=source, since=since, until=until, limit=limit, offset=offset,
                            **kw, **_review_args(hide_rejected, reviewed))
    if not as_json:
        _verdicts(rows)
    for r in rows:
        r["day"] = (r.get("published") or "")[:10]
        r["article"] = r["article_id"][:8]
    review_col = [("reviewed", "review", SHORT)] if any(r.get("reviewed") for r in rows) else []
    _table(rows, [("speaker", "speaker", NAME), ("text", "quote", LONG), ("kind", "kind", SHORT),
                  ("source", "source", NAME), ("day", "published", SHORT), ("article", "article", SHORT),
                  *review_col], "quotes", as_json)


@cli.command(epilog="""\b
Examples:
  newsledger claims --type TAKE_CONTROL --place Bakhmut
  newsledger claims --actor RUS --since 2025-01-01 --json
  newsledger claims --place Siversk --modality denied
  newsledger claims --according-to Kovalenko --role denies
""")
@click.option("--place", help="Place name or GeoNames id.")
@click.option("--type", "type_", metavar="TYPE", help="Claim type, e.g. ASSAULT, TAKE_CONTROL.")
@click.option("--actor", help="Actor country code (ISO alpha-3, e.g. UKR) or part of its name.")
@click.option("--modality", type=click.Choice(MODALITIES, case_sensitive=False),
              help="Only claims stated this way (denied: someone says it did not happen).")
@click.option("--according-to", metavar="NAME", help="Part of the name of who asserts, denies or reports the claim.")
@click.option("--role", type=LazyChoice(_roles, case_sensitive=False),
              help="With --according-to: only in this role; alone: claims someone holds this role in.")
@SOURCE
@click.option("--since", type=DATE, help=f"Claimed event (else publication) {SINCE_HELP}.")
@click.option("--until", type=DATE, help=f"Claimed event (else publication) {UNTIL_HELP}.")
@LIMIT
@OFFSET
@db_option
@json_option
@HIDE_REJECTED
@REVIEWED
def claims(place, type_, actor, modality, according_to, role, source, since, until, limit, offset, db, as_json,
           hide_rejected, reviewed) -> None:
    """Event claims: who did what, where, when, according to whom (and who denies them). Reviewed claims
    show the analyst's values."""
    with _open(db) as store:
        if type_ and type_.strip().upper() not in (known := _claim_types(store)):
            raise click.BadParameter(
                f"unknown claim type {type_!r}: choose one of {', '.join(known)}", param_hint="'--type'")
        rows = store.claims(place=place, type=type_, actor=actor, modality=modality, source=source, since=since,
                            until=until, according_to=according_to, role=role, limit=limit, offset=offset,
                            **_review_args(hide_rejected, reviewed))
    if not as_json:
        _verdicts(rows)
    for r in rows:
        # Who denies or only reports a claim is named as such, never as one more asserter.
        by = [r.get("asserted_by_names"), r.get("denied_by_names") and f"denied by {r['denied_by_names']}",
              r.get("reported_by_names") and f"reported by {r['reported_by_names']}"]
        r["according_to"] = "; ".join(b for b in by if b) or r.get("source")
        r["article"] = r["article_id"][:8]
    review_col = [("reviewed", "review", SHORT)] if any(r.get("reviewed") for r in rows) else []
    columns = [("article", "article", SHORT), ("type", "type", SHORT), ("actor_text", "actor", NAME),
               ("place_name", "place", NAME), ("date", "date", FOLD), ("modality", "modality", FOLD),
               ("according_to", "according to", NAME), *review_col, ("sentence", "sentence", LONG)]
    if as_json or not rows or _stdout().width >= WIDE_TABLE:
        _table(rows, columns, "claims", as_json)
    else:
        _stacked(rows, columns[:-1], "sentence", "claims")


@cli.command(epilog="""\b
Examples:
  newsledger compare --place Siversk
  newsledger compare --entity "Andrii Kovalenko"
  newsledger compare --claim-type TAKE_CONTROL --since 2025-12-01 --json
""")
@click.option("--place", help="Place name or GeoNames id.")
@click.option("--entity", help="Person or organisation as written.")
@click.option("--claim-type", metavar="TYPE", help="Claim type, e.g. TAKE_CONTROL.")
@SINCE
@UNTIL
@LIMIT
@OFFSET
@db_option
@json_option
def compare(place, entity, claim_type, since, until, limit, offset, db, as_json) -> None:
    """How each outlet reports a place, entity or claim type: since when, in which words,
    and its claims counted by modality (\"TAKE_CONTROL: 2 asserted, 1 denied\")."""
    from ..store import views as queries

    if not (place or entity or claim_type):
        raise click.UsageError("give --place, --entity or --claim-type (e.g. --place Siversk)")
    with _open(db, create=False) as store:  # migrates an older file and fails clearly when there is none
        result = queries.compare(queries.views(store), entity=entity, place=place, claim_type=claim_type,
                                 since=since, until=until, limit=limit, offset=offset)
    rows = result["items"]
    for r in rows:
        r["first_date"] = (r["first"]["date"] or "")[:10]
        r["claims"] = "; ".join(queries.modality_summary(c) for c in r["claim_types"])
        r["terms"] = ", ".join(f"{t['term']} ×{t['count']}" for t in r["framing"])
    _table(rows, [("name", "outlet", NAME), ("country", "country", SHORT), ("articles", "articles", SHORT),
                  ("first_date", "first", SHORT), ("claims", "claims", FOLD), ("terms", "framing", FOLD)],
           "outlets", as_json)


@cli.command(epilog="""\b
Examples:
  newsledger places --since 2025-03-01
  newsledger places --country UA --json
  newsledger places --article 0fc25847        # one article's mentions, with the ids `review place` takes
""")
@SOURCE
@SINCE
@UNTIL
@click.option("--country", metavar="CC", help="Only places in this country (ISO alpha-2).")
@LIMIT
@OFFSET
@db_option
@json_option
@click.option("--article", "article_id", metavar="ID", help="List this article's place mentions with their ids.")
@click.option("--demonyms", is_flag=True, help='Also count places named by an adjective ("Russian", "Syrian").')
def places(source, since, until, country, limit, offset, db, as_json, article_id, demonyms) -> None:
    """Places mentioned in articles, most mentioned first, with coordinates.

    With --article, that article's place mentions one by one, with the ids `review place` takes.
    """
    if article_id:
        from ..store.reviews import place_mentions

        with _open(db) as store:
            full = store.resolve_id(article_id)
            if not full:
                raise click.ClickException(f"no article with id {article_id!r}: find ids with `newsledger search WORDS`")
            rows = place_mentions(store, full)
        if not as_json:
            _verdicts(rows)
        _table(rows, [("id", "id", SHORT), ("text", "text", NAME), ("name", "place", NAME),
                      ("country_code", "country", SHORT), ("geonames_id", "geonames", SHORT),
                      ("start", "start", SHORT), ("reviewed", "review", SHORT)], "place mentions", as_json)
        return
    with _open(db) as store:
        rows = store.places(source=source, since=since, until=until, country=country, limit=limit, offset=offset,
                            demonyms=demonyms)
    _table(rows, [("name", "place", NAME), ("country_code", "country", SHORT), ("geonames_id", "geonames", SHORT),
                  ("lat", "lat", SHORT), ("lon", "lon", SHORT), ("count", "mentions", SHORT),
                  ("articles", "articles", SHORT)], "places", as_json)


@cli.command(epilog="""\b
Examples:
  newsledger claims --place Siversk --json          # shows each claim's id
  newsledger review claim 12 --confirm --by "A. Analyst"
  newsledger review claim 12 --set type=ASSAULT --set modality=denied --note "a denial"
  newsledger review quote 7 --set speaker="Olena Marchuk"
  newsledger places --article 0fc25847 --json       # place mention ids
  newsledger review place 31 --set geonames_id=694403
  newsledger review claim 12 --reject --note "not an event"
Fields: claim type|modality|actor|actor_code|place (GeoNames id or name);
quote speaker|kind; place geonames_id|name (picked from the gazetteer).
Reviews are kept by article and text span: re-analysis and `ingest --force` keep them.
""")
@click.argument("kind", type=LazyChoice(_review_kinds))
@click.argument("item_id", metavar="ID", type=click.IntRange(1))
@click.option("--confirm", "verdict", flag_value="confirmed", help="The item is right as extracted.")
@click.option("--reject", "verdict", flag_value="rejected", help="The item is wrong (it stays listed, marked).")
@click.option("--set", "sets", multiple=True, metavar="FIELD=VALUE", help="Correct a field (repeatable).")
@click.option("--by", "reviewer", metavar="NAME", envvar="NEWSLEDGER_REVIEWER",
              help="Who reviews (or set NEWSLEDGER_REVIEWER).")
@click.option("--note", metavar="TEXT", help="Why, for the record.")
@db_option
@json_option
def review(kind, item_id, verdict, sets, reviewer, note, db, as_json) -> None:
    """Confirm, reject or correct a claim, quote or place (ID from `claims`/`quotes`/`places --article` --json)."""
    from ..store import reviews as rv

    if sets and verdict:
        raise click.UsageError("give --confirm, --reject or --set FIELD=VALUE, not several")
    if not sets and not verdict:
        raise click.UsageError("give --confirm, --reject or --set FIELD=VALUE")
    with _open(db) as store:
        fields = rv.parse_sets(kind, sets)
        done = rv.review(store, kind, item_id, verdict="corrected" if sets else verdict, sets=fields,
                         by=reviewer or os.environ.get("USER"), note=note, resolve=rv.gazetteer_resolver())
        from ..stories import update as update_stories

        update_stories(store, [done["article_id"]])  # contradictions and claim groups follow the reviewed values
    if as_json:
        _print_json(done)
        return
    change = "; ".join(f"{k}: {_short(done['before'].get(k))} → {_short(v)}" for k, v in done["after"].items())
    click.echo(f"{kind} {item_id} {done['verdict']} by {done['by']}" + (f" ({change})" if change else ""))


def _short(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("text") or value.get("code")
    return "none" if value in (None, "") else str(value)  # a cleared field reads as such, not as a dangling arrow


def main(argv: Optional[list[str]] = None) -> None:
    """Console-script entry point."""
    cli.main(args=argv, prog_name="newsledger")


if __name__ == "__main__":
    main()
