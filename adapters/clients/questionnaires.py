"""Reference data shipped with the project (questionnaires), and more from a directory."""

from __future__ import annotations

from pathlib import Path

from domain.clients.risk import Questionnaire

SHIPPED = Path(__file__).parent / "reference" / "questionnaires"


def load_questionnaires(extra: Path | None = None) -> dict[str, Questionnaire]:
    """Every questionnaire version: the shipped ones, then any JSON files in ``extra``.

    Versions are never replaced: an assessment must always find the questionnaire it
    was scored with.
    """
    found: dict[str, Questionnaire] = {}
    for directory in (SHIPPED, extra):
        if directory is None or not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            questionnaire = Questionnaire.model_validate_json(path.read_text(encoding="utf-8"))
            if questionnaire.version in found and found[questionnaire.version] != questionnaire:
                msg = f"{path}: questionnaire version {questionnaire.version} exists already"
                raise ValueError(msg)
            found[questionnaire.version] = questionnaire
    return found
