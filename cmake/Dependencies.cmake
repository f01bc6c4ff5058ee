# Every dependency comes from a Debian 12 package; setup.sh installs them (see DEBIAN_PACKAGES there).
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(SQLite3 REQUIRED)
find_package(Boost 1.74 REQUIRED)                     # header-only: Signals2
find_package(absl REQUIRED)                           # flat hash sets and maps (customer import)
find_package(simdjson REQUIRED)                       # JSON Lines rows of an import
pkg_check_modules(OPENCC REQUIRED IMPORTED_TARGET opencc)
pkg_check_modules(HYPERSCAN REQUIRED IMPORTED_TARGET libhs)
pkg_check_modules(UTF8PROC REQUIRED IMPORTED_TARGET libutf8proc)
find_package(OpenSSL REQUIRED)                        # HMAC for webhook signatures
if(KEFU_BUILD_CLI)
  find_package(CLI11 REQUIRED)
endif()
if(KEFU_BUILD_PYTHON)
  if(NOT Python3_EXECUTABLE)
    set(Python3_EXECUTABLE /usr/bin/python3)           # Debian's interpreter, the one with python3-* packages
  endif()
  find_package(Python3 REQUIRED COMPONENTS Interpreter Development.Module)
  find_package(pybind11 CONFIG REQUIRED)
endif()
if(KEFU_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
