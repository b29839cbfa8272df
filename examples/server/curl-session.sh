#!/bin/sh
# The curl session recorded in curl-session.md: run it against `hexarch serve examples/server/hexarch.yaml`.
set -eu
URL=${HEXARCH_URL:-http://127.0.0.1:8099}
post() { echo "\$ curl -s $URL$1 -H 'content-type: application/json' -d '$2'"; curl -s "$URL$1" -H 'content-type: application/json' -d "$2"; echo; echo; }

echo "# 1. A delete needs confirmation: the answer is a 200 carrying outcome confirm and a token"
ANSWER=$(curl -s "$URL/v1/decisions" -H 'content-type: application/json' -d '{"policy":"safe_delete","context":{"operation":"delete","resource":"users"}}')
echo "\$ curl -s $URL/v1/decisions -H 'content-type: application/json' -d '{\"policy\":\"safe_delete\",\"context\":{\"operation\":\"delete\",\"resource\":\"users\"}}'"
echo "$ANSWER"; echo
TOKEN=$(echo "$ANSWER" | sed 's/.*"token":"\([^"]*\)".*/\1/')
echo "# 2. The same call with the token is allowed, once"
post /v1/decisions "{\"policy\":\"safe_delete\",\"context\":{\"operation\":\"delete\",\"resource\":\"users\"},\"confirm_token\":\"$TOKEN\"}"
echo "# 3. Five Discord messages a minute per user; the sixth is limited, with retry_after"
for i in 1 2 3 4 5; do curl -s "$URL/v1/decisions" -H 'content-type: application/json' -d '{"policy":"webhook_rate_limit","context":{"resource":"discord","user":"ana"}}' > /dev/null; done
post /v1/decisions '{"policy":"webhook_rate_limit","context":{"resource":"discord","user":"ana"}}'
echo "# 4. A provider call charges the OpenAI budget"
post /v1/events/provider-calls '{"provider":"openai","model":"gpt-4o","input_tokens":1200,"output_tokens":300,"cost":0.42,"latency_ms":850,"ok":true}'
post /v1/decisions '{"policy":"openai_budget","context":{"resource":"openai","cost":0},"dry_run":true}'
echo "# 5. A bad request is a problem+json naming the field"
post /v1/decisions '{"policy":"openai_budget","context":{"resource":"openai","colour":"red"}}'
