"""Test documents made on the spot: a real multi-page PDF (hand-written PDF syntax, Helvetica), a DOCX."""

from __future__ import annotations

import io


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]]) -> bytes:
    """A valid PDF with one text line per string (ASCII), one page per list."""
    objects: list[bytes] = []
    n_pages = len(pages)
    # 1: catalog, 2: pages, 3: font, then (page, content) pairs.
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(n_pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {n_pages} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, lines in enumerate(pages):
        ops = ["BT", "/F1 11 Tf", "14 TL", "60 780 Td"]
        for line in lines:
            ops.append(f"({_escape(line)}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {5 + 2 * i} 0 R "
            f"/Resources << /Font << /F1 3 0 R >> >> >>".encode()
        )
        objects.append(
            b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{num} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


FACT = "The emergency shutoff code for the AquaFlow X200 is 7341-B."


def manual_pdf() -> bytes:
    """A five-page pump manual; the distinctive fact sits on page four."""
    filler = {
        1: [
            "AquaFlow X200 Pump Manual",
            "",
            "Chapter 1. Introduction",
            "The AquaFlow X200 is a domestic water pump for wells up to 40 metres deep.",
            "This manual explains installation, daily operation, cleaning and troubleshooting.",
            "Read the safety notes before you connect the pump to the mains.",
        ],
        2: [
            "Chapter 2. Installation",
            "Mount the pump on a level concrete base with the four bolts supplied.",
            "Connect the suction hose to the inlet marked IN and the delivery hose to OUT.",
            "Prime the pump housing with clean water before the first start.",
            "The supply must be protected by a 16 ampere residual current breaker.",
        ],
        3: [
            "Chapter 3. Operation",
            "Press the green start button once; the display shows the line pressure.",
            "The pump stops by itself when the pressure reaches 4.5 bar.",
            "Dry running for more than two minutes trips the thermal protection.",
        ],
        4: [
            "Chapter 4. Safety and emergencies",
            FACT,
            "Enter the code on the keypad to cut power to the motor immediately.",
            "After an emergency stop, wait ten minutes before restarting the pump.",
        ],
        5: [
            "Chapter 5. Cleaning and warranty",
            "Clean the inlet filter every three months under running water.",
            "The motor carries a seven-year warranty; the impeller is covered for two years.",
            "Contact support at service@aquaflow.example for spare parts.",
        ],
    }
    return make_pdf([filler[i] for i in range(1, 6)])


def make_docx(paragraphs: list[str], table: list[list[str]] | None = None) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading("Test document", level=1)
    for p in paragraphs:
        document.add_paragraph(p)
    if table:
        t = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, cell in enumerate(row):
                t.cell(r, c).text = cell
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()
