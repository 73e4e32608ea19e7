// Starts fauxqs on 127.0.0.1 only. Its startFauxqs() always listens on 0.0.0.0, so
// build the same Fastify app and listen on loopback ourselves. Usage: node fauxqs.mjs PORT
import { buildApp } from "fauxqs";

const port = Number(process.argv[2] ?? 4566);
const app = buildApp({ logger: false });
await app.listen({ port, host: "127.0.0.1" });
console.error(`fauxqs listening on http://127.0.0.1:${port}`);
