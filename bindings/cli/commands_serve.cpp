// kefu serve — the local HTTP service (adapters/python/kefu_serve, on Debian's python3-aiohttp).
//
// The service is Python on the kefu bindings; this command finds the interpreter and the package
// and replaces itself with `python3 -m kefu_serve serve ...`, passing the global options along.
// Where it looks for the package, first match wins:
//   $KEFU_SERVE_PATH; <exe>/../../python (a build tree: build/bindings/cli/kefu → build/python);
//   <exe>/../share/kefu/python (an install: /usr/local/bin/kefu → /usr/local/share/kefu/python);
//   an installed kefu_serve package; the source tree the command was built from.
// The interpreter: $KEFU_PYTHON, else the one the build used (Debian's /usr/bin/python3).
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli.hpp"

#ifndef KEFU_PYTHON_EXECUTABLE
#define KEFU_PYTHON_EXECUTABLE "/usr/bin/python3"
#endif
#ifndef KEFU_SOURCE_ADAPTERS_DIR
#define KEFU_SOURCE_ADAPTERS_DIR ""
#endif

namespace kefu::cli {
namespace {

namespace fs = std::filesystem;

struct ServeArgs {
  std::string host = "127.0.0.1";
  int port = 8787;
  std::string token;
  int workers = 1;
  std::size_t max_body = 256 * 1024;
  std::string agent_locale;
};

bool has_package(const fs::path& dir) {
  std::error_code ec;
  return fs::is_regular_file(dir / "kefu_serve" / "__main__.py", ec);
}

// Directories to put in front of PYTHONPATH, in order of preference.
std::vector<std::string> python_paths() {
  std::vector<std::string> out;
  if (const char* p = std::getenv("KEFU_SERVE_PATH"); p && *p) out.emplace_back(p);
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path dir = exe.parent_path();
    for (const fs::path& cand : {dir / ".." / ".." / "python", dir / ".." / "share" / "kefu" / "python"})
      if (has_package(cand)) out.push_back(fs::weakly_canonical(cand, ec).string());
  }
  std::string src = KEFU_SOURCE_ADAPTERS_DIR;
  if (!src.empty() && has_package(fs::path(src) / "python")) out.push_back((fs::path(src) / "python").string());
  return out;
}

[[noreturn]] void exec_service(const Globals& g, const ServeArgs& a, const std::vector<std::string>& extra) {
  std::string python = KEFU_PYTHON_EXECUTABLE;
  if (python.empty()) python = "/usr/bin/python3";
  if (const char* p = std::getenv("KEFU_PYTHON"); p && *p) python = p;

  std::string path;
  for (const auto& p : python_paths()) path += (path.empty() ? "" : ":") + p;
  if (const char* old = std::getenv("PYTHONPATH"); old && *old) path += (path.empty() ? "" : ":") + std::string(old);
  if (!path.empty()) setenv("PYTHONPATH", path.c_str(), 1);
  // The token travels in the environment, not on the command line other users can read in ps.
  if (!a.token.empty()) setenv("KEFU_TOKEN", a.token.c_str(), 1);

  std::vector<std::string> args = {python, "-m", "kefu_serve", "serve", "--host", a.host,
                                   "--port", std::to_string(a.port), "--workers", std::to_string(a.workers),
                                   "--max-body", std::to_string(a.max_body)};
  if (!a.agent_locale.empty()) args.insert(args.end(), {"--agent-locale", a.agent_locale});
  if (!g.template_dir.empty()) args.insert(args.end(), {"--templates", g.template_dir});
  if (g.no_bundled) args.emplace_back("--no-bundled");
  if (!g.db_path.empty()) args.insert(args.end(), {"--db", g.db_path});
  if (g.verbose) args.emplace_back("--verbose");
  args.insert(args.end(), extra.begin(), extra.end());

  std::vector<char*> argv;
  for (auto& s : args) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::cout.flush();
  execvp(argv[0], argv.data());
  std::cerr << "kefu serve: cannot run " << python << ": " << std::strerror(errno)
            << " (set KEFU_PYTHON to a Python 3 with the kefu package and python3-aiohttp)\n";
  std::exit(1);
}

}  // namespace

void add_serve_commands(CLI::App& app, Globals& g) {
  auto a = std::make_shared<ServeArgs>();
  auto* serve = app.add_subcommand(
      "serve",
      "local HTTP service: analyze, suggest, render, tone, customers and notes as JSON (OpenAPI at "
      "/openapi.json), the Chatwoot and Zendesk webhooks and the sidebar page");
  serve->add_option("--host", a->host, "address to bind")->capture_default_str();
  serve->add_option("--port", a->port, "port (0: any free port)")->capture_default_str();
  serve->add_option("--token", a->token, "bearer token clients must send (default: $KEFU_TOKEN)")
      ->envname("KEFU_TOKEN");
  serve->add_option("--workers", a->workers, "worker processes, each with its own engine, sharing the port")->capture_default_str();
  serve->add_option("--max-body", a->max_body, "largest request body in bytes (413 above)")->capture_default_str();
  serve->add_option("--agent-locale", a->agent_locale, "language of notes posted to helpdesks (zh-CN, zh-TW, zh-HK, en)");
  serve->footer(
      "Helpdesk options are passed to the service: --chatwoot-url URL --chatwoot-token T --chatwoot-secret S, "
      "--zendesk-url URL --zendesk-email E --zendesk-token T (or --zendesk-oauth T) --zendesk-secret S "
      "(or the KEFU_CHATWOOT_* and KEFU_ZENDESK_* variables); --allow-origin ORIGIN lets a helpdesk-hosted page "
      "call the service (CORS). See README.md, \"Installing kefu into your helpdesk\".");
  serve->allow_extras();
  serve->callback([&g, a, serve] {
    if (a->token.empty()) {
      std::cerr << "kefu serve: a bearer token is required: --token T or KEFU_TOKEN=T\n";
      throw CLI::RuntimeError(2);
    }
    exec_service(g, *a, serve->remaining());
  });
}

}  // namespace kefu::cli
