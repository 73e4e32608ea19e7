// fifowin for tests: startFifowin() runs the fifowin binary from the platform package
// (or FIFOWIN_BIN) on a free port, learns its address from the ready file, and
// returns a handle for the control API (global fetch; no runtime dependencies).
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** The platform package that carries the binary for this machine. */
function platformPackage() {
  return `@fifowin/${process.platform}-${process.arch}`;
}

/** The fifowin binary: `explicit`, else FIFOWIN_BIN, else the platform package's. */
function findBinary(explicit) {
  const chosen = explicit || process.env.FIFOWIN_BIN;
  if (chosen) {
    try {
      fs.accessSync(chosen, fs.constants.X_OK);
    } catch {
      throw new Error(`fifowin binary ${JSON.stringify(chosen)} is not an executable file`);
    }
    return chosen;
  }
  const pkg = platformPackage();
  let manifest;
  try {
    manifest = require.resolve(`${pkg}/package.json`);
  } catch {
    throw new Error(
      `fifowin has no binary for ${process.platform}-${process.arch}: ${pkg} is not installed ` +
        "(reinstall without --no-optional, or set FIFOWIN_BIN)",
    );
  }
  return path.join(path.dirname(manifest), "bin", process.platform === "win32" ? "fifowin.exe" : "fifowin");
}

/** A window as `fifowin serve --dedup-window` reads it: text as given, numbers as milliseconds. */
function duration(window) {
  return typeof window === "number" ? `${Math.round(window)}ms` : String(window);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function logTail(file) {
  try {
    return fs.readFileSync(file, "utf8").slice(-4000).trim();
  } catch {
    return "";
  }
}

/**
 * Starts a fifowin server on 127.0.0.1 and a free port.
 * @param {{window?: string|number, clock?: "system"|"manual", args?: string[], bin?: string, startupTimeoutMs?: number}} [options]
 */
async function startFifowin(options = {}) {
  const { window = "5m", clock = "system", args = [], bin, startupTimeoutMs = 30_000 } = options;
  const binary = findBinary(bin);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fifowin-"));
  const readyFile = path.join(dir, "ready.json");
  const logFile = path.join(dir, "server.log");
  const log = fs.openSync(logFile, "w");
  const argv = ["serve", "--port", "0", "--ready-file", readyFile, "--dedup-window", duration(window), "--clock", clock, ...args];
  const child = spawn(binary, argv, { stdio: ["ignore", log, log] });
  fs.closeSync(log);
  let exit = null;
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      exit = { code, signal };
      resolve();
    });
  });
  let spawnError = null;
  child.once("error", (err) => {
    spawnError = err;
  });
  // A test runner that exits without stop() must not leave the server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const cleanUp = () => {
    process.removeListener("exit", killOnExit);
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + startupTimeoutMs;
  while (!fs.existsSync(readyFile)) {
    if (spawnError || exit || Date.now() > deadline) {
      const why = spawnError
        ? `could not be started: ${spawnError.message}`
        : exit
          ? `exited (${exit.signal || `status ${exit.code}`})`
          : `did not listen within ${startupTimeoutMs} ms`;
      const output = logTail(logFile);
      if (!exit && !spawnError) child.kill("SIGKILL");
      cleanUp();
      throw new Error(`fifowin serve ${why}: ${output}`);
    }
    await sleep(10);
  }
  const info = JSON.parse(fs.readFileSync(readyFile, "utf8"));
  const endpoint = info.url;

  async function call(method, route, body) {
    const init = { method };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { "content-type": "application/json" };
    }
    const resp = await fetch(endpoint + route, init);
    const text = await resp.text();
    if (!resp.ok) throw new Error(`${method} ${route}: HTTP ${resp.status}: ${text}`);
    return JSON.parse(text);
  }
  const queuePath = (queue) => `/_fifowin/queues/${encodeURIComponent(queue)}`;
  let stopping = null;

  return {
    endpoint,
    port: info.port,
    pid: info.pid,
    version: info.version,
    /** Moves the server clock forward by `ms`; resolves to its new reading (ms since the epoch). */
    advance: async (ms) => (await call("POST", "/_fifowin/clock/advance", { ms })).now_ms,
    escapes: async () => (await call("GET", "/_fifowin/escapes")).escapes,
    addFault: async (rule) => (await call("POST", "/_fifowin/faults", rule)).id,
    faults: async () => (await call("GET", "/_fifowin/faults")).rules,
    clearFaults: async () => (await call("DELETE", "/_fifowin/faults")).removed,
    reset: () => call("POST", "/_fifowin/reset"),
    dedup: (queue) => call("GET", `${queuePath(queue)}/dedup`),
    messages: (queue, { bodies = false } = {}) => call("GET", `${queuePath(queue)}/messages${bodies ? "?bodies=true" : ""}`),
    /** SIGTERM, then SIGKILL after 10 s; resolves once the process is gone. */
    stop() {
      stopping ??= (async () => {
        if (!exit) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
          await exited;
          clearTimeout(timer);
        }
        cleanUp();
      })();
      return stopping;
    },
  };
}

module.exports = { startFifowin, findBinary };
