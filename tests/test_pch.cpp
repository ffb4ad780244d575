// Empty: the translation unit that builds the tests' shared precompiled
// header (tests/CMakeLists.txt, switchboard_test_pch).
