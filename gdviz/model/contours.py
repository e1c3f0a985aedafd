"""Isolines of a sampled surface by marching squares, vectorised over every cell and level at once.

The plotting library's own isocurve walks the grid in Python (about 30 ms a level at 300 × 300); this computes all
segments with a handful of numpy operations per level, drawn as one item with connect="pairs".
"""
from __future__ import annotations

import numpy as np


def isolines(x: np.ndarray, y: np.ndarray, Z: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Segments of the curves Z = level for each level, with Z[i, j] = F(x[j], y[i]).

    Returns (px, py) of even length: points 2k and 2k+1 are the ends of segment k. Cells touching
    a non-finite value are skipped. A saddle cell (all four edges crossed) is resolved by the value
    at its centre (the mean of its corners), the usual marching-squares convention.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    Z = np.asarray(Z, dtype=float)
    z00, z10 = Z[:-1, :-1], Z[:-1, 1:]          # corners of each cell: (row i, col j) = (y, x)
    z01, z11 = Z[1:, :-1], Z[1:, 1:]
    ok = np.isfinite(z00) & np.isfinite(z10) & np.isfinite(z01) & np.isfinite(z11)
    X0, X1 = x[:-1][None, :], x[1:][None, :]
    Y0, Y1 = y[:-1][:, None], y[1:][:, None]
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    with np.errstate(all="ignore"):
        for level in np.asarray(levels, dtype=float).ravel():
            a00, a10, a01, a11 = z00 > level, z10 > level, z01 > level, z11 > level
            # crossings on the four edges: bottom (00-10), right (10-11), top (01-11), left (00-01)
            cross = (a00 != a10, a10 != a11, a01 != a11, a00 != a01)
            count = cross[0].astype(np.int8) + cross[1] + cross[2] + cross[3]
            cells = ok & (count >= 2)
            if not cells.any():
                continue
            i, j = np.nonzero(cells)

            def point(edge: int) -> tuple[np.ndarray, np.ndarray]:
                if edge == 0:
                    za, zb = z00[i, j], z10[i, j]
                    t = (level - za) / (zb - za)
                    return X0[0, j] + t * (X1[0, j] - X0[0, j]), Y0[i, 0]
                if edge == 1:
                    za, zb = z10[i, j], z11[i, j]
                    t = (level - za) / (zb - za)
                    return X1[0, j], Y0[i, 0] + t * (Y1[i, 0] - Y0[i, 0])
                if edge == 2:
                    za, zb = z01[i, j], z11[i, j]
                    t = (level - za) / (zb - za)
                    return X0[0, j] + t * (X1[0, j] - X0[0, j]), Y1[i, 0]
                za, zb = z00[i, j], z01[i, j]
                t = (level - za) / (zb - za)
                return X0[0, j], Y0[i, 0] + t * (Y1[i, 0] - Y0[i, 0])

            pts = [point(e) for e in range(4)]
            c = [cr[i, j] for cr in cross]
            two = count[i, j] == 2
            # a two-crossing cell: its segment joins the two crossed edges (first and second found)
            first = np.where(c[0], 0, np.where(c[1], 1, 2))
            second = np.where(c[3], 3, np.where(c[2], 2, 1))
            # a saddle cell: two segments, paired by the side of the level the centre is on
            centre_same = ((z00[i, j] + z10[i, j] + z01[i, j] + z11[i, j]) / 4 > level) == a00[i, j]
            pairs = [(first, second, two)]
            saddle = ~two
            pairs.append((np.zeros_like(first), np.where(centre_same, 1, 3), saddle))
            pairs.append((np.full_like(first, 2), np.where(centre_same, 3, 1), saddle))
            px_all = np.stack([p[0] for p in pts])          # (4, cells)
            py_all = np.stack([p[1] for p in pts])
            idx = np.arange(len(i))
            for a, b, mask in pairs:
                if not mask.any():
                    continue
                sel = idx[mask]
                seg_x = np.stack([px_all[a[mask], sel], px_all[b[mask], sel]], axis=1).ravel()
                seg_y = np.stack([py_all[a[mask], sel], py_all[b[mask], sel]], axis=1).ravel()
                xs.append(seg_x)
                ys.append(seg_y)
    if not xs:
        return np.empty(0), np.empty(0)
    return np.concatenate(xs), np.concatenate(ys)
