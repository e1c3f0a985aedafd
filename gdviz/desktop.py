"""Put gdviz in the user's desktop menu: launcher, icons and the .gdviz file type, for one user.

Follows the freedesktop.org specifications (desktop entry, icon theme, shared-mime-info) under
$XDG_DATA_HOME, so it works on GNOME, KDE, Xfce and the rest. No Qt here: `gdviz
--install-desktop` runs before any window exists, and on a machine where no window can open.
"""
from __future__ import annotations

import importlib.machinery
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .model.files import atomic_write_bytes, atomic_write_text
from .paths import ICON_SIZES, resources_dir

APP_ID = "gdviz"
DESKTOP_FILE = f"{APP_ID}.desktop"
MIME_TYPE = "application/x-gdviz-session"
MIME_ICON = MIME_TYPE.replace("/", "-")     # the icon name the spec derives from the type
TOOL_TIMEOUT = 30.0                         # seconds; a cache rebuild takes well under one
# Arguments with these characters must be quoted in Exec (desktop entry spec, "The Exec key").
_RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class DesktopReport:
    """What an install or uninstall did: files written (or removed), commands run, and notes."""
    action: str                       # "install" or "uninstall"
    data_home: Path
    files: tuple[Path, ...] = ()
    tools: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    exec_line: str = ""               # the launcher's Exec value (install only)

    def lines(self) -> list[str]:
        """A short account for the terminal: icons summed up, every other file named."""
        verb = "wrote" if self.action == "install" else "removed"
        icons = [p for p in self.files if "icons" in p.relative_to(self.data_home).parts[:1]]
        out = [f"gdviz: {self.action} for this user under {self.data_home}"]
        out += [f"  {verb} {p.relative_to(self.data_home)}" for p in self.files if p not in icons]
        if icons:
            out.append(f"  {verb} {len(icons)} icons under icons/hicolor")
        if not self.files:
            out.append(f"  nothing to {'write' if self.action == 'install' else 'remove'}")
        if self.exec_line:
            out.append(f"  the launcher runs: {self.exec_line}")
        out += [f"  ran {t}" for t in self.tools]
        out += [f"  note: {n}" for n in self.notes]
        return out


# ----------------------------------------------------------------------------------- where things go

def user_data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share; the spec says a relative value is to be ignored."""
    value = os.environ.get("XDG_DATA_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def user_config_home() -> Path:
    value = os.environ.get("XDG_CONFIG_HOME", "")
    return Path(value) if os.path.isabs(value) else Path.home() / ".config"


def _layout(data_home: Path) -> dict[Path, str]:
    """Every file the install writes, with its source under resources/ ("" for the launcher,
    which is generated). Uninstall removes exactly these paths."""
    hicolor = data_home / "icons" / "hicolor"
    out = {data_home / "applications" / DESKTOP_FILE: "",
           data_home / "mime" / "packages" / f"{APP_ID}.xml": "gdviz-mime.xml"}
    for n in ICON_SIZES:
        out[hicolor / f"{n}x{n}" / "apps" / f"{APP_ID}.png"] = f"icons/png/gdviz-{n}.png"
        out[hicolor / f"{n}x{n}" / "mimetypes" / f"{MIME_ICON}.png"] = f"icons/png/gdviz-{n}.png"
    out[hicolor / "scalable" / "apps" / f"{APP_ID}.svg"] = "icons/gdviz.svg"
    out[hicolor / "scalable" / "mimetypes" / f"{MIME_ICON}.svg"] = "icons/gdviz.svg"
    return out


# ----------------------------------------------------------------------------------- the launcher

def launch_command() -> list[str]:
    """How this gdviz was started, as a command a launcher can run without a shell or a PATH."""
    if getattr(sys, "frozen", False):               # PyInstaller: the executable is the app
        return [os.path.abspath(sys.executable)]
    script = _this_gdviz_script()
    if script is not None:
        return [script]
    return [os.path.abspath(sys.executable), "-m", "gdviz"]


def _this_gdviz_script() -> str | None:
    """The `gdviz` script on PATH, if its interpreter is the one running now (so it starts this
    installation, not another virtualenv's or the system's gdviz)."""
    found = shutil.which(APP_ID)
    if found is None or not sys.executable:
        return None
    try:
        with open(os.path.realpath(found), "rb") as handle:
            head = handle.read(1024).split(b"\n")
    except OSError:
        return None
    if not head[0].startswith(b"#!"):
        return None
    interpreter = head[0][2:].strip()
    # pip's form for interpreter paths with spaces: #!/bin/sh, then '''exec' "/path/python" "$0" ...
    if len(head) > 1 and head[1].startswith(b"'''exec' \"") and b'"' in head[1][10:]:
        interpreter = head[1][10:].split(b'"', 1)[0]
    path = os.fsdecode(interpreter)
    here = sys.executable
    same = os.path.abspath(path) == os.path.abspath(here) or (
        # a venv's bin/python is a symlink to the base Python (so compare folders, not targets),
        # and a venv's bin folder holds one Python (unlike /usr/bin)
        os.path.isabs(path) and os.path.isfile(os.path.join(os.path.dirname(here), "..", "pyvenv.cfg"))
        and os.path.realpath(os.path.dirname(path)) == os.path.realpath(os.path.dirname(here)))
    return os.path.abspath(found) if same else None


def _working_dir_for(command: Sequence[str]) -> Path | None:
    """For `python -m gdviz` from a source checkout that is not installed: the folder holding the
    package, since `-m` finds it only from there (the launcher's Path key)."""
    if len(command) < 3 or list(command[-2:]) != ["-m", "gdviz"]:
        return None
    package = Path(__file__).resolve().parent
    try:
        cwd = Path.cwd().resolve()
    except OSError:
        cwd = None
    elsewhere = [p for p in sys.path if p and Path(p).resolve() != cwd]
    spec = importlib.machinery.PathFinder.find_spec("gdviz", elsewhere)
    if spec is not None and spec.origin and Path(spec.origin).resolve().parent == package:
        return None
    return package.parent


def quote_exec_arg(arg: str) -> str:
    """One argument as the desktop entry spec wants it in Exec (before string escaping)."""
    arg = arg.replace("%", "%%")                     # a lone % would start a field code
    if arg and not _RESERVED.intersection(arg):
        return arg
    return '"' + "".join("\\" + c if c in '"`$\\' else c for c in arg) + '"'


def _escape_string(value: str) -> str:
    """A key file string value: backslashes and control characters escaped (applied after the
    Exec quoting, as the spec says, so a literal backslash in a quoted argument is four)."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


def exec_value(command: Sequence[str]) -> str:
    """The Exec value that runs `command` on the file the user opened (%f: one file or none)."""
    if not command or not all(command):
        raise ValueError("the launch command is empty")
    return _escape_string(" ".join(quote_exec_arg(a) for a in command) + " %f")


def desktop_entry(template: str, command: Sequence[str], working_dir: Path | None = None) -> str:
    """The template launcher with Exec (and TryExec, Path) set for `command`."""
    extra = [f"Exec={exec_value(command)}"]
    if os.path.isabs(command[0]):
        # The menu hides the entry if the program is gone (a deleted venv), rather than failing.
        extra.append(f"TryExec={_escape_string(command[0])}")
    if working_dir is not None:
        extra.append(f"Path={_escape_string(str(working_dir))}")
    out = ["# Written by `gdviz --install-desktop`; `gdviz --uninstall-desktop` removes it."]
    group = ""
    for line in template.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            group = stripped
        key = stripped.split("=", 1)[0].strip() if "=" in stripped and not stripped.startswith("#") else ""
        if stripped.startswith("#") or (group == "[Desktop Entry]" and key in ("TryExec", "Path")):
            continue                        # the template's notes are for its readers, not the menu
        if group == "[Desktop Entry]" and key == "Exec":
            out += extra
            continue
        out.append(line)
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------------- writing

def _run_tool(args: Sequence[str], env: dict[str, str], tools: list[str], notes: list[str]) -> None:
    """Run a desktop database tool if it is installed. Never raises: the files are in place
    either way, and desktops rescan them at the next login."""
    exe = shutil.which(args[0])
    shown = " ".join(args)
    if exe is None:
        notes.append(f"{args[0]} is not installed: skipped (the desktop picks the change up at next login)")
        return
    try:
        done = subprocess.run([exe, *args[1:]], env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=TOOL_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        notes.append(f"{shown}: stopped after {TOOL_TIMEOUT:g} s")
        return
    except OSError as exc:
        notes.append(f"{shown}: could not run ({exc.strerror or exc})")
        return
    if done.returncode == 0:
        tools.append(shown)
    else:
        first = (done.stderr or done.stdout).decode(errors="replace").strip().splitlines()
        notes.append(f"{shown}: exit status {done.returncode}" + (f" ({first[0]})" if first else ""))


def _refresh(data_home: Path, tools: list[str], notes: list[str]) -> None:
    """Rebuild the caches that menus, file managers and icon themes read."""
    env = dict(os.environ, XDG_DATA_HOME=str(data_home))
    if (data_home / "mime" / "packages").is_dir():
        _run_tool(["update-mime-database", str(data_home / "mime")], env, tools, notes)
    if (data_home / "applications").is_dir():
        _run_tool(["update-desktop-database", str(data_home / "applications")], env, tools, notes)
    if (data_home / "icons" / "hicolor").is_dir():
        _run_tool(["gtk-update-icon-cache", "-f", "-t", str(data_home / "icons" / "hicolor")], env,
                  tools, notes)


def _is_user_home(data_home: Path) -> bool:
    """Whether data_home is where this user's desktop looks (so user-wide settings may change)."""
    return os.path.abspath(data_home) == os.path.abspath(user_data_home())


def install_desktop(data_home: Path | None = None, command: list[str] | None = None) -> DesktopReport:
    """Install the launcher, icons and MIME type for the current user (again: same result).

    `command` is what the launcher runs (default: how this gdviz was started). Raises OSError if
    a file cannot be read or written; a missing or failing cache tool is only a note.
    """
    if sys.platform in ("win32", "darwin"):
        raise OSError("--install-desktop is for Linux and BSD desktops (freedesktop.org menus)")
    data_home = Path(data_home) if data_home is not None else user_data_home()
    resources = resources_dir()
    layout = _layout(data_home)
    launch = list(command) if command is not None else launch_command()
    working_dir = _working_dir_for(launch) if command is None else None
    # Read everything first: a missing resource fails the install before a single file is written.
    contents: dict[Path, bytes] = {}
    for dest, source in layout.items():
        if source:
            contents[dest] = (resources / source).read_bytes()
    template = (resources / "gdviz.desktop").read_text(encoding="utf-8")
    entry = desktop_entry(template, launch, working_dir)
    notes: list[str] = []
    if working_dir is not None:
        notes.append(f"gdviz is not installed, so the launcher runs it from {working_dir}; "
                     "after `pip install .` run --install-desktop again")
    for dest in layout:
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest in contents:
            atomic_write_bytes(dest, contents[dest])
        else:
            atomic_write_text(dest, entry)
    tools: list[str] = []
    _refresh(data_home, tools, notes)
    if _is_user_home(data_home):
        # Double-clicking a .gdviz file opens gdviz even where another app claims JSON.
        _run_tool(["xdg-mime", "default", DESKTOP_FILE, MIME_TYPE], dict(os.environ), tools, notes)
    else:
        notes.append(f"{data_home} is not this user's data folder: gdviz was not made the default "
                     "app for .gdviz files")
    exec_line = next(line[5:] for line in entry.splitlines() if line.startswith("Exec="))
    return DesktopReport("install", data_home, tuple(layout), tuple(tools), tuple(notes), exec_line)


def uninstall_desktop(data_home: Path | None = None) -> DesktopReport:
    """Remove exactly the files install_desktop writes (others in the same folders stay), and
    gdviz's default-app entry for .gdviz files; then rebuild the caches."""
    data_home = Path(data_home) if data_home is not None else user_data_home()
    removed: list[Path] = []
    for dest in _layout(data_home):
        if dest.is_file() or dest.is_symlink():
            dest.unlink()
            removed.append(dest)
    tools: list[str] = []
    notes: list[str] = []
    _refresh(data_home, tools, notes)
    if _is_user_home(data_home):
        mimeapps = user_config_home() / "mimeapps.list"
        if _forget_default_app(mimeapps):
            notes.append(f"removed gdviz as the default app for .gdviz files from {mimeapps}")
    return DesktopReport("uninstall", data_home, tuple(removed), tuple(tools), tuple(notes))


def _forget_default_app(mimeapps: Path) -> bool:
    """Take gdviz.desktop out of the MIME type's line in mimeapps.list (as `xdg-mime default`
    wrote it); other types, other apps and the rest of the file stay as they are."""
    try:
        text = mimeapps.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    out: list[str] = []
    group, changed = "", False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("["):
            group = stripped
        key, sep, value = stripped.partition("=")
        if (sep and key.strip() == MIME_TYPE
                and group in ("[Default Applications]", "[Added Associations]")):
            apps = [a for a in value.strip().split(";") if a]
            if DESKTOP_FILE in apps:
                changed = True
                apps = [a for a in apps if a != DESKTOP_FILE]
                if not apps:
                    continue
                line = f"{MIME_TYPE}={';'.join(apps)};\n"
        out.append(line)
    if changed:
        atomic_write_text(mimeapps, "".join(out))
    return changed
