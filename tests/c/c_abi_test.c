/* The C ABI as a helpdesk plugin uses it: open → analyze → suggest → render → events → errors → free.
 * Compiled as C99 with -pedantic -Werror and linked against libkefu.so only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kefu/kefu.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                        \
  do {                                                                     \
    ++checks;                                                              \
    if (!(cond)) {                                                         \
      ++failures;                                                          \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

static int contains(const char *haystack, const char *needle) { return haystack && strstr(haystack, needle) != NULL; }

struct event_log {
  int analyzed;
  int ready;
  char last_event[64];
};

static void on_event(const char *event, const char *json, size_t len, void *payload) {
  struct event_log *log = (struct event_log *)payload;
  if (strcmp(event, "message_analyzed") == 0) log->analyzed++;
  if (strcmp(event, "suggestions_ready") == 0) log->ready++;
  strncpy(log->last_event, event, sizeof log->last_event - 1);
  (void)json;
  (void)len;
}

struct log_capture {
  int messages;
};

static void on_log(int level, const char *message, void *payload) {
  struct log_capture *c = (struct log_capture *)payload;
  (void)level;
  (void)message;
  c->messages++;
}

/* ---- tone checks: kefu_tone_check, kefu_tone_lint, the draft_checked event ---- */

static void on_tone_event(const char *event, const char *json, size_t len, void *payload) {
  int *count = (int *)payload;
  if (strcmp(event, "draft_checked") == 0 && len > 0 && strstr(json, "\"score\"")) (*count)++;
}

/* Disposes the previous result: every kefu_buf a call fills is the caller's to free. */
static kefu_buf *fresh(kefu_buf *b) {
  kefu_buf_dispose(b);
  return b;
}

static void test_tone(kefu_engine *engine, const char *data_dir) {
  kefu_buf buf = KEFU_BUF_INIT;
  kefu_tone_options topts = KEFU_TONE_OPTIONS_INIT;
  unsigned long long sub = 0;
  int checked = 0;
  char path[1024];

  CHECK(kefu_event_subscribe(&sub, engine, "draft_checked", on_tone_event, &checked) == KEFU_OK);
  topts.locale = "zh-CN";
  topts.customer = "质量太差了，我要投诉！";
  CHECK(kefu_tone_check(&buf, engine, "不知道，你自己看吧", &topts) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"score\":"));
  CHECK(contains(buf.ptr, "\"rule\":\"cold.dont_know\""));
  CHECK(contains(buf.ptr, "\"rule\":\"apology.missing\""));
  CHECK(contains(buf.ptr, "\"start_utf16\":0"));
  CHECK(contains(buf.ptr, "\"suggestions\":[\"我帮您查一下\"]"));
  kefu_buf_dispose(&buf);
  CHECK(checked == 1);
  /* a polite idiom: no finding; NULL options */
  CHECK(kefu_tone_check(&buf, engine, "不知道您是否方便提供一下订单号？", NULL) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"findings\":[]"));
  kefu_buf_dispose(&buf);
  /* Traditional input, spans in the original text */
  topts.locale = "zh-TW";
  topts.customer = NULL;
  CHECK(kefu_tone_check(&buf, engine, "😀這是全網最好的", &topts) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"text\":\"最好\""));
  CHECK(contains(buf.ptr, "\"start\":5,\"start_byte\":16,\"start_utf16\":6"));
  kefu_buf_dispose(&buf);
  /* bad input */
  CHECK(kefu_tone_check(&buf, engine, "\xff\xfe", NULL) == KEFU_EUTF8);
  CHECK(buf.ptr == NULL);
  CHECK(kefu_tone_check(&buf, engine, "  ", NULL) == KEFU_EEMPTY);
  CHECK(kefu_tone_check(&buf, engine, NULL, NULL) == KEFU_EINVALID);
  CHECK(kefu_tone_check(NULL, engine, "hi", NULL) == KEFU_EINVALID);
  CHECK(kefu_tone_check(&buf, NULL, "hi", NULL) == KEFU_EINVALID);
  topts.channel = "fax";
  CHECK(kefu_tone_check(&buf, engine, "hi", &topts) == KEFU_EUNSUPPORTED);
  topts.channel = NULL;
  topts.locale = "klingon";
  CHECK(kefu_tone_check(&buf, engine, "hi", &topts) == KEFU_EUNSUPPORTED);
  topts.locale = NULL;
  topts.version = 99;
  CHECK(kefu_tone_check(&buf, engine, "hi", &topts) == KEFU_EUNSUPPORTED);
  {
    size_t big = 1024 * 1024;
    char *huge = (char *)malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = '\0';
    CHECK(kefu_tone_check(&buf, engine, huge, NULL) == KEFU_ETOOLARGE);
    free(huge);
  }
  /* lint: the bundled packs are clean; a malformed file is reported at file:line */
  CHECK(kefu_tone_lint(&buf, engine, NULL) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"problems\":[]"));
  kefu_buf_dispose(&buf);
  snprintf(path, sizeof path, "%s/tone/bad_rules.yaml", data_dir);
  CHECK(kefu_tone_lint(&buf, engine, path) == KEFU_OK);
  CHECK(contains(buf.ptr, "bad_rules.yaml"));
  CHECK(contains(buf.ptr, "\"line\":5"));
  kefu_buf_dispose(&buf);
  CHECK(kefu_tone_lint(&buf, engine, "/no/such/tone/dir") == KEFU_EIO);
  CHECK(kefu_tone_lint(NULL, engine, NULL) == KEFU_EINVALID);
  CHECK(kefu_event_unsubscribe(engine, sub) == KEFU_OK);
  /* version 3: a shop's tone overrides (a disabled rule, an added one); a bad file is a parse error */
  {
    kefu_engine_options v3 = KEFU_ENGINE_OPTIONS_INIT;
    kefu_engine *shop = NULL;
    snprintf(path, sizeof path, "%s/tone/shop_overrides.yaml", data_dir);
    v3.tone_overrides = path;
    CHECK(kefu_engine_open(&shop, &v3) == KEFU_OK);
    CHECK(kefu_tone_check(fresh(&buf), shop, "你去隔壁店看看", NULL) == KEFU_OK);
    CHECK(contains(buf.ptr, "\"rule\":\"shop.competitor\""));
    CHECK(!contains(buf.ptr, "\"rule\":\"politeness.ni\""));
    CHECK(kefu_tone_check(fresh(&buf), engine, "你去隔壁店看看", NULL) == KEFU_OK);
    CHECK(!contains(buf.ptr, "shop.competitor"));
    CHECK(contains(buf.ptr, "\"rule\":\"politeness.ni\""));
    kefu_engine_free(shop);
    snprintf(path, sizeof path, "%s/tone/bad_rules.yaml", data_dir);
    shop = NULL;
    CHECK(kefu_engine_open(&shop, &v3) == KEFU_EPARSE);
    CHECK(shop == NULL && strstr(kefu_error_last()->message, "bad_rules.yaml:5") != NULL);
    /* version 2 ignores the field */
    v3.version = 2;
    CHECK(kefu_engine_open(&shop, &v3) == KEFU_OK);
    kefu_engine_free(shop);
  }
  kefu_buf_dispose(&buf);
}

/* ---- customers and notes: find, upsert, show, records, import, notes, search, reminders, forget ---- */

struct customer_events {
  int notes_added;
  int updated;
};

static void on_customer_event(const char *event, const char *json, size_t len, void *payload) {
  struct customer_events *e = (struct customer_events *)payload;
  if (strcmp(event, "note_added") == 0) e->notes_added++;
  if (strcmp(event, "customer_updated") == 0) e->updated++;
  (void)json;
  (void)len;
}

static void on_import_progress(unsigned long long bytes_read, unsigned long long bytes_total, size_t rows, void *payload) {
  size_t *last = (size_t *)payload;
  *last = rows;
  (void)bytes_read;
  (void)bytes_total;
}

static void test_customers(void) {
  char db[256], csv[300], exported[300], side[300];
  kefu_engine_options opts = KEFU_ENGINE_OPTIONS_INIT;
  kefu_engine *engine = NULL;
  kefu_buf buf = KEFU_BUF_INIT;
  kefu_import_options iopts = KEFU_IMPORT_OPTIONS_INIT;
  kefu_search_options sopts = KEFU_SEARCH_OPTIONS_INIT;
  struct customer_events events = {0, 0};
  unsigned long long sub = 0;
  size_t committed = 0;
  FILE *f;
  const char *tmp = getenv("TMPDIR");
  snprintf(db, sizeof db, "%s/kefu_c_abi_%ld_%ld.db", tmp && *tmp ? tmp : "/tmp", (long)time(NULL), (long)clock());
  snprintf(csv, sizeof csv, "%s.csv", db);
  snprintf(exported, sizeof exported, "%s.jsonl", db);

  /* without a database the customer calls say so */
  CHECK(kefu_engine_open(&engine, NULL) == KEFU_OK);
  CHECK(kefu_customer_find(fresh(&buf), engine, "x", 0) == KEFU_EINVALID);
  kefu_engine_free(engine);
  engine = NULL;

  opts.db_path = db;
  CHECK(kefu_engine_open(&engine, &opts) == KEFU_OK);
  CHECK(kefu_event_subscribe(&sub, engine, "*", on_customer_event, &events) == KEFU_OK);

  f = fopen(csv, "w");
  CHECK(f != NULL);
  if (!f) return;
  fputs("external_id,name,phone,email,birthday,tags\n"
        "taobao:wangfang88,王芳,+86 138-0013-8000,Wang.Fang@Example.com,1990-05-03,vip;quality_seeking\n"
        "zendesk:456,Jane Doe,,jane@example.com,,\n"
        "taobao:bad,坏,12,,,\n",
        f);
  fclose(f);
  iopts.progress = on_import_progress;
  iopts.payload = &committed;
  CHECK(kefu_customer_import(fresh(&buf), engine, csv, &iopts) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"customers_created\":2"));
  CHECK(contains(buf.ptr, "\"failed\":1"));
  CHECK(contains(buf.ptr, "\"line\":4"));
  CHECK(committed == 3);
  CHECK(kefu_customer_import(fresh(&buf), engine, csv, NULL) == KEFU_OK); /* again: nothing new */
  CHECK(contains(buf.ptr, "\"customers_created\":0"));
  CHECK(contains(buf.ptr, "\"unchanged\":2"));
  CHECK(kefu_customer_import(fresh(&buf), engine, "/no/such/file.csv", NULL) == KEFU_EIO);
  iopts.version = 99;
  CHECK(kefu_customer_import(fresh(&buf), engine, csv, &iopts) == KEFU_EUNSUPPORTED);

  /* every lookup path */
  CHECK(kefu_customer_find(fresh(&buf), engine, "13800138000", 0) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"name\":\"王芳\""));
  CHECK(contains(buf.ptr, "\"phone\":\"+8613800138000\""));
  CHECK(contains(buf.ptr, "\"external_ids\":[\"taobao:wangfang88\"]"));
  CHECK(kefu_customer_find(fresh(&buf), engine, "WANG.FANG@example.com", 0) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"email\":\"wang.fang@example.com\""));
  CHECK(kefu_customer_find(fresh(&buf), engine, "jane", 5) == KEFU_OK);
  CHECK(contains(buf.ptr, "zendesk:456"));
  CHECK(kefu_customer_find(fresh(&buf), engine, "nobody", 0) == KEFU_OK);
  CHECK(contains(buf.ptr, "{\"customers\":[]}"));
  CHECK(kefu_customer_find(fresh(&buf), engine, "\xff", 0) == KEFU_EUTF8);
  CHECK(kefu_customer_find(fresh(&buf), engine, NULL, 0) == KEFU_EINVALID);

  CHECK(kefu_customer_upsert(fresh(&buf), engine, "{\"name\":\"陳大文\",\"external_ids\":[\"taobao:chan\"],\"locale\":\"zh-TW\"}") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"locale\":\"zh-TW\""));
  CHECK(kefu_customer_upsert(fresh(&buf), engine, "{\"phones\":[\"not a phone\"]}") == KEFU_EINVALID);
  CHECK(kefu_customer_upsert(fresh(&buf), engine, "{oops") == KEFU_EPARSE);
  {
    /* a stored customer named in the suggestion context: the profile fills the name */
    kefu_suggest_options with_customer = KEFU_SUGGEST_OPTIONS_INIT;
    with_customer.locale = "zh-TW";
    with_customer.context_json = "{\"customer\": \"taobao:chan\"}";
    CHECK(kefu_reply_suggest(fresh(&buf), engine, "你好，在嗎", &with_customer) == KEFU_OK);
    CHECK(contains(buf.ptr, "陳大文"));
    with_customer.context_json = "{\"customer\": {\"ref\": \"taobao:chan\", \"title\": \"先生\"}}";
    CHECK(kefu_reply_suggest(fresh(&buf), engine, "你好，在嗎", &with_customer) == KEFU_OK);
    CHECK(contains(buf.ptr, "陳先生")); /* stored surname, given form of address */
    with_customer.context_json = "{\"customer\": \"taobao:nobody\"}";
    CHECK(kefu_reply_suggest(fresh(&buf), engine, "你好，在嗎", &with_customer) == KEFU_OK);
    CHECK(!contains(buf.ptr, "陳大文"));
  }

  /* notes and search */
  CHECK(kefu_note_add(fresh(&buf), engine, "taobao:wangfang88", "喜欢蓝色，穿M码，上次退货因为尺码偏小", "小美", 1) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"pinned\":true"));
  CHECK(kefu_note_add(fresh(&buf), engine, "taobao:chan", "顧客說退貨太麻煩了", NULL, 0) == KEFU_OK);
  CHECK(kefu_note_add(fresh(&buf), engine, "taobao:nobody", "x", NULL, 0) == KEFU_ENOTFOUND);
  CHECK(kefu_note_add(fresh(&buf), engine, "taobao:chan", "", NULL, 0) == KEFU_EEMPTY);
  CHECK(events.notes_added == 2);
  CHECK(kefu_note_search(fresh(&buf), engine, "退货", NULL) == KEFU_OK);
  CHECK(contains(buf.ptr, "喜欢蓝色"));
  CHECK(contains(buf.ptr, "退貨太麻煩")); /* Simplified finds Traditional */
  sopts.customer = "taobao:chan";
  sopts.limit = 5;
  CHECK(kefu_note_search(fresh(&buf), engine, "退货", &sopts) == KEFU_OK);
  CHECK(!contains(buf.ptr, "喜欢蓝色"));
  CHECK(kefu_note_search(fresh(&buf), engine, " ", NULL) == KEFU_EEMPTY);

  /* records, profile card, reminders */
  CHECK(kefu_customer_add_record(fresh(&buf), engine, "13800138000",
                                 "{\"type\":\"order\",\"order_id\":\"T1\",\"items\":[\"碎花连衣裙\"],\"amount\":299,\"time\":\"2026-05-01\"}") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"added\":true"));
  CHECK(kefu_customer_add_record(fresh(&buf), engine, "13800138000",
                                 "{\"type\":\"order\",\"order_id\":\"T1\",\"items\":[\"碎花连衣裙\"],\"amount\":299,\"time\":\"2026-05-01\"}") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"added\":false"));
  CHECK(kefu_customer_add_record(fresh(&buf), engine, "13800138000",
                                 "{\"type\":\"consultation\",\"intent\":\"quality_complaint\",\"summary\":\"起球\",\"resolved\":false}") == KEFU_OK);
  CHECK(kefu_customer_add_record(fresh(&buf), engine, "13800138000", "{\"type\":\"consultation\",\"intent\":\"nonsense\"}") == KEFU_EPARSE);
  CHECK(kefu_customer_add_record(fresh(&buf), engine, "13800138000", "{\"type\":\"gift\"}") == KEFU_EPARSE);
  CHECK(kefu_customer_show(fresh(&buf), engine, "taobao:wangfang88", NULL) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"purchase_count\":1"));
  CHECK(contains(buf.ptr, "\"order_id\":\"T1\""));
  CHECK(contains(buf.ptr, "\"open_problems\":[{"));
  CHECK(contains(buf.ptr, "\"reason\":\"recent_complaint\""));
  CHECK(kefu_customer_show(fresh(&buf), engine, "taobao:nobody", NULL) == KEFU_ENOTFOUND);
  CHECK(kefu_reminder_list(fresh(&buf), engine, "{\"today\":\"2026-04-30\",\"birthday_days\":7}") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"kind\":\"birthday\""));
  CHECK(contains(buf.ptr, "\"template_id\":\"care.birthday"));
  CHECK(kefu_reminder_list(fresh(&buf), engine, NULL) == KEFU_OK);
  CHECK(kefu_reminder_list(fresh(&buf), engine, "{\"today\":\"someday\"}") == KEFU_EINVALID);
  CHECK(kefu_reminder_list(fresh(&buf), engine, "[") == KEFU_EPARSE);

  /* export, forget */
  CHECK(kefu_customer_export(fresh(&buf), engine, exported) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"customers\":3"));
  CHECK(kefu_customer_forget(fresh(&buf), engine, "taobao:wangfang88") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"forgotten\":true"));
  CHECK(contains(buf.ptr, "\"notes\":1"));
  CHECK(kefu_customer_forget(fresh(&buf), engine, "taobao:wangfang88") == KEFU_ENOTFOUND);
  CHECK(kefu_customer_find(fresh(&buf), engine, "13800138000", 0) == KEFU_OK);
  CHECK(contains(buf.ptr, "{\"customers\":[]}"));
  CHECK(events.updated > 0);
  CHECK(kefu_customer_forget(fresh(&buf), NULL, "x") == KEFU_EINVALID);
  CHECK(kefu_customer_forget(fresh(&buf), engine, NULL) == KEFU_EINVALID);

  /* the version-1 option struct (no db_path) still opens */
  {
    kefu_engine_options v1 = KEFU_ENGINE_OPTIONS_INIT;
    kefu_engine *old = NULL;
    v1.version = 1;
    v1.db_path = "ignored by version 1";
    CHECK(kefu_engine_open(&old, &v1) == KEFU_OK);
    CHECK(kefu_customer_find(fresh(&buf), old, "x", 0) == KEFU_EINVALID);
    kefu_engine_free(old);
  }

  kefu_buf_dispose(&buf);
  kefu_engine_free(engine);
  remove(csv);
  remove(exported);
  snprintf(side, sizeof side, "%s-wal", db);
  remove(side);
  snprintf(side, sizeof side, "%s-shm", db);
  remove(side);
  remove(db);
}

int main(int argc, char **argv) {
  kefu_engine *engine = NULL;
  kefu_engine_options opts = KEFU_ENGINE_OPTIONS_INIT;
  kefu_suggest_options sopts = KEFU_SUGGEST_OPTIONS_INIT;
  kefu_buf buf = KEFU_BUF_INIT;
  struct event_log log;
  struct log_capture logs;
  unsigned long long sub = 0;
  int major = -1, minor = -1, patch = -1;
  const char *bad_dir = argc > 1 ? argv[1] : "tests/data";
  char path[1024];

  memset(&log, 0, sizeof log);
  memset(&logs, 0, sizeof logs);

  /* version */
  CHECK(kefu_version(&major, &minor, &patch) == KEFU_OK);
  CHECK(major == KEFU_VERSION_MAJOR && minor == KEFU_VERSION_MINOR && patch == KEFU_VERSION_PATCH);
  CHECK(strcmp(kefu_version_string(), KEFU_VERSION) == 0);

  /* open */
  CHECK(kefu_engine_open(&engine, &opts) == KEFU_OK);
  CHECK(engine != NULL);
  if (!engine) return 1;
  CHECK(kefu_engine_set_log_callback(engine, KEFU_LOG_DEBUG, on_log, &logs) == KEFU_OK);

  /* events */
  CHECK(kefu_event_subscribe(&sub, engine, "*", on_event, &log) == KEFU_OK);

  /* analyze */
  CHECK(kefu_message_analyze(&buf, engine, "亲，我要退款，东西坏了", "zh-CN") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"intent\""));
  CHECK(contains(buf.ptr, "\"emotion\""));
  CHECK(contains(buf.ptr, "\"stage\":\"post_sale\""));
  CHECK(buf.size == strlen(buf.ptr));
  kefu_buf_dispose(&buf);
  CHECK(buf.ptr == NULL && buf.size == 0);
  CHECK(log.analyzed == 1);
  CHECK(logs.messages > 0);

  /* suggest with customer context */
  sopts.locale = "zh-TW";
  sopts.limit = 2;
  sopts.context_json = "{\"customer\": {\"name\": \"王芳\", \"title\": \"女士\"}, \"vars\": {\"order_id\": \"2026001\"}}";
  CHECK(kefu_reply_suggest(&buf, engine, "我的包裹怎麼還沒到", &sopts) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"suggestions\":["));
  CHECK(contains(buf.ptr, "\"template_id\""));
  CHECK(contains(buf.ptr, "\"intent\":\"shipping\""));
  CHECK(!contains(buf.ptr, "{{"));
  kefu_buf_dispose(&buf);
  CHECK(log.ready == 1);

  /* render: html escapes hostile values */
  CHECK(kefu_template_render(&buf, engine, "greeting.welcome_en_hostile_probe", NULL, "en", NULL) == KEFU_ENOTFOUND);
  CHECK(kefu_error_last() != NULL && kefu_error_last()->code == KEFU_ENOTFOUND);
  CHECK(contains(kefu_error_last()->message, "greeting.welcome_en_hostile_probe"));
  CHECK(kefu_template_list(&buf, engine, "en") == KEFU_OK);
  CHECK(contains(buf.ptr, "\"templates\":["));
  kefu_buf_dispose(&buf);

  /* errors */
  CHECK(kefu_message_analyze(&buf, engine, "\xff\xfe", "zh-CN") == KEFU_EUTF8);
  CHECK(buf.ptr == NULL);
  CHECK(kefu_message_analyze(&buf, engine, "", NULL) == KEFU_EEMPTY);
  CHECK(kefu_message_analyze(&buf, engine, "hi", "klingon") == KEFU_EUNSUPPORTED);
  CHECK(kefu_message_analyze(&buf, NULL, "hi", NULL) == KEFU_EINVALID);
  CHECK(contains(kefu_error_last()->message, "engine"));
  CHECK(kefu_message_analyze(&buf, engine, NULL, NULL) == KEFU_EINVALID);
  CHECK(kefu_message_analyze(NULL, engine, "hi", NULL) == KEFU_EINVALID);
  CHECK(kefu_reply_suggest(&buf, engine, "hi", NULL) == KEFU_OK);
  kefu_buf_dispose(&buf);
  sopts.context_json = "{not json";
  CHECK(kefu_reply_suggest(&buf, engine, "hi", &sopts) == KEFU_EPARSE);
  sopts.version = 99;
  CHECK(kefu_reply_suggest(&buf, engine, "hi", &sopts) == KEFU_EUNSUPPORTED);
  {
    size_t big = 1024 * 1024;
    char *huge = (char *)malloc(big + 1);
    memset(huge, 'a', big);
    huge[big] = '\0';
    CHECK(kefu_message_analyze(&buf, engine, huge, "en") == KEFU_ETOOLARGE);
    free(huge);
  }
  CHECK(kefu_event_unsubscribe(engine, sub) == KEFU_OK);
  CHECK(kefu_event_unsubscribe(engine, sub) == KEFU_ENOTFOUND);
  kefu_error_clear();
  CHECK(kefu_error_last() == NULL);

  /* a malformed pack directory: open fails with file:line */
  snprintf(path, sizeof path, "%s/bad_packs", bad_dir);
  opts.template_dir = path;
  {
    kefu_engine *bad = NULL;
    CHECK(kefu_engine_open(&bad, &opts) == KEFU_EPARSE);
    CHECK(bad == NULL);
    CHECK(contains(kefu_error_last()->message, "broken.yaml:"));
  }
  CHECK(kefu_template_lint(&buf, path) == KEFU_OK);
  CHECK(contains(buf.ptr, "\"line\""));
  kefu_buf_dispose(&buf);
  CHECK(kefu_engine_open(NULL, NULL) == KEFU_EINVALID);

  test_tone(engine, bad_dir); /* tone checks */
  test_customers();           /* customers and notes */

  kefu_buf_dispose(NULL);
  kefu_engine_free(engine);
  kefu_engine_free(NULL);

  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
