"""What the testbench vector generators (hdl/<ip>/tb/tbvec.py) share: where the repository and
the official vectors are, the command line (--out, --vectors, or FuseSoC's generator input file),
and the .core file a FuseSoC generator writes beside its output, and how an output file is
written (out_file). The vectors themselves are each generator's own."""
import argparse
import contextlib
import io
import os
import re
import sys

# this file is <repo>/scripts/tbvec_common.py
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@contextlib.contextmanager
def out_file(path):
    """Write a generated file: the text is collected, and the file is replaced (atomically, by a
    rename) only when it differs. A testbench that reads it while a generator runs again (the
    Verilog steps of scripts/test run side by side) sees the whole file, never a truncated one."""
    buf = io.StringIO()
    yield buf
    text = buf.getvalue()
    try:
        with open(path) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    tmp = "%s.tmp%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def vectors_dir(given, tag):
    """--vectors DIR, else $AIOTSEC_VECTORS, else <repo>/../shared/vectors."""
    d = given or os.environ.get("AIOTSEC_VECTORS") or os.path.join(REPO, "..", "shared", "vectors")
    if not os.path.isdir(d):
        sys.exit("tbvec (%s): ERROR: no vector directory %s" % (tag, d))
    return os.path.abspath(d)


def parse(description, vectors_help):
    """The generator's arguments and its output directory (created): the current directory when
    FuseSoC runs it with a generator input file, else --out (default <repo>/hdl/build)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", help="output directory (default <repo>/hdl/build)")
    ap.add_argument("--vectors", help=vectors_help)
    ap.add_argument("generator_input", nargs="?",
                    help="FuseSoC generator input file: write into the current directory plus a .core")
    args = ap.parse_args()
    if args.generator_input:
        out = os.getcwd()
    else:
        out = os.path.abspath(args.out or os.path.join(REPO, "hdl", "build"))
    os.makedirs(out, exist_ok=True)
    return args, out


def write_core(args, out, name, include, data_files, tag):
    """FuseSoC generator mode only: <out>/<name>.core naming the include file and the data files,
    under the VLNV that the generator input file asks for."""
    if not args.generator_input:
        return
    vlnv = None
    with open(args.generator_input) as f:
        for line in f:
            m = re.match(r"^vlnv:\s*['\"]?([^'\"\s]+)", line)
            if m:
                vlnv = m.group(1)
                break
    if vlnv is None:
        sys.exit("tbvec (%s): ERROR: no vlnv in the generator input %s" % (tag, args.generator_input))
    with out_file(os.path.join(out, name + ".core")) as f:
        f.write("CAPI=2:\n")
        f.write("name: %s\n" % vlnv)
        f.write("filesets:\n  vectors:\n    files:\n")
        f.write("      - %s: {is_include_file: true, file_type: verilogSource}\n" % include)
        for d in data_files:
            f.write("      - %s: {file_type: user}\n" % d)
        f.write("targets:\n  default:\n    filesets: [vectors]\n")
