// kefu._kefu: tone checks — Engine.check_tone(), Finding, ToneReport, lint_tone(), and an Engine
// constructor that takes a shop's tone rules (tone_overrides=...).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>

#include "kefu/chinese.hpp"
#include "kefu/engine.hpp"
#include "kefu/error.hpp"
#include "kefu/tone.hpp"
#include "module.hpp"

namespace py = pybind11;
using namespace kefu;

namespace {

// customer: None, the customer's message (str), or an Analysis from Engine.analyze().
ToneContext tone_context(const std::optional<std::string>& locale, const py::object& customer,
                         const std::string& channel) {
  ToneContext ctx;
  if (locale && !locale->empty()) ctx.locale = parse_locale(*locale);
  if (py::isinstance<py::str>(customer)) ctx.customer_message = customer.cast<std::string>();
  else if (py::isinstance<Analysis>(customer)) ctx.customer = customer.cast<Analysis>();
  else if (!customer.is_none())
    throw Error(ErrorCode::invalid_argument, "customer must be the customer's message (str) or an Analysis");
  ctx.channel = channel_arg(channel);
  return ctx;
}

}  // namespace

void bind_tone(py::module_& m) {
  py::class_<Finding>(m, "Finding")
      .def_property_readonly("rule", &Finding::rule)
      .def_property_readonly("category", [](const Finding& f) { return std::string(to_string(f.category)); })
      .def_property_readonly("severity", [](const Finding& f) { return std::string(to_string(f.severity)); })
      .def_readonly("start", &Finding::start)
      .def_readonly("end", &Finding::end)
      .def_readonly("start_byte", &Finding::start_byte)
      .def_readonly("end_byte", &Finding::end_byte)
      .def_readonly("start_utf16", &Finding::start_utf16)
      .def_readonly("end_utf16", &Finding::end_utf16)
      .def_readonly("text", &Finding::text)
      .def_property_readonly("message", &Finding::message)
      .def_property_readonly("suggestions", &Finding::suggestions)
      .def("__repr__", [](const Finding& f) {
        return "Finding(rule='" + f.rule() + "', severity='" + std::string(to_string(f.severity)) + "', start=" +
               std::to_string(f.start) + ", end=" + std::to_string(f.end) + ")";
      });

  py::class_<ToneReport>(m, "ToneReport")
      .def_readonly("score", &ToneReport::score)
      .def_readonly("findings", &ToneReport::findings)
      .def_property_readonly("locale", [](const ToneReport& r) { return std::string(locale_name(r.locale)); })
      .def_readonly("customer_upset", &ToneReport::customer_upset)
      .def_property_readonly("counts",
                             [](const ToneReport& r) {
                               std::map<std::string, int> counts;
                               for (std::size_t i = 0; i < kToneCategoryCount; ++i)
                                 counts[std::string(to_string(static_cast<ToneCategory>(i)))] = 0;
                               for (const auto& f : r.findings) ++counts[std::string(to_string(f.category))];
                               return counts;
                             })
      .def("to_json", [](const ToneReport& r) { return tone_report_to_json(r); })
      .def("__repr__", [](const ToneReport& r) {
        return "ToneReport(score=" + std::to_string(r.score) + ", findings=" + std::to_string(r.findings.size()) + ")";
      });

  auto engine = py::reinterpret_borrow<py::class_<Engine>>(m.attr("Engine"));
  engine.def(
      "check_tone",
      [](const Engine& e, const std::string& draft, std::optional<std::string> locale, py::object customer,
         const std::string& channel) {
        ToneContext ctx = tone_context(locale, customer, channel);
        py::gil_scoped_release release;
        return e.check_tone(draft, ctx);
      },
      py::arg("draft"), py::arg("locale") = py::none(), py::arg("customer") = py::none(), py::arg("channel") = "plain",
      "Checks an agent's draft; `customer` is the customer's message (str) or its Analysis.");
  engine.def(
      "tone_rules",
      [](const Engine& e) {
        py::list out;
        for (const auto& r : e.tone_checker().rules()) {
          py::dict d;
          d["id"] = r.id;
          d["locale"] = locale_name(r.locale);
          d["category"] = std::string(to_string(r.category));
          d["severity"] = std::string(to_string(r.severity));
          d["enabled"] = r.enabled;
          d["file"] = r.file;
          d["line"] = r.line;
          d["examples"] = r.examples;
          out.append(d);
        }
        return out;
      },
      "The tone rules in force: id, locale, category, severity, enabled, file, line, examples.");

  m.def(
      "lint_tone",
      [](std::optional<std::string> path, bool packs) {
        std::vector<SourceFile> files = path ? read_tone_path(*path) : std::vector<SourceFile>{};
        py::gil_scoped_release release;
        ChineseConverters chinese;
        Engine engine;  // analyses the customer messages of context-rule examples
        auto analyze = [&engine](std::string_view text, Locale l) { return engine.analyze(text, l); };
        return packs ? lint_tone(files, {}, chinese, analyze) : lint_tone(bundled_tone_files(), files, chinese, analyze);
      },
      py::arg("path") = py::none(), py::arg("packs") = false,
      "Lints tone rule files layered over the bundled packs (packs=True: `path` holds complete packs) and runs "
      "every rule's examples; returns Diagnostics (file, line, message).");
}
