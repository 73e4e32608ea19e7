#!/usr/bin/env node
// `npx fifowin ...`: runs the bundled binary with the same arguments and exit status.
"use strict";

const { spawnSync } = require("node:child_process");
const { findBinary } = require("../index.js");

const result = spawnSync(findBinary(), process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`fifowin: ${result.error.message}`);
  process.exit(1);
}
if (result.signal) process.kill(process.pid, result.signal);
process.exit(result.status ?? 1);
