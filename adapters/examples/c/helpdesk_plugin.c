/*
 * A helpdesk plugin in C, calling libkefu directly (no service in between), the way a native helpdesk
 * extension would: open one engine at start-up, and for every event the helpdesk hands over
 *   - a customer's message  → ranked, rendered replies for the agent (kefu_reply_suggest),
 *   - the agent's draft     → tone findings to underline before it is sent (kefu_tone_check),
 * and listen to kefu's events to log what happened.
 *
 * Build:  cc -std=c99 helpdesk_plugin.c -lkefu -o helpdesk_plugin
 * Run:    ./helpdesk_plugin            (exit 0 when every step worked; tests run it)
 */
#include <stdio.h>
#include <string.h>

#include <kefu/kefu.h>

static int events_seen = 0;

static void on_event(const char *event, const char *json, size_t json_len, void *payload) {
  (void)json;
  (void)payload;
  ++events_seen;
  printf("  [event] %s (%lu bytes)\n", event, (unsigned long)json_len);
}

/* The helpdesk hands the plugin a customer's message; the plugin shows the agent kefu's replies. */
static int on_customer_message(kefu_engine *engine, const char *text, const char *context_json) {
  kefu_buf out = KEFU_BUF_INIT;
  kefu_suggest_options opts = KEFU_SUGGEST_OPTIONS_INIT;
  opts.context_json = context_json;
  opts.limit = 2;
  if (kefu_reply_suggest(&out, engine, text, &opts) != KEFU_OK) {
    fprintf(stderr, "kefu_reply_suggest: %s\n", kefu_error_last()->message);
    return 1;
  }
  printf("customer: %s\nkefu: %s\n", text, out.ptr);
  /* A plugin parses this JSON with its own library; here a spot check is enough. */
  if (!strstr(out.ptr, "\"suggestions\":[{")) {
    fprintf(stderr, "no suggestions in %s\n", out.ptr);
    kefu_buf_dispose(&out);
    return 1;
  }
  kefu_buf_dispose(&out);
  return 0;
}

/* The helpdesk hands over the agent's draft as it changes; the plugin underlines what kefu finds. */
static int on_agent_draft(kefu_engine *engine, const char *draft, const char *customer, int expect_findings) {
  kefu_buf out = KEFU_BUF_INIT;
  kefu_tone_options opts = KEFU_TONE_OPTIONS_INIT;
  int has_findings;
  opts.customer = customer;
  if (kefu_tone_check(&out, engine, draft, &opts) != KEFU_OK) {
    fprintf(stderr, "kefu_tone_check: %s\n", kefu_error_last()->message);
    return 1;
  }
  printf("draft: %s\ntone: %s\n", draft, out.ptr);
  has_findings = strstr(out.ptr, "\"findings\":[]") == NULL;
  kefu_buf_dispose(&out);
  if (has_findings != expect_findings) {
    fprintf(stderr, "expected %s findings\n", expect_findings ? "some" : "no");
    return 1;
  }
  return 0;
}

int main(void) {
  kefu_engine *engine = NULL;
  kefu_engine_options eopts = KEFU_ENGINE_OPTIONS_INIT;
  unsigned long long sub = 0;
  kefu_buf out = KEFU_BUF_INIT;
  int failures = 0;

  printf("libkefu %s\n", kefu_version_string());
  if (kefu_engine_open(&engine, &eopts) != KEFU_OK) {
    fprintf(stderr, "kefu_engine_open: %s\n", kefu_error_last()->message);
    return 1;
  }
  if (kefu_event_subscribe(&sub, engine, "*", on_event, NULL) != KEFU_OK) {
    fprintf(stderr, "kefu_event_subscribe: %s\n", kefu_error_last()->message);
    kefu_engine_free(engine);
    return 1;
  }

  failures += on_customer_message(engine, "我的快递怎么还没到？都一个星期了",
                                  "{\"customer\": {\"name\": \"王芳\", \"title\": \"女士\"}, \"vars\": {\"order_id\": \"20261123001\"}}");
  failures += on_customer_message(engine, "The jacket I received has a broken zipper. This is ridiculous!",
                                  "{\"customer\": {\"name\": \"Jane Doe\"}}");
  failures += on_customer_message(engine, "請問可以開發票嗎？", NULL);
  failures += on_agent_draft(engine, "不知道，你自己看吧！！！", "东西坏了，气死我了", 1);
  failures += on_agent_draft(engine, "您好，这边马上为您查询物流，请您稍等。", NULL, 0);

  /* Bad input from the helpdesk is an error code with a message, never a crash. */
  if (kefu_reply_suggest(&out, engine, "\xff\xfe", NULL) != KEFU_EUTF8) {
    fprintf(stderr, "invalid UTF-8 was not refused\n");
    ++failures;
  } else {
    printf("invalid UTF-8 refused: %s\n", kefu_error_last()->message);
  }
  kefu_buf_dispose(&out);

  if (events_seen < 5) {
    fprintf(stderr, "expected events, saw %d\n", events_seen);
    ++failures;
  }
  kefu_event_unsubscribe(engine, sub);
  kefu_engine_free(engine);
  printf("%s\n", failures ? "FAILED" : "ok");
  return failures ? 1 : 0;
}
