"""An opportunity's texts in English and in French, and who translates them in tests."""

from __future__ import annotations

from bridge.audit.service import Actor

TRANSLATOR = Actor.job("test-translator")

ENGLISH = {
    "title": "Accessible document upload form",
    "teaser": "Build a small accessible form that lets applicants upload their documents.",
    "description": (
        "## What we need\n\nThe Department needs an accessible web form for uploading "
        "supporting documents. The work is worth $9,500.00 and must be done by March 31, 2027.\n\n"
        "- keyboard support\n- plain language error messages\n\n"
        "Questions: write to procurement@tbs-sct.gc.ca or read https://example.gc.ca/form."
    ),
    "acceptanceCriteria": "The form passes an accessibility audit against WCAG 2.1 level AA.",
    "evaluationCriteria": "We choose the proposal with the clearest plan and relevant experience.",
    "submissionInfo": "Submit your proposal through the marketplace before the deadline.",
    "location": "Ottawa",
    "remoteDesc": "Remote work from anywhere in Canada is welcome for this work package.",
}

FRENCH = {
    "title": "Formulaire accessible de téléversement de documents",
    "teaser": (
        "Créer un petit formulaire accessible qui permet aux demandeurs de téléverser leurs "
        "documents."
    ),
    "description": (
        "## Ce dont nous avons besoin\n\nLe Ministère a besoin d'un formulaire Web accessible "
        "pour téléverser des pièces justificatives. Le travail vaut 9 500,00 $ et doit être "
        "terminé d'ici le 31 mars 2027.\n\n"
        "- prise en charge du clavier\n- messages d'erreur en langage clair\n\n"
        "Questions : écrivez à procurement@tbs-sct.gc.ca ou consultez https://example.gc.ca/form."
    ),
    "acceptance_criteria": (
        "Le formulaire réussit un audit d'accessibilité selon les WCAG 2.1, niveau AA."
    ),
    "evaluation_criteria": (
        "Nous choisissons la proposition au plan le plus clair et à l'expérience pertinente."
    ),
    "submission_info": (
        "Soumettez votre proposition au moyen du marché en ligne avant la date limite."
    ),
    "location": "Ottawa",
    "remote_desc": "Le télétravail de partout au Canada est bienvenu pour ce lot de travail.",
}
