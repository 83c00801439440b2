"""OCR of page images with Debian's tesseract, called as a program (no Python binding needed)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess

from PIL import Image

from caselearn.ingest.base import IngestError


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def ocr_image(image: Image.Image, language: str = "eng", timeout: float = 120) -> tuple[str, float]:
    """Return the page's text, lines and paragraphs kept, and the mean word confidence (0-1)."""
    if not tesseract_available():
        raise IngestError(
            "ocr_unavailable",
            "the page is scanned (no text layer) and tesseract is not installed "
            "(apt-get install tesseract-ocr)",
        )
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    try:
        completed = subprocess.run(
            ["tesseract", "stdin", "stdout", "-l", language, "--psm", "3", "tsv"],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            check=True,
            # Tesseract's OpenMP threads fight each other on small machines: one is faster.
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
    except subprocess.TimeoutExpired as exc:
        raise IngestError("ocr_failed", f"OCR took longer than {timeout:.0f} s") from exc
    except subprocess.CalledProcessError as exc:
        message = exc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:]
        raise IngestError("ocr_failed", f"tesseract failed: {' '.join(message)}") from exc
    return _text_from_tsv(completed.stdout.decode("utf-8", "replace"))


def _text_from_tsv(tsv: str) -> tuple[str, float]:
    lines: list[str] = []
    confidences: list[float] = []
    current_line: tuple[str, str, str] | None = None
    current_paragraph: tuple[str, str] | None = None
    words: list[str] = []
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        text = (row.get("text") or "").strip()
        if row.get("level") != "5" or not text:
            continue
        paragraph = (row["block_num"], row["par_num"])
        line = (*paragraph, row["line_num"])
        if line != current_line:
            if words:
                lines.append(" ".join(words))
            words = []
            if current_paragraph is not None and paragraph != current_paragraph:
                lines.append("")
            current_line, current_paragraph = line, paragraph
        words.append(text)
        confidence = float(row.get("conf") or -1)
        if confidence >= 0:
            confidences.append(confidence / 100)
    if words:
        lines.append(" ".join(words))
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return "\n".join(lines), round(mean, 3)
