"""The report's timeline: requests per month by host as an inline SVG bar chart."""

from typing import Any, Sequence

from certbot_privacy._internal.audit.formats._common import plural
from certbot_privacy._internal.audit.formats.html._page import text
from certbot_privacy._internal.audit.timeline import RecipientMonths

#: Bar colours of the named hosts, then the colour of "other hosts".
COLOURS = ("#0969da", "#1a7f37", "#bf8700", "#8250df", "#cf222e", "#1b7c83", "#953800", "#6e7781")
OTHERS_COLOUR = "#afb8c1"
OFF_COLOUR = "#fbe1e1"

_W, _H = 720, 150
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 10, 14, 30


def timeline_svg(months: Sequence[str], recipient: RecipientMonths) -> str:
    """Requests per month by host as an inline SVG bar chart, months with requests sent
    outside privacy mode on a red band, and its legend."""
    if not months:
        return ""
    span = len(months)
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM
    step = plot_w / span
    bar = min(max(step * 0.72, 1.0), 36.0)
    peak = max(max(recipient.requests), 1)
    scale = plot_h / peak
    out = [
        f'<figure><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" '
        f'role="img" aria-label="{text("Requests per month to " + recipient.recipient)}">',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{plot_w}" height="{plot_h}" fill="#ffffff" '
        'stroke="#d0d7de"/>',
    ]
    for i, off in enumerate(recipient.privacy_off):
        if off:
            out.append(
                f'<rect x="{_LEFT + i * step:.1f}" y="{_TOP}" width="{step:.1f}" '
                f'height="{plot_h}" fill="{OFF_COLOUR}"><title>{text(months[i])}: '
                f"{text(plural(off, 'request'))} outside privacy mode</title></rect>"
            )
            out.append(
                f'<text x="{_LEFT + (i + 0.5) * step:.1f}" y="{_TOP + 10}" font-size="9" '
                f'text-anchor="middle" fill="#a40e26">off</text>'
            )
    for i in range(span):
        x = _LEFT + i * step + (step - bar) / 2
        y = float(_TOP + plot_h)
        for n, host in enumerate(recipient.hosts):
            count = host.requests[i]
            if not count:
                continue
            h = count * scale
            y -= h
            colour = OTHERS_COLOUR if host.others else COLOURS[n % len(COLOURS)]
            out.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{text(months[i])}, {_host_name(host)}: '
                f"{text(plural(count, 'request'))}</title></rect>"
            )
    every = max(1, -(-span // 12))
    for i in range(0, span, every):
        out.append(
            f'<text x="{_LEFT + (i + 0.5) * step:.1f}" y="{_H - 12}" font-size="10" '
            f'text-anchor="middle" fill="#57606a">{text(months[i])}</text>'
        )
    out.append(
        f'<text x="{_LEFT - 6}" y="{_TOP + 9}" font-size="10" text-anchor="end" '
        f'fill="#57606a">{peak}</text>'
        f'<text x="{_LEFT - 6}" y="{_TOP + plot_h}" font-size="10" text-anchor="end" '
        'fill="#57606a">0</text>'
    )
    legend = "".join(
        '<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" aria-hidden="true">'
        f'<rect width="10" height="10" fill="'
        f'{OTHERS_COLOUR if host.others else COLOURS[n % len(COLOURS)]}"/></svg>'
        f"{_host_name(host)}: {text(host.total)}</li>"
        for n, host in enumerate(recipient.hosts)
    )
    if any(recipient.privacy_off):
        legend += (
            '<li><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" '
            f'aria-hidden="true"><rect width="10" height="10" fill="{OFF_COLOUR}" '
            'stroke="#a40e26"/></svg>months with requests outside privacy mode: '
            f"{text(sum(recipient.privacy_off))}</li>"
        )
    caption = (
        f"Requests per month to {text(recipient.recipient)} by host, "
        f"{text(months[0])} to {text(months[-1])} "
        f"({text(plural(recipient.host_count, 'host'))})."
    )
    out.append(f'</svg><ul class="legend">{legend}</ul><figcaption>{caption}</figcaption></figure>')
    return "".join(out)


def _host_name(host: Any) -> str:
    if host.others:
        return text(f"{plural(host.others, 'other host')}")
    return text(host.host) if host.host is not None else "this log (no host named)"
