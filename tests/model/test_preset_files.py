"""The one loader of the numbered preset folders: order by number, strict JSON, the bad file named."""
from __future__ import annotations

import json

import pytest

from gdviz.model.landscape import landscape_presets, preset2d_from_dict
from gdviz.model.momentum import momentum_preset_from_dict, momentum_presets
from gdviz.model.preset_files import find_named, read_numbered
from gdviz.model.presets import preset_from_dict, presets
from gdviz.model.readers import ReadError
from gdviz.paths import resources_dir


def _name(data: object, source: str) -> str:
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ReadError(f"{source}: no name")
    return data["name"]


def _write(folder, files: dict[str, object]) -> None:
    for name, data in files.items():
        (folder / name).write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")


def test_files_are_read_in_the_order_of_their_numbers(tmp_path):
    _write(tmp_path, {"10-ten.json": {"name": "ten"}, "2-two.json": {"name": "two"}, "01-one.json": {"name": "one"},
                      "README.md": "not a preset"})
    assert read_numbered(tmp_path, _name) == ("one", "two", "ten")
    assert read_numbered(tmp_path / "missing", _name) == ()


@pytest.mark.parametrize("files, fragment", [
    ({"01-a.json": {"name": "a"}, "02-b.json": "{"}, "02-b.json: the file is not valid JSON"),
    ({"01-a.json": '{"name": NaN}'}, "01-a.json: the file contains NaN"),
    ({"01-a.json": '{"name": "a", "name": "b"}'}, "01-a.json: the key 'name' appears twice"),
    ({"01-a.json": {"title": "a"}}, "01-a.json: no name"),
    ({"a.json": {"name": "a"}}, "a.json: a preset file is named NN-name.json"),
    ({"01-a.json": {"name": "a"}, "02-b.json": {"name": "a"}}, "02-b.json: the preset name 'a' is taken by 01-a.json"),
])
def test_a_bad_file_is_named(tmp_path, files, fragment):
    _write(tmp_path, files)
    with pytest.raises(ReadError) as info:
        read_numbered(tmp_path, _name, name_of=str)
    assert str(info.value).startswith(fragment), str(info.value)


def test_bytes_that_are_not_utf8_are_named(tmp_path):
    (tmp_path / "01-a.json").write_bytes(b'{"name": "\xff"}')
    with pytest.raises(ReadError, match=r"^01-a\.json: the file is not UTF-8 text"):
        read_numbered(tmp_path, _name)


def test_a_reader_that_forgets_the_file_name_still_gets_it(tmp_path):
    _write(tmp_path, {"07-x.json": [1]})

    def forgetful(data, source):
        raise ReadError("not an object")
    with pytest.raises(ReadError, match=r"^07-x\.json: not an object$"):
        read_numbered(tmp_path, forgetful)


def test_find_named_lists_the_names():
    assert find_named(presets(), "cubic").name == "cubic"
    with pytest.raises(KeyError, match="no 2-D preset named 'x'; choose one of: seed-quadratic"):
        find_named(landscape_presets(), "x", "2-D preset")


@pytest.mark.parametrize("folder, read, loaded", [
    ("presets", preset_from_dict, presets), ("presets2d", preset2d_from_dict, landscape_presets),
    ("momentum", momentum_preset_from_dict, momentum_presets),
])
def test_every_kind_of_preset_reads_its_folder_with_the_one_loader(folder, read, loaded):
    assert read_numbered(resources_dir() / folder, read) == loaded()


@pytest.mark.parametrize("read, changes, fragment", [
    (preset_from_dict, {"h": "0.5"}, "f.json: 'h' must be a number"),
    (preset_from_dict, {"range": [1]}, "f.json: 'range' must be a list of two numbers"),
    (preset_from_dict, {"h": 1e13}, "f.json: 'h' is too large"),
    (preset_from_dict, {"colour": 1}, 'f.json: the preset has an unknown key "colour"'),
    (preset_from_dict, {"h": -1}, "f.json: the preset settings are not valid: the step size h"),
    (momentum_preset_from_dict, {"x0": [1]}, "f.json: 'x0' must be a number"),
    (preset2d_from_dict, {"lr": 1e13}, "f.json: 'lr' is too large"),
    (preset2d_from_dict, {"explanation": ""}, "f.json: 'explanation' is empty"),
])
def test_every_kind_of_preset_uses_the_shared_readers(read, changes, fragment):
    folder = {preset_from_dict: "presets", momentum_preset_from_dict: "momentum", preset2d_from_dict: "presets2d"}[read]
    path = sorted((resources_dir() / folder).glob("*.json"))[0]
    data = json.loads(path.read_text(encoding="utf-8")) | changes
    with pytest.raises(ReadError) as info:
        read(data, "f.json")
    assert str(info.value).startswith(fragment), str(info.value)


def test_a_1d_preset_may_set_any_scene_field():
    data = json.loads(sorted((resources_dir() / "presets").glob("*.json"))[0].read_text(encoding="utf-8"))
    p = preset_from_dict(data | {"bundle": True, "compare_h": [0.5, 0.25]}, "f.json")
    assert p.scene.bundle and p.scene.compare_h == (0.5, 0.25) and p.scene.preset == p.name
