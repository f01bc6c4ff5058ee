// C ABI: tone checks (kefu_tone_check, kefu_tone_lint).
#include <nlohmann/json.hpp>

#include "c_common.hpp"
#include "kefu/chinese.hpp"
#include "kefu/tone.hpp"

using kefu::c::guard;
using kefu::c::require;

extern "C" {

int kefu_tone_check(kefu_buf* out, kefu_engine* engine, const char* draft, const kefu_tone_options* opts) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    require(draft, "draft");
    kefu::ToneContext ctx;
    if (opts) {
      if (opts->version < 1 || opts->version > KEFU_TONE_OPTIONS_VERSION)
        throw kefu::Error(kefu::ErrorCode::unsupported, "unknown kefu_tone_options version " + std::to_string(opts->version));
      ctx.locale = kefu::c::locale_arg(opts->locale);
      if (opts->customer) ctx.customer_message = opts->customer;
      if (opts->channel && *opts->channel) {
        auto ch = kefu::parse_channel(opts->channel);
        if (!ch) throw kefu::Error(kefu::ErrorCode::unsupported, "unknown channel (plain, markdown, html)");
        ctx.channel = *ch;
      }
    }
    kefu::c::fill(out, kefu::tone_report_to_json(engine->engine.check_tone(draft, ctx)));
  });
}

int kefu_tone_lint(kefu_buf* out, kefu_engine* engine, const char* path) {
  return guard([&] {
    require(out, "out");
    *out = KEFU_BUF_INIT;
    require(engine, "engine");
    auto files = path ? kefu::read_tone_path(path) : std::vector<kefu::SourceFile>{};
    kefu::ChineseConverters chinese;
    const kefu::Engine& e = engine->engine;
    auto diags = kefu::lint_tone(kefu::bundled_tone_files(), files, chinese,
                                 [&e](std::string_view text, kefu::Locale l) { return e.analyze(text, l); });
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& d : diags) problems.push_back({{"file", d.file}, {"line", d.line}, {"message", d.message}});
    kefu::c::fill(out, nlohmann::json{{"problems", problems}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  });
}

}  // extern "C"
