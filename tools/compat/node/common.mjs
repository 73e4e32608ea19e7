// Shared by the Node scenarios: printed checks and the SQS attribute MD5, computed
// here independently of the server.
import crypto from "node:crypto";

export const failures = [];

export function check(name, ok, detail) {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${name}${!ok && detail !== undefined ? ` (${JSON.stringify(detail)})` : ""}`);
  if (!ok) failures.push(name);
}

export function md5(data) {
  return crypto.createHash("md5").update(data).digest("hex");
}

export function md5OfAttributes(attrs) {
  const parts = [];
  const u32 = (n) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  const put = (buf) => parts.push(u32(buf.length), buf);
  for (const name of Object.keys(attrs).sort()) {
    const v = attrs[name];
    put(Buffer.from(name));
    put(Buffer.from(v.DataType));
    if (v.StringValue !== undefined) {
      parts.push(Buffer.from([1]));
      put(Buffer.from(v.StringValue));
    } else {
      parts.push(Buffer.from([2]));
      put(Buffer.from(v.BinaryValue));
    }
  }
  return md5(Buffer.concat(parts));
}

export function finish() {
  console.log(`${failures.length === 0 ? "PASS" : "FAIL"}: ${failures.length} failed check(s)`);
  process.exit(failures.length === 0 ? 0 : 1);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
