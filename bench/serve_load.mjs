#!/usr/bin/env node
// Load test for `slm serve`: C concurrent streaming clients each send R chat requests; reports
// requests/s, generated tokens/s, time to first token and total latency (p50/p99).
//   node bench/serve_load.mjs --url http://127.0.0.1:8080 [--clients 8] [--requests 20]
//        [--max-tokens 32] [--api-key KEY] [--timeout 300] [--endpoint chat|completions]
// `--endpoint completions` sends raw prompts (for models without a chat template).
// No dependencies (Node 18+ fetch). Exits non-zero if any request failed.
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []));
const url = (args.url ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const clients = Number(args.clients ?? 8);
const perClient = Number(args.requests ?? 20);
const maxTokens = Number(args['max-tokens'] ?? 32);
const deadline = Date.now() + 1000 * Number(args.timeout ?? 300);
const endpoint = args.endpoint ?? 'chat';
const headers = { 'Content-Type': 'application/json' };
if (args['api-key']) headers.Authorization = `Bearer ${args['api-key']}`;

// One streamed request; resolves with {ttft, total, tokens} in milliseconds.
async function streamOnce(client, i) {
  const text = `Client ${client}, request ${i}: once upon a time`;
  const body = {
    ...(endpoint === 'chat' ? { messages: [{ role: 'user', content: text }] } : { prompt: text }),
    max_tokens: maxTokens, seed: client * 1000 + i, temperature: 0.8, stream: true,
    stream_options: { include_usage: true },
  };
  const t0 = performance.now();
  const path = endpoint === 'chat' ? '/v1/chat/completions' : '/v1/completions';
  const res = await fetch(`${url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  let ttft = null, tokens = 0, buffered = '', done = false;
  const decoder = new TextDecoder();
  for await (const bytes of res.body) {
    buffered += decoder.decode(bytes, { stream: true });
    let end;
    while ((end = buffered.indexOf('\n\n')) >= 0) {
      const event = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (!event.startsWith('data: ')) continue;
      const data = event.slice(6);
      if (data === '[DONE]') { done = true; continue; }
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message);
      if (chunk.usage) tokens = chunk.usage.completion_tokens;
      const choice = chunk.choices?.[0] ?? {};
      const delta = choice.delta ?? {};
      const generated = choice.text || delta.content || delta.reasoning_content || delta.tool_calls || choice.finish_reason;
      if (ttft === null && generated) ttft = performance.now() - t0;
    }
  }
  if (!done) throw new Error('stream ended without [DONE]');
  return { ttft, total: performance.now() - t0, tokens };
}

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};

const results = [], errors = [];
const t0 = performance.now();
await Promise.all(Array.from({ length: clients }, async (_, c) => {
  for (let i = 0; i < perClient && Date.now() < deadline; ++i) {
    try {
      results.push(await streamOnce(c, i));
    } catch (e) {
      errors.push(String(e.message ?? e));
    }
  }
}));
const wall = (performance.now() - t0) / 1000;
const tokens = results.reduce((n, r) => n + r.tokens, 0);
const ttfts = results.map((r) => r.ttft).filter((x) => x !== null);
const report = {
  clients, requests: results.length + errors.length, errors: errors.length, wall_seconds: +wall.toFixed(3),
  requests_per_second: +(results.length / wall).toFixed(2),
  generated_tokens_per_second: +(tokens / wall).toFixed(1),
  ttft_ms: { p50: +percentile(ttfts, 50).toFixed(1), p99: +percentile(ttfts, 99).toFixed(1) },
  latency_ms: { p50: +percentile(results.map((r) => r.total), 50).toFixed(1), p99: +percentile(results.map((r) => r.total), 99).toFixed(1) },
};
console.log(JSON.stringify(report, null, 2));
if (errors.length) console.error('first error:', errors[0]);
process.exit(errors.length ? 1 : 0);
