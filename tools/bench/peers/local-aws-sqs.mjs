// Starts local-aws-sqs on 127.0.0.1 only. The simulated queue-creation delay is
// off: the benchmark measures steady-state throughput, not lifecycle emulation.
// Usage: node local-aws-sqs.mjs PORT
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { createSqsServer } = require("local-aws-sqs");

const port = Number(process.argv[2] ?? 5432);
await createSqsServer({ port, hostname: "127.0.0.1", emulateQueueCreationLifecycle: false });
console.error(`local-aws-sqs listening on http://127.0.0.1:${port}`);
