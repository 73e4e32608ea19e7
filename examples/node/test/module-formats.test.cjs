// The package loads from CommonJS as from ES modules, to the same functions, and a
// start failure comes back as an error carrying the server's own message.
const assert = require("node:assert/strict");
const { test } = require("node:test");

const cjs = require("fifowin");

test("require and import give the same startFifowin", async () => {
  const esm = await import("fifowin");
  assert.equal(typeof cjs.startFifowin, "function");
  assert.equal(esm.startFifowin, cjs.startFifowin);
  assert.equal(esm.default.startFifowin, cjs.startFifowin);
});

test("a flag the server refuses rejects with its message", async () => {
  await assert.rejects(cjs.startFifowin({ window: "0s" }), /--dedup-window must be greater than zero/);
});

test("a manual clock and numeric window reach the server, and stop ends it", async () => {
  const fw = await cjs.startFifowin({ window: 2000, clock: "manual" });
  const health = await (await fetch(`${fw.endpoint}/_fifowin/health`)).json();
  assert.equal(health.dedup_window_ms, 2000);
  assert.equal(health.clock, "manual");
  const before = await fw.advance(0);
  assert.equal(await fw.advance(5000), before + 5000);
  await fw.stop();
  assert.throws(() => process.kill(fw.pid, 0), { code: "ESRCH" });
});
