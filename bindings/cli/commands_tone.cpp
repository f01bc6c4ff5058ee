// kefu tone [--json] [--locale L] [--customer TEXT] [--channel C] [--rules PATH] DRAFT | --batch
// kefu tone lint [PATH] [--locale-rules]
#include <nlohmann/json.hpp>

#include <iostream>
#include <string>

#include "batch.hpp"
#include "cli.hpp"
#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "kefu/text.hpp"
#include "kefu/tone.hpp"

namespace kefu::cli {
namespace {

using nlohmann::json;

struct ToneArgs {
  std::string draft;
  std::string locale;
  std::string customer;
  std::string channel = "plain";
  std::string rules;  // a shop's tone rule file or directory, over the bundled packs
  bool json_out = false;
  bool batch = false;
};

// The engine of the global options, or one with --rules layered over the bundled tone packs.
class EngineRef {
 public:
  EngineRef(Globals& g, const std::string& rules) : g_(g) {
    if (rules.empty()) return;
    EngineOptions o;
    o.template_dir = g.template_dir;
    o.bundled_templates = !g.no_bundled;
    o.tone_overrides = rules;
    own_ = g.open_engine(o);
  }
  Engine& get() { return own_ ? *own_ : g_.engine(); }

 private:
  Globals& g_;
  std::unique_ptr<Engine> own_;
};

ToneContext make_context(const std::string& locale, const std::string& customer, const std::string& channel) {
  ToneContext ctx;
  if (!locale.empty()) ctx.locale = parse_locale(locale);
  ctx.customer_message = customer;
  auto ch = parse_channel(channel.empty() ? "plain" : channel);
  if (!ch) throw Error(ErrorCode::unsupported, "unknown channel '" + channel + "' (plain, markdown, html)");
  ctx.channel = *ch;
  return ctx;
}

const char* severity_mark(Severity s) {
  switch (s) {
    case Severity::error: return "error  ";
    case Severity::warning: return "warning";
    default: return "info   ";
  }
}

void print_report(const ToneReport& r) {
  std::cout << "score " << r.score << "/100 (" << locale_name(r.locale) << ")";
  if (r.customer_upset) std::cout << (*r.customer_upset ? ", customer upset" : ", customer calm");
  std::cout << "\n";
  if (r.findings.empty()) std::cout << "  no findings\n";
  for (const auto& f : r.findings) {
    std::cout << "  " << severity_mark(f.severity) << " " << f.start << "-" << f.end << " " << f.rule() << " 「" << f.text
              << "」 " << f.message();
    if (!f.suggestions().empty()) {
      std::cout << "  →";
      for (std::size_t i = 0; i < f.suggestions().size(); ++i) std::cout << (i ? " | " : " ") << f.suggestions()[i];
    }
    std::cout << "\n";
  }
}

// One --batch line: {"text", "locale", "customer", "channel"}; missing fields fall back to the options.
std::string check_line(Engine& e, const ToneArgs& a, const json& in) {
  std::string locale = json_field(in, "locale"), channel = json_field(in, "channel");
  ToneContext ctx = make_context(locale.empty() ? a.locale : locale, json_field(in, "customer"),
                                 channel.empty() ? a.channel : channel);
  return tone_report_to_json(e.check_tone(in["text"].get<std::string>(), ctx));
}

}  // namespace

void add_tone_commands(CLI::App& app, Globals& g) {
  auto a = std::make_shared<ToneArgs>();
  auto* tone = app.add_subcommand("tone", "check an agent's draft: tone, politeness, compliance and privacy findings");
  tone->add_option("draft", a->draft, "the draft reply to check");
  tone->add_option("-l,--locale", a->locale, "zh-CN, zh-TW, zh-HK or en (default: guessed from the draft)");
  tone->add_option("-c,--customer", a->customer, "the customer's message the draft answers (enables context rules)");
  tone->add_option("--channel", a->channel, "plain, markdown or html")->capture_default_str();
  tone->add_option("--rules", a->rules, "a shop's tone rule file or directory, layered over the bundled packs");
  tone->add_flag("--json", a->json_out, "print JSON: {\"score\", \"findings\": [...]}");
  tone->add_flag("--batch", a->batch,
                 "read JSON Lines {\"text\", \"locale\", \"customer\"} from stdin, print one JSON result per line");

  auto lint_path = std::make_shared<std::string>();
  auto lint_packs_only = std::make_shared<bool>(false);
  auto* lint = tone->add_subcommand(
      "lint", "check tone rule files (file:line: reason) and run every rule's examples; PATH is layered over the "
              "bundled packs (default: check the bundled packs)");
  lint->add_option("path", *lint_path, "a tone rule file or directory");
  lint->add_option("--rules", a->rules, "same as PATH");
  lint->add_flag("--packs", *lint_packs_only,
                 "PATH holds complete rule packs (like templates/tone/), checked on their own instead of over the "
                 "bundled ones");
  lint->callback([&g, lint_path, lint_packs_only, a] {
    std::string path = lint_path->empty() ? a->rules : *lint_path;
    auto files = path.empty() ? std::vector<SourceFile>{} : read_tone_path(path);
    ChineseConverters chinese;
    Engine& e = g.engine();
    auto analyze = [&e](std::string_view text, Locale l) { return e.analyze(text, l); };
    auto diags = *lint_packs_only ? lint_tone(files, {}, chinese, analyze)
                                  : lint_tone(bundled_tone_files(), files, chinese, analyze);
    for (const auto& d : diags) std::cout << d.to_string() << "\n";
    std::cerr << (path.empty() ? bundled_tone_files().size() : files.size()) << " file(s), " << diags.size()
              << " problem(s)\n";
    if (!diags.empty()) throw CLI::RuntimeError(1);
  });

  tone->callback([&g, a, tone] {
    if (tone->got_subcommand("lint")) return;
    EngineRef ref(g, a->rules);
    Engine& e = ref.get();
    if (a->batch) {
      if (int rc = run_batch([&](const json& in) { return check_line(e, *a, in); })) throw CLI::RuntimeError(rc);
      return;
    }
    if (a->draft.empty()) throw Error(ErrorCode::empty, "no draft given (or use --batch)");
    auto report = e.check_tone(a->draft, make_context(a->locale, a->customer, a->channel));
    if (a->json_out) std::cout << tone_report_to_json(report) << "\n";
    else print_report(report);
  });
}

}  // namespace kefu::cli
