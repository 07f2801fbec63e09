"""`cmake --install` of this build (the install() rule of the top-level CMakeLists.txt).

  * the prefix receives exactly one file, bin/terraform-provider-dynamodb, executable;
  * the installed executable is this build's: `--version` prints the project version
    and the protocols, as the build's own does.

Environment: TPD_SOURCE_DIR, TPD_BUILD_DIR.
"""
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.environ.get("TPD_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("TPD_BUILD_DIR") or os.path.join(ROOT, "build")
EXE = "terraform-provider-dynamodb"


class Install(unittest.TestCase):
    def setUp(self):
        self.prefix = tempfile.mkdtemp(prefix="tpd-install.")
        self.addCleanup(shutil.rmtree, self.prefix, ignore_errors=True)

    def test_install_puts_the_executable_in_bin(self):
        r = subprocess.run(["cmake", "--install", BUILD, "--prefix", self.prefix],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        files = sorted(os.path.relpath(os.path.join(d, f), self.prefix)
                       for d, _, fs in os.walk(self.prefix) for f in fs)
        self.assertEqual(files, [os.path.join("bin", EXE)])
        installed = os.path.join(self.prefix, "bin", EXE)
        self.assertTrue(os.access(installed, os.X_OK))
        got = subprocess.run([installed, "--version"], capture_output=True, text=True,
                             stdin=subprocess.DEVNULL)
        want = subprocess.run([os.path.join(BUILD, EXE), "--version"], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        self.assertEqual(got.returncode, 0, got.stderr)
        self.assertEqual(got.stdout, want.stdout)
        self.assertRegex(got.stdout, r"^terraform-provider-dynamodb \d+\.\d+\.\d+\n")


if __name__ == "__main__":
    unittest.main()
