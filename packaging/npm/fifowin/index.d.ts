/** Options of {@link startFifowin}. */
export interface FifowinOptions {
  /** FIFO deduplication window: "5m", "90s", or milliseconds as a number. Default "5m". */
  window?: string | number;
  /** How time moves; both clocks move with `advance`. Default "system". */
  clock?: "system" | "manual";
  /** More `fifowin serve` flags. */
  args?: string[];
  /** The binary to run instead of the bundled one (also: FIFOWIN_BIN). */
  bin?: string;
  /** How long to wait for the server to listen. Default 30000. */
  startupTimeoutMs?: number;
}

/** A duplicate accepted as new because its window had closed. */
export interface Escape {
  queue: string;
  dedup_id: string;
  group_id: string | null;
  first_sent_ms: number;
  resent_ms: number;
  late_by_ms: number;
}

/** A fault rule as the server lists it. */
export interface FaultRule {
  id: number;
  operation: string;
  action: "fail" | "fail_after_commit" | "delay" | "redeliver" | string;
  matched: number;
  fired: number;
  [field: string]: unknown;
}

/** A running fifowin server. */
export interface Fifowin {
  /** `http://127.0.0.1:<port>`: the endpoint for any AWS SDK. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  readonly version: string;
  /** Moves the server clock forward; resolves to its new reading (ms since the epoch). */
  advance(ms: number): Promise<number>;
  escapes(): Promise<Escape[]>;
  /** Adds a fault rule, e.g. `{operation: "SendMessage", action: "fail_after_commit", count: 1}`; resolves to its id. */
  addFault(rule: Record<string, unknown>): Promise<number>;
  faults(): Promise<FaultRule[]>;
  /** Removes every fault rule; resolves to how many there were. */
  clearFaults(): Promise<number>;
  /** Drops every queue and fault rule. */
  reset(): Promise<{ queues_dropped: number; queues_created: number; topics_dropped: number; topics_created: number; faults_removed: number }>;
  /** A queue's live deduplication entries. */
  dedup(queue: string): Promise<{ queue: string; window_ms: number; scope: string; count: number; entries: Record<string, unknown>[] }>;
  /** A queue's messages and their states. */
  messages(queue: string, options?: { bodies?: boolean }): Promise<{ queue: string; visible: number; in_flight: number; delayed: number; messages: Record<string, unknown>[] }>;
  /** Stops the server; resolves once the process is gone. */
  stop(): Promise<void>;
}

/** Starts a fifowin server on 127.0.0.1 and a free port. */
export function startFifowin(options?: FifowinOptions): Promise<Fifowin>;

/** The binary `startFifowin` runs: `explicit`, FIFOWIN_BIN, or the platform package's. */
export function findBinary(explicit?: string): string;

declare const fifowin: { startFifowin: typeof startFifowin; findBinary: typeof findBinary };
export default fifowin;
