"""The process pools give exactly what one process gives: same bytes written, same rows read, in order."""

from __future__ import annotations

from pathlib import Path

from matrixkit import load_frameworks
from matrixkit.intake.reader import ingest_workbooks
from matrixkit.outputs.generate import generate_workbooks
from matrixkit.sources.roster import read_roster

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def test_pool_writes_and_reads_what_one_process_does(tmp_path: Path) -> None:
    frameworks = load_frameworks([TEMPLATES / "engineering.yaml"])
    roster_path = tmp_path / "roster.csv"
    lines = ["employee_id,name,family,level,manager_id,manager_name"]
    lines += [f"E{n:03d},Person {n},engineering,IC{1 + n % 5},M{n % 70:02d},Manager {n % 70}" for n in range(210)]
    roster_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    roster = read_roster(roster_path, frameworks)

    alone = generate_workbooks(frameworks, roster, "2026-Q4", tmp_path / "alone", workers=1)
    written: list[Path] = []
    pooled = generate_workbooks(frameworks, roster, "2026-Q4", tmp_path / "pooled", workers=2, progress=written.append)
    assert written == pooled  # progress names every file once, in order
    assert len(alone) == len(pooled) == 70
    assert [p.name for p in alone] == [p.name for p in pooled]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(alone, pooled, strict=True))

    read_alone = ingest_workbooks(alone, frameworks, workers=1)
    read: list[Path] = []
    read_pooled = ingest_workbooks(alone, frameworks, workers=2, progress=read.append)
    assert read == alone
    assert [w.file for w in read_pooled] == [str(p) for p in alone]
    assert [(fw.family.id, row) for w in read_alone for fw, row in w.rows] == [
        (fw.family.id, row) for w in read_pooled for fw, row in w.rows
    ]
    assert sum(len(w.rows) for w in read_pooled) == 210
    assert all(fw is frameworks[0] for w in read_pooled for fw, _ in w.rows)
