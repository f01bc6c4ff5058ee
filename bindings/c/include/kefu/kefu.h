/*
 * kefu.h — the stable C ABI of kefu (libkefu.so).
 *
 * Conventions (after libgit2):
 *  - Every function returns an int: KEFU_OK (0) or a negative KEFU_E* code. On error,
 *    kefu_error_last() tells what went wrong, in this thread, until the next kefu call that fails.
 *  - Handles are opaque; each has a matching _free. Results are caller-owned kefu_buf values
 *    released with kefu_buf_dispose().
 *  - Option structs carry a `version` first; initialise them with their _INIT macro. New fields are
 *    only ever appended, and the version goes up when they are.
 *  - Callbacks take a trailing `void *payload`, handed back unchanged.
 *  - Strings are UTF-8 and NUL-terminated. No C++ exception ever crosses this boundary.
 *  - Rich results are JSON text, documented in README.md ("JSON results").
 *  - A kefu_engine may be used from several threads at once.
 */
#ifndef KEFU_H
#define KEFU_H

#include <stddef.h>

#if defined(_WIN32) && defined(KEFU_BUILDING)
#define KEFU_EXTERN __declspec(dllexport)
#elif defined(__GNUC__)
#define KEFU_EXTERN __attribute__((visibility("default")))
#else
#define KEFU_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- version ----------------------------------------------------------------------------- */

#define KEFU_VERSION_MAJOR 0
#define KEFU_VERSION_MINOR 1
#define KEFU_VERSION_PATCH 0
#define KEFU_VERSION "0.1.0"

/** The version of the library actually loaded (may differ from the header's). Any pointer may be NULL. */
KEFU_EXTERN int kefu_version(int *major, int *minor, int *patch);
/** "MAJOR.MINOR.PATCH" of the loaded library; static storage. */
KEFU_EXTERN const char *kefu_version_string(void);

/* ---- errors ------------------------------------------------------------------------------ */

typedef enum {
  KEFU_OK = 0,
  KEFU_EINVALID = -1,     /**< NULL or out-of-range argument, unknown name */
  KEFU_EUTF8 = -2,        /**< text is not valid UTF-8 */
  KEFU_ENOTFOUND = -3,    /**< no such template, customer... */
  KEFU_EPARSE = -4,       /**< malformed pack, rule file, JSON; the message names file:line */
  KEFU_EIO = -5,          /**< a file could not be read or written */
  KEFU_ETOOLARGE = -6,    /**< input over the configured limit */
  KEFU_ESTORAGE = -7,     /**< the customer database failed */
  KEFU_EEMPTY = -8,       /**< empty or blank text */
  KEFU_EUNSUPPORTED = -9, /**< unknown locale, channel, or option struct version */
  KEFU_EINTERNAL = -99    /**< a bug in kefu */
} kefu_error_code;

typedef struct kefu_error {
  int code;            /**< a kefu_error_code */
  const char *message; /**< UTF-8, never NULL */
} kefu_error;

/** The last error of this thread, or NULL if none. Valid until the next failing kefu call in this thread. */
KEFU_EXTERN const kefu_error *kefu_error_last(void);
/** Forgets this thread's last error. */
KEFU_EXTERN void kefu_error_clear(void);

/* ---- buffers ----------------------------------------------------------------------------- */

/** A caller-owned result: `ptr` is NUL-terminated UTF-8 of `size` bytes (without the NUL). */
typedef struct kefu_buf {
  char *ptr;
  size_t size;
} kefu_buf;
#define KEFU_BUF_INIT {NULL, 0}

/** Frees the buffer's memory and resets it to KEFU_BUF_INIT. NULL or an empty buffer is fine. */
KEFU_EXTERN void kefu_buf_dispose(kefu_buf *buf);

/* ---- logging ----------------------------------------------------------------------------- */

typedef enum {
  KEFU_LOG_TRACE = 0,
  KEFU_LOG_DEBUG = 1,
  KEFU_LOG_INFO = 2,
  KEFU_LOG_WARN = 3,
  KEFU_LOG_ERROR = 4,
  KEFU_LOG_OFF = 6
} kefu_log_level;

/** Receives one log message. Customer data is only ever logged at KEFU_LOG_DEBUG and below. */
typedef void (*kefu_log_cb)(int level, const char *message, void *payload);

/* ---- engine ------------------------------------------------------------------------------ */

typedef struct kefu_engine kefu_engine;

typedef struct kefu_engine_options {
  unsigned int version;       /**< KEFU_ENGINE_OPTIONS_VERSION */
  const char *template_dir;   /**< extra pack directory, or NULL */
  int no_bundled_templates;   /**< non-zero: serve only template_dir */
  size_t max_text_bytes;      /**< 0: 65536 */
  int log_level;              /**< a kefu_log_level; KEFU_LOG_WARN by default */
  const char *db_path;        /**< version 2: the customer database (SQLite, created on first use), or NULL */
  /** version 3: a shop's tone rule file or directory (templates/tone/README.md), layered over the
   * bundled rules, or NULL. A bad file fails kefu_engine_open with KEFU_EPARSE naming file:line. */
  const char *tone_overrides;
} kefu_engine_options;

#define KEFU_ENGINE_OPTIONS_VERSION 3
#define KEFU_ENGINE_OPTIONS_INIT {KEFU_ENGINE_OPTIONS_VERSION, NULL, 0, 0, KEFU_LOG_WARN, NULL, NULL}

/** Opens an engine. `opts` may be NULL for the defaults (bundled packs). */
KEFU_EXTERN int kefu_engine_open(kefu_engine **out, const kefu_engine_options *opts);
/** Frees an engine; NULL is fine. No callback of it runs after this returns. */
KEFU_EXTERN void kefu_engine_free(kefu_engine *engine);
/** Routes the engine's log to `cb` (NULL: back to stderr, warnings and errors only). */
KEFU_EXTERN int kefu_engine_set_log_callback(kefu_engine *engine, int level, kefu_log_cb cb, void *payload);

/* ---- analysis and suggestions ------------------------------------------------------------ */

/**
 * Analyses a customer message. `locale` ("zh-CN", "zh-TW", "zh-HK", "en") may be NULL to guess.
 * `out` receives {"intent", "confidence", "emotion", "emotion_score", "stage", "locale", "intents": [...], "cues": [...]}.
 */
KEFU_EXTERN int kefu_message_analyze(kefu_buf *out, kefu_engine *engine, const char *text, const char *locale);

typedef struct kefu_suggest_options {
  unsigned int version;       /**< KEFU_SUGGEST_OPTIONS_VERSION */
  const char *locale;         /**< NULL: guessed from the text */
  const char *channel;        /**< "plain" (NULL), "markdown" or "html" */
  size_t limit;               /**< how many suggestions; 0: 3 */
  /** NULL or {"customer": {"name","title","types":[...],"tags":[...]}, "vars": {...}}; "customer" may
   * instead be a stored customer's kefu id or external id ("taobao:nick"), or the object may carry it
   * as "ref": the profile in the engine's database then fills name, title, types, tags and the
   * variables last_product and order_id (fields given here win; an unknown customer is ignored). */
  const char *context_json;
} kefu_suggest_options;

#define KEFU_SUGGEST_OPTIONS_VERSION 1
#define KEFU_SUGGEST_OPTIONS_INIT {KEFU_SUGGEST_OPTIONS_VERSION, NULL, NULL, 0, NULL}

/**
 * Analyses a message and ranks reply templates for it, rendered and ready to send.
 * `out` receives the analysis plus "suggestions": [{"template_id", "intent", "text", "score", "missing", "shortcut", "tags"}].
 */
KEFU_EXTERN int kefu_reply_suggest(kefu_buf *out, kefu_engine *engine, const char *text,
                                   const kefu_suggest_options *opts);

/**
 * Renders one template by id or shortcut ("/size"). `vars_json` is NULL or {"name": "王芳", "order_id": "…"}.
 * `out` receives {"template_id", "text", "missing": [...]}.
 */
KEFU_EXTERN int kefu_template_render(kefu_buf *out, kefu_engine *engine, const char *template_id,
                                     const char *vars_json, const char *locale, const char *channel);

/** Lists the engine's templates as {"templates": [{"id", "locale", "pack", "intents", "shortcut", "tags", "use"}]}. */
KEFU_EXTERN int kefu_template_list(kefu_buf *out, kefu_engine *engine, const char *locale);

/**
 * Lints a directory of pack files. Returns KEFU_OK with {"problems": [{"file", "line", "message"}]} in `out`
 * (empty when all is well); an error only when the directory cannot be read.
 */
KEFU_EXTERN int kefu_template_lint(kefu_buf *out, const char *dir);

/* ---- events ------------------------------------------------------------------------------ */

/** Receives one event: its name ("message_analyzed", "suggestions_ready", ...) and JSON payload. */
typedef void (*kefu_event_cb)(const char *event, const char *json, size_t json_len, void *payload);

/** Subscribes to `event` ("*" for all). `*subscription` receives an id for kefu_event_unsubscribe(). */
KEFU_EXTERN int kefu_event_subscribe(unsigned long long *subscription, kefu_engine *engine, const char *event,
                                     kefu_event_cb cb, void *payload);
KEFU_EXTERN int kefu_event_unsubscribe(kefu_engine *engine, unsigned long long subscription);

/* ---- tone checks ------------------------------------------------------------------------- */

typedef struct kefu_tone_options {
  unsigned int version;  /**< KEFU_TONE_OPTIONS_VERSION */
  const char *locale;    /**< locale of the draft ("zh-CN", "zh-TW", "zh-HK", "en"); NULL: guessed from the draft */
  const char *customer;  /**< the customer's message the draft answers, or NULL; enables context rules (apology) */
  const char *channel;   /**< "plain" (NULL), "markdown" or "html": markup is not checked */
} kefu_tone_options;

#define KEFU_TONE_OPTIONS_VERSION 1
#define KEFU_TONE_OPTIONS_INIT {KEFU_TONE_OPTIONS_VERSION, NULL, NULL, NULL}

/**
 * Checks an agent's draft against the tone rules (bundled packs; templates/tone/README.md). `opts` may be NULL.
 * `out` receives {"score": 0..100, "locale", "customer_upset": true|false|null, "counts": {category: n},
 * "findings": [{"rule", "category", "severity", "start", "end", "start_byte", "end_byte", "start_utf16",
 * "end_utf16", "text", "message", "suggestions": [...]}]}; spans index the original draft.
 * Publishes the "draft_checked" event. Errors: KEFU_EUTF8, KEFU_EEMPTY, KEFU_ETOOLARGE, KEFU_EUNSUPPORTED.
 */
KEFU_EXTERN int kefu_tone_check(kefu_buf *out, kefu_engine *engine, const char *draft, const kefu_tone_options *opts);

/**
 * Lints tone rule files and runs every rule's examples. `path` is a file or directory layered over the bundled
 * packs (a shop's overrides), or NULL to check the bundled packs. Returns KEFU_OK with
 * {"problems": [{"file", "line", "message"}]} in `out` (empty when all is well); an error only when `path`
 * cannot be read. `engine` analyses the customer messages of context-rule examples.
 */
KEFU_EXTERN int kefu_tone_lint(kefu_buf *out, kefu_engine *engine, const char *path);

/* ---- customers and notes ----------------------------------------------------------------- */

/*
 * The customer archive in the engine's database (kefu_engine_options.db_path; KEFU_EINVALID without one).
 * CUSTOMER arguments are a kefu id ("42" or "kefu:42"), an external id ("taobao:nick"), a phone in any
 * common format or an email. Results are JSON (README.md, "Customer notes"); times are ISO 8601 UTC.
 * Several processes may share one database; a busy database is waited for (KEFU_ESTORAGE after the
 * timeout, never "database is locked"). Events: "note_added", "customer_updated", "care_due".
 */

/**
 * Finds customers by external id, phone (any format), email, kefu id or name prefix; `limit` 0: 20.
 * `out` receives {"customers": [{"id", "name", "title", "external_ids", "phone", "email", "phones", "emails",
 * "birthday", "tags", "types", "preferences", "locale", "created_at", "updated_at"}]}.
 */
KEFU_EXTERN int kefu_customer_find(kefu_buf *out, kefu_engine *engine, const char *query, size_t limit);

/**
 * Adds a customer, or updates the one any of its identifiers names. `customer_json`: {"name", "title",
 * "external_ids": [...], "phones": [...], "emails": [...], "birthday", "tags": [...], "preferences":
 * {"sizes", "colours", "brands", "categories"}, "locale"}. `out` receives the customer.
 */
KEFU_EXTERN int kefu_customer_upsert(kefu_buf *out, kefu_engine *engine, const char *customer_json);

/**
 * The profile card: `out` receives {"id", "name", "customer": {...}, "types", "tags", "purchase_count",
 * "last_purchase", "open_problems", "last_complaint", "satisfaction": {"scores", "average", "trend"},
 * "pinned_notes", "recent_notes", "reminders"}. `today` ("YYYY-MM-DD") may be NULL. KEFU_ENOTFOUND.
 */
KEFU_EXTERN int kefu_customer_show(kefu_buf *out, kefu_engine *engine, const char *customer, const char *today);

/**
 * Adds an order, consultation or survey answer: `record_json` is {"type": "order", "order_id", "items",
 * "amount", "currency", "time", "status"}, {"type": "consultation", "time", "channel", "intent", "summary",
 * "satisfaction", "resolved"} or {"type": "survey", "survey", "question", "answer", "score"}. Adding the
 * same record again changes nothing. `out` receives {"added": true|false}. KEFU_EPARSE for a bad record.
 */
KEFU_EXTERN int kefu_customer_add_record(kefu_buf *out, kefu_engine *engine, const char *customer,
                                         const char *record_json);

/**
 * Forgets a customer: every row, note, order, consultation and search entry, with the freed space
 * overwritten. `out` receives {"forgotten": true, "notes", "purchases", "consultations", "survey_answers",
 * "identifiers", "purged"}. KEFU_ENOTFOUND.
 */
KEFU_EXTERN int kefu_customer_forget(kefu_buf *out, kefu_engine *engine, const char *customer);

/** Import progress: bytes read of the file (`bytes_total` 0 when unknown) and rows committed so far. */
typedef void (*kefu_import_progress_cb)(unsigned long long bytes_read, unsigned long long bytes_total,
                                        size_t rows_committed, void *payload);

typedef struct kefu_import_options {
  unsigned int version;             /**< KEFU_IMPORT_OPTIONS_VERSION */
  const char *format;               /**< "csv", "jsonl" or NULL (by extension, else by content) */
  kefu_import_progress_cb progress; /**< or NULL; called after each committed batch */
  void *payload;                    /**< handed to `progress` */
} kefu_import_options;

#define KEFU_IMPORT_OPTIONS_VERSION 1
#define KEFU_IMPORT_OPTIONS_INIT {KEFU_IMPORT_OPTIONS_VERSION, NULL, NULL, NULL}

/**
 * Imports customers (CSV header external_id,name,phone,email,birthday,tags; tags "a;b"), orders, notes,
 * consultations and survey answers from CSV or JSON Lines. Importing again adds nothing. Bad rows are left
 * out and listed; the rest is imported. `out` receives {"rows", "customers_created", "customers_updated",
 * "unchanged", "notes_added", "purchases_added", "consultations_added", "surveys_added", "failed",
 * "problems": [{"line", "message"}]}. KEFU_EIO when the file cannot be read, KEFU_EPARSE when it is not CSV
 * or JSON Lines at all.
 */
KEFU_EXTERN int kefu_customer_import(kefu_buf *out, kefu_engine *engine, const char *path,
                                     const kefu_import_options *opts);

/** Writes every customer with their records to `path` as JSON Lines (import reads it back). `out`: {"customers": n}. */
KEFU_EXTERN int kefu_customer_export(kefu_buf *out, kefu_engine *engine, const char *path);

/** Adds a note to a customer; `author` may be NULL. `out` receives {"id", "customer_id", "author", "created_at", "text", "pinned"}. */
KEFU_EXTERN int kefu_note_add(kefu_buf *out, kefu_engine *engine, const char *customer, const char *text,
                              const char *author, int pinned);

typedef struct kefu_search_options {
  unsigned int version;  /**< KEFU_SEARCH_OPTIONS_VERSION */
  size_t limit;          /**< 0: 20 */
  size_t offset;         /**< for paging */
  const char *customer;  /**< only this customer's notes, or NULL */
} kefu_search_options;

#define KEFU_SEARCH_OPTIONS_VERSION 1
#define KEFU_SEARCH_OPTIONS_INIT {KEFU_SEARCH_OPTIONS_VERSION, 0, 0, NULL}

/**
 * Full-text search over notes and consultation summaries (Chinese, Simplified and Traditional alike, and
 * English), best first; `opts` may be NULL. `out` receives {"notes": [{"kind": "note"|"consultation", "id",
 * "customer_id", "text", "author", "time", "pinned", "score"}]}.
 */
KEFU_EXTERN int kefu_note_search(kefu_buf *out, kefu_engine *engine, const char *query,
                                 const kefu_search_options *opts);

/**
 * Care reminders due: birthdays, holidays, churn risk, win-back within a month of churning, new arrivals
 * matching preferences, each with the outreach template to use. `options_json` may be NULL or {"today",
 * "birthday_days", "holiday_days", "churn_after_days", "win_back_days", "locale", "limit", "customer_id",
 * "arrivals": [{"product", "brand", "category", "colours", "sizes"}]}. `out` receives {"reminders":
 * [{"customer_id", "customer_name", "kind", "occasion", "due", "days", "reason", "detail", "hints",
 * "template_id", "locale", "vars"}]}. Publishes "care_due" when any is due.
 */
KEFU_EXTERN int kefu_reminder_list(kefu_buf *out, kefu_engine *engine, const char *options_json);

#ifdef __cplusplus
}
#endif

#endif /* KEFU_H */
