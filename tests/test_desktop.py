"""--install-desktop / --uninstall-desktop: launcher, icons and MIME type under a temporary
XDG_DATA_HOME. No update tool ever runs against the real home: shutil.which is patched, or the
tools get a temporary folder explicitly."""
from __future__ import annotations

import configparser
import os
import shutil
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from gdviz import desktop
from gdviz.app import main
from gdviz.desktop import (
    DESKTOP_FILE,
    MIME_ICON,
    MIME_TYPE,
    DesktopReport,
    exec_value,
    install_desktop,
    quote_exec_arg,
    uninstall_desktop,
)
from gdviz.paths import ICON_SIZES, icon_pngs, resources_dir

MIME_NS = "{http://www.freedesktop.org/standards/shared-mime-info}"


@pytest.fixture
def no_tools(monkeypatch: pytest.MonkeyPatch) -> None:
    """No desktop tool is found (and `gdviz` on PATH neither): nothing outside tmp_path is touched."""
    monkeypatch.setattr(desktop.shutil, "which", lambda *a, **k: None)


@pytest.fixture
def homes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_tools: None) -> Path:
    """This user's data and config folders, both in tmp_path; returns the data folder."""
    data = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    return data


def expected_files(data: Path) -> set[Path]:
    hicolor = data / "icons" / "hicolor"
    out = {data / "applications" / "gdviz.desktop", data / "mime" / "packages" / "gdviz.xml",
           hicolor / "scalable" / "apps" / "gdviz.svg",
           hicolor / "scalable" / "mimetypes" / "application-x-gdviz-session.svg"}
    for n in ICON_SIZES:
        out.add(hicolor / f"{n}x{n}" / "apps" / "gdviz.png")
        out.add(hicolor / f"{n}x{n}" / "mimetypes" / "application-x-gdviz-session.png")
    return out


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str          # desktop entry keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def split_exec(value: str) -> list[str]:
    """Undo the desktop entry spec's escaping: string value first, then Exec's quoting."""
    unescaped, i = [], 0
    while i < len(value):
        c = value[i]
        if c == "\\" and i + 1 < len(value):
            unescaped.append({"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}[value[i + 1]])
            i += 2
        else:
            unescaped.append(c)
            i += 1
    text, args, cur, quoted, i = "".join(unescaped), [], [], False, 0
    while i < len(text):
        c = text[i]
        if quoted and c == "\\":
            cur.append(text[i + 1])
            i += 2
            continue
        if c == '"':
            quoted = not quoted
        elif c == " " and not quoted:
            args.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    args.append("".join(cur))
    return [a.replace("%%", "%") for a in args]


# ---------------------------------------------------------------------------------- resources

def test_resource_launcher_and_mime_xml_are_valid() -> None:
    entry = read_entry(resources_dir() / "gdviz.desktop")
    assert entry["Exec"] == "gdviz %f" and entry["MimeType"] == f"{MIME_TYPE};"
    assert entry["StartupWMClass"] == "gdviz" and entry["Icon"] == "gdviz"
    root = ET.parse(resources_dir() / "gdviz-mime.xml").getroot()
    assert root.find(f"{MIME_NS}mime-type").get("type") == MIME_TYPE


def test_icon_pngs_exist_at_every_size() -> None:
    found = icon_pngs()
    assert tuple(found) == ICON_SIZES
    for n, path in found.items():
        assert png_size(path) == (n, n)


# ---------------------------------------------------------------------------------- install

def test_install_writes_launcher_icons_and_mime_type(homes: Path) -> None:
    report = install_desktop()
    assert isinstance(report, DesktopReport) and report.data_home == homes
    assert set(report.files) == expected_files(homes)
    assert all(p.is_file() for p in report.files)

    entry = read_entry(homes / "applications" / DESKTOP_FILE)
    assert entry["Type"] == "Application" and entry["Name"] == "gdviz" and entry["Icon"] == "gdviz"
    assert entry["Exec"].endswith(" %f") and entry["Exec"] == report.exec_line
    assert MIME_TYPE in entry["MimeType"].split(";")
    assert entry["Terminal"] == "false" and entry["StartupWMClass"] == "gdviz"
    # The launcher runs this very interpreter (no gdviz script is found with which() patched).
    assert split_exec(entry["Exec"]) == [os.path.abspath(sys.executable), "-m", "gdviz", "%f"]
    assert entry["TryExec"] == os.path.abspath(sys.executable)

    mime = ET.parse(homes / "mime" / "packages" / "gdviz.xml").getroot()
    kind = mime.find(f"{MIME_NS}mime-type")
    assert kind.get("type") == MIME_TYPE
    assert kind.find(f"{MIME_NS}glob").get("pattern") == "*.gdviz"
    assert kind.find(f"{MIME_NS}sub-class-of").get("type") == "application/json"
    assert kind.find(f"{MIME_NS}comment").text == "gdviz session"
    assert kind.find(f"{MIME_NS}icon").get("name") == MIME_ICON

    for n in ICON_SIZES:
        for folder, name in (("apps", "gdviz.png"), ("mimetypes", f"{MIME_ICON}.png")):
            assert png_size(homes / "icons" / "hicolor" / f"{n}x{n}" / folder / name) == (n, n)
    svg = ET.parse(homes / "icons" / "hicolor" / "scalable" / "apps" / "gdviz.svg").getroot()
    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    # Every tool was missing: each is a note, and the install still succeeded.
    assert report.tools == () and any("update-mime-database" in n for n in report.notes)
    assert any("xdg-mime" in n for n in report.notes)


def test_install_twice_gives_the_same_files(homes: Path) -> None:
    first = install_desktop()
    contents = {p: p.read_bytes() for p in first.files}
    second = install_desktop()
    assert second.files == first.files
    assert {p: p.read_bytes() for p in second.files} == contents
    leftovers = [p for p in homes.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_uninstall_removes_exactly_what_install_wrote(homes: Path) -> None:
    foreign = [homes / "applications" / "other.desktop", homes / "mime" / "packages" / "other.xml",
               homes / "icons" / "hicolor" / "48x48" / "apps" / "other.png",
               homes / "icons" / "hicolor" / "48x48" / "mimetypes" / "application-x-other.png"]
    for path in foreign:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("not gdviz's")
    installed = install_desktop().files
    report = uninstall_desktop()
    assert set(report.files) == set(installed)
    assert not any(p.exists() for p in installed)
    assert all(p.read_text() == "not gdviz's" for p in foreign)
    again = uninstall_desktop()
    assert again.files == () and "nothing to remove" in "\n".join(again.lines())


def test_uninstall_forgets_only_gdviz_as_the_default_app(homes: Path, tmp_path: Path) -> None:
    mimeapps = tmp_path / "config" / "mimeapps.list"
    mimeapps.parent.mkdir(parents=True)
    mimeapps.write_text("[Default Applications]\ntext/plain=gedit.desktop\n"
                        f"{MIME_TYPE}=gdviz.desktop\n[Added Associations]\n"
                        f"{MIME_TYPE}=gdviz.desktop;code.desktop;\nimage/png=eog.desktop;\n")
    install_desktop()
    report = uninstall_desktop()
    assert mimeapps.read_text() == ("[Default Applications]\ntext/plain=gedit.desktop\n"
                                    f"[Added Associations]\n{MIME_TYPE}=code.desktop;\nimage/png=eog.desktop;\n")
    assert any("mimeapps.list" in n for n in report.notes)


@pytest.mark.skipif(shutil.which("update-mime-database") is None, reason="shared-mime-info not installed")
def test_update_tools_register_the_file_type(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # data_home is given and is not this user's, so only the folder-local cache tools run.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "not-this-one"))
    data = tmp_path / "share"
    report = install_desktop(data)
    assert f"update-mime-database {data / 'mime'}" in report.tools
    assert not any(t.startswith("xdg-mime") for t in report.tools)
    assert f"{MIME_TYPE}:*.gdviz" in (data / "mime" / "globs2").read_text()
    uninstall_desktop(data)
    assert "gdviz" not in (data / "mime" / "globs2").read_text()


# ---------------------------------------------------------------------------------- the Exec line

@pytest.mark.parametrize("arg", ["/usr/bin/gdviz", "/home/ana maria/venv/bin/gdviz", "/opt/$HOME/\"q\"/a\\b",
                                 "/tmp/100%/gdviz", "/x/it's (new)/gdviz", "/x/`tick`;&|<>~*?#"])
def test_exec_value_round_trips_through_the_spec_rules(arg: str) -> None:
    assert split_exec(exec_value([arg, "-m", "gdviz"])) == [arg, "-m", "gdviz", "%f"]


def test_quoting_follows_the_desktop_entry_spec() -> None:
    assert quote_exec_arg("/usr/bin/gdviz") == "/usr/bin/gdviz"
    assert quote_exec_arg("/a b/c") == '"/a b/c"'
    assert quote_exec_arg('/a"$`\\') == '"/a\\"\\$\\`\\\\"'
    assert quote_exec_arg("50%") == "50%%"
    # A literal backslash in a quoted argument is four backslashes in the file.
    assert exec_value(["/a\\b"]) == '"/a\\\\\\\\b" %f'


def test_install_with_a_given_command_quotes_it(homes: Path) -> None:
    install_desktop(command=["/opt/my apps/gdviz"])
    entry = read_entry(homes / "applications" / DESKTOP_FILE)
    assert entry["Exec"] == '"/opt/my apps/gdviz" %f'
    assert entry["TryExec"] == "/opt/my apps/gdviz" and "Path" not in entry


def test_frozen_app_launches_its_own_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    exe = tmp_path / "dist" / "gdviz" / "gdviz"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert desktop.launch_command() == [str(exe)]


def _fake_venv(root: Path, shebang: str) -> tuple[Path, Path]:
    (root / "bin").mkdir(parents=True)
    (root / "pyvenv.cfg").write_text("home = /usr/bin\n")
    python = root / "bin" / "python"
    python.write_text("")
    script = root / "bin" / "gdviz"
    script.write_text(shebang.format(python=python) + "\nfrom gdviz.app import main\n")
    script.chmod(0o755)
    return python, script


def test_the_gdviz_script_on_path_is_used_when_it_is_this_installation(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    python, script = _fake_venv(tmp_path / "venv", "#!{python}")
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setattr(sys, "executable", str(python))
    assert desktop.launch_command() == [str(script)]


def test_another_installations_script_is_not_used(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _, script = _fake_venv(tmp_path / "other", "#!{python}")
    python, _ = _fake_venv(tmp_path / "mine", "#!{python}")
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setattr(sys, "executable", str(python))
    assert desktop.launch_command() == [str(python), "-m", "gdviz"]


def test_pip_shell_shebang_for_paths_with_spaces(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    python, script = _fake_venv(tmp_path / "my venv", "#!/bin/sh\n'''exec' \"{python}\" \"$0\" \"$@\"\n' '''")
    monkeypatch.setenv("PATH", str(script.parent))
    monkeypatch.setattr(sys, "executable", str(python))
    assert desktop.launch_command() == [str(script)]


def test_launcher_from_a_source_checkout_runs_in_its_folder() -> None:
    template = (resources_dir() / "gdviz.desktop").read_text()
    text = desktop.desktop_entry(template, ["/usr/bin/python3", "-m", "gdviz"], Path("/src/my gdviz"))
    assert "Path=/src/my gdviz\n" in text and "Exec=/usr/bin/python3 -m gdviz %f\n" in text
    assert [ln[:5] for ln in text.splitlines()].count("Exec=") == 1 and "#" not in text.split("\n", 1)[1]


# ---------------------------------------------------------------------------------- command line

def test_cli_install_and_uninstall(homes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--install-desktop"]) == 0
    out = capsys.readouterr().out
    assert "applications/gdviz.desktop" in out and "the launcher runs:" in out
    assert all(p.is_file() for p in expected_files(homes))
    assert main(["--uninstall-desktop"]) == 0
    assert "removed applications/gdviz.desktop" in capsys.readouterr().out
    assert not any(p.exists() for p in expected_files(homes))


def test_cli_reports_an_unwritable_folder_with_status_1(homes: Path, capsys: pytest.CaptureFixture[str]) -> None:
    homes.parent.mkdir(parents=True, exist_ok=True)
    homes.write_text("a file where the data folder should be")
    assert main(["--install-desktop"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("gdviz: could not install the desktop launcher:") and str(homes) in err


def test_cli_flags_exclude_each_other(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--install-desktop", "--uninstall-desktop"])
    assert exc.value.code == 2


def test_cli_install_does_not_import_qt(tmp_path: Path) -> None:
    # A fresh interpreter with no tools on PATH: the install works on a machine with no display.
    code = ("import sys; from gdviz.app import main; rc = main(['--install-desktop']); "
            "print(rc, any(m.startswith('PySide6') for m in sys.modules))")
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path / "share"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               PATH=str(tmp_path / "no-tools"))
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                          cwd=Path(__file__).resolve().parent.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "0 False"
    assert (tmp_path / "share" / "applications" / DESKTOP_FILE).is_file()


# ---------------------------------------------------------------------------------- the window

def test_window_icon_and_desktop_file_name(qapp) -> None:
    from gdviz.app import set_app_identity
    set_app_identity(qapp)
    sizes = {s.width() for s in qapp.windowIcon().availableSizes()}
    assert {16, 48, 256} <= sizes
    assert qapp.desktopFileName() == "gdviz"


def test_resources_are_found_in_a_pyinstaller_bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bundled = tmp_path / "gdviz" / "resources"
    (bundled / "presets").mkdir(parents=True)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == bundled
