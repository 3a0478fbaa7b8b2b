# CMake toolchain for `make check-mobile`, target x86_64-linux-android: zig cc instead of the Android NDK's clang (Linux system: no NDK to find).
# For type-checking only (docs/adr/0002-mobile-checks-without-ndk.md). scripts/check-mobile.sh
# points CMAKE_TOOLCHAIN_FILE_x86_64_linux_android here, which the cmake crate prefers over its own
# NDK/Xcode lookups; scripts/zigcc.sh reads ZIGCC_TARGET=x86_64-linux-android from the environment.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER "${CMAKE_CURRENT_LIST_DIR}/../zigcc.sh")
set(CMAKE_CXX_COMPILER "${CMAKE_CURRENT_LIST_DIR}/../zigcxx.sh")
set(CMAKE_ASM_COMPILER "${CMAKE_CURRENT_LIST_DIR}/../zigcc.sh")
set(CMAKE_AR "${CMAKE_CURRENT_LIST_DIR}/../zigar.sh" CACHE FILEPATH "zig ar" FORCE)
set(CMAKE_RANLIB "${CMAKE_CURRENT_LIST_DIR}/../zigranlib.sh" CACHE FILEPATH "zig ranlib" FORCE)
# We cannot link for the target (no bionic, no iOS SDK): let cmake's compiler probes stop
# at a static library instead of trying to link an executable.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
# Helper programs found by find_program run on the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
