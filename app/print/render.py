"""HTML to PDF with WeasyPrint: the print templates (which include the portal's), the print
stylesheet and the vendored fonts, never the fonts of the machine that renders."""

import json
from functools import cache
from pathlib import Path
from typing import Any

import segno
from jinja2 import ChoiceLoader, Environment, FileSystemLoader
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from app.directory.routes import ATTRIBUTION, ATTRIBUTION_BN
from app.portal.i18n import TEXT, Lang, Words

HERE = Path(__file__).parent
PORTAL_TEMPLATES = HERE.parent / "portal" / "templates"
# relative URLs of the stylesheet (its @font-face fonts) resolve against this folder
BASE_URL = HERE.as_uri() + "/"

environment = Environment(
    loader=ChoiceLoader([FileSystemLoader(HERE / "templates"), FileSystemLoader(PORTAL_TEMPLATES)]),
    autoescape=True,
    auto_reload=False,
)


def qr_svg(url: str) -> str:
    """The URL as a QR code, an inline SVG (no raster, sharp at any print size)."""
    return str(segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True))


@cache
def _css(name: str) -> str:
    """A print stylesheet after the fonts' @font-face rules (templates/fonts.css)."""
    folder = HERE / "templates"
    return "\n".join((folder / n).read_text(encoding="utf-8") for n in ("fonts.css", name))


def page_numbers(lang: Lang) -> str:
    """The rule that writes "page X of Y" at the foot of every page, in the language's words and
    digits (CSS counters: `bengali` counts ১, ২, ৩)."""
    en, bn = TEXT["print_page"]
    words, style = (bn, "bengali") if lang == "bn" else (en, "decimal")
    before, rest = words.split("{page}")
    between, after = rest.split("{pages}")
    parts = [
        json.dumps(before, ensure_ascii=False),
        f"counter(page, {style})",
        json.dumps(between, ensure_ascii=False),
        f"counter(pages, {style})",
        json.dumps(after, ensure_ascii=False),
    ]
    return "@page { @bottom-center { content: " + " ".join(parts) + "; } }"


def html(template: str, lang: Lang, **context: Any) -> str:
    words = Words(lang)
    return environment.get_template(template).render(
        t=words,
        lang=lang,
        attribution=ATTRIBUTION_BN if lang == "bn" else ATTRIBUTION,
        **context,
    )


def pdf(document: str, stylesheet: str, numbered_in: Lang | None = None) -> bytes:
    """The PDF of an HTML document: synchronous and CPU-bound, so callers run it in a worker
    thread. Fonts come from the stylesheet's @font-face rules only."""
    fonts = FontConfiguration()
    css = CSS(
        string=_css(stylesheet),
        base_url=BASE_URL,
        font_config=fonts,
    )
    sheets = [css]
    if numbered_in:
        sheets.append(CSS(string=page_numbers(numbered_in), font_config=fonts))
    rendered: bytes = HTML(string=document, base_url=BASE_URL).write_pdf(
        stylesheets=sheets, font_config=fonts
    )
    return rendered
