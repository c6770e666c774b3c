"""scripts/plot: line, bar and heatmap plots from a sweep's CSV (matplotlib, PNG).

  scripts/plot line    CSV --x COL --y COL [--group COL] --out FILE.png
  scripts/plot bar     CSV --x COL --y COL [--group COL] --out FILE.png
  scripts/plot heatmap CSV --x COL --y COL --z COL --out FILE.png

Rows with the same x (and group) are averaged (several seeds). When the CSV has a column
Y_ci95 beside Y (scripts/sweep's aggregated CSV of a seeds sweep, NAME_agg.csv), line and bar
plots draw it as error bars (the 95% interval), where one row gives the point; in a per-seed CSV
(a `seed` column: results.csv of a seeds sweep) the error bars are the 95% interval of the mean
over the seeds of each point, which also gives ratios their interval. A value column may be the ratio
of two columns: --y "a/b". --where COL=VALUE keeps only
matching rows (repeatable). Axes take --logx/--logy, --xlabel/--ylabel, --title. Default
labels carry the unit of the parameter or stat from smmu-sim's --list-params / --list-stats
(found through $SMMU_SIM, which scripts/plot sets); a linear value axis starts at zero and
never shows an offset, so a flat line stays flat.
"""

import argparse
import csv
import os
import sys
from collections import OrderedDict, defaultdict


class PlotError(Exception):
    pass


SUFFIX = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}


def number(v):
    """A float, also for sizes written with a binary suffix ("64MiB")."""
    try:
        return float(v)
    except (TypeError, ValueError):
        pass
    if isinstance(v, str):
        for suf, mult in SUFFIX.items():
            if v.endswith(suf):
                try:
                    return float(v[: -len(suf)]) * mult
                except ValueError:
                    return None
    return None


def read_rows(path, where):
    try:
        with open(path, newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        raise PlotError(f"{path}: cannot read: {e.strerror}")
    for w in where:
        if "=" not in w:
            raise PlotError(f"--where {w!r}: expected COL=VALUE")
        k, v = w.split("=", 1)
        if rows and k not in rows[0]:
            raise PlotError(f"--where {w!r}: no column {k!r} in {path}")
        rows = [r for r in rows if r.get(k) == v]
    if not rows:
        raise PlotError(f"{path}: no rows to plot")
    return rows


def need(rows, col, path):
    for c in (col.split("/", 1) if col not in rows[0] else [col]):
        if c not in rows[0]:
            raise PlotError(f"{path}: no column {c!r} (columns: {', '.join(rows[0])})")


def order(values):
    """Numeric order when every value is a number, else first appearance."""
    uniq = list(OrderedDict.fromkeys(values))
    if all(number(v) is not None for v in uniq):
        return sorted(uniq, key=number)
    return uniq


def value(r, col):
    """A column, or the ratio of two ("a/b"), of one row."""
    if col in r:
        return number(r[col])
    num, _, den = col.partition("/")
    a, b = number(r.get(num)), number(r.get(den))
    return a / b if a is not None and b else None


def listing_units(sim, flag, platform):
    """{name: unit} from a `smmu-sim --list-params` / `--list-stats` table (columns by header)."""
    import subprocess
    try:
        out = subprocess.run([sim, "--platform", platform, flag], capture_output=True, text=True,
                             timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    lines = out.splitlines()
    if not lines or not lines[0].startswith("name"):
        return {}
    head = lines[0]
    start = head.index("unit")
    end = head.index("description", start)
    units = {}
    for line in lines[1:]:
        name = line.split(" ", 1)[0]
        unit = line[start:end].strip() if len(line) > start else ""
        units[name] = unit
    return units


def known_units():
    """Units of every parameter and stat of every platform ({} without smmu-sim)."""
    sim = os.environ.get("SMMU_SIM")
    if not sim or not os.access(sim, os.X_OK):
        return {}
    units = {}
    for platform in ("base", "pkvm"):
        for flag in ("--list-params", "--list-stats"):
            for k, v in listing_units(sim, flag, platform).items():
                units.setdefault(k, v)
    return units


def unit_of(col, units):
    """The unit of a column: a parameter, a stat, a stat's field (.p50, .mean) or a ratio."""
    if "/" in col and col not in units:
        a, _, b = col.partition("/")
        ua, ub = unit_of(a, units), unit_of(b, units)
        return f"{ua}/{ub}" if ua and ub and ua != ub else (ua if not ub else "")
    if col in units:
        return units[col]
    head, _, field = col.rpartition(".")
    if field in ("count", "buckets"):
        return ""
    return units.get(head, "")


def label_for(col, units):
    unit = unit_of(col, units)
    name = col.lstrip("_")
    return f"{name} ({unit})" if unit else name


def mean_by(rows, keys, ycol):
    acc = defaultdict(list)
    for r in rows:
        y = value(r, ycol)
        if y is not None:
            acc[tuple(r[k] for k in keys)].append(y)
    return {k: sum(v) / len(v) for k, v in acc.items()}


def errors_by(rows, keys, ycol):
    """The 95% half-widths of column ycol (its companion ycol_ci95), for keys that one row
    gives: an average of several rows has no interval of its own. In a per-seed CSV (a `seed`
    column, no ycol_ci95), the interval of the mean over the seeds of each point, ratios
    ("a/b") included: each seed's ratio is one sample."""
    ccol = ycol + "_ci95"
    if rows and ccol not in rows[0] and "seed" in rows[0]:
        from interval import mean_ci95
        acc = defaultdict(list)
        for r in rows:
            y = value(r, ycol)
            if y is not None:
                acc[tuple(r[k] for k in keys)].append(y)
        return {k: ci for k, ci in ((k, mean_ci95(v)[1]) for k, v in acc.items()) if ci is not None}
    if not rows or ccol not in rows[0]:
        return {}
    acc = defaultdict(list)
    for r in rows:
        acc[tuple(r[k] for k in keys)].append(number(r[ccol]))
    return {k: v[0] for k, v in acc.items() if len(v) == 1 and v[0] is not None}


def main(argv):
    ap = argparse.ArgumentParser(prog="scripts/plot", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("kind", choices=["line", "bar", "heatmap"])
    ap.add_argument("csv")
    ap.add_argument("--x", required=True)
    ap.add_argument("--y", required=True)
    ap.add_argument("--z", help="heatmap: the value column")
    ap.add_argument("--group", help="one line / bar series per value of this column")
    ap.add_argument("--where", action="append", default=[])
    ap.add_argument("--out", required=True)
    ap.add_argument("--title")
    ap.add_argument("--xlabel")
    ap.add_argument("--ylabel")
    ap.add_argument("--logx", action="store_true")
    ap.add_argument("--logy", action="store_true")
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = read_rows(args.csv, args.where)
    units = known_units() if not (args.xlabel and args.ylabel and args.kind != "heatmap") else {}
    for c in (args.x, args.y, args.group, args.z):
        if c:
            need(rows, c, args.csv)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=110)
    # Scales first: ticks set later (sizes in the user's notation) must not be reset by them.
    if args.logx and args.kind == "line":
        ax.set_xscale("log")
    if args.logy:
        ax.set_yscale("log")
    if args.kind == "heatmap":
        if not args.z:
            raise PlotError("heatmap needs --z")
        xs, ys = order(r[args.x] for r in rows), order(r[args.y] for r in rows)
        m = mean_by(rows, [args.x, args.y], args.z)
        grid = [[m.get((x, y), float("nan")) for x in xs] for y in ys]
        im = ax.imshow(grid, aspect="auto", origin="lower", cmap="viridis")
        ax.set_xticks(range(len(xs)), xs, rotation=45, ha="right")
        ax.set_yticks(range(len(ys)), ys)
        for j, row in enumerate(grid):
            for i, v in enumerate(row):
                if v == v:
                    # Dark text on light cells, light text on dark ones.
                    r, g, b, _ = im.cmap(im.norm(v))
                    ink = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
                    ax.text(i, j, f"{v:.3g}", ha="center", va="center", fontsize=8, color=ink)
        fig.colorbar(im, ax=ax, label=label_for(args.z, units))
    else:
        groups = order(r[args.group] for r in rows) if args.group else [None]
        xs = order(r[args.x] for r in rows)
        keys = [args.x] + ([args.group] if args.group else [])
        m = mean_by(rows, keys, args.y)
        err = errors_by(rows, keys, args.y)
        numeric_x = all(number(x) is not None for x in xs)
        width = 0.8 / max(1, len(groups))
        for gi, g in enumerate(groups):
            pts = [(x, m[(x,) + ((g,) if args.group else ())]) for x in xs
                   if (x,) + ((g,) if args.group else ()) in m]
            if not pts:
                continue
            label = f"{args.group.lstrip('_')}={g}" if args.group else None
            yerr = [err.get((x,) + ((g,) if args.group else ()), 0.0) for x, _ in pts] if err else None
            if args.kind == "line":
                px = [number(x) for x, _ in pts] if numeric_x else [xs.index(x) for x, _ in pts]
                # Distinct markers and dashes, so that equal series stay visible.
                ax.errorbar(px, [y for _, y in pts], yerr=yerr, capsize=3 if yerr else 0,
                            marker="os^Dvx<>"[gi % 8], linestyle=["-", "--", ":", "-."][gi % 4],
                            markersize=7 - (gi % 3), label=label)
            else:
                px = [xs.index(x) + (gi - (len(groups) - 1) / 2) * width for x, _ in pts]
                ax.bar(px, [y for _, y in pts], width=width, label=label, yerr=yerr, capsize=3 if yerr else 0)
        if args.kind == "bar" or not numeric_x:
            ax.set_xticks(range(len(xs)), xs, rotation=30 if len(xs) > 6 else 0)
        elif len(xs) <= 12:
            # Few values: tick each one, in the user's notation (sizes stay "4GiB").
            ax.set_xticks([number(x) for x in xs], xs)
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        if args.group:
            ax.legend(fontsize=8)
    ax.set_xlabel(args.xlabel or label_for(args.x, units))
    ax.set_ylabel(args.ylabel or label_for(args.y, units))
    if args.kind != "heatmap" and not args.logy:
        # No offset ("+1e3" over the axis) and zero in view: a flat series reads as flat.
        ax.ticklabel_format(axis="y", useOffset=False, style="plain")
        lo, hi = ax.get_ylim()
        if lo > 0:
            ax.set_ylim(bottom=0)
    if args.title:
        ax.set_title(args.title, fontsize=10)
    if args.kind != "heatmap":
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    fig.savefig(args.out)
    print(f"plot: {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except PlotError as e:
        sys.stderr.write(f"plot: error: {e}\n")
        sys.exit(2)
