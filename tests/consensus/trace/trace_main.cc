// The trace tests' runner: a console wide enough that the lines of a trace diff are not
// wrapped.
#define CATCH_CONFIG_CONSOLE_WIDTH 180
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
