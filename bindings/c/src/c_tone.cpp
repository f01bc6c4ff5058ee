// C ABI: tone.
#include "c_common.hpp"
