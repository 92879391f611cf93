#!/usr/bin/env python3
"""Checks for check.sh, standard library only.

  plotcheck.py source FILE          the SVG is well-formed XML with an <svg> root (xmlns,
                                    width, height, viewBox); SVG or HTML is self-contained
                                    (no scripts, event handlers, external links or fonts)
  plotcheck.py dom FILE DOM         Chromium's --dump-dom output has no parser error and at
                                    least as many <svg> elements as FILE has
  plotcheck.py log FILE LOG         Chromium's stderr has no message about the page
                                    (console messages, uncaught errors, refused loads)
  plotcheck.py png PNG              the screenshot decodes and is not blank

Each prints one line: 'ok ...' (exit 0) or 'FAIL ...' (exit 1).
"""
import re
import struct
import sys
import xml.dom.minidom
import zlib
from collections import Counter

SVG_NS = "http://www.w3.org/2000/svg"


def fail(message):
    print("FAIL " + message)
    sys.exit(1)


def check_source(path):
    text = open(path, encoding="utf-8").read()
    is_svg = path.lower().endswith(".svg")
    if is_svg:
        try:
            document = xml.dom.minidom.parse(path)
        except Exception as error:  # noqa: BLE001 - any parse error fails the check
            fail(f"{path}: not well-formed XML: {error}")
        root = document.documentElement
        if root.tagName != "svg" or root.getAttribute("xmlns") != SVG_NS:
            fail(f"{path}: the root is not <svg xmlns=\"{SVG_NS}\">")
        for attribute in ("width", "height", "viewBox"):
            if not root.getAttribute(attribute):
                fail(f"{path}: the <svg> root has no {attribute}")
    lowered = text.lower()
    rules = [
        (r"<script", "a <script> element"),
        (r"<(link|iframe|object|embed|foreignobject)\b", "an external or embedded document"),
        (r"\son[a-z]+\s*=", "an event handler attribute"),
        (r"@import|@font-face|url\(\s*['\"]?(https?:|//)", "an external style or font"),
        (r"(xlink:)?href\s*=\s*['\"]?\s*(https?:|//|javascript:|data:)", "a link that leaves the page"),
        (r"src\s*=", "a src attribute"),
    ]
    if is_svg:
        rules.append((r"href\s*=", "a link"))
    for pattern, what in rules:
        match = re.search(pattern, lowered)
        if match:
            fail(f"{path}: contains {what}: {text[max(0, match.start() - 20):match.end() + 20]!r}")
    print(f"ok source {path}")


def check_dom(path, dom_path):
    dom = open(dom_path, encoding="utf-8", errors="replace").read()
    if "<parsererror" in dom or "This page contains the following errors" in dom:
        fail(f"{path}: Chromium reports a parse error")
    expected = max(1, len(re.findall(r"<svg\b", open(path, encoding="utf-8").read())))
    found = len(re.findall(r"<svg\b", dom))
    if found < expected:
        fail(f"{path}: {found} <svg> elements in the DOM, {expected} expected")
    print(f"ok dom {path}: {found} <svg> element(s)")


PAGE_MESSAGES = re.compile(r"CONSOLE|Uncaught|Refused to|net::ERR_|Failed to load|Not allowed to load|parsererror")


def check_log(path, log_path):
    problems = [line.strip() for line in open(log_path, encoding="utf-8", errors="replace") if PAGE_MESSAGES.search(line)]
    if problems:
        fail(f"{path}: Chromium reported about the page: " + " | ".join(problems[:5]))
    print(f"ok log {path}")


def decode_png(path):
    """Width, height, channels and rows of an 8-bit non-interlaced PNG (grey, RGB, RGBA)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        fail(f"{path}: not a PNG")
    offset, header, idat = 8, None, []
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        offset += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        fail(f"{path}: no IHDR")
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        fail(f"{path}: unsupported PNG (depth {depth}, colour type {colour}, interlace {interlace})")
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, previous))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = previous[i], previous[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        elif kind != 0:
            fail(f"{path}: bad filter type {kind}")
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def check_png(path):
    width, height, channels, rows = decode_png(path)
    counts = Counter()
    for row in rows:
        counts.update(row[i:i + channels] for i in range(0, len(row), channels))
    background, background_count = counts.most_common(1)[0]
    total = width * height
    ink = total - background_count
    if ink < total * 0.002 or len(counts) < 8:
        fail(f"{path}: looks blank: {ink} of {total} pixels differ from the background, {len(counts)} colours")
    print(f"ok png {path}: {width}x{height}, {ink} non-background pixels ({100 * ink / total:.1f}%), {len(counts)} colours")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {"source": check_source, "dom": check_dom, "log": check_log, "png": check_png}[command](*arguments)
