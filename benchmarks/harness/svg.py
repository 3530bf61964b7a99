"""A small SVG writer for the harness's charts: grouped bar charts, linear or logarithmic.

Debian's python3-matplotlib is not on these machines and the charts need nothing it alone offers,
so the charts are drawn here with the standard library; the files are plain SVG 1.1 that any
browser (and GitHub's Markdown view) shows.
"""
import math
from xml.sax.saxutils import escape

PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"]


VALUE_CHAR_PX = 5.2  # average glyph width of the 9 px value labels
LABEL_CHAR_PX = 6.8  # and of the 12 px category labels


def wrap(text, width):
    """Splits a category label into at most two lines of about width characters, at spaces."""
    if len(text) <= width or " " not in text:
        return [text]
    words, first = text.split(" "), ""
    while words and (not first or len(first) + 1 + len(words[0]) <= width):
        first = (first + " " + words.pop(0)).strip()
    return [first, " ".join(words)] if words else [first]


def fmt(value):
    """Three significant digits, no exponent for the magnitudes these charts show."""
    if value == 0:
        return "0"
    digits = max(0, 2 - int(math.floor(math.log10(abs(value)))))
    return "%.*f" % (digits, value)


def tick_label(value):
    """Axis labels: short, with k/M/G for the large counts (packets/s) and %g below."""
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return "%g%s" % (value / scale, suffix)
    return "%g" % value


def nice_step(span, ticks=5):
    raw = span / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def linear_ticks(top):
    step = nice_step(top)
    n = int(math.ceil(top / step - 1e-9))
    return [i * step for i in range(n + 1)]


def log_ticks(lo, hi):
    return [10.0 ** e for e in range(int(math.floor(math.log10(lo))), int(math.ceil(math.log10(hi))) + 1)]


def bar_chart(title, categories, series, unit, log=False, width=760, height=420):
    """SVG text of a grouped bar chart: one group per category, one bar per series in each.

    series: [(name, [value or None, one per category])]. A None bar is drawn as 'n/a'; with log,
    values <= 0 are too (a logarithmic axis has no zero).
    """
    values = [v for _, vs in series for v in vs if v is not None and (v > 0 or not log)]
    ml, mr, mt = 78, 16, 44
    legend_rows = int(math.ceil(len(series) / 3.0))
    mb = 58 + 20 * legend_rows
    pw, ph = width - ml - mr, height - mt - mb
    if not values:
        values = [1.0]
    if log:
        ticks = log_ticks(min(values), max(values) * 1.0001)
        if len(ticks) < 2:
            ticks = [ticks[0], ticks[0] * 10]
        lo, hi = math.log10(ticks[0]), math.log10(ticks[-1])

        def y(v):
            return mt + ph - (math.log10(v) - lo) / (hi - lo) * ph
    else:
        ticks = linear_ticks(max(max(values), 1e-12) * 1.08)

        def y(v):
            return mt + ph - v / ticks[-1] * ph
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d"'
           ' font-family="sans-serif" font-size="12">' % (width, height, width, height),
           '<rect width="100%" height="100%" fill="white"/>',
           '<text x="%d" y="24" font-size="15" font-weight="bold">%s</text>' % (ml, escape(title))]
    for t in ticks:
        ty = y(t)
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#ddd"/>' % (ml, ty, ml + pw, ty))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%s</text>' % (ml - 6, ty + 4, escape(tick_label(t))))
    out.append('<text transform="translate(16 %d) rotate(-90)" text-anchor="middle">%s%s</text>'
               % (mt + ph // 2, escape(unit), " (log scale)" if log else ""))
    group = pw / max(1, len(categories))
    bar = min(48.0, group * 0.8 / max(1, len(series)))
    base = mt + ph
    for ci, cat in enumerate(categories):
        gx = ml + ci * group + (group - bar * len(series)) / 2
        for si, (_, vs) in enumerate(series):
            v = vs[ci] if ci < len(vs) else None
            x = gx + si * bar
            if v is None or (log and v <= 0):
                out.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9" fill="#888">n/a</text>'
                           % (x + bar / 2, base - 3))
                continue
            top = max(mt, y(v))
            out.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s %s</title></rect>'
                       % (x + 1, top, max(1.0, bar - 2), max(0.0, base - top), PALETTE[si % len(PALETTE)],
                          escape(series[si][0]), escape(fmt(v)), escape(unit)))
            text = fmt(v)
            if len(text) * VALUE_CHAR_PX > bar:
                # Too wide for its bar: upright, reading upwards from just above the bar.
                out.append('<text transform="translate(%.1f %.1f) rotate(-90)" font-size="9">%s</text>'
                           % (x + bar / 2 + 3, top - 3, escape(text)))
            else:
                out.append('<text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>'
                           % (x + bar / 2, top - 3, escape(text)))
        for li, line in enumerate(wrap(cat, int(group / LABEL_CHAR_PX))):
            out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>'
                       % (ml + ci * group + group / 2, base + 16 + 14 * li, escape(line)))
    out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#333"/>' % (ml, base, ml + pw, base))
    for si, (name, _) in enumerate(series):
        lx = ml + (si % 3) * (pw / 3)
        ly = base + 52 + (si // 3) * 20
        out.append('<rect x="%.1f" y="%d" width="12" height="12" fill="%s"/>' % (lx, ly - 10, PALETTE[si % len(PALETTE)]))
        out.append('<text x="%.1f" y="%d">%s</text>' % (lx + 17, ly, escape(name)))
    out.append("</svg>")
    return "\n".join(out) + "\n"
