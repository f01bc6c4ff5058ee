// kefu — command line for kefu's reply templates, tone checks and customer notes.
#include <cstdlib>
#include <iostream>

#include "cli.hpp"
#include "kefu/error.hpp"

namespace kefu::cli {

Engine& Globals::engine() {
  if (!engine_) {
    EngineOptions o;
    o.template_dir = template_dir;
    o.bundled_templates = !no_bundled;
    o.db_path = db_path;
    engine_ = open_engine(o);
  }
  return *engine_;
}

std::unique_ptr<Engine> Globals::open_engine(EngineOptions o) const {
  o.log_level = verbose ? LogLevel::debug : LogLevel::warn;
  auto engine = std::make_unique<Engine>(o);
  // Without a handler the engine logs warnings and errors only (customer data stays out of
  // stderr); --verbose asks for everything.
  if (verbose)
    engine->set_log_handler([](LogLevel level, std::string_view message) {
      static const char* const names[] = {"trace", "debug", "info", "warning", "error", "", "off"};
      std::cerr << "kefu: " << names[static_cast<int>(level)] << ": " << message << "\n";
    });
  return engine;
}

std::string default_db_path() {
  if (const char* p = std::getenv("KEFU_DB"); p && *p) return p;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/kefu/kefu.db";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.local/share/kefu/kefu.db";
  return "kefu.db";
}

int report_error(const std::exception& e) {
  if (auto* ke = dynamic_cast<const Error*>(&e))
    std::cerr << "kefu: " << error_code_name(ke->code()) << ": " << e.what() << "\n";
  else
    std::cerr << "kefu: " << e.what() << "\n";
  return 1;
}

}  // namespace kefu::cli

int main(int argc, char** argv) {
  using namespace kefu::cli;
  Globals g;
  g.db_path = default_db_path();
  CLI::App app{"kefu " + std::string(kefu::version_string()) +
               " — reply templates, tone checks and customer notes for shop customer service"};
  app.require_subcommand(1);
  app.set_version_flag("--version", kefu::version_string());
  app.add_option("--db", g.db_path, "customer database (SQLite)")->capture_default_str();
  app.add_option("--templates", g.template_dir, "extra template pack directory, over the bundled packs");
  app.add_flag("--no-bundled", g.no_bundled, "serve only the packs of --templates");
  app.add_flag("-v,--verbose", g.verbose, "log debug messages to stderr");
  add_reply_commands(app, g);
  add_template_commands(app, g);
  add_tone_commands(app, g);
  add_customer_commands(app, g);
  add_serve_commands(app, g);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    return report_error(e);
  }
  return 0;
}
