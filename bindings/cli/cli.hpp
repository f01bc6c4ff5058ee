// The kefu command: shared state of its subcommands.
#pragma once
#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "kefu/engine.hpp"

namespace kefu::cli {

/// Options every subcommand sees (given before the subcommand: `kefu --db PATH customers ...`).
struct Globals {
  std::string db_path;        ///< customer database
  std::string template_dir;   ///< extra packs
  bool no_bundled = false;
  bool verbose = false;
  /// The engine, opened on first use with the options above.
  Engine& engine();
  /// An engine of `o` with this command's logging: --verbose sends debug messages to stderr.
  std::unique_ptr<Engine> open_engine(EngineOptions o) const;

 private:
  std::unique_ptr<Engine> engine_;
};

/// Default database path: $KEFU_DB, else $XDG_DATA_HOME/kefu/kefu.db, else ~/.local/share/kefu/kefu.db.
std::string default_db_path();

// Each adds its subcommands to `app`.
void add_reply_commands(CLI::App& app, Globals& g);     // analyze, suggest, render, demo
void add_template_commands(CLI::App& app, Globals& g);  // templates lint|list
void add_tone_commands(CLI::App& app, Globals& g);      // tone
void add_customer_commands(CLI::App& app, Globals& g);  // customers, notes, reminders
void add_serve_commands(CLI::App& app, Globals& g);     // serve (adapters/python/kefu_serve)

/// Exit codes: 0 ok, 1 failure reported on stderr, 2 usage.
int report_error(const std::exception& e);

}  // namespace kefu::cli
