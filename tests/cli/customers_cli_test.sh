#!/usr/bin/env bash
# The kefu command's customer-notes contract (issue 4): --db, customers import|find|show|forget,
# notes add|search, reminders, with their JSON shapes; bad rows by line; import twice adds nothing;
# the default database path in --help; errors.
# Usage: customers_cli_test.sh KEFU_BINARY
set -uo pipefail
KEFU=$1
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
DB="$TMP/data/shop.db"  # the directory does not exist yet
K() { "$KEFU" --db "$DB" "$@"; }

# --help shows the default database path
check "help shows --db default" bash -c "HOME=/home/someone XDG_DATA_HOME= KEFU_DB= '$KEFU' --help | grep -q '/home/someone/.local/share/kefu/kefu.db'"

cat > "$TMP/customers.csv" <<'CSV'
external_id,name,phone,email,birthday,tags
taobao:wangfang88,王芳,+86 138-0013-8000,Wang.Fang@Example.com,1990-05-03,vip;quality_seeking
taobao:lilei,李雷,１３９００１３９０００,lilei@example.com,05-10,price_sensitive
zendesk:456,Jane Doe,(415) 555-0100,jane@example.com,,health_beauty
taobao:bad,坏生日,,,1990-13-45,
CSV
out=$(K customers import "$TMP/customers.csv" 2>"$TMP/err")
rc=$?
check "import runs" test "$rc" = 0
check "import reports the bad row by file:line" grep -q "customers.csv:5:.*birthday" "$TMP/err"
check "import created the database directory" test -f "$DB"
out=$(K customers import --json "$TMP/customers.csv" 2>/dev/null)
check "import again adds nothing" json_has "$out" "j['customers_created']==0 and j['unchanged']==3 and j['failed']==1"
K customers import --strict "$TMP/customers.csv" >/dev/null 2>&1
check "--strict fails on a bad row" test $? = 1
# --verbose: debug messages (the import's timings) on stderr; without it, none
"$KEFU" --verbose --db "$DB" customers import "$TMP/customers.csv" >/dev/null 2>"$TMP/err"
check "--verbose shows the import's timings" grep -q "debug: import: rows written in" "$TMP/err"
K customers import "$TMP/customers.csv" >/dev/null 2>"$TMP/err"
check "without --verbose no debug messages" bash -c "! grep -q 'debug:' '$TMP/err'"

for q in "taobao:wangfang88" "13800138000" "+86 138 0013 8000" "138-0013-8000" "wang.fang@example.com" "WANG.FANG@EXAMPLE.COM" "王"; do
  out=$(K customers find --json "$q")
  check "find $q" json_has "$out" "j['customers'][0]['name']=='王芳'"
done
# suggest for a stored customer: the profile fills the name (and --context may name the customer too)
out=$(K suggest --json --customer taobao:lilei "你好，在吗")
check "suggest --customer fills the stored name" json_has "$out" "'李雷' in j['suggestions'][0]['text']"
out=$(K suggest --json --context '{"customer": "taobao:lilei"}' "你好，在吗")
check "suggest --context names a stored customer" json_has "$out" "'李雷' in j['suggestions'][0]['text']"
out=$(K suggest --json --customer taobao:nobody "你好，在吗")
check "an unknown customer is ignored" json_has "$out" "'李雷' not in j['suggestions'][0]['text']"

out=$(K customers find --json "taobao:wangfang88")
check "find shape" json_has "$out" "all(k in j['customers'][0] for k in ('id','name','external_ids','phone','email','tags')) and j['customers'][0]['phone']=='+8613800138000' and j['customers'][0]['tags']==['vip','quality_seeking'] and j['customers'][0]['external_ids']==['taobao:wangfang88']"
id=$(printf '%s' "$out" | $PY -c "import json,sys; print(json.load(sys.stdin)['customers'][0]['id'])")
out=$(K customers find --json "$id")
check "find by kefu id" json_has "$out" "j['customers'][0]['name']=='王芳'"
out=$(K customers find --json "jane")
check "find by name prefix" json_has "$out" "j['customers'][0]['external_ids']==['zendesk:456']"
out=$(K customers find --json "nobody at all")
check "find nothing" json_has "$out" "j=={'customers': []}"

check "notes add by external id" K notes add taobao:wangfang88 "客户喜欢蓝色，穿M码，上次退货因为尺码偏小"
check "notes add by kefu id" K notes add "$id" "Prefers express shipping; asked about the refund policy"
check "notes add by phone" K notes add "139 0013 9000" "顧客說退貨太麻煩了"
out=$(K notes search --json "退货")
check "notes search zh (Simplified finds Traditional)" json_has "$out" "len(j['notes'])==2 and all(k in j['notes'][0] for k in ('customer_id','text'))"
out=$(K notes search --json "refund policy")
check "notes search en" json_has "$out" "j['notes'][0]['customer_id']==$id and 'refund' in j['notes'][0]['text']"
out=$(K notes search --json "蓝")
check "notes search one character" json_has "$out" "len(j['notes'])==1"
out=$(K notes search --json "nothing like this")
check "notes search nothing" json_has "$out" "j=={'notes': []}"

out=$(K customers show --json taobao:wangfang88)
check "show profile card" json_has "$out" "j['id']==$id and j['name']=='王芳' and j['types']==['quality_seeking'] and len(j['recent_notes'])==2 and 'reminders' in j and 'satisfaction' in j"
out=$(K reminders --json --today 2027-05-01)
check "reminders birthday with a template" json_has "$out" "any(r['kind']=='birthday' and r['customer_id']==$id and r['template_id'].startswith('care.birthday') for r in j['reminders'])"
out=$(K reminders --json)
check "reminders shape" json_has "$out" "isinstance(j['reminders'], list)"

K customers export "$TMP/export.jsonl" 2>/dev/null
check "export lines" test "$(wc -l < "$TMP/export.jsonl")" = 3

out=$(K customers forget taobao:wangfang88)
check "forget" test $? = 0
out=$(K customers find --json taobao:wangfang88)
check "forgotten: not found" json_has "$out" "j=={'customers': []}"
out=$(K notes search --json "尺码偏小")
check "forgotten: notes gone from search" json_has "$out" "j=={'notes': []}"
check "forgotten: text gone from the file" bash -c "! cat '$DB'* | grep -q '尺码偏小'"

# errors: clear message, exit 1
K customers show taobao:nobody >/dev/null 2>"$TMP/err"
check "show unknown: exit 1" test $? = 1
check "show unknown: message" grep -q "not_found" "$TMP/err"
K notes add taobao:lilei "" >/dev/null 2>"$TMP/err"
check "empty note refused" test $? = 1
K customers import "$TMP/missing.csv" >/dev/null 2>"$TMP/err"
check "missing file: exit 1" test $? = 1
printf 'hello,world\n1,2\n' > "$TMP/nonsense.csv"
K customers import "$TMP/nonsense.csv" >/dev/null 2>"$TMP/err"
check "not a kefu csv: file:line" grep -q "nonsense.csv:1" "$TMP/err"

finish "customers CLI"
