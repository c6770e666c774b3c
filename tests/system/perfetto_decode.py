#!/usr/bin/env python3
"""An independent reader of smmu-sim's Perfetto trace (--trace FILE.pftrace), written from
Perfetto's protos (protos/perfetto/trace/), not from the writer: it decodes the protobuf wire
format, keeps the interned tables of the sequence, sorts the track events by timestamp (ties
in file order, as trace_processor does) and pairs each track's SLICE_BEGIN with its SLICE_END.

    perfetto_decode.py FILE.pftrace   prints a summary as JSON

decode(path) returns {"processes": {pid: name}, "threads": {(pid, tid): name},
"slices": [{pid, tid, name, cat, ts, dur, args, flow_out, flow_in}, ...]} (times in ns), and
raises ValueError on anything a reader would reject or misread."""

import json
import sys

# Field numbers (trace.proto, trace_packet.proto, track_event/*.proto, interned_data.proto).
TRACE_PACKET = 1
PKT_TIMESTAMP, PKT_SEQ_ID, PKT_TRACK_EVENT, PKT_INTERNED, PKT_FLAGS, PKT_DESCRIPTOR = 8, 10, 11, 12, 13, 60
SEQ_INCREMENTAL_STATE_CLEARED, SEQ_NEEDS_INCREMENTAL_STATE = 1, 2
EV_CATEGORY_IIDS, EV_ANNOTATIONS, EV_TYPE, EV_NAME_IID, EV_TRACK_UUID = 3, 4, 9, 10, 11
EV_FLOW_IDS, EV_TERMINATING_FLOW_IDS = 47, 48
SLICE_BEGIN, SLICE_END = 1, 2
TD_UUID, TD_PROCESS, TD_THREAD = 1, 3, 4
INTERNED_TABLES = {1: "categories", 2: "names", 3: "keys", 29: "strings"}


def varint(buf, i):
    v = shift = 0
    while True:
        if i >= len(buf):
            raise ValueError("truncated varint")
        b = buf[i]
        i += 1
        v |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return v, i
        if shift > 63:
            raise ValueError("varint longer than 10 bytes")


def fields(buf):
    """(field number, value) of a message: int for varint and fixed64, bytes for length-delimited."""
    i, out = 0, []
    while i < len(buf):
        key, i = varint(buf, i)
        field, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 1:
            if i + 8 > len(buf):
                raise ValueError("truncated fixed64")
            v, i = int.from_bytes(buf[i:i + 8], "little"), i + 8
        elif wire == 2:
            n, i = varint(buf, i)
            if i + n > len(buf):
                raise ValueError(f"field {field}: length {n} past the end")
            v, i = bytes(buf[i:i + n]), i + n
        else:
            raise ValueError(f"field {field}: wire type {wire} not used by these messages")
        out.append((field, v))
    return out


def one(fs, field, default=None):
    vals = [v for f, v in fs if f == field]
    if len(vals) > 1:
        raise ValueError(f"field {field} repeated")
    return vals[0] if vals else default


def many(fs, field):
    return [v for f, v in fs if f == field]


def annotation(a, tables):
    fs = fields(a)
    key = tables["keys"].get(one(fs, 1))
    if key is None:
        raise ValueError(f"annotation name iid {one(fs, 1)} not interned")
    for field, kind in ((2, "bool"), (3, "uint"), (7, "pointer"), (17, "string_iid")):
        v = one(fs, field)
        if v is None:
            continue
        if kind == "bool":
            return key, bool(v)
        if kind == "pointer":
            return key, hex(v)
        if kind == "string_iid":
            if v not in tables["strings"]:
                raise ValueError(f"string value iid {v} not interned")
            return key, tables["strings"][v]
        return key, v
    raise ValueError(f"annotation {key} without a value")


def decode(path):
    data = open(path, "rb").read()
    tables = None  # None until the sequence clears its incremental state
    processes, threads, events = {}, {}, []
    for index, (field, p) in enumerate(fields(data)):
        if field != TRACE_PACKET:
            raise ValueError(f"top-level field {field} is not Trace.packet")
        fs = fields(p)
        if one(fs, PKT_SEQ_ID) != 1:
            raise ValueError(f"packet {index}: sequence id {one(fs, PKT_SEQ_ID)}")
        flags = one(fs, PKT_FLAGS, 0)
        if flags & SEQ_INCREMENTAL_STATE_CLEARED:
            tables = {t: {} for t in INTERNED_TABLES.values()}
        interned = one(fs, PKT_INTERNED)
        if interned is not None:
            if tables is None or not flags & SEQ_NEEDS_INCREMENTAL_STATE:
                raise ValueError(f"packet {index}: interned data without cleared/needed incremental state")
            for f, entry in fields(interned):
                if f not in INTERNED_TABLES:
                    raise ValueError(f"packet {index}: interned table {f}")
                e = fields(entry)
                tables[INTERNED_TABLES[f]][one(e, 1)] = one(e, 2).decode()
        d = one(fs, PKT_DESCRIPTOR)
        if d is not None:
            dfs = fields(d)
            uuid = one(dfs, TD_UUID)
            if one(dfs, TD_PROCESS) is not None:
                pf = fields(one(dfs, TD_PROCESS))
                processes[one(pf, 1)] = one(pf, 6).decode()
            if one(dfs, TD_THREAD) is not None:
                tf = fields(one(dfs, TD_THREAD))
                if one(tf, 2) != uuid:
                    raise ValueError(f"thread track uuid {uuid} is not its tid {one(tf, 2)}")
                threads[uuid] = (one(tf, 1), one(tf, 5).decode())
        ev = one(fs, PKT_TRACK_EVENT)
        if ev is not None:
            efs = fields(ev)
            events.append((one(fs, PKT_TIMESTAMP), index, efs, flags))
    events.sort(key=lambda e: (e[0], e[1]))
    open_slice, slices = {}, []
    for ts, index, efs, flags in events:
        track = one(efs, EV_TRACK_UUID)
        if track not in threads:
            raise ValueError(f"packet {index}: event on undescribed track {track}")
        kind = one(efs, EV_TYPE)
        if kind == SLICE_BEGIN:
            if not flags & SEQ_NEEDS_INCREMENTAL_STATE:
                raise ValueError(f"packet {index}: interned ids without SEQ_NEEDS_INCREMENTAL_STATE")
            if track in open_slice:
                raise ValueError(f"packet {index}: slice begins on track {track} inside another")
            names = [tables["names"][one(efs, EV_NAME_IID)]]
            cats = [tables["categories"][c] for c in many(efs, EV_CATEGORY_IIDS)]
            args = dict(annotation(a, tables) for a in many(efs, EV_ANNOTATIONS))
            pid, _ = threads[track]
            open_slice[track] = {"pid": pid, "tid": track, "name": names[0], "cat": ",".join(cats), "ts": ts,
                                 "args": args, "flow_out": many(efs, EV_FLOW_IDS),
                                 "flow_in": many(efs, EV_TERMINATING_FLOW_IDS)}
        elif kind == SLICE_END:
            s = open_slice.pop(track, None)
            if s is None:
                raise ValueError(f"packet {index}: slice end on track {track} with no slice open")
            s["dur"] = ts - s["ts"]
            slices.append(s)
        else:
            raise ValueError(f"packet {index}: track event type {kind}")
    if open_slice:
        raise ValueError(f"{len(open_slice)} slices never end")
    return {"processes": processes, "threads": {(pid, tid): n for tid, (pid, n) in threads.items()},
            "slices": slices}


if __name__ == "__main__":
    t = decode(sys.argv[1])
    cats = {}
    for s in t["slices"]:
        cats[s["cat"]] = cats.get(s["cat"], 0) + 1
    print(json.dumps({"processes": t["processes"], "threads": len(t["threads"]), "slices": cats}, indent=1))
