"""nbconvert extension of the lesson kit: notebooks become HTML that works offline.

`npm run setup` puts this folder on the Jupyter environment's Python path (a `lessonkit.pth` file), copies the
`lessonkit` template into `<prefix>/share/jupyter/nbconvert/templates/`, and registers the preprocessor in
`<prefix>/etc/jupyter/jupyter_config.json`, the configuration file every Jupyter application reads (nbconvert and the
Jupyter server behind JupyterLab's "Save and Export Notebook As > HTML" alike):

    {"HTMLExporter": {"preprocessors": ["lessonkit_nbconvert.LessonkitHtmlPreprocessor"]}}

so a plain `jupyter nbconvert --to html lesson.ipynb` (JupyterLab's `lab` template) renders every plotly figure and
every formula offline. The default template stays `lab` on purpose: naming a template in HTMLExporter's section would
outrank `--template` on the command line (that option sets TemplateExporter's), as measured with nbconvert 7.17.

`LessonkitHtmlPreprocessor` (any HTML template: lab, classic, basic, lessonkit, and slides)
  - gives every output that carries a plotly figure (`application/vnd.plotly.v1+json`) a fresh `text/html` drawn from
    that figure, whatever the output held before (a chart cell that was re-run, a figure from another library, an
    old output that still carried a copy of plotly.js);
  - puts plotly.js (`plotly.js-dist-min`, gzip-compressed and base64-encoded, unpacked by the browser's
    DecompressionStream) into the first chart's output: once per document, and only when the document has charts;
  - points the template's MathJax script (`resources["mathjax_url"]`) at MathJax 3, TeX input and SVG output only,
    compressed the same way, when the document has maths, and at nothing otherwise; and the template's require.js
    (`resources["require_js_url"]`) at nothing unless the notebook has widgets: no CDN requests.

The `lessonkit` template (extends `lab`; the handouts use it, and `--template lessonkit` gives it to anyone) adds a
font stack with Korean (CJK) fallbacks, leaves out cells tagged `hide-handout` (plumbing: the lesson runner's injected
parameters cell, set-up and clean-up cells) and shows cells tagged `solution` collapsed, one <details> element per run
of consecutive solution cells. Other templates (JupyterLab's own export) show every cell.
"""
from __future__ import annotations

import base64
import functools
import gzip
import html
import json
import os
import re
import sys
import urllib.parse
from pathlib import Path

from nbconvert.preprocessors import Preprocessor

__all__ = ["LessonkitHtmlPreprocessor", "chart_html", "has_math", "plotly_library_html", "mathjax_url"]

PLOTLY_MIME = "application/vnd.plotly.v1+json"
#: The attribute of the one script element that carries plotly.js.
LIBRARY_ATTRIBUTE = "data-lessonkit-plotly"
#: The attribute of every chart container (the same as the kit's own chart outputs, src/viz/figure.ts).
CHART_ATTRIBUTE = "data-lessonkit-plotly-chart"

#: The repository this module belongs to (python/lessonkit_nbconvert/ -> the checkout's root).
ROOT = Path(__file__).resolve().parents[2]

MISSING_MESSAGE = (
    "This chart needs plotly.js in the page. Open the notebook in JupyterLab, or export it with "
    "`jupyter nbconvert --to html` in the lessonkit environment, which includes plotly.js once."
)

#: Text math as the notebook front ends find it: $$...$$, \[...\], \(...\), and $...$ with no space inside the
#: dollars and no digit after the closing one (so "$5 or $6" is money, not maths).
MATH_RE = re.compile(
    r"\$\$[\s\S]+?\$\$|\\\[[\s\S]+?\\\]|\\\([\s\S]+?\\\)|(?<![\\$])\$(?=[^\s$])[^$\n]*?(?<=[^\s\\])\$(?![\d$])"
)
CODE_RE = re.compile(r"```[\s\S]*?```|~~~[\s\S]*?~~~|``[^`]*``|`[^`\n]*`")


_WARNED: set[str] = set()


def setting(name: str) -> str | None:
    """A lessonkit setting (docs/settings.md, src/io/settings.json): the `LESSONKIT_*` name, else its old name with a
    one-line deprecation notice on stderr, once per process. An empty value counts as unset."""
    value = os.environ.get(name)
    if value:
        return value
    for spec in _settings_table():
        if spec["name"] != name:
            continue
        for old in spec["old"]:
            legacy = os.environ.get(old)
            if legacy:
                if old not in _WARNED:
                    _WARNED.add(old)
                    print(f"lessonkit: {old} is deprecated; use {name} (see docs/settings.md)", file=sys.stderr)
                return legacy
        return None
    raise KeyError(f"{name} is not a lessonkit setting (src/io/settings.json lists them)")


@functools.lru_cache(maxsize=1)
def _settings_table() -> list:
    return json.loads((ROOT / "src" / "io" / "settings.json").read_text(encoding="utf-8"))


def _asset(env_var: str, *relative: str) -> Path:
    """A file the export inlines: the setting `env_var` when set, else `<repo>/node_modules/...`."""
    override = setting(env_var)
    path = Path(override) if override else ROOT.joinpath("node_modules", *relative)
    if not path.is_file():
        raise FileNotFoundError(
            f"lessonkit_nbconvert: {path} is missing; run `npm run setup` in {ROOT} (or set {env_var} to the file)"
        )
    return path


def script_safe_json(value) -> str:
    """JSON that is safe inside a <script> element (the same escapes as src/viz/figure.ts's scriptSafeJson)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    )


def _figure(value) -> dict:
    fig = json.loads(value) if isinstance(value, str) else value
    if not isinstance(fig, dict):
        raise ValueError(f"a {PLOTLY_MIME} output that is not a figure object: {type(fig).__name__}")
    return fig


def chart_html(figure, chart_id: str, summary: str = "") -> str:
    """A chart container plus the script that draws `figure` with the page's plotly.js (waiting for it to unpack)."""
    fig = _figure(figure)
    layout = dict(fig.get("layout") or {})
    height = layout.get("height") if isinstance(layout.get("height"), (int, float)) else 420
    config = {"responsive": True, "displaylogo": False, **(fig.get("config") or {})}
    spec = script_safe_json({"data": fig.get("data") or [], "layout": layout, "config": config})
    draw = (
        "(function(){var spec=%s;var el=document.getElementById(%s);var tries=0;"
        "function draw(P){el.textContent='';P.newPlot(el,spec.data,spec.layout,spec.config);}"
        "function missing(){el.textContent=%s;}"
        "(function wait(){var p=window.lessonkitPlotly;if(p&&p.then){p.then(draw,missing);return;}"
        "if(window.Plotly){draw(window.Plotly);return;}if(++tries>200){missing();return;}setTimeout(wait,50);})();})();"
    ) % (spec, json.dumps(chart_id), json.dumps(MISSING_MESSAGE))
    fallback = html.escape(summary) if summary else ""
    return (
        f'<div id="{chart_id}" class="lessonkit-plotly" {CHART_ATTRIBUTE}="1" '
        f'style="width:100%;height:{int(height)}px">{fallback}</div>'
        f'<script type="text/javascript">{draw}</script>'
    )


#: Unpacks base64 gzip text in the browser (DecompressionStream: Chrome 80, Firefox 113, Safari 16.4).
INFLATE_JS = (
    "function(b64){var s=atob(b64),b=new Uint8Array(s.length);for(var i=0;i<s.length;i++)b[i]=s.charCodeAt(i);"
    "return new Response(new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'))).text();}"
)
#: Runs unpacked library code as a classic script with no module system in sight (plotly.js is a UMD bundle; with
#: require.js on the page it would otherwise register an anonymous AMD module instead of setting window.Plotly).
RUN_JS = "function(src){new Function('define','module','exports',src).call(window);}"


def _packed(data: bytes) -> str:
    return base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")


@functools.lru_cache(maxsize=4)
def _plotly_packed(path: str, mtime: float) -> tuple[str, str, int]:
    raw = Path(path).read_bytes()
    m = re.search(rb"plotly\.js v(\d+\.\d+\.\d+)", raw[:400])
    return (m.group(1).decode() if m else "unknown"), _packed(raw), len(raw)


def plotly_library_html() -> str:
    """One <script> that unpacks plotly.js and sets window.Plotly; `window.lessonkitPlotly` resolves to it."""
    path = _asset("LESSONKIT_PLOTLY_JS", "plotly.js-dist-min", "plotly.min.js")
    version, packed, size = _plotly_packed(str(path), path.stat().st_mtime)
    return (
        f'<script type="text/javascript" {LIBRARY_ATTRIBUTE}="{version}" data-unpacked-bytes="{size}">'
        f"window.lessonkitPlotly=window.lessonkitPlotly||({INFLATE_JS})('{packed}')"
        f".then(function(src){{({RUN_JS})(src);return window.Plotly;}});"
        "window.lessonkitPlotly.catch(function(e){console.error('plotly.js could not be unpacked',e);});"
        "</script>"
    )


#: MathJax 3 components for TeX in, SVG out (the SVG output carries its own font, so nothing else is fetched),
#: in the order a combined component would evaluate them. Left out of tex-svg.js: the context menu (ui/menu) and
#: the assistive MathML (a11y), about 430 kB.
MATHJAX_PARTS = ("startup.js", "core.js", "input/tex.js", "output/svg.js", "output/svg/fonts/tex.js")
MATHJAX_CONFIG = {
    "tex": {
        "inlineMath": [["$", "$"], ["\\(", "\\)"]],
        "displayMath": [["$$", "$$"], ["\\[", "\\]"]],
        "processEscapes": True,
    },
    "svg": {"fontCache": "global"},
    "options": {"skipHtmlTags": ["script", "noscript", "style", "textarea", "pre", "code"]},
    "loader": {"load": []},
}


@functools.lru_cache(maxsize=2)
def _mathjax_packed(root: str) -> str:
    base = Path(root)
    parts = [(base / p).read_text("utf-8") for p in MATHJAX_PARTS]
    # One script, evaluated in one go, so startup's loader sees every component before its promise resolves.
    preload = "MathJax.loader.preLoad('core','input/tex','output/svg','output/svg/fonts/tex.js');"
    return _packed((";\n".join(parts) + ";\n" + preload).encode("utf-8"))


#: Characters left as they are in the MathJax data: URL (base64 and JavaScript punctuation that is safe inside a
#: double-quoted attribute); everything else (quotes, <, >, #, %, &, spaces) is percent-encoded.
URL_SAFE = "+/=(){}[];:,.!*'$?@-_~"


def mathjax_url() -> str:
    """A data: URL of a script that configures MathJax 3 and unpacks its components (for the template's
    `<script src=...>`, which every nbconvert HTML template has); the script starts with a marker comment."""
    root = setting("LESSONKIT_MATHJAX_DIR") or str(ROOT / "node_modules" / "mathjax" / "es5")
    if not (Path(root) / "startup.js").is_file():
        raise FileNotFoundError(f"lessonkit_nbconvert: no MathJax 3 in {root}; run `npm run setup` in {ROOT}")
    js = (
        f"/*lessonkit-mathjax*/window.MathJax={json.dumps(MATHJAX_CONFIG, separators=(',', ':'))};"
        f"({INFLATE_JS})('{_mathjax_packed(root)}').then({RUN_JS})"
        ".catch(function(e){console.error('MathJax could not be unpacked',e);});"
    )
    return "data:text/javascript;charset=utf-8," + urllib.parse.quote(js, safe=URL_SAFE)


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def has_math(nb) -> bool:
    """Whether markdown cells (outside code) or text/markdown / text/latex outputs hold TeX maths."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and MATH_RE.search(CODE_RE.sub("", _text(cell.source))):
            return True
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/latex" in data:
                return True
            if "text/markdown" in data and MATH_RE.search(CODE_RE.sub("", _text(data["text/markdown"]))):
                return True
    return False


def chart_outputs(nb):
    """(cell index, output) for every output that carries a plotly figure, in document order."""
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") in ("display_data", "execute_result") and PLOTLY_MIME in out.get("data", {}):
                yield i, out


class LessonkitHtmlPreprocessor(Preprocessor):
    """Every plotly figure renders offline in the exported HTML; plotly.js goes in once, with the first chart."""

    def preprocess(self, nb, resources):
        resources = resources if resources is not None else {}
        charts = 0
        for index, out in chart_outputs(nb):
            summary = _text(out["data"].get("text/plain", ""))
            chart = chart_html(out["data"][PLOTLY_MIME], f"lessonkit-chart-{charts + 1}", summary)
            out["data"]["text/html"] = (plotly_library_html() if charts == 0 else "") + chart
            charts += 1
        math = has_math(nb)
        # Every nbconvert HTML template loads `<script src="{{ resources.mathjax_url }}">` (MathJax 2 from a CDN by
        # default; its configuration block is type text/x-mathjax-config, inert without MathJax 2) and, before it,
        # require.js. An empty src makes no request.
        resources["mathjax_url"] = mathjax_url() if math else ""
        if "widgets" not in nb.get("metadata", {}):
            resources["require_js_url"] = ""
        resources["lessonkit"] = {"charts": charts, "math": math}
        return nb, resources
