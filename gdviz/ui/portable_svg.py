"""Qt's SVG output made portable, so an exported figure looks the same in every viewer and slide
program. Plain XML work (no Qt): gdviz.ui.exports calls `portable_svg` on what QSvgGenerator wrote."""
from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

# --- SVG: Qt writes cosmetic pens (widths in screen pixels, as every plot line here is) as
# vector-effect="non-scaling-stroke" under the plot's data-to-pixel transform. Renderers without
# that SVG 1.2 feature (librsvg, hence many slide programs) stroke such lines hundreds of pixels
# wide. Baking the transform into the coordinates gives the same picture everywhere.
_SVG_NS = "http://www.w3.org/2000/svg"
_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _parse_transform(text: str | None) -> _Matrix | None:
    """SVG's matrix/translate/scale lists as one affine matrix (a, b, c, d, e, f); None if unknown."""
    m = _IDENTITY
    if not text:
        return m
    for name, args in re.findall(r"(\w+)\s*\(([^)]*)\)", text):
        v = [float(x) for x in re.findall(_NUMBER, args)]
        if name == "matrix" and len(v) == 6:
            t = tuple(v)
        elif name == "translate" and len(v) in (1, 2):
            t = (1.0, 0.0, 0.0, 1.0, v[0], v[1] if len(v) == 2 else 0.0)
        elif name == "scale" and len(v) in (1, 2):
            t = (v[0], 0.0, 0.0, v[1] if len(v) == 2 else v[0], 0.0, 0.0)
        else:
            return None
        m = _compose(m, t)   # type: ignore[arg-type]
    return m


def _compose(m: _Matrix, n: _Matrix) -> _Matrix:
    """m then n applied to a point in n's space: the matrix product m·n."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _inverse(m: _Matrix) -> _Matrix | None:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if not math.isfinite(det) or abs(det) < 1e-300:
        return None
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


def _fmt(v: float) -> str:
    return f"{v:.6g}"


def _map_points(text: str, m: _Matrix) -> str | None:
    """'x,y x,y ...' (polyline points, or the operands of absolute path commands) mapped by m."""
    v = [float(x) for x in re.findall(_NUMBER, text)]
    if len(v) % 2:
        return None
    a, b, c, d, e, f = m
    return " ".join(f"{_fmt(a * x + c * y + e)},{_fmt(b * x + d * y + f)}" for x, y in zip(v[::2], v[1::2]))


def _map_path(d: str, m: _Matrix) -> str | None:
    """Path data made of absolute M, L, C, Q and Z (what Qt writes) mapped by m; None otherwise."""
    out = []
    # Command letters exclude e/E: those belong to numbers like 5.1e-08.
    for cmd, args in re.findall(r"([AC-DF-Za-df-z])([^AC-DF-Za-df-z]*)", d):
        if cmd in "Zz":
            out.append("Z")
        elif cmd in "MLCQ":
            mapped = _map_points(args, m)
            if mapped is None:
                return None
            out.append(f"{cmd}{mapped}")
        else:
            return None
    return " ".join(out)


# --- SVG clipping. Qt's SVG Tiny output has no clipping, and the clip paths it writes for SVG 1.1
# land in the wrong place in other renderers (whole plots blank). So clipping is marked instead:
# a rectangle filled with CLIP_OPEN opens a clipped region (the rectangle is the clip), one with
# CLIP_CLOSE closes it; `portable_svg` turns each pair into a group with a clip path of its own.
CLIP_OPEN = "#0a0b0c"
CLIP_CLOSE = "#0c0b0a"


def _rect_box(el: ET.Element, m: _Matrix) -> tuple[float, float, float, float] | None:
    """A <rect> mapped by m, as the axis-aligned box (x, y, w, h) around it."""
    try:
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        w, h = float(el.get("width", 0)), float(el.get("height", 0))
    except ValueError:
        return None
    a, b, c, d, e, f = m
    xs, ys = [], []
    for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
        xs.append(a * px + c * py + e)
        ys.append(b * px + d * py + f)
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _apply_clip_markers(root: ET.Element) -> None:
    """Replace CLIP_OPEN/CLIP_CLOSE marker rectangles (groups side by side, as Qt writes them, inside
    one group of defaults) by nested groups clipped to the opening rectangles."""
    ns = "{%s}" % _SVG_NS
    parents = {child: parent for parent in root.iter() for child in parent}
    markers = [g for g in root.iter(ns + "g") if (g.get("fill") or "").lower() in (CLIP_OPEN, CLIP_CLOSE)]
    if not markers:
        return
    defs = root.find(ns + "defs")
    if defs is None:
        defs = ET.Element(ns + "defs")
        root.insert(0, defs)
    count = 0
    for container in dict.fromkeys(parents[g] for g in markers):
        children = list(container)
        for child in children:
            container.remove(child)
        stack = [container]
        for child in children:
            fill = (child.get("fill") or "").lower()
            if child.tag != ns + "g" or fill not in (CLIP_OPEN, CLIP_CLOSE):
                stack[-1].append(child)
                continue
            m = _parse_transform(child.get("transform")) or _IDENTITY
            for rect in child.iter(ns + "rect"):      # markers drawn in a row may share one group
                if fill == CLIP_CLOSE:
                    if len(stack) > 1:
                        stack.pop()
                    continue
                box = _rect_box(rect, m)
                if box is None:
                    continue
                count += 1
                clip = ET.SubElement(defs, ns + "clipPath", {"id": f"gdviz-clip-{count}"})
                ET.SubElement(clip, ns + "rect", {"x": _fmt(box[0]), "y": _fmt(box[1]),
                                                  "width": _fmt(box[2]), "height": _fmt(box[3])})
                group = ET.SubElement(stack[-1], ns + "g", {"clip-path": f"url(#gdviz-clip-{count})"})
                stack.append(group)


def portable_svg(text: str, size: tuple[int, int] | None = None) -> str:
    """Qt's SVG made to look the same in every renderer: non-scaling strokes baked into plain
    coordinates, clip markers turned into clip paths (see above); `size` sets the picture's width
    and height in pixels (Qt writes millimetres at its own DPI)."""
    ET.register_namespace("", _SVG_NS)
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(text)
    if size is not None:
        root.set("width", str(int(size[0])))
        root.set("height", str(int(size[1])))
    # Clip paths are SVG 1.1 (every browser, Inkscape, librsvg and office program reads 1.1).
    root.set("version", "1.1")
    root.attrib.pop("baseProfile", None)

    def walk(node: ET.Element, ctm: _Matrix) -> None:
        for child in node:
            own = _parse_transform(child.get("transform"))
            if own is None:
                continue                       # a transform we do not read: leave the subtree be
            total = _compose(ctm, own)
            if child.get("vector-effect") == "non-scaling-stroke":
                _bake(child, ctm, total)
            walk(child, total)

    def _bake(el: ET.Element, parent: _Matrix, total: _Matrix) -> None:
        if total[:4] == _IDENTITY[:4]:
            el.set("vector-effect", "none")    # a translation does not widen a stroke
            return
        undo = _inverse(parent)
        tag = el.tag.rsplit("}", 1)[-1]
        if undo is None:
            return
        if tag == "path":
            mapped = _map_path(el.get("d", ""), total)
            attr = "d"
        elif tag in ("polyline", "polygon"):
            mapped = _map_points(el.get("points", ""), total)
            attr = "points"
        else:
            return
        if mapped is None:
            return
        el.set(attr, mapped)
        # The element's own transform cancels its ancestors': its coordinates are now the page's.
        el.set("transform", "matrix(" + ",".join(_fmt(v) for v in undo) + ")")
        el.set("vector-effect", "none")

    walk(root, _IDENTITY)
    _apply_clip_markers(root)
    return '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n' + ET.tostring(root, encoding="unicode")
