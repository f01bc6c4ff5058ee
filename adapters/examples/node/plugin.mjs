// A helpdesk plugin in Node, calling libkefu directly through an FFI (koffi), the way a Node-based
// helpdesk extension would: no service in between, one engine for the process, JSON results.
//
//   cd adapters && npm ci            # koffi
//   KEFU_LIB=/path/to/libkefu.so.0 node adapters/examples/node/plugin.mjs
//
// Exits 0 when every step worked (the tests run it).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const koffi = require("koffi");

const lib = koffi.load(process.env.KEFU_LIB || "libkefu.so.0");

// kefu.h, as koffi declarations.
const kefu_engine = koffi.opaque("kefu_engine");
const kefu_buf = koffi.struct("kefu_buf", { ptr: "void *", size: "size_t" });
const kefu_error = koffi.struct("kefu_error", { code: "int", message: "const char *" });
const kefu_suggest_options = koffi.struct("kefu_suggest_options", {
  version: "unsigned int", locale: "const char *", channel: "const char *", limit: "size_t", context_json: "const char *",
});
const kefu_tone_options = koffi.struct("kefu_tone_options", {
  version: "unsigned int", locale: "const char *", customer: "const char *", channel: "const char *",
});

const api = {
  version: lib.func("const char *kefu_version_string(void)"),
  errorLast: lib.func("const kefu_error *kefu_error_last(void)"),
  open: lib.func("int kefu_engine_open(_Out_ kefu_engine **out, void *opts)"),
  free: lib.func("void kefu_engine_free(kefu_engine *engine)"),
  dispose: lib.func("void kefu_buf_dispose(_Inout_ kefu_buf *buf)"),
  suggest: lib.func("int kefu_reply_suggest(_Out_ kefu_buf *out, kefu_engine *engine, const char *text, const kefu_suggest_options *opts)"),
  analyze: lib.func("int kefu_message_analyze(_Out_ kefu_buf *out, kefu_engine *engine, const char *text, const char *locale)"),
  tone: lib.func("int kefu_tone_check(_Out_ kefu_buf *out, kefu_engine *engine, const char *draft, const kefu_tone_options *opts)"),
};

class KefuError extends Error {}

function lastError() {
  const e = api.errorLast();
  return e ? koffi.decode(e, kefu_error) : { code: 0, message: "unknown error" };
}

// Runs one kefu call that fills a kefu_buf and returns its JSON, parsed; the buffer is always freed.
function call(fn, ...args) {
  const buf = { ptr: null, size: 0 };
  const rc = fn(buf, ...args);
  try {
    if (rc !== 0) {
      const e = lastError();
      throw new KefuError(`kefu error ${e.code}: ${e.message}`);
    }
    const bytes = koffi.decode(buf.ptr, "uint8_t", Number(buf.size));
    return JSON.parse(Buffer.from(bytes).toString("utf8"));
  } finally {
    api.dispose(buf);
  }
}

export function openEngine() {
  const out = [null];
  if (api.open(out, null) !== 0) throw new KefuError(lastError().message);
  const engine = out[0];
  return {
    suggest: (text, { locale = null, context = null, limit = 3 } = {}) =>
      call(api.suggest, engine, text, { version: 1, locale, channel: null, limit, context_json: context && JSON.stringify(context) }),
    analyze: (text, locale = null) => call(api.analyze, engine, text, locale),
    tone: (draft, { customer = null, locale = null } = {}) =>
      call(api.tone, engine, draft, { version: 1, locale, customer, channel: null }),
    close: () => api.free(engine),
  };
}

// ---- the plugin: what it does for each helpdesk event ----
function check(cond, what) {
  if (!cond) { console.error("FAILED:", what); process.exitCode = 1; }
}

const engine = openEngine();
console.log(`libkefu ${api.version()} through koffi`);

const incoming = [
  { text: "我的快递怎么还没到？都一个星期了", context: { customer: { name: "王芳", title: "女士" } } },
  { text: "請問可以開發票嗎？", locale: "zh-TW" },
  { text: "The jacket I received has a broken zipper. This is ridiculous!", context: { customer: { name: "Jane Doe" } } },
];
for (const m of incoming) {
  const r = engine.suggest(m.text, { locale: m.locale, context: m.context, limit: 2 });
  console.log(`customer: ${m.text}\n  → ${r.intent} / ${r.emotion}: ${r.suggestions.map((s) => s.template_id).join(", ")}`);
  check(r.suggestions.length === 2 && r.suggestions[0].text.length > 0, `suggestions for ${m.text}`);
}
check(engine.suggest("我的快递怎么还没到？").intent === "shipping", "shipping intent");
check(engine.analyze("I want a refund", "en").intent === "refund", "refund intent");

const draft = "不知道，你自己看吧！！！";
const tone = engine.tone(draft, { customer: "东西坏了，气死我了" });
console.log(`draft: ${draft}\n  → score ${tone.score}, ${tone.findings.map((f) => `${f.category}「${draft.slice(f.start_utf16, f.end_utf16)}」`).join(" ")}`);
check(tone.findings.length > 0, "tone findings on a cold draft");
// UTF-16 offsets index a JavaScript string directly.
check(tone.findings.every((f) => draft.slice(f.start_utf16, f.end_utf16) === f.text), "UTF-16 spans match the draft");
check(engine.tone("您好，这边马上为您查询物流，请您稍等。").findings.length === 0, "no findings on a polite draft");

let refused = false;
try { engine.suggest(""); } catch (e) { refused = e instanceof KefuError; console.log(`empty message refused: ${e.message}`); }
check(refused, "empty message is an error");

engine.close();
console.log(process.exitCode ? "FAILED" : "ok");
