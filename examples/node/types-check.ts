// Compiled (not run) by tools/test-packages.sh with tsc --strict: the package's
// index.d.ts describes what startFifowin gives.
import { startFifowin, type Escape, type FaultRule, type Fifowin } from "fifowin";

const fw: Fifowin = await startFifowin({ window: "90s", clock: "manual", args: ["--log-level", "warn"] });
const now: number = await fw.advance(91_000);
const escapes: Escape[] = await fw.escapes();
const late: number[] = escapes.map((e) => e.late_by_ms);
const id: number = await fw.addFault({ operation: "SendMessage", action: "fail_after_commit", count: 1 });
const rules: FaultRule[] = await fw.faults();
const fired: number = rules[0].fired;
const removed: number = await fw.clearFaults();
const dropped: number = (await fw.reset()).queues_dropped;
const visible: number = (await fw.messages("orders.fifo", { bodies: true })).visible;
const endpoint: string = fw.endpoint;
await fw.stop();
console.log(now, late, id, fired, removed, dropped, visible, endpoint);
