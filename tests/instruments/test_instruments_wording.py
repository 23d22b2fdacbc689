"""Wording: placeholders by default, licensed packs that must match their definition exactly."""

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

import instruments


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)  # a JSON string or number is valid TOML


def pack_text(
    code: str,
    language: str = "en",
    *,
    version: str | None = None,
    skip: str = "",
    options: dict[str, list[object]] | None = None,
    extra: str = "",
) -> str:
    """A well-formed pack with made-up wording ("Text of 1"), optionally broken on purpose."""
    instrument = instruments.get(code)
    lines = [
        f'instrument = "{code}"',
        f'version = "{version or instrument.version}"',
        f'language = "{language}"',
        f'title = "Title of {code}"',
        'instructions = "Tick one box."',
    ]
    for item in instrument.items:
        if item.code == skip:
            continue
        lines += [f'[items."{item.code}"]', f'text = "Text of {item.code}"']
        values = (options or {}).get(item.code, list(item.options))
        if values:
            tables = ", ".join(f'{{ value = {toml_value(v)}, text = "Label {v}" }}' for v in values)
            lines.append(f"options = [{tables}]")
    return "\n".join(lines) + "\n" + extra


ITEM_1_OPTIONS = (
    'options = [{ value = 3, text = "a" }, { value = 2, text = "b" }, { value = 1, text = "c" }, '
    '{ value = 0, text = "d" }]'
)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def pack_problems(folder: Path, lookup=instruments.get) -> list[str]:
    with pytest.raises(instruments.WordingPackError) as caught:
        instruments.load_wording_packs(folder, lookup)
    return [str(problem) for problem in caught.value.problems]


# --- placeholders --------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["hads", "eq5d5l", "eq5d3l", "whodas12", "whodas36"])
def test_every_instrument_has_neutral_placeholders_in_both_languages(code):
    instrument = instruments.get(code)
    for language, word in (("nb", "spørsmål"), ("en", "item")):
        wording = instruments.wording(code, language)
        assert wording.source == "placeholder" and wording.title == instrument.label
        assert ("lisens" if language == "nb" else "licens") in wording.instructions
        for item in instrument.items:
            assert wording.item_text(item.code) == f"{instrument.label} {word} {item.code}"
            labels = [wording.option_label(item.code, value) for value in item.options]
            assert labels == [
                f"{'Alternativ' if language == 'nb' else 'Option'} {n}"
                for n in range(1, len(item.options) + 1)
            ]


def test_the_contract_examples():
    assert instruments.wording("hads", "nb").item_text("1") == "HADS spørsmål 1"
    assert instruments.wording(instruments.get("hads"), "en").item_text("1") == "HADS item 1"


def test_placeholder_labels_follow_printed_order_not_the_score():
    wording = instruments.wording("hads", "en")
    assert [wording.option_label("1", v) for v in (3, 2, 1, 0)] == [
        "Option 1",
        "Option 2",
        "Option 3",
        "Option 4",
    ]
    with pytest.raises(KeyError, match="no option 4"):
        wording.option_label("1", 4)
    with pytest.raises(KeyError, match="no item '15'"):
        wording.item_text("15")


def test_booleans_have_yes_no_in_the_language():
    assert instruments.wording("whodas36", "nb").option_label("works_or_studies", True) == "Ja"
    assert instruments.wording("whodas36", "en").option_label("works_or_studies", False) == "No"
    assert instruments.wording("eq5d5l", "en").anchor_labels("VAS") == (None, None)


def test_an_unsupported_language_is_refused():
    with pytest.raises(ValueError, match="'de'"):
        instruments.wording("hads", "de")


# --- packs ---------------------------------------------------------------------------------


def test_valid_packs_replace_the_placeholders(tmp_path):
    write(tmp_path, "hads.en.toml", pack_text("hads"))
    vas = '[items.VAS]\ntext = "Rate your health"\nminimum_label = "Worst"\nmaximum_label = "Best"\n'
    write(tmp_path, "eq5d5l.nb.toml", pack_text("eq5d5l", "nb", skip="VAS") + vas)
    write(
        tmp_path,
        "whodas36.en.toml",
        pack_text("whodas36", options={"works_or_studies": [False, True]}).replace(
            "instructions", 'notice = "© WHO"\ninstructions'
        ),
    )
    write(tmp_path, "README.txt", "not a pack")
    catalog = instruments.load_wording_packs(tmp_path)
    assert len(catalog) == 3
    hads = instruments.wording("hads", "en", catalog)
    assert (hads.source, hads.title, hads.item_text("1"), hads.option_label("1", 3)) == (
        "pack",
        "Title of hads",
        "Text of 1",
        "Label 3",
    )
    assert [label for _, label in hads.item("1").options] == ["Label 3", "Label 2", "Label 1", "Label 0"]
    assert instruments.wording("hads", "nb", catalog).source == "placeholder"
    assert instruments.wording("eq5d5l", "nb", catalog).anchor_labels("VAS") == ("Worst", "Best")
    whodas = instruments.wording("whodas36", "en", catalog)
    assert whodas.notice == "© WHO" and whodas.option_label("works_or_studies", True) == "Label True"


def test_a_boolean_without_labels_in_a_pack_gets_the_language_default(tmp_path):
    text = (
        pack_text("whodas36", "nb", skip="works_or_studies")
        + '[items.works_or_studies]\ntext = "Jobber du?"\n'
    )
    write(tmp_path, "whodas36.nb.toml", text)
    wording = instruments.wording("whodas36", "nb", instruments.load_wording_packs(str(tmp_path)))
    assert wording.option_label("works_or_studies", True) == "Ja"


def test_a_reversed_hads_item_is_refused(tmp_path):
    # The classic error: labels copied top to bottom with scores 0..3 on a 3 -> 0 item.
    write(tmp_path, "hads.en.toml", pack_text("hads", options={"1": [0, 1, 2, 3]}))
    assert pack_problems(tmp_path) == [
        "hads.en.toml: items.1.options: values must be 3, 2, 1, 0 in printed order; the pack has 0, 1, 2, 3"
    ]


def test_every_mismatch_in_every_file_is_listed(tmp_path):
    write(
        tmp_path,
        "hads.en.toml",
        pack_text("hads", skip="14", options={"2": [0, 1, 2], "3": [3, 2, 1, True]})
        + '[items.15]\ntext = "x"\n[items.1.extra]\n',
    )
    write(
        tmp_path,
        "eq5d5l.en.toml",
        'colour = "red"\n' + pack_text("eq5d5l", version="0", options={"VAS": [0, 100]}),
    )
    write(tmp_path, "whodas12.nb.toml", pack_text("whodas12", "en"))
    write(tmp_path, "sf36.en.toml", 'instrument = "sf36"\nversion = "1"\nlanguage = "en"\ntitle = "SF"\n')
    write(tmp_path, "broken.toml", "instrument = \n")
    found = pack_problems(tmp_path)
    assert found == [
        "broken.toml: not valid TOML: Invalid value (at line 1, column 14)",
        "eq5d5l.en.toml: colour: unknown key",
        "eq5d5l.en.toml: version: the pack is for version 0; the eq5d5l definition is version 1",
        "eq5d5l.en.toml: items.VAS.options: options belong to choice and boolean items; "
        "this item is of kind integer",
        "hads.en.toml: items.1.extra: unknown key",
        "hads.en.toml: items.2.options: values must be 0, 1, 2, 3 in printed order; the pack has 0, 1, 2",
        "hads.en.toml: items.3.options: values must be 3, 2, 1, 0 in printed order; "
        "the pack has 3, 2, 1, True",
        "hads.en.toml: items.14: no wording for this item",
        "hads.en.toml: items.15: hads has no such item",
        "sf36.en.toml: instrument: unknown instrument 'sf36'",
        "whodas12.nb.toml: the file must be named whodas12.en.toml",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            'version = "1"\nlanguage = "fi"\ntitle = "T"\n',
            ["instrument: is missing", "language: 'fi' is not one of nb, en"],
        ),
        (
            'instrument = "hads"\nversion = 1\nlanguage = "en"\ntitle = " "\n',
            ["version: must be non-empty text", "title: must be non-empty text"],
        ),
        (
            'instrument = "hads"\nversion = "1"\nlanguage = "en"\ntitle = "T"\n',
            ["items: is missing: add an [items.<code>] table for every item"],
        ),
        (
            'instrument = "hads"\nversion = "1"\nlanguage = "en"\ntitle = "T"\nitems = { 1 = "text" }\n',
            ["items.1: must be a table"],
        ),
    ],
)
def test_header_problems(tmp_path, text, expected):
    write(tmp_path, "hads.en.toml", text)
    found = [problem.split(": ", 1)[1] for problem in pack_problems(tmp_path)]
    assert found[: len(expected)] == expected


@pytest.mark.parametrize(
    ("item_table", "expected"),
    [
        (
            'text = ""\n' + ITEM_1_OPTIONS,
            "items.1.text: must be non-empty text",
        ),
        (
            'text = "t"\noptions = [3, 2, 1, 0]',
            'items.1.options: must be a list of { value = ..., text = "..." } tables in printed order',
        ),
        (
            'text = "t"\noptions = [{ value = 3 }, { value = 2, text = "b" }, { value = 1, text = "c" }, '
            '{ value = 0, text = "d" }]',
            "items.1.options[0].text: is missing",
        ),
        (
            'text = "t"\nminimum_label = "low"\n' + ITEM_1_OPTIONS,
            "items.1: minimum_label/maximum_label belong to number items; this item is of kind choice",
        ),
    ],
)
def test_item_problems(tmp_path, item_table, expected):
    write(tmp_path, "hads.en.toml", pack_text("hads", skip="1") + "[items.1]\n" + item_table + "\n")
    assert pack_problems(tmp_path) == [f"hads.en.toml: {expected}"]


def test_boolean_labels_must_be_true_and_false(tmp_path):
    write(tmp_path, "whodas36.en.toml", pack_text("whodas36", options={"works_or_studies": [True, 1]}))
    assert pack_problems(tmp_path) == [
        "whodas36.en.toml: items.works_or_studies.options: values must be "
        "True, False in printed order; the pack has True, 1"
    ]


def test_unreadable_files_are_refused(tmp_path):
    write(tmp_path, "hads.nb.toml", "").write_bytes(b'title = "\xff"\n')
    (tmp_path / "folder.toml").mkdir()
    found = pack_problems(tmp_path)
    assert [problem.split(": ", 2)[:2] for problem in found] == [
        ["folder.toml", "cannot be read as UTF-8 text"],
        ["hads.nb.toml", "cannot be read as UTF-8 text"],
    ]


def test_a_missing_folder_is_refused():
    with pytest.raises(instruments.WordingPackError, match="does not exist"):
        instruments.load_wording_packs(os.path.join("no", "such", "folder"))


def test_an_empty_folder_gives_an_empty_catalog(tmp_path):
    assert len(instruments.load_wording_packs(tmp_path)) == 0


def test_a_pack_for_another_version_is_not_shown(tmp_path):
    write(tmp_path, "hads.en.toml", pack_text("hads"))
    catalog = instruments.load_wording_packs(tmp_path)
    newer = replace(instruments.get("hads"), version="2")
    with pytest.raises(ValueError, match="version 1, the definition is version 2"):
        instruments.wording(newer, "en", catalog)
