#!/usr/bin/env bash
# One-shot setup of the compose stack's Elasticsearch: the kibana_system password, and a role and
# user for vigil with only what it needs (read the log indices; own the vigil-* indices).
set -euo pipefail
ES=http://elasticsearch:9200
call() { curl -fsS -u "elastic:${ELASTIC_PASSWORD}" -H 'Content-Type: application/json' "$@"; echo; }

until curl -fs -u "elastic:${ELASTIC_PASSWORD}" "$ES/_cluster/health?wait_for_status=yellow&timeout=5s" >/dev/null; do sleep 2; done
call -X POST "$ES/_security/user/kibana_system/_password" -d "{\"password\":\"${KIBANA_PASSWORD}\"}"
call -X PUT "$ES/_security/role/vigil" -d '{
  "cluster": ["monitor", "manage_index_templates"],
  "indices": [
    {"names": ["filebeat-*", "logs-*", "winlogbeat-*"], "privileges": ["read", "view_index_metadata"]},
    {"names": ["vigil-*"], "privileges": ["all"]}
  ]
}'
call -X PUT "$ES/_security/user/vigil" -d "{\"password\":\"${VIGIL_ES_PASSWORD}\",\"roles\":[\"vigil\"],\"full_name\":\"vigil monitor\"}"
echo "setup done: kibana_system password set, user vigil created"
