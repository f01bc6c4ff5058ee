// kefu/engine.hpp — the C++ entry point: one Engine holds the template packs, the analyser, the
// ranker, the event bus and the logger. Every other surface (C ABI, Python, CLI) wraps it.
//
//   kefu::Engine engine;                                   // bundled packs
//   auto result = engine.suggest("亲，这件有XL吗", {});     // analysis + ranked, rendered replies
//
// All const methods are thread-safe; an Engine is cheap to share between threads.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kefu/analysis.hpp"
#include "kefu/customer_store.hpp"
#include "kefu/events.hpp"
#include "kefu/logging.hpp"
#include "kefu/render.hpp"
#include "kefu/suggest.hpp"
#include "kefu/template_library.hpp"
#include "kefu/tone.hpp"

namespace spdlog { class logger; }

namespace kefu {

struct EngineOptions {
  /// Extra pack directory, loaded after (and overriding ids of) the bundled packs.
  std::string template_dir;
  /// Load the packs embedded in the library. Turn off to serve only `template_dir`.
  bool bundled_templates = true;
  /// Longest message or draft accepted, in bytes; longer input fails with ErrorCode::too_large.
  std::size_t max_text_bytes = 64 * 1024;
  LogLevel log_level = LogLevel::warn;
  /// A shop's tone rule file or directory, layered over the bundled tone packs (templates/tone/README.md).
  std::string tone_overrides;
  /// The customer database (SQLite; created with its directory on first use). Empty: customers()
  /// throws. Several engines and processes may share one file.
  std::string db_path;
};

class Engine {
 public:
  /// Loads and checks the packs; throws Error(parse) naming file:line if any pack has an error.
  explicit Engine(EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  /// Analyses a customer message. Without a locale it is guessed from the text.
  /// Throws Error(invalid_utf8 | empty | too_large).
  Analysis analyze(std::string_view text, std::optional<Locale> locale = std::nullopt) const;
  /// Analysis plus the best templates, rendered for the request's locale and channel.
  SuggestResult suggest(std::string_view text, const SuggestRequest& request) const;
  /// Renders one template. Throws Error(not_found) for an unknown id or shortcut ("/size").
  Rendered render(std::string_view template_id, const Variables& vars, Locale locale,
                  Channel channel = Channel::plain) const;

  // ---- tone checks ----
  /// Checks an agent's draft against the tone rules (bundled packs plus options().tone_overrides).
  /// Without ctx.customer, a non-empty ctx.customer_message is analysed first (for context rules such as
  /// `apology`). Publishes "draft_checked" with tone_report_to_json(). Throws
  /// Error(invalid_utf8 | empty | too_large) for a bad draft or customer message.
  ToneReport check_tone(std::string_view draft, const ToneContext& ctx) const;
  /// The compiled tone rules (rule list, self-tests).
  const ToneChecker& tone_checker() const;

  // ---- customers and notes ----
  /// The customer archive at options().db_path, opened on first use (kefu/customer_store.hpp). Its
  /// events (note_added, customer_updated, care_due) go to events(); its reminders point at this
  /// engine's outreach templates. Throws Error(invalid_argument) without a db_path, Error(storage | io)
  /// when the database cannot be opened.
  CustomerStore& customers() const;

  const TemplateLibrary& templates() const;
  EventBus& events() const;
  spdlog::logger& logger() const;
  /// Routes this engine's log to `handler` (nullptr: stderr, warnings and errors only).
  void set_log_handler(LogHandler handler) const;
  void set_log_level(LogLevel level) const;
  const EngineOptions& options() const;
  const ChineseConverters& chinese() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Lints pack files: YAML syntax, fields, fixed sets, variables, sections, duplicates, examples.
std::vector<Diagnostic> lint_packs(const std::vector<SourceFile>& files);

/// Library version "MAJOR.MINOR.PATCH".
const char* version_string() noexcept;

}  // namespace kefu
