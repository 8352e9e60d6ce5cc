// llama.cpp (the prebuilt CPU binaries of node-llama-cpp) driven the way the fixture references
// were made: CPU only, F32 K/V, no flash attention, raw logits read before any sampling.
import {getLlama} from "node-llama-cpp";

let llamaInstance;
async function llama() {
  llamaInstance ??= await getLlama({gpu: false, build: "never", logLevel: "error"});
  return llamaInstance;
}

export async function openModel(path, {contextSize = 512, threads = 1, batchSize = 512, kvType = "F32"} = {}) {
  const model = await (await llama()).loadModel({modelPath: path});
  const context = await model.createContext({
    contextSize, threads, batchSize, flashAttention: false,
    experimentalKvCacheKeyType: kvType, experimentalKvCacheValueType: kvType,
  });
  return {model, context, sequence: context.getSequence()};
}

export async function closeModel({model, context}) {
  await context.dispose();
  await model.dispose();
}

// Raw next-token logits after every prompt position: an array of Float64Array(vocab).
export async function promptLogits(handle, prompt, vocabSize) {
  const input = prompt.map((t) => [t, {generateNext: {logits: true}}]);
  const out = await handle.sequence.controlledEvaluate(input);
  await handle.sequence.clearHistory();
  return out.map((r) => {
    const row = new Float64Array(vocabSize);
    for (const [token, logit] of r.next.logits) row[token] = logit;
    return row;
  });
}

// Greedy continuation, one token per decode step.
export async function greedy(handle, prompt, steps) {
  const tokens = [];
  for await (const token of handle.sequence.evaluate(prompt, {temperature: 0})) {
    tokens.push(token);
    if (tokens.length >= steps) break;
  }
  await handle.sequence.clearHistory();
  return tokens;
}
