"""The frameworks shipped with matrixkit, and copying one (with its sample roster) to start from."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from matrixkit.errors import UsageError
from matrixkit.model.framework import Framework, load_framework


def templates_dir() -> Path:
    """Inside an installed wheel the templates sit in the package; in a checkout, beside it."""
    package_root = Path(__file__).resolve().parent.parent
    packaged = package_root / "templates"
    if packaged.is_dir():
        return packaged
    return package_root.parent / "templates"


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    path: Path
    roster: Path | None
    framework: Framework

    def summary(self) -> str:
        tracks = "; ".join(
            f"{t.id}: {t.levels[0].id}–{t.levels[-1].id} ({len(t.levels)})" for t in self.framework.tracks
        )
        return f"{self.name:<20} {self.framework.family.name:<36} {tracks}"


def list_templates() -> list[TemplateInfo]:
    """Every shipped template, sorted by name."""
    folder = templates_dir()
    result = []
    for path in sorted(folder.glob("*.yaml")):
        roster = folder / "rosters" / f"{path.stem}.csv"
        result.append(TemplateInfo(path.stem, path, roster if roster.is_file() else None, load_framework(path)))
    return result


def init_template(name: str, destination: str | Path) -> list[Path]:
    """Copy template `name` and its roster into `destination`; never overwrite an existing file."""
    folder = templates_dir()
    source = folder / f"{name}.yaml"
    if not source.is_file():
        known = ", ".join(sorted(p.stem for p in folder.glob("*.yaml")))
        raise UsageError(f"no template named '{name}' (known: {known})")
    destination = Path(destination)
    targets = [(source, destination / source.name)]
    roster = folder / "rosters" / f"{name}.csv"
    if roster.is_file():
        targets.append((roster, destination / "rosters" / roster.name))
    existing = [str(target) for _, target in targets if target.exists()]
    if existing:
        raise UsageError(f"not overwriting existing file(s): {', '.join(existing)}")
    for src, target in targets:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return [target for _, target in targets]
