"""Writes the reconstructed information notes (.docx) and the media advisory (.html) the
extraction tests read. Run it after changing a text below; commit its outputs.

    .venv/bin/python tests/files/extraction/make_fixtures.py

Each document is a RECONSTRUCTION that imitates a kind of live document; its
first paragraph says so. Session numbers and dates follow public facts where
noted (CMW 25th session, 29 August – 7 September 2016; CMW 36th session,
27 March – 6 April 2023, Morocco, Nigeria, the Philippines, El Salvador); the
deadlines, times, rooms and the 42nd session are illustrative, not verified
against the live documents.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.shared import Pt

HERE = Path(__file__).resolve().parent

NOTE_EN = [
    ("note", "Reconstruction of an OHCHR information note for NGOs and NHRIs (a Word file linked from "
             "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx?SessionID=…, named "
             "INT_CMW_INF_25_…_E.docx). Session dates as published; deadlines, times and States illustrative, "
             "not verified against the live document."),
    ("title", "Committee on the Protection of the Rights of All Migrant Workers and Members of Their Families"),
    ("title", "25th session (29 Aug 2016 - 07 Sep 2016)"),
    ("title", "Information note for NGOs and NHRIs"),
    ("p", "The Committee on Migrant Workers (CMW) will hold its twenty-fifth session from 29 August to "
          "7 September 2016 at Palais Wilson, Geneva. During the session, the Committee will consider the "
          "reports of Guatemala, Honduras and Sri Lanka."),
    ("h", "1. Written submissions"),
    ("p", "NGOs and NHRIs wishing to provide written information to the Committee are invited to submit it "
          "at least three weeks before the beginning of the session, i.e. before 5 August 2016, by email to "
          "cmw@ohchr.org."),
    ("p", "Submissions should not exceed 10 pages and should be sent in Word format."),
    ("h", "2. Accreditation"),
    ("p", "Representatives of NGOs and NHRIs who wish to attend the public meetings must request accreditation "
          "no later than 22 August 2016, through the Indico system."),
    ("h", "3. Private meeting with NGOs and NHRIs"),
    ("p", "The Committee will hold a private meeting with NGOs and NHRIs on the States under review. The meeting "
          "is scheduled for Monday, 29 August 2016, from 11:00 to 12:00, in Room 1-D, Palais Wilson."),
    ("h", "4. Programme of work"),
    ("table", [["Date", "Time", "State party"],
               ["Tuesday, 30 August 2016", "15:00 - 18:00", "Guatemala"],
               ["Wednesday, 31 August 2016", "10:00 - 13:00", "Guatemala (continued)"],
               ["Thursday, 1 September 2016", "15:00 - 18:00", "Honduras"],
               ["Friday, 2 September 2016", "10:00 - 13:00", "Honduras (continued)"]]),
    ("p", "All times are Geneva time (CEST). The public meetings will be webcast on UN Web TV."),
]

NOTE_ES = [
    ("note", "Reconstrucción de una nota informativa del ACNUDH para las ONG y las INDH (un archivo Word "
             "enlazado desde tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx, "
             "INT_CMW_INF_42_…_S.docx). El 42.º período de sesiones, sus fechas, plazos y horarios son "
             "ilustrativos (la historia de la demo), no verificados con el documento real."),
    ("title", "Comité de Protección de los Derechos de Todos los Trabajadores Migratorios y de sus Familiares"),
    ("title", "Nota informativa para las organizaciones no gubernamentales y las instituciones nacionales "
              "de derechos humanos"),
    ("p", "El Comité de Trabajadores Migratorios celebrará su 42.º período de sesiones del 13 al 24 de abril "
          "de 2026 en el Palacio Wilson, en Ginebra. Durante el período de sesiones, el Comité examinará los "
          "informes de México, Estado Plurinacional de Bolivia y Filipinas."),
    ("h", "1. Información escrita"),
    ("p", "Las ONG y las INDH que deseen presentar información escrita o informes alternativos deberán "
          "enviarlos a más tardar el 23 de marzo de 2026, es decir, tres semanas antes del inicio del "
          "período de sesiones, a la dirección cmw@ohchr.org."),
    ("h", "2. Acreditación"),
    ("p", "Las solicitudes de acreditación para asistir a las sesiones públicas deberán recibirse antes del "
          "6 de abril de 2026."),
    ("h", "3. Reunión privada con las ONG"),
    ("p", "La reunión privada con las ONG y las INDH tendrá lugar el lunes 13 de abril de 2026, de 13:00 a "
          "14:00 horas (hora de Ginebra), en la sala 1-D del Palacio Wilson."),
    ("h", "4. Diálogos públicos"),
    ("p", "El diálogo con la delegación de México se celebrará el 14 de abril de 2026 de 15:00 a 18:00 horas "
          "y el 15 de abril de 2026 de 10:00 a 13:00 horas (hora de Ginebra)."),
    ("p", "El diálogo con el Estado Plurinacional de Bolivia se celebrará el 16 de abril de 2026, de 15:00 a "
          "18:00 horas."),
]

NOTE_FR = [
    ("note", "Reconstitution d'une note d'information du HCDH pour les ONG et les INDH (fichier Word lié depuis "
             "tbinternet.ohchr.org/_layouts/15/TreatyBodyExternal/SessionDetails1.aspx, "
             "INT_CMW_INF_36_…_F.docx). Dates de la session et États examinés publics ; délais et horaires "
             "illustratifs, non vérifiés avec le document réel."),
    ("title", "Comité pour la protection des droits de tous les travailleurs migrants et des membres de "
              "leur famille"),
    ("title", "Note d'information pour les ONG et les INDH — 36e session"),
    ("p", "Le Comité des travailleurs migrants tiendra sa trente-sixième session du 27 mars au 6 avril 2023 "
          "au Palais Wilson, à Genève. Au cours de la session, le Comité examinera les rapports du Maroc, "
          "du Nigéria, des Philippines et d’El Salvador."),
    ("h", "1. Informations écrites"),
    ("p", "Les ONG et les INDH qui souhaitent soumettre des informations écrites sont invitées à les envoyer "
          "au plus tard le 6 mars 2023, soit trois semaines avant l'ouverture de la session, à "
          "cmw@ohchr.org."),
    ("h", "2. Accréditation"),
    ("p", "Les demandes d'accréditation doivent parvenir au secrétariat avant le 20 mars 2023."),
    ("h", "3. Réunion privée avec les ONG"),
    ("p", "La réunion privée avec les ONG et les INDH aura lieu le lundi 27 mars 2023, de 13 h à 14 h "
          "(heure de Genève), en salle 1-D."),
    ("h", "4. Dialogues"),
    ("p", "Le dialogue avec El Salvador se tiendra le 4 avril 2023 de 15 h à 18 h et le 5 avril 2023 "
          "de 10 h à 13 h."),
]

ADVISORY = """<!DOCTYPE html>
<!-- RECONSTRUCTION of an OHCHR media advisory page, imitating
     https://www.ohchr.org/en/media-advisories/2023/03/<slug>. The session (CMW 36th, 27 March – 6 April
     2023) and the four States reviewed are public facts; the meeting times and rooms are illustrative,
     not verified against the live page. -->
<html lang="en">
<head><meta charset="utf-8"><title>Committee on Migrant Workers to review Morocco, Nigeria, the Philippines and
El Salvador | OHCHR</title></head>
<body>
<header><nav><a href="/en">Home</a> <a href="/en/media-advisories">Media advisories</a></nav></header>
<main>
<article>
<h1>Committee on Migrant Workers to review Morocco, Nigeria, the Philippines and El Salvador</h1>
<p class="date"><time datetime="2023-03-24">24 March 2023</time></p>
<p>GENEVA (24 March 2023) – The Committee on the Protection of the Rights of All Migrant Workers and
Members of Their Families will meet from 27 March to 6 April at the Palais Wilson in Geneva for its
thirty-sixth session, during which it will review the reports of Morocco, Nigeria, the Philippines and
El Salvador.</p>
<p>The public meetings with the delegations of the four States will take place as follows
(all times are Geneva time):</p>
<table>
<thead><tr><th>State</th><th>Date</th><th>Time</th></tr></thead>
<tbody>
<tr><td>Morocco</td><td>Tuesday, 28 March</td><td>15:00 – 18:00</td></tr>
<tr><td>Morocco (continued)</td><td>Wednesday, 29 March</td><td>10:00 – 13:00</td></tr>
<tr><td>Nigeria</td><td>Wednesday, 29 March</td><td>15:00 – 18:00</td></tr>
<tr><td>Nigeria (continued)</td><td>Thursday, 30 March</td><td>10:00 – 13:00</td></tr>
<tr><td>the Philippines</td><td>Monday, 3 April</td><td>15:00 – 18:00</td></tr>
<tr><td>the Philippines (continued)</td><td>Tuesday, 4 April</td><td>10:00 – 13:00</td></tr>
<tr><td>El Salvador</td><td>Tuesday, 4 April</td><td>15:00 – 18:00</td></tr>
<tr><td>El Salvador (continued)</td><td>Wednesday, 5 April</td><td>10:00 – 13:00</td></tr>
</tbody>
</table>
<p>The Committee will close its session on 6 April at 18:00 and issue its concluding observations on
the four States. The meetings will be webcast live on UN Web TV.</p>
</article>
</main>
<footer>Office of the United Nations High Commissioner for Human Rights</footer>
</body>
</html>
"""


def write_note(blocks: list, path: Path) -> None:
    document = docx.Document()
    document.core_properties.title = "Reconstruction for tests"
    for kind, content in blocks:
        if kind == "table":
            table = document.add_table(rows=len(content), cols=len(content[0]))
            for r, row in enumerate(content):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
        elif kind == "title":
            document.add_heading(content, level=1)
        elif kind == "h":
            document.add_heading(content, level=2)
        else:
            paragraph = document.add_paragraph(content)
            if kind == "note":
                paragraph.runs[0].font.size = Pt(8)
                paragraph.runs[0].italic = True
    # A fixed date keeps the file identical between runs of this script.
    import datetime as dt

    document.core_properties.created = dt.datetime(2025, 1, 1)
    document.core_properties.modified = dt.datetime(2025, 1, 1)
    document.save(path)


def main() -> None:
    write_note(NOTE_EN, HERE / "INT_CMW_INF_25_reconstruction_E.docx")
    write_note(NOTE_ES, HERE / "INT_CMW_INF_42_reconstruction_S.docx")
    write_note(NOTE_FR, HERE / "INT_CMW_INF_36_reconstruction_F.docx")
    (HERE / "media_advisory_cmw36.html").write_text(ADVISORY, encoding="utf-8")


if __name__ == "__main__":
    main()
