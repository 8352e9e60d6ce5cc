// End-to-end tests of `slm serve` through the official OpenAI Node client, on the tiny
// random-weight fixtures. SLM_BIN is the slm binary, SLM_FIXTURES the fixtures directory.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';

const here = path.dirname(fileURLToPath(import.meta.url));
const bin = process.env.SLM_BIN ?? path.join(here, '../../build/slm');
const fixtures = process.env.SLM_FIXTURES ?? path.join(here, '../../../shared/fixtures');
const API_KEY = 'e2e-secret';

// Starts `slm serve` on a free port; resolves with {proc, baseURL} once it listens.
function startServer(args) {
  return new Promise((resolve, reject) => {
    const proc = spawn(bin, ['serve', ...args, '--port', '0', '--threads', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${err}`)), 30000);
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, baseURL: `http://127.0.0.1:${m[1]}/v1` });
      }
    });
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

let qwen, thinking;
before(async () => {
  qwen = await startServer([path.join(fixtures, 'models/tiny-qwen3'), '--api-key', API_KEY, '--parallel', '2', '--ctx', '1024']);
  thinking = await startServer([path.join(fixtures, 'models/tiny-qwen3'), '--api-key', API_KEY, '--ctx', '1024',
    '--chat-template', path.join(fixtures, 'templates/Qwen__Qwen3-4B-Thinking-2507.jinja')]);
});
after(() => {
  for (const s of [qwen, thinking]) s?.proc.kill('SIGTERM');
});

const client = (server) => new OpenAI({ apiKey: API_KEY, baseURL: server.baseURL, maxRetries: 0, timeout: 60000 });

test('lists the model', async () => {
  const models = await client(qwen).models.list();
  assert.equal(models.data.length, 1);
  assert.equal(models.data[0].id, 'tiny-qwen3');
});

test('answers 401 without an API key', async () => {
  const res = await fetch(`${qwen.baseURL}/chat/completions`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
  });
  assert.equal(res.status, 401);
  const body = await res.json();
  assert.equal(body.error.code, 'invalid_api_key');
});

test('rejects a wrong API key with 401', async () => {
  const bad = new OpenAI({ apiKey: 'wrong', baseURL: qwen.baseURL, maxRetries: 0 });
  await assert.rejects(bad.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
});

test('chat completion, non-streaming and streaming agree', async () => {
  const request = { model: 'tiny-qwen3', messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 16, seed: 7, temperature: 0.8 };
  const full = await client(qwen).chat.completions.create(request);
  assert.equal(full.object, 'chat.completion');
  assert.ok(['stop', 'length'].includes(full.choices[0].finish_reason));
  assert.equal(full.usage.total_tokens, full.usage.prompt_tokens + full.usage.completion_tokens);

  const stream = await client(qwen).chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  let text = '', finish = null, usage = null;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (!chunk.choices.length) continue;
    text += chunk.choices[0].delta.content ?? '';
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.equal(text, full.choices[0].message.content ?? '');
  assert.equal(finish, full.choices[0].finish_reason);
  assert.equal(usage.completion_tokens, full.usage.completion_tokens);
});

test('reasoning goes to reasoning_content, streamed and not', async () => {
  const request = { model: 'tiny-qwen3', messages: [{ role: 'user', content: 'Think first.' }], max_tokens: 16, seed: 3,
    chat_template_kwargs: { enable_thinking: true } };
  const full = await client(thinking).chat.completions.create(request);
  const message = full.choices[0].message;
  assert.ok(message.reasoning_content.length > 0, JSON.stringify(message));
  assert.equal(message.reasoning, message.reasoning_content);
  assert.ok(!(message.content ?? '').includes('<think>'));
  let reasoning = '';
  for await (const chunk of await client(thinking).chat.completions.create({ ...request, stream: true }))
    reasoning += chunk.choices[0]?.delta?.reasoning_content ?? '';
  assert.equal(reasoning, message.reasoning_content);
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', maxLength: 24 }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
  },
};

test('tool call round trip with a forced function', async () => {
  const messages = [{ role: 'user', content: 'What is the weather in Oslo?' }];
  const first = await client(qwen).chat.completions.create({
    model: 'tiny-qwen3', messages, tools: [weatherTool], max_tokens: 64, seed: 11,
    tool_choice: { type: 'function', function: { name: 'get_weather' } },
  });
  const choice = first.choices[0];
  assert.equal(choice.finish_reason, 'tool_calls');
  assert.equal(choice.message.tool_calls.length, 1);
  const call = choice.message.tool_calls[0];
  assert.equal(call.type, 'function');
  assert.equal(call.function.name, 'get_weather');
  const args = JSON.parse(call.function.arguments);
  assert.equal(typeof args.city, 'string');
  assert.ok(['celsius', 'fahrenheit'].includes(args.unit));
  assert.deepEqual(Object.keys(args).sort(), ['city', 'unit']);

  const second = await client(qwen).chat.completions.create({
    model: 'tiny-qwen3', tools: [weatherTool], max_tokens: 8, seed: 12,
    messages: [...messages, choice.message, { role: 'tool', tool_call_id: call.id, content: '{"temperature": 4}' }],
  });
  assert.ok(['stop', 'length', 'tool_calls'].includes(second.choices[0].finish_reason));
});

test('streamed tool call arrives as tool_calls deltas', async () => {
  const stream = await client(qwen).chat.completions.create({
    model: 'tiny-qwen3', messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool], tool_choice: 'required',
    max_tokens: 64, seed: 5, stream: true,
  });
  const calls = [];
  let finish = null;
  for await (const chunk of stream) {
    for (const d of chunk.choices[0]?.delta?.tool_calls ?? []) {
      calls[d.index] ??= { name: '', arguments: '' };
      calls[d.index].name += d.function?.name ?? '';
      calls[d.index].arguments += d.function?.arguments ?? '';
    }
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(finish, 'tool_calls');
  assert.equal(calls[0].name, 'get_weather');
  JSON.parse(calls[0].arguments);
});

test('json_schema response format always validates', async () => {
  const schema = {
    type: 'object',
    properties: {
      title: { type: 'string', maxLength: 16 },
      year: { type: 'integer' },
      tags: { type: 'array', items: { type: 'string', maxLength: 8 }, maxItems: 2 },
      rating: { anyOf: [{ type: 'number' }, { type: 'null' }] },
    },
    required: ['title', 'year', 'tags', 'rating'],
    additionalProperties: false,
  };
  for (const seed of [1, 2, 3]) {
    const r = await client(qwen).chat.completions.create({
      model: 'tiny-qwen3', messages: [{ role: 'user', content: 'A movie as JSON' }], max_tokens: 80, seed,
      response_format: { type: 'json_schema', json_schema: { name: 'movie', strict: true, schema } },
    });
    const value = JSON.parse(r.choices[0].message.content);
    assert.deepEqual(Object.keys(value), ['title', 'year', 'tags', 'rating']);
    assert.equal(typeof value.title, 'string');
    assert.ok(Number.isInteger(value.year));
    assert.ok(Array.isArray(value.tags) && value.tags.length <= 2);
    assert.ok(value.rating === null || typeof value.rating === 'number');
  }
});

test('bad requests get OpenAI-shaped 4xx errors', async () => {
  await assert.rejects(
    client(qwen).chat.completions.create({ model: 'tiny-qwen3', messages: [{ role: 'user', content: 'hi' }], n: 3 }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'n');
  await assert.rejects(
    client(qwen).chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.code === 'model_not_found');
  await assert.rejects(
    client(qwen).chat.completions.create({ model: 'tiny-qwen3', messages: [{ role: 'user', content: 'word '.repeat(3000) }] }),
    (e) => e.status === 400 && e.code === 'context_length_exceeded');
});
