// A GGUF that `slm quantize` writes loads in llama.cpp, and both runtimes give the same logits on
// it within the bounds below (and the same greedy tokens where their arithmetic is the same).
// Run: SLM_BIN=build/slm SLM_FIXTURES=../shared/fixtures node --test tools/llamacpp/
import {test} from "node:test";
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {openModel, closeModel, promptLogits, greedy} from "./llamacpp.mjs";

const slm = process.env.SLM_BIN ?? "build/slm";
const fixtures = process.env.SLM_FIXTURES ?? "../shared/fixtures";
const work = mkdtempSync(join(tmpdir(), "slm-llamacpp-"));
process.on("exit", () => rmSync(work, {recursive: true, force: true}));

// |slm - llama.cpp| logit differences allowed, per weight type. F32 files must agree to float
// rounding. With F16 weights llama.cpp rounds the activations to f16, slm keeps them f32.
// Quantized files: neither runtime multiplies the quantized weights exactly. llama.cpp rounds the
// activations of every product to 8-bit blocks; slm does too for one token at a time, and uses
// bf16 activations (8 significant bits, several times more precise) for prompts on AMX tiles.
// These random tiny models amplify any rounding enormously, so the two runtimes are compared with
// the exact result: llama.cpp itself on the same weights dequantized to F32. slm must be at
// least about as close to it as llama.cpp is (mean within 1.25x, max within 1.5x), and the
// slm - llama.cpp difference stays under a loose absolute bound.
// Measured (tiny-qwen3 Q8_0): slm vs exact max 0.17 mean 0.022 with AMX, 0.47 / 0.057 without.
const TOLERANCE = {
  F32: {max: 1e-4, mean: 1e-5, sameGreedy: true},
  F16: {max: 0.06, mean: 0.006, sameGreedy: true},
  Q8_0: {max: 2.0, mean: 0.2, sameGreedy: false, versusExact: true},
  Q4_K_M: {max: 2.0, mean: 0.2, sameGreedy: false, versusExact: true},
};

function differences(a, b, positions, vocab) {
  let max = 0, sum = 0;
  for (let t = 0; t < positions; t++)
    for (let v = 0; v < vocab; v++) {
      const d = Math.abs(a[t][v] - b[t][v]);
      max = Math.max(max, d);
      sum += d;
    }
  return {max, mean: sum / (positions * vocab)};
}

function runSlm(args) {
  return execFileSync(slm, args, {encoding: "utf8", maxBuffer: 256 << 20, stdio: ["ignore", "pipe", "pipe"]});
}

for (const fixture of ["tiny-llama3", "tiny-qwen3", "tiny-qwen2", "tiny-smollm3"]) {
  for (const type of Object.keys(TOLERANCE)) {
    test(`${fixture} ${type}: slm quantize output runs the same in llama.cpp and slm`, async () => {
      const reference = JSON.parse(readFileSync(join(fixtures, "models", fixture, "reference.json"), "utf8"));
      const prompt = reference.prompt_ids;
      const file = join(work, `${fixture}-${type}.gguf`);
      runSlm(["quantize", join(fixtures, "models", fixture, "model.gguf"), file, "--type", type]);

      // Both runtimes with an f32 KV cache (openModel sets llama.cpp's), so only the weights differ.
      const ours = JSON.parse(runSlm(["run", file, "--ids", prompt.join(","), "-n", "16", "--temp", "0",
                                      "--ignore-eos", "--json", "--dump-logits", "--threads", "1",
                                      "--kv-type", "f32"]));
      const vocab = ours.logits[0].length;
      const bound = TOLERANCE[type];
      let exact;
      if (bound.versusExact) {
        const dequantized = join(work, `${fixture}-${type}-dequantized.gguf`);
        runSlm(["quantize", file, dequantized, "--type", "F32", "--quiet"]);
        const exactHandle = await openModel(dequantized);
        try {
          exact = await promptLogits(exactHandle, prompt, vocab);
        } finally {
          await closeModel(exactHandle);
        }
      }
      const handle = await openModel(file);
      try {
        const theirs = await promptLogits(handle, prompt, vocab);
        const diff = differences(ours.logits, theirs, prompt.length, vocab);
        console.log(`${fixture} ${type}: |logit difference| over ${prompt.length} positions: ` +
                    `max ${diff.max.toFixed(4)}, mean ${diff.mean.toFixed(4)}`);
        assert.ok(diff.max <= bound.max, `max logit difference ${diff.max} > ${bound.max}`);
        assert.ok(diff.mean <= bound.mean, `mean logit difference ${diff.mean} > ${bound.mean}`);
        if (exact) {
          const slmError = differences(ours.logits, exact, prompt.length, vocab);
          const llamaError = differences(theirs, exact, prompt.length, vocab);
          console.log(`${fixture} ${type}: vs exact: slm max ${slmError.max.toFixed(4)} mean ${slmError.mean.toFixed(4)}, ` +
                      `llama.cpp max ${llamaError.max.toFixed(4)} mean ${llamaError.mean.toFixed(4)}`);
          assert.ok(slmError.mean <= 1.25 * llamaError.mean, "slm is further from the exact logits than llama.cpp (mean)");
          assert.ok(slmError.max <= 1.5 * llamaError.max, "slm is further from the exact logits than llama.cpp (max)");
        }
        const theirGreedy = await greedy(handle, prompt, 16);
        console.log(`${fixture} ${type}: greedy ${JSON.stringify(ours.ids) === JSON.stringify(theirGreedy) ? "same" : "DIFFERENT"}`);
        if (bound.sameGreedy) assert.deepEqual(ours.ids, theirGreedy);
      } finally {
        await closeModel(handle);
      }
    });
  }
}
