// kefu tone
#include "cli.hpp"

namespace kefu::cli {

void add_tone_commands(CLI::App& app, Globals& g) {
  (void)app;
  (void)g;
}

}  // namespace kefu::cli
