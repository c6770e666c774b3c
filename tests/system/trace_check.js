// Reads a Chrome trace-event file with a third-party library (@tracerbench/trace-model, from
// npm) and prints what that library found, as one JSON object on stdout: the processes and
// threads it named, events per category and phase, flow arrows and the args of a few SMMU
// spans. tools_test.py (case chrome_trace_parser) checks the summary.
//   node trace_check.js TRACE.json
"use strict";
const fs = require("fs");
const { buildModel } = require("@tracerbench/trace-model");

const doc = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const model = buildModel(doc);
const out = { processes: [], threads: [], byCat: {}, flowsBegin: 0, flowsEnd: 0, samples: {} };
for (const p of model.processes) {
  out.processes.push(p.name);
  for (const t of p.threads) {
    out.threads.push(t.name);
    for (const e of t.events) {
      const key = `${e.cat}/${e.ph}`;
      out.byCat[key] = (out.byCat[key] || 0) + 1;
      if (e.ph === "s") out.flowsBegin++;
      if (e.ph === "f") out.flowsEnd++;
      if (e.ph === "X" && !(e.cat in out.samples)) out.samples[e.cat] = { name: e.name, args: e.args, start: e.start, end: e.end };
    }
  }
}
process.stdout.write(JSON.stringify(out) + "\n");
