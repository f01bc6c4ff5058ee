// Internal: the parts of kefu._kefu, one file each.
#pragma once
#include <pybind11/pybind11.h>

void bind_tone(pybind11::module_& m);       // module_tone.cpp
void bind_customers(pybind11::module_& m);  // module_customers.cpp
