// kefu._kefu: customers.
#include "module.hpp"

namespace py = pybind11;

void bind_customers(py::module_& m) { (void)m; }
