"""The scenario tests: each is one boot of QEMU with a given machine shape,
kernel command line and ESP contents, and what the serial log and the exit
status must show. tests/scenario/run.py runs them; CTest registers one test
per name (cmake/scenario_tests.cmake)."""

SCENARIOS = []
