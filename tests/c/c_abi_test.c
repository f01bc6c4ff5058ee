/* The C ABI as a helpdesk plugin uses it: open → analyze → suggest → render → events → errors → free.
 * Compiled as C99 with -pedantic -Werror and linked against libkefu.so only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

  kefu_buf_dispose(NULL);
  kefu_engine_free(engine);
  kefu_engine_free(NULL);

  printf("%d passed, %d failed\n", checks - failures, failures);
  return failures ? 1 : 0;
}
