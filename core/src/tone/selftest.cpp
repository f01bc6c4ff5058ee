// Tone: running every rule's examples (the rule packs' self-tests) and linting rule files.
#include "kefu/chinese.hpp"
#include "kefu/error.hpp"
#include "tone_checker_impl.hpp"

namespace kefu {

using namespace tone;

std::vector<Diagnostic> ToneChecker::self_test(const ToneAnalyze& analyze) const {
  std::vector<Diagnostic> out;
  for (const auto& [locale, pack] : impl_->packs) {
    for (const auto& rule : pack->pack.rules) {
      if (!rule.enabled) continue;
      for (const auto& ex : rule.examples) {
        ToneContext ctx;
        ctx.locale = locale;
        if (!ex.customer.empty()) {
          if (!analyze) continue;
          ctx.customer = analyze(ex.customer, locale);
        }
        ToneReport r;
        try {
          r = check(ex.text, ctx);
        } catch (const Error& e) {
          out.push_back({rule.file, ex.line, "rule '" + rule.id + "': example cannot be checked: " + e.what()});
          continue;
        }
        bool fired = false;
        for (const auto& f : r.findings) fired |= f.rule() == rule.id;
        if (fired != ex.fire)
          out.push_back({rule.file, ex.line,
                         "rule '" + rule.id + "': example " + (ex.fire ? "should fire but does not" : "fires but should not") +
                             ": " + ex.text});
      }
    }
  }
  return out;
}

std::vector<Diagnostic> lint_tone(const std::vector<SourceFile>& packs, const std::vector<SourceFile>& overrides,
                                  const ChineseConverters& chinese, const ToneAnalyze& analyze) {
  std::vector<Diagnostic> diags;
  RuleSet set;
  load_rule_files(packs, false, set, diags);
  load_rule_files(overrides, true, set, diags);
  validate_rule_set(set, diags);
  if (!diags.empty()) return diags;
  try {
    ToneChecker checker(packs, overrides, chinese);
    return checker.self_test(analyze);
  } catch (const Error& e) {
    // A pattern that does not compile: the message starts with file:line.
    std::string msg = e.what();
    Diagnostic d{"", 0, msg};
    auto colon = msg.find(": ");
    auto line_colon = msg.rfind(':', colon == std::string::npos ? 0 : colon - 1);
    if (colon != std::string::npos && line_colon != std::string::npos && line_colon < colon) {
      try {
        d.line = std::stoi(msg.substr(line_colon + 1, colon - line_colon - 1));
        d.file = msg.substr(0, line_colon);
        d.message = msg.substr(colon + 2);
      } catch (...) {
      }
    }
    return {d};
  }
}

}  // namespace kefu
