"""Builds kefu's compiled module with CMake for pip (Debian's pip and setuptools):

    /usr/bin/python3 -m pip install --no-build-isolation --break-system-packages .

KEFU_BUILD_DIR points at an existing CMake build to reuse (setup.sh sets it); otherwise the
module is built in build/pip. Metadata lives in pyproject.toml.
"""
import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(os.environ.get("KEFU_BUILD_DIR") or ROOT / "build" / "pip")
        if not (build_dir / "CMakeCache.txt").exists():
            subprocess.check_call([
                "cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
                "-DCMAKE_BUILD_TYPE=RelWithDebInfo", "-DKEFU_BUILD_TESTS=OFF", "-DKEFU_BUILD_CLI=OFF",
                f"-DPython3_EXECUTABLE={sys.executable}",
            ])
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_kefu"])
        built = next((build_dir / "python" / "kefu").glob("_kefu*.so"))
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built, target)


setup(ext_modules=[Extension("kefu._kefu", sources=[])], cmdclass={"build_ext": CMakeBuild})
