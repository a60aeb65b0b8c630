"""The unchanged `openai` client against chatd through the gateway: plain, streamed with usage,
JSON mode, and an error. Test tooling only (called by ChatFleetTests). Usage: chat_openai_client.py <base_url>"""
import json
import sys

import openai
from openai import OpenAI

base_url = sys.argv[1]
client = OpenAI(base_url=base_url, api_key="not-needed-locally", max_retries=0)

worker = {
    "id": "W-000001", "name": "Maria Lopez", "role": "forklift operator", "skills": ["reach truck", "inventory"],
    "certifications": ["forklift", "osha-10"], "city": "Toledo", "state": "OH", "lat": 41.65, "lon": -83.54,
    "shifts": ["1st", "2nd"], "days": ["mon", "tue"], "pay_rate": 18.5, "status": "active",
    "phone": "+1-419-555-0142", "email": "maria.lopez@example.com",
}
context = {
    "task": "fill_draft",
    "request": {"query": "Need 1 forklift operator in Toledo, OH", "count": 1, "role": "forklift operator", "city": "Toledo", "state": "OH"},
    "workers": [worker],
}
messages = [{"role": "system", "content": "You draft staffing fills."}, {"role": "user", "content": json.dumps(context)}]

plain = client.chat.completions.create(model="local", messages=messages)
content = plain.choices[0].message.content
draft = json.loads(content)
assert draft["fill"]["candidates"][0]["worker_id"] == "W-000001", draft
assert plain.usage.prompt_tokens > 0 and plain.usage.completion_tokens > 0, plain.usage
assert plain.choices[0].finish_reason == "stop"
print("plain ok", plain.model)

pieces, usage, chunks = [], None, 0
for chunk in client.chat.completions.create(model="local", messages=messages, stream=True, stream_options={"include_usage": True}):
    chunks += 1
    if chunk.usage is not None:
        usage = chunk.usage
    for choice in chunk.choices:
        if choice.delta.content:
            pieces.append(choice.delta.content)
assert "".join(pieces) == content, "streamed text differs from the plain answer"
assert chunks > 2, chunks
assert usage is not None and usage.completion_tokens == plain.usage.completion_tokens, usage
print("stream ok", chunks, "chunks")

as_json = client.chat.completions.create(model="local", messages=[{"role": "user", "content": "hello"}], response_format={"type": "json_object"})
assert "message" in json.loads(as_json.choices[0].message.content)
print("json ok")

try:
    client.chat.completions.create(model="x", messages=messages, extra_body={"provider": "no-such-provider"})
    raise SystemExit("an unknown provider was accepted")
except openai.NotFoundError as error:
    assert "known:" in str(error), error
print("error ok")
