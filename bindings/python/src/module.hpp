// Internal: the parts of kefu._kefu, one file each.
#pragma once
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>

#include "kefu/locale.hpp"
#include "kefu/logging.hpp"
#include "kefu/render.hpp"
#include "kefu/vocabulary.hpp"

// Argument helpers every part shares (module.cpp); each throws kefu::Error naming the bad value.
kefu::LogLevel log_level_arg(const std::string& level);                   // "trace" … "off"
kefu::Channel channel_arg(const std::string& channel);                    // "plain", "markdown", "html"
std::optional<kefu::Locale> locale_arg(const std::optional<std::string>& locale);  // None or "" → guess
kefu::Variables vars_arg(const std::optional<pybind11::dict>& vars);      // None values are skipped

// Holds a Python callable so that it is copied and destroyed only with the GIL held.
struct PyCallable {
  std::shared_ptr<pybind11::object> fn;
  explicit PyCallable(pybind11::object f);
};

void bind_tone(pybind11::module_& m);       // module_tone.cpp
void bind_customers(pybind11::module_& m);  // module_customers.cpp
