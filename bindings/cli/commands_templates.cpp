// kefu templates lint|list
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli.hpp"
#include "kefu/error.hpp"

namespace kefu::cli {

void add_template_commands(CLI::App& app, Globals& g) {
  auto* templates = app.add_subcommand("templates", "check and list template packs");
  templates->require_subcommand(1);

  auto dir = std::make_shared<std::string>();
  auto* lint = templates->add_subcommand("lint", "check pack files; prints file:line: reason for each problem");
  lint->add_option("dir", *dir, "pack directory (default: the bundled packs)");
  lint->callback([dir] {
    auto files = dir->empty() ? bundled_pack_files() : read_pack_dir(*dir);
    auto diags = lint_packs(files);
    for (const auto& d : diags) std::cout << d.to_string() << "\n";
    std::cerr << files.size() << " file(s), " << diags.size() << " problem(s)\n";
    if (!diags.empty()) throw CLI::RuntimeError(1);
  });

  auto list_locale = std::make_shared<std::string>();
  auto list_json = std::make_shared<bool>(false);
  auto* list = templates->add_subcommand("list", "list templates");
  list->add_option("-l,--locale", *list_locale, "only this locale");
  list->add_flag("--json", *list_json, "print JSON");
  list->callback([&g, list_locale, list_json] {
    std::optional<Locale> loc;
    if (!list_locale->empty()) loc = data_locale(parse_locale(*list_locale));
    nlohmann::json out = nlohmann::json::array();
    for (const auto& t : g.engine().templates().all()) {
      if (loc && t.locale != *loc) continue;
      std::string intents;
      nlohmann::json ji = nlohmann::json::array();
      for (auto i : t.intents) {
        intents += (intents.empty() ? "" : ",") + std::string(to_string(i));
        ji.push_back(to_string(i));
      }
      if (*list_json) {
        out.push_back({{"id", t.id}, {"locale", locale_name(t.locale)}, {"intents", ji}, {"shortcut", t.shortcut},
                       {"tags", t.tags}, {"use", t.outreach ? "outreach" : "reply"}, {"text", t.text}});
      } else {
        std::cout << locale_name(t.locale) << "\t" << t.id << "\t" << intents << "\t" << t.shortcut << "\n";
      }
    }
    if (*list_json) std::cout << nlohmann::json{{"templates", out}}.dump() << "\n";
  });
}

}  // namespace kefu::cli
