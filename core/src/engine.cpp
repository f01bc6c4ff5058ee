#include "kefu/engine.hpp"

#include <spdlog/logger.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "customers/care_templates.hpp"
#include "embedded.hpp"
#include "free_memory.hpp"
#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/json.hpp"
#include "kefu/pattern_set.hpp"
#include "kefu/text.hpp"
#include "kefu/version.hpp"

namespace kefu {

struct Engine::Impl {
  EngineOptions options;
  std::shared_ptr<spdlog::logger> logger;
  ChineseConverters chinese;
  TemplateLibrary library;
  std::unique_ptr<Analyzer> analyzer;
  std::unique_ptr<Ranker> ranker;
  EventBus events;
  std::once_flag localized;
  // ---- tone checks ----
  std::unique_ptr<ToneChecker> tone;
  // ---- customers and notes ----
  std::mutex customers_mutex;
  std::unique_ptr<CustomerStore> customers;

  void ensure_localized(Locale l) {
    if (l == Locale::zh_TW || l == Locale::zh_HK) std::call_once(localized, [this] { library.localize(chinese); });
  }
};

namespace {
std::atomic<int> engine_counter{0};
}

Engine::Engine(EngineOptions options) : impl_(std::make_unique<Impl>()) {
  auto t0 = std::chrono::steady_clock::now();
  impl_->options = std::move(options);
  impl_->logger = make_logger("kefu." + std::to_string(++engine_counter), impl_->options.log_level);
  if (impl_->options.bundled_templates) impl_->library = bundled_library();
  if (!impl_->options.template_dir.empty())
    impl_->library.overlay(TemplateLibrary::load_strict(read_pack_dir(impl_->options.template_dir)));
  // The bundled lexicons' and tone rules' pattern databases were compiled by the build.
  static std::once_flag precompiled;
  std::call_once(precompiled, [] { add_precompiled_patterns(embedded_file("compiled/patterns.bin")); });
  // Analyser, ranker and tone checker only read the library: built side by side. A failure in one
  // is rethrown here once all three have stopped (an async future waits in its destructor).
  auto ranker = std::async(std::launch::async, [this] { return std::make_unique<Ranker>(impl_->library, impl_->chinese); });
  auto tone = std::async(std::launch::async, [this] {
    return std::make_unique<ToneChecker>(
        bundled_tone_files(),
        impl_->options.tone_overrides.empty() ? std::vector<SourceFile>{} : read_tone_path(impl_->options.tone_overrides),
        impl_->chinese);
  });
  // The bundled lexicons (templates/analysis/) as the build compiled them.
  std::vector<std::pair<std::string, std::string>> lexicons{
      {"compiled/lexicons.bin", std::string(embedded_file("compiled/lexicons.bin"))}};
  impl_->analyzer = std::make_unique<Analyzer>(lexicons, impl_->library, impl_->chinese);
  impl_->ranker = ranker.get();
  impl_->tone = tone.get();
  // What the builder threads allocated and freed (parse trees, counts) stays in their malloc arenas
  // unless handed back.
  return_freed_memory();
  auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  impl_->logger->info("engine ready: {} templates in {:.1f} ms", impl_->library.size(), ms);
}

Engine::~Engine() = default;

Analysis Engine::analyze(std::string_view text, std::optional<Locale> locale) const {
  check_text(text, impl_->options.max_text_bytes, false, "message");
  Analysis a = impl_->analyzer->analyze(text, locale ? *locale : guess_locale(text));
  impl_->logger->debug("analyzed {} bytes: {} ({:.2f})", text.size(), to_string(a.intent), a.confidence);
  if (impl_->events.has_subscribers("message_analyzed")) impl_->events.publish("message_analyzed", analysis_to_json(a));
  return a;
}

SuggestResult Engine::suggest(std::string_view text, const SuggestRequest& request) const {
  SuggestResult result;
  if (request.analysis) {
    check_text(text, impl_->options.max_text_bytes, false, "message");
    result.analysis = *request.analysis;
  } else {
    result.analysis = analyze(text, request.locale);
  }
  result.analysis.locale = request.locale;
  impl_->ensure_localized(request.locale);
  Variables vars = request.vars;
  // ---- customers and notes ----
  CustomerContext customer = request.customer;
  if (!request.customer_ref.empty()) customers::apply_profile(customers(), request.customer_ref, customer, vars);
  if (!customer.name.empty()) vars.emplace("name", customer.name);
  if (!customer.title.empty()) vars.emplace("title", customer.title);
  for (const auto& r : impl_->ranker->rank(text, result.analysis, customer, request.limit ? request.limit : 3)) {
    Rendered rendered = kefu::render(r.tmpl->nodes_for(request.locale), vars, request.locale, request.channel,
                                     &impl_->chinese);
    result.suggestions.push_back(
        {r.tmpl->id, r.intent, std::move(rendered.text), r.score, std::move(rendered.missing), r.tmpl->shortcut, r.tmpl->tags});
  }
  if (impl_->events.has_subscribers("suggestions_ready")) impl_->events.publish("suggestions_ready", suggest_to_json(result));
  return result;
}

Rendered Engine::render(std::string_view id, const Variables& vars, Locale locale, Channel channel) const {
  const Template* t = !id.empty() && id.front() == '/' ? impl_->library.find_shortcut(id, locale)
                                                        : impl_->library.find(id, locale);
  if (!t) throw Error(ErrorCode::not_found, "no template '" + std::string(id) + "'");
  for (const auto& [k, v] : vars)
    if (!is_valid_utf8(v)) throw Error(ErrorCode::invalid_utf8, "variable '" + k + "' is not valid UTF-8");
  impl_->ensure_localized(locale);
  // A template of the other language is rendered in its own language.
  Locale out = data_locale(locale) == t->locale ? locale : t->locale;
  return kefu::render(t->nodes_for(out), vars, out, channel, &impl_->chinese);
}

// ---- tone checks ----
ToneReport Engine::check_tone(std::string_view draft, const ToneContext& ctx) const {
  if (draft.size() > impl_->options.max_text_bytes) check_text(draft, impl_->options.max_text_bytes, false, "draft");
  const ToneContext* use = &ctx;
  ToneContext analysed;
  if (!ctx.customer && !ctx.customer_message.empty()) {
    analysed = ctx;
    analysed.customer = analyze(ctx.customer_message, ctx.locale);
    use = &analysed;
  }
  ToneReport report = impl_->tone->check(draft, *use, impl_->options.max_text_bytes);
  impl_->logger->debug("checked draft of {} bytes: score {:.1f}, {} finding(s)", draft.size(), report.score,
                       report.findings.size());
  if (impl_->events.has_subscribers("draft_checked")) impl_->events.publish("draft_checked", tone_report_to_json(report));
  return report;
}

const ToneChecker& Engine::tone_checker() const { return *impl_->tone; }

// ---- customers and notes ----
CustomerStore& Engine::customers() const {
  std::lock_guard<std::mutex> lock(impl_->customers_mutex);
  if (!impl_->customers) {
    if (impl_->options.db_path.empty())
      throw Error(ErrorCode::invalid_argument, "no customer database: set EngineOptions::db_path (kefu --db PATH)");
    SqliteStoreOptions o;
    o.chinese = &impl_->chinese;
    o.logger = impl_->logger;
    auto store = open_customer_store(impl_->options.db_path, o);
    store->set_template_picker(customers::make_template_picker(impl_->library));
    EventBus* bus = &impl_->events;
    store->set_listener({[bus](std::string_view e) { return bus->has_subscribers(e); },
                         [bus](std::string_view e, const std::string& json) { bus->publish(e, json); }});
    impl_->customers = std::move(store);
  }
  return *impl_->customers;
}

const TemplateLibrary& Engine::templates() const { return impl_->library; }
EventBus& Engine::events() const { return impl_->events; }
spdlog::logger& Engine::logger() const { return *impl_->logger; }
void Engine::set_log_handler(LogHandler handler) const { kefu::set_log_handler(*impl_->logger, std::move(handler)); }
void Engine::set_log_level(LogLevel level) const { kefu::set_log_level(*impl_->logger, level); }
const EngineOptions& Engine::options() const { return impl_->options; }
const ChineseConverters& Engine::chinese() const { return impl_->chinese; }

std::vector<Diagnostic> lint_packs(const std::vector<SourceFile>& files) {
  std::vector<Diagnostic> diags;
  TemplateLibrary::load(files, diags);
  return diags;
}

const char* version_string() noexcept { return KEFU_VERSION_STRING; }

}  // namespace kefu
