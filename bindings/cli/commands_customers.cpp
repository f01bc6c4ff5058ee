// kefu customers | notes | reminders
#include "cli.hpp"

namespace kefu::cli {

void add_customer_commands(CLI::App& app, Globals& g) {
  (void)app;
  (void)g;
}

}  // namespace kefu::cli
