// C ABI: engine, analysis, suggestions, templates, events.
#include <nlohmann/json.hpp>

#include "c_common.hpp"
#include "kefu/json.hpp"

using kefu::c::guard;
using kefu::c::require;

extern "C" {

int kefu_engine_open(kefu_engine** out, const kefu_engine_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = nullptr;
    kefu::EngineOptions o;
    if (opts) {
      if (opts->version < 1 || opts->version > KEFU_ENGINE_OPTIONS_VERSION)
        throw kefu::Error(kefu::ErrorCode::unsupported, "unknown kefu_engine_options version " + std::to_string(opts->version));
      if (opts->template_dir) o.template_dir = opts->template_dir;
      o.bundled_templates = opts->no_bundled_templates == 0;
      if (opts->max_text_bytes) o.max_text_bytes = opts->max_text_bytes;
      if (opts->log_level < KEFU_LOG_TRACE || opts->log_level > KEFU_LOG_OFF)
        throw kefu::Error(kefu::ErrorCode::invalid_argument, "log_level out of range");
      o.log_level = static_cast<kefu::LogLevel>(opts->log_level);
      if (opts->version >= 2 && opts->db_path) o.db_path = opts->db_path;
      if (opts->version >= 3 && opts->tone_overrides) o.tone_overrides = opts->tone_overrides;
    }
    *out = new kefu_engine(std::move(o));
  });
}

void kefu_engine_free(kefu_engine* engine) { delete engine; }

int kefu_engine_set_log_callback(kefu_engine* engine, int level, kefu_log_cb cb, void* payload) {
  return guard([&] {
    require(engine, "engine");
    if (level < KEFU_LOG_TRACE || level > KEFU_LOG_OFF)
      throw kefu::Error(kefu::ErrorCode::invalid_argument, "log level out of range");
    engine->engine.set_log_level(static_cast<kefu::LogLevel>(level));
    if (!cb) {
      engine->engine.set_log_handler(nullptr);
      return;
    }
    engine->engine.set_log_handler([cb, payload](kefu::LogLevel lvl, std::string_view msg) {
      std::string s(msg);
      cb(static_cast<int>(lvl), s.c_str(), payload);
    });
  });
}

int kefu_message_analyze(kefu_buf* out, kefu_engine* engine, const char* text, const char* locale) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(text, "text");
    auto a = engine->engine.analyze(text, kefu::c::locale_arg(locale));
    kefu::c::fill(out, kefu::analysis_to_json(a));
  });
}

int kefu_reply_suggest(kefu_buf* out, kefu_engine* engine, const char* text, const kefu_suggest_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(text, "text");
    kefu::SuggestRequest req;
    std::optional<kefu::Locale> locale;
    if (opts) {
      if (opts->version < 1 || opts->version > KEFU_SUGGEST_OPTIONS_VERSION)
        throw kefu::Error(kefu::ErrorCode::unsupported, "unknown kefu_suggest_options version " + std::to_string(opts->version));
      locale = kefu::c::locale_arg(opts->locale);
      if (opts->channel && *opts->channel) {
        auto ch = kefu::parse_channel(opts->channel);
        if (!ch) throw kefu::Error(kefu::ErrorCode::unsupported, "unknown channel (plain, markdown, html)");
        req.channel = *ch;
      }
      if (opts->limit) req.limit = opts->limit;
      if (opts->context_json) kefu::apply_context_json(opts->context_json, req);
    }
    req.locale = locale ? *locale : kefu::guess_locale(text);
    kefu::c::fill(out, kefu::suggest_to_json(engine->engine.suggest(text, req)));
  });
}

int kefu_template_render(kefu_buf* out, kefu_engine* engine, const char* template_id, const char* vars_json,
                         const char* locale, const char* channel) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(template_id, "template_id");
    kefu::Variables vars;
    if (vars_json) vars = kefu::variables_from_json(vars_json);
    auto loc = kefu::c::locale_arg(locale);
    kefu::Channel ch = kefu::Channel::plain;
    if (channel && *channel) {
      auto c = kefu::parse_channel(channel);
      if (!c) throw kefu::Error(kefu::ErrorCode::unsupported, "unknown channel (plain, markdown, html)");
      ch = *c;
    }
    auto r = engine->engine.render(template_id, vars, loc ? *loc : kefu::Locale::zh_CN, ch);
    kefu::c::fill(out, kefu::rendered_to_json(template_id, r));
  });
}

int kefu_template_list(kefu_buf* out, kefu_engine* engine, const char* locale) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    auto loc = kefu::c::locale_arg(locale);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : engine->engine.templates().all()) {
      if (loc && t.locale != kefu::data_locale(*loc)) continue;
      nlohmann::json intents = nlohmann::json::array();
      for (auto i : t.intents) intents.push_back(kefu::to_string(i));
      list.push_back({{"id", t.id}, {"locale", kefu::locale_name(t.locale)}, {"pack", t.pack}, {"intents", intents},
                      {"shortcut", t.shortcut}, {"tags", t.tags}, {"use", t.outreach ? "outreach" : "reply"},
                      {"occasion", t.occasion}});
    }
    kefu::c::fill(out, nlohmann::json{{"templates", list}}.dump());
  });
}

int kefu_template_lint(kefu_buf* out, const char* dir) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(dir, "dir");
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& d : kefu::lint_packs(kefu::read_pack_dir(dir)))
      problems.push_back({{"file", d.file}, {"line", d.line}, {"message", d.message}});
    kefu::c::fill(out, nlohmann::json{{"problems", problems}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

int kefu_event_subscribe(unsigned long long* subscription, kefu_engine* engine, const char* event, kefu_event_cb cb,
                         void* payload) {
  return guard([&] {
    require(subscription, "subscription");
    require(engine, "engine");
    require(event, "event");
    if (!cb) throw kefu::Error(kefu::ErrorCode::invalid_argument, "cb must not be NULL");
    *subscription = engine->engine.events().subscribe(event, [cb, payload](std::string_view name, std::string_view json) {
      std::string n(name), j(json);
      cb(n.c_str(), j.c_str(), j.size(), payload);
    });
  });
}

int kefu_event_unsubscribe(kefu_engine* engine, unsigned long long subscription) {
  return guard([&] {
    require(engine, "engine");
    if (!engine->engine.events().unsubscribe(subscription))
      throw kefu::Error(kefu::ErrorCode::not_found, "no subscription " + std::to_string(subscription));
  });
}

}  // extern "C"
