"""The peer of ServeThroughputBenchmark: transformers' generate on the same model directory and the same prompts.

Reads the prompts as token ids (written by the Java benchmark, so both sides decode from identical inputs), runs
greedy `model.generate` in float32 on the CPU at each batch size (left padding), and writes tokens/s per
repetition and the batch-1 output ids as JSON.

    python serve_peer_generate.py --model DIR --prompts prompts.json --out peer.json \
        --batches 1,4,16 --max-new-tokens 32 --reps 3 --threads 2
"""

import argparse
import json
import time

import torch
from transformers import LlamaForCausalLM


def batch_inputs(prompts, pad_id):
    """Left-pads the prompts to one length: (batch, seq) ids and the attention mask."""
    longest = max(len(p) for p in prompts)
    ids = [[pad_id] * (longest - len(p)) + p for p in prompts]
    mask = [[0] * (longest - len(p)) + [1] * len(p) for p in prompts]
    return torch.tensor(ids), torch.tensor(mask)


def generate(model, prompts, max_new_tokens, pad_id):
    ids, mask = batch_inputs(prompts, pad_id)
    with torch.inference_mode():
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=False,
            max_new_tokens=max_new_tokens,
            pad_token_id=pad_id,
        )
    return out[:, ids.shape[1] :].tolist()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--prompts", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--batches", default="1,4,16")
    parser.add_argument("--max-new-tokens", type=int, default=32)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pad-id", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    with open(args.prompts) as f:
        prompts = json.load(f)
    model = LlamaForCausalLM.from_pretrained(args.model, torch_dtype=torch.float32).eval()
    # The benchmark's eos id lies outside the vocabulary, so no sequence can end early; say so explicitly
    # instead of relying on min_new_tokens (which indexes the scores at the eos id).
    model.generation_config.eos_token_id = None

    generate(model, prompts[:1], 4, args.pad_id)  # warm-up
    result = {"torch": torch.__version__, "threads": torch.get_num_threads(), "rates": {}}
    import transformers

    result["transformers"] = transformers.__version__
    for batch in [int(b) for b in args.batches.split(",")]:
        rates = []
        for _ in range(args.reps):
            start = time.perf_counter()
            outputs = generate(model, prompts[:batch], args.max_new_tokens, args.pad_id)
            seconds = time.perf_counter() - start
            tokens = sum(len(o) for o in outputs)
            assert tokens == batch * args.max_new_tokens, tokens
            rates.append(tokens / seconds)
            print(f"transformers batch {batch}: {tokens} tokens in {seconds:.3f} s, {tokens / seconds:.1f} tokens/s",
                  flush=True)
            if batch == 1:
                result["batch1_ids"] = outputs[0]
            if batch == max(int(b) for b in args.batches.split(",")):
                result["batched_ids"] = outputs
        result["rates"][str(batch)] = rates
    with open(args.out, "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
