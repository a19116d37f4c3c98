"""Assessment forms: definitions as data, versions, responses, scoring, filling in and editing.

Layout: `definition` (the typed model), `yamlio` (YAML with line numbers), `compile`
(expressions checked and compiled), `answers` and `evaluate` (one answer; a whole response),
`models`, `operations` (state changes), `queries`, `editor` (draft edits), `api` (for other
features), `views` and `blueprint` (thin HTTP layer), `instruments/` (standard forms)."""


def init_app(app) -> None:  # type: ignore[no-untyped-def]
    from dolbom.forms.answers import display
    from dolbom.forms.fill import choices_of

    app.add_template_global(choices_of, "choices_of")
    app.add_template_global(display, "display_answer")
