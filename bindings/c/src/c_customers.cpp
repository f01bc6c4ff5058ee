// C ABI: customers.
#include "c_common.hpp"
