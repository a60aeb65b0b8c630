#!/usr/bin/env python3
"""Loads exports/sft.jsonl and exports/preference.jsonl with Hugging Face `datasets` and checks them
with TRL's own format helpers (`trl.data_utils.is_conversational`) plus the field shapes TRL's
SFTTrainer (conversational "messages") and DPOTrainer (conversational explicit prompt:
"prompt", "chosen", "rejected") document, and OpenAI fine-tuning's chat form. Test tooling.

  check_training_format.py EXPORTS_DIR
Prints one JSON object; exits 1 on a failure. Without `trl` it says so in "trl" and runs the
shape checks only (the Swift test fails in CI when that happens).
"""
import json
import os
import sys

import datasets


def main():
    exports = sys.argv[1]
    report = {"failures": []}
    try:
        from trl.data_utils import is_conversational
        report["trl"] = "trl.data_utils"
    except Exception as error:  # noqa: BLE001 - reported, the caller decides
        is_conversational = None
        report["trl"] = "unavailable: %s" % error
    sft = datasets.load_dataset("json", data_files=os.path.join(exports, "sft.jsonl"), split="train")
    pref = datasets.load_dataset("json", data_files=os.path.join(exports, "preference.jsonl"), split="train")
    report["sft_rows"] = len(sft)
    report["sft_columns"] = sft.column_names
    report["preference_rows"] = len(pref)
    report["preference_columns"] = pref.column_names
    if sft.column_names != ["messages"]:
        report["failures"].append("sft columns %s, expected ['messages'] (OpenAI chat fine-tuning takes no other key)" % sft.column_names)
    if sorted(pref.column_names) != ["chosen", "prompt", "rejected", "why"]:
        report["failures"].append("preference columns %s" % pref.column_names)
    for row in sft:
        roles = [m["role"] for m in row["messages"]]
        if roles != ["system", "user", "assistant"] or not all(isinstance(m["content"], str) and m["content"] for m in row["messages"]):
            report["failures"].append("sft row with roles %s" % roles)
            break
        if is_conversational and not is_conversational(row):
            report["failures"].append("TRL does not see an SFT row as conversational")
            break
    for row in pref:
        if [m["role"] for m in row["prompt"]][-1] != "user" or [m["role"] for m in row["chosen"]] != ["assistant"] \
                or [m["role"] for m in row["rejected"]] != ["assistant"]:
            report["failures"].append("preference row of the wrong shape")
            break
        if is_conversational and not is_conversational({k: row[k] for k in ("prompt", "chosen", "rejected")}):
            report["failures"].append("TRL does not see a preference row as conversational")
            break
    print(json.dumps(report, sort_keys=True))
    sys.exit(1 if report["failures"] else 0)


if __name__ == "__main__":
    main()
