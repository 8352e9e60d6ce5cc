// A GGUF that `slm quantize` writes from a Hugging Face directory (not from a GGUF) is
// self-contained for llama.cpp: it loads, llama.cpp tokenizes the fixture prompt with the
// embedded vocabulary to slm's ids (and adds BOS exactly when slm does), and both runtimes
// continue the prompt with the same greedy tokens.
// Run: SLM_BIN=build/slm SLM_FIXTURES=../shared/fixtures node --test tools/llamacpp/
import {test} from "node:test";
import assert from "node:assert/strict";
import {execFileSync} from "node:child_process";
import {mkdtempSync, readFileSync, rmSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {openModel, closeModel, greedy} from "./llamacpp.mjs";

const slm = process.env.SLM_BIN ?? "build/slm";
const fixtures = process.env.SLM_FIXTURES ?? "../shared/fixtures";
const work = mkdtempSync(join(tmpdir(), "slm-llamacpp-hf-"));
process.on("exit", () => rmSync(work, {recursive: true, force: true}));

function runSlm(args) {
  return execFileSync(slm, args, {encoding: "utf8", maxBuffer: 256 << 20, stdio: ["ignore", "pipe", "pipe"]});
}

// Texts beyond the fixture prompt: spaces, newlines, digits, unicode, and a special token.
const EXTRA_TEXTS = ["  two  spaces\n\nand lines\t", "It's 12345 o'clock, caf\u00e9 \u4f60\u597d \u{1F642}"];

// F32 must give the same greedy tokens (same arithmetic); Q8_0 quantizes activations differently
// in the two runtimes, so only loading and tokenization are compared there.
for (const fixture of ["tiny-qwen3", "tiny-llama3"]) {
  for (const type of ["F32", "Q8_0"]) {
    test(`${fixture} ${type} from the Hugging Face directory: llama.cpp tokenizes and generates as slm`, async () => {
      const dir = join(fixtures, "models", fixture);
      const reference = JSON.parse(readFileSync(join(dir, "reference.json"), "utf8"));
      const file = join(work, `${fixture}-${type}.gguf`);
      runSlm(["quantize", dir, file, "--type", type, "--quiet"]);

      const handle = await openModel(file);
      try {
        const special = fixture === "tiny-qwen3" ? "<|im_start|>user\nhi<|im_end|>" : "<|start_header_id|>user<|end_header_id|>";
        for (const text of [reference.prompt_text, ...EXTRA_TEXTS, special]) {
          const ours = JSON.parse(runSlm(["tokenize", file, text, "--json"])).ids;
          const bos = handle.model.tokens.shouldPrependBosToken && handle.model.tokens.bos !== null ? [handle.model.tokens.bos] : [];
          const theirs = [...bos, ...handle.model.tokenize(text, true)];
          assert.deepEqual(theirs, ours, `tokenization of ${JSON.stringify(text)}`);
        }
        // The HF directory's own tokenization is what both reproduce.
        const prompt = JSON.parse(runSlm(["tokenize", dir, reference.prompt_text, "--json"])).ids;
        assert.deepEqual(prompt, reference.prompt_ids);

        const ours = JSON.parse(runSlm(["run", file, "--ids", prompt.join(","), "-n", "16", "--temp", "0",
                                        "--ignore-eos", "--json", "--threads", "1", "--kv-type", "f32"])).ids;
        const theirs = await greedy(handle, prompt, 16);
        console.log(`${fixture} ${type}: greedy ${JSON.stringify(ours) === JSON.stringify(theirs) ? "same" : "DIFFERENT"}`);
        if (type === "F32") assert.deepEqual(theirs, ours);
      } finally {
        await closeModel(handle);
      }
    });
  }
}
