// kefu._kefu: tone.
#include "module.hpp"

namespace py = pybind11;

void bind_tone(py::module_& m) { (void)m; }
