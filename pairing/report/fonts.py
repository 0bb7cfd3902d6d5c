"""Fonts that can draw the villages' names: the bundled Noto Sans SC, else a
Chinese font of the system, and the subset of glyphs a page embeds."""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import os
import io as bytes_io
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ..labels import CJK_START

#: Fonts with Chinese glyphs, tried in order when the bundled one is missing.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC", "Noto Serif CJK SC",
                "Noto Sans CJK JP", "AR PL UMing CN", "Droid Sans Fallback")
#: For the HTML report: the reader's own fonts, no web font.
CSS_FONTS = '"pairing-cjk", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", "WenQuanYi Micro Hei", "SimHei", sans-serif'



class MapFontWarning(UserWarning):
    """No font with the Chinese glyphs of the map's labels was found."""


# -- the PNG map -------------------------------------------------------------------------------
class FontFiles(Sequence):
    """Font files to draw names with, best first: the bundled Noto Sans SC (the
    same on every machine), any Chinese family matplotlib finds on the system,
    and matplotlib's own DejaVu Sans (no Chinese) last.

    Lazy: iterating yields the bundled font first and looks the system's up
    (which imports matplotlib's font manager, a quarter of a second) only when
    asked for more; indexing or ``len`` looks them all up."""

    def __init__(self) -> None:
        self._bundled = tuple(path for path in (_bundled_font(),) if path)
        self._all: tuple[str, ...] | None = None

    def _everything(self) -> tuple[str, ...]:
        if self._all is None:
            self._all = tuple(dict.fromkeys((*self._bundled, *_system_fonts())))
        return self._all

    def __iter__(self) -> Iterator[str]:
        yield from self._bundled
        yield from (path for path in self._everything() if path not in self._bundled)

    def __getitem__(self, index):
        return self._everything()[index]

    def __len__(self) -> int:
        return len(self._everything())


def _bundled_font() -> str | None:
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = str(pylopdf_fonts_zh_cn.sans_path())
    return path if Path(path).is_file() else None


def _system_fonts() -> list[str]:
    from matplotlib import font_manager

    by_family = {entry.name: entry.fname for entry in font_manager.fontManager.ttflist}
    files = [by_family[family] for family in CJK_FAMILIES if family in by_family]
    files.append(font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans")))
    return [path for path in files if Path(path).is_file()]


@functools.cache
def font_files() -> FontFiles:
    """Font files to draw names with, best first (see :class:`FontFiles`).

    Examples
    --------
    >>> Path(next(iter(font_files()))).name   # the bundled font, found without looking at the system's
    'NotoSansSC-Regular.otf'
    """
    return FontFiles()


@functools.cache
def charmap(path: str) -> frozenset[int]:
    """The code points a font has glyphs for, read with fontTools and kept in
    the cache folder (see :func:`font_subset`): a tenth of a second for Noto
    Sans SC, once."""
    cached = _cache_path("charmaps", path, "", ".u32")
    if cached.is_file():
        with contextlib.suppress(OSError, ValueError):
            # Little-endian 32-bit code points: read in a millisecond, where parsing text took fifty.
            return frozenset(np.frombuffer(cached.read_bytes(), dtype="<u4").tolist())
    try:
        from fontTools.ttLib import TTFont

        codes = frozenset(TTFont(path, fontNumber=0, lazy=True)["cmap"].getBestCmap() or {})
    except Exception:  # a font fontTools cannot read: FreeType's view of it
        from matplotlib.ft2font import FT2Font

        codes = frozenset(FT2Font(path).get_charmap())
    _keep(cached, np.array(sorted(codes), dtype="<u4").tobytes())
    return codes


def drawable(text: str, path: str) -> bool:
    """Whether the font has a glyph for every character of ``text``."""
    codes = charmap(path)
    return all(ord(character) in codes for character in str(text) if not character.isspace())


def font_for(texts: Iterable[str]) -> str | None:
    """The first font file that has a glyph for every character of ``texts``, or None.

    Examples
    --------
    >>> font_for(["东十里村"]) is not None   # the bundled Noto Sans SC
    True
    """
    joined = "".join(texts)
    return next((path for path in font_files() if drawable(joined, path)), None)


def best_font(texts: Sequence[str], files: Iterable[str] | None = None) -> str:
    """The font that can draw all of ``texts`` (the first such), else the one
    that draws the most of them; the system's fonts are looked at only when
    the bundled one falls short."""
    files = font_files() if files is None else files
    seen = []
    for path in files:
        if all(drawable(text, path) for text in texts):
            return path
        seen.append(path)
    return max(seen, key=lambda path: sum(drawable(text, path) for text in texts))


def _cache_path(kind: str, path: str, extra: str, suffix: str) -> Path:
    """Where the cache keeps what was made from a font file (keyed by its path,
    modification time and ``extra``): ``$XDG_CACHE_HOME/pairing/<kind>`` (``~/.cache``)."""
    key = hashlib.sha256(f"{path}\x00{Path(path).stat().st_mtime_ns}\x00{extra}".encode()).hexdigest()[:32]
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pairing" / kind / f"{key}{suffix}"


def _keep(cached: Path, data: bytes) -> None:
    """Write a cache file whole; a cache that cannot be written is simply not kept."""
    with contextlib.suppress(OSError):
        cached.parent.mkdir(parents=True, exist_ok=True)
        temp = cached.with_suffix(f".{os.getpid()}.tmp")
        temp.write_bytes(data)
        os.replace(temp, cached)


def embedded_font_css(text: str) -> str:
    """An ``@font-face`` rule for family ``pairing-cjk`` with just the glyphs of
    ``text``, as WOFF in a ``data:`` URI (base64 has no ``:``, so the page still
    holds no ``http://``); "" when no Chinese font is available.

    Examples
    --------
    >>> rule = embedded_font_css("东十里村")
    >>> "@font-face" in rule and "http://" not in rule and len(rule) < 20_000
    True
    """
    needed = {character for character in set(text) if not character.isspace()}
    chinese = {ord(character) for character in needed if ord(character) >= CJK_START}
    if not chinese:
        return ""
    path = next((path for path in font_files() if chinese <= charmap(path)), None)
    path = path or max(font_files(), key=lambda path: len(chinese & charmap(path)))
    if not chinese & charmap(path):  # no Chinese on the page, or no font that has it
        return ""
    try:
        data = font_subset(path, "".join(sorted(needed)))
    except Exception as error:  # a font fontTools cannot subset: the reader's fonts will do
        warnings.warn(f"report: font {Path(path).name} not embedded ({type(error).__name__}: {error})", MapFontWarning, stacklevel=2)
        return ""
    encoded = base64.b64encode(data).decode("ascii")
    return (f"/* {Path(path).stem}: the glyphs this page uses; SIL Open Font License 1.1 for the bundled Noto Sans SC */\n"
            f'@font-face {{ font-family: "pairing-cjk"; src: url(data:font/woff;base64,{encoded}) format("woff"); }}\n')


def font_subset(path: str, characters: str) -> bytes:
    """The WOFF subset of a font with just ``characters``, from the cache folder
    when it was made before (the same county's report, rebuilt: 0.7 s saved for
    Anqiu's thousand characters). The cache is ``$XDG_CACHE_HOME/pairing/fonts``
    (``~/.cache``); a cache that cannot be written is simply not kept."""
    cached = _cache_path("fonts", path, characters, ".woff")
    if cached.is_file():
        return cached.read_bytes()
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor, options.layout_features, options.hinting = "woff", [], False
    # Bounds are not recomputed (the glyphs' are kept) nor the Unicode ranges pruned:
    # a third of the time, for the same glyphs.
    options.prune_unicode_ranges = options.prune_codepage_ranges = False
    font = TTFont(path, fontNumber=0, lazy=True, recalcBBoxes=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters)
    subsetter.subset(font)
    data = bytes_io.BytesIO()
    font.flavor = "woff"
    font.save(data)
    _keep(cached, data.getvalue())
    return data.getvalue()
