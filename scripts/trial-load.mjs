// Randomisations through HTTP at `spire serve`: N concurrent clients, each
// sending M requests for fresh youth, one at a time. Prints throughput and
// latency percentiles. Node 18+, no packages.
//
//   node scripts/trial-load.mjs URL TOKEN TRIAL_ID [clients=16] [requests=200]
//
// URL is the server's base, e.g. http://127.0.0.1:8080; TOKEN a caseworker's
// API token (`spire token create`). Each run uses CPR numbers of its own.
const [base, token, trial, clientsArg = "16", requestsArg = "200"] = process.argv.slice(2);
if (!base || !token || !trial) {
  console.error("usage: node scripts/trial-load.mjs URL TOKEN TRIAL_ID [clients] [requests]");
  process.exit(2);
}
const clients = Number(clientsArg);
const requests = Number(requestsArg);
const run = Number(process.env.SPIRE_LOAD_RUN ?? Math.floor(Math.random() * 4000));

// The i-th youth of this run: born on one of 2,000 days from 2001-01-01 (aged 18–29
// in 2026), with a serial that separates runs, 5000–8999 (7th digit 5–8: born
// 2000–2057), which the demo's youth never have. Modulus 11 is not checked by Spire.
function cpr(i) {
  const birth = new Date(Date.UTC(2001, 0, 1) + (i % 2000) * 86400000);
  const two = (n) => String(n).padStart(2, "0");
  const serial = 5000 + ((Math.floor(i / 2000) + run) % 4000);
  return `${two(birth.getUTCDate())}${two(birth.getUTCMonth() + 1)}${two(birth.getUTCFullYear() % 100)}-${serial}`;
}

const municipality = Number(process.env.SPIRE_LOAD_MUNICIPALITY ?? 265);
const latencies = [];
const statuses = {};
async function client(c) {
  for (let r = 0; r < requests; r++) {
    const i = c * requests + r;
    const body = JSON.stringify({
      cpr: cpr(i), first_name: "Load", last_name: "Test", municipality_code: municipality,
      benefit: "kontanthjaelp", readiness: "jobparat", has_qualification: false,
    });
    const started = performance.now();
    const response = await fetch(`${base}/api/v1/trials/${trial}/randomizations`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", "idempotency-key": `load-${run}-${i}` },
      body,
    });
    await response.arrayBuffer();
    latencies.push(performance.now() - started);
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: clients }, (_, c) => client(c)));
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(1);
console.log(
  `${latencies.length} requests from ${clients} clients in ${seconds.toFixed(2)} s: ` +
    `${(latencies.length / seconds).toFixed(0)} a second; latency p50 ${at(0.5)} ms, p99 ${at(0.99)} ms, ` +
    `max ${latencies[latencies.length - 1].toFixed(1)} ms; statuses ${JSON.stringify(statuses)}`,
);
