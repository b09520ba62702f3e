#!/usr/bin/env python3
"""Writes N generated LiteLLM spend-log rows as CSV with the columns of LiteLLM's
`LiteLLM_SpendLogs` table (schema.prisma), as PostgreSQL's `\\copy … CSV HEADER` exports them.

Rows spread over price periods (2026-10-02 … 2026-11-28, across the 2026-11-01 change),
every hour of the day (DeepSeek's peak and off-peak windows), sizes on both sides of the
200k and 272k long-context thresholds, cached tokens in `metadata.usage_object` (both of
LiteLLM's spellings), routing tags in `request_tags` or `metadata.spend_logs_metadata`.
Seeded: the same N gives the same file.

usage: generate.py N OUT.csv [SEED]
"""
import csv
import json
import random
import sys
from datetime import datetime, timedelta, timezone

COLUMNS = [
    "request_id", "call_type", "api_key", "spend", "total_tokens", "prompt_tokens",
    "completion_tokens", "startTime", "endTime", "request_duration_ms", "completionStartTime",
    "model", "model_id", "model_group", "custom_llm_provider", "api_base", "user", "metadata",
    "cache_hit", "cache_key", "request_tags", "team_id", "organization_id", "end_user",
    "requester_ip_address", "messages", "response", "session_id", "status",
    "mcp_namespaced_tool_name", "agent_id", "proxy_server_request",
]
MODELS = ["gpt-5.5", "openai/gpt-5-mini", "gemini-2.5-pro", "deepseek-v4-flash",
          "deepseek-v4-pro", "claude-sonnet-4-5"]
TASKS = ["extraction", "support", "synthesis", None]
CLASSES = ["public", "internal", "confidential", "Regulated", None]


def main():
    n = int(sys.argv[1])
    out = sys.argv[2]
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20261130)
    start = datetime(2026, 10, 2, tzinfo=timezone.utc)
    span_ms = int(timedelta(days=57).total_seconds() * 1000)
    with open(out, "w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for i in range(n):
            at = start + timedelta(milliseconds=rng.randrange(span_ms))
            # Some rows on the exact instant a price period starts (half-open intervals).
            if i % 997 == 0:
                at = datetime(2026, 11, 1, tzinfo=timezone.utc)
            elif i % 991 == 0:
                at = datetime(2026, 11, 1, tzinfo=timezone.utc) - timedelta(milliseconds=1)
            size = int(rng.lognormvariate(9.5, 1.6))
            if i % 50 == 0:
                size = rng.choice([200_000, 200_001, 272_000, 272_001, 350_000])
            size = max(1, min(size, 900_000))
            output = max(1, int(rng.lognormvariate(6.0, 1.0)))
            cached = rng.randrange(size + 1) if rng.random() < 0.4 else 0
            write = rng.randrange(size - cached + 1) if rng.random() < 0.1 else 0
            usage = {"prompt_tokens": size, "completion_tokens": output}
            style = rng.random()
            if style < 0.5:
                usage["prompt_tokens_details"] = {"cached_tokens": cached}
            elif style < 0.8:
                usage["cache_read_input_tokens"] = cached
                usage["cache_creation_input_tokens"] = write
            metadata = {"usage_object": usage, "user_api_key_alias": "svc"}
            task = rng.choice(TASKS)
            data_class = rng.choice(CLASSES)
            tags = ["env:prod"]
            if rng.random() < 0.7:
                if task:
                    tags.append(f"task:{task}")
                if data_class:
                    tags.append(f"data_class: {data_class}")
            else:
                logged = {}
                if task:
                    logged["task"] = task
                if data_class:
                    logged["data_class"] = data_class
                metadata["spend_logs_metadata"] = logged
            model = rng.choice(MODELS)
            spend = round(rng.uniform(0.00001, 0.9), rng.choice([4, 6, 8]))
            stamp = at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"
            end = (at + timedelta(milliseconds=rng.randrange(200, 30_000)))
            end_stamp = end.strftime("%Y-%m-%d %H:%M:%S.") + f"{end.microsecond // 1000:03d}"
            row = {
                "request_id": f"req-{i:09d}",
                "call_type": "acompletion",
                "api_key": "88dc28d0f030c55ed4ab77ed8faf098196cb1c05df778539800c9f1243fe6b4b",
                "spend": repr(spend),
                "total_tokens": size + output,
                "prompt_tokens": size,
                "completion_tokens": output,
                "startTime": stamp,
                "endTime": end_stamp,
                "request_duration_ms": int((end - at).total_seconds() * 1000),
                "completionStartTime": end_stamp,
                "model": model,
                "model_id": "",
                "model_group": model.split("/")[-1],
                "custom_llm_provider": model.split("-")[0],
                "api_base": "https://api.example.com/v1",
                "user": "",
                "metadata": json.dumps(metadata, separators=(",", ":")),
                "cache_hit": "False",
                "cache_key": "",
                "request_tags": json.dumps(tags),
                "team_id": "",
                "organization_id": "",
                "end_user": "",
                "requester_ip_address": "10.0.0.1",
                "messages": "{}",
                "response": "{}",
                "session_id": f"s-{i % 113}",
                "status": "success",
                "mcp_namespaced_tool_name": "",
                "agent_id": "",
                "proxy_server_request": "{}",
            }
            writer.writerow([row[c] for c in COLUMNS])


if __name__ == "__main__":
    main()
