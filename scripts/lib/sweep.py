"""scripts/sweep: run smmu-sim over a grid or a list of parameter values, in parallel on this
machine or as a Slurm job array, and collect chosen stats into one CSV.

Each point runs in its own directory (OUT/points/<id>/) with its config.json and stats.json;
a point whose stats.json is there already, from the same smmu-sim binary, is not run again
(resumable; a rebuilt model runs every point again). A failed point is
reported with its command and does not stop the others; the exit status is 1 if any failed.
"""

import argparse
import concurrent.futures
import csv
import hashlib
import itertools
import json
import os
import re
import shlex
import subprocess
import sys
import time

USAGE_ERROR = 2


class SweepError(Exception):
    """Bad input (sweep file, option): one message, exit status 2."""


# ---- the sweep description ---------------------------------------------------------------

def read_text(path, what=None):
    """The file's text as UTF-8; anything else is one message naming the file."""
    name = f"{what} {path}" if what else path
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise SweepError(f"{name}: cannot read: {e.strerror}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise SweepError(f"{name}: not UTF-8 text (byte {e.start} is 0x{data[e.start]:02x})")


def yaml_error_text(e):
    """A YAMLError on one line: where, and what (PyYAML's own text spans several lines)."""
    mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    what = getattr(e, "problem", None) or getattr(e, "context", None) or str(e).splitlines()[0]
    return f"malformed YAML{where}: {what}"


def parse_json_text(text, name):
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise SweepError(f"{name}: malformed JSON at line {e.lineno}: {e.msg}")
    except RecursionError:
        raise SweepError(f"{name}: malformed JSON: nested too deeply")


def load_file(path):
    text = read_text(path)
    if path.endswith((".yaml", ".yml")):
        try:
            import yaml
        except ImportError:
            raise SweepError(f"{path}: YAML needs python3-yaml (scripts/common.sh installs it)")
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise SweepError(f"{path}: {yaml_error_text(e)}")
        except RecursionError:
            raise SweepError(f"{path}: malformed YAML: nested too deeply")
    else:
        doc = parse_json_text(text, path)
    if not isinstance(doc, dict):
        raise SweepError(f"{path}: must be an object (keys: name, platform, scenario, configs, set, grid, "
                         "points, seeds, warmup, stats; points keys starting with '_' are labels)")
    known = {"name", "platform", "scenario", "configs", "set", "grid", "points", "seeds", "warmup", "stats"}
    for k in doc:
        if k not in known:
            raise SweepError(f"{path}: unknown key '{k}' (known: {', '.join(sorted(known))})")
    return doc


def scalar_text(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def parse_assignment(text, what):
    if "=" not in text:
        raise SweepError(f"{what} {text!r}: expected name=value")
    k, v = text.split("=", 1)
    if not k:
        raise SweepError(f"{what} {text!r}: empty name")
    return k, v


class Sweep:
    def __init__(self, name, platform, scenario, fixed, grid, points, seeds, stats, configs=None, base_configs=None,
                 warmup=None):
        self.name, self.platform, self.scenario = name, platform, scenario
        # warmup: smmu-sim --warmup (a simulated time): every stat is reset then, so the
        # measurement excludes the warm-up (docs/studies/README.md, method).
        self.warmup = warmup
        self.fixed, self.grid, self.points_list = fixed, grid, points
        self.seeds, self.stats = seeds, stats
        # configs: {label: [files]}, each point run once per label (the `_config` column);
        # base_configs: files every point starts from (--config). Both as smmu-sim --config,
        # before any --set.
        self.configs, self.base_configs = configs or {}, base_configs or []

    def config_files(self, params):
        """The --config files of a point: the fixed ones, then its named configuration's."""
        return self.base_configs + (self.configs[params["_config"]] if self.configs else [])

    def points(self):
        """Every point: an ordered dict of the varied parameters, and a seed (or None). With
        both 'points' and 'grid', every point is combined with every grid combination; with
        'configs', each of those once per named configuration."""
        listed = [dict(p) for p in self.points_list] if self.points_list else [{}]
        keys = list(self.grid)
        combos = [dict(zip(keys, c)) for c in itertools.product(*(self.grid[k] for k in keys))] if keys else [{}]
        named = [{"_config": c} for c in self.configs] or [{}]
        pts = [{**n, **p, **c} for n in named for p in listed for c in combos]
        out = []
        for p in pts:
            for s in (self.seeds or [None]):
                out.append((p, s))
        return out


def build_sweep(args):
    doc = load_file(args.file) if args.file else {}
    src = args.file or "sweep"
    base_dir = os.path.dirname(os.path.abspath(args.file)) if args.file else os.getcwd()

    def rel(p):
        return p if p is None or os.path.isabs(p) else os.path.join(base_dir, p)

    def need(key, kind, what):
        v = doc.get(key)
        if v is not None and not isinstance(v, kind):
            raise SweepError(f"{src}: {key}: must be {what}")
        return v

    def scalar(v, where):
        if isinstance(v, (list, dict)) or v is None:
            raise SweepError(f"{src}: {where}: must be a single value (number, string or boolean)")
        return scalar_text(v)

    def keyed(d, where, name=src):
        """d's items; every key must be a parameter name (YAML reads `1:` as an integer)."""
        for k in d:
            if not isinstance(k, str) or not k:
                raise SweepError(f"{name}: {where}: key {k!r} is not a parameter name (a non-empty string)")
        return d.items()

    for key in ("name", "platform", "scenario"):
        need(key, str, "a string")

    def config_file(f, where):
        if not isinstance(f, str) or not f:
            raise SweepError(f"{where}: must be a file name")
        path = f if os.path.isabs(f) else os.path.join(base_dir if where.startswith(src) else os.getcwd(), f)
        if not os.path.isfile(path):
            raise SweepError(f"{where}: no file '{f}'")
        return os.path.normpath(path)

    configs = {}
    for label, files in keyed(need("configs", dict, "an object {label: [config files]}") or {}, "configs"):
        if not isinstance(files, list) or not files:
            raise SweepError(f"{src}: configs.{label}: must be a non-empty list of config files")
        configs[label] = [config_file(f, f"{src}: configs.{label}") for f in files]
    base_configs = [config_file(f, f"--config {f}") for f in args.config]
    fixed = {k: scalar(v, f"set.{k}") for k, v in keyed(need("set", dict, "an object {parameter: value}") or {}, "set")}
    for a in args.set:
        k, v = parse_assignment(a, "--set")
        fixed[k] = v
    grid = {}
    for k, vs in keyed(need("grid", dict, "an object {parameter: [values]}") or {}, "grid"):
        if not isinstance(vs, list) or not vs:
            raise SweepError(f"{src}: grid.{k}: must be a non-empty list of values")
        grid[k] = [scalar(v, f"grid.{k}") for v in vs]
    for p in args.param:
        k, v = parse_assignment(p, "--param")
        grid[k] = [x for x in v.split(",") if x != ""]
        if not grid[k]:
            raise SweepError(f"--param {p!r}: no values")
    points, psrc = doc.get("points"), src
    if args.list:
        psrc = args.list
        points = load_file(args.list).get("points") if args.list.endswith((".yaml", ".yml")) else None
        if points is None:
            points = parse_json_text(read_text(args.list, "--list"), f"--list {args.list}")
    if points is not None:
        if not isinstance(points, list) or not all(isinstance(p, dict) for p in points):
            raise SweepError(f"{psrc}: points: must be a list of objects {{parameter: value}}")
        points = [{k: scalar(v, f"points[{i}].{k}") for k, v in keyed(p, f"points[{i}]", psrc)}
                  for i, p in enumerate(points)]
    seeds = need("seeds", list, "a list of integers") or []
    if args.seeds:
        try:
            seeds = [int(x) for x in args.seeds.split(",")]
        except ValueError:
            raise SweepError(f"--seeds {args.seeds!r}: expected integers separated by commas")
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in seeds):
        raise SweepError(f"{src}: seeds: must be integers")
    stats = list(need("stats", list, "a list of stat names") or []) + args.stat
    if not all(isinstance(x, str) and x for x in stats):
        raise SweepError(f"{src}: stats: must be stat names (strings)")
    if not stats:
        raise SweepError("no stats to collect: give 'stats' in the sweep file or --stat NAME")
    name = args.name or doc.get("name") or (os.path.splitext(os.path.basename(args.file))[0] if args.file else "sweep")
    # A topology file named in the sweep file is relative to it (a built-in platform is a name).
    platform = args.platform or (rel(doc["platform"]) if str(doc.get("platform", "")).endswith(".json")
                                 else doc.get("platform")) or "base"
    scenario = rel(args.scenario) if args.scenario else rel(doc.get("scenario"))
    if configs and any("_config" in p for p in points or []):
        raise SweepError(f"{psrc}: points: '_config' is the label of 'configs'; name the configurations there")
    warmup = getattr(args, "warmup", None) or doc.get("warmup")
    if warmup is not None:
        warmup = scalar(warmup, "warmup")
    return Sweep(name, platform, scenario, fixed, grid, points, seeds, stats, configs, base_configs, warmup)


# ---- names: every parameter and stat a sweep names must exist, before any point runs -------

def sim_lists(sim, sweep, sets, configs=()):
    """smmu-sim's --list-params and --list-stats for the sweep's platform and scenario with the
    `configs` files and `sets` applied: ((parameter names, {stat: its fields}), None), or (None,
    smmu-sim's message)."""
    cmd = [sim, "--platform", sweep.platform] + (["--scenario", sweep.scenario] if sweep.scenario else [])
    for f in configs:
        cmd += ["--config", f]
    for k, v in sets.items():
        cmd += ["--set", f"{k}={v}"]
    out = {}
    for flag in ("--list-params", "--list-stats"):
        try:
            p = subprocess.run(cmd + [flag], capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise SweepError(f"{sim}: cannot list parameters and stats: {e}")
        if p.returncode != 0:
            lines = p.stderr.strip().splitlines()
            return None, lines[-1] if lines else f"exit status {p.returncode}"
        out[flag] = p.stdout
    params = {line.split()[0] for line in out["--list-params"].splitlines() if line.strip()}
    stats = {}
    for line in out["--list-stats"].splitlines():
        if line.strip():
            m = re.search(r"\(fields: ([^)]*)\)$", line)
            stats[line.split()[0]] = [f.lstrip(".") for f in m.group(1).split()] if m else []
    return (params, stats), None


def name_origins(args, sweep):
    """Where each varied or fixed parameter was named (for the message), first mention first."""
    src = args.file or "sweep"
    cli_sets = {a.split("=", 1)[0] for a in args.set}
    cli_grid = {a.split("=", 1)[0] for a in args.param}
    where = {}
    for k in sweep.fixed:
        where.setdefault(k, f"--set {k}" if k in cli_sets else f"{src}: set.{k}")
    for k in sweep.grid:
        where.setdefault(k, f"--param {k}" if k in cli_grid else f"{src}: grid.{k}")
    psrc = args.list or src
    for i, p in enumerate(sweep.points_list or []):
        for k in p:
            if not k.startswith("_"):
                where.setdefault(k, f"{psrc}: points[{i}].{k}")
    return where


def stat_problem(name, stats):
    """None if `name` is a stat with one value or a field of a stat that has fields."""
    if name in stats:
        fields = stats[name]
        return f"stat '{name}' has fields: name one of {', '.join(name + '.' + f for f in fields)}" if fields else None
    head, _, field = name.rpartition(".")
    if head in stats:
        if field in stats[head]:
            return None
        fields = stats[head]
        return (f"stat '{head}' has no field '{field}'" +
                (f" (fields: {', '.join(fields)})" if fields else " (it is a single value)"))
    return f"unknown stat '{name}' (smmu-sim --list-stats lists them all)"


def check_names(args, sweep, sim):
    """Exit 2 (SweepError) naming the file and key of the first unknown parameter or stat.
    Parameters that exist only in some configurations (smmu.tbu5.* with smmu.tbus=6) are
    looked up again with the fixed settings, then with each point's."""
    where = name_origins(args, sweep)
    first = sweep.config_files({"_config": next(iter(sweep.configs))} if sweep.configs else {})
    lists, err = sim_lists(sim, sweep, {}, first)
    if lists is None:
        raise SweepError(f"platform {sweep.platform}" + (f", scenario {sweep.scenario}" if sweep.scenario else "") +
                         f": smmu-sim cannot list its parameters: {err}")
    params, stats = set(lists[0]), dict(lists[1])

    def unknown_params():
        return [k for k in where if k not in params]

    def unknown_stats():
        return [s for s in sweep.stats if stat_problem(s, stats)]

    if (unknown_params() or unknown_stats()) and sweep.fixed:
        more, err = sim_lists(sim, sweep, sweep.fixed, first)
        if more is None:
            bad = [k for k in sweep.fixed if k not in params]
            if bad:
                raise SweepError(f"{where[bad[0]]}: unknown parameter '{bad[0]}' (smmu-sim --list-params lists them all)")
            raise SweepError(f"{args.file or 'sweep'}: set: {err}")
        params |= more[0]
        stats.update(more[1])
    if unknown_params() or unknown_stats():
        seen = set()
        for point, _ in sweep.points():
            key = json.dumps(point, sort_keys=True)
            if key in seen:
                continue
            seen.add(key)
            more, _ = sim_lists(sim, sweep, {**sweep.fixed, **{k: v for k, v in point.items() if not k.startswith("_")}},
                                sweep.config_files(point))
            if more is not None:
                params |= more[0]
                stats.update(more[1])
            if not unknown_params() and not unknown_stats():
                break
    for k in unknown_params():
        raise SweepError(f"{where[k]}: unknown parameter '{k}' (smmu-sim --list-params lists them all)")
    cli_stats = set(args.stat)
    for s in sweep.stats:
        problem = stat_problem(s, stats)
        if problem:
            raise SweepError(f"{'--stat' if s in cli_stats else (args.file or 'sweep') + ': stats'}: {problem}")


def report_missing(missing):
    """A stat a finished point's stats.json lacks is an error (not an empty CSV cell)."""
    for m in sorted(missing):
        sys.stderr.write(f"sweep: error: {m}\n")
    return bool(missing)


# ---- running points ----------------------------------------------------------------------

def point_id(index, params, seed, configs=(), warmup=None):
    """A point's directory name. With --config files, their contents are part of the key: an
    edited configuration is run again; so is the warm-up time, when there is one."""
    key = json.dumps([params, seed] + ([warmup] if warmup is not None else []), sort_keys=True)
    for f in configs:
        with open(f, "rb") as fh:
            key += hashlib.sha1(fh.read()).hexdigest()
    return f"p{index:05d}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def command(sim, sweep, params, seed, out_dir):
    """Keys starting with '_' are labels: CSV columns, not parameters."""
    cmd = [sim, "--platform", sweep.platform, "--out", out_dir]
    if sweep.scenario:
        cmd += ["--scenario", sweep.scenario]
    for f in sweep.config_files(params):
        cmd += ["--config", f]
    for k, v in {**sweep.fixed, **params}.items():
        if not k.startswith("_"):
            cmd += ["--set", f"{k}={v}"]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    if sweep.warmup is not None:
        cmd += ["--warmup", sweep.warmup]
    return cmd


def build_id(sim):
    """The smmu-sim binary's SHA-256: results from another build are not reused."""
    h = hashlib.sha256()
    try:
        with open(sim, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
    except OSError as e:
        raise SweepError(f"{sim}: cannot read the simulator: {e.strerror}")
    return h.hexdigest()


def mark_done(cmd, out_dir, build):
    with open(os.path.join(out_dir, "command.txt"), "w") as f:
        f.write(shlex.join(cmd) + "\n")
    with open(os.path.join(out_dir, "build.txt"), "w") as f:
        f.write(build + "\n")


def run_point(cmd, out_dir, timeout, build):
    os.makedirs(out_dir, exist_ok=True)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        status, err = p.returncode, p.stderr
    except subprocess.TimeoutExpired:
        status, err = -1, f"timed out after {timeout} s\n"
    with open(os.path.join(out_dir, "stderr.txt"), "w") as f:
        f.write(err)
    if status == 0:
        mark_done(cmd, out_dir, build)
    return status, err


def finished(out_dir):
    return os.path.isfile(os.path.join(out_dir, "stats.json")) and os.path.isfile(os.path.join(out_dir, "command.txt"))


def built_by(out_dir):
    try:
        return open(os.path.join(out_dir, "build.txt")).read().strip()
    except OSError:
        return None


def done(out_dir, build):
    return finished(out_dir) and built_by(out_dir) == build


class Progress:
    def __init__(self, total, already):
        self.total, self.done, self.failed = total, already, 0
        self.t0, self.ran = time.time(), 0
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def update(self, ok):
        self.done += 1
        self.ran += 1
        if not ok:
            self.failed += 1
        self.show()

    def show(self, force=False):
        now = time.time()
        if not (self.tty or force or now - self.last >= 10 or self.done == self.total):
            return
        self.last = now
        width = 30
        filled = int(width * self.done / max(1, self.total))
        elapsed = now - self.t0
        left = self.total - self.done
        eta = elapsed / self.ran * left if self.ran else 0
        line = (f"[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} done, "
                f"{self.failed} failed, ETA {int(eta) // 60}:{int(eta) % 60:02d}")
        sys.stderr.write(("\r" + line) if self.tty else (line + "\n"))
        if self.tty and self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_local(todo, jobs, timeout, progress, build):
    failures = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = {pool.submit(run_point, cmd, out, timeout, build): (cmd, out) for cmd, out in todo}
        for f in concurrent.futures.as_completed(futures):
            cmd, out = futures[f]
            status, err = f.result()
            if status != 0:
                failures.append((cmd, status, err))
            progress.update(status == 0)
    return failures


def run_slurm(todo, jobs, timeout, progress, out_root, sbatch_args, build):
    """One Slurm job array for the pending points; waits for it (sbatch --wait)."""
    sdir = os.path.join(out_root, "slurm")
    os.makedirs(sdir, exist_ok=True)
    lines = os.path.join(sdir, "points.txt")
    with open(lines, "w") as f:
        for cmd, out in todo:
            f.write(shlex.join(cmd) + " > " + shlex.quote(os.path.join(out, "stdout.txt")) + " 2> " +
                    shlex.quote(os.path.join(out, "stderr.txt")) + " && echo done > " +
                    shlex.quote(os.path.join(out, "slurm.ok")) + "\n")
    for _, out in todo:
        os.makedirs(out, exist_ok=True)
    script = os.path.join(sdir, "job.sh")
    limit = f"%{jobs}" if jobs else ""
    minutes = max(1, int(timeout // 60) + 1)
    with open(script, "w") as f:
        f.write("#!/bin/bash\n"
                f"#SBATCH --job-name=smmu-sweep\n#SBATCH --array=0-{len(todo) - 1}{limit}\n"
                f"#SBATCH --output={sdir}/task-%a.log\n#SBATCH --time={minutes}\n"
                f"line=$(sed -n \"$((SLURM_ARRAY_TASK_ID + 1))p\" {shlex.quote(lines)})\n"
                "exec bash -c \"$line\"\n")
    cmd = ["sbatch", "--parsable", "--wait", *sbatch_args, script]
    sys.stderr.write(f"sweep: submitting {len(todo)} points: {shlex.join(cmd)}\n")
    try:
        p = subprocess.run(cmd, capture_output=True, text=True)
    except FileNotFoundError:
        raise SweepError("--backend slurm: sbatch not found (is Slurm installed? see scripts/test_slurm)")
    if p.returncode not in (0, 1) and not p.stdout.strip():
        raise SweepError(f"sbatch failed ({p.returncode}): {p.stderr.strip()}")
    failures = []
    for cmd_, out in todo:
        ok = os.path.isfile(os.path.join(out, "slurm.ok")) and os.path.isfile(os.path.join(out, "stats.json"))
        if ok:
            mark_done(cmd_, out, build)
        else:
            err = open(os.path.join(out, "stderr.txt")).read() if os.path.isfile(os.path.join(out, "stderr.txt")) else ""
            failures.append((cmd_, "slurm", err))
        progress.update(ok)
    return failures


# ---- collecting ----------------------------------------------------------------------------

def stat_value(stats, name):
    """`name` is a stat (counter, formula) or a stat and a field of it (histogram .p50, .mean)."""
    if name in stats:
        v = stats[name]
        if isinstance(v, dict):
            if "value" in v:
                return v["value"]
            raise KeyError(f"{name} is a histogram: name one of its fields ({', '.join(sorted(v))})")
        return v
    head, _, field = name.rpartition(".")
    if head in stats and isinstance(stats[head], dict) and field in stats[head]:
        return stats[head][field]
    raise KeyError(f"no stat '{name}'")


def csv_columns(sweep):
    """The columns of results.csv (point, parameters and labels in order of first mention, seed,
    stats) and the parameter columns that identify a point."""
    params_cols = []
    for params, _ in sweep.points():
        for k in params:
            if k not in params_cols:
                params_cols.append(k)
    return ["point", *params_cols] + (["seed"] if sweep.seeds else []) + sweep.stats, params_cols


def agg_columns(sweep, params_cols):
    """The columns of results_agg.csv."""
    columns = [*params_cols, "seeds"]
    for s in sweep.stats:
        columns += [s, f"{s}_ci95"]
    return columns


def collect(rows, columns, csv_path):
    with open(csv_path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for r in rows:
            w.writerow([r.get(c, "") for c in columns])


def aggregate(sweep, rows, params_cols, csv_path):
    """With seeds: one row per point (its parameters and labels), `seeds` (how many finished),
    and for each stat its mean over the seeds and `<stat>_ci95`, the half-width of the 95%
    interval (Student's t; empty below two seeds). Returns the path written."""
    from interval import mean_ci95
    groups = {}
    for r in rows:
        key = tuple(r.get(c, "") for c in params_cols)
        groups.setdefault(key, []).append(r)
    columns = agg_columns(sweep, params_cols)
    path = os.path.splitext(csv_path)[0] + "_agg.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for key, rs in groups.items():
            out = list(key)
            finished = [r for r in rs if all(s in r for s in sweep.stats)]
            out.append(len(finished))
            for s in sweep.stats:
                vals = [float(r[s]) for r in finished if isinstance(r[s], (int, float)) and not isinstance(r[s], bool)]
                mean, ci = mean_ci95(vals) if len(vals) == len(finished) else (None, None)
                out += ["" if mean is None else repr(mean), "" if ci is None else repr(ci)]
            w.writerow(out)
    return path


def main(argv, sim):
    ap = argparse.ArgumentParser(prog="scripts/sweep", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", help="sweep file (JSON or YAML)")
    ap.add_argument("--name")
    ap.add_argument("--platform")
    ap.add_argument("--scenario")
    ap.add_argument("--config", action="append", default=[], metavar="FILE",
                    help="smmu-sim --config FILE for every point (before the sweep's configs and sets)")
    ap.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="a fixed parameter")
    ap.add_argument("--param", action="append", default=[], metavar="NAME=V1,V2,...", help="a grid dimension")
    ap.add_argument("--list", metavar="FILE", help="points: a JSON list of {parameter: value}")
    ap.add_argument("--seeds", metavar="S1,S2,...")
    ap.add_argument("--warmup", metavar="TIME", help="smmu-sim --warmup for every point (e.g. 50us)")
    ap.add_argument("--stat", action="append", default=[], metavar="NAME", help="a CSV column (stat or stat.field)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", help="results directory (default sweeps/NAME)")
    ap.add_argument("--csv", help="CSV path (default OUT/results.csv)")
    ap.add_argument("--backend", choices=["local", "slurm"], default="local")
    ap.add_argument("--sbatch", action="append", default=[], metavar="ARG", help="extra sbatch argument")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per point")
    ap.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    args = ap.parse_args(argv)
    if args.jobs < 1:
        raise SweepError("-j must be at least 1")
    if not sim:
        raise SweepError("SMMU_SIM is not set: run scripts/sweep, which builds smmu-sim and sets it")
    sweep = build_sweep(args)
    check_names(args, sweep, sim)
    out_root = os.path.abspath(args.out or os.path.join("sweeps", sweep.name))
    csv_path = args.csv or os.path.join(out_root, "results.csv")
    points = sweep.points()
    plan = []
    for i, (params, seed) in enumerate(points):
        pid = point_id(i, params, seed, sweep.config_files(params), sweep.warmup)
        out = os.path.join(out_root, "points", pid)
        plan.append((pid, params, seed, out, command(sim, sweep, params, seed, out)))
    if args.dry_run:
        for *_, cmd in plan:
            print(shlex.join(cmd))
        return 0
    os.makedirs(out_root, exist_ok=True)
    with open(os.path.join(out_root, "sweep.json"), "w") as f:
        json.dump({"name": sweep.name, "platform": sweep.platform, "scenario": sweep.scenario,
                   "config": sweep.base_configs, "configs": sweep.configs, "set": sweep.fixed,
                   "grid": sweep.grid, "points": sweep.points_list, "seeds": sweep.seeds, "stats": sweep.stats},
                  f, indent=1)
    build = build_id(sim)
    todo = []
    for pid, params, seed, out, cmd in plan:
        if done(out, build):
            continue
        # A stale result must not survive a failed re-run of its point.
        for f in ("stats.json", "command.txt", "build.txt", "slurm.ok"):
            if os.path.exists(os.path.join(out, f)):
                os.remove(os.path.join(out, f))
        todo.append((cmd, out))
    stale = sum(1 for _, out in todo if os.path.isfile(os.path.join(out, "config.json")))
    skipped = len(plan) - len(todo)
    if skipped:
        sys.stderr.write(f"sweep: {skipped} of {len(plan)} points already done (resuming)\n")
    if stale:
        sys.stderr.write(f"sweep: {stale} points were left unfinished or run by another smmu-sim build: "
                         "running them again\n")
    progress = Progress(len(plan), skipped)
    progress.show(force=True)
    if todo:
        if args.backend == "local":
            failures = run_local(todo, args.jobs, args.timeout, progress, build)
        else:
            failures = run_slurm(todo, args.jobs, args.timeout, progress, out_root, args.sbatch, build)
    else:
        failures = []
    columns, params_cols = csv_columns(sweep)
    rows, missing = [], set()
    for pid, params, seed, out, _ in plan:
        row = {"point": pid, **params}
        if seed is not None:
            row["seed"] = seed
        if done(out, build):
            stats = json.load(open(os.path.join(out, "stats.json")))
            for s in sweep.stats:
                try:
                    row[s] = stat_value(stats, s)
                except KeyError as e:
                    missing.add(f"point {pid} ({os.path.join(out, 'stats.json')}): " + str(e).strip("'\""))
        rows.append(row)
    collect(rows, columns, csv_path)
    agg_path = aggregate(sweep, rows, params_cols, csv_path) if sweep.seeds else None
    for cmd, status, err in failures:
        last = err.strip().splitlines()[-1] if err.strip() else "(no message)"
        sys.stderr.write(f"sweep: FAILED ({status}): {shlex.join(cmd)}\n  {last}\n")
    bad_stats = report_missing(missing)
    print(f"sweep {sweep.name}: {len(plan)} points ({skipped} reused, {len(failures)} failed) -> {csv_path}" +
          (f", {agg_path} (mean and 95% interval over {len(sweep.seeds)} seeds)" if agg_path else ""))
    return 1 if failures or bad_stats else 0


if __name__ == "__main__":
    sim = os.environ.get("SMMU_SIM")
    try:
        sys.exit(main(sys.argv[1:], sim))
    except SweepError as e:
        sys.stderr.write(f"sweep: error: {e}\n")
        sys.exit(USAGE_ERROR)
