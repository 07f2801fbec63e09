"""The release as users get it: scripts/package.sh's dist/ installed with the real terraform.

One Release build and package (scripts/package.sh, signed with a throwaway GPG key made in a
private GNUPGHOME), then:
  * the files: the zip holds exactly the executable (mode 0755), SHA256SUMS lists the zip and
    the manifest with their real hashes, the signature verifies and fails on a changed file,
    the manifest names the protocols the executable reports with --version;
  * the executable: links only the allowed shared libraries (an explicit list: a new shared
    dependency fails here), needs no newer glibc than docs/install.md says, is stripped and
    points to its debug file (name and CRC), answers --version, and refuses to run without
    Terraform's magic cookie;
  * installation from the network mirror served over HTTPS on 127.0.0.1 (a CA and a server
    certificate made here, trusted through SSL_CERT_FILE): `terraform providers lock
    -net-mirror` records the h1: hash the mirror lists, the zh: hash the mirror lists is the
    SUMS file's, Terraform accepts the package on either hash alone and refuses it when the
    hashes are wrong; then init, plan, apply of a table against the emulator, a no-change
    plan, destroy;
  * installation from a packed filesystem mirror (the zip alone in
    registry.terraform.io/firefly/dynamodb/): lock, init, apply, destroy.

Environment: TPD_SOURCE_DIR, TPD_BUILD_DIR (the package build goes to
$TPD_BUILD_DIR/release-package, kept between runs so that rebuilding is incremental).
"""
import datetime
import ipaddress
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import zipfile
import zlib

ROOT = os.environ.get("TPD_SOURCE_DIR") or os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.environ.get("TPD_BUILD_DIR") or os.path.join(ROOT, "build")
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))

from harness import PROVIDER_BLOCK, Emulator  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = "registry.terraform.io/firefly/dynamodb"

# What the release executable may load: glibc, and libcurl with the OpenSSL and zlib it
# loads anyway (docs/install.md says why these are not linked statically). Anything else
# is a new shared dependency that users would have to install.
ALLOWED_NEEDED = {
    "libc.so.6", "libm.so.6", "ld-linux-x86-64.so.2",
    "libcurl.so.4", "libssl.so.3", "libcrypto.so.3", "libz.so.1",
}


def run(cmd, check=True, **kw):
    p = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    if check and p.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)}: exit {p.returncode}\n{p.stdout[-4000:]}\n{p.stderr[-4000:]}")
    return p


def project_version():
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        m = re.search(r"project\(\s*terraform-provider-dynamodb\s+VERSION\s+([0-9.]+)", f.read())
    return m.group(1)


def make_pki(d):
    """A CA and a certificate for 127.0.0.1 signed by it (PEM files in d)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("tpd release test CA")).issuer_name(name("tpd release test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(valid[0]).not_valid_after(valid[1])
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                                       data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                       crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name("127.0.0.1")).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(valid[0]).not_valid_after(valid[1])
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(ca_key, hashes.SHA256()))
    paths = {n: os.path.join(d, n) for n in ("ca.pem", "server.pem", "server.key")}
    with open(paths["ca.pem"], "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.pem"], "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))
    with open(paths["server.key"], "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return paths


class HttpsMirror:
    """tests/release/https_server.py serving a directory on 127.0.0.1; stopped by PID."""

    def __init__(self, root, pki, log):
        self.log = log
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "https_server.py"), "--root", root,
                                      "--cert", pki["server.pem"], "--key", pki["server.key"], "--log", log],
                                     stdout=subprocess.PIPE, text=True)
        ready, _, _ = select.select([self.proc.stdout], [], [], 30)
        line = self.proc.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            self.stop()
            raise AssertionError(f"https_server.py did not start: {line!r}")
        self.url = f"https://127.0.0.1:{int(line.split()[1])}/"

    def requests(self):
        with open(self.log) as f:
            return f.read().splitlines()

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait()


class Release(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.mkdtemp(prefix="tpd-release.")
        cls.servers = []
        cls.emu = None
        cls.agent_pid = None
        cls.version = project_version()
        cls.gnupg = os.path.join(cls.work, "gnupg")
        os.mkdir(cls.gnupg, 0o700)
        cls.gpg_env = dict(os.environ, GNUPGHOME=cls.gnupg)
        try:
            run(["gpg", "--batch", "--passphrase", "", "--quick-gen-key",
                 "tpd release test <release-test@example.invalid>", "ed25519", "sign", "1d"], env=cls.gpg_env)
            listing = run(["gpg", "--batch", "--with-colons", "--list-secret-keys"], env=cls.gpg_env).stdout
            cls.fingerprint = [ln.split(":")[9] for ln in listing.splitlines() if ln.startswith("fpr:")][0]
            pid = run(["gpg-connect-agent", "getinfo pid", "/bye"], env=cls.gpg_env, check=False).stdout
            m = re.search(r"^D (\d+)", pid, re.M)
            cls.agent_pid = int(m.group(1)) if m else None

            cls.dist = os.path.join(cls.work, "dist")
            t0 = time.monotonic()
            run(["bash", os.path.join(ROOT, "scripts", "package.sh"), "--dist", cls.dist,
                 "--build-dir", os.path.join(BUILD, "release-package"), "--gpg-key", cls.fingerprint],
                env=cls.gpg_env, timeout=1200)
            print(f"package.sh: {time.monotonic() - t0:.1f} s", file=sys.stderr)
            v = cls.version
            cls.zip = os.path.join(cls.dist, f"terraform-provider-dynamodb_{v}_linux_amd64.zip")
            cls.sums = os.path.join(cls.dist, f"terraform-provider-dynamodb_{v}_SHA256SUMS")
            cls.manifest = os.path.join(cls.dist, f"terraform-provider-dynamodb_{v}_manifest.json")
            cls.debug = os.path.join(cls.dist, f"terraform-provider-dynamodb_v{v}.debug")
            cls.mirror = os.path.join(cls.dist, "mirror")
            cls.exe_name = f"terraform-provider-dynamodb_v{v}"
            cls.exe = os.path.join(cls.work, "unzipped", cls.exe_name)
            with zipfile.ZipFile(cls.zip) as z:
                z.extractall(os.path.join(cls.work, "unzipped"))
            os.chmod(cls.exe, 0o755)
            cls.pki = make_pki(cls.work)
            cls.emu = Emulator(cls.work)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for s in cls.servers:
            s.stop()
        if cls.emu:
            cls.emu.stop()
        if cls.agent_pid:
            try:
                os.kill(cls.agent_pid, 15)
            except ProcessLookupError:
                pass
        if not os.environ.get("TPD_E2E_KEEP"):
            shutil.rmtree(cls.work, ignore_errors=True)

    # -- helpers ----------------------------------------------------------------------

    def sums_entries(self):
        with open(self.sums) as f:
            return {name: digest for digest, name in (ln.split("  ", 1) for ln in f.read().splitlines())}

    def version_doc(self):
        with open(os.path.join(self.mirror, SOURCE, f"{self.version}.json")) as f:
            return json.load(f)

    def tf_env(self, cli_config, **extra):
        env = dict(os.environ)
        for k in ("TF_LOG", "TF_LOG_PATH", "TF_LOG_PROVIDER", "TF_PLUGIN_CACHE_DIR", "AWS_PROFILE",
                  "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "SSL_CERT_FILE", "SSL_CERT_DIR"):
            env.pop(k, None)
        env.update(self.emu.env, CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1", TF_CLI_CONFIG_FILE=cli_config,
                   AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true", AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", **extra)
        return env

    def workdir(self, name, table):
        d = os.path.join(self.work, name)
        os.makedirs(d)
        with open(os.path.join(d, "main.tf"), "w") as f:
            f.write(PROVIDER_BLOCK % {"endpoint": self.emu.endpoint})
            f.write(f'''
resource "dynamodb_ttl_table" "t" {{
  name     = "{table}"
  hash_key = {{ name = "id", type = "S" }}
  ttl      = {{ attribute_name = "expires_at", enabled = true }}
  deletion_protection_enabled = false
}}
''')
        return d

    def cli_config(self, name, installation):
        path = os.path.join(self.work, f"{name}.tfrc")
        with open(path, "w") as f:
            # No direct {} block: the mirror is the only place Terraform may install from.
            f.write(f"provider_installation {{\n{installation}\n}}\n")
        return path

    def tf(self, d, env, *args, check=0):
        p = subprocess.run(["terraform", f"-chdir={d}", *args, "-no-color"], env=env, capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, timeout=600)
        if check is not None and p.returncode != check:
            self.fail(f"terraform {' '.join(args)}: exit {p.returncode}, wanted {check}\n{p.stdout[-5000:]}"
                      f"\n{p.stderr[-5000:]}")
        return p

    def locked_hashes(self, d):
        with open(os.path.join(d, ".terraform.lock.hcl")) as f:
            text = f.read()
        block = re.search(r'provider "registry.terraform.io/firefly/dynamodb" \{(.*?)\n\}', text, re.S)
        self.assertIsNotNone(block, text)
        self.assertIn(f'version = "{self.version}"', block.group(1))
        return set(re.findall(r'"((?:h1|zh):[^"]+)"', block.group(1)))

    def installed_is_packaged(self, d):
        """The executable Terraform runs is the one in the zip, byte for byte."""
        path = os.path.join(d, ".terraform", "providers", SOURCE, self.version, "linux_amd64", self.exe_name)
        with open(path, "rb") as a, open(self.exe, "rb") as b:
            self.assertTrue(a.read() == b.read(), f"{path} differs from the zip's executable")
        self.assertTrue(os.access(path, os.X_OK))

    def apply_plan_destroy(self, d, env, table):
        p = self.tf(d, env, "plan", "-input=false", "-detailed-exitcode", check=2)
        self.assertIn("1 to add", p.stdout)
        self.tf(d, env, "apply", "-auto-approve", "-input=false")
        ddb = self.emu.client("dynamodb")
        self.assertEqual(ddb.describe_table(TableName=table)["Table"]["TableStatus"], "ACTIVE")
        ttl = ddb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        self.assertEqual((ttl.get("TimeToLiveStatus"), ttl.get("AttributeName")), ("ENABLED", "expires_at"))
        self.tf(d, env, "plan", "-input=false", "-detailed-exitcode", check=0)
        self.tf(d, env, "destroy", "-auto-approve", "-input=false")
        self.assertNotIn(table, ddb.list_tables()["TableNames"])

    def serve(self, root, name):
        s = HttpsMirror(root, self.pki, os.path.join(self.work, f"{name}.requests.log"))
        self.servers.append(s)
        return s

    # -- the files ----------------------------------------------------------------------

    def test_dist_holds_the_release_files(self):
        v = self.version
        self.assertEqual(sorted(os.listdir(self.dist)), sorted([
            "mirror", f"terraform-provider-dynamodb_{v}_linux_amd64.zip",
            f"terraform-provider-dynamodb_{v}_SHA256SUMS", f"terraform-provider-dynamodb_{v}_SHA256SUMS.sig",
            f"terraform-provider-dynamodb_{v}_manifest.json", f"terraform-provider-dynamodb_v{v}.debug"]))
        mirror = os.path.join(self.mirror, SOURCE)
        self.assertEqual(sorted(os.listdir(mirror)),
                         sorted(["index.json", f"{v}.json", os.path.basename(self.zip)]))
        with open(os.path.join(mirror, "index.json")) as f:
            self.assertEqual(json.load(f), {"versions": {v: {}}})
        with open(os.path.join(mirror, os.path.basename(self.zip)), "rb") as a, open(self.zip, "rb") as b:
            self.assertTrue(a.read() == b.read())

    def test_zip_holds_exactly_the_executable(self):
        with zipfile.ZipFile(self.zip) as z:
            infos = z.infolist()
        self.assertEqual([i.filename for i in infos], [self.exe_name])
        mode = infos[0].external_attr >> 16
        self.assertEqual(oct(mode), oct(0o100755), "a regular file with mode 0755")

    def test_sums_and_manifest(self):
        import hashlib

        def sha(path):
            with open(path, "rb") as f:
                return hashlib.sha256(f.read()).hexdigest()

        self.assertEqual(self.sums_entries(), {os.path.basename(self.zip): sha(self.zip),
                                               os.path.basename(self.manifest): sha(self.manifest)})
        with open(self.manifest) as f:
            self.assertEqual(json.load(f), {"version": 1, "metadata": {"protocol_versions": ["6.0", "5.0"]}})

    def test_signature_verifies_and_detects_changes(self):
        run(["gpg", "--batch", "--verify", self.sums + ".sig", self.sums], env=self.gpg_env)
        changed = os.path.join(self.work, "SHA256SUMS.changed")
        with open(self.sums) as f, open(changed, "w") as g:
            g.write(f.read().replace(os.path.basename(self.zip), "terraform-provider-dynamodb_9.9.9_linux_amd64.zip"))
        p = run(["gpg", "--batch", "--verify", self.sums + ".sig", changed], env=self.gpg_env, check=False)
        self.assertNotEqual(p.returncode, 0, "a signature that verifies a changed SUMS file")

    # -- the executable ---------------------------------------------------------------

    def test_version_output(self):
        p = run([self.exe, "--version"])
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0], f"terraform-provider-dynamodb {self.version}")
        head = run(["git", "-C", ROOT, "rev-parse", "HEAD"]).stdout.strip()
        self.assertRegex(lines[1], rf"^commit {head}(-dirty)?$")
        with open(self.manifest) as f:
            protocols = json.load(f)["metadata"]["protocol_versions"]
        self.assertEqual(lines[2], "protocol versions " + " ".join(protocols))
        self.assertEqual(len(lines), 3)

    def test_run_by_hand_explains_and_fails(self):
        env = {k: v for k, v in os.environ.items() if k != "TF_PLUGIN_MAGIC_COOKIE"}
        p = run([self.exe], env=env, check=False, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("This binary is a plugin", p.stderr)
        self.assertIn("terraform init", p.stderr)
        self.assertEqual(p.stdout, "", "no handshake line without the magic cookie")

    def test_starts_again_with_glibcs_thread_cache_off(self):
        # provider/main.c: the plugin execs itself once with GLIBC_TUNABLES turning off
        # malloc's per-thread cache (read by glibc only at start), adding to what the user
        # set, and keeps a user's own cache setting. The image's initial environment
        # (/proc/PID/environ) shows what the running one was started with; ld.so splits
        # GLIBC_TUNABLES at ':' in place, so its entries appear one after the other.
        cookie = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2"
        cases = [(None, ["GLIBC_TUNABLES=glibc.malloc.tcache_count=0", "TPD_GLIBC_TUNABLES_SAVED=0"]),
                 ("glibc.malloc.arena_max=4", ["GLIBC_TUNABLES=glibc.malloc.arena_max=4", "glibc.malloc.tcache_count=0",
                                               "TPD_GLIBC_TUNABLES_SAVED=1glibc.malloc.arena_max=4"]),
                 ("glibc.malloc.tcache_count=3", ["GLIBC_TUNABLES=glibc.malloc.tcache_count=3"])]
        for given, want in cases:
            with self.subTest(given=given):
                env = {k: v for k, v in os.environ.items() if k not in ("GLIBC_TUNABLES", "TF_PLUGIN_MAGIC_COOKIE")}
                env.update(TF_PLUGIN_MAGIC_COOKIE=cookie, PLUGIN_PROTOCOL_VERSIONS="6", AWS_EC2_METADATA_DISABLED="true")
                env.pop("PLUGIN_CLIENT_CERT", None)
                if given:
                    env["GLIBC_TUNABLES"] = given
                p = subprocess.Popen([self.exe], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
                try:
                    line = p.stdout.readline()
                    self.assertRegex(line, r"^1\|6\|unix\|", "the handshake line, after starting again")
                    with open(f"/proc/{p.pid}/environ", "rb") as f:
                        started = [e.decode() for e in f.read().split(b"\0") if e]
                    self.assertCountEqual([e for e in started if "TUNABLES" in e or e.startswith("glibc.")], want)
                finally:
                    p.terminate()
                    p.wait(timeout=30)
                    p.stdout.close()
                self.assertEqual(p.returncode, 0, "SIGTERM ends the provider cleanly")

    def test_links_only_allowed_shared_libraries(self):
        dyn = run(["readelf", "-d", self.exe]).stdout
        needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn))
        self.assertTrue(needed, dyn)
        self.assertLessEqual(needed, ALLOWED_NEEDED, f"new shared dependencies: {sorted(needed - ALLOWED_NEEDED)}")
        self.assertNotIn("RPATH", dyn)
        self.assertNotIn("RUNPATH", dyn)
        ldd = run(["ldd", self.exe]).stdout
        self.assertNotIn("not found", ldd)

    def test_glibc_floor_is_documented(self):
        syms = run(["objdump", "-T", self.exe]).stdout
        versions = {tuple(int(x) for x in m.split(".")) for m in re.findall(r"\bGLIBC_(\d+\.\d+(?:\.\d+)?)\b", syms)}
        needed = ".".join(str(x) for x in max(versions))
        with open(os.path.join(ROOT, "docs", "install.md")) as f:
            m = re.search(r"glibc (\d+\.\d+) or later", f.read())
        self.assertIsNotNone(m, "docs/install.md states the minimum glibc as 'glibc X.Y or later'")
        self.assertEqual(needed, m.group(1), "docs/install.md's minimum glibc is not what the executable needs")

    def test_stripped_and_linked_to_its_debug_file(self):
        sections = run(["readelf", "-S", "-W", self.exe]).stdout
        self.assertNotIn(".symtab", sections)
        self.assertNotIn(".debug_info", sections)
        dbg = run(["readelf", "-S", "-W", self.debug]).stdout
        self.assertIn(".debug_info", dbg)
        self.assertIn(".symtab", dbg)
        link = run(["objcopy", "--dump-section", f".gnu_debuglink={self.work}/debuglink", self.exe,
                    os.path.join(self.work, "scratch")])
        del link
        with open(os.path.join(self.work, "debuglink"), "rb") as f:
            raw = f.read()
        name = raw[:raw.index(b"\0")].decode()
        crc = int.from_bytes(raw[-4:], "little")
        self.assertEqual(name, os.path.basename(self.debug))
        with open(self.debug, "rb") as f:
            self.assertEqual(crc, zlib.crc32(f.read()) & 0xFFFFFFFF, "the debug link's CRC is not the debug file's")

        def build_id(path):
            return re.search(r"Build ID: ([0-9a-f]+)", run(["readelf", "-n", path]).stdout).group(1)

        self.assertEqual(build_id(self.exe), build_id(self.debug))

    # -- installing it ----------------------------------------------------------------

    def test_network_mirror_over_https(self):
        server = self.serve(self.mirror, "net")
        cfg = self.cli_config("net", f'  network_mirror {{\n    url = "{server.url}"\n  }}')
        env = self.tf_env(cfg, SSL_CERT_FILE=self.pki["ca.pem"])
        d = self.workdir("net", "release-net")

        self.tf(d, env, "providers", "lock", f"-net-mirror={server.url}", "-platform=linux_amd64")
        listed = set(self.version_doc()["archives"]["linux_amd64"]["hashes"])
        h1 = {h for h in listed if h.startswith("h1:")}
        # Terraform records the h1: hash it computes from the package it downloaded; it is
        # the one the mirror lists. The zh: hash the mirror lists is the SUMS file's.
        self.assertEqual(self.locked_hashes(d), h1)
        self.assertEqual({h for h in listed if h.startswith("zh:")},
                         {"zh:" + self.sums_entries()[os.path.basename(self.zip)]})
        self.assertEqual(len(listed), 2, listed)

        self.tf(d, env, "init", "-input=false")
        self.assertEqual(self.locked_hashes(d), h1)
        self.installed_is_packaged(d)
        zip_path = f"/{SOURCE}/{os.path.basename(self.zip)}"
        self.assertIn(f"GET {zip_path} 200", server.requests())
        self.apply_plan_destroy(d, env, "release-net")

    def test_network_mirror_hashes_are_checked(self):
        # Terraform accepts a package from a network mirror when it matches one of the
        # hashes the mirror lists: each of ours alone must be right, and wrong ones refused.
        listed = self.version_doc()["archives"]["linux_amd64"]["hashes"]
        zh = [h for h in listed if h.startswith("zh:")]
        h1 = [h for h in listed if h.startswith("h1:")]
        wrong_zh = "zh:" + "0" * 64
        wrong_h1 = "h1:" + "A" * 43 + "="
        for name, hashes, ok in (("only-zh", zh, True), ("only-h1", h1, True), ("wrong", [wrong_h1, wrong_zh], False)):
            with self.subTest(name):
                root = os.path.join(self.work, f"mirror-{name}")
                shutil.copytree(self.mirror, root)
                doc = self.version_doc()
                doc["archives"]["linux_amd64"]["hashes"] = hashes
                with open(os.path.join(root, SOURCE, f"{self.version}.json"), "w") as f:
                    json.dump(doc, f)
                server = self.serve(root, name)
                cfg = self.cli_config(name, f'  network_mirror {{\n    url = "{server.url}"\n  }}')
                env = self.tf_env(cfg, SSL_CERT_FILE=self.pki["ca.pem"])
                d = self.workdir(f"hashes-{name}", f"release-{name}")
                p = self.tf(d, env, "init", "-input=false", check=None)
                if ok:
                    self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                    self.installed_is_packaged(d)
                else:
                    self.assertNotEqual(p.returncode, 0, p.stdout)
                    self.assertIn("checksums", " ".join((p.stdout + p.stderr).split()))
                server.stop()

    def test_packed_filesystem_mirror(self):
        root = os.path.join(self.work, "fs-mirror")
        os.makedirs(os.path.join(root, SOURCE))
        shutil.copy(self.zip, os.path.join(root, SOURCE))
        cfg = self.cli_config("fs", f'  filesystem_mirror {{\n    path = "{root}"\n  }}')
        env = self.tf_env(cfg)
        d = self.workdir("fs", "release-fs")
        self.tf(d, env, "providers", "lock", f"-fs-mirror={root}", "-platform=linux_amd64")
        h1 = {h for h in self.version_doc()["archives"]["linux_amd64"]["hashes"] if h.startswith("h1:")}
        self.assertEqual(self.locked_hashes(d), h1)
        self.tf(d, env, "init", "-input=false")
        self.assertEqual(self.locked_hashes(d), h1)
        self.installed_is_packaged(d)
        self.apply_plan_destroy(d, env, "release-fs")


if __name__ == "__main__":
    unittest.main()
