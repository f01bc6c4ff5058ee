#!/usr/bin/env bash
# The kefu command's contract: analyze/suggest --json (single and --batch), render, templates lint|list, demo, errors.
# Usage: cli_test.sh KEFU_BINARY SOURCE_DIR
set -uo pipefail
KEFU=$1
SRC=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

out=$($KEFU analyze --json --locale zh-CN "亲，这件衣服是什么材质的")
check "analyze json" json_has "$out" "j['intent']=='product_info' and j['emotion'] and j['stage']=='pre_sale'"

out=$($KEFU suggest --json --locale en "I want a refund for my broken headphones")
check "suggest json" json_has "$out" "j['intent'] in ('refund','quality_complaint') and len(j['suggestions'])>=1 and all(k in j['suggestions'][0] for k in ('template_id','intent','text','score'))"
check "suggest best first" json_has "$out" "[s['score'] for s in j['suggestions']]==sorted([s['score'] for s in j['suggestions']], reverse=True)"

out=$($KEFU suggest --json --locale zh-HK --name 陳大文 --title 先生 "我想退貨")
check "suggest zh-HK traditional" json_has "$out" "'退' in j['suggestions'][0]['text'] and '货' not in j['suggestions'][0]['text']"

batch=$(printf '%s\n' '{"text": "在吗", "locale": "zh-CN"}' '{"text": "where is my package?", "locale": "en"}' 'not json' '{"text": "請問可以開發票嗎", "locale": "zh-TW"}' | $KEFU suggest --json --batch)
rc=$?
check "batch exit code reports the bad line" test "$rc" = 1
check "batch one line per input, in order" test "$(printf '%s\n' "$batch" | wc -l)" = 4
check "batch results" json_has "$(printf '%s\n' "$batch" | sed -n 1p)" "j['intent']=='greeting'"
check "batch results 2" json_has "$(printf '%s\n' "$batch" | sed -n 2p)" "j['intent']=='shipping'"
check "batch error line" json_has "$(printf '%s\n' "$batch" | sed -n 3p)" "j['error']['code']=='parse' and j['line']==3"
check "batch results 4" json_has "$(printf '%s\n' "$batch" | sed -n 4p)" "j['intent']=='invoice'"

batch=$(printf '%s\n' '{"text": "hello"}' '{"text": "thanks, bye"}' | $KEFU analyze --json --batch)
check "analyze batch" json_has "$(printf '%s\n' "$batch" | sed -n 2p)" "j['intent']=='thanks_bye'"

tid=$($KEFU templates list --locale en | awk -F'\t' 'NR==1{print $2}')
out=$($KEFU render "$tid" --locale en --var "name=Jane" --json)
check "render json" json_has "$out" "j['template_id']=='$tid' and '{{' not in j['text']"

check "lint bundled" $KEFU templates lint "$SRC/templates/packs"
lint=$($KEFU templates lint "$SRC/tests/data/bad_packs" 2>/dev/null)
check "lint fails on bad packs" test $? = 1
check "lint file:line" grep -q "broken.yaml:5: unknown intent value 'not_an_intent'" <<<"$lint"

err=$($KEFU analyze --json $'\xff\xfe' 2>&1 >/dev/null)
check "invalid utf-8 exit" test $? = 1
check "invalid utf-8 message" grep -q "invalid_utf8" <<<"$err"
err=$($KEFU analyze --json --locale xx "hi" 2>&1 >/dev/null)
check "bad locale" grep -q "unsupported locale" <<<"$err"
check "help names --db default" bash -c "$KEFU --help | grep -q -- '--db'"

DEMO_DB=$(mktemp -d)/demo.db
demo=$($KEFU --db "$DEMO_DB" demo)
check "demo runs" grep -q "→" <<<"$demo"
check "demo fills names from the archive" grep -q "Jane Doe, your item" <<<"$demo"
check "demo checks a draft's tone" grep -q "我帮您查一下" <<<"$demo"
$KEFU --db "$DEMO_DB" demo >/dev/null
check "demo run twice keeps one sample customer" test "$($KEFU --db "$DEMO_DB" customers find --json demo:jane | grep -o '"id"' | wc -l)" = 1
rm -rf "$(dirname "$DEMO_DB")"

finish cli
